"""Asking a running Prometheus-compatible server (Prometheus, Mimir, Thanos, VictoriaMetrics) for
the OpenTelemetry service-graph metrics over a window.

:func:`fetch_servicegraph` finds the metric names first (``/api/v1/label/__name__/values``, kept
to those ending in the servicegraph suffixes, whatever their prefix), then asks ``/api/v1/query``
for each ``sum by (client, server, connection_type, virtual_node) (increase(NAME[WINDOW])) > 0``.
It returns one query reply holding every series with its metric name put back: the document
``--save`` writes and ``--observed`` reads again.

Every request shares one deadline; a reply is read at most ``max_bytes``; a redirect is followed
only within the same origin (scheme, host, port), so the bearer token never leaves for another
server; proxies from the environment are not used. Every failure is a :class:`PrometheusError`
naming the URL (never the token).
"""

from __future__ import annotations

import http.client
import re
import ssl
import time
from urllib.parse import urlencode, urljoin, urlsplit

from depgraph.diagnostics import DepgraphError
from depgraph.importers.netbox_pages import public_url
from depgraph.importers.servicegraph import SUFFIXES
from depgraph.load.bounded import InputError, parse_json
from depgraph.load.schema import clip

WINDOW = re.compile(r"^(?:[0-9]{1,6}(?:ms|s|m|h|d|w|y))+$")
DEADLINE = 120.0  # seconds for everything asked of the server
MAX_REDIRECTS = 3
CHUNK = 1 << 16
NAME_MATCH = '{__name__=~".*traces_service_graph_request_(total|failed_total|server_seconds_count)"}'


class PrometheusError(DepgraphError):
    """The server could not be asked or gave no usable answer (exit 2)."""


def check_window(window: str) -> str:
    """A Prometheus duration (``7d``, ``12h``, ``1h30m``), or a PrometheusError.

    >>> check_window("7d"), check_window("1h30m")
    ('7d', '1h30m')
    """
    if not WINDOW.match(window):
        raise PrometheusError(f"--window {clip(window)}: not a Prometheus duration (e.g. 7d, 12h, 1h30m)")
    return window


def fetch_servicegraph(url: str, window: str = "7d", token: str | None = None, at: float | None = None,
                       max_bytes: int = 64 << 20, deadline: float = DEADLINE) -> dict:
    """One query reply with every servicegraph series of the window (see the module docstring)."""
    client = _Client(url, token, max_bytes, deadline)
    check_window(window)
    params = {"match[]": NAME_MATCH}
    if at is not None:
        params.update({"start": f"{at - _seconds(window):.3f}", "end": f"{at:.3f}"})
    names = client.get("/api/v1/label/__name__/values", params)
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise PrometheusError(f"{client.shown}: the metric names are not a list of strings")
    found = sorted(n for n in names if any(n.endswith(s) for s in SUFFIXES))
    if not found:
        raise PrometheusError(f"{client.shown}: holds no OpenTelemetry service-graph metrics (names ending "
                              "in traces_service_graph_request_total); is the servicegraph connector or "
                              "Tempo's metrics-generator writing to it?")
    result = []
    for name in found:
        query = (f'sum by (client, server, connection_type, virtual_node) '
                 f'(increase({{__name__="{name}"}}[{window}])) > 0')
        params = {"query": query} if at is None else {"query": query, "time": f"{at:.3f}"}
        data = client.get("/api/v1/query", params)
        if not isinstance(data, dict) or data.get("resultType") != "vector" or not isinstance(data.get("result"), list):
            raise PrometheusError(f"{client.shown}: the answer to {query!r} is not a vector")
        for series in data["result"]:
            if isinstance(series, dict) and isinstance(series.get("metric"), dict):
                series["metric"]["__name__"] = name
            result.append(series)
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


def live_calls(url: str, window: str, token: str | None, at: float | None, max_bytes: int,
               deadline: float = DEADLINE):
    """``(reply, format, calls)`` from the server at ``url``; the reply is what ``--save`` keeps."""
    from depgraph.importers.prometheus import reply_calls
    from depgraph.importers.servicegraph import SeriesError

    doc = fetch_servicegraph(url, window, token, at, max_bytes, deadline)
    try:
        fmt, calls = reply_calls(doc, public_url(url))
    except SeriesError as exc:
        raise PrometheusError(f"{public_url(url)}: {exc}") from None
    return doc, fmt, calls


def parse_time(text: str) -> float:
    """Unix seconds or an RFC 3339 time, as Prometheus takes them.

    >>> parse_time("1765000000"), parse_time("2025-12-06T05:46:40Z")
    (1765000000.0, 1765000000.0)
    """
    from datetime import datetime

    try:
        return float(text) if re.fullmatch(r"[0-9]{1,12}(\.[0-9]+)?", text) else \
            datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise PrometheusError(f"--time {clip(text)}: not unix seconds or an RFC 3339 time") from None


