"""A Mermaid flowchart for Markdown reports: the services when few, else the teams, else none.

Node ids are generated (``n0``, ``n1``, …) and every label goes through :func:`mermaid_label`,
which writes anything but letters, digits and a few harmless marks as a Mermaid entity code
(``#60;``), so no name, tribe or description can close a label or inject a directive.
"""

from __future__ import annotations

import re

MAX_SERVICES = 60  # services (clients come along) drawn one by one up to this many
MAX_TEAMS = 60

_SAFE = re.compile(r"[A-Za-z0-9 ._:/()-]")

_CLASSES = [
    "classDef client fill:#eef4ff,stroke:#4a6fa5",
    "classDef spof fill:#fde2e1,stroke:#c0392b,color:#7b1d14",
    "classDef cycle stroke:#c0392b,stroke-width:3px",
]


def mermaid_label(value: object) -> str:
    """A quoted Mermaid label showing ``value`` literally.

    >>> mermaid_label('a"]; x [<b>')
    '"a#34;#93;#59; x #91;#60;b#62;"'
    """
    chars = (c if _SAFE.fullmatch(c) else f"#{ord(c)};" for c in " ".join(str(value).split()))
    return '"' + "".join(chars) + '"'


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
    number = {node_id: f"n{i}" for i, node_id in enumerate(ids)}
    spofs = {spof.component for spof in analysis.spofs}
    in_cycles = {member for cycle in analysis.cycles if cycle.hard for member in cycle.members}
    lines = ["flowchart LR"]
    for node_id in ids:
        kind, _, name = node_id.partition(":")
        classes = [c for c, on in (("client", kind == "client"), ("spof", node_id in spofs),
                                   ("cycle", node_id in in_cycles)) if on]
        suffix = f":::{classes[0]}" if classes else ""
        lines.append(f"  {number[node_id]}[{mermaid_label(name)}]{suffix}")
        for extra in classes[1:]:
            lines.append(f"  class {number[node_id]} {extra}")
    for node_id in ids:
        entity = catalog.entity(node_id)
        for dep in entity.dependencies:
            arrow = "-->" if dep.hard else "-.->"
            label = "|any of|" if dep.is_group and len(dep.targets) > 1 else ""
            for target in sorted(set(dep.targets)):
                lines.append(f"  {number[node_id]} {arrow}{label} {number[f'service:{target}']}")
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
    number = {team: f"t{i}" for i, team in enumerate(teams)}
    lines = ["flowchart LR"]
    lines += [f"  {number[team]}[{mermaid_label(team)}]" for team in teams]
    lines += [f"  {number[a]} -->|{count}| {number[b]}" for (a, b), count in sorted(edges.items())]
    return lines
