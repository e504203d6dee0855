"""One benchmark stage, run in a fresh process: ``python benchmarks/stages.py STAGE DIR [ARG]``.

Prints one JSON line on stdout: ``{"seconds": {name: s, ...}, "cpu": {name: s, ...}, "info":
{...}}`` (wall-clock and CPU seconds) on success, with ``"missing": {part: reason}`` for parts
that could not run, or ``{"na": "reason"}`` when the stage cannot run at all (a module not
written yet, a loader error).
Imports and setup happen before the clock starts; ``benchmarks/run.py`` reads the peak memory
of this process from the operating system when it ends.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import resource
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path


class NotAvailable(Exception):
    """The stage cannot run here; the message says why."""


def _import(module: str, attribute: str | None = None):
    try:
        loaded = importlib.import_module(module)
    except ImportError as exc:
        raise NotAvailable(f"{module} not importable ({exc})") from None
    if attribute is None:
        return loaded
    if not hasattr(loaded, attribute):
        raise NotAvailable(f"{module}.{attribute} missing")
    return getattr(loaded, attribute)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def _load(root: Path):
    load_catalog = _import("depgraph.load.loader", "load_catalog")
    try:
        return load_catalog(root)
    except Exception as exc:  # a DescriptorError is a finding about the generator: report it
        first = next(iter(getattr(exc, "errors", []) or []), None)
        raise NotAvailable(f"load_catalog failed: {type(exc).__name__}: {exc}; first: {first}") from None


def _call(function, catalog, graph):
    """Call an analysis with what it asks for: a catalog, a graph, or both (by parameter name)."""
    params = [
        p for p in inspect.signature(function).parameters.values()
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    args = []
    for param in params:
        if "graph" in param.name or param.name == "g":
            args.append(graph)
        else:
            args.append(catalog)
    return function(*args)


def _cpu() -> float:
    """CPU seconds of this process and of the children it has waited for: CPU time spent
    anywhere on the stage's behalf."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class Clock:
    """Wall-clock and CPU seconds of each timed step, by name."""

    def __init__(self):
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def time(self, name: str, function, *args):
        wall, cpu = time.perf_counter(), _cpu()
        result = function(*args)
        self.wall[name] = time.perf_counter() - wall
        self.cpu[name] = _cpu() - cpu
        return result

    def total(self, name: str, *parts: str) -> None:
        self.wall[name] = sum(self.wall[p] for p in parts)
        self.cpu[name] = sum(self.cpu[p] for p in parts)

    def result(self, info: dict) -> dict:
        return {"seconds": self.wall, "cpu": self.cpu, "info": info}


def stage_read(root: Path, _arg) -> dict:
    files = _files(root)
    clock = Clock()
    size = clock.time("read", lambda: sum(len(p.read_bytes()) for p in files))
    return clock.result({"files": len(files), "bytes": size})


def stage_csafe(root: Path, _arg) -> dict:
    import yaml

    files = _files(root)

    def parse() -> int:
        documents = 0
        for path in files:
            text = path.read_text(encoding="utf-8")
            documents += sum(1 for _ in yaml.load_all(text, Loader=yaml.CSafeLoader))
        return documents

    clock = Clock()
    documents = clock.time("csafe", parse)
    return clock.result({"documents": documents})


def stage_load(root: Path, _arg) -> dict:
    build_graph = _import("depgraph.exporters.graph", "build_graph")
    _import("depgraph.load.loader", "load_catalog")
    clock = Clock()
    catalog = clock.time("load", _load, root)
    graph = clock.time("compile", build_graph, catalog)
    clock.total("load+compile", "load", "compile")
    info = {
        "services": len(catalog.services),
        "hosts": len(catalog.hosts),
        "warnings": len(catalog.diagnostics),
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "hub_datacenter": _busiest_datacenter(catalog),
    }
    return clock.result(info)


def _busiest_datacenter(catalog) -> str | None:
    """The data center holding the most service instances: the one ``run.py`` aims
    ``blast-radius`` at."""
    instances: dict[str, int] = {}
    for service in catalog.services.values():
        for deployment in service.deployments:
            instances[deployment.datacenter] = instances.get(deployment.datacenter, 0) + deployment.size
    if not instances:
        return None
    return "datacenter:" + min(instances, key=lambda dc: (-instances[dc], dc))


