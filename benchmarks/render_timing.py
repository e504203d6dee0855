"""How long Graphviz takes to lay out depgraph's diagrams as landscapes grow.

    python benchmarks/render_timing.py 100 250 500 1000 --timeout 120

For each N it generates a landscape (``benchmarks/generate.py``), builds the services view flat
and clustered, the teams view and the deployment view, and times ``dot`` (and ``sfdp`` for the
flat services view) on each, with a timeout. It also times writing the DOT text directly
against building it with pydot and calling ``to_string``. The numbers in docs/diagrams.md come
from this script.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from depgraph.analysis import analyze  # noqa: E402
from depgraph.diagrams import build_view  # noqa: E402
from depgraph.load.loader import load_catalog  # noqa: E402
from depgraph.diagrams.render import RenderError, render  # noqa: E402


def timed_render(dot: str, engine: str, timeout: float) -> str:
    start = time.perf_counter()
    try:
        render(dot, "svg", engine, timeout)
    except RenderError as exc:
        return "timeout" if "did not finish" in str(exc) else f"error ({str(exc)[:40]})"
    return f"{time.perf_counter() - start:.1f} s"


def pydot_versus_text(dot: str) -> tuple[float, float]:
    """Seconds to rebuild ``dot`` as a pydot graph and call to_string, against writing it."""
    import pydot

    graph = pydot.graph_from_dot_data(dot)[0]
    nodes = [(n.get_name(), n.get_attributes()) for n in graph.get_nodes()]
    edges = [(e.get_source(), e.get_destination(), e.get_attributes()) for e in graph.get_edges()]
    start = time.perf_counter()
    built = pydot.Dot("depgraph", graph_type="digraph")
    for name, attrs in nodes:
        built.add_node(pydot.Node(name, **attrs))
    for source, target, attrs in edges:
        built.add_edge(pydot.Edge(source, target, **attrs))
    built.to_string()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    print("| services | view | nodes | dot text | dot | sfdp |")
    print("|---:|---|---:|---:|---:|---:|")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            subprocess.run([sys.executable, str(Path(__file__).with_name("generate.py")), str(size), folder],
                           check=True, capture_output=True)
            analysis = analyze(load_catalog(Path(folder)))
        for view, cluster in (("services", "none"), ("services", "team"), ("teams", "team"),
                              ("deployment", "host")):
            start = time.perf_counter()
            diagram = build_view(analysis, view, cluster, max_nodes=0, max_hosts=0)
            build = time.perf_counter() - start
            dot_time = timed_render(diagram.dot, "dot", args.timeout)
            sfdp = timed_render(diagram.dot, "sfdp", args.timeout) if cluster == "none" else "-"
            print(f"| {size} | {view} ({cluster}) | {diagram.nodes} | {build:.2f} s | {dot_time} | {sfdp} |",
                  flush=True)
        if size >= 1000:
            start = time.perf_counter()
            dot = build_view(analysis, "services", "none", max_nodes=0).dot
            text = time.perf_counter() - start
            print(f"<!-- {size}: DOT text {text:.2f} s, pydot build+to_string {pydot_versus_text(dot):.2f} s -->",
                  flush=True)


if __name__ == "__main__":
    main()
