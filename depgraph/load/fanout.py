"""Reading descriptor files on two cores: a forked helper process reads every other file.

Parsing YAML with positions is most of a load (about 10 of 12 seconds for 20,000 services and
200,000 hosts) and each file is independent, so :func:`read_files` forks one helper that reads
every other file while this process reads the rest. The helper sends back what each file gave
(entities, diagnostics) as plain tuples through ``marshal``, the fastest serialiser for builtin
values (pickling the same frozen dataclasses costs more than reading the files again); this
process rebuilds the dataclasses and puts everything back in file order, so the result is
exactly what one process reading every file in order finds. Measured: a load of 20,000
services goes from ~12-13 s to ~9-10 s (the two processes slow each other down somewhat), and
of 1,000 services from 0.53 s to 0.41 s.

The helper is forked when this process runs a single thread. When another thread runs (the
progress line on a terminal refreshes from one), forking is unsafe: the child inherits whatever
locks that thread held (on Python 3.12+ a fork in a threaded process warns and may deadlock), so
the helper is instead a fresh interpreter started with ``posix_spawn`` (``python -m
depgraph.load.fanout``, the file list handed over in a temporary file), which costs about 0.2 s
of start-up and is used only on trees of ``SPAWN_MIN_BYTES`` or more.

Anything unusual — not Linux (``fork`` is missing on Windows and unsafe with some macOS system
libraries), a single core, a small tree, a helper that fails or is killed, more entities than
``max_entities`` — falls back to reading the files here, in order: the helper can only make a
load faster, never change its result.
"""

from __future__ import annotations

import marshal
import os
import signal
import sys
import tempfile
import threading
from dataclasses import astuple, fields

from depgraph.diagnostics import Diagnostic
from depgraph.model import Client, Datacenter, Dependency, Deployment, Host, Link, Location, Service, Team

PARALLEL_MIN_BYTES = 1 << 20  # ~500 services: from here a helper saves a fifth or more of a load (measured)
SPAWN_MIN_BYTES = 8 << 20  # ~4,500 services: a load of 2 s or more pays for a fresh interpreter's start-up


class _Unexpected(Exception):
    """A value the helper cannot send as plain data (the files are then read here)."""


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worth_it(sizes: list[int]) -> bool:
    """Whether a helper process would pay for itself on files of these sizes."""
    return (sum(sizes) >= PARALLEL_MIN_BYTES and len(sizes) >= 2 and sys.platform.startswith("linux")
            and usable_cores() >= 2)


