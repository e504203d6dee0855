"""Recovery time (SPEC §6): how long until every service serves again, which chain sets the pace,
and which services miss their recovery time objective.

A restarting service is ready ``start_time`` after the latest of its hard entries is satisfied,
an entry being satisfied when its earliest alternative is ready; soft entries never hold it back,
and a client is ready at that same latest moment. Everything that does not restart is ready at
0. Ready times are found in one pass in time order with an event queue, as Dijkstra's algorithm
finds distances (every start time is at least a second, so the earliest event pending is
final): O(E log V) over the restarting part of the landscape. A service that never gets there
(a hard cycle, or a dependency that never becomes ready) is *blocked*; a ring closed through an
``any_of`` whose other alternative starts resolves.

Each service's critical path is the chain of restarting services that sets its time: its
predecessor is the earliest-ready alternative of the hard entry that gives its latest moment
(ties: the lowest id), and the chain stops where nothing that restarts holds it back; the start
times along it add up to its ready time.

>>> from depgraph.model import Catalog, Service, Client, Dependency
>>> catalog = Catalog(services={
...     "db": Service("db", start_time=600),
...     "cache": Service("cache", start_time=900),
...     "replica": Service("replica", start_time=120),
...     "api": Service("api", start_time=60, rto=900, tier=1, dependencies=(
...         Dependency(("db",)), Dependency(("cache", "replica"), is_group=True),
...         Dependency(("cache",), "soft"))),
... }, clients={"ios": Client("ios", dependencies=(Dependency(("api",)),))})
>>> result = recovery(catalog)
>>> result.ready_at, result.ready("service:api"), result.ready("client:ios")
(900, 660, 660)
>>> path_text(result, "client:ios")
'service:db (10m) → service:api (1m) → client:ios = 11m'
>>> [(s.service, s.ready_at, s.meets) for s in result.slowest()][:2]
[('service:cache', 900, None), ('service:api', 660, True)]
>>> recovery(catalog, ["service:db"]).restarting
('service:api', 'service:db')
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from depgraph.analyses.findings import Cause, Finding
from depgraph.analyses.startup import blocked_reasons
from depgraph.failure.engine import FailureModel, simulate
from depgraph.load.durations import format_duration
from depgraph.model import Catalog

SCHEMA = "depgraph/recovery/v1"
DEFAULT_START_TIME = 60
RULE = "rto-exceeded"


@dataclass(frozen=True)
class RecoveryDefaults:
    """What the policy file sets (``recovery: {start_time: D, rto: {TIER: D}}``): the start time
    of a service that declares none, and an objective per tier for those without their own."""

    start_time: int = DEFAULT_START_TIME
    rto_by_tier: dict[int, int] = field(default_factory=dict)


class ServiceRecovery(NamedTuple):
    """One restarting service: when it is ready (seconds after the scenario's start), its own
    start time, its objective (None: none) and whether it meets it."""

    service: str
    ready_at: int
    start_time: int
    rto: int | None
    tier: int

    @property
    def meets(self) -> bool | None:
        return None if self.rto is None else self.ready_at <= self.rto


@dataclass(frozen=True)
class RecoveryResult:
    """The answer for one scenario (``failed`` empty: a cold start). ``services``: every restarting
    service that becomes ready, by id; ``clients``: ``(id, ready_at)`` of every client that comes
    back, by id; ``blocked``: the services and clients that never do, with ``reasons``;
    ``ready_at``: the scenario's estimated recovery time (the latest ready time of what gets
    ready; the blocked never are, and a report says so apart)."""

    failed: tuple[str, ...]
    ready_at: int
    services: tuple[ServiceRecovery, ...]
    clients: tuple[tuple[str, int], ...]
    blocked: tuple[str, ...]
    reasons: dict[str, str]
    predecessor: dict[str, str] = field(repr=False, default_factory=dict)
    start_times: dict[str, int] = field(repr=False, default_factory=dict)

    @property
    def cold_start(self) -> bool:
        return not self.failed

    @property
    def restarting(self) -> tuple[str, ...]:
        """Every restarting service, ready or blocked, by id."""
        return tuple(sorted([*(s.service for s in self.services),
                             *(b for b in self.blocked if b.startswith("service:"))]))

    def ready(self, node_id: str) -> int | None:
        """When a service or client is ready: 0 when it does not restart, None when blocked."""
        if node_id in self.reasons:
            return None
        found = self._ready.get(node_id)
        return 0 if found is None else found

    @cached_property
    def _ready(self) -> dict[str, int]:
        return {**{s.service: s.ready_at for s in self.services}, **dict(self.clients)}

    def critical_path(self, node_id: str) -> tuple[str, ...]:
        """The chain of restarting services that sets ``node_id``'s ready time, ending with it (a
        client's chain ends with the client); empty for what does not restart or is blocked."""
        if node_id not in self._ready:
            return ()
        chain = [node_id]
        while chain[-1] in self.predecessor:
            chain.append(self.predecessor[chain[-1]])
        return tuple(reversed(chain))

    def slowest(self, tier: int | None = None) -> list[ServiceRecovery]:
        """The restarting services (of ``tier`` when given), slowest first, then by id."""
        chosen = [s for s in self.services if tier is None or s.tier == tier]
        return sorted(chosen, key=lambda s: (-s.ready_at, s.service))

    def missed(self) -> list[ServiceRecovery]:
        """Services that miss their objective: tier 1 first, then the latest, then by id."""
        return sorted((s for s in self.services if s.meets is False),
                      key=lambda s: (s.tier, (s.rto or 0) - s.ready_at, s.service))  # missed: rto set

    def to_json(self) -> dict:
        return {
            "schema": SCHEMA,
            "failed": list(self.failed),
            "ready_at": self.ready_at,
            "services": [{"service": s.service, "ready_at": s.ready_at, "rto": s.rto, "meets": s.meets,
                          "critical_path": list(self.critical_path(s.service))} for s in self.services],
            "clients": [{"client": c, "ready_at": t} for c, t in self.clients],
            "blocked": list(self.blocked),
        }


