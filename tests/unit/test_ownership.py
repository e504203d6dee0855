"""Unowned services, teams without a tribe, SPOF concentration (depgraph.analyses.ownership)."""

from __future__ import annotations

from typing import NamedTuple

from depgraph.analyses.ownership import ownership_findings, spof_concentration, unowned_services
from depgraph.model import Catalog, Location, Service, Team


class FakeSpof(NamedTuple):
    component: str
    down: tuple[str, ...]
    degraded: tuple[str, ...] = ()


def landscape() -> Catalog:
    return Catalog(
        services={
            "play": Service("play", owner="core", tier=1, source=Location("play.yaml", 3)),
            "search": Service("search", owner="serch-squad", tier=1, source=Location("search.yaml", 1)),
            "legacy": Service("legacy", tier=1, source=Location("legacy.yaml", 7)),
            "ads": Service("ads", owner="money", tier=1),
            "blog": Service("blog", owner="core", tier=3),
        },
        teams={
            "core": Team("core", tribe="platform", source=Location("teams.yaml", 1)),
            "search-squad": Team("search-squad", tribe="platform", source=Location("teams.yaml", 5)),
            "money": Team("money", source=Location("teams.yaml", 9)),
        },
    )


class TestUnownedServices:
    def test_missing_and_unknown_team_sorted_by_id(self):
        assert [u.to_json() for u in unowned_services(landscape())] == [
            {"service": "service:legacy", "reason": "missing"},
            {"service": "service:search", "reason": "unknown-team"},
        ]

    def test_everyone_owned_means_empty(self):
        cat = Catalog(services={"a": Service("a", owner="t")}, teams={"t": Team("t")})
        assert unowned_services(cat) == []


class TestOwnershipFindings:
    def test_unowned_is_an_error_at_the_service_with_a_hint(self):
        cat = landscape()
        findings = ownership_findings(cat, unowned_services(cat))
        unowned = [f for f in findings if f.rule == "unowned"]
        assert [(f.subject, f.severity, f.file, f.line) for f in unowned] == [
            ("service:legacy", "error", "legacy.yaml", 7),
            ("service:search", "error", "search.yaml", 1),
        ]
        assert "did you mean 'search-squad'" in unowned[1].message

    def test_team_without_tribe_is_info(self):
        cat = landscape()
        others = [f for f in ownership_findings(cat, []) if f.rule == "team-without-tribe"]
        assert [(f.subject, f.severity, f.line) for f in others] == [("team:money", "info", 9)]


class TestSpofConcentration:
    def test_counts_tier1_services_some_spof_takes_down(self):
        spofs = [FakeSpof("host:h1", ("service:play", "service:blog")),
                 FakeSpof("datacenter:lon1", ("service:play", "service:legacy"))]
        result = spof_concentration(landscape(), spofs)
        teams = [c.to_json() for c in result["teams"]]
        assert teams == [
            {"group": "team:core", "tier1": 1, "tier1_with_spof": 1, "services": ["service:play"]},
            {"group": "team:money", "tier1": 1, "tier1_with_spof": 0, "services": []},
            {"group": "team:search-squad", "tier1": 0, "tier1_with_spof": 0, "services": []},
            # legacy (no owner) and search (unknown team) belong to nobody
            {"group": None, "tier1": 2, "tier1_with_spof": 1, "services": ["service:legacy"]},
        ]
        tribes = [(c.group, len(c.tier1), len(c.with_spof)) for c in result["tribes"]]
        assert tribes == [("tribe:platform", 1, 1), (None, 3, 1)]

    def test_no_spofs_means_nothing_concentrated(self):
        result = spof_concentration(landscape(), [])
        assert all(not c.with_spof for c in result["teams"] + result["tribes"])
