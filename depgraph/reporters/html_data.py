"""The data the HTML report's script renders: the analysis packed into a compact JSON document.

Services and clients are numbered as in the failure model (sorted ids), and every list of them
is a list of those integers; node attributes are columns (one list per attribute), so a
20,000-service landscape packs into a few megabytes. The blast radius of every service is
precomputed here with the failure engine: ``down`` holds, per node, the sorted numbers of what
its failure alone takes down, delta-encoded (``[3, 1, 4]`` is nodes 3, 4 and 8). What degrades
is everything that depends on a down node, transitively; the page derives it from ``deps`` with
one graph walk on selection, instead of storing sets that grow with the square of the landscape.

Text is stored as the user wrote it; the page puts it into the document as text nodes only.
"""

from __future__ import annotations

from collections import Counter

from depgraph.analysis import summary
from depgraph.analyses.readiness import LEVELS, REQUIREMENTS
from depgraph.failure.engine import simulate
from depgraph.model import LIFECYCLES
from depgraph.reporters.html_capacity import capacity_data
from depgraph.reporters.ranking import owner_team_id, ranked_spofs

SCHEMA = "depgraph/report-data/v1"
SEVERITY_CODES = {"error": 0, "warning": 1, "info": 2}
CHECK_CODES = {"yes": "y", "no": "n", "n/a": "a", "missing": "m"}
CHECKS = tuple(item for level in LEVELS[1:] for item in REQUIREMENTS[level])


def delta_encode(numbers) -> list[int]:
    """Sorted integers as first value and differences.

    >>> delta_encode([3, 4, 8])
    [3, 1, 4]
    """
    out, previous = [], 0
    for number in sorted(numbers):
        out.append(number - previous)
        previous = number
    return out


