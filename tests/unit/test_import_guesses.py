"""The importers' guesses on small hand-made sources shaped like real systems' traps: telemetry
sinks matched by whole name tokens (``tempo`` is not ``temporal``, ``otel`` not ``hotel``), the
note naming every sink and why, and the overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from depgraph.importers.compose import import_compose
from depgraph.importers.k8s import import_k8s
from depgraph.importers.options import ImportOptions
from depgraph.importers.writer import render, write_files
from depgraph.load.loader import load_catalog
from tests.landscapes import deployment

SINKS = """services:
  app:
    image: example/app
    depends_on: [temporal, hotel-search, tempo, otel-collector, hotelier]
    environment:
      TRACES: http://otel-collector:4317
  temporal: {image: temporalio/auto-setup:1.22}
  hotel-search: {image: example/hotel-reservation}
  hotelier: {image: example/hotelier}
  tempo: {image: grafana/tempo:2.4}
  otel-collector: {image: otel/opentelemetry-collector-contrib}
"""


def compose(tmp_path: Path, text: str, **options):
    (tmp_path / "docker-compose.yml").write_text(text)
    return import_compose([tmp_path], ImportOptions(**options))


def types(result, source: str) -> dict[str, str]:
    return {t: k for s, t, k in result.edges() if s == source}


def test_sinks_are_matched_by_whole_tokens_not_substrings(tmp_path):
    result = compose(tmp_path, SINKS)
    assert types(result, "app") == {"temporal": "hard", "hotel-search": "hard", "hotelier": "hard",
                                    "tempo": "soft", "otel-collector": "soft"}


def test_a_note_names_every_sink_and_why(tmp_path):
    result = compose(tmp_path, SINKS)
    [note] = [n for n in result.notes if "telemetry sinks" in n]
    assert "otel-collector (name token 'otel')" in note and "tempo (name token 'tempo')" in note
    assert "temporal" not in note and "hotel" not in note
    assert "--not-telemetry" in note


def test_overrides_turn_a_guess_on_and_off(tmp_path):
    result = compose(tmp_path, SINKS, telemetry=frozenset({"temporal"}),
                     not_telemetry=frozenset({"otel-collector"}))
    assert types(result, "app")["temporal"] == "soft"
    assert types(result, "app")["otel-collector"] == "hard"
    [note] = [n for n in result.notes if "telemetry sinks" in n]
    assert "temporal (--telemetry)" in note and "otel-collector" not in note


def test_an_override_naming_no_service_is_warned(tmp_path):
    result = compose(tmp_path, SINKS, not_telemetry=frozenset({"tempoo"}))
    assert any("'tempoo'" in w and "no service" in w for w in result.warnings)


def test_kubernetes_sinks_by_image_token(tmp_path):
    docs = [deployment("front", env="{name: A, value: 'temporal-frontend:7233'}, "
                                    "{name: B, value: 'traces:4317'}, {name: C, value: 'hotel:80'}"),
            deployment("temporal-frontend", "temporalio/server"), deployment("traces", "example/tempo:2"),
            deployment("hotel")]
    (tmp_path / "all.yaml").write_text("---\n".join(docs))
    result = import_k8s([tmp_path])
    assert types(result, "front") == {"temporal-frontend": "hard", "traces": "soft", "hotel": "hard"}
    assert any("traces (image example/tempo:2 (token 'tempo'))" in n for n in result.notes)


@pytest.mark.parametrize("option", ["--telemetry", "--not-telemetry"])
def test_cli_options_reach_the_importer(run_cli, tmp_path, option):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "docker-compose.yml").write_text(SINKS)
    result = run_cli("import", "compose", tmp_path / "src", "-o", tmp_path / "out", option, "temporal")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "services" / "app.yaml").read_text()
    soft = "service: temporal\n  type: soft" in text
    assert soft == (option == "--telemetry")


# Other people's YAML, read as their own tools read it.

CONFIGMAP_TWICE = """apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  ORDERS_ADDR: old-orders:8080
  LOG_LEVEL: info
  ORDERS_ADDR: orders:8080
---
""" + "---\n".join([deployment("front", container="envFrom: [{configMapRef: {name: cfg}}]"),
                    deployment("orders"), deployment("old-orders", "example/orders")])


def test_a_duplicated_configmap_key_is_a_warning_and_the_last_value_wins(tmp_path):
    (tmp_path / "deploy.yaml").write_text(CONFIGMAP_TWICE)
    result = import_k8s([tmp_path])
    assert types(result, "front") == {"orders": "hard"}
    [warning] = [w for w in result.warnings if "duplicate key" in w]
    assert f"{tmp_path / 'deploy.yaml'}:7: duplicate key 'ORDERS_ADDR' (first at line 5)" in warning
    assert "last value" in warning


def test_a_duplicated_compose_key_is_a_warning_and_the_last_value_wins(tmp_path):
    result = compose(tmp_path, """services:
  web:
    image: example/web
    environment:
      API: http://old-api:80
      API: http://api:80
  api: {image: example/api}
  old-api: {image: example/api}
