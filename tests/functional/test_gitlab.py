"""check --format gitlab: GitLab's Code Quality report, as the merge-request widget reads it."""

from __future__ import annotations

import json

import jsonschema
import pytest

from depgraph.analyses.findings import Finding
from depgraph.gate.check import CheckResult
from depgraph.reporters.gitlab import render_gitlab
from tests.helpers import cycle_repo


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository whose last commit adds a hard cycle."""
    monkeypatch.setenv("DEPGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    return cycle_repo(tmp_path / "repo")

# The shape GitLab documents for a Code Quality report (the fields it requires; it ignores others).
CODE_QUALITY_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "pattern": "^[^/]"},  # relative to the repository
                    "lines": {"type": "object", "required": ["begin"],
                              "properties": {"begin": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
}

def test_the_report_has_the_code_quality_shape_with_paths_relative_to_the_repository(
        repo, run_cli, tmp_path, monkeypatch):
    elsewhere = repo.root / "tools"  # run from a subfolder: paths stay repository-relative
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run_cli("check", "-d", repo.descriptors, "--base", "HEAD~1", "--format", "gitlab")
    assert result.exit_code == 1
    issues = json.loads(result.stdout)
    jsonschema.validate(issues, CODE_QUALITY_SCHEMA)
    cycle = next(issue for issue in issues if issue["check_name"] == "hard-cycle")
    assert cycle["severity"] == "blocker"
    assert cycle["location"] == {"path": "descriptors/services/index.yaml",
                                 "lines": {"begin": repo.line_of("services/index.yaml", "- search")}}
    assert cycle["description"].startswith("service:index: hard dependency cycle")
    # Old news is in the report too (GitLab compares with the target branch's report itself).
    assert {issue["severity"] for issue in issues} - {"blocker"}
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


def test_fingerprints_survive_reruns_and_unrelated_edits(repo, run_cli, monkeypatch):
    monkeypatch.chdir(repo.root)

    def report() -> dict[str, dict]:
        issues = json.loads(run_cli("check", "-d", "descriptors", "--format", "gitlab").stdout)
        return {issue["fingerprint"]: issue for issue in issues}

    first = report()
    assert report() == first
    # Comments and blank lines above every entry move every finding's line, nothing else.
    for path in repo.descriptors.rglob("*.yaml"):
        path.write_text("# moved\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    moved = report()
    assert moved.keys() == first.keys()
    assert all(moved[f]["location"]["lines"]["begin"] == first[f]["location"]["lines"]["begin"] + 2
               for f in first)


def test_severities_and_what_is_left_out():
    blocking = Finding("hard-cycle", "error", "service:a", "ring", "d/a.yaml", 4, key=("a", "b"))
    warning = Finding("soft-cycle", "warning", "service:c", "soft ring", "d/c.yaml", 2, key=("c", "d"))
    info = Finding("unused-exception", "info", "service:e", "unused", "d/depgraph.yaml", None)
    old_error = Finding("unowned", "error", "service:z", "no owner", "d/z.yaml", 1)
    excepted = Finding("spof-service", "error", "service:x", "spof", "d/x.yaml", 3)
    result = CheckResult(new=[blocking, warning, info], existing=[(old_error, "base")],
                         excepted=[(excepted, object())], stale=[], fail_on="error")
    issues = render_gitlab(result)
    jsonschema.validate(issues, CODE_QUALITY_SCHEMA)
    assert [(i["check_name"], i["severity"]) for i in issues] == [
        ("hard-cycle", "blocker"), ("soft-cycle", "major"), ("unused-exception", "info"),
        ("unowned", "critical")]
    assert issues[2]["location"]["lines"] == {"begin": 1}  # no line: the file's first
    assert issues[0]["fingerprint"] == blocking.fingerprint
