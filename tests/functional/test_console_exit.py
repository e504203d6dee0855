"""The console script leaves as soon as its output is flushed: nothing written is lost, every
exit code is kept."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import EXAMPLE


def console(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "depgraph", *map(str, args)], capture_output=True, **kwargs)


def test_a_long_answer_into_a_pipe_arrives_whole(run_cli):
    proc = console("analyze", "-d", EXAMPLE, "--format", "json")
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr
    assert proc.stdout.decode() == run_cli("analyze", "-d", EXAMPLE, "--format", "json").stdout


def test_exit_codes_and_messages_survive_the_quick_exit(tree, tmp_path):
    blocking = console("check", "-d", EXAMPLE)  # the example's hard cycle blocks
    assert blocking.returncode == 1 and b"hard-cycle" in blocking.stdout
    root = tree({"bad.yaml": "kind: service\nname: [x\n"})
    invalid = console("validate", "-d", root)
    assert invalid.returncode == 2 and b"bad.yaml:3:1: error: YAML syntax" in invalid.stdout
    usage = console("blast-radius")
    assert usage.returncode == 2 and b"Missing argument" in usage.stderr
    folder = tmp_path / "out"
    report = console("report", "-d", EXAMPLE, "-o", folder)
    assert report.returncode == 0
    assert (folder / "report.md").read_text().startswith("#") and (folder / "index.html").stat().st_size


def test_a_reader_that_stops_early_gets_no_traceback():
    proc = subprocess.run(f"'{sys.executable}' -m depgraph analyze -d '{EXAMPLE}' --format json | head -c 10",
                          shell=True, capture_output=True, text=True)
    assert len(proc.stdout) == 10
    assert "Traceback" not in proc.stderr


def test_results_are_kept_for_the_exit_only_by_the_console_script(run_cli, monkeypatch):
    from depgraph.cli.kit import keep_until_exit, state

    assert run_cli("analyze", "-d", EXAMPLE).exit_code == 0
    assert state.kept is None  # under CliRunner (and as a library) nothing is held
    monkeypatch.setattr(state, "kept", [])
    keep_until_exit("catalog", "report")
    assert state.kept == ["catalog", "report"]
