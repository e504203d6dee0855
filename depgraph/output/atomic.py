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


def check_inside(path: str | os.PathLike, root: str | os.PathLike) -> None:
    """Refuse a ``path`` whose folder, symbolic links resolved, is not ``root`` or below it (a
    planted ``diagrams -> ../elsewhere`` link in an output folder would carry writes out).
    What does not exist yet is created below as plain folders."""
    folder = Path(os.path.abspath(path)).parent
    real_root = Path(os.path.realpath(root))
    real = Path(os.path.realpath(folder))  # resolves what exists; the rest is appended as it is
    if real != real_root and real_root not in real.parents:
        raise OutputError(f"refusing to write {path}: its folder leads outside {root} (a symbolic "
                          f"link?) to {real}")


def write_bytes(path: str | os.PathLike, data: bytes, overwrite: bool = True,
                within: str | os.PathLike | None = None) -> Path:
    """Write ``data`` to ``path`` atomically; with ``overwrite=False`` refuse an existing file;
    with ``within``, refuse a path that leads outside that folder (:func:`check_inside`)."""
    target = Path(path)
    if not overwrite and target.exists():
        raise OutputError(f"{target} already exists (use --force to overwrite it)")
    folder = target.parent
    if within is not None:
        check_inside(target, within)
    if target.is_dir() and not target.is_symlink():
        raise OutputError(f"cannot write {target}: it is a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if within is not None:
            check_inside(target, within)  # again, now that the folders exist
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


def write_text(path: str | os.PathLike, text: str, overwrite: bool = True,
               within: str | os.PathLike | None = None) -> Path:
    """:func:`write_bytes` of ``text`` as UTF-8; a lone surrogate (a file name that is not
    UTF-8, quoted in a report) is written as U+FFFD instead of failing the write."""
    from depgraph.output.escape import printable

    return write_bytes(path, printable(text).encode("utf-8"), overwrite=overwrite, within=within)
