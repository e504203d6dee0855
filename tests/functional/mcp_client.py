"""A real MCP client for the tests: the SDK's own ClientSession over stdio or streamable HTTP.

:func:`over_stdio` spawns ``python -m depgraph mcp -d DIR`` and :func:`over_http` connects to a
running ``depgraph serve``; each runs ``scenario(session)`` (an async function) and returns
what it returns. :func:`cli_json` runs the command line for the document to compare with.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JAEGER = {"data": [{"parent": "web-api", "child": "playlist", "callCount": 120},
                   {"parent": "playlist", "child": "search", "callCount": 3},
                   {"parent": "mystery", "child": "playlist", "callCount": 1}]}
#: every tool once (lists whole: limit 0), and the command whose --format json it must equal
#: (a function of the folder), or None where no command answers the same question (describe)
CALLS = [
    ("blast_radius", {"components": ["datacenter:lon1", "rack:sto1/b"], "limit": 0},
     lambda d: cli_json("blast-radius", "datacenter:lon1", "rack:sto1/b", "-d", d, "--no-cache")),
    ("single_points_of_failure", {"limit": 0},
     lambda d: {"schema": "depgraph/spofs/v1", "spofs": cli_json("analyze", "-d", d)["spofs"]}),
    ("capacity", {"limit": 0}, lambda d: cli_json("capacity", "-d", d)),
    ("availability", {"limit": 0}, lambda d: cli_json("availability", "-d", d)),
    ("startup_order", {"limit": 0}, lambda d: cli_json("startup-order", "-d", d)),
    ("recovery", {"limit": 0}, lambda d: cli_json("recovery", "-d", d, "--no-cache")),
    ("recovery", {"components": ["datacenter:lon1"], "limit": 0},
     lambda d: cli_json("recovery", "datacenter:lon1", "-d", d, "--no-cache")),
    ("path", {"source": "client:ios", "target": "service:storage"},
     lambda d: cli_json("path", "client:ios", "service:storage", "-d", d)),
    ("check", {"limit": 0}, lambda d: cli_json("check", "-d", d, ok=(0, 1))),
    ("drift", {"observed": "observed/jaeger.json", "limit": 0},
     lambda d: cli_json("drift", "-d", d, "--observed", d / "observed" / "jaeger.json")),
    ("describe", {"component": "playlist"}, None),
]


@pytest.fixture(scope="session")
def landscape(tmp_path_factory) -> Path:
    """A copy of the bundled landscape with an observed-calls file below its root."""
    import shutil

    root = tmp_path_factory.mktemp("served") / "descriptors"
    shutil.copytree(ROOT / "descriptors", root)
    (root / "observed").mkdir()
    (root / "observed" / "jaeger.json").write_text(json.dumps(JAEGER))
    return root


@pytest.fixture(scope="session")
def expected(landscape) -> list:
    """What the command line answers to each of :data:`CALLS` (None: no command)."""
    return [command(landscape) if command else None for _, _, command in CALLS]


def environment() -> dict[str, str]:
    """This checkout first on the path of every depgraph process a test starts."""
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": str(ROOT) + (os.pathsep + path if path else "")}


def cli_json(*args, ok=(0,)) -> dict:
    """``depgraph ARGS… --format json`` in a subprocess, parsed."""
    done = subprocess.run([sys.executable, "-m", "depgraph", *map(str, args), "--format", "json"],
                          capture_output=True, text=True, env=environment(), timeout=120, check=False)
    assert done.returncode in ok, done.stderr
    return json.loads(done.stdout)


def over_stdio(descriptors: Path, scenario, errlog=None):
    import anyio
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "depgraph", "mcp", "-d", str(descriptors)],
                                   env={"PYTHONPATH": environment()["PYTHONPATH"]}, cwd=str(ROOT))

    async def run():
        async with stdio_client(params, errlog=errlog or sys.stderr) as (read, write), \
                ClientSession(read, write) as session:
            await session.initialize()
            return await scenario(session)

    return anyio.run(run)


def over_http(url: str, scenario, headers: dict | None = None):
    import anyio
    import httpx2
    from mcp.client.session import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async def run():
        async with httpx2.AsyncClient(headers=headers or {}, timeout=60) as http, \
                streamable_http_client(url, http_client=http) as (read, write), \
                ClientSession(read, write) as session:
            await session.initialize()
            return await scenario(session)

    return anyio.run(run)


async def call_all(session, calls: list[tuple[str, dict]]) -> list:
    """Each ``(tool, arguments)`` called in turn: ``(is_error, structured content, text)``."""
    answers = []
    for name, arguments in calls:
        result = await session.call_tool(name, arguments)
        answers.append((result.is_error, result.structured_content, result.content[0].text if result.content else ""))
    return answers


def started(arguments: list[str], log: Path, until: str, stdin=None) -> subprocess.Popen:
    """``depgraph ARGUMENTS…`` running with its stderr in ``log``, once ``until`` was logged."""
    process = subprocess.Popen([sys.executable, "-m", "depgraph", *arguments], stdin=stdin,
                               stdout=subprocess.DEVNULL, stderr=log.open("w"), env=environment())
    deadline = time.monotonic() + 60
    while until not in log.read_text():
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.01)
    return process


class Served:
    """A running ``depgraph serve`` and its stderr log."""

    def __init__(self, descriptors: Path, log: Path, *options: str, env: dict | None = None):
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "depgraph", "serve", "-d", str(descriptors), "--port", "0", *options],
            stdout=subprocess.DEVNULL, stderr=log.open("w"), env={**environment(), **(env or {})})
        deadline = time.monotonic() + 60
        while "on http://" not in self.text():
            assert self.process.poll() is None, self.text()
            assert time.monotonic() < deadline, self.text()
            time.sleep(0.1)
        self.port = int(self.text().split("on http://127.0.0.1:", 1)[1].split("/", 1)[0])

    def text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def get(self, path: str, headers: dict | None = None, method: str = "GET", body: bytes | None = None):
        """``(status, parsed JSON or text)`` of one request (Host is this server unless given)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        data = response.read().decode()
        connection.close()
        kind = response.getheader("Content-Type") or ""
        return response.status, json.loads(data) if kind.startswith("application/json") else data

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)
