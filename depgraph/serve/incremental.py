"""Loading a tree again after an edit, reading only the files that changed.

:class:`IncrementalLoader` reads each descriptor file on its own (the loader's reader, one file
at a time) and keeps what each gave (its entities and diagnostics) keyed by the file's path and
stat (size, modification time, inode). Loading again walks the tree, reads only the files that
are new or whose stat changed, and validates the whole catalog from the kept entities: the same
catalog and diagnostics as :func:`~depgraph.load.loader.load_catalog`, file order included.
A tree over the entity limit is loaded the ordinary way, whose message names where it stopped.
"""

from __future__ import annotations

from depgraph.load.files import collection_paused, discover_paths_with_stat
from depgraph.load.limits import DEFAULT_LIMITS, Limits
from depgraph.load.loader import _Reader, empty_tree, load_catalog
from depgraph.model import Catalog


class IncrementalLoader:
    """``load()`` the tree below ``root``, rereading only changed files (module docstring)."""

    def __init__(self, root: str, limits: Limits = DEFAULT_LIMITS):
        self.root = root
        self.limits = limits
        self.read: dict[str, tuple[tuple, list, list, list]] = {}  # display -> (stat key, what it gave)
        self.reread = 0  # files read by the last load

    def changed(self) -> bool:
        """Whether a file was added, removed or changed since the last load (a walk of stats)."""
        seen = {display: (path, stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_dev) if stat else None
                for display, path, stat in discover_paths_with_stat(self.root)}
        return seen != {display: found[0] for display, found in self.read.items()}

    def load(self) -> Catalog:
        """The validated catalog; raises DescriptorError or UsageError as ``load_catalog`` does."""
        from pathlib import Path

        from depgraph.diagnostics import UsageError

        if not Path(self.root).is_dir():
            raise UsageError(f"descriptor folder '{self.root}' not found (pass -d DIR to name the folder "
                             "holding your descriptors)")
        with collection_paused():
            files = discover_paths_with_stat(self.root)
            kept: dict[str, tuple[tuple, list, list, list]] = {}
            self.reread = 0
            for display, path, stat in files:
                key = (path, stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_dev) if stat else None
                known = self.read.get(display)
                if key is None or known is None or known[0] != key:
                    one = _Reader(self.root, self.limits)
                    one.read_path(display, path)
                    known = (key, one.entities, one.diagnostics, one.files)
                    self.reread += 1
                kept[display] = known
            self.read = {display: found for display, found in kept.items() if found[0] is not None}
            whole = _Reader(self.root, self.limits)
            for _, entities, diagnostics, names in kept.values():
                whole.entities += entities
                whole.diagnostics += diagnostics
                whole.files += names
        if len(whole.entities) > self.limits.max_entities:
            return load_catalog(self.root, self.limits)
        if not whole.entities and not whole.diagnostics:
            whole.diagnostics.append(empty_tree(self.root, len(whole.files)))
        with collection_paused():
            return whole.finish()
