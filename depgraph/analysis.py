"""The analysis stage: every analysis run once over a catalog, gathered in one :class:`Report`.

``analyze(catalog)`` builds the failure model and the dependency graph once, hands them to each
analysis (pure functions in ``depgraph/analyses/``) and ranks what they found once
(:mod:`depgraph.analyses.impact`): findings, single points of failure, cycles, and for each data
center its outage with whom to call. Every reporter reads this record and nothing else, so text,
Markdown, JSON, SARIF and the HTML report rank and count alike. Nothing here prints or reads
files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx

from depgraph.analyses import cycles as cycle_analysis
from depgraph.analyses import ownership, readiness
from depgraph.analyses.availability import AvailabilityReport, availability_findings, availability_report
from depgraph.analyses.blast import BlastRadius, blast_radius, capacity_effects
from depgraph.analyses.capacity import CapacityReport, capacity_findings, capacity_report
from depgraph.analyses.impact import RankedSpof, ranked_findings, ranked_spofs
from depgraph.analyses.paths import dependency_graph
from depgraph.analyses.recovery import RecoveryDefaults, RecoveryResult, recovery, rto_findings
from depgraph.analyses.spof import false_redundancy_findings, single_points_of_failure, spof_findings
from depgraph.analyses.startup import StartupOrder, startup_order
from depgraph.failure.engine import FailureModel
from depgraph.analyses.findings import SEVERITIES, Finding
from depgraph.model import Catalog

SCHEMA = "depgraph/analysis/v1"


@dataclass(frozen=True)
class Outage:
    """A whole data center going dark: its hosts and racks, and the ranked blast radius."""

    datacenter: str
    hosts: int
    racks: int
    radius: BlastRadius


@dataclass(frozen=True)
class Report:
    """Everything ``depgraph analyze`` found, ranked once (see the module docstring).

    ``cycles``: hard first, then biggest, then by members; ``spofs``: the worst first;
    ``findings``: by severity, rule, then the rank of their subject; ``counts``: the headline
    numbers every format prints; ``capacity``: every data center's loss and the provisioning
    plan; ``outages``: each data center's ranked blast radius, and ``availability``: the
    estimate of every service and client, both when asked for (what the HTML page draws);
    ``spof_capacity``: for each host and rack that is a SPOF, what else its loss costs
    (``(reduced, overloaded)`` of :func:`~depgraph.analyses.blast.capacity_effects`);
    ``recovery``: the cold start's ready times and critical paths (SPEC §6).
    """

    catalog: Catalog
    model: FailureModel
    cycles: list[cycle_analysis.Cycle]
    team_cycles: list[cycle_analysis.GroupCycle]
    tribe_cycles: list[cycle_analysis.GroupCycle]
    spofs: list[RankedSpof]
    unowned: list[ownership.Unowned]
    spof_concentration: dict[str, list[ownership.Concentration]]
    scorecards: list[readiness.Scorecard]
    readiness_rollups: dict[str, list[readiness.Rollup]]
    startup: StartupOrder
    findings: list[Finding]
    capacity: CapacityReport
    outages: list[Outage] | None = None
    availability: AvailabilityReport | None = None
    spof_capacity: dict[str, tuple[dict, dict]] = field(default_factory=dict)
    recovery: RecoveryResult | None = None
    counts: dict = field(default_factory=dict)
    built_graph: nx.DiGraph | None = field(default=None, repr=False, compare=False)

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The dependency graph (the diagrams read it): the one the analysis built (a Report
        made without one builds it when read)."""
        return self.built_graph if self.built_graph is not None else dependency_graph(self.catalog)

    def count(self, severity: str) -> int:
        return self.counts["findings_by_severity"][severity]

    def of_severity(self, severity: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == severity]


