"""Reading descriptor files on two cores: this process and a helper process share the files.

Parsing YAML with positions is most of a load (about 10 of 12 seconds for 20,000 services and
200,000 hosts) and each file is independent, so :func:`read_files` starts one helper process and
both read. The files are cut into at most 256 consecutive chunks of about equal cost (a file's
size plus ``FILE_COST``; not of equal file count, as host inventories are a hundred times the
size of a service file and sort together). Before the helper starts, one byte per chunk, its
number, is written into a pipe whose write end is then closed; each process takes the next chunk
with a one-byte read of that pipe (such a read cannot be split between readers, and an empty one
means no chunk is left). So the faster process reads more, on a busy machine too, and neither
waits for the other longer than the other's last chunk.

The helper encodes each chunk's results (entities, diagnostics) as plain tuples and marshals them
as soon as the chunk is read, while this process still reads; ``marshal`` is the fastest
serialiser for builtin values (pickling the same frozen dataclasses costs more than reading the
files again). When the tickets run out it sends ``[(chunk number, marshalled results)]``; this
process rebuilds the dataclasses and puts every chunk back in file order, so the result is
exactly what one process reading every file in order finds. A chunk the helper did not deliver
(it failed, was killed, sent something that does not decode, or took a ticket and died) is read
here.

Measured on two virtual cores (best of 3, old and new runs alternating, nothing else running),
20,000 services: a load took 8.6 s with the former split, the helper reading every other file,
and takes 7.6 s; heavy-tailed: 6.0 s and 5.5 s; the same 20,000 services with the host
inventories sorting after the services: 10.1 s and 8.6 s (with chunks of equal file count, the
last holds 40% of the work: 16.4 s). One process alone takes 12.2-12.5 s (services). Once done
with its half, this process used to spend 1.1-2.1 s waiting for the helper and rebuilding the
helper's share; now it waits 0.1 s for the helper's last chunk and its answer (18 MB), then
spends 0.7-0.9 s on ``marshal.loads`` and rebuilding. With one CPU-bound process competing for
the two cores, the old and the new split took 10.6-15.4 s alike.

The helper is forked when this process runs a single thread. When another thread runs (the
progress line on a terminal refreshes from one), forking is unsafe: the child inherits whatever
locks that thread held (on Python 3.12+ a fork in a threaded process warns and may deadlock), so
the helper is instead a fresh interpreter started with ``posix_spawn`` (``python -m
depgraph.load.fanout``; every file and the chunk bounds handed over in a temporary file on its
stdin, the ticket pipe on its descriptor 3), which costs about 0.2 s of start-up and is used only
on trees of ``SPAWN_MIN_BYTES`` or more.

Anything unusual falls back to reading here: every file, in order, when not on Linux (``fork``
is missing on Windows and unsafe with some macOS system libraries), on a single core, for a
small tree, when no helper starts, or when the files hold ``max_entities`` entities or more; the
chunks it did not deliver when a helper fails or is killed. The helper can only make a load
faster, never change its result.
"""

from __future__ import annotations

import marshal
import os
import re
import sys
import tempfile
import threading
from dataclasses import astuple, fields, is_dataclass
from operator import attrgetter

from depgraph import model
from depgraph.beside import abandon, child_output, fork_child, usable_cores
from depgraph.diagnostics import Diagnostic

PARALLEL_MIN_BYTES = 1 << 20  # ~500 services: from here a helper saves a fifth or more of a load (measured)
SPAWN_MIN_BYTES = 8 << 20  # ~4,500 services: a load of 2 s or more pays for a fresh interpreter's start-up
MAX_CHUNKS = 256  # a ticket is one byte; at 20,000 services a chunk is ~50 ms of reading
# What reading a file costs beyond its bytes, in bytes: a 900-byte service file takes as long as
# ~1.4 KB of a host inventory (0.6 ms against 0.43 ms a KB), rounded up.
FILE_COST = 1024
TICKETS_FD = 3  # where a spawned helper finds the ticket pipe


class _Unexpected(Exception):
    """A value the helper cannot send as plain data (its chunk is then read here)."""


def worth_it(sizes: list[int]) -> bool:
    """Whether a helper process would pay for itself on files of these sizes."""
    return (sum(sizes) >= PARALLEL_MIN_BYTES and len(sizes) >= 2 and sys.platform.startswith("linux")
            and usable_cores() >= 2)


