"""``drift --prometheus`` against a real Prometheus holding OpenTelemetry service-graph metrics.

The fixture writes an hour of OpenMetrics samples (as the collector's Prometheus exporter names
them: an ``otelcol_`` namespace, counters and a histogram's ``_count``), turns them into TSDB
blocks with ``promtool tsdb create-blocks-from openmetrics``, starts ``prometheus`` on 127.0.0.1
with those blocks, and the tests ask it through the real CLI at a time inside the samples.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request

import pytest
from tests.helpers import tool
from tests.helpers import depgraph
from tests.landscapes import DRIFT_TREE as DESCRIPTORS, zipkin

END = 1765000000  # the samples' last second; the tests ask at this time with --window 1h
# (client, server, calls, failed, labels) — calls per hour, divisible by 60 (one sample a minute)
EDGES = [("web", "orders", 1200, 60, ""), ("orders", "search", 600, 0, ""),
         ("orders", "postgres", 3000, 120, ',connection_type="database"'),
         ("user", "web", 1800, 0, ',connection_type="virtual_node",virtual_node="client"'),
         ("payments", "stripe-api", 240, 12, ',connection_type="virtual_node",virtual_node="server"')]
HISTOGRAM_ONLY = [("payments", "search", 120)]  # only the server-seconds histogram saw this edge


def openmetrics() -> str:
    """Linear counters from END - 1 h to END: increase() over the hour is exact at END."""
    lines = []
    families = [("otelcol_traces_service_graph_request", "counter", [(c, s, n, x) for c, s, n, _, x in EDGES]),
                ("otelcol_traces_service_graph_request_failed", "counter", [(c, s, f, x) for c, s, _, f, x in EDGES]),
                ("otelcol_traces_service_graph_request_server_seconds", "histogram",
                 [(c, s, n, "") for c, s, n in HISTOGRAM_ONLY])]
    for family, kind, series in families:
        lines.append(f"# TYPE {family} {kind}")
        suffix = "_total" if kind == "counter" else "_count"
        for client, server, count, extra in series:
            for minute in range(61):
                value = 5000 + count * minute / 60
                lines.append(f'{family}{suffix}{{client="{client}",server="{server}"{extra}}} {value} '
                             f"{END - 3600 + 60 * minute}")
    return "\n".join(lines + ["# EOF", ""])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def prometheus_url(tmp_path_factory):
    server, promtool = tool("prometheus"), tool("promtool")
    work = tmp_path_factory.mktemp("prometheus")
    (work / "samples.om").write_text(openmetrics())
    (work / "prometheus.yml").write_text("global: {}\n")
    subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", str(work / "samples.om"),
                    str(work / "data")], check=True, capture_output=True, timeout=120)
    port = free_port()
    log = open(work / "prometheus.log", "wb")
    process = subprocess.Popen([server, f"--config.file={work / 'prometheus.yml'}",
                                f"--storage.tsdb.path={work / 'data'}", "--storage.tsdb.retention.time=100y",
                                f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(url + "/-/ready", timeout=1) as ready:
                    if ready.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("prometheus did not become ready: " + (work / "prometheus.log").read_text()[-2000:])
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def ask(root, url, *args):
    return depgraph("drift", "-d", root, "--prometheus", url, "--window", "1h", "--time", END, *args)


def test_drift_from_a_live_prometheus_is_the_drift_of_the_same_links(prometheus_url, tree, tmp_path):
    root = tree(DESCRIPTORS)
    live = ask(root, prometheus_url, "--format", "json")
    assert live.returncode == 0, live.stderr
    links = tmp_path / "links.json"
    links.write_text(zipkin([(c, s, n, f) for c, s, n, f, _ in EDGES if c != "user"]
                            + [(c, s, n, 0) for c, s, n in HISTOGRAM_ONLY]))
    offline = json.loads(depgraph("drift", "-d", root, "--observed", links, "--format", "json").stdout)
    doc = json.loads(live.stdout)
    strip = lambda d: [{k: e[k] for k in ("source", "target", "calls", "errors")} for e in d["undeclared"]]  # noqa: E731
    assert strip(doc) == strip(offline) == [
        {"source": "service:orders", "target": "service:postgres", "calls": 3000, "errors": 120},
        {"source": "service:orders", "target": "service:search", "calls": 600, "errors": 0},
        {"source": "service:payments", "target": "service:search", "calls": 120, "errors": 0}]
    assert doc["undeclared"][0]["connection_type"] == "database"
    assert doc["undeclared"][0]["observed_in"] == [prometheus_url]
    assert doc["unobserved"] == offline["unobserved"]
    assert doc["entry"] == ["user"] and doc["unknown"] == offline["unknown"] == ["stripe-api"]


def test_a_saved_reply_reads_back_as_the_same_drift(prometheus_url, tree, tmp_path):
    root = tree(DESCRIPTORS)
    saved = tmp_path / "observed.json"
    live = ask(root, prometheus_url, "--save", saved, "--format", "json")
    assert live.returncode == 0, live.stderr
    again = depgraph("drift", "-d", root, "--observed", saved, "--format", "json")
    drop = lambda text: [{k: v for k, v in e.items() if k != "observed_in"} for e in json.loads(text)["undeclared"]]  # noqa: E731
    assert drop(again.stdout) == drop(live.stdout) and len(drop(live.stdout)) == 3


def test_an_error_reply_names_the_url(prometheus_url, tree):
    result = ask(tree(DESCRIPTORS), prometheus_url + "/nothing-here")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{prometheus_url}/nothing-here/api/v1/label/__name__/values: HTTP 404" in result.stderr


def test_a_window_prometheus_refuses_is_a_message_naming_the_url(prometheus_url, tree):
    result = depgraph("drift", "-d", tree(DESCRIPTORS), "--prometheus", prometheus_url, "--window", "0s")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{prometheus_url}/api/v1/query: HTTP 400, the query failed: " in result.stderr


def test_an_unreachable_server_is_a_message_naming_the_url(tree):
    url = f"http://127.0.0.1:{free_port()}"
    result = depgraph("drift", "-d", tree(DESCRIPTORS), "--prometheus", url)
    assert result.returncode == 2 and f"cannot reach Prometheus at {url}: " in result.stderr
