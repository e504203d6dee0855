"""The report folder: ``index.html``, ``report.md``, ``report.json`` and the diagrams, from one analysis.

:func:`write_report` writes every file atomically (``depgraph.output.atomic``), diagrams first and
``index.html`` last, and never inside the descriptor tree it reports on. Diagrams are DOT from
``depgraph.diagrams`` turned into SVG by Graphviz (through ``depgraph.diagrams.render``); when Graphviz is
missing the ``.dot`` files are written instead and the report says so. Views too big to lay out
(thousands of nodes) are drawn at a coarser level or left out, with a notice.
"""


from dataclasses import dataclass, field
from pathlib import Path

from depgraph.output import jsontext
from depgraph.output.atomic import check_inside, write_text
from depgraph.diagnostics import DepgraphError, UsageError
from depgraph.cli.progress import Progress
from depgraph.output.escape import json_text
from depgraph.reporters.html import render_html
from depgraph.reporters.jsondoc import analysis_json
from depgraph.reporters.markdown import render_analysis

DIAGRAM_FOLDER = "diagrams"
MAX_SERVICES_DRAWN = 400  # services + clients in the services view
MAX_SERVICES_INLINE = 150  # inlined into index.html, highlighted on selection
MAX_GROUPS_DRAWN = 300  # teams (else tribes) in the teams view; racks or hosts in deployment
# Above MAX_GROUPS_DRAWN teams the report draws tribes, up to MAX_TRIBES_DRAWN; big team and tribe
# graphs keep each group's heaviest edges and are laid out by sfdp past 60 groups (the
# measurements are with depgraph.diagrams.teams.drawable_teams_graph).
MAX_TRIBES_DRAWN = 1000


@dataclass
class Diagram:
    """One view: its DOT text, the file stem, a title, and the SVG once rendered."""

    stem: str
    title: str
    dot: str
    svg: str | None = None
    engine: str = "dot"


