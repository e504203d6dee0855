"""Reading descriptor trees from git: listing, blob reading, content keys, and clear errors.

Also home of :class:`GitRepo` and :data:`BASE_TREE`, the small scenario repository the other
check tests import (``from test_git_source import GitRepo, BASE_TREE``).
"""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from depgraph.load import gitsource
from depgraph.load.loader import load_catalog, load_sources

BASE_TREE = {
    "datacenters.yaml": """
        - {kind: datacenter, name: lon1, region: eu}
        - {kind: datacenter, name: sto1, region: eu}
        - {kind: datacenter, name: ash1, region: us}
        """,
    "teams.yaml": """
        - {kind: team, name: core, tribe: platform}
        - {kind: team, name: pay, tribe: payments}
        - {kind: team, name: web, tribe: product}
        """,
    "hosts.yaml": """
        - {kind: host, name: lon1-a-1, datacenter: lon1, rack: a}
        - {kind: host, name: lon1-b-1, datacenter: lon1, rack: b}
        - {kind: host, name: sto1-a-1, datacenter: sto1, rack: a}
        - {kind: host, name: sto1-a-2, datacenter: sto1, rack: a}
        """,
    "services/db.yaml": """
        kind: service
        name: db
        owner: core
        tier: 1
        deployments:
          - {datacenter: lon1, hosts: [lon1-a-1]}
          - {datacenter: sto1, hosts: [sto1-a-1]}
        """,
    "services/api.yaml": """
        kind: service
        name: api
        owner: web
        tier: 1
        dependencies:
          - db
        deployments:
          - {datacenter: lon1, hosts: [lon1-b-1]}
          - {datacenter: sto1, hosts: [sto1-a-2]}
        """,
    "services/index.yaml": """
        kind: service
        name: index
        owner: core
        tier: 2
        deployments:
          - {datacenter: lon1, instances: 2}
          - {datacenter: sto1, instances: 2}
        """,
    "services/search.yaml": """
        kind: service
        name: search
        owner: web
        tier: 2
        dependencies:
          - index
        deployments:
          - {datacenter: lon1, instances: 2}
          - {datacenter: sto1, instances: 2}
        """,
}


BASE_TREE = {path: textwrap.dedent(text).lstrip("\n") for path, text in BASE_TREE.items()}


class GitRepo:
    """A throw-away git repository with the descriptors in ``descriptors/``."""

    def __init__(self, root: Path):
        self.root = root
        self.descriptors = root / "descriptors"
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                              cwd=self.root, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def write(self, files: dict[str, str | None]) -> None:
        """Write (or, for None, delete) files below ``descriptors/``; text is dedented."""
        for rel, content in files.items():
            path = self.descriptors / rel
            if content is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def line_of(self, rel: str, text: str) -> int:
        """The 1-based line of the first line of ``descriptors/rel`` containing ``text``."""
        lines = (self.descriptors / rel).read_text(encoding="utf-8").splitlines()
        return next(i for i, line in enumerate(lines, 1) if text in line)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    repo = GitRepo(tmp_path / "repo")
    repo.write(BASE_TREE)
    repo.commit("base")
    monkeypatch.chdir(repo.root)  # the repository is the one depgraph runs in
    return repo


def test_list_tree_reads_the_ref_not_the_work_tree(repo):
    repo.write({"services/new.yaml": "kind: service\nname: new\n"})
    tree = gitsource.list_tree(repo.descriptors, "HEAD")
    paths = [path for path, _ in tree.files]
    assert "services/new.yaml" not in paths
    assert paths == sorted(BASE_TREE)
    assert tree.prefix == "descriptors/"


def test_selection_matches_the_loader(repo):
    repo.write({"depgraph.yaml": "rules: {}\n", ".hidden/x.yaml": "kind: team\nname: x\n",
                "notes.txt": "hello", "sub/depgraph.yaml": "kind: team\nname: sub\n"})
    repo.commit()
    tree = gitsource.list_tree(repo.descriptors, "HEAD")
    paths = [path for path, _ in tree.files]
    assert "depgraph.yaml" not in paths and ".hidden/x.yaml" not in paths and "notes.txt" not in paths
    assert "sub/depgraph.yaml" in paths  # only the root policy file is left out
    disk = load_catalog(repo.descriptors)
    from_git = load_sources(gitsource.tree_sources(tree, str(repo.descriptors)), str(repo.descriptors))
    assert from_git.files == disk.files
    assert set(from_git.teams) == set(disk.teams)


def test_work_tree_key_equals_the_committed_tree_key(repo):
    tree = gitsource.list_tree(repo.descriptors, "HEAD")
    assert gitsource.tree_key(gitsource.worktree_files(repo.descriptors)) == tree.key
    repo.write({"services/db.yaml": BASE_TREE["services/db.yaml"] + "\n# comment\n"})
    assert gitsource.tree_key(gitsource.worktree_files(repo.descriptors)) != tree.key


def test_blob_ids_are_gits(repo):
    data = (repo.descriptors / "hosts.yaml").read_bytes()
    assert gitsource.blob_id(data) == repo.git("hash-object", "descriptors/hosts.yaml")


def test_places_keep_the_work_tree_names(repo):
    tree = gitsource.list_tree(repo.descriptors, "HEAD")
    sources = dict(gitsource.tree_sources(tree, "descriptors"))
    assert "descriptors/services/api.yaml" in sources
    assert sources["descriptors/hosts.yaml"] == (repo.descriptors / "hosts.yaml").read_bytes()


def test_merge_base_syntax(repo):
    first = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write({"services/x.yaml": "kind: service\nname: x\n"})
    repo.commit("feature")
    repo.git("checkout", "-q", "main")
    repo.write({"services/y.yaml": "kind: service\nname: y\n"})
    repo.commit("main moves on")
    repo.git("checkout", "-q", "feature")
    here = gitsource.find_repository()
    assert gitsource.resolve_commit(here, "main...") == first
    assert gitsource.resolve_commit(here, "main") != first


def test_unknown_ref_is_a_clear_error(repo):
    with pytest.raises(gitsource.GitError, match="git ref 'origin/nope' not found"):
        gitsource.list_tree(repo.descriptors, "origin/nope")


def test_option_like_ref_is_refused(repo):
    with pytest.raises(gitsource.GitError, match="not a git ref"):
        gitsource.list_tree(repo.descriptors, "--output=/tmp/x")


def test_not_a_repository(tmp_path, monkeypatch):
    folder = tmp_path / "plain" / "descriptors"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder.parent)
    with pytest.raises(gitsource.GitError, match="not inside a git repository"):
        gitsource.list_tree(folder, "HEAD")


def test_missing_folder_at_ref_lists_nothing(repo):
    repo.git("mv", "descriptors", "moved")
    repo.commit("move")
    (repo.root / "descriptors").mkdir()
    tree = gitsource.list_tree(repo.descriptors, "HEAD")
    assert tree.files == ()


def test_git_missing_is_said_plainly(repo, monkeypatch):
    monkeypatch.setenv("PATH", str(repo.root / "no-such-bin"))
    with pytest.raises(gitsource.GitMissing, match="git is not installed"):
        gitsource.list_tree(repo.descriptors, "HEAD")
