"""Git as an untrusted boundary: what a pull request can put below ``descriptors/`` never steers git.

The attack: a pull request adds the files of a bare git repository (``HEAD``, ``config``,
``objects/…``, ``refs/…``) as plain files inside ``descriptors/``, with a forged
``origin/main`` whose tree is the pull request's own. Git started from inside the descriptors
takes that folder for the repository, the base looks identical to the head, and a new hard cycle
passes. depgraph finds the repository from where it runs and names it explicitly to every git
call, so the forged one is never read. Also here: refs checked before git sees them, folders
named like options, and base blobs over the size limit that are never read.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.landscapes import BASE_TREE
from tests.helpers import GitRepo
from tests.helpers import assert_clean, depgraph

from depgraph.load import gitsource

CYCLE = {"services/index.yaml": BASE_TREE["services/index.yaml"] + "dependencies:\n  - search\n"}
PWNED = "pwned-by-forged-config"


def forge_repository(repo: GitRepo, tmp_path: Path) -> None:
    """Commit into ``descriptors/`` a bare repository whose ``refs/remotes/origin/main`` holds the
    work tree's own descriptors (the cycle included), and whose config would run a command."""
    forge = tmp_path / "forge"
    git = ["git", "-c", "user.name=x", "-c", "user.email=x@example.com"]
    subprocess.run([*git, "init", "-q", "--bare", str(forge)], check=True)
    env = {"GIT_DIR": str(forge), "GIT_WORK_TREE": str(repo.descriptors), "PATH": "/usr/bin:/bin"}
    subprocess.run([*git, "add", "-A"], cwd=repo.descriptors, env=env, check=True)
    subprocess.run([*git, "commit", "-qm", "forged"], cwd=repo.descriptors, env=env, check=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], env=env, capture_output=True, text=True,
                            check=True).stdout.strip()
    subprocess.run(["git", "update-ref", "refs/remotes/origin/main", commit], env=env, check=True)
    for junk in ("index", "description", "COMMIT_EDITMSG", "hooks", "info", "logs"):
        path = forge / junk
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    # a work tree of its own (the descriptors), and a program git would run if it used this config
    (forge / "config").write_text("[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n"
                                  f"\tfsmonitor = touch {tmp_path / PWNED}\n"
                                  f"\thooksPath = {tmp_path}\n\tpager = touch {tmp_path / PWNED}\n")
    shutil.copytree(forge, repo.descriptors, dirs_exist_ok=True)


@pytest.fixture
def attacked(tmp_path, monkeypatch):
    """A clone whose origin/main is the base tree, checked out on a pull request that adds a hard
    cycle and a forged repository inside descriptors/ (all committed)."""
    repo = GitRepo(tmp_path / "repo")
    repo.write(BASE_TREE)
    repo.commit("base")
    repo.git("update-ref", "refs/remotes/origin/main", "HEAD")
    repo.git("checkout", "-q", "-b", "pr")
    repo.write(CYCLE)
    forge_repository(repo, tmp_path)
    repo.commit("pull request: a cycle, and a repository of its own")
    assert "descriptors/HEAD" in repo.git("ls-files") and "descriptors/config" in repo.git("ls-files")
    # the forgery works on git itself: started from inside the descriptors, git believes it
    forged = subprocess.run(["git", "rev-parse", "refs/remotes/origin/main"], cwd=repo.descriptors,
                            capture_output=True, text=True).stdout.strip()
    assert forged and forged != repo.git("rev-parse", "refs/remotes/origin/main")
    monkeypatch.chdir(repo.root)
    return repo


def test_a_forged_repository_cannot_pass_a_new_hard_cycle_through_check(attacked, tmp_path):
    for extra in ([], ["--no-cache"]):
        proc = depgraph("check", "--base", "origin/main", "--format", "json", *extra, cwd=attacked.root,
                        env={"DEPGRAPH_CACHE_DIR": str(tmp_path / "cache")})
        assert_clean(proc, 1)
        doc = json.loads(proc.stdout)
        assert doc["base"]["status"] == "analyzed"
        assert doc["base"]["commit"] == attacked.git("rev-parse", "refs/remotes/origin/main")
        assert [f["rule"] for f in doc["new"] if f["blocking"]] == ["hard-cycle"]
    assert not (tmp_path / PWNED).exists()


def test_a_forged_repository_cannot_hide_the_cycle_from_diff(attacked, tmp_path):
    proc = depgraph("diff", "--base", "origin/main", "--format", "json", cwd=attacked.root)
    assert_clean(proc, 0)
    doc = json.loads(proc.stdout)
    assert [c["members"] for c in doc["cycles"]["introduced"]] == [["service:index", "service:search"]]
    assert not (tmp_path / PWNED).exists()


