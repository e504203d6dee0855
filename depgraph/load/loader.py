"""Descriptor files -> a validated :class:`~depgraph.model.Catalog`; the only reader of descriptor files.

``load_catalog(root)`` finds every ``*.yaml``/``*.yml`` below ``root`` (hidden folders skipped,
symlinks followed, each real file read once, ``depgraph.yaml`` at the root left to the policy
reader), reads each document with :mod:`depgraph.load.yamlread`, checks each entity against the schema
of SPEC §1 (:mod:`depgraph.load.schema`), then the references between entities in :mod:`depgraph.load.validate`. Every problem
of every file is collected; if any is an error, :class:`~depgraph.diagnostics.DescriptorError`
carries them all, sorted by file and line.
"""

from __future__ import annotations

import copyreg
import dataclasses
import errno
import gc
import multiprocessing
import operator
import re
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from depgraph.diagnostics import ERROR, DepgraphError, DescriptorError, Diagnostic, UsageError, did_you_mean
from depgraph.load.bounded import NotRegular, read_file
from depgraph.load.files import POLICY_FILE, collection_paused, discover_paths_with_stat
from depgraph.load.limits import DEFAULT_LIMITS, Limits
from depgraph.load.schema import EntityParser, type_name
from depgraph import model
from depgraph.model import Catalog
from depgraph.load.yamlread import YList, YMap, YamlProblem, read_documents


def load_catalog(root: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> Catalog:
    """Load and validate every descriptor below ``root``.

    Raises ``DescriptorError`` when any error is found (warnings travel along in it), and
    otherwise returns the Catalog with the warnings in ``catalog.diagnostics``.
    """
    root_path = Path(root)
    if not root_path.is_dir():
        raise UsageError(missing_folder(root_path))
    with collection_paused():
        found = discover_paths_with_stat(root_path, folders=True)
        reader = _Reader(str(root), limits)
        jobs = loading_jobs(limits.jobs, found)
        if jobs == 1 or not reader.read_in_pool(found, jobs):
            for display, path, _ in found:
                reader.read_path(display, Path(path))
        if not reader.entities and not reader.diagnostics:
            reader.diagnostics.append(empty_tree(str(root), len(reader.files)))
        return reader.finish()


#: below both, one process reads the tree faster than starting others would pay for
#: (a spawned worker imports Python and PyYAML first: docs/benchmarks.md, "--jobs")
POOL_MIN_FILES = 2000
POOL_MIN_BYTES = 4 << 20
#: small chunks, so that the processes finish within a fraction of a second of each other (a
#: worker holds the chunk it reads and one queued; this process takes the rest from the back)
CHUNKS_PER_PROCESS = 32


def loading_jobs(jobs: int | None, found: list[tuple[str, str, os.stat_result | None]]) -> int:
    """How many processes parse ``found``: ``jobs`` when given, else (automatic) every usable
    core once the tree holds at least :data:`POOL_MIN_FILES` files or :data:`POOL_MIN_BYTES`
    bytes, and 1 below that. Never more processes than files."""
    if jobs is None:
        size = sum(st.st_size for _, _, st in found if st is not None)
        if len(found) < POOL_MIN_FILES and size < POOL_MIN_BYTES:
            return 1
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(jobs, len(found)))


def _worker_setup() -> None:
    """A pool worker's set-up. It sends each frozen record as its class and field values, which
    pickles several times faster than a slotted dataclass's own state protocol (the parent
    rebuilds it with the class's ``__init__``). And its collector stays off: a worker only builds
    acyclic records and returns them; collections would walk every record read while the pool
    pickles a part (a tuple per record), for nothing. Called in the worker process only."""
    gc.disable()
    for cls in (model.Location, model.Dependency, model.Deployment, model.Link, model.Service,
                model.Client, model.Host, model.Datacenter, model.Team, Diagnostic):
        fields = operator.attrgetter(*(f.name for f in dataclasses.fields(cls)))

        def by_fields(record, cls=cls, fields=fields) -> tuple:
            return cls, fields(record)

        copyreg.pickle(cls, by_fields)


def _read_chunk(root: str, limits: Limits, paths: list[tuple[str, str]]) -> tuple:
    """Read ``paths`` as :class:`_Reader` does and return plain data: the built entity records,
    the diagnostics, the files and the names of unparsed files, in file order (a pool worker's
    part, or one this process takes)."""
    reader = _Reader(root, limits)
    for display, path in paths:
        reader.read_path(display, Path(path))
    return reader.entities, reader.diagnostics, reader.files, reader.unparsed


