"""``export --format json``: SPEC §4 ``depgraph/graph/v1``, and the way back to a graph.

Nodes carry ``id``, ``kind`` and every attribute of the compiled graph; edges carry ``source``,
``target``, ``relation`` and their attributes, ``type`` only on ``depends_on`` and ``group`` only
on any_of members (attributes that are None are left out of edges). Everything is sorted.
"""

from __future__ import annotations

import json

import networkx as nx

from depgraph.output import jsontext
from depgraph.exporters.graph import build_graph
from depgraph.model import Catalog

SCHEMA = "depgraph/graph/v1"


def graph_document(graph: nx.MultiDiGraph) -> dict:
    nodes = [{"id": node, **{k: v for k, v in data.items()}} for node, data in graph.nodes(data=True)]
    nodes.sort(key=lambda n: n["id"])
    edges = []
    for source, target, data in graph.edges(data=True):
        edge = {"source": source, "target": target}
        edge.update({k: v for k, v in data.items() if v is not None})
        edges.append(edge)
    edges.sort(key=_edge_key)
    return {"schema": SCHEMA, "nodes": nodes, "edges": edges}


def _edge_key(edge: dict) -> tuple:
    return (edge["source"], edge["target"], edge["relation"], edge.get("group", -1),
            edge.get("type", ""), json.dumps(edge, sort_keys=True, default=str))


def export_json(catalog: Catalog) -> str:
    return jsontext.dumps(graph_document(build_graph(catalog))) + "\n"


def graph_from_document(doc: dict) -> nx.MultiDiGraph:
    """Rebuild the graph a ``depgraph/graph/v1`` document describes."""
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ValueError(f"not a {SCHEMA} document")
    graph = nx.MultiDiGraph()
    for node in doc["nodes"]:
        attrs = {k: v for k, v in node.items() if k != "id"}
        graph.add_node(node["id"], **attrs)
    for edge in doc["edges"]:
        attrs = {k: v for k, v in edge.items() if k not in ("source", "target")}
        graph.add_edge(edge["source"], edge["target"], **attrs)
    return graph
