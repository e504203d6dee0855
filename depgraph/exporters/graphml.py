"""``export --format graphml``: the compiled graph via networkx, attributes flattened to strings
(mappings and lists as JSON, None as an empty string) so every GraphML reader takes them."""

from __future__ import annotations

import json

import networkx as nx

from depgraph.exporters.graph import build_graph
from depgraph.output.escape import xml_text
from depgraph.model import Catalog


def _flat(value) -> str:
    """A GraphML attribute value: a string XML 1.0 can hold (see ``reporters.escape.xml_text``)."""
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple)):
        return xml_text(json.dumps(value, sort_keys=True, ensure_ascii=False))
    if isinstance(value, bool):
        return "true" if value else "false"
    return xml_text(value)


def flattened(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with sorted nodes and edges and every attribute a string."""
    flat = nx.MultiDiGraph()
    for node in sorted(graph.nodes):  # ids too: a tribe's id holds its free-text name
        flat.add_node(xml_text(node), **{k: _flat(v) for k, v in sorted(graph.nodes[node].items())})
    edges = sorted(graph.edges(data=True),
                   key=lambda e: (e[0], e[1], json.dumps(e[2], sort_keys=True, default=str)))
    for source, target, data in edges:
        flat.add_edge(xml_text(source), xml_text(target), **{k: _flat(v) for k, v in sorted(data.items())})
    return flat


def export_graphml(catalog: Catalog) -> str:
    return "\n".join(nx.generate_graphml(flattened(build_graph(catalog)))) + "\n"
