"""``depgraph serve`` as a subprocess on a free 127.0.0.1 port, asked by real clients.

The MCP SDK's client over streamable HTTP calls every tool and gets the command line's
documents; the JSON API answers the same; requests that are not its own (Host, Origin), that
lack the token, or that are too big are refused with a 4xx; an edit is served, a broken one
is reported; SIGTERM stops it with exit code 0.
"""

from __future__ import annotations

import time

from tests.functional import mcp_client
import pytest
from tests.helpers import copy_example
from tests.functional.mcp_client import CALLS, Served, call_all, over_http

landscape, expected = mcp_client.landscape, mcp_client.expected  # shared fixtures
pytest.importorskip("mcp", reason="the MCP SDK is not installed (pip install 'depgraph[serve]')")
TOKEN = "correct-horse-battery-staple"


@pytest.fixture(scope="module")
def server(landscape, tmp_path_factory):
    served = Served(landscape, tmp_path_factory.mktemp("log") / "serve.log")
    yield served
    if served.process.poll() is None:
        served.stop()


def test_mcp_over_http_answers_every_tool_with_the_commands_document(server, expected):
    async def scenario(session):
        tools = {tool.name for tool in (await session.list_tools()).tools}
        return tools, await call_all(session, [(name, arguments) for name, arguments, _ in CALLS])

    tools, answers = over_http(f"http://127.0.0.1:{server.port}/mcp", scenario)
    assert tools == {name for name, _, _ in CALLS}
    for (name, _, _), (is_error, document, text), wanted in zip(CALLS, answers, expected):
        assert not is_error and text, name
        if wanted is not None:
            assert document == wanted, name


def test_the_json_api_answers_the_same_documents(server, expected):
    names = [name for name, _, _ in CALLS]
    status, radius = server.get("/api/blast-radius?component=datacenter:lon1&component=rack:sto1/b&limit=0")
    assert status == 200 and radius == expected[names.index("blast_radius")]
    status, order = server.get("/api/startup-order?limit=0")
    assert status == 200 and order == expected[names.index("startup_order")]
    status, found = server.get("/api/path?source=client:ios&target=service:storage")
    assert status == 200 and found == expected[names.index("path")]
    status, described = server.get("/api/describe?component=team:playlist-squad")
    assert status == 200 and described["fields"]["contact"]["pager"] == "playlist-oncall"
    status, now = server.get("/api/status")
    assert status == 200 and now["generation"] >= 1 and now["stale"] is False


@pytest.mark.parametrize(("path", "code", "message"), [
    ("/api/blast-radius?component=lon2", 400, "unknown component 'lon2'; did you mean 'lon1'?"),
    ("/api/blast-radius?" + "&".join(f"component=service:s{i}" for i in range(1000)), 400, "at most 100"),
    ("/api/describe?component=a&component=b", 400, "takes one 'component'"),
    ("/api/drift?observed=../../etc/passwd", 400, "outside the descriptors' root"),
    ("/api/blast-radius?colour=red", 400, "takes component, limit"),
    ("/api/nothing", 404, "no question 'nothing'"),
])
def test_bad_questions_are_4xx_with_the_commands_message_and_the_server_goes_on(server, path, code, message):
    status, answer = server.get(path)
    assert status == code and message in answer["error"]
    assert server.get("/api/status")[0] == 200


def test_requests_not_addressed_to_it_or_too_big_or_writing_are_refused(server):
    assert server.get("/api/status", {"Host": "attacker.example:80"})[0] == 421
    assert server.get("/api/status", {"Origin": "http://attacker.example"})[0] == 403
    assert server.get("/api/status", {"Origin": f"http://localhost:{server.port}"})[0] == 200
    status, answer = server.get("/mcp", {"Content-Length": str(10**9), "Content-Type": "application/json"},
                                method="POST")
    assert status == 413 and "over" in answer["error"]
    assert server.get("/api/status", method="PUT", body=b"{}")[0] == 405
    assert '"GET /api/status" 200' in server.text()


