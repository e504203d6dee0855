"""`depgraph --version`, the version in the formats that carry one, and shell completion."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.helpers import tool
from tests.landscapes import BASE_TREE

import depgraph

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
VERSION = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]


def test_version_comes_from_pyproject(run_cli):
    assert depgraph.__version__ == VERSION
    for flag in ("--version", "-V"):
        result = run_cli(flag)
        assert result.exit_code == 0 and result.stdout == f"depgraph {VERSION}\n"


def test_a_source_checkout_reads_the_version_from_pyproject():
    assert depgraph._source_version() == VERSION


def test_sarif_and_junit_name_the_version(tree, run_cli):
    root = tree(BASE_TREE)
    sarif = json.loads(run_cli("check", "-d", root, "--format", "sarif").stdout)
    assert sarif["runs"][0]["tool"]["driver"]["version"] == VERSION
    suite = ET.fromstring(run_cli("check", "-d", root, "--format", "junit").stdout).find("testsuite")
    assert [(p.get("name"), p.get("value")) for p in suite.iter("property")] == [("depgraph.version", VERSION)]


def test_help_offers_shell_completion(run_cli):
    help_text = run_cli("--help").stdout
    assert "--install-completion" in help_text and "--show-completion" in help_text


def test_completion_completes_commands_and_choices():
    """What a shell's completion function asks the console script, answered as bash reads it."""
    script = tool("depgraph")

    def complete(words: str) -> list[str]:
        env = dict(os.environ, _DEPGRAPH_COMPLETE="complete_bash", COMP_WORDS=words,
                   COMP_CWORD=str(len(words.split(" ")) - 1))
        return subprocess.run([script], env=env, capture_output=True, text=True, check=True).stdout.split()

    assert complete("depgraph che") == ["check"]
    assert "gitlab" in complete("depgraph check --format ")


def test_the_command_list_shows_each_summary_as_one_paragraph():
    """``depgraph --help`` lists each command with its docstring's first paragraph, reflowed:
    on a wide terminal each summary is one line, not the docstring's line breaks."""
    import inspect

    from depgraph.cli import app

    env = {**os.environ, "COLUMNS": "400", "TERM": "dumb"}
    listing = subprocess.run([tool("depgraph"), "--help"], env=env, capture_output=True, text=True).stdout
    lines = [" ".join(line.strip(" │").split()) for line in listing.splitlines()]
    for info in app.registered_commands:
        summary = " ".join(inspect.getdoc(info.callback).split("\n\n")[0].split())
        assert any(line.endswith(summary) for line in lines), summary
