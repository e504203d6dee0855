"""The views of a landscape as DOT, and the limits that keep them legible (see the package
docstring, :mod:`depgraph.diagrams`)."""


from __future__ import annotations

from dataclasses import dataclass

from depgraph.diagrams.render import MAX_NODES  # noqa: F401  (the measured threshold lives with the Graphviz adapter)
from depgraph.diagnostics import UsageError
from depgraph.diagrams.blast import blast_radius_dot
from depgraph.diagrams.deployment import deployment_dot
from depgraph.diagrams.focus import focus_seeds, neighbourhood
from depgraph.diagrams.hub import hub_graph
from depgraph.diagrams.marks import Marks, marks_of
from depgraph.diagrams.services import services_dot
from depgraph.diagrams.teams import drawable_teams_graph, group_count, teams_dot

VIEWS = ("services", "deployment", "teams")
CLUSTERS = {
    "services": ("team", "tribe", "datacenter", "none"),
    "teams": ("team", "tribe", "none"),
    "deployment": ("host", "rack", "datacenter"),
}
MAX_HOSTS = 1500
# A deployment table row is ~21 pt tall; Graphviz caps a bitmap at 32,767 px (about 24,500 pt at
# 96 dpi) and shrinks anything taller past reading. Measured at 2,000 services: 4,803 rows, 99,327 pt.
MAX_TABLE_ROWS = 1000
POINTS_PER_ROW = 21


@dataclass(frozen=True)
class Diagram:
    """One drawn view: the DOT text, the view and level actually drawn, nodes (or hosts, for the
    deployment view) drawn, and notes for the user (what was collapsed and why)."""

    dot: str
    view: str
    level: str
    nodes: int
    notes: tuple[str, ...] = ()
    engine: str = "dot"  # the Graphviz layout that suits it (sfdp for big group views)


def render_view(analysis, view: str = "services", cluster: str | None = None, focus: str | None = None,
                depth: int = 1, max_nodes: int = MAX_NODES) -> str:
    """DOT text of ``view`` for an Analysis (or a Catalog: then without SPOF marks)."""
    return build_view(analysis, view, cluster, focus, depth, max_nodes).dot


def build_view(analysis, view: str = "services", cluster: str | None = None, focus: str | None = None,
               depth: int = 1, max_nodes: int = MAX_NODES, max_hosts: int = MAX_HOSTS) -> Diagram:
    """Build ``view`` (see the module docstring); UsageError for an unknown view or cluster."""
    if view not in VIEWS:
        raise UsageError(f"unknown view '{view}' (one of {', '.join(VIEWS)})")
    choices = CLUSTERS[view]
    cluster = cluster or choices[0]
    if cluster not in choices:
        raise UsageError(f"--cluster {cluster} does not fit the {view} view (one of {', '.join(choices)})")
    if depth < 0:
        raise UsageError("--depth must be 0 or more")
    marks = marks_of(analysis)
    shown, seeds, title, component = _focus(marks, focus, depth)
    if view == "services":
        return _services(marks, cluster, shown, seeds, title, max_nodes, depth)
    if view == "teams":
        return _teams(marks, cluster, shown, seeds, title, max_nodes, ())
    only = component.partition(":")[2] if component and component.startswith("datacenter:") else None
    return _deployment(marks, cluster, shown, seeds, title, max_hosts if max_nodes else 0, only)


def _focus(marks: Marks, focus: str | None, depth: int):
    if focus is None:
        return None, frozenset(), None, None
    component, seeds = focus_seeds(marks.catalog, focus)
    shown = neighbourhood(marks.graph, seeds, depth)
    title = f"Around {component}: {depth} step{'s' if depth != 1 else ''} of dependencies and dependents"
    return shown, seeds, title, component


