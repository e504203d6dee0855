"""The JSON documents of SPEC §4, one function per result kind, each ``(result) -> dict``.

Every document has ``"schema": "depgraph/<name>/v1"``; lists of ids are sorted; the writer
(:func:`depgraph.output.jsontext.dumps`, sorted keys) gives the same bytes for the same input.
"""

from __future__ import annotations

ANALYSIS = "depgraph/analysis/v1"
BLAST_RADIUS = "depgraph/blast-radius/v1"
CHECK = "depgraph/check/v1"
DIFF = "depgraph/diff/v1"
DRIFT = "depgraph/drift/v1"
PATHS = "depgraph/paths/v1"
STARTUP = "depgraph/startup-order/v1"
DIAGNOSTICS = "depgraph/diagnostics/v1"

#: ids listed in each SPOF's ``down`` by default. A hub's loss takes down most of a landscape,
#: and over every SPOF the full lists grow with its square (1.09 M ids, 36 MB, at 20,000
#: services of the classic benchmark profile); ``down_count`` counts every id, ``blast-radius``
#: lists them, and ``analyze --down-limit 0`` writes them all.
DOWN_LIMIT = 100


def analysis_json(report, down_limit: int = DOWN_LIMIT) -> dict:
    """``depgraph/analysis/v1``: SPEC §4 keys and the rest of the analysis. Cycles, SPOFs and
    findings come in the Report's ranking (the order every format shows); each SPOF's ``down``
    lists at most ``down_limit`` ids (0: every one)."""
    from depgraph.analyses import readiness  # here: the CLI imports this module at start-up

    return {
        "schema": ANALYSIS,
        "root": report.catalog.root,
        "summary": report.counts,
        "cycles": [cycle.to_json() for cycle in report.cycles],
        "cycle_breakers": [cut.to_json() for cycle in report.cycles for cut in cycle.cuts],
        "team_cycles": [cycle.to_json() for cycle in report.team_cycles],
        "tribe_cycles": [cycle.to_json() for cycle in report.tribe_cycles],
        "spofs": [spof.to_json(down_limit) for spof in report.spofs],
        "spof_concentration": _grouped(report.spof_concentration),
        "unowned": [item.to_json() for item in report.unowned],
        "readiness": {
            "levels": list(readiness.LEVELS),
            "services": [card.to_json() for card in report.scorecards],
            **_grouped(report.readiness_rollups),
        },
        "startup": {**report.startup.to_json(), "reasons": dict(sorted(report.startup.reasons.items()))},
        "findings": [finding.to_json() for finding in report.findings],
        "diagnostics": [d.to_json() for d in report.catalog.diagnostics],
    }


def _grouped(groups: dict[str, list]) -> dict[str, list[dict]]:
    return {name: [item.to_json() for item in items] for name, items in groups.items()}


def blast_radius_json(radius, limit: int = 0) -> dict:
    """``depgraph/blast-radius/v1`` (SPEC §4), with each degraded service's reason and the
    teams in whom-to-call order. ``limit`` > 0 lists at most that many entries in each list and
    in ``reasons`` (the first, in the document's order) and counts each cut in ``truncated``
    by its path, as the warm server cuts every answer (:func:`depgraph.serve.bounded.bounded`):
    only what is listed is worked out."""
    impact = radius.impact
    truncated: dict[str, int] = {}

    def first(path: str, items) -> list:
        if limit and len(items) > limit:
            truncated[path] = len(items)
            return list(items[:limit])
        return list(items)

    teams = [t for t in radius.teams if t.team]
    document = {
        "schema": BLAST_RADIUS,
        "failed": first("failed", impact.failed),
        "down": first("down", impact.down),
        "degraded": first("degraded", impact.degraded),
        "reduced": [{"service": s, "lost": lost, "total": total}
                    for s, (lost, total) in first("reduced", sorted(impact.reduced.items()))],
        "overloaded": [{"service": s, "up": up, "needed": needed}
                       for s, (up, needed) in first("overloaded", sorted(impact.overloaded.items()))],
        "reasons": {d.service: {"via": d.via, "edge": d.edge, "root": d.root, "hops": d.hops}
                    for d in map(radius.why.of, first("reasons", impact.degraded))},  # the writer sorts the keys
        "teams": [{"team": t.team, "services": first(f"teams[{n}].services", t.services), "contact": t.contact}
                  for n, t in enumerate(first("teams", teams))],
    }
    if truncated:
        document["truncated"] = truncated
    return document


