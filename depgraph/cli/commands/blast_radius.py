"""``depgraph blast-radius COMPONENT…``: what fails with them, and whom to call.

Text and JSON need only the failure model, owners and contacts: a cache of them keyed by the
descriptor files (:mod:`depgraph.load.cache`) answers in a fraction of a second on landscapes
that take long to load. A picture (``--format dot|svg``) needs the whole catalog.
"""

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.cli.kit import (
    DescriptorsOption, QuietOption, emit, emit_result, fail, load, open_cache, print_load_warnings,
    state, warn,
)


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
    quiet: QuietOption = False,
) -> None:
    """What goes down, degrades and loses capacity when COMPONENTs fail, and whom to call first.

    Example: depgraph blast-radius rack:lon1/a host:sto1-b-12 --format json
    """
    from depgraph.analyses.blast import blast_radius as ranked_blast_radius
    from depgraph.failure.resolve import resolve_component

    format = _format(format, output_file)
    if format in (BlastFormat.svg, BlastFormat.png) and output_file is None:
        fail(f"--format {format.value} needs -o FILE")
    if format in (BlastFormat.dot, BlastFormat.svg, BlastFormat.png):
        _picture(load(descriptors, quiet), components, format.value, output_file, quiet)
        return
    from depgraph.failure.stored import ENTRIES_KEPT, KIND, load_model

    cache = None if no_cache else open_cache(KIND, descriptors, kept=ENTRIES_KEPT)
    catalog, model, _ = load_model(descriptors, state.limits, cache)
    print_load_warnings(catalog.diagnostics, descriptors, quiet)
    failed = [resolve_component(model, argument) for argument in components]
    radius = ranked_blast_radius(catalog, model, failed)
    if output_file is None:
        emit_result("blast-radius", format.value, radius, verbose=verbose)
        return
    from depgraph.output.atomic import write_text
    from depgraph.reporters import render

    write_text(output_file, render("blast-radius", format.value, radius, verbose=verbose))
    if not quiet:
        warn(f"wrote {output_file}")


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


def _picture(catalog, components: list[str], format: str, output_file: Path | None, quiet: bool) -> None:
    from depgraph.diagrams import blast_radius_dot
    from depgraph.failure.engine import FailureModel, simulate
    from depgraph.failure.resolve import resolve_component

    failed = [resolve_component(catalog, argument) for argument in components]
    dot = blast_radius_dot(catalog, simulate(FailureModel.from_catalog(catalog), failed))
    if output_file is None:
        emit(dot.rstrip("\n"))
        return
    from depgraph.cli.commands.render import write_diagram

    write_diagram(dot, output_file, format)
    if not quiet:
        warn(f"wrote {output_file}")
