"""The HTML report in a real browser: Debian's chromium, headless, driven by Playwright.

Skips cleanly when chromium or Playwright is absent. Never downloads a browser: it launches the
system one at /usr/bin/chromium (or $DEPGRAPH_CHROMIUM). With DEPGRAPH_SCREENSHOTS=DIR set, the
last test also saves the screenshots used in docs/report.md into DIR.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import chromium_or_skip, launched_chromium

from depgraph.cli import report_folder as report_module
from depgraph.analysis import analyze
from depgraph.load.loader import load_catalog
from depgraph.cli.report_folder import write_report
from tests.landscapes import JS_LINK, SCRIPT, hostile_catalog

ROOT = Path(__file__).resolve().parents[2]

sync_api = chromium_or_skip()


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium(sync_api)


class Page:
    """An opened report page with every console message and page error it produced."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("body[data-ready=true]", timeout=20_000)

    def search_and_pick(self, text: str) -> None:
        self.page.fill("#search", text)
        self.page.wait_for_selector("#search-results li")
        self.page.keyboard.press("Enter")
        self.page.wait_for_selector("#detail:not([hidden])")


@pytest.fixture(scope="module")
def example_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    here = Path.cwd()
    os.chdir(ROOT)  # relative paths in the page, as a user running `depgraph report` sees them
    try:
        write_report(analyze(load_catalog(Path("descriptors")), for_page=True), out, Path("descriptors"))
    finally:
        os.chdir(here)
    return out / "index.html"


@pytest.fixture
def example(browser, example_report):
    page = Page(browser, example_report)
    yield page
    page.page.close()


def test_loads_offline_without_console_errors(example):
    assert example.errors == []
    assert all(url.startswith("file://") for url in example.requests)
    assert "8 errors need attention" in example.page.inner_text("#overview")


def test_search_finds_a_service_and_shows_its_blast_radius(example):
    page = example.page
    page.fill("#search", "postgr")
    assert page.inner_text("#search-results li").startswith("postgres")
    page.keyboard.press("Enter")
    page.wait_for_selector("#detail:not([hidden])")
    assert page.inner_text("#detail h2") == "service:postgres"
    # SPEC §2 by hand in descriptors/README.md: postgres downs 25 services and all 7 clients
    assert page.locator("#detail .chip.down").count() == 32
    assert page.locator("#detail .chip.degraded").count() == 3
    assert "storage-squad" in page.inner_text("#detail")
    assert example.errors == []


def test_selection_highlights_the_blast_radius_in_the_diagram(example):
    if example.page.locator("#diagram-svg svg").count() == 0:
        pytest.skip("Graphviz is not installed: no diagram to highlight")
    page = example.page
    page.fill("#search", "payments")
    page.wait_for_selector("#search-results li")
    page.keyboard.press("Enter")
    page.wait_for_selector("#diagram-svg.dimmed")
    assert page.locator("#diagram-svg g.node.hl-self").count() == 1
    assert page.locator("#diagram-svg g.node.hl-degraded").count() == 17  # README row 5


def test_findings_filter_and_sort(example):
    page = example.page
    for severity in ("warning", "info"):
        page.click(f'input[data-severity="{severity}"]')
    rows = page.locator("#findings-table tbody tr")
    assert rows.count() == 8
    assert set(page.eval_on_selector_all("#findings-table tbody tr", "rs => rs.map(r => r.dataset.severity)")) == {"error"}
    page.click('th[data-sort="rule"]')
    page.click('th[data-sort="rule"]')  # descending
    rules = page.eval_on_selector_all("#findings-table tbody tr", "rs => rs.map(r => r.dataset.rule)")
    assert rules == sorted(rules, reverse=True) and rules[0] == "unowned"


def test_datacenter_outage(example):
    page = example.page
    card = page.locator('.dc[data-dc="lon1"]')
    assert "5 down" in card.inner_text() and "24 degraded" in card.inner_text()
    card.locator("button", has_text="Show the outage").click()
    assert page.inner_text("#detail h2") == "datacenter:lon1"
    assert page.locator("#detail .chip.down").count() == 5


