"""Service-graph calls from what Prometheus gives: a query API reply or a text exposition (a scrape).

A reply (``/api/v1/query`` or ``/api/v1/query_range``) is ``{"status": "success", "data":
{"resultType": "vector"|"matrix", "result": [{"metric": {labels}, "value"|"values": …}]}}``. A
vector's value is the count (a counter, or the ``increase()`` over a window). A matrix holds each
series' samples over time, read as a counter: its count is the increase from the first sample to
the last, a drop being a counter reset. An exposition's sample values are counters as scraped.
The series are read by :class:`depgraph.importers.servicegraph.ServiceGraph`.
"""

from __future__ import annotations

from depgraph.importers.exposition import ExpositionError, samples
from depgraph.importers.observed import ObservedCall
from depgraph.importers.servicegraph import MAX_COUNT, SeriesError, ServiceGraph, count

MAX_SAMPLES = 1 << 22


def is_reply(doc) -> bool:
    """Whether a parsed JSON document is a Prometheus query API reply."""
    if not isinstance(doc, dict) or not isinstance(doc.get("status"), str):
        return False
    return (isinstance(doc.get("data"), dict) and "resultType" in doc["data"]) or "errorType" in doc \
        or (doc["status"] == "error" and "error" in doc)


def reply_calls(doc, origin: str = "") -> tuple[str, list[ObservedCall]]:
    """``("prometheus", calls)`` of a query API reply; :class:`SeriesError` naming the place.

    >>> reply_calls({"status": "success", "data": {"resultType": "vector", "result": [
    ...     {"metric": {"__name__": "traces_service_graph_request_total", "client": "a", "server": "b"},
    ...      "value": [1700000000, "41.7"]}]}})[1]
    [ObservedCall(parent='a', child='b', calls=42, errors=0, connection_type='', entry=False, origin='')]
    """
    if doc.get("status") != "success":
        detail = doc.get("error") if isinstance(doc.get("error"), str) else "no error given"
        raise SeriesError("status", f"the reply is not a success ({str(detail)[:200]})")
    data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
    kind, result = data.get("resultType"), data.get("result")
    if kind not in ("vector", "matrix"):
        raise SeriesError("data.resultType", f"expected 'vector' or 'matrix', not {str(kind)[:40]!r}")
    if not isinstance(result, list):
        raise SeriesError("data.result", "expected a list of series")
    graph = ServiceGraph(origin)
    for index, series in enumerate(result):
        where = f"data.result[{index}]"
        if not isinstance(series, dict) or not isinstance(series.get("metric"), dict):
            raise SeriesError(where, "expected an object with 'metric' labels")
        labels = series["metric"]
        name = labels.get("__name__")
        if name is not None and not isinstance(name, str):
            raise SeriesError(where, "'__name__' must be a string")
        if kind == "vector":
            value = _sample_value(series.get("value"), f"{where}.value")
        else:
            value = _increase(series.get("values"), f"{where}.values")
        graph.add(name, labels, value, where)
    return "prometheus", _checked(graph, result)


def _sample_value(sample, where: str) -> float:
    if not isinstance(sample, list) or len(sample) != 2:
        raise SeriesError(where, "expected [timestamp, \"value\"]")
    return count(sample[1], where)


def _increase(values, where: str) -> float:
    """A counter's increase across its samples (a drop is a reset: the new value counts whole)."""
    if not isinstance(values, list):
        raise SeriesError(where, "expected a list of [timestamp, \"value\"] samples")
    if len(values) > MAX_SAMPLES:
        raise SeriesError(where, f"more than {MAX_SAMPLES:,} samples in one series")
    total, previous = 0.0, None
    for index, sample in enumerate(values):
        value = _sample_value(sample, f"{where}[{index}]")
        if previous is not None:
            total += value - previous if value >= previous else value
        previous = value
    if total > MAX_COUNT:
        raise SeriesError(where, "the increase is larger than any count depgraph reads (2^53)")
    return total


def exposition_calls(text: str, origin: str = "") -> tuple[str, list[ObservedCall]]:
    """``("openmetrics", calls)`` of a text exposition; :class:`SeriesError` at ``line N``.

    >>> exposition_calls('# TYPE traces_service_graph_request counter\\n'
    ...                  'traces_service_graph_request_total{client="a",server="b"} 3\\n# EOF\\n')[1][0].calls
    3
    """
    graph = ServiceGraph(origin)
    read = 0
    for sample in _samples(text):
        where = f"line {sample.line}"
        read += 1
        graph.add(sample.name, sample.labels, count(sample.value, where), where)
    return "openmetrics", _checked(graph, range(read))


def _samples(text: str):
    try:
        yield from samples(text)
    except ExpositionError as exc:
        raise SeriesError(f"line {exc.line}", str(exc)) from None


def _checked(graph: ServiceGraph, series) -> list[ObservedCall]:
    """The calls, or an error when there were series and none was a servicegraph metric."""
    if len(series) and not graph.read:
        seen = ", ".join(sorted(graph.ignored)[:5])
        raise SeriesError("", f"no servicegraph series (metric names ending in "
                              f"traces_service_graph_request_total, …_failed_total or "
                              f"…_request_server_seconds_count); found {seen}")
    return graph.calls()