""")
    assert types(result, "web") == {"api": "hard"}
    assert any("docker-compose.yml:6: duplicate key 'API'" in w for w in result.warnings)


def test_a_broken_file_in_a_manifest_folder_is_skipped_not_fatal(tmp_path):
    (tmp_path / "deploy.yaml").write_text(deployment("orders", "x"))
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "helm.yaml").write_text("metadata:\n  name: {{ .Values.name }\n  x: [\n")
    (tmp_path / "notes.yaml").write_text("just: a list\n---\n- of things\n")
    (tmp_path / "ingress.yaml").write_text("kind: Ingress\nmetadata: {name: web}\n")
    result = import_k8s([tmp_path])
    assert sorted(result.services) == ["orders"]
    assert "1 object of kinds the importer does not read: 1 Ingress" in result.notes
    assert any("templates/helm.yaml" in w and "file skipped" in w for w in result.warnings)
    assert any("2 YAML documents without kind" in n for n in result.notes)


def test_a_broken_file_in_a_catalog_folder_is_skipped_not_fatal(tmp_path):
    from depgraph.importers.backstage import import_backstage

    (tmp_path / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: shop}\n"
        "spec: {type: service, owner: guest, lifecycle: production}\n")
    (tmp_path / "workflow.yaml").write_text("on: [push\n")
    result = import_backstage([tmp_path])
    assert sorted(result.services) == ["shop"]
    assert any("workflow.yaml" in w and "file skipped" in w for w in result.warnings)


def test_hostile_yaml_still_refuses_the_import(tmp_path):
    from depgraph.importers.sourcefiles import SourceError

    (tmp_path / "a.yaml").write_text("a: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(SourceError, match="a.yaml"):
        import_k8s([tmp_path])


# Mounted configurations: the same port map as the environment, and proxies' pools.

PROXIES = """services:
  prometheus:
    image: prom/prometheus
    volumes: [./prometheus.yml:/etc/prometheus/prometheus.yml]
  nginx:
    image: nginx
    ports: ["80:80"]
    volumes: [./nginx:/etc/nginx/conf.d:ro]
  edge:
    image: nginx
    environment: {BACKEND_HOST: api}
    volumes: [./templates:/etc/nginx/templates]
  lb:
    image: haproxy
    volumes: [./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg]
  envoy:
    image: envoyproxy/envoy
    volumes: [./envoy.yaml:/etc/envoy/envoy.yaml]
  web-a: {image: example/web}
  web-b: {image: example/web}
  api: {image: example/api}
  worker: {image: example/worker, ports: ["8000:8000"]}
"""
FILES = {
    "prometheus.yml": "scrape_configs:\n- job_name: worker\n  static_configs:\n"
                      "  - targets: ['host.docker.internal:8000', 'api:9100']\n",
    "nginx/default.conf": """# the front door
upstream frontends {
    server web-a:3000;
    server web-b:3000 max_fails=3;  # a comment naming api:1
}
server {
    listen 80;
    location / { proxy_pass http://frontends; }
    location /api/ { proxy_pass http://api:8080/; }
}
""",
    "templates/default.conf.template": "server { location / { proxy_pass http://${BACKEND_HOST}:8080; } }\n",
    "haproxy.cfg": """global
    maxconn 100
frontend www
    bind *:80
    default_backend webs
backend webs
    balance roundrobin
    server w1 web-a:3000 check
    server w2 web-b:3000 check
""",
    "envoy.yaml": """static_resources:
  clusters:
  - name: webs
    load_assignment:
      cluster_name: webs
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: web-a, port_value: 3000}}}
        - endpoint: {address: {socket_address: {address: web-b, port_value: 3000}}}
  - name: api
    load_assignment:
      endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: api, port_value: 8080}}}}]}]
