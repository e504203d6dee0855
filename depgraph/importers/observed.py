"""Observed dependency links from tracing: Jaeger's ``/api/dependencies`` response, the
spark-dependencies daily document, and Zipkin's ``/api/v2/dependencies`` array.

:func:`read_observed` detects the format itself and returns the calls summed per
``(parent, child)``; anything else is a :class:`SourceError` with a message saying what was
expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from depgraph.importers.sourcefiles import SourceError
from depgraph.load.bounded import InputError, load_json_bounded
from depgraph.load.limits import DEFAULT_LIMITS


@dataclass(frozen=True)
class ObservedCall:
    parent: str
    child: str
    calls: int
    errors: int = 0


EXPECTED = ("a Jaeger /api/dependencies response ({\"data\": [{\"parent\", \"child\", \"callCount\"}]}), "
            "a spark-dependencies document ({\"timestamp\", \"dependencies\": [...]}) or a Zipkin "
            "/api/v2/dependencies array ([{\"parent\", \"child\", \"callCount\", \"errorCount\"}])")


def detect_links(doc) -> tuple[str, list]:
    """``(format name, raw link list)`` of a parsed observed document."""
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        return "jaeger", doc["data"]
    if isinstance(doc, dict) and isinstance(doc.get("dependencies"), list):
        return "spark-dependencies", doc["dependencies"]
    if isinstance(doc, list) and doc and all(isinstance(d, dict) and "dependencies" in d for d in doc):
        return "spark-dependencies", [link for d in doc for link in d.get("dependencies") or []]
    if isinstance(doc, list):
        return "zipkin", doc
    raise ValueError(f"not a dependency-links document; expected {EXPECTED}")


def parse_links(doc) -> tuple[str, list[ObservedCall]]:
    """The format and the calls of a parsed document, summed per (parent, child).

    >>> parse_links({"data": [{"parent": "a", "child": "b", "callCount": 2},
    ...                       {"parent": "a", "child": "b", "callCount": 3}]})
    ('jaeger', [ObservedCall(parent='a', child='b', calls=5, errors=0)])
    """
    fmt, links = detect_links(doc)
    totals: dict[tuple[str, str], list[int]] = {}
    for index, link in enumerate(links):
        if not isinstance(link, dict):
            raise ValueError(f"link {index} is not an object")
        parent, child = link.get("parent"), link.get("child")
        if not isinstance(parent, str) or not isinstance(child, str) or not parent or not child:
            raise ValueError(f"link {index} needs string 'parent' and 'child'")
        calls = _count(link.get("callCount", 0), index, "callCount")
        errors = _count(link.get("errorCount", 0), index, "errorCount")
        total = totals.setdefault((parent, child), [0, 0])
        total[0] += calls
        total[1] += errors
    calls = [ObservedCall(p, c, n, e) for (p, c), (n, e) in sorted(totals.items())]
    return fmt, calls


def _count(value, index: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"link {index}: '{field}' must be a non-negative integer, not {value!r}")
    return value


def read_observed(path: Path, limit: int = DEFAULT_LIMITS.max_file_bytes) -> tuple[str, list[ObservedCall]]:
    """The calls of an observed-links file (at most ``limit`` bytes); SourceError otherwise."""
    try:
        doc = load_json_bounded(path, limit, "observed dependencies file")
    except InputError as exc:
        raise SourceError(str(exc)) from None
    try:
        return parse_links(doc)
    except ValueError as exc:
        raise SourceError(f"{path}: {exc}") from exc
