"""Hostile observed input for ``drift``: files and a Prometheus on 127.0.0.1 that misbehaves.

Each case must end in a message naming the file (and line) or the URL, exit 2, no traceback,
nothing written (``--save`` and ``--write`` leave no file), and nothing from the input reaching
the terminal or a Markdown comment unescaped.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from tests.helpers import depgraph
from tests.landscapes import DRIFT_TREE as DESCRIPTORS

NAMES = ["otelcol_traces_service_graph_request_total"]


def reply(result) -> bytes:
    return json.dumps({"status": "success", "data": {"resultType": "vector", "result": result}}).encode()


def series(client="web", server="search", value="5"):
    return {"metric": {"client": client, "server": server}, "value": [1765000000, value]}


class Scripted:
    """A server answering each path from ``routes``: path -> callable(handler) writing the reply."""

    def __init__(self, routes):
        self.routes = routes
        self.headers: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.headers.append(dict(self.headers))
                route = outer.routes.get(self.path.split("?")[0])
                if route is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                try:
                    route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def send(status: int, body: bytes, **headers):
    def route(handler):
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    return route


def names(values=NAMES):
    return send(200, json.dumps({"status": "success", "data": values}).encode())


def never_ends(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.end_headers()
    handler.wfile.write(b'{"status": "success", "data": [')
    for _ in range(200):  # a byte every 0.05 s: each read returns, the whole never does
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(0.05)


@pytest.fixture
def server():
    made = []

    def start(routes):
        made.append(Scripted(routes))
        return made[-1]

    yield start
    for one in made:
        one.close()


def run(tree, url, *args, tmp_path=None, cli=None):
    """``drift --prometheus URL --save FILE``: its stderr, after checking it failed cleanly and
    saved nothing (in-process with ``cli``, else as a subprocess)."""
    saved = tmp_path / "saved.json"
    args = ("drift", "-d", tree(DESCRIPTORS), "--prometheus", url, "--save", saved, *args)
    if cli is not None:
        result = cli(*args)
        code, err = result.exit_code, result.stderr
    else:
        result = depgraph(*args)
        code, err = result.returncode, result.stderr
    assert "Traceback" not in err and code == 2, err
    assert not saved.exists()
    return err


def test_a_redirect_to_another_server_is_refused(server, tree, tmp_path, monkeypatch):
    elsewhere = server({"/api/v1/label/__name__/values": names()})
    origin = server({"/api/v1/label/__name__/values": send(302, b"", Location=elsewhere.url + "/api/v1/label/__name__/values")})
    monkeypatch.setenv("PROM_TOKEN", "s3cret-token")
    err = run(tree, origin.url, "--token-env", "PROM_TOKEN", tmp_path=tmp_path)
    assert f"{origin.url}/api/v1/label/__name__/values: redirected to another server ({elsewhere.url}/api/v1/" in err
    assert elsewhere.headers == [] and "s3cret" not in err
    assert origin.headers[0]["Authorization"] == "Bearer s3cret-token"


def test_a_redirect_within_the_server_is_followed(server, tree, tmp_path):
    same = server({"/prom/api/v1/label/__name__/values": names(),
                   "/api/v1/label/__name__/values": send(301, b"", Location="/prom/api/v1/label/__name__/values"),
                   "/api/v1/query": send(200, reply([series()]))})
    result = depgraph("drift", "-d", tree(DESCRIPTORS), "--prometheus", same.url)
    assert result.returncode == 0, result.stderr
    assert "service:web" in result.stdout


def test_a_reply_that_never_ends_meets_the_deadline(server, tree, tmp_path):
    slow = server({"/api/v1/label/__name__/values": never_ends})
    started = time.monotonic()
    err = run(tree, slow.url, "--timeout", "1", tmp_path=tmp_path)
    assert time.monotonic() - started < 8
    assert f"{slow.url}/api/v1/label/__name__/values: no complete answer within 1 s (--timeout)" in err


def test_a_reply_over_the_size_limit_is_refused(server, tree, tmp_path):
    big = server({"/api/v1/label/__name__/values": names(NAMES + ["x" * 5000])})
    err = depgraph("--max-file-bytes", 2000, "drift", "-d", tree(DESCRIPTORS), "--prometheus", big.url).stderr
    assert "the reply is over the limit of 2,000 bytes" in err and big.url in err


@pytest.mark.parametrize("routes, message", [
    ({"/api/v1/label/__name__/values": send(200, b"<html>hello</html>")}, "not valid JSON"),
    ({"/api/v1/label/__name__/values": send(401, b"Unauthorized")}, "HTTP 401, refused with no token"),
    ({"/api/v1/label/__name__/values": names(["up", "go_goroutines"])}, "holds no OpenTelemetry service-graph metrics"),
    ({"/api/v1/label/__name__/values": names(),
      "/api/v1/query": send(422, json.dumps({"status": "error", "errorType": "execution",
                                             "error": "query timed out\x1b[31m"}).encode())},
     "HTTP 422, the query failed: query timed out\\x1b[31m"),
    ({"/api/v1/label/__name__/values": names(), "/api/v1/query": send(200, reply([series(value="NaN")]))},
     "data.result[0].value: the value 'NaN' is not a count"),
    ({"/api/v1/label/__name__/values": names(), "/api/v1/query": send(200, reply([series(value="1e300")]))},
     "larger than any count"),
    ({"/api/v1/label/__name__/values": names(), "/api/v1/query": send(200, reply([{"metric": [], "value": 1}]))},
     "data.result[0]: expected an object with 'metric' labels"),
])
def test_a_bad_answer_is_a_message_naming_the_url(server, tree, tmp_path, routes, message, run_cli):
    bad = server(routes)
    err = run(tree, bad.url, tmp_path=tmp_path, cli=run_cli)
    assert message in err and bad.url in err
    assert "\x1b" not in err


def test_the_token_comes_only_from_the_environment(tree, tmp_path, monkeypatch):
    monkeypatch.delenv("NO_SUCH_TOKEN", raising=False)
    result = depgraph("drift", "-d", tree(DESCRIPTORS), "--prometheus", "http://127.0.0.1:1",
                      "--token-env", "NO_SUCH_TOKEN")
    assert result.returncode == 2 and "--token-env NO_SUCH_TOKEN: that environment variable is not set" in result.stderr
    result = depgraph("drift", "-d", tree(DESCRIPTORS), "--prometheus", "http://user:pw@127.0.0.1:1")
    assert result.returncode == 2 and "put no credentials in the URL" in result.stderr and "pw" not in result.stderr


# -- hostile files ------------------------------------------------------------------------------

HOSTILE_NAME = "evil\x1b]0;pwned\x07\nname|`x`<b>@team"


@pytest.mark.parametrize("content, message", [
    ('{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {"client": 5, "server": "b"}, '
     '"value": [0, "1"]}]}}', "data.result[0]: label 'client' must be a string"),
    ('{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {"client": "a", "server": "b"}, '
     '"value": [0, "-3"]}]}}', "negative"),
    ('{"status": "success", "data": {"resultType": "scalar", "result": [0, "1"]}}', "expected 'vector' or 'matrix'"),
    ('{"status": "error", "error": "bad"}', "not a success (bad)"),
    ('{"status": "success", "data": {"resultType": "matrix", "result": [{"metric": {"client": "a", "server": "b"}, '
     '"values": [[0, "1"], [1, "Inf"]]}]}}', "data.result[0].values[1]: the value 'Inf' is not a count"),
    ('{"duration": 60, "elements": {"nodes": [{"data": {"id": "a", "nodeType": "app", "app": "a"}}], '
     '"edges": [{"data": {"source": "a", "target": "a", "traffic": {"rates": {"http": "NaN"}}}}]}}',
     "elements.edges[0].data.traffic.rates.http: 'NaN' is not a rate"),
    ('{"elements": {"nodes": [], "edges": []}}', "needs its 'duration'"),
    ("# TYPE x counter\nx_total{client=\"a\",server=\"b\"} NaN\n", ":2: error: the value nan is not a count"),
    ("# TYPE x counter\nx_total{client=\"a\" 1\n", ":2: error: expected ',' or '}'"),
    ("traces_service_graph_request_total{client=\"a\",server=\"b\"} 1\nup 1\n"
     "traces_service_graph_request_total{client=\"a\"} 2\n", ":3: error: "),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"data": [{"parent": "a", "child": "b", "callCount": 1' + "0" * 90 + "}]}", "non-negative integer"),
])
def test_a_hostile_file_is_a_message_naming_it(tree, tmp_path, content, message, run_cli):
    observed = tmp_path / "observed.txt"
    observed.write_text(content)
    root = tree(DESCRIPTORS)
    before = (root / "services.yaml").read_bytes()
    result = run_cli("drift", "-d", root, "--observed", observed, "--write")
    assert result.exit_code == 2 and "Traceback" not in result.stderr, result.stderr
    assert str(observed) in result.stderr and message in result.stderr
    assert (root / "services.yaml").read_bytes() == before


def test_a_file_over_the_size_limit_is_not_read(tree, tmp_path):
    observed = tmp_path / "big.json"
    observed.write_text(json.dumps({"data": [{"parent": "a", "child": "b", "callCount": 1}] * 200}))
    result = depgraph("--max-file-bytes", 1000, "drift", "-d", tree(DESCRIPTORS), "--observed", observed)
    assert result.returncode == 2 and "over the limit of 1,000 bytes" in result.stderr


@pytest.mark.parametrize("format", ["text", "markdown", "json"])
def test_hostile_names_reach_no_channel_unescaped(tree, tmp_path, format, run_cli):
    observed = tmp_path / "observed.prom"
    escaped = HOSTILE_NAME.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
    observed.write_text(f'traces_service_graph_request_total{{client="{escaped}",server="search"}} 3\n')
    result = run_cli("drift", "-d", tree(DESCRIPTORS), "--observed", observed, "--format", format)
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    if format == "json":
        assert json.loads(result.stdout)["unknown"] == [HOSTILE_NAME]
    elif format == "markdown":
        assert "- `` evil\\e]0;pwned\\x07 name\\|`x`<b>@team ``" in result.stdout.splitlines()  # a code span
    else:
        assert "evil\\e]0;pwned\\x07\\nname" in result.stdout
