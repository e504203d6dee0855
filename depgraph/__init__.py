"""depgraph: a service dependency graph analyzer.

Descriptors (YAML) are loaded into a :class:`~depgraph.model.Catalog`, compiled into one
networkx graph, analysed, and reported. See README.md for the commands.

``depgraph.__version__`` is the version of the installed distribution (``pyproject.toml`` is
its one source); in a source checkout that was never installed it is read from that file.
"""

from __future__ import annotations

import functools


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


def __getattr__(name: str) -> str:
    # Looked up on first use only: reading package metadata costs a few milliseconds, and most
    # commands never print the version.
    if name == "__version__":
        return version()
    raise AttributeError(f"module 'depgraph' has no attribute {name!r}")
