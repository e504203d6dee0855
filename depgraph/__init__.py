"""depgraph: a service dependency graph analyzer.

Descriptors (YAML) are loaded into a :class:`~depgraph.model.Catalog`, compiled into one
networkx graph, analysed, and reported. See README.md for the commands and docs/api.md for
the Python API::

    import depgraph

    catalog = depgraph.load("descriptors")                # a Catalog
    report = depgraph.analyze(catalog)                     # a Report
    radius = depgraph.blast_radius(catalog, "rack:lon1/a")  # a BlastRadius
    print(depgraph.to_json(report), end="")                # as `depgraph analyze --format json`

The API's names (:mod:`depgraph.api`) are imported on first use, so ``import depgraph`` stays
as cheap as the command line needs it.

``depgraph.__version__`` is the version of the installed distribution (``pyproject.toml`` is
its one source); in a source checkout that was never installed it is read from that file.
"""

from __future__ import annotations

import functools

__all__ = [
    "load", "analyze", "blast_radius", "startup_order", "recovery", "check", "to_json", "to_dict", "version",
    "Catalog", "Report", "BlastRadius", "StartupOrder", "RecoveryResult",
    "DepgraphError", "DescriptorError", "UsageError", "UnknownComponent",
]

# Where each name of the API lives, imported when first asked for.
_LAZY = {
    "analyze": "depgraph.api", "blast_radius": "depgraph.api", "startup_order": "depgraph.api",
    "to_json": "depgraph.api", "to_dict": "depgraph.api", "recovery": "depgraph.api", "check": "depgraph.api",
    "RecoveryResult": "depgraph.analyses.recovery",
    "Catalog": "depgraph.model", "Report": "depgraph.analysis", "BlastRadius": "depgraph.analyses.blast",
    "StartupOrder": "depgraph.analyses.startup",
    "DepgraphError": "depgraph.diagnostics", "DescriptorError": "depgraph.diagnostics",
    "UsageError": "depgraph.diagnostics", "UnknownComponent": "depgraph.diagnostics",
}


@functools.cache
def version() -> str:
    """The version of depgraph, from the installed package's metadata.

    >>> import depgraph
    >>> depgraph.version() == depgraph.__version__
    True
    """
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("depgraph")
    except PackageNotFoundError:
        return _source_version()


def _source_version() -> str:
    """``project.version`` of the ``pyproject.toml`` beside the package, for a checkout run
    without installing (``PYTHONPATH=. python -m depgraph``)."""
    import tomllib
    from pathlib import Path

    try:
        with open(Path(__file__).resolve().parents[1] / "pyproject.toml", "rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "0+unknown"


def __getattr__(name: str):
    # Looked up on first use only: reading package metadata costs a few milliseconds, and most
    # commands never print the version; the API's modules cost more.
    import importlib

    if name == "__version__":
        return version()
    if name == "load":  # the loading package, which is callable: depgraph.load(path)
        return importlib.import_module("depgraph.load")
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'depgraph' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, "__version__"})
