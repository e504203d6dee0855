"""Writing imports as descriptor trees (SPEC §1), all or nothing.

:func:`render` turns an :class:`ImportResult` into one readable YAML file per service or client,
``teams.yaml`` and ``datacenters.yaml``. A :class:`TreeChange` (files to write, files to remove)
is then committed by :func:`commit`, the one way every importer writes:

1. refuse, before anything is written, when a file would be overwritten or removed and
   ``force`` was not given (naming every such file);
2. validate the tree as it would be afterwards (the output folder's descriptors with the change
   applied, read from memory) exactly as ``depgraph validate`` would; any error refuses it all;
3. write every new file to a temporary file beside its target (a full disk or Ctrl-C here
   leaves the tree untouched), then rename each into place and remove what the change removes
   as one step that Ctrl-C cannot split (it is undone instead) and that a failure rolls back.

No path may lead outside the output folder (a symlinked subfolder is refused), and a target
that is a folder refuses the whole change before anything is written.
"""

from __future__ import annotations

import os
import signal
import stat
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from depgraph.output.atomic import OutputError, check_inside, write_text
from depgraph.diagnostics import ERROR, DescriptorError, Diagnostic, UsageError
from depgraph.importers.names import plain, plain_map
from depgraph.importers.model import ImportedDependency, ImportedService, ImportResult
from depgraph.importers.options import PROVENANCE_LABEL
from depgraph.load.limits import DEFAULT_LIMITS, Limits
from depgraph.output.words import plural


class RefusedOverwrite(UsageError):
    """Files to be written or removed already exist and ``--force`` was not given."""

    def __init__(self, paths: list[Path], removals: list[Path] = ()):
        self.paths = list(paths) + list(removals)
        listed = "".join(f"\n  {p}" for p in paths)
        listed += "".join(f"\n  {p} (would be removed)" for p in removals)
        super().__init__(f"refusing to overwrite {plural(len(self.paths), 'existing file')} (pass --force to "
                         f"replace them); nothing was written:{listed}")


class InvalidResult(DescriptorError):
    """The tree would not validate after the import; nothing was written."""

    def __init__(self, diagnostics, out_dir: Path):
        super().__init__(diagnostics)
        self.out_dir = out_dir


def render(result: ImportResult) -> dict[str, str]:
    """Relative path -> YAML text for every file of the import, in a stable order."""
    header = f"# Imported by depgraph from {result.source}; edit freely.\n"
    files: dict[str, str] = {}
    for name in sorted(result.services):
        service = result.services[name]
        folder = "clients" if service.kind == "client" else "services"
        files[f"{folder}/{name}.yaml"] = header + _dump(_service_doc(service, result))
    if result.teams:
        teams = [_team_doc(result.teams[n], result) for n in sorted(result.teams)]
        files["teams.yaml"] = header + _dump(teams)
    if result.datacenter and any(s.instances for s in result.services.values()):
        files["datacenters.yaml"] = header + _dump(
            [{"kind": "datacenter", "name": result.datacenter,
              "labels": plain_map({PROVENANCE_LABEL: result.source})}])
    return files


def _dump(doc) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=100)


def _dependency_doc(dep: ImportedDependency):
    if dep.is_group:
        entry: dict = {"any_of": list(dep.targets)}
    else:
        entry = {"service": dep.targets[0]}
    if dep.type != "hard" or dep.is_group:
        entry["type"] = dep.type
    if dep.description:
        entry["description"] = dep.description
    return entry if len(entry) > 1 or dep.is_group else dep.targets[0]


def _service_doc(service: ImportedService, result: ImportResult) -> dict:
    doc: dict = {"kind": service.kind, "name": service.name}
    if service.description:
        doc["description"] = service.description
    if service.owner:
        doc["owner"] = plain(service.owner)
    if service.kind == "service":
        if service.tier is not None:
            doc["tier"] = service.tier
        if service.lifecycle:
            doc["lifecycle"] = service.lifecycle
    labels = dict(service.labels)
    labels.setdefault(PROVENANCE_LABEL, result.source)
    doc["labels"] = plain_map(labels)
    if service.links and service.kind == "service":
        doc["links"] = [plain_map(link) for link in service.links]
    if service.dependencies:
        doc["dependencies"] = [_dependency_doc(d) for d in service.dependencies]
    if service.kind == "service" and service.instances and result.datacenter:
        doc["deployments"] = [{"datacenter": result.datacenter, "instances": service.instances}]
    return doc


