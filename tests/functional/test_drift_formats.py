"""Every observed format gives the same drift as the same calls given as dependency links.

Each builder below writes one list of calls in one format, with the shapes real exporters
produce (an exporter namespace before the metric name, histograms' ``_count``, ``connection_type``
values, Tempo's ``virtual_node`` label, OpenMetrics' ``_created`` samples and exemplars).
"""

from __future__ import annotations

import json

import pytest

from depgraph.importers.drift import drift
from depgraph.importers.observed import parse_observed, read_all
from tests.landscapes import CALLS, call_kind, vector, zipkin
from tests.landscapes import DRIFT_TREE as DESCRIPTORS



def nameless() -> str:
    """What ``sum by (client, server) (increase(…[7d]))`` replies: no names, fractional increases."""
    doc = json.loads(vector(calls=[(p, c, n, 0) for p, c, n, _ in CALLS]))
    result = [s for s in doc["data"]["result"] if not s["metric"]["__name__"].endswith("failed_total")]
    for series in result:
        del series["metric"]["__name__"], series["metric"]["job"]
        series["value"][1] = str(float(series["value"][1]) - 0.4)
    doc["data"]["result"] = result
    return json.dumps(doc)


def histogram_only() -> str:
    """Only the server-seconds histogram: its ``_count`` series are the calls."""
    return vector(metric="traces_service_graph_request_server_seconds_count", prefix="tempo_")


def both_counts() -> str:
    """request_total and the histogram's count for every edge: the count must not be added."""
    doc = json.loads(vector())
    extra = json.loads(histogram_only())["data"]["result"]
    doc["data"]["result"] += [s for s in extra if s["metric"]["__name__"].endswith("_count")]
    return json.dumps(doc)


def matrix() -> str:
    """A counter over time, with a reset in the middle: the increase is the calls."""
    result = []
    for p, c, n, e in CALLS:
        labels = {"client": p, "server": c, **call_kind(c)}
        half = n // 2
        points = [[1765000000, "100"], [1765000060, str(100 + half)], [1765000120, "0"], [1765000180, str(n - half)]]
        result.append({"metric": {"__name__": "traces_service_graph_request_total", **labels}, "values": points})
        result.append({"metric": {"__name__": "traces_service_graph_request_failed_total", **labels},
                       "values": [[1765000000, "7"], [1765000180, str(7 + e)]]})
    return json.dumps({"status": "success", "data": {"resultType": "matrix", "result": result}})


def openmetrics() -> str:
    lines = ["# HELP otelcol_traces_service_graph_request Total count of requests between two nodes",
             "# TYPE otelcol_traces_service_graph_request counter"]
    for p, c, n, e in CALLS:
        kind = ',connection_type="database"' if c == "postgres" else ',connection_type=""'
        labels = f'{{client="{p}",server="{c}"{kind},virtual_node=""}}'
        lines.append(f"otelcol_traces_service_graph_request_total{labels} {n} 1765000000.000")
        lines.append(f"otelcol_traces_service_graph_request_created{labels} 1764990000.0")
        lines.append(f'otelcol_traces_service_graph_request_failed_total{labels} {e} # {{trace_id="abc"}} 1.0')
        lines.append(f'otelcol_traces_service_graph_request_server_seconds_bucket{labels[:-1]},le="0.1"}} {n}')
        lines.append(f"otelcol_traces_service_graph_request_server_seconds_count{labels} {n}")
    return "\n".join(lines + ["# EOF", ""])


def prometheus_text() -> str:
    """The classic text format, no TYPE lines, labels in another order and spaced."""
    return "".join(f'traces_service_graph_request_total{{ server="{c}", client="{p}" {", connection_type=" + chr(34) + "database" + chr(34) if c == "postgres" else ""} }} {n}\n'
                   f'traces_service_graph_request_failed_total{{client="{p}",server="{c}"}} {e}\n'
                   for p, c, n, e in CALLS)


def kiali() -> str:
    duration = 600
    nodes = [{"data": {"id": "n-unknown", "nodeType": "unknown", "app": "unknown"}},
             {"data": {"id": "box", "nodeType": "box", "app": "web"}}]
    edges = []
    names = sorted({n for p, c, *_ in CALLS for n in (p, c)})
    for index, name in enumerate(names):
        kind = ("service", "service") if name in ("postgres", "stripe-api") else ("app", "app")
        nodes.append({"data": {"id": f"n{index}", "nodeType": kind[0], kind[1]: name, "namespace": "shop",
                               "workload": f"{name}-v1"}})
    ids = {name: f"n{index}" for index, name in enumerate(names)}
    for p, c, n, e in CALLS:
        edges.append({"data": {"id": f"{p}-{c}", "source": ids[p], "target": ids[c], "traffic": {
            "protocol": "http", "rates": {"http": f"{n / duration:.4f}", "httpPercentErr": f"{100 * e / n:.2f}"}}}})
    edges.append({"data": {"source": "n-unknown", "target": ids["web"],
                           "traffic": {"protocol": "http", "rates": {"http": "3.0"}}}})
    return json.dumps({"timestamp": 1765000000, "duration": duration, "graphType": "app",
                       "elements": {"nodes": nodes, "edges": edges}})