def test_capacity_and_nines(example):
    page = example.page
    row = page.locator('#capacity tr[data-dc="lon1"]')
    assert "does not survive" in row.inner_text() and "event-delivery" in row.inner_text()
    assert "6/8 up" in row.inner_text()
    assert page.locator('#capacity tr[data-dc="sto1"]').inner_text().count("nothing") == 2
    assert "Plan: 24 instances more for 3 services" in page.inner_text("#capacity")
    strips = page.locator("#capacity svg.nines")
    assert strips.count() == 4  # tiers 1, 2, 3 and the clients
    first = page.eval_on_selector_all("#capacity svg.nines:first-of-type g.row text.name", "ts => ts.map(t => t.textContent)")
    assert first[0] == "service:access-point"  # worst first
    assert page.locator("#capacity g.row.nines-miss").count() == 1
    assert page.locator("#capacity g.row.nines-miss text.name").text_content() == "service:payments"
    page.locator("#capacity g.row.nines-miss text.name").click()
    assert page.inner_text("#detail h2") == "service:payments"
    assert example.errors == []


def test_recovery_timeline_and_panel_agree_with_the_cli(example):
    from depgraph.analyses.recovery import recovery

    cold = recovery(load_catalog(ROOT / "descriptors"))
    page = example.page
    bars = page.locator("#recovery svg.gantt g.bar")
    assert bars.count() == len(cold.services)  # the example is small: every bar is drawn
    critical = page.eval_on_selector_all("#recovery g.bar.critical text.name", "ts => ts.map(t => t.textContent)")
    slowest = cold.slowest(tier=1)[0].service
    assert sorted(critical) == sorted(cold.critical_path(slowest))
    assert page.eval_on_selector_all("#recovery g.bar.late text.name", "ts => ts.map(t => t.textContent)") == [
        s.service for s in cold.missed()]
    assert "search ready 32m, RTO 30m" in page.inner_text("#recovery .notice")
    page.locator("#recovery g.bar.late text.name").click()
    panel = page.inner_text("#detail")
    assert "Ready 32m into a cold start; RTO 30m: missed by 2m." in panel
    assert "zookeeper (2m)\n→\nsearch-index-primary (25m)\n→\nsearch (5m)\n= 32m" in panel
    example.search_and_pick("login")
    assert "Never ready on a cold start: needs service:user-profile" in page.inner_text("#detail")
    assert example.errors == []


BAD_TEXT = ("[object", "undefined", "NaN", "file://", "null")


def shown_text(page) -> str:
    """What a person sees: the page's rendered text (not its markup or data)."""
    return page.inner_text("body")


def test_every_section_and_panel_shows_text_not_objects(example):
    page = example.page
    seen = {"page": shown_text(page)}

    def open_each(selector: str, limit: int = 100) -> None:
        for control in page.locator(selector).all()[:limit]:
            control.click()
            seen[page.inner_text("#detail h2")] = page.inner_text("#detail")
            page.click("#detail .close")

    open_each("#datacenters button.btn")
    open_each("#spofs #spof-table button.link")
    open_each("#cycles .card button.link", 6)
    example.search_and_pick("payments-squad")
    seen["team"] = page.inner_text("#detail")
    assert len(seen) > 20
    for where, text in seen.items():
        bad = [b for b in BAD_TEXT if b in text]
        assert not bad, f"{where} shows {bad}"
    # a cut of a cycle reads as a dependency, and the diagram files by their titles
    assert "Cut or soften subscription → login" in seen["page"]
    if page.locator("#diagram-svg svg").count():
        assert "Files: Services by team · Team dependencies · Deployment by" in seen["page"]
    assert example.errors == []


def test_the_pages_blast_radius_agrees_with_the_failure_engine_and_the_cli(example):
    from depgraph.analyses.blast import whom_to_call
    from depgraph.failure.engine import simulate

    report = analyze(load_catalog(ROOT / "descriptors"))
    page = example.page
    spofs = page.evaluate("""() => D.spofs.component.map((c, i) => {
        const r = spofImpact(i); return [c, r.down.map(nodeId).sort(), r.degraded.map(nodeId).sort()]; })""")
    assert [c for c, _, _ in spofs] == [s.component for s in report.spofs]  # the Report's ranking
    for component, down, degraded in spofs:
        impact = simulate(report.model, [component])
        assert (down, degraded) == (list(impact.down), list(impact.degraded)), component
    services = page.evaluate("""() => { const out = [];
        for (let n = 0; n < N; n++) if (D.nodes.kind[n] === 0) { const r = serviceImpact(n);
          out.push([nodeId(n), r.down.map(nodeId).sort(), r.degraded.map(nodeId).sort(),
                    whomToCall(r).map((t) => t[4])]); }
        return out; }""")
    assert len(services) == 54
    for service, down, degraded, calls in services:
        impact = simulate(report.model, [service])
        assert (down, degraded) == (list(impact.down), list(impact.degraded)), service
        expected = [call.team[5:] if call.team else None for call in whom_to_call(report.catalog, impact)]
        assert calls == expected, service


