"""``export --format mermaid``: a ``graph LR`` of services and clients; hard dependencies solid,
soft ones dotted, any_of alternatives labelled (written by :mod:`depgraph.output.mermaid`)."""

from __future__ import annotations

from depgraph.exporters.graph import build_graph
from depgraph.model import Catalog
from depgraph.output.mermaid import ARROWS, edge, node, readable_ids


def export_mermaid(catalog: Catalog) -> str:
    graph = build_graph(catalog)
    nodes = sorted(n for n, d in graph.nodes(data=True) if d.get("kind") in ("service", "client"))
    ids = readable_ids(nodes)
    lines = ["graph LR"]
    for name in nodes:
        data = graph.nodes[name]
        lines.append(node(ids[name], data["name"], "stadium" if data["kind"] == "client" else "box"))
    edges = set()
    for source, target, data in graph.edges(data=True):
        if data.get("relation") == "depends_on":
            edges.add(edge(ids[source], ids[target], ARROWS[data["type"]], "any of" if "group" in data else None))
    lines.extend(sorted(edges))
    return "\n".join(lines) + "\n"
