"""The blast radius of a failure, ranked for the person who must act on it at 3 a.m.

:func:`blast_radius` runs the failure engine once (SPEC §2) and orders its answer: whom to call
first (teams with tier-1 services or clients down first, with their contacts), what is down
(by :func:`~depgraph.analyses.impact.urgency`), what degrades and *why* (the dependency it
degrades through, its type, and the nearest down service it leads to), and what lost capacity,
biggest loss first. ``blast-radius`` in every format and the HTML report's outage panels read
this one record.

>>> from depgraph.model import Catalog, Service, Dependency, Deployment, Host, Datacenter, Team
>>> catalog = Catalog(
...     datacenters={"lon1": Datacenter("lon1")},
...     hosts={"h1": Host("h1", "lon1")},
...     teams={"core": Team("core", contact={"pager": "core-oncall"})},
...     services={
...         "db": Service("db", owner="core", deployments=(Deployment("lon1", hosts=("h1",)),)),
...         "api": Service("api", tier=1, owner="core", dependencies=(Dependency(("db",), "soft"),)),
...     },
... )
>>> radius = blast_radius(catalog, FailureModel.from_catalog(catalog), ["host:h1"])
>>> radius.down, [d.reason() for d in radius.degraded]
(('service:db',), ['soft dependency on service:db, which is down'])
>>> [(t.team, t.down, t.degraded) for t in radius.teams]
[('team:core', ('service:db',), ('service:api',))]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from depgraph.analyses.impact import rank_of, urgency
from depgraph.failure.closure import Members
from depgraph.failure.engine import FailureModel, Impact, simulate
from depgraph.model import Catalog, Service


class Degradation(NamedTuple):
    """Why ``service`` degrades: its ``edge`` (``hard``, ``soft`` or ``any_of``) on ``via``,
    which is down or degraded itself, leading in ``hops`` steps to ``root``, a service that is
    down (or failed). A named tuple: a hub's outage has tens of thousands (a third of the cost
    of a frozen dataclass each)."""

    service: str
    via: str
    edge: str
    root: str
    hops: int
    root_failed: bool = False
    root_overloaded: bool = False

    def reason(self) -> str:
        """One line: the dependency it degrades through and where that leads.

        >>> Degradation("client:ios", "service:api", "soft", "service:db", 3).reason()
        'soft dependency on service:api, which degrades: 3 hops from service:db (down)'
        """
        edge = "alternative in an any_of" if self.edge == "any_of" else f"{self.edge} dependency"
        state = "failed" if self.root_failed else "overloaded" if self.root_overloaded else "down"
        if self.hops <= 1:
            return f"{edge} on {self.via}, which is {state}"
        return f"{edge} on {self.via}, which degrades: {self.hops} hops from {self.root} ({state})"


@dataclass(frozen=True, slots=True)
class TeamCall:
    """A team to call (``None``: nobody owns these) with its down and degraded services and
    clients (ranked), how many of them are tier 1 or clients, and its contact."""

    team: str | None
    down: tuple[str, ...]
    degraded: tuple[str, ...]
    critical_down: int
    contact: dict
    declared: bool = True

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(sorted(self.down + self.degraded))


@dataclass(frozen=True, slots=True)
class BlastRadius:
    """The ranked outcome of one failure (see the module docstring). ``impact`` is the engine's
    answer with sorted ids, as the JSON lists them; ``tiers`` gives each id listed its tier
    (``None`` for a client) and owner team id, and ``critical`` how many tier-1 services and
    clients are down and degraded."""

    impact: Impact
    down: tuple[str, ...]
    degraded: tuple[Degradation, ...]
    reduced: tuple[tuple[str, int, int], ...]
    teams: tuple[TeamCall, ...]
    tiers: dict[str, tuple[int | None, str | None]]
    critical: dict[str, tuple[int, int]]

    @property
    def failed(self) -> tuple[str, ...]:
        return self.impact.failed


def blast_radius(catalog: Catalog, model: FailureModel, failed) -> BlastRadius:
    """The ranked blast radius of failing every component in ``failed`` (ids)."""
    return rank_impact(catalog, model, simulate(model, failed))


def rank_impact(catalog: Catalog, model: FailureModel, impact: Impact) -> BlastRadius:
    """:class:`BlastRadius` of an engine answer (each id's rank computed once: a hub data
    center's outage names tens of thousands)."""
    listed = (*impact.failed, *impact.down, *impact.degraded, *impact.reduced, *impact.overloaded)
    rank, tiers = _rank_and_tiers(catalog, listed)
    down, degraded_ids = sorted(impact.down, key=rank.__getitem__), sorted(impact.degraded, key=rank.__getitem__)
    degraded = tuple(map(degradation_reasons(model, impact).__getitem__, degraded_ids))
    reduced = tuple(sorted(((service, lost, total) for service, (lost, total) in impact.reduced.items()),
                           key=lambda r: (-r[1] / r[2], rank[r[0]])))
    critical = {"down": _tier1_and_clients(tiers, impact.down),
                "degraded": _tier1_and_clients(tiers, impact.degraded)}
    return BlastRadius(impact, tuple(down), degraded, reduced, _calls(catalog, down, degraded_ids, rank, tiers),
                       tiers, critical)


def _rank_and_tiers(catalog: Catalog, ids) -> tuple[dict, dict]:
    """Each id's :func:`~depgraph.analyses.impact.urgency` and its tier and owner team id
    (:func:`_tier_and_owner`), with one look-up per service id."""
    services, key = catalog.services, urgency(catalog)
    rank, tiers = {}, {}
    for node_id in ids:
        kind, _, name = node_id.partition(":")
        service = services.get(name) if kind == "service" else None
        if service is None:
            rank[node_id], tiers[node_id] = key(node_id), _tier_and_owner(catalog, node_id)
            continue
        tier, owner = service.tier, service.owner
        rank[node_id] = rank_of(tier, node_id)
        tiers[node_id] = (tier, "team:" + owner if owner else None)
    return rank, tiers


def capacity_effects(model: FailureModel, component: str, down) -> tuple[dict, dict]:
    """``(reduced, overloaded)`` when ``component`` fails alone and takes ``down`` (ids) with it,
    as :func:`~depgraph.failure.engine.simulate` reports them (``{service: (lost, total)}``,
    ``{service: (up, needed)}``), without working out what degrades: cheap for each of the
    hosts and racks that are single points of failure."""
    failure = model.resolve([component])
    lost = model.lost_instances(failure)
    ids, total = model.nodes.ids, model.total
    # only the few services that lost instances are looked up in it (Members answer at once)
    down_ids = down if isinstance(down, Members) else frozenset(down)
    gone = {n for n in (*lost, *model.capacity_nodes) if ids[n] in down_ids} | set(failure.nodes)
    reduced = {ids[n]: (count, total[n]) for n, count in sorted(lost.items()) if n not in gone and count < total[n]}
    overloaded = {ids[n]: (up, model.min_instances[n]) for n, up in sorted(model.overloaded(lost, gone).items())}
    return reduced, overloaded


def _tier1_and_clients(tiers: dict, ids) -> tuple[int, int]:
    tier1 = sum(1 for node_id in ids if tiers[node_id][0] == 1)
    return tier1, sum(1 for node_id in ids if tiers[node_id][0] is None)


def whom_to_call(catalog: Catalog, impact: Impact, rank: dict | None = None,
                 tiers: dict | None = None) -> tuple[TeamCall, ...]:
    """The owners of what is down or degraded: those with tier-1 services or clients down first,
    then most down, then most degraded; nobody (unowned services) last. ``rank`` (each id's
    :func:`~depgraph.analyses.impact.urgency`) and ``tiers`` (its tier and owner), when known."""
    if rank is None or tiers is None:
        rank, tiers = _rank_and_tiers(catalog, (*impact.down, *impact.degraded))
    return _calls(catalog, sorted(impact.down, key=rank.__getitem__), sorted(impact.degraded, key=rank.__getitem__),
                  rank, tiers)


def _calls(catalog: Catalog, down_ranked: list[str], degraded_ranked: list[str], rank: dict,
           tiers: dict) -> tuple[TeamCall, ...]:
    """:func:`whom_to_call` of ids already in rank order (so each team's lists come out ranked)."""
    owned: dict[str | None, tuple[list[str], list[str]]] = {}
    urgent: dict[str | None, list[int]] = {}  # tier-1 services and clients down, and degraded
    for column, listed in ((0, down_ranked), (1, degraded_ranked)):
        for node_id in listed:
            team_id = tiers[node_id][1]
            lists = owned.get(team_id)
            if lists is None:
                lists = owned[team_id] = ([], [])
                urgent[team_id] = [0, 0]
            lists[column].append(node_id)
            if rank[node_id][0] <= 1:
                urgent[team_id][column] += 1
    calls, urgent_degraded = [], {}
    for team_id, (down, degraded) in owned.items():
        team = catalog.teams.get(team_id[5:]) if team_id else None
        calls.append(TeamCall(team_id, tuple(down), tuple(degraded), urgent[team_id][0],
                              dict(team.contact) if team else {}, declared=team is not None))
        urgent_degraded[team_id] = urgent[team_id][1]
    calls.sort(key=lambda t: (-t.critical_down, -len(t.down), -urgent_degraded[t.team], -len(t.degraded),
                              t.team is None, t.team or ""))
    return tuple(calls)


def degradation_reasons(model: FailureModel, impact: Impact) -> dict[str, Degradation]:
    """For each degraded id, the dependency it degrades through: a breadth-first search from
    the down and failed services along their dependents, nearest first (ties by id), then from
    the overloaded services for what none of those reaches."""
    number, ids = model.nodes.number, model.nodes.ids
    failed = {number[c] for c in impact.failed if c in number}
    frontier = sorted({*failed, *(number[d] for d in impact.down)})
    root = {node: node for node in frontier}
    hops = {node: 0 for node in frontier}
    via: dict[int, int] = {}
    _reach(model.dependents, frontier, root, hops, via)
    overloaded = {number[s] for s in impact.overloaded}
    # an overloaded service is its own start, and one reached from another gets a reason too
    _reach(model.dependents, sorted(overloaded - root.keys()), root, hops, via)
    reasons = {}
    for node_id in impact.degraded:
        node = number[node_id]
        parent = via[node]
        reasons[node_id] = Degradation(node_id, ids[parent], _edge(model, node, parent), ids[root[node]],
                                       hops[node], root[node] in failed,
                                       root[node] in overloaded)  # overloaded is never down
    return reasons


def _reach(dependents, frontier: list[int], root: dict, hops: dict, via: dict) -> None:
    """Breadth first from ``frontier`` along ``dependents``, nearest first (ties by number): a
    node reached for the first time gets the root of the node it was reached from (a start not
    yet rooted is its own, at 0 hops), one hop more, and that node as ``via``."""
    while frontier:
        reached = []
        for node in frontier:
            start, steps = root.get(node, node), hops.get(node, 0) + 1
            for dependent in dependents[node]:
                if dependent not in root:
                    root[dependent] = start
                    hops[dependent] = steps
                    via[dependent] = node
                    reached.append(dependent)
        frontier = sorted(reached)


def _edge(model: FailureModel, dependent: int, target: int) -> str:
    """The strongest entry of ``dependent`` naming ``target``: hard, then any_of, then soft."""
    found = "soft"
    for alternatives, hard in model.entries[dependent]:
        if hard and target in alternatives:
            if len(alternatives) == 1:
                return "hard"
            found = "any_of"
    return found


def _tier_and_owner(catalog: Catalog, node_id: str) -> tuple[int | None, str | None]:
    """A service's tier (None for a client or a host, rack, data center) and owner team id."""
    entity = catalog.dependent(node_id)
    if entity is None:
        return None, None
    return (entity.tier if isinstance(entity, Service) else None), (f"team:{entity.owner}" if entity.owner else None)
