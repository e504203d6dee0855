"""The HTTP guard's decisions, one request scope at a time (the real server is tested in
tests/functional/test_serve_http.py)."""

from __future__ import annotations

import pytest

pytest.importorskip("mcp", reason="the MCP SDK is not installed (pip install 'depgraph[serve]')")

from depgraph.serve.http import Guard, _host_names  # noqa: E402


def scope(path="/api/status", method="GET", query=b"", **headers) -> dict:
    listed = [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    return {"type": "http", "path": path, "method": method, "query_string": query, "headers": listed}


def guard(host="127.0.0.1", token=None, extra=()) -> Guard:
    return Guard(None, names=_host_names(host, extra), port=8765, token=token)


@pytest.mark.parametrize(("request_scope", "code"), [
    (scope(host="127.0.0.1:8765"), None),
    (scope(host="localhost:8765", origin="http://localhost:8765"), None),
    (scope(host="rebound.example:8765"), 421),
    (scope(host="127.0.0.1:8765", origin="http://rebound.example:8765"), 403),
    (scope(host="127.0.0.1:8765", method="POST"), 405),
    (scope(path="/mcp", host="127.0.0.1:8765", method="POST", content_length="2000000"), 413),
    (scope(path="/mcp", host="127.0.0.1:8765", method="PUT"), 405),
    (scope(host="127.0.0.1:8765", query=b"x" * 70_000), 414),
])
def test_requests_are_refused_unless_addressed_to_it_reading_and_small(request_scope, code):
    refused = guard().refusal(request_scope)
    assert (refused[0] if refused else None) == code


def test_a_wildcard_address_answers_its_loopback_names_and_the_allowed_ones_only():
    names = _host_names("0.0.0.0", ("depgraph.internal",))
    assert "0.0.0.0" not in names and {"127.0.0.1", "localhost", "depgraph.internal"} <= set(names)
    assert guard("0.0.0.0", extra=("depgraph.internal",)).refusal(scope(host="depgraph.internal:8765")) is None


def test_the_token_comes_as_a_bearer_header_a_cookie_or_once_in_the_page_address():
    kept = guard(token="s3cret-token")
    assert kept.refusal(scope(host="127.0.0.1:8765"))[0] == 401
    assert kept.refusal(scope(host="127.0.0.1:8765", authorization="Bearer s3cret-token")) is None
    assert kept.refusal(scope(host="127.0.0.1:8765", authorization="Bearer s3cret-tokem"))[0] == 401
    assert kept.refusal(scope(host="127.0.0.1:8765", cookie="depgraph_token=s3cret-token")) is None
    assert kept.refusal(scope(path="/mcp", method="POST", host="127.0.0.1:8765",
                              cookie="depgraph_token=s3cret-token"))[0] == 401, "MCP clients send the header"
    assert kept.refusal(scope(path="/", host="127.0.0.1:8765", query=b"token=s3cret-token")) is None
    assert kept.refusal(scope(path="/", host="127.0.0.1:8765", query=b"token=guess"))[0] == 401
