"""``depgraph check``: the CI gate. Exit 1 when a new finding blocks, 0 otherwise, 2 on bad input.

The work is :func:`depgraph.gate.check.run_check`; each format is a reporter reading the
:class:`~depgraph.gate.check.CheckResult`. Descriptors or a policy that do not load still give
a result in the asked format (each error at its file and line) and exit 2.
"""

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.cli.kit import (
    DescriptorsOption, QuietOption, emit_result, open_cache, print_diagnostics, print_load_warnings, state, warn,
)


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"
    markdown = "markdown"
    gitlab = "gitlab"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def check(
    descriptors: DescriptorsOption = "descriptors",
    policy: Annotated[Optional[Path], typer.Option(
        help="Policy file (default: depgraph.yaml at the root of the descriptors, if any).")] = None,
    baseline: Annotated[Optional[Path], typer.Option(
        help="Baseline file: the findings in it pass; entries matching nothing are reported stale.")] = None,
    write_baseline: Annotated[Optional[Path], typer.Option(
        help="Record the current findings in this baseline file (with --baseline: only prune it).")] = None,
    base: Annotated[Optional[str], typer.Option(
        metavar="GITREF", help="Block only findings that are new relative to the descriptors at this git ref "
        "(REF... means the merge base of REF and HEAD).")] = None,
    fail_on: Annotated[FailOn, typer.Option(help="Lowest severity of a new finding that fails the check.")]
    = FailOn.error,
    format: Annotated[CheckFormat, typer.Option(
        "--format", "-f", metavar="FORMAT",
        help=f"Output format: {', '.join(f.value for f in CheckFormat)}.")] = CheckFormat.text,
    cache_dir: Annotated[Optional[Path], typer.Option(
        envvar="DEPGRAPH_CACHE_DIR", help="Where --base keeps analyses of base trees (default ~/.cache/depgraph).")]
    = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the --base cache.")] = False,
    quiet: QuietOption = False,
) -> None:
    """Gate CI on findings: exit 1 when a finding that is not in the baseline and not at --base blocks.

    Example: depgraph check --base origin/main --format sarif > depgraph.sarif
    """
    from depgraph.gate.check import CheckOptions, gate
    from depgraph.gate.checkbase import CACHE_ENTRIES_KEPT, CACHE_KIND
    from depgraph.cli.progress import progress

    options = CheckOptions(
        descriptors=str(descriptors), policy=str(policy) if policy else None,
        baseline=str(baseline) if baseline else None,
        write_baseline=str(write_baseline) if write_baseline else None, base=base,
        fail_on=fail_on.value, limits=state.limits,
        cache=None if no_cache or not base else open_cache(CACHE_KIND, descriptors, cache_dir, CACHE_ENTRIES_KEPT),
    )
    text = format is CheckFormat.text
    with progress(machine_readable=format is CheckFormat.json, quiet=quiet) as shown:
        with shown.stage("checking" + (f" against {base}" if base else "")):
            result, catalog, error = gate(options)
    if error is not None:
        print_diagnostics(error.diagnostics)
    elif text:
        print_load_warnings(catalog.diagnostics, descriptors, quiet)
    if error is None or not text:
        emit_result("check", format.value, result)
    if error is not None:
        warn(f"depgraph: error: {error}")
    raise typer.Exit(result.exit_code)
