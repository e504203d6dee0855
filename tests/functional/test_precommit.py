"""The pre-commit hook, run by the real pre-commit: it installs depgraph from this repository
into its own environment, as it does for users, and stops a commit that breaks a descriptor."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from tests.helpers import ROOT, tool
from tests.landscapes import BASE_TREE
from tests.helpers import GitRepo

BROKEN = {"services/api.yaml": BASE_TREE["services/api.yaml"].replace("  - db\n", "  - dbb\n")}
FIXED = {"services/api.yaml": BASE_TREE["services/api.yaml"] + "description: the public API\n"}


def run(*args, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True)


@pytest.fixture
def project(tmp_path_factory, tmp_path):
    """A user's repository with descriptors, and an environment for pre-commit and git."""
    repo = GitRepo(tmp_path / "project")
    repo.write(BASE_TREE)
    repo.commit("base")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path_factory.getbasetemp() / "pre-commit-home"),
           "PRE_COMMIT_COLOR": "never", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return repo, env


def test_the_manifest_is_valid():
    done = subprocess.run([tool("pre-commit"), "validate-manifest", ROOT / ".pre-commit-hooks.yaml"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_try_repo_fails_a_broken_descriptor_at_its_line_and_passes_the_fix(source_repo, project):
    pre_commit = tool("pre-commit")
    repo, env = project
    repo.write(BROKEN)
    repo.git("add", "-A")
    done = run(pre_commit, "try-repo", source_repo, "depgraph-validate", cwd=repo.root, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    line = repo.line_of("services/api.yaml", "- dbb")
    assert f"descriptors/services/api.yaml:{line}:5: error: " in done.stdout
    assert "depgraph validate" in done.stdout and "Failed" in done.stdout

    repo.write(FIXED)
    repo.git("add", "-A")
    done = run(pre_commit, "try-repo", source_repo, "depgraph-validate", cwd=repo.root, env=env)
    assert done.returncode == 0 and "Passed" in done.stdout, done.stdout + done.stderr


def test_the_installed_hook_stops_the_commit(source_repo, project):
    """The hook as a user's .pre-commit-config.yaml names it, through `git commit` itself."""
    pre_commit = tool("pre-commit")
    repo, env = project
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source_repo, capture_output=True, text=True,
                         check=True).stdout.strip()
    (repo.root / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source_repo}\n    rev: {rev}\n    hooks:\n      - id: depgraph-validate\n",
        encoding="utf-8")
    assert run(pre_commit, "install", cwd=repo.root, env=env).returncode == 0
    repo.write(BROKEN)
    repo.git("add", "-A")
    done = run("git", "commit", "-q", "-m", "break api", cwd=repo.root, env=env)
    assert done.returncode != 0
    # git shows a hook's output on stderr
    assert f"descriptors/services/api.yaml:{repo.line_of('services/api.yaml', '- dbb')}:5: error: " in done.stderr
    assert repo.git("log", "--format=%s", "-1") == "base"  # nothing was committed

    repo.write(FIXED)
    repo.git("add", "-A")
    done = run("git", "commit", "-q", "-m", "add the config", cwd=repo.root, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert repo.git("log", "--format=%s", "-1") == "add the config"
