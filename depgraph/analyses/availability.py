"""How available is each service and client, given how available its parts are (SPEC §5)?

Every data center, rack, host and service (its own software) is up independently with
probability ``availability / 100``: from the entity, else from the policy's ``availability:``
defaults, else :data:`DEFAULTS`. A service or client is available in a state of the world iff it
is not down under SPEC §2 (overloaded counts as available). Shared components make failures
correlated, so nines are not multiplied: the estimate is over whole states of the landscape.

- **Exact** for an entity whose *support* (the components that can take it down: its own
  software, its hard dependencies', and the hosts, racks and data centers under them) has at
  most ``exact_limit`` components that can fail: all 2**m states are enumerated and weighed;
  ``low == high``.
- **Monte Carlo** otherwise: N trials (:class:`~depgraph.failure.trials.Sampled`), the estimate
  the share of trials in which it was up, with a 95% Wilson score interval.

Contributors (services with an ``slo`` or of tier 1, and any asked for): up to five components
failed in the largest share (at least 1%) of the entity's down trials (or down probability, when
exact), among its support: its own and its hard dependencies' software, and the hosts, racks and
data centers under every one of them whose instances were all down in one of those trials.

>>> from depgraph.model import Catalog, Dependency, Service
>>> catalog = Catalog(services={"db": Service("db", availability=99.0),
...                             "api": Service("api", slo=99.9, dependencies=(Dependency(("db",)),))})
>>> report = availability_report(catalog)
>>> [(e.id, round(e.availability, 4), e.exact) for e in report.estimates]
[('service:api', 98.9505, True), ('service:db', 99.0, True)]
>>> [(f.rule, f.subject) for f in report.findings]
[('slo-infeasible', 'service:api'), ('extra-nine', 'service:api')]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from depgraph.failure.engine import FailureModel
from depgraph.failure.trials import (
    Component, Enumerated, Sampled, down_bits, down_with, hard_order, hard_successors, weighted,
)
from depgraph.analyses.findings import Finding
from depgraph.model import Catalog

DEFAULTS = {"datacenter": 99.95, "rack": 99.9, "host": 99.5, "service": 99.95}
DEFAULT_TRIALS = 10_000
DEFAULT_SEED = 0
EXACT_LIMIT = 16  # components that can fail, at most, for an exact answer (2**16 states)
CONTRIBUTORS = 5
MIN_SHARE = 0.01  # a component failed in fewer of the down trials than this costs nothing to speak of
Z95 = 1.959963984540054  # the 97.5% quantile of the standard normal distribution


@dataclass(frozen=True, slots=True)
class Estimate:
    """One service's or client's availability in percent: the estimate and its 95% interval
    (equal when ``exact``), its ``slo``, and ``contributors`` as ``(component, share)``."""

    id: str
    availability: float
    low: float
    high: float
    slo: float | None = None
    tier: int | None = None
    exact: bool = False
    contributors: tuple[tuple[str, float], ...] = ()

    @property
    def infeasible(self) -> bool:
        """The objective lies above the interval: even the optimistic end misses it."""
        return self.slo is not None and self.high < self.slo

    def to_json(self) -> dict:
        return {"id": self.id, "availability": round(self.availability, 6), "low": round(self.low, 6),
                "high": round(self.high, 6), "slo": self.slo, "exact": self.exact,
                "contributors": [{"component": c, "share": round(share, 4)} for c, share in self.contributors]}


@dataclass(frozen=True)
class AvailabilityReport:
    """Estimates sorted by id, the findings, and what they were computed with."""

    trials: int
    seed: int
    defaults: dict[str, float]
    estimates: list[Estimate]
    findings: list[Finding] = field(default_factory=list)

    def ranked(self) -> list[Estimate]:
        """Infeasible objectives first, then the other entities with an slo, then tier 1, then
        the rest; least available first within each."""
        def key(e: Estimate) -> tuple:
            group = 0 if e.infeasible else 1 if e.slo is not None else 2 if e.tier == 1 else 3
            return (group, e.availability, e.id)

        return sorted(self.estimates, key=key)


def availability_report(catalog: Catalog, model: FailureModel | None = None, *,
                        trials: int = DEFAULT_TRIALS, seed: int = DEFAULT_SEED,
                        defaults: dict[str, float] | None = None, targets: list[str] | None = None,
                        explain=(), exact_limit: int = EXACT_LIMIT, contributors_for=None
                        ) -> AvailabilityReport:
    """Estimate every service and client (or only ``targets``, ids). Contributors go to the
    services with an slo or of tier 1 and to the ids in ``explain``; ``contributors_for`` (ids,
    or a test of an :class:`Estimate`) replaces that choice (``()``: none, which is faster).
    Raises ValueError for ``trials`` < 1."""
    if trials < 1:
        raise ValueError("trials must be at least 1")
    model = model or FailureModel.from_catalog(catalog)
    defaults = {**DEFAULTS, **(defaults or {})}
    number = model.nodes.number
    nodes = sorted(number[t] for t in targets) if targets is not None else list(range(len(model.nodes.ids)))
    if not nodes:  # nothing to estimate (no slo anywhere, for the findings): no work at all
        return AvailabilityReport(trials, seed, defaults, [])
    q = _Probabilities(catalog, model, defaults)
    successors = hard_successors(model)
    supports = {n: _support(model, successors, q, n, exact_limit) for n in nodes}
    wanted = _explained(contributors_for, set(explain))
    sampled = [n for n in nodes if supports[n] is None]
    estimates = _sampled(model, successors, q, sampled, trials, seed) if sampled else {}
    results = []
    for n in nodes:
        # An exact estimate's tables (2**m states) are used here and dropped: its contributors
        # are worked out at once when wanted, so memory stays linear in the entities estimated.
        support = supports[n]
        value = estimates.pop(n) if support is None else _exact(model, successors, q, n, support)
        estimate = Estimate(model.nodes.ids[n], value[0], value[1], value[2], slo=_objective(catalog, model, n),
                            tier=model.tier[n], exact=support is not None)
        results.append(replace(estimate, contributors=value[3]()) if wanted(estimate) else estimate)
    report = AvailabilityReport(trials, seed, defaults, results)
    report.findings.extend(availability_findings_of(catalog, model, report))
    return report


def _explained(contributors_for, explain: set[str]):
    """Which estimates get contributors: a test of an :class:`Estimate`."""
    if contributors_for is None:
        return lambda e: e.id in explain or e.tier == 1 or e.slo is not None
    if callable(contributors_for):
        return contributors_for
    asked = set(contributors_for)
    return lambda e: e.id in asked


def findings_report(catalog: Catalog, model: FailureModel | None = None,
                    defaults: dict[str, float] | None = None) -> AvailabilityReport:
    """The estimates the findings need (services with an ``slo`` and what they need alone), at
    the default trials and seed: what ``analyze`` and ``check`` report. Cheap without any slo."""
    model = model or FailureModel.from_catalog(catalog)
    targets = set()
    for service in catalog.services.values():
        if service.slo is not None:
            targets.add(service.id)
            targets.update(f"service:{d}" for d in _sole_hard(service))
    return availability_report(catalog, model, defaults=defaults, targets=sorted(targets),
                               contributors_for=lambda estimate: estimate.infeasible)


def availability_findings(catalog: Catalog, model: FailureModel | None = None,
                          defaults: dict[str, float] | None = None) -> list[Finding]:
    """``slo-infeasible`` and ``extra-nine`` findings of the catalog (see :func:`findings_report`)."""
    return findings_report(catalog, model, defaults).findings


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion (95% for the default ``z``).

    >>> [round(x, 5) for x in wilson_interval(9_990, 10_000)]
    [0.99816, 0.99946]
    >>> wilson_interval(10, 10)[1]
    1.0
    """
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    center = (p + z2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    low = 0.0 if successes == 0 else max(0.0, center - half)
    return low, 1.0 if successes == trials else min(1.0, center + half)


def one_more_nine(slo: float) -> float:
    """What a dependency without alternatives must offer a service promising ``slo``.

    >>> one_more_nine(99.9), one_more_nine(99.95)
    (99.99, 99.995)
    """
    return round(100 - (100 - slo) / 10, 10)


# -- findings --------------------------------------------------------------------------------------


def availability_findings_of(catalog: Catalog, model: FailureModel, report: AvailabilityReport) -> list[Finding]:
    """``slo-infeasible`` (error): the interval's upper end is below the service's ``slo``;
    ``extra-nine`` (warning): a hard dependency without alternatives is estimated less available
    than one more nine than the dependent's ``slo`` (Treynor et al., 2017). Placed at the service
    and at the dependency entry."""
    by_id = {e.id: e for e in report.estimates}
    findings = []
    for estimate in report.estimates:
        service = catalog.entity(estimate.id)
        if estimate.slo is None or service is None or service.kind != "service":
            continue
        where = service.source
        if estimate.infeasible:
            cost = ", ".join(f"{c} {share:.0%}" for c, share in estimate.contributors[:3])
            message = (f"{estimate.id} promises {estimate.slo:g}% but is at most {estimate.high:.3f}% "
                       f"available (estimate {estimate.availability:.3f}%"
                       + ("" if estimate.exact else f", 95% interval {estimate.low:.3f}–{estimate.high:.3f}%")
                       + ")" + (f"; down most with {cost}" if cost else ""))
            findings.append(Finding("slo-infeasible", "error", estimate.id, message,
                                    where.file if where else None, where.line if where else None))
        need = one_more_nine(estimate.slo)
        for target, source in _sole_hard(service).items():
            dependency = by_id.get(f"service:{target}")
            if dependency is None or round(dependency.availability, 4) >= need:
                continue
            message = (f"{estimate.id} (slo {estimate.slo:g}%) needs service:{target} alone (a hard "
                       f"dependency without alternatives), which is {dependency.availability:.3f}% available; "
                       f"it should offer one more nine than the objective: {need:g}%")
            place = source or where
            findings.append(Finding("extra-nine", "warning", estimate.id, message,
                                    place.file if place else None, place.line if place else None,
                                    key=(f"service:{target}",), related=(f"service:{target}",)))
    return findings


def _sole_hard(service) -> dict:
    """Services named alone in a hard entry -> the first such entry's place."""
    found: dict = {}
    for dependency in service.dependencies:
        if dependency.hard and len(set(dependency.targets)) == 1:
            found.setdefault(dependency.targets[0], dependency.source)
    return found


def _objective(catalog: Catalog, model: FailureModel, node: int) -> float | None:
    if not model.is_service[node]:
        return None
    return catalog.service_of(model.nodes.ids[node]).slo


# -- probabilities and supports --------------------------------------------------------------------


class _Probabilities:
    """Failure probability (0..1) of each component: ``q(("host", 3))``."""

    def __init__(self, catalog: Catalog, model: FailureModel, defaults: dict[str, float]):
        def failing(record, kind: str) -> float:
            percent = getattr(record, "availability", None) if record is not None else None
            return 1 - (defaults[kind] if percent is None else percent) / 100

        services, hosts, datacenters = catalog.services, catalog.hosts, catalog.datacenters
        self.node = [failing(services.get(node_id[8:]), "service") if is_service else 0.0
                     for node_id, is_service in zip(model.nodes.ids, model.is_service)]
        self.host = [failing(hosts.get(host_id[5:]), "host") for host_id in model.hosts.ids]
        self.rack = [failing(None, "rack")] * len(model.racks.ids)
        self.datacenter = [failing(datacenters.get(dc_id[11:]), "datacenter") for dc_id in model.datacenters.ids]

    def __call__(self, component: Component) -> float:
        kind, number = component
        return getattr(self, kind)[number]


def _places(model: FailureModel, node: int) -> list[Component]:
    """The hosts, racks and data centers under a node's instances (repeats removed, in order)."""
    if not model.total[node]:
        return []
    places: dict[Component, None] = {}
    for host in model.instance_hosts[node]:
        places["host", host] = None
        if model.host_rack[host] >= 0:
            places["rack", model.host_rack[host]] = None
        places["datacenter", model.host_datacenter[host]] = None
    for dc, _ in model.anonymous[node]:
        places["datacenter", dc] = None
    return list(places)


def _support(model: FailureModel, successors, q: _Probabilities, root: int, limit: int) -> list[Component] | None:
    """The components that can fail and take ``root`` down, or None when more than ``limit``."""
    if len(model.instance_hosts[root]) > limit:  # its hosts alone are too many (the usual case)
        return None
    found: dict[Component, None] = {}
    seen, stack = {root}, [root]
    while stack:
        node = stack.pop()
        for component in [("node", node), *_places(model, node)]:
            if component not in found and q(component) > 0:
                found[component] = None
                if len(found) > limit:
                    return None
        for nxt in successors[node]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return list(found)


# -- exact and sampled -----------------------------------------------------------------------------


def _exact(model, successors, q, node: int, support: list[Component]):
    """``(value, value, value, contributors())`` by weighing every state of the support."""
    states = Enumerated(model, support, [q(c) for c in support])
    down = down_bits(model, hard_order(successors, [node]), states)[node]
    unavailable = weighted(down, states.weights) if down else 0.0
    value = 100 * (1 - unavailable)

    def contributors():
        if not unavailable:
            return ()
        return _top(model, {c: p / unavailable for c, p in down_with(down, states).items()})

    return value, value, value, contributors


def _sampled(model, successors, q, nodes: list[int], trials: int, seed: int) -> dict:
    """Node -> ``(estimate, low, high, contributors())`` from ``trials`` random trials."""
    sampled = Sampled(model, q, trials, seed)
    down = down_bits(model, hard_order(successors, nodes), sampled)
    results = {}
    for node in nodes:
        failed = down[node].bit_count()
        low, high = wilson_interval(trials - failed, trials)
        explain = (lambda node=node: _sampled_contributors(model, successors, sampled, down, node)) \
            if failed else tuple
        results[node] = (100 * (trials - failed) / trials, 100 * low, 100 * high, explain)
    return results


def _sampled_contributors(model, successors, sampled: Sampled, down: dict[int, int], node: int):
    """Components failed in the largest share of ``node``'s down trials, among its support: the
    software of the node and of its hard dependencies (transitively), and the hosts, racks and
    data centers of those of them whose instances were all down in some of these trials."""
    mine = down[node]
    closure, seen = [node], {node}
    for current in closure:  # grows while it is walked
        for nxt in successors[current]:
            if nxt not in seen:
                seen.add(nxt)
                closure.append(nxt)
    services = [n for n in closure if model.is_service[n]]
    own = sampled.bits
    counts = {("node", n): (own(("node", n)) & mine).bit_count() for n in services}
    for current in services:
        if sampled.placement(current) & mine:
            for component in _places(model, current):
                counts[component] = (own(component) & mine).bit_count()
    total = mine.bit_count()
    return _top(model, {c: n / total for c, n in counts.items() if n})


def _top(model: FailureModel, shares: dict[Component, float]) -> tuple[tuple[str, float], ...]:
    indexes = {"node": model.nodes, "host": model.hosts, "rack": model.racks, "datacenter": model.datacenters}
    named = [(indexes[kind].ids[number], share) for (kind, number), share in shares.items()
             if share >= MIN_SHARE]
    return tuple(sorted(named, key=lambda item: (-item[1], item[0]))[:CONTRIBUTORS])
