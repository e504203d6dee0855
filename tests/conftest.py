"""Shared test helpers: write small descriptor trees and run the real CLI."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

SHARED = Path(__file__).resolve().parents[2] / "shared"
# Unit tests (one layer, hand-made inputs) and functional tests (the real CLI, git, a browser)
# share a few landscapes and helpers by importing each other's modules.
sys.path[:0] = [str(Path(__file__).resolve().parent / folder) for folder in ("unit", "functional")]


def decode_data(page: str) -> dict:
    """The data an ``index.html`` written by depgraph embeds (JSON, or deflated base64)."""
    import base64
    import json
    import re
    import zlib

    match = re.search(r'<script type="application/json" id="depgraph-data" data-encoding="([^"]+)">(.*?)</script>',
                      page, re.S)
    encoding, text = match.group(1), match.group(2)
    if encoding == "deflate-base64":
        text = zlib.decompress(base64.b64decode(text)).decode("utf-8")
    return json.loads(text)


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: text}`` below ``root`` (text is dedented) and return ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


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


def tool(name: str) -> str:
    """The path of a command-line tool the test needs (build, twine, zizmor, pre-commit, …): on
    PATH or beside this Python (a venv run without activating it); the test skips without it."""
    import shutil
    import sys

    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if not found:
        message = f"'{name}' is not installed (pip install -e '.[test]' brings it)"
        if os.environ.get("DEPGRAPH_TEST_TOOLS") == "required":  # CI: .ci/run installs them all
            pytest.fail(message)
        pytest.skip(message)
    return found


ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "descriptors"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]


def copy_example(folder: Path) -> Path:
    """A copy of the bundled example landscape at ``folder``, for tests that edit or commit it."""
    import shutil

    shutil.copytree(EXAMPLE, folder)
    return folder


def commit_tree(work: Path, add: str = ".") -> Path:
    """``work`` made a git repository with ``add`` committed in one commit."""
    import subprocess

    for args in (["init", "-q"], ["add", add], ["commit", "-qm", "landscape"]):
        subprocess.run(GIT + args, cwd=work, check=True, capture_output=True)
    return work


_LEFT_OUT = {".git", ".venv", "venv", "build", "dist", "output", "__pycache__", ".pytest_cache",
             ".hypothesis", ".mypy_cache", ".ruff_cache"}


@pytest.fixture(scope="session")
def source_repo(tmp_path_factory) -> Path:
    """A copy of this checkout as it is on disk (uncommitted edits too), committed into a fresh
    git repository: what a user clones, for building, installing and pre-commit's try-repo."""
    import shutil
    import subprocess

    tool("git")
    copy = tmp_path_factory.mktemp("source") / "depgraph"
    shutil.copytree(ROOT, copy, ignore=lambda folder, names: [
        n for n in names if n in _LEFT_OUT or n.endswith(".egg-info")])
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "source"]):
        subprocess.run(GIT + args, cwd=copy, check=True, capture_output=True)
    return copy