""",
}


@pytest.fixture
def proxies(tmp_path):
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return compose(tmp_path, PROXIES)


def entries(result, name) -> dict[tuple[str, ...], bool]:
    return {d.targets: d.is_group for d in result.services[name].dependencies}


def test_a_mounted_prometheus_config_resolves_the_docker_host_through_published_ports(proxies):
    assert types(proxies, "prometheus") == {"worker": "hard", "api": "hard"}


def test_an_nginx_upstream_of_several_services_is_one_any_of_entry(proxies):
    assert entries(proxies, "nginx") == {("web-a", "web-b"): True, ("api",): False}
    [group] = [d for d in proxies.services["nginx"].dependencies if d.is_group]
    assert "upstream frontends" in group.description


def test_an_nginx_template_is_filled_from_the_service_environment(proxies):
    assert entries(proxies, "edge") == {("api",): False}


def test_haproxy_backends_and_envoy_clusters_are_pools(proxies, tmp_path):
    assert entries(proxies, "lb") == {("web-a", "web-b"): True}
    assert entries(proxies, "envoy") == {("web-a", "web-b"): True, ("api",): False}
    write_files(render(proxies), tmp_path / "out")
    groups = [d.targets for d in load_catalog(tmp_path / "out").services["lb"].dependencies if d.is_group]
    assert groups == [("web-a", "web-b")]


def test_a_mounted_text_file_that_is_no_proxy_config_gives_nothing(tmp_path):
    (tmp_path / "redis.conf").write_text("bind api\nreplicaof web 6379\n")
    result = compose(tmp_path, "services:\n  cache:\n    image: redis\n    volumes: [./redis.conf:/r.conf]\n"
                               "  api: {image: x}\n  web: {image: x}\n")
    assert not result.services["cache"].dependencies


# Messages: one counted line per problem, and notes on what Backstage would silently ignore.

def component(name: str, spec: str = "", top: str = "", owner: str = "team-x") -> str:
    return (f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: {name}}}\n{top}"
            f"spec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n{spec}")


@pytest.fixture
def catalog(tmp_path):
    from depgraph.importers.backstage import import_backstage

    docs = [component(f"svc-{i}") for i in range(7)]
    docs += [component("loop", "  dependsOn: [component:loop, svc-1]\n"),
             component("typo", "  consumesApi: [orders-api]\n"),
             component("outside", top="dependsOn: [svc-2]\n"),
             component("meta", top="").replace("metadata: {name: meta}", "metadata: {name: meta, dependsOn: [svc-3]}")]
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "catalog-info.yaml").write_text("---\n".join(docs))
    return import_backstage([tmp_path / "catalog"])


def test_a_missing_owner_is_one_counted_warning(catalog):
    owners = [w for w in catalog.warnings if "owned by" in w]
    assert len(owners) == 1
    assert owners[0].startswith("11 entities are owned by group:default/team-x, which is not in the catalog")
    assert "and 6 more" in owners[0]


def test_notes_on_what_backstage_would_ignore(catalog):
    notes = "\n".join(catalog.notes)
    assert "loop depends on itself (dependsOn component:loop); ignored" in notes
    assert catalog.services["loop"].depends_on("svc-1")
    assert "typo has spec.consumesApi, which Backstage does not read (did you mean consumesApis?)" in notes
    assert "outside has dependsOn at the top level" in notes and "meta has dependsOn in metadata" in notes
    assert not catalog.services["outside"].dependencies


def test_importing_the_current_folder_names_it(tmp_path, monkeypatch):
    from depgraph.importers.backstage import import_backstage

    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "catalog-info.yaml").write_text(component("web"))
    monkeypatch.chdir(tmp_path / "shop")
    assert import_backstage([Path(".")]).source == "backstage:shop"


def test_a_missing_env_file_is_noted(tmp_path):
    result = compose(tmp_path, "services:\n  a: {image: x, env_file: [missing.env]}\n"
                               "  b: {image: x, env_file: [{path: missing.env, required: false}]}\n")
    assert any("env_file missing.env does not exist" in n and "services a, b" in n for n in result.notes)


@pytest.mark.parametrize("kind, name, text", [
    ("compose", "docker-compose.yml", (
        "services:\n  a: {environment: 5, depends_on: 5, ports: 5, deploy: 5}\n"
        "  b: 3\n  c: {networks: {n: {aliases: 5}}, command: {x: 1}}\n")),
    ("k8s", "all.yaml", (
        "kind: Deployment\nmetadata: {name: a}\nspec: {template: {spec: {containers: "
        "[{env: 5, envFrom: [5], command: 5}]}}}\n---\nkind: Deployment\nmetadata: {name: b}\n"
        "spec: 5\n---\nkind: Service\nmetadata: {name: a}\nspec: {selector: {app: [x]}}\n")),
    ("backstage", "catalog-info.yaml", (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: "
        "{name: a, links: 5, labels: {x: [1]}}\nspec: {dependsOn: 5, owner: [x]}\n")),
])
def test_parts_of_an_unexpected_shape_are_left_out_and_counted(tmp_path, kind, name, text):
    from depgraph.importers.backstage import import_backstage

    (tmp_path / name).write_text(text)
    importer = {"compose": import_compose, "k8s": import_k8s, "backstage": import_backstage}[kind]
    result = importer([tmp_path])
    assert "a" in result.services
    assert any("cannot be used were left out" in n and name in n for n in result.notes), result.notes


# All of it at once, in the shape of a workflow engine's compose setup: service names that contain
# "tempo", database and password keys whose values spell a service, a proxy balancing two UIs.
WORKFLOW = """services:
  postgresql:
    image: postgres:13
    environment: {POSTGRES_PASSWORD: temporal, POSTGRES_USER: temporal, POSTGRES_DB: temporal}
  elasticsearch:
    image: elasticsearch:7.16.2
    environment: [discovery.type=single-node]
  temporal:
    image: temporalio/auto-setup:1.22
    depends_on: [postgresql, elasticsearch]
    environment: [DB=postgres12, DB_PORT=5432, POSTGRES_USER=temporal, POSTGRES_PWD=temporal,
                  POSTGRES_SEEDS=postgresql, ES_SEEDS=elasticsearch]
  temporal-history:
    image: temporalio/server:1.22
    environment: [SERVICES=history, POSTGRES_SEEDS=postgresql, POSTGRES_USER=temporal]
  temporal-matching:
    image: temporalio/server:1.22
    environment: [SERVICES=matching, POSTGRES_SEEDS=postgresql]
  temporal-frontend:
    image: temporalio/server:1.22
    environment: [SERVICES=frontend, POSTGRES_SEEDS=postgresql, HISTORY=temporal-history:7234, MATCHING=temporal-matching:7235]
  temporal-ui:
    image: temporalio/ui
    environment: [TEMPORAL_ADDRESS=temporal-frontend:7233]
  temporal-ui-2:
    image: temporalio/ui
    environment: [TEMPORAL_ADDRESS=temporal-frontend:7233]
  nginx:
    image: nginx
    volumes: [./nginx.conf:/etc/nginx/nginx.conf]
  tempo:
    image: grafana/tempo
