"""Faults from outside depgraph: Graphviz missing, crashing or hanging, a full disk, a read-only
output folder, git refs that do not exist, corrupt baselines and policies. Each is a clear
message and exit code 2, never a traceback or an "internal error" (exit 3).

Faults inside the process (ENOSPC, EROFS) are injected by a small driver that patches the one
system call and then runs the real ``depgraph`` entry point in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from depgraph.output.atomic import write_text
from tests.helpers import commit_tree, copy_example
from tests.helpers import REPO, assert_clean, depgraph

LANDSCAPE = REPO / "descriptors"
FIXTURES = REPO / "tests" / "fixtures" / "import"

DRIVER = '''
import errno, os, sys, tempfile
fault = os.environ["DEPGRAPH_TEST_FAULT"]

def raise_(code, text):
    def fail(*args, **kwargs):
        raise OSError(code, text)
    return fail

if fault == "enospc-write":  # the disk fills while the data is written
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, handle):
            self.handle = handle
        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")
        def __getattr__(self, name):
            return getattr(self.handle, name)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            self.handle.close()

    os.fdopen = lambda fd, *a, **k: Full(real_fdopen(fd, *a, **k))
elif fault == "enospc-replace":  # ... or when the new file is put in place
    os.replace = raise_(errno.ENOSPC, "No space left on device")
elif fault == "read-only":  # nothing can be created in the output folder
    tempfile.mkstemp = raise_(errno.EROFS, "Read-only file system")
    os.mkdir = raise_(errno.EROFS, "Read-only file system")

from depgraph.cli import main
sys.argv = ["depgraph", *sys.argv[1:]]
sys.exit(main())
'''


def faulty(tmp_path: Path, fault: str, *args, **kwargs) -> subprocess.CompletedProcess:
    driver = tmp_path / "fault_driver.py"
    driver.write_text(DRIVER)
    env = {**os.environ, "PYTHONPATH": str(REPO), "DEPGRAPH_TEST_FAULT": fault}
    return subprocess.run([sys.executable, str(driver), *map(str, args)], capture_output=True, text=True,
                          timeout=300, env=env, **kwargs)


def _outputs(out: Path):
    """(command arguments, files it writes, previous content) for every command that writes files."""
    return [
        (["report", "-o", out / "report"], [out / "report" / "report.json"]),
        (["render", "-o", out / "services.svg"], [out / "services.svg"]),
        (["render", "-o", out / "services.dot"], [out / "services.dot"]),
        (["blast-radius", "datacenter:lon1", "--format", "dot", "-o", out / "blast.dot"], [out / "blast.dot"]),
        (["check", "--write-baseline", out / "baseline.json"], [out / "baseline.json"]),
        (["export", "--format", "json", "-o", out / "graph.json"], [out / "graph.json"]),
        (["import", "backstage", FIXTURES / "backstage", "-o", out / "imported", "--force"],
         [out / "imported" / "teams.yaml"]),
    ]


def _cases(fault: str):
    for args, files in _outputs(Path("OUT")):
        yield pytest.param(fault, args, files, id=f"{fault}-{args[0]}-{Path(str(args[-1])).name}")


@pytest.mark.parametrize("fault, args, files", [c for f in ("enospc-write", "enospc-replace", "read-only")
                                                 for c in _cases(f)])
def test_a_full_disk_or_read_only_folder_is_a_clear_error_and_keeps_old_outputs(tmp_path, fault, args, files):
    out = tmp_path / "out"
    args = [str(a).replace("OUT", str(out)) for a in args]
    files = [Path(str(f).replace("OUT", str(out))) for f in files]
    for path in files:
        write_text(path, "previous output\n")
    proc = faulty(tmp_path, fault, *args[:1], "-d", LANDSCAPE, *args[1:]) if args[0] != "import" else \
        faulty(tmp_path, fault, *args)
    assert_clean(proc, 2)
    reason = "Read-only file system" if fault == "read-only" else "No space left on device"
    assert f"depgraph: error: cannot write {out}" in proc.stderr and reason in proc.stderr
    for path in files:
        assert path.read_text() == "previous output\n"
    assert sorted(p.name for p in out.rglob(".*.tmp")) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders (see the read-only fault cases)")
def test_a_really_read_only_output_folder(tmp_path):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    proc = depgraph("render", "-d", LANDSCAPE, "-o", out / "x.dot")
    assert_clean(proc, 2)
    assert f"cannot write {out}/x.dot: Permission denied" in proc.stderr


# --- Graphviz ---------------------------------------------------------------------------------

def _fake_dot(tmp_path: Path, script: str) -> dict:
    folder = tmp_path / "fake-bin"
    folder.mkdir(exist_ok=True)
    dot = folder / "dot"
    dot.write_text("#!/bin/sh\n" + script + "\n")
    dot.chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}


def test_graphviz_missing_keeps_the_dot_source_and_says_how_to_install(tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    out = tmp_path / "services.svg"
    proc = depgraph("render", "-d", LANDSCAPE, "-o", out, env={"PATH": str(empty)})
    assert_clean(proc, 2)
    assert "Graphviz 'dot' was not found on PATH: install Graphviz" in proc.stderr
    assert f"the diagram's DOT source is in {tmp_path}/services.dot" in proc.stderr
    assert (tmp_path / "services.dot").read_text().startswith(("digraph", "strict digraph"))
    assert not out.exists()


def test_graphviz_missing_still_gives_a_whole_report(tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    out = tmp_path / "report"
    proc = depgraph("report", "-d", LANDSCAPE, "-o", out, env={"PATH": str(empty)}, timeout=300)
    assert_clean(proc, 0)
    assert "Graphviz is not installed" in proc.stderr
    assert (out / "diagrams" / "services.dot").exists() and not (out / "diagrams" / "services.svg").exists()
    assert json.loads((out / "report.json").read_text())["schema"] == "depgraph/analysis/v1"


@pytest.mark.parametrize("script, message", [
    ("kill -SEGV $$", "Graphviz 'dot' failed (killed by signal 11)"),
    ("echo 'Error: out of memory' >&2; exit 1", "Graphviz 'dot' failed (exit status 1): Error: out of memory"),
    ("exit 0", "Graphviz 'dot' failed (exit status 0): no message"),  # no output at all
])
def test_graphviz_crashing_is_a_clear_error(tmp_path, script, message):
    out = tmp_path / "services.svg"
    write_text(out, "previous diagram\n")
    proc = depgraph("render", "-d", LANDSCAPE, "-o", out, env=_fake_dot(tmp_path, script))
    assert_clean(proc, 2)
    assert message in proc.stderr
    assert out.read_text() == "previous diagram\n"


def test_graphviz_crashing_during_a_report_falls_back_to_dot_files(tmp_path):
    out = tmp_path / "report"
    proc = depgraph("report", "-d", LANDSCAPE, "-o", out, env=_fake_dot(tmp_path, "kill -SEGV $$"), timeout=300)
    assert_clean(proc, 0)
    assert "Graphviz could not draw the diagrams (Graphviz 'dot' failed (killed by signal 11)" in proc.stderr
    assert (out / "diagrams" / "services.dot").exists()


@pytest.mark.parametrize("how", ["option", "environment"])
def test_graphviz_hanging_is_stopped_by_the_timeout(tmp_path, how):
    env = _fake_dot(tmp_path, "exec sleep 120")
    args = ["render", "-d", LANDSCAPE, "-o", tmp_path / "services.svg"]
    if how == "option":
        args += ["--timeout", "1"]
    else:
        env["DEPGRAPH_RENDER_TIMEOUT"] = "1"
    proc = depgraph(*args, env=env, timeout=60)
    assert_clean(proc, 2)
    assert "Graphviz 'dot' did not finish within 1 s" in proc.stderr
    assert (tmp_path / "services.dot").exists()


# --- git, baselines, policies ------------------------------------------------------------------

@pytest.fixture
def repo(tmp_path):
    """A git repository holding a copy of the bundled landscape, one commit."""
    work = tmp_path / "repo"
    copy_example(work / "descriptors")
    return commit_tree(work)


@pytest.mark.parametrize("command", [["check", "--no-cache"], ["diff"]])
@pytest.mark.parametrize("ref", ["no-such-branch", "HEAD~3", "0" * 40])
def test_a_git_ref_that_does_not_exist(repo, command, ref):
    proc = depgraph(*command, "--base", ref, cwd=repo)
    assert_clean(proc, 2)
    assert f"depgraph: error: git ref '{ref}' not found in {repo}" in proc.stderr
    assert "fetch" in proc.stderr  # how CI checkouts get the ref


@pytest.mark.parametrize("command", [["check", "--no-cache"], ["diff"]])
def test_base_outside_a_git_repository(tmp_path, command):
    copy_example(tmp_path / "descriptors")
    proc = depgraph(*command, "--base", "main", cwd=tmp_path, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert_clean(proc, 2)
    assert f"the current folder {tmp_path} is in no git repository" in proc.stderr and "'descriptors'" in proc.stderr


def test_base_without_git_installed_says_so(repo, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    proc = depgraph("diff", "--base", "HEAD", cwd=repo, env={"PATH": str(empty)})
    assert_clean(proc, 2)
    assert "depgraph: error: git is not installed or not on PATH" in proc.stderr


CORRUPT_BASELINES = {
    "truncated": ('{"schema": "depgraph/baseline/v1", "findings": [',
                  "{file}:1:49: error: corrupt baseline, not valid JSON (Expecting value); regenerate it with "
                  "--write-baseline"),
    "binary": ("\x00\x01\x02garbage", "{file}:1:1: error: corrupt baseline, not valid JSON"),
    "other schema": ('{"schema": "depgraph/analysis/v1"}',
                     '{file}: error: not a depgraph baseline (expected "schema": "depgraph/baseline/v1", found '
                     "'depgraph/analysis/v1')"),
    "findings not a list": ('{"schema": "depgraph/baseline/v1", "findings": {}}',
                            "{file}: error: corrupt baseline: 'findings' must be a list"),
    "entry not an object": ('{"schema": "depgraph/baseline/v1", "findings": [1]}',
                            "{file}: error: corrupt baseline: findings[0] must be an object"),
    "missing": (None, "baseline '{file}' not found (create it with --write-baseline {file})"),
}


@pytest.mark.parametrize("case", sorted(CORRUPT_BASELINES))
def test_a_corrupt_baseline_is_a_clear_error(tmp_path, case):
    text, message = CORRUPT_BASELINES[case]
    baseline = tmp_path / "baseline.json"
    if text is not None:
        baseline.write_text(text)
    proc = depgraph("check", "-d", LANDSCAPE, "--baseline", baseline)
    assert_clean(proc, 2)
    assert message.format(file=baseline) in proc.stderr


CORRUPT_POLICIES = {
    "unknown rule": ("rules:\n  nosuch-rule: error\n", "{file}:2:3: error: unknown rule 'nosuch-rule'"),
    "yaml syntax": ("rules: [\n", "{file}:2:1: error: YAML syntax: did not find expected node content"),
    "not utf-8": (b"\xff\xfe\x00r", "{file}:1:1: error: "),
    "alias bomb": (None, "{file}:7:8: error: aliases in this file repeat more than 1,000,000 values"),
}


@pytest.mark.parametrize("case", sorted(CORRUPT_POLICIES))
def test_a_corrupt_policy_is_a_clear_error(tmp_path, case):
    from tests.helpers import billion_laughs

    text, message = CORRUPT_POLICIES[case]
    policy = tmp_path / "policy.yaml"
    if isinstance(text, bytes):
        policy.write_bytes(text)
    else:
        policy.write_text(text if text is not None else billion_laughs())
    proc = depgraph("check", "-d", LANDSCAPE, "--policy", policy, timeout=60)
    assert_clean(proc, 2)
    assert message.format(file=policy) in proc.stdout + proc.stderr
