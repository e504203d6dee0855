"""What a change does to the cold start (SPEC §6): how much slower or faster it gets, where, and
why — ``+12m on service:payments: new hard dependency on service:search (ready at 10m)``.

:func:`recovery_changes` compares the cold starts of two catalogs. It lists the services and
clients whose own declaration moved their ready time (a start time, a dependency added, removed,
retyped, or an ``any_of`` that lost or gained alternatives), and every one whose RTO verdict
changed; the others that merely move with them are counted. The cause of a slower service is
found on its new critical path, of a faster one on its old path: the first step, from the start
of the chain, whose own declaration changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from depgraph.analyses.recovery import RecoveryResult
from depgraph.gate.checkbase import entry_signature
from depgraph.load.durations import format_duration as d
from depgraph.model import Catalog


@dataclass(frozen=True, slots=True)
class ReadyChange:
    """``subject``'s cold-start ready time ``before`` -> ``after`` (seconds), and why; ``rto``
    and ``meets_before``/``meets_after`` when it has an objective."""

    subject: str
    before: int
    after: int
    cause: str
    rto: int | None = None
    meets_before: bool | None = None
    meets_after: bool | None = None

    def line(self) -> str:
        delta = self.after - self.before
        sign = "+" if delta > 0 else "-"
        verdict = ""
        if self.meets_before is not False and self.meets_after is False:
            verdict = f"; now misses its RTO of {d(self.rto)}"
        elif self.meets_before is False and self.meets_after:
            verdict = f"; now meets its RTO of {d(self.rto)}"
        return f"{sign}{d(abs(delta))} on {self.subject} ({d(self.before)} -> {d(self.after)}): {self.cause}{verdict}"

    def to_json(self) -> dict:
        return {"subject": self.subject, "before": self.before, "after": self.after, "cause": self.cause,
                "rto": self.rto, "meets_before": self.meets_before, "meets_after": self.meets_after}


@dataclass(frozen=True)
class RecoveryDiff:
    """The cold start's recovery time ``before`` -> ``after``, the ``changes`` worth a line, and
    how many other services and clients ``moved`` with them."""

    before: int
    after: int
    changes: list[ReadyChange]
    moved: int

    @property
    def empty(self) -> bool:
        return self.before == self.after and not self.changes and not self.moved

    def lines(self) -> list[str]:
        """The headline, then one line per change."""
        if self.empty:
            return []
        delta = self.after - self.before
        head = (f"cold start: {d(self.before)} -> {d(self.after)}"
                + (f" ({'+' if delta > 0 else '-'}{d(abs(delta))})" if delta else " (unchanged)")
                + (f"; {self.moved} more services and clients move with the changes below" if self.moved else ""))
        return [head, *(change.line() for change in self.changes)]

    def to_json(self) -> dict:
        return {"before": self.before, "after": self.after, "changes": [c.to_json() for c in self.changes],
                "moved": self.moved}


def recovery_changes(old: Catalog, new: Catalog, before: RecoveryResult, after: RecoveryResult) -> RecoveryDiff:
    """The cold start of ``old`` (``before``) against that of ``new`` (``after``)."""
    old_all, new_all = _entities(old), _entities(new)
    old_rto = {s.service: s for s in before.services}
    new_rto = {s.service: s for s in after.services}
    changes, moved = [], 0
    for subject in sorted(old_all.keys() & new_all.keys()):
        was, now = before.ready(subject), after.ready(subject)
        if was is None or now is None or was == now:
            continue
        result, other, path = (after, before, after.critical_path(subject)) if now > was else \
            (before, after, before.critical_path(subject))
        step = next((n for n in path if _declared_differently(n, old_all, new_all, before, after)), None)
        verdict = (old_rto.get(subject), new_rto.get(subject))
        rto_moved = verdict[0] and verdict[1] and verdict[0].meets != verdict[1].meets
        if step != subject and not rto_moved:
            moved += 1
            continue
        cause = _cause(step, result, other, old_all, new_all, now > was) if step else "slower or faster dependencies"
        if step and step != subject:
            cause = f"via {step}: {cause}"
        rto = verdict[1].rto if verdict[1] else None
        changes.append(ReadyChange(subject, was, now, cause, rto,
                                   verdict[0].meets if verdict[0] else None, verdict[1].meets if verdict[1] else None))
    changes.sort(key=lambda c: (-abs(c.after - c.before), c.subject))
    return RecoveryDiff(before.ready_at, after.ready_at, changes, moved)


def _entities(catalog: Catalog) -> dict:
    return {e.id: e for e in (*catalog.services.values(), *catalog.clients.values())}


def _hard(entity) -> set:
    return {entry_signature(entity, dep) for dep in entity.dependencies if dep.hard}


def _declared_differently(node: str, old_all: dict, new_all: dict, before: RecoveryResult,
                          after: RecoveryResult) -> bool:
    if node not in old_all or node not in new_all:
        return True
    return (before.start_times.get(node) != after.start_times.get(node)
            or _hard(old_all[node]) != _hard(new_all[node]))


def _cause(node: str, result: RecoveryResult, other: RecoveryResult, old_all: dict, new_all: dict,
           slower: bool) -> str:
    """What in ``node``'s declaration moved it: the start time, else the hard entry holding the
    predecessor on ``result``'s critical path (the new path when slower, the old when faster)."""
    if node not in old_all:
        return "new"
    was, now = other.start_times.get(node), result.start_times.get(node)
    if not slower:
        was, now = now, was
    if was != now and was is not None and now is not None:
        return f"start time {d(was)} -> {d(now)}"
    predecessor = result.predecessor.get(node)
    if predecessor is None:
        return "hard dependencies changed"
    here, there = (new_all, old_all) if slower else (old_all, new_all)
    ready = d(result.ready(predecessor) or 0)
    entry = _entry_with(here[node], predecessor)
    before_entry = _entry_with(there[node], predecessor)
    if before_entry is None:  # the other side has no hard entry naming it: new (or retyped), or gone
        soft = any(predecessor[8:] in dep.targets for dep in there[node].dependencies)
        if slower:
            return (f"dependency on {predecessor} now hard (ready at {ready})" if soft
                    else f"new hard dependency on {predecessor} (ready at {ready})")
        return (f"dependency on {predecessor} (ready at {ready}) now soft" if soft
                else f"hard dependency on {predecessor} (ready at {ready}) removed")
    others = sorted(set(before_entry.targets) - set(entry.targets))
    if others:
        return (f"the any_of holding {predecessor} (ready at {ready}) {'lost' if slower else 'gained'} "
                + ", ".join(f"service:{t}" for t in others))
    return "hard dependencies changed"


def _entry_with(entity, predecessor: str):
    """The hard entry of ``entity`` that names ``predecessor``, or None."""
    name = predecessor[8:]
    return next((dep for dep in entity.dependencies if dep.hard and name in dep.targets), None)
