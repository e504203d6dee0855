"""Reloading the warm landscape when a descriptor file changes, and saying so on stderr.

:func:`watch_and_reload` watches the descriptor tree (``watchfiles``: inotify on Linux) and
reloads :class:`~depgraph.serve.answers.Answers` after each burst of changes to ``*.yaml`` and
``*.yml`` files (hidden folders skipped, as loading skips them). A reload that fails keeps the
last good landscape serving; the log line and every answer's status say why.
"""

from __future__ import annotations

import gc
import os
import sys
import time

import anyio

from depgraph.output.escape import terminal
from depgraph.serve.answers import Answers

#: milliseconds of quiet after a change before reloading (an editor's save is several events)
DEBOUNCE_MS = 200
#: containers made between two collections of the youngest generation in a warm server
#: (Python's default: 700). A hub data center's blast radius at 20,000 services makes tens of
#: thousands that live until the answer is written: collected every 700, each is walked and
#: promoted several times (a fifth of the answer's time, measured); in batches this size, most
#: are gone before the collector looks. The answers make no reference cycles worth hurrying.
YOUNG_GENERATION = 20_000


def log(message: str) -> None:
    """One line on stderr (control characters made visible), flushed at once."""
    sys.stderr.write(f"depgraph: {terminal(message)}\n")
    sys.stderr.flush()


def leave_on_stop(doing: str) -> None:
    """From now on SIGTERM and SIGINT end the process at once with exit code 0 (a stop that was
    asked for), saying so as the last line on stderr: ``doing`` says what it was doing (loading
    the tree, serving stdio). Nothing is lost: the server writes nothing but answers."""
    import signal

    def stop(signum, frame) -> None:
        log(f"stopped on signal {signum} while {doing}")
        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
        os._exit(0)  # a reader of stdin (a thread blocked in a read) would hold up a graceful exit

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)


def settle() -> None:
    """After a load: collect what the previous landscape left, then keep the collector off the
    new landscape's million objects (``gc.freeze``), so answers do not pay for walking them,
    and let :data:`YOUNG_GENERATION` objects be made between two collections."""
    gc.enable()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION, *gc.get_threshold()[1:])


def _descriptor_change(change, path: str) -> bool:
    name = os.path.basename(path)
    parts = path.replace("\\", "/").split("/")
    return name.endswith((".yaml", ".yml")) and not any(p.startswith(".") for p in parts[:-1] if p not in (".", ".."))


async def reload_now(answers: Answers) -> bool:
    """Reload on a worker thread and log the outcome; True when the new landscape serves."""
    started = time.perf_counter()
    ok = await anyio.to_thread.run_sync(answers.reload)
    status = answers.status()
    if ok:
        settle()
        log(f"reloaded {status['root']}: generation {status['generation']}, "
            f"{answers.loader.reread} of {status['files']} files read again, "
            f"{time.perf_counter() - started:.2f} s")
    else:
        log(f"reload failed, still serving generation {status['generation']} "
            f"(loaded {status['loaded_at']}): {status['reload_error']}")
    return ok


#: seconds after the watch starts when the tree is compared with what was loaded: an edit made
#: while the watch was being set up is not missed
CATCH_UP_SECONDS = 1.0


async def watch_and_reload(answers: Answers, stop: anyio.Event | None = None) -> None:
    """Reload ``answers`` after each change below its root, until ``stop`` is set."""

    async def catch_up() -> None:
        await anyio.sleep(CATCH_UP_SECONDS)
        if await anyio.to_thread.run_sync(answers.loader.changed):
            await reload_now(answers)

    root = os.path.abspath(answers.root)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(catch_up)
        await _watch(answers, root, stop)


async def _watch(answers: Answers, root: str, stop) -> None:
    from watchfiles import awatch

    async for changes in awatch(root, watch_filter=_descriptor_change, debounce=DEBOUNCE_MS, stop_event=stop,
                                recursive=True, ignore_permission_denied=True):
        if changes:
            await reload_now(answers)
