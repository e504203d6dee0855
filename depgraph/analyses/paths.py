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
    nodes = {entity.id for entity in itertools.chain(catalog.services.values(), catalog.clients.values())}
    nodes.update(target for _, target in edges)
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(nodes))
    graph.add_edges_from((u, v, {"type": dep.type, "file": dep.source.file if dep.source else None,
                                 "line": dep.source.line if dep.source else None})
                         for (u, v), dep in sorted(edges.items()) if u != v)
    return graph


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
    graph = source if _is_dependency_graph(source) else dependency_graph(source)
    if start not in graph or target not in graph or start == target or limit < 1:
        return []
    try:
        found = list(itertools.islice(nx.shortest_simple_paths(graph, start, target), limit))
    except nx.NetworkXNoPath:
        return []
    found.sort(key=lambda nodes: (len(nodes), nodes))
    return [_path(graph, nodes) for nodes in found]


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


def paths_between(catalog: Catalog, source: str, target: str, limit: int = 10) -> FoundPaths:
    """:func:`dependency_paths` between two component arguments (``kind:name`` or a bare name
    of a service or client), resolved with the one resolver."""
    from depgraph.failure.resolve import resolve_component

    start = resolve_component(catalog, source, kinds=PATH_KINDS)
    end = resolve_component(catalog, target, kinds=PATH_KINDS)
    return FoundPaths(start, end, tuple(dependency_paths(catalog, start, end, limit)), limit)
