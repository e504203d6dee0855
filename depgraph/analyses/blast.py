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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from depgraph.analyses.impact import rank_of, urgency
from depgraph.failure.closure import Members
from depgraph.failure.engine import FailureModel, Impact, Spread, simulate
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


class TeamCall(NamedTuple):
    """A team to call (``None``: nobody owns these) with its down and degraded services and
    clients (ranked), how many of them are tier 1 or clients, and its contact. A named tuple:
    a hub's outage calls thousands of teams."""

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
    answer with sorted ids, as the JSON lists them; ``why`` says why each degraded id degrades
    (:attr:`degraded` ranks them all); ``tiers`` gives each service and client its tier
    (``None`` for a client) and owner team id, and ``critical`` how many tier-1 services and
    clients are down and degraded."""

    impact: Impact
    down: tuple[str, ...]
    why: Reasons
    reduced: tuple[tuple[str, int, int], ...]
    teams: tuple[TeamCall, ...]
    tiers: Mapping[str, tuple[int | None, str | None]]
    critical: dict[str, tuple[int, int]]

    @property
    def failed(self) -> tuple[str, ...]:
        return self.impact.failed

    @property
    def degraded(self) -> tuple[Degradation, ...]:
        """Each degraded service and client with why, ranked (worked out on first use; one
        id's alone: ``why.of(id)``)."""
        return self.why.ranked()


def blast_radius(catalog: Catalog, model: FailureModel, failed) -> BlastRadius:
    """The ranked blast radius of failing every component in ``failed`` (ids)."""
    return rank_impact(catalog, model, simulate(model, failed, spread=True))


def rank_impact(catalog: Catalog, model: FailureModel, impact: Impact) -> BlastRadius:
    """:class:`BlastRadius` of an engine answer, ranked by the model's :class:`Urgency` (worked
    out once per model: a hub data center's outage names tens of thousands of ids)."""
    index = Urgency.of(catalog, model)
    number, ids, position = model.nodes.number, model.nodes.ids, index.position
    down = sorted(map(number.__getitem__, impact.down), key=position.__getitem__)
    degraded_nodes = sorted(map(number.__getitem__, impact.degraded), key=position.__getitem__)
    why = Reasons(model, impact, degraded_nodes)
    reduced = tuple(sorted(((service, lost, total) for service, (lost, total) in impact.reduced.items()),
                           key=lambda r: (-r[1] / r[2], position[number[r[0]]])))
    critical = {"down": index.tier1_and_clients(down), "degraded": index.tier1_and_clients(degraded_nodes)}
    return BlastRadius(impact, tuple(map(ids.__getitem__, down)), why, reduced,
                       _calls(index, ids, down, degraded_nodes), Tiers(index, number), critical)


class Urgency:
    """Each service and client of a compiled model (by node number) ranked once: ``position``
    in :func:`~depgraph.analyses.impact.urgency` order, ``urgent`` (a tier-1 service or a
    client), ``tier`` (None for a client) and ``owner`` (team id or None), as the catalog
    declares them; ``team`` numbers the owner in ``teams`` (the owners' ids in order, None
    last), whose ``contacts`` are the declared teams' (None: not declared). :meth:`of` keeps
    it with the model, so every failure asked of a warm model ranks by look-ups instead of
    working out each id's rank again."""

    __slots__ = ("position", "urgent", "tier", "owner", "team", "teams", "contacts")

    def __init__(self, catalog: Catalog, model: FailureModel) -> None:
        services, key = catalog.services, urgency(catalog)
        klass: list[int] = []
        self.tier: list[int | None] = []
        self.owner: list[str | None] = []
        for node_id in model.nodes.ids:
            kind, _, name = node_id.partition(":")
            service = services.get(name) if kind == "service" else None
            if service is not None:
                tier, owner = service.tier, service.owner
                klass.append(rank_of(tier, node_id)[0])
                self.tier.append(tier)
                self.owner.append("team:" + owner if owner else None)
                continue
            klass.append(key(node_id)[0])
            declared, team = _tier_and_owner(catalog, node_id)
            self.tier.append(declared)
            self.owner.append(team)
        # nodes are numbered in id order, so a stable sort by class gives (class, id) order
        order = sorted(range(len(klass)), key=klass.__getitem__)
        self.position = [0] * len(order)
        for place, node in enumerate(order):
            self.position[node] = place
        self.urgent = [rank <= 1 for rank in klass]
        self.teams: list[str | None] = [*sorted({owner for owner in self.owner if owner}), None]
        number = {team_id: place for place, team_id in enumerate(self.teams)}
        self.team = [number[owner] for owner in self.owner]
        found = [catalog.teams.get(team_id[5:]) if team_id else None for team_id in self.teams]
        self.contacts: list[dict | None] = [team.contact if team else None for team in found]

    @classmethod
    def of(cls, catalog: Catalog, model: FailureModel) -> Urgency:
        """The ranking of ``model``'s nodes as ``catalog`` declares them, worked out on first use
        and kept with the model (:meth:`~depgraph.failure.engine.FailureModel.derived`)."""
        return model.derived("urgency", catalog, cls)

    def tier1_and_clients(self, nodes: list[int]) -> tuple[int, int]:
        """How many of ``nodes`` are tier-1 services, and how many clients."""
        tiers = [self.tier[node] for node in nodes]
        return tiers.count(1), tiers.count(None)


class Tiers(Mapping):
    """Service or client id -> ``(tier, owner team id)``, read from an :class:`Urgency`; ``.get``
    of any other id (a failed host, rack or data center) gives the default."""

    __slots__ = ("_index", "_number")

    def __init__(self, index: Urgency, number: dict[str, int]) -> None:
        self._index, self._number = index, number

    def __getitem__(self, node_id: str) -> tuple[int | None, str | None]:
        node = self._number[node_id]
        return self._index.tier[node], self._index.owner[node]

    def __iter__(self):
        return iter(self._number)

    def __len__(self) -> int:
        return len(self._number)


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


def whom_to_call(catalog: Catalog, impact: Impact, model: FailureModel | None = None) -> tuple[TeamCall, ...]:
    """The owners of what is down or degraded: those with tier-1 services or clients down first,
    then most down, then most degraded; nobody (unowned services) last. ``model``: the
    catalog's compiled model, when at hand."""
    return rank_impact(catalog, model or FailureModel.from_catalog(catalog), impact).teams


def _calls(index: Urgency, ids: list[str], down: list[int], degraded: list[int]) -> tuple[TeamCall, ...]:
    """:func:`whom_to_call` of node numbers already in rank order (so each team's lists come
    out ranked). Teams are numbered in id order, nobody last (:class:`Urgency`)."""
    team_of, urgent_node = index.team, index.urgent
    owned: dict[int, tuple[list, ...]] = {}  # ids down, degraded; how many urgent of each
    for column, listed in ((0, down), (1, degraded)):
        for node in listed:
            lists = owned.get(team_of[node])
            if lists is None:
                lists = owned[team_of[node]] = ([], [], [0, 0])
            lists[column].append(ids[node])
            if urgent_node[node]:
                lists[2][column] += 1
    ranked = sorted(owned.items(), key=lambda team: (-team[1][2][0], -len(team[1][0]), -team[1][2][1],
                                                     -len(team[1][1]), team[0]))
    teams, contacts = index.teams, index.contacts
    return tuple(TeamCall(teams[team], tuple(down_ids), tuple(degraded_ids), urgent[0], dict(contacts[team] or {}),
                          declared=contacts[team] is not None)
                 for team, (down_ids, degraded_ids, urgent) in ranked)


def degradation_reasons(model: FailureModel, impact: Impact) -> dict[str, Degradation]:
    """For each degraded id, the dependency it degrades through (:class:`Reasons`)."""
    number = model.nodes.number
    return {reason.service: reason for reason in Reasons(model, impact, [number[d] for d in impact.degraded]).ranked()}


class Reasons:
    """Why each degraded service degrades, read from the failure's
    :class:`~depgraph.failure.engine.Spread` (searched again when the impact came without
    one). Each :class:`Degradation` is made when asked for (:meth:`of`, :meth:`ranked`): an
    answer listing the first hundred of a hub's ten thousand degraded services makes a hundred."""

    __slots__ = ("_model", "_spread", "_failed", "_overloaded", "_degraded", "_ranked")

    def __init__(self, model: FailureModel, impact: Impact, degraded: list[int]) -> None:
        number = model.nodes.number
        self._failed = {number[c] for c in impact.failed if c in number}
        self._overloaded = {number[s] for s in impact.overloaded}
        self._spread = impact.spread or Spread(
            model.dependents, {*self._failed, *(number[d] for d in impact.down)}, self._overloaded)
        self._model = model
        self._degraded = degraded  # node numbers in rank order
        self._ranked: tuple[Degradation, ...] | None = None

    def of(self, node_id: str) -> Degradation:
        """Why the degraded ``node_id`` degrades."""
        return self._reason(self._model.nodes.number[node_id])

    def ranked(self) -> tuple[Degradation, ...]:
        """Every degraded service's and client's reason, most urgent first."""
        if self._ranked is None:
            self._ranked = tuple(map(self._reason, self._degraded))
        return self._ranked

    def _reason(self, node: int) -> Degradation:
        ids, spread = self._model.nodes.ids, self._spread
        root, parent = spread.root[node], spread.via[node]
        return Degradation(ids[node], ids[parent], _edge(self._model, node, parent), ids[root], spread.hops[node],
                           root in self._failed, root in self._overloaded)  # overloaded is never down


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
