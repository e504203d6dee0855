"""Baselines: written sorted and atomically, accepted findings pass, stale entries reported,
new findings still block, and a corrupt file is a clear exit 2."""

from __future__ import annotations

import json

import pytest
from tests.landscapes import BASE_TREE

from depgraph.gate.baseline import BaselineError, parse_baseline

UNOWNED = {"services/orphan.yaml": "kind: service\nname: orphan\n"}


def check(run_cli, root, *args):
    result = run_cli("check", "-d", root, "--format", "json", *args)
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def test_fresh_baseline_accepts_everything(tree, run_cli, tmp_path):
    root = tree({**BASE_TREE, **UNOWNED})
    baseline = tmp_path / "baseline.json"
    assert check(run_cli, root)[0].exit_code == 1  # orphan is unowned: an error
    result, doc = check(run_cli, root, "--write-baseline", baseline)
    assert result.exit_code == 0
    written = json.loads(baseline.read_text())
    assert written["schema"] == "depgraph/baseline/v1"
    keys = [(e["rule"], e["subject"], e["fingerprint"]) for e in written["findings"]]
    assert keys == sorted(keys) and ("unowned", "service:orphan") in [k[:2] for k in keys]
    assert all(set(e) == {"fingerprint", "rule", "subject", "message"} for e in written["findings"])
    result, doc = check(run_cli, root, "--baseline", baseline)
    assert result.exit_code == 0
    assert doc["new"] == [] and doc["stale"] == []
    assert {e["because"] for e in doc["existing"]} == {"baseline"}


def test_same_findings_give_the_same_bytes(tree, run_cli, tmp_path):
    root = tree({**BASE_TREE, **UNOWNED})
    check(run_cli, root, "--write-baseline", tmp_path / "a.json")
    check(run_cli, root, "--write-baseline", tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_new_finding_blocks_despite_the_baseline(tree, run_cli, tmp_path):
    root = tree(BASE_TREE)
    baseline = tmp_path / "baseline.json"
    check(run_cli, root, "--write-baseline", baseline)
    (root / "services/orphan.yaml").write_text(UNOWNED["services/orphan.yaml"])
    result, doc = check(run_cli, root, "--baseline", baseline)
    assert result.exit_code == 1
    assert [(f["rule"], f["subject"]) for f in doc["new"] if f["blocking"]] == [("unowned", "service:orphan")]
    assert {f["subject"] for f in doc["new"]} == {"service:orphan"}


def test_fixed_finding_is_stale_and_pruning_only_shrinks(tree, run_cli, tmp_path):
    root = tree({**BASE_TREE, **UNOWNED})
    baseline = tmp_path / "baseline.json"
    check(run_cli, root, "--write-baseline", baseline)
    before = json.loads(baseline.read_text())["findings"]
    (root / "services/orphan.yaml").unlink()
    (root / "services/other.yaml").write_text("kind: service\nname: other\n")  # a new problem
    result, doc = check(run_cli, root, "--baseline", baseline)
    assert [(e["rule"], e["subject"]) for e in doc["stale"]] == [("no-deployments", "service:orphan"),
                                                                 ("readiness-gap", "service:orphan"),
                                                                 ("unowned", "service:orphan")]
    assert result.exit_code == 1  # service:other is new and unowned
    text = run_cli("check", "-d", root, "--baseline", baseline).stdout
    assert "Stale baseline entries (3): fixed, remove them from" in text
    check(run_cli, root, "--baseline", baseline, "--write-baseline", baseline)
    after = json.loads(baseline.read_text())["findings"]
    assert {e["fingerprint"] for e in after} == {e["fingerprint"] for e in before} - {
        e["fingerprint"] for e in doc["stale"]}
    assert "service:other" not in {e["subject"] for e in after}


@pytest.mark.parametrize(("content", "message"), [
    ('{"schema": "depgraph/baseline/v1", "findings": [', "not valid JSON"),
    ('{"schema": "depgraph/analysis/v1", "findings": []}', "not a depgraph baseline"),
    ('[]', "not a depgraph baseline"),
    ('{"schema": "depgraph/baseline/v1", "findings": {}}', "'findings' must be a list"),
    ('{"schema": "depgraph/baseline/v1", "findings": [{"fingerprint": "xyz"}]}', "findings[0] has no valid"),
    ('{"schema": "depgraph/baseline/v1", "findings": [{"fingerprint": "0123456789abcdef", "rule": 3}]}',
     "'rule' must be a string"),
])
def test_corrupt_baseline_exits_2(tree, run_cli, tmp_path, content, message):
    root = tree(BASE_TREE)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(content)
    result = run_cli("check", "-d", root, "--baseline", baseline)
    assert result.exit_code == 2
    assert message in result.stderr and str(baseline) in result.stderr


def test_json_error_names_line_and_column():
    with pytest.raises(BaselineError, match=r"^b.json:3:1: error: corrupt baseline"):
        parse_baseline('{\n  "schema": "depgraph/baseline/v1",\n}', "b.json")


def test_missing_baseline_exits_2(tree, run_cli, tmp_path):
    result = run_cli("check", "-d", tree(BASE_TREE), "--baseline", tmp_path / "none.json")
    assert result.exit_code == 2
    assert "not found (create it with --write-baseline" in result.stderr


def test_unwritable_baseline_exits_2(tree, run_cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli("check", "-d", tree(BASE_TREE), "--write-baseline", blocker / "b.json")
    assert result.exit_code == 2 and "cannot write" in result.stderr


def test_deeply_nested_baseline_is_corrupt_not_a_crash():
    with pytest.raises(BaselineError, match="nested too deeply"):
        parse_baseline("[" * 100_000 + "]" * 100_000, "b.json")
