"""Safe YAML reading with positions: text -> plain Python values that remember where they stood.

libyaml (PyYAML's C parser) produces the event stream; this module builds the values itself in one
pass with an explicit stack, so that it can
- keep the line and column of every mapping, key, value and list item (1-based),
- reject a key repeated in one mapping (PyYAML silently keeps the last one),
- never construct a custom or language-specific tag (``!!python/object`` and friends),
- bound nesting depth and alias use (the number of aliases and the number of values they repeat),
  so alias bombs and deep nesting fail fast with a clear message instead of exhausting memory,
  time or the C stack,
- refuse recursive structures (an alias inside the node its anchor names),
- apply ``<<`` merges once the merged mapping or list is complete.

Mappings come back as :class:`YMap` (a dict with ``line``, ``col`` and per-key positions), lists
as :class:`YList`, scalars as ``str``, ``int``, ``float``, ``bool`` or ``None``. Dates stay strings.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml import events as ev
from yaml.resolver import Resolver

from depgraph.load.limits import DEFAULT_LIMITS, Limits

try:  # libyaml, with PyYAML's pure-Python parser as the fallback. Only its parser is used (not
    from yaml._yaml import CParser as _ParserLoader  # CSafeLoader's constructor: docs/benchmarks.md)
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _ParserLoader
_POSITIONS_IN_BYTES = _ParserLoader is not yaml.SafeLoader  # libyaml reports reader errors in bytes


class YMap(dict):
    """A mapping that remembers its position and, per key, ``(key_line, key_col, val_line, val_col)``."""

    __slots__ = ("line", "col", "pos", "merged")
    line: int
    col: int
    pos: dict[object, tuple[int, int, int, int]]
    merged: set  # keys copied by a ``<<`` merge (set on the first merge only)

    def key_pos(self, key) -> tuple[int, int]:
        p = self.pos.get(key)
        return (p[0], p[1]) if p else (self.line, self.col)

    def value_pos(self, key) -> tuple[int, int]:
        p = self.pos.get(key)
        return (p[2], p[3]) if p else (self.line, self.col)


class YList(list):
    """A list that remembers its position and the ``(line, col)`` of each item."""

    __slots__ = ("line", "col", "pos")
    line: int
    col: int
    pos: list[tuple[int, int]]

    def item_pos(self, index: int) -> tuple[int, int]:
        return self.pos[index] if index < len(self.pos) else (self.line, self.col)


class YamlProblem(Exception):
    """A problem at a place in the text; ``fatal`` problems end reading of the file."""

    def __init__(self, line: int, col: int, message: str, fatal: bool = True):
        super().__init__(message)
        self.line, self.col, self.message, self.fatal = line, col, message, fatal
        self.duplicate: tuple | None = None  # (mapping, key, the later value, first line)


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


MAX_NUMBER_CHARS = 100  # a longer number is no descriptor value, and base-60 ints cost O(n^2)


class _BadScalar(ValueError):
    """A scalar whose tag does not fit its text (``!!int abc``) or a number too long to convert."""


def _convert(tag: str, value: str):
    kind = tag.rsplit(":", 1)[-1]
    if kind == "bool":
        return _BOOL_WORDS.get(value, value.lower() in ("yes", "true", "on"))
    if kind == "null":
        return None
    if kind in ("int", "float"):
        if len(value) > MAX_NUMBER_CHARS:
            raise _BadScalar(f"number of {len(value):,} characters is too long (at most {MAX_NUMBER_CHARS})")
        try:
            if kind == "int":
                return _constructor.construct_yaml_int(yaml.ScalarNode(tag, value))
            return _constructor.construct_yaml_float(yaml.ScalarNode(tag, value))
        except (ValueError, OverflowError, IndexError):
            raise _BadScalar(f"'{value}' is not a valid !!{kind}") from None
    if kind == "merge":
        return "<<"
    return value  # str, timestamp, value


def _short(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!", 1)


def _scalar(event) -> object:
    tag = event.tag
    try:
        if tag is None or tag == "!":
            if event.implicit[0] and tag is None:
                return _resolve_plain(event.value)
            return event.value
        if tag not in _SAFE_TAGS:
            raise _BadScalar(f"unsupported YAML tag '{_short(tag)}': depgraph never constructs custom or "
                             "language-specific tags; remove the tag")
        return _convert(tag, event.value)
    except _BadScalar as exc:
        raise YamlProblem(event.start_mark.line + 1, event.start_mark.column + 1, str(exc), fatal=False) from None


_OPENER_PAIR = re.compile(r"[\[{][ \t\r\n]*[\[{]")  # two flow openers in a row


def _check_flow_nesting(text: str, max_depth: int) -> None:
    """Refuse a run of more than ``max_depth`` flow openers (``[[[[…``) before parsing.

    libyaml's scanner looks ahead over such a run to its end before the first event, so the
    event-level depth guard would come too late (newer libyaml stops at 1,000 levels with its own
    message, older ones read on); the run itself proves the depth, at its (max_depth+1)-th opener.
    """
    if text.count("[") + text.count("{") <= max_depth:  # too few openers for such a run
        return
    pair = _OPENER_PAIR.search(text)  # none in most files (a host's ``labels: {…}``), found 4x faster
    match = pair and re.compile(r"(?:[\[{][ \t\r\n]*){%d}[\[{]" % max_depth).search(text, pair.start())
    if match:
        end = match.end() - 1
        line = text.count("\n", 0, end) + 1
        col = end - (text.rfind("\n", 0, end) + 1) + 1
        raise YamlProblem(line, col, f"nesting deeper than {max_depth} levels (limit max_depth; raise it with "
                          "--max-depth if this is intended)")


def read_documents(text: str, limits: Limits = DEFAULT_LIMITS):
    """Yield ``(value, line, problems)`` for each document of ``text``.

    ``problems`` lists non-fatal :class:`YamlProblem` found in that document (the offending key or
    value is left out of the result). A fatal problem (syntax error, limit exceeded) is raised.
    """
    _check_flow_nesting(text, limits.max_depth)
    parser = _ParserLoader(text)
    try:
        yield from _documents(parser, limits)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        if "maximum nesting depth" in problem:  # libyaml ≥ 0.2.6 stops at 1,000 levels itself
            raise YamlProblem(line, col, f"nesting deeper than {min(limits.max_depth, 1000)} levels (the YAML "
                              "parser accepts at most 1,000; limit max_depth)") from None
        context = f" ({exc.context})" if exc.context else ""
        raise YamlProblem(line, col, f"YAML syntax: {problem}{context}{_tab_hint(text, line, col)}") from None
    except yaml.reader.ReaderError as exc:
        line, col = _byte_position(text, exc.position) if _POSITIONS_IN_BYTES else _char_position(text, exc.position)
        raise YamlProblem(line, col, f"YAML syntax: character {_char_name(exc.character)} is not allowed in "
                          "YAML text (control characters other than tab and line breaks are not)") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, 1, f"YAML syntax: {exc}") from None
    finally:
        parser.dispose()


def _tab_hint(text: str, line: int, col: int) -> str:
    """A hint when a syntax error stands on a tab in a line's indentation (YAML forbids those)."""
    parts = text.split("\n", line)
    if len(parts) < line:
        return ""
    row = parts[line - 1]
    indent = row[: len(row) - len(row.lstrip(" \t"))]
    if "\t" in indent and col <= len(indent) + 1:
        return "; tabs are not allowed in YAML indentation, indent with spaces"
    return ""


def _byte_position(text: str, position: int) -> tuple[int, int]:
    """``(line, col)``, 1-based, of a UTF-8 byte offset into ``text`` (libyaml counts bytes there)."""
    return _char_position(text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "replace"), position)


def _char_position(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _char_name(character) -> str:
    code = ord(character) if isinstance(character, str) else int(character)
    return "NUL (0x00)" if code == 0 else f"U+{code:04X}"


_PLAIN_CACHE: dict[str, object] = {}  # plain scalar text -> its value (repeated text resolves once)
_PLAIN_CACHE_SIZE = 100_000
_SCALAR, _ALIAS = ev.ScalarEvent, ev.AliasEvent
_MAP_START, _SEQ_START = ev.MappingStartEvent, ev.SequenceStartEvent
_MAP_END, _SEQ_END = ev.MappingEndEvent, ev.SequenceEndEvent
_DOC_START, _DOC_END, _STREAM_END = ev.DocumentStartEvent, ev.DocumentEndEvent, ev.StreamEndEvent


def _documents(parser, limits: Limits):
    """The event loop. A plain scalar whose text was seen before takes its value from a cache,
    and the common attachments (an item to a list, a new key's value to a mapping) are done in
    line; everything else goes through :func:`_scalar` and :func:`_attach`. At 20,000 services
    this loop handles about 4 million events, so each avoided call counts."""
    get_event = parser.get_event
    max_depth = limits.max_depth
    anchors: dict[str, object] = {}
    aliases = _AliasBudget(limits)
    problems: list[YamlProblem] = []
    cache = _PLAIN_CACHE
    # The stack holds containers being built: [container, pending_key, key_line, key_col, merge_into]
    stack: list[list] = []
    frame: list[Any] | None = None  # the top of the stack
    container: Any
    root = None
    doc_line = 1
    while True:
        event = get_event()
        cls = event.__class__
        if cls is _SCALAR:
            mark = event.start_mark
            line, col = mark.line + 1, mark.column + 1
            text = event.value
            value = cache.get(text, _DROPPED) if event.tag is None and event.implicit[0] else _DROPPED
            if value is _DROPPED:
                try:
                    value = _scalar(event)
                    if event.tag is None and event.implicit[0] and len(cache) < _PLAIN_CACHE_SIZE:
                        cache[text] = value
                except YamlProblem as problem:
                    problems.append(problem)
            if event.anchor:
                anchors[event.anchor] = value
            if frame is None:
                root = value
                continue
            container = frame[0]
            if container.__class__ is YList:
                if value is not _DROPPED:
                    container.append(value)
                    container.pos.append((line, col))
                continue
            key = frame[1]
            if key is _NO_KEY:
                frame[1], frame[2], frame[3] = value, line, col
                continue
            if key.__class__ is str and value is not _DROPPED and key != "<<" and key not in container:
                frame[1] = _NO_KEY
                container[key] = value
                container.pos[key] = (frame[2], frame[3], line, col)
                continue
            _attach(stack, value, line, col, problems)
            continue
        if cls is _ALIAS or cls is _MAP_START or cls is _SEQ_START:
            mark = event.start_mark
            line, col = mark.line + 1, mark.column + 1
            if cls is _ALIAS:
                value = aliases.use(event.anchor, anchors, stack, line, col, problems)
                if stack:
                    _attach(stack, value, line, col, problems)
                else:
                    root = value
                continue
            if len(stack) >= max_depth:
                raise YamlProblem(line, col, f"nesting deeper than {max_depth} levels "
                                  "(limit max_depth; raise it with --max-depth if this is intended)")
            tag = event.tag
            if tag is not None and tag != "!" and tag not in _SAFE_TAGS:
                problems.append(YamlProblem(line, col, f"unsupported YAML tag '{_short(tag)}': depgraph "
                                            "never constructs custom or language-specific tags; remove the tag",
                                            fatal=False))
            if cls is _MAP_START:
                container = YMap()
                container.pos = {}
            else:
                container = YList()
                container.pos = []
            container.line, container.col = line, col
            if event.anchor:
                anchors[event.anchor] = container
            merge_into = None
            if stack:
                merge_into = _attach(stack, container, line, col, problems, fresh=True)
            else:
                root = container
            frame = [container, _NO_KEY, 0, 0, merge_into]
            stack.append(frame)
            continue
        if cls is _MAP_END or cls is _SEQ_END:
            done = stack.pop()
            frame = stack[-1] if stack else None
            if done[4] is not None:  # the value of a ``<<`` key is complete: merge it now
                _merge(done[4], done[0], problems)
            continue
        if cls is _DOC_START:
            doc_line = event.start_mark.line + 1
            continue
        if cls is _DOC_END:
            yield (None if root is _DROPPED else root), doc_line, problems
            root, problems, anchors = None, [], {}
            continue
        if cls is _STREAM_END:
            return


class _AliasBudget:
    """Counts alias uses and the values they repeat, per file, so that alias bombs fail fast.

    A "billion laughs" file uses few aliases (nine levels of nine) but repeats 10^9 values: the
    value tree stays small because aliased values are shared, yet anything that walks it (a
    message quoting it, a report) would not finish. Each use of an aliased mapping or list costs
    its expanded size (sizes are memoised per anchored node, so counting is linear in the file).
    """

    NODES_PER_ALIAS = 1000

    def __init__(self, limits: Limits):
        self.max_uses = limits.max_aliases
        self.max_nodes = limits.max_aliases * self.NODES_PER_ALIAS
        self.uses = 0
        self.nodes = 0
        self.sizes: dict[int, tuple[object, int]] = {}

    def use(self, anchor: str, anchors: dict, stack: list, line: int, col: int, problems: list):
        self.uses += 1
        if self.uses > self.max_uses:
            raise YamlProblem(line, col, f"more than {self.max_uses} alias uses in one file "
                              "(limit max_aliases; raise it with --max-aliases if this is intended)")
        if anchor not in anchors:
            raise YamlProblem(line, col, f"YAML syntax: found undefined alias '{anchor}'")
        value = anchors[anchor]
        if value.__class__ is not YMap and value.__class__ is not YList:
            return value
        if any(frame[0] is value for frame in stack):
            problems.append(YamlProblem(line, col, f"alias '*{anchor}' stands inside the node its anchor "
                                        "names (a recursive structure); depgraph cannot use it", fatal=False))
            return _DROPPED
        self.nodes += self._size(value)
        if self.nodes > self.max_nodes:
            raise YamlProblem(line, col, f"aliases in this file repeat more than {self.max_nodes:,} values "
                              f"(an alias bomb?) (limit max_aliases x {self.NODES_PER_ALIAS}; raise it "
                              "with --max-aliases if this is intended)")
        return value

    def _size(self, value) -> int:
        """How many values ``value`` stands for once every alias in it is expanded (iteratively:
        the tree may be as deep as max_depth allows; it has no cycles, aliases to open nodes are refused)."""
        sizes = self.sizes
        todo = [value]
        while todo:
            node = todo[-1]
            if id(node) in sizes:
                todo.pop()
                continue
            children = [c for c in (node.values() if node.__class__ is YMap else node)
                        if c.__class__ is YMap or c.__class__ is YList]
            pending = [c for c in children if id(c) not in sizes]
            if pending:
                todo.extend(pending)
                continue
            todo.pop()
            sizes[id(node)] = (node, 1 + len(node) - len(children) + sum(sizes[id(c)][1] for c in children))
        return sizes[id(value)][1]


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


_NO_KEY = _Marker("<no key>")
_DROPPED = _Marker("<dropped>")


def _attach(stack, value, line, col, problems, fresh: bool = False):
    """Put ``value`` (at line, col) into the container on top of the stack.

    ``fresh`` says ``value`` is a mapping or list that is only starting: when it is the value of a
    ``<<`` key it cannot be merged yet, so the mapping to merge it into is returned instead.
    """
    frame = stack[-1]
    container = frame[0]
    if container.__class__ is YList:
        if value is not _DROPPED:
            container.append(value)
            container.pos.append((line, col))
        return None
    key = frame[1]
    if key is _NO_KEY:  # value is a key
        if isinstance(value, (YMap, YList)):
            problems.append(YamlProblem(line, col, "a mapping key must be a plain value, not a "
                                        "mapping or list", fatal=False))
            value = _DROPPED
        frame[1], frame[2], frame[3] = value, line, col
        return None
    frame[1] = _NO_KEY
    if key is _DROPPED or value is _DROPPED:
        return None
    if key == "<<" and key.__class__ is str:
        if value.__class__ is YMap or value.__class__ is YList:
            if fresh:
                return container
            _merge(container, value, problems)
        else:
            problems.append(YamlProblem(line, col, "'<<' merges mappings only (write '<<: *anchor' or "
                                        "'<<: [*a, *b]')", fatal=False))
        return None
    if key in container:
        merged: set = getattr(container, "merged", set())
        if key not in merged:
            first = container.pos[key]
            problem = YamlProblem(frame[2], frame[3], f"duplicate key '{_spelling(key)}' in one mapping (first "
                                  f"at line {first[0]}); YAML would silently keep only the last one", fatal=False)
            # What a reader of others' files needs to keep the last value, as kubectl and compose do.
            problem.duplicate = (container, key, value, first[0])
            problems.append(problem)
            return None
        merged.discard(key)  # an explicit key overrides a merged one
    container[key] = value
    container.pos[key] = (frame[2], frame[3], line, col)
    return None


def _spelling(key) -> str:
    """A key as YAML spells it, clipped (``1`` and ``true`` are the same dict key in Python)."""
    if key is None or isinstance(key, bool):
        return {None: "null", True: "true", False: "false"}[key]
    text = str(key)
    text = text if len(text) <= 80 else text[:80] + "…"
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def _merge(container: YMap, value, problems) -> None:
    """``<<: *base`` or ``<<: [*a, *b]``: copy keys not already set (explicit keys and earlier sources win)."""
    if value.__class__ is YList:
        sources = [(item, *value.item_pos(i)) for i, item in enumerate(value)]
    else:
        sources = [(value, value.line, value.col)]
    for source, line, col in sources:
        if not isinstance(source, YMap):
            problems.append(YamlProblem(line, col, "'<<' merges mappings only (write '<<: *anchor' or "
                                        "'<<: [*a, *b]')", fatal=False))
            continue
        merged = getattr(container, "merged", None)
        if merged is None:
            merged = container.merged = set()
        for key, item in source.items():
            if key not in container:
                container[key] = item
                container.pos[key] = source.pos[key]
                merged.add(key)
