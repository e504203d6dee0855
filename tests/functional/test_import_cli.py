"""``depgraph import``: what it prints, refusing to overwrite, --force, --datacenter, atomic writes."""

from __future__ import annotations

from pathlib import Path

import subprocess
import sys

from depgraph.load.loader import load_catalog

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def test_import_prints_what_it_created_and_loads(run_cli, tmp_path):
    out = tmp_path / "d"
    result = run_cli("import", "compose", FIXTURES / "compose-override", "-o", out)
    assert result.exit_code == 0, result.output
    assert f"created {out / 'services' / 'api.yaml'}" in result.stdout
    assert f"created {out / 'datacenters.yaml'}" in result.stdout
    assert "imported 4 services" in result.stdout
    assert sorted(load_catalog(out).services) == ["api", "audit", "cache", "db"]


def test_refuses_to_overwrite_without_force_and_names_the_files(run_cli, tmp_path):
    out = tmp_path / "d"
    assert run_cli("import", "compose", FIXTURES / "compose-override", "-o", out).exit_code == 0
    (out / "services" / "api.yaml").write_text("# my edits\n")
    result = depgraph("import", "compose", FIXTURES / "compose-override", "-o", out)
    assert result.returncode == 2
    assert str(out / "services" / "api.yaml") in result.stderr and "--force" in result.stderr
    assert (out / "services" / "api.yaml").read_text() == "# my edits\n"  # nothing written
    forced = run_cli("import", "compose", FIXTURES / "compose-override", "-o", out, "--force")
    assert forced.exit_code == 0
    assert "kind: service" in (out / "services" / "api.yaml").read_text()
    assert not list(out.rglob("*.tmp"))  # atomic writes leave no temporary files behind


def test_datacenter_option_and_file_layering(run_cli, tmp_path):
    out = tmp_path / "d"
    result = run_cli("import", "compose", FIXTURES / "compose-layers" / "base.yml",
                     "--file", FIXTURES / "compose-layers" / "extra.yml", "-o", out, "--datacenter", "lon1")
    assert result.exit_code == 0, result.output
    catalog = load_catalog(out)
    assert list(catalog.datacenters) == ["lon1"]
    assert [(d.datacenter, d.instances) for d in catalog.services["recs"].deployments] == [("lon1", 2)]


def test_bad_datacenter_name_is_a_usage_error(run_cli, tmp_path):
    result = run_cli("import", "compose", FIXTURES / "compose-layers" / "base.yml", "-o", tmp_path,
                     "--datacenter", "London 1")
    assert result.exit_code == 2 and "--datacenter" in result.stderr


def test_warnings_go_to_stderr(run_cli, tmp_path):
    result = run_cli("import", "backstage", FIXTURES / "backstage" / "catalog-info.yaml", "-o", tmp_path / "d")
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "component:inventory" in result.stderr
    assert "warning:" not in result.stdout


def test_missing_source_is_exit_2(tmp_path):
    result = depgraph("import", "k8s", tmp_path / "nope", "-o", tmp_path / "d")
    assert result.returncode == 2 and "no such file or folder" in result.stderr


def depgraph(*args):
    """The real console entry point, so core errors go through the CLI's translation to exit codes."""
    return subprocess.run([sys.executable, "-m", "depgraph", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_an_import_that_would_leave_the_tree_invalid_writes_nothing(tmp_path):
    """The tree already declares service 'api' in a file of its own: writing services/api.yaml
    would make a duplicate. The import refuses before the first write and the tree is unchanged."""
    out = tmp_path / "d"
    (out / "mine").mkdir(parents=True)
    (out / "mine" / "api.yaml").write_text("kind: service\nname: api\n")
    before = tree_bytes(out)
    result = depgraph("import", "compose", FIXTURES / "compose-override", "-o", out)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "duplicate" in result.stderr and str(out / "mine" / "api.yaml") in result.stderr
    assert "nothing was written" in result.stderr
    assert tree_bytes(out) == before


def test_foreign_names_with_control_characters_still_give_valid_descriptors(run_cli, tmp_path):
    compose = tmp_path / "compose.yaml"
    compose.write_text('services:\n  "web\\napp": {image: "x\\u001b[31m"}\n  db: {image: postgres}\n')
    result = run_cli("import", "compose", compose, "-o", tmp_path / "d")
    assert result.exit_code == 0, result.output
    catalog = load_catalog(tmp_path / "d")
    assert sorted(catalog.services) == ["db", "web-app"]
    assert all(v.isprintable() for v in catalog.services["web-app"].labels.values())


def test_a_fifo_in_the_output_folder_is_reported_not_waited_for(tmp_path):
    import os

    out = tmp_path / "d"
    out.mkdir()
    os.mkfifo(out / "stuck.yaml")
    result = depgraph("import", "compose", FIXTURES / "compose-override", "-o", out)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{out / 'stuck.yaml'}:1:1: error: not a regular file" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["stuck.yaml"]
