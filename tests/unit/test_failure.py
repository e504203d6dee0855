"""The failure engine on a hand-made landscape (depgraph.failure.engine): what goes down, degrades and
loses instances. Random landscapes against the SPEC text are in test_spof.py."""

from __future__ import annotations

import pytest

from depgraph.diagnostics import UsageError
from depgraph.failure.engine import FailureModel, Impact, simulate
from depgraph.failure.resolve import resolve_component
from depgraph.load.loader import load_catalog

# Racks lon1/a (a-01, a-02), lon1/b (b-01), sto1/a (sto1-a-01).
# db: a-01 only.  cache: rack lon1/a only.  search: lon1 only, two racks.  storage: both dcs.
# queue: anonymous instances, 3 in lon1 and 2 in sto1.
# playlist -> db (hard), cache (soft), any_of [search, storage];  api -> playlist;
# recs -> api (soft);  ios -> api;  web -> any_of [api, queue].
LANDSCAPE = {
    "infra.yaml": """
        - {kind: datacenter, name: lon1}
        - {kind: datacenter, name: sto1}
        - {kind: host, name: lon1-a-01, datacenter: lon1, rack: a}
        - {kind: host, name: lon1-a-02, datacenter: lon1, rack: a}
        - {kind: host, name: lon1-b-01, datacenter: lon1, rack: b}
        - {kind: host, name: sto1-a-01, datacenter: sto1, rack: a}
        """,
    "services.yaml": """
        - {kind: service, name: db, deployments: [{datacenter: lon1, hosts: [lon1-a-01]}]}
        - {kind: service, name: cache, deployments: [{datacenter: lon1, hosts: [lon1-a-01, lon1-a-02]}]}
        - {kind: service, name: search, deployments: [{datacenter: lon1, hosts: [lon1-a-02, lon1-b-01]}]}
        - kind: service
          name: storage
          deployments:
            - {datacenter: lon1, hosts: [lon1-b-01]}
            - {datacenter: sto1, hosts: [sto1-a-01]}
        - kind: service
          name: queue
          deployments: [{datacenter: lon1, instances: 3}, {datacenter: sto1, instances: 2}]
        - kind: service
          name: playlist
          dependencies:
            - db
            - {service: cache, type: soft}
            - any_of: [search, storage]
        - {kind: service, name: api, dependencies: [playlist]}
        - {kind: service, name: recs, dependencies: [{service: api, type: soft}]}
        - {kind: service, name: unplaced}
        - {kind: client, name: ios, dependencies: [api]}
        - {kind: client, name: web, dependencies: [{any_of: [api, queue]}]}
        """,
}

IOS_CHAIN = ("client:ios", "service:api", "service:playlist")


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    from tests.helpers import write_tree

    root = write_tree(tmp_path_factory.mktemp("landscape") / "descriptors", LANDSCAPE)
    return FailureModel.from_catalog(load_catalog(root))


def ids(*items: str) -> tuple[str, ...]:
    return tuple(sorted(items))


