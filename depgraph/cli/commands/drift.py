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
    fail_on_undeclared: Annotated[bool, typer.Option(
        "--fail-on-undeclared", help="Exit 1 when calls without a declared dependency were observed.")] = False,
    quiet: QuietOption = False,
) -> None:
    """Compare declared dependencies with calls seen in production: undeclared calls (with calls,
    errors and where they were seen), declared dependencies never observed, entry points, and
    observed names that match no service.

    Example: depgraph drift --observed servicegraph.json --alias frontend-web=frontend
    """
    from depgraph.diagnostics import UsageError
    from depgraph.importers.drift import drift, read_aliases
    from depgraph.importers.observed import read_all

    if not observed:
        raise UsageError("give --observed FILE (repeatable)")
    aliases = read_aliases(alias or [], alias_file, state.limits.max_file_bytes)
    fmt, calls = read_all(observed, state.limits.max_file_bytes)
    catalog = load(descriptors, quiet)
    report = drift(catalog, fmt, calls, aliases)
    emit_result("drift", format.value, report)
    if fail_on_undeclared and report.undeclared:
        raise typer.Exit(1)
