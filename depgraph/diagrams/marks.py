"""What the analyses found, in the shape the diagrams draw it: which nodes and edges to mark.

:func:`marks_of` reads a :class:`~depgraph.analysis.Report` (or, for a catalog alone, runs
only the cheap analyses it needs): single points of failure, unowned services, and the edges
that lie on a hard cycle (both ends in one strongly connected component of the hard
dependencies) or on a soft-only cycle (both ends in one cycle of the full graph, not on a hard
cycle). Every diagram reads these marks; none recomputes an analysis itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from depgraph.analyses.paths import dependency_graph
from depgraph.model import Catalog


@dataclass(frozen=True)
class Marks:
    """Sets of ids and edges to mark; ``spofs`` maps a component to how many it takes down."""

    catalog: Catalog
    graph: nx.DiGraph
    spofs: dict[str, int] = field(default_factory=dict)
    unowned: dict[str, str] = field(default_factory=dict)
    hard_cycle_edges: frozenset = frozenset()
    soft_cycle_edges: frozenset = frozenset()


def marks_of(source) -> Marks:
    """Marks for an Analysis, or for a bare Catalog (then without SPOFs, which cost a full
    analysis; unowned services and cycles are cheap and always marked)."""
    if isinstance(source, Catalog):
        from depgraph.analyses.cycles import dependency_cycles
        from depgraph.analyses.ownership import unowned_services

        catalog, graph = source, dependency_graph(source)
        cycles, spofs, unowned = dependency_cycles(source, graph), [], unowned_services(source)
    else:
        catalog, graph = source.catalog, source.graph
        cycles, spofs, unowned = source.cycles, source.spofs, source.unowned
    hard_edges, soft_edges = cycle_edges(graph, cycles)
    return Marks(
        catalog=catalog,
        graph=graph,
        spofs={s.component: len(s.down) for s in spofs},
        unowned={u.service: u.reason for u in unowned},
        hard_cycle_edges=frozenset(hard_edges),
        soft_cycle_edges=frozenset(soft_edges),
    )


def cycle_edges(graph: nx.DiGraph, cycles) -> tuple[set, set]:
    """``(hard, soft)`` edge sets: the hard edges between members that never start cold (what
    makes a cycle hard), and the other edges inside a cycle's members.

    >>> from depgraph.analyses.cycles import Cycle
    >>> g = nx.DiGraph()
    >>> g.add_edge("a", "b", type="hard"); g.add_edge("b", "a", type="hard")
    >>> g.add_edge("b", "c", type="hard"); g.add_edge("c", "b", type="soft")
    >>> cycle = Cycle(("a", "b", "c"), True, ("a", "b", "a"), blocked=("a", "b"))
    >>> hard, soft = cycle_edges(g, [cycle])
    >>> sorted(hard), sorted(soft)
    ([('a', 'b'), ('b', 'a')], [('b', 'c'), ('c', 'b')])
    """
    hard: set = set()
    soft: set = set()
    for cycle in cycles:
        blocked = set(cycle.blocked)
        for u, v in graph.subgraph(cycle.members).edges:
            on_hard = u in blocked and v in blocked and graph[u][v].get("type") == "hard"
            (hard if on_hard else soft).add((u, v))
    return hard, soft
