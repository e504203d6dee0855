"""The one ranking every output shares: what matters most when something breaks.

A service or client ranks by :func:`urgency`: tier-1 services first, then clients (the apps our
users hold), then tiers 2 and 3, then by id. A single point of failure ranks by what it takes
down: most tier-1 services and clients first, then most down, then most degraded. Findings rank
by severity, then rule, then the impact of their subject. Text, Markdown, JSON, the HTML report
and ``blast-radius`` all read these orders from the Report; none sorts on its own.

>>> from depgraph.model import Catalog, Client, Service
>>> catalog = Catalog(services={"db": Service("db", tier=3), "api": Service("api", tier=1)},
...                   clients={"ios": Client("ios")})
>>> sorted(["service:db", "client:ios", "service:api"], key=urgency(catalog))
['service:api', 'client:ios', 'service:db']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from depgraph.analyses.findings import SEVERITY_RANK, Cause, Finding
from depgraph.failure.closure import Members, mask_of
from depgraph.model import Catalog


def rank_of(tier: int | None, node_id: str) -> tuple[int, str]:
    """The urgency of one id: a service's ``tier``, or ``None`` for a client. The one ranking
    rule; :func:`urgency` and :func:`ranks` apply it, and the HTML page reads its order."""
    return (1 if tier is None else 0 if tier == 1 else tier, node_id)


def urgency(catalog: Catalog):
    """A sort key for service and client ids: tier 1, then clients, then tiers 2 and 3; then id."""
    services, clients = catalog.services, catalog.clients

    def key(node_id: str) -> tuple[int, str]:
        kind, _, name = node_id.partition(":")
        if kind == "client" or name in clients and name not in services:
            return rank_of(None, node_id)
        service = services.get(name)
        return rank_of(service.tier if service is not None else 3, node_id)

    return key


def ranks(catalog: Catalog) -> dict[str, tuple[int, str]]:
    """Every service's and client's :func:`urgency`, computed once."""
    rank = {client.id: rank_of(None, client.id) for client in catalog.clients.values()}
    rank.update((service.id, rank_of(service.tier, service.id)) for service in catalog.services.values())
    return rank


@dataclass(frozen=True, slots=True)
class RankedSpof:
    """A single point of failure with the counts it is ranked by."""

    component: str
    down: Sequence[str]  # sorted ids (a bitset's Members from the analysis)
    degraded_count: int
    tier1_down: int
    clients_down: int
    #: what falls first (the services wholly on the component, or the service itself)
    first: tuple[str, ...] = ()
    #: why the most urgent of ``down`` falls
    cause: Cause | None = None

    @property
    def kind(self) -> str:
        return self.component.partition(":")[0]

    @property
    def down_count(self) -> int:
        return len(self.down)

    def sort_key(self) -> tuple:
        return (-(self.tier1_down + self.clients_down), -len(self.down), -self.degraded_count, self.component)

    def to_json(self, down_limit: int = 0) -> dict:
        """SPEC §4's entry; with ``down_limit`` > 0, ``down`` holds at most that many ids (the
        first in order), ``down_count`` still counts them all and ``down_truncated`` says so."""
        return {"component": self.component, **listed_ids("down", self.down, down_limit),
                "degraded_count": self.degraded_count, "tier1_down": self.tier1_down,
                "clients_down": self.clients_down,
                "cause": self.cause.to_json() if self.cause else None}


def listed_ids(key: str, ids, limit: int = 0) -> dict:
    """``{key: the first `limit` ids (all when 0), key_count: how many, key_truncated: whether
    some were left out}``: how a document lists a set of ids that can hold thousands."""
    listed = ids[:limit] if limit else ids
    return {key: list(listed), f"{key}_count": len(ids), f"{key}_truncated": len(listed) < len(ids)}


def ranked_spofs(catalog: Catalog, spofs) -> list[RankedSpof]:
    """Every SPOF, the worst first: most tier-1 services and clients down, then most down, then
    most degraded, then by id.

    >>> from depgraph.model import Catalog, Service, Dependency
    >>> from depgraph.analyses.spof import single_points_of_failure
    >>> catalog = Catalog(services={
    ...     "db": Service("db"), "cache": Service("cache"),
    ...     "api": Service("api", tier=1, dependencies=(Dependency(("db",)),)),
    ...     "batch": Service("batch", tier=3, dependencies=(Dependency(("cache",)),)),
    ...     "report": Service("report", tier=3, dependencies=(Dependency(("cache",)),))})
    >>> [s.component for s in ranked_spofs(catalog, single_points_of_failure(catalog))]
    ['service:db', 'service:cache']
    """
    tier1 = {service.id for service in catalog.services.values() if service.tier == 1}
    masks: dict[int, tuple[int, int]] = {}  # (tier 1, clients) as bitsets, per node index
    ranked = []
    for spof in spofs:
        down = spof.down
        if isinstance(down, Members):  # counted in bitsets: a ring's every member downs all
            if id(down.nodes) not in masks:
                masks[id(down.nodes)] = (mask_of(down.nodes, tier1),
                                         mask_of(down.nodes, (c.id for c in catalog.clients.values())))
            tier1_down, clients = (down.within(mask) for mask in masks[id(down.nodes)])
        else:
            down = tuple(down)
            tier1_down = len(tier1.intersection(down))
            clients = sum(1 for node in down if node.startswith("client:"))
        ranked.append(RankedSpof(spof.component, down, spof.degraded_count, tier1_down, clients,
                                 tuple(spof.first), spof.cause))
    return sorted(ranked, key=RankedSpof.sort_key)


def ranked_findings(findings, spofs: list[RankedSpof]) -> list[Finding]:
    """Findings by severity, then rule, then the rank of their subject among the SPOFs (the
    worst first), then subject and fingerprint."""
    position = {spof.component: index for index, spof in enumerate(spofs)}
    unranked = len(position)
    return sorted(findings, key=lambda f: (SEVERITY_RANK.get(f.severity, 9), f.rule,
                                           position.get(f.subject, unranked), f.subject, f.message,
                                           f.fingerprint))