def test_a_token_is_required_when_configured_and_never_logged(landscape, tmp_path):
    served = Served(landscape, tmp_path / "serve.log", "--token-env", "SERVE_TOKEN", env={"SERVE_TOKEN": TOKEN})
    try:
        assert served.get("/api/status")[0] == 401
        assert served.get("/api/status", {"Authorization": "Bearer wrong-token-value"})[0] == 401
        assert served.get("/api/status", {"Authorization": f"Bearer {TOKEN}"})[0] == 200

        async def scenario(session):
            return [tool.name for tool in (await session.list_tools()).tools]

        assert "blast_radius" in over_http(f"http://127.0.0.1:{served.port}/mcp", scenario,
                                           headers={"Authorization": f"Bearer {TOKEN}"})
        status, _ = served.get(f"/?token={TOKEN}")
        assert status == 303, "the page's token goes into a cookie and out of the address bar"
        assert served.get("/api/status", {"Cookie": f"depgraph_token={TOKEN}"})[0] == 200
    finally:
        assert served.stop() == 0
    assert TOKEN not in served.text()
    assert '"GET /api/status" 401' in served.text()


def test_an_edit_is_served_a_broken_edit_reported_and_sigterm_exits_0(tmp_path):
    root = copy_example(tmp_path / "descriptors")
    served = Served(root, tmp_path / "serve.log")
    playlist = root / "services" / "discovery" / "playlist.yaml"
    original = playlist.read_text()

    def owner_when(predicate) -> tuple:
        for _ in range(150):
            status = served.get("/api/status")[1]
            if predicate(status):
                return served.get("/api/describe?component=playlist")[1]["owner"]["team"], status
            time.sleep(0.1)
        raise AssertionError(served.text())

    try:
        playlist.write_text(original.replace("owner: playlist-squad", "owner: search-squad"))
        owner, status = owner_when(lambda s: s["generation"] >= 2)
        assert owner == "team:search-squad" and status["stale"] is False
        playlist.write_text(original.replace("owner: playlist-squad", "owner: [unclosed"))
        owner, status = owner_when(lambda s: s["stale"])
        assert owner == "team:search-squad" and "playlist.yaml" in status["reload_error"]
        assert "reload failed, still serving generation 2" in served.text()
        assert "1 of 57 files read again" in served.text()
    finally:
        code = served.stop()
    assert code == 0 and "stopped" in served.text()


@pytest.mark.parametrize("when", ["loading", "serving"])
def test_sigterm_exits_0_and_the_last_line_says_it_stopped(tmp_path, when):
    """A container's stop (SIGTERM) is an exit code 0, while the tree still loads as well as
    once it serves; the log's last line says so."""
    import signal

    log = tmp_path / "serve.log"
    root = copy_example(tmp_path / "descriptors")
    if when == "serving":
        served = Served(root, log)
        assert served.get("/api/status")[0] == 200
        process = served.process
    else:
        process = mcp_client.started(["serve", "-d", str(root), "--port", "0"], log, "loading the descriptors")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0, log.read_text()
    last = log.read_text().splitlines()[-1]
    if when == "serving":
        assert last == "depgraph: stopped", log.read_text()
    else:  # at once while loading; gracefully if the (small) tree was loaded before the signal came
        assert last in ("depgraph: stopped on signal 15 while loading the descriptors", "depgraph: stopped"), last


def test_a_slow_client_does_not_hold_up_the_others(server):
    import socket

    slow = socket.create_connection(("127.0.0.1", server.port))
    try:
        slow.sendall(f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Length: 1000\r\n\r\n{{".encode())
        started = time.monotonic()
        assert server.get("/api/describe?component=playlist")[0] == 200
        assert time.monotonic() - started < 10
    finally:
        slow.close()
