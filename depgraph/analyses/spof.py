"""Single points of failure: every service, host, rack and data center whose loss alone takes a
service or client down (SPEC §2), found without one simulation per component.

Only components that are the *last* place of some service can start a cascade: a host, rack or
data center matters iff it holds every instance of at least one service, and a service matters
iff some dependent has a hard entry naming it alone. Each such component starts from a small set
of services down; the failure engine propagates "down" from it, and "degraded" is read off a
bitset of everything that depends on each service, computed once over the strongly connected
components of the reverse dependency graph (Tarjan) and shared by all components.

>>> from depgraph.model import Catalog, Service, Dependency, Deployment, Host
>>> catalog = Catalog(
...     hosts={"h1": Host("h1", "lon1"), "h2": Host("h2", "lon1")},
...     services={
...         "db": Service("db", deployments=(Deployment("lon1", hosts=("h1",)),)),
...         "api": Service("api", deployments=(Deployment("lon1", hosts=("h1", "h2")),),
...                        dependencies=(Dependency(("db",)),)),
...     },
... )
>>> [(s.component, s.down) for s in single_points_of_failure(catalog)]
[('datacenter:lon1', ('service:api', 'service:db')), ('host:h1', ('service:api', 'service:db')), ('service:db', ('service:api',))]
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice

from depgraph.failure.closure import Closure, Members, bitset, mask_of
from depgraph.failure.engine import FailureModel
from depgraph.analyses import causes
from depgraph.analyses.causes import spof_cause
from depgraph.analyses.findings import Cause, Finding
from depgraph.analyses.impact import rank_of, ranks
from depgraph.model import Catalog, Location

@dataclass(frozen=True, slots=True)
class Spof:
    """A component whose failure alone leaves ``down`` down and ``degraded_count`` services and
    clients degraded. ``down`` reads as a sorted tuple of ids but is kept as a bitset
    (:class:`~depgraph.failure.closure.Members`): in a hard ring every member takes down all
    the others, and lists of ids would grow with the ring's square. The degraded ids are not
    kept at all (``blast-radius`` lists them for one component)."""

    component: str
    down: Sequence[str]
    degraded_count: int
    #: what falls first: the services with every instance on the component, or the service
    first: tuple[str, ...] = field(default=(), compare=False)
    #: why the most urgent of ``down`` falls (:mod:`depgraph.analyses.causes`)
    cause: Cause | None = field(default=None, compare=False)

    @property
    def down_count(self) -> int:
        return len(self.down)

    def to_json(self) -> dict:
        return {"component": self.component, "down": list(self.down), "down_count": len(self.down),
                "degraded_count": self.degraded_count,
                "cause": self.cause.to_json() if self.cause else None}


def single_points_of_failure(catalog: Catalog, model: FailureModel | None = None) -> list[Spof]:
    """Every single point of failure of the catalog, sorted by component id."""
    model = model or FailureModel.from_catalog(catalog)
    starts = {**_service_starts(model), **_placement_starts(model)}
    closure = Closure(model)
    classes = urgency_classes(model)
    memo: dict[tuple[int, ...], tuple[int, int]] = {}
    spofs = []
    for component in sorted(starts):
        initial = starts[component]
        if initial not in memo:
            memo[initial] = closure.of(initial)
        bits, degraded = memo[initial]
        # a failed service is not listed as down (SPEC §2); services placed on a host are
        down = Members(bits, model.nodes, 1 << initial[0] if component.startswith("service:") else 0)
        first = tuple(model.nodes.ids[node] for node in initial)
        cause = (spof_cause(model, component, first, down, _most_urgent(down, classes), closure.cycle)
                 if down else None)
        spofs.append(Spof(component, down, degraded, first, cause))
    return spofs


def urgency_classes(model: FailureModel) -> list[int]:
    """Bitsets of the nodes of each :func:`~depgraph.analyses.impact.urgency` class (tier 1,
    clients, tier 2, tier 3), the most urgent first; within one, the lowest bit is the first id."""
    classes: dict[int, list[int]] = {}
    for node, (service, tier) in enumerate(zip(model.is_service, model.tier)):
        classes.setdefault(rank_of(tier if service else None, "")[0], []).append(node)
    return [bitset(classes[order], len(model.is_service)) for order in sorted(classes)]


def _most_urgent(down: Members, classes: list[int]) -> str:
    return next(found for mask in classes if (found := down.lowest(mask)) is not None)


def _service_starts(model: FailureModel) -> dict[str, tuple[int, ...]]:
    """Services some dependent needs alone (a hard entry with it as the only alternative)."""
    starts: dict[str, tuple[int, ...]] = {}
    for node, node_id in enumerate(model.nodes.ids):
        for dependent, entry in model.hard_rev[node]:
            if len(model.entries[dependent][entry][0]) == 1:
                starts[node_id] = (node,)
                break
    return starts


def _placement_starts(model: FailureModel) -> dict[str, tuple[int, ...]]:
    """Host, rack and data-center ids -> the services that have every instance there."""
    starts: dict[str, list[int]] = {}
    hosts, racks, dcs = model.hosts.ids, model.racks.ids, model.datacenters.ids
    rack_of, datacenter_of = model.host_rack.__getitem__, model.host_datacenter.__getitem__
    for node, total in enumerate(model.total):
        if not total:
            continue
        on_hosts = set(model.instance_hosts[node])
        anonymous = model.anonymous[node]
        if not anonymous and len(on_hosts) == 1:
            starts.setdefault(hosts[next(iter(on_hosts))], []).append(node)
        on_racks = set(map(rack_of, on_hosts))
        if not anonymous and len(on_racks) == 1 and -1 not in on_racks:
            starts.setdefault(racks[on_racks.pop()], []).append(node)
        on_dcs = set(map(datacenter_of, on_hosts))
        on_dcs.update(dc for dc, _ in anonymous)
        if len(on_dcs) == 1:
            starts.setdefault(dcs[on_dcs.pop()], []).append(node)
    return {component: tuple(nodes) for component, nodes in starts.items()}


# -- findings --------------------------------------------------------------------------------------

_KIND_WORDS = {"service": "service", "host": "host", "rack": "rack", "datacenter": "data center"}


def spof_findings(catalog: Catalog, spofs: list[Spof]) -> list[Finding]:
    """``spof-infrastructure`` (host, rack, data center) and ``spof-service`` findings.

    Severity: an infrastructure SPOF is an error when it takes down a tier-1 service or a
    client, else a warning; a service SPOF is then a warning, else info. The place is the
    deployment entry of the first service placed there (infrastructure) or the service itself.
    """
    rank = ranks(catalog)
    by_order: dict[int, set[str]] = {}
    for node_id, (order, _) in rank.items():
        by_order.setdefault(order, set()).add(node_id)
    classes = [by_order[order] for order in sorted(by_order)]
    masks: dict[int, list[int]] = {}  # the classes as bitsets, per node index of Members
    findings = []
    for spof in spofs:
        kind, _, name = spof.component.partition(":")
        if isinstance(spof.down, Members):
            nodes = spof.down.nodes
            if id(nodes) not in masks:
                masks[id(nodes)] = [mask_of(nodes, members) for members in classes]
            down = _most_important(spof.down, masks[id(nodes)], 3)
        else:
            down = _most_important(spof.down, classes, 3)
        critical = bool(down) and rank[down[0]][0] <= 1
        if kind == "service":
            rule, severity = "spof-service", "warning" if critical else "info"
            where = catalog.services[name].source
        else:
            rule, severity = "spof-infrastructure", "error" if critical else "warning"
            where = _placement_source(catalog, spof, rank)
        shown = [f"{n} (tier 1)" if rank[n][0] == 0 else n for n in down]
        message = (f"{_KIND_WORDS[kind]} {name} is a single point of failure: takes down "
                   f"{_listing(shown, 3, len(spof.down))}")
        if spof.degraded_count:
            message += f"; {spof.degraded_count} degraded"
        findings.append(Finding(rule, severity, spof.component, message,
                                where.file if where else None, where.line if where else None,
                                key=(spof.component,), related=spof.down, cause=spof.cause))
    return findings


def false_redundancy_findings(catalog: Catalog, model: FailureModel | None = None,
                              spofs: list[Spof] | None = None) -> list[Finding]:
    """``false-redundancy``: an any_of entry whose alternatives all fall with one component
    (a data center, rack or host holding each of them, or a service they all need).

    A warning, or an error when the dependent is a tier-1 service; placed at the entry.
    """
    if spofs is None:
        spofs = single_points_of_failure(catalog, model)
    groups = [(entity, dep, sorted({f"service:{t}" for t in dep.targets}))
              for entity in catalog.services_and_clients()
              for dep in entity.dependencies if len(set(dep.targets)) > 1]
    wanted = {alternative for _, _, alternatives in groups for alternative in alternatives}
    killers: dict[str, set[str]] = {alternative: {alternative} for alternative in wanted}
    by_component = {}
    wanted_bits: dict[int, int] = {}  # per node index of Members
    for spof in spofs:
        if isinstance(spof.down, Members):
            nodes = spof.down.nodes
            if id(nodes) not in wanted_bits:
                wanted_bits[id(nodes)] = mask_of(nodes, wanted)
            hit: Iterable[str] = spof.down.first(len(wanted), wanted_bits[id(nodes)])
        else:
            hit = wanted.intersection(spof.down)
        for node_id in hit:
            killers[node_id].add(spof.component)
            by_component[spof.component] = spof
    model = model or FailureModel.from_catalog(catalog)
    findings: list[Finding] = []
    fallen: dict = {}
    for entity, dep, alternatives in groups:
        common = set.intersection(*(killers[a] for a in alternatives)) - {entity.id}
        if not common:
            continue
        verb = "each take" if len(common) > 1 else "takes"
        message = (f"any_of [{', '.join(alternatives)}] of {entity.kind} {entity.name} is not "
                   f"redundant: {_listing(sorted(common), 3)} {verb} down every alternative")
        severity = "error" if getattr(entity, "tier", None) == 1 else "warning"
        where = dep.source or entity.source
        cause = _shared_cause(model, alternatives, min(common), by_component, fallen)
        findings.append(Finding("false-redundancy", severity, entity.id, message,
                                where.file if where else None, where.line if where else None,
                                key=tuple(alternatives), related=tuple(sorted(common)), cause=cause))
    return findings


def _shared_cause(model: FailureModel, alternatives: list[str], shared: str,
                  by_component: dict[str, Spof], fallen: dict[str, tuple[Container[str], set[str]]]) -> Cause:
    """Why every alternative falls with ``shared`` (a SPOF, or one of the alternatives);
    ``fallen``: each SPOF's down set and the set of what falls first with it, made once for
    every finding it explains."""
    spof = by_component.get(shared)
    if spof is not None and shared not in fallen:
        fallen[shared] = (spof.down if isinstance(spof.down, Members) else set(spof.down), set(spof.first))
    reasons = {}
    for alternative in alternatives:
        if alternative == shared:
            continue
        if spof is None:  # shared is an alternative the others need, and no SPOF of anyone else
            down = {a for a in alternatives if a != shared}
            path = causes.hard_path(model, alternative, {shared}, down) or [alternative]
            reasons[alternative] = Cause("dependency", f"{alternative} needs {shared}: {' -> '.join(path)}",
                                         {"path": path})
        else:
            casualties, first = fallen[shared]
            reasons[alternative] = causes.falls_with(model, shared, first, casualties, alternative,
                                                     every_placement=False)
    text = f"every alternative falls with {shared}: " + "; ".join(r.text for r in reasons.values())
    return Cause("shared", text, {"component": shared,
                                  "alternatives": {a: r.to_json() for a, r in reasons.items()}})


def _most_important(ids: Sequence[str], classes: list[set[str]] | list[int], count: int) -> list[str]:
    """The first ``count`` of ``ids`` (sorted) taking the classes in order: tier 1, clients, …
    (as bitsets when ``ids`` are :class:`~depgraph.failure.closure.Members`)"""
    picked: list[str] = []
    for members in classes:
        if isinstance(members, int):
            picked += ids.first(count - len(picked), members)  # type: ignore[attr-defined]
        else:
            picked += islice(filter(members.__contains__, ids), count - len(picked))
        if len(picked) == count:
            break
    return picked


def _listing(items: list[str], room: int, total: int | None = None) -> str:
    """``a, b, c`` when all ``total`` fit in ``room``, else ``a, b and N more``."""
    total = len(items) if total is None else total
    if total <= room:
        return ", ".join(items[:total])
    return f"{', '.join(items[:room - 1])} and {total - room + 1} more"


def _placement_source(catalog: Catalog, spof: Spof, rank) -> Location | None:
    """Where the first service (in ``rank`` order) with every instance on the component is
    deployed: the host's line in the deployment for a host, else the deployment entry."""
    kind, _, name = spof.component.partition(":")
    for node_id in sorted(spof.first, key=rank.__getitem__):
        service = catalog.services[node_id.partition(":")[2]]
        for deployment in service.deployments:
            if kind == "host":
                for host, source in zip(deployment.hosts, deployment.host_sources):
                    if host == name:
                        return source
            elif kind == "datacenter" and deployment.datacenter == name:
                return deployment.source or service.source
            elif kind == "rack" and any(_rack_of(catalog, h) == spof.component
                                        for h in deployment.hosts):
                return deployment.source or service.source
        return service.source
    return None


def _rack_of(catalog: Catalog, host: str) -> str | None:
    record = catalog.hosts.get(host)
    return record.rack_id if record else None
