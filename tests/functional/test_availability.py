"""Availability: exact answers on hand-made landscapes, against brute force over the failure
engine, Monte-Carlo intervals around the exact values, the findings, and the CLI."""

from __future__ import annotations

import itertools
import json
import math
import random

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from depgraph.analyses.availability import availability_report, one_more_nine, wilson_interval
from depgraph.failure.engine import FailureModel, simulate
from depgraph.model import Catalog, Client, Datacenter, Dependency, Deployment, Host, Service

EVERYTHING_UP = {"datacenter": 100, "rack": 100, "host": 100, "service": 100}


def estimates(catalog, **options) -> dict[str, float]:
    return {e.id: e.availability for e in availability_report(catalog, **options).estimates}


class TestExact:
    def test_own_software_only(self):
        catalog = Catalog(services={"db": Service("db", availability=99.0)})
        (estimate,) = availability_report(catalog).estimates
        assert (estimate.availability, estimate.low, estimate.high, estimate.exact) == (99.0, 99.0, 99.0, True)

    def test_instances_in_two_racks_of_one_datacenter(self):
        catalog = Catalog(
            datacenters={"lon1": Datacenter("lon1", availability=99.0)},
            hosts={"a": Host("a", "lon1", rack="a", availability=90.0), "b": Host("b", "lon1", rack="b", availability=90.0)},
            services={"db": Service("db", availability=100, deployments=(Deployment("lon1", hosts=("a", "b")),))})
        value = estimates(catalog, defaults={"rack": 95.0})["service:db"]
        host_down = 1 - 0.9 * 0.95
        assert value == pytest.approx(100 * 0.99 * (1 - host_down ** 2))

    def test_any_of_needs_one_alternative_and_soft_needs_none(self):
        catalog = Catalog(services={
            "a": Service("a", availability=90.0), "b": Service("b", availability=80.0),
            "c": Service("c", availability=50.0),
            "api": Service("api", availability=100, dependencies=(
                Dependency(("a", "b"), is_group=True), Dependency(("c",), "soft")))})
        assert estimates(catalog)["service:api"] == pytest.approx(100 * (1 - 0.1 * 0.2))

    def test_hard_cycle_is_down_only_for_a_member_failing(self):
        catalog = Catalog(services={
            "a": Service("a", availability=90.0, dependencies=(Dependency(("b",)),)),
            "b": Service("b", availability=80.0, dependencies=(Dependency(("a",)),))})
        found = estimates(catalog)
        assert found["service:a"] == pytest.approx(72.0) and found["service:b"] == pytest.approx(72.0)

    def test_clients_and_overload_count_as_available(self):
        catalog = Catalog(
            services={"db": Service("db", availability=99.0, min_instances=5,
                                    deployments=(Deployment("lon1", instances=2),))},
            clients={"ios": Client("ios", dependencies=(Dependency(("db",)),))})
        found = estimates(catalog, defaults={"datacenter": 100})
        assert found == {"client:ios": pytest.approx(99.0), "service:db": pytest.approx(99.0)}

    def test_shared_infrastructure_is_not_multiplied(self):
        """Two services on the same host: the client needs both, but they fail together."""
        catalog = Catalog(
            hosts={"h": Host("h", "lon1", availability=90.0)},
            services={name: Service(name, availability=100, deployments=(Deployment("lon1", hosts=("h",)),))
                      for name in ("a", "b")},
            clients={"ios": Client("ios", dependencies=(Dependency(("a",)), Dependency(("b",))))})
        found = estimates(catalog, defaults={**EVERYTHING_UP, "host": 90.0})
        assert found["client:ios"] == pytest.approx(90.0)  # not 81

    def test_contributors_of_an_explained_entity(self):
        catalog = Catalog(services={"a": Service("a", availability=99.0),
                                    "b": Service("b", availability=98.0, dependencies=(Dependency(("a",)),))})
        report = availability_report(catalog, explain=["service:b"])
        b = next(e for e in report.estimates if e.id == "service:b")
        down = 1 - 0.99 * 0.98
        assert [c.component for c in b.contributors] == ["service:b", "service:a"]
        assert b.contributors[0][1] == pytest.approx(0.02 / down)


# -- random landscapes ------------------------------------------------------------------------


