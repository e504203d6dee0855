"""Safe YAML reading with positions: text -> plain Python values that remember where they stood.

libyaml (PyYAML's C parser) produces the event stream; this module builds the values itself in one
pass with an explicit stack, so that it can
- keep the line and column of every mapping, key, value and list item (1-based),
- reject a key repeated in one mapping (PyYAML silently keeps the last one),
- never construct a custom or language-specific tag (``!!python/object`` and friends),
- bound nesting depth and alias use, so alias bombs and deep nesting fail fast with a clear
  message instead of exhausting memory or the C stack.

Mappings come back as :class:`YMap` (a dict with ``line``, ``col`` and per-key positions), lists
as :class:`YList`, scalars as ``str``, ``int``, ``float``, ``bool`` or ``None``. Dates stay strings.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from yaml import events as ev
from yaml.resolver import Resolver

try:  # libyaml: ~10x faster; PyYAML's pure-Python parser is the fallback
    from yaml import CSafeLoader as _ParserLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _ParserLoader


@dataclass(frozen=True, slots=True)
class Limits:
    """Guards against inputs that would make loading explode. All configurable (see SECURITY.md)."""

    max_file_bytes: int = 64 * 1024 * 1024
    max_depth: int = 64
    max_aliases: int = 1000
    max_entities: int = 2_000_000


DEFAULT_LIMITS = Limits()


class YMap(dict):
    """A mapping that remembers its position and, per key, ``(key_line, key_col, val_line, val_col)``."""

    __slots__ = ("line", "col", "pos", "merged")

    def key_pos(self, key) -> tuple[int, int]:
        p = self.pos.get(key)
        return (p[0], p[1]) if p else (self.line, self.col)

    def value_pos(self, key) -> tuple[int, int]:
        p = self.pos.get(key)
        return (p[2], p[3]) if p else (self.line, self.col)


class YList(list):
    """A list that remembers its position and the ``(line, col)`` of each item."""

    __slots__ = ("line", "col", "pos")

    def item_pos(self, index: int) -> tuple[int, int]:
        return self.pos[index] if index < len(self.pos) else (self.line, self.col)


class YamlProblem(Exception):
    """A problem at a place in the text; ``fatal`` problems end reading of the file."""

    def __init__(self, line: int, col: int, message: str, fatal: bool = True):
        super().__init__(message)
        self.line, self.col, self.message, self.fatal = line, col, message, fatal


_STR = "tag:yaml.org,2002:str"
_BOOL_WORDS = {w: w.lower() in ("yes", "true", "on") for w in (
    "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE",
    "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF")}
_SAFE_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}
_resolvers = Resolver.yaml_implicit_resolvers
_constructor = yaml.constructor.SafeConstructor()


def _resolve_plain(value: str):
    """The value of a plain (unquoted) scalar under YAML 1.1 rules, dates kept as text."""
    for tag, regexp in _resolvers.get(value[:1] if value else "", ()):
        if regexp.match(value):
            return _convert(tag, value)
    return value


def _convert(tag: str, value: str):
    kind = tag.rsplit(":", 1)[-1]
    if kind == "bool":
        return _BOOL_WORDS.get(value, value.lower() in ("yes", "true", "on"))
    if kind == "null":
        return None
    if kind == "int":
        return _constructor.construct_yaml_int(yaml.ScalarNode(tag, value))
    if kind == "float":
        return _constructor.construct_yaml_float(yaml.ScalarNode(tag, value))
    if kind == "merge":
        return "<<"
    return value  # str, timestamp, value


def _short(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!", 1)


def _scalar(event) -> object:
    tag = event.tag
    if tag is None or tag == "!":
        if event.implicit[0] and tag is None:
            return _resolve_plain(event.value)
        return event.value
    if tag not in _SAFE_TAGS:
        raise YamlProblem(
            event.start_mark.line + 1, event.start_mark.column + 1,
            f"unsupported YAML tag '{_short(tag)}': depgraph never constructs custom or "
            "language-specific tags; remove the tag", fatal=False)
    return _convert(tag, event.value)


def read_documents(text: str, limits: Limits = DEFAULT_LIMITS):
    """Yield ``(value, line, problems)`` for each document of ``text``.

    ``problems`` lists non-fatal :class:`YamlProblem` found in that document (the offending key or
    value is left out of the result). A fatal problem (syntax error, limit exceeded) is raised.
    """
    parser = _ParserLoader(text)
    try:
        yield from _documents(parser, limits)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        raise YamlProblem(line, col, f"YAML syntax: {problem}{context}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, 1, f"YAML syntax: {exc}") from None
    finally:
        parser.dispose()


def _documents(parser, limits: Limits):
    get_event = parser.get_event
    max_depth = limits.max_depth
    anchors: dict[str, object] = {}
    aliases = 0
    problems: list[YamlProblem] = []
    # The stack holds containers being built: [container, pending_key, key_line, key_col]
    stack: list[list] = []
    root = None
    doc_line = 1
    while True:
        event = get_event()
        cls = event.__class__
        if cls is ev.ScalarEvent or cls is ev.AliasEvent or cls is ev.MappingStartEvent or cls is ev.SequenceStartEvent:
            mark = event.start_mark
            line, col = mark.line + 1, mark.column + 1
            if cls is ev.ScalarEvent:
                try:
                    value = _scalar(event)
                except YamlProblem as problem:
                    problems.append(problem)
                    value = _DROPPED
                if event.anchor:
                    anchors[event.anchor] = value
            elif cls is ev.AliasEvent:
                aliases += 1
                if aliases > limits.max_aliases:
                    raise YamlProblem(line, col, f"more than {limits.max_aliases} alias uses in one file "
                                      "(limit max_aliases; raise it with --max-aliases if this is intended)")
                if event.anchor not in anchors:
                    raise YamlProblem(line, col, f"YAML syntax: found undefined alias '{event.anchor}'")
                value = anchors[event.anchor]
            else:
                if len(stack) >= max_depth:
                    raise YamlProblem(line, col, f"nesting deeper than {max_depth} levels "
                                      "(limit max_depth; raise it with --max-depth if this is intended)")
                tag = event.tag
                if tag is not None and tag != "!" and tag not in _SAFE_TAGS:
                    problems.append(YamlProblem(line, col, f"unsupported YAML tag '{_short(tag)}': depgraph "
                                                "never constructs custom or language-specific tags; remove the tag",
                                                fatal=False))
                container = YMap() if cls is ev.MappingStartEvent else YList()
                container.line, container.col = line, col
                container.pos = {} if cls is ev.MappingStartEvent else []
                if event.anchor:
                    anchors[event.anchor] = container
                if stack:
                    _attach(stack, container, line, col, problems)
                else:
                    root = container
                stack.append([container, _NO_KEY, 0, 0])
                continue
            if stack:
                _attach(stack, value, line, col, problems)
            else:
                root = value
            continue
        if cls is ev.MappingEndEvent or cls is ev.SequenceEndEvent:
            stack.pop()
            continue
        if cls is ev.DocumentStartEvent:
            doc_line = event.start_mark.line + 1
            continue
        if cls is ev.DocumentEndEvent:
            yield root, doc_line, problems
            root, problems, anchors = None, [], {}
            continue
        if cls is ev.StreamEndEvent:
            return


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


_NO_KEY = _Marker("<no key>")
_DROPPED = _Marker("<dropped>")


def _attach(stack, value, line, col, problems) -> None:
    """Put ``value`` (at line, col) into the container on top of the stack."""
    frame = stack[-1]
    container = frame[0]
    if container.__class__ is YList:
        if value is not _DROPPED:
            container.append(value)
            container.pos.append((line, col))
        return
    key = frame[1]
    if key is _NO_KEY:  # value is a key
        if isinstance(value, (YMap, YList)):
            problems.append(YamlProblem(line, col, "a mapping key must be a plain value, not a "
                                        "mapping or list", fatal=False))
            value = _DROPPED
        frame[1], frame[2], frame[3] = value, line, col
        return
    frame[1] = _NO_KEY
    if key is _DROPPED or value is _DROPPED:
        return
    if key == "<<" and isinstance(value, (YMap, YList)):
        _merge(container, value, line, col, problems)
        return
    if key in container:
        merged = getattr(container, "merged", ())
        if key not in merged:
            first = container.pos[key]
            problems.append(YamlProblem(frame[2], frame[3], f"duplicate key '{key}' in one mapping (first "
                                        f"at line {first[0]}); YAML would silently keep only the last one",
                                        fatal=False))
            return
        merged.discard(key)  # an explicit key overrides a merged one
    container[key] = value
    container.pos[key] = (frame[2], frame[3], line, col)


def _merge(container: YMap, value, line, col, problems) -> None:
    """``<<: *base`` or ``<<: [*a, *b]``: copy keys not already set (explicit keys win)."""
    sources = value if isinstance(value, YList) else [value]
    for source in sources:
        if not isinstance(source, YMap):
            problems.append(YamlProblem(line, col, "'<<' merges mappings only", fatal=False))
            continue
        merged = getattr(container, "merged", None)
        if merged is None:
            merged = container.merged = set()
        for key, item in source.items():
            if key not in container:
                container[key] = item
                container.pos[key] = source.pos[key]
                merged.add(key)
