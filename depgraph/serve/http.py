"""``depgraph serve``: the warm landscape over HTTP, in one process.

- ``/mcp``: the MCP endpoint (streamable HTTP) with the tools of :mod:`depgraph.serve.mcp_tools`;
- ``/api/<question>``: the same JSON documents for plain HTTP clients, e.g.
  ``GET /api/blast-radius?component=datacenter:lon1&component=rack:sto1/b``; ``/api/status``
  says which load of the descriptors answers and whether a later edit failed to load;
- ``/``: the report page, drawn in memory from the current load, with a what-if that asks
  ``/api/blast-radius`` for any set of components.

Every request passes :class:`Guard` first: its ``Host`` (and ``Origin``, when sent) must name
this server (a page on another site that resolves its name to 127.0.0.1 is refused: DNS
rebinding), a bearer token is required when one is configured, only reading methods are
allowed, bodies are bounded, and one line per request goes to stderr (never a token).
"""

from __future__ import annotations

import hmac
import time
from urllib.parse import parse_qsl

import anyio
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from depgraph.diagnostics import DepgraphError
from depgraph.output import jsontext
from depgraph.serve.answers import Answers
from depgraph.serve.mcp_tools import CONCURRENT_ANSWERS, build_server
from depgraph.serve.watch import log

#: the largest request body read (an MCP message is a few kilobytes)
MAX_BODY = 1 << 20
#: the longest query string read (a hundred component ids fit easily)
MAX_QUERY = 64 << 10
LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")
TOKEN_COOKIE = "depgraph_token"

#: API path -> (Answers method, query parameters: name -> (argument, repeated, type))
QUESTIONS = {
    "blast-radius": ("blast_radius", {"component": ("components", True, str), "limit": ("limit", False, int)}),
    "single-points-of-failure": ("single_points_of_failure", {"kind": ("kind", False, str),
                                                              "limit": ("limit", False, int)}),
    "capacity": ("capacity", {"limit": ("limit", False, int)}),
    "availability": ("availability", {"service": ("service", False, str), "limit": ("limit", False, int)}),
    "startup-order": ("startup_order", {"limit": ("limit", False, int)}),
    "recovery": ("recovery", {"component": ("components", True, str), "limit": ("limit", False, int)}),
    "path": ("path", {"source": ("source", False, str), "target": ("target", False, str),
                      "limit": ("limit", False, int)}),
    "describe": ("describe", {"component": ("component", False, str), "limit": ("limit", False, int)}),
    "check": ("check", {"base": ("base", False, str), "limit": ("limit", False, int)}),
    "drift": ("drift", {"observed": ("observed", True, str), "limit": ("limit", False, int)}),
}


class BadRequest(DepgraphError):
    """A request the API cannot answer as asked (unknown parameter, missing value)."""


def arguments(question: str, query: str) -> dict:
    """The keyword arguments of ``question`` from a query string; BadRequest when malformed.

    >>> arguments("blast-radius", "component=datacenter:lon1&component=rack:sto1/b&limit=5")
    {'components': ['datacenter:lon1', 'rack:sto1/b'], 'limit': 5}
    >>> arguments("describe", "component=a&component=b")
    Traceback (most recent call last):
    ...
    depgraph.serve.http.BadRequest: describe takes one 'component', not 2
    """
    accepted = QUESTIONS[question][1]
    found: dict = {}
    for name, value in parse_qsl(query, keep_blank_values=True, max_num_fields=1000):
        if name not in accepted:
            raise BadRequest(f"{question} takes {', '.join(sorted(accepted))}, not '{name[:80]}'")
        argument, repeated, kind = accepted[name]
        if kind is int:
            if not value.isdigit() or len(value) > 9:
                raise BadRequest(f"{name} must be a whole number, not '{value[:80]}'")
            value = int(value)
        if repeated:
            found.setdefault(argument, []).append(value)
        elif argument in found:
            raise BadRequest(f"{question} takes one '{name}', not {sum(1 for n, _ in parse_qsl(query) if n == name)}")
        else:
            found[argument] = value
    return found


def json_response(document: dict, status: int = 200) -> Response:
    return Response(jsontext.dumps(document) + "\n", status, media_type="application/json")


def error_response(status: int, message: str) -> Response:
    return json_response({"schema": "depgraph/error/v1", "error": message}, status)


