"""The report page's map in headless Chromium at a given size: page bytes, first paint, time until
the map answers clicks, and frame times while panning (median and 95th percentile).

    python benchmarks/map_browser.py TREE [--out results.json]

TREE is a descriptor tree (``benchmarks/generate.py 20000 /tmp/t --profile heavy-tailed``). The
page is written with ``render_html`` (no diagrams); Debian's chromium is driven by Playwright.
Targets (issue "A map that stays readable at 20,000 services"): first paint <= 2 s, interactive
<= 5 s, index.html <= 25 MB, at most 300 nodes drawn at once.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

PAN_FRAMES = 90


def measure(page_path: Path) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(page_path.resolve().as_uri())
        page.wait_for_selector("#map[data-map-ready=true]", timeout=300_000)
        paint = page.evaluate("performance.getEntriesByType('paint').map((e) => [e.name, e.startTime])")
        ready = page.evaluate("depgraphMap.timing.ready")
        nodes = page.evaluate("depgraphMap.cy.nodes().length")
        page.evaluate("document.getElementById('map').scrollIntoView()")
        frames = page.evaluate(f"""new Promise((done) => {{
            const cy = depgraphMap.cy, times = [];
            let last = performance.now(), left = {PAN_FRAMES};
            const step = (now) => {{ times.push(now - last); last = now; cy.panBy({{x: 4, y: 2}});
                if (--left) requestAnimationFrame(step); else done(times.slice(1)); }};
            requestAnimationFrame(step); }})""")
        browser.close()
    frames.sort()
    return {"bytes": page_path.stat().st_size, "first_paint_ms": dict(paint).get("first-contentful-paint"),
            "interactive_ms": ready, "nodes_drawn": nodes,
            "frame_ms_median": statistics.median(frames), "frame_ms_p95": frames[int(len(frames) * 0.95) - 1]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from depgraph.analysis import analyze
    from depgraph.load.loader import load_catalog
    from depgraph.reporters.html import render_html

    started = time.perf_counter()
    html = render_html(analyze(load_catalog(args.tree), for_page=True))
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "index.html"
        page.write_text(html, encoding="utf-8")
        result = {"tree": str(args.tree), "page_written_s": round(time.perf_counter() - started, 1), **measure(page)}
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
