"""Ownership: services nobody owns, teams outside any tribe, and where SPOFs pile up per team.

A service is owned when its ``owner`` names a declared team (SPEC §4 ``unowned``). Clients are
not held to this. :func:`spof_concentration` counts, per team and per tribe, the tier-1 services
that some single point of failure takes down: where a landscape's fragility has an address.
"""

from __future__ import annotations

from dataclasses import dataclass

from depgraph.diagnostics import did_you_mean
from depgraph.analyses.findings import Cause, Finding
from depgraph.failure.closure import union
from depgraph.model import Catalog


@dataclass(frozen=True, slots=True)
class Unowned:
    """A service without an owner: ``reason`` is ``missing`` or ``unknown-team``."""

    service: str
    reason: str

    def to_json(self) -> dict:
        return {"service": self.service, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Concentration:
    """For one team or tribe (``group`` None: nobody), its tier-1 services and those a SPOF
    takes down."""

    group: str | None
    tier1: tuple[str, ...]
    with_spof: tuple[str, ...]

    def to_json(self) -> dict:
        return {
            "group": self.group,
            "tier1": len(self.tier1),
            "tier1_with_spof": len(self.with_spof),
            "services": list(self.with_spof),
        }


def unowned_services(catalog: Catalog) -> list[Unowned]:
    """Every service whose owner is missing or names no declared team, sorted by id.

    >>> from depgraph.model import Catalog, Service, Team
    >>> cat = Catalog(services={"a": Service("a"), "b": Service("b", owner="ghost"),
    ...                         "c": Service("c", owner="core")}, teams={"core": Team("core")})
    >>> [(u.service, u.reason) for u in unowned_services(cat)]
    [('service:a', 'missing'), ('service:b', 'unknown-team')]
    """
    result = []
    for _, service in sorted(catalog.services.items()):
        if not service.owner:
            result.append(Unowned(service.id, "missing"))
        elif service.owner not in catalog.teams:
            result.append(Unowned(service.id, "unknown-team"))
    return result


def ownership_findings(catalog: Catalog, unowned: list[Unowned]) -> list[Finding]:
    """``unowned`` (error, at the service) and ``team-without-tribe`` (info, at the team)."""
    findings = []
    hints: dict[str, str] = {}  # one look-up per unknown team name, however many services name it
    for item in unowned:
        service = catalog.service_of(item.service)
        if item.reason == "missing" or service.owner is None:
            message = f"{item.service} has no owner"
            cause = Cause("owner", "its descriptor has no owner field", {"owner": None})
        else:
            if service.owner not in hints:
                hints[service.owner] = did_you_mean(service.owner, catalog.teams, cutoff=0.8)
            hint = hints[service.owner]
            message = f"{item.service} is owned by '{service.owner}', which is no declared team{hint}"
            cause = Cause("owner", f"no kind: team named '{service.owner}' is declared", {"owner": service.owner})
        findings.append(_at(service, Finding("unowned", "error", item.service, message, cause=cause)))
    for _, team in sorted(catalog.teams.items()):
        if not team.tribe:
            finding = Finding("team-without-tribe", "info", team.id, f"{team.id} belongs to no tribe",
                              cause=Cause("owner", "its descriptor has no tribe field", {"tribe": None}))
            findings.append(_at(team, finding))
    return findings


def _at(entity, finding: Finding) -> Finding:
    where = entity.source
    if where is None:
        return finding
    return Finding(finding.rule, finding.severity, finding.subject, finding.message,
                   where.file, where.line, finding.key, finding.related, finding.cause)


def spof_concentration(catalog: Catalog, spofs) -> dict[str, list[Concentration]]:
    """``{"teams": [...], "tribes": [...]}``: per declared team and tribe (and None for
    services without one), the tier-1 services and those that some SPOF takes down.

    ``spofs`` are records with a ``down`` list of ids (``depgraph.analyses.spof.Spof``).
    """
    hit = union(spof.down for spof in spofs)
    teams: dict[str | None, list[str]] = {team.id: [] for team in catalog.teams.values()}
    tribes: dict[str | None, list[str]] = {
        f"tribe:{t.tribe}": [] for t in catalog.teams.values() if t.tribe}
    for service in catalog.services.values():
        if service.tier != 1:
            continue
        team = catalog.owner_team(service)
        teams.setdefault(team.id if team else None, []).append(service.id)
        tribe = f"tribe:{team.tribe}" if team and team.tribe else None
        tribes.setdefault(tribe, []).append(service.id)
    return {"teams": _concentrations(teams, hit), "tribes": _concentrations(tribes, hit)}


def _concentrations(groups: dict, hit: set[str]) -> list[Concentration]:
    result = []
    for group, services in sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
        tier1 = tuple(sorted(services))
        result.append(Concentration(group, tier1, tuple(s for s in tier1 if s in hit)))
    return result
