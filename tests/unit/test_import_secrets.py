"""No secret reaches a written descriptor or a message: a password planted under every common key
shape (and inside URLs, connection strings and command lines) of a compose project and of
Kubernetes manifests, imported through the CLI; and database, user and password keys whose
values spell a service's name give no edge."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.landscapes import deployment

from depgraph.importers.compose import import_compose
from depgraph.importers.k8s import import_k8s

PLANTED = "Pl4nted-Secret"
AIMED = f"{PLANTED}@vault"  # a secret that also spells an address: read as one, it would be shown
SECRET_KEYS = [
    "POSTGRES_PASSWORD", "MYSQL_ROOT_PASSWORD", "DB_PASS", "REDIS_PWD", "PGPASSWORD", "API_KEY",
    "apiKey", "SECRET_KEY_BASE", "JWT_SECRET", "AUTH_TOKEN", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY",
    "spring.datasource.password", "RABBITMQ_DEFAULT_PASS", "ADMIN_PASSWD", "SMTP_CREDENTIALS",
    "MinioSecret", "DB_PW", "KEY_PASSPHRASE", "OAUTH_CLIENT_SECRET",
]
EMBEDDED = {  # secrets inside values whose keys are addresses or say nothing
    "DATABASE_URL": f"postgres://app:{PLANTED}@db:5432/orders",
    "AMQP_ADDR": f"amqp://guest:{PLANTED}@queue:5672",
    "LEGACY": f"Server=db;User Id=sa;Password={PLANTED}",
    "CACHE": f"default:{PLANTED}@cache:6379",
    "JAVA_OPTS": f"-Dspring.datasource.password={PLANTED} -Dhost=db",
}
COMMAND = f"worker --db-password {PLANTED} --api-key={PLANTED} --token {PLANTED} -h queue"


def compose_project(folder: Path) -> Path:
    folder.mkdir()
    env = {key: AIMED for key in SECRET_KEYS[1:]} | EMBEDDED | {"POSTGRES_PASSWORD": "${PW}"}
    lines = ["services:", "  app:", "    image: example/app", "    env_file: [app.env]",
             f"    command: {COMMAND}", "    environment:"]
    lines += [f"      {key}: '{value}'" for key, value in env.items()]
    lines += [f"  {name}: {{image: example/{name}}}" for name in ("db", "queue", "cache", "vault")]
    (folder / "docker-compose.yml").write_text("\n".join(lines) + "\n")
    (folder / ".env").write_text(f"PW={AIMED}\n")
    (folder / "app.env").write_text(f"VAULT_TOKEN={AIMED}\nOTHER_SECRET={PLANTED}\n")
    return folder


def test_no_planted_secret_in_any_written_file_or_message(run_cli, tmp_path):
    source = compose_project(tmp_path / "src")
    result = run_cli("import", "compose", source, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    written = sorted((tmp_path / "out").rglob("*.yaml"))
    assert written
    for path in written:
        assert PLANTED not in path.read_text(), path
    assert PLANTED not in result.stdout and PLANTED not in result.stderr
    app = (tmp_path / "out" / "services" / "app.yaml").read_text()
    assert "postgres://app:***@db:5432/orders" in app  # the evidence is still there, masked
    assert {"service: db", "service: queue", "service: cache"} <= {
        line.strip("- ") for line in app.splitlines()}
    assert "vault" not in app  # only secrets name it


def test_values_of_name_and_secret_keys_are_not_hosts(tmp_path):
    (tmp_path / "docker-compose.yml").write_text("""services:
  orders:
    image: example/orders
    environment:
      POSTGRES_DB: orders-db
      MYSQL_DATABASE: catalog
      POSTGRES_USER: audit
      POSTGRES_PASSWORD: vault
      RABBITMQ_DEFAULT_USER: catalog
      DB_HOST: orders-db
      LEGACY: Server=ledger;Database=catalog;User Id=audit
  orders-db: {image: postgres}
  catalog: {image: example/catalog}
  audit: {image: example/audit}
  vault: {image: example/vault}
  ledger: {image: example/ledger}
""")
    result = import_compose([tmp_path])
    assert {t for s, t, _ in result.edges() if s == "orders"} == {"orders-db", "ledger"}
    [note] = [n for n in result.notes if "not read as hosts" in n]
    assert "POSTGRES_PASSWORD in orders" in note and "MYSQL_DATABASE in orders" in note
    assert "vault" not in note.replace("POSTGRES_PASSWORD", "")  # the note names keys, never values


@pytest.mark.parametrize("where", ["env", "configmap"])
def test_kubernetes_secret_keys_are_neither_read_nor_shown(tmp_path, where):
    env = [f"{{name: {key}, value: 'vault'}}" for key in ("POSTGRES_PASSWORD", "API_KEY", "POSTGRES_DB")]
    env.append(f"{{name: DATABASE_URL, value: 'postgres://u:{PLANTED}@vault:5432/x'}}")
    if where == "configmap":
        fields = {"container": "envFrom: [{configMapRef: {name: cfg}}]"}
        data = "\n".join(f"  {e[7:].split(',')[0]}: {e.split('value: ')[1][:-1]}" for e in env)
    else:
        fields, data = {"env": ", ".join(env)}, "  X: y"
    docs = [deployment("app", **fields), deployment("vault")]
    docs.append(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cfg}}\ndata:\n{data}\n")
    (tmp_path / "all.yaml").write_text("---\n".join(docs))
    result = import_k8s([tmp_path / "all.yaml"])
    [dep] = result.services["app"].dependencies
    assert dep.targets == ("vault",) and "DATABASE_URL" in dep.description
    assert PLANTED not in dep.description and "***" in dep.description
    assert any("POSTGRES_PASSWORD in app" in n for n in result.notes)


def test_no_secret_from_a_backstage_link_is_written(run_cli, tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "catalog-info.yaml").write_text(f"""apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: shop
  links:
  - {{url: "https://ci:{PLANTED}@ci.example.com/job?token={PLANTED}&view=1", title: CI}}
spec: {{type: service, lifecycle: production, owner: guest}}
""")
    result = run_cli("import", "backstage", tmp_path / "src", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "services" / "shop.yaml").read_text()
    assert "https://ci:***@ci.example.com/job?token=***&view=1" in text
    assert PLANTED not in result.stdout + result.stderr


def test_name_keys_holding_an_address_and_auth_services_are_still_read(tmp_path):
    (tmp_path / "docker-compose.yml").write_text("""services:
  web:
    image: example/web
    environment: {USER_SERVICE: "users:8080", AUTH_SERVICE: "auth:9000", DB: "db:5432", USERS_DB: users}
  users: {image: example/users}
  auth: {image: example/auth}
  db: {image: postgres}
""")
    assert {t for s, t, _ in import_compose([tmp_path]).edges() if s == "web"} == {"users", "auth", "db"}
