"""The shared fixtures: small descriptor trees, the CLI in-process, ../shared, a copy of the
checkout. Plain helpers live in :mod:`tests.helpers`, shared inputs in :mod:`tests.landscapes`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import GIT, ROOT, SHARED, tool, write_tree


@pytest.fixture
def tree(tmp_path):
    """``tree({...})`` writes a descriptor folder under tmp_path and returns its path."""
    root = tmp_path / "descriptors"
    root.mkdir()
    return lambda files: write_tree(root, files)


@pytest.fixture
def run_cli():
    """Run ``depgraph ARGS…`` in-process; returns the click Result (stdout, stderr, exit_code)."""
    from depgraph.cli import app

    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture
def shared_dir():
    if not SHARED.is_dir():
        pytest.skip("../shared is not present in this checkout")
    return SHARED


_LEFT_OUT = {".git", ".venv", "venv", "build", "dist", "__pycache__", ".pytest_cache",
             ".hypothesis", ".mypy_cache", ".ruff_cache"}
_LEFT_OUT_AT_TOP = {"output"}  # the generated report folder; depgraph/output is the package's own


@pytest.fixture(scope="session")
def source_repo(tmp_path_factory) -> Path:
    """A copy of this checkout as it is on disk (uncommitted edits too), committed into a fresh
    git repository: what a user clones, for building, installing and pre-commit's try-repo."""
    import shutil
    import subprocess

    tool("git")
    copy = tmp_path_factory.mktemp("source") / "depgraph"
    shutil.copytree(ROOT, copy, ignore=lambda folder, names: [
        n for n in names if n in _LEFT_OUT or n.endswith(".egg-info")
        or (n in _LEFT_OUT_AT_TOP and Path(folder) == ROOT)])
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "source"]):
        subprocess.run(GIT + args, cwd=copy, check=True, capture_output=True)
    return copy

