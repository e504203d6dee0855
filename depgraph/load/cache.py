"""depgraph's one cache: a private folder of verified entries, bytes in and bytes out.

Two callers keep derived data here: ``check --base`` (the facts of analysed base trees,
``depgraph.gate.checkbase``) and ``blast-radius`` (the compiled failure model,
``depgraph.failure.stored``). Each serializes its own data to plain bytes; nothing here
imports, runs or unpickles anything, and :func:`pack_columns` is the plain typed format both
can use (integers and strings, nothing that can hold code).

Where: ``--cache-dir`` / ``$DEPGRAPH_CACHE_DIR``, else ``$XDG_CACHE_HOME/depgraph``, else
``$HOME/.cache/depgraph`` (relative values ignored). Without any, there is no cache at all.

Trust, as ssh and pip judge their folders:

- the folder is created ``0700``; an existing one is used only when it belongs to the user and
  no group or other user can write it, and never inside the descriptors or inside the git work
  tree that holds them (a pull request could commit entries there).
  Otherwise caching is off, with a note saying why;
- every entry is a regular file of the user's, not writable by others, opened relative to the
  checked folder (no symlink followed), and starts with a SHA-256 over its key and payload: a
  flipped bit, a truncated or a renamed entry is a miss, and the caller rebuilds silently;
- every key includes :func:`code_fingerprint` (every module of the package and the Python
  version), so an upgrade never reads an older entry. Callers add what their data depends on
  (the tree, the limits, the policy).

A cache can only make a run faster, never fail it: errors reading or writing are misses.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from array import array
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path
from typing import Any

FORMAT = b"depgraph-cache-3\n"
DIGEST_BYTES = 32
# typecodes of 32 and 64 bits, signed ("int") and not ("uint": a negative value cannot be read back)
_TYPECODES = {"int": ("i" if array("i").itemsize == 4 else "l", "q"),
              "uint": ("I" if array("I").itemsize == 4 else "L", "Q")}
_UID = os.geteuid() if hasattr(os, "geteuid") else None
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of every module of the depgraph package and of the Python running it."""
    return package_fingerprint(Path(__file__).resolve().parents[1])


def package_fingerprint(package: Path) -> str:
    """A hash of every ``*.py`` below ``package`` (names and bytes) and of the Python running."""
    digest = hashlib.sha256(FORMAT)
    digest.update(f"{sys.version}\0{sys.implementation.cache_tag}\0{sys.byteorder}\n".encode())
    top = os.fspath(package)
    modules = [os.path.join(folder, name)[len(top) + 1:] for folder, _, names in os.walk(top)
               for name in names if name.endswith(".py")]
    for module in sorted(modules):
        digest.update(module.replace(os.sep, "/").encode() + b"\0")
        with open(os.path.join(top, module), "rb") as source:
            digest.update(source.read())
    return digest.hexdigest()


def default_folder() -> Path | None:
    """The cache folder the environment names, or None when it names no safe home."""
    explicit = os.environ.get("DEPGRAPH_CACHE_DIR")
    if explicit:
        return Path(os.path.abspath(explicit))
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / "depgraph"
    home = os.environ.get("HOME", "")
    if os.path.isabs(home):
        return Path(home) / ".cache" / "depgraph"
    return None


def cache_folder(explicit: str | os.PathLike | None = None,
                 untrusted: tuple[str | os.PathLike, ...] = ()) -> tuple[Path | None, str | None]:
    """``(folder, None)`` to cache in, or ``(None, why not)``.

    ``untrusted`` are folders whose content a change under review may write (the descriptors):
    the cache must not be inside them, nor inside the git work tree holding them.
    """
    folder = Path(os.path.abspath(explicit)) if explicit else default_folder()
    if folder is None:
        return None, "no cache: HOME is not set (set DEPGRAPH_CACHE_DIR to keep one)"
    real = Path(os.path.realpath(folder))
    for root in _untrusted_roots(untrusted):
        if real == root or root in real.parents:
            return None, (f"cache folder {folder} is inside {root}, which a change under review can write; "
                          "caching is off (point DEPGRAPH_CACHE_DIR or --cache-dir outside it)")
    problem = _not_private(folder) if folder.exists() else None
    if problem:
        return None, f"cache folder {folder} {problem}; caching is off until it is private (chmod 700 {folder})"
    return folder, None


