"""Answers cut to a size a reader (or an assistant's context window) can take, saying what was cut.

A blast radius of a hub data center at 20,000 services lists tens of thousands of ids. An answer
of the warm server lists at most ``limit`` items in each list (and keys in each map below the
top keyed by ids, such as a blast radius's ``reasons``) and names every cut in ``"truncated"``: the path of
the list and how many it held. Lists of ids are sorted, so what is kept is the first ``limit``
in the document's own order, and a map keyed by the same ids keeps the same ones. Nothing is
cut, and no ``truncated`` key is added, when everything fits: the document is then the command
line's, value for value.
"""

from __future__ import annotations

#: items listed per list by default; ``limit: 0`` asks for everything
DEFAULT_LIMIT = 200
#: the most any one answer may be asked to list per list (0 still means everything)
MAX_LIMIT = 100_000


def bounded(document: dict, limit: int) -> dict:
    """``document`` with each list (at any depth) and each map keyed by ids cut to ``limit``
    entries; ``truncated`` maps each cut's path to its full length. ``limit`` 0: unchanged.

    >>> bounded({"down": ["s:a", "s:b", "s:c"], "reasons": {"s:a": 1, "s:b": 2, "s:c": 3}}, 2)
    {'down': ['s:a', 's:b'], 'reasons': {'s:a': 1, 's:b': 2}, 'truncated': {'down': 3, 'reasons': 3}}
    >>> bounded({"waves": [["a"], ["b", "c"]]}, 5)
    {'waves': [['a'], ['b', 'c']]}
    """
    if not limit:
        return document
    cuts: dict[str, int] = {}
    kept = {key: _cut(value, limit, key, cuts) for key, value in document.items()}
    if cuts:
        kept["truncated"] = cuts
    return kept


def _cut(value, limit: int, path: str, cuts: dict[str, int]):
    if isinstance(value, list):
        if len(value) > limit:
            cuts[path] = len(value)
            value = value[:limit]
        if value and isinstance(value[0], (list, dict)):
            return [_cut(item, limit, f"{path}[{index}]", cuts) for index, item in enumerate(value)]
        return value
    if isinstance(value, dict):
        keys = value
        if len(value) > limit and all(":" in key for key in value):  # keyed by ids, not a record
            cuts[path] = len(value)
            keys = sorted(value)[:limit]
        return {key: _cut(value[key], limit, f"{path}.{key}", cuts) for key in keys}
    return value
