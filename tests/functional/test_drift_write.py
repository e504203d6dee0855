"""``drift --write`` and ``--dry-run``: observed calls become soft dependencies, nothing else moves."""

from __future__ import annotations

import json

from tests.helpers import depgraph
from tests.landscapes import vector

SERVICES = """\
# The shop's services.
- kind: service
  name: web
  dependencies: [orders, {service: search, type: soft}]   # hand-written
- kind: service
  name: orders          # owns the orders
  tier: 1
  dependencies:
    - payments  # hard: no order without payment
  labels: {team: "checkout"}
- {kind: service, name: payments}
- {kind: service, name: search}
"""
STORES = """\
kind: service
name: postgres
description: >
  The database.
"""
CALLS = [("web", "orders", 1200, 12), ("orders", "search", 500, 50), ("orders", "postgres", 800, 0),
         ("payments", "stripe-api", 300, 30), ("search", "postgres", 40, 0)]


def setup(tree, tmp_path):
    root = tree({"services.yaml": SERVICES, "stores/postgres.yaml": STORES})
    observed = tmp_path / "observed.json"
    observed.write_text(vector(CALLS))
    return root, observed


def test_dry_run_prints_the_diff_and_writes_nothing(tree, tmp_path):
    root, observed = setup(tree, tmp_path)
    result = depgraph("drift", "-d", root, "--observed", observed, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [f"--- {root}/services.yaml", f"+++ {root}/services.yaml"]
    assert ("     - payments  # hard: no order without payment\n"
            "+    - {service: postgres, type: soft}  # added by depgraph drift: 800 calls, 0 errors, database, "
            f"seen in {observed}\n"
            "+    - {service: search, type: soft}  # added by depgraph drift: 500 calls, 50 errors (10.0%), "
            f"seen in {observed}\n") in result.stdout
    assert (root / "services.yaml").read_text() == SERVICES


def test_write_keeps_every_other_line_and_leaves_no_drift(tree, tmp_path):
    root, observed = setup(tree, tmp_path)
    result = depgraph("drift", "-d", root, "--observed", observed, "--write")
    assert result.returncode == 0, result.stderr
    assert "added 3 soft dependencies to 1 file" in result.stderr
    written = (root / "services.yaml").read_text()
    added = [line for line in written.splitlines() if line not in SERVICES.splitlines()]
    assert [line.split("  # ")[0] for line in added] == [
        "    - {service: postgres, type: soft}", "    - {service: search, type: soft}",
        "- {kind: service, name: search, dependencies: [{service: postgres, type: soft}]}"]
    assert [line for line in SERVICES.splitlines() if line not in written.splitlines()] == [
        "- {kind: service, name: search}"]
    assert (root / "stores/postgres.yaml").read_text() == STORES
    assert depgraph("validate", "-d", root).returncode == 0
    again = json.loads(depgraph("drift", "-d", root, "--observed", observed, "--format", "json").stdout)
    assert again["undeclared"] == [] and again["unknown"] == ["stripe-api"]
    soft = json.loads(depgraph("export", "-d", root, "--format", "json").stdout)
    edge = next(e for e in soft["edges"] if e["source"] == "service:orders" and e["target"] == "service:postgres")
    assert edge["type"] == "soft"


def test_write_with_nothing_undeclared_changes_nothing(tree, tmp_path):
    root, observed = setup(tree, tmp_path)
    observed.write_text(vector([("web", "orders", 5, 0)]))
    result = depgraph("drift", "-d", root, "--observed", observed, "--write")
    assert result.returncode == 0 and "added 0 soft dependencies to 0 files" in result.stderr
    assert (root / "services.yaml").read_text() == SERVICES


def test_the_dry_run_diff_applies_as_the_write_would(tree, tmp_path):
    import shutil
    import subprocess
    import sys

    root, observed = setup(tree, tmp_path)
    run = lambda *args: subprocess.run([sys.executable, "-m", "depgraph", "drift", "-d", "descriptors",  # noqa: E731
                                        "--observed", observed, *args], cwd=tmp_path, capture_output=True, text=True)
    diff = run("--dry-run").stdout
    assert diff.startswith("--- a/descriptors/services.yaml\n+++ b/descriptors/services.yaml\n")
    shutil.copytree(root, tmp_path / "applied")
    subprocess.run(["git", "apply", "-p2", "--directory=applied", "-"], input=diff, text=True, cwd=tmp_path,
                   check=True, capture_output=True)
    assert run("--write").returncode == 0
    assert (tmp_path / "applied/services.yaml").read_text() == (root / "services.yaml").read_text() != SERVICES
