"""Descriptor files -> a validated :class:`~depgraph.model.Catalog`; the only reader of descriptor files.

``load_catalog(root)`` finds every ``*.yaml``/``*.yml`` below ``root`` (hidden folders skipped,
symlinks followed, each real file read once, ``depgraph.yaml`` at the root left to the policy
reader), reads each document with :mod:`depgraph.load.yamlread`, checks each entity against the schema
of SPEC §1 (:mod:`depgraph.load.schema`), then the references between entities in :mod:`depgraph.load.validate`. Every problem
of every file is collected; if any is an error, :class:`~depgraph.diagnostics.DescriptorError`
carries them all, sorted by file and line.
"""

from __future__ import annotations

import errno
import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from depgraph.diagnostics import ERROR, DescriptorError, Diagnostic, UsageError
from depgraph.load.bounded import NotRegular, read_file
from depgraph.load.fanout import read_files
from depgraph.model import Catalog
from depgraph.load.schema import EntityParser, type_name
from depgraph.load.yamlread import DEFAULT_LIMITS, Limits, YList, YMap, YamlProblem, read_documents

POLICY_FILE = "depgraph.yaml"


def load_catalog(root: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> Catalog:
    """Load and validate every descriptor below ``root``.

    Raises ``DescriptorError`` when any error is found (warnings travel along in it), and
    otherwise returns the Catalog with the warnings in ``catalog.diagnostics``.
    """
    root_path = Path(root)
    if not root_path.is_dir():
        raise UsageError(f"descriptor folder '{root}' not found (pass -d DIR to name the folder "
                         "holding your descriptors)")
    with collection_paused():
        reader = _Reader(str(root), limits)
        read_files(reader, [(display, path, st.st_size if st is not None else 0)
                            for display, path, st in discover_paths_with_stat(root_path)])
        if not reader.entities and not reader.diagnostics:
            reader.diagnostics.append(empty_tree(str(root), len(reader.files)))
        return reader.finish()


@dataclass(frozen=True)
class Validation:
    """What ``depgraph validate`` reports: every diagnostic, and the catalog when valid."""

    root: str
    diagnostics: list[Diagnostic]
    valid: bool
    catalog: Catalog | None = None


def validate_tree(root: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> Validation:
    """Load ``root`` and keep every diagnostic, valid or not (a missing folder still raises)."""
    try:
        catalog = load_catalog(root, limits)
    except DescriptorError as exc:
        return Validation(str(root), exc.diagnostics, False)
    return Validation(str(root), catalog.diagnostics, True, catalog)


def load_sources(sources: Iterable[tuple[str, bytes | int]], root: str = ".",
                 limits: Limits = DEFAULT_LIMITS) -> Catalog:
    """Load descriptors that are not on disk (e.g. read from a git revision): ``(path, bytes)``
    pairs, read one at a time. A size in place of the bytes stands for a file over the limit
    that was never read (git knows a blob's size before it is read)."""
    with collection_paused():
        reader = _Reader(root, limits)
        for display, data in sources:
            if isinstance(data, int):
                reader.too_large(display, data)
            else:
                reader.read_bytes(display, data)
        return reader.finish()


def empty_tree(root: str, files: int) -> Diagnostic:
    """The error for a tree that declares nothing: a CI gate pointed at an empty or mistyped
    folder must fail, not pass (SPEC §1)."""
    looked = (f"looked for *.yaml and *.yml files below {root}, recursively (hidden folders "
              f"skipped, {POLICY_FILE} is the policy file)")
    found = (f"{files} such file{'s' if files != 1 else ''} declare{'s' if files == 1 else ''} no entity"
             if files else "found none")
    return Diagnostic(root, 0, 0, ERROR, f"no descriptors: {looked}; {found}. Point -d at the folder "
                      "holding your descriptors (each entity has a kind and a name)", "empty")


@contextmanager
def collection_paused():
    """Pause Python's cyclic garbage collector while loading.

    Loading builds about a million long-lived objects and frees almost none; the collector would
    walk them all again and again for nothing (28 full passes at 20,000 services, ~15% of the
    load time). Reference counting still frees everything that is dropped.
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


def discover_paths_with_stat(root: Path | str) -> list[tuple[str, str, os.stat_result | None]]:
    """:func:`discover_files` with string paths and each file's ``os.stat`` (None when it cannot
    be stat'ed): loading needs the sizes, and the cache key walks a 20,000-file tree on every
    ``blast-radius``, where building a ``Path`` per file costs more than the walk."""
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
            st = os.stat(real_dir)
            if (st.st_dev, st.st_ino) in seen_dirs:
                continue
            seen_dirs.add((st.st_dev, st.st_ino))
            with os.scandir(real_dir) as listing:
                entries = list(listing)
        except OSError:
            continue
        folders, files = [], []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (folders if is_dir else files).append(entry)
        display_prefix = os.path.join(display_dir, "")
        at_top = real_dir == top
        for entry in sorted(files, key=lambda e: e.name):
            name = entry.name
            if name.startswith(".") or not name.endswith((".yaml", ".yml")) or (at_top and name == POLICY_FILE):
                continue
            display = display_prefix + name
            try:  # one stat names the real file (symlinks and hard links alike); realpath costs 6x
                file_stat: os.stat_result | None = entry.stat()
                real: object = (file_stat.st_dev, file_stat.st_ino)
            except OSError:
                file_stat, real = None, entry.path  # dangling or looping: reading it reports the problem
            if real not in found or display < found[real][0]:
                found[real] = (display, entry.path, file_stat)
        subfolders = sorted(entry.name for entry in folders if not entry.name.startswith("."))
        parent = "" if display_dir == "." else display_prefix
        pending.extend((os.path.join(real_dir, name), parent + name) for name in reversed(subfolders))
    return sorted(found.values(), key=lambda f: f[0])


class _Reader:
    """Collects entities and diagnostics file by file, then hands them to validation."""

    def __init__(self, root: str, limits: Limits):
        self.root = root
        self.limits = limits
        self.entities: list = []
        self.diagnostics: list[Diagnostic] = []
        self.files: list[str] = []

    def error(self, file: str, line: int, col: int, message: str, code: str = "invalid") -> None:
        self.diagnostics.append(Diagnostic(file, line, col, ERROR, message, code))

    def read_path(self, display: str, path: Path) -> None:
        limit = self.limits.max_file_bytes
        try:
            data = read_file(path, limit)
        except OSError as exc:
            why = exc.strerror or str(exc)
            if exc.errno == errno.ENOENT and os.path.islink(path):
                why = f"dangling symlink to '{os.readlink(path)}'"
            self.error(display, 1, 1, f"cannot read file: {why}", "unreadable")
            return
        except NotRegular as exc:
            self.error(display, 1, 1, f"not a regular file ({exc}); descriptors are plain files", "unreadable")
            return
        if data is None:
            self.error(display, 1, 1, f"file is over the limit of {limit:,} bytes (limit max_file_bytes; "
                       "raise it with --max-file-bytes, or split the file)", "limit")
            return
        self.read_bytes(display, data)

    def too_large(self, display: str, size: int) -> None:
        """A file known to hold ``size`` bytes, over the limit, that was not read."""
        self.files.append(display)
        self.error(display, 1, 1, f"file is {size:,} bytes, over the limit of "
                   f"{self.limits.max_file_bytes:,} (limit max_file_bytes; raise it with --max-file-bytes, "
                   "or split the file)", "limit")

    def read_bytes(self, display: str, data: bytes) -> None:
        if len(data) > self.limits.max_file_bytes:
            self.too_large(display, len(data))
            return
        self.files.append(display)
        text = _decode(data, display, self.diagnostics)
        if text is None:
            return
        try:
            for value, doc_line, problems in read_documents(text, self.limits):
                for problem in problems:
                    self.error(display, problem.line, problem.col, problem.message, "yaml")
                self._document(display, value, doc_line)
        except YamlProblem as problem:
            self.error(display, problem.line, problem.col, problem.message, "yaml")

    def _document(self, file: str, value, doc_line: int) -> None:
        if value is None:
            return
        if isinstance(value, YMap):
            self._entity(file, value)
        elif isinstance(value, YList):
            for index, item in enumerate(value):
                if isinstance(item, YMap):
                    self._entity(file, item)
                else:
                    line, col = value.item_pos(index)
                    self.error(file, line, col, "a list document must hold mappings (one entity each), "
                               f"found {type_name(item)}", "document")
        else:
            self.error(file, doc_line, 1, "a document must be a mapping (one entity) or a list of "
                       f"mappings, found {type_name(value)}", "document")

    def _entity(self, file: str, m: YMap) -> None:
        if len(self.entities) >= self.limits.max_entities:
            if len(self.entities) == self.limits.max_entities:
                self.error(file, m.line, m.col, f"more than {self.limits.max_entities:,} entities "
                           "(limit max_entities; raise it with --max-entities)", "limit")
                self.entities.append(None)
            return
        entity = EntityParser(file, m, self.diagnostics).parse()
        if entity is not None:
            self.entities.append(entity)

    def finish(self) -> Catalog:
        from depgraph.load.validate import build_catalog

        entities = [e for e in self.entities if e is not None]
        catalog, diagnostics = build_catalog(entities, self.root)
        diagnostics = self.diagnostics + diagnostics
        catalog.files = sorted(self.files)
        if any(d.severity == ERROR for d in diagnostics):
            raise DescriptorError(diagnostics, self.root)
        catalog.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        return catalog


_UTF16_32_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe\x00\x00", "UTF-32"),
                  (b"\xfe\xff", "UTF-16"), (b"\xff\xfe", "UTF-16"))


def _decode(data: bytes, file: str, diagnostics: list) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for bom, encoding in _UTF16_32_BOMS:
        if data.startswith(bom):
            diagnostics.append(Diagnostic(file, 1, 1, ERROR, f"file is {encoding} text; depgraph reads UTF-8 "
                                          "(save the file as UTF-8)", "encoding"))
            return None
    if b"\x00" in data[:8192]:
        diagnostics.append(Diagnostic(file, 1, 1, ERROR, "binary file, not YAML text (remove it or "
                                      "rename it so it does not end in .yaml/.yml)", "encoding"))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        diagnostics.append(Diagnostic(file, line, col, ERROR, f"not valid UTF-8 (byte 0x{data[exc.start]:02x});"
                                      " save the file as UTF-8", "encoding"))
        return None
