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
from typing import NamedTuple

from depgraph.failure.engine import FailureModel
from depgraph.failure.trials import (
    Component, Enumerated, Forced, Sampled, down_bits, down_with, forced_down, hard_order, hard_successors,
    placed_on, weighted,
)
from depgraph.analyses.findings import Cause, Finding
from depgraph.model import Catalog

DEFAULTS = {"datacenter": 99.95, "rack": 99.9, "host": 99.5, "service": 99.95}
DEFAULT_TRIALS = 10_000
DEFAULT_SEED = 0
EXACT_LIMIT = 16  # components that can fail, at most, for an exact answer (2**16 states)
CONTRIBUTORS = 5
MIN_SHARE = 0.01  # a component failed in fewer of the down trials than this costs nothing to speak of
Z95 = 1.959963984540054  # the 97.5% quantile of the standard normal distribution


class Contributor(NamedTuple):
    """A component that costs an entity: ``share`` of its down time in which the component was
    failed, its 95% interval ``low``..``high`` (equal when exact), and its ``rank``: 1 + the
    number of contributors surely ahead of it, so contributors the estimate cannot tell apart
    share a rank."""

    component: str
    share: float
    low: float
    high: float
    rank: int = 1

    def to_json(self) -> dict:
        return {"component": self.component, "share": round(self.share, 4), "low": round(self.low, 4),
                "high": round(self.high, 4), "rank": self.rank}


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
    contributors: tuple[Contributor, ...] = ()

    @property
    def infeasible(self) -> bool:
        """The objective lies above the interval: even the optimistic end misses it."""
        return self.slo is not None and self.high < self.slo

    def to_json(self) -> dict:
        return {"id": self.id, "availability": round(self.availability, 6), "low": round(self.low, 6),
                "high": round(self.high, 6), "slo": self.slo, "exact": self.exact,
                "contributors": [c.to_json() for c in self.contributors]}


@dataclass(frozen=True)
class AvailabilityReport:
    """Estimates sorted by id, the findings, and what they were computed with."""

    trials: int
    seed: int
    defaults: dict[str, float]
    estimates: list[Estimate]
    findings: list[Finding] = field(default_factory=list)
    #: the entities asked about by name (``availability ID``), answered first and alone
    focus: tuple[str, ...] = ()
    #: an objective asked about (``--slo``): could the focused entities meet it?
    asked_slo: float | None = None

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
                        explain=(), exact_limit: int = EXACT_LIMIT, contributors_for=None,
                        focus=(), asked_slo: float | None = None) -> AvailabilityReport:
    """Estimate every service and client (or only ``targets``, ids). Contributors go to the
    services with an slo or of tier 1 and to the ids in ``explain``; ``contributors_for`` (ids,
    or a test of an :class:`Estimate`) replaces that choice (``()``: none, which is faster).
    ``focus``: ids asked about by name: only they are estimated, each with its contributors, and
    ``asked_slo`` (percent) stands in for their own ``slo``.
    Raises ValueError for ``trials`` < 1."""
    if focus:
        targets, explain, contributors_for = sorted(set(focus)), focus, None
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
    asked = set(focus) if asked_slo is not None else set()
    for n in nodes:
        # An exact estimate's tables (2**m states) are used here and dropped: its contributors
        # are worked out at once when wanted, so memory stays linear in the entities estimated.
        support = supports[n]
        value = estimates.pop(n) if support is None else _exact(model, successors, q, n, support)
        node_id = model.nodes.ids[n]
        estimate = Estimate(node_id, value[0], value[1], value[2],
                            slo=asked_slo if node_id in asked else _objective(catalog, model, n),
                            tier=model.tier[n], exact=support is not None)
        results.append(replace(estimate, contributors=value[3]()) if wanted(estimate) else estimate)
    report = AvailabilityReport(trials, seed, defaults, results, focus=tuple(focus), asked_slo=asked_slo)
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
            cost = describe_contributors(estimate.contributors[:3])
            message = (f"{estimate.id} promises {estimate.slo:g}% but is at most {estimate.high:.3f}% "
                       f"available (estimate {estimate.availability:.3f}%"
                       + ("" if estimate.exact else f", 95% interval {estimate.low:.3f}–{estimate.high:.3f}%")
                       + ")" + (f"; down most with {cost}" if cost else ""))
            cause = Cause("availability", f"it is down most with {cost}" if cost else
                          "its parts are not available enough together",
                          {"contributors": [c.to_json() for c in estimate.contributors]})
            findings.append(Finding("slo-infeasible", "error", estimate.id, message,
                                    where.file if where else None, where.line if where else None, cause=cause))
        need = one_more_nine(estimate.slo)
        for target, source in _sole_hard(service).items():
            dependency = by_id.get(f"service:{target}")
            if dependency is None or round(dependency.availability, 4) >= need:
                continue
            message = (f"{estimate.id} (slo {estimate.slo:g}%) needs service:{target} alone (a hard "
                       f"dependency without alternatives), which is {dependency.availability:.3f}% available; "
                       f"it should offer one more nine than the objective: {need:g}%")
            place = source or where
            cause = Cause("dependency", f"{estimate.id} is down whenever service:{target} is, and service:{target} "
                          f"is {dependency.availability:.3f}% available, below {need:g}%",
                          {"path": [estimate.id, f"service:{target}"], "availability": round(dependency.availability, 6),
                           "needed": need})
            findings.append(Finding("extra-nine", "warning", estimate.id, message,
                                    place.file if place else None, place.line if place else None,
                                    key=(f"service:{target}",), related=(f"service:{target}",), cause=cause))
    return findings


