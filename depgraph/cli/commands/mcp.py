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
    from depgraph.serve.watch import leave_on_stop, log, settle, watch_and_reload

    leave_on_stop("loading the descriptors")  # nothing to save: a stop asked for leaves at once, with 0
    answers = Answers(descriptors, state.limits)
    leave_on_stop("serving on stdio")
    settle()
    server = build_server(answers)
    status = answers.status()
    log(f"mcp on stdio: {status['services']:,} services from {status['files']:,} files of {status['root']}, "
        f"loaded in {status['load_seconds']} s; watching for edits")

    async def serve() -> None:
        stop = anyio.Event()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(watch_and_reload, answers, stop)
            await server.run_stdio_async()  # until the client closes stdin
            stop.set()  # the watcher's thread sees it within a step; cancelling alone waits seconds
            tasks.cancel_scope.cancel()

    anyio.run(serve)

