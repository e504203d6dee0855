"""The check policy: every rule kind on a small tree, exceptions, expiry, and invalid policies."""

from __future__ import annotations

import json
import textwrap

import pytest
from tests.landscapes import BASE_TREE

from depgraph.gate.policy import parse_policy

LEDGER = {
    "services/ledger.yaml": """
        kind: service
        name: ledger
        owner: pay
        tier: 3
        deployments:
          - {datacenter: sto1, instances: 2}
        """,
    "services/billing.yaml": """
        kind: service
        name: billing
        owner: pay
        tier: 2
        labels: {pci: "yes"}
        dependencies:
          - ledger
        deployments:
          - {datacenter: sto1, instances: 2}
        """,
    # api (tier 1, tribe product) gains a hard dependency on ledger (tier 3, tribe payments).
    "services/api.yaml": BASE_TREE["services/api.yaml"].replace("  - db\n", "  - db\n  - ledger\n"),
}


@pytest.fixture
def landscape(tree):
    def make(policy: str, extra: dict | None = None):
        root = tree({**BASE_TREE, **LEDGER, **(extra or {})})
        (root / "depgraph.yaml").write_text(textwrap.dedent(policy).lstrip("\n"), encoding="utf-8")
        return root
    return make


def run(run_cli, root, *args):
    result = run_cli("check", "-d", root, "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    return result, json.loads(result.stdout)


def new(doc, rule):
    return [f for f in doc["new"] if f["rule"] == rule]


def test_forbid_by_tier(landscape, run_cli):
    root = landscape("""
        forbid:
          - id: tier1-not-on-tier3
            description: tier-1 services must not hard-depend on tier-3 services
            from: {tier: 1}
            to: {tier: 3}
            type: hard
        """)
    result, doc = run(run_cli, root)
    found = new(doc, "tier1-not-on-tier3")
    assert [(f["subject"], f["severity"]) for f in found] == [("service:api", "error")]
    lines = (root / "services/api.yaml").read_text().splitlines()
    assert found[0]["file"].endswith("services/api.yaml")
    assert lines[found[0]["line"] - 1].strip() == "- ledger"
    assert "tier-1 services must not hard-depend on tier-3 services" in found[0]["message"]
    assert result.exit_code == 1


def test_forbid_soft_type_does_not_match_hard(landscape, run_cli):
    root = landscape("""
        forbid:
          - {id: no-soft-on-ledger, to: {name: ledger}, type: soft}
        """)
    assert new(run(run_cli, root)[1], "no-soft-on-ledger") == []


def test_only_one_tribe_may_depend(landscape, run_cli):
    root = landscape("""
        forbid:
          - id: ledger-is-payments-only
            description: only the payments tribe may depend on ledger
            from: {not: {tribe: payments}}
            to: {name: ledger}
        """)
    found = new(run(run_cli, root)[1], "ledger-is-payments-only")
    assert [f["subject"] for f in found] == ["service:api"]  # billing is in payments


def test_selectors_on_team_labels_lifecycle_and_globs(landscape, run_cli):
    root = landscape("""
        forbid:
          - {id: pci-to-ledger, from: {labels: {pci: "y*"}}, to: {name: "led*"}}
          - {id: web-team, from: {team: web, lifecycle: production}, to: {name: [ledger, nothing]}}
          - {id: experimental-only, from: {lifecycle: experimental}, to: {name: ledger}}
          - {id: clients-only, from: {kind: client}, to: {name: ledger}}
        """)
    doc = run(run_cli, root)[1]
    assert [f["subject"] for f in new(doc, "pci-to-ledger")] == ["service:billing"]
    assert [f["subject"] for f in new(doc, "web-team")] == ["service:api"]
    assert new(doc, "experimental-only") == [] and new(doc, "clients-only") == []


def test_no_hard_dependency_across_data_centers(landscape, run_cli):
    root = landscape("""
        forbid:
          - id: same-dc
            description: no hard dependency across data centers
            type: hard
            across: datacenter
          - {id: same-region, type: hard, across: region}
        """)
    doc = run(run_cli, root)[1]
    # api runs in lon1 and sto1; ledger only in sto1. billing and ledger share sto1.
    found = new(doc, "same-dc")
    assert [f["subject"] for f in found] == ["service:api"]
    assert "it runs in lon1, where that does not run" in found[0]["message"]
    assert new(doc, "same-region") == []  # lon1 and sto1 are both in eu


def test_any_of_crosses_only_when_no_alternative_is_there(tree, run_cli):
    root = tree({**BASE_TREE, "services/ledger.yaml": LEDGER["services/ledger.yaml"],
                 "services/ledger2.yaml": LEDGER["services/ledger.yaml"].replace("ledger", "ledger2").replace(
                     "sto1", "lon1"),
                 "services/api.yaml": BASE_TREE["services/api.yaml"].replace(
                     "  - db\n", "  - db\n  - any_of: [ledger, ledger2]\n")})
    (root / "depgraph.yaml").write_text("forbid:\n  - {id: same-dc, across: datacenter}\n")
    assert new(run(run_cli, root)[1], "same-dc") == []


def test_require_two_datacenters(landscape, run_cli):
    root = landscape("""
        require:
          - id: tier1-two-dcs
            description: every tier-1 service runs in at least two data centers
            for: {tier: 1}
            min_datacenters: 2
          - id: payments-ready
            for: {tribe: payments}
            min_instances: 3
            readiness: [runbook]
            labels: [pci]
            severity: warning
        """, {"services/db.yaml": BASE_TREE["services/db.yaml"].replace(
            "  - {datacenter: sto1, hosts: [sto1-a-1]}\n", "")})
    doc = run(run_cli, root)[1]
    found = new(doc, "tier1-two-dcs")
    assert [f["subject"] for f in found] == ["service:db"]
    assert "runs in 1 data center (lon1), needs 2" in found[0]["message"]
    assert found[0]["line"] == 6  # the deployments entry
    ready = {f["subject"]: f["message"] for f in new(doc, "payments-ready")}
    assert set(ready) == {"service:billing", "service:ledger"}
    assert "has 2 instances, needs 3; lacks readiness runbook" in ready["service:billing"]
    assert "lacks label pci" in ready["service:ledger"] and "lacks label pci" not in ready["service:billing"]


def test_rule_severities_and_off(landscape, run_cli):
    root = landscape("""
        rules:
          readiness-gap: off
          spof-service: error
        """)
    result, doc = run(run_cli, root)
    assert new(doc, "readiness-gap") == []
    assert {f["severity"] for f in new(doc, "spof-service")} == {"error"}
    assert result.exit_code == 1
    assert json.loads(run_cli("check", "-d", root, "--format", "sarif").stdout)


def test_exception_lets_a_finding_through_until_it_expires(landscape, run_cli):
    policy = """
        forbid:
          - {id: tier1-not-on-tier3, from: {tier: 1}, to: {tier: 3}}
        exceptions:
          - rule: tier1-not-on-tier3
            subject: api
            target: service:ledger
            reason: ledger moves to tier 1 with the Q3 launch
            expires: EXPIRES
        """
    result, doc = run(run_cli, landscape(policy.replace("EXPIRES", "2999-12-31")))
    assert new(doc, "tier1-not-on-tier3") == []
    assert [(f["subject"], f["exception"]["reason"]) for f in doc["excepted"]] == [
        ("service:api", "ledger moves to tier 1 with the Q3 launch")]

    result, doc = run(run_cli, landscape(policy.replace("EXPIRES", "2001-01-31")))
    assert [(f["subject"], f["blocking"]) for f in new(doc, "tier1-not-on-tier3")] == [("service:api", True)]
    expired = new(doc, "expired-exception")
    assert len(expired) == 1 and "expired on 2001-01-31" in expired[0]["message"]
    assert expired[0]["file"].endswith("depgraph.yaml") and expired[0]["line"] == 4
    assert (expired[0]["severity"], expired[0]["blocking"]) == ("warning", False)


def test_exception_target_must_match(landscape, run_cli):
    root = landscape("""
        forbid:
          - {id: tier1-not-on-tier3, from: {tier: 1}, to: {tier: 3}}
        exceptions:
          - {rule: tier1-not-on-tier3, subject: api, target: db, reason: wrong target, expires: 2999-01-01}
        """)
    doc = run(run_cli, root)[1]
    assert len(new(doc, "tier1-not-on-tier3")) == 1
    assert [f["severity"] for f in new(doc, "unused-exception")] == ["info"]


def test_exception_for_a_builtin_rule(landscape, run_cli):
    root = landscape("""
        exceptions:
          - {rule: spof-service, subject: "service:db", reason: failover in progress, expires: 2999-01-01}
        """)
    doc = run(run_cli, root)[1]
    assert "service:db" not in {f["subject"] for f in new(doc, "spof-service")}


def test_explicit_policy_option(tree, run_cli, tmp_path):
    root = tree(BASE_TREE)
    policy = tmp_path / "policy.yaml"
    policy.write_text("rules: {spof-service: error}\n")
    result = run_cli("check", "-d", root, "--policy", policy)
    assert result.exit_code == 1
    missing = run_cli("check", "-d", root, "--policy", tmp_path / "nope.yaml")
    assert missing.exit_code == 2 and "policy file" in missing.stderr


@pytest.mark.parametrize(("text", "line", "col", "message"), [
    ("rules:\n  spof-servce: error\n", 2, 3, "unknown rule 'spof-servce'; did you mean 'spof-service'?"),
    ("rules:\n  hard-cycle: fatal\n", 2, 15, "severity must be one of error, warning, info, off"),
    ("forbid:\n  - id: x\n    form: {tier: 1}\n", 3, 5, "unknown field 'form' in forbid rule; did you mean 'from'?"),
    ("forbid:\n  - id: x\n    from: {tier: 4}\n", 3, 18, "'tier' must be 1, 2, 3"),
    ("forbid:\n  - id: x\n    from: {tribe: a}\n    across: rack\n", 4, 13, "'across' must be datacenter or region"),
    ("forbid:\n  - id: x\n", 2, 5, "a forbid rule needs 'from', 'to' or 'across'"),
    ("forbid:\n  - {id: hard-cycle, to: {name: a}}\n", 2, 10, "is a built-in rule"),
    ("forbid:\n  - {id: x, to: {name: a}}\n  - {id: x, to: {name: b}}\n", 3, 1, "rule id 'x' is used twice"),
    ("require:\n  - id: r\n    for: {tier: 1}\n", 2, 5, "a require rule needs min_datacenters"),
    ("require:\n  - {id: r, readiness: [runbok]}\n", 2, 25, "did you mean 'runbook'?"),
    ("exceptions:\n  - {rule: nope, subject: a, reason: r, expires: 2030-01-01}\n", 2, 12, "unknown rule 'nope'"),
    ("exceptions:\n  - {rule: unowned, subject: a, reason: r, expires: soon}\n", 2, 53, "YYYY-MM-DD"),
    ("exceptions:\n  - {rule: unowned, subject: a, expires: 2030-01-01}\n", 2, 5, "missing required field 'reason'"),
    ("rules: {hard-cycle: error}\nrules: {soft-cycle: off}\n", 2, 1, "duplicate key 'rules'"),
    ("forbid: [\n", 2, 1, "YAML syntax"),
    ("- a\n", 1, 1, "a policy is a mapping"),
])
def test_invalid_policy_reports_file_line_col(tree, run_cli, text, line, col, message):
    root = tree(BASE_TREE)
    (root / "depgraph.yaml").write_text(text, encoding="utf-8")
    result = run_cli("check", "-d", root)
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{root}/depgraph.yaml:{line}:{col}: error: "), first
    assert message in first


def test_a_policy_that_is_not_utf8_is_reported_at_its_line(tree, run_cli):
    root = tree(BASE_TREE)
    (root / "depgraph.yaml").write_bytes(b"rules:\n  hard-cycle: error\n  # caf\xe9\n")
    result = run_cli("check", "-d", root)
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{root}/depgraph.yaml:3:1: error: policy file is not valid UTF-8 (byte 0xe9"), first


def test_every_policy_error_at_once():
    from depgraph.diagnostics import DescriptorError

    with pytest.raises(DescriptorError) as caught:
        parse_policy("rules: {nope: error}\nforbid:\n  - {id: x, tpye: hard, to: {name: a}}\n", "p.yaml")
    assert [(d.line, d.col) for d in caught.value.diagnostics] == [(1, 9), (3, 13)]


def test_empty_policy_file_is_the_empty_policy():
    assert parse_policy("# nothing yet\n", "p.yaml").forbid == ()
