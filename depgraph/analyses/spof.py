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

from dataclasses import dataclass
from itertools import compress

from depgraph.diagnostics import UsageError, did_you_mean
from depgraph.failure import FailureModel, simulate
from depgraph.findings import Finding
from depgraph.model import Catalog, Location

_BITS = bytes.maketrans(b"01", b"\x00\x01")


@dataclass(frozen=True, slots=True)
class Spof:
    """A component whose failure alone leaves ``down`` down and ``degraded`` degraded."""

    component: str
    down: tuple[str, ...]
    degraded: tuple[str, ...]

    def to_json(self) -> dict:
        return {"component": self.component, "down": list(self.down),
                "degraded": list(self.degraded)}


def single_points_of_failure(catalog: Catalog, model: FailureModel | None = None) -> list[Spof]:
    """Every single point of failure of the catalog, sorted by component id."""
    model = model or FailureModel.from_catalog(catalog)
    starts = {**_service_starts(model), **_placement_starts(model)}
    closure = _Closure(model, {node for nodes in starts.values() for node in nodes})
    spofs = []
    for component in sorted(starts):
        down, degraded = closure.of(starts[component])
        if component.startswith("service:"):
            down = tuple(node_id for node_id in down if node_id != component)
        spofs.append(Spof(component, down, degraded))
    return spofs


def naive_single_points_of_failure(catalog: Catalog) -> list[Spof]:
    """The reference: one full simulation per component (slow; for tests and benchmarks)."""
    model = FailureModel.from_catalog(catalog)
    spofs = []
    for component in sorted(model.component_ids()):
        impact = simulate(model, [component])
        if impact.down:
            spofs.append(Spof(component, impact.down, impact.degraded))
    return spofs


def spofs_for(catalog: Catalog, target: str, spofs: list[Spof] | None = None) -> list[str]:
    """The components whose failure alone takes ``target`` (a service or client id) down.

    >>> from depgraph.model import Catalog, Client, Service, Dependency
    >>> catalog = Catalog(services={"api": Service("api")},
    ...                   clients={"ios": Client("ios", dependencies=(Dependency(("api",)),))})
    >>> spofs_for(catalog, "client:ios")
    ['service:api']
    """
    if catalog.entity(target) is None or not target.startswith(("service:", "client:")):
        known = [*(f"service:{n}" for n in catalog.services),
                 *(f"client:{n}" for n in catalog.clients)]
        raise UsageError(f"unknown service or client '{target}'{did_you_mean(target, known)}")
    spofs = single_points_of_failure(catalog) if spofs is None else spofs
    return [spof.component for spof in spofs if target in spof.down]


def _service_starts(model: FailureModel) -> dict[str, tuple[int, ...]]:
    """Services some dependent needs alone (a hard entry with it as the only alternative)."""
    starts = {}
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
    for node, total in enumerate(model.total):
        if not total:
            continue
        on_hosts = set(model.instance_hosts[node])
        anonymous = model.anonymous[node]
        if not anonymous and len(on_hosts) == 1:
            starts.setdefault(hosts[next(iter(on_hosts))], []).append(node)
        on_racks = {model.host_rack[host] for host in on_hosts}
        if not anonymous and len(on_racks) == 1 and -1 not in on_racks:
            starts.setdefault(racks[on_racks.pop()], []).append(node)
        on_dcs = {model.host_datacenter[host] for host in on_hosts}
        on_dcs.update(dc for dc, _ in anonymous)
        if len(on_dcs) == 1:
            starts.setdefault(dcs[on_dcs.pop()], []).append(node)
    return {component: tuple(nodes) for component, nodes in starts.items()}


