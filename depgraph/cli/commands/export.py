"""``depgraph export --format json|graphml|mermaid|backstage [-o FILE]``: the graph for other tools."""

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.cli.kit import DescriptorsOption, QuietOption, emit, load


class ExportFormat(str, Enum):
    json = "json"
    graphml = "graphml"
    mermaid = "mermaid"
    backstage = "backstage"


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)


def export_command(
    format: Annotated[ExportFormat, typer.Option(
        "--format", metavar="FORMAT", help=f"What to write: {', '.join(f.value for f in ExportFormat)}.")],
    descriptors: DescriptorsOption = "descriptors",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    quiet: QuietOption = False,
) -> None:
    """Export the dependency graph: JSON (depgraph/graph/v1), GraphML, a Mermaid diagram, or
    Backstage catalog-info entities.

    Example: depgraph export --format mermaid -o graph.mmd
    """
    from depgraph.exporters import export
    from depgraph.importers.writer import atomic_write

    from depgraph.output.escape import json_text, printable

    text = export(load(descriptors, quiet), format.value)
    text = json_text(text) if format is ExportFormat.json else printable(text)
    if output is None:
        typer.echo(text, nl=False)
    else:
        atomic_write(output, text)
        if not quiet:
            emit(f"wrote {output}")
