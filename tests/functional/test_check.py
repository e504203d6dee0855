"""The decision of ``depgraph check``: new vs existing, what blocks, exit codes, and the JSON."""

from __future__ import annotations

import json

import pytest
from tests.landscapes import BASE_TREE

from depgraph.gate.baseline import Baseline, BaselineEntry
from depgraph.gate.check import decide
from depgraph.reporters.jsondoc import check_json as check_to_json
from depgraph.gate.checkbase import BaseFacts
from depgraph.analyses.findings import Finding

CYCLE = Finding("hard-cycle", "error", "service:a", "ring", "d/a.yaml", 3, key=("service:a", "service:b"))
SOFT = Finding("soft-cycle", "warning", "service:c", "soft ring", "d/c.yaml", 2, key=("service:c", "service:d"))
INFO = Finding("no-deployments", "info", "service:e", "nowhere", "d/e.yaml", 1)
EXPIRED = Finding("expired-exception", "warning", "a", "expired", "d/depgraph.yaml", 5, key=("x",))


def facts(*findings) -> BaseFacts:
    return BaseFacts(frozenset(f.fingerprint for f in findings), {}, frozenset(), {})


@pytest.mark.parametrize(("fail_on", "blocking"), [
    ("error", ["hard-cycle"]), ("warning", ["hard-cycle", "soft-cycle"]),
    ("info", ["hard-cycle", "soft-cycle", "no-deployments"]),
])
def test_fail_on_levels(fail_on, blocking):
    result = decide([INFO, SOFT, CYCLE], fail_on=fail_on)
    assert [f.rule for f in result.blocking] == blocking
    assert result.exit_code == 1


def test_nothing_new_passes_even_with_errors():
    result = decide([CYCLE, SOFT], base=facts(CYCLE, SOFT))
    assert result.new == [] and result.exit_code == 0
    assert [why for _, why in result.existing] == ["base", "base"]


def test_baseline_and_base_together():
    baseline = Baseline("b.json", (BaselineEntry(CYCLE.fingerprint, "hard-cycle", "service:a"),))
    result = decide([CYCLE, SOFT, INFO], baseline=baseline, base=facts(SOFT))
    assert [(f.rule, why) for f, why in result.existing] == [("hard-cycle", "baseline"), ("soft-cycle", "base")]
    assert [f.rule for f in result.new] == ["no-deployments"]
    assert result.exit_code == 0


def test_stale_entries_are_reported_once_each():
    gone = BaselineEntry("0123456789abcdef", "unowned", "service:gone")
    baseline = Baseline("b.json", (gone, gone, BaselineEntry(CYCLE.fingerprint)))
    result = decide([CYCLE], baseline=baseline)
    assert result.stale == [gone]


def test_expired_exceptions_are_never_matched_against_the_base():
    result = decide([EXPIRED], base=facts(EXPIRED), fail_on="warning")
    assert result.new == [EXPIRED] and result.exit_code == 1
    baseline = Baseline("b.json", (BaselineEntry(EXPIRED.fingerprint),))
    assert decide([EXPIRED], baseline=baseline, fail_on="warning").exit_code == 0


def test_fingerprint_ignores_place_and_wording():
    moved = Finding("hard-cycle", "error", "service:a", "other words", "d/x.yaml", 99, key=CYCLE.key)
    assert decide([moved], base=facts(CYCLE)).new == []


def test_json_document():
    baseline = Baseline("b.json", (BaselineEntry("0123456789abcdef", "unowned", "service:gone"),))
    doc = check_to_json(decide([CYCLE, SOFT], baseline=baseline))
    assert doc["schema"] == "depgraph/check/v1"
    assert doc["decision"] == {"exit_code": 1, "passed": False, "fail_on": "error", "blocking": 1}
    assert doc["summary"] == {"new": 2, "blocking": 1, "existing": 0, "excepted": 0, "stale": 1}
    assert [(f["rule"], f["blocking"]) for f in doc["new"]] == [("hard-cycle", True), ("soft-cycle", False)]
    assert doc["stale"][0]["subject"] == "service:gone"


def test_example_landscape_fails_on_its_planted_errors(run_cli):
    from pathlib import Path

    descriptors = Path(__file__).resolve().parents[2] / "descriptors"
    result = run_cli("check", "-d", descriptors, "--format", "json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 1
    assert {(f["rule"], f["subject"]) for f in doc["new"] if f["blocking"]} >= {
        ("hard-cycle", "service:login"), ("spof-infrastructure", "rack:lon1/b"),
        ("unowned", "service:lyrics"), ("unowned", "service:artwork-resizer")}


def test_every_rule_the_analyses_report_is_known(run_cli):
    """SARIF and the policy need a description of every rule the example landscape yields."""
    from pathlib import Path

    from depgraph.gate.policy import RULES

    descriptors = Path(__file__).resolve().parents[2] / "descriptors"
    doc = json.loads(run_cli("check", "-d", descriptors, "--format", "json").stdout)
    assert {f["rule"] for f in doc["new"]} <= set(RULES)


def test_invalid_descriptors_exit_2(tree, run_cli):
    root = tree({**BASE_TREE, "services/bad.yaml": "kind: service\nname: Bad Name\n"})
    result = run_cli("check", "-d", root)
    assert result.exit_code == 2
    assert "services/bad.yaml:2:7: error: bad service name" in result.stderr


FAILOVER_RING = {
    "services.yaml": """
        - {kind: service, name: i, owner: sq, dependencies: [{any_of: [j, k]}]}
        - {kind: service, name: j, owner: sq, dependencies: [i]}
        - {kind: service, name: k, owner: sq}
        - {kind: team, name: sq}
    """,
}


def test_a_ring_closed_through_an_any_of_does_not_block(tree, run_cli):
    # k starts first, then i (through k), then j: the ring blocks no cold start
    root = tree(FAILOVER_RING)
    order = json.loads(run_cli("startup-order", "-d", root, "--format", "json").stdout)
    assert order["blocked"] == [] and order["waves"][0] == ["service:k"]
    [cycle] = json.loads(run_cli("analyze", "-d", root, "--format", "json").stdout)["cycles"]
    assert (cycle["members"], cycle["hard"]) == (["service:i", "service:j"], False)
    result = run_cli("check", "-d", root)
    assert result.exit_code == 0, result.stdout
    assert "hard-cycle" not in result.stdout


def test_the_same_ring_without_the_outside_alternative_blocks(tree, run_cli):
    files = {"services.yaml": FAILOVER_RING["services.yaml"].replace("any_of: [j, k]", "any_of: [j]")}
    result = run_cli("check", "-d", tree(files))
    assert result.exit_code == 1 and "hard-cycle" in result.stdout
