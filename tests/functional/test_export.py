"""``depgraph export``: json (depgraph/graph/v1) and its round trip, graphml, mermaid, and a
Backstage export that ``import backstage`` reads back to the same services, owners and dependencies."""

from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx
import pytest

from depgraph.exporters import export
from depgraph.exporters.json import graph_from_document
from depgraph.exporters.graph import build_graph
from depgraph.importers.backstage import import_backstage
from depgraph.importers.writer import render, write_files
from depgraph.load.loader import load_catalog

ROOT = Path(__file__).resolve().parents[2]
TREE = {
    "all.yaml": """
        - {kind: datacenter, name: lon1}
        - {kind: host, name: h1, datacenter: lon1, rack: a}
        - {kind: team, name: core, tribe: platform, contact: {email: core@example.com, slack: "#core"}}
        - kind: service
          name: api
          owner: core
          tier: 1
          dependencies:
            - db
            - {service: cache, type: soft, description: warms up}
            - any_of: [search-a, search-b]
          deployments: [{datacenter: lon1, hosts: [h1]}]
        - {kind: service, name: db, owner: core, deployments: [{datacenter: lon1, instances: 2}]}
        - {kind: service, name: cache, lifecycle: experimental}
        - {kind: service, name: search-a}
        - {kind: service, name: search-b}
        - {kind: client, name: ios, owner: core, dependencies: [api]}
    """,
}


@pytest.fixture
def catalog(tree):
    return load_catalog(tree(TREE))


def test_json_shape(catalog):
    doc = json.loads(export(catalog, "json"))
    assert doc["schema"] == "depgraph/graph/v1"
    ids = [n["id"] for n in doc["nodes"]]
    assert ids == sorted(ids) and "rack:lon1/a" in ids
    api = next(n for n in doc["nodes"] if n["id"] == "service:api")
    assert api["kind"] == "service" and api["tier"] == 1 and api["owner"] == "core"
    deps = [e for e in doc["edges"] if e["source"] == "service:api" and e["relation"] == "depends_on"]
    assert [(e["target"], e["type"], e.get("group")) for e in deps] == [
        ("service:cache", "soft", None), ("service:db", "hard", None),
        ("service:search-a", "hard", 2), ("service:search-b", "hard", 2)]
    tribe = next(n for n in doc["nodes"] if n["id"] == "tribe:platform")
    assert tribe["kind"] == "tribe" and tribe["name"] == "platform"
    assert [(e["source"], e["target"]) for e in doc["edges"] if e["relation"] == "part_of"] == [
        ("team:core", "tribe:platform")]
    others = [e for e in doc["edges"] if e["relation"] != "depends_on"]
    assert all("type" not in e and "group" not in e for e in others)
    assert {"source": "service:api", "target": "team:core", "relation": "owned_by"}.items() <= next(
        e for e in others if e["relation"] == "owned_by" and e["source"] == "service:api").items()


def _edge_multiset(graph):
    return sorted(json.dumps([u, v, d], sort_keys=True) for u, v, d in graph.edges(data=True))


@pytest.mark.parametrize("source", ["tree", "landscape"])
def test_json_round_trip_preserves_the_graph(catalog, source):
    if source == "landscape":
        catalog = load_catalog(ROOT / "descriptors")
    original = build_graph(catalog)
    back = graph_from_document(json.loads(export(catalog, "json")))
    assert dict(back.nodes(data=True)) == dict(original.nodes(data=True))
    # None-valued edge attributes are left out of the JSON; compare what is present
    clean = nx.MultiDiGraph()
    clean.add_edges_from((u, v, {k: x for k, x in d.items() if x is not None})
                         for u, v, d in original.edges(data=True))
    assert _edge_multiset(back) == _edge_multiset(clean)


def test_graphml_reads_back_with_string_attributes(catalog):
    text = export(catalog, "graphml")
    graph = nx.read_graphml(io.BytesIO(text.encode()))
    original = build_graph(catalog)
    assert set(graph.nodes) == set(original.nodes)
    assert graph.number_of_edges() == original.number_of_edges()
    assert graph.nodes["service:api"]["tier"] == "1"
    assert json.loads(graph.nodes["team:core"]["contact"]) == {"email": "core@example.com", "slack": "#core"}


def test_mermaid(catalog):
    text = export(catalog, "mermaid")
    lines = text.splitlines()
    assert lines[0] == "graph LR"
    assert '  service_api["api"]' in lines and '  client_ios(["ios"])' in lines
    assert "  service_api --> service_db" in lines
    assert "  service_api -.-> service_cache" in lines  # soft: dotted
    assert "  service_api -->|any of| service_search_a" in lines
    assert not any("host" in line for line in lines)


def signature(catalog):
    return {entity.id: (entity.owner, tuple((d.targets, d.type, d.is_group) for d in entity.dependencies))
            for entity in [*catalog.services.values(), *catalog.clients.values()]}


@pytest.mark.parametrize("source", ["tree", "landscape"])
def test_backstage_round_trip(catalog, tmp_path, source):
    if source == "landscape":
        catalog = load_catalog(ROOT / "descriptors")
    exported = tmp_path / "catalog-info.yaml"
    exported.write_text(export(catalog, "backstage"))
    result = import_backstage([exported])
    write_files(render(result), tmp_path / "back")
    back = load_catalog(tmp_path / "back")
    assert signature(back) == signature(catalog)
    assert {n: s.tier for n, s in back.services.items()} == {n: s.tier for n, s in catalog.services.items()}
    assert {n: s.lifecycle for n, s in back.services.items()} == {
        n: s.lifecycle for n, s in catalog.services.items()}
    assert {n: (t.tribe, t.contact) for n, t in back.teams.items()} == {
        n: (t.tribe, t.contact) for n, t in catalog.teams.items()}


def test_backstage_entities_look_like_backstage(catalog):
    import yaml

    docs = list(yaml.safe_load_all(export(catalog, "backstage")))
    api = next(d for d in docs if d["kind"] == "Component" and d["metadata"]["name"] == "api")
    assert api["apiVersion"] == "backstage.io/v1alpha1"
    assert api["spec"]["owner"] == "core" and api["spec"]["lifecycle"] == "production"
    assert api["spec"]["dependsOn"] == ["component:cache", "component:db", "component:search-a",
                                        "component:search-b"]
    assert api["metadata"]["labels"]["depgraph.io/tier"] == "1"
    tribe = next(d for d in docs if d["kind"] == "Group" and d["metadata"]["name"] == "platform")
    assert tribe["spec"]["children"] == ["core"]


def test_cli_writes_a_file(run_cli, tree, tmp_path):
    out = tmp_path / "g.mmd"
    result = run_cli("export", "--format", "mermaid", "-d", tree(TREE), "-o", out)
    assert result.exit_code == 0 and out.read_text().startswith("graph LR")
    stdout = run_cli("export", "--format", "json", "-d", tree(TREE))
    assert json.loads(stdout.stdout)["schema"] == "depgraph/graph/v1"