class TestSimulate:
    def test_nothing_failed_nothing_down(self, model):
        assert simulate(model, []) == Impact(failed=())

    def test_the_only_host_of_a_service(self, model):
        impact = simulate(model, ["host:lon1-a-01"])
        assert impact.down == ids(*IOS_CHAIN, "service:db")
        # recs needs api only softly; web keeps queue as its other alternative
        assert impact.degraded == ("client:web", "service:recs")
        assert impact.reduced == {"service:cache": (1, 2)}

    def test_a_rack(self, model):
        impact = simulate(model, ["rack:lon1/a"])
        assert impact.down == ids(*IOS_CHAIN, "service:db", "service:cache")
        assert impact.reduced == {"service:search": (1, 2)}

    def test_a_datacenter_takes_its_anonymous_instances(self, model):
        impact = simulate(model, ["datacenter:lon1"])
        assert impact.down == ids(*IOS_CHAIN, "service:db", "service:cache", "service:search")
        assert impact.degraded == ("client:web", "service:recs")
        assert impact.reduced == {"service:queue": (3, 5), "service:storage": (1, 2)}

    def test_anonymous_instances_survive_host_failures(self, model):
        impact = simulate(model, ["host:lon1-a-01", "host:lon1-a-02", "host:lon1-b-01"])
        assert "service:queue" not in impact.reduced
        assert impact.reduced == {"service:storage": (1, 2)}

    def test_any_of_survives_one_side(self, model):
        impact = simulate(model, ["service:search"])
        assert impact.down == ()
        assert impact.degraded == ids(*IOS_CHAIN, "service:recs", "client:web")

    def test_any_of_falls_with_every_side(self, model):
        impact = simulate(model, ["service:search", "service:storage"])
        assert impact.failed == ("service:search", "service:storage")
        assert impact.down == IOS_CHAIN
        assert impact.degraded == ("client:web", "service:recs")

    def test_soft_only_dependents_degrade(self, model):
        impact = simulate(model, ["service:cache"])
        assert impact.down == ()
        assert impact.degraded == ids(*IOS_CHAIN, "service:recs", "client:web")

    def test_failed_components_are_not_listed_as_down(self, model):
        impact = simulate(model, ["service:db", "service:api"])
        assert impact.down == ("client:ios", "service:playlist")
        assert impact.failed == ("service:api", "service:db")

    def test_a_client_goes_down_only_when_a_hard_entry_is_lost(self, model):
        impact = simulate(model, ["service:api", "service:queue"])
        assert "client:web" in impact.down

    def test_a_service_without_deployments_never_goes_down_by_placement(self, model):
        everything = ["datacenter:lon1", "datacenter:sto1"]
        assert "service:unplaced" not in simulate(model, everything).down

    def test_a_host_outside_any_failure_loses_nothing(self, model):
        impact = simulate(model, ["host:lon1-b-01"])
        assert (impact.down, impact.degraded) == ((), ())
        assert impact.reduced == {"service:search": (1, 2), "service:storage": (1, 2)}

    def test_failed_ids_are_deduplicated_and_sorted(self, model):
        assert simulate(model, ["host:sto1-a-01", "datacenter:lon1", "host:sto1-a-01"]).failed == (
            "datacenter:lon1", "host:sto1-a-01")

    @pytest.mark.parametrize("component, message", [
        ("service:palylist", "did you mean 'service:playlist'"),
        ("rack:lon1/c", "unknown component 'rack:lon1/c'"),
        ("client:ios", "client:ios cannot fail"),
        ("playlist", "unknown component 'playlist'"),
    ])
    def test_unknown_components(self, model, component, message):
        with pytest.raises(UsageError, match=message):
            simulate(model, [component])


class TestResolveComponent:
    @pytest.fixture(scope="class")
    @classmethod
    def catalog(cls, tmp_path_factory):
        from tests.helpers import write_tree

        files = dict(LANDSCAPE)
        files["more.yaml"] = """
            - {kind: host, name: queue, datacenter: sto1}
            """
        return load_catalog(write_tree(tmp_path_factory.mktemp("r") / "descriptors", files))

    @pytest.mark.parametrize("argument, expected", [
        ("service:db", "service:db"),
        ("db", "service:db"),
        ("lon1-a-01", "host:lon1-a-01"),
        ("lon1/a", "rack:lon1/a"),
        ("sto1", "datacenter:sto1"),
        ("host:queue", "host:queue"),
    ])
    def test_names(self, catalog, argument, expected):
        assert resolve_component(catalog, argument) == expected

    def test_ambiguous_bare_name_lists_the_choices(self, catalog):
        with pytest.raises(UsageError, match="'queue' is ambiguous: host:queue, service:queue"):
            resolve_component(catalog, "queue")

    def test_unknown_bare_name_suggests(self, catalog):
        with pytest.raises(UsageError, match="did you mean 'playlist'"):
            resolve_component(catalog, "playlst")

    def test_a_client_is_not_a_component_that_fails(self, catalog):
        with pytest.raises(UsageError, match="client:ios cannot fail: only services, hosts, racks and data centers can"):
            resolve_component(catalog, "client:ios")


