"""``depgraph recovery`` through the real CLI: a cold start and a restoration in text, JSON and
Markdown, the policy's defaults, the answer from the compiled-model cache, and bad input."""

from __future__ import annotations

import json

import pytest

LANDSCAPE = {
    "dc.yaml": "- {kind: datacenter, name: lon1}\n- {kind: host, name: db1, datacenter: lon1, rack: a}\n",
    "teams.yaml": "kind: team\nname: core\n",
    "services.yaml": """
        - {kind: service, name: postgres, owner: core, recovery: {start_time: 20m},
           deployments: [{datacenter: lon1, hosts: [db1]}]}
        - {kind: service, name: cache, owner: core, recovery: {start_time: 5m}}
        - {kind: service, name: login, owner: core, tier: 1, recovery: {start_time: 2m, rto: 15m},
           dependencies: [postgres, {any_of: [cache, postgres]}]}
        - {kind: service, name: search, owner: core, tier: 2, recovery: {rto: 30m},
           dependencies: [{service: login, type: soft}]}
        - {kind: service, name: ring-a, owner: core, dependencies: [ring-b]}
        - {kind: service, name: ring-b, owner: core, dependencies: [ring-a]}
        - {kind: client, name: ios, dependencies: [login, search]}
    """,
}


@pytest.fixture
def landscape(tree, tmp_path, monkeypatch):
    monkeypatch.setenv("DEPGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    return tree(LANDSCAPE)


def test_a_cold_start_in_text_names_the_time_the_paths_the_misses_and_the_blocked(run_cli, landscape):
    result = run_cli("recovery", "-d", landscape, "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "Cold start: every service down at t = 0, each starting once its hard dependencies are ready.",
        "Never fully back: 2 never get ready (blocked, below); the other 4 restarting services are back "
        "after 22m (the last: client:ios); 1 misses its RTO.",
    ]
    assert "service:postgres (20m) → service:login (2m) = 22m" in result.stdout
    assert "  service:login  tier 1  ready 22m, RTO 15m: 7m late" in result.stdout
    assert "  service:ring-a: needs service:ring-b, which never starts; hard cycle" in result.stdout
    assert "CLIENTS (1): client:ios 22m" in result.stdout


def test_json_is_the_recovery_document(run_cli, landscape):
    document = json.loads(run_cli("recovery", "-d", landscape, "--format", "json").stdout)
    assert document["schema"] == "depgraph/recovery/v1"
    assert (document["failed"], document["ready_at"]) == ([], 1320)
    services = {s["service"]: s for s in document["services"]}
    assert [s["service"] for s in document["services"]] == sorted(services)
    assert services["service:login"] == {"service": "service:login", "ready_at": 1320, "rto": 900,
                                         "meets": False,
                                         "critical_path": ["service:postgres", "service:login"]}
    assert services["service:search"]["ready_at"] == 60 and services["service:search"]["meets"] is True
    assert document["clients"] == [{"client": "client:ios", "ready_at": 1320}]
    assert document["blocked"] == ["service:ring-a", "service:ring-b"]


def test_a_restoration_restarts_only_what_went_down(run_cli, landscape):
    document = json.loads(run_cli("recovery", "rack:lon1/a", "-d", landscape, "-f", "json").stdout)
    assert document["failed"] == ["rack:lon1/a"]
    assert [s["service"] for s in document["services"]] == ["service:login", "service:postgres"]
    assert document["clients"] == [{"client": "client:ios", "ready_at": 1320}]
    assert document["blocked"] == []
    text = run_cli("recovery", "db1", "-d", landscape, "-q").stdout
    assert text.startswith("Restoring host:db1 at t = 0: 2 services down with it restart, everything "
                           "else is ready at once.\nEstimated recovery time: 22m (the last: client:ios)")


def test_markdown_has_the_tables(run_cli, landscape):
    output = run_cli("recovery", "-d", landscape, "--format", "markdown").stdout
    assert output.startswith("## Recovery: how long until we are back?")
    assert "| 22m | `service:login` | 1 | 15m | **no** | service:postgres (20m) → service:login (2m) = 22m |" in output
    assert "### Missing their RTO (1)" in output and "### Blocked (2): never ready" in output


def test_the_policy_sets_the_default_start_time_and_tier_objectives(run_cli, landscape):
    (landscape / "depgraph.yaml").write_text("recovery:\n  start_time: 10m\n  rto: {2: 5m}\n")
    document = json.loads(run_cli("recovery", "-d", landscape, "-f", "json").stdout)
    services = {s["service"]: s for s in document["services"]}
    assert services["service:search"]["ready_at"] == 600  # the policy's start time
    assert services["service:search"]["rto"] == 1800  # its own objective wins over the tier's
    # a bad policy is refused at its line
    (landscape / "depgraph.yaml").write_text("recovery:\n  start_time: 1.5h\n")
    result = run_cli("recovery", "-d", landscape)
    assert result.exit_code == 2
    assert "depgraph.yaml:2:15: error: 'recovery.start_time'" in result.stderr


def test_the_second_run_answers_from_the_cache_with_the_same_bytes(run_cli, landscape):
    first = run_cli("recovery", "-d", landscape, "-f", "json").stdout
    second = run_cli("recovery", "-d", landscape, "-f", "json").stdout
    fresh = run_cli("recovery", "-d", landscape, "-f", "json", "--no-cache").stdout
    assert first == second == fresh


def test_an_unknown_component_is_exit_2_with_a_hint(run_cli, landscape):
    result = run_cli("recovery", "service:postgress", "-d", landscape)
    assert result.exit_code == 2
    assert "unknown component 'service:postgress'; did you mean 'service:postgres'?" in result.stderr


def test_check_reports_rto_exceeded_and_the_policy_sets_its_severity_and_objectives(run_cli, landscape):
    result = run_cli("check", "-d", landscape, "--format", "json")
    found = {(f["rule"], f["subject"]): f for f in json.loads(result.stdout)["new"]}
    login = found[("rto-exceeded", "service:login")]
    assert login["severity"] == "error" and login["blocking"]  # tier 1
    assert login["message"] == ("service:login is ready 22m into a cold start, 7m past its RTO of 15m: "
                                "service:postgres (20m) → service:login (2m) = 22m")
    assert ("rto-exceeded", "service:search") not in found  # ready after 1m, its RTO is 30m
    # the policy: a warning only, and an objective for tier 2 (search keeps its own 30m)
    (landscape / "depgraph.yaml").write_text("rules: {rto-exceeded: warning}\nrecovery:\n  rto: {2: 30s}\n")
    found = {f["subject"]: f["severity"] for f in json.loads(run_cli("check", "-d", landscape, "--format", "json")
                                                             .stdout)["new"] if f["rule"] == "rto-exceeded"}
    assert found == {"service:login": "warning", "service:cache": "warning", "service:postgres": "warning",
                     "service:ring-a": "warning", "service:ring-b": "warning"}
