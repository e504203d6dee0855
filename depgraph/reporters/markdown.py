"""The analysis as GitHub-flavoured Markdown for pull requests: ``render_analysis(analysis)``.

Sections: the summary table, findings per severity (info folded away), cycles with the
dependencies to cut, the top single points of failure, unowned services, readiness per tribe,
and a Mermaid diagram of the services when the landscape is small (of the teams when it is not,
none when even that is too big). Long lists are cut to keep the page under GitHub's comment size
(65,536 characters); ``report.json`` has everything.

Every piece of user text goes through :func:`text` (Markdown punctuation, pipes and HTML tags
escaped, mentions and autolinks defused), :func:`code` (a code span that no backtick can close)
— both from :mod:`depgraph.output.escape` — or :func:`mermaid_label`. Orders and counts
are the Report's.
"""

from __future__ import annotations

from depgraph.output.escape import markdown_code, markdown_text
from depgraph.reporters.mermaid import mermaid_block

ROWS = {"error": 50, "warning": 50, "info": 30}
TOP_SPOFS = 10
MAX_CYCLES = 20
MAX_UNOWNED = 50
MAX_TRIBES = 60

text = markdown_text
code = markdown_code


def message_with_cause(finding) -> str:
    """A finding's message, then why it holds, as one table cell."""
    if finding.cause is None:
        return text(finding.message)
    return f"{text(finding.message)}<br>*Why:* {text(finding.cause.text)}"


def table(header: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    """A GitHub table; cells must already be escaped. ``align`` has one char per column:
    ``r`` for right-aligned (numbers), anything else left."""
    marks = ["---:" if align[i:i + 1] == "r" else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def render_analysis(analysis) -> str:
    """The whole Markdown report for ``analysis`` (a :class:`~depgraph.analysis.Report`)."""
    sections = [
        _summary(analysis),
        _findings(analysis),
        _cycles(analysis),
        _spofs(analysis),
        _unowned(analysis),
        _readiness(analysis),
        _diagram(analysis),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _summary(analysis) -> str:
    counts = analysis.counts
    severities = counts["findings_by_severity"]
    header = ["services", "clients", "hosts", "data centers", "teams", "dependencies",
              "errors", "warnings", "info"]
    row = [str(counts[k]) for k in ("services", "clients", "hosts", "datacenters", "teams",
                                   "dependencies")]
    row += [str(severities[s]) for s in ("error", "warning", "info")]
    verdict = _verdict(counts)
    lines = ["# depgraph report", "", f"Descriptors: {code(analysis.catalog.root)}", "",
             *table(header, [row], "r" * len(header)), "", verdict]
    return "\n".join(lines)


def _verdict(counts: dict) -> str:
    """``**6 errors**: 1 hard-cycle, 3 spof-infrastructure, 2 unowned.``: the parts add up."""
    errors = counts["findings_by_severity"]["error"]
    if not errors:
        return "**No errors.**"
    parts = [f"{n} {text(rule)}" for rule, n in counts["findings_by_rule"]["error"].items()]
    return f"**{errors} error{_s(errors)}**: {', '.join(parts)}."


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _findings(analysis) -> str:
    blocks = []
    for severity, title in (("error", "Errors"), ("warning", "Warnings"), ("info", "Info")):
        findings = analysis.of_severity(severity)
        if not findings:
            continue
        limit = ROWS[severity]
        rows = [[text(f.rule), code(f.subject), _place(f), message_with_cause(f)] for f in findings[:limit]]
        lines = table(["rule", "subject", "where", "message"], rows)
        if len(findings) > limit:
            lines += ["", f"… and {len(findings) - limit} more in `report.json`."]
        heading = f"{title} ({len(findings)})"
        if severity == "info":
            blocks.append("\n".join([f"<details><summary>{heading}</summary>", "", *lines, "",
                                     "</details>"]))
        else:
            blocks.append("\n".join([f"## {heading}", "", *lines]))
    return "\n\n".join(blocks)


def _place(finding) -> str:
    if not finding.file:
        return ""
    return code(f"{finding.file}:{finding.line}" if finding.line else finding.file)


def _cycles(analysis) -> str:
    if not analysis.cycles:
        return ""
    cycles = analysis.cycles
    rows = []
    for cycle in cycles[:MAX_CYCLES]:
        cuts = "<br>".join(code(cut.describe()) for cut in cycle.cuts)
        rows.append(["hard" if cycle.hard else "soft", " → ".join(code(n) for n in cycle.example),
                     str(len(cycle.members)), cuts or "—"])
    lines = [f"## Cycles ({len(cycles)})", "",
             "A hard cycle cannot start cold and one failure takes the ring down; cut or soften "
             "one of the named dependencies to break it.", ""]
    lines += table(["kind", "example", "members", "cut or soften"], rows, "  r")
    if len(cycles) > MAX_CYCLES:
        lines += ["", f"… and {len(cycles) - MAX_CYCLES} more in `report.json`."]
    return "\n".join(lines)


def _spofs(analysis) -> str:
    ranked = analysis.spofs
    if not ranked:
        return "## Single points of failure\n\nNone: no single component takes a service down."
    shown = ranked[:TOP_SPOFS]
    rows = [[code(s.component), str(s.tier1_down), str(s.clients_down), str(s.down_count),
             str(s.degraded_count)] for s in shown]
    lines = [f"## Single points of failure ({len(ranked)})", "",
             f"The {len(shown)} that take down the most, tier-1 services and clients first:", ""]
    lines += table(["component", "tier-1 down", "clients down", "down", "degraded"], rows, " rrrr")
    return "\n".join(lines)


def _unowned(analysis) -> str:
    if not analysis.unowned:
        return ""
    services = analysis.catalog.services
    rows = []
    for item in analysis.unowned[:MAX_UNOWNED]:
        owner = services[item.service.partition(":")[2]].owner
        reason = "no owner" if item.reason == "missing" else f"owner {code(owner)} is no declared team"
        rows.append([code(item.service), reason])
    lines = [f"## Unowned services ({len(analysis.unowned)})", "", *table(["service", "reason"], rows)]
    if len(analysis.unowned) > MAX_UNOWNED:
        lines += ["", f"… and {len(analysis.unowned) - MAX_UNOWNED} more in `report.json`."]
    return "\n".join(lines)


def _readiness(analysis) -> str:
    rollups = analysis.readiness_rollups.get("tribes", [])
    if not rollups:
        return ""
    rows = []
    for rollup in rollups[:MAX_TRIBES]:
        levels = dict(rollup.levels)
        ready = levels["silver"] + levels["gold"]
        share = f"{round(100 * ready / rollup.services)}%" if rollup.services else "—"
        name = code(rollup.group.partition(":")[2]) if rollup.group else "(no tribe)"
        rows.append([name, str(rollup.services), *(str(levels[lv]) for lv in ("gold", "silver", "bronze", "none")),
                     share])
    lines = ["## Readiness per tribe", "",
             *table(["tribe", "services", "gold", "silver", "bronze", "none", "silver or better"],
                    rows, " rrrrrr")]
    if len(rollups) > MAX_TRIBES:
        lines += ["", f"… and {len(rollups) - MAX_TRIBES} more tribes in `report.json`."]
    return "\n".join(lines)


def _diagram(analysis) -> str:
    block = mermaid_block(analysis)
    if block is None:
        return ""
    title, body = block
    return "\n".join([f"## {title}", "", body])