def chunks(sizes: list[int]) -> list[tuple[int, int]]:
    """``(start, end)`` of at most ``MAX_CHUNKS`` consecutive runs of files of these sizes, each
    about as costly to read as the next (a file's cost: its size plus ``FILE_COST``).

    Not of equal file count: host inventories are a hundred times the size of a service file and
    sort together, so one such run would hold 40% of the work (13 MB of the 34 of 20,000
    services) and, last in the order, keep one process reading for seconds after the other ran
    out of work. Each file goes to the equal share of the total cost that holds its middle, so a
    run costs at most a share plus its costliest file, and a file costlier than a share is a run
    of its own."""
    number = min(MAX_CHUNKS, len(sizes))
    total = sum(sizes) + FILE_COST * len(sizes)
    bounds, start, done, current = [], 0, 0, 0
    for index, size in enumerate(sizes):
        cost = size + FILE_COST
        share = (2 * done + cost) * number // (2 * total)  # the share holding this file's middle
        done += cost
        if share != current and index > start:
            bounds.append((start, index))
            start = index
        current = share
    if start < len(sizes):
        bounds.append((start, len(sizes)))
    return bounds


def read_files(reader, files: list[tuple[str, object, int]]) -> None:
    """Read ``(display, path, size)`` files into ``reader`` (a loader ``_Reader``), in order.

    The files are cut into chunks, and this process and the helper each take the next chunk's
    ticket until none is left (see the module docstring); the results are put back in file order."""
    sizes = [size for _, _, size in files]
    if not worth_it(sizes):
        for display, path, _ in files:
            reader.read_path(display, path)
        return
    bounds = chunks(sizes)
    tickets = _tickets(len(bounds))
    helper = _start_helper(reader, files, bounds, tickets) if tickets is not None else None
    if helper is None:
        if tickets is not None:
            os.close(tickets)
        for display, path, _ in files:
            reader.read_path(display, path)
        return
    found: list = [None] * len(bounds)  # per chunk, what each of its files gave
    try:
        try:
            while (number := _take(tickets)) is not None:
                found[number] = _read_chunk(reader, files[slice(*bounds[number])])
        finally:
            os.close(tickets)
    except BaseException:  # interrupted (Ctrl-C) or out of memory: leave no helper behind
        abandon(*helper)
        raise
    for number, results in (_collect(*helper) or {}).items():
        if (type(number) is int and 0 <= number < len(bounds) and found[number] is None
                and len(results) == bounds[number][1] - bounds[number][0]):
            found[number] = results
    for number, (start, end) in enumerate(bounds):  # not delivered (the helper failed): read here
        if found[number] is None:
            found[number] = _read_chunk(reader, files[start:end])
    reader.entities, reader.diagnostics, reader.files = [], [], []
    for results in found:  # back in file order: exactly what one reader would have found
        for entities, diagnostics, names in results:
            reader.entities += entities
            reader.diagnostics += diagnostics
            reader.files += names
    # Each process counts only its own entities, so neither knows whether the limit was reached in
    # file order before a file it read: at the limit (not only past it), order decides what is read.
    if len(reader.entities) >= reader.limits.max_entities:
        reader.entities, reader.diagnostics, reader.files = [], [], []
        for display, path, _ in files:
            reader.read_path(display, path)


def _tickets(count: int) -> int | None:
    """The read end of a pipe holding the bytes ``0 .. count-1`` and nothing more to come, or None.

    Written whole before the helper starts (256 bytes fit any pipe's buffer) and the write end
    closed, so a read of one byte is the next chunk's number and an empty read means no chunk is
    left; a one-byte read cannot be split, so each chunk goes to exactly one process."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        data = bytes(range(count))
        while data:
            data = data[os.write(write_end, data):]
    except OSError:
        os.close(read_end)
        return None
    finally:
        os.close(write_end)
    return read_end


def _take(tickets: int) -> int | None:
    """The number of the next chunk nobody has taken, or None when all are taken."""
    try:
        ticket = os.read(tickets, 1)
    except OSError:  # whatever is left is read here after the helper's answer
        return None
    return ticket[0] if ticket else None


def _read_chunk(reader, files) -> list[tuple[list, list, list]]:
    return [_read_one(reader, display, path) for display, path, *_ in files]


def _read_one(reader, display: str, path) -> tuple[list, list, list]:
    """What reading one file adds to ``reader``: its entities, diagnostics and file names."""
    before = len(reader.entities), len(reader.diagnostics), len(reader.files)
    reader.read_path(display, path)
    return (reader.entities[before[0]:], reader.diagnostics[before[1]:], reader.files[before[2]:])


def _start_helper(reader, files, bounds, tickets: int) -> tuple[int, int] | None:
    """Start a process taking ``tickets`` for chunks of ``files``; ``(pid, read end of its pipe)``,
    or None.

    Forked when this is the only thread, else spawned (see the module docstring)."""
    if threading.active_count() > 1:
        return _spawn_helper(reader, files, bounds, tickets)
    return fork_child(lambda: _help(type(reader)(reader.root, reader.limits), files, bounds, tickets))


def _help(reader, files, bounds, tickets: int) -> bytes:
    """The helper's work: take tickets until none is left, reading each chunk and encoding it at
    once, while the parent still reads; what it sends back, ``[(chunk number, its per-file
    results marshalled)]`` marshalled. Marshalled chunk by chunk, so that what is left to do when
    the tickets run out is a copy (marshalling 19 MB of results at the end took 0.2 s)."""
    done = []
    while (number := _take(tickets)) is not None:
        try:
            start, end = bounds[number]
            done.append((number, marshal.dumps(_encode_chunk(_read_chunk(reader, files[start:end])))))
        except Exception:
            # A record it cannot send (past max_entities the reader holds a None) or a reader left
            # halfway through a file: stop. The reader's later chunks could be wrong (past the
            # limit it skips entities silently), and this chunk and the rest are read by the parent.
            break
    os.close(tickets)
    return marshal.dumps(done)


def _encode_chunk(found) -> list:
    """A chunk's per-file results as plain data: ``[(entities, diagnostics, names)]``."""
    return [(encode_all(entities), encode_all(diagnostics), names) for entities, diagnostics, names in found]


