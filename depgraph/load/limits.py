"""The loading limits: what keeps a hostile descriptor tree from making loading explode.

Their own module, without YAML: a command that answers from the cache needs the limits (they
are part of the cache key) and never parses a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Limits:
    """Guards against inputs that would make loading explode. All configurable (see SECURITY.md)."""

    max_file_bytes: int = 64 * 1024 * 1024
    max_depth: int = 64
    max_aliases: int = 1000
    max_entities: int = 2_000_000
    #: processes that parse the files: 1 reads them in this process, None decides by the tree's
    #: size (:func:`depgraph.load.loader.loading_jobs`). Not a bound on the input: no part of
    #: the cache key, and 1 by default so that a library call starts no process unless asked.
    jobs: int | None = field(default=1, repr=False, compare=False)


DEFAULT_LIMITS = Limits()