"""


def test_a_workflow_engine_shaped_project_imports_with_right_types_and_no_false_cycle(run_cli, tmp_path):
    import json

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "docker-compose.yml").write_text(WORKFLOW)
    (tmp_path / "src" / "nginx.conf").write_text('upstream ui { server temporal-ui:8080; server temporal-ui-2:8080; }\nserver { location / { proxy_pass http://ui; } }\n')
    assert run_cli("import", "compose", tmp_path / "src", "-o", tmp_path / "out").exit_code == 0
    catalog = load_catalog(tmp_path / "out")
    edges = {(s, d.targets, d.type) for s, svc in catalog.services.items() for d in svc.dependencies}
    assert edges == {
        ("temporal", ("postgresql",), "hard"), ("temporal", ("elasticsearch",), "hard"),
        ("temporal-history", ("postgresql",), "hard"), ("temporal-matching", ("postgresql",), "hard"),
        ("temporal-frontend", ("postgresql",), "hard"), ("temporal-frontend", ("temporal-history",), "hard"),
        ("temporal-frontend", ("temporal-matching",), "hard"),
        ("temporal-ui", ("temporal-frontend",), "hard"), ("temporal-ui-2", ("temporal-frontend",), "hard"),
        ("nginx", ("temporal-ui", "temporal-ui-2"), "hard"),
    }
    analysed = run_cli("analyze", "-d", tmp_path / "out", "--format", "json")
    assert json.loads(analysed.stdout)["cycles"] == []


def test_kubernetes_configmaps_mounted_as_files_are_read_like_mounted_files(tmp_path):
    docs = [deployment("gateway", volumes="[{name: conf, configMap: {name: gateway-conf}}]"),
            deployment("prometheus", volumes="[{name: p, projected: {sources: [{configMap: {name: prom}}]}}]"),
            deployment("a", volumes="[{name: b, configMap: {name: book}}]"),
            deployment("b", volumes="[{name: b, configMap: {name: book}}]"),
            deployment("ui-1"), deployment("ui-2"), deployment("api"), """apiVersion: v1
kind: ConfigMap
metadata: {name: gateway-conf}
data:
  default.conf: |
    upstream ui { server ui-1:80; server ui-2.default.svc.cluster.local:80; }
    server { location / { proxy_pass http://ui; } location /api { proxy_pass http://api; } }
---
apiVersion: v1
kind: ConfigMap
metadata: {name: prom}
data:
  prometheus.yml: |
    scrape_configs: [{job_name: api, static_configs: [{targets: ['api:9100']}]}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: book}
data: {peers.json: '{"ui": "ui-1:80", "api": "api:80", "other": "ui-2:80"}'}
"""]
    (tmp_path / "all.yaml").write_text("---\n".join(docs))
    result = import_k8s([tmp_path])
    assert entries(result, "gateway") == {("ui-1", "ui-2"): True, ("api",): False}
    assert entries(result, "prometheus") == {("api",): False}
    assert not result.services["a"].dependencies and not result.services["b"].dependencies
    assert any("ConfigMap default/book" in n and "address book" in n for n in result.notes)
