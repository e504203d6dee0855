"""The recovery part of the HTML report's data: ``recovery_data(analysis)``, the cold start the
analysis holds (:class:`~depgraph.analyses.recovery.RecoveryResult`) as columns of node numbers.

Every restarting service that gets ready is a row: ``node``, ``ready`` and ``start`` (seconds;
its bar runs from ``ready - start`` to ``ready``), ``rto`` (None: none) and ``pred`` (the node
its critical path comes from, -1 where it starts); rows are ordered slowest first, so the page
draws the first few hundred and counts the rest. ``highlight`` is the critical path of the
slowest tier-1 service; the page walks ``pred`` for any other.
"""

from __future__ import annotations


def recovery_data(analysis) -> dict | None:
    """``{"readyAt", "rows": {…columns}, "clients": [[node, ready]…], "blocked", "highlight"}``,
    or None when the analysis has no cold start."""
    result = analysis.recovery
    if result is None:
        return None
    number = analysis.model.nodes.number
    rows = result.slowest()
    tier1 = result.slowest(tier=1)
    return {
        "readyAt": result.ready_at,
        "rows": {
            "node": [number[s.service] for s in rows],
            "ready": [s.ready_at for s in rows],
            "start": [s.start_time for s in rows],
            "rto": [s.rto for s in rows],
            "pred": [number.get(result.predecessor.get(s.service), -1) for s in rows],
        },
        "clients": [[number[c], ready] for c, ready in result.clients],
        "blocked": [[number[b], result.reasons[b]] for b in result.blocked],
        "highlight": [number[n] for n in result.critical_path(tier1[0].service)] if tier1 else [],
    }
