"""Nothing lost: outputs are replaced whole or not at all, concurrent writers cannot mix two
versions, and no command writes inside the descriptor folder.

The crash tests kill a real process in the middle of a write (SIGKILL between writing the
temporary file and renaming it) and check the previous output is intact; the concurrency tests
write one file from several threads and processes while a reader checks every version it sees.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from depgraph.output.atomic import write_text
from tests.helpers import commit_tree, copy_example
from tests.helpers import REPO, assert_clean, depgraph

LANDSCAPE = REPO / "descriptors"


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*.tmp"))


# --- crashes -------------------------------------------------------------------------------

def test_an_exception_between_write_and_rename_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    write_text(target, '{"version": 1}\n')

    def crash(src, dst):
        raise KeyboardInterrupt  # Ctrl-C at the worst moment

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_text(target, '{"version": 2}\n')
    assert target.read_text() == '{"version": 1}\n'
    assert _temporaries(tmp_path) == []


SLOW_WRITER = """
import os, sys, time
from depgraph.output import atomic
def slow_fsync(fd):
    print("written", flush=True)
    time.sleep(60)
os.fsync = slow_fsync
atomic.write_text(sys.argv[1], "new version\\n" * 100000)
"""


def test_a_process_killed_between_write_and_rename_leaves_the_previous_file(tmp_path):
    target = tmp_path / "out" / "report.md"
    write_text(target, "previous version\n")
    child = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(target)], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert child.stdout.readline().strip() == "written"  # the new data is in the temporary file
        assert len(_temporaries(target.parent)) == 1
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert target.read_text() == "previous version\n"
    # the next successful write replaces the file (the stray temporary does not get in the way)
    write_text(target, "next version\n")
    assert target.read_text() == "next version\n"


def _two_landscapes(tmp_path: Path) -> tuple[Path, Path]:
    """The bundled landscape and a copy with one more service: reports that differ in every file."""
    first, second = copy_example(tmp_path / "first"), copy_example(tmp_path / "second")
    (second / "extra.yaml").write_text("kind: service\nname: crash-probe\nowner: nobody-in-particular\n")
    return first, second


def test_a_report_killed_mid_run_leaves_each_file_whole(tmp_path):
    """Kill ``depgraph report`` at random moments: each file is always a complete version
    (the old run's or the new run's), never a truncated mix."""
    first, second = _two_landscapes(tmp_path)
    out_first, out_second = tmp_path / "out-first", tmp_path / "out-second"
    for descriptors, out in ((first, out_first), (second, out_second)):
        assert_clean(depgraph("report", "-d", descriptors, "-o", out, timeout=180), 0)
    names = ("report.json", "report.md", "index.html")
    versions = {name: {(out_first / name).read_bytes(), (out_second / name).read_bytes()} for name in names}
    assert all(len(v) == 2 for v in versions.values())

    out = tmp_path / "out"
    shutil.copytree(out_first, out)
    for delay in (0.5, 1.0, 1.5, 2.0, 3.0):
        child = subprocess.Popen([sys.executable, "-m", "depgraph", "report", "-d", str(second), "-o", str(out)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 env={**os.environ, "PYTHONPATH": str(REPO)})
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        for name in names:
            assert (out / name).read_bytes() in versions[name], f"{name} is not a complete version after {delay} s"
        json.loads((out / "report.json").read_text())


# --- concurrent writers ----------------------------------------------------------------------

def _version(writer: int, round_: int) -> str:
    body = f"writer {writer} round {round_}\n" * 2000
    return body + f"end {len(body)}\n"


def _is_whole(text: str) -> bool:
    body, _, last = text.rpartition("end ")
    return last == f"{len(body)}\n" and len(set(body.splitlines())) == 1


def test_concurrent_threads_writing_one_file_never_corrupt_it(tmp_path):
    target = tmp_path / "shared.txt"
    write_text(target, _version(0, 0))
    stop = threading.Event()
    seen, broken = [], []

    def reader():
        while not stop.is_set():
            text = target.read_text()
            seen.append(1)
            if not _is_whole(text):
                broken.append(text[:80])

    def writer(number):
        for round_ in range(60):
            write_text(target, _version(number, round_))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(1, 5)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    watcher.join()
    assert broken == [] and len(seen) > 10
    assert _is_whole(target.read_text())
    assert _temporaries(tmp_path) == []


PROCESS_WRITER = """
import sys
from depgraph.output.atomic import write_text
number = int(sys.argv[2])
for round_ in range(40):
    body = f"writer {number} round {round_}\\n" * 2000
    write_text(sys.argv[1], body + f"end {len(body)}\\n")
