"""The Markdown ``benchmarks/run.py`` prints: the full table, its notes, the targets, the README table.

Every function takes ``columns`` (``(profile, size)`` pairs in print order) and ``results``
(column -> stage -> a ``run.Measured``) and only formats: nothing here runs or measures.
"""

from __future__ import annotations

PROFILE_WORDS = {
    "classic": "classic: ten hosts per service shared by up to three, 4-6 data centers, 3-8 dependency "
               "entries per service, 18% soft",
    "heavy-tailed": "heavy-tailed: hub services with thousands of dependents (preferential attachment), "
                    "40% soft, 1-5 hosts per deployment in 1-3 of 5 data centers, squads of ~8 in 12 tribes",
}

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
    ("`depgraph blast-radius DC --format json`, first run (fills the cache)", "cli-blast-cold", "cli-blast-cold"),
    ("`depgraph blast-radius DC --format json`, from the cache", "cli-blast", "cli-blast"),
    ("`depgraph blast-radius HUB --format json`, from the cache", "cli-blast-hub", "cli-blast-hub"),
    ("`depgraph recovery --format json` (cold start), from the cache", "cli-recovery", "cli-recovery"),
    ("`depgraph report -o DIR` (end to end)", "cli-report", "cli-report"),
)
CPU_ROWS = (  # rows of TIME_ROWS shown again in CPU seconds (robust to a busy machine)
    "csafe", "load", "load+compile", "analyze", "spof-fast", "spof-naive", "spof-full", "cli-analyze", "cli-report",
)
RATIO_ROWS = (  # label, (stage, key) numerator, (stage, key) denominator
    ("depgraph load+validate / CSafeLoader", ("load", "load"), ("csafe", "csafe")),
    ("depgraph load+validate+compile / CSafeLoader", ("load", "load+compile"), ("csafe", "csafe")),
    ("analyze / CSafeLoader", ("analyze", "analyze"), ("csafe", "csafe")),
    ("`depgraph analyze` end to end / CSafeLoader", ("cli-analyze", "cli-analyze"), ("csafe", "csafe")),
    ("incremental `simulate` per component / depgraph SPOFs", ("analyze", "spof-naive"), ("analyze", "spof-fast")),
    ("full simulation per component / depgraph SPOFs", ("analyze", "spof-full"), ("analyze", "spof-fast")),
)
CPU_RATIO_ROWS = RATIO_ROWS[:2] + RATIO_ROWS[3:]
MEMORY_ROWS = (  # label, stage, which figure
    ("peak RSS, bare CSafeLoader (MB)", "csafe", "rss"),
    ("peak RSS, load + compile (MB)", "load", "rss"),
    ("peak RSS, load + compile + analyze (MB)", "analyze_rss_kb", "rss"),
    ("peak RSS, `depgraph analyze` CLI (MB)", "cli-analyze", "rss"),
    ("peak RSS, `depgraph analyze` CLI and any children together, sampled (MB)", "cli-analyze", "tree"),
    ("peak RSS, `depgraph report` (MB)", "cli-report", "rss"),
)

# The targets of the issue, at the largest size measured: label, limit text, value, holds?
LIMITS = {"ratio": 1.0, "rss_mb": 1000, "json_mb": 40, "report_s": 30, "index_mb": 25, "blast_s": 1.0,
          "recovery_ratio": 0.3}
LINEAR_SLACK = 1.15  # "grows linearly": at most 15% more per service at the largest size


def profile_legend(profiles: list[str]) -> list[str]:
    return ["", "Profiles (`benchmarks/generate.py --profile`): "
            + "; ".join(PROFILE_WORDS.get(p, p) for p in profiles) + "."]


def _header(columns) -> list[str]:
    return ["| | " + " | ".join(f"{profile} {n:,}" for profile, n in columns) + " |",
            "|---" * (len(columns) + 1) + "|"]


