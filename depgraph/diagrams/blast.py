"""Blast radius as a picture: what one failure takes down, degrades and thins out.

:func:`blast_radius_dot` colours the failed components black, what goes down red, what degrades
orange and what loses some instances yellow; everything else stays faint grey for context.
Failed hosts, racks and data centers are drawn as one black box each; a service that had
instances there says so in its own label (``ran in lon1``) instead of a dotted edge from the box:
a data center's fan of edges to every service it hosts made the picture a 5:1 strip. Dependencies
run left to right (``rankdir=LR``), like the services view, so the picture fits a page. Affected nodes are grouped by owner team, each cluster labelled with the team's
pager or Slack, because a blast radius is read to know whom to call (unaffected nodes stay
outside clusters, so the affected part of the picture stays compact). On a big landscape
only the affected services and clients are drawn, with their unaffected direct neighbours
as context, grouped per owner team and linked only where they touch the blast (and without them
when even that is too many).
"""

from __future__ import annotations

from collections import defaultdict

from depgraph.diagrams import style
from depgraph.diagrams.dotescape import clean
from depgraph.diagrams.dotwriter import DotGraph
from depgraph.diagrams.focus import _placed_in
from depgraph.diagrams.marks import Marks, marks_of
from depgraph.diagrams.teams import group_of

ALL_NODES_LIMIT = 120  # up to this many services and clients, draw them all
CONTEXT_LIMIT = 250  # above this many affected + neighbours, drop the neighbours
PLACES = ("host", "rack", "datacenter")

STATES = {
    "failed": {"fillcolor": "#1a1a1a", "fontcolor": "white", "color": style.RED, "penwidth": 3.0},
    "down": {"fillcolor": "#e03b2f", "fontcolor": "white", "color": "#8b1a12", "penwidth": 1.5},
    "degraded": {"fillcolor": "#f5a623", "color": "#a4640b"},
    "reduced": {"fillcolor": "#f7e07a", "color": "#a08a1c"},
    "unaffected": {"fillcolor": "white", "color": style.FAINT, "fontcolor": "#a0a0a0"},
}


def blast_radius_dot(source, impact, all_nodes_limit: int = ALL_NODES_LIMIT,
                     context_limit: int = CONTEXT_LIMIT, incomplete: str | None = None) -> str:
    """DOT text of ``impact`` (a :class:`depgraph.failure.engine.Impact`) over an Analysis or
    Catalog; ``incomplete``: why the picture leaves something out (descriptors that did not
    load), drawn under its title where nobody can miss it."""
    return blast_radius_graph(marks_of(source), impact, all_nodes_limit, context_limit, incomplete).to_dot()


def states_of(impact) -> dict[str, str]:
    """``id -> failed|down|degraded|reduced`` for every component the impact names, each in its
    worst state: a service both degraded and reduced is degraded (its loss goes in the label).

    >>> from depgraph.failure.engine import Impact
    >>> states = states_of(Impact(("host:h",), ("service:a",), ("service:b",),
    ...                           {"service:b": (1, 3), "service:c": (1, 2)}))
    >>> sorted(states.items())
    [('host:h', 'failed'), ('service:a', 'down'), ('service:b', 'degraded'), ('service:c', 'reduced')]
    """
    states = {node: "reduced" for node in impact.reduced}
    states.update({node: "degraded" for node in impact.degraded})
    states.update({node: "down" for node in impact.down})
    states.update({node: "failed" for node in impact.failed})
    return states


def shown_nodes(marks: Marks, states: dict, all_nodes_limit: int, context_limit: int) -> tuple[set, int]:
    """``(services and clients to draw, how many were left out)``."""
    everything = set(marks.graph.nodes)
    if len(everything) <= all_nodes_limit:
        return everything, 0
    affected = {n for n in states if n in everything}
    context = {m for n in affected for m in (*marks.graph.successors(n), *marks.graph.predecessors(n))}
    shown = affected | context if len(affected | context) <= context_limit else affected
    return shown, len(everything - shown)


