"""``check --write-baseline`` is all or nothing: every refusal comes before anything is written.

Each case runs the real CLI with a baseline file already in place (or a target that must not
appear) and checks that a refused run leaves every byte as it was: bad targets (a folder, the
policy, a file the loader would read as a descriptor), bad inputs (a policy, a baseline, a git
ref), and invalid descriptors.
"""

from __future__ import annotations

import json

import pytest
from tests.landscapes import BASE_TREE
from tests.helpers import GitRepo

UNOWNED = {"services/orphan.yaml": "kind: service\nname: orphan\n"}
OLD = '{"schema": "depgraph/baseline/v1", "findings": []}\n'


def snapshot(*folders):
    return {p: p.read_bytes() for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    repo = GitRepo(tmp_path / "repo")
    repo.write({**BASE_TREE, **UNOWNED})
    repo.commit("base")
    monkeypatch.chdir(repo.root)
    return repo


@pytest.mark.parametrize("case", ["unknown ref", "ref syntax", "bad policy", "bad baseline", "invalid tree",
                                  "target is a folder", "target is the policy", "target is a descriptor",
                                  "target is the root policy name", "parent is a file"])
def test_a_refused_check_writes_no_baseline(repo, run_cli, tmp_path, case):
    out = tmp_path / "out" / "baseline.json"
    out.parent.mkdir()
    out.write_text(OLD)
    args = ["check", "-d", "descriptors", "--write-baseline", out]
    if case == "unknown ref":
        args += ["--base", "origin/nope"]
    elif case == "ref syntax":
        args += ["--base", "..." * 1200]
    elif case == "bad policy":
        (repo.descriptors / "depgraph.yaml").write_text("rules:\n  nosuch-rule: error\n")
    elif case == "bad baseline":
        (tmp_path / "in.json").write_text('{"schema": "depgraph/baseline/v1", "findings": [')
        args += ["--baseline", tmp_path / "in.json"]
    elif case == "invalid tree":
        repo.write({"services/broken.yaml": "kind: service\nname: Bad Name\n"})
    elif case == "target is a folder":
        args[-1] = tmp_path / "out"
    elif case == "target is the policy":
        (repo.descriptors / "depgraph.yaml").write_text("rules: {}\n")
        args[-1] = repo.descriptors / "depgraph.yaml"
    elif case == "target is a descriptor":
        args[-1] = repo.descriptors / "baseline.yaml"
    elif case == "target is the root policy name":
        args[-1] = repo.descriptors / "depgraph.yaml"
    elif case == "parent is a file":
        args[-1] = out / "baseline.json"
    before = snapshot(repo.descriptors, tmp_path / "out")
    result = run_cli(*args)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert snapshot(repo.descriptors, tmp_path / "out") == before
    assert not list((tmp_path / "out").glob(".*.tmp")) and not list(repo.descriptors.rglob(".*.tmp"))
    assert "depgraph: error:" in result.stderr or ": error:" in result.stderr


def test_a_target_refusal_comes_before_the_analysis(repo, run_cli, monkeypatch):
    import depgraph.gate.check as check

    monkeypatch.setattr(check, "evaluate", lambda *a: pytest.fail("analysed before refusing"))
    result = run_cli("check", "-d", "descriptors", "--write-baseline", repo.descriptors / "b.yml")
    assert result.exit_code == 2 and "would be read as a descriptor" in result.stderr


def test_an_accepted_write_is_what_a_later_check_reads(repo, run_cli, tmp_path):
    out = tmp_path / "new" / "baseline.json"
    result = run_cli("check", "-d", "descriptors", "--format", "json", "--write-baseline", out)
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    written = json.loads(out.read_text())["findings"]
    assert doc["notes"] == [f"wrote {len(written)} finding{'' if len(written) == 1 else 's'} to the baseline {out}"]
    assert {e["fingerprint"] for e in written} == {e["fingerprint"] for e in doc["existing"]}
    again = run_cli("check", "-d", "descriptors", "--format", "json", "--baseline", out)
    assert again.exit_code == 0 and json.loads(again.stdout)["new"] == []
    # a hidden or .json file inside the folder is no descriptor: allowed
    assert run_cli("check", "-d", "descriptors", "--write-baseline", repo.descriptors / "baseline.json").exit_code == 0
    assert run_cli("validate", "-d", "descriptors").exit_code == 0
