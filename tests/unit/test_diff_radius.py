"""``depgraph diff``'s blast radius changes, computed as bitsets of the failure closure, are what
one failure simulation per service in each tree says: which services changed size, how many
ids are newly down and no longer down, and the first of them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from depgraph.failure.engine import FailureModel
from depgraph.gate.diff import diff_catalogs
from depgraph.model import Catalog, Client, Dependency, Service

NAMES = [f"s{i}" for i in range(12)]
LISTED = 3  # ids listed per change in these tests: most changes here list fewer, some more


@st.composite
def catalogs(draw, names: list[str]) -> Catalog:
    """Services among ``names`` (hard, soft and any_of entries on one another, cycles
    included) and a client or two."""
    present = draw(st.lists(st.sampled_from(names), min_size=2, unique=True))

    def dependencies(name: str) -> tuple[Dependency, ...]:
        others = st.sampled_from([other for other in present if other != name])
        entries = []
        for targets in draw(st.lists(st.lists(others, min_size=1, max_size=3, unique=True), max_size=3)):
            entries.append(Dependency(tuple(targets), draw(st.sampled_from(["hard", "hard", "soft"])),
                                      is_group=len(targets) > 1))
        return tuple(entries)

    services = {name: Service(name, dependencies=dependencies(name)) for name in sorted(present)}
    clients = {name: Client(name, dependencies=dependencies(name))
               for name in draw(st.lists(st.sampled_from(["app", "web"]), unique=True))}
    return Catalog(services=services, clients=clients)


def brute_force(catalog: Catalog) -> dict[str, set[str]]:
    """Every service's down set, one propagation per service."""
    model = FailureModel.from_catalog(catalog)
    ids = model.nodes.ids
    return {ids[n]: {ids[m] for m in model.propagate_down([n]) if m != n}
            for n in range(len(ids)) if ids[n].startswith("service:")}


@settings(max_examples=60, deadline=None)
@given(old=catalogs(NAMES), new=catalogs(NAMES))
def test_radius_changes_match_one_simulation_per_service(old, new):
    before, after = brute_force(old), brute_force(new)
    expected = {}
    for service in sorted(before.keys() & after.keys()):
        was, now = before[service], after[service]
        if len(was) != len(now):
            newly, gone = sorted(now - was), sorted(was - now)
            expected[service] = {"service": service, "before": len(was), "after": len(now),
                                 "newly_down": newly[:LISTED], "newly_down_count": len(newly),
                                 "newly_down_truncated": len(newly) > LISTED,
                                 "no_longer_down": gone[:LISTED], "no_longer_down_count": len(gone),
                                 "no_longer_down_truncated": len(gone) > LISTED}
    radius = diff_catalogs(old, new).radius
    assert {r.service: r.to_json(LISTED) for r in radius} == expected
    assert [r.service for r in radius] == sorted(expected)
    for change in radius:
        assert list(change.before) == sorted(before[change.service])
        assert list(change.after) == sorted(after[change.service])


def test_without_a_limit_every_id_is_listed():
    old = Catalog(services={n: Service(n, dependencies=(Dependency(("db",)),) if n != "db" else ())
                            for n in ["db", "a", "b", "c", "d", "e"]})
    new = Catalog(services={"db": Service("db")})  # every dependent removed
    [change] = diff_catalogs(old, new).radius
    document = change.to_json()
    assert document["no_longer_down"] == ["service:a", "service:b", "service:c", "service:d", "service:e"]
    assert (document["no_longer_down_count"], document["no_longer_down_truncated"]) == (5, False)
    assert change.to_json(2)["no_longer_down"] == ["service:a", "service:b"]
    assert change.to_json(2)["no_longer_down_truncated"] is True
