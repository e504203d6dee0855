"""The console script leaves the ordinary way: nothing written is lost, every exit code is kept,
a profiler writes its profile, ``atexit`` handlers run, and a Python caller of the command line
goes on."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import EXAMPLE


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


def python(code: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, **kwargs)


def test_a_profiler_writes_its_profile(tmp_path):
    import pstats

    profile = tmp_path / "validate.prof"
    proc = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "depgraph", "validate",
                           "-d", str(EXAMPLE)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "has no owner" in proc.stdout  # the command ran and printed its diagnostics
    functions = {name for _, _, name in pstats.Stats(str(profile)).stats}
    assert "load_catalog" in functions  # the profile holds depgraph's own work


def test_atexit_handlers_run_after_a_command():
    proc = python("import atexit, sys\n"
                  "atexit.register(lambda: print('atexit ran', flush=True))\n"
                  "from depgraph.cli import main\n"
                  f"sys.exit(main(['check', '-d', {str(EXAMPLE)!r}]))\n")
    assert proc.returncode == 1  # the example's hard cycle blocks
    assert "hard-cycle" in proc.stdout and proc.stdout.rstrip().endswith("atexit ran")


def test_calling_the_command_line_from_python_returns_its_exit_code():
    """... and leaves the caller's garbage collector as it was (a command pauses it while it runs)."""
    proc = python("import gc\nfrom depgraph.cli import main\n"
                  f"codes = [main(['validate', '-d', {str(EXAMPLE)!r}]), main(['check', '-d', {str(EXAMPLE)!r}]),\n"
                  f"         main(['blast-radius']), main(['--version']), main(['analyze', '-q', '-d', {str(EXAMPLE)!r}])]\n"
                  "print('still running', codes, gc.isenabled(), gc.get_freeze_count())\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith("still running [0, 1, 2, 0, 0] True 0")
    assert "Missing argument" in proc.stderr