@dataclass
class ReportOutcome:
    """What :func:`write_report` wrote, and what the user should know about it."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def refuse_inside(output: Path, descriptors: Path | None) -> None:
    """Raise UsageError when ``output`` is the descriptor folder or inside it."""
    if descriptors is None:
        return
    out, source = Path(output).resolve(), Path(descriptors).resolve()
    if out == source or source in out.parents:
        raise UsageError(f"refusing to write the report into the descriptor folder {descriptors}: "
                         "choose an output folder outside it (e.g. -o output)")


def write_report(analysis, output: Path, descriptors: Path | None = None,
                 progress: Progress | None = None, drift=None) -> ReportOutcome:
    """Write the whole report folder for ``analysis`` into ``output`` (``drift``: a DriftReport
    whose undeclared calls the page shows on their callers)."""
    progress = progress or Progress()
    refuse_inside(output, descriptors)
    output = Path(output)
    outcome = ReportOutcome(output)
    with progress.stage("rendering diagrams"):
        diagrams = _render_diagrams(analysis, outcome)
    for name in (f"{DIAGRAM_FOLDER}/x.svg", "report.json", "report.md", "index.html"):
        check_inside(output / name, output)  # a planted link refuses the run before any write
    links = []
    for diagram in diagrams:
        suffix = "svg" if diagram.svg is not None else "dot"
        path = output / DIAGRAM_FOLDER / f"{diagram.stem}.{suffix}"
        outcome.files.append(write_text(path, diagram.svg if diagram.svg is not None else diagram.dot,
                                        within=output))
        if diagram.svg is not None:
            outcome.files.append(write_text(path.with_suffix(".dot"), diagram.dot, within=output))
        links.append({"title": diagram.title, "file": f"{DIAGRAM_FOLDER}/{path.name}"})
    with progress.stage("writing report.json and report.md"):
        document = analysis_json(analysis)
        outcome.files.append(write_text(output / "report.json",
                                        json_text(jsontext.dumps(document)) + "\n", within=output))
        markdown = render_analysis(analysis)
        if outcome.notices:
            markdown += "\n" + "\n".join(f"> {line}" for line in outcome.notices) + "\n"
        outcome.files.append(write_text(output / "report.md", markdown, within=output))
    with progress.stage("writing index.html: blast radius per service") as stage:
        inline = next((d.svg for d in diagrams if d.stem == "services" and d.svg), None)
        if len(analysis.catalog.services) + len(analysis.catalog.clients) > MAX_SERVICES_INLINE:
            inline = None
        page = render_html(analysis, svg=inline, notices=outcome.notices, diagrams=links,
                           advance=stage.advance, drift=drift)
        outcome.files.append(write_text(output / "index.html", page, within=output))
    return outcome


def _render_diagrams(analysis, outcome: ReportOutcome) -> list[Diagram]:
    diagrams = _diagram_sources(analysis, outcome)
    to_svg = _svg_renderer()
    for diagram in diagrams:
        try:
            diagram.svg = to_svg(diagram.dot, diagram.engine) if to_svg else None
        except (DepgraphError, OSError) as exc:  # Graphviz missing, failing or too slow: keep the DOT
            if not any("Graphviz" in notice for notice in outcome.notices):
                outcome.notices.append(f"Graphviz could not draw the diagrams ({_reason(exc)}); "
                                       f"the .dot files are in {DIAGRAM_FOLDER}/ (install Graphviz "
                                       "and run again, or render them with `dot -Tsvg`).")
            to_svg = None
    if diagrams and to_svg is None and not outcome.notices:
        outcome.notices.append(f"Graphviz is not installed: the diagrams are .dot files in "
                               f"{DIAGRAM_FOLDER}/ (install Graphviz for SVG).")
    return diagrams


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _svg_renderer():
    """``dot text -> svg text`` from depgraph.diagrams.render, or None when Graphviz is missing."""
    try:
        from depgraph.diagrams import render
    except ImportError:
        return None
    available = getattr(render, "graphviz_available", None)
    if callable(available) and not available():
        return None
    to_svg = getattr(render, "to_svg", None)
    if to_svg is None:
        return None

    def convert(dot: str, engine: str = "dot") -> str:
        svg = to_svg(dot, engine=engine)
        return svg.decode("utf-8") if isinstance(svg, bytes) else svg

    return convert


def _diagram_sources(analysis, outcome: ReportOutcome) -> list[Diagram]:
    """The views worth drawing at this size, as DOT."""
    try:
        from depgraph.diagrams.deployment import deployment_dot
        from depgraph.diagrams.marks import marks_of
        from depgraph.diagrams.services import services_dot
        from depgraph.diagrams.teams import drawable_teams_graph
    except ImportError:
        return []
    catalog = analysis.catalog
    marks = marks_of(analysis)
    diagrams = []
    nodes = len(catalog.services) + len(catalog.clients)
    if nodes <= MAX_SERVICES_DRAWN:
        diagrams.append(Diagram("services", "Services by team", services_dot(marks)))
    else:
        outcome.notices.append(f"{nodes:,} services and clients are too many to draw in one "
                               "diagram; use `depgraph render --focus SERVICE` for a neighbourhood.")
    tribes = {team.tribe for team in catalog.teams.values()}
    level = "team" if len(catalog.teams) <= MAX_GROUPS_DRAWN else "tribe"
    if level == "team" or len(tribes) <= MAX_TRIBES_DRAWN:
        graph, engine, note = drawable_teams_graph(marks, level=level)
        if note:
            outcome.notices.append(f"The {level} diagram: {note} (`depgraph render --view teams "
                                   "--focus SERVICE` draws a neighbourhood in full).")
        diagrams.append(Diagram("teams", f"{level.capitalize()} dependencies", graph.to_dot(), engine=engine))
    else:
        outcome.notices.append(f"{len(tribes):,} tribes are too many to draw; use `depgraph render "
                               "--view teams --focus SERVICE` for a neighbourhood.")
    if nodes <= MAX_SERVICES_DRAWN:  # every view lists the services somewhere
        from depgraph.diagrams import MAX_TABLE_ROWS, table_rows

        levels = ("host", "rack", "datacenter")
        first = 0 if len(catalog.hosts) <= MAX_GROUPS_DRAWN else 1 if len(catalog.racks()) <= MAX_GROUPS_DRAWN else 2
        for level in levels[first:]:  # the finest level short enough to read
            dot = deployment_dot(marks, level=level)
            if table_rows(dot) <= MAX_TABLE_ROWS:
                diagrams.append(Diagram("deployment", f"Deployment by {level}", dot))
                break
        else:
            outcome.notices.append("The deployment diagram would be too tall to read; use `depgraph render "
                                   "--view deployment --focus datacenter:NAME --depth 0` for one data center.")
    return diagrams
