"""Catalog -> the one typed networkx graph of services, clients, hosts, racks, data centers and teams.

``build_graph(catalog)`` returns a ``networkx.MultiDiGraph`` (several dependency entries may join
the same pair of services, e.g. a plain entry and an ``any_of`` alternative).

Nodes (id ``kind:name``), each with ``kind`` and ``name``, and ``file``/``line``/``col`` where
declared (hosts created by a deployment carry the place they were first named):

=============  ==========================================================================
kind           attributes
=============  ==========================================================================
service        description, owner, tier, lifecycle, labels, readiness, links (list of dicts)
client         description, owner, labels
host           datacenter, rack (or None), declared (False if only named in a deployment), labels
rack           datacenter, rack (the label); id ``rack:DC/RACK``
datacenter     location, region, labels
team           tribe, contact, labels
tribe          (only ``kind`` and ``name``): one per tribe named by a team; id ``tribe:NAME``
=============  ==========================================================================

Edges, each with ``relation`` and the ``file``/``line``/``col`` of the declaration that made it:

- ``depends_on`` service|client -> service: ``type`` (``hard``/``soft``), ``group`` (the index of
  the ``any_of`` entry in the dependent's list; only on members of an any_of group), ``description``;
- ``runs_on`` service -> host (one per named host), or service -> datacenter with ``instances`` N
  for anonymous instances;
- ``located_in`` host -> rack -> datacenter, or host -> datacenter for a host without a rack;
- ``owned_by`` service|client -> team (only when the owner names a declared team);
- ``part_of`` team -> tribe (for a team with a tribe).
"""

from __future__ import annotations

import networkx as nx

from depgraph.model import Catalog, Location


def _where(source: Location | None) -> dict:
    if source is None:
        return {"file": None, "line": None, "col": None}
    return {"file": source.file, "line": source.line, "col": source.col}


def build_graph(catalog: Catalog) -> nx.MultiDiGraph:
    """Compile ``catalog`` into the typed graph described in the module docstring."""
    graph = nx.MultiDiGraph()
    _add_nodes(graph, catalog)
    edges: list[tuple[str, str, dict]] = []
    for dependent in (*catalog.services.values(), *catalog.clients.values()):
        source_id = dependent.id
        for index, dep in enumerate(dependent.dependencies):
            for target in dep.targets:
                attrs = {"relation": "depends_on", "type": dep.type, "description": dep.description,
                         **_where(dep.source)}
                if dep.is_group:
                    attrs["group"] = index
                edges.append((source_id, f"service:{target}", attrs))
        if dependent.owner in catalog.teams:
            edges.append((source_id, f"team:{dependent.owner}", {"relation": "owned_by", **_where(dependent.source)}))
    for service in catalog.services.values():
        for deployment in service.deployments:
            where = _where(deployment.source)
            if deployment.hosts:
                for host in deployment.hosts:
                    edges.append((service.id, f"host:{host}", {"relation": "runs_on",
                                                                 "datacenter": deployment.datacenter, **where}))
            else:
                edges.append((service.id, f"datacenter:{deployment.datacenter}",
                              {"relation": "runs_on", "instances": deployment.instances, **where}))
    for host in catalog.hosts.values():
        parent = host.rack_id or f"datacenter:{host.datacenter}"
        edges.append((host.id, parent, {"relation": "located_in", **_where(host.source)}))
    for team in catalog.teams.values():
        if team.tribe:
            edges.append((team.id, f"tribe:{team.tribe}", {"relation": "part_of", **_where(team.source)}))
    for rack_id in catalog.racks():
        dc = rack_id[len("rack:"):].split("/", 1)[0]
        edges.append((rack_id, f"datacenter:{dc}", {"relation": "located_in", "file": None, "line": None,
                                                    "col": None}))
    graph.add_edges_from(edges)
    return graph


def _add_nodes(graph: nx.MultiDiGraph, catalog: Catalog) -> None:
    nodes = []
    for s in catalog.services.values():
        nodes.append((s.id, {"kind": "service", "name": s.name, "description": s.description, "owner": s.owner,
                             "tier": s.tier, "lifecycle": s.lifecycle, "labels": s.labels,
                             "readiness": s.readiness,
                             "links": [{"title": link.title, "url": link.url} for link in s.links],
                             **_where(s.source)}))
    for c in catalog.clients.values():
        nodes.append((c.id, {"kind": "client", "name": c.name, "description": c.description, "owner": c.owner,
                             "labels": c.labels, **_where(c.source)}))
    for h in catalog.hosts.values():
        nodes.append((h.id, {"kind": "host", "name": h.name, "datacenter": h.datacenter, "rack": h.rack,
                             "declared": h.declared, "labels": h.labels, **_where(h.source)}))
    for rack_id in catalog.racks():
        dc, rack = rack_id[len("rack:"):].split("/", 1)
        nodes.append((rack_id, {"kind": "rack", "name": f"{dc}/{rack}", "datacenter": dc, "rack": rack,
                                "file": None, "line": None, "col": None}))
    for d in catalog.datacenters.values():
        nodes.append((d.id, {"kind": "datacenter", "name": d.name, "location": d.location, "region": d.region,
                             "labels": d.labels, **_where(d.source)}))
    for t in catalog.teams.values():
        nodes.append((t.id, {"kind": "team", "name": t.name, "tribe": t.tribe, "contact": t.contact,
                             "labels": t.labels, **_where(t.source)}))
    for tribe in sorted({t.tribe for t in catalog.teams.values() if t.tribe}):
        nodes.append((f"tribe:{tribe}", {"kind": "tribe", "name": tribe, "file": None, "line": None,
                                         "col": None}))
    graph.add_nodes_from(nodes)
