"""A real MCP client for the tests: the SDK's own ClientSession over stdio or streamable HTTP.

:func:`over_stdio` spawns ``python -m depgraph mcp -d DIR`` and :func:`over_http` connects to a
running ``depgraph serve``; each runs ``scenario(session)`` (an async function) and returns
what it returns. :func:`cli_json` runs the command line for the document to compare with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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
