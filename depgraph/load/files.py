"""Which files a descriptor tree is made of, and loading's pause of the cyclic collector.

Their own module, without YAML: the blast-radius cache key walks the tree's files on every run
and never parses one.
"""

from __future__ import annotations

import gc
import os
import stat
from contextlib import contextmanager
from operator import attrgetter
from pathlib import Path

POLICY_FILE = "depgraph.yaml"


@contextmanager
def collection_paused():
    """Pause Python's cyclic garbage collector for a block, then put it back as it was.

    Loading builds about a million long-lived objects and frees almost none; the collector would
    walk them all again and again for nothing (what that costs: docs/benchmarks.md). Reference
    counting still frees everything that is dropped. Loading pauses it (for a library caller
    too), and so does every command line command that ends (``depgraph.cli``); a loading worker
    process keeps its collector off for its whole short life (``loader._worker_setup``).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def discover_files(root: Path) -> list[tuple[str, Path]]:
    """``(display path, real path)`` of every descriptor file, sorted; each real file once.

    Follows symlinked folders without looping (a folder already walked is skipped).
    """
    return [(display, Path(path)) for display, path, _ in discover_paths_with_stat(root)]


def discover_paths_with_stat(root: Path | str, folders: bool = False) -> list[tuple[str, str, os.stat_result | None]]:
    """:func:`discover_files` with string paths and each file's ``os.stat`` (None when it cannot
    be stat'ed): loading needs the sizes, and the cache key walks a 20,000-file tree on every
    ``blast-radius``, where building a ``Path`` per file costs more than the walk. With
    ``folders``, a subfolder that cannot be read (no permission, a name too long) is listed too,
    its display path ending in ``/`` and no stat, so that loading reports it instead of leaving
    its descriptors out in silence."""
    found: dict[object, tuple[str, str, os.stat_result | None]] = {}
    seen_dirs: set[tuple[int, int]] = set()
    top = str(root)
    # Depth first, each folder before its subfolders, subfolders in name order: the order of
    # ``os.walk(root, followlinks=True)``, which matters when a symlinked folder is reached twice
    # (the first path wins). Display paths are built by joining names, not ``relpath`` per folder.
    pending: list[tuple[str, str]] = [(top, os.path.normpath(top))]
    while pending:
        real_dir, display_dir = pending.pop()
        try:
            entries = _first_visit(real_dir, seen_dirs)
        except OSError:
            if folders and real_dir != top:
                found[real_dir] = (os.path.join(display_dir, ""), real_dir, None)
            continue
        if entries is None:
            continue
        subdirs: list[os.DirEntry] = []
        files: list[os.DirEntry] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (subdirs if is_dir else files).append(entry)
        display_prefix = os.path.join(display_dir, "")
        at_top = real_dir == top
        for entry in sorted(files, key=lambda e: e.name):
            name = entry.name
            if name.startswith(".") or not name.endswith((".yaml", ".yml")) or (at_top and name == POLICY_FILE):
                continue
            display = display_prefix + name
            try:  # one stat names the real file (symlinks and hard links alike); realpath costs 6x
                stat_now = entry.stat()
                file_stat: os.stat_result | None = stat_now
                real: object = (stat_now.st_dev, stat_now.st_ino)
            except OSError:
                file_stat, real = None, entry.path  # dangling or looping: reading it reports the problem
            if real not in found or display < found[real][0]:
                found[real] = (display, entry.path, file_stat)
        subfolders = sorted(entry.name for entry in subdirs if not entry.name.startswith("."))
        parent = "" if display_dir == "." else display_prefix
        pending.extend((os.path.join(real_dir, name), parent + name) for name in reversed(subfolders))
    return sorted(found.values(), key=lambda f: f[0])


def file_stats(root: str) -> tuple[list[str], list[os.stat_result | None]]:
    """The paths and ``os.stat`` (None when it cannot be stat'ed) of every file
    :func:`discover_paths_with_stat` finds below ``root`` and of the policy file, in a fixed
    order: what a key of the tree's state needs, for less than discovery costs (no
    display paths, no sorting of the whole tree, no choice between two paths to one file).
    Each folder is read once (symlinked folders followed, no loops); hidden ones skipped. A
    folder that cannot be read is listed with no stat."""
    paths: list[str] = []
    stats: list[os.stat_result | None] = []
    seen: set[tuple[int, int]] = set()
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = _first_visit(folder, seen)
        except OSError:
            paths.append(folder)
            stats.append(None)
            continue
        if entries is None:
            continue
        entries.sort(key=_NAME)
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if name.endswith(_SUFFIXES):
                try:
                    file_stat: os.stat_result | None = entry.stat()
                except OSError:
                    file_stat = None
                if file_stat is None or not stat.S_ISDIR(file_stat.st_mode):
                    paths.append(entry.path)
                    stats.append(file_stat)
                    continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                pending.append(entry.path)
    return paths, stats


_SUFFIXES = (".yaml", ".yml")
_NAME = attrgetter("name")


def _first_visit(folder: str, seen: set[tuple[int, int]]) -> list[os.DirEntry] | None:
    """The entries of ``folder``, or None when the same real folder was read before (a symlink
    loop or a second path to it). Raises OSError when it cannot be read."""
    st = os.stat(folder)
    if (st.st_dev, st.st_ino) in seen:
        return None
    seen.add((st.st_dev, st.st_ino))
    with os.scandir(folder) as listing:
        return list(listing)
