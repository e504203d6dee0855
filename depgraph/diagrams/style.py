"""How the diagrams look: one palette, node and edge styles for what the analyses found, a legend.

Every view draws services the same way, so a reader learns the code once:

- tier: fill colour and size (tier 1 dark blue and largest, tier 3 white and smallest);
- single point of failure: red bold octagon, labelled ``SPOF: N down``;
- unowned service: dashed grey outline, grey fill, labelled ``unowned``;
- deprecated service: grey text, corners struck (``diagonals``), labelled ``deprecated``;
- client: a ``house`` shape in lavender;
- edges: hard solid, soft dashed, ``any_of`` alternatives with a hollow arrow head, hard
  cycles red and thick, soft-only cycles purple.
"""

from __future__ import annotations

from depgraph.diagrams.dotescape import Html, clean, html_text
from depgraph.diagrams.dotwriter import DotGraph
from depgraph.diagrams.marks import Marks

FONT = "Helvetica"
EDGE = "#6b6b6b"
RED = "#d62728"
PURPLE = "#8e44ad"
GREY = "#9a9a9a"
FAINT = "#c8c8c8"
FOCUS = "#1f4e99"
TIER_FILL = {1: "#9ecae1", 2: "#deebf7", 3: "#ffffff"}
TIER_FONT = {1: 14.0, 2: 12.0, 3: 10.0}
CLIENT_FILL = "#e5dcf3"
DESCRIPTION_LIMIT = 300


FAST_LAYOUT_NODES = 80
# Graphviz's network simplex dominates dot's time on big dense graphs; bounding its iterations
# (and crossing minimisation) keeps 250 services under half a minute instead of over two
# (docs/diagrams.md has the numbers). Small diagrams keep the full-quality defaults.
FAST_LAYOUT = {"nslimit": 1.0, "nslimit1": 1.0, "mclimit": 0.2}


def base_graph(**graph_attrs) -> DotGraph:
    """A DotGraph with the shared defaults: top-down, Helvetica, compact spacing."""
    graph = {"rankdir": "TB", "fontname": FONT, "fontsize": 12.0, "newrank": True,
             "nodesep": 0.25, "ranksep": 0.55, "outputorder": "edgesfirst", "labelloc": "t",
             "labeljust": "l", "bgcolor": "white", "pad": 0.2, **graph_attrs}
    return DotGraph(
        graph=graph,
        node_defaults={"fontname": FONT, "fontsize": 12.0, "shape": "box", "style": "rounded,filled",
                       "fillcolor": "white", "color": "#4a4a4a", "margin": "0.12,0.05"},
        edge_defaults={"fontname": FONT, "fontsize": 9.0, "color": EDGE, "arrowsize": 0.7},
    )


def tooltip(entity) -> str:
    """The hover text of a node: ``kind:name``, its description (user text, cleaned)."""
    parts = [entity.id]
    if getattr(entity, "description", None):
        parts.append(clean(entity.description, DESCRIPTION_LIMIT))
    return " — ".join(parts)


def spof_scale(marks: Marks, entities) -> list[tuple[int, int]]:
    """The classes of "takes N down" among the drawn single points of failure."""
    return count_classes(marks.spofs.get(e.id, 0) for e in entities)


def spof_border(down: int, scale: list | None) -> dict:
    """Outline of a single point of failure: darker and thicker the more it takes down."""
    if not scale:
        return {"color": RED, "penwidth": 2.5}
    _, border = count_shade(down, scale)
    return {"color": border, "penwidth": 1.5 + SPOF_BORDER.index(border)}


def service_node(entity, marks: Marks, focus: frozenset = frozenset(), scale: list | None = None) -> dict:
    """Node attributes of a service or client, with every mark that applies to it (a SPOF's
    outline on ``scale``, from :func:`spof_scale`, when given)."""
    node_id = entity.id
    notes: list[str] = []
    if entity.kind == "client":
        attrs = {"shape": "house", "fillcolor": CLIENT_FILL, "fontsize": 12.0}
    else:
        tier = entity.tier if entity.tier in TIER_FILL else 2
        attrs = {"fillcolor": TIER_FILL[tier], "fontsize": TIER_FONT[tier]}
        notes.append(f"tier {entity.tier}")
        if entity.lifecycle == "deprecated":
            notes.append("deprecated")
            attrs.update(style="rounded,filled,diagonals", fontcolor="#777777", fillcolor="#eeeeee")
        elif entity.lifecycle == "experimental":
            notes.append("experimental")
    if node_id in marks.unowned:
        notes.append("unowned")
        style = attrs.get("style", "rounded,filled")
        attrs.update(style=style + ",dashed", color=GREY, fillcolor="#eeeeee", fontcolor="#555555")
    if node_id in marks.spofs:
        spof_line = f"SPOF: {marks.spofs[node_id]} down"
        attrs.update(shape="octagon", style=attrs.get("style", "rounded,filled").replace("rounded,", ""),
                     **spof_border(marks.spofs[node_id], scale))
    if node_id in focus:
        attrs.update(penwidth=3.5, color=FOCUS if node_id not in marks.spofs else RED)
    lines = [entity.name, " · ".join(notes), spof_line if node_id in marks.spofs else ""]
    attrs["label"] = "\n".join(line for line in lines if line)
    attrs["tooltip"] = tooltip(entity)
    return attrs


