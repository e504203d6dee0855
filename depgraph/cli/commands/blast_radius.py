"""``depgraph blast-radius COMPONENT…``: what fails with them, and whom to call.

The computation is :func:`blast_radius_impact` (names -> :class:`~depgraph.failure.engine.Impact`); each
output format is one function ``(catalog, impact) -> str | dict`` in :data:`RENDERERS`, so a new
format (a diagram) is one more function and one more :class:`BlastFormat` member.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.load.cache import load_model
from depgraph.cli.kit import DescriptorsOption, emit, emit_json, fail, load, print_load_warnings, state, warn
from depgraph.failure.engine import FailureModel, Impact, resolve_component, resolve_in, simulate
from depgraph.model import Catalog

SCHEMA = "depgraph/blast-radius/v1"
CONTACT_ORDER = ("pager", "phone", "slack", "email")
DEGRADED_SHOWN = 40  # degraded rows in text; down is always listed in full


class BlastFormat(str, Enum):
    text = "text"
    json = "json"
    dot = "dot"
    svg = "svg"


def register(app: typer.Typer) -> None:
    app.command("blast-radius")(blast_radius)


def blast_radius(
    components: Annotated[list[str], typer.Argument(
        metavar="COMPONENT…",
        help="What fails: service:x, host:x, rack:dc/r, datacenter:x, or a bare name.")],
    descriptors: DescriptorsOption = "descriptors",
    format: Annotated[BlastFormat, typer.Option("--format", "-f", help="Output format.")] = BlastFormat.text,
    output_file: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Write the dot or svg diagram to this file (svg needs it).")] = None,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Load the descriptors afresh instead of using the compiled-model cache.")] = False,
) -> None:
    """What goes down, degrades and loses capacity when COMPONENTs fail, and whom to call.

    Example: depgraph blast-radius rack:lon1/a host:sto1-b-12 --format json
    """
    if format is BlastFormat.svg and output_file is None:
        fail("--format svg needs -o FILE")
    if format in (BlastFormat.dot, BlastFormat.svg):
        catalog = load(descriptors)
        _write_picture(catalog, blast_radius_impact(catalog, components), format.value, output_file)
        return
    # Text and JSON need only the failure model, owners and contacts: a cache of them keyed by the
    # descriptor files answers in a fraction of a second on landscapes that take long to load.
    catalog, model, _ = load_model(descriptors, state.limits, use_cache=not no_cache)
    print_load_warnings(catalog.diagnostics, descriptors)
    impact = blast_radius_impact(catalog, components, model)
    output = RENDERERS[format.value](catalog, impact)
    if isinstance(output, dict):
        emit_json(output)
    else:
        emit(output)


def blast_radius_impact(catalog: Catalog, arguments: list[str],
                        model: FailureModel | None = None) -> Impact:
    """The impact of failing every component named (``kind:name`` or an unambiguous bare name)."""
    if model is None:
        failed = [resolve_component(catalog, argument) for argument in arguments]
        return simulate(FailureModel.from_catalog(catalog), failed)
    return simulate(model, [_resolve_in_model(model, argument) for argument in arguments])


def _resolve_in_model(model: FailureModel, argument: str) -> str:
    """Like ``resolve_component``, by direct look-ups in the model's indexes (no set of 200,000
    ids to build); the full resolution, with its hints, only when the argument names nothing."""
    indexes = {"service": model.nodes, "host": model.hosts, "rack": model.racks,
               "datacenter": model.datacenters}
    kind, colon, _ = argument.partition(":")
    if colon and kind in indexes:
        candidates = [argument]
    else:
        candidates = [f"{kind}:{argument}" for kind in indexes]
    found = [c for c in candidates if c in indexes[c.partition(":")[0]].number
             and (not c.startswith("service:") or model.is_service[model.nodes.number[c]])]
    if len(found) == 1:
        return found[0]
    return resolve_in(set(model.component_ids()), argument)


@dataclass(frozen=True, slots=True)
class TeamImpact:
    """A team (``team:x``; ``None`` for nobody) and its down and degraded services/clients."""

    team: str | None
    down: tuple[str, ...]
    degraded: tuple[str, ...]
    contact: dict

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(sorted(self.down + self.degraded))


def affected_teams(catalog: Catalog, impact: Impact) -> list[TeamImpact]:
    """The owners of the down and degraded services and clients, sorted by team id (nobody last)."""
    owned: dict[str | None, tuple[list[str], list[str]]] = {}
    for column, ids in ((0, impact.down), (1, impact.degraded)):
        for node_id in ids:
            owner = catalog.entity(node_id).owner
            owned.setdefault(f"team:{owner}" if owner else None, ([], []))[column].append(node_id)
    teams = []
    for team_id, (down, degraded) in owned.items():
        team = catalog.entity(team_id) if team_id else None
        teams.append(TeamImpact(team_id, tuple(down), tuple(degraded),
                                dict(team.contact) if team else {}))
    return sorted(teams, key=lambda t: (t.team is None, t.team or ""))


def blast_radius_json(catalog: Catalog, impact: Impact) -> dict:
    """The ``depgraph/blast-radius/v1`` document (SPEC §4)."""
    return {
        "schema": SCHEMA,
        "failed": list(impact.failed),
        "down": list(impact.down),
        "degraded": list(impact.degraded),
        "reduced": [{"service": s, "lost": lost, "total": total}
                    for s, (lost, total) in sorted(impact.reduced.items())],
        "overloaded": [{"service": s, "up": up, "needed": needed}
                       for s, (up, needed) in sorted(impact.overloaded.items())],
        "teams": [{"team": t.team, "services": list(t.services), "contact": t.contact}
                  for t in affected_teams(catalog, impact) if t.team],
    }


def blast_radius_text(catalog: Catalog, impact: Impact) -> str:
    """For the responder: down (tier 1 first), degraded, reduced capacity, overloaded, then whom
    to call."""
    lines = [f"FAILED: {', '.join(_with_owner(catalog, c) for c in impact.failed)}"]
    if not (impact.down or impact.degraded or impact.reduced or impact.overloaded):
        return "\n".join(lines + ["", "Nothing else goes down, degrades or loses capacity."])
    sections = (("DOWN", impact.down, len(impact.down)), ("DEGRADED", impact.degraded, DEGRADED_SHOWN))
    for title, ids, room in sections:
        if ids:
            rows = [_entity_row(catalog, node_id) for node_id in sorted(ids, key=_urgency(catalog))]
            lines += ["", f"{title} ({_count_line(catalog, ids)})", *rows[:room]]
            if len(rows) > room:
                lines.append(f"  … and {len(rows) - room} more (--format json lists them all)")
    if impact.reduced:
        lines += ["", f"REDUCED CAPACITY ({len(impact.reduced)})"]
        for service, (lost, total) in sorted(impact.reduced.items(),
                                            key=lambda kv: (-kv[1][0] / kv[1][1], kv[0])):
            lines.append(f"{_entity_row(catalog, service)}  {lost} of {total} instances lost")
    if impact.overloaded:
        lines += ["", f"OVERLOADED ({len(impact.overloaded)}): up, but fewer instances than they need at peak"]
        for service, (up, needed) in sorted(impact.overloaded.items(), key=lambda kv: (kv[1][0] / kv[1][1], kv[0])):
            lines.append(f"{_entity_row(catalog, service)}  {up} up, needs {needed}")
    teams = sorted(affected_teams(catalog, impact), key=_team_rank(catalog))
    if teams:
        lines += ["", "WHOM TO CALL (most affected first)"]
    for team in teams:
        lines += _team_lines(catalog, team)
    return "\n".join(lines)


def blast_radius_picture(catalog: Catalog, impact: Impact) -> str:
    """The impact as DOT: failed black, down red, degraded orange, reduced yellow, rest grey."""
    from depgraph.diagrams import blast_radius_dot

    return blast_radius_dot(catalog, impact)


RENDERERS = {"text": blast_radius_text, "json": blast_radius_json, "dot": blast_radius_picture}


def _write_picture(catalog: Catalog, impact: Impact, format: str, output_file: Path | None) -> None:
    dot = blast_radius_picture(catalog, impact)
    if output_file is None:
        emit(dot.rstrip("\n"))
        return
    from depgraph.cli.commands.render import write_diagram

    write_diagram(dot, output_file, format)
    warn(f"wrote {output_file}")


def _urgency(catalog: Catalog):
    """Tier-1 services, then clients, then tiers 2 and 3; then by id."""

    def key(node_id: str) -> tuple:
        entity = catalog.entity(node_id)
        if entity.kind == "client":
            return (1, node_id)
        return (0 if entity.tier == 1 else entity.tier, node_id)

    return key


def _team_rank(catalog: Catalog):
    urgency = _urgency(catalog)

    def key(team: TeamImpact) -> tuple:
        critical = sum(1 for node_id in team.down if urgency(node_id)[0] <= 1)
        return (-critical, -len(team.down), -len(team.degraded), team.team is None, team.team or "")

    return key


def _count_line(catalog: Catalog, ids) -> str:
    urgency = _urgency(catalog)
    tier1 = sum(1 for node_id in ids if urgency(node_id)[0] == 0)
    clients = sum(1 for node_id in ids if node_id.startswith("client:"))
    extra = [f"{tier1} tier 1"] if tier1 else []
    extra += [f"{clients} client{'s' if clients != 1 else ''}"] if clients else []
    return f"{len(ids)}" + (f": {', '.join(extra)}" if extra else "")


def _entity_row(catalog: Catalog, node_id: str) -> str:
    entity = catalog.entity(node_id)
    tier = "client" if entity.kind == "client" else f"tier {entity.tier}"
    owner = f"team:{entity.owner}" if entity.owner else "(no owner)"
    return f"  {node_id:<40} {tier:<7} {owner}"


def _with_owner(catalog: Catalog, component: str) -> str:
    entity = catalog.entity(component) if component.startswith("service:") else None
    return f"{component} (team:{entity.owner})" if entity and entity.owner else component


def _team_lines(catalog: Catalog, team: TeamImpact) -> list[str]:
    if team.team is None:
        head = "(no owner)"
        contact = "nobody owns these: find out who runs them"
    else:
        head = team.team
        contact = _contact_text(team.contact) if team.contact else (
            "no contact declared" if catalog.entity(team.team) else "team not declared")
    counts = f"{len(team.down)} down, {len(team.degraded)} degraded"
    lines = [f"  {head:<30} {counts:<22} {contact}"]
    if team.down:
        lines.append(f"      down: {', '.join(sorted(team.down, key=_urgency(catalog)))}")
    if team.degraded:
        lines.append(f"      degraded: {', '.join(sorted(team.degraded, key=_urgency(catalog)))}")
    return lines


def _contact_text(contact: dict) -> str:
    order = sorted(contact, key=lambda k: (CONTACT_ORDER.index(k) if k in CONTACT_ORDER else 9, k))
    return ", ".join(f"{key} {contact[key]}" for key in order)
