"""Cold-start waves and blocked services (depgraph.analyses.startup)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from depgraph.analyses.startup import startup_order
from depgraph.model import Catalog, Client, Dependency, Service
from tests.helpers import examples


def catalog(services: dict[str, list], clients: dict[str, list] | None = None) -> Catalog:
    """``"b"`` hard, ``"~b"`` soft, ``["b", "c"]`` hard any_of, ``["~", "b", "c"]`` soft any_of."""

    def dep(spec) -> Dependency:
        if isinstance(spec, list):
            soft = spec[0] == "~"
            return Dependency(tuple(spec[1:] if soft else spec), "soft" if soft else "hard", True)
        return Dependency((spec.lstrip("~"),), "soft" if spec.startswith("~") else "hard")

    return Catalog(
        services={n: Service(n, dependencies=tuple(map(dep, d))) for n, d in services.items()},
        clients={n: Client(n, dependencies=tuple(map(dep, d))) for n, d in (clients or {}).items()},
    )


def ids(*names: str) -> tuple[str, ...]:
    return tuple(f"service:{n}" for n in names)


class TestStartupOrder:
    def test_layers(self):
        order = startup_order(catalog({
            "api": ["playlist", "auth"], "playlist": ["db"], "auth": ["db"], "db": [], "dns": []}))
        assert order.waves == (ids("db", "dns"), ids("auth", "playlist"), ids("api"))
        assert order.blocked == ()

    def test_soft_dependencies_do_not_hold_back(self):
        order = startup_order(catalog({"web": ["~recs", "db"], "recs": ["web"], "db": []}))
        assert order.waves == (ids("db"), ids("web"), ids("recs"))

    def test_any_of_waits_for_its_first_alternative(self):
        # api may start once either db-primary (wave 0) or db-replica (wave 1) is up
        order = startup_order(catalog({
            "api": [["db-primary", "db-replica"]], "db-primary": [], "db-replica": ["db-primary"]}))
        assert order.waves == (ids("db-primary"), ids("api", "db-replica"))

    def test_a_service_waits_for_its_latest_hard_entry(self):
        order = startup_order(catalog({"a": [], "b": ["a"], "c": ["b"], "top": ["a", "c"]}))
        assert order.waves == (ids("a"), ids("b"), ids("c"), ids("top"))

    def test_hard_cycle_and_what_waits_on_it_are_blocked(self):
        order = startup_order(catalog({
            "ping": ["pong"], "pong": ["ping"], "app": ["ping", "db"], "db": [],
            "failover": [["ping", "db"]]}))
        assert order.waves == (ids("db"), ids("failover"))
        assert order.blocked == ids("app", "ping", "pong")
        assert order.reasons == {
            "service:app": "needs service:ping, which never starts",
            "service:ping": "needs service:pong, which never starts; "
                            "hard cycle service:ping → service:pong → service:ping",
            "service:pong": "needs service:ping, which never starts; "
                            "hard cycle service:pong → service:ping → service:pong",
        }

    def test_any_of_whose_alternatives_never_start(self):
        order = startup_order(catalog({"a": ["b"], "b": ["a"], "c": [["a", "b"]]}))
        assert order.reasons["service:c"] == (
            "needs one of service:a, service:b, none of which ever starts")

    def test_a_soft_cycle_starts(self):
        order = startup_order(catalog({"a": ["~b"], "b": ["~a"]}))
        assert order.waves == (ids("a", "b"),)

    def test_clients_are_not_started(self):
        order = startup_order(catalog({"api": []}, clients={"ios": ["api"]}))
        assert order.waves == (ids("api"),)

    def test_json(self):
        order = startup_order(catalog({"a": [], "b": ["a"], "x": ["y"], "y": ["x"]}))
        document = order.to_json()
        # the entry to cut so that the blocked start: one of the ring's two
        assert [(c["source"], c["target"]) for c in document.pop("cuts")] in (
            [("service:x", "service:y")], [("service:y", "service:x")])
        assert document == {"waves": [["service:a"], ["service:b"]], "blocked": ["service:x", "service:y"]}

    def test_empty(self):
        assert startup_order(Catalog()).waves == ()


@st.composite
def dependency_maps(draw):
    names = [f"s{i}" for i in range(draw(st.integers(1, 8)))]
    result = {}
    for name in names:
        others = [n for n in names if n != name]
        specs = draw(st.lists(st.lists(st.sampled_from(others), min_size=1, max_size=3, unique=True),
                              max_size=3)) if others else []
        result[name] = [s if len(s) > 1 else s[0] for s in specs]
    return result


class TestAgainstTheDefinition:
    @settings(max_examples=examples(100), deadline=None)
    @given(dependency_maps())
    def test_each_service_starts_in_the_first_wave_its_hard_entries_allow(self, services):
        order = startup_order(catalog(services))
        wave_of = {s: i for i, wave in enumerate(order.waves) for s in wave}
        assert set(wave_of) | set(order.blocked) == {f"service:{n}" for n in services}
        for name, specs in services.items():
            entries = [[s] if isinstance(s, str) else s for s in specs]
            earliest = [min((wave_of.get(f"service:{a}", float("inf")) for a in e))
                        for e in entries]
            expected = max(earliest, default=-1) + 1
            assert wave_of.get(f"service:{name}", float("inf")) == expected
