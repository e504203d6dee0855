"""The Graphviz adapter and ``depgraph render`` end to end: real ``dot`` where installed, and
fake ``dot`` binaries (missing, hanging, crashing) at the one real I/O edge."""

from __future__ import annotations

import json

import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from depgraph.diagrams.render import GraphvizMissing, RenderError, render, to_svg
from tests.landscapes import HOSTILE_TEXT as HOSTILE, TINY  # noqa: F401  (the tiny landscape with hostile text)

ROOT = Path(__file__).resolve().parents[2]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


@pytest.fixture
def tiny(tree):
    root = tree(TINY)
    services = root / "services.yaml"
    services.write_text(services.read_text().replace(
        "name: orphan\n", f"name: orphan\ndescription: {json.dumps(HOSTILE)}\n"), encoding="utf-8")
    return root


@pytest.fixture
def fake_graphviz(tmp_path, monkeypatch):
    """``fake_graphviz(body)`` puts a Python script named ``dot`` first on PATH (alone on it)."""

    def install(body: str | None) -> Path:
        folder = tmp_path / "bin"
        folder.mkdir(exist_ok=True)
        if body is not None:
            script = folder / "dot"
            script.write_text(f"#!{sys.executable}\n{body}\n", encoding="utf-8")
            script.chmod(0o755)
        monkeypatch.setenv("PATH", str(folder))
        return folder

    return install


def svg_texts(svg: bytes) -> tuple[ET.Element, str]:
    """The parsed SVG (it must be well-formed XML) and all its text and tooltips joined."""
    root = ET.fromstring(svg)
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    titles = [a.get(f"{XLINK}title", "") for a in root.iter(f"{SVG}a")]
    return root, "\n".join(texts + titles)


@needs_dot
class TestRealGraphviz:
    def test_svg_holds_the_names(self):
        svg = to_svg('digraph { "service:a" [label="playlist"]; "service:a" -> "service:b" }')
        _, text = svg_texts(svg)
        assert "playlist" in text and "service:b" in text

    def test_png(self):
        assert render("digraph { a -> b }", "png").data.startswith(b"\x89PNG\r\n\x1a\n")

    def test_graphviz_warnings_are_kept(self):
        # a chain wider than Graphviz's bitmap limit: it scales the picture down and says so
        chain = "digraph { rankdir=LR; " + " -> ".join(f"n{i}" for i in range(400)) + " }"
        image = render(chain, "png")
        assert any("too large" in w and "Scaling by" in w for w in image.warnings), image.warnings

    def test_hostile_text_stays_text_in_the_svg(self, tiny, run_cli, tmp_path):
        output = tmp_path / "out" / "services.svg"
        result = run_cli("render", "-d", tiny, "-o", output)
        assert result.exit_code == 0, result.stderr
        root, text = svg_texts(output.read_bytes())
        assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
        assert '"]; injected [label="pwned" <script>alert(1)</script> &amp; C:\\new\\ end' in text
        assert "injected" not in {t.text for t in root.iter(f"{SVG}text")}

    def test_bad_dot_is_a_render_error_with_graphviz_message(self):
        with pytest.raises(RenderError, match="syntax error"):
            to_svg("digraph { a -> }")