def blast_radius_graph(marks: Marks, impact, all_nodes_limit: int = ALL_NODES_LIMIT,
                       context_limit: int = CONTEXT_LIMIT, incomplete: str | None = None) -> DotGraph:
    catalog = marks.catalog
    states = states_of(impact)
    shown, hidden = shown_nodes(marks, states, all_nodes_limit, context_limit)
    title = _title(impact, hidden) + (f"\n{incomplete}" if incomplete else "")
    graph = style.base_graph(label=title, fontsize=16.0, rankdir="LR")
    places = _failed_places(catalog, impact)
    unit = _context_groups(catalog, states, shown) if hidden else {}
    for entity in sorted((*catalog.services.values(), *catalog.clients.values()), key=lambda e: e.id):
        if entity.id not in shown or unit.get(entity.id, entity.id) != entity.id:
            continue
        state = states.get(entity.id, "unaffected")
        cluster: tuple[str, ...] = ()
        if state != "unaffected":
            team = catalog.owner_team(entity)
            cluster = (team.id,) if team else ("unowned",)
            graph.add_cluster(cluster, **_team_cluster(team))
        graph.add_node(entity.id, cluster=cluster, **_node(entity, state, impact, places.get(entity.id, ())))
    grouped: dict[tuple[str, str], int] = defaultdict(int)
    for (source, target), (kind, any_of) in sorted(style.edge_kinds(catalog).items()):
        if source not in shown or target not in shown or (hidden and source not in states and target not in states):
            continue  # on a big landscape, context is drawn only where it touches the blast
        tail, head = unit.get(source, source), unit.get(target, target)
        if (tail, head) == (source, target):
            graph.add_edge(source, target, **_edge(states, source, target, kind, any_of))
        elif tail != head:
            grouped[(tail, head)] += 1
    for group in sorted(set(unit.values()) - set(unit)):
        members = sorted(node for node, key in unit.items() if key == group)
        graph.add_node(group, shape="folder", **STATES["unaffected"], label=f"{_owner(group)}: {len(members)} "
                       "unaffected neighbours", tooltip=", ".join(m.partition(":")[2] for m in members[:10]) +
                       (" …" if len(members) > 10 else ""))
    for (tail, head), count in sorted(grouped.items()):
        graph.add_edge(tail, head, color=style.FAINT, label=str(count), fontcolor="#a0a0a0",
                       tooltip=f"{tail} -> {head}: {count} dependencies")
    for component in impact.failed:
        if component.partition(":")[0] in PLACES:
            graph.add_node(component, shape="box3d", label=f"{component}\nfailed", tooltip=component,
                           **STATES["failed"])
    _legend(graph, states)
    return graph


def _context_groups(catalog, states: dict, shown: set) -> dict[str, str]:
    """``unaffected neighbour -> context:TEAM`` for each owner team with more than one of them:
    on a big landscape a rack's 20 reduced services have a hundred unaffected neighbours, which
    one by one made a column five times taller than wide."""
    by_team: dict[str, list[str]] = defaultdict(list)
    for node in shown:
        if node not in states:
            by_team[f"context:{group_of(catalog, node, 'team')}"].append(node)
    return {node: key for key, members in by_team.items() if len(members) > 1 for node in members}


def _owner(group: str) -> str:
    team = group.removeprefix("context:")
    return f"team {team.removeprefix('team:')}" if team.startswith("team:") else "unowned"


def _title(impact, hidden: int) -> str:
    counts = f"{len(impact.down)} down, {len(impact.degraded)} degraded, {len(impact.reduced)} reduced"
    note = f"; {hidden} unaffected services and clients not shown" if hidden else ""
    return f"Blast radius of {', '.join(impact.failed)}: {counts}{note}"


def _team_cluster(team) -> dict:
    attrs = {"style": "rounded", "fontsize": 11.0, "color": "#888888", "fontcolor": "#333333"}
    if team is None:
        return {**attrs, "label": "unowned: nobody to call", "style": "rounded,dashed"}
    contact = team.contact.get("pager") or team.contact.get("slack") or team.contact.get("email")
    how = f" · {'pager' if 'pager' in team.contact else 'contact'}: {clean(contact, 60)}" if contact else ""
    return {**attrs, "label": f"{team.name}{how}"}


def _failed_places(catalog, impact) -> dict[str, tuple[str, ...]]:
    """``service id -> names of the failed hosts, racks and data centers it had instances in``."""
    failed = [c.partition(":") for c in impact.failed if c.partition(":")[0] in PLACES]
    places: dict[str, tuple[str, ...]] = {}
    for service in catalog.services.values():
        names = tuple(name for kind, _, name in failed if _placed_in(catalog, service, kind, name))
        if names:
            places[service.id] = names
    return places


def _node(entity, state: str, impact, places: tuple[str, ...] = ()) -> dict:
    attrs = {**STATES[state], "tooltip": style.tooltip(entity)}
    if entity.kind == "client":
        attrs["shape"] = "house"
    label = entity.name
    lost = impact.reduced.get(entity.id)
    if state == "reduced":
        label += f"\nreduced: lost {lost[0]} of {lost[1]}"
    elif state != "unaffected":
        label += f"\n{state}" + (f", lost {lost[0]} of {lost[1]}" if lost else "")
    if places:
        label += "\nran in " + ", ".join(places)
    attrs["label"] = label
    return attrs


def _edge(states: dict, source: str, target: str, kind: str, any_of: bool) -> dict:
    attrs: dict = {"style": "dashed"} if kind == "soft" else {}
    if any_of:
        attrs["arrowhead"] = "empty"
    target_state, source_state = states.get(target), states.get(source)
    if target_state in ("failed", "down") and source_state in ("down", "degraded"):
        attrs.update(color="#c0392b", penwidth=2.0)
    elif target_state == "degraded" and source_state == "degraded":
        attrs.update(color="#d68910", penwidth=1.5)
    else:
        attrs["color"] = style.FAINT
    return attrs


def _legend(graph: DotGraph, states: dict) -> None:
    present = set(states.values())
    items = [(state, {**STATES[state]}) for state in ("failed", "down", "degraded", "reduced")
             if state in present]
    items.append(("unaffected", {**STATES["unaffected"]}))
    edges = [("takes down", {"color": "#c0392b", "penwidth": 2.0}),
             ("degrades", {"color": "#d68910", "penwidth": 1.5}),
             ("soft", {"style": "dashed", "color": style.FAINT})]
    style.add_legend(graph, items, edges)
