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
    with progress(quiet=quiet) as shown:
        if observed:
            from depgraph.importers.observed import read_all

            with shown.stage("reading observed calls"):
                fmt, calls = read_all(observed, state.limits.max_file_bytes)
        with shown.stage("loading descriptors"):
            catalog = load(descriptors, quiet)
        with shown.stage("analysing"):
            analysis = analyze(catalog, for_page=True)
        drift = None
        if observed:
            from depgraph.importers.drift import drift as compare

            drift = compare(catalog, fmt, calls)
        outcome = write_report(analysis, output, descriptors, shown, drift=drift)
    for notice in outcome.notices if not quiet else ():
        warn(f"depgraph: note: {notice}")
    diagrams = sum(1 for path in outcome.files if path.parent.name == "diagrams")
    emit(f"Report written to {output}/: index.html, report.md, report.json"
         + (f" and {diagrams} diagram files" if diagrams else ""))
