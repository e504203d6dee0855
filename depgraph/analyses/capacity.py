"""Can we lose a data center? Capacity after the loss of each data center (or rack), and the
fewest instances to add so that every single data-center loss is survivable (SPEC §5).

Losing a component X applies SPEC §2 with F = {X}: services with every instance in X go down
(and what hard-depends on them), services that keep fewer instances than their
``capacity: {min_instances: k}`` are *overloaded*. X is survivable iff nothing is either.

The plan is arithmetic per service. With ``m_d`` instances in data center d after adding and
``M`` in all, losing d leaves ``M - m_d``; every loss is survivable iff ``m_d <= M - k`` for
every d. The fewest instances to add (:func:`provisioning_plan`) therefore make

    M = max(T, max_d n_d + k, ceil(D * k / (D - 1)))

(T instances today, n_d of them in d, D data centers to choose from), and place them without
putting more than ``M - k`` in any one data center: first where the service runs already, then
in the other data centers, in name order. A service in one data center needs a second; with
one data center in the landscape no plan exists.

>>> from depgraph.model import Catalog, Datacenter, Deployment, Service
>>> catalog = Catalog(
...     datacenters={"lon1": Datacenter("lon1"), "sto1": Datacenter("sto1")},
...     services={"api": Service("api", min_instances=3, deployments=(
...         Deployment("lon1", instances=3), Deployment("sto1", instances=1)))})
>>> report = capacity_report(catalog)
>>> [(loss.component, loss.survivable, loss.overloaded) for loss in report.datacenters]
[('datacenter:lon1', False, (('service:api', 1, 3),)), ('datacenter:sto1', True, ())]
>>> [(item.service, item.add) for item in report.plan]
[('service:api', {'datacenter:sto1': 2})]
"""

from __future__ import annotations

from dataclasses import dataclass, field

from depgraph.failure.engine import Failure, FailureModel
from depgraph.analyses.findings import Cause, Finding
from depgraph.model import Catalog


@dataclass(frozen=True, slots=True)
class Loss:
    """What the loss of one data center or rack does: ``down`` ids (services and clients) and
    ``overloaded`` as ``(service, up, needed)``, both sorted by id."""

    component: str
    down: tuple[str, ...] = ()
    overloaded: tuple[tuple[str, int, int], ...] = ()

    @property
    def survivable(self) -> bool:
        return not (self.down or self.overloaded)

    def to_json(self, key: str = "datacenter") -> dict:
        return {key: self.component, "survivable": self.survivable, "down": list(self.down),
                "overloaded": [{"service": s, "up": up, "needed": needed}
                               for s, up, needed in self.overloaded]}


@dataclass(frozen=True, slots=True)
class PlanItem:
    """A service some single data-center loss leaves with fewer than ``needed`` instances:
    ``instances`` per data center today, ``add`` per data center (ids, sorted). ``feasible`` is
    false when the landscape has a single data center: no placement survives its loss."""

    service: str
    needed: int
    instances: dict[str, int]
    add: dict[str, int]
    feasible: bool = True

    @property
    def total_added(self) -> int:
        return sum(self.add.values())

    def to_json(self) -> dict:
        return {"service": self.service, "needed": self.needed, "instances": dict(self.instances),
                "add": dict(self.add), "feasible": self.feasible}


@dataclass(frozen=True, slots=True)
class CapacityReport:
    """Every data center's loss (and every rack's, when asked), the plan, and the services
    overloaded with nothing failed (``(service, up, needed)``)."""

    datacenters: list[Loss]
    plan: list[PlanItem]
    overloaded_now: tuple[tuple[str, int, int], ...] = ()
    racks: list[Loss] = field(default_factory=list)


def capacity_report(catalog: Catalog, model: FailureModel | None = None,
                    racks: bool = False) -> CapacityReport:
    """The loss of every data center (and rack, with ``racks``), and the provisioning plan."""
    model = model or FailureModel.from_catalog(catalog)
    now = loss_of(model, Failure((), set(), set(), set(), set()))
    return CapacityReport(
        datacenters=[loss_of(model, _failure(model, dc=number))
                     for number in _by_id(model.datacenters.ids)],
        plan=provisioning_plans(model),
        overloaded_now=now.overloaded,
        racks=[loss_of(model, _failure(model, rack=number))
               for number in _by_id(model.racks.ids)] if racks else [],
    )


def loss_of(model: FailureModel, failure: Failure) -> Loss:
    """SPEC §2 for one failure, without the degraded set (not needed here, and the costly part)."""
    lost = model.lost_instances(failure)
    total = model.total
    down = model.propagate_down([*failure.nodes, *(n for n, c in lost.items() if c == total[n])])
    ids, needed = model.nodes.ids, model.min_instances
    overloaded = model.overloaded(lost, down)
    return Loss(
        component=failure.ids[0] if failure.ids else "",
        down=tuple(ids[n] for n in sorted(down - failure.nodes)),
        overloaded=tuple((ids[n], up, needed[n]) for n, up in sorted(overloaded.items())),
    )


def instances_per_datacenter(model: FailureModel, node: int) -> dict[int, int]:
    """Data-center number -> instances of the node there (hosts, and anonymous instances)."""
    counts: dict[int, int] = {}
    for host in model.instance_hosts[node]:
        dc = model.host_datacenter[host]
        counts[dc] = counts.get(dc, 0) + 1
    for dc, count in model.anonymous[node]:
        counts[dc] = counts.get(dc, 0) + count
    return counts


