"""Recovery time (depgraph.analyses.recovery): ready times, blocked services, critical paths,
restoration after a failure, and the ``rto-exceeded`` finding."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depgraph.analyses.recovery import RecoveryDefaults, path_text, recovery, rto_findings
from depgraph.diagnostics import UnknownComponent
from depgraph.model import Catalog, Client, Datacenter, Dependency, Deployment, Host, Service
from tests.helpers import examples


def dep(spec) -> Dependency:
    """``"b"`` hard, ``"~b"`` soft, ``["b", "c"]`` hard any_of, ``["~", "b", "c"]`` soft any_of."""
    if isinstance(spec, list):
        soft = spec[0] == "~"
        return Dependency(tuple(spec[1:] if soft else spec), "soft" if soft else "hard", True)
    return Dependency((spec.lstrip("~"),), "soft" if spec.startswith("~") else "hard")


def landscape(services: dict[str, tuple], clients: dict[str, list] | None = None, **catalog) -> Catalog:
    """``name: (start_time, [dependencies])`` or ``name: (start_time, [dependencies], options)``."""
    made = {}
    for name, (start, deps, *options) in services.items():
        made[name] = Service(name, start_time=start, dependencies=tuple(map(dep, deps)), **(options[0] if options else {}))
    return Catalog(services=made, clients={n: Client(n, dependencies=tuple(map(dep, d)))
                                           for n, d in (clients or {}).items()}, **catalog)


def sid(*names: str) -> tuple[str, ...]:
    return tuple(f"service:{n}" for n in names)


class TestReadyTimes:
    def test_a_service_waits_for_its_slowest_hard_entry_then_starts(self):
        result = recovery(landscape({"db": (600, []), "cache": (900, []), "api": (60, ["db", "cache"])}))
        assert result.ready("service:api") == 960
        assert result.critical_path("service:api") == sid("cache", "api")
        assert result.ready_at == 960

    def test_an_any_of_waits_only_for_its_earliest_alternative(self):
        result = recovery(landscape({"primary": (600, []), "replica": (120, []),
                                     "api": (60, [["primary", "replica"]])}))
        assert result.ready("service:api") == 180
        assert result.critical_path("service:api") == sid("replica", "api")

    def test_soft_dependencies_never_hold_a_service_back(self):
        result = recovery(landscape({"search": (3600, []), "web": (30, ["~search"])}))
        assert result.ready("service:web") == 30
        assert result.critical_path("service:web") == sid("web")

    def test_the_default_start_time_is_a_minute_and_the_policy_can_change_it(self):
        catalog = landscape({"db": (None, []), "api": (None, ["db"])})
        assert recovery(catalog).ready("service:api") == 120
        assert recovery(catalog, defaults=RecoveryDefaults(start_time=300)).ready("service:api") == 600

    def test_a_client_is_ready_when_its_hard_entries_are(self):
        result = recovery(landscape({"api": (60, []), "ads": (600, [])}, {"ios": ["api", "~ads"]}))
        assert result.clients == (("client:ios", 60),)
        assert result.critical_path("client:ios") == ("service:api", "client:ios")

    def test_a_ring_closed_through_an_any_of_resolves(self):
        # playlist needs one of (storage, cache); cache needs playlist: the ring starts via storage
        result = recovery(landscape({"storage": (300, []), "cache": (200, ["playlist"]),
                                     "playlist": (60, [["cache", "storage"]])}))
        assert (result.ready("service:playlist"), result.ready("service:cache")) == (360, 560)
        assert result.blocked == ()

    def test_a_hard_cycle_and_what_needs_it_are_blocked_with_the_reason(self):
        result = recovery(landscape({"ping": (10, ["pong"]), "pong": (10, ["ping"]), "app": (10, ["ping"]),
                                     "db": (10, []), "failover": (10, [["ping", "db"]])},
                                    {"ios": ["app"]}))
        assert result.blocked == ("client:ios", *sid("app", "ping", "pong"))
        assert result.ready("service:failover") == 20
        assert result.ready("service:app") is None and result.critical_path("service:app") == ()
        assert result.reasons["service:ping"] == ("needs service:pong, which never starts; "
                                                  "hard cycle service:ping → service:pong → service:ping")
        assert result.reasons["client:ios"] == "needs service:app, which never starts"
        assert [s.service for s in result.services] == list(sid("db", "failover"))


class TestCriticalPath:
    def test_ties_go_to_the_lowest_id(self):
        result = recovery(landscape({"b": (60, []), "a": (60, []), "top": (5, ["b", "a"])}))
        assert result.critical_path("service:top") == sid("a", "top")

    def test_the_path_reads_with_each_steps_time(self):
        result = recovery(landscape({"a": (300, []), "b": (1200, ["a"]), "c": (120, ["b"])}))
        assert path_text(result, "service:c") == "service:a (5m) → service:b (20m) → service:c (2m) = 27m"

    def test_it_stops_where_nothing_restarting_holds_the_service_back(self):
        catalog = landscape({"db": (600, []), "api": (60, [["db", "db2"]]), "db2": (600, []),
                             "web": (30, ["api"])})
        result = recovery(catalog, ["service:db"])
        # db2 stays up, so api's only hard entry is satisfied at once
        assert result.restarting == sid("db")
        catalog = landscape({"db": (600, []), "api": (60, ["db"]), "web": (30, ["api", "cdn"]), "cdn": (5, [])})
        result = recovery(catalog, ["service:api"])
        assert result.restarting == sid("api", "web")
        assert result.critical_path("service:web") == sid("api", "web")
        assert result.critical_path("service:api") == sid("api")
        assert result.ready("service:web") == 90 and result.ready("service:db") == 0


class TestRestoration:
    def test_what_goes_down_with_a_host_restarts_and_everything_else_is_ready_at_zero(self):
        catalog = landscape(
            {"db": (600, [], {"deployments": (Deployment("lon1", hosts=("h1",)),)}),
             "api": (60, ["db"]), "search": (900, [])},
            {"ios": ["api"], "web": ["search"]},
            hosts={"h1": Host("h1", "lon1")}, datacenters={"lon1": Datacenter("lon1")})
        result = recovery(catalog, ["host:h1"])
        assert result.failed == ("host:h1",)
        assert result.restarting == sid("api", "db")
        assert result.clients == (("client:ios", 660),)
        assert result.ready_at == 660
        assert result.to_json()["failed"] == ["host:h1"]

    def test_an_unknown_component_is_refused_with_a_hint(self):
        with pytest.raises(UnknownComponent, match="did you mean"):
            recovery(landscape({"payments": (60, [])}), ["service:paymnts"])


class TestObjectives:
    def catalog(self):
        return landscape({
            "db": (600, []),
            "api": (120, ["db"], {"tier": 1, "rto": 600}),
            "feed": (120, ["db"], {"tier": 2, "rto": 300}),
            "ok": (60, ["db"], {"tier": 2, "rto": 3600}),
            "ping": (10, ["pong"], {"tier": 1, "rto": 60}), "pong": (10, ["ping"]),
        })

    def test_meets_compares_ready_time_and_objective(self):
        result = recovery(self.catalog())
        meets = {s.service: s.meets for s in result.services}
        assert meets == {"service:api": False, "service:db": None, "service:feed": False, "service:ok": True}
        assert [s.service for s in result.missed()] == list(sid("api", "feed"))

    def test_a_tier_objective_from_the_policy_applies_where_none_is_declared(self):
        result = recovery(self.catalog(), defaults=RecoveryDefaults(rto_by_tier={3: 60, 2: 900}))
        assert {s.service: s.rto for s in result.services}["service:db"] == 900

    def test_rto_exceeded_is_an_error_for_tier_1_and_names_the_path(self):
        catalog = self.catalog()
        findings = {f.subject: f for f in rto_findings(catalog, recovery(catalog))}
        assert sorted(findings) == ["service:api", "service:feed", "service:ping"]
        assert findings["service:api"].severity == "error" and findings["service:feed"].severity == "warning"
        assert findings["service:api"].message == (
            "service:api is ready 12m into a cold start, 2m past its RTO of 10m: "
            "service:db (10m) → service:api (2m) = 12m")
        assert "never gets ready" in findings["service:ping"].message
        assert "hard cycle" in findings["service:ping"].message


# -- the recurrence against a brute-force simulation ------------------------------------------------


@st.composite
def landscapes(draw):
    names = [f"s{i}" for i in range(draw(st.integers(1, 8)))]
    services = {}
    for name in names:
        entries = []
        for _ in range(draw(st.integers(0, 3))):
            targets = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
            targets = [t for t in targets if t != name]
            if not targets:
                continue
            kind = draw(st.sampled_from(["hard", "soft", "group"]))
            entries.append(Dependency(tuple(targets), "hard", True) if kind == "group"
                           else Dependency((targets[0],), kind))
        services[name] = Service(name, start_time=draw(st.integers(1, 4)), dependencies=tuple(entries))
    clients = {}
    for index in range(draw(st.integers(0, 2))):
        targets = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
        clients[f"c{index}"] = Client(f"c{index}", dependencies=(Dependency(tuple(targets), "hard", True),))
    failed = draw(st.one_of(st.just([]), st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)))
    return Catalog(services=services, clients=clients), [f"service:{n}" for n in failed]


def simulated(catalog: Catalog, failed: list[str]) -> dict[str, int | None]:
    """Every restarting node's ready time, second by second: a node starts in the first second in
    which each hard entry has an alternative that is ready."""
    everything = {**{f"service:{n}": s for n, s in catalog.services.items()},
                  **{f"client:{n}": c for n, c in catalog.clients.items()}}

    def hard(node):
        return [[f"service:{t}" for t in d.targets] for d in everything[node].dependencies if d.hard]

    if failed:  # SPEC §2 by a fixpoint: down while a hard entry has every alternative down
        down = set(failed)
        while True:
            more = {n for n in everything if n not in down and any(set(e) <= down for e in hard(n))}
            if not more:
                break
            down |= more
    else:
        down = set(everything)
    ready = {n: (None if n in down else 0) for n in everything}
    horizon = sum(s.start_time for s in catalog.services.values()) + 1
    for second in range(horizon + 1):
        for node in sorted(down):
            if ready[node] is None and all(
                    any(ready[a] is not None and ready[a] <= second for a in e) for e in hard(node)):
                start = everything[node].start_time if node.startswith("service:") else 0
                ready[node] = second + start
    return {n: ready[n] for n in down}


@settings(max_examples=examples(60), deadline=None)
@given(landscapes())
def test_ready_times_and_critical_paths_match_a_brute_force_simulation(case):
    catalog, failed = case
    result = recovery(catalog, failed)
    expected = simulated(catalog, failed)
    got = {n: result.ready(n) for n in expected}
    assert got == expected
    assert set(result.blocked) == {n for n, t in expected.items() if t is None}
    assert result.ready_at == max([t for t in expected.values() if t is not None], default=0)
    critical_paths_add_up(catalog, result)


def critical_paths_add_up(catalog: Catalog, result) -> None:
    """Each critical path ends with its node, runs along hard entries from one ready time to the
    next, starts where nothing restarting holds it back, and its start times add up."""
    for node_id, ready in [*((s.service, s.ready_at) for s in result.services), *result.clients]:
        path = result.critical_path(node_id)
        assert path[-1] == node_id
        assert sum(result.start_times.get(step, 0) for step in path) == ready
        for before, after in zip(path, path[1:]):
            entity = catalog.entity(after)
            assert any(d.hard and before[8:] in d.targets for d in entity.dependencies)
            assert result.ready(before) == ready_before(result, after)
        first = catalog.entity(path[0])
        # nothing that restarts holds the first step back
        assert result.ready(path[0]) == result.start_times.get(path[0], 0)
        assert all(min(t for t in (result.ready(f"service:{n}") for n in d.targets) if t is not None) == 0
                   for d in first.dependencies if d.hard)


def ready_before(result, node_id: str) -> int:
    return result.ready(node_id) - result.start_times.get(node_id, 0)