@st.composite
def landscapes(draw, max_failable: int = 14):
    """A small landscape: 1-2 data centers, a few hosts (some in racks), 1-5 services with
    hard, soft and any_of dependencies (cycles allowed), a client; availabilities low enough to
    matter. Returns (catalog, defaults)."""
    percents = st.sampled_from([50.0, 80.0, 90.0, 97.0, 100.0])
    dcs = [f"dc{i}" for i in range(draw(st.integers(1, 2)))]
    hosts = {}
    for i in range(draw(st.integers(0, 4))):
        dc = draw(st.sampled_from(dcs))
        hosts[f"h{i}"] = Host(f"h{i}", dc, rack=draw(st.sampled_from([None, "a", "b"])),
                              availability=draw(percents))
    names = [f"s{i}" for i in range(draw(st.integers(1, 5)))]
    services = {}
    for name in names:
        deps = []
        for target in names:
            if target != name and draw(st.integers(0, 3)) == 0:
                deps.append(Dependency((target,), draw(st.sampled_from(["hard", "hard", "soft"]))))
        if len(names) > 2 and draw(st.booleans()):
            group = tuple(draw(st.lists(st.sampled_from([n for n in names if n != name]), min_size=2,
                                        max_size=2, unique=True)))
            deps.append(Dependency(group, "hard", is_group=True))
        deployments = []
        for dc in dcs:
            placed = [h for h in hosts.values() if h.datacenter == dc]
            choice = draw(st.integers(0, 2))
            if choice == 1 and placed:
                chosen = draw(st.lists(st.sampled_from([h.name for h in placed]), min_size=1, unique=True))
                deployments.append(Deployment(dc, hosts=tuple(chosen)))
            elif choice == 2:
                deployments.append(Deployment(dc, instances=draw(st.integers(1, 3))))
        services[name] = Service(name, availability=draw(percents), dependencies=tuple(deps),
                                 deployments=tuple(deployments))
    client = Client("app", dependencies=(Dependency((draw(st.sampled_from(names)),)),))
    catalog = Catalog(datacenters={dc: Datacenter(dc, availability=draw(percents)) for dc in dcs},
                      hosts=hosts, services=services, clients={"app": client})
    defaults = {"rack": draw(percents)}
    assume(len(failable(catalog, defaults)) <= max_failable)
    return catalog, defaults


def failable(catalog: Catalog, defaults: dict) -> dict[str, float]:
    """Component id -> failure probability, for every component that can fail."""
    q = {}
    q.update({s.id: 1 - s.availability / 100 for s in catalog.services.values()})
    q.update({h.id: 1 - h.availability / 100 for h in catalog.hosts.values()})
    q.update({d.id: 1 - d.availability / 100 for d in catalog.datacenters.values()})
    q.update({rack: 1 - defaults["rack"] / 100 for rack in catalog.racks()})
    return {c: p for c, p in q.items() if p > 0}


def brute_force(catalog: Catalog, defaults: dict) -> dict[str, float]:
    """Availability (percent) of every service and client: every failure set weighed, each
    judged by the failure engine's ``simulate`` (SPEC §2)."""
    q = failable(catalog, defaults)
    model = FailureModel.from_catalog(catalog)
    entities = [*(s.id for s in catalog.services.values()), *(c.id for c in catalog.clients.values())]
    down = dict.fromkeys(entities, 0.0)
    components = sorted(q)
    for states in itertools.product((False, True), repeat=len(components)):
        failed = [c for c, is_down in zip(components, states) if is_down]
        weight = math.prod(q[c] if is_down else 1 - q[c] for c, is_down in zip(components, states))
        impact = simulate(model, failed)
        for entity in {*impact.down, *(c for c in failed if c.startswith("service:"))}:
            down[entity] += weight
    return {entity: 100 * (1 - value) for entity, value in down.items()}


class TestAgainstBruteForce:
    @settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(landscapes(max_failable=9))
    def test_exact_equals_enumerating_every_failure_set(self, case):
        catalog, defaults = case
        expected = brute_force(catalog, defaults)
        report = availability_report(catalog, defaults=defaults)
        assert all(e.exact and e.low == e.high == e.availability for e in report.estimates)
        assert {e.id: e.availability for e in report.estimates} == pytest.approx(expected, abs=1e-9)