class _Closure:
    """Down and degraded ids for a set of services initially down, memoised by that set.

    ``reach[n]`` is a bitset (bit i = node i) of n and everything depending on n, transitively.
    Nodes are numbered in id order, so reading bits upwards gives sorted ids.
    """

    def __init__(self, model: FailureModel, roots: set[int]):
        self.model = model
        self.reach = _reach_bitsets(model.dependents, sorted(roots))
        self.memo: dict[frozenset[int], tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def of(self, initial: tuple[int, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        key = frozenset(initial)
        if key not in self.memo:
            ids = self.model.nodes.ids
            down = self.model.propagate_down(initial)
            affected = 0
            for node in initial:
                affected |= self.reach[node]
            degraded = _bit_positions(affected & ~_bitset(down, len(ids)))
            self.memo[key] = (
                tuple(ids[node] for node in sorted(down)),
                tuple(ids[node] for node in degraded),
            )
        return self.memo[key]


def _bitset(nodes: set[int], size: int) -> int:
    flags = bytearray(size // 8 + 1)
    for node in nodes:
        flags[node >> 3] |= 1 << (node & 7)
    return int.from_bytes(flags, "little")


def _bit_positions(bits: int) -> list[int]:
    """Positions of the set bits, ascending.

    >>> _bit_positions(0b101001)
    [0, 3, 5]
    """
    digits = bin(bits)[:1:-1].encode("ascii").translate(_BITS)
    return list(compress(range(len(digits)), digits))


def _reach_bitsets(successors: list[list[int]], roots: list[int]) -> dict[int, int]:
    """Node -> bitset of itself and every node reachable from it, for the nodes reachable from
    ``roots``: iterative Tarjan, one big-int OR per edge between strongly connected components
    (a component is finished only after every component it reaches)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    reach: dict[int, int] = {}
    for root in roots:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(successors[root]))]
        while work:
            node, pending = work[-1]
            for nxt in pending:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(successors[nxt])))
                    break
                if nxt in on_stack and index[nxt] < low[node]:
                    low[node] = index[nxt]
            else:
                work.pop()
                if work and low[node] < low[work[-1][0]]:
                    low[work[-1][0]] = low[node]
                if low[node] == index[node]:
                    _finish_component(node, successors, stack, on_stack, reach)
    return reach


def _finish_component(head, successors, stack, on_stack, reach) -> None:
    members = []
    while True:
        member = stack.pop()
        on_stack.discard(member)
        members.append(member)
        if member == head:
            break
    bits = 0
    for member in members:
        bits |= 1 << member
    for member in members:
        for nxt in successors[member]:
            bits |= reach.get(nxt, 0)
    for member in members:
        reach[member] = bits


# -- findings --------------------------------------------------------------------------------------

_KIND_WORDS = {"service": "service", "host": "host", "rack": "rack", "datacenter": "data center"}


def spof_findings(catalog: Catalog, spofs: list[Spof]) -> list[Finding]:
    """``spof-infrastructure`` (host, rack, data center) and ``spof-service`` findings.

    Severity: an infrastructure SPOF is an error when it takes down a tier-1 service or a
    client, else a warning; a service SPOF is then a warning, else info. The place is the
    deployment entry of the first service placed there (infrastructure) or the service itself.
    """
    findings = []
    for spof in spofs:
        kind, _, name = spof.component.partition(":")
        down = sorted(spof.down, key=lambda node_id: _importance(catalog, node_id))
        critical = _is_critical(catalog, down[0]) if down else False
        if kind == "service":
            rule, severity = "spof-service", "warning" if critical else "info"
            where = catalog.services[name].source
        else:
            rule, severity = "spof-infrastructure", "error" if critical else "warning"
            where = _placement_source(catalog, spof.component, down)
        message = (f"{_KIND_WORDS[kind]} {name} is a single point of failure: takes down "
                   f"{_some(catalog, down)}")
        if spof.degraded:
            message += f"; {len(spof.degraded)} degraded"
        findings.append(Finding(rule, severity, spof.component, message,
                                where.file if where else None, where.line if where else None,
                                key=(spof.component,), related=spof.down))
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
              for entity in [*catalog.services.values(), *catalog.clients.values()]
              for dep in entity.dependencies if len(set(dep.targets)) > 1]
    wanted = {alternative for _, _, alternatives in groups for alternative in alternatives}
    killers: dict[str, set[str]] = {alternative: {alternative} for alternative in wanted}
    for spof in spofs:
        for node_id in wanted.intersection(spof.down):
            killers[node_id].add(spof.component)
    findings = []
    for entity, dep, alternatives in groups:
        common = set.intersection(*(killers[a] for a in alternatives)) - {entity.id}
        if not common:
            continue
        verb = "each take" if len(common) > 1 else "takes"
        message = (f"any_of [{', '.join(alternatives)}] of {entity.kind} {entity.name} is not "
                   f"redundant: {_listing(sorted(common), 3)} {verb} down every alternative")
        severity = "error" if getattr(entity, "tier", None) == 1 else "warning"
        where = dep.source or entity.source
        findings.append(Finding("false-redundancy", severity, entity.id, message,
                                where.file if where else None, where.line if where else None,
                                key=tuple(alternatives), related=tuple(sorted(common))))
    return findings


def _importance(catalog: Catalog, node_id: str) -> tuple:
    """Sort key: tier-1 services first, then clients, then the other tiers; then by id."""
    entity = catalog.entity(node_id)
    if node_id.startswith("client:"):
        return (1, node_id)
    tier = getattr(entity, "tier", 2)
    return (0 if tier == 1 else tier, node_id)


def _is_critical(catalog: Catalog, node_id: str) -> bool:
    return _importance(catalog, node_id)[0] <= 1


def _some(catalog: Catalog, ordered: list[str]) -> str:
    labelled = [f"{node_id} (tier 1)" if _importance(catalog, node_id)[0] == 0 else node_id
                for node_id in ordered]
    return _listing(labelled, 3)


def _listing(items: list[str], room: int) -> str:
    """``a, b, c`` when they fit in ``room``, else ``a, b and N more``."""
    if len(items) <= room:
        return ", ".join(items)
    return f"{', '.join(items[:room - 1])} and {len(items) - room + 1} more"


def _placement_source(catalog: Catalog, component: str, ordered: list[str]) -> Location | None:
    """The deployment entry (for a host: the host's line in it) of the first service in
    ``ordered`` that has every instance on ``component``."""
    for node_id in ordered:
        service = catalog.services.get(node_id.partition(":")[2]) if node_id.startswith(
            "service:") else None
        if service is None or not service.deployments:
            continue
        places = [_places(catalog, d) for d in service.deployments]
        if all(component in place for place_list in places for place in place_list):
            return _entry_on(service, component, places)
    return None


def _places(catalog: Catalog, deployment) -> list[set[str]]:
    """For each instance of a deployment, the components whose failure takes it down."""
    dc = f"datacenter:{deployment.datacenter}"
    if not deployment.hosts:
        return [{dc}] * deployment.instances
    result = []
    for name in deployment.hosts:
        host = catalog.hosts.get(name)
        result.append({f"host:{name}", dc} | ({host.rack_id} if host and host.rack_id else set()))
    return result


def _entry_on(service, component: str, places) -> Location | None:
    for deployment, place_list in zip(service.deployments, places):
        if component.startswith("host:") and deployment.host_sources:
            for name, source in zip(deployment.hosts, deployment.host_sources):
                if f"host:{name}" == component:
                    return source
        if place_list:
            return deployment.source or service.source
    return service.source
