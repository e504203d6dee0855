"""``blast-radius`` as text for the responder at 3 a.m.: whom to call first, then what is down,
what degrades and why, what is overloaded, and what lost capacity.

Each service appears once, in its worst state (a degraded service that also lost instances is
listed as degraded, with its loss). Long lists are cut (``--verbose`` shows all); the order is
the :class:`~depgraph.analyses.blast.BlastRadius`'s, never re-sorted here.
"""

from __future__ import annotations

from depgraph.output.escape import terminal as t

CONTACT_ORDER = ("pager", "phone", "slack", "email")
SHOWN = {"teams": 10, "down": 30, "degraded": 15, "reduced": 10}


def blast_radius_text(radius, verbose: bool = False) -> str:
    lines = [f"FAILED: {', '.join(_failed(radius, c) for c in radius.failed)}"]
    impact = radius.impact
    overloaded = impact.overloaded
    if not (impact.down or impact.degraded or impact.reduced or overloaded):
        return "\n".join(lines + ["", "Nothing else goes down, degrades or loses capacity."])
    lines += _teams(radius, verbose)
    if radius.down:
        lines += ["", f"DOWN ({_count(radius, 'down', len(radius.down))})"]
        lines += _cut(radius.down, SHOWN["down"], verbose, lambda node_id: [_row(radius, node_id)])
    if radius.degraded:
        lines += ["", f"DEGRADED ({_count(radius, 'degraded', len(radius.degraded))}), and why"]

        def why(item) -> list[str]:
            lost = impact.reduced.get(item.service)
            extra = f"; also {lost[0]} of {lost[1]} instances lost" if lost else ""
            return [_row(radius, item.service), f"      {t(item.reason())}{extra}"]

        lines += _cut(radius.degraded, SHOWN["degraded"], verbose, why)
    if overloaded:
        lines += ["", f"OVERLOADED ({len(overloaded)}): up, not enough to carry the peak"]
        lines += [f"{_row(radius, s)}  {up} up, {needed} needed" for s, (up, needed) in sorted(overloaded.items())]
    degraded = set(impact.degraded)
    reduced = [r for r in radius.reduced if r[0] not in degraded]
    if radius.reduced:
        # SPEC §2: a service both degraded and reduced is reduced too; every view counts it once
        # here (the JSON, the picture's title and the page agree), listed above when degraded
        also = len(radius.reduced) - len(reduced)
        lines += ["", f"REDUCED CAPACITY ({len(radius.reduced)}"
                  + (f"; {also} of them degraded, listed above" if also else "") + "), biggest loss first"]
        lines += _cut(reduced, SHOWN["reduced"], verbose,
                      lambda r: [f"{_row(radius, r[0])}  {r[1]} of {r[2]} instances lost"])
    return "\n".join(lines)


def _teams(radius, verbose: bool) -> list[str]:
    if not radius.teams:
        return []
    urgent = sum(1 for team in radius.teams if team.critical_down)
    head = f"WHOM TO CALL ({len(radius.teams)} team{'s' if len(radius.teams) != 1 else ''}"
    head += f"; {urgent} with tier-1 services or clients down, first)" if urgent else ", most down first)"
    lines = ["", head]
    shown = radius.teams if verbose else radius.teams[:SHOWN["teams"]]
    for team in shown:
        lines += _team_lines(team, verbose)
    if len(shown) < len(radius.teams):
        lines.append(f"  … and {len(radius.teams) - len(shown)} more teams (--verbose lists them all)")
    return lines


def _team_lines(team, verbose: bool) -> list[str]:
    if team.team is None:
        head, contact = "(no owner)", "nobody owns these: find out who runs them"
    else:
        head = team.team
        contact = _contact(team.contact) if team.contact else (
            "no contact declared" if team.declared else "team not declared")
    critical = f" ({team.critical_down} tier 1 or client)" if team.critical_down else ""
    counts = f"{len(team.down)} down{critical}, {len(team.degraded)} degraded"
    lines = [f"  {t(head):<30} {counts}", f"      call: {contact}"]
    if team.down:
        lines.append(f"      down: {', '.join(_listed(team.down, verbose))}")
    if verbose and team.degraded:
        lines.append(f"      degraded: {', '.join(team.degraded)}")
    return lines


def _listed(ids, verbose: bool, room: int = 8) -> list[str]:
    if verbose or len(ids) <= room:
        return list(ids)
    return [*ids[:room], f"and {len(ids) - room} more"]


def _cut(items, room: int, verbose: bool, lines_of) -> list[str]:
    """The lines of the first ``room`` items (all with ``verbose``), and how many more there are;
    only the shown items are written out (a hub's outage lists tens of thousands)."""
    shown = items if verbose or len(items) <= room else items[:room]
    lines = [line for item in shown for line in lines_of(item)]
    if len(shown) < len(items):
        lines.append(f"  … and {len(items) - len(shown)} more (--verbose or --format json lists them all)")
    return lines


def _count(radius, column: str, total: int) -> str:
    tier1, clients = radius.critical[column]
    extra = [f"{tier1} tier 1"] if tier1 else []
    extra += [f"{clients} client{'s' if clients != 1 else ''}"] if clients else []
    return f"{total}" + (f": {', '.join(extra)}" if extra else "")


def _row(radius, node_id: str) -> str:
    tier, owner = radius.tiers.get(node_id, (None, None))
    label = "client" if node_id.startswith("client:") else f"tier {tier}"
    return f"  {node_id:<40} {label:<7} {t(owner) if owner else '(no owner)'}"


def _failed(radius, component: str) -> str:
    owner = radius.tiers.get(component, (None, None))[1]
    return f"{component} ({t(owner)})" if owner else component


def _contact(contact: dict) -> str:
    order = sorted(contact, key=lambda k: (CONTACT_ORDER.index(k) if k in CONTACT_ORDER else 9, k))
    return ", ".join(f"{t(key)} {t(contact[key])}" for key in order)
