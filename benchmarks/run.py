"""How fast is depgraph on big landscapes? Times every stage against bare YAML parsing.

    python benchmarks/run.py --sizes 1000,5000,20000 --repeat 3 --out benchmarks/results.md

For each size it generates a synthetic landscape (``benchmarks/generate.py``) into a temporary
folder, or reuses one under ``--cache DIR``, then times each stage in fresh processes and prints
a Markdown table of medians, ratios and peak memory (``ru_maxrss`` of the child process). A
stage whose module is not there, or that fails, shows "n/a" and the reason in the notes; the run
itself never crashes on it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (a sibling script, not a package)

CHILD_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}


@dataclass
class Measured:
    """Every run of one stage at one size: timings by name, peak memory, or why it could not run."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)
    rss_kb: list[int] = field(default_factory=list)
    info: dict = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    na: str | None = None

    def median(self, key: str, cpu: bool = False) -> float | None:
        values = (self.cpu if cpu else self.seconds).get(key)
        return statistics.median(values) if values else None

    def runs(self, key: str) -> int:
        return len(self.seconds.get(key, ()))


# ---------------------------------------------------------------------------------------------
# Running children


def run_child(command: list[str], timeout: float):
    """Run ``command``; return (exit code or None on timeout, wall seconds, resource usage,
    stdout, stderr). Output goes through temporary files so big JSON never blocks a pipe."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=CHILD_ENV, cwd=REPO)
        code, usage = _wait(proc, timeout)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return code, wall, usage, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")


def _wait(proc: subprocess.Popen, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage
        if time.monotonic() > deadline:
            proc.kill()
            _, _, usage = os.wait4(proc.pid, 0)
            proc.returncode = -9
            return None, usage
        time.sleep(0.02)


def measure(command: list[str], parse, repeat: int, budget: float, timeout: float) -> Measured:
    """Run ``command`` up to ``repeat`` times (fewer when one more run would take the time spent
    past ``budget`` seconds, guessing it lasts as long as the last one); ``parse``
    turns (stdout, wall seconds, resource usage) into {"seconds": …, "cpu": …, "info": …} or
    {"na": reason}."""
    measured = Measured()
    spent = 0.0
    for _ in range(repeat):
        code, wall, usage, stdout, stderr = run_child(command, timeout)
        spent += wall
        if code is None:
            measured.na = f"timed out after {timeout:.0f} s"
            break
        if code != 0:
            measured.na = f"exit {code}: {_last_line(stderr) or _last_line(stdout)}"
            break
        result = parse(stdout, wall, usage)
        if "na" in result:
            measured.na = result["na"]
            break
        for key, value in result["seconds"].items():
            measured.seconds.setdefault(key, []).append(value)
        for key, value in result.get("cpu", {}).items():
            measured.cpu.setdefault(key, []).append(value)
        measured.info = result.get("info", {})
        measured.missing = result.get("missing", {})
        measured.rss_kb.append(usage.ru_maxrss)
        if spent + wall > budget:
            break
    return measured


def _last_line(text: str) -> str:
    """The last line that says something (rich's error boxes drawn around it are dropped)."""
    frame = "│╭╮╰╯─ "
    lines = [line.strip(frame) for line in text.splitlines()]
    lines = [line for line in lines if line and line != "Error"]
    return lines[-1][:300] if lines else ""


def stage_command(stage: str, root: Path, arg: str | None = None) -> list[str]:
    return [sys.executable, str(HERE / "stages.py"), stage, str(root)] + ([arg] if arg else [])


def parse_stage(stdout: str, _wall: float, _usage) -> dict:
    lines = stdout.strip().splitlines()
    line = lines[-1] if lines else ""
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return {"na": f"unreadable stage output: {line[:200]!r}"}


def parse_cli(schema: str | None, key: str):
    """A parser for a CLI run: the whole process counts; stdout must be JSON of ``schema``
    (unless ``schema`` is None)."""

    def parse(stdout: str, wall: float, usage) -> dict:
        timings = {"seconds": {key: wall}, "cpu": {key: usage.ru_utime + usage.ru_stime}}
        if schema is None:
            return {**timings, "info": {}}
        try:
            document = json.loads(stdout)
        except json.JSONDecodeError:
            return {"na": f"stdout is not JSON: {stdout[:120]!r}"}
        if document.get("schema") != schema:
            return {"na": f"schema is {document.get('schema')!r}, expected {schema!r}"}
        return {**timings, "info": {"bytes": len(stdout)}}

    return parse


# ---------------------------------------------------------------------------------------------
# One size


def landscape(size: int, seed: int, cache: Path | None, scratch: Path) -> tuple[Path, float | None]:
    """The descriptor tree for ``size`` services, and how long generating it took (None: cached)."""
    folder = (cache or scratch) / f"services-{size}-seed-{seed}-v{generate.GENERATOR_VERSION}"
    if (folder / "landscape.json").exists():
        return folder, None
    if folder.exists():  # an interrupted generation: start over
        import shutil

        shutil.rmtree(folder)
    start = time.perf_counter()
    generate.generate(size, folder, seed)
    return folder, time.perf_counter() - start


def bench_size(root: Path, args) -> dict[str, Measured]:
    """Every stage at one size, in order; each stage runs in fresh processes."""
    size = json.loads((root / "landscape.json").read_text())["services"]
    hub = json.loads((root / "landscape.json").read_text())["hub"]["service"]

    def run(command: list[str], parse=parse_stage) -> Measured:
        return measure(command, parse, args.repeat, args.budget, args.timeout)

    results = {
        "read": run(stage_command("read", root)),
        "csafe": run(stage_command("csafe", root)),
        "load": run(stage_command("load", root)),
        "analyze": run(stage_command("analyze", root, "naive" if size <= args.naive_max else None)),
    }
    depgraph = [sys.executable, "-m", "depgraph"]
    results["cli-start"] = run(depgraph + ["--help"], parse_cli(None, "cli-start"))
    results["cli-analyze"] = run(
        depgraph + ["analyze", "-d", str(root), "--format", "json"],
        parse_cli("depgraph/analysis/v1", "cli-analyze"),
    )
    blast = depgraph + ["blast-radius", hub, "-d", str(root), "--format", "json"]
    # The first run loads the tree and fills the model cache (a fresh folder per run of this
    # script, see main); every later one answers from it.
    results["cli-blast-cold"] = measure(blast, parse_cli("depgraph/blast-radius/v1", "cli-blast-cold"),
                                        1, args.budget, args.timeout)
    results["cli-blast"] = run(blast, parse_cli("depgraph/blast-radius/v1", "cli-blast"))
    return results


# ---------------------------------------------------------------------------------------------
# The table

TIME_ROWS = (  # label, stage, key
    ("A: read all files", "read", "read"),
    ("B: `yaml.load_all`, CSafeLoader", "csafe", "csafe"),
    ("depgraph load + validate", "load", "load"),
    ("depgraph compile graph", "load", "compile"),
    ("depgraph load + validate + compile", "load", "load+compile"),
    ("analyze (whole analysis, in process, after load)", "analyze", "analyze"),
    ("SPOFs: depgraph, complete analysis", "analyze", "spof-fast"),  # timed in the analyze child
    ("SPOFs: one incremental `simulate` per component", "analyze", "spof-naive"),
    ("SPOFs: one full SPEC §2 simulation per component (sampled, extrapolated)", "analyze", "spof-full"),
    ("`depgraph --help` (CLI start-up)", "cli-start", "cli-start"),
    ("`depgraph analyze --format json` (end to end)", "cli-analyze", "cli-analyze"),
    ("`depgraph blast-radius HUB --format json`, first run (fills the cache)", "cli-blast-cold", "cli-blast-cold"),
    ("`depgraph blast-radius HUB --format json`, from the cache", "cli-blast", "cli-blast"),
)
CPU_ROWS = (  # rows of TIME_ROWS shown again in CPU seconds (robust to a busy machine)
    "csafe", "load+compile", "analyze", "spof-fast", "spof-naive", "spof-full", "cli-analyze",
)
RATIO_ROWS = (  # label, (stage, key) numerator, (stage, key) denominator
    ("depgraph load+validate+compile / CSafeLoader", ("load", "load+compile"), ("csafe", "csafe")),
    ("analyze / CSafeLoader", ("analyze", "analyze"), ("csafe", "csafe")),
    ("`depgraph analyze` end to end / CSafeLoader", ("cli-analyze", "cli-analyze"), ("csafe", "csafe")),
    ("incremental `simulate` per component / depgraph SPOFs", ("analyze", "spof-naive"), ("analyze", "spof-fast")),
    ("full simulation per component / depgraph SPOFs", ("analyze", "spof-full"), ("analyze", "spof-fast")),
)
CPU_RATIO_ROWS = RATIO_ROWS[:1] + RATIO_ROWS[-2:]
MEMORY_ROWS = (
    ("peak RSS, bare CSafeLoader (MB)", "csafe"),
    ("peak RSS, load + compile (MB)", "load"),
    ("peak RSS, load + compile + analyze (MB)", "analyze_rss_kb"),
    ("peak RSS, `depgraph analyze` CLI (MB)", "cli-analyze"),
)


def table(sizes: list[int], shapes: dict[int, dict], results: dict[int, dict[str, Measured]], repeat: int) -> str:
    header = "| | " + " | ".join(f"{n:,} services" for n in sizes) + " |"
    lines = [header, "|---" * (len(sizes) + 1) + "|"]
    lines += _shape_rows(sizes, shapes)
    lines.append("| **seconds (median)** |" + " |" * len(sizes))
    for label, stage, key in TIME_ROWS:
        lines.append(_row(label, [_seconds(results[n][stage], key, repeat) for n in sizes]))
    lines.append("| **CPU seconds (median, user + system)** |" + " |" * len(sizes))
    for label, stage, key in (row for row in TIME_ROWS if row[2] in CPU_ROWS):
        lines.append(_row(label, [_seconds(results[n][stage], key, repeat, cpu=True) for n in sizes]))
    lines.append("| **ratios (wall)** |" + " |" * len(sizes))
    for label, top, bottom in RATIO_ROWS:
        lines.append(_row(label, [_ratio(results[n], top, bottom) for n in sizes]))
    lines.append("| **ratios (CPU)** |" + " |" * len(sizes))
    for label, top, bottom in CPU_RATIO_ROWS:
        lines.append(_row(label, [_ratio(results[n], top, bottom, cpu=True) for n in sizes]))
    lines.append("| **memory** |" + " |" * len(sizes))
    for label, stage in MEMORY_ROWS:
        lines.append(_row(label, [_memory(results[n], stage) for n in sizes]))
    return "\n".join(lines)


def _shape_rows(sizes, shapes) -> list[str]:
    rows = [
        ("files", lambda s: f"{s['files']:,}"),
        ("MB of YAML", lambda s: f"{s['bytes'] / 1e6:.1f}"),
        ("hosts / dependencies", lambda s: f"{s['hosts']:,} / {s['dependencies']:,}"),
        ("generate (s)", lambda s: "cached" if s.get("generate_seconds") is None else f"{s['generate_seconds']:.1f}"),
    ]
    return [_row(label, [cell(shapes[n]) for n in sizes]) for label, cell in rows]


def _row(label: str, cells: list[str]) -> str:
    return f"| {label} | " + " | ".join(cells) + " |"


def _seconds(measured: Measured, key: str, repeat: int, cpu: bool = False) -> str:
    value = measured.median(key, cpu)
    if value is None:
        return "n/a"
    runs = measured.runs(key)
    return _number(value) + (f" (n={runs})" if runs < repeat else "")


def _number(value: float) -> str:
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 100 else f"{value:.0f}"


def _ratio(results: dict[str, Measured], top, bottom, cpu: bool = False) -> str:
    numerator = results[top[0]].median(top[1], cpu)
    denominator = results[bottom[0]].median(bottom[1], cpu)
    if numerator is None or not denominator:
        return "n/a"
    ratio = numerator / denominator
    return f"{ratio:,.0f}×" if ratio >= 100 else f"{ratio:.2f}×"


def _memory(results: dict[str, Measured], stage: str) -> str:
    """Peak RSS of a stage's process, or a peak the child sampled itself (``info[stage]``)."""
    if stage.endswith("_rss_kb"):
        kb = results["analyze"].info.get(stage)
        return f"{kb / 1024:.0f}" if kb else "n/a"
    measured = results[stage]
    return f"{max(measured.rss_kb) / 1024:.0f}" if measured.rss_kb else "n/a"


def notes(sizes: list[int], results: dict[int, dict[str, Measured]], naive_max: int) -> list[str]:
    out = []
    for n in sizes:
        for stage, measured in results[n].items():
            if measured.na:
                out.append(f"- {n:,} services, {stage}: n/a — {measured.na}")
            for part, reason in sorted(measured.missing.items()):
                out.append(f"- {n:,} services, {part}: n/a — {reason}")
        spof = results[n]["analyze"]
        if "identical" in spof.info:
            verdict = "identical" if spof.info["identical"] else "DIFFERENT"
            out.append(f"- {n:,} services: depgraph's SPOFs and one incremental simulate per component "
                       f"are {verdict} ({spof.info.get('spofs')} SPOFs)")
        if "full_identical" in spof.info:
            verdict = "identical to" if spof.info["full_identical"] else "DIFFERENT from"
            out.append(f"- {n:,} services: full simulations of {spof.info['full_sampled']:,} random components "
                       f"(of {spof.info['full_components']:,}) are {verdict} depgraph's answers; the row "
                       "above scales their time to every component")
        elif not spof.na and n > naive_max:
            out.append(f"- {n:,} services: naive SPOF not run (above --naive-max {naive_max:,})")
        load = results[n]["load"]
        if load.info:
            out.append(f"- {n:,} services: graph of {load.info['nodes']:,} nodes, {load.info['edges']:,} edges; "
                       f"{load.info['warnings']:,} loader warnings")
    return out


def _load_average() -> str:
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "unknown"


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor() or model
    import yaml

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{model}; {os.cpu_count()} cores ({usable} usable); Python {platform.python_version()} "
            f"on {platform.system()} {platform.release()}; PyYAML {yaml.__version__} "
            f"(libyaml {'yes' if yaml.__with_libyaml__ else 'no'})")


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000", help="comma-separated numbers of services")
    parser.add_argument("--repeat", type=int, default=3, help="runs per stage; the table shows medians")
    parser.add_argument("--out", type=Path, help="also write the table to this Markdown file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, help="keep and reuse generated landscapes here (outside the repo)")
    parser.add_argument("--naive-max", type=int, default=20000, help="largest size to run the naive SPOF at")
    parser.add_argument("--budget", type=float, default=45.0,
                        help="stop repeating a stage when another run would pass this many seconds")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up on one run after this many seconds")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.cache and args.cache.resolve().is_relative_to(REPO):
        parser.error("--cache must be outside the repository")

    shapes, results = {}, {}
    load_before = _load_average()
    with tempfile.TemporaryDirectory(prefix="depgraph-bench-") as scratch:
        CHILD_ENV["DEPGRAPH_CACHE_DIR"] = str(Path(scratch) / "model-cache")  # cold, and not the user's
        for n in sizes:
            root, generated = landscape(n, args.seed, args.cache, Path(scratch))
            shapes[n] = {**json.loads((root / "landscape.json").read_text()), "generate_seconds": generated}
            print(f"benchmarking {n:,} services in {root} …", file=sys.stderr, flush=True)
            results[n] = bench_size(root, args)
    report = "\n".join([
        "# depgraph benchmarks",
        "",
        f"Machine: {machine()}. Load average (1 min) {load_before} before the run, "
        f"{_load_average()} after: other work on the machine inflates wall-clock times, "
        "CPU seconds less so.",
        f"Seed {args.seed}; medians of up to {args.repeat} runs, each in a fresh process "
        f"(fewer, shown as n=…, when another run would take a stage past {args.budget:.0f} s).",
        "",
        table(sizes, shapes, results, args.repeat),
        "",
        *notes(sizes, results, args.naive_max),
        "",
    ])
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
