"""The report page's interactive map in a real browser (Debian's chromium, headless, Playwright):
levels that open and close, edges rolled up between groups, filters, focus, search over every
kind and a failure scenario, on the bundled example and on a generated 20,000-service landscape.

Skips cleanly when chromium or Playwright is absent; never downloads a browser.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import chromium_or_skip, launched_chromium

from depgraph.analysis import analyze
from depgraph.load.loader import load_catalog
from depgraph.reporters.html import render_html

ROOT = Path(__file__).resolve().parents[2]
MAP_MAX = 300
MIN_LABEL_PX = 10

sync_api = chromium_or_skip()


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium(sync_api)


def _page(tmp: Path, analysis) -> Path:
    path = tmp / "index.html"
    path.write_text(render_html(analysis), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def example_analysis():
    return analyze(load_catalog(ROOT / "descriptors"), for_page=True)


@pytest.fixture(scope="module")
def example_page(tmp_path_factory, example_analysis):
    return _page(tmp_path_factory.mktemp("map"), example_analysis)


class MapPage:
    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("#map[data-map-ready=true]", timeout=120_000)

    def js(self, expression: str):
        return self.page.evaluate(expression)

    def drawn(self) -> list[str]:
        return self.js("depgraphMap.cy.nodes().map((n) => n.id())")

    def tap(self, key: str) -> None:
        self.js(f"depgraphMap.cy.getElementById({key!r}).emit('tap')")

    def search(self, text: str) -> None:
        self.page.fill("#map-search", text)
        self.page.wait_for_selector("#map-hits li")
        self.page.keyboard.press("Enter")

    def labels_readable(self) -> bool:
        """Every label drawn is at least MIN_LABEL_PX high on screen: Cytoscape leaves out labels
        under the page's min-zoomed-font-size, and the page never zooms out below it."""
        zoom, font, minimum = self.js("[depgraphMap.cy.zoom(), depgraphMap.cy.nodes()[0].numericStyle('font-size'),"
                                      " depgraphMap.cy.nodes()[0].numericStyle('min-zoomed-font-size')]")
        return minimum >= MIN_LABEL_PX and zoom * font >= MIN_LABEL_PX


@pytest.fixture
def example(browser, example_page):
    page = MapPage(browser, example_page)
    yield page
    page.page.close()


def _key_of(analysis, node_id: str) -> str:
    return f"n:{analysis.model.nodes.number[node_id]}"


def test_the_map_opens_with_the_tribes_readable_and_without_errors(example, example_analysis):
    catalog = example_analysis.catalog
    drawn = example.drawn()
    tribes = sorted({t.tribe for t in catalog.teams.values() if t.tribe})
    assert sorted(k for k in drawn if k.startswith("r:")) == [f"r:{i}" for i in range(len(tribes))]
    assert "u" in drawn  # the two unowned services have a group of their own
    assert len(drawn) <= MAP_MAX
    assert example.labels_readable()
    assert example.errors == []


def test_edges_between_closed_tribes_count_the_service_dependencies_they_roll_up(example, example_analysis):
    catalog = example_analysis.catalog
    tribes = sorted({t.tribe for t in catalog.teams.values() if t.tribe})

    def group(entity) -> str:
        team = catalog.owner_team(entity)
        if team is None:
            return "u"
        return f"r:{tribes.index(team.tribe)}" if team.tribe else f"t:{sorted(catalog.teams).index(team.name)}"

    expected = Counter()
    for entity in (*catalog.services.values(), *catalog.clients.values()):
        for dep in entity.dependencies:
            for target in dep.targets:
                a, b = group(entity), group(catalog.services[target])
                if a != b:
                    expected[(a, b)] += 1
    edges = example.js("depgraphMap.cy.edges().map((e) => [e.source().id(), e.target().id(), e.data('label')])")
    drawn = {(s, t): int(label.replace(",", "") or 1) for s, t, label in edges}
    assert drawn == dict(expected)


