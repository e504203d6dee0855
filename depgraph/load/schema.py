"""The descriptor schema of SPEC §1: one entity mapping checked field by field and built into a
model record, every problem recorded with its line and column. Used by :mod:`depgraph.load.loader`.

Also the text rules shared by validation: names, plain single-line text, and how a message quotes
what the user wrote (clipped, escaped).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from depgraph.diagnostics import ERROR, WARNING, Diagnostic, did_you_mean
from depgraph.model import (
    DEPENDENCY_TYPES, KINDS, LIFECYCLES, READINESS_ITEMS, Client, Datacenter, Dependency, Deployment,
    Host, Link, Location, Service, Team,
)
from depgraph.load.durations import parse_duration
from depgraph.load.yamlread import YList, YMap

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
MAX_NAME_LENGTH = 253

FIELDS = {
    "service": ("kind", "name", "description", "owner", "tier", "lifecycle", "dependencies",
                "deployments", "readiness", "labels", "links", "capacity", "slo", "availability",
                "recovery"),
    "client": ("kind", "name", "description", "dependencies", "owner", "labels"),
    "host": ("kind", "name", "datacenter", "rack", "labels", "availability"),
    "datacenter": ("kind", "name", "location", "region", "labels", "availability"),
    "team": ("kind", "name", "tribe", "contact", "labels"),
}
REQUIRED = {"host": ("datacenter",)}
DEPENDENCY_FIELDS = ("service", "any_of", "type", "description")
DEPLOYMENT_FIELDS = ("datacenter", "hosts", "instances")
LINK_FIELDS = ("title", "url")
CAPACITY_FIELDS = ("min_instances",)
RECOVERY_FIELDS = ("start_time", "rto")


_DISGUISING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")


def text_problem(value: str) -> str | None:
    """Why ``value`` is not plain text, or None: control characters (category Cc: line breaks,
    escape, NUL, …) and bidi overrides or line separators that change how text displays.

    >>> text_problem("playlist-squad") is None
    True
    >>> text_problem("x\\n::error::forged")
    'it holds the control character U+000A at character 2'
    >>> text_problem("caf\u00e9, no-break\u00a0space, emoji \U0001F469\u200d\U0001F4BB") is None
    True
    """
    if value.isprintable():
        return None
    for index, char in enumerate(value):
        if char in _DISGUISING or unicodedata.category(char) == "Cc":
            return f"it holds the control character U+{ord(char):04X} at character {index + 1:,}"
    return None


def show(value, limit: int = 80) -> str:
    """``value`` as a message quotes it: repr of a scalar, clipped; a mapping or list by its type only
    (quoting one in full could print megabytes, or recurse as deep as the YAML nests)."""
    if isinstance(value, (YMap, YList, dict, list)):
        return type_name(value)
    return clip(repr(value), limit)


def clip(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was, with control and invisible
    characters escaped (a newline or a right-to-left mark must not break or disguise a message)."""
    short = text if len(text) <= limit else text[:limit]
    if not short.isprintable():
        short = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in short)
    return short if len(text) <= limit else f"{short}… ({len(text):,} characters)"


def _key_text(key) -> str:
    """A mapping key as the YAML file spells it (``null``, ``true``), clipped."""
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    return clip(str(key))