def read_files(reader, files: list[tuple[str, object, int]]) -> None:
    """Read ``(display, path, size)`` files into ``reader`` (a loader ``_Reader``), in order.

    The helper takes every other file (neighbouring files tend to cost the same, so the halves
    are even whatever the mix of host inventories and service files); the results are put back
    in file order."""
    helper = _start_helper(reader, files[1::2]) if worth_it([size for _, _, size in files]) else None
    if helper is None:
        for display, path, _ in files:
            reader.read_path(display, path)
        return
    try:
        mine = [_read_one(reader, display, path) for display, path, _ in files[0::2]]
    except BaseException:  # interrupted (Ctrl-C) or out of memory: leave no helper behind
        _abandon(*helper)
        raise
    theirs = _collect(*helper)
    if theirs is None or len(theirs) != len(files[1::2]):  # the helper failed: read its share here
        theirs = [_read_one(reader, display, path) for display, path, _ in files[1::2]]
    reader.entities, reader.diagnostics, reader.files = [], [], []
    for index in range(len(files)):  # back in file order: exactly what one reader would have found
        entities, diagnostics, names = (mine if index % 2 == 0 else theirs)[index // 2]
        reader.entities += entities
        reader.diagnostics += diagnostics
        reader.files += names
    if len(reader.entities) > reader.limits.max_entities:  # past the limit, order decides what is read
        reader.entities, reader.diagnostics, reader.files = [], [], []
        for display, path, _ in files:
            reader.read_path(display, path)


def _read_one(reader, display: str, path) -> tuple[list, list, list]:
    """What reading one file adds to ``reader``: its entities, diagnostics and file names."""
    before = len(reader.entities), len(reader.diagnostics), len(reader.files)
    reader.read_path(display, path)
    return (reader.entities[before[0]:], reader.diagnostics[before[1]:], reader.files[before[2]:])


def _start_helper(reader, files) -> tuple[int, int] | None:
    """Start a process reading ``files``; ``(pid, read end of its pipe)``, or None.

    Forked when this is the only thread, else spawned (see the module docstring)."""
    if threading.active_count() > 1:
        return _spawn_helper(reader, files)
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
    if pid == 0:  # the helper: read, send, and leave without running any of the parent's exit code
        status = 1
        try:
            os.close(read_end)
            data = _read_share(type(reader)(reader.root, reader.limits), files)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            status = 0
        except BaseException:
            pass
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _read_share(reader, files) -> bytes:
    """What the helper sends back: per file its entities, diagnostics and names, as plain data."""
    found = [_read_one(reader, display, path) for display, path, *_ in files]
    return marshal.dumps([(encode_all(entities), encode_all(diagnostics), names)
                          for entities, diagnostics, names in found])


def _spawn_helper(reader, files) -> tuple[int, int] | None:
    """A fresh interpreter reading ``files`` (``python -m depgraph.load.fanout``): safe while other
    threads run, as nothing of this process runs in the child."""
    if (not hasattr(os, "posix_spawn") or not sys.executable
            or sum(size for *_, size in files) < SPAWN_MIN_BYTES - PARALLEL_MIN_BYTES // 2):
        return None
    package_parent = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    request = marshal.dumps((reader.root, astuple(reader.limits),
                             [(display, os.fspath(path)) for display, path, *_ in files]))
    try:
        with tempfile.TemporaryFile() as handover:
            handover.write(request)
            handover.flush()
            handover.seek(0)
            read_end, write_end = os.pipe()
            try:
                pid = os.posix_spawn(sys.executable, [sys.executable, "-m", "depgraph.load.fanout"], env,
                                     file_actions=[(os.POSIX_SPAWN_DUP2, handover.fileno(), 0),
                                                   (os.POSIX_SPAWN_DUP2, write_end, 1)])
            except OSError:
                os.close(read_end)
                return None
            finally:
                os.close(write_end)
    except OSError:
        return None
    return pid, read_end


def _serve() -> int:
    """The spawned helper: read the request on stdin, answer on stdout."""
    import gc

    from depgraph.load.loader import _Reader
    from depgraph.load.yamlread import Limits

    gc.disable()  # as in the parent: a load frees almost nothing
    root, limits, files = marshal.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(_read_share(_Reader(root, Limits(*limits)), files))
    sys.stdout.buffer.flush()
    return 0


def _abandon(pid: int, read_end: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
    os.close(read_end)


def _collect(pid: int, read_end: int):
    """The helper's ``[(entities, diagnostics, files)]`` per file, or None when it failed."""
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
        return [(decode_all(entities), decode_all(diagnostics), names)
                for entities, diagnostics, names in marshal.loads(data)]
    except (ValueError, EOFError, TypeError, IndexError, KeyError):
        return None


# -- plain data <-> the model's dataclasses ------------------------------------------------------
# An object is ``(class number, field values…)``; only the fields that can hold other objects are
# walked (the rest — names, tuples of names, label dicts — are plain data already).

_CLASSES = (Location, Dependency, Deployment, Link, Service, Client, Host, Datacenter, Team, Diagnostic)
_NUMBER = {cls: number for number, cls in enumerate(_CLASSES)}
_NESTED = {  # field -> "one" object or "many" (a tuple of objects)
    Dependency: {"source": "one"},
    Deployment: {"source": "one", "host_sources": "many"},
    Service: {"dependencies": "many", "deployments": "many", "links": "many", "source": "one"},
    Client: {"dependencies": "many", "source": "one"},
    Host: {"source": "one"}, Datacenter: {"source": "one"}, Team: {"source": "one"},
}
_PLAIN = (str, int, bool, float, type(None))
_LAYOUT = {cls: tuple((f.name, _NESTED.get(cls, {}).get(f.name)) for f in fields(cls)) for cls in _CLASSES}


def encode_all(objects: list) -> list:
    return [_encode(o) for o in objects]


def decode_all(values: list) -> list:
    return [_decode(v) for v in values]


def _encode(obj) -> tuple:
    cls = type(obj)
    values = [_NUMBER[cls]]
    for name, nested in _LAYOUT[cls]:
        value = getattr(obj, name)
        if value is None:
            pass
        elif nested == "one":
            value = _encode(value)
        elif nested == "many":
            value = tuple([_encode(item) for item in value])
        elif type(value) is dict:
            if not all(type(item) in _PLAIN for item in value.values()):
                raise _Unexpected(f"{cls.__name__}.{name}")
        elif type(value) is tuple:
            if not all(type(item) in _PLAIN for item in value):
                raise _Unexpected(f"{cls.__name__}.{name}")
        elif type(value) not in _PLAIN:
            raise _Unexpected(f"{cls.__name__}.{name}")
        values.append(value)
    return tuple(values)


def _decode(value: tuple):
    cls = _CLASSES[value[0]]
    args = list(value[1:])
    for index, (_, nested) in enumerate(_LAYOUT[cls]):
        if nested is None or args[index] is None:
            continue
        args[index] = _decode(args[index]) if nested == "one" else tuple([_decode(v) for v in args[index]])
    return cls(*args)


if __name__ == "__main__":
    sys.exit(_serve())
