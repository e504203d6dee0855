"""The loading limits: what keeps a hostile descriptor tree from making loading explode.

Their own module, without YAML: a command that answers from the cache needs the limits (they
are part of the cache key) and never parses a file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """Guards against inputs that would make loading explode. All configurable (see SECURITY.md)."""

    max_file_bytes: int = 64 * 1024 * 1024
    max_depth: int = 64
    max_aliases: int = 1000
    max_entities: int = 2_000_000


DEFAULT_LIMITS = Limits()
