"""Exporters: the compiled graph for other tools. Each is one function ``(catalog) -> str``
chosen by name from :data:`EXPORTERS`; none of them changes the graph or reads files.
"""

from __future__ import annotations

from collections.abc import Callable

from depgraph.model import Catalog


def _registry() -> dict[str, Callable[[Catalog], str]]:
    from depgraph.exporters.backstage import export_backstage
    from depgraph.exporters.graphml import export_graphml
    from depgraph.exporters.json import export_json
    from depgraph.exporters.mermaid import export_mermaid

    return {"json": export_json, "graphml": export_graphml, "mermaid": export_mermaid,
            "backstage": export_backstage}


def export(catalog: Catalog, fmt: str) -> str:
    return _registry()[fmt](catalog)
