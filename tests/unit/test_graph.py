"""Compiling a catalog into the typed graph every analysis reads."""

from __future__ import annotations

from depgraph.analyses.paths import dependency_graph
from depgraph.exporters.graph import build_graph
from depgraph.load.loader import load_catalog

FILES = {
    "infra.yaml": """
        - {kind: datacenter, name: lon1}
        - {kind: datacenter, name: sto1}
        - {kind: host, name: lon1-a-01, datacenter: lon1, rack: a}
        - {kind: host, name: lon1-b-01, datacenter: lon1, rack: b}
        - {kind: host, name: sto1-01, datacenter: sto1}
        - {kind: team, name: core, tribe: infra}
    """,
    "services.yaml": """
        kind: service
        name: playlist
        owner: core
        tier: 1
        dependencies:
          - storage
          - {service: search, type: soft}
          - any_of: [storage, backup]
        deployments:
          - {datacenter: lon1, hosts: [lon1-a-01, lon1-b-01]}
          - {datacenter: sto1, instances: 2}
        ---
        - {kind: service, name: storage, owner: core, deployments: [{datacenter: sto1, hosts: [sto1-01]}]}
        - {kind: service, name: backup, owner: nobody, deployments: [{datacenter: lon1, instances: 1}]}
        - {kind: service, name: search, deployments: [{datacenter: lon1, instances: 1}]}
        - {kind: client, name: ios, owner: core, dependencies: [playlist]}
    """,
}


def edges(graph, relation):
    return sorted(((u, v, d.get("type"), d.get("group")) for u, v, d in graph.edges(data=True)
                   if d["relation"] == relation), key=str)


def test_nodes_of_every_kind_with_ids_kind_colon_name(tree):
    graph = build_graph(load_catalog(tree(FILES)))
    kinds = {}
    for node, data in graph.nodes(data=True):
        kinds.setdefault(data["kind"], []).append(node)
    assert sorted(kinds["rack"]) == ["rack:lon1/a", "rack:lon1/b"]
    assert sorted(kinds["datacenter"]) == ["datacenter:lon1", "datacenter:sto1"]
    assert kinds["client"] == ["client:ios"]
    assert kinds["team"] == ["team:core"]
    assert kinds["tribe"] == ["tribe:infra"]
    assert edges(graph, "part_of") == [("team:core", "tribe:infra", None, None)]
    assert graph.nodes["service:playlist"]["tier"] == 1
    assert graph.nodes["host:lon1-a-01"]["rack"] == "a"


def test_depends_on_edges_keep_type_group_and_place(tree):
    root = tree(FILES)
    graph = build_graph(load_catalog(root))
    assert edges(graph, "depends_on") == [
        ("client:ios", "service:playlist", "hard", None),
        ("service:playlist", "service:backup", "hard", 2),
        ("service:playlist", "service:search", "soft", None),
        ("service:playlist", "service:storage", "hard", 2),
        ("service:playlist", "service:storage", "hard", None),
    ]
    soft = [d for u, v, d in graph.edges(data=True) if d.get("type") == "soft"][0]
    assert (soft["file"].endswith("services.yaml"), soft["line"]) == (True, 7)


def test_placement_and_ownership_edges(tree):
    graph = build_graph(load_catalog(tree(FILES)))
    assert ("service:playlist", "datacenter:sto1", None, None) in edges(graph, "runs_on")
    assert ("service:playlist", "host:lon1-a-01", None, None) in edges(graph, "runs_on")
    located = edges(graph, "located_in")
    assert ("host:lon1-a-01", "rack:lon1/a", None, None) in located
    assert ("rack:lon1/a", "datacenter:lon1", None, None) in located
    assert ("host:sto1-01", "datacenter:sto1", None, None) in located
    owned = edges(graph, "owned_by")
    assert ("service:playlist", "team:core", None, None) in owned
    assert not any(u == "service:backup" for u, *_ in owned)  # owner names no declared team
    instances = [d["instances"] for u, v, d in graph.edges(data=True) if v == "datacenter:sto1" and d["relation"] == "runs_on"]
    assert instances == [2]


def test_dependency_view_collapses_parallel_entries_keeping_hard_over_soft(tree):
    view = dependency_graph(load_catalog(tree(FILES)))
    assert view.number_of_edges() == 4
    assert view["service:playlist"]["service:storage"]["type"] == "hard"
    assert view["service:playlist"]["service:search"]["type"] == "soft"
