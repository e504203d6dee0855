"""JSON documents as people and diff tools like them: one record per line, small, fast to write.

:func:`dumps` writes the outer structure indented by two spaces, keys sorted, and every record
(an item of a list that nests at most two levels, such as a finding, a single point of failure,
a node or an edge; or a value of a dict below the top whose values are all such records, as the
reasons of a blast radius keyed by service) on a line of its own, as does every list of plain
values (a list of ids)::

    {
      "findings": [
        {"file": "descriptors/a.yaml", "line": 3, "rule": "unowned", "subject": "service:a"},
        {"file": "descriptors/b.yaml", "line": 5, "rule": "tier-inversion", "subject": "service:b"}
      ],
      "summary": {
        "services": 2
      }
    }

A change to one record is then a one-line diff, ``grep`` finds a whole record, and the bytes
``json.dumps(indent=2)`` spends on indenting every id of every list are not written: at 20,000
services that was about a quarter of the analysis. Records and lists are written by the
standard library's C encoder (``json.dumps(…, sort_keys=True, ensure_ascii=False)`` with its
default separators; timings in docs/benchmarks.md). A dict whose keys
are not all strings is written on one line too, as ``json.dumps`` writes it.
"""

from __future__ import annotations

import json
from json.encoder import c_make_encoder, encode_basestring

_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
_MARKERS: dict = {}  # the C encoder's circular-reference check; empty again after every call
_c_encode = None if c_make_encoder is None else c_make_encoder(
    _MARKERS, _ENCODER.default, encode_basestring, None, _ENCODER.key_separator, _ENCODER.item_separator,
    True, False, True)


def _encode(value) -> str:
    """``json.dumps(value, sort_keys=True, ensure_ascii=False)``, with one C encoder made once
    (``JSONEncoder.encode`` makes a new one per call: a third of the time on small records)."""
    if type(value) is str:
        return encode_basestring(value)
    if _c_encode is None:  # pragma: no cover - CPython always has the C encoder
        return _ENCODER.encode(value)
    try:
        return "".join(_c_encode(value, 0))
    except BaseException:
        _MARKERS.clear()  # after an error (a set, a circular list) it may still hold entries
        raise
_CONTAINERS = (dict, list, tuple)
_SCALARS = frozenset((str, int, float, bool, type(None)))


def dumps(obj) -> str:
    """``obj`` as a JSON document in the layout of the module docstring.

    >>> print(dumps({"ids": ["b", "a"], "spofs": [{"component": "host:h1", "down": ["service:a"]}]}))
    {
      "ids": ["b", "a"],
      "spofs": [
        {"component": "host:h1", "down": ["service:a"]}
      ]
    }
    """
    out: list[str] = []
    _write(obj, out.append, "\n")
    return "".join(out)


def _write(value, add, newline: str) -> None:
    if isinstance(value, dict):
        if not value or not all(type(key) is str for key in value):
            add(_encode(value))
            return
        inner = newline + "  "
        if newline != "\n" and _record_map(value):  # e.g. the 11,000 reasons of an outage: one join
            add("{" + inner + ("," + inner).join(
                [_encode(key) + ": " + _encode(value[key]) for key in sorted(value)]) + newline + "}")
            return
        separator = "{" + inner
        for key in sorted(value):
            item = value[key]
            add(separator + _encode(key) + ": ")
            if isinstance(item, _CONTAINERS) and not _plain_list(item):
                _write(item, add, inner)
            else:
                add(_encode(item))
            separator = "," + inner
        add(newline + "}")
    elif isinstance(value, (list, tuple)):
        if _plain_list(value):
            add(_encode(value))
            return
        inner = newline + "  "
        if all(type(item) is dict and _shallow(item) for item in value):  # a list of records
            add("[" + inner + ("," + inner).join([_encode(item) for item in value]) + newline + "]")
            return
        separator = "[" + inner
        for item in value:
            add(separator)
            if isinstance(item, _CONTAINERS) and not _shallow(item):
                _write(item, add, inner)
            else:
                add(_encode(item))
            separator = "," + inner
        add(newline + "]")
    else:
        add(_encode(value))


def _holds_container(items) -> bool:
    if _SCALARS.issuperset(map(type, items)):  # the common case, at C speed: ids and numbers
        return False
    return any(isinstance(item, _CONTAINERS) for item in items)


def _plain_list(value) -> bool:
    """A list (or tuple) holding no container: written on one line wherever it stands."""
    return isinstance(value, (list, tuple)) and not _holds_container(value)


def _record_map(value: dict) -> bool:
    """A dict of records (every value a dict of at most two levels), such as the reasons of a
    blast radius keyed by service: written one record per line, like a list of records."""
    return all(type(item) is dict and _shallow(item) for item in value.values())


def _shallow(value) -> bool:
    """A record: a container whose containers hold no containers (at most two levels)."""
    items = value.values() if isinstance(value, dict) else value
    if _SCALARS.issuperset(map(type, items)):  # the common case, at C speed: a flat record
        return True
    for item in items:
        if isinstance(item, dict):
            if _holds_container(item.values()):
                return False
        elif isinstance(item, (list, tuple)) and _holds_container(item):
            return False
    return True