def dependency_edge(source: str, target: str, entry_type: str, any_of: bool, marks: Marks) -> dict:
    """Edge attributes of a dependency: hard solid, soft dashed, cycles coloured."""
    attrs: dict = {"tooltip": f"{source} -> {target} ({entry_type}{', any_of' if any_of else ''})"}
    if entry_type == "soft":
        attrs["style"] = "dashed"
    if any_of:
        attrs["arrowhead"] = "empty"
    if (source, target) in marks.hard_cycle_edges:
        attrs.update(color=RED, penwidth=2.5)
    elif (source, target) in marks.soft_cycle_edges:
        attrs.update(color=PURPLE, penwidth=1.8)
    return attrs


def edge_kinds(catalog) -> dict[tuple[str, str], tuple[str, bool]]:
    """``(dependent, target) -> (type, any_of)``: hard wins over soft, a plain entry over any_of."""
    kinds: dict[tuple[str, str], tuple[str, bool]] = {}
    for entity in (*catalog.services.values(), *catalog.clients.values()):
        for dep in entity.dependencies:
            for target in dep.targets:
                key = (entity.id, f"service:{target}")
                new = (dep.type, dep.is_group)
                old = kinds.get(key)
                if old is None or (new[0] == "hard", not new[1]) > (old[0] == "hard", not old[1]):
                    kinds[key] = new
    return kinds


SPOF_RAMP = ("#fee0d2", "#fcbba1", "#fb6a4a", "#cb181d")  # light to dark: few to many SPOFs
SPOF_BORDER = ("#fc9272", "#ef3b2c", "#cb181d", "#67000d")


def count_classes(counts, classes: int = len(SPOF_RAMP)) -> list[tuple[int, int]]:
    """Up to ``classes`` ranges ``(low, high)`` that cut the counts above zero into groups of about
    equal size (equal counts never split), lowest first: a colour scale that tells the drawn
    nodes apart whatever their size, where a fixed "has one" mark would colour every node of a
    big landscape the same.

    >>> count_classes([0, 5, 6, 7, 9, 9, 9, 12, 23])
    [(5, 6), (7, 9), (12, 12), (23, 23)]
    >>> count_classes([0, 3, 3, 3])
    [(3, 3)]
    """
    values = sorted(c for c in counts if c > 0)
    ranges: list[tuple[int, int]] = []
    start = 0
    for k in range(1, classes + 1):
        end = max(round(k * len(values) / classes), start + 1)
        if start >= len(values):
            break
        while end < len(values) and values[end] == values[end - 1]:
            end += 1
        ranges.append((values[start], values[end - 1]))
        start = end
    return ranges


def count_shade(count: int, ranges: list[tuple[int, int]]) -> tuple[str, str]:
    """``(fill, border)`` of ``count`` on the scale of :func:`count_classes` (its ranges spread
    over the whole ramp, so two classes are light and dark, not the two lightest)."""
    index = next(i for i, (_, high) in enumerate(ranges) if count <= high)
    step = index * (len(SPOF_RAMP) - 1) // max(len(ranges) - 1, 1) if len(ranges) > 1 else 2
    return SPOF_RAMP[step], SPOF_BORDER[step]


def range_text(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}–{high}"


def add_legend(graph: DotGraph, items: list[tuple[str, dict]], edges: list[tuple[str, dict]]) -> None:
    """A legend cluster: one sample node per ``(label, node attrs)`` item and one sample edge
    per ``(label, edge attrs)``, only for what the diagram shows."""
    cluster = ("legend",)
    graph.add_cluster(cluster, label="legend", fontsize=11.0, color="#bbbbbb", style="rounded",
                      fontcolor="#555555")
    for number, (label, attrs) in enumerate(items):
        graph.add_node(f"legend:n{number:02d}", cluster=cluster, **{"fontsize": 10.0, **attrs,
                                                                     "label": label, "tooltip": label})
    for number, (label, attrs) in enumerate(edges):
        tail, head = f"legend:e{number:02d}a", f"legend:e{number:02d}b"
        for node in (tail, head):
            graph.add_node(node, cluster=cluster, shape="point", width=0.05, color="#888888",
                           style="filled", label="")
        graph.add_edge(tail, head, label=f" {label}", minlen=1, **attrs)
        if graph.graph.get("rankdir") != "LR":  # left to right, consecutive ranks already lie side by side
            graph.same_rank((tail, head), cluster)
    if graph.graph.get("rankdir") == "LR":
        # left to right, items on one rank would stack into a column as tall as the legend is long:
        # chain them invisibly (after the edge samples) into a row instead
        chain = (["legend:e00b"] if edges else []) + [f"legend:n{number:02d}" for number in range(len(items))]
        for tail, head in zip(chain, chain[1:]):
            graph.add_edge(tail, head, key="legend", style="invis")


def html_table(rows: list[str], **attrs) -> Html:
    """An HTML-like ``<TABLE>`` label from already escaped rows of ``<TR>`` markup."""
    table_attrs = " ".join(f'{key.upper()}="{html_text(value)}"' for key, value in sorted(attrs.items()))
    return Html(f"<TABLE {table_attrs}>" + "".join(rows) + "</TABLE>")