def provisioning_plans(model: FailureModel) -> list[PlanItem]:
    """One :class:`PlanItem` per service with a ``min_instances`` that some single data-center
    loss leaves with fewer instances up (down or overloaded), sorted by service id."""
    dc_ids = model.datacenters.ids
    names = sorted(dc_ids)
    plan = []
    for node in model.capacity_nodes:
        needed = model.min_instances[node]
        counts = {dc_ids[dc]: count for dc, count in instances_per_datacenter(model, node).items()}
        add = provisioning_plan(counts, needed, names)
        if add == {}:
            continue
        plan.append(PlanItem(model.nodes.ids[node], needed, dict(sorted(counts.items())),
                             add or {}, feasible=add is not None))
    return plan


def provisioning_plan(counts: dict[str, int], needed: int, datacenters: list[str]) -> dict[str, int] | None:
    """The fewest instances to add, per data center, so that losing any one of ``datacenters``
    leaves at least ``needed`` of the instances (``counts``: data center -> instances today).

    ``{}`` when every loss is survivable already; None when no plan exists (one data center).

    >>> provisioning_plan({"lon1": 4}, 4, ["ash1", "lon1", "sto1"])  # a second data center
    {'ash1': 4}
    >>> provisioning_plan({"lon1": 3, "sto1": 3}, 4, ["ash1", "lon1", "sto1"])
    {'ash1': 1}
    >>> provisioning_plan({"lon1": 2, "sto1": 1}, 4, ["lon1", "sto1"])
    {'lon1': 2, 'sto1': 3}
    >>> provisioning_plan({"lon1": 4, "sto1": 4}, 4, ["lon1", "sto1"])
    {}
    """
    places = sorted(set(datacenters) | set(counts))
    if len(places) < 2:
        return None
    total = sum(counts.values())
    have = {dc: counts.get(dc, 0) for dc in places}
    if all(total - have[dc] >= needed for dc in places):
        return {}
    size = max(total, max(have.values()) + needed, -(-len(places) * needed // (len(places) - 1)))
    room = size - needed  # the most instances any one data center may hold
    missing = size - total
    add: dict[str, int] = {}
    for dc in sorted(places, key=lambda d: (have[d] == 0, d)):  # where it runs first
        take = min(room - have[dc], missing)
        if take > 0:
            add[dc] = take
            missing -= take
    return dict(sorted(add.items()))


# -- findings --------------------------------------------------------------------------------------


def capacity_findings(catalog: Catalog, model: FailureModel | None = None,
                      plans: list[PlanItem] | None = None) -> list[Finding]:
    """``overloaded`` (error): fewer instances than ``min_instances`` with nothing failed;
    ``capacity-loss`` (warning): some single data-center loss leaves fewer than it needs up.

    ``capacity-loss`` is a warning: an overloaded service still serves (slower, shedding load),
    and a whole data center going dark is rare; ``rules: {capacity-loss: error}`` in the policy
    makes it block. Both are placed at the service. Only the plan is worked out (no loss is
    simulated), so a landscape without ``min_instances`` costs nothing. ``plans``: the
    :func:`provisioning_plans` already made (by :func:`capacity_report`).
    """
    model = model or FailureModel.from_catalog(catalog)
    datacenters = sorted(model.datacenters.ids)
    findings = []
    for item in provisioning_plans(model) if plans is None else plans:
        total = sum(item.instances.values())
        if total < item.needed:
            message = (f"{item.service} has {total} instance{'s' if total != 1 else ''} but needs "
                       f"{item.needed} up at peak (capacity.min_instances): it is overloaded with "
                       "nothing failed" + _plan_text(item))
            cause = Cause("capacity", f"{total} instance{'s' if total != 1 else ''} in all, {item.needed} needed",
                          {"instances": dict(sorted(item.instances.items())), "needed": item.needed})
            findings.append(_finding(catalog, "overloaded", "error", item.service, message, (), cause))
            continue
        losses = [(dc, total - item.instances.get(dc, 0)) for dc in datacenters
                  if total - item.instances.get(dc, 0) < item.needed]
        left = ", ".join(f"{dc} leaves {up}" for dc, up in losses)
        message = f"{item.service} needs {item.needed} instances up at peak; losing {left}" + _plan_text(item)
        cause = Cause("capacity", f"{left}, fewer than the {item.needed} needed",
                      {"instances": dict(sorted(item.instances.items())), "needed": item.needed,
                       "left_up": {dc: up for dc, up in losses}})
        findings.append(_finding(catalog, "capacity-loss", "warning", item.service, message,
                                 tuple(dc for dc, _ in losses), cause))
    return findings


def _plan_text(item: PlanItem | None) -> str:
    if item is None:
        return ""
    if not item.feasible:
        return "; no placement survives the loss of the only data center"
    return "; add " + ", ".join(f"{n} in {dc.partition(':')[2]}" for dc, n in item.add.items())


def _finding(catalog: Catalog, rule: str, severity: str, service: str, message: str,
             key: tuple[str, ...], cause: Cause | None = None) -> Finding:
    record = catalog.entity(service)
    where = record.source if record is not None else None
    return Finding(rule, severity, service, message, where.file if where else None,
                   where.line if where else None, key=key, related=key, cause=cause)


def _failure(model: FailureModel, dc: int | None = None, rack: int | None = None) -> Failure:
    if dc is not None:
        return Failure((model.datacenters.ids[dc],), set(), set(), set(), {dc})
    if rack is None:
        raise ValueError("a failure needs a data center or a rack")
    return Failure((model.racks.ids[rack],), set(), set(), {rack}, set())


def _by_id(ids: list[str]) -> list[int]:
    return sorted(range(len(ids)), key=ids.__getitem__)
