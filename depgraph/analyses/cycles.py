"""Dependency cycles: between services, between teams and between tribes, and where to cut them.

A cycle is a strongly connected component (SCC) of two or more members of the dependency graph
(SPEC §4). It is *hard* when the hard edges alone, restricted to its members, still hold a
cycle: then none of its members can start cold, and one failure takes the ring down. Every
cycle carries one shortest example ``[a, …, a]``, all-hard for a hard cycle, starting at its
smallest id and otherwise the lexicographically smallest, so output is deterministic. Simple
cycles are never enumerated: finding the example costs at most one bounded breadth-first
search per member.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from dataclasses import dataclass

import networkx as nx

from depgraph.analyses.paths import dependency_graph
from depgraph.findings import Finding
from depgraph.model import Catalog


@dataclass(frozen=True, slots=True)
class Cycle:
    """An SCC of the dependency graph: sorted ``members``, ``hard``, and one shortest ``example``."""

    members: tuple[str, ...]
    hard: bool
    example: tuple[str, ...]

    def to_json(self) -> dict:
        return {"members": list(self.members), "hard": self.hard, "example": list(self.example)}


@dataclass(frozen=True, slots=True)
class GroupCycle:
    """A cycle between teams or tribes: sorted ``members``, the aggregated ``edges``
    ``(source, target, weight)`` between them (weight = number of service dependencies), and
    one shortest ``example`` cycle."""

    members: tuple[str, ...]
    edges: tuple[tuple[str, str, int], ...]
    example: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "members": list(self.members),
            "example": list(self.example),
            "edges": [{"source": s, "target": t, "dependencies": w} for s, t, w in self.edges],
        }


@dataclass(frozen=True, slots=True)
class CycleBreaker:
    """A hard dependency ``source -> target`` whose removal (or softening) helps break hard cycles."""

    source: str
    target: str
    file: str | None = None
    line: int | None = None

    def to_json(self) -> dict:
        return {"source": self.source, "target": self.target, "file": self.file, "line": self.line}


def dependency_cycles(source) -> list[Cycle]:
    """Every SCC of two or more members of the dependency graph, sorted by members.

    ``source`` is a Catalog or a graph accepted by :func:`dependency_graph`.

    >>> from depgraph.model import Catalog, Dependency, Service
    >>> def s(name, dep, kind="hard"):
    ...     return Service(name, dependencies=(Dependency((dep,), kind),))
    >>> cat = Catalog(services={"a": s("a", "b"), "b": s("b", "a", "soft")})
    >>> dependency_cycles(cat)
    [Cycle(members=('service:a', 'service:b'), hard=False, example=('service:a', 'service:b', 'service:a'))]
    """
    graph = _as_dependency_graph(source)
    cycles = []
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        members = tuple(sorted(component))
        hard_graph = _hard_subgraph(graph, members)
        hard_example = shortest_cycle(hard_graph)
        if hard_example:
            cycles.append(Cycle(members, True, hard_example))
        else:
            cycles.append(Cycle(members, False, shortest_cycle(graph.subgraph(members))))
    return sorted(cycles, key=lambda c: c.members)


def _as_dependency_graph(source) -> nx.DiGraph:
    if isinstance(source, nx.DiGraph) and not source.is_multigraph():
        return source
    return dependency_graph(source)


def _hard_subgraph(graph: nx.DiGraph, nodes=None) -> nx.DiGraph:
    """The hard edges of ``graph`` (restricted to ``nodes`` when given) as a new DiGraph."""
    view = graph if nodes is None else graph.subgraph(nodes)
    hard = nx.DiGraph()
    hard.add_nodes_from(view)
    hard.add_edges_from((u, v) for u, v, kind in view.edges(data="type") if kind == "hard")
    return hard


SEARCH_BUDGET = 2_000_000  # nodes visited by the searches of one shortest_cycle call


def shortest_cycle(graph: nx.DiGraph, budget: int = SEARCH_BUDGET) -> tuple[str, ...]:
    """One shortest cycle of ``graph`` as ``(a, …, a)``, or ``()`` when it is acyclic.

    Among shortest cycles it picks the ones through the smallest node id, and of those the
    lexicographically smallest walk, so the answer does not depend on graph insertion order.
    Each node's search sees only nodes above it (a cycle is found from its smallest member) and
    stops at the best length so far. Past ``budget`` visited nodes in all (only a huge
    component with long cycles gets there) the best cycle found so far is returned.

    >>> g = nx.DiGraph([("c", "a"), ("a", "b"), ("b", "c"), ("b", "d"), ("d", "b")])
    >>> shortest_cycle(g)
    ('b', 'd', 'b')
    """
    best: tuple[str, ...] = ()
    spent = 0
    for node in sorted(graph):
        limit = len(best) - 1 if best else len(graph) + 1
        to_node = _distances_to(graph, node, limit - 2)
        spent += len(to_node)
        cycle = _walk(graph, node, to_node, limit)
        if cycle:
            best = cycle
            if len(best) == 3:  # two members: nothing can be shorter
                break
        if best and spent > budget:
            break
    return best


def _walk(graph: nx.DiGraph, start: str, to_start: dict[str, int], limit: int) -> tuple[str, ...]:
    """The lexicographically smallest shortest cycle through ``start`` if it has fewer than
    ``limit`` edges, else ``()``; ``to_start`` holds distances to ``start``."""
    lengths = [to_start[v] + 1 for v in graph.successors(start) if v in to_start]
    if not lengths or min(lengths) >= limit:
        return ()
    remaining = min(lengths)
    walk, here = [start], start
    while remaining:
        here = min(v for v in graph.successors(here) if to_start.get(v) == remaining - 1)
        walk.append(here)
        remaining -= 1
    return tuple(walk)


def _distances_to(graph: nx.DiGraph, target: str, cutoff: int) -> dict[str, int]:
    """Hop distance to ``target`` from each node with a larger id (reverse BFS), up to
    ``cutoff`` hops."""
    distance = {target: 0}
    queue = deque([target])
    while queue:
        node = queue.popleft()
        if distance[node] >= cutoff:
            continue
        for pred in graph.predecessors(node):
            if pred > target and pred not in distance:
                distance[pred] = distance[node] + 1
                queue.append(pred)
    return distance


def team_cycles(catalog: Catalog, graph: nx.DiGraph | None = None) -> list[GroupCycle]:
    """Cycles between owner teams: team X depends on team Y when a service or client of X
    depends on a service of Y (X != Y). Entities without a declared owner team are left out.
    ``graph`` is the :func:`dependency_graph` of the catalog, when already built."""
    return _group_cycles(catalog, graph, lambda team: team.id)


def tribe_cycles(catalog: Catalog, graph: nx.DiGraph | None = None) -> list[GroupCycle]:
    """Cycles between tribes, aggregated like :func:`team_cycles` through each team's tribe."""
    return _group_cycles(catalog, graph, lambda team: f"tribe:{team.tribe}" if team.tribe else None)