def describe_contributors(contributors) -> str:
    """``rack:lon1/b 40% (31–52%), then service:payments 20% (15–26%) = datacenter:lon1 20% (…)``:
    in rank order, ``=`` between contributors the estimate cannot tell apart; no interval when
    exact."""
    parts = []
    for i, c in enumerate(contributors):
        interval = "" if round(c.low, 2) == round(c.high, 2) else f" ({c.low * 100:.0f}–{c.high:.0%})"
        joint = "" if not i else " = " if c.rank == contributors[i - 1].rank else ", then "
        parts.append(f"{joint}{c.component} {c.share:.0%}{interval}")
    return "".join(parts)


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
        return _top(model, {c: (p / unavailable,) * 5 for c, p in down_with(down, states).items()})

    return value, value, value, contributors


def _sampled(model, successors, q, nodes: list[int], trials: int, seed: int) -> dict:
    """Node -> ``(estimate, low, high, contributors())`` from ``trials`` random trials."""
    sampled = Sampled(model, q, trials, seed)
    order = hard_order(successors, nodes)
    down = down_bits(model, order, sampled)
    cycle = {member: i for i, members in enumerate(order) if len(members) > 1 for member in members}
    counted: dict = {}  # counted contributors shared by the members of one hard cycle (below)
    results = {}
    for node in nodes:
        failed = down[node].bit_count()
        low, high = wilson_interval(trials - failed, trials)
        explain = (lambda node=node: _contributors_of(model, successors, q, sampled, down, node,
                                                      (cycle.get(node, -1 - node), counted))) \
            if failed else tuple
        results[node] = (100 * (trials - failed) / trials, 100 * low, 100 * high, explain)
    return results


#: A node's contributors are estimated by Bayes' rule, each candidate forced down
#: (:func:`_forced_contributors`), in a landscape of at most this many services and clients,
#: and in any landscape when its down trials are fewer than :data:`COUNTED_FROM`; otherwise
#: (thousands of entities with many down trials each, where forcing every candidate of each
#: would cost minutes at 20,000 services) counted in its down trials (the share of them in
#: which each was failed, with its Wilson interval, at most ±10 points), the ranking still
#: only as far as those intervals allow.
FORCED_LANDSCAPE = 2_000
COUNTED_FROM = 100


def _contributors_of(model, successors, q, sampled: Sampled, down: dict[int, int], node: int,
                     shared: tuple[int, dict] | None = None):
    """What costs ``node`` most, each with its 95% interval, by counting its down trials where
    they are many, else by Bayes' rule. ``shared``: the number of the node's hard cycle and the
    counted answers found so far: members of one cycle depend on the same services, so where
    they are down in the same trials their counted contributors are the same (in a hard ring of
    8,000 each would walk all 8,000 again)."""
    mine = down[node]
    total = mine.bit_count()
    counting = total >= COUNTED_FROM and len(model.nodes.ids) > FORCED_LANDSCAPE
    shared = shared or (-1 - node, {})
    key = (shared[0], mine)
    if counting and key in shared[1]:
        return shared[1][key]
    closure, seen = [node], {node}
    for current in closure:  # grows while it is walked
        for nxt in successors[current]:
            if nxt not in seen:
                seen.add(nxt)
                closure.append(nxt)
    services = [n for n in closure if model.is_service[n]]
    candidates = {("node", n) for n in services}
    for n in services:
        if sampled.placement(n) & mine:
            candidates.update(_places(model, n))
    if not counting:
        return _forced_contributors(model, successors, q, sampled, down, node, candidates)
    own = sampled.bits
    counts = {c: n for c in candidates if (n := (own(c) & mine).bit_count())}
    shares = {}
    for component in sorted(counts, key=lambda c: (-counts[c], c))[:CONTRIBUTORS]:
        low, high = wilson_interval(counts[component], total)
        shares[component] = (counts[component] / total, low, high, low, high)
    shared[1][key] = _top(model, shares)
    return shared[1][key]


