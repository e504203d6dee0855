"""``depgraph diff`` on recovery time: what a change does to the cold start, and why."""

from __future__ import annotations

from dataclasses import replace

from depgraph.gate.diff import diff_catalogs, sections
from depgraph.model import Catalog, Client, Dependency, Service


def base() -> Catalog:
    return Catalog(services={
        "postgres": Service("postgres", start_time=300),
        "search": Service("search", start_time=600),
        "cache": Service("cache", start_time=120),
        "payments": Service("payments", tier=1, start_time=120, rto=900,
                            dependencies=(Dependency(("postgres",)), Dependency(("search",), "soft"))),
        "checkout": Service("checkout", start_time=60, dependencies=(Dependency(("payments",)),)),
        "feed": Service("feed", start_time=60, dependencies=(Dependency(("cache", "postgres"), is_group=True),)),
    }, clients={"ios": Client("ios", dependencies=(Dependency(("checkout",)),))})


def changed(**services) -> Catalog:
    catalog = base()
    return Catalog(services={**catalog.services, **services}, clients=catalog.clients)


def recovery_lines(old: Catalog, new: Catalog) -> list[str]:
    diff = diff_catalogs(old, new)
    return next(items for title, items, _ in sections(diff) if title == "Recovery time changed")


def test_a_new_hard_dependency_names_itself_and_what_moves_with_it_is_counted():
    payments = base().services["payments"]
    new = changed(payments=replace(payments, dependencies=(Dependency(("postgres",)), Dependency(("search",)))))
    assert recovery_lines(base(), new) == [
        "cold start: 10m -> 13m (+3m); 2 more services and clients move with the changes below",
        "+5m on service:payments (7m -> 12m): dependency on service:search now hard (ready at 10m)",
    ]


def test_a_longer_start_time_and_a_lost_alternative_are_named():
    slow = changed(postgres=replace(base().services["postgres"], start_time=1200))
    lines = recovery_lines(base(), slow)
    assert lines[0] == "cold start: 10m -> 23m (+13m); 2 more services and clients move with the changes below"
    assert lines[1] == ("+15m on service:payments (7m -> 22m): via service:postgres: start time 5m -> 20m; "
                        "now misses its RTO of 15m")
    assert "+15m on service:postgres (5m -> 20m): start time 5m -> 20m" in lines
    feed = base().services["feed"]
    narrowed = changed(feed=replace(feed, dependencies=(Dependency(("postgres",), is_group=True),)))
    assert recovery_lines(base(), narrowed) == [
        "cold start: 10m -> 10m (unchanged)",
        "+3m on service:feed (3m -> 6m): the any_of holding service:postgres (ready at 5m) lost service:cache",
    ]


def test_a_faster_start_is_shown_with_its_cause_and_no_change_is_no_section():
    payments = base().services["payments"]
    new = changed(payments=replace(payments, dependencies=(Dependency(("search",), "soft"),)))
    assert recovery_lines(base(), new)[1] == (
        "-5m on service:payments (7m -> 2m): hard dependency on service:postgres (ready at 5m) removed")
    assert diff_catalogs(base(), base()).empty
