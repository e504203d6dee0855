"""Smoke tests of the benchmark tools: the synthetic landscapes of both profiles are valid and
shaped as promised, and ``benchmarks/run.py`` runs end to end (no timing is asserted)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BENCHMARKS = REPO / "benchmarks"


def _generator():
    """benchmarks/generate.py, imported from its file (benchmarks/ is not a package)."""
    name = "depgraph_benchmarks_generate"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / "generate.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the file runs
        spec.loader.exec_module(module)
    return sys.modules[name]


def _entities(root: Path) -> list[dict]:
    """Every entity of the tree, read with plain PyYAML (independent of depgraph's loader)."""
    entities = []
    for path in sorted(root.rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document is not None:
                entities += document if isinstance(document, list) else [document]
    return entities


def _edges(service: dict):
    """(target, hard) for every dependency of a service descriptor, any_of members included."""
    for entry in service.get("dependencies", []):
        if isinstance(entry, str):
            yield entry, True
        elif "service" in entry:
            yield entry["service"], entry.get("type", "hard") == "hard"
        else:
            for target in entry["any_of"]:
                yield target, entry.get("type", "hard") == "hard"


@pytest.fixture(scope="module")
def landscape(tmp_path_factory):
    root = tmp_path_factory.mktemp("landscape50")
    manifest = _generator().generate(50, root, seed=7)
    return root, manifest, _entities(root)


def test_landscape_has_the_promised_counts(landscape):
    root, manifest, entities = landscape
    kinds = Counter(e["kind"] for e in entities)
    assert kinds["service"] == 50 == manifest["services"]
    assert kinds["host"] == 500  # 10 hosts per service
    assert kinds["team"] == 2  # ~N/25
    assert 4 <= kinds["datacenter"] <= 6
    assert kinds["client"] >= 1
    assert len(list((root / "services").rglob("*.yaml"))) == 50  # one file per service


def test_planted_hard_cycle_is_in_the_data(landscape):
    _, manifest, entities = landscape
    hard = nx.DiGraph()
    for service in (e for e in entities if e["kind"] == "service"):
        hard.add_edges_from((service["name"], t) for t, is_hard in _edges(service) if is_hard)
    cycle = manifest["hard_cycles"][0]
    assert len(cycle) >= 2
    component = next(c for c in nx.strongly_connected_components(hard) if cycle[0] in c)
    assert set(cycle) <= component


def test_dependencies_point_downward_except_planted_cycles(landscape):
    _, manifest, entities = landscape
    number = lambda name: int(name.rsplit("-", 1)[1])  # noqa: E731  services are numbered bottom-up
    services = [e for e in entities if e["kind"] == "service"]
    upward = [(s["name"], t) for s in services for t, _ in _edges(s) if number(t) > number(s["name"])]
    planted = len(manifest["hard_cycles"]) + len(manifest["soft_cycles"])
    assert len(upward) == planted


def test_deployed_hosts_are_declared_in_their_datacenter_and_shared_by_at_most_three(landscape):
    _, _, entities = landscape
    host_dc = {e["name"]: e["datacenter"] for e in entities if e["kind"] == "host"}
    uses = Counter()
    for service in (e for e in entities if e["kind"] == "service"):
        for deployment in service.get("deployments", []):
            for host in deployment.get("hosts", []):
                assert host_dc[host] == deployment["datacenter"]
                uses[host] += 1
    assert uses and max(uses.values()) <= 3


@pytest.mark.parametrize("profile", ["classic", "heavy-tailed"])
def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path, profile):
    generate = _generator().generate
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate(30, tmp_path / name, seed=seed, profile=profile)
    read = lambda d: {p.relative_to(d): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}  # noqa: E731
    assert read(tmp_path / "a") == read(tmp_path / "b")
    assert read(tmp_path / "a") != read(tmp_path / "c")


def test_profiles_differ_and_an_unknown_profile_is_refused(tmp_path):
    generate = _generator().generate
    generate(30, tmp_path / "classic", seed=3)
    generate(30, tmp_path / "heavy", seed=3, profile="heavy-tailed")
    assert (tmp_path / "classic" / "teams.yaml").read_text() != (tmp_path / "heavy" / "teams.yaml").read_text()
    with pytest.raises(ValueError, match="unknown profile"):
        generate(30, tmp_path / "other", profile="flat")


# -- the heavy-tailed profile -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def heavy(tmp_path_factory):
    root = tmp_path_factory.mktemp("heavy400")
    manifest = _generator().generate(400, root, seed=7, profile="heavy-tailed")
    return root, manifest, _entities(root)


def test_heavy_tailed_has_small_squads_in_twelve_tribes_and_five_datacenters(heavy):
    _, manifest, entities = heavy
    kinds = Counter(e["kind"] for e in entities)
    assert kinds["service"] == 400 and kinds["datacenter"] == 5 == manifest["datacenters"]
    teams = [e for e in entities if e["kind"] == "team"]
    assert len(teams) == 50  # ~8 services each
    assert len({t["tribe"] for t in teams}) == 12
    assert kinds["client"] >= 1 and manifest["profile"] == "heavy-tailed"


def test_heavy_tailed_deployments_hold_one_to_five_dedicated_hosts_in_one_to_three_datacenters(heavy):
    _, manifest, entities = heavy
    host_dc = {e["name"]: e["datacenter"] for e in entities if e["kind"] == "host"}
    assert len(host_dc) == manifest["hosts"]
    uses = Counter()
    for service in (e for e in entities if e["kind"] == "service"):
        deployments = service.get("deployments", [])
        assert len(deployments) <= 3 and len({d["datacenter"] for d in deployments}) == len(deployments)
        for deployment in deployments:
            assert 1 <= len(deployment["hosts"]) <= 5
            assert all(host_dc[h] == deployment["datacenter"] for h in deployment["hosts"])
            uses.update(deployment["hosts"])
    assert set(uses.values()) == {1} and len(uses) == len(host_dc)  # every host runs one service
    assert all(e.get("rack") for e in entities if e["kind"] == "host")


def test_heavy_tailed_dependencies_are_heavy_tailed_and_forty_percent_soft(heavy):
    _, manifest, entities = heavy
    services = [e for e in entities if e["kind"] == "service"]
    dependents = Counter(t for s in services for t, _ in _edges(s))
    ranked = sorted(dependents.values(), reverse=True)
    assert ranked[0] == manifest["hub"]["dependents"] and ranked[0] >= 10 * (sum(ranked) / len(services))
    assert sum(1 for s in services if s["name"] not in dependents) > len(services) / 2  # most: no dependents
    entries = [e for s in services for e in s.get("dependencies", [])]
    soft = sum(1 for e in entries if isinstance(e, dict) and e.get("type") == "soft")
    assert 0.3 < soft / len(entries) < 0.5
    assert any(isinstance(e, dict) and "any_of" in e for e in entries)
    number = lambda name: int(name.rsplit("-", 1)[1])  # noqa: E731
    upward = [(s["name"], t) for s in services for t, _ in _edges(s) if number(t) > number(s["name"])]
    assert len(upward) == len(manifest["hard_cycles"]) + len(manifest["soft_cycles"])


def test_heavy_tailed_landscape_loads_without_errors(heavy):
    loader = pytest.importorskip("depgraph.load.loader")
    root, manifest, _ = heavy
    catalog = loader.load_catalog(root)
    assert len(catalog.services) == 400 and len(catalog.hosts) == manifest["hosts"]
    assert not [d for d in catalog.diagnostics if d.severity == "error"]


def test_landscape_loads_without_errors(landscape):
    loader = pytest.importorskip("depgraph.load.loader")
    root, _, _ = landscape
    catalog = loader.load_catalog(root)
    assert len(catalog.services) == 50
    assert len(catalog.hosts) == 500
    assert not [d for d in catalog.diagnostics if d.severity == "error"]


def test_run_script_prints_the_table(tmp_path):
    out = tmp_path / "results.md"
    command = [sys.executable, str(BENCHMARKS / "run.py"), "--sizes", "200", "--repeat", "1", "--out", str(out),
               "--readme"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "| | classic 200 | heavy-tailed 200 |" in result.stdout
    assert "| B: `yaml.load_all`, CSafeLoader |" in result.stdout
    assert "## Targets" in result.stdout and "| `analyze --format json` document | ≤ 40 MB |" in result.stdout
    assert "Machine:" in result.stdout
    assert out.read_text() in result.stdout
    assert "| `depgraph report` |" in result.stdout.split(out.read_text())[1]  # the README table follows
    rows = {line.split(" | ")[0].strip("| "): line for line in result.stdout.splitlines() if line.startswith("| ")}
    for row in ("SPOFs: one full SPEC §2 simulation per component (sampled, extrapolated)",
                "full simulation per component / depgraph SPOFs",
                "`depgraph blast-radius DC --format json`, from the cache",
                "`depgraph blast-radius HUB --format json`, from the cache",
                "`depgraph report -o DIR` (end to end)",
                "`report`: index.html (MB)",
                "`analyze --format json` document (MB)"):
        assert "n/a" not in rows[row], rows[row]
    assert "are identical to depgraph's answers" in result.stdout
    assert "DIFFERENT" not in result.stdout


def test_full_simulation_script_agrees_with_the_spof_analysis(landscape):
    root, _, _ = landscape
    command = [sys.executable, str(BENCHMARKS / "spof_full_simulation.py"), str(root), "--sample", "100"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr  # an AssertionError there means a differing result
    assert "results identical" in result.stdout and "ratio: ~" in result.stdout
