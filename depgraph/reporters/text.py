"""Terminal text for people, one function per result kind, each ``(result) -> str``.

The text ranks rather than dumps: headline counts first, then what to act on, in the Report's
order. Every value that comes from outside goes through :func:`~depgraph.output.escape.terminal`
(``t``), so no description, owner or file name can start a line or send an escape sequence.
"""

from __future__ import annotations

import textwrap
from collections import Counter

from depgraph.analyses.paths import SEARCH_STATES
from depgraph.output.words import plural
from depgraph.output.escape import terminal as t

TOP = 10  # rows per ranked section
WARNINGS_SHOWN = 20
#: services listed under "Blast radius changed" (as Markdown lists each section): cutting one
#: edge of a hard ring changes every member's blast radius
RADIUS_SHOWN = 100
TRIBE_HEADER = ["tribe", "services", "gold", "silver", "bronze", "none", "silver or better"]


def place(item) -> str:
    """``FILE:LINE`` of a finding or cut (just the file without a line, "" without a file)."""
    file, line = item.file, item.line
    return t(f"{file}:{line}" if file and line else (file or ""))


def section(title: str) -> list[str]:
    return ["", title, "-" * len(title)]


def columns(header: list[str], rows: list[list[str]]) -> list[str]:
    """Columns padded to width; numbers (and percentages) right-aligned."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    numeric = [all(r[i].rstrip("%").replace(",", "").isdigit() or r[i] == "-" for r in rows)
               for i in range(len(header))]
    return ["  " + "  ".join(c.rjust(w) if num else c.ljust(w)
                             for c, w, num in zip(row, widths, numeric)).rstrip()
            for row in [header, *rows]]


# -- analyze -------------------------------------------------------------------------------------


def headline(report) -> str:
    """``54 services, 7 clients, … (ROOT)``."""
    counts = report.counts
    parts = [("services", "service"), ("clients", "client"), ("hosts", "host"),
             ("datacenters", "data center"), ("teams", "team"), ("dependencies", "dependency")]
    return ", ".join(plural(counts[key], word) for key, word in parts) + f" ({t(report.catalog.root)})"


def severity_line(report) -> str:
    """``6 errors (1 hard-cycle, 3 spof-infrastructure, 2 unowned), 20 warnings, 7 info``: the
    parts add up to the whole."""
    counts, by_rule = report.counts["findings_by_severity"], report.counts["findings_by_rule"]
    parts = []
    for severity in ("error", "warning", "info"):
        word = f"{counts[severity]} info" if severity == "info" else plural(counts[severity], severity)
        if severity == "error" and counts[severity]:
            word += " (" + ", ".join(f"{n} {rule}" for rule, n in by_rule["error"].items()) + ")"
        parts.append(word)
    return ", ".join(parts)


def tribe_rows(report) -> list[list[str]]:
    """Per tribe (and "(no tribe)"): services, count per level high to low, share at silver+."""
    rows = []
    for rollup in report.readiness_rollups["tribes"]:
        levels = dict(rollup.levels)
        ready = levels["silver"] + levels["gold"]
        share = f"{round(100 * ready / rollup.services)}%" if rollup.services else "-"
        name = rollup.group.partition(":")[2] if rollup.group else "(no tribe)"
        rows.append([t(name), str(rollup.services), str(levels["gold"]), str(levels["silver"]),
                     str(levels["bronze"]), str(levels["none"]), share])
    return rows


def analysis_text(report) -> str:
    """A ranked, readable summary of the whole analysis for a terminal."""
    lines = [f"depgraph analysis: {headline(report)}", f"findings: {severity_line(report)}"]
    lines += _findings("Errors", report.of_severity("error"), None)
    lines += _cycles(report)
    lines += _spofs(report)
    if report.unowned:
        lines += section(f"Unowned services ({len(report.unowned)})")
        width = max(len(u.service) for u in report.unowned)
        lines += [f"  {u.service.ljust(width)}  {u.reason}" for u in report.unowned]
    lines += section("Readiness per tribe")
    lines += columns(TRIBE_HEADER, tribe_rows(report))
    lines += _findings("Warnings", report.of_severity("warning"), WARNINGS_SHOWN)
    info = report.counts["findings_by_rule"]["info"]
    if info:
        lines += section(f"Info ({sum(info.values())})")
        lines.append("  " + ", ".join(f"{rule} {n}" for rule, n in info.items()))
    lines += ["", "Details: depgraph analyze --format json (or --format markdown)"]
    return "\n".join(lines)


def _findings(title: str, findings: list, limit: int | None) -> list[str]:
    if not findings:
        return []
    lines = section(f"{title} ({len(findings)})")
    if limit is not None and len(findings) > limit:
        per_rule = Counter(f.rule for f in findings)
        lines.append("  " + ", ".join(f"{rule} {n}" for rule, n in sorted(per_rule.items())))
    for finding in findings[:limit]:
        lines.append(f"  {t(finding.rule)}  {t(finding.subject)}  {place(finding)}".rstrip())
        lines.append(f"      {t(finding.message)}")
        if finding.cause:
            lines.append(f"      why: {t(finding.cause.text)}")
    if limit is not None and len(findings) > limit:
        lines.append(f"  … and {len(findings) - limit} more")
    return lines


def _cycles(report) -> list[str]:
    lines = []
    for hard in (True, False):
        cycles = [c for c in report.cycles if c.hard is hard]
        if not cycles:
            continue
        lines += section(f"{'Hard' if hard else 'Soft'} cycles ({len(cycles)})")
        for cycle in cycles:
            lines.append(f"  {' -> '.join(cycle.example)}  ({len(cycle.members)} members)")
            if cycle.cuts:
                lines.append("      cut or soften: " + "; ".join(
                    f"{cut.describe()} ({place(cut)})" for cut in cycle.cuts))
    return lines


def _spofs(report) -> list[str]:
    if not report.spofs:
        return section("Single points of failure: none")
    ranked = report.spofs
    lines = section(f"Single points of failure ({len(ranked)}; top {min(TOP, len(ranked))}: "
                    "tier 1 and clients first, then most down)")
    rows = [[str(s.tier1_down), str(s.clients_down), str(s.down_count), str(s.degraded_count), s.component]
            for s in ranked[:TOP]]
    return lines + columns(["tier-1 down", "clients down", "down", "degraded", "component"], rows)


# -- check ---------------------------------------------------------------------------------------


def check_summary(result) -> str:
    """One sentence: the verdict and the counts."""
    if result.invalid:
        return f"depgraph check could not run: {t(result.notes[0]) if result.notes else 'invalid input'}"
    blocking = len(result.blocking)
    verdict = (f"FAILED: {blocking} new blocking finding{'s' if blocking != 1 else ''}" if blocking
               else "passed: no new blocking findings")
    return (f"depgraph check {verdict} (fail on {result.fail_on}; {len(result.new)} new, "
            f"{len(result.existing)} existing, {len(result.excepted)} excepted, {len(result.stale)} stale "
            "baseline entries)")


def check_text(result) -> str:
    """The verdict first, then new findings (blocking first), stale entries, and counts."""
    lines = [check_summary(result)]
    if result.base:
        lines.append(f"base: {t(result.base.ref)} ({result.base.commit[:12]}, {result.base.status})")
    lines += [f"note: {t(note)}" for note in result.notes[1 if result.invalid else 0:]]
    for title, findings in (("New and blocking", result.blocking),
                            ("New, not blocking", [f for f in result.new if not result.blocks(f)])):
        if findings:
            lines += ["", f"{title} ({len(findings)})"]
            for f in findings:
                where = place(f) or "-"
                lines += [f"  {where}: {f.severity}: {t(f.rule)}: {t(f.subject)}", f"      {t(f.message)}"]
                if f.cause:
                    lines.append(f"      why: {t(f.cause.text)}")
    if result.stale:
        lines += ["", f"Stale baseline entries ({len(result.stale)}): fixed, remove them from "
                  f"{t(result.baseline_path)}"]
        lines += [f"  {t(e.fingerprint)}  {t(e.rule)}  {t(e.subject)}" for e in result.stale]
    if result.existing or result.excepted:
        by_base = sum(1 for _, why in result.existing if why == "base")
        lines += ["", f"Old news, not blocking: {len(result.existing) - by_base} in the baseline, {by_base} "
                  f"at the base ref, {len(result.excepted)} let through by policy exceptions"]
    return "\n".join(lines)


# -- diff, path, startup-order, validate ---------------------------------------------------


def diff_text(change) -> str:
    """Each kind of change with its count, one line per change."""
    from depgraph.gate.diff import sections

    lines = [f"depgraph diff: {t(change.old_label)} -> {t(change.new_label)}"]
    if change.diff.empty:
        return lines[0] + "\nno architectural change"
    for title, items, show in sections(change.diff):
        if items:
            shown = items[:RADIUS_SHOWN] if items is change.diff.radius else items
            lines += ["", f"{title} ({len(items)})"] + [f"  {t(show(item))}" for item in shown]
            if len(shown) < len(items):
                lines.append(f"  … and {len(items) - len(shown)} more (--format json lists them all)")
    return "\n".join(lines)


def paths_text(found) -> str:
    """``FROM -hard-> X -soft-> TO`` lines, one per path, with where each step is declared."""
    start, end, paths = found.start, found.end, found.paths
    stopped = ("" if getattr(found, "complete", True) else
               f"\n\nThe search stopped at its limit of {SEARCH_STATES:,} partial paths: "
               "there may be more paths of these lengths or longer ones.")
    if not paths:
        if stopped:
            return f"No path from {start} to {end} found within the search limit." + stopped
        return f"{start} does not depend on {end}, directly or transitively."
    count = (f"the {len(paths)} shortest paths (--limit for more)" if len(paths) == found.limit
             else f"{plural(len(paths), 'path')}, shortest first")
    lines = [f"{start} depends on {end} through {count}:"]
    for number, path in enumerate(paths, 1):
        kind = "hard all the way" if path.hard else "has a soft step"
        lines.append(f"\n{number}. {plural(len(path.steps), 'hop')}, {kind}")
        for step in path.steps:
            where = f"  ({t(step.file)}:{step.line})" if step.file else ""
            lines.append(f"   {step.source} -{step.type}-> {step.target}{where}")
    return "\n".join(lines) + stopped


def _cut_text(cut: dict) -> str:
    """``service:a -> service:b (file:line)`` of a cut as JSON (an ``any_of`` as its group)."""
    target = f"any_of [{', '.join(cut['any_of'])}]" if "any_of" in cut else cut["target"]
    where = f" ({cut['file']}:{cut['line']})" if cut.get("file") else ""
    return t(f"{cut['source']} -> {target}{where}")


def startup_text(order) -> str:
    """Waves, one paragraph each, then the blocked services with their reasons."""
    started = sum(len(wave) for wave in order.waves)
    lines = [f"Cold start: {started} services in {len(order.waves)} waves"
             + (f", {len(order.blocked)} never start" if order.blocked else "")]
    for number, wave in enumerate(order.waves):
        lines.append("")
        lines += textwrap.wrap(", ".join(wave), width=100,
                               initial_indent=f"wave {number} ({len(wave)}): ",
                               subsequent_indent="    ", break_on_hyphens=False)
    if order.blocked:
        cuts = "; ".join(_cut_text(cut) for cut in order.cuts) or "a hard dependency of a hard cycle"
        lines += ["", f"BLOCKED ({len(order.blocked)}): to start them, cut or soften {cuts}"]
        lines += [f"  {t(service)}: {t(order.reasons[service])}" for service in order.blocked]
    return "\n".join(lines)


def validation_text(outcome, quiet: bool = False) -> str:
    """Every diagnostic as ``FILE:LINE:COL: severity: MESSAGE``, then the verdict or a summary."""
    diagnostics = outcome.diagnostics
    lines = [diagnostic_line(d) for d in diagnostics]
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    if not outcome.valid:
        lines.append(f"{t(outcome.root)}: {plural(errors, 'error')}, {plural(warnings, 'warning')}")
    elif not quiet:
        lines.append(_validation_summary(outcome.catalog, warnings))
    return "\n".join(lines)


def diagnostic_line(diagnostic) -> str:
    """A diagnostic with its file name and message made terminal-safe."""
    where = t(diagnostic.file) + (f":{diagnostic.line}:{diagnostic.col}" if diagnostic.line else "")
    return f"{where}: {diagnostic.severity}: {t(diagnostic.message)}"


def _validation_summary(catalog, warnings: int) -> str:
    """Counts, and services per data center, tribe and team."""
    lines = [
        f"OK: {len(catalog.files)} files, {len(catalog.services)} services, {len(catalog.clients)} clients, "
        f"{len(catalog.hosts)} hosts, {len(catalog.datacenters)} data centers, {len(catalog.teams)} teams"
        + (f", {plural(warnings, 'warning')}" if warnings else ""),
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
    width = max((len(t(k)) for k, _ in rows), default=0)
    return ["", f"{title}:"] + [f"  {t(name).ljust(width)}  {count:>5}" for name, count in rows]
