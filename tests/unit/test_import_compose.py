"""The compose importer on small fixtures (one feature each) and on the real compose projects of
the shared corpus, whose expected edges were read from the files by hand (evidence beside each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from depgraph.importers.compose import import_compose
from depgraph.importers.options import ImportOptions
from depgraph.importers.writer import render, write_files
from depgraph.load.loader import load_catalog

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def edges(result) -> set[tuple[str, str, str]]:
    return result.edges()


def loads_cleanly(result, tmp_path: Path):
    write_files(render(result), tmp_path / "out")
    return load_catalog(tmp_path / "out")


class TestValues:
    """compose-values: every shape of host reference in environment values and commands."""

    @pytest.fixture(scope="class")
    @classmethod
    def result(cls):
        return import_compose([FIXTURES / "compose-values"])

    def test_web_edges_from_url_host_port_env_file_default_and_telemetry(self, result):
        assert {(s, t, k) for s, t, k in edges(result) if s == "web"} == {
            ("web", "orders", "hard"),          # ORDERS_URL=http://orders:8080/api
            ("web", "search", "hard"),          # SEARCH=search:9200
            ("web", "cache", "hard"),           # CACHE_ADDR pass-through, .env cache:${CACHE_PORT}
            ("web", "flags", "hard"),           # ${FLAG_HOST:-flags}
            ("web", "otel-collector", "soft"),  # telemetry sink: soft by default
        }

    def test_orders_edges_from_url_connection_string_userinfo_and_command(self, result):
        assert {(s, t) for s, t, _ in edges(result) if s == "orders"} == {
            ("orders", "orders-db"),  # postgres://app:s3cret@${DB_HOST}:5432 with DB_HOST from .env
            ("orders", "ledger"),     # Server=ledger;Database=...
            ("orders", "queue"),      # guest:guest@queue
            ("orders", "mailer"),     # command: worker --notify mailer:25
        }

    def test_descriptions_say_where_an_edge_came_from_without_secrets(self, result):
        deps = {d.targets[0]: d.description for d in result.services["orders"].dependencies}
        assert deps["orders-db"].startswith("from env DATABASE_URL=postgres://app:***@orders-db")
        assert "hunter2" not in deps["ledger"] and "Password=***" in deps["ledger"]
        assert deps["mailer"] == "from command=worker --notify mailer:25"

    def test_an_address_book_mounted_by_several_services_gives_no_edges(self, result):
        assert not result.services["mailer"].dependencies
        assert not result.services["payments"].dependencies
        assert any("book/addresses.json" in n and "address book" in n for n in result.notes)

    def test_a_config_file_only_one_service_reads_gives_its_edges(self, result):
        assert {(s, t) for s, t, _ in edges(result) if s == "reports"} == {
            ("reports", "orders"), ("reports", "search")}  # gateway.json upstreams

    def test_replicas_become_instances(self, result):
        assert result.services["orders"].instances == 3
        assert result.services["web"].instances == 1

    def test_telemetry_hard_flag(self):
        result = import_compose([FIXTURES / "compose-values"], ImportOptions(telemetry_hard=True))
        assert ("web", "otel-collector", "hard") in edges(result)

    def test_output_loads_with_provenance_and_datacenter(self, result, tmp_path):
        catalog = loads_cleanly(result, tmp_path)
        orders = catalog.services["orders"]
        assert orders.labels["depgraph.io/imported-from"] == "compose:docker-compose.yml"
        assert [(d.datacenter, d.instances) for d in orders.deployments] == [("default", 3)]
        assert list(catalog.datacenters) == ["default"]


def test_override_file_is_merged_when_the_folder_is_named():
    result = import_compose([FIXTURES / "compose-override"])
    assert {(s, t) for s, t, _ in edges(result)} == {
        ("api", "db"),     # depends_on in docker-compose.yml
        ("api", "cache"),  # depends_on added by docker-compose.override.yml
        ("api", "audit"),  # AUDIT_URL=http://audit:9000 in the override
    }
    assert "cache" in result.services  # a service only the override declares
    assert result.services["api"].labels["depgraph.io/imported-from"] == (
        "compose:docker-compose.yml,docker-compose.override.yml")


def test_naming_one_file_reads_only_that_file_like_compose_f():
    result = import_compose([FIXTURES / "compose-override" / "docker-compose.yml"])
    assert {(s, t) for s, t, _ in edges(result)} == {("api", "db")}
    assert any("docker-compose.override.yml not merged" in n for n in result.notes)


def test_files_are_layered_in_order():
    result = import_compose([FIXTURES / "compose-layers" / "base.yml",
                             FIXTURES / "compose-layers" / "extra.yml"])
    assert {(s, t) for s, t, _ in edges(result)} == {("shop", "catalog"), ("shop", "recs")}
    assert result.services["recs"].instances == 2  # scale: 2


class TestAnchors:
    @pytest.fixture(scope="class")
    @classmethod
    def result(cls):
        return import_compose([FIXTURES / "compose-anchors"])

    def test_long_form_depends_on_links_and_merged_anchors(self, result):
        assert edges(result) == {
            ("front", "back", "hard"),     # depends_on back: service_healthy
            ("front", "extras", "soft"),   # depends_on extras: required: false
            ("front", "legacy", "hard"),   # links: legacy:old-name
            ("front", "jaeger", "soft"),   # TRACING from <<: *common
            ("back", "jaeger", "soft"),    # TRACING from <<: *env
            ("back", "store", "hard"),     # STORE=primary-store:5432, store's hostname
            ("checker", "legacy", "hard"),  # old-name (link alias) and legacy-svc (network alias)
        }

    def test_replicas(self, result):
        assert result.services["back"].instances == 2

    def test_loads(self, result, tmp_path):
        assert loads_cleanly(result, tmp_path).services["front"].dependencies


def test_alias_bombs_are_refused(tmp_path):
    from depgraph.importers.sourcefiles import SourceError

    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 10)}]" for i in range(1, 8)]
    (tmp_path / "docker-compose.yml").write_text("x-bomb:\n" + "\n".join("  " + line for line in lines)
                                                 + "\nservices: {a: {image: x}}\n")
    with pytest.raises(SourceError, match="aliases"):
        import_compose([tmp_path])


def test_python_tags_are_never_constructed(tmp_path):
    from depgraph.importers.sourcefiles import SourceError

    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  a:\n    image: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(SourceError, match="invalid YAML"):
        import_compose([tmp_path])


def test_name_collisions_are_reported(tmp_path):
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  Web_App: {image: x}\n  web-app: {image: y}\n  'web app': {image: z}\n")
    result = import_compose([tmp_path])
    assert sorted(result.services) == ["web-app", "web-app-2", "web_app"]
    assert any("collision" in w and "'web app'" in w for w in result.warnings)
    loads_cleanly(result, tmp_path)
