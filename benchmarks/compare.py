"""Two (or more) versions of depgraph side by side, on the stages the targets name, in one run.

    git worktree add /tmp/depgraph-old OLD_COMMIT
    python benchmarks/compare.py --tree before=/tmp/depgraph-old --tree after=. \\
        --cache /tmp/landscapes --sizes 20000 --repeat 3 --out /tmp/compare.md

For each profile and size it times, in fresh processes and interleaved (before, after, before,
after, …, so a busy moment of the machine falls on both), the bare CSafeLoader parse (the
yardstick), ``depgraph analyze --format json`` end to end, and ``depgraph blast-radius`` of the
busiest data center with an empty model cache and then from it. Each tree runs its own code
(its folder first on the import path, its own model cache). It prints one Markdown table of
medians (wall-clock and CPU seconds) and the targets for each tree.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (sibling scripts, not a package)
import run  # noqa: E402

STAGES = (
    ("csafe", "B: `yaml.load_all`, CSafeLoader"),
    ("cli-analyze", "`depgraph analyze --format json` (end to end)"),
    ("cli-blast-cold", "`depgraph blast-radius DC --format json`, first run (fills the cache)"),
    ("cli-blast", "`depgraph blast-radius DC --format json`, from the cache"),
)


def tree_env(tree: Path, cache: Path) -> dict:
    env = {**run.CHILD_ENV, "DEPGRAPH_CACHE_DIR": str(cache)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tree), os.environ.get("PYTHONPATH")]))
    return env


def busiest_datacenter(root: Path, timeout: float) -> str:
    """The data center ``run.py`` aims blast-radius at, found by this checkout's load stage."""
    code, _, _, stdout, stderr, _ = run.run_child(run.stage_command("load", root), timeout)
    if code != 0:
        raise SystemExit(f"load stage failed on {root}: {run._last_line(stderr)}")
    return run.parse_stage(stdout, 0, None).get("info", {}).get("hub_datacenter") or "datacenter:lon1"


def compare(root: Path, trees: dict[str, Path], args, scratch: Path) -> dict[str, dict[str, run.Measured]]:
    """Every stage of every tree on one landscape, the trees interleaved run by run."""
    datacenter = busiest_datacenter(root, args.timeout)
    envs = {name: tree_env(tree, scratch / f"cache-{name}-{root.name}") for name, tree in trees.items()}
    results = {name: {key: run.Measured() for key, _ in STAGES} for name in trees}

    def once(name: str, key: str, command: list[str], parse) -> None:
        code, wall, usage, stdout, stderr, tree_kb = run.run_child(command, args.timeout, envs[name], trees[name])
        measured = results[name][key]
        result = parse(stdout, wall, usage) if code == 0 else {"na": f"exit {code}: {run._last_line(stderr)}"}
        if "na" in result:
            measured.na = result["na"]
            return
        for field, values in (("seconds", measured.seconds), ("cpu", measured.cpu)):
            for stage, value in result.get(field, {}).items():
                values.setdefault(stage, []).append(value)
        measured.rss_kb.append(usage.ru_maxrss)
        measured.tree_rss_kb.append(tree_kb)

    depgraph = [sys.executable, "-m", "depgraph"]
    analyze = depgraph + ["analyze", "-d", str(root), "--format", "json"]
    blast = depgraph + ["blast-radius", datacenter, "-d", str(root), "--format", "json"]
    for name in trees:
        once(name, "cli-blast-cold", blast, run.parse_cli("depgraph/blast-radius/v1", "cli-blast-cold"))
    for _ in range(args.repeat):
        for name in trees:  # the yardstick beside each tree's runs; it imports no depgraph
            once(name, "csafe", run.stage_command("csafe", root), run.parse_stage)
            once(name, "cli-analyze", analyze, run.parse_cli("depgraph/analysis/v1", "cli-analyze"))
            once(name, "cli-blast", blast, run.parse_cli("depgraph/blast-radius/v1", "cli-blast"))
    return results


def table(columns, results) -> str:
    header = "| | " + " | ".join(f"{profile} {size:,}: {name}" for profile, size, name in columns) + " |"
    lines = [header, "|---|" + "---|" * len(columns)]
    for cpu in (False, True):
        lines.append(f"| **{'CPU seconds (user + system)' if cpu else 'seconds'}, median** |" + " |" * len(columns))
        for key, label in STAGES:
            cells = []
            for profile, size, name in columns:
                measured = results[(profile, size)][name][key]
                value = measured.median(key, cpu=cpu)
                cells.append(measured.na or ("n/a" if value is None else f"{value:.3g} (n={measured.runs(key)})"))
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("| **targets** |" + " |" * len(columns))
    for label, check in (
        ("`analyze --format json` / CSafeLoader, wall (≤ 1.0×)", lambda r: _ratio(r, False)),
        ("the same, CPU seconds (≤ 1.0×)", lambda r: _ratio(r, True)),
        ("blast-radius from the cache (< 1 s)", lambda r: _blast(r)),
    ):
        lines.append(f"| {label} | " + " | ".join(check(results[(p, s)][n]) for p, s, n in columns) + " |")
    return "\n".join(lines)


def _ratio(measured: dict[str, run.Measured], cpu: bool) -> str:
    top = measured["cli-analyze"].median("cli-analyze", cpu=cpu)
    bottom = measured["csafe"].median("csafe", cpu=cpu)
    if not top or not bottom:
        return "n/a"
    return f"{top / bottom:.2f}× {'✓' if top / bottom <= 1.0 else '✗'}"


def _blast(measured: dict[str, run.Measured]) -> str:
    value = measured["cli-blast"].median("cli-blast")
    return "n/a" if value is None else f"{value:.2f} s {'✓' if value < 1.0 else '✗'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=DIR",
                        help="a checkout of depgraph to time (give two or more)")
    parser.add_argument("--sizes", default="20000", help="comma-separated numbers of services")
    parser.add_argument("--profiles", default=",".join(generate.PROFILES))
    parser.add_argument("--repeat", type=int, default=3, help="runs per stage and tree; the table shows medians")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, help="keep and reuse generated landscapes here (outside the repo)")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--out", type=Path, help="also write the table to this Markdown file")
    args = parser.parse_args(argv)
    trees = {}
    for spec in args.tree:
        name, _, folder = spec.partition("=")
        if not folder or not (Path(folder) / "depgraph" / "__init__.py").is_file():
            parser.error(f"--tree {spec!r}: give NAME=DIR, DIR a checkout of depgraph")
        trees[name] = Path(folder).resolve()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    load_before = run._load_average()
    results = {}
    with tempfile.TemporaryDirectory(prefix="depgraph-compare-") as scratch:
        for profile in profiles:
            for size in sizes:
                root, _ = run.landscape(profile, size, args.seed, args.cache, Path(scratch))
                print(f"comparing on {profile} {size:,} services in {root} …", file=sys.stderr, flush=True)
                results[(profile, size)] = compare(root, trees, args, Path(scratch))
    columns = [(p, s, name) for p in profiles for s in sizes for name in trees]
    report = "\n".join([
        f"Machine: {run.machine()}. Load average (1 min) {load_before} before the run, "
        f"{run._load_average()} after. Seed {args.seed}; trees: "
        + ", ".join(f"{name}" for name in trees) + f"; up to {args.repeat} runs of each, interleaved.",
        "",
        table(columns, results),
        "",
    ])
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
