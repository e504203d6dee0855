"""``depgraph path FROM TO``: why one service or client depends on another, path by path."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from depgraph.cli.kit import DescriptorsOption, emit, emit_json, load

SCHEMA = "depgraph/paths/v1"


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
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Most paths shown.")] = 10,
) -> None:
    """Why FROM depends on TO: the dependency paths between them, shortest first, each step
    marked hard or soft. Prints nothing found (exit 0) when FROM does not depend on TO.

    Example: depgraph path client:ios service:storage --format json
    """
    from depgraph.analyses.paths import dependency_paths
    from depgraph.failure.engine import resolve_component

    catalog = load(descriptors)
    start = resolve_component(catalog, source, kinds=("service", "client"))
    end = resolve_component(catalog, target, kinds=("service", "client"))
    paths = dependency_paths(catalog, start, end, limit)
    if format is PathFormat.json:
        emit_json({"schema": SCHEMA, "from": start, "to": end,
                   "paths": [p.to_json() for p in paths]})
        return
    emit(paths_text(start, end, paths, limit))


def paths_text(start: str, end: str, paths, limit: int | None = None) -> str:
    """``FROM -hard-> X -soft-> TO`` lines, one per path, with where each step is declared."""
    if not paths:
        return f"{start} does not depend on {end}, directly or transitively."
    count = f"the {len(paths)} shortest paths (--limit for more)" if len(paths) == limit else \
        f"{len(paths)} path(s), shortest first"
    lines = [f"{start} depends on {end} through {count}:"]
    for number, found in enumerate(paths, 1):
        kind = "hard all the way" if found.hard else "has a soft step"
        lines.append(f"\n{number}. {len(found.steps)} hop(s), {kind}")
        for step in found.steps:
            where = f"  ({step.file}:{step.line})" if step.file else ""
            lines.append(f"   {step.source} -{step.type}-> {step.target}{where}")
    return "\n".join(lines)
