"""``depgraph analyze``: every analysis, one report, as text for people, Markdown or JSON.

The text and Markdown views rank rather than dump: headline counts, errors first, hard cycles
with the dependencies to cut, the single points of failure that take down the most, unowned
services and readiness per tribe. ``--format json`` is the full ``depgraph/analysis/v1``
document. Exit code 0 whatever is found: gating is ``depgraph check``'s job.
"""

from __future__ import annotations

from collections import Counter
from enum import Enum
from typing import Annotated

import typer

from depgraph.cli.kit import DescriptorsOption, emit, emit_json, load

TOP = 10  # rows per ranked section in text and Markdown
WARNINGS_SHOWN = 20


class AnalyzeFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)


def analyze(
    descriptors: DescriptorsOption = "descriptors",
    format: Annotated[AnalyzeFormat, typer.Option("--format", "-f", help="Output format.")] = AnalyzeFormat.text,
) -> None:
    """Run every analysis: cycles, single points of failure, ownership, readiness, startup order.

    Always exits 0 when the descriptors load; use `depgraph check` to gate CI on findings.

    Example: depgraph analyze -d descriptors --format markdown > analysis.md
    """
    from depgraph.analysis import analysis_to_json
    from depgraph.analysis import analyze as run_analysis
    from depgraph.progress import progress

    with progress() as shown:  # on a terminal only: 20,000 services take ~15 s
        with shown.stage("loading descriptors"):
            catalog = load(descriptors)
        with shown.stage("analysing"):
            result = run_analysis(catalog)
    if format is AnalyzeFormat.json:
        emit_json(analysis_to_json(result))
    elif format is AnalyzeFormat.markdown:
        from depgraph.reporters.markdown import render_analysis

        emit(render_analysis(result))
    else:
        emit(analysis_text(result))


# -- shared ranking ---------------------------------------------------------------------------


def headline(result) -> str:
    from depgraph.analysis import summary

    counts = summary(result)
    parts = [("services", "service"), ("clients", "client"), ("hosts", "host"),
             ("datacenters", "data center"), ("teams", "team"), ("dependencies", "dependency")]
    return ", ".join(plural(counts[key], word) for key, word in parts) + f" ({result.catalog.root})"


def plural(count: int, word: str) -> str:
    """``1 client``, ``2 clients``, ``3 dependencies``."""
    if count == 1:
        return f"1 {word}"
    return f"{count} {word[:-1]}ies" if word.endswith("y") else f"{count} {word}s"


def severity_line(result) -> str:
    return ", ".join(plural(result.count(s), s) if s != "info" else f"{result.count(s)} info"
                     for s in ("error", "warning", "info"))


def ranked_spofs(result) -> list:
    """SPOFs by services and clients down, then degraded, then id."""
    return sorted(result.spofs, key=lambda s: (-len(s.down), -s.degraded_count, s.component))


def ranked_warnings(result) -> list:
    """Warnings, those the SPOF section does not already show first."""
    warnings = [f for f in result.findings if f.severity == "warning"]
    return sorted(warnings, key=lambda f: (f.rule.startswith("spof-"), f.rule, f.subject))


def place(finding_or_breaker) -> str:
    file, line = finding_or_breaker.file, finding_or_breaker.line
    return f"{file}:{line}" if file and line else (file or "")


def tribe_rows(result) -> list[list[str]]:
    """Per tribe (and "(no tribe)"): services, count per level high to low, share at silver+."""
    rows = []
    for rollup in result.readiness_rollups["tribes"]:
        levels = dict(rollup.levels)
        ready = levels["silver"] + levels["gold"]
        share = f"{round(100 * ready / rollup.services)}%" if rollup.services else "-"
        rows.append([rollup.group or "(no tribe)", str(rollup.services), str(levels["gold"]),
                     str(levels["silver"]), str(levels["bronze"]), str(levels["none"]), share])
    return rows


TRIBE_HEADER = ["tribe", "services", "gold", "silver", "bronze", "none", "silver or better"]


# -- text ---------------------------------------------------------------------------------------


def analysis_text(result) -> str:
    """A ranked, readable summary for a terminal."""
    lines = [f"depgraph analysis: {headline(result)}", f"findings: {severity_line(result)}"]
    lines += _text_findings("Errors", [f for f in result.findings if f.severity == "error"], None)
    lines += _text_cycles(result)
    lines += _text_spofs(result)
    if result.unowned:
        lines += _section(f"Unowned services ({len(result.unowned)})")
        width = max(len(u.service) for u in result.unowned)
        lines += [f"  {u.service.ljust(width)}  {u.reason}" for u in result.unowned]
    lines += _section("Readiness per tribe")
    lines += _text_table(TRIBE_HEADER, tribe_rows(result))
    lines += _text_findings("Warnings", ranked_warnings(result), WARNINGS_SHOWN)
    info = Counter(f.rule for f in result.findings if f.severity == "info")
    if info:
        lines += _section(f"Info ({sum(info.values())})")
        lines.append("  " + ", ".join(f"{rule} {n}" for rule, n in sorted(info.items())))
    lines += ["", "Details: depgraph analyze --format json (or --format markdown)"]
    return "\n".join(lines)


def _section(title: str) -> list[str]:
    return ["", title, "-" * len(title)]


def _text_findings(title: str, findings: list, limit: int | None) -> list[str]:
    if not findings:
        return []
    lines = _section(f"{title} ({len(findings)})")
    if limit is not None and len(findings) > limit:
        per_rule = Counter(f.rule for f in findings)
        lines.append("  " + ", ".join(f"{rule} {n}" for rule, n in sorted(per_rule.items())))
    for finding in findings[:limit]:
        lines.append(f"  {finding.rule}  {finding.subject}  {place(finding)}".rstrip())
        lines.append(f"      {finding.message}")
    if limit is not None and len(findings) > limit:
        lines.append(f"  … and {len(findings) - limit} more")
    return lines


def _text_cycles(result) -> list[str]:
    lines = []
    for hard in (True, False):
        cycles = [c for c in result.cycles if c.hard is hard]
        if not cycles:
            continue
        lines += _section(f"{'Hard' if hard else 'Soft'} cycles ({len(cycles)})")
        for cycle in cycles:
            lines.append(f"  {' -> '.join(cycle.example)}  ({len(cycle.members)} members)")
            if cycle.cuts:
                lines.append("      cut or soften: " + "; ".join(
                    f"{b.describe()} ({place(b)})" for b in cycle.cuts))
    return lines


def _text_spofs(result) -> list[str]:
    if not result.spofs:
        return _section("Single points of failure: none")
    ranked = ranked_spofs(result)
    lines = _section(f"Single points of failure ({len(ranked)}; top {min(TOP, len(ranked))} by impact)")
    rows = [[str(len(s.down)), str(s.degraded_count), s.component] for s in ranked[:TOP]]
    return lines + _text_table(["down", "degraded", "component"], rows)


def _text_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Columns padded to width; numbers (and percentages) right-aligned."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    numeric = [all(r[i].rstrip("%").isdigit() or r[i] == "-" for r in rows) for i in range(len(header))]
    return ["  " + "  ".join(c.rjust(w) if num else c.ljust(w)
                             for c, w, num in zip(row, widths, numeric)).rstrip()
            for row in [header, *rows]]
