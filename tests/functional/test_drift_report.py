"""``report --observed``: the page marks undeclared calls on the caller's panel."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import decode_data
from tests.helpers import depgraph

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_REPLY = ROOT / "docs/examples/observed/servicegraph.json"


@pytest.fixture(scope="module")
def observed_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "out"
    result = depgraph("report", "-d", ROOT / "descriptors", "-o", out, "--observed", EXAMPLE_REPLY, "-q")
    assert result.returncode == 0, result.stderr
    return out / "index.html"


def test_the_page_holds_the_undeclared_calls(observed_report):
    data = decode_data(observed_report.read_text())
    name = data["nodes"]["name"]
    rows = [[name[a], name[b], calls, errors, kind] for a, b, calls, errors, kind in data["drift"]["undeclared"]]
    assert rows == [["metadata", "cassandra", 7310004, 731, "database"], ["playlist", "search", 412877, 10322, ""],
                    ["radio", "playcount", 1904220, 0, ""]]


def test_a_report_without_observations_has_no_drift(tmp_path):
    out = tmp_path / "out"
    assert depgraph("report", "-d", ROOT / "descriptors", "-o", out, "-q").returncode == 0
    assert "drift" not in decode_data((out / "index.html").read_text())


def test_a_bad_observed_file_writes_no_report(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [0, "1"]}]}}')
    result = depgraph("report", "-d", ROOT / "descriptors", "-o", tmp_path / "out", "--observed", bad, "-q")
    assert result.returncode == 2 and f"{bad}: error: data.result[0]: a servicegraph series needs" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_callers_panel_marks_them(observed_report):
    browser_module = pytest.importorskip("tests.functional.test_browser")
    from tests.helpers import launched_chromium

    for browser in launched_chromium(browser_module.sync_api):  # closed when the loop ends
        page = browser_module.Page(browser, observed_report)
        page.search_and_pick("playlist")
        panel = page.page.inner_text("#detail")
        assert "Observed, not declared (1)" in panel
        assert "undeclared search · 412,877 calls, 10,322 errors" in " ".join(panel.split())
        page.search_and_pick("search-index-primary")
        assert "Observed, not declared" not in page.page.inner_text("#detail")
        assert page.errors == []


def test_aliases_apply_to_the_page_as_to_drift(tmp_path):
    out = tmp_path / "out"
    result = depgraph("report", "-d", ROOT / "descriptors", "-o", out, "--observed", EXAMPLE_REPLY,
                      "--alias", "user_profile=user-profile", "-q")
    assert result.returncode == 0, result.stderr
    data = decode_data((out / "index.html").read_text())
    name = data["nodes"]["name"]
    assert ["notifications", "user-profile"] not in [[name[a], name[b]] for a, b, *_ in data["drift"]["undeclared"]]
    assert len(data["drift"]["undeclared"]) == 3  # notifications -> user-profile is declared
