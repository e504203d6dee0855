"""The Kubernetes importer on small fixtures: kustomization, namespaces, DNS forms, selectors,
ConfigMaps, duplicate objects."""

from __future__ import annotations

from pathlib import Path

import pytest

from depgraph.importers.k8s import import_k8s
from depgraph.importers.writer import render, write_files
from depgraph.load.loader import load_catalog

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


@pytest.fixture(scope="module")
def kustomized():
    return import_k8s([FIXTURES / "k8s-kustomize"])


def test_kustomization_resources_only(kustomized):
    # data/not-listed.yaml is not in data/kustomization.yaml
    assert sorted(kustomized.services) == ["otel-collector", "prices-blue", "prices-green", "search",
                                           "sessions", "shop", "stock"]


def test_dns_forms_and_selectors(kustomized):
    deps = {d.targets: d for d in kustomized.services["shop"].dependencies}
    assert set(deps) == {
        ("prices-blue", "prices-green"),  # prices.data:8080 -> Service selecting two Deployments
        ("stock",),                       # http://stock.data.svc.cluster.local:9000/v1
        ("sessions",),                    # bare Service name in the same namespace (StatefulSet)
        ("otel-collector",),              # otel-collector.observability.svc.cluster.local:4317
        ("search",),                      # envFrom ConfigMap shop-config: search.data:9200
    }
    assert deps[("prices-blue", "prices-green")].is_group  # one Service, two workloads: any_of
    assert deps[("otel-collector",)].type == "soft"
    assert "ConfigMap shop-config" in deps[("search",)].description


def test_unknown_service_dns_is_warned(kustomized):
    assert any("ghost.data.svc.cluster.local" in w for w in kustomized.warnings)


def test_replicas_and_namespaces(kustomized):
    assert kustomized.services["shop"].instances == 4
    assert kustomized.services["sessions"].instances == 3
    assert kustomized.services["prices-blue"].instances == 1  # no replicas: 1
    assert kustomized.services["stock"].labels["depgraph.io/namespace"] == "data"


def test_loads_with_any_of_group(kustomized, tmp_path):
    write_files(render(kustomized), tmp_path)
    catalog = load_catalog(tmp_path)
    groups = [d for d in catalog.services["shop"].dependencies if d.is_group]
    assert [d.targets for d in groups] == [("prices-blue", "prices-green")]


def test_same_objects_twice_in_a_folder_count_once():
    result = import_k8s([FIXTURES / "k8s-folder"])
    assert sorted(result.services) == ["api", "db"]
    assert result.edges() == {("api", "db", "hard")}
    assert result.services["api"].instances == 2
    assert any("3 objects declared more than once" in n for n in result.notes)


def test_same_name_in_two_namespaces(tmp_path):
    doc = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: api, namespace: {ns}}}
spec: {{template: {{metadata: {{labels: {{app: api}}}}, spec: {{containers: [{{name: a, image: x}}]}}}}}}
"""
    (tmp_path / "a.yaml").write_text(doc.format(ns="blue") + "---\n" + doc.format(ns="green"))
    result = import_k8s([tmp_path])
    assert sorted(result.services) == ["api.blue", "api.green"]
