"""``depgraph drift``: declared dependencies against calls observed in production."""

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.cli.kit import DescriptorsOption, QuietOption, emit_result, load, state


class DriftFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def register(app: typer.Typer) -> None:
    app.command("drift")(drift_command)


def drift_command(
    observed: Annotated[Optional[list[Path]], typer.Option(
        "--observed", help="Observed calls (repeatable): Jaeger/Zipkin links, a Prometheus query reply or "
        "scrape of the OpenTelemetry service-graph metrics, or a Kiali graph; recognised by content.")] = None,
    descriptors: DescriptorsOption = "descriptors",
    format: Annotated[DriftFormat, typer.Option("--format", help="Output format.")] = DriftFormat.text,
    alias: Annotated[Optional[list[str]], typer.Option(
        "--alias", help="OBSERVED=SERVICE: map a traced name to a service (repeatable).")] = None,
    alias_file: Annotated[Optional[Path], typer.Option(
        "--alias-file", help="YAML/JSON mapping of observed names to services.")] = None,
    prometheus: Annotated[Optional[str], typer.Option(
        "--prometheus", metavar="URL", help="Ask a Prometheus-compatible server for the OpenTelemetry "
        "service-graph metrics (servicegraph connector, Tempo, Alloy).")] = None,
    window: Annotated[str, typer.Option("--window", help="With --prometheus: how far back to count calls.")] = "7d",
    at: Annotated[Optional[str], typer.Option(
        "--time", help="With --prometheus: the end of the window (unix seconds or RFC 3339; default now).")] = None,
    token_env: Annotated[Optional[str], typer.Option(
        "--token-env", metavar="VAR", help="With --prometheus: the environment variable holding a bearer token.")] = None,
    timeout: Annotated[float, typer.Option(
        "--timeout", min=0.1, help="With --prometheus: seconds for everything asked of the server.")] = 120.0,
    save: Annotated[Optional[Path], typer.Option(
        "--save", help="With --prometheus: keep the server's reply in FILE (--observed reads it back).")] = None,
    write: Annotated[bool, typer.Option(
        "--write", help="Add each undeclared call between known services to the caller's descriptor as a "
        "soft dependency, with a comment naming the evidence (all files or none).")] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="With --write: print the change as a unified diff instead of writing it.")] = False,
    fail_on_undeclared: Annotated[bool, typer.Option(
        "--fail-on-undeclared", help="Exit 1 when calls without a declared dependency were observed.")] = False,
    quiet: QuietOption = False,
) -> None:
    """Compare declared dependencies with calls seen in production: undeclared calls (with calls,
    errors and where they were seen), declared dependencies never observed, entry points, and
    observed names that match no service.

    Example: depgraph drift --prometheus http://prometheus:9090 --window 7d --save observed.json
    """
    from depgraph.importers.drift import drift, read_aliases

    aliases = read_aliases(alias or [], alias_file, state.limits.max_file_bytes)
    fmt, calls = _observations(observed or [], prometheus, window, at, token_env, save, timeout)
    catalog = load(descriptors, quiet)
    report = drift(catalog, fmt, calls, aliases)
    if write or dry_run:
        _write(catalog, report, dry_run)
        if dry_run:
            return
    emit_result("drift", format.value, report)
    if fail_on_undeclared and report.undeclared:
        raise typer.Exit(1)


def _observations(files: list[Path], url: str | None, window: str, at: str | None,
                  token_env: str | None, save: Path | None, timeout: float = 120.0):
    """The format(s) and calls of the files and the server; ``--save`` written once all is read."""
    import os

    from depgraph.diagnostics import UsageError
    from depgraph.importers.observed import read_all
    from depgraph.output import jsontext
    from depgraph.output.atomic import write_text

    if not files and not url:
        raise UsageError("give --observed FILE (repeatable) or --prometheus URL")
    if (save or token_env or at) and not url:
        raise UsageError("--save, --time and --token-env go with --prometheus URL")
    fmt, calls = read_all(files, state.limits.max_file_bytes)
    if url:
        from depgraph.importers.promlive import check_window, live_calls, parse_time

        token = None
        if token_env:
            token = os.environ.get(token_env)
            if not token:
                raise UsageError(f"--token-env {token_env}: that environment variable is not set or empty")
        reply, live_fmt, live = live_calls(url, check_window(window), token, parse_time(at) if at else None,
                                           state.limits.max_file_bytes, timeout)
        if save:
            write_text(save, jsontext.dumps(reply) + "\n")
        fmt, calls = "+".join(dict.fromkeys(f for f in (*fmt.split("+"), live_fmt) if f)), calls + live
    return fmt, calls


def _write(catalog, report, dry_run: bool) -> None:
    """Write the undeclared calls into the descriptors (or print the diff that would)."""
    from depgraph.cli.kit import emit, warn
    from depgraph.importers.drift_write import plan_drift_write, unified_diff
    from depgraph.importers.writer import commit

    change, before = plan_drift_write(catalog, report, state.limits)
    if dry_run:
        emit(unified_diff(change, before).rstrip("\n"))
        return
    added = len(change.updated_services)
    commit(change, force=True, limits=state.limits)
    warn(f"depgraph: added {added:,} soft dependenc{'y' if added == 1 else 'ies'} to "
         f"{len(change.writes):,} file{'' if len(change.writes) == 1 else 's'}")
