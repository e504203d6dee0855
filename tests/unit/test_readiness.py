"""Readiness scorecards, roll-ups and graph-aware rules (depgraph.analyses.readiness)."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from depgraph.analyses.readiness import readiness_findings, rollups, scorecards
from depgraph.model import Catalog, Client, Dependency, Deployment, Location, Service, Team

BRONZE = {"build": True, "logging": "https://logs.example/x"}
SILVER = {**BRONZE, "monitoring": True, "alerting": "n/a", "runbook": "https://wiki/runbook"}
GOLD = {**SILVER, "backups": True, "restore_tested": "2012-03-01", "security_review": True}
DEPLOYED = (Deployment("lon1", instances=2),)


class FakeSpof(NamedTuple):
    component: str
    down: tuple[str, ...]


def service(name, readiness=None, owner="core", tier=2, deps=(), lifecycle="production",
            deployments=DEPLOYED) -> Service:
    return Service(name, owner=owner, tier=tier, lifecycle=lifecycle, readiness=readiness or {},
                   dependencies=tuple(deps), deployments=deployments,
                   source=Location(f"{name}.yaml", 1))


def on(*names, kind="hard", line=20) -> Dependency:
    return Dependency(tuple(names), kind, len(names) > 1, source=Location("deps.yaml", line))


def catalog(*services, clients=()) -> Catalog:
    return Catalog(services={s.name: s for s in services}, clients={c.name: c for c in clients},
                   teams={"core": Team("core", tribe="platform"), "edge": Team("edge")})


def level_of(cat: Catalog, spofs=()) -> dict[str, str]:
    return {card.service: card.level for card in scorecards(cat, spofs)}


class TestScorecards:
    @pytest.mark.parametrize("readiness, owner, level", [
        ({}, "core", "none"),
        (BRONZE, None, "none"),            # no owner: not even bronze
        (BRONZE, "ghost", "none"),         # an undeclared team is no owner
        (BRONZE, "core", "bronze"),
        ({**BRONZE, "logging": False}, "core", "none"),
        ({**SILVER, "runbook": False}, "core", "bronze"),
        (SILVER, "core", "silver"),
        ({**GOLD, "monitoring": False}, "core", "bronze"),  # levels build on each other
        (GOLD, "core", "gold"),
        ({**GOLD, "backups": "n/a", "restore_tested": "n/a"}, "core", "gold"),
    ])
    def test_levels(self, readiness, owner, level):
        cat = catalog(service("a", readiness, owner=owner))
        assert level_of(cat) == {"service:a": level}

    def test_a_spof_taking_the_service_down_caps_it_at_silver(self):
        cat = catalog(service("a", GOLD), service("b", GOLD))
        spofs = [FakeSpof("datacenter:lon1", ("service:a",))]
        assert level_of(cat, spofs) == {"service:a": "silver", "service:b": "gold"}

    def test_card_says_what_the_next_level_needs(self):
        cat = catalog(service("a", {**BRONZE, "monitoring": True}))
        [card] = scorecards(cat)
        assert card.to_json()["next"] == "silver"
        assert card.to_json()["missing"] == ["alerting", "runbook"]
        assert card.to_json()["checks"]["alerting"] == "missing"
        assert card.to_json()["checks"]["owner"] == "yes"


class TestRollups:
    def test_counts_and_percent_per_team_and_tribe(self):
        cat = catalog(service("a", GOLD), service("b", BRONZE), service("c", SILVER, owner="edge"),
                      service("d", owner=None), service("e", BRONZE))
        result = rollups(cat, scorecards(cat))
        teams = {r.group: r.to_json() for r in result["teams"]}
        assert [r.group for r in result["teams"]] == ["team:core", "team:edge", None]
        assert teams["team:core"]["levels"] == {"none": 0, "bronze": 2, "silver": 0, "gold": 1}
        assert teams["team:core"]["percent"]["bronze"] == pytest.approx(66.7)
        assert teams[None]["levels"]["none"] == 1
        tribes = {r.group: r.services for r in result["tribes"]}
        assert tribes == {"tribe:platform": 3, None: 2}  # edge has no tribe; d has no team


def findings(cat: Catalog, rule: str):
    return [f for f in readiness_findings(cat, scorecards(cat)) if f.rule == rule]


class TestTierInversion:
    def test_tier1_hard_on_tier3_is_a_warning_at_the_entry(self):
        cat = catalog(service("a", tier=1, deps=[on("b", line=12)]), service("b", tier=3))
        [finding] = findings(cat, "tier-inversion")
        assert (finding.subject, finding.severity, finding.file, finding.line) == (
            "service:a", "warning", "deps.yaml", 12)
        assert finding.key == ("service:b",)
        assert "tier 3" in finding.message

    def test_soft_dependencies_and_lower_tiers_are_fine(self):
        cat = catalog(service("a", tier=1, deps=[on("b", kind="soft")]), service("b", tier=3),
                      service("c", tier=2, deps=[on("d")]), service("d", tier=3))
        assert findings(cat, "tier-inversion") == []

    def test_any_of_member_counts(self):
        cat = catalog(service("a", tier=1, deps=[on("b", "c")]), service("b", tier=1),
                      service("c", tier=2))
        assert [f.key for f in findings(cat, "tier-inversion")] == [("service:c",)]

    def test_tier1_on_less_ready_tier1(self):
        cat = catalog(service("a", SILVER, tier=1, deps=[on("b")]), service("b", BRONZE, tier=1),
                      service("c", BRONZE, tier=1, deps=[on("a")]))
        [finding] = findings(cat, "tier-inversion")
        assert finding.subject == "service:a"
        assert "readiness bronze" in finding.message


class TestOtherRules:
    def test_anything_depending_on_deprecated_is_warned(self):
        old = service("old", lifecycle="deprecated")
        cat = catalog(service("a", deps=[on("old", kind="soft")]), old,
                      clients=[Client("ios", dependencies=(on("old", line=4),))])
        result = findings(cat, "deprecated-dependency")
        assert [(f.subject, f.severity, f.line) for f in result] == [
            ("client:ios", "warning", 4), ("service:a", "warning", 20)]

    def test_service_without_deployments_is_info(self):
        cat = catalog(service("a", deployments=()), service("b"))
        assert [(f.subject, f.severity) for f in findings(cat, "no-deployments")] == [
            ("service:a", "info")]

    @pytest.mark.parametrize("tier, lifecycle, readiness, expected", [
        (1, "production", BRONZE, "warning"),
        (1, "production", SILVER, None),
        (1, "experimental", {}, None),
        (2, "production", {}, "info"),
        (2, "production", BRONZE, None),
        (3, "production", {}, None),
    ])
    def test_readiness_gap_by_tier(self, tier, lifecycle, readiness, expected):
        cat = catalog(service("a", readiness, tier=tier, lifecycle=lifecycle))
        gaps = findings(cat, "readiness-gap")
        assert [f.severity for f in gaps] == ([expected] if expected else [])

    def test_gap_message_lists_what_is_missing(self):
        cat = catalog(service("a", BRONZE, tier=1))
        [gap] = findings(cat, "readiness-gap")
        assert "monitoring, alerting, runbook" in gap.message

    def test_no_rule_is_an_error(self):
        cat = catalog(service("a", tier=1, deps=[on("b")], deployments=()),
                      service("b", tier=3, lifecycle="deprecated"))
        assert {f.severity for f in readiness_findings(cat, scorecards(cat))} <= {"warning", "info"}
