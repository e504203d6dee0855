"""Bounded reads of the files depgraph is handed: never more than a limit, never a blocking device.

Every file that comes from outside (descriptors, the policy, baselines, observed traces, alias
files, import sources) is read through :func:`read_file` or :func:`read_bounded`: one ``open``,
an ``fstat`` that refuses FIFOs and devices (a symlink to ``/dev/zero`` or a pipe would never
end), and at most ``limit + 1`` bytes read, so a file that is larger than it said, or grows while
it is read, cannot exhaust memory. :func:`load_json_bounded` adds what ``json.loads`` lacks: a
bound on the digits of an integer (Python refuses more than 4,300 with a bare ``ValueError``;
long ones also cost quadratic time) and a clean error for nesting too deep to parse.

Over-limit messages name the file, the limit and how to raise it, like the loader's.
"""

from __future__ import annotations

import json
import os
import stat

from depgraph.diagnostics import DepgraphError

MAX_NUMBER_CHARS = 100  # as in YAML: a longer number is no value depgraph reads
RAISE_IT = "limit max_file_bytes; raise it with --max-file-bytes N or DEPGRAPH_MAX_FILE_BYTES=N"


class InputError(DepgraphError):
    """A file depgraph was given cannot be read: missing, not a regular file, over the limit,
    not JSON. The message is ``PATH[:LINE[:COL]]: error: DETAIL``; ``path``, ``line`` and
    ``col`` (0 where unknown) and ``detail`` are kept for callers that place it themselves."""

    def __init__(self, path: str | os.PathLike, detail: str, line: int = 0, col: int = 0):
        self.path, self.detail, self.line, self.col = os.fspath(path), detail, line, col
        super().__init__(f"{self.place()}: error: {detail}")

    def place(self) -> str:
        """``PATH[:LINE[:COL]]``."""
        return self.path + ("".join(f":{n}" for n in (self.line, self.col) if n) if self.line else "")


class NotRegular(Exception):
    """A path that is no regular file (a FIFO, a device such as /dev/zero, a socket)."""


def read_file(path: str | os.PathLike, limit: int) -> bytes | None:
    """The bytes of the regular file ``path``, or None when it holds more than ``limit`` bytes.

    Raises OSError (missing, unreadable) and :class:`NotRegular`.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular("a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode)
                             or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a file")
        if os.fstat(fd).st_size > limit:
            return None
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    return None if total > limit else b"".join(chunks)


def over_limit(what: str, limit: int, raise_it: str = RAISE_IT) -> str:
    """The message for a file over the limit (after ``FILE:``).

    >>> over_limit("baseline", 10)
    'baseline is over the limit of 10 bytes (limit max_file_bytes; raise it with --max-file-bytes N or DEPGRAPH_MAX_FILE_BYTES=N)'
    """
    return f"{what} is over the limit of {limit:,} bytes ({raise_it})"


def read_bounded(path: str | os.PathLike, limit: int, what: str, raise_it: str = RAISE_IT) -> bytes:
    """The bytes of ``path`` (at most ``limit``); :class:`InputError` naming ``what`` otherwise."""
    try:
        data = read_file(path, limit)
    except FileNotFoundError:
        raise InputError(path, f"{what} not found") from None
    except OSError as exc:
        raise InputError(path, f"cannot read {what}: {exc.strerror or exc}") from None
    except NotRegular as exc:
        raise InputError(path, f"{what} is not a regular file ({exc})") from None
    if data is None:
        raise InputError(path, over_limit(what, limit, raise_it))
    return data


def decode_text(data: bytes, path: str | os.PathLike, what: str) -> str:
    """UTF-8 text (a byte-order mark dropped); :class:`InputError` with the line otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(path, f"{what} is not valid UTF-8 (byte 0x{data[exc.start]:02x} at "
                         f"byte {exc.start:,})", line) from None


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_CHARS:
        raise _NumberTooLong(len(text.lstrip("-")))
    return int(text)


class _NumberTooLong(ValueError):
    def __init__(self, digits: int):
        super().__init__(digits)
        self.digits = digits


def parse_json(text: str, path: str | os.PathLike, what: str):
    """``json.loads`` with integers of at most :data:`MAX_NUMBER_CHARS` digits; every problem is
    an :class:`InputError` naming the file (and the line and column where JSON says) and ``what``.

    >>> parse_json('{"n": ' + '9' * 5000 + '}', "x.json", "corrupt baseline")
    Traceback (most recent call last):
    depgraph.load.bounded.InputError: x.json: error: corrupt baseline: an integer of 5,000 digits (at most 100)
    """
    try:
        return json.loads(text, parse_int=_bounded_int)
    except _NumberTooLong as exc:
        raise InputError(path, f"{what}: an integer of {exc.digits:,} digits (at most {MAX_NUMBER_CHARS})") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, f"{what}, not valid JSON ({exc.msg})", exc.lineno, exc.colno) from None
    except RecursionError:
        raise InputError(path, f"{what}, nested too deeply to read") from None
    except ValueError as exc:  # anything else json or int() refuses
        raise InputError(path, f"{what}, not valid JSON ({exc})") from None


def load_json_bounded(path: str | os.PathLike, limit: int, what: str, raise_it: str = RAISE_IT):
    """Read ``path`` (at most ``limit`` bytes) and parse it as JSON; :class:`InputError` otherwise."""
    return parse_json(decode_text(read_bounded(path, limit, what, raise_it), path, what), path, what)


def load_text_bounded(path: str | os.PathLike, limit: int, what: str, raise_it: str = RAISE_IT) -> str:
    """Read ``path`` (at most ``limit`` bytes) as UTF-8 text; :class:`InputError` otherwise."""
    return decode_text(read_bounded(path, limit, what, raise_it), path, what)