def _services(marks, cluster, shown, seeds, title, max_nodes, depth=1) -> Diagram:
    count = len(shown) if shown is not None else marks.graph.number_of_nodes()
    if max_nodes and count > max_nodes and seeds and len(seeds) <= max_nodes:
        graph, drawn = hub_graph(marks, seeds, depth, title)
        note = (f"{count:,} services and clients are more than --max-nodes {max_nodes}: drew the focus with its "
                "neighbours grouped by owner team")
        return Diagram(graph.to_dot(), "services", "grouped", drawn, (note,))
    if max_nodes and count > max_nodes:
        note = (f"{count} services and clients are more than --max-nodes {max_nodes}: drew the teams "
                "view instead (use --focus C, or --max-nodes 0 --engine sfdp for everything)")
        return _teams(marks, "team", shown, seeds, title, max_nodes, (note,))
    dot = services_dot(marks, shown, cluster, seeds, title)
    return Diagram(dot, "services", cluster, count)


def _teams(marks, cluster, shown, seeds, title, max_nodes, notes) -> Diagram:
    level = "tribe" if cluster == "tribe" else "team"
    teams = group_count(marks, "team", shown)
    if level == "team" and max_nodes and teams > max_nodes:
        notes += (f"{teams} teams are more than --max-nodes {max_nodes}: drew tribes instead",)
        level = "tribe"
    clusters = "none" if cluster == "none" else "tribe"
    if not max_nodes:  # --max-nodes 0: everything, as asked
        dot = teams_dot(marks, level, clusters, shown, seeds, title)
        return Diagram(dot, "teams", level, group_count(marks, level, shown), notes)
    graph, engine, note = drawable_teams_graph(marks, level, clusters, shown, seeds, title)
    notes += (f"{note} (use --focus C for detail, or --max-nodes 0 for every edge)",) if note else ()
    return Diagram(graph.to_dot(), "teams", level, group_count(marks, level, shown), notes, engine)


def _deployment(marks, level, shown, seeds, title, max_hosts, datacenter=None) -> Diagram:
    """The deployment view (of one data center when a data center is focused); refused with the
    smaller views to draw instead when it would be too tall to read."""
    from depgraph.diagrams.deployment import placements

    on_host, _ = placements(marks.catalog, shown)
    hosts = len(on_host) if shown is not None else len(marks.catalog.hosts)
    notes: tuple[str, ...] = ()
    if level == "host" and max_hosts and hosts > max_hosts:
        notes = (f"{hosts} hosts are more than {max_hosts}: drew services per rack instead "
                 "(use --focus C to see hosts)",)
        level = "rack"
    dot = deployment_dot(marks, level, shown, seeds, title, datacenter=datacenter)
    rows = table_rows(dot)
    if max_hosts and rows > MAX_TABLE_ROWS:
        raise UsageError(_too_tall(marks, shown, rows))
    return Diagram(dot, "deployment", level, hosts, notes)


def table_rows(dot: str) -> int:
    """How many table rows a deployment drawing holds (what makes it tall)."""
    return dot.count("<TR")


def _too_tall(marks: Marks, shown, rows: int) -> str:
    """Why a deployment view is refused, and the smaller views that show it instead."""
    per_dc: dict[str, int] = {}
    for service in marks.catalog.services.values():
        if shown is None or service.id in shown:
            for dc in {d.datacenter for d in service.deployments}:
                per_dc[dc] = per_dc.get(dc, 0) + 1
    biggest = ", ".join(f"datacenter:{dc} ({n:,} services)"
                        for dc, n in sorted(per_dc.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
    return (f"the deployment view would be {rows:,} table rows (~{rows * POINTS_PER_ROW:,} pt) tall, more than "
            f"{MAX_TABLE_ROWS:,}: Graphviz would shrink it past reading. Draw less: one data center at a time "
            f"(--focus datacenter:NAME --depth 0, with --cluster rack or datacenter; the biggest: {biggest}), a team or a "
            "service (--focus team:NAME), or pass --max-nodes 0 to draw it anyway")


__all__ = ["VIEWS", "CLUSTERS", "Diagram", "build_view", "render_view", "blast_radius_dot", "marks_of"]
