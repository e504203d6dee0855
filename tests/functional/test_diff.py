"""``depgraph diff``: dependencies, cycles, SPOFs, blast radius and owners between two trees."""

from __future__ import annotations

import json

import pytest
from tests.helpers import write_tree
from tests.landscapes import BASE_TREE
from tests.helpers import GitRepo

from depgraph.gate.diff import diff_catalogs
from depgraph.load.loader import load_catalog

# The change: index hard-depends on search (a new hard cycle), api's dependency on db becomes
# soft, search moves from team web to team core, and a new service cache joins.
CHANGE = {
    "services/index.yaml": BASE_TREE["services/index.yaml"] + "dependencies:\n  - search\n",
    "services/api.yaml": BASE_TREE["services/api.yaml"].replace("  - db\n", "  - {service: db, type: soft}\n"),
    "services/search.yaml": BASE_TREE["services/search.yaml"].replace("owner: web", "owner: core"),
    "services/cache.yaml": "kind: service\nname: cache\nowner: core\ndependencies: [db]\n",
}


@pytest.fixture
def trees(tmp_path):
    old = write_tree(tmp_path / "old", BASE_TREE)
    new = write_tree(tmp_path / "new", {**BASE_TREE, **CHANGE})
    return old, new


def test_diff_catalogs(trees):
    old, new = (load_catalog(t) for t in trees)
    diff = diff_catalogs(old, new)
    assert [(e.source, e.target, e.after) for e in diff.added] == [
        ("service:cache", "service:db", "hard"), ("service:index", "service:search", "hard")]
    assert diff.removed == []
    assert [(e.source, e.target, e.before, e.after) for e in diff.retyped] == [
        ("service:api", "service:db", "hard", "soft")]
    assert diff.entities_added == ["service:cache"] and diff.entities_removed == []
    assert [(c.members, c.hard) for c in diff.cycles_introduced] == [(("service:index", "service:search"), True)]
    assert diff.cycles_fixed == []
    # db was a SPOF (api needed it alone); now cache needs it alone: still a SPOF, not new.
    # search becomes one (index needs it alone); index stays one (search needs it).
    assert [s.component for s in diff.spofs_introduced] == ["service:search"]
    assert diff.spofs_fixed == []
    # db: api (hard) before, cache (hard) after, api only degraded: one down both times.
    radius = {r.service: (r.before, r.after) for r in diff.radius}
    assert radius == {"service:search": ((), ("service:index",))}
    assert diff.owners == [("service:search", "web", "core")]
    rules = {(f.rule, f.subject) for f in diff.findings_introduced}
    assert ("hard-cycle", "service:index") in rules


def test_blast_radius_grows_when_a_dependent_hard_depends(tmp_path):
    old = write_tree(tmp_path / "old", BASE_TREE)
    new = write_tree(tmp_path / "new", {**BASE_TREE, "services/search.yaml": BASE_TREE[
        "services/search.yaml"].replace("  - index\n", "  - index\n  - api\n")})
    diff = diff_catalogs(load_catalog(old), load_catalog(new))
    assert [(r.service, len(r.before), len(r.after)) for r in diff.radius] == [
        ("service:api", 0, 1), ("service:db", 1, 2)]
    assert diff.radius[1].to_json()["newly_down"] == ["service:search"]


def test_cli_two_folders_json(trees, run_cli):
    result = run_cli("diff", *trees, "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["schema"] == "depgraph/diff/v1"
    assert doc["dependencies"]["retyped"][0] | {"file": None, "line": None} == {
        "source": "service:api", "target": "service:db", "before": "hard", "after": "soft",
        "file": None, "line": None}
    assert doc["owners"] == [{"id": "service:search", "before": "web", "after": "core"}]
    assert doc["blast_radius"] == [{"service": "service:search", "before": 0, "after": 1,
                                    "newly_down": ["service:index"], "newly_down_count": 1,
                                    "newly_down_truncated": False, "no_longer_down": [],
                                    "no_longer_down_count": 0, "no_longer_down_truncated": False}]


def test_cli_base_markdown_with_mermaid(tmp_path, monkeypatch, run_cli):
    repo = GitRepo(tmp_path / "repo")
    repo.write(BASE_TREE)
    repo.commit("base")
    repo.write(CHANGE)
    monkeypatch.chdir(repo.root)
    result = run_cli("diff", "--base", "HEAD", "-d", "descriptors", "--format", "markdown")
    assert result.exit_code == 0
    text = result.stdout
    assert "### Cycles introduced (1)" in text and "### Owners changed (1)" in text
    mermaid = text[text.index("```mermaid"):]
    assert '["service:index"]' in mermaid and "==>|\"#43; hard\"|" in mermaid
    assert "-.->" not in mermaid  # nothing removed
    assert "linkStyle 0 stroke:#2da44e" in mermaid


def test_no_change(trees, run_cli):
    old, _ = trees
    result = run_cli("diff", old, old)
    assert result.exit_code == 0 and "no architectural change" in result.stdout


def test_usage_errors(trees, run_cli):
    assert run_cli("diff").exit_code == 2
    assert run_cli("diff", trees[0]).exit_code == 2
    result = run_cli("diff", "--base", "nope", "-d", trees[0])  # run from this repository's clone
    assert result.exit_code == 2 and "is not inside the git repository" in result.stderr


def test_text_lists_the_first_100_changed_blast_radii(tmp_path, run_cli):
    """Softening one edge of a hard ring of 150 changes 149 blast radii: text names 100 of
    them and says how many more there are; JSON has them all."""
    ring = {f"services/r{i:03d}.yaml": f"kind: service\nname: r{i:03d}\ndependencies: [r{(i + 1) % 150:03d}]\n"
            for i in range(150)}
    old = write_tree(tmp_path / "old", ring)
    new = write_tree(tmp_path / "new", {**ring, "services/r000.yaml": (
        "kind: service\nname: r000\ndependencies:\n  - {service: r001, type: soft}\n")})
    text = run_cli("diff", old, new).stdout
    section = text.split("Blast radius changed (149)\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(section) == 101 and section[0] == "  service:r001: 149 -> 0 down (-149)"
    assert section[-1] == "  … and 49 more (--format json lists them all)"
    document = json.loads(run_cli("diff", old, new, "--format", "json").stdout)
    assert len(document["blast_radius"]) == 149
