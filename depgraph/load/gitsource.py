"""Descriptor trees read from git itself: a folder as it is at a ref, without touching the work tree.

``git ls-tree -r -l -z`` lists the descriptor files at the ref (with their blob ids and sizes)
and one ``git cat-file --batch`` streams them, one at a time, to
``depgraph.load.loader.load_sources``. The same file selection as the loader's applies: ``*.yaml``
/ ``*.yml``, hidden files and folders skipped, the root ``depgraph.yaml`` (the policy) left out.

Git is a boundary: the descriptors are untrusted (a pull request may add any file below them),
so

- the repository is found once, from where depgraph runs (the current folder), never from
  inside the descriptors, and every later command names it explicitly (``--git-dir``,
  ``--work-tree``): a forged repository committed into the descriptors (files ``HEAD``,
  ``config``, ``objects/…``) is never used. ``safe.bareRepository=explicit`` makes git itself
  refuse to discover a bare repository, and hooks and the file-system monitor are off;
- refs are checked before git sees them (:func:`check_ref`), and ``--end-of-options`` / ``--``
  stand before every ref and path, so a folder named ``-v`` or a ref ``--output=x`` is data;
- a blob's size is known before it is read: one over ``max_file_bytes`` is never read.

Every tree also gets a *content key*: a hash over its files' paths and git blob ids. The work
tree's key is computed the same way (git's blob id is a SHA-1 of the bytes), so "the base is
byte-identical to the head" and "this tree was analysed before" are one string comparison.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

from depgraph.diagnostics import DepgraphError
from depgraph.load.bounded import NotRegular, read_file
from depgraph.load.limits import DEFAULT_LIMITS, Limits

POLICY_FILE = "depgraph.yaml"
SYMLINK_MODE = "120000"
MAX_REF_CHARS = 256
# Options for every git call: no repository discovery of bare repositories, no hooks, no
# file-system monitor (a program named in config), pathspecs taken literally.
SAFE_OPTIONS = ("-c", "safe.bareRepository=explicit", "-c", "core.fsmonitor=false",
                "-c", "core.hooksPath=/dev/null", "--literal-pathspecs")
_REF_FORBIDDEN = set(" ~^:?*[\\") | {chr(c) for c in range(32)} | {"\x7f"}


class GitError(DepgraphError):
    """Git could not answer: not a repository, an unknown ref, git missing."""


class GitMissing(GitError):
    """No git binary on PATH."""


@dataclass(frozen=True, slots=True)
class Repository:
    """A git work tree found from where depgraph runs: its top folder and its git folder."""

    top: str
    git_dir: str


@dataclass(frozen=True, slots=True)
class GitTree:
    """The descriptor files of one commit: ``files`` are ``(path below the folder, blob id)``,
    ``sizes`` their sizes in bytes, in the same order."""

    repo: Repository
    ref: str
    commit: str
    prefix: str
    files: tuple[tuple[str, str], ...]
    skipped_links: tuple[str, ...] = ()
    sizes: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        return tree_key(self.files)


def blob_id(data: bytes) -> str:
    """Git's id of a blob holding ``data`` (what ``git hash-object`` prints).

    >>> blob_id(b"")
    'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'
    """
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def tree_key(files) -> str:
    """A content key for ``(path, blob id)`` pairs, independent of their order.

    >>> tree_key([("a.yaml", "1"), ("b.yaml", "2")]) == tree_key([("b.yaml", "2"), ("a.yaml", "1")])
    True
    """
    digest = hashlib.sha256()
    for path, blob in sorted(files):
        digest.update(f"{path}\0{blob}\n".encode("utf-8", "surrogateescape"))  # a file name need not be UTF-8
    return digest.hexdigest()


def is_descriptor_path(path: str) -> bool:
    """The loader's selection, for a path below the descriptor folder (``/``-separated).

    >>> [is_descriptor_path(p) for p in ("a/b.yaml", "x.yml", ".hidden/a.yaml", "depgraph.yaml", "a/depgraph.yaml", "n.txt")]
    [True, True, False, False, True, False]
    """
    parts = path.split("/")
    if any(part.startswith(".") for part in parts):
        return False
    if not parts[-1].endswith((".yaml", ".yml")):
        return False
    return path != POLICY_FILE


def check_ref(ref: str) -> tuple[str, bool]:
    """``(ref, merge base wanted)`` for a ``--base`` value, or GitError before git sees it.

    A ref is a name (git's ``check-ref-format`` rules: no ``..``, ``@{``, spaces, control
    characters or ``~^:?*[\\``, no component starting with ``.`` or ending in ``.lock``) with
    optional ``~N`` / ``^N`` suffixes; ``REF...`` asks for the merge base with HEAD.

    >>> check_ref("origin/main..."), check_ref("HEAD~2")
    (('origin/main', True), ('HEAD~2', False))
    >>> check_ref("." * 3600)
    Traceback (most recent call last):
    depgraph.load.gitsource.GitError: '...............................................................................…' is not a git ref: it is 3,600 characters long (at most 256)
    """
    shown = _shown(ref)
    if len(ref) > MAX_REF_CHARS:
        raise GitError(f"{shown} is not a git ref: it is {len(ref):,} characters long (at most {MAX_REF_CHARS})")
    merge_base = ref.endswith("...")
    name = ref[:-3] if merge_base else ref
    cut = min((i for i, c in enumerate(name) if c in "~^"), default=len(name))
    name, suffix = name[:cut], name[cut:]
    problem = _ref_name_problem(name)
    if problem is None and suffix.strip("~^0123456789"):
        problem = "only ~N and ^N may follow the name"
    if problem is not None:
        raise GitError(f"{shown} is not a git ref: {problem}")
    return ref[:-3] if merge_base else ref, merge_base


def _ref_name_problem(name: str) -> str | None:
    if not name:
        return "it names nothing"
    if name.startswith("-"):
        return "it starts with '-'"
    if ".." in name or "@{" in name or "//" in name:
        return "it holds '..', '@{' or '//'"
    bad = sorted(set(name) & _REF_FORBIDDEN) or [c for c in name if not c.isprintable()][:1]
    if bad:
        return f"it holds {bad[0]!r}"
    if name.startswith("/") or name.endswith(("/", ".")):
        return "it starts with '/' or ends with '/' or '.'"
    if any(part.startswith(".") or part.endswith(".lock") for part in name.split("/")):
        return "a part starts with '.' or ends with '.lock'"
    return None


def _shown(text: str, room: int = 80) -> str:
    """``text`` quoted for a message: cut to ``room`` characters, control characters escaped."""
    cut = text if len(text) <= room else text[:room - 1] + "…"
    return "'" + "".join(c if c.isprintable() else repr(c)[1:-1] for c in cut) + "'"


def _run(args: list[str], *, cwd: str | None = None, input: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, check=False,
                              env=_environment())
    except FileNotFoundError:
        raise GitMissing("git is not installed or not on PATH (--base reads the base tree with git)") from None
    except NotADirectoryError:
        raise GitError(f"'{cwd}' is not a folder") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(_shown(message[-1], 300)[1:-1] if message else f"git {args[0]} failed")
    return done.stdout


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0")
    return env


def _git(repo: Repository, *args: str, input: bytes | None = None) -> bytes:
    return _run(_explicit(repo) + list(args), cwd=repo.top, input=input)


def _explicit(repo: Repository) -> list[str]:
    return [f"--git-dir={repo.git_dir}", f"--work-tree={repo.top}", *SAFE_OPTIONS]


def find_repository(start: str | os.PathLike | None = None) -> Repository:
    """The git work tree holding ``start`` (default: the current folder, where the user runs
    depgraph). Raises GitError outside a work tree."""
    start = os.fspath(start) if start is not None else os.getcwd()
    try:
        out = _run([*SAFE_OPTIONS, "rev-parse", "--show-toplevel", "--absolute-git-dir"], cwd=start)
    except GitMissing:
        raise
    except GitError as exc:
        if "bare repository" in str(exc):  # what a forged repository among the descriptors meets
            raise GitError(f"git refused a bare repository found from {start} ({exc}); run depgraph "
                           "from the top of the clone that holds the descriptors") from None
        raise GitError(f"'{start}' is not inside a git repository; --base needs the descriptors under "
                       "git (run the check from a clone)") from None
    top, _, git_dir = out.decode("utf-8", "surrogateescape").rstrip("\n").partition("\n")
    if not top or not git_dir:
        raise GitError(f"'{start}' is not inside a git work tree; --base needs a clone, not a bare repository")
    return Repository(top, git_dir)


def locate(folder: str | os.PathLike, repo: Repository | None = None) -> tuple[Repository, str]:
    """``(repository, path of folder below its top with a trailing '/' or '')``.

    The repository is the one the current folder is in (``repo`` when given), never one found
    from inside ``folder``. Raises GitError when ``folder`` is not inside it.
    """
    if not Path(folder).is_dir():
        raise GitError(f"descriptor folder '{folder}' not found")
    if repo is None:
        try:
            repo = find_repository()
        except GitError as exc:
            if isinstance(exc, GitMissing) or "bare repository" in str(exc):
                raise
            raise GitError(f"the current folder {os.getcwd()} is in no git repository, and --base reads "
                           "history only from the clone depgraph runs in (on purpose: never from a repository "
                           f"found among the descriptors); cd into the clone that holds '{folder}' and run "
                           "again") from None
    relative = os.path.relpath(os.path.realpath(folder), os.path.realpath(repo.top))
    if relative == os.pardir or relative.startswith(os.pardir + os.sep) or os.path.isabs(relative):
        raise GitError(f"descriptor folder '{folder}' is not inside the git repository {repo.top} where "
                       "depgraph runs; run depgraph from the clone that holds the descriptors")
    return repo, "" if relative == "." else Path(relative).as_posix() + "/"


def resolve_commit(repo: Repository, ref: str) -> str:
    """The commit id ``ref`` names; ``REF...`` means the merge base of REF and HEAD."""
    name, merge_base = check_ref(ref)
    try:
        commit = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options",
                      f"{name}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(f"git ref {_shown(name)} not found in {repo.top} (in CI, fetch it first: check out "
                       "with fetch-depth: 0, or run git fetch origin BRANCH)") from None
    if not merge_base:
        return commit
    try:
        return _git(repo, "merge-base", "--end-of-options", commit, "HEAD").decode().strip()
    except GitError:
        raise GitError(f"no merge base between {_shown(name)} and HEAD") from None


def list_tree(folder: str | os.PathLike, ref: str, repo: Repository | None = None) -> GitTree:
    """The descriptor files below ``folder`` as they are at ``ref`` (no file contents read)."""
    check_ref(ref)
    repo, prefix = locate(folder, repo)
    commit = resolve_commit(repo, ref)
    out = _git(repo, "ls-tree", "-r", "-z", "-l", "--full-tree", commit, "--", *([prefix] if prefix else []))
    files, links = [], []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, blob, size = meta.decode().split()
        path = raw_path.decode("utf-8", "surrogateescape")[len(prefix):]
        if kind != "blob" or not is_descriptor_path(path):
            continue
        if mode == SYMLINK_MODE:
            links.append(path)
            continue
        files.append((path, blob, int(size)))
    files.sort()
    return GitTree(repo, ref, commit, prefix, tuple((p, b) for p, b, _ in files), tuple(sorted(links)),
                   tuple(size for _, _, size in files))


def read_blobs(repo: Repository, blobs: list[str], limit: int | None = None
               ) -> Generator[tuple[str, bytes], None, None]:
    """``(blob id, bytes)`` for each id in order, streamed by one ``git cat-file --batch``: one
    blob is in memory at a time, and none over ``limit`` bytes (its size comes first)."""
    if not blobs:
        return
    request = "".join(f"{b}\n" for b in blobs).encode()
    try:
        proc = subprocess.Popen(["git", *_explicit(repo), "cat-file", "--batch"], cwd=repo.top,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env=_environment())
    except FileNotFoundError:
        raise GitMissing("git is not installed or not on PATH (--base reads the base tree with git)") from None
    assert proc.stdout is not None  # stdout=PIPE
    writer = threading.Thread(target=_feed, args=(proc.stdin, request), daemon=True)
    writer.start()
    try:
        for blob in blobs:
            header = proc.stdout.readline(200).decode("ascii", "replace").split()
            if len(header) != 3 or header[0] != blob or header[1] != "blob" or not header[2].isdigit():
                raise GitError(f"git cat-file could not read blob {blob}: {' '.join(header)[:100]}")
            size = int(header[2])
            if limit is not None and size > limit:
                raise GitError(f"git blob {blob} holds {size:,} bytes, over the limit of {limit:,}")
            data = proc.stdout.read(size)
            if len(data) != size or proc.stdout.read(1) != b"\n":
                raise GitError(f"git cat-file stopped inside blob {blob}")
            yield blob, data
    finally:
        proc.kill()
        proc.stdout.close()
        proc.wait()
        writer.join()


def _feed(pipe, data: bytes) -> None:
    try:
        pipe.write(data)
        pipe.close()
    except OSError:  # the reader stopped early and killed git
        pass


def tree_sources(tree: GitTree, display_root: str, limit: int = DEFAULT_LIMITS.max_file_bytes
                 ) -> Iterator[tuple[str, bytes | int]]:
    """``(display path, bytes)`` for ``load_sources``, paths shown as they are in the work tree
    (``display_root`` joined with the path below the folder), so places match the head's. A file
    over ``limit`` bytes is not read: its size stands in for the bytes."""
    sizes = tree.sizes or (0,) * len(tree.files)
    wanted = [blob for (_, blob), size in zip(tree.files, sizes) if size <= limit]
    blobs = read_blobs(tree.repo, wanted, limit)
    try:
        for (path, _), size in zip(tree.files, sizes):
            yield display_path(display_root, path), size if size > limit else next(blobs)[1]
    finally:
        blobs.close()  # stops git when loading ends early


def load_tree(tree: GitTree, display_root: str, limits: Limits = DEFAULT_LIMITS):
    """The Catalog of a tree read from git (raises DescriptorError like ``load_catalog``)."""
    from depgraph.load.loader import load_sources

    return load_sources(tree_sources(tree, display_root, limits.max_file_bytes), display_root, limits)


def display_path(display_root: str, path: str) -> str:
    """How the loader names a file below ``display_root``.

    >>> display_path("descriptors", "services/a.yaml")
    'descriptors/services/a.yaml'
    """
    return os.path.normpath(os.path.join(display_root, *path.split("/")))


def worktree_files(folder: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> tuple[tuple[str, str], ...]:
    """``(path below the folder, blob id)`` of the descriptor files on disk, like a GitTree's
    (each read at most up to the loading limit)."""
    from depgraph.load.files import discover_files

    root = Path(folder)
    files = []
    for _, path in discover_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            data = read_file(path, limits.max_file_bytes)
        except (OSError, NotRegular):
            data = None
        files.append((rel, "unreadable" if data is None else blob_id(data)))
    return tuple(sorted(files))
