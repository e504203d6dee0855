"""The services view: services and clients, their dependencies, clustered by owner or location.

Clusters (``cluster``): ``team`` (tribe clusters holding team clusters, the default), ``tribe``
(tribe clusters only), ``datacenter`` (by footprint: one cluster per set of data centers a
service runs in, so everything in "lon1 only" falls with lon1), or ``none``. Services without
a declared owner team sit in an "unowned" cluster. Marks come from :mod:`.style`.

Dependencies run left to right (``rankdir=LR``). Top to bottom, dot sets the tribe clusters side
by side and each spans every rank, so the bundled example was a 4:1 strip (7,729 × 1,948 px)
that only fits a page shrunk past reading; left to right the clusters stack vertically and the
same picture is 3,906 × 6,041 px (legend included), readable at 100% and scrolled like a page. (Wrapping the
tribes into rows with invisible edges does not work in dot: an edge may not cross a cluster's
box, so the rows drift apart into a staircase wider than the strip.)
"""

from __future__ import annotations

from depgraph.diagrams import style
from depgraph.diagrams.dotwriter import DotGraph
from depgraph.diagrams.marks import Marks

UNOWNED_CLUSTER = "unowned"


def services_dot(marks: Marks, shown: set[str] | None = None, cluster: str = "team",
                 focus: frozenset = frozenset(), title: str | None = None, legend: bool = True) -> str:
    """DOT text of the services view for the nodes in ``shown`` (all services and clients when
    None), with the dependency edges between them."""
    return services_graph(marks, shown, cluster, focus, title, legend).to_dot()


def services_graph(marks: Marks, shown: set[str] | None = None, cluster: str = "team",
                   focus: frozenset = frozenset(), title: str | None = None,
                   legend: bool = True) -> DotGraph:
    catalog = marks.catalog
    entities = [e for e in (*catalog.services.values(), *catalog.clients.values())
                if shown is None or e.id in shown]
    graph = style.base_graph(label=title or _title(entities, cluster), fontsize=16.0, rankdir="LR")
    if len(entities) > style.FAST_LAYOUT_NODES:
        graph.graph.update(style.FAST_LAYOUT)
    scale = style.spof_scale(marks, entities)
    for entity in entities:
        path = cluster_path(catalog, entity, cluster)
        for depth in range(1, len(path) + 1):
            graph.add_cluster(path[:depth], **_cluster_attrs(catalog, path[depth - 1], depth))
        graph.add_node(entity.id, cluster=path, **style.service_node(entity, marks, focus, scale))
    ids = {e.id for e in entities}
    for (source, target), (kind, any_of) in sorted(style.edge_kinds(catalog).items()):
        if source in ids and target in ids:
            graph.add_edge(source, target, **style.dependency_edge(source, target, kind, any_of, marks))
    if legend:
        add_services_legend(graph, marks, entities)
    return graph


def _title(entities, cluster: str) -> str:
    services = sum(1 for e in entities if e.kind == "service")
    clients = len(entities) - services
    by = {"team": "by tribe and team", "tribe": "by tribe", "datacenter": "by data centers",
          "none": "unclustered"}[cluster]
    return f"Services: {services} services, {clients} clients, {by}"


def cluster_path(catalog, entity, cluster: str) -> tuple[str, ...]:
    """The cluster keys (outermost first) an entity is drawn in."""
    if cluster == "none":
        return ()
    if cluster == "datacenter":
        return (footprint(entity),)
    team = catalog.owner_team(entity)
    if team is None:
        return (UNOWNED_CLUSTER,)
    if team.tribe is None:
        return (team.id,)
    tribe = f"tribe:{team.tribe}"
    return (tribe, team.id) if cluster == "team" else (tribe,)


def footprint(entity) -> str:
    """``dc:a+b``: the data centers an entity runs in; ``dc:-`` for clients and services with no
    deployments."""
    centers = sorted({d.datacenter for d in getattr(entity, "deployments", ())})
    return "dc:" + ("+".join(centers) if centers else "-")


def _cluster_attrs(catalog, key: str, depth: int) -> dict:
    base = {"style": "rounded,filled", "fontsize": 13.0 if depth == 1 else 11.0}
    if key == UNOWNED_CLUSTER:
        return {**base, "label": "unowned (no declared owner team)", "style": "rounded,dashed",
                "color": style.GREY, "fontcolor": "#555555"}
    if key.startswith("dc:"):
        centers = key[3:]
        label = "no deployments (clients, libraries)" if centers == "-" else (
            f"{centers.replace('+', ' + ')}" + (" only" if "+" not in centers else ""))
        single = "+" not in centers and centers != "-"
        return {**base, "label": label, "fillcolor": "#fff4f0" if single else "#f7f7f7",
                "color": "#e08e79" if single else "#bbbbbb"}
    kind, _, name = key.partition(":")
    if kind == "tribe":
        return {**base, "label": f"tribe {name}", "fillcolor": "#f4f4f4", "color": "#aaaaaa"}
    return {**base, "label": name, "fillcolor": "#fcfcfc", "color": "#cccccc"}


def add_services_legend(graph: DotGraph, marks: Marks, entities) -> None:
    """The legend entries for what this services diagram shows."""
    ids = {e.id for e in entities}
    services = [e for e in entities if e.kind == "service"]
    items = [(f"tier {tier}", {"fillcolor": style.TIER_FILL[tier], "fontsize": style.TIER_FONT[tier]})
             for tier in (1, 2, 3) if any(s.tier == tier for s in services)]
    if any(e.kind == "client" for e in entities):
        items.append(("client", {"shape": "house", "fillcolor": style.CLIENT_FILL}))
    scale = style.spof_scale(marks, entities)
    for low, high in scale:  # outline darker and thicker the more a SPOF takes down
        items.append((f"single point of failure\ntaking {style.range_text(low, high)} down",
                      {"shape": "octagon", "style": "filled", **style.spof_border(high, scale)}))
    if ids & set(marks.unowned):
        items.append(("unowned", {"style": "rounded,filled,dashed", "color": style.GREY,
                                  "fillcolor": "#eeeeee"}))
    if any(s.lifecycle == "deprecated" for s in services):
        items.append(("deprecated", {"style": "rounded,filled,diagonals", "fillcolor": "#eeeeee",
                                     "fontcolor": "#777777"}))
    edges = [("hard", {}), ("soft", {"style": "dashed"})]
    kinds = {k: v for k, v in style.edge_kinds(marks.catalog).items() if k[0] in ids and k[1] in ids}
    if any(any_of for _, any_of in kinds.values()):
        edges.append(("any_of alternative", {"arrowhead": "empty"}))
    if any(k in marks.hard_cycle_edges for k in kinds):
        edges.append(("hard cycle", {"color": style.RED, "penwidth": 2.5}))
    if any(k in marks.soft_cycle_edges for k in kinds):
        edges.append(("soft-only cycle", {"color": style.PURPLE, "penwidth": 1.8}))
    style.add_legend(graph, items, edges)
