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
