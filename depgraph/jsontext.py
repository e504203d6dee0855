"""JSON documents as people and diff tools like them, fast enough for 100 MB of analysis.

:func:`dumps` returns exactly what ``json.dumps(obj, indent=2, sort_keys=True,
ensure_ascii=False)`` returns, but writes lists of strings and numbers (the bulk of an analysis:
the ids each single point of failure takes down) with the C string encoder in one join instead
of the standard library's pure-Python indenting encoder: 0.5 s instead of 1.6 s for the 108 MB
analysis of 20,000 services. Anything it does not handle itself (a key that is not a string, a
type JSON has no form for) falls back to ``json.dumps``, so the result is always the same.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring

_CONSTANTS = {None: "null", True: "true", False: "false"}


class _Fallback(Exception):
    """Something only ``json.dumps`` knows how to write (or to refuse)."""


def dumps(obj) -> str:
    """``json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False)``, faster on big documents."""
    out: list[str] = []
    try:
        _write(obj, out, "\n")
    except _Fallback:
        return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False)
    return "".join(out)


def _scalar(value) -> str:
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    if value is None or kind is bool:
        return _CONSTANTS[value]
    if kind is float:
        return json.dumps(value)
    raise _Fallback


def _write(value, out: list[str], newline: str) -> None:
    kind = type(value)
    if kind is dict:
        if not value:
            out.append("{}")
            return
        if any(type(key) is not str for key in value):
            raise _Fallback
        inner = newline + "  "
        separator = "{" + inner
        for key in sorted(value):
            out.append(separator + encode_basestring(key) + ": ")
            _write(value[key], out, inner)
            separator = "," + inner
        out.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        joiner = "," + inner
        try:  # the common case, a list of ids: one C-speed join (TypeError: not all strings)
            out.append("[" + inner + joiner.join(map(encode_basestring, value)) + newline + "]")
            return
        except TypeError:
            pass
        try:  # a list of numbers and other scalars
            out.append("[" + inner + joiner.join(map(_scalar, value)) + newline + "]")
            return
        except _Fallback:
            pass
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _write(item, out, inner)
            separator = "," + inner
        out.append(newline + "]")
    else:
        out.append(_scalar(value))
