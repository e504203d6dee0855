"""``depgraph mcp``: a Model Context Protocol server on stdio, answering from a warm landscape."""

import typer

from depgraph.cli.kit import DescriptorsOption, fail, state


def register(app: typer.Typer) -> None:
    app.command("mcp")(mcp)


def mcp(descriptors: DescriptorsOption = "descriptors") -> None:
    """Serve the descriptors to an AI assistant over the Model Context Protocol on stdio: tools
    for blast radius, single points of failure, capacity, availability, start-up order,
    recovery, paths, describe, check and drift, each returning the same JSON as the command; reloads on edits.

    Point an MCP-capable assistant at this command (stdout carries the protocol; logs go to
    stderr). `depgraph serve` offers the same over HTTP.

    Example: depgraph mcp -d descriptors
    """
    import anyio

    try:
        from depgraph.serve.mcp_tools import build_server
    except ImportError as missing:
        fail(str(missing))
    from depgraph.serve.answers import Answers
    from depgraph.serve.watch import log, settle, watch_and_reload

    answers = Answers(descriptors, state.limits)
    settle()
    status = answers.status()
    log(f"mcp on stdio: {status['services']:,} services from {status['files']:,} files of {status['root']}, "
        f"loaded in {status['load_seconds']} s; watching for edits")
    server = build_server(answers)

    async def serve() -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(watch_and_reload, answers)
            await server.run_stdio_async()
            tasks.cancel_scope.cancel()

    try:
        anyio.run(serve)
    except KeyboardInterrupt:
        pass
