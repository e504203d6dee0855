"""The warm server against the command line: ``depgraph mcp`` over stdio, asked by the MCP SDK's client.

    python benchmarks/serve.py --size 20000 [--profiles classic,heavy-tailed] [--cache DIR]
        [--repeat 7]

For each generated landscape (``benchmarks/generate.py --profile``, reused from ``--cache``):

- the command line's answers: ``blast-radius DC --format json`` from its cache (median of
  ``--repeat`` fresh processes, after one run that fills the cache; DC the data center holding
  the most instances) and one cold ``analyze --format json``;
- the warm server: ``depgraph mcp -d DIR`` started once; the client lists the tools and asks
  ``describe`` once (as an assistant starts: its first tool call imports the client's schema
  validator), then ``blast_radius`` of the same data center (default limit): the first ask,
  then ``--repeat`` more (the server works each out again: it keeps no blast radius), the
  first ask of every other failure set of one or two data centers, and ``describe`` of the
  most depended-on service (medians of the round trips, client side);
- a reload: one service file changed (a comment appended), timed from the write until an answer
  comes from the new load (the watcher's debounce included), and the server's own reload time;
- the server's memory once warm (VmRSS) and at its peak (VmHWM), from /proc.

It prints one Markdown table with the targets: warm blast radius ≤ 0.2× the CLI's from its
cache (the first ask of any failure set, and asked again), describe ≤ 0.02× that, reload ≤ 1.0×
a cold analyze, warm memory ≤ 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (a sibling script, found once its folder is on sys.path)

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}


def timed(command: list[str], env: dict) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()[-2000:]}")
    return time.perf_counter() - start


def busiest(root: Path) -> tuple[str, str]:
    """The data center holding the most instances, and the most depended-on service."""
    done = subprocess.run(run.stage_command("load", root), capture_output=True, text=True, env=ENV, check=True)
    info = json.loads(done.stdout.strip().splitlines()[-1])["info"]
    manifest = json.loads((root / "landscape.json").read_text())
    return info.get("hub_datacenter") or "datacenter:lon1", f"service:{manifest['hub']['service']}"


def datacenters(root: Path) -> list[str]:
    """The data centers ``datacenters.yaml`` declares (as the generator writes them)."""
    import yaml

    declared = yaml.safe_load((root / "datacenters.yaml").read_text(encoding="utf-8"))
    return [f"datacenter:{entry['name']}" for entry in declared if entry.get("kind") == "datacenter"]


def memory(pid: int) -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def server_pid(root: Path) -> int:
    """The ``depgraph mcp`` process this script's client started (a child of this process)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and b"mcp" in command and str(root).encode() in command:
            return int(entry.name)
    raise SystemExit("the depgraph mcp process was not found")


