"""``depgraph capacity`` and ``depgraph availability`` against one ``depgraph analyze``, end to end.

    python benchmarks/capacity_availability.py --size 20000 [--repeat 3] [--cache DIR]
        [--shapes classic,heavy-tailed]

Generates a landscape of each shape with ``benchmarks/generate.py --profile`` (or reuses one
under ``--cache``), in two variants: ``plain``, the generator's tree as it is, and
``objectives``, the same tree with
``capacity: {min_instances: …}`` on every deployed service and an ``slo`` on every tier-1 one
(so that ``analyze`` computes the availability findings too, and ``capacity`` has a plan to
make). Each command runs in a fresh process, its JSON written to a file; the table gives the
median wall and CPU seconds and the ratios the targets are about:
``availability --trials 10000`` ≤ 2× ``analyze --format json``, ``capacity`` ≤ 1.2×.
"""

from __future__ import annotations

import argparse
import os
import re
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

import generate  # noqa: E402  (a sibling script, not a package)

CHILD_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
COMMANDS = {
    "analyze": ["analyze", "--format", "json"],
    "capacity": ["capacity", "--format", "json"],
    "availability": ["availability", "--format", "json", "--trials", "10000"],
}
TARGETS = {"capacity": 1.2, "availability": 2.0}


def landscape(size: int, shape: str, profile: str, cache: Path | None) -> Path:
    """The generated tree of ``size`` services of ``shape`` in ``profile`` (made once under ``cache``)."""
    name = f"{size}-seed1" if shape == "classic" else f"{shape}-{size}-seed1"
    base = (cache or Path(tempfile.mkdtemp(prefix="depgraph-bench-"))) / name
    if not (base / "landscape.json").exists():
        generate.generate(size, base, seed=1, profile=shape)
    if profile == "plain":
        return base
    tree = base.parent / f"{name}-objectives"
    if not (tree / "landscape.json").exists():
        add_objectives(base, tree)
    return tree


def add_objectives(source: Path, target: Path) -> None:
    """Copy the tree, giving every deployed service a min_instances (about two thirds of its
    instances, so some data-center losses overload it) and every tier-1 service an slo."""
    for path in source.rglob("*"):
        out = target / path.relative_to(source)
        if path.is_dir():
            out.mkdir(parents=True, exist_ok=True)
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8")
        if path.parts[len(source.parts)] == "services":
            text = _with_objectives(text)
        out.write_text(text, encoding="utf-8")


def _with_objectives(text: str) -> str:
    hosts = sum(len(m.group(1).split(",")) for m in re.finditer(r"hosts: \[([^\]]*)\]", text))
    hosts += len(re.findall(r"^      - ", text, re.M))
    instances = hosts + sum(int(n) for n in re.findall(r"instances: (\d+)", text))
    extra = []
    if instances:
        extra.append(f"capacity: {{min_instances: {max(1, instances * 2 // 3)}}}")
    if "\ntier: 1\n" in text:
        extra.append("slo: 99.9")
    return text + "".join(line + "\n" for line in extra)


def run(command: list[str], tree: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``depgraph COMMAND -d TREE`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        done = subprocess.run([sys.executable, "-m", "depgraph", *command, "-d", str(tree)], stdout=out,
                              stderr=subprocess.PIPE, env=CHILD_ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"depgraph {' '.join(command)} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profiles", default="plain,objectives")
    parser.add_argument("--shapes", default="classic,heavy-tailed", help="generator profiles")
    parser.add_argument("--cache", type=Path, help="keep generated trees here between runs")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    print(f"{args.size:,} services, seed 1, median of {args.repeat} run(s); load average {load:.1f} before\n")
    print("| shape | profile | command | wall s | CPU s | wall ratio | CPU ratio | target |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for shape, profile in [(s, p) for s in args.shapes.split(",") for p in args.profiles.split(",")]:
        tree = landscape(args.size, shape, profile, args.cache)
        times = {}
        for _ in range(args.repeat):  # interleaved, so a busy moment hits every command alike
            for name, command in COMMANDS.items():
                times.setdefault(name, []).append(run(command, tree))
        wall = {name: statistics.median(t[0] for t in runs) for name, runs in times.items()}
        cpu = {name: statistics.median(t[1] for t in runs) for name, runs in times.items()}
        for name in COMMANDS:
            ratio = "" if name == "analyze" else f"{wall[name] / wall['analyze']:.2f}×"
            cpu_ratio = "" if name == "analyze" else f"{cpu[name] / cpu['analyze']:.2f}×"
            target = f"≤ {TARGETS[name]}×" if name in TARGETS else ""
            print(f"| {shape} | {profile} | {name} | {wall[name]:.2f} | {cpu[name]:.2f} | {ratio} | {cpu_ratio} | {target} |")
    print(f"\nload average {os.getloadavg()[0]:.1f} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
