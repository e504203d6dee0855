"""Evaluating a policy (:mod:`depgraph.gate.policy`) on a catalog: pure functions, findings out.

- :func:`policy_findings`: the violations of ``forbid`` and ``require`` rules, each placed at the
  dependency entry (forbid) or the deployment or service (require) that violates it;
- :func:`apply_policy`: built-in and policy findings -> severities from ``rules`` (``off`` drops
  a rule), exceptions applied; expired exceptions and unused ones become findings themselves.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase

from depgraph.analyses.findings import Finding
from depgraph.failure.closure import Members, bitset
from depgraph.model import Catalog, readiness_state
from depgraph.gate.policy import EXPIRED_RULE, RULES, UNUSED_RULE, ForbidRule, Policy, PolicyException, RequireRule, Selector


@dataclass(frozen=True, slots=True)
class PolicyOutcome:
    """``findings`` that count; ``excepted`` pairs a finding let through with its exception."""

    findings: list[Finding]
    excepted: list[tuple[Finding, PolicyException]]


def matches(selector: Selector, catalog: Catalog, entity) -> bool:
    """Whether a service or client is selected: every given field matches (a list: any of)."""
    if selector.kinds and entity.kind not in selector.kinds:
        return False
    if selector.names and not any(_glob(entity.id, pattern) for pattern in selector.names):
        return False
    owner = entity.owner or ""
    if selector.teams and not any(fnmatchcase(owner, p.removeprefix("team:")) for p in selector.teams):
        return False
    if selector.tribes:
        team = catalog.owner_team(entity)
        tribe = team.tribe if team and team.tribe else ""
        if not any(fnmatchcase(tribe, p.removeprefix("tribe:")) for p in selector.tribes):
            return False
    if selector.tiers and getattr(entity, "tier", None) not in selector.tiers:
        return False
    if selector.lifecycles and getattr(entity, "lifecycle", None) not in selector.lifecycles:
        return False
    for key, patterns in selector.labels:
        value = entity.labels.get(key)
        if value is None or not any(fnmatchcase(value, p) for p in patterns):
            return False
    return not (selector.negated is not None and matches(selector.negated, catalog, entity))


def _glob(node_id: str, pattern: str) -> bool:
    """A pattern with ``kind:`` matches the id, a bare one the name.

    >>> _glob("service:ledger", "ledger"), _glob("service:ledger", "client:*"), _glob("service:ab", "a*")
    (True, False, True)
    """
    return fnmatchcase(node_id if ":" in pattern else node_id.partition(":")[2], pattern)


def policy_findings(catalog: Catalog, policy: Policy) -> list[Finding]:
    """Every violation of the policy's forbid and require rules, one finding per fingerprint."""
    entities = sorted([*catalog.services.values(), *catalog.clients.values()], key=lambda e: e.id)
    found: dict[str, Finding] = {}
    for rule in policy.forbid:
        for entity in entities:
            if matches(rule.sources, catalog, entity):
                for finding in _forbidden(catalog, rule, entity):
                    found.setdefault(finding.fingerprint, finding)
    for rule in policy.require:
        for entity in entities:
            if entity.kind == "service" and matches(rule.selector, catalog, entity):
                finding = _requirement(catalog, rule, entity)
                if finding is not None:
                    found.setdefault(finding.fingerprint, finding)
    return list(found.values())


def _forbidden(catalog: Catalog, rule: ForbidRule, entity):
    because = f"forbidden by policy rule '{rule.id}'" + (f" ({rule.description})" if rule.description else "")
    for dep in entity.dependencies:
        if rule.type != "any" and dep.type != rule.type:
            continue
        targets = sorted({f"service:{t}" for t in dep.targets
                          if matches(rule.targets, catalog, catalog.services[t])})
        if not targets:
            continue
        where = dep.source or entity.source
        place = (where.file, where.line) if where else (None, None)
        if rule.across is None:
            for target in targets:
                message = f"{entity.id} depends ({dep.type}) on {target}: {because}"
                yield Finding(rule.id, rule.severity, entity.id, message, *place, key=(target,),
                              related=(target,))
            continue
        gaps = _crossing(catalog, entity, targets, rule.across)
        if gaps:
            word = "data center" if rule.across == "datacenter" else "region"
            message = (f"{entity.id} depends ({dep.type}) on {', '.join(targets)} across {word}s: it runs "
                       f"in {', '.join(gaps)}, where {'none of them runs' if len(targets) > 1 else 'that does not run'}"
                       f"; {because}")
            yield Finding(rule.id, rule.severity, entity.id, message, *place, key=tuple(targets),
                          related=tuple(targets))