def stage_analyze(root: Path, arg) -> dict:
    """The whole analysis, then the fast SPOF engine and, when ``arg`` is "naive", the naive one
    (checked to agree), on one loaded catalog. A part that cannot run is listed in "missing"."""
    build_graph = _import("depgraph.exporters.graph", "build_graph")
    catalog = _load(root)
    graph = build_graph(catalog)
    clock, info, missing = Clock(), {}, {}
    try:
        analyze = _import("depgraph.analysis", "analyze")
        info.update(_describe(clock.time("analyze", _call, analyze, catalog, graph)))
        info["analyze_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except NotAvailable as exc:
        missing["analyze"] = str(exc)
    try:
        fast = _import("depgraph.analyses.spof", "single_points_of_failure")
        naive = _incremental_spofs if arg == "naive" else None
        fast_result = clock.time("spof-fast", _call, fast, catalog, graph)
        info["spofs"] = _count(fast_result)
        if naive is not None:
            naive_result = clock.time("spof-naive", _call, naive, catalog, graph)
            info["identical"] = _canonical(fast_result) == _canonical(naive_result)
        _full_simulation_sample(catalog, fast_result, clock, info)
    except NotAvailable as exc:
        missing["spof"] = str(exc)
    return {**clock.result(info), "missing": missing}


def _incremental_spofs(catalog):
    """The SPOFs by one incremental ``simulate`` per component: the reference the fast analysis
    must agree with."""
    engine = _import("depgraph.failure.engine")
    spof = _import("depgraph.analyses.spof")
    model = engine.FailureModel.from_catalog(catalog)
    found = []
    for component in sorted(model.component_ids()):
        impact = engine.simulate(model, [component])
        if impact.down:
            found.append(spof.Spof(component, impact.down, len(impact.degraded)))
    return found


FULL_SIMULATION_SECONDS = 8.0  # CPU budget for the sampled full simulations at each size
FULL_SIMULATION_MAX = 200  # components sampled at most


def _full_simulation_sample(catalog, spofs, clock: Clock, info: dict) -> None:
    """SPEC §2 evaluated from scratch for random components, within a CPU budget; each result
    checked against the fast SPOFs; the cost of doing it for every component extrapolated.

    Recorded as "spof-full" (CPU and wall, extrapolated to every component), with the sample
    size and whether every sampled result was identical in ``info``."""
    import random

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from spof_full_simulation import agrees  # benchmarks/spof_full_simulation.py

    failure = _import("depgraph.failure.engine")
    model = failure.FailureModel.from_catalog(catalog)
    by_component = {spof.component: spof for spof in spofs}
    components = model.component_ids()
    order = random.Random(1).sample(components, min(FULL_SIMULATION_MAX, len(components)))
    identical, done = True, 0
    wall, cpu = time.perf_counter(), time.process_time()
    for component in order:
        identical &= agrees(catalog, model, by_component, component)
        done += 1
        if time.process_time() - cpu > FULL_SIMULATION_SECONDS:
            break
    scale = len(components) / done
    clock.wall["spof-full"] = (time.perf_counter() - wall) * scale
    clock.cpu["spof-full"] = (time.process_time() - cpu) * scale
    info["full_sampled"] = done
    info["full_components"] = len(components)
    info["full_identical"] = identical


def _count(result) -> int | None:
    try:
        return len(result)
    except TypeError:
        return None


def _describe(report) -> dict:
    """A few counts from an analysis report, whatever its shape (dict, dataclass, object)."""
    info = {}
    for key in ("spofs", "cycles", "findings", "unowned"):
        value = report.get(key) if isinstance(report, dict) else getattr(report, key, None)
        if value is not None and _count(value) is not None:
            info[key] = len(value)
    return info


def _canonical(value):
    """An order-insensitive, comparable form of an analysis result."""
    if dataclasses.is_dataclass(value):  # as == sees it: fields with compare=False do not count
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.compare}
    if isinstance(value, dict):
        return tuple(sorted((str(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple, set, frozenset, Sequence)) and not isinstance(value, str):
        return tuple(sorted((_canonical(v) for v in value), key=repr))  # a SPOF's down set is a Sequence
    return repr(value)


STAGES = {
    "read": stage_read,
    "csafe": stage_csafe,
    "load": stage_load,
    "analyze": stage_analyze,
}


def main(argv: list[str]) -> int:
    stage, root = argv[0], Path(argv[1])
    arg = argv[2] if len(argv) > 2 else None
    try:
        result = STAGES[stage](root, arg)
    except NotAvailable as exc:
        result = {"na": str(exc)}
    except Exception as exc:  # the run must go on: report, do not crash
        last = traceback.extract_tb(exc.__traceback__)[-1]
        result = {"na": f"{type(exc).__name__}: {exc} (at {Path(last.filename).name}:{last.lineno})"}
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
