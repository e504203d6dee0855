"""The progress line: shown on a terminal, silent in CI, in pipes and with --format json."""

from __future__ import annotations

import io

import pytest

from depgraph.progress import progress, should_show


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("argv, environ, stream, shown", [
    ([], {}, Terminal(), True),
    ([], {}, io.StringIO(), False),
    ([], {"CI": "true"}, Terminal(), False),
    (["analyze", "--format", "json"], {}, Terminal(), False),
    (["analyze", "--format=json"], {}, Terminal(), False),
    (["blast-radius", "x", "-f", "json"], {}, Terminal(), False),
    (["analyze", "--format", "markdown"], {}, Terminal(), True),
    ([], {"TERM": "dumb"}, Terminal(), False),
])
def test_when_progress_is_shown(argv, environ, stream, shown):
    assert should_show(stream, argv=argv, environ=environ) is shown


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
    from depgraph import report as report_module

    monkeypatch.setattr(report_module, "_svg_renderer", lambda: (lambda dot, engine="dot": "<svg/>"))
    folder = tree({"a.yaml": "kind: service\nname: a\nowner: core\ndeployments: [{datacenter: x, instances: 2}]\n"
                           "---\nkind: team\nname: core\n---\nkind: datacenter\nname: x\n"})
    result = run_cli("report", "-d", folder, "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert result.stderr == ""