def _renderer_crashed(exc: Exception) -> bool:
    return "Target crashed" in str(exc)


def _on_a_fresh_page_after_a_crash(open_page, body) -> None:
    """Run ``body(page)``; when Chromium's renderer dies under it ("Target crashed"), once more
    on a fresh page. Seen only in full-suite runs on a loaded 2-core machine, right after a tap
    opened a group (not reproduced on an idle one, nor with the page's JS errors checked by
    the other tests); a second crash fails the test."""
    page = open_page()
    try:
        body(page)
        return
    except sync_api.Error as exc:
        if not _renderer_crashed(exc):
            raise
    finally:
        _close(page)
    page = open_page()
    try:
        body(page)
    finally:
        _close(page)


def _close(page) -> None:
    try:
        page.page.close()
    except sync_api.Error:  # a crashed page may already be gone
        pass


def test_drilling_from_a_tribe_to_a_service_opens_its_panel(browser, example_page, example_analysis):
    _on_a_fresh_page_after_a_crash(lambda: MapPage(browser, example_page),
                                   lambda example: _drill(example, example_analysis))


def _drill(example, example_analysis):
    catalog = example_analysis.catalog
    payments = catalog.services["payments"]
    team = catalog.owner_team(payments)
    tribe_key = f"r:{sorted({t.tribe for t in catalog.teams.values() if t.tribe}).index(team.tribe)}"
    team_key = f"t:{sorted(catalog.teams).index(team.name)}"
    example.tap(tribe_key)
    assert team_key in example.drawn()
    example.tap(team_key)
    service_key = _key_of(example_analysis, "service:payments")
    assert service_key in example.drawn()
    example.tap(service_key)
    example.page.wait_for_selector("#detail:not([hidden])")
    assert example.page.inner_text("#detail h2") == "service:payments"
    example.tap(tribe_key)  # closing the tribe closes what is inside it
    assert team_key not in example.drawn() and service_key not in example.drawn()


def test_search_reaches_a_host_in_the_placement_levels(example, example_analysis):
    host = sorted(example_analysis.catalog.hosts)[5]
    example.search(host)
    assert example.js("depgraphMap.mode") == "placement"
    picked = example.js("depgraphMap.cy.$('.picked').map((n) => n.id())")
    assert len(picked) == 1 and picked[0].startswith("h:")
    assert example.js(f"depgraphMap.cy.getElementById({picked[0]!r}).data('label')") == host
    example.search("lon1/b")  # a rack, by its data center and name
    assert example.js("depgraphMap.cy.$('.picked').map((n) => n.id())")[0].startswith("k:")


def test_the_page_search_and_links_open_any_host_or_rack(example, example_analysis):
    catalog = example_analysis.catalog
    spofs = {s.component for s in example_analysis.spofs}
    host = next(h for h in sorted(catalog.hosts) if f"host:{h}" not in spofs
                and any(h in d.hosts for s in catalog.services.values() for d in s.deployments))
    page = example.page
    page.fill("#search", host)
    page.wait_for_selector("#search-results li")
    page.keyboard.press("Enter")
    page.wait_for_selector("#detail:not([hidden])")
    assert page.inner_text("#detail h2") == f"host:{host}"
    assert "Runs here" in page.inner_text("#detail")
    rack = next(r for r in sorted(catalog.racks()) if r not in spofs)
    page.evaluate(f"location.hash = '#/' + {rack!r}")
    page.wait_for_function(f"document.querySelector('#detail h2').textContent === {rack!r}")


