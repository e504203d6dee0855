"""Observed calls from a Kiali graph (Istio): ``/api/namespaces/graph`` as JSON.

``{"duration": seconds, "elements": {"nodes": [{"data": {"id", "nodeType", "app", "service",
"workload"}}], "edges": [{"data": {"source", "target", "traffic": {"protocol", "rates"}}}]}}``.
A node is named by its ``nodeType`` field (an ``app`` node by its app, a ``service`` node by its
service, a ``workload`` node by its workload); Kiali's ``unknown`` node (requests from outside
the mesh) is an entry point. Rates are per second over the graph's duration, so an edge's calls
are ``rate × duration`` (``http`` or ``grpc``), its errors that times ``…PercentErr`` / 100. A
``tcp`` edge carries bytes, not requests: it is an observed edge with no call count.
"""

from __future__ import annotations

import math

from depgraph.importers.observed import ObservedCall
from depgraph.importers.servicegraph import MAX_COUNT, SeriesError

ENTRY_NODE = "unknown"
SKIPPED_TYPES = {"box", "aggregate"}


def is_graph(doc) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("elements"), dict)


def graph_calls(doc, origin: str = "") -> tuple[str, list[ObservedCall]]:
    """``("kiali", calls)``; :class:`SeriesError` naming the place otherwise.

    >>> graph_calls({"duration": 600, "elements": {
    ...     "nodes": [{"data": {"id": "n1", "nodeType": "unknown"}},
    ...               {"data": {"id": "n2", "nodeType": "app", "app": "web"}},
    ...               {"data": {"id": "n3", "nodeType": "service", "service": "orders"}}],
    ...     "edges": [{"data": {"source": "n1", "target": "n2", "traffic": {"protocol": "http", "rates": {"http": "2.0"}}}},
    ...               {"data": {"source": "n2", "target": "n3", "traffic": {"protocol": "http",
    ...                          "rates": {"http": "0.5", "httpPercentErr": "10"}}}}]}})[1]
    ... # doctest: +NORMALIZE_WHITESPACE
    [ObservedCall(parent='unknown', child='web', calls=1200, errors=0, connection_type='', entry=True, origin=''),
     ObservedCall(parent='web', child='orders', calls=300, errors=30, connection_type='', entry=False, origin='')]
    """
    duration = doc.get("duration")
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or not 0 < duration < 1e9:
        raise SeriesError("duration", "a Kiali graph needs its 'duration' in seconds (rates are per second)")
    elements = doc["elements"]
    names = _node_names(elements.get("nodes"))
    edges = elements.get("edges") or []
    if not isinstance(edges, list):
        raise SeriesError("elements.edges", "expected a list")
    totals: dict[tuple[str, str, bool], list] = {}
    for index, edge in enumerate(edges):
        where = f"elements.edges[{index}]"
        data = edge.get("data") if isinstance(edge, dict) else None
        if not isinstance(data, dict):
            raise SeriesError(where, "expected an object with 'data'")
        source, target = names.get(data.get("source")), names.get(data.get("target"))
        if source is None or target is None:
            continue  # an edge to a box, or to a node the graph does not hold
        calls, errors, tcp = _traffic(data.get("traffic"), duration, f"{where}.data.traffic")
        if calls <= 0 and not tcp:
            continue  # an idle edge
        total = totals.setdefault((source[0], target[0], source[1]), [0.0, 0.0, False])
        total[0] += calls
        total[1] += errors
        total[2] = total[2] or tcp
    return "kiali", [ObservedCall(s, t, round(n), min(round(e), round(n)), "tcp" if tcp and not n else "", entry, origin)
                     for (s, t, entry), (n, e, tcp) in sorted(totals.items())]


def _node_names(nodes) -> dict[str, tuple[str, bool]]:
    """node id -> (name, is the entry node)."""
    if not isinstance(nodes, list):
        raise SeriesError("elements.nodes", "expected a list")
    names = {}
    for index, node in enumerate(nodes):
        where = f"elements.nodes[{index}]"
        data = node.get("data") if isinstance(node, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise SeriesError(where, "expected an object with 'data' holding an 'id'")
        kind = data.get("nodeType")
        if kind in SKIPPED_TYPES:
            continue
        if kind == ENTRY_NODE:
            names[data["id"]] = (ENTRY_NODE, True)
            continue
        fields = [kind] if kind in ("app", "service", "workload") else []
        name = next((data[f] for f in fields + ["app", "service", "workload"]
                     if isinstance(data.get(f), str) and data[f] and data[f] != ENTRY_NODE), None)
        if name is None:
            raise SeriesError(where, "a node needs an 'app', 'service' or 'workload' name")
        names[data["id"]] = (name, False)
    return names


def _traffic(traffic, duration: float, where: str) -> tuple[float, float, bool]:
    """(calls, errors, carries tcp) of an edge's traffic."""
    if traffic is None:
        return 0.0, 0.0, False
    rates = traffic.get("rates") if isinstance(traffic, dict) else None
    if rates is None:
        return 0.0, 0.0, False
    if not isinstance(rates, dict):
        raise SeriesError(where, "'rates' must be an object")
    calls = errors = 0.0
    for protocol in ("http", "grpc"):
        rate = _rate(rates.get(protocol), f"{where}.rates.{protocol}")
        share = _rate(rates.get(protocol + "PercentErr"), f"{where}.rates.{protocol}PercentErr")
        calls += rate * duration
        errors += rate * duration * min(share, 100.0) / 100.0
    if calls > MAX_COUNT:
        raise SeriesError(where, "more calls than any count depgraph reads (2^53)")
    return calls, errors, _rate(rates.get("tcp"), f"{where}.rates.tcp") > 0


def _rate(value, where: str) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or (isinstance(value, str) and len(value) > 50):
        raise SeriesError(where, "expected a number (as a string)")
    try:
        rate = float(value)
    except ValueError:
        raise SeriesError(where, f"{value!r} is not a number") from None
    if not math.isfinite(rate) or rate < 0 or rate > MAX_COUNT:
        raise SeriesError(where, f"{value!r} is not a rate")
    return rate
