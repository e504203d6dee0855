"""Reading the Prometheus text exposition format and OpenMetrics (what a ``/metrics`` scrape returns).

:func:`samples` yields one :class:`Sample` per sample line: the metric name, its labels (escapes
``\\\\``, ``\\"`` and ``\\n`` undone), the value as a float and the line number. ``# TYPE``,
``# HELP``, ``# UNIT`` and ``# EOF`` lines, other comments, blank lines, a timestamp after the
value and an OpenMetrics exemplar (`` # {trace_id="…"} 1``) are read past. Names may also be
quoted inside the braces (``{"name.with.dots", label="x"}``), as Prometheus 3 writes UTF-8 names.
Anything else raises :class:`ExpositionError` with its line number.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_VALUES = {"nan": math.nan, "+inf": math.inf, "inf": math.inf, "-inf": -math.inf}
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n"}
MAX_LABELS = 64


class ExpositionError(ValueError):
    def __init__(self, line: int, detail: str):
        super().__init__(detail)
        self.line = line


@dataclass(frozen=True)
class Sample:
    name: str
    labels: dict[str, str]
    value: float
    line: int


def looks_like_exposition(text: str) -> bool:
    """Whether the first meaningful line is a ``# TYPE``/``# HELP`` comment or a sample.

    >>> looks_like_exposition('# HELP x y\\nx 1\\n'), looks_like_exposition('{"a": 1}')
    (True, False)
    """
    for line in text.splitlines()[:50]:
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.split()[1:2] in (["TYPE"], ["HELP"], ["UNIT"], ["EOF"]):
                return True
            continue
        try:
            _sample(line, 1)
        except ExpositionError:
            return False
        return True
    return False


def samples(text: str):
    """Every sample of an exposition, in order.

    >>> [(s.name, s.labels, s.value) for s in samples('# TYPE a counter\\na_total{x="q\\\\"1"} 2 1700000000\\n# EOF\\n')]
    [('a_total', {'x': 'q"1'}, 2.0)]
    """
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        yield _sample(stripped, number)


def _sample(line: str, number: int) -> Sample:
    name, labels, rest = _name_and_labels(line, number)
    fields = rest.split("#", 1)[0].split()  # an exemplar follows '#'
    if not fields or len(fields) > 2:
        raise ExpositionError(number, "expected a value (and an optional timestamp) after the series")
    value = _number(fields[0], number, "value")
    if len(fields) == 2:
        _number(fields[1], number, "timestamp")
    return Sample(name, labels, value, number)


def _name_and_labels(line: str, number: int) -> tuple[str, dict[str, str], str]:
    name = ""
    match = _NAME.match(line)
    at = 0
    if match:
        name, at = match.group(0), match.end()
    if at < len(line) and line[at] == "{":
        labels, at, quoted = _labels(line, at + 1, number)
        if quoted is not None:
            if name:
                raise ExpositionError(number, "a metric name both before and inside the braces")
            name = quoted
    else:
        labels = {}
    if not name:
        raise ExpositionError(number, "expected a metric name")
    if at < len(line) and not line[at].isspace():
        raise ExpositionError(number, f"unexpected {line[at]!r} after the series name")
    return name, labels, line[at:]


def _labels(line: str, at: int, number: int) -> tuple[dict[str, str], int, str | None]:
    """Labels from just past ``{`` to just past ``}``; a quoted name standing alone is the metric's."""
    labels: dict[str, str] = {}
    quoted_name = None
    while True:
        at = _skip_space(line, at)
        if at < len(line) and line[at] == "}":
            return labels, at + 1, quoted_name
        if at < len(line) and line[at] == '"':
            key, at = _quoted(line, at + 1, number)
            at = _skip_space(line, at)
            if at < len(line) and line[at] in ",}":
                quoted_name = key
                at += line[at] == ","
                continue
        else:
            match = _LABEL.match(line, at)
            if not match:
                raise ExpositionError(number, "expected a label name or '}'")
            key, at = match.group(0), match.end()
        at = _skip_space(line, at)
        if at >= len(line) or line[at] != "=":
            raise ExpositionError(number, f"expected '=' after label {key!r}")
        at = _skip_space(line, at + 1)
        if at >= len(line) or line[at] != '"':
            raise ExpositionError(number, f"expected a quoted value for label {key!r}")
        value, at = _quoted(line, at + 1, number)
        if key in labels:
            raise ExpositionError(number, f"label {key!r} repeated")
        if len(labels) >= MAX_LABELS:
            raise ExpositionError(number, f"more than {MAX_LABELS} labels on one series")
        labels[key] = value
        at = _skip_space(line, at)
        if at < len(line) and line[at] == ",":
            at += 1
        elif at >= len(line) or line[at] != "}":
            raise ExpositionError(number, "expected ',' or '}' after a label")


def _quoted(line: str, at: int, number: int) -> tuple[str, int]:
    """The text of a quoted string starting just past its opening quote; the index past its end."""
    out = []
    while at < len(line):
        char = line[at]
        if char == '"':
            return "".join(out), at + 1
        if char == "\\" and at + 1 < len(line):
            nxt = line[at + 1]
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            at += 2
            continue
        out.append(char)
        at += 1
    raise ExpositionError(number, "a quoted string is not closed on its line")


def _skip_space(line: str, at: int) -> int:
    while at < len(line) and line[at] in " \t":
        at += 1
    return at


def _number(text: str, number: int, what: str) -> float:
    if text.lower() in _VALUES:
        return _VALUES[text.lower()]
    if len(text) > 100:
        raise ExpositionError(number, f"the {what} is {len(text):,} characters long")
    try:
        return float(text)
    except ValueError:
        raise ExpositionError(number, f"the {what} {text!r} is not a number") from None
