"""``--focus C --depth N``: which services and clients a focused diagram shows.

A focus names a service or client (itself), a team (the services and clients it owns) or a
host, rack or data center (the services placed there). The neighbourhood follows dependencies
``depth`` steps out (what the focus needs) and dependents ``depth`` steps in (who needs it).

>>> import networkx as nx
>>> g = nx.DiGraph([("client:app", "service:api"), ("service:api", "service:db"),
...                 ("service:db", "service:disk"), ("service:other", "service:db")])
>>> sorted(neighbourhood(g, {"service:api"}, 1))
['client:app', 'service:api', 'service:db']
"""

from __future__ import annotations

import networkx as nx

from depgraph.diagnostics import UsageError
from depgraph.model import Catalog

FOCUS_KINDS = ("service", "client", "team", "host", "rack", "datacenter")


def focus_seeds(catalog: Catalog, argument: str) -> tuple[str, frozenset[str]]:
    """``(component id, services and clients it stands for)``; UsageError when it names nothing
    or stands for no service."""
    from depgraph.failure.resolve import resolve_component

    component = resolve_component(catalog, argument, kinds=FOCUS_KINDS)
    kind, _, name = component.partition(":")
    if kind in ("service", "client"):
        return component, frozenset({component})
    if kind == "team":
        owned = {e.id for e in (*catalog.services.values(), *catalog.clients.values()) if e.owner == name}
        seeds = frozenset(owned)
    else:
        seeds = frozenset(s.id for s in catalog.services.values() if _placed_in(catalog, s, kind, name))
    if not seeds:
        raise UsageError(f"{component} has no services or clients to focus on")
    return component, seeds


def _placed_in(catalog: Catalog, service, kind: str, name: str) -> bool:
    for deployment in service.deployments:
        if kind == "datacenter" and deployment.datacenter == name:
            return True
        for host_name in deployment.hosts:
            host = catalog.hosts.get(host_name)
            if kind == "host" and host_name == name:
                return True
            if kind == "rack" and host is not None and host.rack_id == f"rack:{name}":
                return True
    return False


def neighbourhood(graph: nx.DiGraph, seeds, depth: int) -> set[str]:
    """``seeds`` plus every node within ``depth`` dependency steps out and ``depth`` steps in."""
    keep = set(seeds)
    for step in (graph.successors, graph.predecessors):
        frontier = set(seeds)
        seen = set(seeds)
        for _ in range(depth):
            frontier = {n for node in frontier for n in step(node)} - seen
            if not frontier:  # nothing further: a huge depth costs no more than the graph
                break
            seen |= frontier
        keep |= seen
    return keep
