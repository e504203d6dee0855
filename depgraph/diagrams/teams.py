"""The teams view: who depends on whom, team to team (or tribe to tribe).

An edge ``A -> B`` stands for every dependency from a service or client of A on a service of B;
its label and width give how many (dependent, dependency) pairs it carries, solid when one of
them is hard, dashed when all are soft, red when one of them lies on a hard cycle of services.
Services and clients whose owner names no declared team are drawn as one "unowned" node, so
their dependencies are not lost. ``level="tribe"`` draws tribes instead of teams.
"""

from __future__ import annotations

import math
from collections import defaultdict

from depgraph.diagrams import style
from depgraph.diagrams.dotescape import clean
from depgraph.diagrams.dotwriter import DotGraph
from depgraph.diagrams.marks import Marks

UNOWNED = "group:unowned"
NO_TRIBE = "tribe:-"
FAST_LAYOUT_EDGES = 150  # from here a dense team graph is laid out with the fast settings
LABELLED_EDGES = 300  # edge labels cost dot most: above this many edges they are left out
# A big organisation's group graph is nearly complete (thousands of team-to-team edges), which dot
# cannot lay out in time. Kept to each group's heaviest EDGES_PER_GROUP (at least MIN_EDGES in
# all) dot manages, but stretches more than SFDP_GROUPS groups into a strip, so sfdp lays those
# out. The measurements behind each number: docs/diagrams.md.
EDGES_PER_GROUP = 3
MIN_EDGES = 150
SFDP_GROUPS = 60


def group_of(catalog, entity_id: str, level: str) -> str:
    """The team (``team:x``) or tribe (``tribe:x``) that owns a service or client."""
    entity = catalog.entity(entity_id)
    team = catalog.owner_team(entity) if entity is not None else None
    if team is None:
        return UNOWNED
    if level == "team":
        return team.id
    return f"tribe:{team.tribe}" if team.tribe else NO_TRIBE


def group_edges(marks: Marks, level: str, shown: set[str] | None = None) -> dict:
    """``(A, B) -> [(dependent, dependency), …]`` between different groups, pairs sorted."""
    pairs: dict[tuple[str, str], list] = defaultdict(list)
    groups: dict[str, str] = {}  # each node's group once (a hub is the target of thousands of edges)

    def group(node: str) -> str:
        found = groups.get(node)
        if found is None:
            found = groups[node] = group_of(marks.catalog, node, level)
        return found

    for source, target in marks.graph.edges:
        if shown is not None and (source not in shown or target not in shown):
            continue
        a, b = group(source), group(target)
        if a != b:
            pairs[a, b].append((source, target))
    return {key: sorted(value) for key, value in sorted(pairs.items())}


def group_count(marks: Marks, level: str, shown: set[str] | None = None) -> int:
    """How many teams (or tribes) own the services and clients shown (all when ``shown`` is None)."""
    nodes = shown if shown is not None else marks.graph.nodes
    return len({group_of(marks.catalog, node, level) for node in nodes})


def teams_dot(marks: Marks, level: str = "team", cluster: str = "tribe", shown: set[str] | None = None,
              focus: frozenset = frozenset(), title: str | None = None, legend: bool = True) -> str:
    return teams_graph(marks, level, cluster, shown, focus, title, legend).to_dot()


def teams_graph(marks: Marks, level: str = "team", cluster: str = "tribe", shown: set[str] | None = None,
                focus: frozenset = frozenset(), title: str | None = None, legend: bool = True,
                max_edges: int | None = None) -> DotGraph:
    """The view; with ``max_edges``, a denser graph keeps every edge on a hard cycle and each
    group's heaviest dependencies, and its title says how many edges were left out."""
    return _teams_graph(marks, level, cluster, shown, focus, title, legend, max_edges)[0]


