"""Dependency paths: the service-level dependency graph, and why one component depends on another.

:func:`dependency_graph` is the plain ``networkx.DiGraph`` of ``depends_on`` edges between
services and clients that the cycle and path analyses share: one edge per (dependent, target)
pair, ``type`` hard when any of the dependent's entries naming the target is hard (``any_of``
members included), with the file and line of that entry. :func:`dependency_paths` answers
``depgraph path FROM TO``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import networkx as nx

from depgraph.model import Catalog

PATH_KINDS = ("service", "client")


@dataclass(frozen=True, slots=True)
class Step:
    """One dependency edge of a path: ``source`` depends on ``target``."""

    source: str
    target: str
    type: str
    file: str | None = None
    line: int | None = None

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "target": self.target,
            "type": self.type,
            "file": self.file,
            "line": self.line,
        }


@dataclass(frozen=True, slots=True)
class DependencyPath:
    """A chain of dependencies from the first step's source to the last step's target."""

    steps: tuple[Step, ...]

    @property
    def nodes(self) -> list[str]:
        return [self.steps[0].source, *(step.target for step in self.steps)]

    @property
    def hard(self) -> bool:
        """True when every step is a hard dependency."""
        return all(step.type == "hard" for step in self.steps)

    def to_json(self) -> dict:
        return {
            "hops": len(self.steps),
            "hard": self.hard,
            "nodes": self.nodes,
            "steps": [step.to_json() for step in self.steps],
        }


def dependency_graph(catalog: Catalog) -> nx.DiGraph:
    """The depends_on edges of a Catalog as a DiGraph.

    Nodes are service and client ids, added in sorted order; each edge has ``type`` and the
    ``file`` and ``line`` of the entry that decides it (:meth:`~depgraph.model.Catalog.dependency_edges`).
    Self-dependencies (a validation error) are left out.

    This graph and the exporters' :func:`depgraph.exporters.graph.build_graph` are two on
    purpose: the analyses need one edge per pair of services, built in a fraction of a second
    at 20,000 services, where the typed multigraph also holds every host, rack, team and
    dependency entry (ten times the nodes). Both read the same catalog records, and the type
    of an edge is decided in one place.

    >>> from depgraph.model import Catalog, Dependency, Service
    >>> soft = Dependency(("b",), type="soft")
    >>> cat = Catalog(services={"a": Service("a", dependencies=(soft, Dependency(("b",)))),
    ...                         "b": Service("b")})
    >>> dict(dependency_graph(cat).edges)[("service:a", "service:b")]["type"]
    'hard'
    """
    edges = catalog.dependency_edges()
    nodes = {entity.id for entity in catalog.services_and_clients()}
    nodes.update(target for _, target in edges)
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(nodes))
    graph.add_edges_from((u, v, {"type": dep.type, "file": dep.source.file if dep.source else None,
                                 "line": dep.source.line if dep.source else None})
                         for u, v, dep in ((u, v, edges[u, v]) for u, v in sorted(edges)) if u != v)
    return graph


SEARCH_STATES = 200_000  # partial paths one search may extend, at most


def dependency_paths(source, start: str, target: str, limit: int = 10) -> list[DependencyPath]:
    """Why ``start`` depends on ``target``: up to ``limit`` simple paths, shortest first.

    ``source`` is a Catalog or its :func:`dependency_graph`.
    Paths of equal length come in lexicographic order of their ids. No path: an empty list.

    >>> from depgraph.model import Catalog, Dependency, Service
    >>> cat = Catalog(services={"a": Service("a", dependencies=(Dependency(("b",)),)),
    ...                         "b": Service("b", dependencies=(Dependency(("c",), "soft"),)),
    ...                         "c": Service("c")})
    >>> [(s.target, s.type) for s in dependency_paths(cat, "service:a", "service:c")[0].steps]
    [('service:b', 'hard'), ('service:c', 'soft')]
    """
    return bounded_paths(source, start, target, limit)[0]


def bounded_paths(source, start: str, target: str, limit: int = 10,
                  budget: int = SEARCH_STATES) -> tuple[list[DependencyPath], bool]:
    """:func:`dependency_paths`, and whether the search was complete: it extends at most
    ``budget`` partial paths in all, so a graph with very many paths (a ladder) costs bounded
    time and memory. Paths of each length are searched depth first in lexicographic order, a
    partial path dropped as soon as its distance to ``target`` (one breadth-first search) makes
    it too long; a path found is always one of the shortest, but when the budget runs out fewer
    than ``limit`` may be returned (False)."""
    graph = source if _is_dependency_graph(source) else dependency_graph(source)
    if start not in graph or target not in graph or start == target or limit < 1:
        return [], True
    distance = _distances_to(graph, target)
    if start not in distance:
        return [], True
    successors: dict[str, list[str]] = {}
    found: list[list[str]] = []
    spent, length = 0, distance[start]
    while len(found) < limit:
        pruned = False  # a longer bound could find more
        path, on = [start], {start}
        stack = [iter(_next(graph, successors, distance, start))]
        while stack and len(found) < limit:
            node = next(stack[-1], None)
            if node is None:
                stack.pop()
                on.discard(path.pop())
                continue
            if node in on:
                continue
            if len(path) + distance[node] > length:
                pruned = True
                continue
            spent += 1
            if spent > budget:
                return [_path(graph, nodes) for nodes in found], False
            if node == target:
                if len(path) == length:
                    found.append([*path, node])
                continue
            path.append(node)
            on.add(node)
            stack.append(iter(_next(graph, successors, distance, node)))
        if not pruned:
            break
        length += 1
    return [_path(graph, nodes) for nodes in found], True


def _next(graph: nx.DiGraph, successors: dict[str, list[str]], distance: dict[str, int], node: str) -> list[str]:
    """The successors of ``node`` from which the target is reachable, sorted (made once)."""
    found = successors.get(node)
    if found is None:
        found = successors[node] = sorted(v for v in graph.successors(node) if v in distance)
    return found


def _distances_to(graph: nx.DiGraph, target: str) -> dict[str, int]:
    """Hops from each node to ``target`` (a breadth-first search backwards)."""
    distance = {target: 0}
    frontier = [target]
    for node in frontier:  # grows while it is walked
        for pred in graph.predecessors(node):
            if pred not in distance:
                distance[pred] = distance[node] + 1
                frontier.append(pred)
    return distance


def _is_dependency_graph(source) -> bool:
    return isinstance(source, nx.DiGraph)


def _path(graph: nx.DiGraph, nodes: list[str]) -> DependencyPath:
    steps = []
    for u, v in itertools.pairwise(nodes):
        data = graph.edges[u, v]
        steps.append(Step(u, v, data["type"], data.get("file"), data.get("line")))
    return DependencyPath(tuple(steps))


@dataclass(frozen=True, slots=True)
class FoundPaths:
    """What ``depgraph path`` reports: the resolved ends and the paths between them."""

    start: str
    end: str
    paths: tuple[DependencyPath, ...]
    limit: int
    #: False when the search stopped at its budget (:data:`SEARCH_STATES`) before ``limit`` paths
    complete: bool = True


def paths_between(catalog: Catalog, source: str, target: str, limit: int = 10) -> FoundPaths:
    """:func:`dependency_paths` between two component arguments (``kind:name`` or a bare name
    of a service or client), resolved with the one resolver."""
    from depgraph.failure.resolve import resolve_component

    start = resolve_component(catalog, source, kinds=PATH_KINDS)
    end = resolve_component(catalog, target, kinds=PATH_KINDS)
    paths, complete = bounded_paths(catalog, start, end, limit)
    return FoundPaths(start, end, tuple(paths), limit, complete)
