"""One benchmark stage, run in a fresh process: ``python benchmarks/stages.py STAGE DIR [ARG]``.

Prints one JSON line on stdout: ``{"seconds": {name: s, ...}, "info": {...}}`` on success or
``{"na": "reason"}`` when the stage cannot run (a module not written yet, a loader error).
Imports and setup happen before the clock starts; ``benchmarks/run.py`` reads the peak memory
of this process from the operating system when it ends.
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
import time
import traceback
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
    load_catalog = _import("depgraph.loader", "load_catalog")
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


def _clock(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def stage_read(root: Path, _arg) -> dict:
    files = _files(root)
    seconds, size = _clock(lambda: sum(len(p.read_bytes()) for p in files))
    return {"seconds": {"read": seconds}, "info": {"files": len(files), "bytes": size}}


def stage_csafe(root: Path, _arg) -> dict:
    import yaml

    files = _files(root)

    def parse() -> int:
        documents = 0
        for path in files:
            text = path.read_text(encoding="utf-8")
            documents += sum(1 for _ in yaml.load_all(text, Loader=yaml.CSafeLoader))
        return documents

    seconds, documents = _clock(parse)
    return {"seconds": {"csafe": seconds}, "info": {"documents": documents}}


def stage_load(root: Path, _arg) -> dict:
    build_graph = _import("depgraph.graph", "build_graph")
    _import("depgraph.loader", "load_catalog")
    load_seconds, catalog = _clock(_load, root)
    compile_seconds, graph = _clock(build_graph, catalog)
    info = {
        "services": len(catalog.services),
        "hosts": len(catalog.hosts),
        "warnings": len(catalog.diagnostics),
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
    }
    seconds = {"load": load_seconds, "compile": compile_seconds, "load+compile": load_seconds + compile_seconds}
    return {"seconds": seconds, "info": info}


def stage_analyze(root: Path, _arg) -> dict:
    analyze = _import("depgraph.analysis", "analyze")
    build_graph = _import("depgraph.graph", "build_graph")
    catalog = _load(root)
    graph = build_graph(catalog)
    seconds, report = _clock(_call, analyze, catalog, graph)
    return {"seconds": {"analyze": seconds}, "info": _describe(report)}


def stage_spof(root: Path, arg) -> dict:
    """The fast SPOF engine, and the naive one when ``arg`` is "naive"; checks they agree."""
    fast = _import("depgraph.analyses.spof", "single_points_of_failure")
    naive = _import("depgraph.analyses.spof", "naive_single_points_of_failure") if arg == "naive" else None
    build_graph = _import("depgraph.graph", "build_graph")
    catalog = _load(root)
    graph = build_graph(catalog)
    fast_seconds, fast_result = _clock(_call, fast, catalog, graph)
    out = {"seconds": {"spof-fast": fast_seconds}, "info": {"spofs": _count(fast_result)}}
    if naive is not None:
        naive_seconds, naive_result = _clock(_call, naive, catalog, graph)
        out["seconds"]["spof-naive"] = naive_seconds
        out["info"]["identical"] = _canonical(fast_result) == _canonical(naive_result)
    return out


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
    if hasattr(value, "__dataclass_fields__"):
        value = {k: getattr(value, k) for k in value.__dataclass_fields__}
    if isinstance(value, dict):
        return tuple(sorted((str(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(sorted((_canonical(v) for v in value), key=repr))
    return repr(value)


STAGES = {
    "read": stage_read,
    "csafe": stage_csafe,
    "load": stage_load,
    "analyze": stage_analyze,
    "spof": stage_spof,
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