@pytest.mark.parametrize("command", [["check", "--no-cache"], ["diff"]])
def test_run_from_inside_the_forged_folder_is_refused_not_fooled(attacked, tmp_path, command):
    proc = depgraph(*command, "-d", ".", "--base", "origin/main", cwd=attacked.descriptors)
    assert_clean(proc, 2)
    assert "bare repository" in proc.stderr and "run depgraph from the top of the clone" in proc.stderr
    assert not (tmp_path / PWNED).exists()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    repo = GitRepo(tmp_path / "repo")
    repo.write(BASE_TREE)
    repo.commit("base")
    monkeypatch.chdir(repo.root)
    return repo


@pytest.mark.parametrize("ref", ["..." * 1200, "a" * 300, "HEAD\n::error::x", "main..HEAD", "-v", "--output=x",
                                 "HEAD:descriptors", "main@{1}", "refs/heads/.hidden", "x.lock", "a b", "~1"])
@pytest.mark.parametrize("command", [["check", "--no-cache"], ["diff"]])
def test_a_bad_ref_is_a_clean_usage_error(repo, command, ref):
    proc = depgraph(*command, "--base", ref, cwd=repo.root)
    assert_clean(proc, 2)
    assert "is not a git ref" in proc.stderr
    assert len(proc.stderr.splitlines()[-1]) < 400
    assert not any(line.startswith("::") for line in proc.stderr.splitlines())  # no forged annotation


@pytest.mark.parametrize("name", ["--format=x", "-v", ":(glob)*", "--", "-"])
def test_a_folder_named_like_an_option_is_a_path_to_git(repo, name):
    folder = repo.root / name
    shutil.copytree(repo.descriptors, folder)
    repo.commit("a copy under an odd name")
    proc = depgraph("diff", "-d", folder, "--base", "HEAD", cwd=repo.root)
    assert_clean(proc, 0)
    assert "no architectural change" in proc.stdout
    (folder / "services" / "index.yaml").write_text(CYCLE["services/index.yaml"])
    proc = depgraph("check", "-d", folder, "--base", "HEAD", "--no-cache", "--format", "json", cwd=repo.root)
    assert_clean(proc, 1)
    assert json.loads(proc.stdout)["base"]["status"] == "analyzed"


def test_a_base_blob_over_the_limit_is_refused_by_its_size(repo, monkeypatch):
    big = "kind: team\nname: big\nlabels:\n" + "".join(f"  k{i}: v{i}\n" for i in range(200))
    repo.write({"big.yaml": big})
    repo.commit("a big file")
    repo.write({"big.yaml": "kind: team\nname: big\n"})
    limit = str(len(big) - 1)
    proc = depgraph("--max-file-bytes", limit, "diff", "--base", "HEAD", cwd=repo.root)
    assert_clean(proc, 2)
    assert (f"descriptors/big.yaml:1:1: error: file is {len(big):,} bytes, over the limit of {int(limit):,} "
            "(limit max_file_bytes; raise it with --max-file-bytes") in proc.stderr
    proc = depgraph("--max-file-bytes", limit, "check", "--base", "HEAD", "--no-cache", "--format", "json",
                    cwd=repo.root)
    notes = json.loads(proc.stdout)["notes"]
    assert any("do not load" in n and "descriptors/big.yaml" in n and "--max-file-bytes" in n for n in notes)
    # ... and it is never read: only the blobs within the limit are asked of git
    asked = []
    real = gitsource.read_blobs
    monkeypatch.setattr(gitsource, "read_blobs", lambda r, blobs, limit: asked.extend(blobs) or real(r, blobs, limit))
    tree = gitsource.list_tree(repo.descriptors, "HEAD")
    sources = dict(gitsource.tree_sources(tree, "descriptors", int(limit)))
    assert sources["descriptors/big.yaml"] == len(big)
    big_blob = dict(tree.files)["big.yaml"]
    assert big_blob not in asked and len(asked) == len(tree.files) - 1


def test_blobs_stream_in_order_and_stop_git_when_loading_stops(repo):
    tree = gitsource.list_tree(repo.descriptors, "HEAD")
    blobs = [blob for _, blob in tree.files]
    streamed = gitsource.read_blobs(tree.repo, blobs)
    first = next(streamed)
    assert first[0] == blobs[0] and first[1] == (repo.descriptors / tree.files[0][0]).read_bytes()
    streamed.close()  # no hang, no zombie
    assert [b for b, _ in gitsource.read_blobs(tree.repo, blobs)] == blobs
    with pytest.raises(gitsource.GitError, match="over the limit of 10"):  # sizes are read first
        list(gitsource.read_blobs(tree.repo, blobs, limit=10))


REF_BUDGET = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@REF_BUDGET
@given(st.text(max_size=300) | st.text(alphabet="./-~^@{}:a1 \n", max_size=40))
def test_every_ref_is_checked_or_refused_before_git_sees_it(ref):
    try:
        name, _ = gitsource.check_ref(ref)
    except gitsource.GitError as exc:
        message = str(exc)
        assert "\n" not in message and len(message) < 400
        return
    assert name and not name.startswith("-") and ".." not in name and len(ref) <= gitsource.MAX_REF_CHARS
    assert all(c.isprintable() and c not in " :?*[\\" for c in name)
