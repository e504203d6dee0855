"""How long does ``depgraph drift`` take on a big saved service-graph reply, against one ``analyze``?

    python benchmarks/drift_observed.py [--services 20000] [--edges 100000] [--repeat 1] [--work DIR]

Generates the benchmark landscape (``benchmarks/generate.py``, classic profile), writes a
Prometheus query reply of ``--edges`` service-graph series as ``drift --prometheus --save``
would (80% declared edges, 15% calls nobody declared, 5% to names that are no service, one
failed-calls series for every tenth edge), then times ``drift --observed REPLY --format json`` and
``analyze --format json`` on the same tree, each in a fresh process, and prints the ratio. The
issue's target: drift at most 1.5 × analyze. No timing is asserted anywhere; the figures go to
benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import generate  # noqa: E402  (a sibling script, not a package)


def write_reply(root: Path, edges: int, out: Path, seed: int = 1) -> dict:
    """The reply file for the tree at ``root``; counts of what it holds."""
    from depgraph.load.loader import load_catalog
    from depgraph.output import jsontext

    catalog = load_catalog(root)
    rng = random.Random(seed)
    names = sorted(catalog.services)
    declared = sorted({(s.name, d.targets[0]) for s in catalog.services.values() for d in s.dependencies})
    rng.shuffle(declared)
    wanted = {"declared": int(edges * 0.8), "undeclared": int(edges * 0.15)}
    wanted["unknown"] = edges - wanted["declared"] - wanted["undeclared"]
    chosen = declared[:wanted["declared"]]
    taken = set(declared)
    while len(chosen) < wanted["declared"] + wanted["undeclared"]:
        pair = (rng.choice(names), rng.choice(names))
        if pair[0] != pair[1] and pair not in taken:
            taken.add(pair)
            chosen.append(pair)
    chosen += [(rng.choice(names), f"external-{i}.example") for i in range(wanted["unknown"])]
    result = []
    for index, (client, server) in enumerate(chosen):
        labels = {"client": client, "server": server, "connection_type": "database" if index % 7 == 0 else ""}
        calls = rng.randrange(1, 5_000_000)
        result.append({"metric": {"__name__": "otelcol_traces_service_graph_request_total", **labels},
                       "value": [1765000000, f"{calls}.25"]})
        if index % 10 == 0:
            result.append({"metric": {"__name__": "otelcol_traces_service_graph_request_failed_total", **labels},
                           "value": [1765000000, str(calls // 100)]})
    out.write_text(jsontext.dumps({"status": "success", "data": {"resultType": "vector", "result": result}}) + "\n")
    return {**wanted, "series": len(result), "mb": out.stat().st_size / 1e6}


def timed(command: list[str], env: dict) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=20_000)
    parser.add_argument("--edges", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--work", type=Path, help="keep the landscape and the reply here (reused when present)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        work = args.work or Path(scratch)
        root = work / f"services-{args.services}-seed-1-v{generate.GENERATOR_VERSION}"
        if not root.is_dir():
            generate.generate(args.services, root, seed=1)
        reply = work / f"servicegraph-{args.services}-{args.edges}.json"
        held = write_reply(root, args.edges, reply) if not reply.exists() else {"mb": reply.stat().st_size / 1e6}
        env = {**os.environ, "PYTHONPATH": str(REPO), "DEPGRAPH_CACHE_DIR": str(Path(scratch) / "cache")}
        depgraph = [sys.executable, "-m", "depgraph"]
        runs: dict[str, list[tuple[float, float]]] = {"drift": [], "analyze": []}
        for _ in range(args.repeat):
            runs["analyze"].append(timed(depgraph + ["analyze", "-d", str(root), "--format", "json"], env))
            runs["drift"].append(timed(depgraph + ["drift", "-d", str(root), "--observed", str(reply),
                                                   "--format", "json"], env))
        median = {f"{k}_{what}": round(statistics.median(r[i] for r in vs), 2)
                  for k, vs in runs.items() for i, what in enumerate(("wall_s", "cpu_s"))}
        print(json.dumps({"services": args.services, "reply": held, **median,
                          "ratio_wall": round(median["drift_wall_s"] / median["analyze_wall_s"], 2),
                          "ratio_cpu": round(median["drift_cpu_s"] / median["analyze_cpu_s"], 2)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
