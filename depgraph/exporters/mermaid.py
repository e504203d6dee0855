"""``export --format mermaid``: a ``graph LR`` of services and clients; hard dependencies solid,
soft ones dotted, any_of alternatives labelled."""

from __future__ import annotations

import re

from depgraph.exporters.graph import build_graph
from depgraph.model import Catalog

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def _mermaid_ids(node_ids: list[str]) -> dict[str, str]:
    ids: dict[str, str] = {}
    used: set[str] = set()
    for node in sorted(node_ids):
        base = _UNSAFE.sub("_", node)
        name, n = base, 2
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        ids[node] = name
    return ids


def export_mermaid(catalog: Catalog) -> str:
    graph = build_graph(catalog)
    nodes = sorted(n for n, d in graph.nodes(data=True) if d.get("kind") in ("service", "client"))
    ids = _mermaid_ids(nodes)
    lines = ["graph LR"]
    for node in nodes:
        name = graph.nodes[node]["name"].replace('"', "'")
        shape = f'(["{name}"])' if graph.nodes[node]["kind"] == "client" else f'["{name}"]'
        lines.append(f"  {ids[node]}{shape}")
    edges = set()
    for source, target, data in graph.edges(data=True):
        if data.get("relation") != "depends_on":
            continue
        arrow = "-->" if data["type"] == "hard" else "-.->"
        label = "|any of|" if "group" in data else ""
        edges.add(f"  {ids[source]} {arrow}{label} {ids[target]}")
    lines.extend(sorted(edges))
    return "\n".join(lines) + "\n"
