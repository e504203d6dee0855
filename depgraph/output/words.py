"""Counted words for people: ``1 error``, ``3 errors``, ``2 dependencies`` (never ``error(s)``)."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """``1 client``, ``2 clients``, ``3 dependencies``, ``2,000 data centers``.

    >>> plural(1, "client"), plural(3, "dependency"), plural(2_000, "data center"), plural(2, "key")
    ('1 client', '3 dependencies', '2,000 data centers', '2 keys')
    """
    if count == 1:
        return f"1 {word}"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return f"{count:,} {word[:-1]}ies"
    return f"{count:,} {word}s"