def missing_folder(root: Path) -> str:
    """Why ``root`` is no descriptor folder: a file, or nothing (with the nearest folder beside
    it, as ``-d descriptor`` for ``descriptors``)."""
    if root.exists():
        return (f"'{root}' is a file, not a folder: pass -d DIR, the folder holding your descriptors"
                + (f" (this one is in '{root.parent}')" if root.suffix in (".yaml", ".yml") else ""))
    parent = root.parent
    try:
        folders = [p.name for p in parent.iterdir() if p.is_dir() and not p.name.startswith(".")] \
            if parent.is_dir() else []
    except OSError:
        folders = []
    hint = did_you_mean(root.name, sorted(folders)[:1000])
    hint = hint.replace("did you mean '", f"did you mean '{parent / ''}" if str(parent) != "." else "did you mean '")
    return (f"descriptor folder '{root}' not found{hint or ''} (pass -d DIR to name the folder holding "
            "your descriptors)")


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


class _Reader:
    """Collects entities and diagnostics file by file, then hands them to validation."""

    def __init__(self, root: str, limits: Limits):
        self.root = root
        self.limits = limits
        self.entities: list = []
        self.diagnostics: list[Diagnostic] = []
        self.files: list[str] = []
        #: names that files which failed to parse may declare (``name:`` lines of their text)
        self.unparsed: set[str] = set()

    def error(self, file: str, line: int, col: int, message: str, code: str = "invalid") -> None:
        self.diagnostics.append(Diagnostic(file, line, col, ERROR, message, code))

    def read_path(self, display: str, path: Path) -> None:
        limit = self.limits.max_file_bytes
        if display.endswith(("/", os.sep)):  # a folder discovery could not read
            try:
                os.scandir(path).close()
                why = "it could not be listed"
            except OSError as exc:
                why = exc.strerror or str(exc)
            self.error(display, 0, 0, f"cannot read folder: {why}; its descriptors would be left out",
                       "unreadable")
            return
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

    def read_in_pool(self, found: list[tuple[str, str, os.stat_result | None]], jobs: int) -> bool:
        """Read the files discovery ``found`` with ``jobs - 1`` worker processes beside this
        one, in chunks of about equal bytes: the workers take chunks from the front, this
        process from the back (each chunk a worker has not started yet), and the parts are
        joined in file order, the same state as reading the files one by one here. False
        (nothing taken) when the tree holds more entities than the limit, so that reading in
        this process reports the first one over it. Workers are started with 'spawn' on every
        platform: a fresh interpreter, never a fork of the caller."""
        chunks = _chunks(found, jobs * CHUNKS_PER_PROCESS)
        parts: list = [None] * len(chunks)
        try:
            with ProcessPoolExecutor(jobs - 1, multiprocessing.get_context("spawn"), initializer=_worker_setup) as pool:
                futures = [pool.submit(_read_chunk, self.root, self.limits, chunk) for chunk in chunks]
                for index in reversed(range(len(chunks))):
                    if not futures[index].cancel():
                        break
                    parts[index] = _read_chunk(self.root, self.limits, chunks[index])
                for index, future in enumerate(futures):
                    if parts[index] is None:
                        parts[index] = future.result()
        except (BrokenProcessPool, OSError) as exc:
            raise DepgraphError(f"a loading worker process failed ({exc or type(exc).__name__}); "
                                "read in one process with --jobs 1") from exc
        if sum(len(entities) for entities, _, _, _ in parts) > self.limits.max_entities:
            return False
        for entities, diagnostics, files, unparsed in parts:
            self.entities.extend(entities)
            self.diagnostics.extend(diagnostics)
            self.files.extend(files)
            self.unparsed.update(unparsed)
        return True

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
            self.unparsed.update(_DECLARED_NAME.findall(text))

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
        catalog, diagnostics = build_catalog(entities, self.root, frozenset(self.unparsed))
        diagnostics = self.diagnostics + diagnostics
        catalog.files = sorted(self.files)
        if any(d.severity == ERROR for d in diagnostics):
            error = DescriptorError(diagnostics, self.root)
            # what did load, for a best-effort answer (blast-radius --best-effort): files that
            # failed to parse are missing, and references to what is missing lead nowhere
            error.partial = catalog
            raise error
        catalog.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        return catalog


def _chunks(found: list[tuple[str, str, os.stat_result | None]], count: int) -> list[list[tuple[str, str]]]:
    """The ``(display, path)`` of ``found`` cut in up to ``count`` runs of consecutive files,
    about equal in bytes (as discovery saw them; a file it could not stat counts as empty)."""
    share = max(1, sum(st.st_size for _, _, st in found if st is not None) // count)
    chunks: list[list[tuple[str, str]]] = [[]]
    filled = 0
    for display, path, st in found:
        if filled >= share and chunks[-1]:
            chunks.append([])
            filled = 0
        chunks[-1].append((display, path))
        filled += st.st_size if st is not None else 0
    return chunks


#: a ``name:`` line of a descriptor, read from the text of a file that failed to parse
_DECLARED_NAME = re.compile(r"""^[ \t-]*name:[ \t]*["']?([a-z0-9][a-z0-9._-]*)["']?[ \t]*(?:#.*)?$""", re.M)

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