def _teams_graph(marks: Marks, level: str, cluster: str, shown: set[str] | None, focus: frozenset,
                 title: str | None, legend: bool, max_edges: int | None) -> tuple[DotGraph, int, int]:
    """:func:`teams_graph` with the numbers of edges drawn and of edges in all."""
    catalog = marks.catalog
    members: dict[str, list[str]] = defaultdict(list)
    for entity in (*catalog.services.values(), *catalog.clients.values()):
        if shown is None or entity.id in shown:
            members[group_of(catalog, entity.id, level)].append(entity.id)
    if shown is None and level == "team":
        for team in catalog.teams.values():
            members.setdefault(team.id, [])
    edges = group_edges(marks, level, shown)
    total_edges = len(edges)
    if max_edges is not None and total_edges > max_edges:
        edges = strongest_edges(marks, edges, max_edges)
    focus_groups = {group_of(catalog, node, level) for node in focus}
    noun = "teams" if level == "team" else "tribes"
    real = len(members) - (UNOWNED in members)  # the unowned node is no team
    unowned = " and the unowned" if UNOWNED in members else ""
    graph = style.base_graph(label=title or f"{noun.capitalize()}: who depends on whom "
                             f"({real} {noun}{unowned}, edge label = service dependencies)", fontsize=16.0)
    scale = style.count_classes(_spof_count(marks, ids) for ids in members.values())
    for group in sorted(members):
        path = _cluster(catalog, group) if level == "team" and cluster == "tribe" else ()
        if path:
            graph.add_cluster(path, label=f"tribe {path[0][6:]}", style="rounded,filled",
                              fillcolor="#f4f4f4", color="#aaaaaa", fontsize=13.0)
        graph.add_node(group, cluster=path, **_group_node(marks, group, members[group], group in focus_groups, scale))
    for (a, b), pairs in edges.items():
        graph.add_edge(a, b, **_group_edge(marks, a, b, pairs))
    if len(edges) > FAST_LAYOUT_EDGES:
        graph.graph.update(style.FAST_LAYOUT)
    if len(edges) > LABELLED_EDGES:
        for attrs in graph.edges.values():
            attrs.pop("label", None)
            attrs.pop("fontcolor", None)
        graph.graph["label"] += f"; {len(edges)} edges: counts as widths, hover an edge for its count"
    if len(edges) < total_edges:
        graph.graph["label"] += (f"; showing {len(edges):,} of {total_edges:,} edges: each {noun[:-1]}'s "
                                 "heaviest dependencies and every edge on a hard cycle")
    if legend:
        _legend(graph, marks, edges, members, scale)
    elif scale:
        graph.graph["label"] += ("; fill: SPOFs owned, darker is more (" +
                                 ", ".join(style.range_text(*r) for r in scale) + ")")
    return graph, len(edges), total_edges


def _spof_count(marks: Marks, ids) -> int:
    return sum(1 for i in ids if i in marks.spofs)


def drawable_teams_graph(marks: Marks, level: str = "team", cluster: str = "tribe", shown: set[str] | None = None,
                         focus: frozenset = frozenset(), title: str | None = None) -> tuple[DotGraph, str, str | None]:
    """The teams (or tribes) view kept drawable at any size: ``(graph, engine, note)``.

    Past ``max(MIN_EDGES, EDGES_PER_GROUP x groups)`` edges it keeps each group's heaviest and
    every hard-cycle edge; past SFDP_GROUPS groups it is meant for sfdp (no legend, whose cluster
    sfdp ignores: the title explains the colours). ``note`` says what was left out, if anything.
    """
    groups = group_count(marks, level, shown)
    engine = "sfdp" if groups > SFDP_GROUPS else "dot"
    budget = max(MIN_EDGES, EDGES_PER_GROUP * groups)
    graph, drawn, total = _teams_graph(marks, level, cluster, shown, focus, title, engine == "dot", budget)
    if engine == "sfdp":
        graph.graph.update(overlap="prism", sep="+6")
        graph.graph["label"] += "; red: on a hard cycle, dashed: soft only"
    note = None
    if drawn < total:
        note = (f"{total:,} {level}-to-{level} edges are too many to lay out: drew {drawn:,}, each {level}'s "
                "heaviest and every one on a hard cycle")
    return graph, engine, note


