"""``depgraph import backstage|compose|k8s SRC… -o DIR``: descriptors from other sources."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.cli.kit import emit, fail, print_diagnostics, state, warn
from depgraph.diagnostics import DescriptorError
from depgraph.importers.options import ImportOptions


class SourceKind(str, Enum):
    backstage = "backstage"
    compose = "compose"
    k8s = "k8s"


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)


def import_command(
    kind: Annotated[SourceKind, typer.Argument(help="What SRC is: backstage, compose or k8s.")],
    sources: Annotated[list[Path], typer.Argument(help="Files or folders to read; compose files are "
                                                  "layered in order, like docker compose -f.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write descriptors into.")],
    files: Annotated[Optional[list[Path]], typer.Option(
        "--file", "-f", help="More compose files layered after SRC (repeatable).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    datacenter: Annotated[str, typer.Option(
        "--datacenter", help="Data center for compose/k8s instances.")] = "default",
    telemetry_hard: Annotated[bool, typer.Option(
        "--telemetry-hard", help="Import edges to telemetry sinks as hard, not soft.")] = False,
) -> None:
    """Write descriptors (one file per service, teams.yaml, datacenters.yaml) from a Backstage
    catalog, a docker-compose project or Kubernetes manifests; print what was created.

    Example: depgraph import compose ./shop -o descriptors
    """
    from depgraph.importers.backstage import import_backstage
    from depgraph.importers.compose import import_compose
    from depgraph.importers.k8s import import_k8s
    from depgraph.importers.names import NAME_RE
    from depgraph.importers.writer import render, write_files

    if not NAME_RE.match(datacenter):
        fail(f"bad --datacenter '{datacenter}': names match {NAME_RE.pattern}")
    importer = {"backstage": import_backstage, "compose": import_compose, "k8s": import_k8s}[kind.value]
    result = importer(list(sources) + list(files or []),
                      ImportOptions(datacenter=datacenter, telemetry_hard=telemetry_hard))
    written = write_files(render(result), output, force=force)
    for message in result.warnings:
        warn(f"warning: {message}")
    for message in result.notes:
        warn(f"note: {message}")
    for path in written:
        emit(f"created {path}")
    edges = result.edges()
    soft = sum(1 for edge in edges if edge[2] == "soft")
    clients = sum(1 for s in result.services.values() if s.kind == "client")
    emit(f"imported {len(result.services) - clients} services, {clients} clients, "
         f"{len(result.teams)} teams and "
         f"{len(edges)} dependencies ({soft} soft) from {result.source} into {output}")
    _check(output)


def _check(output: Path) -> None:
    from depgraph.load.loader import load_catalog

    try:
        load_catalog(output, state.limits)
    except DescriptorError as exc:
        print_diagnostics(exc.errors)
        fail(f"the descriptors in {output} do not validate; see the errors above")