def _group_cycles(catalog: Catalog, graph: nx.DiGraph | None, group_of_team) -> list[GroupCycle]:
    graph = dependency_graph(catalog) if graph is None else graph
    group: dict[str, str | None] = {}
    for entity in itertools.chain(catalog.services.values(), catalog.clients.values()):
        team = catalog.teams.get(entity.owner) if entity.owner else None
        group[entity.id] = group_of_team(team) if team else None
    weights: dict[tuple[str, str], int] = {}
    for dependent, target in graph.edges:
        a, b = group.get(dependent), group.get(target)
        if a and b and a != b:
            weights[a, b] = weights.get((a, b), 0) + 1
    between = nx.DiGraph()
    between.add_edges_from(sorted(weights))
    cycles = []
    for component in nx.strongly_connected_components(between):
        if len(component) >= 2:
            members = tuple(sorted(component))
            edges = tuple((a, b, w) for (a, b), w in sorted(weights.items())
                          if a in component and b in component)
            example = shortest_cycle(between.subgraph(component))
            cycles.append(GroupCycle(members, edges, example))
    return sorted(cycles, key=lambda c: c.members)


def cycle_breakers(source) -> list[CycleBreaker]:
    """A small set of hard dependencies whose removal leaves no hard cycle, sorted.

    Greedy Eades–Lin–Smyth ordering per hard SCC; its backward edges are a feedback arc set,
    pruned so that each kept edge is needed. Not guaranteed minimum (that problem is NP-hard).

    >>> from depgraph.model import Catalog, Dependency, Service
    >>> def s(name, *deps):
    ...     return Service(name, dependencies=tuple(Dependency((d,)) for d in deps))
    >>> cat = Catalog(services={"a": s("a", "b"), "b": s("b", "c"), "c": s("c", "a")})
    >>> [(b.source, b.target) for b in cycle_breakers(cat)]
    [('service:c', 'service:a')]
    """
    graph = _as_dependency_graph(source)
    hard = _hard_subgraph(graph)
    cut: list[tuple[str, str]] = []
    for component in nx.strongly_connected_components(hard):
        if len(component) >= 2:
            cut.extend(_feedback_arcs(hard.subgraph(component).copy()))
    breakers = []
    for u, v in sorted(cut):
        data = graph.edges[u, v]
        breakers.append(CycleBreaker(u, v, data.get("file"), data.get("line")))
    return breakers


