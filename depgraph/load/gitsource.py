"""Descriptor trees read from git itself: a folder as it is at a ref, without touching the work tree.

``git ls-tree -r -z`` lists the descriptor files at the ref (with their blob ids) and one
``git cat-file --batch`` reads them all; the caller hands the ``(path, bytes)`` pairs to
``depgraph.load.loader.load_sources``. The same file selection as the loader's applies: ``*.yaml`` /
``*.yml``, hidden files and folders skipped, the root ``depgraph.yaml`` (the policy) left out.

Every tree also gets a *content key*: a hash over its files' paths and git blob ids. The work
tree's key is computed the same way (git's blob id is a SHA-1 of the bytes), so "the base is
byte-identical to the head" and "this tree was analysed before" are one string comparison.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from depgraph.diagnostics import DepgraphError

POLICY_FILE = "depgraph.yaml"
SYMLINK_MODE = "120000"


class GitError(DepgraphError):
    """Git could not answer: not a repository, an unknown ref, git missing."""


class GitMissing(GitError):
    """No git binary on PATH."""


@dataclass(frozen=True, slots=True)
class GitTree:
    """The descriptor files of one commit: ``files`` are ``(path below the folder, blob id)``."""

    repo: str
    ref: str
    commit: str
    prefix: str
    files: tuple[tuple[str, str], ...]
    skipped_links: tuple[str, ...] = ()

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
        digest.update(f"{path}\0{blob}\n".encode("utf-8"))
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


def _git(repo: str | os.PathLike, *args: str, input: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=repo, input=input, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitMissing("git is not installed or not on PATH (--base reads the base tree with git)") from None
    except NotADirectoryError:
        raise GitError(f"'{repo}' is not a folder") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def locate(folder: str | os.PathLike) -> tuple[str, str]:
    """``(repository top folder, path of folder below it with a trailing '/' or '')``.

    Raises GitError when ``folder`` is not inside a git work tree.
    """
    path = Path(folder)
    if not path.is_dir():
        raise GitError(f"descriptor folder '{folder}' not found")
    try:
        out = _git(path, "rev-parse", "--show-toplevel", "--show-prefix")
    except GitMissing:
        raise
    except GitError:
        raise GitError(f"'{folder}' is not inside a git repository; --base needs the descriptors "
                       "under git (run the check from a clone)") from None
    top, _, prefix = out.decode("utf-8").partition("\n")
    return top.strip(), prefix.strip()


def resolve_commit(repo: str, ref: str) -> str:
    """The commit id ``ref`` names; ``REF...`` means the merge base of REF and HEAD."""
    if ref.endswith("...") and len(ref) > 3:
        commit = resolve_commit(repo, ref[:-3])
        try:
            return _git(repo, "merge-base", commit, "HEAD").decode().strip()
        except GitError:
            raise GitError(f"no merge base between '{ref[:-3]}' and HEAD") from None
    if ref.startswith("-"):
        raise GitError(f"'{ref}' is not a git ref")
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options",
                    f"{ref}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(f"git ref '{ref}' not found in {repo} (in CI, fetch it first: check out "
                       "with fetch-depth: 0, or run git fetch origin BRANCH)") from None


def list_tree(folder: str | os.PathLike, ref: str) -> GitTree:
    """The descriptor files below ``folder`` as they are at ``ref`` (no file contents read)."""
    repo, prefix = locate(folder)
    commit = resolve_commit(repo, ref)
    args = ["ls-tree", "-r", "-z", "--full-tree", commit]
    out = _git(repo, *args, *([prefix] if prefix else []))
    files, links = [], []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, blob = meta.decode().split(" ")
        path = raw_path.decode("utf-8", "surrogateescape")[len(prefix):]
        if kind != "blob" or not is_descriptor_path(path):
            continue
        if mode == SYMLINK_MODE:
            links.append(path)
            continue
        files.append((path, blob))
    return GitTree(repo, ref, commit, prefix, tuple(sorted(files)), tuple(sorted(links)))


def read_blobs(repo: str, blobs: list[str]) -> dict[str, bytes]:
    """Read blobs by id with one ``git cat-file --batch``."""
    if not blobs:
        return {}
    wanted = sorted(set(blobs))
    out = _git(repo, "cat-file", "--batch", input="".join(f"{b}\n" for b in wanted).encode())
    contents, position = {}, 0
    for blob in wanted:
        end = out.index(b"\n", position)
        header = out[position:end].decode().split(" ")
        if len(header) != 3:
            raise GitError(f"git cat-file could not read blob {blob}: {' '.join(header)}")
        size = int(header[2])
        contents[header[0]] = out[end + 1:end + 1 + size]
        position = end + 1 + size + 1
    return contents


def tree_sources(tree: GitTree, display_root: str) -> list[tuple[str, bytes]]:
    """``(display path, bytes)`` for ``load_sources``, paths shown as they are in the work tree
    (``display_root`` joined with the path below the folder), so places match the head's."""
    contents = read_blobs(tree.repo, [blob for _, blob in tree.files])
    return [(display_path(display_root, path), contents[blob]) for path, blob in tree.files]


def display_path(display_root: str, path: str) -> str:
    """How the loader names a file below ``display_root``.

    >>> display_path("descriptors", "services/a.yaml")
    'descriptors/services/a.yaml'
    """
    return os.path.normpath(os.path.join(display_root, *path.split("/")))


def worktree_files(folder: str | os.PathLike) -> tuple[tuple[str, str], ...]:
    """``(path below the folder, blob id)`` of the descriptor files on disk, like a GitTree's."""
    from depgraph.load.loader import discover_files

    root = Path(folder)
    files = []
    for _, path in discover_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            files.append((rel, blob_id(path.read_bytes())))
        except OSError:
            files.append((rel, "unreadable"))
    return tuple(sorted(files))