def recovery(catalog: Catalog, failed: Iterable[str] = (), *, defaults: RecoveryDefaults | None = None,
             model: FailureModel | None = None) -> RecoveryResult:
    """When each service and client is ready again after ``failed`` (component ids; none: a cold
    start, everything down at 0) come back at t = 0, under the policy's ``defaults``. ``model``:
    the catalog's compiled failure model, when already built. Raises UnknownComponent for an id
    that names nothing that can fail."""
    defaults = defaults or RecoveryDefaults()
    model = model if model is not None else FailureModel.from_catalog(catalog)
    failed = tuple(failed)
    ids, count = model.nodes.ids, len(model.nodes.ids)
    if failed:
        impact = simulate(model, failed, capacity=False)
        number = model.nodes.number
        restarting = sorted({number[i] for i in (*impact.down, *impact.failed) if i in number})
        failed = impact.failed
    else:
        restarting = list(range(count))
    start = _start_times(catalog, model, restarting, defaults)
    ready = _ready_times(model, restarting, start)
    predecessor = _predecessors(model, restarting, ready)
    services, clients, blocked = [], [], []
    for node in restarting:
        node_id, at = ids[node], ready[node]
        if at is None:
            blocked.append(node_id)
        elif model.is_service[node]:
            service = catalog.services[node_id[8:]]
            rto = service.rto if service.rto is not None else defaults.rto_by_tier.get(service.tier)
            services.append(ServiceRecovery(node_id, at, start[node], rto, service.tier))
        else:
            clients.append((node_id, at))
    return RecoveryResult(
        failed=failed,
        ready_at=max((at for n in restarting if (at := ready[n]) is not None), default=0),
        services=tuple(services), clients=tuple(clients), blocked=tuple(blocked),
        reasons=_reasons(model, restarting, ready),
        predecessor={ids[n]: ids[p] for n, p in predecessor.items()},
        start_times={ids[n]: start[n] for n in restarting if model.is_service[n]},
    )


def _start_times(catalog: Catalog, model: FailureModel, restarting: list[int],
                 defaults: RecoveryDefaults) -> dict[int, int]:
    """Node -> its start time: the service's own, else the default; 0 for a client."""
    services, ids, default = catalog.services, model.nodes.ids, defaults.start_time
    start = {}
    for node in restarting:
        if model.is_service[node]:
            own = services[ids[node][8:]].start_time
            start[node] = own if own is not None else default
        else:
            start[node] = 0
    return start