"""


def test_concurrent_processes_writing_one_file_never_corrupt_it(tmp_path):
    target = tmp_path / "out" / "shared.txt"
    write_text(target, _version(0, 0))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writers = [subprocess.Popen([sys.executable, "-c", PROCESS_WRITER, str(target), str(n)], env=env)
               for n in range(1, 5)]
    broken, reads = [], 0
    while any(w.poll() is None for w in writers):
        text = target.read_text()
        reads += 1
        if not _is_whole(text):
            broken.append(text[:80])
    assert [w.wait(60) for w in writers] == [0, 0, 0, 0]
    assert broken == [] and reads > 0
    assert _is_whole(target.read_text())
    assert _temporaries(target.parent) == []


def test_two_reports_into_one_folder_at_once_leave_a_whole_report(tmp_path):
    first, second = _two_landscapes(tmp_path)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    runs = [subprocess.Popen([sys.executable, "-m", "depgraph", "report", "-d", str(d), "-o", str(out)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
            for d in (first, second)]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err[-2000:]
        assert "Traceback" not in err
    document = json.loads((out / "report.json").read_text())
    assert document["schema"] == "depgraph/analysis/v1"
    assert (out / "index.html").read_text().rstrip().endswith("</html>")
    assert _temporaries(out) == []


# --- the descriptor folder is read only ------------------------------------------------------

def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (None) below ``folder``, by relative path."""
    found: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames:
            found[os.path.relpath(os.path.join(dirpath, name), folder)] = None
        for name in filenames:
            path = os.path.join(dirpath, name)
            found[os.path.relpath(path, folder)] = Path(path).read_bytes()
    return found


OBSERVED = [{"parent": "web-api", "child": "playlist", "callCount": 10},
            {"parent": "playlist", "child": "unknown-thing", "callCount": 3}]


def _every_command(work: Path, d: Path) -> list[list[str]]:
    """One invocation of every command (every output format), outputs outside ``d``."""
    out = work / "out"
    commands = [["validate"], ["validate", "--format", "json"]]
    for fmt in ("text", "json", "markdown"):
        commands += [["analyze", "--format", fmt], ["diff", str(d), str(d), "--format", fmt],
                     ["drift", "--observed", str(work / "observed.json"), "--format", fmt]]
    for fmt in ("text", "json", "sarif", "junit", "github", "markdown", "gitlab"):
        commands.append(["check", "--format", fmt, "--cache-dir", str(work / "cache")])
    commands += [["check", "--write-baseline", str(out / "baseline.json")],
                 ["check", "--baseline", str(out / "baseline.json")],
                 ["check", "--base", "HEAD", "--cache-dir", str(work / "cache")],
                 ["diff", "--base", "HEAD"]]
    for fmt in ("text", "json"):
        commands += [["blast-radius", "datacenter:lon1", "--format", fmt], ["startup-order", "--format", fmt],
                     ["path", "web-api", "playlist", "--format", fmt], ["capacity", "--racks", "--format", fmt],
                     ["availability", "--trials", "1000", "--format", fmt],
                     ["recovery", "datacenter:lon1", "--format", fmt]]
    commands += [["blast-radius", "datacenter:lon1", "--format", "dot", "-o", str(out / "b.dot")],
                 ["blast-radius", "datacenter:lon1", "--format", "svg", "-o", str(out / "b.svg")]]
    for fmt in ("json", "graphml", "mermaid", "backstage"):
        commands += [["export", "--format", fmt], ["export", "--format", fmt, "-o", str(out / f"g.{fmt}")]]
    for view in ("services", "deployment", "teams"):
        commands.append(["render", "--view", view, "-o", str(out / f"{view}.svg")])
    commands += [["render"], ["render", "--format", "png", "-o", str(out / "s.png")], ["report", "-o", str(out)],
                 ["report"]]  # the default output folder, relative to the working directory
    return [c if c[0] == "diff" and len(c) > 1 and c[1] != "--base" else [*c[:1], "-d", str(d), *c[1:]]
            for c in commands]


