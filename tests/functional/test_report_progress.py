"""The progress line: shown on a terminal, silent in CI, in pipes and with --format json."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from depgraph.cli.progress import progress, should_show

ROOT = Path(__file__).resolve().parents[2]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("environ, stream, shown", [
    ({}, Terminal(), True),
    ({}, io.StringIO(), False),
    ({"CI": "true"}, Terminal(), False),
    ({"TERM": "dumb"}, Terminal(), False),
])
def test_when_progress_is_shown(environ, stream, shown):
    assert should_show(stream, environ=environ) is shown


@pytest.mark.parametrize("options", [{"machine_readable": True}, {"quiet": True}])
def test_machine_readable_output_and_quiet_runs_show_no_progress(options):
    stream = Terminal()
    with progress(stream=stream, **options) as shown:
        with shown.stage("analysing"):
            pass
    assert not shown.enabled and stream.getvalue() == ""


@pytest.mark.parametrize("args", [["validate", "--format", "json"], ["analyze", "-q"], ["validate", "-q"]])
def test_json_and_quiet_commands_show_no_progress_on_a_terminal(args):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TERM")} | {"TERM": "xterm"}
    _, terminal = run_on_terminal([*args, "-d", "descriptors"], env)
    assert "\x1b[1mdepgraph\x1b[0m " not in terminal


def test_disabled_progress_writes_nothing():
    stream = Terminal()
    with progress(enabled=False, stream=stream) as shown:
        with shown.stage("loading descriptors") as stage:
            stage.advance(1, 2)
    assert stream.getvalue() == ""
    assert [text for text, _ in shown.stages] == ["loading descriptors"]


def test_enabled_progress_shows_the_stage_and_clears_it():
    stream = Terminal()
    with progress(enabled=True, stream=stream) as shown:
        with shown.stage("analysing [big] landscape") as stage:
            stage.advance(500, 20000)
            shown._status._live.refresh()  # draw now rather than on the next timer tick
    output = stream.getvalue()
    assert "analysing [big] landscape 500/20,000" in output


def test_report_command_is_quiet_when_not_a_terminal(run_cli, tree, tmp_path, monkeypatch):
    from depgraph.cli import report_folder as report_module

    monkeypatch.setattr(report_module, "_svg_renderer", lambda: (lambda dot, engine="dot": "<svg/>"))
    folder = tree({"a.yaml": "kind: service\nname: a\nowner: core\ndeployments: [{datacenter: x, instances: 2}]\n"
                           "---\nkind: team\nname: core\n---\nkind: datacenter\nname: x\n"})
    result = run_cli("report", "-d", folder, "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert result.stderr == ""


def run_on_terminal(args: list[str], env: dict) -> tuple[str, str]:
    """Run ``python -m depgraph ARGS`` with stderr on a pseudo-terminal: (stdout, terminal text)."""
    import os
    import pty
    import subprocess
    import sys

    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "depgraph", *args], stdout=subprocess.PIPE,
                            stderr=terminal, env=env, cwd=ROOT)
    os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        seen += chunk
    stdout = proc.stdout.read().decode()
    proc.wait(timeout=120)
    os.close(controller)
    return stdout, seen.decode("utf-8", "replace")


@pytest.mark.parametrize("args", [
    ["analyze"], ["check", "--format", "sarif"], ["validate"], ["render", "--view", "teams"],
])
def test_long_commands_show_progress_on_a_terminal_only(args):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TERM")} | {"TERM": "xterm"}
    stdout, terminal = run_on_terminal([*args, "-d", "descriptors"], env)
    spinner = "\x1b[1mdepgraph\x1b[0m "  # the status line: "⠋ depgraph analysing…" (at least its last stage)
    assert spinner in terminal and "…" in terminal.split(spinner, 1)[1], terminal[-500:]
    quiet_stdout, quiet_terminal = run_on_terminal([*args, "-d", "descriptors"], env | {"CI": "true"})
    assert spinner not in quiet_terminal
    assert stdout == quiet_stdout  # progress never touches the result