def strongest_edges(marks: Marks, edges: dict, limit: int) -> dict:
    """At most about ``limit`` of ``edges``: every edge carrying a hard cycle, then the heaviest
    outgoing edges of every group in turn (so no group loses all its dependencies first)."""
    kept = {key for key, pairs in edges.items() if any(p in marks.hard_cycle_edges for p in pairs)}
    by_source: dict[str, list] = defaultdict(list)
    for (a, b), pairs in edges.items():
        by_source[a].append((-len(pairs), b))
    queues = [sorted(targets) for _, targets in sorted(by_source.items())]
    sources = sorted(by_source)
    rank = 0
    while len(kept) < limit and any(rank < len(q) for q in queues):
        for source, queue in zip(sources, queues):
            if rank < len(queue) and len(kept) < limit:
                kept.add((source, queue[rank][1]))
        rank += 1
    return {key: value for key, value in edges.items() if key in kept}


def _cluster(catalog, group: str) -> tuple[str, ...]:
    team = catalog.teams.get(group[5:]) if group.startswith("team:") else None
    return (f"tribe:{team.tribe}",) if team is not None and team.tribe else ()


def _group_node(marks: Marks, group: str, ids: list[str], focused: bool, scale: list) -> dict:
    catalog = marks.catalog
    services = sum(1 for i in ids if i.startswith("service:"))
    clients = len(ids) - services
    spofs = _spof_count(marks, ids)
    counts = [f"{services} service{'s' if services != 1 else ''}"]
    if clients:
        counts.append(f"{clients} client{'s' if clients != 1 else ''}")
    lines = [_name(group), ", ".join(counts)]
    attrs: dict = {"fillcolor": style.TIER_FILL[2]}
    if spofs:
        lines.append(f"{spofs} SPOF{'s' if spofs != 1 else ''}")
        fill, border = style.count_shade(spofs, scale)
        attrs.update(fillcolor=fill, color=border, penwidth=2.0)
        if fill == style.SPOF_RAMP[-1]:
            attrs["fontcolor"] = "white"
    if group == UNOWNED:
        attrs.update(style="rounded,filled,dashed", color=style.GREY, fillcolor="#eeeeee")
    if focused:
        attrs.update(penwidth=3.5)
    team = catalog.teams.get(group[5:]) if group.startswith("team:") else None
    contact = ", ".join(f"{k}: {clean(v, 80)}" for k, v in sorted(team.contact.items())) if team else ""
    attrs["tooltip"] = f"{group} — {contact}" if contact else group
    attrs["label"] = "\n".join(lines)
    return attrs


def _name(group: str) -> str:
    if group == UNOWNED:
        return "unowned"
    if group == NO_TRIBE:
        return "(no tribe)"
    return group.partition(":")[2]


def _group_edge(marks: Marks, a: str, b: str, pairs: list) -> dict:
    hard = [p for p in pairs if marks.graph.edges[p].get("type") == "hard"]
    attrs = {"label": str(len(pairs)), "penwidth": round(1 + math.log2(len(pairs)), 2)}
    if not hard:
        attrs["style"] = "dashed"
    if any(p in marks.hard_cycle_edges for p in pairs):
        attrs.update(color=style.RED, fontcolor=style.RED, penwidth=max(attrs["penwidth"], 2.5))
    shown = ", ".join(f"{s} -> {t}" for s, t in pairs[:8])
    attrs["tooltip"] = f"{a} -> {b}: {len(pairs)} dependencies: {shown}{' …' if len(pairs) > 8 else ''}"
    return attrs


def _legend(graph: DotGraph, marks: Marks, edges: dict, members: dict, scale: list) -> None:
    items = []
    for low, high in scale:  # the SPOF colour scale, one sample per class
        fill, border = style.count_shade(high, scale)
        white = {"fontcolor": "white"} if fill == style.SPOF_RAMP[-1] else {}
        items.append((f"owns {style.range_text(low, high)} SPOF{'s' if high > 1 else ''}",
                      {"color": border, "penwidth": 2.0, "fillcolor": fill, **white}))
    if UNOWNED in members:
        items.append(("unowned services", {"style": "rounded,filled,dashed", "color": style.GREY,
                                           "fillcolor": "#eeeeee"}))
    samples = [("N hard dependencies", {}), ("soft only", {"style": "dashed"})]
    if any(p in marks.hard_cycle_edges for pairs in edges.values() for p in pairs):
        samples.append(("carries a hard cycle", {"color": style.RED, "penwidth": 2.5}))
    style.add_legend(graph, items, samples)