def _forced_contributors(model, successors, q, sampled: Sampled, down: dict[int, int], node: int,
                         candidates: set[Component]):
    """What costs ``node`` most, by Bayes' rule rather than by counting its few down trials:
    share(c) = P(c failed and node down) / P(node down), the numerator q(c) · P(node down | c
    failed), estimated on the same trials with c forced down (a large, well-estimated
    probability for what matters), the denominator stratified on the components whose failure
    alone takes the node down (their probability is known; only the rest is counted).

    ``candidates`` (the node's support: its own and its hard dependencies' software; the hosts,
    racks and data centers of those whose every instance was down in one of its down trials) are
    taken from the largest upper bound of P(c failed and node down) (95%, from the trials in
    which both happened), until that bound falls below the lower end of the fifth contributor
    found (or of a share of :data:`MIN_SHARE`)."""
    trials, mine = sampled.trials, down[node]
    order = hard_order(successors, [node])
    position = {member: i for i, members in enumerate(order) for member in members}
    places = {n: placed_on(model, n) for n in position}
    bound = {c: min(q(c), wilson_interval((sampled.bits(c) & mine).bit_count(), trials)[1])
             for c in candidates if q(c) > 0}
    floor = MIN_SHARE * wilson_interval(mine.bit_count(), trials)[0]
    hits: dict[Component, int] = {}
    lows: list[float] = []
    for component in sorted(bound, key=lambda c: (-bound[c], c)):
        if bound[component] < max(floor, lows[CONTRIBUTORS - 1] if len(lows) >= CONTRIBUTORS else 0):
            break
        trials_forced = Forced(sampled, component, places)
        changed = forced_down(model, order, position, trials_forced, down, trials_forced.changed)
        count = hits[component] = changed.get(node, mine).bit_count()
        lows = sorted([*lows, q(component) * wilson_interval(count, trials)[0]], reverse=True)
    # P(node down), stratified: the components whose failure alone takes it down (down in every
    # forced trial) fail with a known probability; only the rest is counted in the trials
    sure = [c for c, n in hits.items() if n == trials]
    rest = mine
    for component in sure:
        rest &= ~sampled.bits(component)
    known = 1 - math.prod(1 - q(c) for c in sure)
    residual = rest.bit_count()
    estimate = known + residual / trials
    down_low, down_high = (known + end for end in wilson_interval(residual, trials))
    shares = {}
    for component, count in hits.items():
        low, high = wilson_interval(count, trials)
        weight = q(component)
        # the share's interval holds both estimates' errors; the ranking only the numerator's
        # (the denominator is the same for every contributor of the node)
        shares[component] = (min(1.0, weight * count / trials / estimate), min(1.0, weight * low / down_high),
                             min(1.0, weight * high / down_low), weight * low / estimate,
                             weight * high / estimate)
    return _top(model, shares)


def _top(model: FailureModel, shares: dict[Component, tuple[float, float, float, float, float]]
         ) -> tuple[Contributor, ...]:
    """The largest shares (at least :data:`MIN_SHARE`, at most :data:`CONTRIBUTORS`), each
    ``(share, low, high, rank low, rank high)``: ranked behind only those whose ranking interval
    lies wholly above its own."""
    indexes = {"node": model.nodes, "host": model.hosts, "rack": model.racks, "datacenter": model.datacenters}
    named = sorted(((indexes[kind].ids[number], *share) for (kind, number), share in shares.items()
                    if share[0] >= MIN_SHARE), key=lambda item: (-item[1], item[0]))[:CONTRIBUTORS]
    return tuple(Contributor(name, share, low, high, 1 + sum(1 for other in named if other[4] > top))
                 for name, share, low, high, _, top in named)
