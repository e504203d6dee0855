"""Single points of failure and false redundancy (depgraph.analyses.spof), and the failure engine
checked against a deliberately naive reading of SPEC §2 on random landscapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from depgraph.analyses.spof import (
    Spof,
    false_redundancy_findings,
    single_points_of_failure,
    spof_findings,
)
from depgraph.failure.engine import FailureModel, simulate
from depgraph.load.loader import load_catalog
from depgraph.model import Catalog, Client, Datacenter, Dependency, Deployment, Host, Service
from tests.helpers import examples

# -- the brute force, straight from the SPEC §2 text --------------------------------------------


def naive_impact(catalog: Catalog, failed: set[str]):
    """(down, degraded, reduced) for F = ``failed``, by iterating the definitions to a fixpoint."""

    def host_down(name: str) -> bool:
        host = catalog.hosts[name]
        return host.id in failed or host.rack_id in failed or f"datacenter:{host.datacenter}" in failed

    def instances(service: Service) -> list[bool]:
        states = []
        for deployment in service.deployments:
            states += [host_down(h) for h in deployment.hosts]
            states += [f"datacenter:{deployment.datacenter}" in failed] * deployment.instances
        return states

    def hard_entry_down(entity, down) -> bool:
        return any(d.hard and all(f"service:{t}" in down for t in d.targets)
                   for d in entity.dependencies)

    down: set[str] = set()
    changed = True
    while changed:
        changed = False
        for service in catalog.services.values():
            states = instances(service)
            if service.id not in down and (
                service.id in failed or (states and all(states)) or hard_entry_down(service, down)
            ):
                down.add(service.id)
                changed = True
        for client in catalog.clients.values():
            if client.id not in down and hard_entry_down(client, down):
                down.add(client.id)
                changed = True

    def depends_on_down(entity) -> bool:
        seen, todo = set(), [t for d in entity.dependencies for t in d.targets]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if f"service:{name}" in down:
                return True
            todo += [t for d in catalog.services[name].dependencies for t in d.targets]
        return False

    everyone = [*catalog.services.values(), *catalog.clients.values()]
    degraded = {e.id for e in everyone if e.id not in down and depends_on_down(e)}
    reduced = {}
    for service in catalog.services.values():
        states = instances(service)
        if service.id not in down and 0 < sum(states) < len(states):
            reduced[service.id] = (sum(states), len(states))
    return sorted(down - failed), sorted(degraded), reduced


def naive_spofs(catalog: Catalog) -> list[tuple[str, list[str], list[str]]]:
    components = [s.id for s in catalog.services.values()] + [h.id for h in catalog.hosts.values()]
    components += list(catalog.racks()) + [d.id for d in catalog.datacenters.values()]
    result = []
    for component in sorted(components):
        down, degraded, _ = naive_impact(catalog, {component})
        if down:
            result.append((component, down, degraded))
    return result


# -- random landscapes ---------------------------------------------------------------------------


@st.composite
def landscapes(draw, max_services: int = 7) -> Catalog:
    """Services with random hard/soft/any_of dependencies (cycles included), hosts in racks and
    data centers, anonymous instances, hosts named only in deployments, and clients."""
    dcs = [f"d{i}" for i in range(draw(st.integers(1, 3)))]
    catalog = Catalog(datacenters={dc: Datacenter(dc) for dc in dcs})
    for i in range(draw(st.integers(0, 6))):
        rack = draw(st.sampled_from([None, "r0", "r1"]))
        catalog.hosts[f"h{i}"] = Host(f"h{i}", draw(st.sampled_from(dcs)), rack)
    names = [f"s{i}" for i in range(draw(st.integers(1, max_services)))]

    def dependencies(own: str | None) -> tuple[Dependency, ...]:
        others = [n for n in names if n != own]
        if not others:
            return ()
        entries = []
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.sampled_from(["hard", "soft"]))
            if draw(st.booleans()):
                entries.append(Dependency((draw(st.sampled_from(others)),), kind))
            else:
                group = draw(st.lists(st.sampled_from(others), min_size=1, max_size=3, unique=True))
                entries.append(Dependency(tuple(group), kind, True))
        return tuple(entries)

    for name in names:
        deployments = []
        for _ in range(draw(st.integers(0, 3))):
            dc = draw(st.sampled_from(dcs))
            here = [h for h, host in catalog.hosts.items() if host.datacenter == dc]
            choice = draw(st.sampled_from(["hosts", "instances", "undeclared"]))
            if choice == "hosts" and here:
                hosts = draw(st.lists(st.sampled_from(here), min_size=1, max_size=3, unique=True))
                deployments.append(Deployment(dc, tuple(hosts)))
            elif choice == "undeclared":
                extra = f"x{len(catalog.hosts)}"
                catalog.hosts[extra] = Host(extra, dc, declared=False)
                deployments.append(Deployment(dc, (extra,)))
            else:
                deployments.append(Deployment(dc, instances=draw(st.integers(1, 2))))
        catalog.services[name] = Service(name, tier=draw(st.integers(1, 3)),
                                         dependencies=dependencies(name),
                                         deployments=tuple(deployments))
    for i in range(draw(st.integers(0, 2))):
        catalog.clients[f"c{i}"] = Client(f"c{i}", dependencies=dependencies(None))
    return catalog


def failure_sets(catalog: Catalog):
    components = [s.id for s in catalog.services.values()] + [h.id for h in catalog.hosts.values()]
    components += list(catalog.racks()) + [d.id for d in catalog.datacenters.values()]
    return st.lists(st.sampled_from(components), max_size=4, unique=True)


PROPERTY = settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])


class TestAgainstBruteForce:
    @PROPERTY
    @given(data=st.data())
    def test_simulate_matches_the_spec_text(self, data):
        catalog = data.draw(landscapes())
        failed = set(data.draw(failure_sets(catalog)))
        impact = simulate(FailureModel.from_catalog(catalog), failed)
        down, degraded, reduced = naive_impact(catalog, failed)
        assert (list(impact.down), list(impact.degraded), impact.reduced) == (down, degraded, reduced)
        assert impact.failed == tuple(sorted(failed))

    @PROPERTY
    @given(catalog=landscapes())
    def test_single_points_of_failure_match_the_spec_text(self, catalog):
        found = [(s.component, list(s.down), s.degraded_count)
                 for s in single_points_of_failure(catalog)]
        assert found == [(component, down, len(degraded))
                         for component, down, degraded in naive_spofs(catalog)]

    @PROPERTY
    @given(catalog=landscapes(max_services=12))
    def test_single_points_of_failure_match_one_simulation_per_component(self, catalog):
        model = FailureModel.from_catalog(catalog)
        one_by_one = []
        for component in sorted(model.component_ids()):
            impact = simulate(model, [component])
            if impact.down:
                one_by_one.append(Spof(component, impact.down, len(impact.degraded)))
        assert single_points_of_failure(catalog, model) == one_by_one


# -- hand-made landscapes ------------------------------------------------------------------------

LANDSCAPE = {
    "infra.yaml": """
        - {kind: datacenter, name: lon1}
        - {kind: datacenter, name: sto1}
        - {kind: host, name: lon1-a-01, datacenter: lon1, rack: a}
        - {kind: host, name: lon1-a-02, datacenter: lon1, rack: a}
        - {kind: host, name: lon1-b-01, datacenter: lon1, rack: b}
        - {kind: host, name: sto1-a-01, datacenter: sto1, rack: a}
        - {kind: team, name: core, contact: {slack: "#core"}}
        """,
    "services.yaml": """
        - kind: service
          name: db
          tier: 1
          deployments:
            - datacenter: lon1
              hosts: [lon1-a-01]
        - kind: service
          name: cache
          deployments: [{datacenter: lon1, hosts: [lon1-a-01, lon1-a-02]}]
        - kind: service
          name: search
          deployments: [{datacenter: lon1, hosts: [lon1-a-02, lon1-b-01]}]
        - kind: service
          name: storage
          deployments:
            - {datacenter: lon1, hosts: [lon1-b-01]}
            - {datacenter: sto1, hosts: [sto1-a-01]}
        - kind: service
          name: playlist
          tier: 1
          dependencies:
            - db
            - {service: cache, type: soft}
            - any_of: [search, storage]
        - kind: service
          name: api
          tier: 3
          dependencies: [playlist]
        - kind: service
          name: recs
          tier: 3
          dependencies: [{service: api, type: soft}]
        - kind: client
          name: ios
          dependencies: [api]
        """,
}


@pytest.fixture
def landscape(tree):
    return load_catalog(tree(LANDSCAPE))


def spof_table(catalog) -> dict[str, tuple[tuple[str, ...], int]]:
    return {s.component: (s.down, s.degraded_count) for s in single_points_of_failure(catalog)}


class TestSinglePointsOfFailure:
    def test_every_kind_of_spof_with_what_it_takes_down(self, landscape):
        ios_chain = ("client:ios", "service:api", "service:playlist")
        assert spof_table(landscape) == {
            # db's only host: db, and everything hard on db
            "host:lon1-a-01": (tuple(sorted(ios_chain + ("service:db",))), 1),
            # cache lives in rack lon1/a alone; it is soft for playlist, so only db matters
            "rack:lon1/a": (tuple(sorted(ios_chain + ("service:cache", "service:db"))),
                            1),
            # search's hosts span racks a and b, but only lon1
            "datacenter:lon1": (tuple(sorted(ios_chain + ("service:cache", "service:db",
                                                           "service:search"))),
                                1),
            "service:db": (ios_chain, 1),
            "service:playlist": (("client:ios", "service:api"), 1),
            "service:api": (("client:ios",), 1),
        }

    def test_shared_hosts_anonymous_instances_and_soft_dependents_are_no_spofs(self, landscape):
        found = spof_table(landscape)
        # lon1-a-02 shares cache and search with other hosts; cache is only soft; any_of
        # [search, storage] survives either side; sto1 holds no service alone
        for component in ("host:lon1-a-02", "host:lon1-b-01", "rack:lon1/b", "service:cache",
                          "service:search", "service:storage", "datacenter:sto1", "service:recs"):
            assert component not in found

    def test_a_service_without_deployments_is_never_down_by_placement(self):
        catalog = Catalog(hosts={"h": Host("h", "dc")}, datacenters={"dc": Datacenter("dc")},
                          services={"ghost": Service("ghost"),
                                    "user": Service("user", dependencies=(Dependency(("ghost",)),))})
        assert [s.component for s in single_points_of_failure(catalog)] == ["service:ghost"]

    def test_json_shape(self):
        spof = Spof("host:h", ("service:a",), 0)
        assert spof.to_json() == {"component": "host:h", "down": ["service:a"], "down_count": 1, "cause": None,
                                  "degraded_count": 0}


class TestSpofFindings:
    def test_infrastructure_spof_that_takes_down_tier_1_is_an_error_at_the_deployment(self, landscape):
        findings = {f.subject: f for f in spof_findings(landscape, single_points_of_failure(landscape))}
        host = findings["host:lon1-a-01"]
        assert (host.rule, host.severity) == ("spof-infrastructure", "error")
        assert host.message == ("host lon1-a-01 is a single point of failure: takes down "
                                "service:db (tier 1), service:playlist (tier 1) and 2 more; "
                                "1 degraded")
        # the host entry of db's deployment (services.yaml line 6)
        assert (Path(host.file).name, host.line) == ("services.yaml", 6)
        assert host.key == ("host:lon1-a-01",)

    def test_service_spof_severity_follows_what_goes_down(self, landscape):
        findings = {f.subject: f for f in spof_findings(landscape, single_points_of_failure(landscape))}
        assert findings["service:db"].severity == "warning"  # playlist is tier 1
        assert findings["service:api"].severity == "warning"  # a client goes down
        assert findings["service:api"].message == (
            "service api is a single point of failure: takes down client:ios; 1 degraded")
        assert findings["service:db"].rule == "spof-service"
        assert (Path(findings["service:db"].file).name, findings["service:db"].line) == ("services.yaml", 1)

    def test_minor_spofs_are_warnings_and_info(self):
        catalog = Catalog(
            hosts={"h": Host("h", "dc")}, datacenters={"dc": Datacenter("dc")},
            services={"a": Service("a", tier=3, deployments=(Deployment("dc", ("h",)),)),
                      "b": Service("b", tier=2, dependencies=(Dependency(("a",)),))})
        severities = {f.subject: (f.rule, f.severity)
                      for f in spof_findings(catalog, single_points_of_failure(catalog))}
        assert severities == {"host:h": ("spof-infrastructure", "warning"),
                              "datacenter:dc": ("spof-infrastructure", "warning"),
                              "service:a": ("spof-service", "info")}


FALSE_REDUNDANCY = {
    "infra.yaml": """
        - {kind: datacenter, name: lon1}
        - {kind: datacenter, name: sto1}
        - {kind: host, name: l1, datacenter: lon1, rack: a}
        - {kind: host, name: l2, datacenter: lon1, rack: a}
        - {kind: host, name: l3, datacenter: lon1, rack: b}
        - {kind: host, name: s1, datacenter: sto1, rack: a}
        """,
    "services.yaml": """
        - {kind: service, name: primary, deployments: [{datacenter: lon1, hosts: [l1]}]}
        - {kind: service, name: replica, deployments: [{datacenter: lon1, hosts: [l2]}]}
        - {kind: service, name: far, deployments: [{datacenter: sto1, hosts: [s1]}]}
        - {kind: service, name: near, deployments: [{datacenter: lon1, hosts: [l3]}]}
        - {kind: service, name: auth, deployments: [{datacenter: sto1, instances: 2}, {datacenter: lon1, instances: 2}]}
        - {kind: service, name: left, dependencies: [auth], deployments: [{datacenter: lon1, instances: 1}, {datacenter: sto1, instances: 1}]}
        - {kind: service, name: right, dependencies: [auth], deployments: [{datacenter: lon1, instances: 1}, {datacenter: sto1, instances: 1}]}
        - kind: service
          name: same-rack
          tier: 1
          dependencies:
            - any_of: [primary, replica]
        - kind: service
          name: two-sites
          dependencies:
            - any_of: [primary, far]
        - kind: service
          name: same-dc
          dependencies:
            - any_of: [primary, near]
        - kind: service
          name: shared-dependency
          dependencies:
            - any_of: [left, right]
        """,
}


class TestFalseRedundancy:
    @pytest.fixture
    def findings(self, tree):
        catalog = load_catalog(tree(FALSE_REDUNDANCY))
        return {f.subject: f for f in false_redundancy_findings(catalog)}

    def test_alternatives_in_one_rack(self, findings):
        finding = findings["service:same-rack"]
        assert (finding.rule, finding.severity) == ("false-redundancy", "error")  # tier 1
        assert finding.message == (
            "any_of [service:primary, service:replica] of service same-rack is not redundant: "
            "datacenter:lon1, rack:lon1/a each take down every alternative")
        assert (Path(finding.file).name, finding.line) == ("services.yaml", 12)

    def test_alternatives_in_one_datacenter(self, findings):
        assert findings["service:same-dc"].severity == "warning"
        assert "datacenter:lon1 takes down every alternative" in findings["service:same-dc"].message

    def test_alternatives_with_a_common_hard_dependency(self, findings):
        assert "service:auth takes down" in findings["service:shared-dependency"].message

    def test_alternatives_in_two_datacenters_are_redundant(self, findings):
        assert "service:two-sites" not in findings
        assert set(findings) == {"service:same-rack", "service:same-dc",
                                 "service:shared-dependency"}


def test_a_false_redundancy_names_only_the_placements_that_explain_it():
    # Twenty services stand wholly in lon1; the finding about web's any_of lists where its two
    # alternatives stand, not every service of the data center (that list, repeated in each
    # finding a data center explains, made the document grow with findings times services).
    hosts = {f"h{i}": Host(f"h{i}", "lon1", rack=f"r{i}") for i in range(22)}
    services = {f"s{i}": Service(f"s{i}", deployments=(Deployment("lon1", hosts=(f"h{i}",)),)) for i in range(20)}
    services["a"] = Service("a", deployments=(Deployment("lon1", hosts=("h20",)),))
    services["b"] = Service("b", deployments=(Deployment("lon1", hosts=("h21",)),))
    services["web"] = Service("web", dependencies=(Dependency(("a", "b")),))
    catalog = Catalog(datacenters={"lon1": Datacenter("lon1")}, hosts=hosts, services=services)
    [finding] = false_redundancy_findings(catalog)
    assert finding.cause.facts["component"] == "datacenter:lon1"
    for alternative, host in (("service:a", "host:h20"), ("service:b", "host:h21")):
        reason = finding.cause.facts["alternatives"][alternative]
        assert reason["kind"] == "placement"
        assert reason["placed"] == [{"service": alternative, "instances": 1, "hosts": [host]}]
