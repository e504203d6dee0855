"""The README's console examples are real output of the real commands on the bundled example.

Each ```console block starts with ``$ depgraph ARGS``; the lines below it must be what that
command prints on stdout, run from the repository root, in order. A line ``...`` stands for any
number of lines; a line ending in `` ...`` for any rest of that line. When the output changes
on purpose, regenerate the blocks that no longer agree with ``python tests/functional/test_readme.py
--write`` (each keeps its length up to its first ``...``) and read the diff.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BLOCK = re.compile(r"```console\n\$ (depgraph [^\n]*)\n(.*?)```", re.S)
ELLIPSIS = "..."


def blocks(text: str) -> list[tuple[str, list[str]]]:
    return [(command, body.rstrip("\n").split("\n")) for command, body in BLOCK.findall(text)]


def run(command: str, cache: str) -> list[str]:
    """What ``command`` prints on stdout, run as a user would from the repository root."""
    env = {**os.environ, "CI": "true", "DEPGRAPH_CACHE_DIR": cache, "COLUMNS": "120"}
    done = subprocess.run([sys.executable, "-m", "depgraph", *shlex.split(command)[1:]], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=300)
    return done.stdout.rstrip("\n").split("\n")


def pattern(shown: list[str]) -> re.Pattern:
    parts = []
    for line in shown:
        if line.strip() == ELLIPSIS:
            parts.append(r"(?:[^\n]*\n)*?")
        elif line.endswith(" " + ELLIPSIS):
            parts.append(re.escape(line[: -len(" " + ELLIPSIS)]) + r"[^\n]*\n")
        else:
            parts.append(re.escape(line) + r"\n")
    return re.compile("".join(parts) + r"(?:[^\n]*\n)*", re.S) if shown[-1].strip() == ELLIPSIS else \
        re.compile("".join(parts))


def agrees(shown: list[str], real: list[str]) -> bool:
    return pattern(shown).fullmatch("\n".join(real) + "\n") is not None


EXAMPLES = blocks(README.read_text(encoding="utf-8"))


def test_the_readme_has_console_examples():
    assert len(EXAMPLES) >= 6
    assert {"validate", "analyze", "blast-radius", "path", "startup-order", "check"} <= {
        command.split()[1] for command, _ in EXAMPLES}


@pytest.mark.parametrize("command, shown", EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_a_console_example_is_what_the_command_prints(command, shown, tmp_path):
    real = run(command, str(tmp_path / "cache"))
    assert agrees(shown, real), (
        f"README example `{command}` differs from its real output (python tests/functional/test_readme.py --write):\n"
        + "\n".join(real[:60]))


def write() -> None:
    """Regenerate every block from the real output, each as long as it was (``...`` after)."""
    text = README.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as cache:
        def replace(match: re.Match) -> str:
            command, body = match.group(1), match.group(2).rstrip("\n").split("\n")
            real = run(command, cache)
            if agrees(body, real):  # still true: keep its hand-picked elisions
                return match.group(0)
            keep = next((i for i, line in enumerate(body) if line.strip() == ELLIPSIS), len(body))
            lines = real[:keep] + ([ELLIPSIS] if len(real) > keep else [])
            return "```console\n$ " + command + "\n" + "\n".join(lines) + "\n```"

        README.write_text(BLOCK.sub(replace, text), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/functional/test_readme.py --write")
    write()


@pytest.mark.parametrize("shown, real, expected", [
    (["a", "b"], ["a", "b"], True),
    (["a", "b"], ["a", "c"], False),
    (["a", "...", "d"], ["a", "b", "c", "d"], True),
    (["a", "...", "d"], ["a", "b", "c"], False),
    (["a", "..."], ["a", "b"], True),
    (["a b ..."], ["a b, c"], True),
    (["a b ..."], ["a c"], False),
    (["a"], ["a", "b"], False),
])
def test_the_comparison_allows_only_marked_elisions(shown, real, expected):
    assert agrees(shown, real) is expected
