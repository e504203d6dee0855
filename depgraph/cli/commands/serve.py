"""``depgraph serve``: the warm landscape over HTTP: MCP at /mcp, JSON at /api/, the page at /."""

import os
from typing import Annotated

import typer

from depgraph.cli.kit import DescriptorsOption, fail, state


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    descriptors: DescriptorsOption = "descriptors",
    host: Annotated[str, typer.Option(help="Address to listen on (loopback unless told otherwise).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free port).")] = 8765,
    token_env: Annotated[str | None, typer.Option(
        "--token-env", metavar="VAR",
        help="Require 'Authorization: Bearer <token>', the token read from environment variable VAR.")] = None,
    allow_host: Annotated[list[str] | None, typer.Option(
        "--allow-host", metavar="NAME",
        help="Another name this server is reached by (a proxy's), accepted in Host and Origin (repeatable).")] = None,
) -> None:
    """Serve the descriptors over HTTP from one warm process: the MCP endpoint at /mcp
    (streamable HTTP), the same JSON documents as the commands under /api/ (e.g.
    /api/blast-radius?component=datacenter:lon1), and the report page at / with a live what-if.
    Reloads on edits; read-only; logs one line per request to stderr; stops on SIGTERM or Ctrl-C.

    Example: DEPGRAPH_TOKEN=s3cret depgraph serve -d descriptors --port 8765 --token-env DEPGRAPH_TOKEN
    """
    token = None
    if token_env is not None:
        token = os.environ.get(token_env, "")
        if len(token) < 8:
            fail(f"--token-env {token_env}: the variable is not set or holds fewer than 8 characters")
    try:
        from depgraph.serve.runner import run_http
    except ImportError as missing:
        fail(str(missing))
    run_http(descriptors, state.limits, host=host, port=port, token=token, allowed_hosts=tuple(allow_host or ()))