def split_in_two(tmp_path) -> list:
    """The calls spread over two files of different formats: edges merged, calls added."""
    first = [(p, c, n // 3, e // 3) for p, c, n, e in CALLS]
    second = [(p, c, n - n // 3, e - e // 3) for p, c, n, e in CALLS]
    a, b = tmp_path / "a.json", tmp_path / "b.prom"
    a.write_text(zipkin(first))
    b.write_text(vector(second))
    return [a, b]


FORMATS = {"prometheus vector": vector, "prometheus nameless": nameless,
           "histogram count": histogram_only, "count and total": both_counts, "matrix": matrix,
           "openmetrics": openmetrics, "prometheus text": prometheus_text, "kiali": kiali}


@pytest.fixture
def catalog(tree):
    from depgraph.load.loader import load_catalog

    return load_catalog(tree(DESCRIPTORS))


def comparable(report) -> dict:
    """What must agree across formats: edges with calls and errors, unobserved, unknown."""
    undeclared = [{k: v for k, v in e.items() if k in ("source", "target", "calls", "errors", "error_ratio")}
                  for e in report.undeclared]
    return {"undeclared": undeclared, "unobserved": report.unobserved, "unknown": report.unknown}


@pytest.mark.parametrize("name", FORMATS)
def test_a_format_gives_the_same_drift_as_the_same_links(name, catalog):
    expected = drift(catalog, *parse_observed(zipkin(), "links.json"))
    fmt, calls = parse_observed(FORMATS[name](), "observed")
    got = drift(catalog, fmt, calls)
    if name == "prometheus nameless":  # no failed series in it
        expected = drift(catalog, *parse_observed(zipkin([(p, c, n, 0) for p, c, n, _ in CALLS]), "x"))
    assert comparable(got) == comparable(expected)
    assert comparable(expected)["undeclared"][0] == {"source": "service:orders", "target": "service:postgres",
                                                     "calls": 800, "errors": 0, "error_ratio": 0.0}
    assert expected.unknown == ["stripe-api"] and expected.suggestions == {}


def test_files_of_different_formats_add_up(catalog, tmp_path):
    fmt, calls = read_all(split_in_two(tmp_path))
    report = drift(catalog, fmt, calls)
    assert fmt == "zipkin+prometheus"
    assert comparable(report) == comparable(drift(catalog, *parse_observed(zipkin(), "x")))
    assert report.undeclared[1]["observed_in"] == sorted(str(p) for p in split_in_two(tmp_path))


@pytest.mark.parametrize("name", ["prometheus vector", "openmetrics", "matrix"])
def test_connection_type_is_kept(name, catalog):
    report = drift(catalog, *parse_observed(FORMATS[name](), "x"))
    assert [e.get("connection_type") for e in report.undeclared] == ["database", None]


def test_kiali_unknown_node_and_opentelemetry_user_are_entry_points(catalog):
    report = drift(catalog, *parse_observed(kiali(), "x"))
    assert report.entry == ["unknown"] and "unknown" not in report.unknown
    doc = json.loads(vector(calls=[("user", "web", 10, 0)]))
    tempo = {"metric": {"__name__": "traces_service_graph_request_total", "client": "browser", "server": "web",
                        "connection_type": "virtual_node", "virtual_node": "client"}, "value": [0, "4"]}
    external = {"metric": {"__name__": "traces_service_graph_request_total", "client": "orders",
                           "server": "serch", "connection_type": "virtual_node", "virtual_node": "server"},
                "value": [0, "4"]}
    doc["data"]["result"] += [tempo, external]
    report = drift(catalog, *parse_observed(json.dumps(doc), "x"))
    assert report.entry == ["browser", "user"]
    assert report.unknown == ["serch"] and report.suggestions == {"serch": "service:search"}
    assert report.undeclared == []


def test_counters_that_did_not_move_are_no_calls(catalog):
    doc = json.loads(vector(calls=[("orders", "search", 0, 0)]))
    assert drift(catalog, *parse_observed(json.dumps(doc), "x")).undeclared == []


def test_kiali_names_nodes_by_their_type_and_keeps_tcp_edges(catalog):
    graph = {"duration": 60, "elements": {
        "nodes": [{"data": {"id": "w", "nodeType": "workload", "workload": "web", "app": "web-app"}},
                  {"data": {"id": "s", "nodeType": "service", "service": "search", "app": "unrelated"}},
                  {"data": {"id": "p", "nodeType": "app", "app": "postgres", "workload": "pg-0"}}],
        "edges": [{"data": {"source": "w", "target": "s", "traffic": {"protocol": "grpc",
                                                                        "rates": {"grpc": "2.5", "grpcPercentErr": "20"}}}},
                  {"data": {"source": "w", "target": "p", "traffic": {"protocol": "tcp", "rates": {"tcp": "1024.0"}}}},
                  {"data": {"source": "s", "target": "p", "traffic": {"protocol": "http"}}}]}}  # idle
    fmt, calls = parse_observed(json.dumps(graph), "kiali.json")
    assert fmt == "kiali"
    assert [(c.parent, c.child, c.calls, c.errors, c.connection_type) for c in calls] == [
        ("web", "postgres", 0, 0, "tcp"), ("web", "search", 150, 30, "")]
    report = drift(catalog, fmt, calls)
    assert [(e["target"], e["calls"]) for e in report.undeclared] == [("service:postgres", 0)]


def test_a_declared_service_named_user_is_no_entry_point_unless_the_edge_says_virtual(tree):
    from depgraph.load.loader import load_catalog

    catalog = load_catalog(tree({"s.yaml": "- {kind: service, name: user}\n- {kind: service, name: web}\n"}))
    doc = json.loads(vector(calls=[("user", "web", 10, 0)]))
    report = drift(catalog, *parse_observed(json.dumps(doc), "x"))
    assert report.entry == [] and [e["source"] for e in report.undeclared] == ["service:user"]
    doc["data"]["result"][0]["metric"]["connection_type"] = "virtual_node"
    report = drift(catalog, *parse_observed(json.dumps(doc), "x"))
    assert report.entry == ["user"] and report.undeclared == []