def test_no_command_writes_inside_the_descriptor_folder(tmp_path):
    work = tmp_path / "work"
    d = copy_example(work / "descriptors")
    (work / "observed.json").write_text(json.dumps(OBSERVED))
    commit_tree(work, "descriptors")
    before = _snapshot(d)
    env = {"XDG_CACHE_HOME": str(work / "xdg-cache"), "HOME": str(work)}
    ran = set()
    for command in _every_command(work, d):
        proc = depgraph(*command, timeout=300, cwd=work, env=env)
        assert "Traceback" not in proc.stderr + proc.stdout, command
        assert proc.returncode in (0, 1), (command, proc.stderr[-2000:])
        ran.add(command[0])
    import_out = work / "imported"
    for kind, source in (("backstage", "backstage"), ("compose", "compose-anchors"), ("k8s", "k8s-folder")):
        extra = ["--datacenter", "lon1"] if kind != "backstage" else []
        proc = depgraph("import", kind, REPO / "tests" / "fixtures" / "import" / source, "-o", import_out / kind,
                        *extra, cwd=work, env=env)
        assert_clean(proc, 0)
    ran.add("import")
    proc = depgraph("mcp", "-d", d, input="", cwd=work, env=env)  # the client closes stdin at once
    assert_clean(proc, 0)
    ran.add("mcp")
    _serve_once(d, work, env)
    ran.add("serve")
    assert _snapshot(d) == before
    assert (work / "output" / "index.html").exists()  # `report` without -o wrote beside, not inside
    from depgraph.cli import app

    assert ran == {c.name for c in app.registered_commands}, "a new command is missing from this test"


def _serve_once(d: Path, work: Path, env: dict) -> None:
    """``depgraph serve``: its page and one answer asked, then stopped (exit 0)."""
    import urllib.request

    log = work / "serve.log"
    with log.open("w") as errors:
        server = subprocess.Popen([sys.executable, "-m", "depgraph", "serve", "-d", str(d), "--port", "0"],
                                  stdout=subprocess.DEVNULL, stderr=errors, cwd=work,
                                  env={**os.environ, "PYTHONPATH": str(REPO), **env})
    try:
        deadline = time.monotonic() + 60
        while "on http://" not in log.read_text():
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        base = log.read_text().split("on http://", 1)[1].split("/", 1)[0]
        for path in ("/", "/api/blast-radius?component=datacenter:lon1"):
            with urllib.request.urlopen(f"http://{base}{path}", timeout=60) as answer:
                assert answer.status == 200
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0, log.read_text()


def test_report_refuses_the_descriptor_folder_as_output(tree):
    root = tree({"dc.yaml": "kind: datacenter\nname: lon1\n"})
    before = _snapshot(root)
    for out in (root, root / "report"):
        proc = depgraph("report", "-d", root, "-o", out)
        assert_clean(proc, 2)
        assert "refusing to write the report into the descriptor folder" in proc.stderr
    assert _snapshot(root) == before


def test_import_into_an_existing_tree_needs_force(tree):
    root = tree({"teams.yaml": "kind: team\nname: mine\n"})
    before = _snapshot(root)
    source = REPO / "tests" / "fixtures" / "import" / "backstage"
    proc = depgraph("import", "backstage", source, "-o", root)
    assert_clean(proc, 2)
    assert "refusing to overwrite" in proc.stderr and "teams.yaml" in proc.stderr
    assert _snapshot(root) == before
    assert_clean(depgraph("import", "backstage", source, "-o", root, "--force"), 0)
    assert _snapshot(root) != before
