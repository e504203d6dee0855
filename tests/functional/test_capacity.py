"""Capacity: overloaded services in the failure engine, ``depgraph capacity`` (each data center's
loss, the provisioning plan against brute force), its findings, and the CLI."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depgraph.analyses.capacity import capacity_findings, capacity_report, provisioning_plan
from depgraph.failure.engine import FailureModel, simulate
from depgraph.model import Catalog, Datacenter, Dependency, Deployment, Host, Service


def catalog_of(*services: Service, datacenters=("lon1", "sto1", "ash1"), hosts=()) -> Catalog:
    return Catalog(datacenters={name: Datacenter(name) for name in datacenters},
                   hosts={host.name: host for host in hosts},
                   services={service.name: service for service in services})


def spread(name: str, needed: int | None, counts: dict[str, int], deps=()) -> Service:
    return Service(name, min_instances=needed, dependencies=tuple(Dependency((d,)) for d in deps),
                   deployments=tuple(Deployment(dc, instances=n) for dc, n in counts.items()))


class TestOverloadedInTheEngine:
    def test_fewer_than_needed_up_is_overloaded_not_down_and_dependents_degrade(self):
        catalog = catalog_of(spread("db", 3, {"lon1": 2, "sto1": 2}),
                             spread("api", None, {"sto1": 2}, deps=["db"]),
                             Service("web", dependencies=(Dependency(("api",)),)))
        impact = simulate(FailureModel.from_catalog(catalog), ["datacenter:lon1"])
        assert impact.down == ()
        assert impact.overloaded == {"service:db": (2, 3)}
        assert impact.reduced == {"service:db": (2, 4)}
        assert impact.degraded == ("service:api", "service:web")

    def test_enough_left_is_only_reduced(self):
        catalog = catalog_of(spread("db", 2, {"lon1": 2, "sto1": 2}))
        impact = simulate(FailureModel.from_catalog(catalog), ["datacenter:lon1"])
        assert impact.overloaded == {} and impact.reduced == {"service:db": (2, 4)}

    def test_down_is_never_overloaded(self):
        catalog = catalog_of(spread("db", 2, {"lon1": 2}))
        impact = simulate(FailureModel.from_catalog(catalog), ["datacenter:lon1"])
        assert impact.down == ("service:db",) and impact.overloaded == {}

    def test_fewer_instances_than_needed_is_overloaded_with_nothing_failed(self):
        catalog = catalog_of(spread("db", 5, {"lon1": 2, "sto1": 2}))
        assert simulate(FailureModel.from_catalog(catalog), []).overloaded == {"service:db": (4, 5)}

    def test_spofs_ignore_overload(self):
        from depgraph.analyses.spof import single_points_of_failure

        catalog = catalog_of(spread("db", 3, {"lon1": 2, "sto1": 2}),
                             spread("api", None, {"lon1": 1, "sto1": 1}, deps=["db"]))
        model = FailureModel.from_catalog(catalog)
        assert simulate(model, ["datacenter:lon1"]).overloaded  # db is short, yet no SPOF
        assert [s.component for s in single_points_of_failure(catalog)] == ["service:db"]


class TestCapacityReport:
    def test_each_datacenter_loss(self):
        catalog = catalog_of(spread("db", 3, {"lon1": 3, "sto1": 1}),
                             spread("api", None, {"lon1": 2}, deps=["db"]))
        report = capacity_report(catalog)
        rows = {loss.component: (loss.survivable, loss.down, loss.overloaded) for loss in report.datacenters}
        assert rows == {
            "datacenter:ash1": (True, (), ()),
            "datacenter:lon1": (False, ("service:api",), (("service:db", 1, 3),)),
            "datacenter:sto1": (True, (), ()),
        }
        assert [(item.service, item.add) for item in report.plan] == [("service:db", {"datacenter:sto1": 2})]

    def test_racks_on_request(self):
        hosts = [Host("a1", "lon1", rack="a"), Host("a2", "lon1", rack="a"), Host("b1", "lon1", rack="b")]
        db = Service("db", min_instances=2, deployments=(Deployment("lon1", hosts=("a1", "a2", "b1")),))
        report = capacity_report(catalog_of(db, hosts=hosts), racks=True)
        assert [(r.component, r.overloaded) for r in report.racks] == [
            ("rack:lon1/a", (("service:db", 1, 2),)), ("rack:lon1/b", ())]
        assert capacity_report(catalog_of(db, hosts=hosts)).racks == []

    def test_a_service_in_one_datacenter_is_given_a_second(self):
        report = capacity_report(catalog_of(spread("db", 2, {"lon1": 4})))
        assert report.plan[0].add == {"datacenter:ash1": 2}

    def test_no_plan_with_a_single_datacenter(self):
        report = capacity_report(catalog_of(spread("db", 2, {"lon1": 4}), datacenters=("lon1",)))
        assert not report.plan[0].feasible and report.plan[0].add == {}

    def test_services_without_capacity_are_not_planned(self):
        assert capacity_report(catalog_of(spread("db", None, {"lon1": 1}))).plan == []


class TestProvisioningPlanIsMinimal:
    """The plan, applied, survives every single data-center loss, and no smaller one does."""

    @staticmethod
    def survives(counts: dict[str, int], needed: int, datacenters) -> bool:
        total = sum(counts.values())
        return all(total - counts.get(dc, 0) >= needed for dc in datacenters)

    @staticmethod
    def smallest_by_brute_force(counts, needed, datacenters) -> int:
        for budget in itertools.count():
            for split in itertools.product(range(budget + 1), repeat=len(datacenters)):
                if sum(split) != budget:
                    continue
                after = {dc: counts.get(dc, 0) + n for dc, n in zip(datacenters, split)}
                if TestProvisioningPlanIsMinimal.survives(after, needed, datacenters):
                    return budget

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(st.integers(2, 4).flatmap(lambda d: st.tuples(
        st.just(d), st.lists(st.integers(0, 5), min_size=d, max_size=d), st.integers(1, 7))))
    def test_against_brute_force(self, case):
        count, have, needed = case
        datacenters = [f"dc{i}" for i in range(count)]
        counts = {dc: n for dc, n in zip(datacenters, have) if n}
        plan = provisioning_plan(counts, needed, datacenters)
        best = self.smallest_by_brute_force(counts, needed, datacenters)
        if plan == {}:
            assert best == 0
            return
        after = {dc: counts.get(dc, 0) + plan.get(dc, 0) for dc in datacenters}
        assert self.survives(after, needed, datacenters)
        assert all(n > 0 for n in plan.values())
        assert sum(plan.values()) == best

    def test_deterministic_choice_prefers_where_it_runs(self):
        assert provisioning_plan({"sto1": 1}, 2, ["ash1", "lon1", "sto1"]) == {"ash1": 1, "lon1": 1}
        assert provisioning_plan({"sto1": 2, "lon1": 1}, 2, ["ash1", "lon1", "sto1"]) == {"lon1": 1}


class TestFindings:
    def test_capacity_loss_and_overloaded(self):
        catalog = catalog_of(spread("db", 3, {"lon1": 3, "sto1": 1}), spread("web", 9, {"lon1": 4}))
        findings = {f.subject: f for f in capacity_findings(catalog)}
        assert findings["service:db"].rule == "capacity-loss" and findings["service:db"].severity == "warning"
        assert findings["service:db"].key == ("datacenter:lon1",)
        assert "losing datacenter:lon1 leaves 1; add 2 in sto1" in findings["service:db"].message
        assert findings["service:web"].rule == "overloaded" and findings["service:web"].severity == "error"

    def test_in_analyze_and_policy_can_raise_it(self):
        import datetime as dt

        from depgraph.analysis import analyze
        from depgraph.gate.policy import parse_policy
        from depgraph.gate.policy_rules import apply_policy

        catalog = catalog_of(spread("db", 3, {"lon1": 3, "sto1": 1}))
        found = [f for f in analyze(catalog).findings if f.rule == "capacity-loss"]
        assert len(found) == 1
        policy = parse_policy("rules: {capacity-loss: error}\n", "depgraph.yaml")
        outcome = apply_policy(found, policy, dt.date(2012, 6, 1))
        assert [f.severity for f in outcome.findings] == ["error"]


TREE = {
    "all.yaml": """
        - {kind: datacenter, name: lon1}
        - {kind: datacenter, name: sto1}
        - {kind: host, name: l1, datacenter: lon1, rack: a}
        - {kind: host, name: l2, datacenter: lon1, rack: b}
        - {kind: host, name: s1, datacenter: sto1, rack: a}
        - {kind: team, name: core}
        - kind: service
          name: db
          owner: core
          capacity: {min_instances: 2}
          deployments: [{datacenter: lon1, hosts: [l1, l2]}, {datacenter: sto1, hosts: [s1]}]
        - {kind: service, name: api, owner: core, dependencies: [db], deployments: [{datacenter: sto1, instances: 2}, {datacenter: lon1, instances: 1}]}
        """,
}


class TestCli:
    def test_text(self, tree, run_cli):
        result = run_cli("capacity", "-d", tree(TREE))
        assert result.exit_code == 0
        assert result.stdout.splitlines()[0] == (
            "Can we lose a data center? 1 of 2 can go dark alone (sto1); not lon1.")
        assert "lon1         NO           0           1  overloaded: db 1/2" in result.stdout
        assert "  service:db      2  lon1 2, sto1 1  sto1 +1" in result.stdout

    def test_json(self, tree, run_cli):
        result = run_cli("capacity", "-d", tree(TREE), "--format", "json", "--racks")
        document = json.loads(result.stdout)
        assert document["schema"] == "depgraph/capacity/v1"
        assert document["datacenters"][0] == {
            "datacenter": "datacenter:lon1", "survivable": False, "down": [],
            "overloaded": [{"service": "service:db", "up": 1, "needed": 2}]}
        assert document["plan"] == [{"service": "service:db", "needed": 2, "feasible": True,
                                     "instances": {"datacenter:lon1": 2, "datacenter:sto1": 1},
                                     "add": {"datacenter:sto1": 1}}]
        assert [r["rack"] for r in document["racks"]] == ["rack:lon1/a", "rack:lon1/b", "rack:sto1/a"]

    def test_markdown(self, tree, run_cli):
        result = run_cli("capacity", "-d", tree(TREE), "--format", "markdown")
        assert "| `lon1` | **no** | 0 | 1 | overloaded: `db` 1/2 |" in result.stdout
        assert "| `service:db` | 2 | lon1 2, sto1 1 | sto1 +1 |" in result.stdout

    @pytest.mark.parametrize("value, message", [
        ("0", "'min_instances' must be a whole number ≥ 1"),
        ("2.5", "'min_instances' must be a whole number ≥ 1"),
        ("true", "not a boolean"),
    ])
    def test_bad_min_instances_is_an_error_at_its_place(self, tree, run_cli, value, message):
        root = tree({"s.yaml": f"kind: service\nname: db\ncapacity:\n  min_instances: {value}\n"})
        result = run_cli("capacity", "-d", root)
        assert result.exit_code == 2
        line = next(line for line in result.stderr.splitlines() if "s.yaml:4:18: error: " in line)
        assert message in line

    def test_blast_radius_lists_overloaded(self, tree, run_cli):
        root = tree(TREE)
        document = json.loads(run_cli("blast-radius", "datacenter:lon1", "-d", root, "--format", "json",
                                      "--no-cache").stdout)
        assert document["overloaded"] == [{"service": "service:db", "up": 1, "needed": 2}]
        assert document["degraded"] == ["service:api"]
        text = run_cli("blast-radius", "datacenter:lon1", "-d", root, "--no-cache").stdout
        assert "OVERLOADED (1): up, not enough to carry the peak" in text
        assert "service:db" in text.split("OVERLOADED")[1].splitlines()[1]
        assert text.split("OVERLOADED")[1].splitlines()[1].endswith("1 up, 2 needed")
        assert "hard dependency on service:db, which is overloaded" in text


class TestReportData:
    def test_capacity_and_availability_columns(self):
        from depgraph.analysis import analyze
        from depgraph.reporters.html import SCRIPTS
        from depgraph.reporters.html_capacity import capacity_data

        catalog = catalog_of(spread("db", 3, {"lon1": 3, "sto1": 1}),
                             Service("api", slo=99.0, dependencies=(Dependency(("db",)),)))
        data = capacity_data(analyze(catalog, for_page=True))
        assert capacity_data(analyze(catalog))["availability"] is None  # analyze alone estimates what its findings need
        assert [f.message for f in analyze(catalog).findings] == [f.message for f in analyze(catalog, for_page=True).findings]
        number = {"service:api": 0, "service:db": 1}
        lon1 = next(dc for dc in data["datacenters"] if dc["name"] == "lon1")
        assert lon1 == {"name": "lon1", "survivable": False, "down": [], "overloaded": [[number["service:db"], 1, 3]]}
        assert data["plan"] == [{"node": 1, "needed": 3, "feasible": True, "instances": {"lon1": 3, "sto1": 1},
                                 "add": {"sto1": 2}}]
        assert data["availability"]["node"] == [0, 1] and data["availability"]["slo"] == [99.0, None]
        assert "report_capacity.js" in SCRIPTS


def test_capacity_effects_of_a_host_or_rack_are_what_simulate_reports():
    from pathlib import Path

    from depgraph.analyses.blast import capacity_effects
    from depgraph.load.loader import load_catalog

    catalog = load_catalog(Path(__file__).resolve().parents[2] / "descriptors")
    model = FailureModel.from_catalog(catalog)
    components = [*model.hosts.ids, *model.racks.ids]
    assert any(simulate(model, [c]).reduced for c in components)
    for component in components:
        impact = simulate(model, [component])
        assert capacity_effects(model, component, impact.down) == (impact.reduced, impact.overloaded), component
