"""``depgraph check``: the CI gate. Exit 1 when a new finding blocks, 0 otherwise, 2 on bad input.

The work is :func:`depgraph.gate.check.run_check`; each format is one reporter function reading the
:class:`~depgraph.gate.check.CheckResult` (text here, the others in ``depgraph/reporters/``).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.cli.kit import DescriptorsOption, emit, emit_json, fail, load, open_cache, print_diagnostics, state
from depgraph.diagnostics import DepgraphError, DescriptorError


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"
    markdown = "markdown"


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
    format: Annotated[CheckFormat, typer.Option("--format", "-f", help="Output format.")] = CheckFormat.text,
    cache_dir: Annotated[Optional[Path], typer.Option(
        envvar="DEPGRAPH_CACHE_DIR", help="Where --base keeps analyses of base trees (default ~/.cache/depgraph).")]
    = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the --base cache.")] = False,
) -> None:
    """Gate CI on findings: exit 1 when a finding that is not in the baseline and not at --base blocks.

    Example: depgraph check --base origin/main --format sarif > depgraph.sarif
    """
    from depgraph.gate.check import CheckOptions, run_check
    from depgraph.gate.checkbase import CACHE_ENTRIES_KEPT, CACHE_KIND
    from depgraph.progress import progress

    with progress() as shown:  # on a terminal only (and never with --format json)
        with shown.stage("loading descriptors"):
            catalog = load(descriptors, quiet_warnings=format is not CheckFormat.text)
        options = CheckOptions(
            descriptors=str(descriptors), policy=str(policy) if policy else None,
            baseline=str(baseline) if baseline else None,
            write_baseline=str(write_baseline) if write_baseline else None, base=base,
            fail_on=fail_on.value, limits=state.limits,
            cache=None if no_cache or not base else open_cache(CACHE_KIND, descriptors, cache_dir, CACHE_ENTRIES_KEPT),
        )
        try:
            with shown.stage("checking" + (f" against {base}" if base else "")):
                result = run_check(catalog, options)
        except DescriptorError as exc:
            print_diagnostics(exc.diagnostics)
            fail(f"{len(exc.errors)} error(s) in the policy; fix them and run again")
        except DepgraphError as exc:
            fail(str(exc))
    result.repo_root = _repo_root(descriptors)
    _print(result, format)
    raise typer.Exit(result.exit_code)


def _repo_root(descriptors: Path) -> str | None:
    from depgraph.load.gitsource import GitError, locate

    try:
        return locate(descriptors)[0].top
    except GitError:
        return None


def _print(result, format: CheckFormat) -> None:
    if format is CheckFormat.json:
        from depgraph.gate.check import check_to_json

        emit_json(check_to_json(result))
    elif format is CheckFormat.sarif:
        from depgraph.reporters.sarif import render_sarif

        emit_json(render_sarif(result))
    elif format is CheckFormat.junit:
        from depgraph.reporters.junit import render_junit

        emit(render_junit(result).rstrip("\n"))
    elif format is CheckFormat.github:
        from depgraph.reporters.github import render_github

        emit(render_github(result))
    elif format is CheckFormat.markdown:
        from depgraph.reporters.github import render_markdown

        emit(render_markdown(result).rstrip("\n"))
    else:
        emit(check_text(result))


def check_text(result) -> str:
    """The verdict first, then new findings (blocking first), stale entries, and counts."""
    from depgraph.reporters.github import summary_line

    lines = [summary_line(result)]
    if result.base:
        lines.append(f"base: {result.base.ref} ({result.base.commit[:12]}, {result.base.status})")
    lines += [f"note: {note}" for note in result.notes]
    blocking = result.blocking
    for title, findings in (("New and blocking", blocking),
                            ("New, not blocking", [f for f in result.new if not result.blocks(f)])):
        if findings:
            lines += ["", f"{title} ({len(findings)})"]
            for f in findings:
                place = f"{f.file}:{f.line}" if f.file and f.line else (f.file or "-")
                lines += [f"  {place}: {f.severity}: {f.rule}: {f.subject}", f"      {f.message}"]
    if result.stale:
        lines += ["", f"Stale baseline entries ({len(result.stale)}): fixed, remove them from {result.baseline_path}"]
        lines += [f"  {e.fingerprint}  {e.rule}  {e.subject}" for e in result.stale]
    if result.existing or result.excepted:
        by_base = sum(1 for _, why in result.existing if why == "base")
        lines += ["", f"Old news, not blocking: {len(result.existing) - by_base} in the baseline, {by_base} "
                  f"at the base ref, {len(result.excepted)} let through by policy exceptions"]
    return "\n".join(lines)
