"""What every command shares: the descriptors option, loading with diagnostics, output helpers.

Commands (``depgraph/commands/*.py``) import from here, never from ``depgraph.cli``, so that
importing one command module alone (a doctest run, a tool) does not start registering them all.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from depgraph.diagnostics import DescriptorError, Diagnostic
from depgraph.model import Catalog
from depgraph.yamlread import DEFAULT_LIMITS, Limits

DescriptorsOption = Annotated[
    Path,
    typer.Option("--descriptors", "-d", help="Folder of descriptor YAML files.", show_default=True),
]


class _State:
    debug = False
    limits: Limits = DEFAULT_LIMITS


state = _State()



def emit(text: str = "") -> None:
    """Print a result to stdout."""
    typer.echo(text)


def emit_json(obj) -> None:
    """Print a JSON document to stdout: sorted keys, so the same input gives the same bytes."""
    sys.stdout.write(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def warn(text: str) -> None:
    """Print a message for the user to stderr."""
    typer.echo(text, err=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """Stop with ``depgraph: error: MESSAGE`` on stderr and the given exit code."""
    typer.echo(f"depgraph: error: {message}", err=True)
    raise typer.Exit(code)


def print_diagnostics(diagnostics: list[Diagnostic], err: bool = True) -> None:
    for diagnostic in diagnostics:
        typer.echo(str(diagnostic), err=err)


def load(descriptors: Path, quiet_warnings: bool = False) -> Catalog:
    """Load and validate a descriptor tree for a command; on errors print them all and exit 2."""
    from depgraph.loader import load_catalog

    try:
        catalog = load_catalog(descriptors, state.limits)
    except DescriptorError as exc:
        print_diagnostics(exc.diagnostics)
        errors = len(exc.errors)
        fail(f"{errors} error{'s' if errors != 1 else ''} in {descriptors}; fix them and run again")
    if not quiet_warnings:
        print_diagnostics(catalog.diagnostics)
    # The catalog lives until the command ends: keep the garbage collector from walking its
    # million objects again during the analyses (cuts 10-20% at 20,000 services).
    gc.freeze()
    return catalog
