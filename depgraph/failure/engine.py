"""The failure engine: what goes down, degrades and loses capacity when components fail (SPEC §2).

A :class:`FailureModel` compiles a Catalog once into integer-indexed arrays: services and clients
("nodes", numbered in sorted id order so sorted indices give sorted ids), hosts with their rack
and data center, every service's instances (hosts, or anonymous instances in a data center), and
every dependency entry as a tuple of alternative node numbers with hard/soft. :func:`simulate`
then answers one "what if these fail" question in time linear in the part of the landscape it
touches: instances lost, then a worklist fixpoint of "down" over the reverse hard edges, then
"degraded" as everything that depends on a down or overloaded service (SPEC §2 and §5: a
service with ``capacity: {min_instances: k}`` that is not down but has fewer than k instances up
is overloaded; it still serves, so nothing goes *down* with it).

>>> from depgraph.model import Catalog, Service, Dependency, Deployment, Host, Datacenter
>>> catalog = Catalog(
...     datacenters={"lon1": Datacenter("lon1")},
...     hosts={"h1": Host("h1", "lon1", rack="a")},
...     services={
...         "db": Service("db", deployments=(Deployment("lon1", hosts=("h1",)),)),
...         "api": Service("api", dependencies=(Dependency(("db",)),)),
...     },
... )
>>> impact = simulate(FailureModel.from_catalog(catalog), ["rack:lon1/a"])
>>> impact.down
('service:api', 'service:db')
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Iterable
from itertools import chain
from dataclasses import dataclass, field

from depgraph.diagnostics import UnknownComponent
from depgraph.model import Catalog, Client, Service



@dataclass(frozen=True, slots=True)
class Impact:
    """The outcome of one failure: sorted ids, never listing the failed components themselves.

    ``reduced`` maps a service id to ``(lost, total)`` instances, ``overloaded`` to ``(up,
    needed)`` instances, both in id order. An overloaded service is never down; one that lost
    instances is in both.
    """

    failed: tuple[str, ...]
    down: tuple[str, ...] = ()
    degraded: tuple[str, ...] = ()
    reduced: dict[str, tuple[int, int]] = field(default_factory=dict)
    overloaded: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: ``simulate(…, spread=True)``: the breadth-first search that found what degrades
    spread: Spread | None = field(default=None, compare=False, repr=False)


class Spread:
    """How a failure spreads along the dependents, nearest first: a breadth-first search from
    the down services (ties by number), then from the overloaded ones for what none of those
    reaches. Per node number: ``root``, the start it was reached from (-1: not reached),
    ``hops`` from it and ``via``, the node it was reached from (-1 for a start). Each node
    reached for the first time takes the root of the node it was reached from; an overloaded
    start not reached otherwise is its own root, at 0 hops, but is not itself reached."""

    __slots__ = ("root", "hops", "via", "reached")

    def __init__(self, dependents, down: Iterable[int], overloaded: Iterable[int] = ()) -> None:
        size = len(dependents)
        self.root, self.hops, self.via = [-1] * size, [0] * size, [-1] * size
        frontier = sorted(down)
        for node in frontier:
            self.root[node] = node
        self.reached: list[int] = list(frontier)  # every node with a root
        self._walk(dependents, frontier)
        self._walk(dependents, sorted(node for node in overloaded if self.root[node] < 0))

    def _walk(self, dependents, frontier: list[int]) -> None:
        root, hops, via, reached = self.root, self.hops, self.via, self.reached
        while frontier:
            level = []
            for node in frontier:
                start, steps = root[node], hops[node] + 1
                if start < 0:
                    start = node
                for dependent in dependents[node]:
                    if root[dependent] < 0:
                        root[dependent] = start
                        hops[dependent] = steps
                        via[dependent] = node
                        level.append(dependent)
            reached += level
            frontier = sorted(level)


@dataclass(slots=True)
class Failure:
    """A resolved set F: node, host, rack and data-center numbers, and the sorted ids."""

    ids: tuple[str, ...]
    nodes: set[int]
    hosts: set[int]
    racks: set[int]
    datacenters: set[int]


class _Index:
    """Ids <-> dense numbers for one kind of component."""

    __slots__ = ("ids", "number")

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.number: dict[str, int] = {}

    def add(self, component_id: str) -> int:
        found = self.number.get(component_id)
        if found is None:
            found = self.number[component_id] = len(self.ids)
            self.ids.append(component_id)
        return found


_INDEXES = ("nodes", "hosts", "racks", "datacenters")
#: id(catalog) -> (weak reference to it, what it held when compiled, its model): FailureModel.of
_COMPILED: dict[int, tuple[weakref.ref, tuple, FailureModel]] = {}


def _contents(catalog: Catalog) -> tuple:
    """What a compiled model reads of ``catalog``: its entities, compared by identity (a tuple
    of references, a millisecond at 200,000 hosts)."""
    return tuple(tuple(entities.values()) for entities in
                 (catalog.services, catalog.clients, catalog.hosts, catalog.datacenters))


class FailureModel:
    """A Catalog compiled for failure questions (see the module docstring for the layout).

    Nodes are services and clients, numbered in sorted id order. Per node: ``entries`` (tuples
    ``(alternatives, hard)``, alternatives deduplicated, empty entries dropped), ``hard_rev``
    (``(dependent, entry number)`` for every hard entry naming it), ``dependents`` (every node
    depending on it, hard or soft), ``instance_hosts`` (host numbers, one per instance),
    ``anonymous`` (``(datacenter, count)`` pairs), ``total`` instances and ``min_instances``
    (0 when the service declares no capacity).
    """

    def __init__(self) -> None:
        self.nodes = _Index()
        self.hosts = _Index()
        self.racks = _Index()
        self.datacenters = _Index()
        self.is_service: list[bool] = []
        self.tier: list[int | None] = []
        self.entries: list[tuple[tuple[tuple[int, ...], bool], ...]] = []
        self.hard_rev: list[list[tuple[int, int]]] = []
        self.dependents: list[list[int]] = []
        self.instance_hosts: list[tuple[int, ...]] = []
        self.anonymous: list[tuple[tuple[int, int], ...]] = []
        self.total: list[int] = []
        self.min_instances: list[int] = []
        self.capacity_nodes: list[int] = []  # the nodes with a min_instances, ascending
        self.host_rack: list[int] = []
        self.host_datacenter: list[int] = []
        self.host_services: list[list[int]] = []
        self.rack_hosts: list[list[int]] = []
        self.datacenter_hosts: list[list[int]] = []
        self.datacenter_anonymous: list[list[tuple[int, int]]] = []

    @classmethod
    def of(cls, catalog: Catalog) -> FailureModel:
        """``catalog`` compiled, once: the model is kept (while the catalog lives) and given
        again as long as the catalog holds the same services, clients, hosts and data centers
        (the same objects: entities are immutable, so replacing, adding or removing one
        compiles afresh). :meth:`from_catalog` always compiles."""
        key = id(catalog)
        seen = _contents(catalog)
        kept = _COMPILED.get(key)
        if kept is not None and kept[0]() is catalog and kept[1] == seen:
            return kept[2]
        model = cls.from_catalog(catalog)
        cls.keep(catalog, model, seen)
        return model

    @staticmethod
    def keep(catalog: Catalog, model: FailureModel, contents: tuple | None = None) -> None:
        """Make ``model`` (compiled from ``catalog`` as it is now) what :meth:`of` gives for it."""
        key = id(catalog)

        def forget(_, key=key) -> None:
            _COMPILED.pop(key, None)

        _COMPILED[key] = (weakref.ref(catalog, forget), contents or _contents(catalog), model)

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> FailureModel:
        model = cls()
        records: list[Service | Client] = sorted([*catalog.services.values(), *catalog.clients.values()],
                                                 key=lambda r: r.id)
        model._add_nodes(records)
        for name in catalog.datacenters:
            model._add_datacenter(name)
        model._add_hosts(catalog.hosts.values())
        model._add_placements(records)
        model._add_dependencies(records)
        return model

    # -- compiling -------------------------------------------------------------------------

    def _add_nodes(self, records) -> None:
        for record in records:
            self.nodes.add(record.id)
            self.is_service.append(record.kind == "service")
            self.tier.append(record.tier if record.kind == "service" else None)
            self.min_instances.append(getattr(record, "min_instances", None) or 0)
            if self.min_instances[-1]:
                self.capacity_nodes.append(len(self.min_instances) - 1)
            self.hard_rev.append([])
            self.dependents.append([])
        self._service_number = {r.name: n for n, r in enumerate(records) if r.kind == "service"}
        self._host_number: dict[str, int] = {}
        self._datacenter_number: dict[str, int] = {}

    def _add_datacenter(self, name: str) -> int:
        number = self._datacenter_number.get(name)
        if number is None:
            number = self._datacenter_number[name] = self.datacenters.add(f"datacenter:{name}")
            self.datacenter_hosts.append([])
            self.datacenter_anonymous.append([])
        return number

    def _add_host(self, name: str, datacenter: str, rack: str | None) -> int:
        number = self._host_number.get(name)
        if number is not None:
            return number
        number = self._host_number[name] = self.hosts.add(f"host:{name}")
        dc = self._add_datacenter(datacenter)
        self.host_datacenter.append(dc)
        self.datacenter_hosts[dc].append(number)
        self.host_services.append([])
        if rack is None:
            self.host_rack.append(-1)
            return number
        rack_number = self.racks.add(f"rack:{datacenter}/{rack}")
        if rack_number == len(self.rack_hosts):
            self.rack_hosts.append([])
        self.host_rack.append(rack_number)
        self.rack_hosts[rack_number].append(number)
        return number

    def _add_hosts(self, hosts) -> None:
        """:meth:`_add_host` for every host of the catalog, with the look-ups kept at hand (a
        landscape of 20,000 services has 100,000-200,000 hosts)."""
        host_number, host_ids, host_index = self._host_number, self.hosts.ids, self.hosts.number
        host_datacenter, host_rack, host_services = self.host_datacenter, self.host_rack, self.host_services
        datacenter_hosts, rack_hosts = self.datacenter_hosts, self.rack_hosts
        dc_number = self._datacenter_number
        racks: dict[tuple[int, str], int] = {}
        for host in hosts:
            name = host.name
            if name in host_number:
                continue
            number = host_number[name] = len(host_ids)
            host_id = "host:" + name
            host_ids.append(host_id)
            host_index[host_id] = number
            dc = dc_number.get(host.datacenter)
            if dc is None:
                dc = self._add_datacenter(host.datacenter)
            host_datacenter.append(dc)
            datacenter_hosts[dc].append(number)
            host_services.append([])
            if host.rack is None:
                host_rack.append(-1)
                continue
            rack_number = racks.get((dc, host.rack))
            if rack_number is None:
                rack_number = racks[dc, host.rack] = self.racks.add(f"rack:{host.datacenter}/{host.rack}")
                if rack_number == len(rack_hosts):
                    rack_hosts.append([])
            host_rack.append(rack_number)
            rack_hosts[rack_number].append(number)

    def _add_placements(self, records) -> None:
        host_number, host_services = self._host_number, self.host_services
        for node, record in enumerate(records):
            hosts: list[int] = []
            anonymous: list[tuple[int, int]] = []
            for deployment in getattr(record, "deployments", ()):
                if deployment.hosts:
                    try:
                        hosts += [host_number[name] for name in deployment.hosts]
                    except KeyError:  # a host named only here
                        hosts += [self._add_host(name, deployment.datacenter, None) for name in deployment.hosts]
                elif deployment.instances > 0:
                    dc = self._add_datacenter(deployment.datacenter)
                    anonymous.append((dc, deployment.instances))
                    self.datacenter_anonymous[dc].append((node, deployment.instances))
            for host in hosts:
                host_services[host].append(node)
            self.instance_hosts.append(tuple(hosts))
            self.anonymous.append(tuple(anonymous))
            self.total.append(len(hosts) + sum(count for _, count in anonymous))

    def _add_dependencies(self, records) -> None:
        number, hard_rev, dependents = self._service_number, self.hard_rev, self.dependents
        for node, record in enumerate(records):
            entries: list[tuple[tuple[int, ...], bool]] = []
            for dependency in record.dependencies:
                targets = dependency.targets
                alternatives: tuple[int, ...]
                if len(targets) == 1 and (single := number.get(targets[0])) is not None:
                    alternatives = (single,)
                else:
                    alternatives = tuple(sorted({number[t] for t in targets if t in number}))
                if not alternatives:
                    continue
                hard = dependency.type == "hard"
                for target in alternatives:
                    if hard:
                        hard_rev[target].append((node, len(entries)))
                    named_by = dependents[target]
                    if not named_by or named_by[-1] != node:
                        named_by.append(node)
                entries.append((alternatives, hard))
            self.entries.append(tuple(entries))

    def derived(self, key: str, catalog: Catalog, build):
        """``build(catalog, self)``, worked out once and kept with the model for that catalog
        (an index the analyses read on every question asked of a warm model, such as the
        ranking of every node). The model never changes once compiled, so neither does what
        is kept; asked with another catalog object, it is worked out again."""
        kept = self.__dict__.setdefault("_derived", {})
        found = kept.get(key)
        if found is None or found[0]() is not catalog:
            found = kept[key] = (weakref.ref(catalog), build(catalog, self))
        return found[1]

    # -- questions ---------------------------------------------------------------------------

    def component_ids(self) -> list[str]:
        """Every component that can fail: services, hosts, racks and data centers."""
        services = [n for n, s in zip(self.nodes.ids, self.is_service) if s]
        return [*services, *self.hosts.ids, *self.racks.ids, *self.datacenters.ids]

    def resolve(self, failed: Iterable[str]) -> Failure:
        """Turn ids (``service:x``, ``host:x``, ``rack:dc/r``, ``datacenter:x``) into numbers.

        Raises UnknownComponent for an id that names no component that can fail.
        """
        result = Failure((), set(), set(), set(), set())
        ids = set()
        for component_id in failed:
            kind = component_id.partition(":")[0]
            index = {"service": self.nodes, "host": self.hosts, "rack": self.racks,
                     "datacenter": self.datacenters}.get(kind)
            number = index.number.get(component_id) if index else None
            if number is None or (kind == "service" and not self.is_service[number]):
                from depgraph.failure.resolve import resolve_component

                resolve_component(self, component_id)  # raises, with a hint
                raise UnknownComponent(f"unknown component '{component_id}'")
            {"service": result.nodes, "host": result.hosts, "rack": result.racks,
             "datacenter": result.datacenters}[kind].add(number)
            ids.add(component_id)
        result.ids = tuple(sorted(ids))
        return result

    def lost_instances(self, failure: Failure) -> dict[int, int]:
        """Node number -> instances down, for every service that lost at least one. A failed data
        center's losses are :meth:`datacenter_lost` (kept with the model); a failed rack or host
        inside it adds nothing more."""
        datacenters, host_datacenter = failure.datacenters, self.host_datacenter
        down_hosts = {host for host in failure.hosts if host_datacenter[host] not in datacenters}
        for rack in failure.racks:
            down_hosts.update(host for host in self.rack_hosts[rack] if host_datacenter[host] not in datacenters)
        lost = Counter(chain.from_iterable(map(self.host_services.__getitem__, down_hosts)))
        for dc in sorted(datacenters):
            lost.update(self.datacenter_lost(dc))  # adds the counts
        return dict(lost)

    def datacenter_lost(self, dc: int) -> dict[int, int]:
        """Node number -> instances in data center ``dc`` (its hosts' and its anonymous ones),
        for every service with one there: what losing it costs, worked out on first use and
        kept with the model (a warm server asks it of every failure naming the data center)."""
        kept = self.__dict__.setdefault("_datacenter_lost", {})
        found = kept.get(dc)
        if found is None:
            counted = Counter(chain.from_iterable(map(self.host_services.__getitem__, self.datacenter_hosts[dc])))
            for node, count in self.datacenter_anonymous[dc]:
                counted[node] += count
            found = kept[dc] = dict(counted)
        return found

    def prepare(self) -> None:
        """Split the reverse hard edges once, for a model that answers many questions (a warm
        server's): ``node -> dependents`` whose hard entry names that node alone, and the
        ``any_of`` ones with their entry and size. :meth:`propagate_down` then spreads a level
        at a time with set operations (a data center that takes 20,000 services down walks
        60,000 edges)."""
        if "_hard_split" in self.__dict__:
            return
        entries = self.entries
        single: list[list[int]] = []
        any_of: dict[int, list[tuple[int, int, int]]] = {}
        for target, reverse in enumerate(self.hard_rev):
            alone = []
            for dependent, entry in reverse:
                size = len(entries[dependent][entry][0])
                if size == 1:
                    alone.append(dependent)
                else:
                    any_of.setdefault(target, []).append((dependent, entry, size))
            single.append(alone)
        self.__dict__["_hard_split"] = (single, any_of, frozenset(any_of))

    def propagate_down(self, initial: Iterable[int]) -> set[int]:
        """The least set holding ``initial`` and every node with a hard entry all of whose
        alternatives are in it (a worklist over the reverse hard edges; by levels once the
        model is prepared, :meth:`prepare`)."""
        split = self.__dict__.get("_hard_split")
        if split is not None:
            return _propagate_by_levels(set(initial), *split)
        down = set(initial)
        stack = list(down)
        remaining: dict[tuple[int, int], int] = {}
        entries, hard_rev = self.entries, self.hard_rev
        while stack:
            for dependent, entry in hard_rev[stack.pop()]:
                if dependent in down:
                    continue
                key = (dependent, entry)
                left = remaining.get(key, len(entries[dependent][entry][0])) - 1
                if left:
                    remaining[key] = left
                else:
                    down.add(dependent)
                    stack.append(dependent)
        return down

    def overloaded(self, lost: dict[int, int], down: set[int]) -> dict[int, int]:
        """Node number -> instances up, for every service not in ``down`` with fewer instances up
        than its ``min_instances`` (with ``lost[n]`` of its instances down)."""
        total, needed = self.total, self.min_instances
        return {node: total[node] - lost.get(node, 0) for node in self.capacity_nodes
                if node not in down and total[node] - lost.get(node, 0) < needed[node]}

    def affected(self, down: Iterable[int], seen: set[int] | None = None) -> set[int]:
        """``down`` and every node that depends on one of them, directly or transitively; with
        ``seen`` (a set already holding every dependent of its nodes), added to it, walking
        none of its nodes again."""
        seen = set() if seen is None else seen
        stack = [node for node in down if node not in seen]
        seen.update(stack)
        dependents = self.dependents
        while stack:
            for dependent in dependents[stack.pop()]:
                if dependent not in seen:
                    seen.add(dependent)
                    stack.append(dependent)
        return seen


def _propagate_by_levels(down: set[int], single: list[list[int]], any_of: dict, has_any_of: frozenset) -> set[int]:
    """:meth:`FailureModel.propagate_down` over the split reverse hard edges: each level's
    dependents named alone go down at once (set operations); an ``any_of`` entry counts its
    alternatives down, and its dependent goes down with the last."""
    frontier: Iterable[int] = list(down)
    remaining: dict[tuple[int, int], int] = {}
    while frontier:
        reached = set(chain.from_iterable(map(single.__getitem__, frontier)))
        reached -= down
        for node in has_any_of.intersection(frontier):
            for dependent, entry, size in any_of[node]:
                if dependent in down or dependent in reached:
                    continue
                key = (dependent, entry)
                left = remaining.get(key, size) - 1
                if left:
                    remaining[key] = left
                else:
                    reached.add(dependent)
        down |= reached
        frontier = reached
    return down


def simulate(model: FailureModel, failed: Iterable[str], capacity: bool = True, spread: bool = False) -> Impact:
    """What goes down, degrades, loses instances and is overloaded when every component in
    ``failed`` fails. With ``capacity=False`` overloaded services are not looked for (and make
    nothing degraded): the SPOF semantics, where only "down" matters. With ``spread``, what
    degrades is found by the breadth-first :class:`Spread` (kept in ``Impact.spread``: why each
    degrades), instead of a plain walk.

    Raises UnknownComponent (with a did-you-mean) for an id that names no component.
    """
    failure = model.resolve(failed)
    lost = model.lost_instances(failure)
    total = model.total
    placed_down = [node for node, count in lost.items() if count == total[node]]
    down = model.propagate_down([*failure.nodes, *placed_down])
    overloaded = model.overloaded(lost, down) if capacity else {}
    found = Spread(model.dependents, down, overloaded) if spread else None
    if found is not None:
        affected = set(found.reached)
    else:
        affected = model.affected(down)
        if overloaded:
            dependents = model.dependents
            model.affected((d for node in overloaded for d in dependents[node]), seen=affected)
    degraded = affected - down
    ids = model.nodes.ids
    # a hub data center's services mostly lose every instance: keep the survivors before sorting
    reduced = {ids[node]: (lost[node], total[node])
               for node in sorted(node for node, count in lost.items() if count < total[node] and node not in down)}
    return Impact(
        failed=failure.ids,
        down=tuple(map(ids.__getitem__, sorted(down - failure.nodes))),
        degraded=tuple(map(ids.__getitem__, sorted(degraded))),
        reduced=reduced,
        overloaded={ids[node]: (up, model.min_instances[node]) for node, up in sorted(overloaded.items())},
        spread=found,
    )