def build_app(answers: Answers, *, host: str, port: int, token: str | None = None,
              allowed_hosts: tuple[str, ...] = ()):
    """The ASGI application: the routes behind :class:`Guard`."""
    from mcp.server.transport_security import TransportSecuritySettings

    limiter = anyio.CapacityLimiter(CONCURRENT_ANSWERS)
    names = _host_names(host, allowed_hosts)

    async def question(request: Request) -> Response:
        asked = request.path_params["question"]
        if asked == "status":
            return json_response(answers.status())
        if asked not in QUESTIONS:
            return error_response(404, f"no question '{asked[:80]}': ask one of status, {', '.join(QUESTIONS)}")
        try:
            kwargs = arguments(asked, request.url.query)
            method = getattr(answers, QUESTIONS[asked][0])
            document = await anyio.to_thread.run_sync(lambda: method(**kwargs), limiter=limiter)
        except DepgraphError as exc:
            return error_response(400, str(exc))
        except TypeError:  # a required parameter is missing
            wanted = ", ".join(sorted(QUESTIONS[asked][1]))
            return error_response(400, f"{asked}: missing a parameter (it takes {wanted})")
        status = answers.status()
        response = json_response(document)
        response.headers["X-Depgraph-Generation"] = str(status["generation"])
        if status["stale"]:
            response.headers["X-Depgraph-Stale"] = "the descriptors on disk did not load; see /api/status"
        return response

    async def page(request: Request) -> Response:
        if token and _query_token(request.url.query.encode()):  # valid (the guard checked it): into a cookie
            response = RedirectResponse("/", 303)
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict", path="/")
            return response
        from depgraph.serve.page import live_page

        html = await anyio.to_thread.run_sync(live_page, answers, limiter=limiter)
        return HTMLResponse(html, headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                                           "Referrer-Policy": "no-referrer"})

    mcp = build_server(answers, limiter)
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[f"{name}:{port}" for name in names],
        allowed_origins=[f"http://{name}:{port}" for name in names])
    app = mcp.streamable_http_app(streamable_http_path="/mcp", transport_security=security,
                                  max_request_body_size=MAX_BODY, host=host)
    app.router.routes.extend([Route("/", page, methods=["GET", "HEAD"]),
                              Route("/api/{question}", question, methods=["GET", "HEAD"])])
    return Guard(app, names=names, port=port, token=token)


def _host_names(host: str, extra: tuple[str, ...]) -> tuple[str, ...]:
    names = {host if ":" not in host or host.startswith("[") else f"[{host}]"}
    if host in LOOPBACK or host in ("0.0.0.0", "::"):
        names.update(("127.0.0.1", "localhost", "[::1]"))
    names.discard("0.0.0.0")
    names.discard("[::]")
    names.update(extra)
    return tuple(sorted(names))


class Guard:
    """ASGI middleware in front of every route (see the module docstring)."""

    READING = frozenset({"GET", "HEAD"})
    MCP_METHODS = frozenset({"GET", "POST", "DELETE"})  # POST carries questions; DELETE ends a session

    def __init__(self, app, *, names: tuple[str, ...], port: int, token: str | None):
        self.app = app
        self.hosts = {f"{name}:{port}".lower() for name in names}
        self.origins = {f"http://{name}:{port}".lower() for name in names}
        self.token = token

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [0]

        async def sending(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        refusal = self.refusal(scope)
        if refusal is not None:
            code, message = refusal
            response = error_response(code, message)
            if code == 401:
                response.headers["WWW-Authenticate"] = 'Bearer realm="depgraph"'
            await response(scope, receive, sending)
        else:
            await self.app(scope, _bounded(receive), sending)
        self.log_line(scope, status[0], started)

    def refusal(self, scope) -> tuple[int, str] | None:
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        if headers.get("host", "").lower() not in self.hosts:
            return 421, "this server answers only requests addressed to it (Host header); DNS rebinding refused"
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in self.origins:
            return 403, "requests from pages of other origins are refused"
        path, method = scope["path"], scope["method"]
        allowed = self.MCP_METHODS if path == "/mcp" else self.READING
        if method not in allowed:
            return 405, f"{method} is not allowed here: the server is read-only"
        if len(scope.get("query_string", b"")) > MAX_QUERY:
            return 414, f"query string over {MAX_QUERY:,} bytes"
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return 413, f"request body over {MAX_BODY:,} bytes"
        if self.token is not None and not self._authorized(headers, path, scope):
            return 401, "a bearer token is required (Authorization: Bearer <token>)"
        return None

    def _authorized(self, headers: dict, path: str, scope) -> bool:
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token.encode()):
            return True
        cookie = _cookie(headers.get("cookie", ""), TOKEN_COOKIE)
        if cookie and hmac.compare_digest(cookie.encode(), self.token.encode()) and path != "/mcp":
            return True
        given = _query_token(scope.get("query_string", b"")) if path == "/" else None
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())

    @staticmethod
    def log_line(scope, status: int, started: float) -> None:
        query = scope.get("query_string", b"").decode("latin-1")
        shown = "&".join(part if not part.startswith("token=") else "token=…" for part in query.split("&")) if query else ""
        client = scope.get("client") or ("-", 0)
        target = scope["path"] + (f"?{shown}" if shown else "")
        if len(target) > 300:
            target = target[:297] + "..."
        log(f'{client[0]} "{scope["method"]} {target}" {status} {(time.perf_counter() - started) * 1000:.1f} ms')


def _bounded(receive):
    """``receive`` that stops a streamed body (no Content-Length) past :data:`MAX_BODY`."""
    seen = [0]

    async def bounded_receive():
        message = await receive()
        if message["type"] == "http.request":
            seen[0] += len(message.get("body", b""))
            if seen[0] > MAX_BODY:
                return {"type": "http.disconnect"}
        return message

    return bounded_receive


def _query_token(query: bytes) -> str | None:
    """The ``token`` of a page address ``/?token=…`` (how a browser is given the token once)."""
    for name, value in parse_qsl(query.decode("latin-1"), max_num_fields=20):
        if name == "token":
            return value
    return None


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
