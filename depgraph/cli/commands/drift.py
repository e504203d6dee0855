"""``depgraph drift --observed FILE``: declared dependencies against observed tracing links."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.cli.kit import DescriptorsOption, emit, emit_json, fail, load, state


class DriftFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def register(app: typer.Typer) -> None:
    app.command("drift")(drift_command)


def drift_command(
    observed: Annotated[Path, typer.Option("--observed", help="Jaeger or Zipkin dependency links (JSON).")],
    descriptors: DescriptorsOption = "descriptors",
    format: Annotated[DriftFormat, typer.Option("--format", help="Output format.")] = DriftFormat.text,
    alias: Annotated[Optional[list[str]], typer.Option(
        "--alias", help="OBSERVED=SERVICE: map a traced name to a service (repeatable).")] = None,
    alias_file: Annotated[Optional[Path], typer.Option(
        "--alias-file", help="YAML/JSON mapping of observed names to services.")] = None,
    fail_on_undeclared: Annotated[bool, typer.Option(
        "--fail-on-undeclared", help="Exit 1 when calls without a declared dependency were observed.")] = False,
) -> None:
    """Compare declared dependencies with calls seen by tracing: undeclared calls, declared
    dependencies never observed, and observed names that match no service.

    Example: depgraph drift --observed jaeger-deps.json --alias frontend-web=frontend
    """
    from depgraph.importers.drift import drift, drift_markdown, drift_text
    from depgraph.importers.observed import read_observed

    aliases = _aliases(alias or [], alias_file)
    catalog = load(descriptors, quiet_warnings=True)
    fmt, calls = read_observed(observed, state.limits.max_file_bytes)
    report = drift(catalog, fmt, calls, aliases)
    if format is DriftFormat.json:
        emit_json(report.to_json())
    elif format is DriftFormat.markdown:
        emit(drift_markdown(report))
    else:
        emit(drift_text(report))
    if fail_on_undeclared and report.undeclared:
        raise typer.Exit(1)


def _aliases(pairs: list[str], alias_file: Path | None) -> dict[str, str]:
    from depgraph.importers.sourcefiles import SourceError, load_json, load_yaml_documents
    from depgraph.load.bounded import InputError, load_text_bounded

    aliases: dict[str, str] = {}
    if alias_file is not None:
        try:
            text = load_text_bounded(alias_file, state.limits.max_file_bytes, "alias file")
            json_file = alias_file.suffix.lower() == ".json"
            docs = [load_json(alias_file, text)] if json_file else load_yaml_documents(alias_file, text)
        except (InputError, SourceError) as exc:
            fail(str(exc))
        doc = docs[0] if docs else {}
        doc = doc.get("aliases", doc) if isinstance(doc, dict) else doc
        if not isinstance(doc, dict):
            fail(f"{alias_file}: expected a mapping of observed names to services")
        aliases.update({str(k): str(v) for k, v in doc.items()})
    for pair in pairs:
        name, sep, target = pair.partition("=")
        if not sep or not name or not target:
            fail(f"bad --alias '{pair}': write OBSERVED=SERVICE")
        aliases[name] = target
    return aliases