class TestGraphvizMissingOrFailing:
    def test_missing_says_how_to_install(self, fake_graphviz):
        fake_graphviz(None)
        with pytest.raises(GraphvizMissing) as caught:
            to_svg("digraph { a }")
        assert "apt-get install graphviz" in str(caught.value)
        assert "brew install graphviz" in str(caught.value)

    def test_timeout_is_a_clear_error(self, fake_graphviz):
        fake_graphviz("import time; time.sleep(30)")
        with pytest.raises(RenderError, match="did not finish within 0.5 s"):
            to_svg("digraph { a }", timeout=0.5)

    def test_crash_names_the_signal(self, fake_graphviz):
        fake_graphviz("import os, signal, sys; sys.stdin.read(); os.kill(os.getpid(), signal.SIGSEGV)")
        with pytest.raises(RenderError, match="killed by signal 11"):
            to_svg("digraph { a }")

    def test_cli_writes_the_dot_beside_the_image_and_exits_2(self, tiny, run_cli, fake_graphviz, tmp_path):
        fake_graphviz(None)
        output = tmp_path / "diagram.svg"
        result = run_cli("render", "-d", tiny, "-o", output)
        assert result.exit_code == 2
        assert "apt-get install graphviz" in result.stderr
        assert "diagram.dot" in result.stderr
        assert not output.exists()
        assert (tmp_path / "diagram.dot").read_text().startswith("digraph depgraph {")

    def test_cli_timeout_exits_2_and_keeps_the_dot(self, tiny, run_cli, fake_graphviz, tmp_path):
        fake_graphviz("import time; time.sleep(30)")
        result = run_cli("render", "-d", tiny, "--view", "teams", "-o", tmp_path / "t.png",
                         "--timeout", "0.5")
        assert result.exit_code == 2
        assert "did not finish within 0.5 s" in result.stderr
        assert "team:core" in (tmp_path / "t.dot").read_text()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "descriptors", "t.dot"]


class TestRenderCommand:
    def test_dot_to_stdout_without_output(self, tiny, run_cli):
        result = run_cli("render", "-d", tiny, "--view", "teams")
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith("digraph depgraph {")
        assert '"team:web" -> "team:core"' in result.stdout

    def test_format_from_the_suffix_and_dot_file(self, tiny, run_cli, tmp_path):
        result = run_cli("render", "-d", tiny, "--view", "deployment", "-o", tmp_path / "d.dot")
        assert result.exit_code == 0, result.stderr
        assert result.stdout == ""
        assert '"datacenter:lon1"' in (tmp_path / "d.dot").read_text()
        assert "wrote" in result.stderr and "deployment view" in result.stderr

    def test_image_format_needs_an_output(self, tiny, run_cli):
        result = run_cli("render", "-d", tiny, "--format", "svg")
        assert result.exit_code == 2
        assert "needs -o FILE" in result.stderr

    def test_focus_and_collapse_notes(self, tiny, run_cli):
        result = run_cli("render", "-d", tiny, "--focus", "db", "--depth", "0")
        assert '"service:db"' in result.stdout and '"service:api"' not in result.stdout
        collapsed = run_cli("render", "-d", tiny, "--max-nodes", "2")
        assert "note:" in collapsed.stderr and "drew tribes instead" in collapsed.stderr
        assert '"tribe:infra"' in collapsed.stdout

    def test_a_deployment_view_too_tall_to_read_is_refused_with_smaller_views_to_draw(self, run_cli, monkeypatch):
        import depgraph.diagrams.views as diagrams

        full = run_cli("render", "-d", ROOT / "descriptors", "--view", "deployment", "--cluster", "rack")
        rows = diagrams.table_rows(full.stdout)
        monkeypatch.setattr(diagrams, "MAX_TABLE_ROWS", rows - 1)
        refused = run_cli("render", "-d", ROOT / "descriptors", "--view", "deployment", "--cluster", "rack")
        assert refused.exit_code == 2 and refused.stdout == ""
        assert f"would be {rows:,} table rows" in refused.stderr
        assert "--focus datacenter:NAME --depth 0" in refused.stderr and "datacenter:lon1 (" in refused.stderr
        one = run_cli("render", "-d", ROOT / "descriptors", "--view", "deployment", "--cluster", "rack",
                      "--focus", "datacenter:lon1", "--depth", "0")
        assert one.exit_code == 0, one.stderr
        assert '"datacenter:lon1"' in one.stdout and '"datacenter:sto1"' not in one.stdout
        assert diagrams.table_rows(one.stdout) < rows
        anyway = run_cli("render", "-d", ROOT / "descriptors", "--view", "deployment", "--cluster", "rack",
                         "--max-nodes", "0")
        assert anyway.exit_code == 0

    @needs_dot
    @pytest.mark.parametrize("view", ["services", "teams", "deployment"])
    def test_every_view_of_the_example_landscape_renders(self, view, run_cli, tmp_path):
        output = tmp_path / f"{view}.svg"
        result = run_cli("render", "-d", ROOT / "descriptors", "--view", view, "-o", output)
        assert result.exit_code == 0, result.stderr
        _, text = svg_texts(output.read_bytes())
        expected = {"services": "playlist", "teams": "playlist-squad", "deployment": "lon1-a-03"}[view]
        assert expected in text
        assert "SPOF" in text


