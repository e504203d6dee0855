"""Production readiness: a scorecard per service, roll-ups per team and tribe, graph-aware rules.

Levels build on each other (``n/a`` counts as satisfied, a missing item as not):

- ``bronze``: an owner that is a declared team, ``build``, ``logging``;
- ``silver``: bronze + ``monitoring``, ``alerting``, ``runbook``;
- ``gold``: silver + ``backups``, ``restore_tested``, ``security_review``, and no single point
  of failure takes the service down;
- ``none`` otherwise.

Rules (warnings and info, never errors): ``tier-inversion`` (a tier-1 service hard-depends on a
tier-2/3 service or on one at a lower readiness level), ``deprecated-dependency``,
``no-deployments``, ``readiness-gap`` (a production service below the level its tier asks for:
tier 1 silver — warning, tier 2 bronze — info).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from depgraph.analyses.findings import Cause, Finding
from depgraph.failure.closure import union
from depgraph.model import Catalog, Service, readiness_state

LEVELS = ("none", "bronze", "silver", "gold")
RANK = {level: i for i, level in enumerate(LEVELS)}
REQUIREMENTS = {
    "bronze": ("owner", "build", "logging"),
    "silver": ("monitoring", "alerting", "runbook"),
    "gold": ("backups", "restore_tested", "security_review", "no_spof"),
}
EXPECTED = {1: ("silver", "warning"), 2: ("bronze", "info")}


@dataclass(frozen=True, slots=True)
class Scorecard:
    """One service's readiness: ``checks`` maps every requirement to yes/no/n/a/missing."""

    service: str
    tier: int
    level: str
    checks: tuple[tuple[str, str], ...]

    @property
    def next_level(self) -> str | None:
        return LEVELS[RANK[self.level] + 1] if self.level != "gold" else None

    def missing_for(self, level: str | None) -> list[str]:
        """The requirements not met on the way to ``level``."""
        if level is None:
            return []
        wanted = [item for lv in LEVELS[1:RANK[level] + 1] for item in REQUIREMENTS[lv]]
        checks = dict(self.checks)
        return [item for item in wanted if checks[item] not in ("yes", "n/a")]

    def to_json(self) -> dict:
        return {
            "service": self.service,
            "tier": self.tier,
            "level": self.level,
            "checks": dict(self.checks),
            "next": self.next_level,
            "missing": self.missing_for(self.next_level),
        }


@dataclass(frozen=True, slots=True)
class Rollup:
    """Readiness levels of the services of one team or tribe (``group`` None: nobody's)."""

    group: str | None
    levels: tuple[tuple[str, int], ...]

    @property
    def services(self) -> int:
        return sum(count for _, count in self.levels)

    def to_json(self) -> dict:
        total = self.services or 1
        return {
            "group": self.group,
            "services": self.services,
            "levels": dict(self.levels),
            "percent": {level: round(100 * count / total, 1) for level, count in self.levels},
        }


def scorecards(catalog: Catalog, spofs=()) -> list[Scorecard]:
    """A scorecard per service, sorted by id. ``spofs`` are records with a ``down`` list.

    >>> from depgraph.model import Catalog, Service, Team
    >>> ok = {"build": True, "logging": "https://logs", "monitoring": False}
    >>> cat = Catalog(services={"a": Service("a", owner="core", readiness=ok)},
    ...               teams={"core": Team("core")})
    >>> [(s.service, s.level) for s in scorecards(cat)]
    [('service:a', 'bronze')]
    """
    taken_down = union(spof.down for spof in spofs)
    return [_scorecard(catalog, service, service.id not in taken_down)
            for _, service in sorted(catalog.services.items())]


#: every requirement, level by level: the order of a scorecard's checks
CHECKLIST = tuple(itertools.chain.from_iterable(REQUIREMENTS[level] for level in LEVELS[1:]))


def _scorecard(catalog: Catalog, service: Service, spof_free: bool) -> Scorecard:
    readiness = service.readiness
    checks = {item: readiness_state(readiness.get(item)) for item in CHECKLIST}
    checks["owner"] = "yes" if catalog.owner_team(service) else "no"  # not checklist items: set here
    checks["no_spof"] = "yes" if spof_free else "no"
    level = "none"
    for candidate in LEVELS[1:]:
        if any(checks[item] not in ("yes", "n/a") for item in REQUIREMENTS[candidate]):
            break
        level = candidate
    return Scorecard(service.id, service.tier, level, tuple(checks.items()))


