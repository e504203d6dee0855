"""Atomic file output: a reader sees the old file or the new one, never half of either.

Every file depgraph writes (reports, diagrams, baselines, imported descriptors) goes through
:func:`write_text` / :func:`write_bytes`: the data goes to a temporary file in the same folder,
is flushed to disk, then renamed over the target. An interrupted run (Ctrl-C, a kill, a full
disk) leaves the previous file intact, and two runs writing the same file cannot interleave.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from depgraph.diagnostics import DepgraphError


class OutputError(DepgraphError):
    """An output could not be written (read-only folder, full disk, …)."""


def write_bytes(path: str | os.PathLike, data: bytes, overwrite: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically; with ``overwrite=False`` refuse an existing file."""
    target = Path(path)
    if not overwrite and target.exists():
        raise OutputError(f"{target} already exists (use --force to overwrite it)")
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        if not overwrite and target.exists():
            raise OutputError(f"{target} already exists (use --force to overwrite it)")
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    return target


def write_text(path: str | os.PathLike, text: str, overwrite: bool = True) -> Path:
    """:func:`write_bytes` of ``text`` as UTF-8; a lone surrogate (a file name that is not
    UTF-8, quoted in a report) is written as U+FFFD instead of failing the write."""
    from depgraph.output.escape import printable

    return write_bytes(path, printable(text).encode("utf-8"), overwrite=overwrite)
