"""``depgraph report -o DIR``: the report folder (index.html, report.md, report.json, diagrams)."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.cli.kit import DescriptorsOption, QuietOption, emit, load, state, warn


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    descriptors: DescriptorsOption = "descriptors",
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the report into.",
                                         show_default=True)] = Path("output"),
    observed: Annotated[Optional[list[Path]], typer.Option(
        "--observed", help="Observed calls, as for drift (repeatable): the page marks the undeclared "
        "ones on each caller's panel.")] = None,
    alias: Annotated[Optional[list[str]], typer.Option(
        "--alias", help="With --observed: OBSERVED=SERVICE, as for drift (repeatable).")] = None,
    alias_file: Annotated[Optional[Path], typer.Option(
        "--alias-file", help="With --observed: a mapping of observed names to services, as for drift.")] = None,
    quiet: QuietOption = False,
) -> None:
    """Write a report folder: index.html (one self-contained page that works offline: findings,
    cycles, single points of failure, data centers, readiness, and a search that shows any
    service's owner and blast radius), report.md for pull requests, report.json and diagrams.

    Example: depgraph report -d descriptors -o output
    """
    from depgraph.analysis import analyze
    from depgraph.cli.progress import progress
    from depgraph.cli.report_folder import refuse_inside, write_report

    refuse_inside(output, descriptors)
    compare = _observed(observed, alias or [], alias_file) if observed else None
    with progress(quiet=quiet) as shown:
        with shown.stage("loading descriptors"):
            catalog = load(descriptors, quiet)
        with shown.stage("analysing"):
            analysis = analyze(catalog, for_page=True)
        drift = compare(catalog) if compare else None
        outcome = write_report(analysis, output, descriptors, shown, drift=drift)
    for notice in outcome.notices if not quiet else ():
        warn(f"depgraph: note: {notice}")
    diagrams = sum(1 for path in outcome.files if path.parent.name == "diagrams")
    emit(f"Report written to {output}/: index.html, report.md, report.json"
         + (f" and {diagrams} diagram files" if diagrams else ""))


def _observed(files: list[Path], alias: list[str], alias_file: Path | None):
    """Read the observed calls (and aliases) now, before the long work; compare them later."""
    from depgraph.importers.drift import drift, read_aliases
    from depgraph.importers.observed import read_all

    aliases = read_aliases(alias, alias_file, state.limits.max_file_bytes)
    fmt, calls = read_all(files, state.limits.max_file_bytes)
    return lambda catalog: drift(catalog, fmt, calls, aliases)
