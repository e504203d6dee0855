"""``depgraph export --format json|graphml|mermaid|backstage [-o FILE]``: the graph for other tools."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.cli.kit import DescriptorsOption, emit, load


class ExportFormat(str, Enum):
    json = "json"
    graphml = "graphml"
    mermaid = "mermaid"
    backstage = "backstage"


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)


def export_command(
    format: Annotated[ExportFormat, typer.Option("--format", help="What to write.")],
    descriptors: DescriptorsOption = "descriptors",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
) -> None:
    """Export the dependency graph: JSON (depgraph/graph/v1), GraphML, a Mermaid diagram, or
    Backstage catalog-info entities.

    Example: depgraph export --format mermaid -o graph.mmd
    """
    from depgraph.exporters import export
    from depgraph.importers.writer import atomic_write

    catalog = load(descriptors, quiet_warnings=True)
    text = export(catalog, format.value)
    if output is None:
        typer.echo(text, nl=False)
    else:
        atomic_write(output, text)
        emit(f"wrote {output}")
