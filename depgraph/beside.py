"""Work on the other core: a forked child computes a pure function while this process goes on.

``with Beside(work, pack, unpack) as part: ...; result = part.result()`` forks a child that runs
``work()``, turns the answer into plain data with ``pack`` (tuples, lists, dicts, strings,
numbers: what ``marshal`` writes) and sends it through a pipe; ``result()`` reads it and
rebuilds the answer with ``unpack``. The analysis uses it at 20,000 services to build the
dependency graph and find cycles and the start-up order (~2.5 s) while it finds the single
points of failure.

It forks only where that is safe and pays: Linux (``fork`` is missing on Windows and unsafe
with some macOS system libraries), two usable cores, one running thread (a child inherits
whatever locks other threads hold; the progress line's refresh thread is one), and when the
caller says the work is big enough. Otherwise, and whenever the child fails — killed, out of
memory, an answer that does not unpack — ``result()`` runs ``work()`` here: the other core can
only make the answer come sooner, never change it. Leaving the ``with`` block early (an error,
Ctrl-C) kills and reaps the child.
"""

from __future__ import annotations

import marshal
import os
import signal
import sys
import threading
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether a forked helper is safe here (see the module docstring)."""
    return (sys.platform.startswith("linux") and hasattr(os, "fork") and usable_cores() >= 2
            and threading.active_count() == 1)


class Beside(Generic[T]):
    """The answer of ``work``: from the child when one runs and succeeds, else computed here."""

    def __init__(self, work: Callable[[], T], pack: Callable[[T], object], unpack: Callable[[object], T],
                 wanted: bool = True):
        self._work, self._unpack = work, unpack
        self._child = fork_child(lambda: marshal.dumps(pack(work()))) if wanted and can_fork() else None
        self.forked = self._child is not None

    def result(self) -> T:
        child, self._child = self._child, None
        data = child_output(*child) if child is not None else None
        if data:
            try:
                return self._unpack(marshal.loads(data))
            except (ValueError, EOFError, TypeError, IndexError, KeyError, AttributeError):
                pass
        return self._work()

    def __enter__(self) -> Beside[T]:
        return self

    def __exit__(self, *_exc) -> None:
        child, self._child = self._child, None
        if child is not None:
            abandon(*child)


def fork_child(produce: Callable[[], bytes]) -> tuple[int, int] | None:
    """Fork a child that sends ``produce()`` through a pipe and exits; ``(pid, read end)``, or
    None when no child could start. The child leaves without running any of the parent's exit
    code, with status 1 when ``produce`` raised."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    for stream in (sys.stdout, sys.stderr):  # nothing buffered may be written twice
        try:
            stream.flush()
        except (AttributeError, ValueError, OSError):
            pass
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:
        status = 1
        try:
            os.close(read_end)
            data = produce()
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            status = 0
        except BaseException:
            pass
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def child_output(pid: int, read_end: int) -> bytes | None:
    """Everything the child sent, once it exited well; None when it failed. Interrupted while
    waiting, it kills and reaps the child before raising."""
    try:
        try:
            with os.fdopen(read_end, "rb") as pipe:
                data = pipe.read()
        except OSError:
            data = b""
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    except BaseException:
        kill(pid)
        raise
    return data if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 else None


def kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


def abandon(pid: int, read_end: int) -> None:
    """Kill and reap the child and close its pipe (the work is no longer wanted)."""
    kill(pid)
    try:
        os.close(read_end)
    except OSError:
        pass