def warm(root: Path, datacenter: str, hub: str, repeat: int, log: Path) -> dict:
    others = [dc for dc in datacenters(root) if dc != datacenter]
    # every failure set of one or two data centers not asked before (the busiest is asked first)
    fresh = [[dc] for dc in others] + [[datacenter, dc] for dc in others]
    import anyio
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "depgraph", "mcp", "-d", str(root)],
                                   env={"PYTHONPATH": ENV["PYTHONPATH"]})
    touched = next((root / "services").rglob("*.yaml"))
    original = touched.read_bytes()

    async def ask(session, tool: str, arguments: dict) -> tuple[float, dict]:
        start = time.perf_counter()
        result = await session.call_tool(tool, arguments)
        took = time.perf_counter() - start
        if result.is_error:
            raise SystemExit(f"{tool} failed: {result.content[0].text}")
        return took, result

    async def main() -> dict:
        found: dict = {}
        started = time.perf_counter()
        with log.open("w") as errors:
            async with stdio_client(params, errlog=errors) as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                found["start"] = time.perf_counter() - started
                await session.list_tools()
                await ask(session, "describe", {"component": hub})
                found["blast_first"] = (await ask(session, "blast_radius", {"components": [datacenter]}))[0]
                found["blast"] = statistics.median([(await ask(session, "blast_radius", {"components": [datacenter]}))[0]
                                                    for _ in range(repeat)])
                firsts = [(await ask(session, "blast_radius", {"components": failed}))[0] for failed in fresh]
                found["fresh"] = (len(firsts), statistics.median(firsts), max(firsts))
                found["blast_all"] = statistics.median([(await ask(session, "blast_radius", {"components": [datacenter],
                                                                                              "limit": 0}))[0]
                                                        for _ in range(3)])
                await ask(session, "describe", {"component": hub})
                found["describe"] = statistics.median([(await ask(session, "describe", {"component": hub}))[0]
                                                       for _ in range(repeat * 3)])
                pid = server_pid(root)
                found["rss"], found["hwm_warm"] = memory(pid)
                generation = (await ask(session, "describe", {"component": hub}))[1].meta["depgraph/landscape"]["generation"]
                try:
                    written = time.perf_counter()
                    touched.write_bytes(original + b"\n# touched by benchmarks/serve.py\n")
                    while True:
                        await anyio.sleep(0.05)
                        meta = (await ask(session, "describe", {"component": hub}))[1].meta["depgraph/landscape"]
                        if meta["generation"] > generation or meta["stale"]:
                            break
                    found["reload"] = time.perf_counter() - written
                finally:
                    touched.write_bytes(original)
                found["rss_after_reload"], found["hwm"] = memory(pid)
        text = log.read_text()
        reloads = [line for line in text.splitlines() if "reloaded" in line]
        found["server_reload"] = float(reloads[0].rsplit(", ", 1)[1].split()[0]) if reloads else None
        return found

    return anyio.run(main)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--profiles", default="classic,heavy-tailed")
    parser.add_argument("--cache", type=Path, help="where generated landscapes are kept between runs")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="depgraph-serve-bench-") as scratch:
        env = {**ENV, "DEPGRAPH_CACHE_DIR": str(Path(scratch) / "cache")}
        for profile in args.profiles.split(","):
            root, _ = run.landscape(profile, args.size, args.seed, args.cache, Path(scratch))
            datacenter, hub = busiest(root)
            print(f"{profile} {args.size:,}: {datacenter}, hub {hub}", file=sys.stderr, flush=True)
            depgraph = [sys.executable, "-m", "depgraph"]
            blast = depgraph + ["blast-radius", datacenter, "-d", str(root), "--format", "json"]
            timed(blast, env)  # fills the cache
            cli_blast = statistics.median(timed(blast, env) for _ in range(args.repeat))
            analyze = timed(depgraph + ["analyze", "-d", str(root), "--format", "json"], env)
            served = warm(root, datacenter, hub, args.repeat, Path(scratch) / f"{profile}.log")
            rows.append((profile, cli_blast, analyze, served))
    print(f"Sizes: {args.size:,} services; medians of {args.repeat} (describe: {args.repeat * 3}); "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} after the run.\n")
    print("| | " + " | ".join(f"{profile} {args.size:,}" for profile, *_ in rows) + " | target |")
    print("|---|" + "---|" * len(rows) + "---|")

    def line(name: str, cells: list[str], target: str = "") -> None:
        print(f"| {name} | " + " | ".join(cells) + f" | {target} |")

    line("CLI `blast-radius DC --format json` from its cache (s)", [f"{r[1]:.3f}" for r in rows])
    line("CLI `analyze --format json`, cold (s)", [f"{r[2]:.2f}" for r in rows])
    line("`depgraph mcp` start until initialized (s)", [f"{r[3]['start']:.2f}" for r in rows])
    line("MCP `blast_radius` DC, first ask after the load, default limit (s)", [f"{r[3]['blast_first']:.3f}" for r in rows])
    line("… / CLI from its cache", [f"{r[3]['blast_first'] / r[1]:.3f}×" for r in rows], "≤ 0.2×")
    line("MCP `blast_radius` DC, asked again (worked out again), median (s)", [f"{r[3]['blast']:.3f}" for r in rows])
    line("… / CLI from its cache", [f"{r[3]['blast'] / r[1]:.3f}×" for r in rows], "≤ 0.2×")
    line("MCP `blast_radius`, first ask of each other set of 1–2 data centers: count, median / slowest (s)",
         [f"{r[3]['fresh'][0]}: {r[3]['fresh'][1]:.3f} / {r[3]['fresh'][2]:.3f}" for r in rows])
    line("… slowest / CLI from its cache", [f"{r[3]['fresh'][2] / r[1]:.3f}×" for r in rows], "≤ 0.2×")
    line("MCP `blast_radius` DC, warm, limit 0: every id (s)", [f"{r[3]['blast_all']:.3f}" for r in rows])
    line("MCP `describe` hub, warm (s)", [f"{r[3]['describe']:.4f}" for r in rows])
    line("… / CLI blast radius from its cache", [f"{r[3]['describe'] / r[1]:.4f}×" for r in rows], "≤ 0.02×")
    line("reload after one changed file, write to first new answer (s)", [f"{r[3]['reload']:.2f}" for r in rows])
    line("… the server's own reload (s)", [f"{r[3]['server_reload']}" for r in rows])
    line("… / cold `analyze --format json`", [f"{r[3]['reload'] / r[2]:.2f}×" for r in rows], "≤ 1.0×")
    line("server memory warm, VmRSS (MB)", [f"{r[3]['rss']:.0f}" for r in rows], "≤ 1024")
    line("server memory after the reload, VmRSS / peak VmHWM (MB)",
         [f"{r[3]['rss_after_reload']:.0f} / {r[3]['hwm']:.0f}" for r in rows])
    return 0


if __name__ == "__main__":
    sys.exit(main())