def _seconds(window: str) -> float:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
    return sum(int(n) * units[u] for n, u in re.findall(r"([0-9]+)(ms|s|m|h|d|w|y)", window))


class _Client:
    """GET requests to one origin under one deadline, each reply bounded and decoded."""

    def __init__(self, url: str, token: str | None, max_bytes: int, deadline: float):
        self.shown = public_url(url)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PrometheusError(f"--prometheus {self.shown}: not an http(s) URL (e.g. http://prometheus:9090)")
        if parts.username or parts.password:
            raise PrometheusError(f"--prometheus {self.shown}: put no credentials in the URL; "
                                  "give a bearer token with --token-env VAR")
        self.base = url.rstrip("/")
        self.origin = (parts.scheme, parts.hostname, parts.port)
        self.token, self.max_bytes = token, max_bytes
        self.seconds, self.deadline = deadline, time.monotonic() + deadline

    def get(self, path: str, params: dict):
        """The ``data`` of a successful API reply at ``path``."""
        target = f"{self.base}{path}?{urlencode(params)}"
        where = public_url(f"{self.base}{path}")
        for _ in range(MAX_REDIRECTS + 1):
            status, location, body = self._request(target, where)
            if status in (301, 302, 303, 307, 308) and location:
                target = urljoin(target, location)
                moved = urlsplit(target)
                if (moved.scheme, moved.hostname, moved.port) != self.origin:
                    raise PrometheusError(f"{where}: redirected to another server "
                                          f"({public_url(target.split('?')[0])}); not following it")
                continue
            return self._data(status, body, where)
        raise PrometheusError(f"{where}: more than {MAX_REDIRECTS} redirects")

    def _request(self, target: str, where: str) -> tuple[int, str, bytes]:
        parts = urlsplit(target)
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise PrometheusError(f"{where}: {self._late()}")
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=remaining,
                                                     context=ssl.create_default_context())
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=remaining)
        headers = {"Accept": "application/json", "User-Agent": "depgraph-drift"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            connection.request("GET", parts.path + ("?" + parts.query if parts.query else ""), headers=headers)
            response = connection.getresponse()
            body = self._body(response, where)
            return response.status, response.getheader("Location", ""), body
        except PrometheusError:
            raise
        except TimeoutError:
            raise PrometheusError(f"{where}: {self._late()}") from None
        except ssl.SSLError as exc:
            raise PrometheusError(f"{where}: TLS failed: {self._reason(exc)}") from None
        except (OSError, http.client.HTTPException) as exc:
            raise PrometheusError(f"cannot reach Prometheus at {self.shown}: {self._reason(exc)}") from None
        finally:
            connection.close()

    def _body(self, response, where: str) -> bytes:
        declared = response.getheader("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise PrometheusError(self._too_large(where))
        chunks, size = [], 0
        while True:
            if time.monotonic() > self.deadline:
                raise PrometheusError(f"{where}: {self._late()} (the reply did not end)")
            chunk = response.read1(CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_bytes:
                raise PrometheusError(self._too_large(where))
            chunks.append(chunk)

    def _late(self) -> str:
        return f"no complete answer within {self.seconds:g} s (--timeout)"

    def _too_large(self, where: str) -> str:
        return (f"{where}: the reply is over the limit of {self.max_bytes:,} bytes (limit max_file_bytes; "
                "raise it with --max-file-bytes N)")

    def _data(self, status: int, body: bytes, where: str):
        try:
            doc = parse_json(body.decode("utf-8", "replace"), where, "Prometheus reply")
        except InputError as exc:
            if status in (401, 403):
                given = "the token given" if self.token else "no token"
                raise PrometheusError(f"{where}: HTTP {status}, refused with {given}; give a bearer "
                                      "token in an environment variable named by --token-env VAR") from None
            if status != 200:
                raise PrometheusError(f"{where}: HTTP {status}") from None
            raise PrometheusError(f"{exc.place()}: {exc.detail}; is {self.shown} a Prometheus API?") from None
        if not isinstance(doc, dict) or doc.get("status") != "success":
            error = doc.get("error") if isinstance(doc, dict) else None
            detail = f": {clip(error, 300)}" if isinstance(error, str) else ""
            raise PrometheusError(f"{where}: HTTP {status}, the query failed{detail}")
        return doc.get("data")

    def _reason(self, exc: BaseException) -> str:
        text = str(exc) or type(exc).__name__
        if self.token:
            text = text.replace(self.token, "***")
        return clip(text, 200)
