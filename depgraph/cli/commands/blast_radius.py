"""``depgraph blast-radius COMPONENT…``: what fails with them, and whom to call.

Text and JSON need only the failure model, owners and contacts: a cache of them keyed by the
descriptor files (:mod:`depgraph.load.cache`) answers in a fraction of a second on landscapes
that take long to load. A picture (``--format dot|svg``) needs the whole catalog.
"""

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.cli.kit import (
    DescriptorsOption, QuietOption, emit, fail, load, open_cache, print_diagnostics,
    print_load_warnings, state, warn,
)
from depgraph.output import jsontext
from depgraph.output.escape import json_text, terminal_block
from depgraph.output.words import plural
from depgraph.reporters import render


class BlastFormat(str, Enum):
    text = "text"
    json = "json"
    dot = "dot"
    svg = "svg"
    png = "png"


#: what ``-o FILE`` writes when no --format is given, by the file's extension
BY_EXTENSION = {".txt": "text", ".json": "json", ".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png"}


def register(app: typer.Typer) -> None:
    app.command("blast-radius")(blast_radius)


def blast_radius(
    components: Annotated[list[str], typer.Argument(
        metavar="COMPONENT…",
        help="What fails: service:x, host:x, rack:dc/r, datacenter:x, or a bare name.")],
    descriptors: DescriptorsOption = "descriptors",
    format: Annotated[Optional[BlastFormat], typer.Option(
        "--format", "-f", help="Output format (default: text, or by the extension of -o).",
        show_default=False)] = None,
    output_file: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Write to this file instead of stdout, in --format or by its extension "
        "(.txt, .json, .dot, .svg, .png; svg and png need it).")] = None,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="List every team, down, degraded and reduced service (text).")] = False,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Load the descriptors afresh instead of using the compiled-model cache.")] = False,
    best_effort: Annotated[bool, typer.Option(
        "--best-effort", help="Answer even when descriptors have errors: what did not load is left "
        "out, and the answer says so.")] = False,
    quiet: QuietOption = False,
) -> None:
    """What goes down, degrades and loses capacity when COMPONENTs fail, and whom to call first.

    With --best-effort, broken descriptors (a tab at 3 a.m.) do not block the answer: the files
    that failed are left out, the errors go to stderr, and the answer starts with INCOMPLETE.

    Example: depgraph blast-radius rack:lon1/a host:sto1-b-12 --format json
    """
    from depgraph.analyses.blast import blast_radius as ranked_blast_radius
    from depgraph.failure.resolve import resolve_component

    format = _format(format, output_file)
    if format in (BlastFormat.svg, BlastFormat.png) and output_file is None:
        fail(f"--format {format.value} needs -o FILE")
    from depgraph.diagnostics import DescriptorError
    from depgraph.failure.engine import FailureModel
    from depgraph.failure.stored import ENTRIES_KEPT, KIND, load_model

    picture = format in (BlastFormat.dot, BlastFormat.svg, BlastFormat.png)
    errors: list = []
    try:
        if picture:
            catalog = load(descriptors, quiet)
        else:
            cache = None if no_cache else open_cache(KIND, descriptors, kept=ENTRIES_KEPT)
            catalog, model, _ = load_model(descriptors, state.limits, cache)
            print_load_warnings(catalog.diagnostics, descriptors, quiet)
    except DescriptorError as exc:
        if not best_effort or exc.partial is None:
            raise
        print_diagnostics(exc.diagnostics)
        catalog, errors = exc.partial, exc.errors
        model = FailureModel.from_catalog(catalog)
        warn(f"depgraph: {plural(len(errors), 'error')} in {descriptors}: answering with what loaded (--best-effort)")
    if picture:
        _picture(catalog, components, format.value, output_file, quiet, errors)
        return
    failed = [resolve_component(model, argument) for argument in components]
    text = render("blast-radius", format.value, ranked_blast_radius(catalog, model, failed), verbose=verbose)
    if errors:
        text = incomplete(text, format.value, errors)
    if output_file is None:
        sys.stdout.write(text)
        return
    from depgraph.output.atomic import write_text

    write_text(output_file, text)
    if not quiet:
        warn(f"wrote {output_file}")


def incomplete(text: str, format: str, errors: list) -> str:
    """An answer marked as made from part of the descriptors: a first line in text, an
    ``incomplete`` member in JSON (the errors, each with its place), a comment in DOT."""
    summary = _incomplete_summary(errors)
    if format == "json":
        document = json.loads(text)
        document["incomplete"] = [{"file": e.file, "line": e.line, "message": e.message} for e in errors]
        return json_text(jsontext.dumps(document)) + "\n"
    if format == "dot":  # a comment line: no line break may end it early
        return "// " + " ".join(summary.split()) + "\n" + text
    return terminal_block(summary) + "\n\n" + text


def _incomplete_summary(errors: list, with_message: bool = True) -> str:
    """``INCOMPLETE: N descriptor errors, …`` naming the first error (and its message)."""
    first = errors[0]
    where = f"{first.file}:{first.line}" + (f": {first.message}" if with_message else "")
    return f"INCOMPLETE: {plural(len(errors), 'descriptor error')}, what did not load is left out (first: {where})"


def _format(format: BlastFormat | None, output_file: Path | None) -> BlastFormat:
    """The asked format, else the one the output file's extension names, else text."""
    if format is not None:
        return format
    if output_file is None:
        return BlastFormat.text
    named = BY_EXTENSION.get(output_file.suffix.lower())
    if named is None:
        fail(f"cannot tell the format of {output_file} from its extension: use "
             f"{', '.join(BY_EXTENSION)} or --format {{{','.join(f.value for f in BlastFormat)}}}")
    return BlastFormat(named)


def _picture(catalog, components: list[str], format: str, output_file: Path | None, quiet: bool,
             errors=()) -> None:
    from depgraph.diagrams import blast_radius_dot
    from depgraph.failure.engine import FailureModel, simulate
    from depgraph.failure.resolve import resolve_component

    failed = [resolve_component(catalog, argument) for argument in components]
    # said in the picture itself, not only on stderr: a PNG travels without its log
    note = _incomplete_summary(list(errors), with_message=False) if errors else None
    dot = blast_radius_dot(catalog, simulate(FailureModel.from_catalog(catalog), failed), incomplete=note)
    if errors:
        dot = incomplete(dot, "dot", list(errors))
    if output_file is None:
        emit(dot.rstrip("\n"))
        return
    from depgraph.cli.commands.render import write_diagram

    write_diagram(dot, output_file, format)
    if not quiet:
        warn(f"wrote {output_file}")
