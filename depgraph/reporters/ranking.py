"""What every reporter ranks the same way: SPOFs by what they take down, findings by severity.

Reporters read an :class:`~depgraph.analysis.Analysis`; these helpers order its records for
people (the biggest risk first) without changing them.
"""

from __future__ import annotations

from dataclasses import dataclass

from depgraph.findings import SEVERITIES

KIND_WORDS = {"service": "service", "host": "host", "rack": "rack", "datacenter": "data center"}


@dataclass(frozen=True, slots=True)
class RankedSpof:
    """A SPOF with the counts it is ranked by: tier-1 services and clients it takes down first."""

    component: str
    down: tuple[str, ...]
    degraded_count: int
    tier1_down: int
    clients_down: int

    @property
    def kind(self) -> str:
        return self.component.partition(":")[0]

    @property
    def services_down(self) -> int:
        return len(self.down) - self.clients_down


def ranked_spofs(analysis) -> list[RankedSpof]:
    """Every SPOF, the worst first: most tier-1 services and clients down, then most down,
    then most degraded, then by id.

    >>> from depgraph.model import Catalog, Service, Dependency
    >>> from depgraph.analysis import analyze
    >>> catalog = Catalog(services={
    ...     "db": Service("db"), "cache": Service("cache"),
    ...     "api": Service("api", tier=1, dependencies=(Dependency(("db",)),)),
    ...     "batch": Service("batch", tier=3, dependencies=(Dependency(("cache",)),)),
    ...     "report": Service("report", tier=3, dependencies=(Dependency(("cache",)),))})
    >>> [s.component for s in ranked_spofs(analyze(catalog))]
    ['service:db', 'service:cache']
    """
    tier1_ids = {service.id for service in analysis.catalog.services.values() if service.tier == 1}
    ranked = []
    for spof in analysis.spofs:
        tier1 = len(tier1_ids.intersection(spof.down))
        clients = sum(1 for node in spof.down if node.startswith("client:"))
        ranked.append(RankedSpof(spof.component, tuple(spof.down), spof.degraded_count, tier1, clients))
    return sorted(ranked, key=lambda s: (-(s.tier1_down + s.clients_down), -len(s.down),
                                         -s.degraded_count, s.component))


def findings_by_severity(analysis) -> dict[str, list]:
    """``{"error": [...], "warning": [...], "info": [...]}`` in the analysis' order."""
    grouped: dict[str, list] = {severity: [] for severity in SEVERITIES}
    for finding in analysis.findings:
        grouped.setdefault(finding.severity, []).append(finding)
    return grouped


def owner_team_id(catalog, subject: str) -> str | None:
    """The team a finding's subject belongs to: its owner team, or the team itself."""
    if subject.startswith("team:"):
        return subject if subject[5:] in catalog.teams else None
    entity = catalog.entity(subject)
    owner = getattr(entity, "owner", None)
    return f"team:{owner}" if owner and owner in catalog.teams else None
