"""The compiled-model cache behind blast-radius: faster, never stale, never in the way."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from depgraph.failure.engine import simulate
from depgraph.failure.stored import load_model as load_with_cache
from depgraph.load.cache import Cache, default_folder
from tests.helpers import EXAMPLE
from tests.landscapes import CACHE_TREE as FILES


def cache_dir():
    return default_folder()


def load_model(root):
    return load_with_cache(root, cache=Cache(cache_dir(), "model"))



@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DEPGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    # trees written by a test are seconds old at most: count them as settled (one test below
    # checks the real rule); each test writes, then runs, so no write races a run here
    monkeypatch.setattr("depgraph.failure.stored.SETTLED_SECONDS", 0)


def test_a_tree_edited_just_now_is_answered_but_not_stored(tree, monkeypatch):
    monkeypatch.setattr("depgraph.failure.stored.SETTLED_SECONDS", 2.0)
    root = tree(FILES)
    load_model(root)
    _, _, cached = load_model(root)
    assert not cached and not any(cache_dir().glob("model-*"))
    old = os.stat(root / "db.yaml").st_ctime - 5
    monkeypatch.setattr("time.time_ns", lambda: int((old + 10) * 1e9))
    load_model(root)
    assert load_model(root)[2]


def test_second_load_comes_from_the_cache_with_the_same_answers(tree):
    root = tree(FILES)
    catalog, model, cached = load_model(root)
    assert not cached
    again, model2, cached2 = load_model(root)
    assert cached2
    assert simulate(model2, ["host:h1"]) == simulate(model, ["host:h1"])
    assert again.teams["core"].contact == {"pager": "core-oncall"}
    assert again.services["api"].owner == "core"


def test_any_change_to_a_descriptor_invalidates_it(tree):
    root = tree(FILES)
    _, model, _ = load_model(root)
    assert simulate(model, ["host:h1"]).down == ("service:api", "service:db")
    (root / "api.yaml").write_text((root / "api.yaml").read_text().replace("[db]", "[]"))
    _, model, cached = load_model(root)
    assert not cached
    assert simulate(model, ["host:h1"]).down == ("service:db",)


def test_a_new_file_invalidates_it(tree):
    root = tree(FILES)
    load_model(root)
    (root / "web.yaml").write_text("kind: service\nname: web\ndependencies: [api]\n")
    catalog, model, cached = load_model(root)
    assert not cached and "web" in catalog.services


def test_a_change_below_a_symlinked_folder_or_to_a_folder_named_like_a_file_invalidates_it(tree, tmp_path):
    root = tree(FILES)
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "web.yaml").write_text("kind: service\nname: web\ndependencies: [api]\n")
    (root / "linked").symlink_to(shared, target_is_directory=True)
    (root / "more.yaml").mkdir()  # a folder, whatever its name says
    (root / "more.yaml" / "batch.yaml").write_text("kind: service\nname: batch\n")
    (root / ".hidden").mkdir()
    catalog, _, _ = load_model(root)
    assert {"web", "batch"} <= set(catalog.services)
    assert load_model(root)[2]
    (root / ".hidden" / "x.yaml").write_text("kind: service\nname: hidden\n")  # never read, no reload
    assert load_model(root)[2]
    assert "service:web" in simulate(load_model(root)[1], ["host:h1"]).down
    (shared / "web.yaml").write_text("kind: service\nname: web\n")
    _, model, cached = load_model(root)
    assert not cached and "service:web" not in simulate(model, ["host:h1"]).down
    (root / "more.yaml" / "batch.yaml").write_text("kind: service\nname: batch\ndependencies: [db]\n")
    _, model, cached = load_model(root)
    assert not cached and "service:batch" in simulate(model, ["host:h1"]).down


def test_a_damaged_entry_is_a_miss_not_an_error(tree):
    root = tree(FILES)
    load_model(root)
    for entry in cache_dir().iterdir():
        entry.write_bytes(b"depgraph-cache-3\n garbage")
    _, _, cached = load_model(root)
    assert not cached


def test_an_unwritable_cache_folder_does_not_fail_the_run(tree, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("DEPGRAPH_CACHE_DIR", str(blocker / "cache"))
    _, model, cached = load_model(tree(FILES))
    assert not cached and simulate(model, ["host:h1"]).down


def test_blast_radius_uses_it_and_writes_nothing_in_the_descriptors(tree, run_cli):
    root = tree(FILES)
    before = sorted(os.listdir(root))
    first = run_cli("blast-radius", "host:h1", "-d", root, "--format", "json")
    second = run_cli("blast-radius", "h1", "-d", root, "--format", "json")
    fresh = run_cli("blast-radius", "h1", "-d", root, "--format", "json", "--no-cache")
    assert first.exit_code == second.exit_code == fresh.exit_code == 0
    assert first.stdout == second.stdout == fresh.stdout
    doc = json.loads(second.stdout)
    assert doc["down"] == ["service:api", "service:db"]
    assert doc["teams"] == [{"team": "team:core", "services": ["service:api", "service:db"],
                             "contact": {"pager": "core-oncall"}}]
    assert sorted(os.listdir(root)) == before
    assert any(cache_dir().glob("model-*"))


def test_a_file_dated_past_2262_is_answered_like_any_other(tree, run_cli):
    """Its times in nanoseconds do not fit 64 bits; the cache key takes them as they are."""
    root = tree(FILES)
    far = 13_000_000_000  # the year 2381, in seconds
    os.utime(root / "db.yaml", (far, far))
    first = run_cli("blast-radius", "host:h1", "-d", root, "--format", "json")
    second = run_cli("blast-radius", "host:h1", "-d", root, "--format", "json")
    assert first.exit_code == second.exit_code == 0, first.stderr
    assert json.loads(second.stdout)["down"] == ["service:api", "service:db"]


def test_unknown_component_from_the_cache_still_gets_a_hint(tree, run_cli):
    root = tree(FILES)
    run_cli("blast-radius", "h1", "-d", root)
    result = run_cli("blast-radius", "host:h3", "-d", root)
    assert result.exit_code == 2
    assert "unknown component 'host:h3'; did you mean" in result.stderr


def test_an_answer_from_the_cache_imports_no_yaml_parser():
    """The cache path reads no descriptor, so it does not pay for importing the YAML reader,
    the schema or the loader (a tenth of the run of a hub's outage at 20,000 services)."""
    command = [sys.executable, "-X", "importtime", "-m", "depgraph", "blast-radius", "datacenter:lon1",
               "-d", str(EXAMPLE)]  # a tree written seconds ago is not stored; the example is older
    first = subprocess.run(command, capture_output=True, text=True, env=os.environ)
    again = subprocess.run(command, capture_output=True, text=True, env=os.environ)
    assert first.returncode == again.returncode == 0 and first.stdout == again.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in again.stderr.splitlines() if "|" in line}
    assert "depgraph.failure.stored" in imported
    assert not imported & {"yaml", "depgraph.load.yamlread", "depgraph.load.loader", "depgraph.load.schema"}
    loaded = {line.rsplit("|", 1)[-1].strip() for line in first.stderr.splitlines() if "|" in line}
    assert "yaml" in loaded  # the first run loaded the tree