def _team_doc(team, result: ImportResult) -> dict:
    doc: dict = {"kind": "team", "name": team.name}
    if team.tribe:
        doc["tribe"] = plain(team.tribe)
    if team.contact:
        doc["contact"] = plain_map(team.contact)
    labels = dict(team.labels)
    labels.setdefault(PROVENANCE_LABEL, result.source)
    doc["labels"] = plain_map(labels)
    return doc


def write_files(files: dict[str, str], out_dir: Path, force: bool = False,
                limits: Limits = DEFAULT_LIMITS) -> list[Path]:
    """Write ``files`` (relative path -> text) below ``out_dir``, all or nothing (:func:`commit`)."""
    change = TreeChange(Path(out_dir))
    for rel, text in files.items():
        change.write(rel, text)
    return commit(change, force=force, limits=limits)


@dataclass
class TreeChange:
    """Files to write (display path -> text) and files to remove, below ``out_dir``."""

    out_dir: Path
    writes: dict[str, str] = field(default_factory=dict)
    removals: list[str] = field(default_factory=list)
    created_services: list[str] = field(default_factory=list)
    updated_services: list[str] = field(default_factory=list)

    def path(self, rel: str) -> str:
        return os.path.normpath(os.path.join(str(self.out_dir), rel))

    def write(self, rel: str, text: str) -> None:
        self.writes[self.path(rel)] = text

    def replace(self, display: str, text: str) -> None:
        self.writes[os.path.normpath(display)] = text

    def remove(self, display: str) -> None:
        self.removals.append(os.path.normpath(display))

    def writes_to(self, display: str) -> bool:
        return os.path.normpath(display) in self.writes


def existing_files(out_dir: Path) -> list[tuple[str, str]]:
    """``(display path, real path)`` of every descriptor file already in ``out_dir``."""
    from depgraph.load.files import discover_paths_with_stat

    if not Path(out_dir).is_dir():
        return []
    return [(os.path.normpath(display), real) for display, real, _ in discover_paths_with_stat(out_dir)]


def read_capped(path: str, max_bytes: int) -> bytes | None:
    """At most ``max_bytes + 1`` bytes of a file (validation then reports one over the limit);
    None for what is not a regular file (a FIFO would block, a device never end)."""
    try:
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read(max_bytes + 1)
    except OSError:
        return b""  # unreadable: validation of the real tree would report it; here it is empty