def test_datacenter_outage_calls_whom_the_cli_calls_first(example):
    page = example.page
    page.locator('.dc[data-dc="lon1"] button', has_text="Show the outage").click()
    calls = page.locator("#detail .call b").all_inner_texts()
    assert calls[0] == "payments-squad"
    degraded = page.locator("#detail .chip.degraded").all_inner_texts()
    reduced = page.locator("#detail .chip.reduced").all_inner_texts()
    names = {text.split(" ")[0] for text in degraded}
    assert not names & {text.split(" ")[0] for text in reduced}  # each service once, worst state
    assert "access-point (4/12 lost)" in degraded  # degraded and reduced: the loss in its label, as the CLI says


def test_the_page_explains_and_opens_places_as_the_cli_does(example):
    """Why a SPOF is one; every team to call; hosts, racks and data centers found and linked;
    Escape after a search; one reduced-capacity count; file:line kept whole."""
    page = example.page
    example.search_and_pick("lon1/b")
    assert page.inner_text("#detail h2") == "rack:lon1/b"
    assert "Why: all 4 instances of service:payments are on hosts in rack lon1/b" in page.inner_text("#detail")
    assert page.evaluate("location.hash") == "#/rack%3Alon1%2Fb"
    page.keyboard.press("Escape")
    assert page.locator("#detail").is_hidden()
    example.search_and_pick("lon1")  # the data center ranks before its racks and hosts
    assert page.inner_text("#detail h2") == "datacenter:lon1"
    assert "Reduced capacity (40; 15 of them degraded, above)" in page.inner_text("#detail")
    more = page.locator("#detail .more-teams")
    assert more.inner_text() == "… and 9 more teams: show them"
    more.click()
    assert page.locator("#detail .call").count() == 21  # as `depgraph blast-radius datacenter:lon1`
    page.goto(page.url.split("#")[0] + "#/host:lon1-a-03")
    page.wait_for_function("document.querySelector('#detail h2') && "
                           "document.querySelector('#detail h2').textContent === 'host:lon1-a-03'")
    assert "the only instance of service:cmdb is on host lon1-a-03" in page.inner_text("#detail")
    wrapped = page.evaluate("""() => [...document.querySelectorAll('#findings-table td.where .nowrap-line')]
        .filter((s) => s.getClientRects().length > 1).length""")
    assert wrapped == 0
    assert example.errors == []


def test_the_diagram_pans_and_zooms(example):
    page = example.page
    if page.locator("#diagram-svg svg").count() == 0:
        pytest.skip("Graphviz is not installed: no diagram")
    viewport = "#diagram-svg g.svg-pan-zoom_viewport"
    shown = f"() => {{ const g = document.querySelector('{viewport}'); return g.getAttribute('transform') || g.style.transform; }}"
    before = page.evaluate(shown)
    page.locator("#diagram-svg #svg-pan-zoom-zoom-in").click()
    page.wait_for_function(f"(before) => ({shown})() !== before", arg=before, timeout=5_000)  # zoomed in
    box = page.locator("#diagram-svg").bounding_box()
    assert box["height"] > 400  # not a thumbnail


def test_hostile_text_stays_text(browser, tmp_path, monkeypatch):
    monkeypatch.setattr(report_module, "_svg_renderer", lambda: None)
    write_report(analyze(hostile_catalog(), for_page=True), tmp_path)
    page = Page(browser, tmp_path / "index.html")
    try:
        page.search_and_pick("db")
        p = page.page
        assert p.evaluate("window.__pwned") is None
        assert SCRIPT in p.inner_text("#detail")  # shown literally
        page.search_and_pick("api")
        links = p.eval_on_selector_all("#detail a", "as => as.map(a => a.getAttribute('href'))")
        assert "https://wiki.example.com/api" in links
        assert not [href for href in links if href and not href.startswith(("https:", "http:", "mailto:"))]
        assert JS_LINK in p.inner_text("#detail")  # the javascript: link is shown as text
        assert p.evaluate("window.__pwned") is None
        assert page.errors == []
    finally:
        page.page.close()


