"""Every SPOF and finding says why: the placement, the hard path or the shared component, the same
sentence in text, Markdown, JSON (a ``cause`` object), SARIF and the HTML page."""

from __future__ import annotations

import json

import pytest
from tests.helpers import EXAMPLE, decode_data

from depgraph.analysis import analyze
from depgraph.load.loader import load_catalog
from depgraph.reporters.html import render_html

PAYMENTS_ON_RACK = "all 4 instances of service:payments are on hosts in rack lon1/b"


@pytest.fixture(scope="module")
def analysis():
    from typer.testing import CliRunner

    from depgraph.cli import app

    result = CliRunner().invoke(app, ["analyze", "-d", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def finding(document, rule, subject):
    return next(f for f in document["findings"] if f["rule"] == rule and f["subject"] == subject)


def test_placement_spof_names_the_instances_and_where_they_stand(analysis):
    cause = finding(analysis, "spof-infrastructure", "rack:lon1/b")["cause"]
    assert cause["kind"] == "placement"
    assert cause["text"] == PAYMENTS_ON_RACK
    placed = cause["placed"]
    assert [p["service"] for p in placed] == ["service:payments"] and placed[0]["instances"] == 4
    assert all(host.startswith("host:lon1-b-") for host in placed[0]["hosts"])
    spof = next(s for s in analysis["spofs"] if s["component"] == "rack:lon1/b")
    assert spof["cause"]["text"] == PAYMENTS_ON_RACK


def test_dependency_spof_names_the_hard_path(analysis):
    cause = finding(analysis, "spof-service", "service:subscription")["cause"]
    assert cause["kind"] == "dependency"
    path = cause["path"]
    assert path[-1] == "service:subscription" and len(path) >= 2
    assert " -> ".join(path) in cause["text"]
    # every step is a hard dependency the SPOF's failure takes down
    assert path[0] in next(s for s in analysis["spofs"] if s["component"] == "service:subscription")["down"]


def test_false_redundancy_names_the_shared_component(analysis):
    cause = finding(analysis, "false-redundancy", "service:search")["cause"]
    assert cause["kind"] == "shared" and cause["component"] == "service:zookeeper"
    assert set(cause["alternatives"]) == {"service:search-index-primary", "service:search-index-secondary"}
    assert all(alt["path"][-1] == "service:zookeeper" for alt in cause["alternatives"].values())


def test_hard_cycle_says_who_waits_for_whom(analysis):
    cause = finding(analysis, "hard-cycle", "service:login")["cause"]
    assert cause["kind"] == "cycle" and cause["path"][0] == cause["path"][-1]
    assert "waits for" in cause["text"]


def test_every_format_shows_the_same_cause(run_cli):
    text = run_cli("analyze", "-d", EXAMPLE).stdout
    assert f"why: {PAYMENTS_ON_RACK}" in text
    markdown = run_cli("analyze", "-d", EXAMPLE, "--format", "markdown").stdout
    assert f"*Why:* {PAYMENTS_ON_RACK}" in markdown
    check = run_cli("check", "-d", EXAMPLE, "--format", "text").stdout
    assert f"why: {PAYMENTS_ON_RACK}" in check
    sarif = json.loads(run_cli("check", "-d", EXAMPLE, "--format", "sarif").stdout)
    results = [r for r in sarif["runs"][0]["results"] if r["properties"]["subject"] == "rack:lon1/b"]
    assert results and PAYMENTS_ON_RACK in results[0]["message"]["text"]
    assert results[0]["properties"]["cause"]["kind"] == "placement"
    data = decode_data(render_html(analyze(load_catalog(EXAMPLE), for_page=True)))
    assert PAYMENTS_ON_RACK in data["findings"]["why"]
    assert data["spofs"]["why"][data["spofs"]["component"].index("rack:lon1/b")] == PAYMENTS_ON_RACK


def test_every_finding_of_the_example_says_why(analysis):
    missing = [(f["rule"], f["subject"]) for f in analysis["findings"] if not f["cause"]]
    assert missing == []
    kinds = {f["rule"]: f["cause"]["kind"] for f in analysis["findings"] if f["cause"]}
    assert kinds["unowned"] == "owner" and kinds["capacity-loss"] == "capacity"
    assert kinds["extra-nine"] == kinds["tier-inversion"] == kinds["deprecated-dependency"] == "dependency"
    assert kinds["slo-infeasible"] == "availability" and kinds["team-cycle"] == "cycle"
    assert kinds["rto-exceeded"] == "recovery"
