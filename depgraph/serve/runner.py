"""Running ``depgraph serve``: load, listen, reload on edits, stop cleanly on a signal.

The socket is bound before the application is built, so ``--port 0`` (any free port) still
gives the Host check its port, and the first log line names the address. SIGTERM and SIGINT
stop the server gracefully (open connections get a few seconds) and the process exits 0, as a
container runtime expects; while the descriptors are still loading, they end it at once, also
with 0. Either way the last line on stderr says it stopped.
"""

from __future__ import annotations

import signal
import socket

import anyio

from depgraph.load.limits import Limits
from depgraph.serve.answers import Answers
from depgraph.serve.watch import leave_on_stop, log, settle, watch_and_reload

#: seconds open connections (an MCP event stream) get to finish once a stop is asked for
GRACE_SECONDS = 3
#: connections served at once; more are answered 503 by uvicorn
MAX_CONNECTIONS = 64


def run_http(descriptors, limits: Limits, *, host: str, port: int, token: str | None,
             allowed_hosts: tuple[str, ...] = ()) -> None:
    import uvicorn

    from depgraph.serve.http import build_app

    leave_on_stop("loading the descriptors")  # a container stopped during a long load leaves with 0 too
    log(f"loading the descriptors below {descriptors}")
    answers = Answers(descriptors, limits)
    settle()
    listening = _bind(host, port)
    port = listening.getsockname()[1]
    app = build_app(answers, host=host, port=port, token=token, allowed_hosts=allowed_hosts)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                            limit_concurrency=MAX_CONNECTIONS, timeout_keep_alive=5,
                            timeout_graceful_shutdown=GRACE_SECONDS, h11_max_incomplete_event_size=64 * 1024)
    server = _QuietServer(config)
    for stop in (signal.SIGTERM, signal.SIGINT):  # a stop asked for before uvicorn listens for it
        signal.signal(stop, server.handle_exit)
    status = answers.status()
    shown = f"[{host}]" if ":" in host else host
    log(f"serving {status['services']:,} services from {status['files']:,} files of {status['root']} "
        f"(loaded in {status['load_seconds']} s) on http://{shown}:{port}/ — MCP at /mcp, JSON at /api/, "
        f"the report page at /{'; a bearer token is required' if token else ''}")
    if token is None and host not in ("127.0.0.1", "localhost", "::1"):
        log(f"warning: listening on {host} without --token-env: anyone who can reach it can read the landscape")

    async def main() -> None:
        stop = anyio.Event()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(watch_and_reload, answers, stop)
            await server.serve(sockets=[listening])
            stop.set()  # the watcher's thread sees it within a step; cancelling alone waits seconds
            tasks.cancel_scope.cancel()

    anyio.run(main)
    log("stopped")


def _bind(host: str, port: int) -> socket.socket:
    from depgraph.diagnostics import UsageError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as exc:
        listening.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    listening.listen(128)
    listening.setblocking(False)
    return listening


def _quiet_server_class():
    import uvicorn

    class QuietServer(uvicorn.Server):
        """uvicorn's server without re-raising the stopping signal once stopped (which would end
        the process with 128 + the signal instead of 0)."""

        def handle_exit(self, sig, frame) -> None:
            if not self.should_exit:
                log(f"stopping on signal {sig}")
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True
            self.should_exit = True

    return QuietServer


def _QuietServer(config):  # builds the class on first use (uvicorn is imported late)
    return _quiet_server_class()(config)
