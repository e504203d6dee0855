"""The Backstage importer on a small catalog: kinds, refs with kinds and namespaces, APIs,
containment, lifecycles, dangling references."""

from __future__ import annotations

from pathlib import Path

import pytest

from depgraph.importers.backstage import import_backstage
from depgraph.importers.writer import render, write_files
from depgraph.load.loader import load_catalog

CATALOG = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "backstage" / "catalog-info.yaml"


@pytest.fixture(scope="module")
def result():
    return import_backstage([CATALOG])  # one file: its Location leads to org.yaml and apis.yaml


def test_components_and_resources_become_services(result):
    assert sorted(result.services) == ["cart", "cart-worker", "checkout_web", "ledger", "orders-db",
                                       "stock-a", "stock-b"]


def test_dependencies_from_refs_apis_and_dependency_of(result):
    checkout = {d.targets: d for d in result.services["checkout_web"].dependencies}
    assert set(checkout) == {
        ("ledger",),              # component:payments/ledger (namespaced ref)
        ("orders-db",),           # resource:orders-db (a database is a service we depend on)
        ("cart",),                # bare ref, default kind component
        ("stock-a", "stock-b"),   # consumesApis stock-api, provided by two components: any_of
    }
    assert checkout[("stock-a", "stock-b")].is_group
    # pricing-api is provided by ledger, already a dependency: no second entry
    assert result.services["ledger"].depends_on("orders-db")  # orders-db dependencyOf ledger


def test_subcomponent_is_containment_not_dependency(result):
    worker = result.services["cart-worker"]
    assert worker.labels["depgraph.io/part-of"] == "cart"
    assert not worker.depends_on("cart")


def test_owners_tribes_and_lifecycles(result):
    assert result.services["checkout_web"].owner == "web-team"
    assert result.teams["web-team"].tribe == "commerce"
    assert result.teams["web-team"].contact == {"email": "web@example.com"}
    assert result.services["checkout_web"].lifecycle == "experimental"  # beta
    assert result.services["cart"].lifecycle == "deprecated"  # sunsetting
    assert any("'beta'" in n and "experimental" in n for n in result.notes)
    assert result.services["checkout_web"].labels["depgraph.io/domain"] == "commerce"


def test_missing_entities_are_reported_not_invented(result):
    warnings = "\n".join(result.warnings)
    assert "component:inventory" in warnings and "inventory" not in result.services
    assert "ghost-api" in warnings
    assert "missing.yaml" in warnings
    # ledger lives in namespace payments; its bare owner ref means payments/payments-team
    assert "payments-team" in warnings


def test_output_loads(result, tmp_path):
    write_files(render(result), tmp_path)
    catalog = load_catalog(tmp_path)
    assert catalog.services["checkout_web"].owner == "web-team"
    assert sorted(catalog.teams) == ["commerce", "payments-team", "web-team"]
