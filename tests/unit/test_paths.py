"""Why one component depends on another (depgraph.analyses.paths)."""

from __future__ import annotations

import pytest

from depgraph.analyses.paths import dependency_graph, dependency_paths
from depgraph.model import Catalog, Client, Dependency, Location, Service


def on(*names, kind="hard", line=1) -> Dependency:
    return Dependency(tuple(names), kind, len(names) > 1, source=Location("deps.yaml", line))


@pytest.fixture
def landscape() -> Catalog:
    """ios -> api; api -> (soft) cache, api -> db; cache -> db; db -> any_of(disk1, disk2)."""
    return Catalog(
        services={
            "api": Service("api", dependencies=(on("cache", kind="soft", line=3), on("db", line=4))),
            "cache": Service("cache", dependencies=(on("db", line=7),)),
            "db": Service("db", dependencies=(on("disk1", "disk2", line=9),)),
            "disk1": Service("disk1"),
            "disk2": Service("disk2"),
            "lonely": Service("lonely"),
        },
        clients={"ios": Client("ios", dependencies=(on("api", line=12),))},
    )


def nodes(paths):
    return [[n.split(":")[1] for n in p.nodes] for p in paths]


class TestDependencyPaths:
    def test_shortest_first_with_each_step_typed(self, landscape):
        paths = dependency_paths(landscape, "service:api", "service:db")
        assert nodes(paths) == [["api", "db"], ["api", "cache", "db"]]
        assert [s.type for s in paths[1].steps] == ["soft", "hard"]
        assert [p.hard for p in paths] == [True, False]
        assert (paths[1].steps[1].file, paths[1].steps[1].line) == ("deps.yaml", 7)

    def test_client_through_any_of_member(self, landscape):
        paths = dependency_paths(landscape, "client:ios", "service:disk2")
        assert nodes(paths) == [["ios", "api", "db", "disk2"], ["ios", "api", "cache", "db", "disk2"]]

    def test_limit(self, landscape):
        assert len(dependency_paths(landscape, "client:ios", "service:db", limit=1)) == 1

    @pytest.mark.parametrize("start, target", [
        ("service:db", "service:api"),       # wrong direction
        ("service:lonely", "service:db"),    # nothing
        ("service:api", "service:api"),      # itself
        ("service:api", "service:ghost"),    # unknown
    ])
    def test_no_path_is_empty(self, landscape, start, target):
        assert dependency_paths(landscape, start, target) == []

    def test_equal_length_paths_come_in_id_order(self):
        cat = Catalog(services={
            "a": Service("a", dependencies=(on("z"), on("m"))),
            "m": Service("m", dependencies=(on("t"),)),
            "z": Service("z", dependencies=(on("t"),)),
            "t": Service("t"),
        })
        assert nodes(dependency_paths(cat, "service:a", "service:t")) == [["a", "m", "t"], ["a", "z", "t"]]

    def test_json_shape(self, landscape):
        [path] = dependency_paths(landscape, "service:cache", "service:db")
        assert path.to_json() == {
            "hops": 1, "hard": True, "nodes": ["service:cache", "service:db"],
            "steps": [{"source": "service:cache", "target": "service:db", "type": "hard",
                       "file": "deps.yaml", "line": 7}],
        }


class TestDependencyGraph:
    def test_hard_entry_wins_over_soft_and_keeps_its_place(self):
        cat = Catalog(services={
            "a": Service("a", dependencies=(on("b", kind="soft", line=2), on("b", "c", line=5))),
            "b": Service("b"), "c": Service("c")})
        edge = dependency_graph(cat).edges["service:a", "service:b"]
        assert (edge["type"], edge["line"]) == ("hard", 5)

    def test_the_exporters_graph_has_the_same_edges_and_types(self, landscape):
        from depgraph.exporters.graph import build_graph

        entries: dict = {}
        for u, v, data in build_graph(landscape).edges(data=True):
            if data["relation"] == "depends_on":
                entries.setdefault((u, v), set()).add(data["type"])
        assert {key: "hard" if "hard" in types else "soft" for key, types in entries.items()} == \
            {(u, v): data["type"] for u, v, data in dependency_graph(landscape).edges(data=True)}