def _untrusted_roots(untrusted) -> list[Path]:
    roots = []
    for place in untrusted:
        real = Path(os.path.realpath(place))
        roots.append(real)
        top = _work_tree_of(real)
        if top is not None:
            roots.append(top)
    return roots


def _work_tree_of(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` holding a ``.git`` entry (a work tree's top)."""
    for folder in (path, *path.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return None


def _not_private(folder: Path | int) -> str | None:
    """Why ``folder`` (a path or an open descriptor) may not hold a cache, or None."""
    try:
        st = os.stat(folder)
    except OSError as exc:
        return f"cannot be used ({exc.strerror or exc})"
    if not stat.S_ISDIR(st.st_mode):
        return "is not a folder"
    if _UID is not None and st.st_uid != _UID:
        return f"belongs to another user (uid {st.st_uid})"
    if st.st_mode & 0o022:
        return f"is writable by group or others (mode {stat.S_IMODE(st.st_mode):o})"
    return None



def _digest(key: bytes, payload) -> bytes:
    """SHA-256 of an entry's key and payload, without first joining them (a copy of 16 MB)."""
    digest = hashlib.sha256(key)
    digest.update(payload)
    return digest.digest()

class Cache:
    """Entries of one ``kind`` in a private folder: :meth:`get` and :meth:`put` bytes by key."""

    def __init__(self, folder: str | os.PathLike | None, kind: str, kept: int = 8):
        self.folder = Path(folder) if folder is not None else None
        self.kind = kind
        self.kept = kept

    def _name(self, key: str) -> tuple[str, bytes]:
        full = hashlib.sha256(f"{self.kind}\0{code_fingerprint()}\0{key}".encode()).hexdigest()
        return f"{self.kind}-{full[:40]}", full.encode()

    def _open_folder(self, create: bool) -> int | None:
        if self.folder is None:
            return None
        try:
            if create:
                self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.folder, _DIR_FLAGS)
        except OSError:
            return None
        if _not_private(fd) is not None:
            os.close(fd)
            return None
        return fd

    def get(self, key: str) -> bytes | None:
        """The payload stored for ``key``, or None: missing, foreign, damaged or not private."""
        name, full = self._name(key)
        folder = self._open_folder(create=False)
        if folder is None:
            return None
        try:
            fd = os.open(name, _READ_FLAGS, dir_fd=folder)
        except OSError:
            return None
        finally:
            os.close(folder)
        head = len(FORMAT) + DIGEST_BYTES
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or _not_private_file(st) or st.st_size < head:
                return None
            # the header, then the payload into bytes of its own (no copy of 16 MB to cut it off)
            start, payload = _read_all(fd, head), _read_all(fd, st.st_size - head)
        except OSError:
            return None
        finally:
            os.close(fd)
        if len(start) != head or not start.startswith(FORMAT) or _digest(full, payload) != start[len(FORMAT):]:
            return None
        return payload

    def put(self, key: str, payload: bytes) -> None:
        """Store ``payload`` for ``key`` (replacing the entry whole), then keep the newest few."""
        name, full = self._name(key)
        folder = self._open_folder(create=True)
        if folder is None:
            return
        import secrets  # here: reading an entry, the usual run, writes none

        tmp = f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(tmp, _WRITE_FLAGS, 0o600, dir_fd=folder)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(FORMAT + _digest(full, payload))
                    handle.write(payload)
                os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
            except BaseException:
                _unlink(tmp, folder)
                raise
            self._prune(folder)
        except OSError:
            pass  # a cache that cannot be written is skipped
        finally:
            os.close(folder)

    def _prune(self, folder: int) -> None:
        entries = []
        with os.scandir(folder) as found:
            for entry in found:
                if entry.name.startswith(f"{self.kind}-") and entry.is_file(follow_symlinks=False):
                    entries.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.name))
        for _, old in sorted(entries, reverse=True)[self.kept:]:
            _unlink(old, folder)


def _not_private_file(st: os.stat_result) -> bool:
    return (_UID is not None and st.st_uid != _UID) or bool(st.st_mode & 0o022)


def _read_all(fd: int, size: int) -> bytes:
    chunks, total = [], 0
    while total < size:
        chunk = os.read(fd, min(1 << 30, size - total))  # one read for any entry (a short one: more)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _unlink(name: str, folder: int) -> None:
    try:
        os.unlink(name, dir_fd=folder)
    except OSError:
        pass


# -- a plain, typed format: named columns of integers or strings -----------------------------


def pack_columns(columns: dict[str, list[int] | list[str]], kinds: dict[str, str]) -> bytes:
    """Bytes for columns; ``kinds`` says per column ``"int"``, ``"uint"`` (not negative; 32 or 64
    bits, little-endian) or ``"str"`` (UTF-8, no NUL).

    >>> columns = unpack_columns(pack_columns({"n": [1, -2], "s": ["a", "é"]}, {"n": "int", "s": "str"}))
    >>> list(columns["n"]), columns["s"]
    ([1, -2], ['a', 'é'])

    Raises ValueError (or OverflowError) for data that does not fit its kind.
    """
    header, blocks = [], []
    for name, values in columns.items():
        kind = kinds[name]
        if kind in _TYPECODES:
            narrow, wide = _TYPECODES[kind]
            try:  # 32 bits when every value fits: half the bytes to read and hash
                block = array(narrow, values)
            except OverflowError:
                block = array(wide, values)
            if sys.byteorder != "little":
                block.byteswap()
            raw = block.tobytes()
        else:
            text = "\0".join(values)  # type: ignore[arg-type]  # a "str" column holds strings
            if text.count("\0") != max(len(values) - 1, 0):
                raise ValueError(f"column {name}: a string holds NUL")
            raw = text.encode("utf-8")
        header.append([name, kind, len(values), len(raw)])
        blocks.append(raw)
    head = json.dumps(header, separators=(",", ":")).encode()
    return b"".join((len(head).to_bytes(8, "little"), head, *blocks))


class Joined:
    """A string column left as one text (its UTF-8 checked, its ``size`` strings counted): what
    :func:`unpack_columns` gives for a column named in ``joined``, split when first needed (a
    landscape's 200,000 host ids, which a data center's outage never reads)."""

    __slots__ = ("text", "size")

    def __init__(self, text: str, size: int) -> None:
        self.text, self.size = text, size

    def split(self) -> list[str]:
        return self.text.split("\0") if self.size else []


def unpack_columns(data: bytes, joined: Collection[str] = ()) -> dict[str, Any]:
    """The columns of :func:`pack_columns` (integers as ``array`` objects, which index and iterate
    like lists; the string columns named in ``joined`` as :class:`Joined`); ValueError for
    anything not in that shape."""
    view = memoryview(data)
    size = int.from_bytes(view[:8], "little")
    try:
        header = json.loads(bytes(view[8:8 + size]))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"bad header: {exc}") from None
    if not isinstance(header, list):
        raise ValueError("bad header")
    columns: dict = {}
    position = 8 + size
    for item in header:
        if not (isinstance(item, list) and len(item) == 4 and isinstance(item[0], str)
                and item[1] in ("int", "uint", "str") and all(isinstance(n, int) and n >= 0 for n in item[2:])):
            raise ValueError("bad column header")
        name, kind, count, length = item
        raw = view[position:position + length]
        position += length
        if len(raw) != length:
            raise ValueError(f"column {name} is cut short")
        if kind in _TYPECODES:
            if length not in (4 * count, 8 * count):
                raise ValueError(f"column {name}: {length} bytes for {count} integers")
            block = array(_TYPECODES[kind][0 if length == 4 * count else 1])
            block.frombytes(raw)
            if sys.byteorder != "little":
                block.byteswap()
            columns[name] = block
        elif name in joined:
            text = str(raw, "utf-8")
            if (text.count("\0") + 1 if count else len(text)) != count:
                raise ValueError(f"column {name}: not {count} strings")
            columns[name] = Joined(text, count)
        else:
            values = str(raw, "utf-8").split("\0") if count else []
            if len(values) != count:
                raise ValueError(f"column {name}: {len(values)} strings, not {count}")
            columns[name] = values
    if position != len(data):
        raise ValueError("trailing bytes")
    return columns
