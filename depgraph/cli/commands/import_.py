"""``depgraph import backstage|compose|k8s|netbox SRC… -o DIR``: descriptors from other sources."""

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.cli.kit import QuietOption, emit, fail, print_diagnostics, state, warn
from depgraph.output.escape import terminal
from depgraph.importers.options import ImportOptions
from depgraph.output.words import plural


class SourceKind(str, Enum):
    backstage = "backstage"
    compose = "compose"
    k8s = "k8s"
    netbox = "netbox"


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)


def import_command(
    kind: Annotated[SourceKind, typer.Argument(metavar="KIND", help="What SRC is: backstage, compose, k8s or netbox.")],
    sources: Annotated[Optional[list[Path]], typer.Argument(
        help="Files or folders to read; compose files are layered in order, like docker compose -f; "
             "for netbox a dump folder (or --url).", show_default=False)] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write descriptors into.")] = ...,
    files: Annotated[Optional[list[Path]], typer.Option(
        "--file", "-f", help="More compose files layered after SRC (repeatable).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite (or remove) existing files.")] = False,
    datacenter: Annotated[str, typer.Option(
        "--datacenter", help="Data center for compose/k8s instances.")] = "default",
    telemetry_hard: Annotated[bool, typer.Option(
        "--telemetry-hard", help="Import edges to telemetry sinks as hard, not soft.")] = False,
    telemetry: Annotated[Optional[list[str]], typer.Option(
        "--telemetry", help="compose/k8s: treat this service as a telemetry sink (repeatable).")] = None,
    not_telemetry: Annotated[Optional[list[str]], typer.Option(
        "--not-telemetry", help="compose/k8s: never treat this service as a telemetry sink "
                                "(repeatable).")] = None,
    url: Annotated[Optional[str], typer.Option(
        "--url", help="netbox: the NetBox to read, e.g. https://netbox.example.com.")] = None,
    token_env: Annotated[str, typer.Option(
        "--token-env", help="netbox: environment variable holding the API token.")] = "NETBOX_TOKEN",
    deployments: Annotated[bool, typer.Option(
        "--deployments", help="netbox: also write services' deployments (from ipam services).")] = False,
    service_field: Annotated[Optional[str], typer.Option(
        "--service-field", help="netbox: custom field of an ipam service naming its depgraph service.")] = None,
    status: Annotated[Optional[list[str]], typer.Option(
        "--status", help="netbox: import objects with this status (repeatable; default active).")] = None,
    quiet: QuietOption = False,
) -> None:
    """Write descriptors from a Backstage catalog, a docker-compose project, Kubernetes manifests
    (one file per service, teams.yaml, datacenters.yaml) or NetBox (one inventory file per data
    center, and with --deployments the services' deployments); print what was written. Nothing is
    written unless the whole result validates.

    Example: depgraph import compose ./shop -o descriptors

    Example: NETBOX_TOKEN=… depgraph import netbox --url https://netbox.example.com -o descriptors
    """
    from depgraph.importers.names import NAME_RE

    if kind is SourceKind.netbox:
        _import_netbox(sources or [], output, url, token_env, deployments, service_field, status, force, quiet)
        return
    if not sources:
        fail(f"import {kind.value} needs SRC: the files or folders to read")
    if not NAME_RE.match(datacenter):
        fail(f"bad --datacenter '{datacenter}': names match {NAME_RE.pattern}")
    from depgraph.importers.backstage import import_backstage
    from depgraph.importers.compose import import_compose
    from depgraph.importers.k8s import import_k8s
    from depgraph.importers.writer import render, write_files

    importer = {"backstage": import_backstage, "compose": import_compose, "k8s": import_k8s}[kind.value]
    result = importer(list(sources) + list(files or []),
                      ImportOptions(datacenter=datacenter, telemetry_hard=telemetry_hard,
                                    telemetry=frozenset(telemetry or ()),
                                    not_telemetry=frozenset(not_telemetry or ())))
    written = write_validated(lambda: write_files(render(result), output, force=force, limits=state.limits))
    _tell(result.warnings, result.notes, quiet)
    for path in written if not quiet else ():
        emit(f"created {terminal(path)}")
    edges = result.edges()
    soft = sum(1 for edge in edges if edge[2] == "soft")
    clients = sum(1 for s in result.services.values() if s.kind == "client")
    emit(f"imported {len(result.services) - clients} services, {clients} clients, "
         f"{len(result.teams)} teams and "
         f"{len(edges)} dependencies ({soft} soft) from {result.source} into {output}")


def _tell(warnings, notes, quiet: bool) -> None:
    """The importer's warnings and notes on stderr, each one line of terminal-safe text (they
    quote the source, which is untrusted)."""
    if quiet:
        return
    for message in warnings:
        warn(f"warning: {terminal(message)}")
    for message in notes:
        warn(f"note: {terminal(message)}")


def write_validated(write):
    """Run ``write``; when the result would not validate, print why and stop (nothing written)."""
    from depgraph.importers.writer import InvalidResult

    try:
        return write()
    except InvalidResult as exc:
        if state.debug:
            raise
        print_diagnostics(exc.diagnostics)
        fail(f"the import would leave {exc.out_dir} with {plural(len(exc.errors), 'error')} (above); "
             "nothing was written")


def _import_netbox(sources: list[Path], output: Path, url: str | None, token_env: str, deployments: bool,
                   service_field: str | None, status: list[str] | None, force: bool, quiet: bool) -> None:
    import os

    from depgraph.importers.netbox import NetboxOptions
    from depgraph.importers.netbox_import import NetboxSource, import_netbox, summary
    from depgraph.importers.writer import commit
    from depgraph.cli.progress import progress

    if bool(url) == bool(sources) or len(sources) > 1:
        fail("import netbox reads either one dump folder (depgraph import netbox DUMP_DIR -o DIR) or a "
             "live NetBox (depgraph import netbox --url URL -o DIR)")
    token = os.environ.get(token_env) or None if url else None
    if url and token is None:
        warn(f"note: ${token_env} is not set; reading NetBox without a token")
    source = NetboxSource(folder=None if url else sources[0], url=url, token=token, token_env=token_env)
    options = NetboxOptions(statuses=frozenset(s.strip().lower() for s in status or ["active"]),
                            service_field=service_field)
    with progress(quiet=quiet) as shown:
        with shown.stage("importing from NetBox") as stage:
            def report(what: str, done: int, total: int) -> None:
                if total:
                    stage.text = what
                    stage.advance(done, total)
                else:
                    stage.retitle(what)

            result = import_netbox(source, output, options, deployments, state.limits,
                                   report if shown.enabled else None)
        with shown.stage(f"validating and writing {len(result.change.writes):,} files"):
            existed = {str(p) for p in result.change.writes if os.path.lexists(p)}
            written = write_validated(lambda: commit(result.change, force=force, limits=state.limits))
    _tell([], result.notes + result.inventory.warnings, quiet)
    for path in written if not quiet else ():
        emit(f"{'replaced' if str(path) in existed else 'created'} {terminal(path)}")
    for path in result.change.removals if not quiet else ():
        emit(f"removed {terminal(path)}")
    for line in summary(result, deployments, output):
        emit(line)
