"""The ``depgraph check`` policy: the file format, its validation, and the rules it can name.

A policy (``depgraph.yaml`` at the root of the descriptor tree, or ``--policy FILE``) holds

- ``rules``: a severity per built-in rule (``error``, ``warning``, ``info`` or ``off``);
- ``forbid``: dependencies that must not exist, chosen by selectors on both ends, a type, and
  optionally ``across: datacenter|region`` (the dependent runs where the target does not);
- ``require``: what every selected service must have (data centers, instances, readiness
  items, labels);
- ``exceptions``: findings let through for a reason until an expiry date;
- ``availability``: default availabilities (percent) of data centers, racks, hosts and services'
  own software, for ``depgraph availability`` (an entity's own ``availability`` wins);
- ``recovery``: the start time of a service that declares none, and a recovery time objective
  per tier (``{start_time: 2m, rto: {1: 15m}}``), for ``depgraph recovery`` and ``rto-exceeded``.

Selectors match services and clients by ``name`` (globs), ``kind``, ``team``, ``tribe``,
``tier``, ``lifecycle`` and ``labels``; a list means any of; ``not`` negates a selector. Every
problem in the file is reported at once as ``FILE:LINE:COL: error: MESSAGE``
(:class:`~depgraph.diagnostics.DescriptorError`). Evaluation lives in :mod:`depgraph.gate.policy_rules`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field, replace

from depgraph.analyses.recovery import RecoveryDefaults
from depgraph.diagnostics import ERROR, DescriptorError, Diagnostic, UsageError, did_you_mean
from depgraph.model import LIFECYCLES, READINESS_ITEMS
from depgraph.load.bounded import InputError, decode_text, read_bounded
from depgraph.load.durations import parse_duration
from depgraph.load.limits import DEFAULT_LIMITS, Limits
from depgraph.load.yamlread import YList, YMap, YamlProblem, read_documents

POLICY_FILE = "depgraph.yaml"
LEVELS = ("error", "warning", "info", "off")
RULE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
EXPIRED_RULE = "expired-exception"
UNUSED_RULE = "unused-exception"

# Built-in rules: id -> (default severity, short description, help).
RULES: dict[str, tuple[str, str, str]] = {
    "hard-cycle": ("error", "Hard dependency cycle",
                   "Services that hard-depend on each other in a ring: none of them can start cold, "
                   "and one failure takes the ring down. Cut or soften one of the dependencies named."),
    "soft-cycle": ("warning", "Soft dependency cycle",
                   "A dependency cycle with a soft dependency in every ring: it blocks no cold start, "
                   "but failures echo around it."),
    "team-cycle": ("info", "Teams depend on each other in a cycle",
                   "Owner teams whose services depend on each other in a cycle."),
    "tribe-cycle": ("info", "Tribes depend on each other in a cycle",
                    "Tribes whose services depend on each other in a cycle."),
    "spof-infrastructure": ("error", "Host, rack or data center is a single point of failure",
                            "Its loss alone takes a service down. An error when a tier-1 service or a "
                            "client goes down. Deploy the services named to more hosts, racks or data centers."),
    "spof-service": ("warning", "Service is a single point of failure",
                     "A service that some dependent needs alone (a hard dependency with no alternative)."),
    "false-redundancy": ("warning", "any_of alternatives fail together",
                         "Every alternative of an any_of entry falls with one component: not redundant."),
    "unowned": ("error", "Service without an owner team",
                "The owner is missing or names no declared team: nobody to call when it breaks."),
    "team-without-tribe": ("info", "Team without a tribe", "A team that belongs to no tribe."),
    "tier-inversion": ("warning", "Tier-1 service hard-depends on a less critical one",
                       "A tier-1 service hard-depends on a tier-2/3 service or one at a lower readiness level."),
    "deprecated-dependency": ("warning", "Dependency on a deprecated service",
                              "A service or client depends on a service whose lifecycle is deprecated."),
    "readiness-gap": ("warning", "Production-readiness gap",
                      "A production service below the readiness level its tier expects."),
    "no-deployments": ("info", "Service without deployments",
                       "Where it runs, and what can take it down, is unknown."),
    "overloaded": ("error", "Service has fewer instances than it needs at peak",
                   "Fewer instances than capacity.min_instances with nothing failed: it cannot carry "
                   "its peak today. Add instances (depgraph capacity prints how many, and where)."),
    "capacity-loss": ("warning", "Losing one data center leaves a service short of instances",
                      "Some single data-center loss leaves fewer instances up than capacity.min_instances: "
                      "the service keeps serving, overloaded, and its dependents degrade. A warning because "
                      "it stays up; set it to error to block. depgraph capacity prints the plan."),
    "slo-infeasible": ("error", "Service cannot meet its availability objective",
                       "Even the upper end of the 95% interval of its estimated availability (from its "
                       "hosts, racks, data centers and hard dependencies) is below its slo. Add "
                       "redundancy where depgraph availability says it is down most, or lower the slo."),
    "rto-exceeded": ("warning", "Service is not back within its recovery time objective",
                     "On a cold start (everything down at once), the service is ready later than its rto "
                     "(its own, or its tier's in the policy): the start times along its critical path add "
                     "up to more. An error for tier-1 services. Shorten a start time on the path, or give a "
                     "dependency on it an alternative that is ready sooner. depgraph recovery shows the path."),
    "extra-nine": ("warning", "Hard dependency is not one nine better than the objective",
                   "A dependency without alternatives should be one nine more available than the "
                   "dependent's slo (Treynor et al., The Calculus of Service Availability, 2017): "
                   "99.99% under a 99.9% objective. Make it more available, or add an alternative."),
    EXPIRED_RULE: ("warning", "Policy exception has expired",
                   "An exception in the policy is past its expiry date and no longer applies: fix the "
                   "finding it covered, or renew the exception with a new date and reason."),
    UNUSED_RULE: ("info", "Policy exception matches no finding",
                  "An exception that lets nothing through: remove it from the policy."),
}


@dataclass(frozen=True, slots=True)
class Selector:
    """Which services/clients a rule is about; every given field must match (a list: any of)."""

    names: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    tribes: tuple[str, ...] = ()
    tiers: tuple[int, ...] = ()
    lifecycles: tuple[str, ...] = ()
    labels: tuple[tuple[str, tuple[str, ...]], ...] = ()
    negated: Selector | None = None


@dataclass(frozen=True, slots=True)
class ForbidRule:
    id: str
    description: str
    severity: str
    source: tuple[str, int]
    sources: Selector = Selector()
    targets: Selector = Selector()
    type: str = "any"
    across: str | None = None


@dataclass(frozen=True, slots=True)
class RequireRule:
    id: str
    description: str
    severity: str
    source: tuple[str, int]
    selector: Selector = Selector()
    min_datacenters: int = 0
    min_instances: int = 0
    readiness: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PolicyException:
    rule: str
    subject: str
    reason: str
    expires: dt.date
    source: tuple[str, int]
    target: str | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    path: str | None = None
    severities: dict[str, str] = field(default_factory=dict)
    forbid: tuple[ForbidRule, ...] = ()
    require: tuple[RequireRule, ...] = ()
    exceptions: tuple[PolicyException, ...] = ()
    digest: str = ""  # sha256 of the file's bytes: base-tree facts are cached per policy
    availability: dict[str, float] = field(default_factory=dict)
    recovery: RecoveryDefaults = field(default_factory=RecoveryDefaults)

    def rule_info(self) -> dict[str, tuple[str, str, str]]:
        """Every rule this policy can report: id -> (severity, short description, help)."""
        info = {rule: (self.severities.get(rule, default), short, text)
                for rule, (default, short, text) in RULES.items()}
        for rule in (*self.forbid, *self.require):
            kind = "Forbidden dependency" if isinstance(rule, ForbidRule) else "Requirement"
            info[rule.id] = (rule.severity, rule.description or f"{kind} ({rule.id})",
                             f"{kind} rule '{rule.id}' of the policy {self.path}: {rule.description}")
        return info


def find_policy(descriptors: str | os.PathLike, explicit: str | os.PathLike | None) -> str | None:
    """The policy file to use: ``explicit`` (which must exist), else ``DIR/depgraph.yaml`` if any."""
    if explicit is not None:
        if not os.path.lexists(explicit):
            raise UsageError(f"policy file '{explicit}' not found")
        return str(explicit)
    default = os.path.join(str(descriptors), POLICY_FILE)  # present but no file: an error when read
    return os.path.normpath(default) if os.path.lexists(default) else None


def load_policy(path: str | None, limits: Limits = DEFAULT_LIMITS) -> Policy:
    """Read and check a policy file (None: the empty policy), at most ``limits.max_file_bytes``
    of it (a symlink to a huge file is refused by its size, never read). Raises DescriptorError."""
    if path is None:
        return Policy()
    try:
        data = read_bounded(path, limits.max_file_bytes, "policy file")
        text = decode_text(data, path, "policy file")  # not load_text_bounded: the bytes are hashed
    except InputError as exc:
        raise DescriptorError([Diagnostic(path, exc.line or 1, exc.col or 1, ERROR, exc.detail, "policy")]) from None
    policy = parse_policy(text, path, limits)
    return replace(policy, digest=hashlib.sha256(data).hexdigest())


def parse_policy(text: str, path: str, limits: Limits = DEFAULT_LIMITS) -> Policy:
    """Parse policy text; every problem is collected, then raised together."""
    return _Parser(path, limits).parse(text)


class _Parser:
    TOP = ("rules", "forbid", "require", "exceptions", "availability", "recovery")
    AVAILABILITY = ("datacenter", "rack", "host", "service")
    FORBID = ("id", "description", "severity", "from", "to", "type", "across")
    REQUIRE = ("id", "description", "severity", "for", "min_datacenters", "min_instances",
               "readiness", "labels")
    EXCEPTION = ("rule", "subject", "target", "reason", "expires")
    SELECTOR = ("name", "kind", "team", "tribe", "tier", "lifecycle", "labels", "not")

    def __init__(self, path: str, limits: Limits = DEFAULT_LIMITS):
        self.path = path
        self.limits = limits
        self.diagnostics: list[Diagnostic] = []

    def error(self, pos: tuple[int, int], message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, pos[0], pos[1], ERROR, message, "policy"))

    def parse(self, text: str) -> Policy:
        root = self._document(text)
        policy = Policy(self.path)
        if root is not None:
            self.fields(root, self.TOP, "the policy")
            forbid = tuple(self.rules(root, "forbid", self.forbid_rule))
            require = tuple(self.rules(root, "require", self.require_rule))
            ids = self.unique_ids([*forbid, *require])
            policy = Policy(self.path, self.severities(root), forbid, require,
                            tuple(self.exceptions(root, ids)), availability=self.availability(root),
                            recovery=self.recovery(root))
        if self.diagnostics:
            raise DescriptorError(self.diagnostics, "the policy")
        return policy

    def _document(self, text: str) -> YMap | None:
        found = []
        try:
            for value, line, problems in read_documents(text, self.limits):
                for problem in problems:
                    self.error((problem.line, problem.col), problem.message)
                if value is not None:
                    found.append((value, line))
        except YamlProblem as problem:
            self.error((problem.line, problem.col), problem.message)
            return None
        if len(found) > 1:
            self.error((found[1][1], 1), "a policy is one YAML document; found more than one")
        if found and not isinstance(found[0][0], YMap):
            self.error((found[0][1], 1), "a policy is a mapping with rules, forbid, require and exceptions")
            return None
        return found[0][0] if found else None

    # -- generic checks --------------------------------------------------------------------

    def fields(self, m: YMap, allowed, what: str, required=()) -> bool:
        ok = True
        for key in m:
            if key not in allowed:
                ok = False
                self.error(m.key_pos(key), f"unknown field '{key}' in {what}"
                           + (did_you_mean(str(key), allowed) or f" (allowed: {', '.join(allowed)})"))
        for key in required:
            if key not in m:
                ok = False
                self.error((m.line, m.col), f"{what} is missing required field '{key}'")
        return ok

    def items(self, m: YMap, key: str, what: str) -> list[tuple[object, tuple[int, int]]]:
        value = m.get(key)
        if value is None:
            return []
        if not isinstance(value, YList):
            self.error(m.value_pos(key), f"'{key}' must be a list of {what}")
            return []
        return [(item, value.item_pos(i)) for i, item in enumerate(value)]

    def text(self, m: YMap, key: str, required: bool = False) -> str:
        value = m.get(key)
        if value is None:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.error(m.value_pos(key), f"'{key}' must be a non-empty string")
            return ""
        return value

    def count(self, m: YMap, key: str) -> int:
        value = m.get(key, 0)
        if type(value) is not int or value < 0:
            self.error(m.value_pos(key), f"'{key}' must be a whole number, not {value!r}")
            return 0
        return value

    def strings(self, m: YMap, key: str, choices=None) -> tuple[str, ...]:
        """A string or a list of strings (checked against ``choices`` when given)."""
        value = m.get(key)
        if isinstance(value, YList):
            values = [(v, value.item_pos(i)) for i, v in enumerate(value)]
        else:
            values = [(value, m.value_pos(key))]
        if not values or not all(isinstance(v, str) for v, _ in values):
            self.error(m.value_pos(key), f"'{key}' must be a string or a list of strings")
            return ()
        for v, pos in values:
            if choices is not None and v not in choices:
                self.error(pos, f"'{key}' must be one of {', '.join(choices)}, not '{v}'"
                           + did_you_mean(v, choices))
        return tuple(v for v, _ in values)

    def severity(self, m: YMap, key: str, default: str, allow_off: bool = False) -> str:
        value = m.get(key, default)
        allowed = LEVELS if allow_off else LEVELS[:3]
        if value is False:  # YAML 1.1 reads a bare `off` as false
            value = "off"
        if value not in allowed:
            self.error(m.value_pos(key), f"severity must be one of {', '.join(allowed)}, not {value!r}"
                       + did_you_mean(str(value), allowed))
            return default
        return value

    # -- sections --------------------------------------------------------------------------

    def severities(self, root: YMap) -> dict[str, str]:
        value = root.get("rules")
        if value is None:
            return {}
        if not isinstance(value, YMap):
            self.error(root.value_pos("rules"), "'rules' maps a rule to error, warning, info or off")
            return {}
        result = {}
        for rule in value:
            if rule not in RULES:
                self.error(value.key_pos(rule), f"unknown rule '{rule}'" + (
                    did_you_mean(str(rule), RULES) or f" (built-in rules: {', '.join(RULES)}; set the "
                    "severity of a forbid or require rule in its own entry)"))
                continue
            result[rule] = self.severity(value, rule, RULES[rule][0], allow_off=True)
        return result

    def availability(self, root: YMap) -> dict[str, float]:
        """``availability: {datacenter: 99.95, rack: 99.9, host: 99.5, service: 99.95}``: any of
        them, each a percentage above 0 and at most 100."""
        value = root.get("availability")
        if value is None:
            return {}
        if not isinstance(value, YMap):
            self.error(root.value_pos("availability"), "'availability' maps datacenter, rack, host and "
                       "service to a percentage, like {host: 99.5}")
            return {}
        self.fields(value, self.AVAILABILITY, "availability")
        result = {}
        for kind in self.AVAILABILITY:
            if kind not in value:
                continue
            percent = value[kind]
            if type(percent) not in (int, float) or not 0 < percent <= 100:
                shown = "a boolean" if isinstance(percent, bool) else repr(percent)
                self.error(value.value_pos(kind), f"availability of a {kind} must be a percentage above 0 "
                           f"and at most 100, like 99.9; not {shown}")
                continue
            result[kind] = float(percent)
        return result

    def recovery(self, root: YMap) -> RecoveryDefaults:
        """``recovery: {start_time: 2m, rto: {1: 15m, 2: 1h}}``: both optional, durations as in
        descriptors; ``rto`` maps a tier (1, 2 or 3) to the objective of its services."""
        value = root.get("recovery")
        if value is None:
            return RecoveryDefaults()
        if not isinstance(value, YMap):
            self.error(root.value_pos("recovery"), "'recovery' is a mapping like {start_time: 2m, rto: {1: 15m}}")
            return RecoveryDefaults()
        self.fields(value, ("start_time", "rto"), "recovery")
        start = RecoveryDefaults().start_time
        if "start_time" in value:
            seconds, problem = parse_duration(value["start_time"])
            if problem:
                self.error(value.value_pos("start_time"), f"'recovery.start_time': {problem}")
            start = seconds or start
        tiers = value.get("rto")
        by_tier = {}
        if "rto" in value and not isinstance(tiers, YMap):
            self.error(value.value_pos("rto"), "'recovery.rto' maps a tier to an objective, like {1: 15m, 2: 1h}")
        for tier in tiers if isinstance(tiers, YMap) else ():
            if type(tier) is not int or not 1 <= tier <= 3:
                self.error(tiers.key_pos(tier), f"'recovery.rto' maps tiers 1, 2 and 3, not {tier!r}")
                continue
            seconds, problem = parse_duration(tiers[tier])
            if problem:
                self.error(tiers.value_pos(tier), f"'recovery.rto' of tier {tier}: {problem}")
            else:
                by_tier[tier] = seconds
        return RecoveryDefaults(start, by_tier)

    def rules(self, root: YMap, key: str, parse_one):
        for item, pos in self.items(root, key, "rules"):
            if not isinstance(item, YMap):
                self.error(pos, f"a {key} rule is a mapping with an 'id'")
                continue
            rule = parse_one(item)
            if rule is not None:
                yield rule

    def rule_id(self, m: YMap) -> str | None:
        value = m.get("id")
        if not isinstance(value, str) or not RULE_ID_RE.match(value):
            self.error(m.value_pos("id"), f"rule id must match {RULE_ID_RE.pattern}, not {value!r}")
            return None
        if value in RULES:
            self.error(m.value_pos("id"), f"rule id '{value}' is a built-in rule; choose another id")
            return None
        return value

    def forbid_rule(self, m: YMap) -> ForbidRule | None:
        ok = self.fields(m, self.FORBID, "forbid rule", ("id",))
        rule_id = self.rule_id(m) if "id" in m else None
        dep_type = m.get("type", "any")
        if dep_type not in ("hard", "soft", "any"):
            self.error(m.value_pos("type"), f"'type' must be hard, soft or any, not {dep_type!r}")
        across = m.get("across")
        if across is not None and across not in ("datacenter", "region"):
            self.error(m.value_pos("across"), f"'across' must be datacenter or region, not {across!r}"
                       + did_you_mean(str(across), ("datacenter", "region")))
        if ok and not any(k in m for k in ("from", "to", "across")):
            self.error((m.line, m.col), "a forbid rule needs 'from', 'to' or 'across' (else it forbids "
                       "every dependency)")
        rule = ForbidRule(rule_id or "", self.text(m, "description"), self.severity(m, "severity", "error"),
                          (self.path, m.line), self.selector(m, "from"), self.selector(m, "to"),
                          dep_type, across)
        return rule if ok and rule_id else None

    def require_rule(self, m: YMap) -> RequireRule | None:
        ok = self.fields(m, self.REQUIRE, "require rule", ("id",))
        rule_id = self.rule_id(m) if "id" in m else None
        readiness = self.strings(m, "readiness", READINESS_ITEMS) if "readiness" in m else ()
        labels = self.strings(m, "labels") if "labels" in m else ()
        rule = RequireRule(rule_id or "", self.text(m, "description"), self.severity(m, "severity", "error"),
                           (self.path, m.line), self.selector(m, "for"), self.count(m, "min_datacenters"),
                           self.count(m, "min_instances"), readiness, labels)
        if not (rule.min_datacenters or rule.min_instances or readiness or labels):
            self.error((m.line, m.col), "a require rule needs min_datacenters, min_instances, readiness "
                       "or labels")
        return rule if ok and rule_id else None

    def unique_ids(self, rules) -> set[str]:
        seen: dict[str, tuple[str, int]] = {}
        for rule in rules:
            if rule.id in seen:
                self.error((rule.source[1], 1), f"rule id '{rule.id}' is used twice (first at line "
                           f"{seen[rule.id][1]})")
            seen.setdefault(rule.id, rule.source)
        return set(seen)

    def exceptions(self, root: YMap, ids: set[str]):
        known = sorted(set(RULES) | ids)
        for item, pos in self.items(root, "exceptions", "exceptions"):
            if not isinstance(item, YMap):
                self.error(pos, "an exception is a mapping: rule, subject, reason, expires")
                continue
            if not self.fields(item, self.EXCEPTION, "exception", ("rule", "subject", "reason", "expires")):
                continue
            rule = item["rule"]
            if rule not in known:
                self.error(item.value_pos("rule"), f"exception for unknown rule {rule!r}"
                           + did_you_mean(str(rule), known))
                continue
            expires = self.date(item)
            subject, reason = self.text(item, "subject", True), self.text(item, "reason", True)
            target = self.text(item, "target", True) if "target" in item else None
            if expires and subject and reason:
                yield PolicyException(rule, subject, reason, expires, (self.path, item.line), target)

    def date(self, m: YMap) -> dt.date | None:
        value = m.get("expires")
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            pass
        self.error(m.value_pos("expires"), f"'expires' must be a date YYYY-MM-DD, not {value!r}")
        return None

    def selector(self, m: YMap, key: str) -> Selector:
        value = m.get(key)
        if value is None:
            return Selector()
        if not isinstance(value, YMap):
            self.error(m.value_pos(key), f"'{key}' is a selector: a mapping of "
                       + ", ".join(self.SELECTOR))
            return Selector()
        self.fields(value, self.SELECTOR, f"selector '{key}'")
        get = lambda k, choices=None: self.strings(value, k, choices) if k in value else ()  # noqa: E731
        return Selector(
            names=get("name"), kinds=get("kind", ("service", "client")), teams=get("team"),
            tribes=get("tribe"), tiers=self.tiers(value), lifecycles=get("lifecycle", LIFECYCLES),
            labels=self.label_selector(value),
            negated=self.selector(value, "not") if "not" in value else None,
        )

    def tiers(self, m: YMap) -> tuple[int, ...]:
        value = m.get("tier")
        if value is None:
            return ()
        values = list(value) if isinstance(value, YList) else [value]
        if not values or any(type(v) is not int or not 1 <= v <= 3 for v in values):
            self.error(m.value_pos("tier"), f"'tier' must be 1, 2, 3 or a list of them, not {value!r}")
            return ()
        return tuple(values)

    def label_selector(self, m: YMap) -> tuple[tuple[str, tuple[str, ...]], ...]:
        value = m.get("labels")
        if value is None:
            return ()
        if not isinstance(value, YMap):
            self.error(m.value_pos("labels"), "'labels' in a selector maps a label to a value (or a list)")
            return ()
        return tuple((str(k), self.strings(value, k)) for k in value)
