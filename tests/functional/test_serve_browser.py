"""The page ``depgraph serve`` shows at ``/``, in a real browser (Debian's chromium, Playwright):
its live what-if fails two components at once and shows what the server's engine answers.

Skips cleanly when chromium or Playwright is absent; never downloads a browser.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.functional import mcp_client
from tests.functional.mcp_client import Served

landscape = mcp_client.landscape  # the shared fixture
CHROMIUM = os.environ.get("DEPGRAPH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytest.importorskip("mcp", reason="the MCP SDK is not installed (pip install 'depgraph[serve]')")
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
if not Path(CHROMIUM).is_file():
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)


def test_the_live_what_if_fails_two_components_together(landscape, tmp_path):
    served = Served(landscape, tmp_path / "serve.log")
    try:
        with sync_api.sync_playwright() as playwright:
            try:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            except Exception as exc:  # a chromium that cannot start here is an environment problem
                pytest.skip(f"chromium did not start: {exc}")
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"http://127.0.0.1:{served.port}/")
            page.wait_for_selector("body[data-ready=true]", timeout=60_000)
            page.fill("#whatif-input", "datacenter:lon1")
            page.keyboard.press("Enter")
            page.fill("#whatif-input", "rack:sto1/b")
            page.click("#whatif-run")
            page.wait_for_selector("#whatif-numbers", timeout=30_000)
            counts = {key: int(page.inner_text(f'#whatif-numbers [data-count="{key}"]').replace(",", ""))
                      for key in ("down", "degraded", "reduced", "overloaded")}
            shown_down = page.eval_on_selector_all("#whatif-result .chip.down", "cs => cs.map(c => c.dataset.id)")
            calls = page.inner_text("#whatif-calls")
            lit = page.locator("#diagram-svg g.node.hl-down").count()  # 0 without Graphviz: no diagram
            page.fill("#whatif-input", "datacenter:atlantis")
            page.click("#whatif-run")
            page.wait_for_selector("#whatif-error")
            refusal = page.inner_text("#whatif-error")
            browser.close()
        status, expected = served.get("/api/blast-radius?component=datacenter:lon1&component=rack:sto1/b&limit=0")
    finally:
        served.stop()
    assert status == 200
    assert counts == {key: len(expected[key]) for key in counts}
    assert shown_down == expected["down"]
    if shutil.which("dot"):
        assert lit == len(expected["down"]), "the diagram lights up what goes down"
    assert expected["teams"][0]["team"] in calls and expected["teams"][0]["contact"]["email"] in calls
    assert "unknown component 'datacenter:atlantis'" in refusal
    assert errors == [] or all("400" in e for e in errors), errors  # the refused question's console line
    assert '"GET /api/blast-radius?component=datacenter%3Alon1&component=rack%3Asto1%2Fb&limit=500" 200' in served.text()