class TestMonteCarlo:
    TRIALS = 20_000

    @settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(landscapes(max_failable=14), st.integers(0, 3))
    def test_exact_value_lies_in_a_wide_interval(self, case, seed):
        """Each estimate's interval at z = 4.42 (two-sided 99.999%) holds the exact value: with a
        few hundred intervals drawn, a miss would mean a bias, not bad luck."""
        catalog, defaults = case
        exact = {e.id: e.availability for e in availability_report(catalog, defaults=defaults).estimates}
        sampled = availability_report(catalog, defaults=defaults, exact_limit=0, trials=self.TRIALS, seed=seed)
        for estimate in sampled.estimates:
            if estimate.exact:  # nothing under it can fail: exact even without enumerating
                assert estimate.availability == exact[estimate.id] == 100.0
                continue
            up = round(estimate.availability / 100 * self.TRIALS)
            low, high = wilson_interval(up, self.TRIALS, z=4.42)
            assert 100 * low - 1e-9 <= exact[estimate.id] <= 100 * high + 1e-9, estimate

    def test_95_percent_intervals_cover_about_95_percent(self):
        """Over many landscapes and seeds, the 95% intervals hold the exact value about 95% of
        the time (at least 90%: the Wilson interval is close to its nominal coverage)."""
        generator = random.Random(7)
        covered = total = 0
        for _ in range(40):
            catalog, defaults = _random_landscape(generator)
            exact = {e.id: e.availability for e in availability_report(catalog, defaults=defaults).estimates}
            sampled = availability_report(catalog, defaults=defaults, exact_limit=0, trials=2_000,
                                          seed=generator.randrange(1000))
            for estimate in sampled.estimates:
                if exact[estimate.id] == 100.0:
                    continue  # nothing can fail: the interval is [.., 100] and trivially right
                total += 1
                covered += estimate.low <= exact[estimate.id] <= estimate.high
        assert total > 100
        assert covered / total >= 0.90

    def test_same_seed_same_answer_other_seed_other_trials(self):
        catalog, defaults = _random_landscape(random.Random(3))
        first = availability_report(catalog, defaults=defaults, exact_limit=0, seed=5)
        assert availability_report(catalog, defaults=defaults, exact_limit=0, seed=5) == first
        other = availability_report(catalog, defaults=defaults, exact_limit=0, seed=6)
        assert [e.availability for e in other.estimates] != [e.availability for e in first.estimates]

    def test_a_component_keeps_its_trials_when_others_are_added(self):
        catalog, defaults = _random_landscape(random.Random(4))
        before = availability_report(catalog, defaults=defaults, exact_limit=0)
        catalog.services["unrelated"] = Service("unrelated", availability=50.0)
        after = availability_report(catalog, defaults=defaults, exact_limit=0)
        unchanged = {e.id: e.availability for e in after.estimates if e.id != "service:unrelated"}
        assert unchanged == {e.id: e.availability for e in before.estimates}

    def test_trials_must_be_positive(self):
        with pytest.raises(ValueError):
            availability_report(Catalog(services={"a": Service("a")}), trials=0)


def _random_landscape(generator: random.Random) -> tuple[Catalog, dict]:
    """A landscape like :func:`landscapes` draws, from a plain random generator."""
    dcs = [f"dc{i}" for i in range(generator.randint(1, 2))]
    hosts = {f"h{i}": Host(f"h{i}", generator.choice(dcs), rack=generator.choice([None, "a"]),
                           availability=generator.choice([80.0, 90.0, 99.0]))
             for i in range(generator.randint(0, 3))}
    names = [f"s{i}" for i in range(generator.randint(2, 4))]
    services = {}
    for name in names:
        deps = tuple(Dependency((t,), generator.choice(["hard", "soft"])) for t in names
                     if t != name and generator.random() < 0.3)
        placed = [h for h in hosts if generator.random() < 0.5]
        deployments = (Deployment(hosts[placed[0]].datacenter, hosts=tuple(p for p in placed
                                  if hosts[p].datacenter == hosts[placed[0]].datacenter)),) if placed else ()
        services[name] = Service(name, availability=generator.choice([80.0, 90.0, 95.0]),
                                 dependencies=deps, deployments=deployments)
    catalog = Catalog(datacenters={dc: Datacenter(dc, availability=95.0) for dc in dcs}, hosts=hosts,
                      services=services)
    return catalog, {"rack": 90.0}


# -- findings --------------------------------------------------------------------------------------


