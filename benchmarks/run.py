"""How fast is depgraph on big landscapes? Times every stage against bare YAML parsing.

    python benchmarks/run.py --sizes 1000,5000,20000 --repeat 3 --out benchmarks/results.md

For each profile (``--profiles``, default both: ``classic`` and ``heavy-tailed``, see
``benchmarks/generate.py``) and each size it generates a synthetic landscape into a temporary
folder, or reuses one under ``--cache DIR``, then times each stage in fresh processes and prints
one Markdown table (a column per profile and size) of medians, ratios and peak memory, then
the targets of the issue "answers that grow with the landscape, not its square" as measured
values against their limits. ``--readme`` also prints the README's Performance table. A stage
whose module is not there, or that fails, shows "n/a" and the reason in the notes; the run
itself never crashes on it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
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

import generate  # noqa: E402  (sibling scripts, not a package)
import tables  # noqa: E402

CHILD_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
# Start-up is measured as users have it: with the bytecode an install (or a first run) leaves.
CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)


@dataclass
class Measured:
    """Every run of one stage at one size: timings by name, peak memory, or why it could not run."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)
    rss_kb: list[int] = field(default_factory=list)
    tree_rss_kb: list[int] = field(default_factory=list)
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


SMALL_OUTPUT = 1 << 20  # bigger outputs are looked at in a child, so this process stays small


@dataclass
class Output:
    """What a child wrote on stdout: its size, and the text when it is small (a big JSON
    document read here would leave this process hundreds of MB bigger, and every child it
    starts later begins as a copy of it, which ``ru_maxrss`` counts)."""

    size: int
    text: str | None
    schema: str | None = None  # the "schema" of a big JSON document ("" when it is no JSON)