def _ready_times(model: FailureModel, restarting: list[int], start: dict[int, int]) -> list[int | None]:
    """Node -> ready time: 0 for what does not restart, None for what never gets ready.

    An entry with an alternative that does not restart is satisfied from the start; the others
    are satisfied when their first alternative pops off the queue, which happens in time order.
    """
    ready: list[int | None] = [0] * len(model.nodes.ids)
    waiting: dict[int, set[int]] = {}  # node -> its hard entries not satisfied yet
    queue = []
    entries = model.entries
    for node in restarting:
        ready[node] = None
    for node in restarting:
        open_entries = {number for number, (alternatives, hard) in enumerate(entries[node])
                        if hard and all(ready[a] is None for a in alternatives)}
        if open_entries:
            waiting[node] = open_entries
        else:
            queue.append((start[node], node))
    heapq.heapify(queue)
    hard_rev = model.hard_rev
    while queue:
        now, node = heapq.heappop(queue)
        ready[node] = now
        for dependent, entry in hard_rev[node]:
            left = waiting.get(dependent)
            if left is None or entry not in left:
                continue
            left.discard(entry)
            if not left:
                del waiting[dependent]
                heapq.heappush(queue, (now + start[dependent], dependent))
    return ready


def _predecessors(model: FailureModel, restarting: list[int], ready: list[int | None]) -> dict[int, int]:
    """Node -> the restarting node that sets its ready time (SPEC §6), for every node that has one."""
    predecessor = {}
    entries = model.entries
    for node in restarting:
        if ready[node] is None:
            continue
        best_time, best = 0, None
        for alternatives, hard in entries[node]:
            if not hard:
                continue
            # the earliest-ready alternative, the lowest number (= id) among equals: alternatives are
            # sorted; a blocked one never is (the node is ready, so some alternative is too)
            time: int | None
            if len(alternatives) == 1:  # most entries: no pairs to compare
                time, earliest = ready[alternatives[0]], alternatives[0]
            else:
                time, earliest = min((at, a) for a in alternatives if (at := ready[a]) is not None)
            if time is None:  # never: the node is ready, so is one alternative of each entry
                continue
            if time > best_time or (time == best_time and best is not None and earliest < best):
                best_time, best = time, earliest
        if best is not None:
            predecessor[node] = best
    return predecessor


def _reasons(model: FailureModel, restarting: list[int], ready: list[int | None]) -> dict[str, str]:
    """Blocked id -> the hard entries it waits for in vain (and the hard cycle it stands on)."""
    ids = model.nodes.ids
    blocked = [n for n in restarting if ready[n] is None]
    entries = {ids[n]: [tuple(ids[a] for a in alternatives) for alternatives, hard in model.entries[n] if hard]
               for n in blocked}
    return blocked_reasons(entries, set(entries)) if entries else {}


def rto_findings(catalog: Catalog, result: RecoveryResult, defaults: RecoveryDefaults | None = None
                 ) -> list[Finding]:
    """``rto-exceeded`` (a warning, an error for tier 1) for every service of a cold start that is
    ready after its objective, naming the critical path with each step's start time; and for every
    blocked service with an objective: it never gets there."""
    defaults = defaults or RecoveryDefaults()
    findings = []
    for service in result.missed():
        if service.rto is None:  # missed() lists only services with an objective
            continue
        message = (f"{service.service} is ready {format_duration(service.ready_at)} into a cold start, "
                   f"{format_duration(service.ready_at - service.rto)} past its RTO of "
                   f"{format_duration(service.rto)}: {path_text(result, service.service)}")
        cause = Cause("recovery", f"its slowest chain of hard dependencies: {path_text(result, service.service)}",
                      {"ready_at": service.ready_at, "rto": service.rto})
        findings.append(_finding(catalog, service.service, service.tier, message, cause))
    for node_id in result.blocked:
        never = catalog.services.get(node_id[8:]) if node_id.startswith("service:") else None
        rto = never and (never.rto if never.rto is not None else defaults.rto_by_tier.get(never.tier))
        if never and rto:
            message = (f"{node_id} never gets ready on a cold start ({result.reasons[node_id]}), so it "
                       f"cannot meet its RTO of {format_duration(rto)}")
            cause = Cause("recovery", f"it never starts: {result.reasons[node_id]}", {"ready_at": None, "rto": rto})
            findings.append(_finding(catalog, node_id, never.tier, message, cause))
    return findings


def _finding(catalog: Catalog, node_id: str, tier: int, message: str, cause: Cause | None = None) -> Finding:
    source = getattr(catalog.services[node_id[8:]], "source", None)
    return Finding(RULE, "error" if tier == 1 else "warning", node_id, message,
                   source.file if source else None, source.line if source else None, cause=cause)


def path_text(result: RecoveryResult, node_id: str) -> str:
    """A critical path as a DR review reads it: ``a (5m) → b (20m) → c (2m) = 27m``."""
    chain = result.critical_path(node_id)
    steps = [f"{step} ({format_duration(result.start_times[step])})" if step in result.start_times else step
             for step in chain]
    return " → ".join(steps) + f" = {format_duration(result.ready(node_id) or 0)}"