def places(catalog: Catalog, entity, level: str) -> set[str]:
    """The data centers (or regions) an entity runs in; empty when it has no deployments."""
    dcs = {d.datacenter for d in getattr(entity, "deployments", ())}
    if level == "datacenter":
        return dcs
    regions = set()
    for name in dcs:
        datacenter = catalog.datacenters.get(name)
        regions.add(datacenter.region if datacenter and datacenter.region else name)
    return regions


def _crossing(catalog: Catalog, entity, targets: list[str], level: str) -> list[str]:
    """The places the dependent runs in where no target runs (nothing when either side has no
    deployments: where they run is unknown)."""
    mine = places(catalog, entity, level)
    theirs = set().union(*(places(catalog, catalog.entity(t), level) for t in targets))
    return sorted(mine - theirs) if mine and theirs else []


def _requirement(catalog: Catalog, rule: RequireRule, service) -> Finding | None:
    problems = []
    dcs = sorted({d.datacenter for d in service.deployments})
    if len(dcs) < rule.min_datacenters:
        problems.append(f"runs in {len(dcs)} data center{'s' if len(dcs) != 1 else ''}"
                        f"{' (' + ', '.join(dcs) + ')' if dcs else ''}, needs {rule.min_datacenters}")
    instances = sum(d.size for d in service.deployments)
    if instances < rule.min_instances:
        problems.append(f"has {instances} instance{'s' if instances != 1 else ''}, needs {rule.min_instances}")
    unmet = [item for item in rule.readiness
             if readiness_state(service.readiness.get(item)) not in ("yes", "n/a")]
    if unmet:
        problems.append(f"lacks readiness {', '.join(unmet)}")
    missing = [label for label in rule.labels if label not in service.labels]
    if missing:
        problems.append(f"lacks label{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    if not problems:
        return None
    where = service.source
    if (rule.min_datacenters or rule.min_instances) and service.deployments and service.deployments[0].source:
        where = service.deployments[0].source
    message = (f"{service.id} {'; '.join(problems)}: required by policy rule '{rule.id}'"
               + (f" ({rule.description})" if rule.description else ""))
    return Finding(rule.id, rule.severity, service.id, message, where.file if where else None,
                   where.line if where else None)


def apply_policy(findings: list[Finding], policy: Policy, today: dt.date) -> PolicyOutcome:
    """Severities from ``rules`` (``off`` drops), then exceptions; expired and unused
    exceptions are added as findings (under the same severities)."""
    active = [e for e in policy.exceptions if today <= e.expires]
    used: set[int] = set()
    kept, excepted = [], []
    for finding in _severities(findings, policy):
        exception = next((e for e in active if exception_matches(e, finding)), None)
        if exception is None:
            kept.append(finding)
        else:
            used.add(id(exception))
            excepted.append((finding, exception))
    meta = [_exception_finding(e, EXPIRED_RULE, today) for e in policy.exceptions if e.expires < today]
    meta += [_exception_finding(e, UNUSED_RULE, today) for e in active if id(e) not in used]
    return PolicyOutcome(kept + _severities(meta, policy), excepted)


def _severities(findings: list[Finding], policy: Policy) -> list[Finding]:
    result = []
    for finding in findings:
        level = policy.severities.get(finding.rule)
        if level == "off":
            continue
        result.append(replace(finding, severity=level) if level and level != finding.severity else finding)
    return result


def exception_matches(exception: PolicyException, finding: Finding) -> bool:
    if exception.rule != finding.rule or not _glob(finding.subject, exception.subject):
        return False
    if exception.target is None:
        return True
    if isinstance(finding.related, Members):  # a SPOF's casualties: in a hard ring, all of it
        return finding.related.within(_matching(exception.target, finding.related.nodes)) > 0
    return any(_glob(r, exception.target) for r in finding.related)


@functools.lru_cache(maxsize=64)
def _matching(pattern: str, nodes) -> int:
    """The bitset of the ids of a node index (``ids``) that ``pattern`` matches: worked out once
    for every SPOF finding an exception is tried on."""
    return bitset([n for n, node_id in enumerate(nodes.ids) if _glob(node_id, pattern)], len(nodes.ids))


def _exception_finding(exception: PolicyException, rule: str, today: dt.date) -> Finding:
    what = f"exception for {exception.rule} on {exception.subject}" + (
        f" -> {exception.target}" if exception.target else "")
    if rule == EXPIRED_RULE:
        message = (f"{what} expired on {exception.expires.isoformat()} (reason: {exception.reason}); "
                   "it no longer applies: fix the finding, or renew the exception with a new date")
    else:
        message = f"{what} matches no finding; remove it from the policy"
    key = (exception.rule, exception.subject, exception.target or "", exception.expires.isoformat())
    return Finding(rule, RULES[rule][0], exception.subject, message, exception.source[0],
                   exception.source[1], key=key)