class TestFindings:
    def catalog(self) -> Catalog:
        return Catalog(services={
            "db": Service("db", availability=99.95),
            "cache": Service("cache", availability=99.0),
            "api": Service("api", slo=99.9, availability=100, dependencies=(
                Dependency(("db",)), Dependency(("cache", "db"), is_group=True))),
            "web": Service("web", slo=99.0, availability=100, dependencies=(Dependency(("db",)),)),
        })

    def test_infeasible_and_one_more_nine(self):
        report = availability_report(self.catalog())
        found = sorted((f.rule, f.severity, f.subject, f.key) for f in report.findings)
        assert found == [("extra-nine", "warning", "service:api", ("service:db",))]

    def test_infeasible_when_the_upper_end_misses(self):
        catalog = self.catalog()
        catalog.services["db"] = Service("db", availability=99.5)
        found = {(f.rule, f.subject) for f in availability_report(catalog).findings}
        assert ("slo-infeasible", "service:api") in found
        assert ("slo-infeasible", "service:web") not in found  # 99.5 meets 99.0

    def test_one_more_nine(self):
        assert one_more_nine(99.9) == 99.99 and one_more_nine(99.0) == 99.9

    def test_in_analyze_with_policy_defaults(self):
        from depgraph.analysis import analyze

        catalog = Catalog(services={"db": Service("db"), "api": Service("api", slo=99.99, dependencies=(
            Dependency(("db",)),))})
        rules = {f.rule for f in analyze(catalog).findings}
        assert {"slo-infeasible", "extra-nine"} <= rules
        better = {f.rule for f in analyze(catalog, {"service": 99.9999}).findings}
        assert "slo-infeasible" not in better and "extra-nine" not in better


# -- command line -----------------------------------------------------------------------------------

TREE = {
    "all.yaml": """
        - {kind: datacenter, name: lon1, availability: 99.9}
        - {kind: datacenter, name: sto1}
        - {kind: host, name: l1, datacenter: lon1, rack: a}
        - {kind: host, name: s1, datacenter: sto1, rack: a, availability: 99}
        - {kind: team, name: core}
        - kind: service
          name: db
          owner: core
          tier: 1
          slo: 99.99
          deployments: [{datacenter: lon1, hosts: [l1]}, {datacenter: sto1, hosts: [s1]}]
        - {kind: service, name: api, owner: core, dependencies: [db], slo: 99.9}
        - {kind: client, name: ios, dependencies: [api]}
        """,
}