def type_name(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, YList):
        return "a list"
    if isinstance(value, YMap):
        return "a mapping"
    return type(value).__name__


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid entity name, or None.

    >>> name_problem("playlist") is None
    True
    >>> name_problem("Play List")
    "must match ^[a-z0-9][a-z0-9._-]*$ (lower-case letters, digits, '.', '_', '-'); did you mean 'play-list'?"
    """
    if len(name) > MAX_NAME_LENGTH:
        return f"is {len(name):,} characters long; names are at most {MAX_NAME_LENGTH}"
    if NAME_RE.fullmatch(name):
        return None
    suggestion = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")
    hint = f"; did you mean '{suggestion}'?" if suggestion and NAME_RE.fullmatch(suggestion) else ""
    return f"must match ^[a-z0-9][a-z0-9._-]*$ (lower-case letters, digits, '.', '_', '-'){hint}"


def _foreign_hint(m: YMap) -> str:
    """A pointer to the importer when an entity is plainly a Kubernetes object or Backstage entity."""
    api = m.get("apiVersion")
    if not isinstance(api, str):
        return ""
    if api.startswith("backstage.io/"):
        return "; this is a Backstage entity: 'depgraph import backstage' converts a catalog"
    return "; this is a Kubernetes object: 'depgraph import k8s' converts manifests"


def _number_text(value) -> str:
    """How a message quotes a value that should have been a number (YAML's spelling of null and
    booleans, since ``true`` is not 1 here)."""
    if value is None or isinstance(value, bool):
        return type_name(value)
    return show(value)


class EntityParser:
    """Checks one entity mapping against its kind's schema and builds the model record."""

    def __init__(self, file: str, m: YMap, diagnostics: list):
        self.file, self.m, self.diagnostics = file, m, diagnostics
        self.ok = True

    def error(self, line: int, col: int, message: str, code: str = "invalid") -> None:
        self.ok = False
        self.diagnostics.append(Diagnostic(self.file, line, col, ERROR, message, code))

    def warn(self, line: int, col: int, message: str, code: str) -> None:
        self.diagnostics.append(Diagnostic(self.file, line, col, WARNING, message, code))

    def loc(self, line: int, col: int) -> Location:
        return Location(self.file, line, col)

    def parse(self):
        m = self.m
        kind = m.get("kind")
        if kind is None:
            self.error(m.line, m.col, "missing field 'kind' (one of: " + ", ".join(KINDS) + ")", "kind")
            return None
        if kind not in KINDS:
            line, col = m.value_pos("kind")
            if isinstance(kind, str):
                self.error(line, col, f"unknown kind '{clip(kind)}' (one of: {', '.join(KINDS)})"
                           + (_foreign_hint(m) or did_you_mean(kind, KINDS)), "kind")
            else:
                self.error(line, col, f"field 'kind' must be one of: {', '.join(KINDS)}; not {show(kind)}", "kind")
            return None
        self.check_fields(m, FIELDS[kind], f"{kind}", ("name",) + REQUIRED.get(kind, ()))
        name = self.name(m, "name", kind)
        if name is None:
            return None
        # An entity with field errors still takes part in the cross-entity checks, so that one run
        # reports every problem; the errors already recorded keep the tree from loading.
        return getattr(self, "parse_" + kind)(m, name)

    # --- generic field checks -------------------------------------------------------------

    def check_fields(self, m: YMap, allowed, what: str, required=()) -> None:
        for key in m:
            if key not in allowed:
                line, col = m.key_pos(key)
                self.error(line, col, f"unknown field '{_key_text(key)}' in {what}"
                           + (did_you_mean(str(key), allowed) or f" (allowed: {', '.join(allowed)})"),
                           "unknown-field")
        for key in required:
            if key not in m:
                self.error(m.line, m.col, f"{what} is missing required field '{key}'", "missing-field")

    def wrong_type(self, m: YMap, key, expected: str) -> None:
        line, col = m.value_pos(key)
        self.error(line, col, f"field '{key}' must be {expected}, not {type_name(m[key])}", "type")

    def string(self, m: YMap, key, required: bool = False, free_text: bool = False) -> str | None:
        value = m.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.wrong_type(m, key, "a string")
            return None
        if not free_text and not self.plain_text(m, key, value, f"field '{key}'"):
            return None
        return value

    def plain_text(self, m: YMap, key, value: str, label: str) -> bool:
        """False (and an error) when ``value`` holds a control character: a line break in an owner,
        tribe or label would forge lines in text output (a line starting ``::error`` becomes a
        GitHub annotation), an escape sequence would drive the terminal, a bidi override would
        disguise it. Descriptions are free text (reporters escape them) and are not checked."""
        problem = text_problem(value)
        if problem:
            self.error(*m.value_pos(key), f"{label} must be plain text: {problem}", "text")
        return problem is None

    def name(self, m: YMap, key: str, what: str) -> str | None:
        value = m.get(key)
        if value.__class__ is str and len(value) <= MAX_NAME_LENGTH and NAME_RE.fullmatch(value):
            return value  # the common case, without a call per check
        if value is None:
            if key in m:  # `name: ~` would otherwise drop the entity without a word
                self.wrong_type(m, key, "a name (a string)")
            return None
        if not isinstance(value, str):
            self.wrong_type(m, key, "a name (a string)")
            return None
        problem = name_problem(value)
        if problem:
            line, col = m.value_pos(key)
            self.error(line, col, f"bad {what} name '{clip(value, 300)}': {problem}", "name")
            return None
        return value

    def str_map(self, m: YMap, key) -> dict[str, str]:
        value = m.get(key)
        if value is None:
            return {}
        if not isinstance(value, YMap):
            self.wrong_type(m, key, "a mapping of strings")
            return {}
        result = {}
        for k, v in value.items():
            if not isinstance(k, str) or not isinstance(v, str):
                line, col = value.value_pos(k)
                k = clip(str(k))
                self.error(line, col, f"'{key}' maps strings to strings; quote '{k}: {v}' "
                           f"as '{k}: \"{v}\"'" if isinstance(v, (int, float, bool)) else
                           f"'{key}' maps strings to strings, found {type_name(v)} for '{k}'", "type")
                continue
            if k.isprintable() and v.isprintable():  # the common case: no need to word a label
                result[k] = v
            elif (self.plain_text(value, k, k, f"key '{clip(k)}' in '{key}'")
                    and self.plain_text(value, k, v, f"'{key}' value of '{clip(k)}'")):
                result[k] = v
        return result

    def entries(self, m: YMap, key) -> list[tuple[object, int, int]]:
        value = m.get(key)
        if value is None:
            return []
        if not isinstance(value, YList):
            self.wrong_type(m, key, "a list")
            return []
        return [(item, *value.item_pos(i)) for i, item in enumerate(value)]

    # --- kinds ----------------------------------------------------------------------------

    def parse_service(self, m: YMap, name: str) -> Service:
        tier = m.get("tier", 2)
        if type(tier) is not int or not 1 <= tier <= 3:
            self.error(*m.value_pos("tier"), f"field 'tier' must be 1 (critical), 2 or 3, not {show(tier)}", "type")
            tier = 2
        lifecycle = m.get("lifecycle", "production")
        if lifecycle not in LIFECYCLES:
            self.error(*m.value_pos("lifecycle"), f"field 'lifecycle' must be one of {', '.join(LIFECYCLES)}, "
                       f"not {show(lifecycle)}" + did_you_mean(clip(str(lifecycle)), LIFECYCLES), "type")
            lifecycle = "production"
        return Service(
            name=name,
            description=self.string(m, "description", free_text=True),
            owner=self.string(m, "owner"),
            tier=tier,
            lifecycle=lifecycle,
            dependencies=self.dependencies(m),
            deployments=self.deployments(m),
            readiness=self.readiness(m),
            labels=self.str_map(m, "labels"),
            links=self.links(m),
            source=self.loc(m.line, m.col),
            min_instances=self.capacity(m),
            slo=self.percent(m, "slo", "between 0 and 100 (exclusive)", below_100=True),
            availability=self.percent(m, "availability", "above 0 and at most 100"),
            **self.recovery(m),
        )

    def parse_client(self, m: YMap, name: str) -> Client:
        return Client(name=name, description=self.string(m, "description", free_text=True),
                      owner=self.string(m, "owner"),
                      dependencies=self.dependencies(m), labels=self.str_map(m, "labels"),
                      source=self.loc(m.line, m.col))

    def parse_host(self, m: YMap, name: str) -> Host | None:
        datacenter = self.name(m, "datacenter", "datacenter")
        rack = m.get("rack")
        if isinstance(rack, int) and not isinstance(rack, bool):
            rack = str(rack)  # `rack: 3` is a natural way to write rack "3"
        elif rack is not None and not isinstance(rack, str):
            self.wrong_type(m, "rack", "a string")
            rack = None
        if rack is not None and not self.plain_text(m, "rack", rack, "field 'rack'"):
            rack = None
        if rack is not None and (not rack or "/" in rack):
            self.error(*m.value_pos("rack"), f"bad rack '{rack}': a rack label is a non-empty string "
                       "without '/'", "name")
        if datacenter is None:
            return None
        return Host(name=name, datacenter=datacenter, rack=rack, labels=self.str_map(m, "labels"),
                    source=self.loc(m.line, m.col),
                    availability=self.percent(m, "availability", "above 0 and at most 100"))

    def parse_datacenter(self, m: YMap, name: str) -> Datacenter:
        return Datacenter(name=name, location=self.string(m, "location"), region=self.string(m, "region"),
                          labels=self.str_map(m, "labels"), source=self.loc(m.line, m.col),
                          availability=self.percent(m, "availability", "above 0 and at most 100"))

    def parse_team(self, m: YMap, name: str) -> Team:
        return Team(name=name, tribe=self.string(m, "tribe"), contact=self.str_map(m, "contact"),
                    labels=self.str_map(m, "labels"), source=self.loc(m.line, m.col))

    # --- nested structures ----------------------------------------------------------------

    def dependencies(self, m: YMap) -> tuple[Dependency, ...]:
        result = []
        for item, line, col in self.entries(m, "dependencies"):
            if isinstance(item, str):
                result.append(Dependency((item,), "hard", False, None, self.loc(line, col)))
            elif isinstance(item, YMap):
                dep = self.dependency_entry(item)
                if dep is not None:
                    result.append(dep)
            else:
                self.error(line, col, "a dependency is a service name, {service: NAME, type: hard|soft} "
                           f"or {{any_of: [A, B], type: hard|soft}}, not {type_name(item)}", "type")
        return tuple(result)

    def dependency_entry(self, d: YMap) -> Dependency | None:
        self.check_fields(d, DEPENDENCY_FIELDS, "dependency")
        dep_type = d.get("type", "hard")
        if dep_type not in DEPENDENCY_TYPES:
            self.error(*d.value_pos("type"), f"dependency type must be hard or soft, not {show(dep_type)}"
                       + did_you_mean(clip(str(dep_type)), DEPENDENCY_TYPES), "type")
            return None
        description = self.string(d, "description", free_text=True)
        if ("service" in d) == ("any_of" in d):
            self.error(d.line, d.col, "a dependency entry needs exactly one of 'service' or 'any_of'", "type")
            return None
        if "service" in d:
            target = d["service"]
            if not isinstance(target, str):
                self.wrong_type(d, "service", "a service name")
                return None
            return Dependency((target,), dep_type, False, description, self.loc(*d.value_pos("service")))
        group = d["any_of"]
        if not isinstance(group, YList) or not group or not all(isinstance(t, str) for t in group):
            self.wrong_type(d, "any_of", "a non-empty list of service names")
            return None
        return Dependency(tuple(group), dep_type, True, description, self.loc(d.line, d.col))

    def deployments(self, m: YMap) -> tuple[Deployment, ...]:
        result = []
        for item, line, col in self.entries(m, "deployments"):
            if not isinstance(item, YMap):
                self.error(line, col, "a deployment is {datacenter: DC, hosts: [...]} or "
                           f"{{datacenter: DC, instances: N}}, not {type_name(item)}", "type")
                continue
            self.check_fields(item, DEPLOYMENT_FIELDS, "deployment", ("datacenter",))
            datacenter = self.name(item, "datacenter", "datacenter")
            if ("hosts" in item) == ("instances" in item):
                self.error(item.line, item.col, "a deployment needs exactly one of 'hosts' or 'instances'", "type")
                continue
            if datacenter is None:
                continue
            if "instances" in item:
                n = item["instances"]
                if type(n) is not int or n < 1:
                    self.error(*item.value_pos("instances"), f"'instances' must be a whole number ≥ 1, not {show(n)}",
                               "type")
                    continue
                result.append(Deployment(datacenter, (), n, self.loc(item.line, item.col)))
                continue
            hosts = item["hosts"]
            if not isinstance(hosts, YList) or not hosts:
                self.wrong_type(item, "hosts", "a non-empty list of host names")
                continue
            names, sources = [], []
            for index, host in enumerate(hosts):
                hline, hcol = hosts.item_pos(index)
                plain = host.__class__ is str and len(host) <= MAX_NAME_LENGTH and NAME_RE.fullmatch(host)
                if not plain and (not isinstance(host, str) or name_problem(host)):
                    why = name_problem(host) if isinstance(host, str) else f"not {type_name(host)}"
                    self.error(hline, hcol, f"bad host name {show(host)} in deployment: {why}", "name")
                    continue
                if host in names:
                    self.warn(hline, hcol, f"host '{host}' listed twice in one deployment; counted once",
                              "duplicate-host")
                    continue
                names.append(host)
                sources.append(self.loc(hline, hcol))
            result.append(Deployment(datacenter, tuple(names), 0, self.loc(item.line, item.col), tuple(sources)))
        return tuple(result)

    def readiness(self, m: YMap) -> dict:
        value = m.get("readiness")
        if value is None:
            return {}
        if not isinstance(value, YMap):
            self.wrong_type(m, "readiness", "a mapping")
            return {}
        self.check_fields(value, READINESS_ITEMS, "readiness")
        result = {}
        for key, item in value.items():
            if key not in READINESS_ITEMS:
                continue
            if isinstance(item, (bool, str)):
                result[key] = item
            else:
                self.error(*value.value_pos(key), f"readiness '{clip(str(key))}' must be true, false, n/a or a string "
                           f"(a date, a URL), not {type_name(item)}", "type")
        return result

    def percent(self, m: YMap, key: str, expected: str, below_100: bool = False) -> float | None:
        """A percentage: a number (not a boolean) above 0 and at most 100 (below 100 when
        ``below_100``: an objective of 100% cannot be met)."""
        value: Any = m.get(key)
        if value is None and key not in m:
            return None
        number = type(value) in (int, float) and value == value  # no booleans, no .nan
        if not number or not 0 < value <= 100 or (below_100 and value == 100):
            self.error(*m.value_pos(key), f"field '{key}' must be a percentage {expected}, "
                       f"like 99.9; not {_number_text(value)}", "type")
            return None
        return float(value)

    def capacity(self, m: YMap) -> int | None:
        """``capacity: {min_instances: N}``: N, a whole number ≥ 1 (None without the field)."""
        value = m.get("capacity")
        if value is None and "capacity" not in m:
            return None
        if not isinstance(value, YMap):
            self.wrong_type(m, "capacity", "a mapping like {min_instances: 4}")
            return None
        self.check_fields(value, CAPACITY_FIELDS, "capacity", CAPACITY_FIELDS)
        n: Any = value.get("min_instances")
        if "min_instances" in value and (type(n) is not int or n < 1):
            self.error(*value.value_pos("min_instances"), "'min_instances' must be a whole number ≥ 1 "
                       f"(the instances it needs up at peak), not {_number_text(n)}", "type")
            return None
        return n

    def recovery(self, m: YMap) -> dict[str, int]:
        """``recovery: {start_time: D, rto: D}``: the durations given, in seconds (SPEC §6)."""
        value = m.get("recovery")
        if value is None and "recovery" not in m:
            return {}
        if not isinstance(value, YMap):
            self.wrong_type(m, "recovery", "a mapping like {start_time: 5m, rto: 15m}")
            return {}
        self.check_fields(value, RECOVERY_FIELDS, "recovery")
        result: dict[str, int] = {}
        for key in RECOVERY_FIELDS:
            if key in value:
                seconds, problem = parse_duration(value[key])
                if problem or seconds is None:
                    self.error(*value.value_pos(key), f"'recovery.{key}': {problem}", "type")
                else:
                    result[key] = seconds
        return result

    def links(self, m: YMap) -> tuple[Link, ...]:
        result = []
        for item, line, col in self.entries(m, "links"):
            if not isinstance(item, YMap):
                self.error(line, col, f"a link is {{title: TEXT, url: URL}}, not {type_name(item)}", "type")
                continue
            self.check_fields(item, LINK_FIELDS, "link", ("url",))
            url, title = self.string(item, "url"), self.string(item, "title")
            if url:
                result.append(Link(url=url, title=title))
        return tuple(result)
