"""A NetBox API on 127.0.0.1 for the tests: list endpoints paginated as NetBox 4 pages them.

It answers ``GET /api/<app>/<endpoint>/?limit=&offset=`` from a :class:`FakeNetbox`
(``benchmarks/netbox_import.py``) with ``count/next/previous/results`` and absolute ``next``
links, checks the ``Authorization: Token …`` header when a token is set (403 otherwise, as
NetBox does), and can be told to answer a path with anything else (``overrides``).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def fake_netbox_module():
    """benchmarks/netbox_import.py, imported from its file (benchmarks/ is not a package)."""
    name = "depgraph_benchmarks_netbox_import"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / "netbox_import.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


class NetboxServer:
    """``with NetboxServer(nb, token="t") as server: server.url``; stopped on exit."""

    def __init__(self, netbox, token: str | None = None, page_size: int = 3):
        self.netbox = netbox
        self.token = token
        self.page_size = page_size
        self.overrides: dict[str, tuple[int, bytes]] = {}  # path -> (status, body)
        self.requests: list[tuple[str, str | None]] = []  # (path?query, authorization header)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        netbox.base = self.url + "/api"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> NetboxServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                server.requests.append((self.path, self.headers.get("Authorization")))
                parts = urlsplit(self.path)
                if parts.path in server.overrides:
                    status, body = server.overrides[parts.path]
                    return self._send(status, body)
                if server.token is not None and self.headers.get("Authorization") != f"Token {server.token}":
                    return self._send(403, b'{"detail": "Invalid token"}')
                endpoint = _endpoint(parts.path)
                if endpoint is None:
                    return self._send(404, b'{"detail": "Not found."}')
                query = parse_qs(parts.query)
                # NetBox caps a page at MAX_PAGE_SIZE whatever limit asks for
                limit = min(int(query.get("limit", [server.page_size])[0]) or server.page_size, server.page_size)
                offset = int(query.get("offset", [0])[0])
                total = len(server.netbox.objects[endpoint])
                next_url = None
                if offset + limit < total:
                    next_url = f"{server.url}{parts.path}?limit={limit}&offset={offset + limit}"
                page = server.netbox.page(endpoint, offset, limit, next_url)
                if offset:
                    page["previous"] = f"{server.url}{parts.path}?limit={limit}&offset={max(0, offset - limit)}"
                self._send(200, json.dumps(page).encode())

            def _send(self, status: int, body: bytes):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("API-Version", "4.3")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def _endpoint(path: str) -> str | None:
    pieces = [p for p in path.split("/") if p]
    if len(pieces) != 3 or pieces[0] != "api":
        return None
    endpoint = f"{pieces[1]}.{pieces[2].replace('-', '_')}"
    return endpoint if endpoint in fake_netbox_module().ENDPOINTS else None