class TestCli:
    def test_text(self, tree, run_cli):
        result = run_cli("availability", "-d", tree(TREE))
        assert result.exit_code == 0
        lines = result.stdout.splitlines()
        assert lines[0].startswith("Availability of 3 services and clients in percent: 10,000 trials (seed 0)")
        assert "cannot meet their slo: service:api, service:db." in lines[0]
        row = next(line for line in lines if line.startswith("service:db "))
        assert "tier 1" in row and "99.99" in row and "exact" in row and "CANNOT MEET SLO" in row
        assert "down most with service:db" in lines[lines.index(row) + 1]
        assert "FINDINGS (" in result.stdout and "extra-nine: service:api" in result.stdout

    def test_json_same_seed_same_bytes(self, tree, run_cli):
        root = tree(TREE)
        first = run_cli("availability", "-d", root, "--format", "json", "--seed", "3")
        again = run_cli("availability", "-d", root, "--format", "json", "--seed", "3")
        assert first.stdout == again.stdout
        document = json.loads(first.stdout)
        assert document["schema"] == "depgraph/availability/v1"
        assert (document["trials"], document["seed"]) == (10_000, 3)
        ids = [e["id"] for e in document["entities"]]
        assert ids == ["client:ios", "service:api", "service:db"]
        db = document["entities"][2]
        assert db["exact"] and db["low"] == db["high"] == db["availability"] and db["slo"] == 99.99
        assert set(document["entities"][0]) == {"id", "availability", "low", "high", "slo", "exact", "contributors"}

    def test_naming_an_entity_answers_for_it_alone(self, tree, run_cli):
        root = tree(TREE)
        document = json.loads(run_cli("availability", "-d", root, "--format", "json", "ios").stdout)
        assert [e["id"] for e in document["entities"]] == ["client:ios"] and document["focus"] == ["client:ios"]
        contributor = document["entities"][0]["contributors"][0]
        assert contributor["component"] == "service:api"
        assert contributor["low"] <= contributor["share"] <= contributor["high"] and contributor["rank"] == 1
        assert json.loads(run_cli("availability", "-d", root, "--format", "json", "--explain", "ios").stdout) == document
        text = run_cli("availability", "-d", root, "ios").stdout
        assert text.startswith("client:ios (client) is ") and "down most with service:api" in text
        assert "SERVICE OR CLIENT" not in text

    def test_could_it_meet_an_objective(self, tree, run_cli):
        root = tree(TREE)
        text = run_cli("availability", "-d", root, "api", "--slo", "99.999").stdout
        assert "objective 99.999% (asked): cannot meet it" in text
        text = run_cli("availability", "-d", root, "api", "--slo", "10").stdout
        assert "objective 10% (asked): meets it" in text
        refused = run_cli("availability", "-d", root, "--slo", "99.9")
        assert refused.exit_code == 2 and "name one" in refused.stderr
        assert run_cli("availability", "-d", root, "api", "--slo", "100").exit_code == 2

    def test_markdown(self, tree, run_cli):
        result = run_cli("availability", "-d", tree(TREE), "--format", "markdown")
        assert result.stdout.startswith("## Availability\n")
        assert "| `service:db` | tier 1 | 99.99 |" in result.stdout

    def test_policy_defaults(self, tree, run_cli):
        root = tree({**TREE, "depgraph.yaml": "availability: {service: 99.0}\n"})
        document = json.loads(run_cli("availability", "-d", root, "--format", "json").stdout)
        api = next(e for e in document["entities"] if e["id"] == "service:api")
        assert document["defaults"]["service"] == 99.0 and api["high"] < 99.0

    @pytest.mark.parametrize("value", ["0", "-5"])
    def test_bad_trials(self, tree, run_cli, value):
        result = run_cli("availability", "-d", tree(TREE), "--trials", value)
        assert result.exit_code == 2 and "--trials must be a whole number from 1" in result.stderr

    @pytest.mark.parametrize("field, value, message", [
        ("slo", "100", "field 'slo' must be a percentage between 0 and 100 (exclusive)"),
        ("slo", "0", "field 'slo' must be a percentage between 0 and 100 (exclusive)"),
        ("availability", "100.5", "field 'availability' must be a percentage above 0 and at most 100"),
        ("availability", "true", "not a boolean"),
    ])
    def test_bad_values_are_errors_at_their_place(self, tree, run_cli, field, value, message):
        root = tree({"s.yaml": f"kind: service\nname: db\n{field}: {value}\n"})
        result = run_cli("availability", "-d", root)
        assert result.exit_code == 2
        line = next(line for line in result.stderr.splitlines() if f"s.yaml:3:{len(field) + 3}: error: " in line)
        assert message in line

    def test_bad_policy_value(self, tree, run_cli):
        root = tree({**TREE, "depgraph.yaml": "availability:\n  host: 0\n  rak: 99\n"})
        result = run_cli("availability", "-d", root)
        assert result.exit_code == 2
        assert "depgraph.yaml:2:9: error: availability of a host must be a percentage" in result.stderr
        assert "depgraph.yaml:3:3: error: unknown field 'rak' in availability; did you mean 'rack'?" in result.stderr

    def test_unknown_explain(self, tree, run_cli):
        result = run_cli("availability", "-d", tree(TREE), "--explain", "nosuch")
        assert result.exit_code == 2 and "unknown component 'nosuch'" in result.stderr


def test_check_uses_the_policy_files_availability_defaults(tree, run_cli):
    import json as _json

    root = tree({"a.yaml": """
        - {kind: datacenter, name: x}
        - {kind: host, name: h, datacenter: x}
        - {kind: team, name: core}
        - {kind: service, name: api, owner: core, slo: 99.9, deployments: [{datacenter: x, hosts: [h]}]}
    """})
    def rules():
        return {f["rule"] for f in _json.loads(run_cli("check", "-d", root, "--format", "json").stdout)["new"]}
    assert "slo-infeasible" in rules()  # a default host (99.5) cannot carry 99.9
    (root / "depgraph.yaml").write_text(
        "availability: {datacenter: 99.9999, rack: 99.9999, host: 99.9999, service: 99.9999}\n")
    assert "slo-infeasible" not in rules()
