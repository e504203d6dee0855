"""The bundled example landscape (``descriptors/``): it loads cleanly, has the promised size,
and every problem planted in it (see ``descriptors/README.md``) is really there in the data.

These tests read the Catalog directly; whether the analyses *find* the problems is for the
analyses' own tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from depgraph.load.loader import load_catalog
from depgraph.model import Catalog, readiness_state

LANDSCAPE = Path(__file__).resolve().parents[2] / "descriptors"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(str(LANDSCAPE))


def hard_targets(catalog: Catalog, name: str) -> set[str]:
    """Services ``name`` names in a hard, single-target dependency entry."""
    service = catalog.services[name]
    return {d.targets[0] for d in service.dependencies if d.hard and not d.is_group}


def entry_type(catalog: Catalog, source: str, target: str) -> str | None:
    """The type of the plain (non-group) dependency entry from ``source`` to ``target``."""
    for dep in catalog.services[source].dependencies:
        if not dep.is_group and dep.targets == (target,):
            return dep.type
    return None


def hard_reachable(catalog: Catalog, start: str) -> set[str]:
    """Every service reachable from ``start`` over hard edges (any_of members included)."""
    seen: set[str] = set()
    stack = [start]
    while stack:
        for dep in catalog.services[stack.pop()].dependencies:
            for target in dep.targets if dep.hard else ():
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
    return seen


def instance_places(catalog: Catalog, name: str) -> list[tuple[str, str | None, str | None]]:
    """(datacenter, rack id, host) per instance of a service; anonymous ones have no rack/host."""
    places = []
    for deployment in catalog.services[name].deployments:
        if deployment.hosts:
            for host in deployment.hosts:
                places.append((deployment.datacenter, catalog.hosts[host].rack_id, host))
        else:
            places += [(deployment.datacenter, None, None)] * deployment.instances
    return places


def services_confined_to(catalog: Catalog, position: int) -> set[str]:
    """Services whose every instance shares one data center (0), rack (1) or host (2)."""
    confined = set()
    for name in catalog.services:
        values = {place[position] for place in instance_places(catalog, name)}
        if len(values) == 1 and None not in values:
            confined.add(name)
    return confined


class TestLoading:
    def test_loads_with_warnings_only_for_the_two_unowned_services(self, catalog):
        assert all(d.severity == "warning" for d in catalog.diagnostics)
        warned = sorted(re.search(r"service '([^']+)'", d.message).group(1)
                        for d in catalog.diagnostics)
        assert warned == ["artwork-resizer", "lyrics"]

    def test_every_name_is_valid(self, catalog):
        for kind in ("services", "clients", "hosts", "datacenters", "teams"):
            for name in getattr(catalog, kind):
                assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name), name


class TestSize:
    def test_three_datacenters_in_service_and_one_being_built(self, catalog):
        status = {name: dc.labels.get("status") for name, dc in catalog.datacenters.items()}
        assert status == {"sto1": "in-service", "lon1": "in-service", "ash1": "in-service",
                          "sjc1": "build-out"}

    def test_datacenter_being_built_has_hosts_and_only_experimental_services(self, catalog):
        sjc1_hosts = [h for h in catalog.hosts.values() if h.datacenter == "sjc1"]
        assert 1 <= len(sjc1_hosts) <= 10
        running = {name for name, s in catalog.services.items()
                   if any(d.datacenter == "sjc1" for d in s.deployments)}
        assert running == {"geo-router"}
        assert catalog.services["geo-router"].lifecycle == "experimental"

    def test_between_45_and_60_services(self, catalog):
        assert 45 <= len(catalog.services) <= 60

    def test_20_to_30_teams_in_4_to_6_tribes_each_with_contacts(self, catalog):
        assert 20 <= len(catalog.teams) <= 30
        tribes = {team.tribe for team in catalog.teams.values()}
        assert None not in tribes and 4 <= len(tribes) <= 6
        for team in catalog.teams.values():
            assert {"slack", "email"} <= set(team.contact), team.name

    def test_seven_client_types(self, catalog):
        assert set(catalog.clients) == {"ios", "android", "desktop-windows", "desktop-mac",
                                        "web-player", "partner-sdk", "speakers-tv"}

    def test_at_least_200_hosts_all_racked_and_named_for_their_rack(self, catalog):
        assert len(catalog.hosts) >= 200
        for host in catalog.hosts.values():
            assert host.declared and host.rack is not None, host.name
            assert re.fullmatch(rf"{host.datacenter}-{host.rack}-\d\d", host.name), host.name

    def test_tiers_and_lifecycles_all_used(self, catalog):
        assert {s.tier for s in catalog.services.values()} == {1, 2, 3}
        assert {s.lifecycle for s in catalog.services.values()} == {
            "experimental", "production", "deprecated"}


class TestDescriptorFeatures:
    def test_soft_dependencies_and_both_kinds_of_any_of(self, catalog):
        deps = [d for s in catalog.services.values() for d in s.dependencies]
        assert any(d.type == "soft" and not d.is_group for d in deps)
        assert any(d.is_group and d.hard for d in deps)
        assert any(d.is_group and not d.hard for d in deps)

    def test_deployments_with_hosts_and_with_instances(self, catalog):
        deployments = [d for s in catalog.services.values() for d in s.deployments]
        assert any(d.hosts for d in deployments)
        assert any(d.instances and not d.hosts for d in deployments)

    def test_multi_document_service_files(self, catalog):
        files = [s.source.file for s in catalog.services.values()]
        shared = {f for f in files if files.count(f) > 1}
        assert len(shared) >= 2

    def test_readiness_values_vary(self, catalog):
        values = [v for s in catalog.services.values() for v in s.readiness.values()]
        assert True in values and False in values
        assert {readiness_state(v) for v in values} == {"yes", "no", "n/a"}
        assert any(isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", v) for v in values)
        assert any(isinstance(v, str) and v.startswith("https://") for v in values)
        complete = [s for s in catalog.services.values()
                    if all(readiness_state(s.readiness.get(k)) in ("yes", "n/a")
                           for k in ("build", "logging", "monitoring", "alerting", "backups",
                                     "restore_tested", "security_review", "runbook"))]
        assert 10 <= len(complete) < len(catalog.services)


class TestPlantedProblems:
    def test_hard_cycle_login_user_profile_subscription(self, catalog):
        assert entry_type(catalog, "login", "user-profile") == "hard"
        assert entry_type(catalog, "user-profile", "subscription") == "hard"
        assert entry_type(catalog, "subscription", "login") == "hard"

    def test_soft_only_cycle_radio_recommendations(self, catalog):
        assert entry_type(catalog, "radio", "recommendations") == "hard"
        assert entry_type(catalog, "recommendations", "radio") == "soft"
        # no all-hard way back, so the component holds no hard cycle
        assert "radio" not in hard_reachable(catalog, "recommendations")

    def test_hadoop_is_the_only_multi_rack_service_in_a_single_datacenter(self, catalog):
        assert services_confined_to(catalog, 0) == {"hadoop", "cmdb", "payments"}
        assert {place[0] for place in instance_places(catalog, "hadoop")} == {"lon1"}
        assert len({place[1] for place in instance_places(catalog, "hadoop")}) >= 2

    def test_cmdb_is_the_only_service_on_a_single_host(self, catalog):
        assert instance_places(catalog, "cmdb") == [("lon1", "rack:lon1/a", "lon1-a-03")]
        assert services_confined_to(catalog, 2) == {"cmdb"}
        assert "cmdb" in hard_targets(catalog, "provisioning")

    def test_rack_lon1_b_holds_every_payments_instance(self, catalog):
        racks = {place[1] for place in instance_places(catalog, "payments")}
        assert racks == {"rack:lon1/b"}
        assert len(instance_places(catalog, "payments")) >= 2
        assert services_confined_to(catalog, 1) == {"cmdb", "payments"}

    def test_service_without_owner(self, catalog):
        assert catalog.services["artwork-resizer"].owner is None

    def test_service_owned_by_a_team_that_no_longer_exists(self, catalog):
        assert catalog.services["lyrics"].owner == "lyrics-squad"
        assert "lyrics-squad" not in catalog.teams

    def test_every_other_service_has_a_declared_owner(self, catalog):
        unowned = {n for n, s in catalog.services.items() if s.owner not in catalog.teams}
        assert unowned == {"artwork-resizer", "lyrics"}

    def test_search_failover_pair_secretly_shares_zookeeper(self, catalog):
        groups = [d for d in catalog.services["search"].dependencies if d.is_group]
        assert [g.targets for g in groups] == [("search-index-primary", "search-index-secondary")]
        assert groups[0].hard
        for side in groups[0].targets:
            assert "zookeeper" in hard_targets(catalog, side)
        assert "zookeeper" not in {t for d in catalog.services["search"].dependencies
                                   for t in d.targets}

    @pytest.mark.parametrize("service", ["payments", "browse"])
    def test_other_failover_groups_share_no_hard_dependency(self, catalog, service):
        (group,) = [d for d in catalog.services[service].dependencies if d.is_group]
        closures = [hard_reachable(catalog, t) | {t} for t in group.targets]
        assert not set.intersection(*closures)

    def test_tier_one_access_point_hard_depends_on_tier_three_ab_testing(self, catalog):
        assert catalog.services["access-point"].tier == 1
        assert catalog.services["ab-testing"].tier == 3
        assert "ab-testing" in hard_targets(catalog, "access-point")

    def test_access_point_is_the_only_tier_inversion(self, catalog):
        inversions = {(name, target)
                      for name, service in catalog.services.items()
                      for dep in service.dependencies if dep.hard
                      for target in dep.targets
                      if catalog.services[target].tier > service.tier}
        assert inversions == {("access-point", "ab-testing")}

    def test_radio_is_the_only_dependent_of_deprecated_metadata_v1(self, catalog):
        assert catalog.services["metadata-v1"].lifecycle == "deprecated"
        dependents = {(name, dep.type)
                      for name, service in catalog.services.items()
                      for dep in service.dependencies
                      for target in dep.targets
                      if catalog.services[target].lifecycle == "deprecated"}
        assert dependents == {("radio", "hard")}


class TestHealthyOtherwise:
    def test_every_service_is_deployed(self, catalog):
        assert [n for n, s in catalog.services.items() if not s.deployments] == []

    def test_host_deployed_services_span_several_hosts_and_racks(self, catalog):
        on_hosts = {n for n, s in catalog.services.items() if any(d.hosts for d in s.deployments)}
        assert len(on_hosts) >= 15
        single_rack = services_confined_to(catalog, 1)
        assert on_hosts & single_rack == {"cmdb", "payments"}

    def test_most_services_run_in_at_least_two_datacenters(self, catalog):
        multi = [n for n in catalog.services if len({p[0] for p in instance_places(catalog, n)}) >= 2]
        assert len(multi) == len(catalog.services) - 3


class TestCapacityAndObjectives:
    """Row 10 of the planted problems: losing lon1 overloads event-delivery, hadoop and payments
    need a second data center, and payments cannot keep its 99.95% objective."""

    def test_declared_capacity_and_objectives(self, catalog):
        capacity = {n: s.min_instances for n, s in catalog.services.items() if s.min_instances}
        assert capacity == {"access-point": 8, "web-api": 8, "playlist": 6, "cassandra": 12, "storage": 8,
                            "event-delivery": 8, "hadoop": 20, "payments": 2}
        objectives = {n: s.slo for n, s in catalog.services.items() if s.slo is not None}
        assert objectives == {"access-point": 99.5, "cassandra": 99.9, "storage": 99.8, "payments": 99.95}
        assert {n for n, s in catalog.services.items() if s.availability is not None} == {"dns"}

    def test_losing_lon1_overloads_event_delivery_and_nothing_else_is_short(self, catalog):
        from depgraph.analyses.capacity import capacity_report

        report = capacity_report(catalog)
        rows = {loss.component: (loss.survivable, loss.overloaded) for loss in report.datacenters}
        assert rows == {"datacenter:ash1": (True, ()), "datacenter:sjc1": (True, ()),
                        "datacenter:sto1": (True, ()),
                        "datacenter:lon1": (False, (("service:event-delivery", 6, 8),))}
        assert {item.service: item.add for item in report.plan} == {
            "service:event-delivery": {"datacenter:ash1": 2},
            "service:hadoop": {"datacenter:ash1": 20},
            "service:payments": {"datacenter:ash1": 2},
        }
        assert report.overloaded_now == ()

    def test_payments_is_the_only_infeasible_objective(self, catalog):
        from depgraph.analyses.availability import findings_report

        findings = findings_report(catalog).findings
        assert [f.subject for f in findings if f.rule == "slo-infeasible"] == ["service:payments"]
        assert sorted((f.subject, f.key[0]) for f in findings if f.rule == "extra-nine") == [
            ("service:access-point", "service:ab-testing"), ("service:access-point", "service:login"),
            ("service:payments", "service:postgres")]


class TestRecoveryTime:
    """Row 11 of the planted problems: on a cold start, search is the one tier-1 service that
    misses its RTO, behind the slow warm-up of its index."""

    def test_one_tier_1_objective_is_missed_and_its_path_is_the_index(self, catalog):
        from depgraph.analyses.recovery import path_text, recovery, rto_findings

        cold = recovery(catalog)
        assert [s.service for s in cold.missed()] == ["service:search"]
        assert path_text(cold, "service:search") == (
            "service:zookeeper (2m) → service:search-index-primary (25m) → service:search (5m) = 32m")
        assert cold.ready_at == 47 * 60 and cold.slowest()[0].service == "service:royalty-reporting"
        assert [(f.subject, f.severity) for f in rto_findings(catalog, cold)] == [("service:search", "error")]
        with_rto = {s.service for s in cold.services if s.rto is not None}
        assert len(with_rto) == 13 and all(catalog.entity(i).tier == 1 for i in with_rto)
        assert not with_rto & set(cold.blocked)  # the blocked ones miss nothing they declared
