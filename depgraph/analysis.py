"""One analysis of a catalog: every analysis run once, gathered in an :class:`Analysis` record.

``analyze(catalog)`` builds the failure model and the dependency graph once and hands them to
each analysis; ``analysis_to_json`` is the ``depgraph/analysis/v1`` document (SPEC §4) that
``analyze --format json``, ``report`` and the reporters read. Nothing here prints or reads files.
"""

from __future__ import annotations

from dataclasses import dataclass

from depgraph.analyses import cycles as cycle_analysis
from depgraph.analyses import ownership, readiness
from depgraph.analyses.availability import availability_findings
from depgraph.analyses.capacity import capacity_findings
from depgraph.analyses.paths import dependency_graph
from depgraph.analyses.spof import (
    Spof,
    false_redundancy_findings,
    single_points_of_failure,
    spof_findings,
)
from depgraph.analyses.startup import StartupOrder, startup_order
from depgraph.failure.engine import FailureModel
from depgraph.findings import SEVERITIES, Finding
from depgraph.model import Catalog

SCHEMA = "depgraph/analysis/v1"


@dataclass(frozen=True)
class Analysis:
    """Everything ``depgraph analyze`` found, as plain records (lists sorted by id)."""

    catalog: Catalog
    model: FailureModel
    cycles: list[cycle_analysis.Cycle]
    cycle_breakers: list[cycle_analysis.CycleBreaker]
    team_cycles: list[cycle_analysis.GroupCycle]
    tribe_cycles: list[cycle_analysis.GroupCycle]
    spofs: list[Spof]
    unowned: list[ownership.Unowned]
    spof_concentration: dict[str, list[ownership.Concentration]]
    scorecards: list[readiness.Scorecard]
    readiness_rollups: dict[str, list[readiness.Rollup]]
    startup: StartupOrder
    findings: list[Finding]

    def count(self, severity: str) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)


def analyze(catalog: Catalog, availability_defaults: dict[str, float] | None = None) -> Analysis:
    """Run every analysis on ``catalog`` once; ``availability_defaults``: the policy's
    ``availability:`` section, for the availability findings."""
    model = FailureModel.from_catalog(catalog)
    graph = dependency_graph(catalog)
    cycles = cycle_analysis.dependency_cycles(graph)
    breakers = cycle_analysis.cycle_breakers(graph)
    teams = cycle_analysis.team_cycles(catalog, graph)
    tribes = cycle_analysis.tribe_cycles(catalog, graph)
    spofs = single_points_of_failure(catalog, model)
    unowned = ownership.unowned_services(catalog)
    cards = readiness.scorecards(catalog, spofs)
    findings = [
        *cycle_analysis.cycle_findings(graph, cycles, breakers),
        *cycle_analysis.group_cycle_findings(catalog, teams, tribes),
        *spof_findings(catalog, spofs),
        *false_redundancy_findings(catalog, model, spofs),
        *ownership.ownership_findings(catalog, unowned),
        *readiness.readiness_findings(catalog, cards),
        *capacity_findings(catalog, model),
        *availability_findings(catalog, model, availability_defaults),
    ]
    return Analysis(
        catalog=catalog,
        model=model,
        cycles=cycles,
        cycle_breakers=breakers,
        team_cycles=teams,
        tribe_cycles=tribes,
        spofs=spofs,
        unowned=unowned,
        spof_concentration=ownership.spof_concentration(catalog, spofs),
        scorecards=cards,
        readiness_rollups=readiness.rollups(catalog, cards),
        startup=startup_order(catalog),
        findings=sorted(findings, key=lambda f: (*f.sort_key(), f.fingerprint)),
    )


def summary(analysis: Analysis) -> dict:
    """Headline counts: entities, dependencies (one per dependent and target named in an
    entry, as the graph's depends_on edges), and findings in all and per severity."""
    catalog = analysis.catalog
    dependents = [*catalog.services.values(), *catalog.clients.values()]
    return {
        "services": len(catalog.services),
        "clients": len(catalog.clients),
        "hosts": len(catalog.hosts),
        "racks": len(catalog.racks()),
        "datacenters": len(catalog.datacenters),
        "teams": len(catalog.teams),
        "tribes": len({team.tribe for team in catalog.teams.values() if team.tribe}),
        "dependencies": sum(len(d.targets) for e in dependents for d in e.dependencies),
        "findings": len(analysis.findings),
        "findings_by_severity": {severity: analysis.count(severity) for severity in SEVERITIES},
        "cycles": len(analysis.cycles),
        "hard_cycles": sum(1 for cycle in analysis.cycles if cycle.hard),
        "spofs": len(analysis.spofs),
        "unowned": len(analysis.unowned),
    }


def analysis_to_json(analysis: Analysis) -> dict:
    """The ``depgraph/analysis/v1`` document: SPEC §4 keys and the rest of the analysis."""
    return {
        "schema": SCHEMA,
        "root": analysis.catalog.root,
        "summary": summary(analysis),
        "cycles": [cycle.to_json() for cycle in analysis.cycles],
        "cycle_breakers": [breaker.to_json() for breaker in analysis.cycle_breakers],
        "team_cycles": [cycle.to_json() for cycle in analysis.team_cycles],
        "tribe_cycles": [cycle.to_json() for cycle in analysis.tribe_cycles],
        "spofs": [spof.to_json() for spof in analysis.spofs],
        "spof_concentration": _grouped(analysis.spof_concentration),
        "unowned": [item.to_json() for item in analysis.unowned],
        "readiness": {
            "levels": list(readiness.LEVELS),
            "services": [card.to_json() for card in analysis.scorecards],
            **_grouped(analysis.readiness_rollups),
        },
        "startup": _startup_json(analysis.startup),
        "findings": [finding.to_json() for finding in analysis.findings],
        "diagnostics": [d.to_json() for d in analysis.catalog.diagnostics],
    }


def _grouped(groups: dict[str, list]) -> dict[str, list[dict]]:
    return {name: [item.to_json() for item in items] for name, items in groups.items()}


def _startup_json(startup: StartupOrder) -> dict:
    return {**startup.to_json(), "reasons": dict(sorted(startup.reasons.items()))}