def test_what_degrades_through_an_overloaded_service_and_a_down_one_is_listed_once_with_one_reason():
    """An overloaded service (fewer instances up than ``min_instances``) degrades its dependents
    as a down one does; a dependent reached from both is degraded once, by the nearest."""
    from depgraph.analyses.blast import blast_radius
    from depgraph.model import Catalog, Datacenter, Dependency, Deployment, Host, Service

    catalog = Catalog(
        datacenters={"lon1": Datacenter("lon1"), "sto1": Datacenter("sto1")},
        hosts={"l1": Host("l1", "lon1"), "l2": Host("l2", "lon1"), "s1": Host("s1", "sto1")},
        services={
            "db": Service("db", deployments=(Deployment("lon1", hosts=("l1",)),)),
            "queue": Service("queue", min_instances=2,
                             deployments=(Deployment("lon1", hosts=("l2",)), Deployment("sto1", hosts=("s1",)))),
            "api": Service("api", dependencies=(Dependency(("db",), "soft"), Dependency(("queue",), "soft"))),
            "worker": Service("worker", dependencies=(Dependency(("queue",), "soft"),)),
            "web": Service("web", dependencies=(Dependency(("worker",), "soft"),)),
        },
    )
    model = FailureModel.from_catalog(catalog)
    impact = simulate(model, ["datacenter:lon1"])
    assert impact.down == ("service:db",)
    assert impact.overloaded == {"service:queue": (1, 2)}
    assert impact.degraded == ("service:api", "service:web", "service:worker")
    reasons = {d.service: d.reason() for d in blast_radius(catalog, model, ["datacenter:lon1"]).degraded}
    assert reasons == {
        "service:api": "soft dependency on service:db, which is down",
        "service:worker": "soft dependency on service:queue, which is overloaded",
        "service:web": "soft dependency on service:worker, which degrades: 2 hops from service:queue (overloaded)",
    }


class _Counted(list):
    """A model's entries that count how often a node's are read."""

    reads = 0

    def __getitem__(self, node):
        _Counted.reads += 1
        return super().__getitem__(node)


def test_a_hard_ring_settles_in_a_few_rounds_not_one_per_member():
    """Member i of a hard ring of 3,000 fails alone in trial i: each member is down in every
    trial. The fixpoint re-works a member only after something it needs changed, so each is
    worked out a few times, not once per step round the ring (9 million times)."""
    from depgraph.failure.trials import down_bits, hard_order, hard_successors
    from depgraph.model import Catalog, Dependency, Service

    size = 3000
    catalog = Catalog(services={f"r{i}": Service(f"r{i}", dependencies=(Dependency((f"r{(i + 1) % size}",)),))
                                for i in range(size)})
    model = FailureModel.from_catalog(catalog)

    class Alone:
        def own(self, node):
            return 1 << node

        def placement(self, node):
            return 0

    order = hard_order(hard_successors(model), range(size))
    assert [len(members) for members in order] == [size]
    model.entries = _Counted(model.entries)
    down = down_bits(model, order, Alone())
    assert set(down.values()) == {(1 << size) - 1}
    assert _Counted.reads <= 5 * size


def test_the_breadth_first_spread_finds_what_the_plain_walk_finds(model):
    """simulate(spread=True), which blast-radius asks for its reasons, degrades exactly what the
    plain walk degrades, for every component and pair of components of the landscape."""
    components = model.component_ids()
    for failed in [[c] for c in components] + [[a, b] for a in components for b in components if a < b]:
        plain, spread = simulate(model, failed), simulate(model, failed, spread=True)
        assert spread == plain and plain.spread is None, failed
        reached = {model.nodes.ids[n] for n in spread.spread.reached}
        assert set(spread.degraded) == reached - set(spread.down) - set(failed), failed


