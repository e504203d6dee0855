"""Descriptor names: normalising foreign names to ``^[a-z0-9][a-z0-9._-]*$`` and spotting collisions."""

from __future__ import annotations

import re

_BAD = re.compile(r"[^a-z0-9._-]+")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*\Z")


def normalise(name: str) -> str:
    """A valid descriptor name for ``name``: lower-case, other characters to ``-``.

    >>> normalise("Basket.API")
    'basket.api'
    >>> normalise("_Order Service!")
    'order-service-'
    """
    text = _BAD.sub("-", str(name).strip().lower())
    text = text.lstrip("-._")
    return text[:253] or "unnamed"


_TOKEN_SPLIT = re.compile(r"[-_./:@\s]+")


def tokens(text: str) -> list[str]:
    """The lower-case tokens of a name, image path or label value: every heuristic on names
    matches whole tokens, never substrings (``tempo`` is not in ``temporal``).

    >>> tokens("ghcr.io/Grafana/tempo:2.4"), tokens("temporal-history")
    (['ghcr', 'io', 'grafana', 'tempo', '2', '4'], ['temporal', 'history'])
    """
    return [t for t in _TOKEN_SPLIT.split(str(text).lower()) if t]


def plain(text: str) -> str:
    """``text`` on one line, as single-line descriptor fields (labels, owner, rack…) must be:
    control and invisible characters become spaces, runs of space one.

    >>> plain("Row 1\\n Rack\\t2 ")
    'Row 1 Rack 2'
    """
    text = str(text)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())


def plain_map(mapping: dict) -> dict[str, str]:
    """A labels or contact mapping with every key and value made :func:`plain`."""
    return {plain(k): plain(v) for k, v in mapping.items()}


class NameTable:
    """Hands out normalised names, keeping them unique and remembering each collision."""

    def __init__(self) -> None:
        self.by_original: dict[str, str] = {}
        self.taken: dict[str, str] = {}
        self.collisions: list[str] = []

    def assign(self, original: str) -> str:
        if original in self.by_original:
            return self.by_original[original]
        base = normalise(original)
        name, n = base, 2
        while name in self.taken:
            name = f"{base}-{n}"
            n += 1
        if name != base:
            self.collisions.append(
                f"name collision: '{original}' and '{self.taken[base]}' both normalise to "
                f"'{base}'; '{original}' was written as '{name}'"
            )
        self.taken[name] = original
        self.by_original[original] = name
        return name