class _Strings:
    """Interned strings (file paths, rule names): each stored once, referred to by number."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._number: dict[str, int] = {}

    def __call__(self, value: str | None) -> int:
        if value is None:
            return -1
        if value not in self._number:
            self._number[value] = len(self.items)
            self.items.append(value)
        return self._number[value]


def report_data(analysis, notices=(), diagrams=(), advance=None) -> dict:
    """The page's document for ``analysis``; ``advance(done, total)`` reports progress of the
    blast-radius precomputation."""
    catalog, model = analysis.catalog, analysis.model
    number = model.nodes.number
    teams = sorted(catalog.teams)
    team_number = {name: i for i, name in enumerate(teams)}
    tribes = sorted({t.tribe for t in catalog.teams.values() if t.tribe})
    tribe_number = {name: i for i, name in enumerate(tribes)}
    files = _Strings()
    data = {
        "schema": SCHEMA,
        "root": catalog.root,
        "summary": summary(analysis),
        "notices": list(notices),
        "diagrams": list(diagrams),
        "diagnostics": [str(d) for d in catalog.diagnostics],
        "levels": list(LEVELS),
        "checks": list(CHECKS),
        "lifecycles": list(LIFECYCLES),
        "tribes": tribes,
        "teams": {
            "name": teams,
            "tribe": [tribe_number.get(catalog.teams[t].tribe, -1) for t in teams],
            "contact": [dict(catalog.teams[t].contact) for t in teams],
        },
        "nodes": _nodes(analysis, team_number, files, advance),
        "findings": _findings(analysis, number, team_number, tribe_number, files),
        "cycles": _cycles(analysis, number, files),
        "groupCycles": [{"kind": kind, "members": list(c.members), "example": list(c.example)}
                        for kind, cycles in (("team", analysis.team_cycles), ("tribe", analysis.tribe_cycles))
                        for c in cycles],
        "spofs": _spofs(analysis, number),
        "unowned": [[number[u.service], 0 if u.reason == "missing" else 1] for u in analysis.unowned],
        "datacenters": _datacenters(analysis),
        "readiness": {group: [[r.group, [dict(r.levels)[lv] for lv in LEVELS]] for r in rollups]
                      for group, rollups in analysis.readiness_rollups.items()},
    }
    data["capacity"] = capacity_data(analysis)
    data["files"] = files.items
    return data


def _nodes(analysis, team_number: dict, files: _Strings, advance) -> dict:
    catalog, model = analysis.catalog, analysis.model
    ids = model.nodes.ids
    number = model.nodes.number
    cards = {card.service: card for card in analysis.scorecards}
    wave = _waves(analysis.startup)
    spof_down = {spof.component: spof.down for spof in analysis.spofs}
    columns = {key: [] for key in ("name", "kind", "tier", "lifecycle", "team", "desc", "level",
                                   "checks", "src", "deps", "place", "wave", "down")}
    owner, links, labels = {}, {}, {}
    services_done, services_total = 0, sum(model.is_service)
    for node, node_id in enumerate(ids):
        entity = catalog.entity(node_id)
        is_service = model.is_service[node]
        columns["name"].append(entity.name)
        columns["kind"].append(0 if is_service else 1)
        columns["tier"].append(entity.tier if is_service else 0)
        columns["lifecycle"].append(LIFECYCLES.index(entity.lifecycle) if is_service else -1)
        columns["team"].append(team_number.get(entity.owner, -1))
        if entity.owner and entity.owner not in team_number:
            owner[node] = entity.owner
        columns["desc"].append(entity.description or "")
        card = cards.get(node_id)
        columns["level"].append(LEVELS.index(card.level) if card else -1)
        columns["checks"].append("".join(CHECK_CODES[state] for _, state in card.checks) if card else "")
        source = entity.source
        columns["src"].append([files(source.file), source.line] if source else [-1, 0])
        columns["deps"].append([[1 if dep.hard else 0, *sorted({number[f"service:{t}"] for t in dep.targets})]
                                for dep in entity.dependencies])
        columns["place"].append(_placement(entity) if is_service else [])
        columns["wave"].append(wave.get(node_id, -1) if is_service else -2)
        if is_service:
            # a service takes something down alone iff it is a SPOF, so the SPOF analysis
            # (one propagation per distinct start) already holds every service's down set
            columns["down"].append(delta_encode(number[n] for n in spof_down.get(node_id, ())))
            services_done += 1
            if advance and services_done % 500 == 0:
                advance(services_done, services_total)
            if entity.links:
                links[node] = [[link.title or link.url, link.url] for link in entity.links]
        else:
            columns["down"].append([])
        if entity.labels:
            labels[node] = dict(sorted(entity.labels.items()))
    return {**columns, "owner": owner, "links": links, "labels": labels}


def _placement(service) -> list:
    """``[datacenter, instances, …]`` per data center, in name order."""
    per_dc = Counter()
    for deployment in service.deployments:
        per_dc[deployment.datacenter] += deployment.size
    return [item for dc in sorted(per_dc) for item in (dc, per_dc[dc])]


def _waves(startup) -> dict[str, int]:
    waves = getattr(startup, "waves", None) or (startup.get("waves", []) if isinstance(startup, dict) else [])
    return {node_id: index for index, wave in enumerate(waves) for node_id in wave}


def _findings(analysis, number: dict, team_number: dict, tribe_number: dict, files: _Strings) -> dict:
    catalog = analysis.catalog
    rules = _Strings()
    columns = {key: [] for key in ("sev", "rule", "subject", "node", "team", "tribe", "msg", "file",
                                   "line")}
    for finding in analysis.findings:
        team = owner_team_id(catalog, finding.subject)
        team_index = team_number.get(team[5:], -1) if team else -1
        if finding.subject.startswith("tribe:"):
            tribe_index = tribe_number.get(finding.subject[6:], -1)
        else:
            tribe_index = tribe_number.get(catalog.teams[team[5:]].tribe, -1) if team else -1
        columns["sev"].append(SEVERITY_CODES.get(finding.severity, 2))
        columns["rule"].append(rules(finding.rule))
        node = number.get(finding.subject, -1)
        columns["subject"].append(None if node >= 0 else finding.subject)  # a node's id is derived
        columns["node"].append(node)
        columns["team"].append(team_index)
        columns["tribe"].append(tribe_index)
        columns["msg"].append(finding.message)
        columns["file"].append(files(finding.file))
        columns["line"].append(finding.line or 0)
    return {**columns, "rules": rules.items}


def _cycles(analysis, number: dict, files: _Strings) -> list[dict]:
    cycles = sorted(analysis.cycles, key=lambda c: (not c.hard, -len(c.members), c.members))
    result = []
    for cycle in cycles:
        members = set(cycle.members)
        cuts = [[number[b.source], number[b.target], files(b.file), b.line or 0]
                for b in analysis.cycle_breakers if b.source in members and b.target in members]
        result.append({"members": [number[m] for m in cycle.members], "hard": cycle.hard,
                       "example": [number[m] for m in cycle.example], "cuts": cuts})
    return result


def _spofs(analysis, number: dict) -> dict:
    """Ranked SPOFs as columns; the down set of an infrastructure SPOF is stored with it (a
    service's is its node's ``down``)."""
    columns = {key: [] for key in ("component", "node", "tier1", "clients", "down", "degraded", "downs")}
    for spof in ranked_spofs(analysis):
        node = number.get(spof.component, -1)
        columns["component"].append(spof.component)
        columns["node"].append(node)
        columns["tier1"].append(spof.tier1_down)
        columns["clients"].append(spof.clients_down)
        columns["down"].append(len(spof.down))
        columns["degraded"].append(len(spof.degraded))
        columns["downs"].append([] if node >= 0 else delta_encode(number[n] for n in spof.down))
    return columns


def _datacenters(analysis) -> list[dict]:
    """Per data center: hosts, racks, and what its outage takes down and leaves reduced."""
    catalog, model = analysis.catalog, analysis.model
    number = model.nodes.number
    hosts = Counter(host.datacenter for host in catalog.hosts.values())
    racks = Counter(rack_id[5:].split("/", 1)[0] for rack_id in catalog.racks())
    names = sorted({*catalog.datacenters, *hosts})
    result = []
    for name in names:
        dc = catalog.datacenters.get(name)
        impact = simulate(model, [f"datacenter:{name}"])
        result.append({
            "name": name,
            "location": dc.location if dc else None,
            "region": dc.region if dc else None,
            "labels": dict(sorted(dc.labels.items())) if dc else {},
            "hosts": hosts[name],
            "racks": racks[name],
            "down": delta_encode(number[n] for n in impact.down),
            "degraded": len(impact.degraded),
            "reduced": [[number[n], lost, total] for n, (lost, total) in impact.reduced.items()],
        })
    return result