def table(columns, shapes: dict, results: dict, repeat: int) -> str:
    lines = _header(columns)
    lines += _shape_rows(columns, shapes)
    lines.append(_section("seconds (median)", columns))
    for label, stage, key in TIME_ROWS:
        lines.append(_row(label, [_seconds(results[c][stage], key, repeat) for c in columns]))
    lines.append(_section("CPU seconds (median, user + system)", columns))
    for label, stage, key in (row for row in TIME_ROWS if row[2] in CPU_ROWS):
        lines.append(_row(label, [_seconds(results[c][stage], key, repeat, cpu=True) for c in columns]))
    lines.append(_section("ratios (wall)", columns))
    for label, top, bottom in RATIO_ROWS:
        lines.append(_row(label, [_ratio(results[c], top, bottom) for c in columns]))
    lines.append(_section("ratios (CPU)", columns))
    for label, top, bottom in CPU_RATIO_ROWS:
        lines.append(_row(label, [_ratio(results[c], top, bottom, cpu=True) for c in columns]))
    lines.append(_section("memory", columns))
    for label, stage, which in MEMORY_ROWS:
        lines.append(_row(label, [_memory(results[c], stage, which) for c in columns]))
    lines.append(_section("output", columns))
    lines.append(_row("`analyze --format json` document (MB)",
                      [_mb(results[c]["cli-analyze"].info.get("bytes")) for c in columns]))
    lines.append(_row("… per service (kB)", [_per_service(results[c]["cli-analyze"].info.get("bytes"), c)
                                             for c in columns]))
    lines.append(_row("peak RSS of `analyze` per service (kB)",
                      [_per_service(_peak_kb(results[c]["cli-analyze"]) * 1024 or None, c) for c in columns]))
    lines.append(_row("`report`: index.html (MB)", [_mb(results[c]["cli-report"].info.get("index_bytes"))
                                                   for c in columns]))
    lines.append(_row("`report`: whole folder (MB)", [_mb(results[c]["cli-report"].info.get("folder_bytes"))
                                                     for c in columns]))
    return "\n".join(lines)


def _shape_rows(columns, shapes) -> list[str]:
    rows = [
        ("files", lambda s: f"{s['files']:,}"),
        ("MB of YAML", lambda s: f"{s['bytes'] / 1e6:.1f}"),
        ("hosts / dependency entries", lambda s: f"{s['hosts']:,} / {s['dependencies']:,}"),
        ("most depended-on service: dependents", lambda s: f"{s['hub']['dependents']:,}"),
        ("generate (s)", lambda s: "cached" if s.get("generate_seconds") is None else f"{s['generate_seconds']:.1f}"),
    ]
    return [_row(label, [cell(shapes[c]) for c in columns]) for label, cell in rows]


def _section(title: str, columns) -> str:
    return f"| **{title}** |" + " |" * len(columns)


def _row(label: str, cells: list[str]) -> str:
    return f"| {label} | " + " | ".join(cells) + " |"


def _seconds(measured, key: str, repeat: int, cpu: bool = False) -> str:
    value = measured.median(key, cpu)
    if value is None:
        return "n/a"
    runs = measured.runs(key)
    return _number(value) + (f" (n={runs})" if runs < repeat else "")


def _number(value: float) -> str:
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 100 else f"{value:.0f}"


def _ratio_value(results: dict, top, bottom, cpu: bool = False) -> float | None:
    numerator = results[top[0]].median(top[1], cpu)
    denominator = results[bottom[0]].median(bottom[1], cpu)
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _ratio(results: dict, top, bottom, cpu: bool = False) -> str:
    ratio = _ratio_value(results, top, bottom, cpu)
    return "n/a" if ratio is None else _times(ratio)


def _times(ratio: float) -> str:
    return f"{ratio:,.0f}×" if ratio >= 100 else f"{ratio:.2f}×"


def _peak_kb(measured, which: str = "tree") -> int:
    values = measured.tree_rss_kb if which == "tree" else measured.rss_kb
    return max(values) if values else 0


