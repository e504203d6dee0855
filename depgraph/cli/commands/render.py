"""``depgraph render``: a diagram of the landscape as DOT, SVG or PNG.

The view is built by :func:`depgraph.diagrams.build_view` and laid out by
:mod:`depgraph.diagrams.render`. The DOT file is always written: when Graphviz is missing, times out or
crashes, it lands next to the requested image (``diagram.svg`` -> ``diagram.dot``) and the
command exits 2 with the reason, so the work is never lost.
"""

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.cli.kit import DescriptorsOption, QuietOption, emit, fail, finite, load, warn
from depgraph.output.escape import terminal
from depgraph.diagrams.render import DEFAULT_TIMEOUT, MAX_NODES


class View(str, Enum):
    services = "services"
    deployment = "deployment"
    teams = "teams"


class RenderFormat(str, Enum):
    dot = "dot"
    svg = "svg"
    png = "png"


def register(app: typer.Typer) -> None:
    app.command("render")(render)


def render(
    descriptors: DescriptorsOption = "descriptors",
    view: Annotated[View, typer.Option(
        "--view", metavar="VIEW", help="What to draw: services, deployment or teams.")] = View.services,
    cluster: Annotated[Optional[str], typer.Option(
        "--cluster", help="Grouping: team, tribe, datacenter or none (services view); team, tribe or none "
        "(teams view); host, rack or datacenter (deployment view).")] = None,
    focus: Annotated[Optional[str], typer.Option(
        "--focus", help="Draw only around this service, client, team, host, rack or data center.")] = None,
    depth: Annotated[int, typer.Option("--depth", min=0, max=10_000, help="Steps of dependencies and dependents "
                                       "around --focus.")] = 1,
    format: Annotated[Optional[RenderFormat], typer.Option(
        "--format", "-f", help="Output format (default: from the -o suffix, else dot).")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write; DOT goes to "
                                                   "stdout without it.")] = None,
    engine: Annotated[Optional[str], typer.Option("--engine", help="Graphviz layout: dot, or sfdp for "
                                                  "very big flat graphs (default: dot; sfdp for teams "
                                                  "or tribe views of more than 60).")] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=0, max=86_400, envvar="DEPGRAPH_RENDER_TIMEOUT",
                                           callback=finite, help="Seconds Graphviz may run (0: no limit).")] = DEFAULT_TIMEOUT,
    max_nodes: Annotated[int, typer.Option("--max-nodes", min=0, max=10_000_000, help="Above this many nodes draw "
                                           "teams (or tribes) instead (0: never).")] = MAX_NODES,
    quiet: QuietOption = False,
) -> None:
    """Draw the landscape: services, teams or deployment, marked with cycles, SPOFs and owners.

    Example: depgraph render --view services --focus playlist --depth 2 -o playlist.svg
    """
    from depgraph.analysis import analyze
    from depgraph.diagrams import build_view

    chosen = _format(format, output)
    if chosen is not RenderFormat.dot and output is None:
        fail(f"--format {chosen.value} needs -o FILE")

    from depgraph.cli.progress import progress

    with progress(quiet=quiet) as shown:  # on a terminal only
        with shown.stage("loading descriptors"):
            catalog = load(descriptors, quiet)
        with shown.stage("analysing"):
            analysis = analyze(catalog)
        with shown.stage("drawing"):
            diagram = build_view(analysis, view.value, cluster, focus, depth, max_nodes)
    for note in diagram.notes:
        warn(f"depgraph: note: {note}")
    if output is None:
        emit(diagram.dot.rstrip("\n"))
        return
    write_diagram(diagram.dot, output, chosen.value, engine or diagram.engine, timeout or None)
    if not quiet:
        warn(f"wrote {output} ({diagram.view} view, {diagram.level} level, {diagram.nodes} "
         f"{'hosts' if diagram.view == 'deployment' else 'nodes'})")


def _format(format: RenderFormat | None, output: Path | None) -> RenderFormat:
    if format is not None:
        return format
    suffix = output.suffix.lower().lstrip(".") if output else ""
    return RenderFormat(suffix) if suffix in {f.value for f in RenderFormat} else RenderFormat.dot


def write_diagram(dot: str, output: Path, format: str, engine: str = "dot",
                  timeout: float | None = DEFAULT_TIMEOUT) -> None:
    """Write ``dot`` as ``format`` (dot, svg or png) to ``output`` atomically. When Graphviz is
    missing or fails, write the DOT beside ``output`` and stop with exit 2 and the reason.
    Shared with ``blast-radius --format svg``."""
    from depgraph.output.atomic import write_bytes, write_text
    from depgraph.diagrams.render import RenderError, render

    if format == "dot":
        write_text(output, dot)
        return
    try:
        image = render(dot, format, engine, timeout)
    except RenderError as exc:
        dot_path = write_text(_dot_beside(output), dot)
        fail(f"{exc}; the diagram's DOT source is in {dot_path}")
    for message in image.warnings:  # e.g. "too large for cairo-renderer bitmaps. Scaling by 0.247"
        warn(f"depgraph: Graphviz: {terminal(message)}")
    write_bytes(output, image.data)


def _dot_beside(output: Path) -> Path:
    return output.with_suffix(".dot") if output.suffix.lower() != ".dot" else output.with_name(output.name + ".dot")
