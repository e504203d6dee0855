"""What the tests share: where things are, writing descriptor trees, git repositories, running
the real command line in a subprocess, and finding the tools a test needs.

Imported as ``from tests.helpers import …`` (``tests`` is a package, so plain ``pytest``,
``pytest tests/unit`` and ``python -m pytest`` all find it from the repository's root).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REPO = ROOT
SHARED = ROOT.parent / "shared"
EXAMPLE = ROOT / "descriptors"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
MEMORY_CAP = 1 << 30  # 1 GiB of address space: an input that needs more is a bug
LONG = os.environ.get("DEPGRAPH_FUZZ") == "long"  # a thorough run: ten times the examples


def examples(n: int) -> int:
    """How many examples a property test tries: ``n``, sized so the unit suite runs in a minute
    on two cores, or ten times as many with ``DEPGRAPH_FUZZ=long`` (a thorough run)."""
    return n * 10 if LONG else n


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


def tool(name: str) -> str:
    """The path of a command-line tool the test needs (build, twine, zizmor, pre-commit, …): on
    PATH or beside this Python (a venv run without activating it); the test skips without it."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if not found:
        message = f"'{name}' is not installed (pip install -e '.[test]' brings it)"
        if os.environ.get("DEPGRAPH_TEST_TOOLS") == "required":  # CI: .ci/run installs them all
            pytest.fail(message)
        pytest.skip(message)
    return found


def copy_example(folder: Path) -> Path:
    """A copy of the bundled example landscape at ``folder``, for tests that edit or commit it."""
    shutil.copytree(EXAMPLE, folder)
    return folder


def commit_tree(work: Path, add: str = ".") -> Path:
    """``work`` made a git repository with ``add`` committed in one commit."""
    for args in (["init", "-q"], ["add", add], ["commit", "-qm", "landscape"]):
        subprocess.run(GIT + args, cwd=work, check=True, capture_output=True)
    return work


def depgraph(*args, timeout: float = 120, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python -m depgraph ARGS`` of this checkout with a timeout and capped memory; return
    the finished process."""

    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "depgraph", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=full_env, preexec_fn=cap_memory, **kwargs)


def assert_clean(proc: subprocess.CompletedProcess, code: int) -> None:
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output, output[-3000:]
    assert "internal error" not in output, output[-3000:]
    assert proc.returncode == code, output[-3000:]


def billion_laughs(prefix: str = "") -> str:
    lines = [prefix + 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(prefix + f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


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


def cycle_repo(root: Path) -> GitRepo:
    """A :class:`GitRepo` of :data:`~tests.landscapes.BASE_TREE` whose second commit adds a hard
    cycle (:data:`~tests.landscapes.CYCLE`)."""
    from tests.landscapes import BASE_TREE, CYCLE

    repo = GitRepo(root)
    repo.write(BASE_TREE)
    repo.commit("base")
    repo.write(CYCLE)
    repo.commit("cycle")
    return repo


# ---- a real browser -------------------------------------------------------------------------
CHROMIUM = os.environ.get("DEPGRAPH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_or_skip():
    """Playwright's sync API when Playwright and Debian's chromium are both here; else the calling
    test module is skipped (never a browser download)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    if not Path(CHROMIUM).is_file():
        pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)
    return sync_api


def launched_chromium(sync_api):
    """Yield the system chromium launched headless (a module-scoped fixture's body)."""
    with sync_api.sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:  # a chromium that cannot start here is an environment problem
            pytest.skip(f"chromium did not start: {exc}")
        yield launched
        launched.close()