def _memory(results: dict, stage: str, which: str) -> str:
    """Peak RSS of a stage's process (or of it and its children, sampled), or a peak the child
    sampled itself (``info[stage]``)."""
    if stage.endswith("_rss_kb"):
        kb = results["analyze"].info.get(stage)
        return f"{kb / 1024:.0f}" if kb else "n/a"
    kb = _peak_kb(results[stage], which)
    return f"{kb / 1024:.0f}" if kb else "n/a"


def _mb(size: int | None) -> str:
    return "n/a" if not size else f"{size / 1e6:.1f}" if size >= 1e6 else f"{size / 1e6:.2f}"


def _per_service(size: int | None, column) -> str:
    return "n/a" if not size else f"{size / 1e3 / column[1]:.1f}"


def notes(columns, results: dict, naive_max: int) -> list[str]:
    out = []
    for column in columns:
        where = f"{column[0]} {column[1]:,} services"
        for stage, measured in results[column].items():
            if measured.na:
                out.append(f"- {where}, {stage}: n/a — {measured.na}")
            for part, reason in sorted(measured.missing.items()):
                out.append(f"- {where}, {part}: n/a — {reason}")
        spof = results[column]["analyze"]
        if "identical" in spof.info:
            verdict = "identical" if spof.info["identical"] else "DIFFERENT"
            out.append(f"- {where}: depgraph's SPOFs and one incremental simulate per component "
                       f"are {verdict} ({spof.info.get('spofs')} SPOFs)")
        if "full_identical" in spof.info:
            verdict = "identical to" if spof.info["full_identical"] else "DIFFERENT from"
            out.append(f"- {where}: full simulations of {spof.info['full_sampled']:,} random components "
                       f"(of {spof.info['full_components']:,}) are {verdict} depgraph's answers; the row "
                       "above scales their time to every component")
        elif not spof.na and column[1] > naive_max:
            out.append(f"- {where}: naive SPOF not run (above --naive-max {naive_max:,})")
        load = results[column]["load"]
        if load.info:
            out.append(f"- {where}: graph of {load.info['nodes']:,} nodes, {load.info['edges']:,} edges; "
                       f"{load.info['warnings']:,} loader warnings; blast-radius DC is "
                       f"{load.info.get('hub_datacenter', 'n/a')}")
    return out


# -- targets -------------------------------------------------------------------------------------


def targets(profiles: list[str], sizes: list[int], results: dict) -> str:
    """The issue's targets at the largest size measured, one column per profile."""
    big, small = max(sizes), min(sizes)
    lines = [f"At {big:,} services (the targets are set for 20,000); ratios from this run.", "",
             "| target | limit | " + " | ".join(profiles) + " |", "|---|---|" + "---|" * len(profiles)]
    rows = [
        ("`analyze --format json` end to end / bare CSafeLoader of the same files", f"≤ {LIMITS['ratio']:.1f}×",
         lambda r: _ratio_value(r, ("cli-analyze", "cli-analyze"), ("csafe", "csafe")), _times, LIMITS["ratio"]),
        ("the same, CPU seconds", f"≤ {LIMITS['ratio']:.1f}×",
         lambda r: _ratio_value(r, ("cli-analyze", "cli-analyze"), ("csafe", "csafe"), cpu=True), _times,
         LIMITS["ratio"]),
        ("peak memory of `analyze` (sampled)", f"≤ {LIMITS['rss_mb']:,} MB",
         lambda r: _peak_kb(r["cli-analyze"]) / 1024 or None, lambda v: f"{v:,.0f} MB", LIMITS["rss_mb"]),
        ("`analyze --format json` document", f"≤ {LIMITS['json_mb']} MB",
         lambda r: (r["cli-analyze"].info.get("bytes") or 0) / 1e6 or None, lambda v: f"{v:.1f} MB",
         LIMITS["json_mb"]),
        ("`depgraph report`", f"≤ {LIMITS['report_s']} s", lambda r: r["cli-report"].median("cli-report"),
         lambda v: f"{v:.1f} s", LIMITS["report_s"]),
        ("`report`: index.html", f"≤ {LIMITS['index_mb']} MB",
         lambda r: (r["cli-report"].info.get("index_bytes") or 0) / 1e6 or None, lambda v: f"{v:.1f} MB",
         LIMITS["index_mb"]),
        ("`blast-radius` of the busiest data center, from the cache", f"< {LIMITS['blast_s']:.0f} s",
         lambda r: r["cli-blast"].median("cli-blast"), lambda v: f"{v:.2f} s", LIMITS["blast_s"]),
        ("`recovery` (cold start, from the cache) / `analyze --format json`", f"≤ {LIMITS['recovery_ratio']:.1f}×",
         lambda r: _ratio_value(r, ("cli-recovery", "cli-recovery"), ("cli-analyze", "cli-analyze")), _times,
         LIMITS["recovery_ratio"]),
    ]
    for label, limit, value, shown, bound in rows:
        cells = []
        for profile in profiles:
            v = value(results[(profile, big)])
            cells.append("n/a" if v is None else f"{shown(v)} {'✓' if v <= bound else '✗'}")
        lines.append(f"| {label} | {limit} | " + " | ".join(cells) + " |")
    if big > small:
        factor = big / small
        for label, size_of in (("growth of the JSON document", lambda r: r["cli-analyze"].info.get("bytes")),
                               ("growth of peak memory of `analyze`", lambda r: _peak_kb(r["cli-analyze"]))):
            cells = []
            for profile in profiles:
                a, b = size_of(results[(profile, small)]), size_of(results[(profile, big)])
                if not a or not b:
                    cells.append("n/a")
                    continue
                growth = b / a
                cells.append(f"×{growth:.1f} {'✓' if growth <= factor * LINEAR_SLACK else '✗'}")
            lines.append(f"| {label}, {small:,} → {big:,} services | linear (×{factor:g}) | "
                         + " | ".join(cells) + " |")
    return "\n".join(lines)