def test_filters_change_what_is_drawn_and_keep_indirect_dependencies(example, example_analysis):
    catalog = example_analysis.catalog
    example.page.select_option("select[data-filter=kind]", "1")  # clients only
    owners = [catalog.owner_team(c) for c in catalog.clients.values()]
    drawn = example.drawn()
    assert len([k for k in drawn if k.startswith("r:")]) == len({t.tribe for t in owners if t})
    example.page.select_option("select[data-filter=kind]", "")
    example.page.select_option("select[data-filter=tier]", "1")
    example.js("depgraphMap.open = new Set(); depgraphMap.mode = 'owners'")
    example.tap("r:0")  # whatever opens, only tier-1 services are inside
    leaves = example.js("depgraphMap.cy.nodes('.leaf').map((n) => n.id())")
    tiers = {example_analysis.catalog.entity(example_analysis.model.nodes.ids[int(k[2:])]).tier for k in leaves}
    assert tiers <= {1}
    # a tier-1 service that reaches another only through tier-2 ones keeps a dotted edge to it
    assert example.js("depgraphMap.cy.edges('.indirect').length") > 0


def test_a_data_center_outage_is_drawn_with_the_reports_counts(example, example_analysis):
    outage = next(o for o in example_analysis.outages if o.datacenter == "datacenter:lon1")
    example.page.select_option("#map-scenario", "datacenter:lon1")
    status = example.page.inner_text("#map-status")
    assert f"{len(outage.radius.down)} down, {len(outage.radius.degraded)} degraded" in status
    assert example.js("depgraphMap.cy.$('.s-down, .s-degraded').length") > 0
    example.page.click("button[data-mode=placement]")
    assert example.js("depgraphMap.cy.$('.s-failed').map((n) => n.id())") != []


def test_focus_fades_everything_but_the_neighbourhood(example, example_analysis):
    example.search("payments")
    example.page.click("#map-focus")
    faded = example.js("depgraphMap.cy.$('.faded').length")
    kept = example.js("depgraphMap.cy.nodes().not('.faded').map((n) => n.id())")
    assert faded > 0
    assert _key_of(example_analysis, "service:payments") in kept
    assert example.labels_readable()


def test_screenshot(example):
    """With DEPGRAPH_SCREENSHOTS=DIR, the picture docs/report.md shows."""
    folder = os.environ.get("DEPGRAPH_SCREENSHOTS")
    if not folder:
        pytest.skip("set DEPGRAPH_SCREENSHOTS=DIR to save the documentation screenshots")
    example.tap("r:3")
    example.page.select_option("#map-scenario", "datacenter:lon1")
    example.js("depgraphMap.cy.fit(undefined, 20)")
    example.page.locator("#map").screenshot(path=str(Path(folder) / "report-map.png"))


# ---- 20,000 services -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def big_page(tmp_path_factory):
    tree = tmp_path_factory.mktemp("big") / "tree"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "20000", str(tree), "--seed", "1",
                    "--profile", "heavy-tailed"], check=True, capture_output=True)
    return _page(tree.parent, analyze(load_catalog(tree), for_page=True))


def test_the_map_stays_small_and_usable_at_20000_services(browser, big_page):
    assert big_page.stat().st_size <= 25_000_000
    _on_a_fresh_page_after_a_crash(lambda: MapPage(browser, big_page), _use_the_big_map)


def _use_the_big_map(page):
    assert len(page.drawn()) <= MAP_MAX
    assert page.labels_readable()
    # opening the biggest tribe is refused with a note (it holds ~1,600 services), a team opens
    page.tap("r:0")
    teams = [k for k in page.drawn() if k.startswith("t:")]
    assert teams and len(page.drawn()) <= MAP_MAX
    page.tap(teams[0])
    assert any(k.startswith("n:") for k in page.drawn()) and len(page.drawn()) <= MAP_MAX
    page.search("lon1-")  # a host among 100,000
    assert page.js("depgraphMap.cy.$('.picked').map((n) => n.id())")[0][:2] in ("h:", "k:", "d:")
    assert len(page.drawn()) <= MAP_MAX
    # Cytoscape warns when two nodes overlap mid-layout ("invalid endpoints"): not an error
    assert [e for e in page.errors if "invalid endpoints" not in e] == []
    if os.environ.get("DEPGRAPH_SCREENSHOTS"):
        page.page.locator("#map").screenshot(path=str(Path(os.environ["DEPGRAPH_SCREENSHOTS"]) / "report-map-20000.png"))
