"""The HTML page: one self-contained file, its embedded data, and text that cannot become markup."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest

from depgraph.analysis import analyze
from depgraph.failure.engine import simulate
from tests.helpers import decode_data

from depgraph.reporters.html import render_html, sanitize_svg
from depgraph.reporters.html_data import report_data
from tests.landscapes import BREAKOUT, HOSTILE_OWNER, JS_LINK, SCRIPT, hostile_catalog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def analysis():
    return analyze(hostile_catalog(), for_page=True)


@pytest.fixture(scope="module")
def page(analysis) -> str:
    return render_html(analysis)


def embedded(page: str) -> dict:
    return decode_data(page)


def decode(deltas):
    out, value = [], 0
    for delta in deltas:
        value += delta
        out.append(value)
    return out


class TestSelfContained:
    def test_fetches_nothing(self, page):
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
        assert "@import" not in page and "url(http" not in page

    def test_policy_forbids_network_and_foreign_scripts(self, page):
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
        assert "default-src 'none'" in policy
        script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        assert f"script-src 'sha256-{digest}'" in policy

    def test_exactly_two_script_elements(self, page):
        assert page.count("<script") == 2 and page.count("</script>") == 2


class TestEscaping:
    def test_embedded_json_has_no_markup_characters(self, page):
        blob = re.search(r'id="depgraph-data"[^>]*>(.*?)</script>', page, re.S).group(1)
        assert not set("<>&") & set(blob)

    def test_big_data_is_deflated_base64_and_decodes_to_the_same(self, analysis, page, monkeypatch):
        from depgraph.reporters import html

        monkeypatch.setattr(html, "COMPRESS_ABOVE", 100)
        packed = render_html(analysis)
        assert 'data-encoding="deflate-base64"' in packed and 'data-encoding="json"' in page
        blob = re.search(r'id="depgraph-data"[^>]*>(.*?)</script>', packed, re.S).group(1)
        assert re.fullmatch(r"[A-Za-z0-9+/=]+", blob)
        assert decode_data(packed) == decode_data(page)

    def test_hostile_text_round_trips_verbatim(self, page):
        data = embedded(page)
        nodes = data["nodes"]
        by_name = {name: i for i, name in enumerate(nodes["name"])}
        assert nodes["desc"][by_name["db"]] == SCRIPT
        assert nodes["desc"][by_name["cache"]] == BREAKOUT
        assert nodes["owner"][str(by_name["session"])] == HOSTILE_OWNER
        assert nodes["links"][str(by_name["api"])][0] == ["Click | me", JS_LINK]
        assert data["teams"]["contact"][data["teams"]["name"].index("core")]["slack"] == BREAKOUT
        assert data["datacenters"][0]["labels"] == {"status": BREAKOUT}

    def test_title_is_escaped(self):
        catalog = hostile_catalog()
        catalog.root = "</title><script>x()</script>"
        page = render_html(analyze(catalog, for_page=True))
        assert "<title>depgraph report — &lt;/title&gt;&lt;script&gt;" in page

    def test_script_builds_text_nodes_only(self):
        script = "\n".join((ROOT / "depgraph" / "reporters" / "assets" / name).read_text()
                           for name in ("report_core.js", "report_views.js", "report_places.js"))
        assert "innerHTML" not in script and "outerHTML" not in script
        assert "insertAdjacentHTML" not in script and "document.write" not in script

    def test_only_safe_link_schemes_become_links(self):
        core = (ROOT / "depgraph" / "reporters" / "assets" / "report_core.js").read_text()
        assert r"/^(https?:\/\/|mailto:)/i" in core


class TestData:
    def test_spofs_carry_counts_and_causes_not_id_lists(self, analysis, page):
        # the page computes a selection's blast radius itself (the browser test checks it against
        # the engine): per SPOF it stores only what falls first, so the data stays linear in size
        data = embedded(page)
        ids = [("service:" if kind == 0 else "client:") + name
               for name, kind in zip(data["nodes"]["name"], data["nodes"]["kind"])]
        assert "down" not in data["nodes"]
        spofs = data["spofs"]
        for i, component in enumerate(spofs["component"]):
            expected = simulate(analysis.model, [component])
            assert (spofs["down"][i], spofs["degraded"][i]) == (len(expected.down), len(expected.degraded))
            cause = [ids[n] for n in decode(spofs["cause"][i])]
            if component.startswith("service:"):
                assert cause == [component]
            else:
                assert set(cause) <= set(expected.down)

    def test_findings_rows(self, analysis, page):
        findings = embedded(page)["findings"]
        names = embedded(page)["nodes"]["name"]
        subjects = [s or f"service:{names[n]}" for s, n in zip(findings["subject"], findings["node"])]
        shown = sorted(zip(subjects, (findings["rules"][r] for r in findings["rule"]),
                           (("error", "warning", "info")[s] for s in findings["sev"])))
        assert shown == sorted((f.subject, f.rule, f.severity) for f in analysis.findings)
        assert ("service:auth", "hard-cycle", "error") in shown

    def test_findings_carry_team_and_tribe_for_filters(self, page):
        data = embedded(page)
        findings, teams = data["findings"], data["teams"]["name"]
        spof = findings["node"].index(data["nodes"]["name"].index("db"))
        assert teams[findings["team"][spof]] == "core"
        assert data["tribes"][findings["tribe"][spof]] == "platform"

    def test_spofs_ranked_and_datacenter_outage(self, page):
        data = embedded(page)
        assert data["spofs"]["component"][:3] == ["datacenter:lon1", "host:h1", "rack:lon1/a"]
        (lon1,) = data["datacenters"]
        names = data["nodes"]["name"]
        assert sorted(names[i] for i in lon1["down"]) == ["api", "db", "ios"]
        assert lon1["hosts"] == 1 and lon1["racks"] == 1

    def test_cycle_with_cut(self, page):
        (cycle,) = embedded(page)["cycles"]
        names = embedded(page)["nodes"]["name"]
        assert cycle["hard"] and [names[i] for i in cycle["example"]] == ["auth", "session", "auth"]
        assert len(cycle["cuts"]) == 1

    def test_example_landscape_lon1_outage(self):
        from depgraph.load.loader import load_catalog

        data = report_data(analyze(load_catalog(ROOT / "descriptors"), for_page=True))
        lon1 = next(dc for dc in data["datacenters"] if dc["name"] == "lon1")
        names = data["nodes"]["name"]
        assert sorted(names[i] for i in lon1["down"]) == [
            "cmdb", "hadoop", "payments", "provisioning", "royalty-reporting"]
        assert len(lon1["degraded"]) == 24
        # whom to call in the order the CLI prints: the tier-1 payments service's team first
        teams = data["teams"]["name"]
        assert teams[lon1["teams"][0][0]] == "payments-squad"
        assert lon1["hosts"] == 96


class TestSvgSanitizing:
    def test_keeps_drawing_and_titles(self):
        svg = ('<svg xmlns="http://www.w3.org/2000/svg"><g class="node"><title>service:a</title>'
               '<ellipse rx="3"/><text>a &amp; b</text></g></svg>')
        clean = sanitize_svg(svg)
        assert "<title>service:a</title>" in clean and "<ellipse" in clean and "a &amp; b" in clean

    @pytest.mark.parametrize("hostile", [
        '<script>alert(1)</script>',
        '<g onload="alert(1)"/>',
        '<a href="javascript:alert(1)"><text>x</text></a>',
        '<a xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="javascript:alert(1)"><text>x</text></a>',
        '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>',
    ])
    def test_drops_active_content(self, hostile):
        clean = sanitize_svg(f'<svg xmlns="http://www.w3.org/2000/svg">{hostile}</svg>')
        assert "alert" not in clean and "script" not in clean and "foreignObject" not in clean

    def test_keeps_web_links(self):
        clean = sanitize_svg('<svg xmlns="http://www.w3.org/2000/svg"><a href="https://x.example/">'
                             '<text>x</text></a></svg>')
        assert 'href="https://x.example/"' in clean

    def test_not_svg_gives_nothing(self):
        assert sanitize_svg("<html><script>x</script></html>") == ""
        assert sanitize_svg("not xml <") == ""

    def test_inlined_svg_is_sanitized(self, analysis):
        page = render_html(analysis, svg='<svg xmlns="http://www.w3.org/2000/svg"><script>bad()</script>'
                                         '<g class="node"><title>service:db</title></g></svg>')
        assert "bad()" not in page and "<title>service:db</title>" in page