def run_child(command: list[str], timeout: float, env: dict | None = None, cwd: Path = REPO):
    """Run ``command`` (in ``cwd``, with ``env``: by default this checkout's); return (exit code
    or None on timeout, wall seconds, resource usage, stdout as an :class:`Output`, stderr, peak
    RSS in kB of the process and its children together, sampled). Output goes through temporary
    files so big JSON never blocks a pipe."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                env=CHILD_ENV if env is None else env, cwd=cwd)
        code, usage, tree_kb = _wait(proc, timeout)
        wall = time.perf_counter() - start
        size = out.seek(0, os.SEEK_END)
        out.seek(0)
        if size <= SMALL_OUTPUT:
            stdout = Output(size, out.read().decode("utf-8", "replace"))
        else:
            stdout = Output(size, None, _schema_of(out))
        err.seek(0)
        return code, wall, usage, stdout, err.read().decode("utf-8", "replace"), tree_kb


def _schema_of(file) -> str:
    """The top-level "schema" of the JSON document in ``file``, read by a child process ("" when
    it is not a JSON object)."""
    script = ("import json, sys\ntry:\n    d = json.load(sys.stdin)\nexcept ValueError:\n    d = None\n"
              "print(d.get('schema') if isinstance(d, dict) else '')")
    result = subprocess.run([sys.executable, "-c", script], stdin=file, capture_output=True, text=True)
    return result.stdout.strip()


def _wait(proc: subprocess.Popen, timeout: float):
    """Wait for ``proc``, sampling the resident memory of it and any children every 20 ms:
    ``ru_maxrss`` only knows the largest single process."""
    deadline = time.monotonic() + timeout
    peak = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage, max(peak, usage.ru_maxrss)
        if time.monotonic() > deadline:
            proc.kill()
            _, _, usage = os.wait4(proc.pid, 0)
            proc.returncode = -9
            return None, usage, peak
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.02)


def _tree_rss_kb(pid: int) -> int:
    """Resident kB of ``pid`` and its direct children (0 where /proc is not there)."""
    total = 0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for each in (pid, *map(int, children)):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
        except (OSError, ValueError):
            pass
    return total


def measure(command: list[str], parse, repeat: int, budget: float, timeout: float) -> Measured:
    """Run ``command`` up to ``repeat`` times (fewer when one more run would take the time spent
    past ``budget`` seconds, guessing it lasts as long as the last one); ``parse``
    turns (stdout, wall seconds, resource usage) into {"seconds": …, "cpu": …, "info": …} or
    {"na": reason}."""
    measured = Measured()
    spent = 0.0
    for _ in range(repeat):
        code, wall, usage, stdout, stderr, tree_kb = run_child(command, timeout)
        spent += wall
        if code is None:
            measured.na = f"timed out after {timeout:.0f} s"
            break
        if code != 0:
            measured.na = f"exit {code}: {_last_line(stderr) or _last_line(stdout.text or '')}"
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
        measured.tree_rss_kb.append(tree_kb)
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


def parse_stage(stdout: Output, _wall: float, _usage) -> dict:
    lines = (stdout.text or "").strip().splitlines()
    line = lines[-1] if lines else ""
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return {"na": f"unreadable stage output: {line[:200]!r}"}


def parse_cli(schema: str | None, key: str):
    """A parser for a CLI run: the whole process counts; stdout must be JSON of ``schema``
    (unless ``schema`` is None)."""

    def parse(stdout: Output, wall: float, usage) -> dict:
        timings = {"seconds": {key: wall}, "cpu": {key: usage.ru_utime + usage.ru_stime}}
        if schema is None:
            return {**timings, "info": {}}
        found = stdout.schema
        if stdout.text is not None:
            try:
                document = json.loads(stdout.text)
            except json.JSONDecodeError:
                return {"na": f"stdout is not JSON: {stdout.text[:120]!r}"}
            found = document.get("schema") if isinstance(document, dict) else None
        if found != schema:
            return {"na": f"schema is {found!r}, expected {schema!r}"}
        return {**timings, "info": {"bytes": stdout.size}}

    return parse


# ---------------------------------------------------------------------------------------------
# One landscape


def landscape(profile: str, size: int, seed: int, cache: Path | None, scratch: Path) -> tuple[Path, float | None]:
    """The descriptor tree of ``profile`` for ``size`` services, and how long generating it
    took (None: cached)."""
    prefix = "services" if profile == "classic" else profile  # classic: the folders of earlier runs
    folder = (cache or scratch) / f"{prefix}-{size}-seed-{seed}-v{generate.GENERATOR_VERSION}"
    if (folder / "landscape.json").exists():
        return folder, None
    if folder.exists():  # an interrupted generation: start over
        shutil.rmtree(folder)
    # In a child process: this one stays small, so the children it starts (whose peak memory
    # the table shows) do not begin as a copy of a big process (ru_maxrss counts that copy).
    start = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(size), str(folder), "--seed", str(seed),
                    "--profile", profile], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return folder, time.perf_counter() - start


def bench_landscape(root: Path, args, scratch: Path) -> dict[str, Measured]:
    """Every stage on one landscape, in order; each stage runs in fresh processes."""
    manifest = json.loads((root / "landscape.json").read_text())
    size, hub = manifest["services"], manifest["hub"]["service"]

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
    # The data center holding the most instances (the load stage counts them), else the first.
    datacenter = results["load"].info.get("hub_datacenter") or "datacenter:lon1"
    blast = depgraph + ["blast-radius", datacenter, "-d", str(root), "--format", "json"]
    # The first run loads the tree and fills the model cache (a fresh folder per run of this
    # script, see main); every later one answers from it.
    results["cli-blast-cold"] = measure(blast, parse_cli("depgraph/blast-radius/v1", "cli-blast-cold"),
                                        1, args.budget, args.timeout)
    results["cli-blast"] = run(blast, parse_cli("depgraph/blast-radius/v1", "cli-blast"))
    hub_blast = depgraph + ["blast-radius", f"service:{hub}", "-d", str(root), "--format", "json"]
    results["cli-blast-hub"] = run(hub_blast, parse_cli("depgraph/blast-radius/v1", "cli-blast-hub"))
    # The cold start's recovery time, from the same model cache.
    recovery = depgraph + ["recovery", "-d", str(root), "--format", "json"]
    results["cli-recovery"] = run(recovery, parse_cli("depgraph/recovery/v1", "cli-recovery"))
    folder = scratch / "report"
    results["cli-report"] = run(depgraph + ["report", "-d", str(root), "-o", str(folder)], parse_report(folder))
    return results


def parse_report(folder: Path):
    """A parser for ``depgraph report``: the whole process counts, and the size of the page and
    of the folder (removed afterwards, so every run writes a fresh one)."""

    def parse(_stdout: Output, wall: float, usage) -> dict:
        page = folder / "index.html"
        if not page.is_file():
            return {"na": f"no {page.name} written"}
        total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        info = {"index_bytes": page.stat().st_size, "folder_bytes": total}
        shutil.rmtree(folder)
        return {"seconds": {"cli-report": wall}, "cpu": {"cli-report": usage.ru_utime + usage.ru_stime}, "info": info}

    return parse


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
    parser.add_argument("--profiles", default=",".join(generate.PROFILES),
                        help=f"comma-separated landscape profiles (of: {', '.join(generate.PROFILES)})")
    parser.add_argument("--repeat", type=int, default=3, help="runs per stage; the table shows medians")
    parser.add_argument("--out", type=Path, help="also write the table to this Markdown file")
    parser.add_argument("--readme", action="store_true", help="also print the README's Performance table")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, help="keep and reuse generated landscapes here (outside the repo)")
    parser.add_argument("--naive-max", type=int, default=20000, help="largest size to run the naive SPOF at")
    parser.add_argument("--budget", type=float, default=45.0,
                        help="stop repeating a stage when another run would pass this many seconds")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up on one run after this many seconds")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    unknown = [p for p in profiles if p not in generate.PROFILES]
    if unknown:
        parser.error(f"unknown profile {unknown[0]!r} (one of: {', '.join(generate.PROFILES)})")
    if args.cache and args.cache.resolve().is_relative_to(REPO):
        parser.error("--cache must be outside the repository")

    columns = [(profile, n) for profile in profiles for n in sizes]
    shapes, results = {}, {}
    load_before = _load_average()
    # The bytecode a regular install writes (an editable one writes it on first use).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "depgraph")], env=CHILD_ENV,
                   stdout=subprocess.DEVNULL, check=False)
    with tempfile.TemporaryDirectory(prefix="depgraph-bench-") as scratch:
        CHILD_ENV["DEPGRAPH_CACHE_DIR"] = str(Path(scratch) / "model-cache")  # cold, and not the user's
        for column in columns:
            profile, n = column
            root, generated = landscape(profile, n, args.seed, args.cache, Path(scratch))
            shapes[column] = {**json.loads((root / "landscape.json").read_text()), "generate_seconds": generated}
            print(f"benchmarking {profile} {n:,} services in {root} …", file=sys.stderr, flush=True)
            results[column] = bench_landscape(root, args, Path(scratch))
    report = "\n".join([
        "# depgraph benchmarks",
        "",
        f"Machine: {machine()}. Load average (1 min) {load_before} before the run, "
        f"{_load_average()} after: other work on the machine inflates wall-clock times, "
        "CPU seconds less so.",
        f"Seed {args.seed}; medians of up to {args.repeat} runs, each in a fresh process "
        f"(fewer, shown as n=…, when another run would take a stage past {args.budget:.0f} s).",
        *tables.profile_legend(profiles),
        "",
        tables.table(columns, shapes, results, args.repeat),
        "",
        *tables.notes(columns, results, args.naive_max),
        "",
        "## Targets",
        "",
        tables.targets(profiles, sizes, results),
        "",
    ])
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    if args.readme:
        print(tables.readme_table(columns, shapes, results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
