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
        self._child: tuple[int, int] | None = _fork(work, pack) if wanted and can_fork() else None
        self.forked = self._child is not None

    def result(self) -> T:
        child, self._child = self._child, None
        if child is not None:
            answer = _collect(*child)
            if answer is not None:
                try:
                    return self._unpack(answer)
                except (ValueError, TypeError, IndexError, KeyError, AttributeError):
                    pass
        return self._work()

    def __enter__(self) -> Beside[T]:
        return self

    def __exit__(self, *_exc) -> None:
        child, self._child = self._child, None
        if child is not None:
            _abandon(*child)



def _fork(work: Callable, pack: Callable) -> tuple[int, int] | None:
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
    if pid == 0:  # the child: compute, send, and leave without running any of the parent's exit code
        status = 1
        try:
            os.close(read_end)
            data = marshal.dumps(pack(work()))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            status = 0
        except BaseException:
            pass
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, read_end: int):
    """The child's answer as plain data, or None when it failed."""
    try:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
    except OSError:
        data = b""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or not data:
        return None
    try:
        return marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None


def _abandon(pid: int, read_end: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
    try:
        os.close(read_end)
    except OSError:
        pass
