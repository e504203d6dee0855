"""``depgraph report``: the folder it writes, where it refuses to write, and Graphviz going missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from depgraph.cli import report_folder as report_module
from tests.landscapes import big_organisation

ROOT = Path(__file__).resolve().parents[2]

SMALL = {
    "teams.yaml": """
        - kind: team
          name: core
          tribe: platform
          contact: {slack: "#core", email: core@example.com}
    """,
    "dcs.yaml": """
        - {kind: datacenter, name: lon1}
    """,
    "services/db.yaml": """
        kind: service
        name: db
        owner: core
        tier: 1
        description: "<script>alert('db')</script>"
        deployments:
          - {datacenter: lon1, instances: 2}
    """,
    "services/api.yaml": """
        kind: service
        name: api
        owner: core
        dependencies: [db]
        links:
          - {title: Runbook, url: "javascript:alert(1)"}
    """,
}


@pytest.fixture
def small(tree):
    return tree(SMALL)


@pytest.fixture
def no_graphviz(monkeypatch):
    monkeypatch.setattr(report_module, "_svg_renderer", lambda: None)


def test_writes_the_folder(run_cli, small, tmp_path, no_graphviz):
    out = tmp_path / "out"
    result = run_cli("report", "-d", small, "-o", out)
    assert result.exit_code == 0, result.output
    assert "Report written to" in result.stdout
    for name in ("index.html", "report.md", "report.json"):
        assert (out / name).is_file()
    document = json.loads((out / "report.json").read_text())
    assert document["schema"] == "depgraph/analysis/v1"
    assert document["summary"]["services"] == 2
    assert (out / "report.md").read_text().startswith("# depgraph report\n")
    page = (out / "index.html").read_text()
    assert page.startswith("<!doctype html>") and "<script>alert('db')" not in page


def test_leaves_no_temporary_files(run_cli, small, tmp_path, no_graphviz):
    out = tmp_path / "out"
    run_cli("report", "-d", small, "-o", out)
    assert not [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]


def test_default_output_folder(run_cli, small, tmp_path, monkeypatch, no_graphviz):
    monkeypatch.chdir(tmp_path)
    assert run_cli("report", "-d", small).exit_code == 0
    assert (tmp_path / "output" / "index.html").is_file()


@pytest.mark.parametrize("inside", [".", "reports", "services/x"])
def test_refuses_to_write_inside_the_descriptors(run_cli, small, inside):
    before = sorted(p.relative_to(small) for p in small.rglob("*"))
    result = run_cli("report", "-d", small, "-o", small / inside)
    assert result.exit_code == 2
    assert "descriptor folder" in result.stderr
    assert sorted(p.relative_to(small) for p in small.rglob("*")) == before


def test_invalid_descriptors_exit_2_and_write_nothing(run_cli, tree, tmp_path):
    bad = tree({"a.yaml": "kind: service\nname: Bad_Name\n"})
    out = tmp_path / "out"
    result = run_cli("report", "-d", bad, "-o", out)
    assert result.exit_code == 2
    assert not out.exists()


def test_without_graphviz_writes_dot_files_and_says_so(run_cli, small, tmp_path, no_graphviz):
    out = tmp_path / "out"
    result = run_cli("report", "-d", small, "-o", out)
    assert result.exit_code == 0
    assert "Graphviz" in result.stderr
    dots = sorted(p.name for p in (out / "diagrams").iterdir())
    assert "services.dot" in dots and not [name for name in dots if name.endswith(".svg")]
    assert "Graphviz" in (out / "report.md").read_text()
    assert "Graphviz is not installed" in (out / "index.html").read_text()


def test_graphviz_failing_keeps_the_report(run_cli, small, tmp_path, monkeypatch):
    from depgraph.diagrams.render import RenderError

    def broken(dot: str, engine: str = "dot") -> str:
        raise RenderError("dot: syntax error in line 1")

    monkeypatch.setattr(report_module, "_svg_renderer", lambda: broken)
    out = tmp_path / "out"
    result = run_cli("report", "-d", small, "-o", out)
    assert result.exit_code == 0
    assert "dot: syntax error in line 1" in result.stderr
    assert (out / "index.html").is_file() and (out / "diagrams" / "services.dot").is_file()


def test_with_an_svg_renderer_inlines_the_services_view(run_cli, small, tmp_path, monkeypatch):
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><g class="node"><title>service:api</title></g></svg>'
    monkeypatch.setattr(report_module, "_svg_renderer", lambda: (lambda dot, engine="dot": svg))
    out = tmp_path / "out"
    assert run_cli("report", "-d", small, "-o", out).exit_code == 0
    assert (out / "diagrams" / "services.svg").read_text() == svg
    assert (out / "diagrams" / "services.dot").is_file()
    assert "<title>service:api</title>" in (out / "index.html").read_text()


def test_example_landscape(run_cli, tmp_path, no_graphviz):
    out = tmp_path / "out"
    result = run_cli("report", "-d", ROOT / "descriptors", "-o", out)
    assert result.exit_code == 0, result.output
    markdown = (out / "report.md").read_text()
    assert "| `service:postgres` | 12 | 7 | 32 | 3 |" in markdown
    assert "## Dependency graph" in markdown and "```mermaid" in markdown
    # the page's own script and data stay under 400 KB; the map's inlined libraries (Cytoscape.js
    # and fCoSE) add 0.77 MB to every page
    assert len((out / "index.html").read_bytes()) < 400_000 + 800_000




def test_a_big_organisation_gets_a_tribe_view_laid_out_by_sfdp(run_cli, tree, tmp_path, monkeypatch):
    """Too many teams: tribes are drawn; too many tribes for dot: sfdp; a nearly complete tribe
    graph: only each tribe's heaviest edges, and the title says how many were left out."""
    from depgraph.diagrams import teams

    monkeypatch.setattr(report_module, "MAX_GROUPS_DRAWN", 10)
    monkeypatch.setattr(teams, "SFDP_GROUPS", 4)
    monkeypatch.setattr(teams, "MIN_EDGES", 10)
    drawn = []
    monkeypatch.setattr(report_module, "_svg_renderer",
                        lambda: (lambda dot, engine="dot": drawn.append((engine, dot)) or "<svg/>"))
    out = tmp_path / "out"
    result = run_cli("report", "-d", tree(big_organisation(tribes=8, teams_per_tribe=2)), "-o", out)
    assert result.exit_code == 0, result.output
    engines = {dot.split("label=", 2)[1][:60]: engine for engine, dot in drawn}
    tribe_view = [(engine, dot) for engine, dot in drawn if "Tribes: who depends on whom" in dot]
    assert len(tribe_view) == 1, engines
    engine, dot = tribe_view[0]
    assert engine == "sfdp"
    assert "showing 24 of 28 edges" in dot  # 8 tribes, each on every later one; 3 per tribe kept
    kept = {line.split('"')[1] + " " + line.split('"')[3] for line in dot.splitlines()
            if line.strip().startswith('"tribe:') and " -> " in line}
    assert {"tribe:t0 tribe:t1", "tribe:t6 tribe:t7"} <= kept  # every tribe keeps its heaviest edge
    assert (out / "diagrams" / "teams.svg").is_file()
    assert "The tribe diagram: 28 tribe-to-tribe edges are too many to lay out: drew 24" in result.stderr


