"""One short paragraph per answer: what an assistant (or a log line) says before the document.

Each summary reads the JSON document the tool returns and nothing else, so it never disagrees
with it: counts come from the document's lists (or, where a list was cut, from ``truncated``).

>>> summary("blast_radius", {"failed": ["datacenter:lon1"], "down": ["service:a"], "degraded": [],
...                          "reduced": [], "overloaded": [], "teams": [
...                          {"team": "team:core", "services": ["service:a"], "contact": {"pager": "core-oncall"}}]})
'datacenter:lon1 failing: 1 down, 0 degraded, 0 reduced, 0 overloaded. Call first: team:core (pager core-oncall).'
"""

from __future__ import annotations

from depgraph.output.words import plural


def summary(tool: str, document: dict) -> str:
    """A line or two about ``document``, the answer of ``tool``."""
    write = _WRITERS.get(tool)
    text = write(document) if write else f"{document.get('schema', tool)} answered."
    cut = document.get("truncated")
    if cut:
        text += f" Lists cut to the limit ({', '.join(f'{k}: {v:,}' for k, v in list(cut.items())[:4])}" + (
            ", …" if len(cut) > 4 else "") + "); ask with a bigger limit (0: all) for more."
    return text


def _count(document: dict, key: str) -> int:
    return document.get("truncated", {}).get(key, len(document.get(key, ())))


def _contact(contact: dict) -> str:
    return ", ".join(f"{how} {contact[how]}" for how in ("pager", "slack", "email") if contact.get(how)) or "no contact"


def _blast(document: dict) -> str:
    counts = ", ".join(f"{_count(document, key):,} {key}" for key in ("down", "degraded", "reduced", "overloaded"))
    teams = document.get("teams", [])
    calls = "; ".join(f"{t['team']} ({_contact(t['contact'])})" for t in teams[:3])
    return (f"{', '.join(document['failed'])} failing: {counts}."
            + (f" Call first: {calls}." if calls else " Nobody to call: nothing else fails."))


def _spofs(document: dict) -> str:
    spofs = document["spofs"]
    worst = ", ".join(f"{s['component']} ({s['down_count']} down)" for s in spofs[:3])
    return f"{_count(document, 'spofs'):,} single points of failure" + (f"; worst: {worst}." if worst else ".")


def _capacity(document: dict) -> str:
    lost = [d["datacenter"] for d in document.get("datacenters", []) if not d.get("survivable")]
    return (f"{len(document.get('datacenters', []))} data centers; "
            + (f"not survivable alone: {', '.join(lost)}" if lost else "each can be lost alone")
            + f"; {len(document.get('plan', []))} services in the provisioning plan.")


def _availability(document: dict) -> str:
    entities = document.get("entities", [])
    if len(entities) == 1:
        e = entities[0]
        return f"{e['id']}: {e['availability']}% (95% interval {e['low']}–{e['high']}%), slo {e.get('slo')}."
    return f"{_count(document, 'entities'):,} services and clients estimated over {document.get('trials')} trials."


def _startup(document: dict) -> str:
    return f"{len(document.get('waves', []))} start-up waves; {_count(document, 'blocked'):,} never start."


def _recovery(document: dict) -> str:
    failed = document.get("failed") or []
    missed = sum(1 for s in document.get("services", []) if s.get("meets") is False)
    return (f"{'Restoring ' + ', '.join(failed) if failed else 'A cold start'}: everything is back after "
            f"{document.get('ready_at')} s; {_count(document, 'services'):,} services restart, {missed} miss "
            f"their rto (of those listed), {_count(document, 'blocked'):,} never start.")


def _path(document: dict) -> str:
    paths = document.get("paths", [])
    if not paths:
        return f"{document['from']} does not depend on {document['to']}."
    return (f"{plural(len(paths), 'dependency path')} from {document['from']} to {document['to']}, "
            f"shortest {plural(paths[0]['hops'], 'hop')}.")


def _describe(document: dict) -> str:
    where = document.get("declared")
    owner = document.get("owner")
    text = f"{document['id']}" + (f", declared at {where['file']}:{where['line']}" if where else "")
    if owner:
        text += f"; owner {owner['team']}" + (f" (tribe {owner['tribe']})" if owner.get("tribe") else "")
        text += f"; contact: {_contact(owner['contact'])}"
    return text + "."


def _check(document: dict) -> str:
    decision, counts = document["decision"], document["summary"]
    return (f"check {'passes' if decision['passed'] else 'fails'}: {plural(counts['new'], 'new finding')}, "
            f"{counts['blocking']} blocking, {counts['existing']} existing.")


def _drift(document: dict) -> str:
    return (f"{_count(document, 'undeclared'):,} undeclared calls, {_count(document, 'unobserved'):,} declared "
            f"dependencies never observed, {_count(document, 'unknown'):,} unknown names.")


_WRITERS = {
    "blast_radius": _blast, "single_points_of_failure": _spofs, "capacity": _capacity,
    "availability": _availability, "startup_order": _startup, "recovery": _recovery, "path": _path, "describe": _describe,
    "check": _check, "drift": _drift,
}