def analyze(catalog: Catalog, availability_defaults: dict[str, float] | None = None, *,
            for_page: bool = False, recovery_defaults: RecoveryDefaults | None = None) -> Report:
    """Run every analysis on ``catalog`` once and rank the results; ``availability_defaults``:
    the policy's ``availability:`` section, for the availability findings; ``recovery_defaults``:
    its ``recovery:`` section, for the cold start and ``rto-exceeded``. ``for_page`` also
    works out what only the HTML page draws: the availability of every service and client and
    each data center's ranked outage (at 20,000 services as much again as the rest of the
    analysis, so ``analyze``, ``check`` and ``diff`` do only what their findings need)."""
    shape = structure(catalog)
    model = FailureModel.from_catalog(catalog)
    spofs = single_points_of_failure(catalog, model)
    ranked = ranked_spofs(catalog, spofs)
    unowned = ownership.unowned_services(catalog)
    cards = readiness.scorecards(catalog, spofs)
    capacity = capacity_report(catalog, model)
    cold_start = recovery(catalog, model=model, defaults=recovery_defaults)
    # Every estimate once when asked for (contributors only where an objective cannot be met,
    # as the findings need), else just those the findings need: each estimate is the same.
    estimates = (availability_report(catalog, model, defaults=availability_defaults,
                                     contributors_for=lambda estimate: estimate.infeasible)
                 if for_page else None)
    mine = [
        *spof_findings(catalog, spofs),
        *false_redundancy_findings(catalog, model, spofs),
        *ownership.ownership_findings(catalog, unowned),
        *readiness.readiness_findings(catalog, cards),
        *capacity_findings(catalog, model, capacity.plan),
        *rto_findings(catalog, cold_start, recovery_defaults),
        *(estimates.findings if estimates else availability_findings(catalog, model, availability_defaults)),
    ]
    report = Report(
        catalog=catalog,
        model=model,
        cycles=sorted(shape.cycles, key=lambda c: (not c.hard, -len(c.members), c.members)),
        team_cycles=shape.team_cycles,
        tribe_cycles=shape.tribe_cycles,
        spofs=ranked,
        unowned=unowned,
        spof_concentration=ownership.spof_concentration(catalog, spofs),
        scorecards=cards,
        readiness_rollups=readiness.rollups(catalog, cards),
        startup=shape.startup,
        findings=ranked_findings([*shape.findings, *mine], ranked),
        capacity=capacity,
        outages=datacenter_outages(catalog, model) if for_page else None,
        availability=estimates,
        spof_capacity={s.component: capacity_effects(model, s.component, s.down) for s in ranked
                       if s.kind in ("host", "rack")},
        recovery=cold_start,
        built_graph=shape.graph,
    )
    report.counts.update(_counts(report))
    return report


@dataclass(frozen=True)
class Structure:
    """What the dependency graph's shape gives: cycles (of services, teams, tribes), the
    start-up order and their findings, and the graph they were read from."""

    cycles: list[cycle_analysis.Cycle]
    team_cycles: list[cycle_analysis.GroupCycle]
    tribe_cycles: list[cycle_analysis.GroupCycle]
    startup: StartupOrder
    findings: list[Finding]
    graph: nx.DiGraph


def structure(catalog: Catalog) -> Structure:
    """The analyses that read the dependency graph, not the failure model."""
    graph = dependency_graph(catalog)
    cycles = cycle_analysis.dependency_cycles(catalog, graph)
    teams, tribes = cycle_analysis.group_cycles(catalog, graph)
    findings = [*cycle_analysis.cycle_findings(cycles, graph),
                *cycle_analysis.group_cycle_findings(catalog, teams, tribes)]
    return Structure(cycles, teams, tribes, startup_order(catalog, cycles), findings, graph)


def datacenter_outages(catalog: Catalog, model: FailureModel) -> list[Outage]:
    """The blast radius of each data center (declared, or named by a host), by name."""
    hosts: dict[str, int] = {}
    for host in catalog.hosts.values():
        hosts[host.datacenter] = hosts.get(host.datacenter, 0) + 1
    racks: dict[str, int] = {}
    for rack_id in catalog.racks():
        dc = rack_id[5:].split("/", 1)[0]
        racks[dc] = racks.get(dc, 0) + 1
    return [Outage(f"datacenter:{name}", hosts.get(name, 0), racks.get(name, 0),
                   blast_radius(catalog, model, [f"datacenter:{name}"]))
            for name in sorted({*catalog.datacenters, *hosts})
            if f"datacenter:{name}" in model.datacenters.number]


def _counts(report: Report) -> dict:
    """Headline counts: entities, dependencies (one per dependent and target named in an
    entry, as the graph's depends_on edges), findings in all, per severity and per rule."""
    catalog = report.catalog
    dependents = catalog.services_and_clients()
    by_rule: dict[str, dict[str, int]] = {severity: {} for severity in SEVERITIES}
    for finding in report.findings:
        rules = by_rule.setdefault(finding.severity, {})
        rules[finding.rule] = rules.get(finding.rule, 0) + 1
    return {
        "services": len(catalog.services),
        "clients": len(catalog.clients),
        "hosts": len(catalog.hosts),
        "racks": len(report.model.racks.ids),  # each named once, as in catalog.racks()
        "datacenters": len(catalog.datacenters),
        "teams": len(catalog.teams),
        "tribes": len({team.tribe for team in catalog.teams.values() if team.tribe}),
        "dependencies": sum(len(d.targets) for e in dependents for d in e.dependencies),
        "findings": len(report.findings),
        "findings_by_severity": {severity: sum(by_rule[severity].values()) for severity in SEVERITIES},
        "findings_by_rule": {severity: dict(sorted(rules.items())) for severity, rules in by_rule.items()},
        "cycles": len(report.cycles),
        "hard_cycles": sum(1 for cycle in report.cycles if cycle.hard),
        "spofs": len(report.spofs),
        "unowned": len(report.unowned),
    }
