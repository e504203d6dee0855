"""``depgraph analyze`` and ``depgraph path`` driven through the real CLI on descriptor folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

LANDSCAPE = Path(__file__).resolve().parents[2] / "descriptors"

# A hard ring login <-> profile, a soft ring radio -> (soft) recs -> radio, a deprecated `old`
# that tier-1 `web` needs, a tier-3 `cheap` it needs too, recs owned by an unknown team and
# old by nobody. login runs on two hosts of rack lon1/a, profile as anonymous instances in lon1.
TINY = {
    "infra.yaml": """
        - {kind: datacenter, name: lon1}
        - {kind: host, name: h1, datacenter: lon1, rack: a}
        - {kind: host, name: h2, datacenter: lon1, rack: a}
        - {kind: team, name: core, tribe: platform}
        - {kind: team, name: edge}
        - {kind: client, name: ios, dependencies: [login]}
    """,
    "services/identity.yaml": """
        kind: service
        name: login
        owner: core
        tier: 1
        dependencies: [profile]
        deployments: [{datacenter: lon1, hosts: [h1, h2]}]
        ---
        kind: service
        name: profile
        owner: core
        tier: 1
        dependencies: [login]
        deployments: [{datacenter: lon1, instances: 2}]
    """,
    "services/discovery.yaml": """
        kind: service
        name: radio
        owner: edge
        dependencies:
          - {service: recs, type: soft}
        ---
        kind: service
        name: recs
        owner: edgy
        dependencies: [radio]
    """,
    "services/web.yaml": """
        - kind: service
          name: web
          owner: core
          tier: 1
          dependencies: [old, cheap]
        - {kind: service, name: old, lifecycle: deprecated}
        - {kind: service, name: cheap, owner: core, tier: 3}
    """,
}


def analysis(run_cli, root) -> dict:
    result = run_cli("analyze", "-d", root, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


class TestAnalyzeJson:
    def test_spec_shape_and_counts(self, tree, run_cli):
        doc = analysis(run_cli, tree(TINY))
        assert doc["schema"] == "depgraph/analysis/v1"
        summary = doc["summary"]
        assert {k: summary[k] for k in ("services", "clients", "hosts", "datacenters", "teams",
                                        "dependencies")} == {
            "services": 7, "clients": 1, "hosts": 2, "datacenters": 1, "teams": 2, "dependencies": 7}
        assert summary["findings"] == len(doc["findings"])
        assert sum(summary["findings_by_severity"].values()) == summary["findings"]

    def test_cycles(self, tree, run_cli):
        cycles = analysis(run_cli, tree(TINY))["cycles"]
        assert [{k: c[k] for k in ("members", "hard", "example", "blocked")} for c in cycles] == [
            {"members": ["service:login", "service:profile"], "hard": True,
             "example": ["service:login", "service:profile", "service:login"],
             "blocked": ["service:login", "service:profile"]},
            {"members": ["service:radio", "service:recs"], "hard": False,
             "example": ["service:radio", "service:recs", "service:radio"], "blocked": []},
        ]
        [cut] = cycles[0]["cuts"]
        assert (cut["source"], cut["target"], Path(cut["file"]).name) == (
            "service:profile", "service:login", "identity.yaml")
        assert cycles[1]["cuts"] == []

    def test_spofs_of_every_kind(self, tree, run_cli):
        spofs = {s["component"]: s for s in analysis(run_cli, tree(TINY))["spofs"]}
        assert sorted(spofs) == ["datacenter:lon1", "rack:lon1/a", "service:cheap", "service:login",
                                 "service:old", "service:profile", "service:radio"]
        assert spofs["datacenter:lon1"]["down"] == ["client:ios", "service:login", "service:profile"]
        cause = spofs["service:login"].pop("cause")
        assert spofs["service:login"] == {"component": "service:login", "down": ["client:ios", "service:profile"],
                                          "down_count": 2, "down_truncated": False, "degraded_count": 0,
                                          "tier1_down": 1, "clients_down": 1}
        assert cause["kind"] == "dependency" and cause["path"][-1] == "service:login"
        assert spofs["service:radio"]["down"] == ["service:recs"]

    def test_down_lists_are_bounded_and_the_bound_can_be_lifted(self, tree, run_cli):
        """A hub's loss takes down much of a landscape; listing it for every SPOF grows with the
        square of the landscape. By default ``down`` holds the first DOWN_LIMIT ids, the count
        stays exact; ``--down-limit N`` chooses the bound and 0 lifts it."""
        from depgraph.reporters.jsondoc import DOWN_LIMIT

        many = DOWN_LIMIT + 5
        files = {"infra.yaml": "- {kind: datacenter, name: lon1}\n- {kind: host, name: h1, datacenter: lon1}\n",
                 "db.yaml": "kind: service\nname: db\ndeployments: [{datacenter: lon1, hosts: [h1]}]\n",
                 "apps.yaml": "\n---\n".join(
                     f"kind: service\nname: app{i:03}\ndependencies: [db]\n"
                     f"deployments: [{{datacenter: lon1, instances: 2}}]" for i in range(many))}
        root = tree(files)
        everyone = [f"service:app{i:03}" for i in range(many)]

        db = {s["component"]: s for s in analysis(run_cli, root)["spofs"]}["service:db"]
        assert (db["down"], db["down_count"], db["down_truncated"]) == (everyone[:DOWN_LIMIT], many, True)

        for limit, listed in (("0", everyone), ("3", everyone[:3]), (str(many), everyone)):
            result = run_cli("analyze", "-d", root, "--format", "json", "--down-limit", limit)
            assert result.exit_code == 0, result.stderr
            db = {s["component"]: s for s in json.loads(result.stdout)["spofs"]}["service:db"]
            assert (db["down"], db["down_count"], db["down_truncated"]) == (listed, many, listed != everyone)

        refused = run_cli("analyze", "-d", root, "--format", "json", "--down-limit", "-1")
        assert refused.exit_code == 2 and "--down-limit" in refused.stderr

    def test_unowned(self, tree, run_cli):
        assert analysis(run_cli, tree(TINY))["unowned"] == [
            {"service": "service:old", "reason": "missing"},
            {"service": "service:recs", "reason": "unknown-team"},
        ]

    def test_findings_sorted_with_places_and_fingerprints(self, tree, run_cli):
        root = tree(TINY)
        findings = analysis(run_cli, root)["findings"]
        rank = {"error": 0, "warning": 1, "info": 2}
        keys = [(rank[f["severity"]], f["rule"]) for f in findings]
        assert keys == sorted(keys)
        # within a rule, the SPOFs that take down the most tier-1 services and clients first
        spof_rank = [s["component"] for s in analysis(run_cli, root)["spofs"]]
        services = [f["subject"] for f in findings if f["rule"] == "spof-service" and f["severity"] == "warning"]
        assert services == sorted(services, key=spof_rank.index)
        assert set(findings[0]) == {"rule", "severity", "subject", "message", "file", "line", "fingerprint", "cause"}
        by_rule = {(f["rule"], f["subject"]): f for f in findings}
        hard = by_rule["hard-cycle", "service:login"]
        assert hard["severity"] == "error"
        assert (hard["file"], hard["line"]) == (f"{root}/services/identity.yaml", 12)  # profile -> login
        assert by_rule["soft-cycle", "service:radio"]["severity"] == "warning"
        assert by_rule["unowned", "service:recs"]["severity"] == "error"
        assert by_rule["deprecated-dependency", "service:web"]["severity"] == "warning"
        assert by_rule["tier-inversion", "service:web"]["severity"] == "warning"

    def test_readiness_and_startup_are_included(self, tree, run_cli):
        doc = analysis(run_cli, tree(TINY))
        assert [c["service"] for c in doc["readiness"]["services"]] == sorted(
            f"service:{n}" for n in ("login", "profile", "radio", "recs", "web", "old", "cheap"))
        assert {t["group"] for t in doc["readiness"]["tribes"]} == {"tribe:platform", None}
        assert "waves" in doc["startup"]

    def test_same_bytes_every_run(self, tree, run_cli):
        root = tree(TINY)
        first = run_cli("analyze", "-d", root, "--format", "json").stdout
        assert run_cli("analyze", "-d", root, "--format", "json").stdout == first


class TestAnalyzeText:
    def test_ranked_summary_errors_first(self, tree, run_cli):
        result = run_cli("analyze", "-d", tree(TINY))
        assert result.exit_code == 0  # analyze reports; check gates
        out = result.stdout
        assert "7 services, 1 client, 2 hosts" in out
        assert out.index("Errors (") < out.index("Hard cycles (1)") < out.index("Warnings")
        assert "service:login -> service:profile -> service:login" in out
        assert "cut or soften: service:" in out
        top_spof = out.split("Single points of failure")[1].splitlines()[3]
        # tier-1 down, clients down, down, degraded, component
        assert top_spof.split() == ["2", "1", "3", "0", "datacenter:lon1"]
        assert "service:recs  unknown-team" in out

    def test_clean_landscape(self, tree, run_cli):
        root = tree({"a.yaml": "- {kind: team, name: t}\n- {kind: service, name: a, owner: t}\n"})
        result = run_cli("analyze", "-d", root)
        assert result.exit_code == 0
        assert "Single points of failure: none" in result.stdout
        assert "Errors" not in result.stdout

    def test_markdown_tables(self, tree, run_cli):
        out = run_cli("analyze", "-d", tree(TINY), "--format", "markdown").stdout
        assert out.startswith("# depgraph report")
        assert "## Errors (5)" in out
        assert "| component | tier-1 down | clients down | down | degraded |" in out
        assert "| `datacenter:lon1` | 2 | 1 | 3 | 0 |" in out
        assert "| `platform` | 4 | 0 | 0 | 0 | 4 | 0% |" in out

    def test_invalid_descriptors_exit_2(self, tree, run_cli):
        result = run_cli("analyze", "-d", tree({"a.yaml": "kind: service\nname: A\n"}))
        assert result.exit_code == 2


class TestPathCommand:
    def test_text_explains_each_step(self, tree, run_cli):
        result = run_cli("path", "ios", "profile", "-d", tree(TINY))
        assert result.exit_code == 0
        assert "client:ios -hard-> service:login" in result.stdout
        assert "service:login -hard-> service:profile" in result.stdout

    def test_json(self, tree, run_cli):
        result = run_cli("path", "client:ios", "service:profile", "-d", tree(TINY), "--format", "json")
        doc = json.loads(result.stdout)
        assert doc["schema"] == "depgraph/paths/v1"
        assert (doc["from"], doc["to"]) == ("client:ios", "service:profile")
        assert [p["nodes"] for p in doc["paths"]] == [["client:ios", "service:login", "service:profile"]]

    def test_no_path_is_said_plainly(self, tree, run_cli):
        result = run_cli("path", "web", "login", "-d", tree(TINY), "--format", "json")
        assert result.exit_code == 0
        assert json.loads(result.stdout)["paths"] == []

    def test_unknown_name_is_a_usage_error_with_a_hint(self, tree):
        import subprocess
        import sys

        proc = subprocess.run([sys.executable, "-m", "depgraph", "path", "web", "logn", "-d", str(tree(TINY))],
                              capture_output=True, text=True)
        assert proc.returncode == 2
        assert "did you mean 'login'" in proc.stderr


@pytest.mark.skipif(not LANDSCAPE.is_dir(), reason="the bundled example landscape is not present")
class TestBundledLandscape:
    """The planted problems of descriptors/ (see descriptors/README.md) are all found."""

    @pytest.fixture(scope="class")
    @classmethod
    def doc(cls):
        from typer.testing import CliRunner

        from depgraph.cli import app

        result = CliRunner().invoke(app, ["analyze", "-d", str(LANDSCAPE), "--format", "json"])
        assert result.exit_code == 0
        return json.loads(result.stdout)

    def test_planted_cycles(self, doc):
        cycles = {tuple(c["members"]): c["hard"] for c in doc["cycles"]}
        assert cycles[("service:login", "service:subscription", "service:user-profile")] is True
        assert cycles[("service:radio", "service:recommendations")] is False

    def test_planted_unowned(self, doc):
        assert doc["unowned"] == [{"service": "service:artwork-resizer", "reason": "missing"},
                                  {"service": "service:lyrics", "reason": "unknown-team"}]

    def test_planted_tier_inversion_and_deprecated_dependency(self, doc):
        def subjects(rule):
            return [f["subject"] for f in doc["findings"] if f["rule"] == rule]

        assert "service:access-point" in subjects("tier-inversion")
        inversion = next(f for f in doc["findings"] if f["rule"] == "tier-inversion"
                         and f["subject"] == "service:access-point")
        assert "service:ab-testing" in inversion["message"]
        assert subjects("deprecated-dependency") == ["service:radio"]

    def test_hard_cycle_is_an_error_with_a_cut(self, doc):
        [finding] = [f for f in doc["findings"] if f["rule"] == "hard-cycle"]
        assert finding["severity"] == "error" and finding["subject"] == "service:login"
        assert len(doc["cycle_breakers"]) == 1