class TestBlastRadiusPicture:
    def test_dot_to_stdout(self, tiny, run_cli):
        result = run_cli("blast-radius", "-d", tiny, "host:lon1-a-01", "--format", "dot")
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith("digraph depgraph {")
        db = next(line for line in result.stdout.splitlines() if line.strip().startswith('"service:db" ['))
        assert 'fillcolor="#e03b2f"' in db  # down: red

    def test_svg_needs_output(self, tiny, run_cli):
        result = run_cli("blast-radius", "-d", tiny, "db", "--format", "svg")
        assert result.exit_code == 2 and "needs -o FILE" in result.stderr

    @needs_dot
    def test_svg_file(self, tiny, run_cli, tmp_path):
        output = tmp_path / "blast.svg"
        result = run_cli("blast-radius", "-d", tiny, "db", "--format", "svg", "-o", output)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == ""
        _, text = svg_texts(output.read_bytes())
        assert "Blast radius of service:db: 2 down" in text

    @needs_dot
    def test_quiet_writes_the_file_and_says_nothing(self, tiny, run_cli, tmp_path):
        output = tmp_path / "blast.svg"
        loud = run_cli("blast-radius", "-d", tiny, "db", "--format", "svg", "-o", output)
        assert f"wrote {output}" in loud.stderr
        output.unlink()
        quiet = run_cli("blast-radius", "-d", tiny, "db", "--format", "svg", "-o", output, "-q")
        assert quiet.exit_code == 0 and quiet.stderr == "" and output.read_bytes().startswith(b"<?xml")

    def test_text_and_json_are_unchanged(self, tiny, run_cli):
        result = run_cli("blast-radius", "-d", tiny, "db", "--format", "json")
        assert json.loads(result.stdout)["down"] == ["client:app", "service:api"]


@pytest.fixture
def big_organisation(tree, monkeypatch):
    """Eight tribes of two teams, each tribe depending on every later one (28 tribe edges), with
    the thresholds for 'big' scaled down to it."""
    from depgraph.diagrams import teams
    from tests.landscapes import big_organisation as files

    monkeypatch.setattr(teams, "SFDP_GROUPS", 4)
    monkeypatch.setattr(teams, "MIN_EDGES", 10)
    return tree(files(tribes=8, teams_per_tribe=2))


@pytest.fixture
def engines(monkeypatch):
    """The Graphviz engine each render asked for (and a stand-in image)."""
    import depgraph.diagrams.render

    asked = []
    monkeypatch.setattr(depgraph.diagrams.render, "render", lambda dot, fmt, engine, timeout: asked.append(engine) or depgraph.diagrams.render.Image(b"<svg/>"))
    return asked


def test_a_big_tribe_view_keeps_the_heaviest_edges_and_asks_for_sfdp(run_cli, big_organisation, engines, tmp_path):
    result = run_cli("render", "--view", "teams", "--cluster", "tribe", "-d", big_organisation,
                     "-o", tmp_path / "tribes.svg")
    assert result.exit_code == 0, result.output
    assert engines == ["sfdp"]
    assert "28 tribe-to-tribe edges are too many to lay out: drew 24" in result.stderr
    assert (tmp_path / "tribes.svg").read_bytes() == b"<svg/>"


def test_an_explicit_engine_and_max_nodes_0_are_obeyed(run_cli, big_organisation, engines, tmp_path):
    result = run_cli("render", "--view", "teams", "--cluster", "tribe", "-d", big_organisation,
                     "--engine", "dot", "--max-nodes", "0", "-o", tmp_path / "tribes.svg")
    assert result.exit_code == 0, result.output
    assert engines == ["dot"]
    assert "too many" not in result.stderr
    dot = run_cli("render", "--view", "teams", "--cluster", "tribe", "-d", big_organisation,
                  "--max-nodes", "0").stdout
    assert dot.count('" -> "tribe:') == 28  # every edge


