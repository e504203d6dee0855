"""The README is the user's first contact: its commands must be the ones CI runs, and complete."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def setup_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert block, "README must open with a ```sh block holding the two set-up commands"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_exactly_two_commands():
    commands = setup_commands()
    assert len(commands) == 2
    assert "descriptors" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert setup_commands()[1] in ci.splitlines()


def test_every_command_has_help_with_an_example_and_a_readme_section():
    from depgraph.cli import app

    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        assert command.help and "Example:" in command.help, f"'depgraph {name}' help lacks an Example: line"
        assert f"### `depgraph {name}" in README, f"README has no section for 'depgraph {name}'"
