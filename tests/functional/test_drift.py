"""``depgraph drift``: Jaeger, spark-dependencies and Zipkin links against declared dependencies."""

from __future__ import annotations

import json

import pytest

from depgraph.importers.drift import drift
from depgraph.importers.observed import parse_links
from tests.helpers import depgraph

DESCRIPTORS = {
    "services.yaml": """
        - kind: service
          name: web
          dependencies:
            - orders
            - {service: search, type: soft}
            - any_of: [db-a, db-b]
        - {kind: service, name: orders, dependencies: [payments]}
        - {kind: service, name: payments}
        - {kind: service, name: search}
        - {kind: service, name: db-a}
        - {kind: service, name: db-b}
        - {kind: client, name: ios, dependencies: [web]}
    """,
}
JAEGER = {"data": [
    {"parent": "web", "child": "orders", "callCount": 10},
    {"parent": "web", "child": "db-b", "callCount": 4},           # any_of: one member is enough
    {"parent": "orders", "child": "search", "callCount": 2},       # undeclared
    {"parent": "orders", "child": "search", "callCount": 3},       # summed
    {"parent": "web-frontend", "child": "payments", "callCount": 1},  # unknown name (alias below)
    {"parent": "ios", "child": "web", "callCount": 7},
    {"parent": "web", "child": "web", "callCount": 99},            # self calls ignored
]}
ZIPKIN = [{"parent": "orders", "child": "search", "callCount": 5, "errorCount": 2},
          {"parent": "Web", "child": "orders", "callCount": 1}]
SPARK = {"timestamp": 1700000000000, "dependencies": JAEGER["data"]}


@pytest.fixture
def catalog(tree):
    from depgraph.load.loader import load_catalog

    return load_catalog(tree(DESCRIPTORS))


@pytest.mark.parametrize("doc, fmt", [(JAEGER, "jaeger"), (SPARK, "spark-dependencies"),
                                      ([SPARK, SPARK], "spark-dependencies"), (ZIPKIN, "zipkin")])
def test_formats_are_detected(doc, fmt):
    assert parse_links(doc)[0] == fmt


def test_report(catalog):
    report = drift(catalog, *parse_links(JAEGER))
    assert report.undeclared == [{"source": "service:orders", "target": "service:search",
                                  "calls": 5, "errors": 0, "error_ratio": 0.0, "observed_in": []}]
    assert report.unobserved == [{"source": "service:orders", "target": "service:payments"},
                                 {"source": "service:web", "target": "service:search"}]
    assert report.unknown == ["web-frontend"]


def test_aliases_map_observed_names(catalog):
    report = drift(catalog, *parse_links(JAEGER), aliases={"web-frontend": "web"})
    assert report.unknown == []
    assert {"source": "service:web", "target": "service:payments", "calls": 1, "errors": 0,
            "error_ratio": 0.0, "observed_in": []} in report.undeclared


def test_zipkin_errors_and_normalised_names(catalog):
    report = drift(catalog, *parse_links(ZIPKIN))
    assert report.undeclared == [{"source": "service:orders", "target": "service:search",
                                  "calls": 5, "errors": 2, "error_ratio": 0.4, "observed_in": []}]
    assert report.unknown == []  # "Web" matches web by its normalised form


def test_an_any_of_group_never_called_is_reported_member_by_member(catalog):
    report = drift(catalog, *parse_links({"data": []}))
    assert {"source": "service:web", "target": "service:db-a"} in report.unobserved
    assert {"source": "service:web", "target": "service:db-b"} in report.unobserved


def test_cli_json_and_fail_on_undeclared(tree, tmp_path):
    root = tree(DESCRIPTORS)
    observed = tmp_path / "deps.json"
    observed.write_text(json.dumps(JAEGER))
    result = depgraph("drift", "-d", root, "--observed", observed, "--format", "json",
                      "--alias", "web-frontend=service:web")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "depgraph/drift/v1" and doc["unknown"] == []
    assert depgraph("drift", "-d", root, "--observed", observed, "--fail-on-undeclared").returncode == 1


def test_cli_text_markdown_and_alias_file(tree, tmp_path):
    root = tree(DESCRIPTORS)
    observed = tmp_path / "deps.json"
    observed.write_text(json.dumps(ZIPKIN))
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("aliases:\n  Web: web\n")
    text = depgraph("drift", "-d", root, "--observed", observed, "--alias-file", aliases)
    assert "  service:orders  (1 undeclared, 5 calls)\n    -> service:search             5 calls  2 errors (40.0%)\n" in text.stdout
    md = depgraph("drift", "-d", root, "--observed", observed, "--format", "markdown")
    assert "| `service:orders` | `service:search` | 5 | 2 | 40.0% |  |" in md.stdout


@pytest.mark.parametrize("content, message", [
    ("not json", "not valid JSON"),
    ('{"services": []}', "not a dependency-links document"),
    ('[{"parent": "a"}]', "needs string 'parent' and 'child'"),
    ('[{"parent": "a", "child": "b", "callCount": -1}]', "non-negative integer"),
])
def test_bad_observed_file_is_exit_2_with_a_message(tree, tmp_path, content, message):
    observed = tmp_path / "deps.json"
    observed.write_text(content)
    result = depgraph("drift", "-d", tree(DESCRIPTORS), "--observed", observed)
    assert result.returncode == 2 and message in result.stderr


def test_missing_observed_file(tree, tmp_path):
    result = depgraph("drift", "-d", tree(DESCRIPTORS), "--observed", tmp_path / "none.json")
    assert result.returncode == 2 and "not found" in result.stderr


def test_a_client_never_seen_in_the_observations_is_not_reported_unobserved(catalog):
    silent = drift(catalog, *parse_links(ZIPKIN))
    assert not any(e["source"] == "client:ios" for e in silent.unobserved)
    seen = drift(catalog, *parse_links({"data": [{"parent": "ios", "child": "orders", "callCount": 1}]}))
    assert {"source": "client:ios", "target": "service:web"} in seen.unobserved
