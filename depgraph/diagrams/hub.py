"""``--focus C`` when C's neighbourhood is too big to draw one node each: C, and its neighbours
grouped by owner team.

A hub's neighbourhood in a big landscape runs to hundreds of services (a shared store with 600
dependents). Drawn whole it is past reading, and the teams view of those 600 is a picture of
something else (every edge among them, C nowhere). So the focused services and clients are drawn
as themselves, and every other node of the neighbourhood joins one node per owner team and side:
``team juniper-squad: 140 dependents`` on the left, ``team amber-squad: 3 dependencies`` on the
right (per tribe when there are more than :data:`MAX_GROUPS` teams on a side). A group of one is
drawn as that service. Edges between the drawn nodes add up the dependencies they stand for,
so an indirect path through a group stays visible.

>>> import networkx as nx
>>> g = nx.DiGraph([("a", "hub"), ("b", "hub"), ("hub", "db"), ("x", "a")])
>>> sides(g, {"hub"}, 2) == ({"db": 1}, {"a": 1, "b": 1, "x": 2})
True
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from depgraph.diagrams import style
from depgraph.diagrams.dotwriter import DotGraph
from depgraph.diagrams.marks import Marks
from depgraph.diagrams.services import add_services_legend
from depgraph.diagrams.teams import NO_TRIBE, UNOWNED, _name, group_of

MAX_GROUPS = 30  # more teams than this on one side: group that side by tribe instead
EDGES_PER_GROUP = 3  # edges drawn out of each node that is not the focus (its heaviest)
GROUP_FILL = {"dependents": "#fdf1dc", "dependencies": "#e4f1e1"}


def sides(graph, seeds, depth: int) -> tuple[dict[str, int], dict[str, int]]:
    """``(dependencies, dependents)``: each node within ``depth`` steps of ``seeds`` with its
    distance, seeds left out; a node on both sides (a cycle through the seeds) is a dependent."""
    found = []
    for step in (graph.successors, graph.predecessors):
        frontier, seen = set(seeds), dict.fromkeys(seeds, 0)
        for distance in range(1, depth + 1):
            frontier = {n for node in frontier for n in step(node)} - seen.keys()
            seen.update(dict.fromkeys(frontier, distance))
        found.append({n: d for n, d in seen.items() if n not in seeds})
    dependencies, dependents = found
    return {n: d for n, d in dependencies.items() if n not in dependents}, dependents


def hub_graph(marks: Marks, seeds: frozenset, depth: int, title: str) -> tuple[DotGraph, int]:
    """The grouped picture of ``seeds`` and their neighbourhood: ``(graph, nodes drawn)``.

    Groups are per side, distance and owner, and only the edges that lead one step closer to
    the focus are drawn (a dependent at 2 steps to one at 1 step, a dependent at 1 step to the
    focus, ...): the dependencies among the neighbours themselves would be a hairball again."""
    catalog = marks.catalog
    dependencies, dependents = sides(marks.graph, seeds, depth)
    distance = {**dict.fromkeys(seeds, 0), **dependencies, **dependents}
    unit: dict[str, str] = {seed: seed for seed in seeds}
    groups: dict[str, list[str]] = defaultdict(list)
    for side, steps in (("dependents", dependents), ("dependencies", dependencies)):
        teams = {group_of(catalog, node, "team") for node in steps}
        level = "team" if len(teams) <= MAX_GROUPS else "tribe"
        for node in sorted(steps):
            groups[f"{side}:{steps[node]}:{group_of(catalog, node, level)}"].append(node)
    for key, members in groups.items():
        for node in members:
            unit[node] = node if len(members) == 1 else key
    graph = style.base_graph(label=f"{title} ({_count(dependents, 'dependent')}, "
                             f"{_count(dependencies, 'dependency', 'dependencies')}; grouped by owner)",
                             fontsize=16.0, rankdir="LR")
    drawn = [e for e in (catalog.entity(node) for node in sorted(n for n, u in unit.items() if n == u)) if e]
    scale = style.spof_scale(marks, drawn)
    for entity in drawn:
        graph.add_node(entity.id, **style.service_node(entity, marks, seeds, scale))
    for key, members in sorted(groups.items()):
        if len(members) > 1:
            graph.add_node(key, **_group_node(marks, key, members))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for node, head in unit.items():
        for target in marks.graph.successors(node):
            if target in unit and _closer(node, target, dependents, dependencies, distance):
                counts[(head, unit[target])] += 1
    kept = _heaviest(counts, seeds)
    if len(kept) < len(counts):
        graph.graph["label"] += f"; between groups, each group's {EDGES_PER_GROUP} heaviest edges"
    kinds = style.edge_kinds(catalog)
    for (source, target), count in sorted(kept.items()):
        if unit.get(source) == source and unit.get(target) == target:  # two drawn services
            kind, any_of = kinds.get((source, target), ("hard", False))
            graph.add_edge(source, target, **style.dependency_edge(source, target, kind, any_of, marks))
        else:
            graph.add_edge(source, target, label=f"{count:,}", penwidth=round(1 + math.log2(count), 2),
                           tooltip=f"{source} -> {target}: {count:,} dependencies")
    add_services_legend(graph, marks, drawn)
    graph.add_node("legend:group", cluster=("legend",), shape="folder", fillcolor=GROUP_FILL["dependents"],
                   fontsize=10.0, label="N dependents\nof one owner", tooltip="N dependents of one owner")
    return graph, len(drawn) + sum(1 for members in groups.values() if len(members) > 1)


def _heaviest(counts: dict, seeds) -> dict:
    """``counts`` with every edge to or from a focus, and at most :data:`EDGES_PER_GROUP` other
    edges out of each node (the heaviest; ties by name): at 2 steps, 12 tribes of dependents
    each reach all 12 at 1 step."""
    kept = {key: count for key, count in counts.items() if key[0] in seeds or key[1] in seeds}
    by_source: dict[str, list] = defaultdict(list)
    for (source, target), count in counts.items():
        if (source, target) not in kept:
            by_source[source].append((-count, target))
    for source, targets in by_source.items():
        for negative, target in sorted(targets)[:EDGES_PER_GROUP]:
            kept[(source, target)] = -negative
    return kept


def _count(items, one: str, many: str | None = None) -> str:
    return f"{len(items):,} {one if len(items) == 1 else many or one + 's'}"


def _closer(source: str, target: str, dependents: dict, dependencies: dict, distance: dict) -> bool:
    """Whether the dependency ``source -> target`` leads one step towards the focus."""
    if source in dependents:
        return distance[target] == distance[source] - 1 and target not in dependencies
    return target in dependencies and distance[target] == distance[source] + 1


def _group_node(marks: Marks, key: str, members: list[str]) -> dict:
    side, _, rest = key.partition(":")
    steps, _, group = rest.partition(":")
    kind = group.partition(":")[0]
    owner = f"{kind} {_name(group)}" if group not in (UNOWNED, NO_TRIBE) else _name(group)
    noun = side if len(members) != 1 else side[:-1]
    lines = [f"{owner}: {len(members):,} {noun}" + (f" at {steps} steps" if steps != "1" else "")]
    if kind == "tribe":
        teams = Counter(group_of(marks.catalog, m, "team") for m in members)
        most, count = min(teams.items(), key=lambda kv: (-kv[1], kv[0]))
        lines.append(f"{len(teams)} teams, most: {_name(most)} ({count})")
    spofs = sum(1 for m in members if m in marks.spofs)
    if spofs:
        lines.append(f"{spofs} SPOF{'s' if spofs != 1 else ''}")
    shown = ", ".join(m.partition(":")[2] for m in members[:10])
    return {"shape": "folder", "fillcolor": GROUP_FILL[side], "label": "\n".join(lines),
            "tooltip": f"{owner}, {len(members):,} {noun}: {shown}{' …' if len(members) > 10 else ''}"}
