"""``depgraph path FROM TO``: why one service or client depends on another, path by path."""

from enum import Enum
from typing import Annotated

import typer

from depgraph.cli.kit import DescriptorsOption, QuietOption, emit_result, load


class PathFormat(str, Enum):
    text = "text"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("path")(path)


def path(
    source: Annotated[str, typer.Argument(metavar="FROM", help="The dependent: kind:name or a bare name.")],
    target: Annotated[str, typer.Argument(metavar="TO", help="The dependency: kind:name or a bare name.")],
    descriptors: DescriptorsOption = "descriptors",
    format: Annotated[PathFormat, typer.Option("--format", "-f", help="Output format.")] = PathFormat.text,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=10_000, help="Most paths shown.")] = 10,
    quiet: QuietOption = False,
) -> None:
    """Why FROM depends on TO: the dependency paths between them, shortest first, each step
    marked hard or soft. Prints nothing found (exit 0) when FROM does not depend on TO.

    Example: depgraph path client:ios service:storage --format json
    """
    from depgraph.analyses.paths import paths_between

    emit_result("paths", format.value, paths_between(load(descriptors, quiet), source, target, limit))
