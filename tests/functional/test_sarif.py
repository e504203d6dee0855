"""Check output formats: SARIF against the official 2.1.0 schema, JUnit, GitHub commands, Markdown."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from depgraph.gate.check import CheckResult
from depgraph.analyses.findings import Finding
from depgraph.reporters.github import command, render_github
from depgraph.reporters.markdown_gate import check_markdown as render_markdown
from tests.helpers import cycle_repo
from tests.landscapes import BASE_TREE


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("DEPGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    return cycle_repo(tmp_path / "repo")


@pytest.fixture
def sarif_schema(shared_dir):
    return json.loads((shared_dir / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def test_sarif_is_valid_and_locates_the_closing_entry(repo, run_cli, sarif_schema, tmp_path, monkeypatch):
    import jsonschema

    elsewhere = repo.root / "tools"  # run from a subfolder: URIs are still relative to the repository root
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run_cli("check", "-d", repo.descriptors, "--base", "HEAD~1", "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    jsonschema.validate(log, sarif_schema)
    run = log["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert {"hard-cycle", "spof-infrastructure", "unowned"} <= set(rules)
    assert rules["hard-cycle"]["shortDescription"]["text"] and rules["hard-cycle"]["help"]["text"]
    new = [r for r in run["results"] if r["baselineState"] == "new"]
    cycle = next(r for r in new if r["ruleId"] == "hard-cycle")
    assert cycle["level"] == "error"
    location = cycle["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "descriptors/services/index.yaml"
    assert location["region"]["startLine"] == repo.line_of("services/index.yaml", "- search")
    assert len(cycle["partialFingerprints"]["depgraph/v1"]) == 16
    assert run["tool"]["driver"]["rules"][cycle["ruleIndex"]]["id"] == "hard-cycle"
    old = [r for r in run["results"] if r["baselineState"] == "unchanged"]
    assert {r["level"] for r in old} <= {"warning", "note"} and old


def test_sarif_marks_excepted_findings_suppressed(tree, run_cli, sarif_schema):
    import jsonschema

    root = tree(BASE_TREE)
    (root / "depgraph.yaml").write_text(
        "exceptions:\n  - {rule: spof-service, subject: db, reason: moving to a cluster, expires: 2999-01-01}\n")
    log = json.loads(run_cli("check", "-d", root, "--format", "sarif").stdout)
    jsonschema.validate(log, sarif_schema)
    suppressed = [r for r in log["runs"][0]["results"] if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"][0]["justification"]) for r in suppressed] == [
        ("spof-service", "moving to a cluster (until 2999-01-01)")]


def test_junit_has_a_failing_case_per_blocking_rule(repo, run_cli, monkeypatch):
    monkeypatch.chdir(repo.root)
    result = run_cli("check", "-d", "descriptors", "--base", "HEAD~1", "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    suite = root.find("testsuite")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert suite.get("failures") == "1" and suite.get("tests") == str(len(cases))
    failure = cases["hard-cycle"].find("failure")
    assert failure is not None
    line = repo.line_of("services/index.yaml", "- search")
    assert f"descriptors/services/index.yaml:{line}: error: service:index:" in failure.text
    assert cases["unowned"].find("failure") is None
    assert cases["hard-cycle"].get("file") == "descriptors/services/index.yaml"


def test_junit_skips_rules_turned_off(tree, run_cli):
    root = tree(BASE_TREE)
    (root / "depgraph.yaml").write_text("rules: {soft-cycle: off}\n")
    suite = ET.fromstring(run_cli("check", "-d", root, "--format", "junit").stdout).find("testsuite")
    case = next(c for c in suite.iter("testcase") if c.get("name") == "soft-cycle")
    assert case.find("skipped") is not None and suite.get("skipped") == "1"


def test_github_escaping():
    assert command("error", "100% sure\r\nreally", file="a,b:c.yaml", line=3, title="x: y, z") == (
        "::error file=a%2Cb%3Ac.yaml,line=3,title=x%3A y%2C z::100%25 sure%0D%0Areally")
    assert command("notice", "plain") == "::notice::plain"


def _result(**changes) -> CheckResult:
    block = Finding("hard-cycle", "error", "service:a", "ring a -> b -> a", "d/a.yaml", 4, key=("a", "b"))
    soft = Finding("soft-cycle", "warning", "service:c", "soft <ring>|c", "d/c.yaml", 2, key=("c", "d"))
    old = Finding("unowned", "error", "service:z", "z has no owner", "d/z.yaml", 1)
    fields = dict(new=[block, soft], existing=[(old, "base")], excepted=[], stale=[], fail_on="error")
    fields.update(changes)
    return CheckResult(**fields)


def test_github_annotates_only_new_findings():
    lines = render_github(_result()).splitlines()
    assert lines[0] == "::error file=d/a.yaml,line=4,title=depgraph hard-cycle::service:a: ring a -> b -> a"
    assert lines[1].startswith("::warning file=d/c.yaml,line=2,")
    assert not any("service:z" in line for line in lines)
    assert lines[-1].startswith("depgraph check FAILED: 1 new blocking finding ")


def test_markdown_puts_new_blocking_first_and_escapes():
    text = render_markdown(_result())
    blocking, not_blocking, old = (text.index("### New and blocking (1)"),
                                   text.index("### New, not blocking (1)"), text.index("Existing findings (1)"))
    assert blocking < not_blocking < old
    assert text.startswith("## :x: depgraph check")
    assert "soft \\<ring\\>\\|c" in text
    assert render_markdown(_result(new=[])).startswith("## :white_check_mark: depgraph check")


def test_markdown_and_text_from_the_cli(repo, run_cli, monkeypatch):
    monkeypatch.chdir(repo.root)
    markdown = run_cli("check", "-d", "descriptors", "--base", "HEAD~1", "--format", "markdown").stdout
    assert "### New and blocking (1)" in markdown and "`descriptors/services/index.yaml:9`" in markdown
    text = run_cli("check", "-d", "descriptors", "--base", "HEAD~1").stdout
    assert text.splitlines()[0].startswith("depgraph check FAILED: 1 new blocking finding")
    assert "descriptors/services/index.yaml:9: error: hard-cycle: service:index" in text


BROKEN = {"services/bad.yaml": "kind: service\nname: bad\ndependencies: [nowhere]\ncolour: red\n"}


class TestInvalidDescriptorsInEveryFormat:
    """``check`` on a tree that does not load still writes the asked format, each error a
    result at its file and line, and exits 2 (SPEC §4)."""

    @pytest.fixture
    def broken(self, tree, tmp_path, monkeypatch):
        root = tree({**BASE_TREE, **BROKEN})
        monkeypatch.chdir(tmp_path)
        return root.relative_to(tmp_path)

    def run(self, run_cli, broken, format):
        result = run_cli("check", "-d", broken, "--format", format)
        assert result.exit_code == 2
        assert "descriptors/services/bad.yaml:3:" in result.stderr  # the errors on stderr too
        return result.stdout

    def test_sarif(self, run_cli, broken, sarif_schema):
        import jsonschema

        log = json.loads(self.run(run_cli, broken, "sarif"))
        jsonschema.validate(log, sarif_schema)
        results = log["runs"][0]["results"]
        assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                 r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results] == [
            ("invalid-descriptor", "descriptors/services/bad.yaml", 3),
            ("invalid-descriptor", "descriptors/services/bad.yaml", 4)]
        assert "unknown service 'nowhere'" in results[0]["message"]["text"]
        assert log["runs"][0]["invocations"][0]["exitCode"] == 2

    def test_junit(self, run_cli, broken):
        suite = ET.fromstring(self.run(run_cli, broken, "junit").encode())
        [case] = suite.iter("testcase")
        assert case.get("name") == "invalid-descriptor"
        assert "descriptors/services/bad.yaml:4: error:" in case.find("failure").text

    def test_github(self, run_cli, broken):
        lines = self.run(run_cli, broken, "github").splitlines()
        assert lines[0].startswith("::error file=descriptors/services/bad.yaml,line=3,")
        assert lines[1].startswith("::error file=descriptors/services/bad.yaml,line=4,")

    def test_json(self, run_cli, broken):
        document = json.loads(self.run(run_cli, broken, "json"))
        assert document["decision"]["exit_code"] == 2 and not document["decision"]["passed"]
        assert [(f["rule"], f["line"]) for f in document["new"]] == [
            ("invalid-descriptor", 3), ("invalid-descriptor", 4)]

    def test_an_invalid_policy_is_reported_the_same_way(self, run_cli, tree, tmp_path, monkeypatch):
        root = tree(BASE_TREE)
        (root / "depgraph.yaml").write_text("rules: {hard-cycle: loud}\n")
        monkeypatch.chdir(tmp_path)
        result = run_cli("check", "-d", root.relative_to(tmp_path), "--format", "json")
        assert result.exit_code == 2
        [finding] = json.loads(result.stdout)["new"]
        assert (finding["rule"], finding["line"]) == ("invalid-policy", 1)

    def test_gitlab(self, run_cli, broken):
        issues = json.loads(self.run(run_cli, broken, "gitlab"))
        assert [(i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"])
                for i in issues] == [
            ("invalid-descriptor", "blocker", "descriptors/services/bad.yaml", 3),
            ("invalid-descriptor", "blocker", "descriptors/services/bad.yaml", 4)]
