"""``depgraph analyze``: every analysis, one ranked report, as text, Markdown or JSON.

Exit code 0 whatever is found: gating is ``depgraph check``'s job.
"""

from enum import Enum
from typing import Annotated

import typer

from depgraph.cli.kit import DescriptorsOption, QuietOption, emit_result, load
from depgraph.reporters.jsondoc import DOWN_LIMIT


class AnalyzeFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)


def analyze(
    descriptors: DescriptorsOption = "descriptors",
    format: Annotated[AnalyzeFormat, typer.Option("--format", "-f", help="Output format.")] = AnalyzeFormat.text,
    down_limit: Annotated[int, typer.Option(
        "--down-limit", min=0, metavar="N",
        help="List at most N ids in each SPOF's `down` in JSON (down_count counts them all; "
             "0: every id; `depgraph blast-radius ID` lists any one).")] = DOWN_LIMIT,
    quiet: QuietOption = False,
) -> None:
    """Run every analysis: cycles, single points of failure, ownership, readiness, startup order.

    Always exits 0 when the descriptors load; use `depgraph check` to gate CI on findings.

    Example: depgraph analyze -d descriptors --format markdown > analysis.md
    """
    from depgraph.analysis import analyze as run_analysis
    from depgraph.cli.progress import progress

    with progress(machine_readable=format is AnalyzeFormat.json, quiet=quiet) as shown:
        with shown.stage("loading descriptors"):
            catalog = load(descriptors, quiet)
        with shown.stage("analysing"):
            report = run_analysis(catalog)
    emit_result("analysis", format.value, report, down_limit=down_limit)
