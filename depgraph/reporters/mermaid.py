"""A Mermaid flowchart for Markdown reports: the services when few, else the teams, else none.

Node ids are generated (``n0``, ``n1``, …) and every label is escaped by the one Mermaid writer,
:mod:`depgraph.output.mermaid`.
"""

from __future__ import annotations

from depgraph.output.mermaid import ARROWS, edge, node, numbered_ids

MAX_SERVICES = 60  # services (clients come along) drawn one by one up to this many
MAX_TEAMS = 60

_CLASSES = [
    "classDef client fill:#eef4ff,stroke:#4a6fa5",
    "classDef spof fill:#fde2e1,stroke:#c0392b,color:#7b1d14",
    "classDef cycle stroke:#c0392b,stroke-width:3px",
]


def mermaid_block(analysis) -> tuple[str, str] | None:
    """``(section title, fenced mermaid block)``, or None when the landscape is too big."""
    catalog = analysis.catalog
    if len(catalog.services) <= MAX_SERVICES:
        return "Dependency graph", _fence(_service_chart(analysis))
    if 0 < len(catalog.teams) <= MAX_TEAMS:
        return "Team dependencies", _fence(_team_chart(catalog))
    return None


def _fence(lines: list[str]) -> str:
    return "\n".join(["```mermaid", *lines, "```"])


def _service_chart(analysis) -> list[str]:
    catalog = analysis.catalog
    ids = sorted([*(s.id for s in catalog.services.values()), *(c.id for c in catalog.clients.values())])
    number = numbered_ids(ids)
    spofs = {spof.component for spof in analysis.spofs}
    in_cycles = {member for cycle in analysis.cycles if cycle.hard for member in cycle.members}
    lines = ["flowchart LR"]
    for node_id in ids:
        kind, _, name = node_id.partition(":")
        classes = [c for c, on in (("client", kind == "client"), ("spof", node_id in spofs),
                                   ("cycle", node_id in in_cycles)) if on]
        lines.append(node(number[node_id], name, css_class=classes[0] if classes else None))
        for extra in classes[1:]:
            lines.append(f"  class {number[node_id]} {extra}")
    for node_id in ids:
        entity = catalog.entity(node_id)
        for dep in entity.dependencies:
            text = "any of" if dep.is_group and len(dep.targets) > 1 else None
            for target in sorted(set(dep.targets)):
                lines.append(edge(number[node_id], number[f"service:{target}"], ARROWS[dep.type], text))
    return lines + [f"  {line}" for line in _CLASSES]


def _team_chart(catalog) -> list[str]:
    """Teams joined by an arrow when a service or client of one depends on one of the other's."""
    def team_of(entity) -> str:
        return entity.owner if entity.owner in catalog.teams else "(unowned)"

    edges: dict[tuple[str, str], int] = {}
    for entity in [*catalog.services.values(), *catalog.clients.values()]:
        for dep in entity.dependencies:
            for target in dep.targets:
                pair = (team_of(entity), team_of(catalog.services[target]))
                if pair[0] != pair[1]:
                    edges[pair] = edges.get(pair, 0) + 1
    teams = sorted({*catalog.teams, *(t for pair in edges for t in pair)})
    number = numbered_ids(teams, "t")
    lines = ["flowchart LR"]
    lines += [node(number[team], team) for team in teams]
    lines += [edge(number[a], number[b], text=str(count)) for (a, b), count in sorted(edges.items())]
    return lines