# -- the README's table --------------------------------------------------------------------------


def readme_table(columns, shapes: dict, results: dict) -> str:
    """The Performance table of README.md, from the same results."""
    def seconds(stage, key, ratio_to=None):
        def cell(r):
            value = r[stage].median(key)
            if value is None:
                return "n/a"
            text = _duration(value)
            if ratio_to:
                ratio = _ratio_value(r, (stage, key), ratio_to)
                text += f" ({_times(ratio)})" if ratio is not None else ""
            return text
        return cell

    csafe = ("csafe", "csafe")
    spof = ("analyze", "spof-fast")
    rows = [
        ("bare `yaml.load_all` with CSafeLoader (the floor)", seconds("csafe", "csafe")),
        ("depgraph load + validate", seconds("load", "load", csafe)),
        ("`depgraph analyze --format json`, end to end", seconds("cli-analyze", "cli-analyze", csafe)),
        ("peak memory of `depgraph analyze`", lambda r: f"{_peak_kb(r['cli-analyze']) / 1024:,.0f} MB"
         if _peak_kb(r["cli-analyze"]) else "n/a"),
        ("its JSON document", lambda r: f"{_mb(r['cli-analyze'].info.get('bytes'))} MB"),
        ("every single point of failure (in `analyze`)", seconds("analyze", "spof-fast")),
        ("the same, one incremental `simulate` per component", seconds("analyze", "spof-naive", spof)),
        ("the same, one full SPEC §2 simulation per component (sampled, extrapolated)",
         seconds("analyze", "spof-full", spof)),
        ("`depgraph blast-radius DC`, first run (fills the model cache)", seconds("cli-blast-cold", "cli-blast-cold")),
        ("`depgraph blast-radius DC`, from the model cache", seconds("cli-blast", "cli-blast")),
        ("`depgraph report`", seconds("cli-report", "cli-report")),
        ("its index.html", lambda r: f"{_mb(r['cli-report'].info.get('index_bytes'))} MB"),
    ]
    shape = [("services / hosts", lambda s: f"{s['services']:,} / {s['hosts']:,}")]
    lines = _header(columns)
    lines += [_row(label, [cell(shapes[c]) for c in columns]) for label, cell in shape]
    lines += [_row(label, [cell(results[c]) for c in columns]) for label, cell in rows]
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"