def test_compressed_data_loads(browser, tmp_path, monkeypatch):
    from depgraph.reporters import html

    monkeypatch.setattr(html, "COMPRESS_ABOVE", 100)
    monkeypatch.setattr(report_module, "_svg_renderer", lambda: None)
    write_report(analyze(load_catalog(ROOT / "descriptors"), for_page=True), tmp_path)
    page = Page(browser, tmp_path / "index.html")
    try:
        page.search_and_pick("dns")
        assert "30\ndown" in page.page.inner_text("#detail .blast").replace(" down", "\ndown")
        assert page.errors == []
    finally:
        page.page.close()


def test_screenshots(example):
    folder = os.environ.get("DEPGRAPH_SCREENSHOTS")
    if not folder:
        pytest.skip("set DEPGRAPH_SCREENSHOTS=DIR to save the documentation screenshots")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    page = example.page
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.screenshot(path=str(out / "report-overview.png"))
    example.search_and_pick("postgres")
    page.screenshot(path=str(out / "report-blast-radius.png"))
    example.search_and_pick("lon1/b")
    page.screenshot(path=str(out / "report-spof-why.png"))
    page.click("#detail .close")
    page.evaluate("document.getElementById('findings').scrollIntoView()")
    page.screenshot(path=str(out / "report-findings.png"))
    page.evaluate("document.getElementById('datacenters').scrollIntoView()")
    page.screenshot(path=str(out / "report-datacenters.png"))
    page.evaluate("document.getElementById('recovery').scrollIntoView()")
    page.screenshot(path=str(out / "report-recovery.png"))


CAPACITY_TREE = {
    "infra.yaml": """
        - {kind: datacenter, name: lon1}
        - {kind: host, name: h1, datacenter: lon1, rack: a}
        - {kind: host, name: h2, datacenter: lon1, rack: b}
        """,
    "services.yaml": """
        - {kind: service, name: db, deployments: [{datacenter: lon1, hosts: [h1]}]}
        - {kind: service, name: api, dependencies: [db]}
        - kind: service
          name: cache
          capacity: {min_instances: 2}
          deployments: [{datacenter: lon1, hosts: [h1, h2]}]
        - {kind: service, name: web, dependencies: [cache]}
        """,
}


def test_a_host_spof_shows_what_its_loss_overloads_as_the_cli_does(browser, tmp_path, monkeypatch):
    """host:h1 takes db (and api) down and leaves cache one of the two instances it needs: the
    page's panel shows cache reduced and web degraded through it, as blast-radius does."""
    from tests.helpers import write_tree
    from depgraph.failure.engine import simulate

    monkeypatch.setattr(report_module, "_svg_renderer", lambda: None)
    root = write_tree(tmp_path / "tree", CAPACITY_TREE)
    report = analyze(load_catalog(root), for_page=True)
    write_report(report, tmp_path / "out", root)
    page = Page(browser, tmp_path / "out" / "index.html")
    try:
        shown = page.page.evaluate("""() => D.spofs.component.map((c, i) => { const r = spofImpact(i);
            return [c, r.down.map(nodeId).sort(), r.degraded.map(nodeId).sort(),
                    D.spofs.reduced[i].map(([n, lost, total]) => [nodeId(n), lost, total])]; })""")
        assert "host:h1" in [c for c, *_ in shown]
        for component, down, degraded, reduced in shown:
            impact = simulate(report.model, [component])
            assert (down, degraded) == (list(impact.down), list(impact.degraded)), component
            assert reduced == [[s, lost, total] for s, (lost, total) in impact.reduced.items()], component
        h1 = next(row for row in shown if row[0] == "host:h1")
        assert h1[2] == ["service:web"] and h1[3] == [["service:cache", 1, 2]]
        page.page.locator("#spofs button", has_text="host:h1").click()
        assert "cache 1/2 lost" in page.page.inner_text("#detail")
        assert page.errors == []
    finally:
        page.page.close()


