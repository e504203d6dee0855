"""The NetBox token stays with its origin and off the screen, and no NetBox can hang or exhaust
``import netbox --url``: real servers on 127.0.0.1 (threads, real sockets), the real CLI.

Each server answers from a function of the request path; every request it gets is recorded
with its Authorization header, so a test sees exactly where the token went."""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

TOKEN = "0123456789abcdef0123456789abcdef01234567"
SITE = {"id": 1, "name": "lon1", "slug": "lon1", "status": {"value": "active"}}


def page(results, next_url=None) -> bytes:
    return json.dumps({"count": len(results), "next": next_url, "previous": None, "results": results}).encode()


class Server:
    """``with Server(answer) as s``: ``answer(server, handler)`` writes the reply; ``s.seen``
    lists ``(path, Authorization)`` of every request."""

    def __init__(self, answer, tls: ssl.SSLContext | None = None):
        self.answer = answer
        self.seen: list[tuple[str, str | None]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.seen.append((self.path, self.headers.get("Authorization")))
                outer.answer(outer, self)

            def reply(self, body: bytes, status: int = 200, length: bool = True):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if length:
                    self.send_header("Content-Length", str(len(body)))
                else:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def netbox(pages: dict):
    """An answer: for each API path (``/api/dcim/sites/``) a function of the handler giving the
    body, an empty page for the others."""
    def answer(server, handler):
        body = pages.get(handler.path.split("?")[0])
        handler.reply(body(handler) if body else page([]))
    return answer


def run(url: str, tmp_path, env: dict[str, str] | None = None, timeout: float = 60):
    environment = {k: v for k, v in os.environ.items() if k != "NETBOX_TOKEN"}
    environment.update({"NETBOX_TOKEN": TOKEN, **(env or {})})
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "depgraph", "import", "netbox", "--url", url, "-o",
                           str(tmp_path / "out")], capture_output=True, text=True, env=environment,
                          timeout=timeout)
    done.seconds = time.monotonic() - started
    return done


def refused(done, *expected: str) -> str:
    """Exit 2 with one clear message containing ``expected``, no trace of the token."""
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "Traceback" not in output and "internal error" not in output, output
    for text in expected:
        assert text in done.stderr, done.stderr
    assert not any(TOKEN[i:i + 8] in output for i in range(len(TOKEN) - 7)), output
    return done.stderr


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A server context with a self-signed certificate for 127.0.0.1, and the file that makes
    the client trust it (``SSL_CERT_FILE``)."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context, str(cert)


def test_an_https_netbox_linking_to_http_gets_no_token_sent_in_clear(tls, tmp_path):
    context, cert = tls
    with Server(netbox({}), tls=context) as secure:
        # the same host and port, plain http: what NetBox behind a TLS proxy emits
        link = secure.url.replace("https://", "http://") + "/api/dcim/regions/?offset=1"
        secure.answer = netbox({"/api/dcim/regions/": lambda h: page([SITE], link)})
        done = run(secure.url, tmp_path, {"SSL_CERT_FILE": cert})
    refused(done, "from https to http", "not following it")
    assert [auth for _, auth in secure.seen] == [f"Token {TOKEN}"]  # the first page, encrypted


def test_a_next_link_to_another_port_of_the_same_host_gets_nothing(tmp_path):
    with Server(netbox({})) as other:
        with Server(netbox({"/api/dcim/regions/": lambda h: page([SITE], other.url + "/api/dcim/regions/")})) as origin:
            done = run(origin.url, tmp_path)
    refused(done, "another host or port")
    assert not other.seen and origin.seen


def test_a_token_with_a_line_break_is_refused_unsent_and_unshown(tmp_path):
    with Server(netbox({})) as server:
        done = run(server.url, tmp_path, {"NETBOX_TOKEN": TOKEN + "\n"})
    refused(done, "$NETBOX_TOKEN holds a character that cannot go in an HTTP header")
    assert not server.seen


def test_a_token_echoed_back_in_any_form_is_masked(tmp_path):
    echo = json.dumps({"detail": f"Invalid token {TOKEN!r}, i.e. {json.dumps(TOKEN)} or {TOKEN[:20]} {TOKEN[20:]}"})
    with Server(lambda s, h: h.reply(echo.encode(), 403)) as server:
        done = run(server.url, tmp_path)
    refused(done, "HTTP 403", "NETBOX_TOKEN", "Invalid token")


def test_a_next_link_back_to_a_page_already_read_is_not_followed(tmp_path):
    def answer(server, handler):
        handler.reply(page([SITE], server.url + handler.path))
    with Server(answer) as server:
        done = run(server.url, tmp_path)
    refused(done, "a page already read")
    assert len(server.seen) == 1


def test_endless_fresh_pages_stop_at_the_entity_limit(tmp_path):
    def answer(server, handler):
        number = len(server.seen)
        handler.reply(page([dict(SITE, id=number)], f"{server.url}/api/dcim/regions/?offset={number}"))
    with Server(answer) as server:
        done = run(server.url, tmp_path, {"DEPGRAPH_MAX_ENTITIES": "50"})
    refused(done, "more than 50 objects", "--max-entities")
    assert len(server.seen) == 51


def test_endless_empty_pages_are_refused_at_once(tmp_path):
    def answer(server, handler):
        handler.reply(page([], f"{server.url}/api/dcim/regions/?offset={len(server.seen)}"))
    with Server(answer) as server:
        done = run(server.url, tmp_path)
    refused(done, "a page without results that links to another")


def test_a_trickling_server_meets_one_deadline_for_the_whole_request(tmp_path):
    def answer(server, handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        try:
            for _ in range(60):  # one byte every half second: each read alone is quick
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(0.5)
        except OSError:
            pass
    with Server(answer) as server:
        done = run(server.url, tmp_path, {"DEPGRAPH_NETBOX_TIMEOUT": "1.5"})
    refused(done, "no complete answer within 1.5 s", "DEPGRAPH_NETBOX_TIMEOUT")
    assert done.seconds < 15


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "1e400", "soon"])
def test_a_bad_timeout_is_a_usage_error(tmp_path, value):
    done = run("http://127.0.0.1:9", tmp_path, {"DEPGRAPH_NETBOX_TIMEOUT": value})
    refused(done, "DEPGRAPH_NETBOX_TIMEOUT")


def test_deeply_nested_json_is_an_error_not_a_crash(tmp_path):
    body = b'{"count": 1, "next": null, "previous": null, "results": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    with Server(lambda s, h: h.reply(body)) as server:
        done = run(server.url, tmp_path)
    refused(done, "/api/dcim/regions/")


def test_a_body_without_length_stops_at_the_size_limit(tmp_path):
    body = b'{"count": 1, "next": null, "results": ["' + b"x" * 50_000 + b'"]}'
    with Server(lambda s, h: h.reply(body, length=False)) as server:
        done = run(server.url, tmp_path, {"DEPGRAPH_MAX_FILE_BYTES": "10000"})
    refused(done, "over the limit of 10,000 bytes")


def test_a_redirect_is_not_followed(tmp_path):
    def answer(server, handler):
        handler.send_response(302)
        handler.send_header("Location", "http://127.0.0.1:9/elsewhere")
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    with Server(answer) as server:
        done = run(server.url, tmp_path)
    refused(done, "HTTP 302", "not followed")
    assert len(server.seen) == 1