@pytest.mark.skipif(not __import__("shutil").which("sfdp"), reason="Graphviz sfdp not installed")
def test_the_sfdp_tribe_view_renders(run_cli, tree, tmp_path, monkeypatch):
    from depgraph.diagrams import teams

    monkeypatch.setattr(report_module, "MAX_GROUPS_DRAWN", 10)
    monkeypatch.setattr(teams, "SFDP_GROUPS", 4)
    out = tmp_path / "out"
    result = run_cli("report", "-d", tree(big_organisation(tribes=8, teams_per_tribe=2)), "-o", out)
    assert result.exit_code == 0, result.output
    svg = (out / "diagrams" / "teams.svg").read_text()
    assert svg.lstrip().startswith(("<?xml", "<svg", "<!--")) and "<title>tribe:t0</title>" in svg


def test_pruning_never_drops_an_edge_that_carries_a_hard_cycle(tree):
    from depgraph.analysis import analyze
    from depgraph.diagrams.marks import marks_of
    from depgraph.diagrams.teams import teams_graph
    from depgraph.load.loader import load_catalog

    files = big_organisation(tribes=5, teams_per_tribe=1)
    files["services/svc-team-4-0.yaml"] = files["services/svc-team-4-0.yaml"].replace(
        "dependencies: []", "dependencies: [svc-team-0-0]")  # t0 -> … -> t4 -> t0: every edge on a cycle
    graph = teams_graph(marks_of(analyze(load_catalog(tree(files)))), level="tribe", max_edges=3, legend=False)
    assert len(graph.edges) == 11  # 10 edges among t0..t4, plus t4 -> t0
    assert all(attrs.get("color") == "#d62728" for attrs in graph.edges.values())  # drawn red
    assert "showing" not in graph.graph["label"]