def test_instances_lost_are_counted_once_whatever_names_their_host(model):
    """A host inside a failed rack inside a failed data center loses its instances once; a data
    center's losses (kept with the model) are its hosts' and its anonymous instances."""
    def counted(failed) -> dict:  # by the definition: every instance on a down host or in a down dc
        failure = model.resolve(failed)
        hosts = {h for h in range(len(model.hosts.ids)) if h in failure.hosts
                 or model.host_rack[h] in failure.racks or model.host_datacenter[h] in failure.datacenters}
        lost = {}
        for node in range(len(model.nodes.ids)):
            count = sum(1 for h in model.instance_hosts[node] if h in hosts)
            count += sum(n for dc, n in model.anonymous[node] if dc in failure.datacenters)
            if count:
                lost[node] = count
        return lost

    components = [c for c in model.component_ids() if not c.startswith("service:")]
    for failed in [[c] for c in components] + [[a, b] for a in components for b in components if a < b] + [
            ["datacenter:lon1", "rack:lon1/a", "host:lon1-a-01", "host:sto1-a-01"]]:
        assert model.lost_instances(model.resolve(failed)) == counted(failed), failed


def test_a_prepared_model_takes_down_what_an_unprepared_one_does(tmp_path):
    """prepare() (a warm server's model) spreads failures by levels over the split hard edges:
    the same down set, any_of entries included, for every component and pair."""
    from tests.helpers import write_tree

    catalog = load_catalog(write_tree(tmp_path / "descriptors", LANDSCAPE))
    plain, prepared = FailureModel.from_catalog(catalog), FailureModel.from_catalog(catalog)
    prepared.prepare()
    components = plain.component_ids()
    for failed in [[c] for c in components] + [[a, b] for a in components for b in components if a < b]:
        assert simulate(prepared, failed) == simulate(plain, failed), failed
    assert simulate(prepared, ["host:lon1-a-01", "rack:lon1/b"]).down  # any_of [search, storage] needs both


def test_the_spread_reaches_each_node_from_its_nearest_lowest_numbered_down_service(model):
    """Spread's root, hops and via are those of a breadth-first search from the down services in
    number order (what each degraded service's reason names), for every component and pair."""
    from depgraph.failure.engine import Spread

    def searched(down: set) -> dict:
        root = {node: (node, 0, -1) for node in down}
        frontier = sorted(down)
        while frontier:
            level = []
            for node in frontier:
                for dependent in model.dependents[node]:
                    if dependent not in root:
                        root[dependent] = (root[node][0], root[node][1] + 1, node)
                        level.append(dependent)
            frontier = sorted(level)
        return root

    components = model.component_ids()
    for failed in [[c] for c in components] + [[a, b] for a in components for b in components if a < b]:
        failure = model.resolve(failed)
        lost = model.lost_instances(failure)
        down = model.propagate_down([*failure.nodes, *(n for n, c in lost.items() if c == model.total[n])])
        spread = Spread(model.dependents, down)
        found = {n: (spread.root[n], spread.hops[n], spread.via[n]) for n in spread.reached}
        assert found == searched(down), failed


def test_a_dependent_left_up_by_a_hub_failure_is_reached_from_its_lowest_numbered_down_dependency():
    from depgraph.failure.engine import Spread
    from depgraph.model import Catalog, Datacenter, Dependency, Deployment, Host, Service

    placed = (Deployment("lon1", hosts=("h1",)),)
    catalog = Catalog(
        datacenters={"lon1": Datacenter("lon1")}, hosts={"h1": Host("h1", "lon1")},
        services={**{name: Service(name, deployments=placed) for name in ("a", "b", "c", "d")},
                  "watcher": Service("watcher", dependencies=(Dependency(("d",), "soft"), Dependency(("b",), "soft")))})
    model = FailureModel.from_catalog(catalog)
    impact = simulate(model, ["datacenter:lon1"], spread=True)
    assert impact.down == ("service:a", "service:b", "service:c", "service:d") and impact.degraded == ("service:watcher",)
    watcher, b = model.nodes.number["service:watcher"], model.nodes.number["service:b"]
    assert (impact.spread.via[watcher], impact.spread.root[watcher], impact.spread.hops[watcher]) == (b, b, 1)
    assert isinstance(impact.spread, Spread)
