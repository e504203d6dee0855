"""``depgraph check --base``: real git repositories, a base commit and a change on top of it.

The base tree (``BASE_TREE``) has warnings and info findings but no error, so exit codes show
exactly what the change introduced.
"""

from __future__ import annotations

import json

import pytest
from tests.landscapes import BASE_TREE
from tests.helpers import GitRepo


@pytest.fixture
def repo(tmp_path, monkeypatch):
    repo = GitRepo(tmp_path / "repo")
    repo.write(BASE_TREE)
    repo.commit("base")
    monkeypatch.chdir(repo.root)  # as in CI: run from the repository root, -d relative
    monkeypatch.setenv("DEPGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    return repo


def check_json(run_cli, *args):
    result = run_cli("check", "-d", "descriptors", "--format", "json", *args)
    return result, json.loads(result.stdout)


SEARCH_INDEX_CYCLE = {"services/index.yaml": BASE_TREE["services/index.yaml"] + "dependencies:\n  - search\n"}


def test_unchanged_tree_passes_and_says_identical(repo, run_cli):
    result, doc = check_json(run_cli, "--base", "HEAD")
    assert result.exit_code == 0
    assert doc["base"]["status"] == "identical"
    assert doc["new"] == [] and len(doc["existing"]) == 6
    assert {e["because"] for e in doc["existing"]} == {"base"}


def test_new_hard_cycle_blocks_and_points_at_the_new_entry(repo, run_cli):
    repo.write(SEARCH_INDEX_CYCLE)
    repo.commit("index calls search")
    result, doc = check_json(run_cli, "--base", "HEAD~1")
    assert result.exit_code == 1
    assert doc["base"]["status"] == "analyzed"
    cycles = [f for f in doc["new"] if f["rule"] == "hard-cycle"]
    assert len(cycles) == 1 and cycles[0]["blocking"]
    # The analysis closes the example index -> search -> index at search's old entry; the
    # change added index's entry, so that is where the finding points.
    assert cycles[0]["file"] == "descriptors/services/index.yaml"
    assert cycles[0]["line"] == repo.line_of("services/index.yaml", "- search")
    # the reviewer's advice names the new edge first, then the analysis's cut
    assert cycles[0]["message"].endswith(
        "to break it, cut or soften service:index -> service:search (new in this change), "
        "or service:search -> service:index")
    # Old news stays old: the base's warnings are existing, not new.
    assert {e["subject"] for e in doc["existing"]} >= {"service:api", "service:db"}


def test_soft_dependency_made_hard_is_the_cause(repo, run_cli):
    repo.write({"services/index.yaml": BASE_TREE["services/index.yaml"]
                + "dependencies:\n  - {service: search, type: soft}\n"})
    repo.commit("soft")
    repo.write({"services/index.yaml": BASE_TREE["services/index.yaml"]
                + "dependencies:\n  - {service: search, type: hard}\n"})
    result, doc = check_json(run_cli, "--base", "HEAD")
    assert result.exit_code == 1
    cycle = next(f for f in doc["new"] if f["rule"] == "hard-cycle")
    assert cycle["file"] == "descriptors/services/index.yaml"
    assert cycle["line"] == repo.line_of("services/index.yaml", "service: search")
    assert "service:index -> service:search (hard in this change, was soft)" in cycle["message"]


def test_work_tree_changes_count_without_a_commit(repo, run_cli):
    repo.write(SEARCH_INDEX_CYCLE)
    result, doc = check_json(run_cli, "--base", "HEAD")
    assert result.exit_code == 1
    assert [f["rule"] for f in doc["new"] if f["blocking"]] == ["hard-cycle"]


def test_fixed_finding_is_not_reported_and_does_not_block(repo, run_cli):
    repo.write(SEARCH_INDEX_CYCLE)
    repo.commit("cycle")
    repo.write({"services/index.yaml": BASE_TREE["services/index.yaml"]})
    result, doc = check_json(run_cli, "--base", "HEAD")
    assert result.exit_code == 0
    assert doc["new"] == []


def test_new_spof_points_at_the_changed_deployment(repo, run_cli):
    repo.write({"services/api.yaml": BASE_TREE["services/api.yaml"].replace(
        "  - {datacenter: sto1, hosts: [sto1-a-2]}\n", "")})
    repo.commit("api only in lon1")
    result, doc = check_json(run_cli, "--base", "HEAD~1")
    assert result.exit_code == 1
    spofs = {f["subject"]: f for f in doc["new"] if f["rule"] == "spof-infrastructure"}
    assert set(spofs) == {"datacenter:lon1", "rack:lon1/b", "host:lon1-b-1"}
    line = repo.line_of("services/api.yaml", "lon1-b-1")
    for finding in spofs.values():
        assert finding["severity"] == "error" and finding["blocking"]
        assert (finding["file"], finding["line"]) == ("descriptors/services/api.yaml", line)
        assert "the deployment of service:api" in finding["message"]


def test_new_service_spof_points_at_the_new_dependency(repo, run_cli):
    repo.write({"services/search.yaml": BASE_TREE["services/search.yaml"].replace(
        "  - index\n", "  - index\n  - api\n")})
    result, doc = check_json(run_cli, "--base", "HEAD")
    spof = next(f for f in doc["new"] if f["rule"] == "spof-service" and f["subject"] == "service:api")
    assert spof["file"] == "descriptors/services/search.yaml"
    assert spof["line"] == repo.line_of("services/search.yaml", "- api")
    assert spof["severity"] == "info"  # it takes down only a tier-2 service
    assert result.exit_code == 0  # so it does not block by default
    result, _ = check_json(run_cli, "--base", "HEAD", "--fail-on", "info")
    assert result.exit_code == 1


def test_invalid_base_counts_everything_as_new_and_says_so(repo, run_cli):
    repo.write({"services/db.yaml": "kind: service\nname: [\n"})
    repo.commit("broken")
    repo.write({"services/db.yaml": BASE_TREE["services/db.yaml"]})
    result, doc = check_json(run_cli, "--base", "HEAD")
    assert result.exit_code == 0  # nothing at error severity in the head
    assert doc["base"]["status"] == "invalid"
    assert len(doc["new"]) == 6 and doc["existing"] == []
    assert any("do not load" in note and "every finding counts as new" in note for note in doc["notes"])


def test_missing_ref_exits_2(repo, run_cli):
    result = run_cli("check", "-d", "descriptors", "--base", "origin/main")
    assert result.exit_code == 2
    assert "git ref 'origin/main' not found" in result.stderr


def test_not_a_git_repository_exits_2(tmp_path, monkeypatch, run_cli):
    folder = tmp_path / "plain"
    GitRepo.write(type("R", (), {"descriptors": folder / "descriptors"})(), BASE_TREE)
    monkeypatch.chdir(folder)
    result = run_cli("check", "-d", "descriptors", "--base", "main")
    assert result.exit_code == 2
    assert "is in no git repository" in result.stderr


def test_descriptors_added_after_the_base(repo, run_cli):
    repo.git("mv", "descriptors", "old")
    repo.commit("move away")
    repo.git("mv", "old", "descriptors")
    result, doc = check_json(run_cli, "--base", "HEAD")
    assert doc["base"]["status"] == "empty"
    assert len(doc["new"]) == 6
    assert any("no descriptors at HEAD" in note for note in doc["notes"])


def test_cached_base_gives_the_same_answer(repo, run_cli, tmp_path):
    repo.write(SEARCH_INDEX_CYCLE)
    _, first = check_json(run_cli, "--base", "HEAD")
    _, second = check_json(run_cli, "--base", "HEAD")
    assert first["base"]["status"] == "analyzed" and second["base"]["status"] == "cached"
    for doc in (first, second):
        doc.pop("base")
    assert first == second
    assert list((tmp_path / "cache").glob("base-facts-*"))


def test_no_cache_writes_nothing(repo, run_cli, tmp_path):
    repo.write(SEARCH_INDEX_CYCLE)
    _, doc = check_json(run_cli, "--base", "HEAD", "--no-cache")
    assert doc["base"]["status"] == "analyzed"
    assert not (tmp_path / "cache").exists()


def test_head_analysis_is_cached_for_the_next_base(repo, run_cli):
    repo.write(SEARCH_INDEX_CYCLE)
    check_json(run_cli, "--base", "HEAD")  # caches the head tree too
    repo.commit("merged")
    repo.write({"services/db.yaml": BASE_TREE["services/db.yaml"] + "labels: {x: y}\n"})
    _, doc = check_json(run_cli, "--base", "HEAD")
    assert doc["base"]["status"] == "cached"


def test_github_annotations_point_at_the_entry(repo, run_cli):
    repo.write(SEARCH_INDEX_CYCLE)
    result = run_cli("check", "-d", "descriptors", "--base", "HEAD", "--format", "github")
    assert result.exit_code == 1
    line = repo.line_of("services/index.yaml", "- search")
    errors = [row for row in result.stdout.splitlines() if row.startswith("::error ")]
    assert errors == [
        f"::error file=descriptors/services/index.yaml,line={line},title=depgraph hard-cycle::"
        "service:index: hard dependency cycle: service:index -> service:search -> service:index;"
        " to break it, cut or soften service:index -> service:search (new in this change),"
        " or service:search -> service:index"]