def check_json(result) -> dict:
    """``depgraph/check/v1``: the decision, and every finding new, existing, excepted or stale."""
    def item(finding, **extra) -> dict:
        return {**finding.to_json(), **extra}

    from depgraph import __version__

    return {
        "schema": CHECK,
        "tool": {"name": "depgraph", "version": __version__},
        "root": result.root,
        "decision": {"exit_code": result.exit_code, "passed": result.exit_code == 0,
                     "fail_on": result.fail_on, "blocking": len(result.blocking)},
        "summary": {"new": len(result.new), "blocking": len(result.blocking),
                    "existing": len(result.existing), "excepted": len(result.excepted),
                    "stale": len(result.stale)},
        "new": [item(f, blocking=result.blocks(f)) for f in result.new],
        "existing": [item(f, because=why) for f, why in result.existing],
        "excepted": [item(f, exception={"reason": e.reason, "expires": e.expires.isoformat(),
                                        "file": e.source[0], "line": e.source[1]})
                     for f, e in result.excepted],
        "stale": [entry.to_json() for entry in result.stale],
        "base": result.base.to_json() if result.base else None,
        "baseline": result.baseline_path,
        "policy": result.policy_path,
        "notes": list(result.notes),
    }


def diff_json(change) -> dict:
    """``depgraph/diff/v1``: what a change does to the architecture."""
    diff = change.diff
    return {
        "schema": DIFF,
        "old": change.old_label,
        "new": change.new_label,
        "entities": {"added": diff.entities_added, "removed": diff.entities_removed},
        "dependencies": {"added": [e.to_json() for e in diff.added],
                         "removed": [e.to_json() for e in diff.removed],
                         "retyped": [e.to_json() for e in diff.retyped]},
        "cycles": {"introduced": [c.to_json() for c in diff.cycles_introduced],
                   "fixed": [c.to_json() for c in diff.cycles_fixed]},
        # each SPOF's down cut as analyze cuts it: a new hard ring lists thousands for each
        "spofs": {"introduced": [s.to_json(DOWN_LIMIT) for s in diff.spofs_introduced],
                  "fixed": [s.to_json(DOWN_LIMIT) for s in diff.spofs_fixed]},
        "findings": {"introduced": [f.to_json() for f in diff.findings_introduced],
                     "fixed": [f.to_json() for f in diff.findings_fixed]},
        # newly_down / no_longer_down cut the same way: cutting one edge of a hard ring changes
        # every member's down set by thousands of ids
        "blast_radius": [r.to_json(DOWN_LIMIT) for r in diff.radius],
        "owners": [{"id": i, "before": a, "after": b} for i, a, b in diff.owners],
        "recovery": diff.recovery.to_json() if diff.recovery is not None else None,
    }


def drift_json(report) -> dict:
    """``depgraph/drift/v1``: undeclared calls with their evidence, unobserved dependencies,
    entry points, unknown names (and the closest service to each, where one is close)."""
    return {"schema": DRIFT, "format": report.format, "undeclared": report.undeclared,
            "unobserved": report.unobserved, "unknown": report.unknown, "entry": report.entry,
            "did_you_mean": report.suggestions}


def paths_json(found) -> dict:
    """``depgraph/paths/v1``: why FROM depends on TO."""
    return {"schema": PATHS, "from": found.start, "to": found.end, "complete": found.complete,
            "paths": [p.to_json() for p in found.paths]}


def startup_json(order) -> dict:
    """``depgraph/startup-order/v1`` (SPEC §4)."""
    return {"schema": STARTUP, **order.to_json()}


def validation_json(outcome) -> dict:
    """``depgraph/diagnostics/v1``: whether the tree is valid, and every diagnostic."""
    diagnostics = outcome.diagnostics
    errors = sum(1 for d in diagnostics if d.severity == "error")
    return {"schema": DIAGNOSTICS, "valid": outcome.valid, "errors": errors,
            "warnings": len(diagnostics) - errors, "diagnostics": [d.to_json() for d in diagnostics]}