def random_landscape(seed: int, services: int = 40):
    """Services of every tier with hard, soft and any_of entries (cycles included), owners,
    capacity needs, hosts in racks and data centers, anonymous instances, and clients."""
    import random

    from depgraph.model import Catalog, Client, Datacenter, Dependency, Deployment, Host, Service, Team

    pick = random.Random(seed)
    dcs = ["d0", "d1", "d2"]
    catalog = Catalog(datacenters={dc: Datacenter(dc) for dc in dcs},
                      teams={t: Team(t) for t in ("t0", "t1", "t2", "t3")})
    for i in range(services // 2):
        catalog.hosts[f"h{i}"] = Host(f"h{i}", pick.choice(dcs), pick.choice([None, "r0", "r1"]))
    names = [f"s{i}" for i in range(services)]

    def entries(own: str | None) -> tuple:
        others = [n for n in names if n != own]
        chosen = []
        for _ in range(pick.choice([0, 1, 1, 2, 3])):
            kind = pick.choice(["hard", "hard", "soft"])
            group = pick.sample(others, pick.choice([1, 1, 2, 3]))
            chosen.append(Dependency(tuple(group), kind, len(group) > 1 or pick.random() < 0.1))
        return tuple(chosen)

    for name in names:
        placed = []
        for _ in range(pick.choice([0, 1, 1, 2])):
            dc = pick.choice(dcs)
            here = [h for h, host in catalog.hosts.items() if host.datacenter == dc]
            if here and pick.random() < 0.7:
                placed.append(Deployment(dc, tuple(pick.sample(here, min(len(here), pick.choice([1, 2, 3]))))))
            else:
                placed.append(Deployment(dc, instances=pick.choice([1, 2])))
        need = pick.choice([None, None, 1, 2, 3]) if placed else None
        catalog.services[name] = Service(name, tier=pick.choice([1, 2, 3]), owner=pick.choice(["t0", "t1", "t2", "t3", None]),
                                         dependencies=entries(name), deployments=tuple(placed), min_instances=need)
    for i in range(4):
        catalog.clients[f"c{i}"] = Client(f"c{i}", owner=pick.choice(["t0", None]), dependencies=entries(None))
    return catalog


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_pages_failure_semantics_and_ranking_are_the_engines_on_random_landscapes(browser, tmp_path, monkeypatch,
                                                                                    seed):
    """The page computes a blast radius in its script (propagateDown, impact, whomToCall) and
    sorts by the Report's ranking: on random landscapes, every service's and every SPOF's answer
    is the failure engine's, and its order the CLI's."""
    from depgraph.analyses.blast import whom_to_call
    from depgraph.analyses.impact import urgency
    from depgraph.failure.engine import simulate

    monkeypatch.setattr(report_module, "_svg_renderer", lambda: None)
    catalog = random_landscape(seed)
    report = analyze(catalog, for_page=True)
    write_report(report, tmp_path / "out", tmp_path / "descriptors")
    page = Page(browser, tmp_path / "out" / "index.html")
    try:
        shown = page.page.evaluate("""() => {
            const ids = (r) => [r.down.map(nodeId).sort(), r.degraded.map(nodeId).sort(), whomToCall(r).map((t) => t[4])];
            const services = [];
            for (let n = 0; n < N; n++) if (D.nodes.kind[n] === 0) services.push([nodeId(n), ...ids(serviceImpact(n))]);
            const everyone = [...Array(N).keys()].sort(byUrgency).map(nodeId);
            // a data center's panel shows its stored outage (the Report's); any other SPOF's is computed here
            const outage = (c) => D.datacenters.find((d) => "datacenter:" + d.name === c);
            const spofs = D.spofs.component.map((c, i) => [c, ...ids(outage(c) || spofImpact(i))]);
            return {services, spofs, everyone}; }""")
        assert page.errors == []
    finally:
        page.page.close()
    assert len(shown["services"]) == len(catalog.services) and len(shown["spofs"]) == len(report.spofs) > 0
    for component, down, degraded, calls in shown["services"] + shown["spofs"]:
        impact = simulate(report.model, [component])
        assert (down, degraded) == (list(impact.down), list(impact.degraded)), component
        assert calls == [call.team[5:] if call.team else None for call in whom_to_call(catalog, impact)], component
    assert shown["everyone"] == sorted(report.model.nodes.ids, key=urgency(catalog))
