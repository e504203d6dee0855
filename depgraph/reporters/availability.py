"""``depgraph availability`` as JSON (``depgraph/availability/v1``), text and Markdown: each a
function of the :class:`~depgraph.analyses.availability.AvailabilityReport` alone, rows in the
report's own ranking (objectives that cannot be met first)."""

from __future__ import annotations

from depgraph.analyses.availability import AvailabilityReport, Estimate, describe_contributors
from depgraph.reporters.markdown import code, table, text

SCHEMA = "depgraph/availability/v1"
OTHERS_SHOWN = 10  # rows for entities without an slo, not of tier 1 and not asked about


def availability_json(report: AvailabilityReport) -> dict:
    """The ``depgraph/availability/v1`` document (SPEC §5): entities sorted by id."""
    return {
        "schema": SCHEMA,
        "trials": report.trials,
        "seed": report.seed,
        "defaults": dict(sorted(report.defaults.items())),
        "entities": [estimate.to_json() for estimate in report.estimates],
        "findings": [finding.to_json() for finding in report.findings],
        **({"focus": list(report.focus)} if report.focus else {}),
        **({"asked_slo": report.asked_slo} if report.asked_slo is not None else {}),
    }


def availability_text(report: AvailabilityReport) -> str:
    """The headline, one row per entity that matters (with what costs it most), the findings;
    for entities asked about by name, the answer for each of them alone."""
    if report.focus:
        return _focused_text(report)
    rows, hidden = _shown(report)
    width = max([len("SERVICE OR CLIENT"), *(len(e.id) for e in rows)])
    lines = [_headline(report), "", f"{'SERVICE OR CLIENT':<{width}}  TIER    SLO    ESTIMATE  95% INTERVAL"]
    for estimate in rows:
        lines.append(f"{estimate.id:<{width}}  {_tier(estimate):<6}  {_slo(estimate):>6}  "
                     f"{estimate.availability:>9.3f}  {_interval(estimate):<16}  {_verdict(estimate)}".rstrip())
        if estimate.contributors:
            lines.append(f"{'':<{width}}  down most with {_contributors(estimate)}")
    if hidden:
        lines.append(f"… and {hidden} more; --format json lists them all")
    if report.findings:
        lines += ["", f"FINDINGS ({len(report.findings)})"]
        for finding in sorted(report.findings, key=lambda f: (*f.sort_key(), f.fingerprint)):
            lines += [f"  {finding.severity}: {finding.rule}: {finding.subject}", f"      {finding.message}"]
    return "\n".join(lines)


def availability_markdown(report: AvailabilityReport) -> str:
    """The same as GitHub Markdown."""
    rows, hidden = _shown(report)
    body = [[code(e.id), _tier(e), _slo(e), f"{e.availability:.3f}", _interval(e), _verdict(e) and f"**{_verdict(e)}**",
             text(_contributors(e))] for e in rows]
    out = ["## Availability", "", _headline(report), "",
           *table(["service or client", "tier", "slo", "estimate", "95% interval", "", "down most with"], body,
                  "llrrl")]
    if hidden:
        out += ["", f"… and {hidden} more; `depgraph availability --format json` lists them all."]
    if report.findings:
        out += ["", "### Findings", ""]
        out += [f"- **{f.severity}** `{f.rule}` {code(f.subject)}: {text(f.message)}"
                for f in sorted(report.findings, key=lambda f: (*f.sort_key(), f.fingerprint))]
    return "\n".join(out)


def _focused_text(report: AvailabilityReport) -> str:
    """``service:playlist is 99.760% available (95% interval …)``, whether it meets its objective
    (its own, or the one asked with ``--slo``), and what costs it most."""
    by_id = {e.id: e for e in report.estimates}
    lines = []
    for entity in report.focus:
        e = by_id[entity]
        how = "exact" if e.exact else f"95% interval {e.low:.3f}–{e.high:.3f}%, {report.trials:,} trials, seed {report.seed}"
        lines.append(f"{e.id} ({_tier(e)}) is {e.availability:.3f}% available ({how})")
        if e.slo is not None:
            whose = "asked" if report.asked_slo is not None else "its slo"
            lines.append(f"  objective {e.slo:g}% ({whose}): {_objective_answer(e)}")
        else:
            lines.append("  no slo; --slo PERCENT asks whether it could meet one")
        lines.append(f"  down most with {_contributors(e)}" if e.contributors else "  never down in the trials")
    return "\n".join(lines)


def _objective_answer(e: Estimate) -> str:
    if e.infeasible:
        return (f"cannot meet it: even the {'value' if e.exact else 'upper end of the interval'} "
                f"{e.high:.3f}% is below")
    if e.low >= e.slo:
        return f"meets it: {'the value' if e.exact else 'even the lower end of the interval'} {e.low:.3f}% is above"
    return ("undecided: the objective lies within the interval (more --trials narrow it)")


# -- pieces ------------------------------------------------------------------------------------


def _shown(report: AvailabilityReport) -> tuple[list[Estimate], int]:
    """Every entity with an slo, of tier 1 or with contributors; then the least available others."""
    ranked = report.ranked()
    first = [e for e in ranked if e.slo is not None or e.tier == 1 or e.contributors]
    others = [e for e in ranked if not (e.slo is not None or e.tier == 1 or e.contributors)]
    return first + others[:OTHERS_SHOWN], max(0, len(others) - OTHERS_SHOWN)


def _headline(report: AvailabilityReport) -> str:
    exact = sum(1 for e in report.estimates if e.exact)
    how = (f"{report.trials:,} trials (seed {report.seed}), 95% Wilson intervals"
           + (f"; {exact} exact" if exact else ""))
    head = f"Availability of {len(report.estimates)} services and clients in percent: {how}."
    missed = [e.id for e in report.ranked() if e.infeasible]
    if missed:
        head += (f" {len(missed)} cannot meet {'its' if len(missed) == 1 else 'their'} slo: "
                 + ", ".join(missed) + ".")
    return head


def _tier(estimate: Estimate) -> str:
    return "client" if estimate.tier is None else f"tier {estimate.tier}"


def _slo(estimate: Estimate) -> str:
    return f"{estimate.slo:g}" if estimate.slo is not None else "-"


def _interval(estimate: Estimate) -> str:
    return "exact" if estimate.exact else f"{estimate.low:.3f}–{estimate.high:.3f}"


def _verdict(estimate: Estimate) -> str:
    if estimate.infeasible:
        return "CANNOT MEET SLO"
    if estimate.slo is not None and estimate.low < estimate.slo:
        return "slo within the interval"
    return ""


def _contributors(estimate: Estimate) -> str:
    return describe_contributors(estimate.contributors)

