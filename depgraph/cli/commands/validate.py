"""``depgraph validate``: load and check the descriptors, and summarise what they hold."""

from __future__ import annotations

from collections import Counter
from enum import Enum
from typing import Annotated

import typer

from depgraph.cli.kit import DescriptorsOption, emit, emit_json, print_diagnostics, state
from depgraph.diagnostics import DescriptorError
from depgraph.model import Catalog


class ValidateFormat(str, Enum):
    text = "text"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)


def validate(
    descriptors: DescriptorsOption = "descriptors",
    format: Annotated[ValidateFormat, typer.Option("--format", "-f", help="Output format.")] = ValidateFormat.text,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only problems, no summary.")] = False,
) -> None:
    """Load and check every descriptor; print every problem as FILE:LINE:COL: error: MESSAGE.

    Exits 2 when any error is found (warnings do not fail validation).

    Example: depgraph validate -d descriptors
    """
    from depgraph.load.loader import load_catalog
    from depgraph.progress import progress

    try:
        with progress() as shown, shown.stage("loading descriptors"):  # on a terminal only
            catalog = load_catalog(descriptors, state.limits)
        diagnostics, valid = catalog.diagnostics, True
    except DescriptorError as exc:
        catalog, diagnostics, valid = None, exc.diagnostics, False
    if format is ValidateFormat.json:
        emit_json(diagnostics_json(diagnostics, valid))
    else:
        print_diagnostics(diagnostics, err=False)
        errors = sum(1 for d in diagnostics if d.severity == "error")
        warnings = len(diagnostics) - errors
        if not valid:
            emit(f"{descriptors}: {errors} error(s), {warnings} warning(s)")
        elif not quiet:
            emit(summary_text(catalog, warnings))
    if not valid:
        raise typer.Exit(2)


def diagnostics_json(diagnostics, valid: bool) -> dict:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    return {
        "schema": "depgraph/diagnostics/v1",
        "valid": valid,
        "errors": errors,
        "warnings": len(diagnostics) - errors,
        "diagnostics": [d.to_json() for d in diagnostics],
    }


def summary_text(catalog: Catalog, warnings: int) -> str:
    """A short overview: counts, and services per data center, tribe and team."""
    lines = [
        f"OK: {len(catalog.files)} files, {len(catalog.services)} services, {len(catalog.clients)} clients, "
        f"{len(catalog.hosts)} hosts, {len(catalog.datacenters)} data centers, {len(catalog.teams)} teams"
        + (f", {warnings} warning(s)" if warnings else ""),
    ]
    per_dc: Counter = Counter()
    for service in catalog.services.values():
        for dc in {d.datacenter for d in service.deployments}:
            per_dc[dc] += 1
    per_team = Counter(s.owner or "(no owner)" for s in catalog.services.values())
    per_tribe: Counter = Counter()
    for team, count in per_team.items():
        known = catalog.teams.get(team)
        per_tribe[(known.tribe or "(no tribe)") if known else "(unknown team)"] += count
    lines += _table("Services per data center", per_dc, {dc: 0 for dc in catalog.datacenters})
    lines += _table("Services per tribe", per_tribe)
    lines += _table("Services per team", per_team)
    return "\n".join(lines)


def _table(title: str, counts: Counter, zeros: dict | None = None) -> list[str]:
    merged = dict(zeros or {})
    merged.update(counts)
    rows = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
    width = max((len(k) for k, _ in rows), default=0)
    return ["", f"{title}:"] + [f"  {name.ljust(width)}  {count:>5}" for name, count in rows]
