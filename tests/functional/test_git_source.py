"""Reading descriptor trees from git: listing, blob reading, content keys, and clear errors."""

from __future__ import annotations


import pytest

from depgraph.load import gitsource
from depgraph.load.loader import load_catalog, load_sources
from tests.landscapes import BASE_TREE
from tests.helpers import GitRepo





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
    with pytest.raises(gitsource.GitError, match="is in no git repository"):
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
