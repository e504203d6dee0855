"""``depgraph validate`` from a user's point of view: messages, exit codes, JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

GOOD = {"dc.yaml": "kind: datacenter\nname: lon1\n",
        "s.yaml": "kind: service\nname: a\ndeployments: [{datacenter: lon1, instances: 2}]\n"}


def test_valid_tree_exits_0_with_a_summary(tree, run_cli):
    result = run_cli("validate", "-d", tree(GOOD))
    assert result.exit_code == 0
    assert "OK: 2 files, 1 services" in result.stdout
    assert "Services per data center:" in result.stdout
    assert "service 'a' has no owner" in result.stdout


def test_invalid_tree_exits_2_with_file_line_col(tree, run_cli):
    root = tree({**GOOD, "bad.yaml": "kind: service\nname: b\ntier: high\n"})
    result = run_cli("validate", "-d", root)
    assert result.exit_code == 2
    assert f"{root}/bad.yaml:3:7: error: field 'tier' must be 1 (critical), 2 or 3, not 'high'" in result.stdout


def test_json_diagnostics(tree, run_cli):
    root = tree({**GOOD, "bad.yaml": "kind: service\nname: b\nowner: [x]\n"})
    result = run_cli("validate", "-d", root, "--format", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["schema"] == "depgraph/diagnostics/v1"
    assert doc["valid"] is False and doc["errors"] == 1
    errors = [d for d in doc["diagnostics"] if d["severity"] == "error"]
    assert [(d["file"].endswith("bad.yaml"), d["line"]) for d in errors] == [(True, 3)]


def test_console_script_never_shows_a_traceback(tree):
    root = tree({"bad.yaml": b"kind: service\nname: \xff\n"})
    proc = subprocess.run([sys.executable, "-m", "depgraph", "validate", "-d", str(root)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "bad.yaml:2:7: error: not valid UTF-8" in proc.stdout


def test_missing_folder_is_a_usage_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "depgraph", "validate", "-d", str(tmp_path / "nope")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "descriptor folder" in proc.stderr and "not found" in proc.stderr


@pytest.mark.parametrize("command", ["validate", "check", "analyze"])
def test_an_empty_or_mistyped_folder_is_an_error_naming_it(command, tmp_path, run_cli):
    empty = tmp_path / "descriptors"
    empty.mkdir()
    (empty / "notes.yaml").write_text("# nothing declared yet\n")
    (empty / "README.md").write_text("not a descriptor\n")
    result = run_cli(command, "-d", empty)
    assert result.exit_code == 2
    said = result.stdout + result.stderr  # validate prints its findings on stdout
    assert f"{empty}: error: no descriptors: looked for *.yaml and *.yml files below {empty}" in said
    assert "1 such file declares no entity" in said