def _feedback_arcs(graph: nx.DiGraph) -> list[tuple[str, str]]:
    position = {node: i for i, node in enumerate(_eades_order(graph))}
    backward = sorted((u, v) for u, v in graph.edges if position[u] >= position[v])
    graph.remove_edges_from(backward)
    needed = []
    for u, v in backward:  # put back every edge that closes no cycle on its own
        if nx.has_path(graph, v, u):
            needed.append((u, v))
        else:
            graph.add_edge(u, v)
    return needed


def _eades_order(graph: nx.DiGraph) -> list[str]:
    """Eades–Lin–Smyth: sinks to the back, sources to the front, else the node with the
    largest out-degree minus in-degree (smallest id on ties) to the front. Heaps keep it
    O(m log n); stale heap entries are skipped."""
    succ = {n: set(graph.successors(n)) for n in graph}
    pred = {n: set(graph.predecessors(n)) for n in graph}
    sinks = [n for n in graph if not succ[n]]
    sources = [n for n in graph if not pred[n]]
    ranked = [(len(pred[n]) - len(succ[n]), n) for n in graph]
    for heap in (sinks, sources, ranked):
        heapq.heapify(heap)
    front: list[str] = []
    back: list[str] = []

    def push(node: str) -> None:
        if not succ[node]:
            heapq.heappush(sinks, node)
        elif not pred[node]:
            heapq.heappush(sources, node)
        else:
            heapq.heappush(ranked, (len(pred[node]) - len(succ[node]), node))

    def remove(node: str) -> None:
        for p in pred.pop(node):
            succ[p].discard(node)
            push(p)
        for s in succ.pop(node):
            pred[s].discard(node)
            push(s)

    while succ:
        if sinks:
            node = heapq.heappop(sinks)
            if node in succ and not succ[node]:
                back.append(node)
                remove(node)
        elif sources:
            node = heapq.heappop(sources)
            if node in succ and not pred[node]:
                front.append(node)
                remove(node)
        else:
            delta, node = heapq.heappop(ranked)
            if node in succ and delta == len(pred[node]) - len(succ[node]):
                front.append(node)
                remove(node)
    return front + back[::-1]


def cycle_findings(source, cycles: list[Cycle], breakers: list[CycleBreaker] = ()) -> list[Finding]:
    """``hard-cycle`` (error) and ``soft-cycle`` (warning) findings, one per cycle, placed at
    the dependency entry that closes the example; fingerprinted by the members."""
    graph = _as_dependency_graph(source)
    findings = []
    for cycle in cycles:
        closing = graph.edges[cycle.example[-2], cycle.example[-1]]
        walk = " -> ".join(cycle.example)
        if cycle.hard:
            rule, severity = "hard-cycle", "error"
            message = f"hard dependency cycle: {walk}"
            cuts = [b for b in breakers if b.source in cycle.members and b.target in cycle.members]
            if cuts:
                message += "; to break it, cut or soften " + ", ".join(
                    f"{b.source} -> {b.target}" for b in cuts)
        else:
            rule, severity = "soft-cycle", "warning"
            message = (f"soft dependency cycle: {walk} (each cycle here has a soft dependency, "
                       "so it blocks no cold start, but failures echo around it)")
        if len(cycle.members) > len(cycle.example) - 1:
            message += f" ({len(cycle.members)} members in the cycle)"
        findings.append(Finding(rule, severity, cycle.members[0], message, closing.get("file"),
                                closing.get("line"), key=cycle.members, related=cycle.members))
    return findings


def group_cycle_findings(catalog: Catalog, teams: list[GroupCycle],
                         tribes: list[GroupCycle]) -> list[Finding]:
    """``team-cycle`` and ``tribe-cycle`` findings (info), one per cycle."""
    findings = []
    for rule, cycles in (("team-cycle", teams), ("tribe-cycle", tribes)):
        for cycle in cycles:
            noun = rule.split("-")[0]
            message = (f"{len(cycle.members)} {noun}s depend on each other in a cycle, "
                       f"e.g. {' -> '.join(cycle.example)}")
            file, line = _declaration(catalog, cycle.members[0])
            findings.append(Finding(rule, "info", cycle.members[0], message, file, line,
                                    key=cycle.members, related=cycle.members))
    return findings


def _declaration(catalog: Catalog, group_id: str) -> tuple[str | None, int | None]:
    """Where a team is declared (for a tribe: its first team, by name)."""
    kind, _, name = group_id.partition(":")
    teams = [t for _, t in sorted(catalog.teams.items())
             if (t.name == name if kind == "team" else t.tribe == name)]
    where = teams[0].source if teams else None
    return (where.file, where.line) if where else (None, None)
