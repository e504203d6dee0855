"""What every command shares: the common options, loading with diagnostics, the output channels.

Commands (``depgraph/cli/commands/*.py``) import from here, never from ``depgraph.cli``, so that
importing one command module alone (a doctest run, a tool) does not start registering them all.
A command parses its arguments, calls one core function and prints one result with
:func:`emit_result`; the core raises domain errors, which ``depgraph.cli`` turns into messages
and exit codes in one place.
"""

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from depgraph.output import jsontext
from depgraph.diagnostics import Diagnostic
from depgraph.load.limits import DEFAULT_LIMITS, Limits
from depgraph.model import Catalog
from depgraph.reporters import render
from depgraph.output.escape import json_text, terminal, terminal_block

DescriptorsOption = Annotated[
    Path,
    typer.Option("--descriptors", "-d", help="Folder of descriptor YAML files.", show_default=True),
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="Only the result: no loading-warning count, notes or progress.")]


class _State:
    debug = False
    quiet = False  # -q before the command: every command's own -q
    limits: Limits = DEFAULT_LIMITS


state = _State()


def emit(text: str = "") -> None:
    """Print terminal text to stdout (control characters made visible, lines kept)."""
    typer.echo(terminal_block(text))


def emit_json(obj) -> None:
    """Print a JSON document to stdout: sorted keys, so the same input gives the same bytes."""
    sys.stdout.write(json_text(jsontext.dumps(obj)) + "\n")


def emit_result(kind: str, format: str, result, **options) -> None:
    """Write ``result`` with the reporter registered for ``kind`` and ``format`` on its channel:
    documents (JSON, SARIF) as JSON, everything else as terminal-safe text. The text is
    :func:`depgraph.reporters.render`'s, the same that :func:`depgraph.to_json` returns."""
    sys.stdout.write(render(kind, format, result, **options))


def warn(text: str) -> None:
    """Print a message for the user to stderr."""
    typer.echo(terminal_block(text), err=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """Stop with ``depgraph: error: MESSAGE`` on stderr and the given exit code."""
    warn(f"depgraph: error: {message}")
    raise typer.Exit(code)


def print_diagnostics(diagnostics: list[Diagnostic], err: bool = True) -> None:
    from depgraph.reporters.text import diagnostic_line

    for diagnostic in diagnostics:
        typer.echo(diagnostic_line(diagnostic), err=err)


def print_load_warnings(diagnostics: list[Diagnostic], descriptors, quiet: bool = False) -> None:
    """One line counting the loading warnings, with the command that lists them: the command's
    own output is what the user asked for (``-q``: not even that)."""
    if quiet or not diagnostics:
        return
    count = len(diagnostics)
    warn(f"{terminal(descriptors)}: {count:,} loading warning{'s' if count != 1 else ''} "
         f"(depgraph validate -d {terminal(descriptors)} lists them)")


def open_cache(kind: str, descriptors: Path, folder: Path | None = None, kept: int = 8):
    """The cache for ``kind`` (``folder``, else the default one), or None when there is no safe
    one; says why on stderr in one line (see ``depgraph.load.cache``)."""
    from depgraph.load.cache import Cache, cache_folder

    found, note = cache_folder(folder, untrusted=(descriptors,))
    if note:
        warn(f"depgraph: note: {note}")
    return Cache(found, kind, kept) if found is not None else None


def load(descriptors: Path, quiet: bool = False) -> Catalog:
    """Load and validate a descriptor tree for a command. Raises ``DescriptorError`` (the CLI
    prints every problem and exits 2)."""
    from depgraph.load.loader import load_catalog

    catalog = load_catalog(descriptors, state.limits)
    print_load_warnings(catalog.diagnostics, descriptors, quiet)
    return catalog


def finite(value: float | None) -> float | None:
    """An option callback: refuse NaN (every range check passes it) with a usage error."""
    if value is not None and value != value:
        raise typer.BadParameter("not a number (nan)")
    return value
