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
import re
import signal
import sys
import tempfile
import threading
from dataclasses import astuple, fields, is_dataclass
from operator import attrgetter

from depgraph import model
from depgraph.diagnostics import Diagnostic

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
    # Each process counts only its own entities, so neither knows whether the limit was reached in
    # file order before a file it read: at the limit (not only past it), order decides what is read.
    if len(reader.entities) >= reader.limits.max_entities:
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
            or sum(size for *_, size in files) < SPAWN_MIN_BYTES // 2):  # files: the helper's half
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
                                                   (os.POSIX_SPAWN_DUP2, write_end, 1),
                                                   # a helper that fails is replaced quietly: no traceback
                                                   (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
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
    _kill(pid)
    os.close(read_end)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


def _collect(pid: int, read_end: int):
    """The helper's ``[(entities, diagnostics, files)]`` per file, or None when it failed."""
    try:
        try:
            with os.fdopen(read_end, "rb") as pipe:
                data = pipe.read()
        except OSError:
            data = b""
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    except BaseException:  # interrupted while waiting: leave no helper behind
        _kill(pid)
        raise
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or not data:
        return None
    try:
        return [(decode_all(entities), decode_all(diagnostics), names)
                for entities, diagnostics, names in marshal.loads(data)]
    except (ValueError, EOFError, TypeError, IndexError, KeyError):
        return None


# -- plain data <-> the model's dataclasses ------------------------------------------------------
# An object is ``(class number, field values…)``. The classes are every record of depgraph.model
# (found there, so a record added to the model travels too) and Diagnostic; a field whose
# annotation names one of them holds one such object, or a tuple of them (``tuple[…]``). Any
# other field is plain data already (names, tuples of names, label dicts); should it hold
# something else, marshal refuses it, the helper fails and its files are read here.


def _model_classes() -> tuple:
    found = [value for value in vars(model).values()
             if isinstance(value, type) and is_dataclass(value) and value.__module__ == model.__name__
             and value is not model.Catalog]
    return (*sorted(found, key=lambda cls: cls.__name__), Diagnostic)


def _plan(cls) -> tuple:
    """(a getter of every field at once, indexes of fields holding one object, indexes of
    fields holding a tuple of objects)."""
    names = [f.name for f in fields(cls)]
    one, many = [], []
    for index, f in enumerate(fields(cls)):
        annotation = f.type if isinstance(f.type, str) else str(f.type)
        if set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", annotation)) & _CLASS_NAMES:
            (many if annotation.replace(" ", "").startswith("tuple[") else one).append(index)
    getter = attrgetter(*names) if len(names) > 1 else (lambda obj, name=names[0]: (getattr(obj, name),))
    return getter, tuple(one), tuple(many)


_CLASSES = _model_classes()
_NUMBER = {cls: number for number, cls in enumerate(_CLASSES)}
_CLASS_NAMES = {cls.__name__ for cls in _CLASSES}
_PLANS = [_plan(cls) for cls in _CLASSES]


def encode_all(objects: list) -> list:
    return [_encode(o) for o in objects]


def decode_all(values: list) -> list:
    return [_decode(v) for v in values]


def _encode(obj) -> tuple:
    number = _NUMBER.get(type(obj))
    if number is None:
        raise _Unexpected(type(obj).__name__)
    getter, one, many = _PLANS[number]
    values = getter(obj)
    if one or many:
        values = list(values)
        for index in one:
            if values[index] is not None:
                values[index] = _encode(values[index])
        for index in many:
            values[index] = tuple([_encode(item) for item in values[index]])
    return (number, *values)


def _decode(value: tuple):
    number = value[0]
    _, one, many = _PLANS[number]
    if not one and not many:
        return _CLASSES[number](*value[1:])
    args = list(value[1:])
    for index in one:
        if args[index] is not None:
            args[index] = _decode(args[index])
    for index in many:
        args[index] = tuple([_decode(item) for item in args[index]])
    return _CLASSES[number](*args)


if __name__ == "__main__":
    sys.exit(_serve())