def commit(change: TreeChange, force: bool = False, limits: Limits = DEFAULT_LIMITS) -> list[Path]:
    """Refuse, validate, then write ``change`` (see the module docstring); the paths written."""
    existing = [p for p in change.writes if os.path.lexists(p)]
    for path in [*change.writes, *change.removals]:
        check_inside(path, change.out_dir)
        if os.path.isdir(path) and not os.path.islink(path):
            raise OutputError(f"cannot write {path}: it is a folder; nothing was written")
    if (existing or change.removals) and not force:
        raise RefusedOverwrite([Path(p) for p in existing], [Path(p) for p in change.removals])
    validate_change(change, limits)
    staged: list[tuple[str, str]] = []
    try:
        for target, text in change.writes.items():
            staged.append((_stage(target, text), target))
        _swap(staged, change.removals)
    except BaseException as exc:
        for tmp, _ in staged:
            _unlink(tmp)
        if isinstance(exc, KeyboardInterrupt):
            raise Interrupted(f"interrupted; nothing was written: {change.out_dir} is as it was") from None
        raise
    return [Path(target) for target in change.writes]


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) stopped an import; its message says the tree is untouched."""


def _swap(staged: list[tuple[str, str]], removals: list[str]) -> None:
    """Rename the staged files into place and remove the removals, all or nothing: Ctrl-C and
    termination wait until the swap is done (then it is undone, and the interrupt goes on), and
    a failure puts every file back as it was. Each old file is kept as a hard link (or renamed
    aside) until the end."""
    undo: list[tuple[str, str | None]] = []  # (target, backup or None when it was new)
    current = ""
    with _signals_held() as pending:
        try:
            for tmp, current in staged:
                undo.append((current, _keep_aside(current)))
                os.replace(tmp, current)
            for path in removals:
                current = path
                backup = _keep_aside(path)
                if backup is not None:
                    undo.append((path, backup))
                    _unlink(path)
            if pending():
                raise KeyboardInterrupt
        except BaseException as exc:
            for target, backup in reversed(undo):
                if backup is None:
                    _unlink(target)
                else:
                    os.replace(backup, target)
            if isinstance(exc, OSError):
                raise OutputError(f"cannot write {current}: {exc.strerror or exc}; nothing was changed") from None
            raise
        for _, backup in undo:
            if backup is not None:
                _unlink(backup)


def _keep_aside(path: str) -> str | None:
    """A hidden hard link to the file at ``path`` beside it (or the file renamed there), or None
    when there is no file."""
    if not os.path.lexists(path):
        return None
    folder, name = os.path.split(path)
    fd, backup = tempfile.mkstemp(prefix=f".{name}.", suffix=".old", dir=folder or ".")
    os.close(fd)
    try:
        os.unlink(backup)
        os.link(path, backup, follow_symlinks=False)
    except OSError:
        os.replace(path, backup)
    return backup


class _signals_held:
    """Hold SIGINT and SIGTERM back (main thread, POSIX) while a block runs; ``pending()`` says
    whether one arrived (the block then raises KeyboardInterrupt itself: on exit the signal is
    taken, so it does not interrupt the clean-up a second time)."""

    SIGNALS = {signal.SIGINT, signal.SIGTERM}

    def __enter__(self):
        self.held = threading.current_thread() is threading.main_thread() and hasattr(signal, "pthread_sigmask")
        if self.held:
            signal.pthread_sigmask(signal.SIG_BLOCK, self.SIGNALS)
        return lambda: self.held and bool(signal.sigpending() & self.SIGNALS)

    def __exit__(self, *exc):
        if self.held:
            while signal.sigpending() & self.SIGNALS:
                signal.sigtimedwait(self.SIGNALS, 0)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, self.SIGNALS)
        return False


def validate_change(change: TreeChange, limits: Limits) -> None:
    """Load the tree as ``change`` would leave it, from memory; raise :class:`InvalidResult`."""
    from depgraph.load.loader import load_sources

    removed = set(change.removals)
    sources: list[tuple[str, bytes]] = []
    odd = []
    for display, real in existing_files(change.out_dir):
        if display in removed or display in change.writes:
            continue
        data = read_capped(real, limits.max_file_bytes)
        if data is None:
            odd.append(Diagnostic(display, 1, 1, ERROR, "not a regular file (a FIFO or a device?)", "file"))
        else:
            sources.append((display, data))
    sources += [(target, text.encode("utf-8")) for target, text in change.writes.items()]
    sources.sort()
    try:
        load_sources(sources, root=str(change.out_dir), limits=limits)
    except DescriptorError as exc:
        raise InvalidResult(odd + exc.diagnostics, change.out_dir) from None
    if odd:
        raise InvalidResult(odd, change.out_dir)


def _stage(target: str, text: str) -> str:
    """Write ``text`` to a flushed temporary file beside ``target``; its path."""
    folder = os.path.dirname(target) or "."
    name = os.path.basename(target)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except OSError as exc:
        _unlink(tmp)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return tmp


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def atomic_write(path: Path, text: str) -> None:
    """Write one file atomically (see :mod:`depgraph.output.atomic`); failures are ``OutputError``."""
    write_text(path, text)