def _spawn_helper(reader, files, bounds, tickets: int) -> tuple[int, int] | None:
    """A fresh interpreter taking tickets (``python -m depgraph.load.fanout``): safe while other
    threads run, as nothing of this process runs in the child.

    Its stdin is a temporary file holding the request (every file and the chunk bounds), its
    stdout the answer's pipe, ``TICKETS_FD`` the ticket pipe and its stderr /dev/null."""
    if (not hasattr(os, "posix_spawn") or not sys.executable
            or sum(size for *_, size in files) < SPAWN_MIN_BYTES):
        return None
    import fcntl

    package_parent = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    request = marshal.dumps((reader.root, astuple(reader.limits),
                             [(display, os.fspath(path)) for display, path, *_ in files], bounds))
    moved: list[int] = []
    try:
        with tempfile.TemporaryFile() as handover:
            handover.write(request)
            handover.flush()
            handover.seek(0)
            read_end, write_end = os.pipe()
            try:
                # Copies above every target descriptor, so that no action overwrites a descriptor a
                # later one copies, and none is copied onto itself (which would keep close-on-exec).
                for fd in (handover.fileno(), write_end, tickets):
                    moved.append(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, TICKETS_FD + 1))
                pid = os.posix_spawn(sys.executable, [sys.executable, "-m", "depgraph.load.fanout"], env,
                                     file_actions=[(os.POSIX_SPAWN_DUP2, moved[0], 0),
                                                   (os.POSIX_SPAWN_DUP2, moved[1], 1),
                                                   (os.POSIX_SPAWN_DUP2, moved[2], TICKETS_FD),
                                                   # a helper that fails is replaced quietly: no traceback
                                                   (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
            except OSError:
                os.close(read_end)
                return None
            finally:
                os.close(write_end)
                for fd in moved:
                    os.close(fd)
    except OSError:
        return None
    return pid, read_end


def _serve() -> int:
    """The spawned helper: read the request on stdin, take tickets on ``TICKETS_FD``, answer on
    stdout."""
    import gc

    from depgraph.load.loader import _Reader
    from depgraph.load.limits import Limits

    gc.disable()  # as in the parent: a load frees almost nothing
    root, limits, files, bounds = marshal.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(_help(_Reader(root, Limits(*limits)), files, bounds, TICKETS_FD))
    sys.stdout.buffer.flush()
    return 0


def _collect(pid: int, read_end: int) -> dict | None:
    """What the helper delivered, ``{chunk number: [(entities, diagnostics, names)] per file}``, or
    None when it failed. A chunk that does not decode is left out (and read here)."""
    data = child_output(pid, read_end)  # interrupted while waiting: it leaves no helper behind
    if not data:
        return None
    try:
        by_number = {}
        for number, found in marshal.loads(data):
            by_number.setdefault(number, found)
    except Exception:  # garbage: not a list of pairs
        return None
    answer = {}
    for number, found in by_number.items():
        try:
            answer[number] = [(decode_all(entities), decode_all(diagnostics), list(names))
                              for entities, diagnostics, names in marshal.loads(found)]
        except Exception:
            pass
    return answer


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