def rollups(catalog: Catalog, cards: list[Scorecard]) -> dict[str, list[Rollup]]:
    """``{"teams": [...], "tribes": [...]}``: level counts per owner team and tribe, sorted,
    with services that have no declared team (or no tribe) under group None, last."""
    teams: dict = {}
    tribes: dict = {}
    for card in cards:
        team = catalog.owner_team(catalog.service_of(card.service))
        tribe = f"tribe:{team.tribe}" if team and team.tribe else None
        teams.setdefault(team.id if team else None, []).append(card.level)
        tribes.setdefault(tribe, []).append(card.level)
    return {"teams": _rollup(teams), "tribes": _rollup(tribes)}


def _rollup(groups: dict) -> list[Rollup]:
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    return [Rollup(group, tuple((lv, levels.count(lv)) for lv in LEVELS))
            for group, levels in ordered]


def readiness_findings(catalog: Catalog, cards: list[Scorecard]) -> list[Finding]:
    """Every readiness rule's findings: tier inversions, deprecated dependencies, services
    without deployments and readiness gaps."""
    level = {card.service: card.level for card in cards}
    findings = _tier_inversions(catalog, level) + _deprecated_dependencies(catalog)
    for card in cards:
        service = catalog.service_of(card.service)
        if not service.deployments:
            message = f"{card.service} has no deployments: where it runs (and what can take it down) is unknown"
            findings.append(_finding("no-deployments", "info", service, message))
        findings.extend(_readiness_gap(service, card))
    return findings


def _tier_inversions(catalog: Catalog, level: dict[str, str]) -> list[Finding]:
    findings, seen = [], set()
    for _, service in sorted(catalog.services.items()):
        if service.tier != 1:
            continue
        service_id = service.id
        own = level[service_id]
        for dep, name in _hard_targets(service):
            target = catalog.services[name]
            target_id, theirs = target.id, level[target.id]
            reasons = []
            if target.tier > 1:
                reasons.append(f"tier {target.tier}")
            if RANK[theirs] < RANK[own]:
                reasons.append(f"at readiness {theirs}, below its own {own}")
            if reasons and (service_id, target_id) not in seen:
                seen.add((service_id, target_id))
                message = (f"tier-1 {service_id} hard-depends on {target_id}, "
                           f"which is {' and '.join(reasons)}")
                cause = Cause("dependency", f"{service_id} cannot be up without {target_id}, which is "
                              f"{' and '.join(reasons)}", {"path": [service_id, target_id], "tier": target.tier,
                                                            "readiness": theirs})
                findings.append(_finding("tier-inversion", "warning", service, message,
                                         dep, key=(target.id,), cause=cause))
    return findings


def _deprecated_dependencies(catalog: Catalog) -> list[Finding]:
    findings, seen = [], set()
    deprecated = {name for name, service in catalog.services.items() if service.lifecycle == "deprecated"}
    entities = sorted(catalog.services_and_clients(), key=lambda e: e.id)
    for entity in entities:
        entity_id = entity.id
        for dep in entity.dependencies:
            for name in dep.targets:
                if name not in deprecated:
                    continue
                target_id = catalog.services[name].id
                if (entity_id, target_id) not in seen:
                    seen.add((entity_id, target_id))
                    message = f"{entity_id} depends ({dep.type}) on deprecated {target_id}"
                    cause = Cause("dependency", f"{target_id} has lifecycle: deprecated",
                                  {"path": [entity_id, target_id], "type": dep.type})
                    findings.append(_finding("deprecated-dependency", "warning", entity, message,
                                             dep, key=(target_id,), cause=cause))
    return findings


def _readiness_gap(service: Service, card: Scorecard) -> list[Finding]:
    if service.lifecycle != "production" or service.tier not in EXPECTED:
        return []
    expected, severity = EXPECTED[service.tier]
    if RANK[card.level] >= RANK[expected]:
        return []
    missing = card.missing_for(expected)
    listed = ", ".join(missing)
    message = (f"tier-{service.tier} {card.service} is at readiness {card.level}, "
               f"expected at least {expected}: missing {listed}")
    cause = Cause("readiness", f"its readiness checklist lacks {listed}",
                  {"level": card.level, "expected": expected, "missing": missing})
    return [_finding("readiness-gap", severity, service, message, cause=cause)]


def _hard_targets(entity):
    for dep in entity.dependencies:
        if dep.hard:
            for name in dep.targets:
                yield dep, name


def _finding(rule: str, severity: str, entity, message: str, dep=None, key=(), cause=None) -> Finding:
    where = (dep.source if dep is not None else None) or entity.source
    return Finding(rule, severity, entity.id, message, where.file if where else None,
                   where.line if where else None, key=key, related=key, cause=cause)
