"""Observed calls from production, each format recognised from the file's content.

Jaeger's ``/api/dependencies`` response, the spark-dependencies daily document and Zipkin's
``/api/v2/dependencies`` array are read here; OpenTelemetry service graphs as Prometheus holds
them (a query API reply, or a text exposition) in :mod:`depgraph.importers.prometheus`, and
Kiali graphs in :mod:`depgraph.importers.kiali`. :func:`read_observed` reads one file and
:func:`read_all` several (their calls side by side; drift adds them up per edge). Anything
else is an :class:`~depgraph.load.bounded.InputError` naming the file (and the line, or the
place in the JSON document) and saying what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass

from depgraph.load.bounded import InputError, decode_text, parse_json, read_bounded
from depgraph.load.limits import DEFAULT_LIMITS

MAX_LINK_COUNT = 1 << 53


@dataclass(frozen=True)
class ObservedCall:
    """Calls seen from ``parent`` to ``child``: ``connection_type`` as the tracing pipeline named
    it (``database``, ``messaging_system``, ``virtual_node``; empty when not said), ``entry``
    when ``parent`` is no service but the outside world (OpenTelemetry's ``user``, Kiali's
    ``unknown``), ``origin`` the file or URL it came from."""

    parent: str
    child: str
    calls: int
    errors: int = 0
    connection_type: str = ""
    entry: bool = False
    origin: str = ""


EXPECTED = ("a Jaeger /api/dependencies response ({\"data\": [{\"parent\", \"child\", \"callCount\"}]}), "
            "a spark-dependencies document ({\"timestamp\", \"dependencies\": [...]}), a Zipkin "
            "/api/v2/dependencies array ([{\"parent\", \"child\", \"callCount\", \"errorCount\"}]), "
            "a Prometheus query reply ({\"status\", \"data\": {\"resultType\", \"result\"}}), "
            "a Prometheus/OpenMetrics text exposition, or a Kiali graph ({\"elements\": {\"nodes\", \"edges\"}})")


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


def parse_links(doc, origin: str = "") -> tuple[str, list[ObservedCall]]:
    """The format and the calls of a parsed document, summed per (parent, child).

    >>> parse_links({"data": [{"parent": "a", "child": "b", "callCount": 2},
    ...                       {"parent": "a", "child": "b", "callCount": 3}]})
    ('jaeger', [ObservedCall(parent='a', child='b', calls=5, errors=0, connection_type='', entry=False, origin='')])
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
    calls = [ObservedCall(p, c, n, e, origin=origin) for (p, c), (n, e) in sorted(totals.items())]
    return fmt, calls


def _count(value, index: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LINK_COUNT:
        raise ValueError(f"link {index}: '{field}' must be a non-negative integer, not {str(value)[:40]!r}")
    return value


def parse_observed(text: str, origin: str) -> tuple[str, list[ObservedCall]]:
    """The format and calls of an observed document's text; :class:`InputError` naming ``origin``."""
    from depgraph.importers import kiali, prometheus
    from depgraph.importers.exposition import looks_like_exposition
    from depgraph.importers.servicegraph import SeriesError

    if text.lstrip()[:1] not in ("{", "[") and looks_like_exposition(text):
        try:
            return prometheus.exposition_calls(text, origin)
        except SeriesError as exc:
            line, _, detail = str(exc).partition(": ")
            if line.startswith("line "):
                raise InputError(origin, detail, int(line[5:])) from None
            raise InputError(origin, str(exc)) from None
    doc = parse_json(text, origin, "observed dependencies file")
    try:
        if prometheus.is_reply(doc):
            return prometheus.reply_calls(doc, origin)
        if kiali.is_graph(doc):
            return kiali.graph_calls(doc, origin)
        return parse_links(doc, origin)
    except (SeriesError, ValueError) as exc:
        raise InputError(origin, str(exc)) from None


def read_observed(path, limit: int = DEFAULT_LIMITS.max_file_bytes) -> tuple[str, list[ObservedCall]]:
    """The format and calls of an observed file (at most ``limit`` bytes); InputError otherwise."""
    from depgraph.load.files import collection_paused

    what = "observed dependencies file"
    with collection_paused():  # a parsed reply is a million small objects, none of them cyclic garbage
        return parse_observed(decode_text(read_bounded(path, limit, what), path, what), str(path))


def read_all(paths, limit: int = DEFAULT_LIMITS.max_file_bytes) -> tuple[str, list[ObservedCall]]:
    """The formats (joined by ``+``, each once) and the calls of several observed files."""
    formats: list[str] = []
    calls: list[ObservedCall] = []
    for path in paths:
        fmt, found = read_observed(path, limit)
        if fmt not in formats:
            formats.append(fmt)
        calls += found
    return "+".join(formats), calls