def png_size(path: Path) -> tuple[int, int]:
    """``(width, height)`` in pixels, from the PNG's IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head.startswith(b"\x89PNG\r\n\x1a\n"), head
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def svg_size(path: Path) -> tuple[float, float]:
    """``(width, height)`` in CSS pixels (Graphviz writes points: 72 to the inch, 96 px)."""
    root = ET.fromstring(path.read_bytes())
    return tuple(float(root.get(side).removesuffix("pt")) * 4 / 3 for side in ("width", "height"))


def assert_fits_a_page(path: Path, result, longest: float = 2.5) -> tuple[float, float]:
    """The picture is at most ``longest``:1 either way and Graphviz did not shrink it (labels
    stay readable at 100%)."""
    assert result.exit_code == 0, result.stderr
    width, height = png_size(path) if path.suffix == ".png" else svg_size(path)
    assert max(width / height, height / width) <= longest, (width, height)
    assert "Scaling" not in result.stderr and "too large" not in result.stderr, result.stderr
    return width, height


@needs_dot
class TestFitsAPage:
    def test_the_services_view_of_the_example_is_no_wider_than_a_page(self, run_cli, tmp_path):
        output = tmp_path / "services.png"
        assert_fits_a_page(output, run_cli("render", "-d", ROOT / "descriptors", "-o", output))

    def test_a_data_center_blast_radius_fits_a_page_without_a_fan_of_edges(self, run_cli, tmp_path):
        output = tmp_path / "lon1.svg"
        assert_fits_a_page(output, run_cli("blast-radius", "-d", ROOT / "descriptors", "datacenter:lon1",
                                           "--format", "svg", "-o", output))
        dot = run_cli("blast-radius", "-d", ROOT / "descriptors", "datacenter:lon1", "--format", "dot").stdout
        assert '"datacenter:lon1" ->' not in dot  # no edge from the failed data center to each service
        assert "ran in lon1" in dot

    def test_focus_on_a_hub_draws_the_hub_with_its_neighbours_grouped(self, run_cli, tmp_path):
        output = tmp_path / "storage.svg"
        result = run_cli("render", "-d", ROOT / "descriptors", "--focus", "storage", "--max-nodes", "8", "-o", output)
        assert_fits_a_page(output, result)
        assert "grouped by owner team" in result.stderr
        _, text = svg_texts(output.read_bytes())
        assert "Around service:storage" in text and "\nstorage\n" in text and " dependents" in text


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated landscape of 300 services (12 teams) and its most depended-on service."""
    from tests.functional.test_benchmarks_smoke import _generator

    root = tmp_path_factory.mktemp("generated")
    manifest = _generator().generate(300, root, seed=1)
    return root, manifest["hub"]["service"]


@needs_dot
def test_a_generated_hub_is_drawn_with_its_dependents_grouped_per_team(generated, run_cli, tmp_path):
    root, hub = generated
    output = tmp_path / "hub.svg"
    result = run_cli("render", "-d", root, "--focus", hub, "--max-nodes", "40", "-o", output)
    assert_fits_a_page(output, result)
    assert "grouped by owner team" in result.stderr and "teams view" not in result.stderr
    _, text = svg_texts(output.read_bytes())
    assert f"Around service:{hub}" in text and f"\n{hub}\n" in text
    assert sum(1 for line in text.splitlines() if line.startswith("team ") and line.endswith(" dependents")) >= 3


def test_generated_teams_all_owning_spofs_take_several_shades(generated, run_cli):
    from depgraph.diagrams.style import SPOF_RAMP

    dot = run_cli("render", "-d", generated[0], "--view", "teams").stdout
    owners = [line for line in dot.splitlines() if line.strip().startswith('"team:') and " SPOF" in line]
    assert len(owners) >= 10  # nearly every team owns some: a single mark would say nothing
    shades = {shade for line in owners for shade in SPOF_RAMP if f'fillcolor="{shade}"' in line}
    assert len(shades) >= 3
