"""The data the HTML report's script renders: the Report packed into a compact JSON document.

Services and clients are numbered as in the failure model (sorted ids), and every list of them
is a list of those integers; node attributes are columns (one list per attribute), so a
20,000-service landscape packs into a few megabytes. Nothing here runs an analysis: it reads the
Report. The size grows with the landscape, not its square: a single point of failure carries
its counts and its *cause* (the services that fall first: the service itself, or those with
every instance on the host, rack or data center), and the page computes what goes down and
degrades from ``deps`` when someone selects it (SPEC §2, the engine's propagation in a few lines
of script). Data-center outages, few and asked for at 3 a.m., are stored whole with the
Report's whom-to-call order. Lists of numbers are delta-encoded (``[3, 1, 4]`` is nodes 3, 4, 8).

Text is stored as the user wrote it; the page puts it into the document as text nodes only.
"""

from __future__ import annotations

from collections import Counter

from depgraph.analyses.impact import ranks
from depgraph.analyses.readiness import LEVELS, REQUIREMENTS
from depgraph.model import LIFECYCLES
from depgraph.reporters.html_capacity import capacity_data
from depgraph.reporters.html_recovery import recovery_data

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


def report_data(analysis, notices=(), diagrams=(), advance=None, drift=None) -> dict:
    """The page's document for ``analysis`` (a Report); ``advance(done, total)`` reports
    progress over the services; ``drift`` (a DriftReport) adds the undeclared calls observed."""
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
        "summary": analysis.counts,
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
        # services short of instances with nothing failed: overloaded whatever fails (SPEC §2)
        "overloaded": sorted(model.overloaded({}, set())),
        "unowned": [[number[u.service], 0 if u.reason == "missing" else 1] for u in analysis.unowned],
        "datacenters": _datacenters(analysis, team_number),
        "readiness": {group: [[r.group, [dict(r.levels)[lv] for lv in LEVELS]] for r in rollups]
                      for group, rollups in analysis.readiness_rollups.items()},
    }
    data["capacity"] = capacity_data(analysis)
    data["recovery"] = recovery_data(analysis)
    data["placement"] = placement_data(catalog, model.nodes.ids)
    data["files"] = files.items
    if drift is not None:
        data["drift"] = drift_data(drift, number)
    return data


def drift_data(drift, number: dict) -> dict:
    """Undeclared calls as ``[caller, callee, calls, errors, connection type]`` node numbers first.

    >>> from types import SimpleNamespace as R
    >>> drift_data(R(format="prometheus", undeclared=[{"source": "service:a", "target": "service:b", "calls": 5,
    ...                                                "errors": 1, "connection_type": "database"}]),
    ...            {"service:a": 0, "service:b": 1})
    {'format': 'prometheus', 'undeclared': [[0, 1, 5, 1, 'database']]}
    """
    rows = [[number[e["source"]], number[e["target"]], e["calls"], e["errors"], e.get("connection_type", "")]
            for e in drift.undeclared if e["source"] in number and e["target"] in number]
    return {"format": drift.format, "undeclared": rows}


def _nodes(analysis, team_number: dict, files: _Strings, advance) -> dict:
    catalog, model = analysis.catalog, analysis.model
    ids = model.nodes.ids
    number = model.nodes.number
    cards = {card.service: card for card in analysis.scorecards}
    wave = _waves(analysis.startup)
    columns = {key: [] for key in ("name", "kind", "tier", "lifecycle", "team", "desc", "level",
                                   "checks", "src", "deps", "place", "wave")}
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
            services_done += 1
            if advance and services_done % 500 == 0:
                advance(services_done, services_total)
            if entity.links:
                links[node] = [[link.title or link.url, link.url] for link in entity.links]
        if entity.labels:
            labels[node] = dict(sorted(entity.labels.items()))
    return {**columns, "urgency": _urgency(catalog, ids), "owner": owner, "links": links, "labels": labels}


def _urgency(catalog, ids) -> list[int]:
    """Each node's place in the one ranking (:func:`depgraph.analyses.impact.ranks`), which
    the page sorts by instead of ranking on its own."""
    rank = ranks(catalog)
    place = [0] * len(ids)
    for position, node in enumerate(sorted(range(len(ids)), key=lambda n: rank[ids[n]])):
        place[node] = position
    return place


def _placement(service) -> list:
    """``[datacenter, instances, …]`` per data center, in name order."""
    per_dc = Counter()
    for deployment in service.deployments:
        per_dc[deployment.datacenter] += deployment.size
    return [item for dc in sorted(per_dc) for item in (dc, per_dc[dc])]


def placement_data(catalog, ids) -> dict:
    """Where things run, for the map's placement levels and its search: data centers, racks
    (``[dc, rack name]``), hosts (name and rack number, or -1 when in no rack; ``hostDc`` the data
    center number) and per service the hosts its instances stand on (delta-encoded numbers).

    >>> from depgraph.model import Catalog, Host, Service, Deployment
    >>> c = Catalog(hosts={"h2": Host("h2", "dc1", "r1"), "h1": Host("h1", "dc1")},
    ...             services={"s": Service("s", deployments=(Deployment("dc1", ("h2", "h1")),))})
    >>> placement_data(c, ["service:s"])
    {'dcs': ['dc1'], 'racks': [[0, 'r1']], 'hosts': ['h1', 'h2'], 'hostRack': [-1, 0], 'hostDc': [0, 0], 'nodeHosts': [[0, 1]]}
    """
    dcs = sorted({*catalog.datacenters, *(h.datacenter for h in catalog.hosts.values())})
    dc_number = {name: i for i, name in enumerate(dcs)}
    hosts = sorted(catalog.hosts)
    racks = sorted({(catalog.hosts[h].datacenter, catalog.hosts[h].rack) for h in hosts if catalog.hosts[h].rack})
    rack_number = {rack: i for i, rack in enumerate(racks)}
    host_number = {name: i for i, name in enumerate(hosts)}
    node_hosts = []
    for node_id in ids:
        entity = catalog.entity(node_id)
        names = {h for d in getattr(entity, "deployments", ()) for h in d.hosts}
        node_hosts.append(delta_encode(host_number[h] for h in names if h in host_number))
    return {
        "dcs": dcs,
        "racks": [[dc_number[dc], rack] for dc, rack in racks],
        "hosts": hosts,
        "hostRack": [rack_number.get((catalog.hosts[h].datacenter, catalog.hosts[h].rack), -1) for h in hosts],
        "hostDc": [dc_number[catalog.hosts[h].datacenter] for h in hosts],
        "nodeHosts": node_hosts,
    }


def _waves(startup) -> dict[str, int]:
    return {node_id: index for index, wave in enumerate(startup.waves) for node_id in wave}


def _findings(analysis, number: dict, team_number: dict, tribe_number: dict, files: _Strings) -> dict:
    catalog = analysis.catalog
    rules = _Strings()
    columns = {key: [] for key in ("sev", "rule", "subject", "node", "team", "tribe", "msg", "why", "file",
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
        columns["why"].append(finding.cause.text if finding.cause else "")
        columns["file"].append(files(finding.file))
        columns["line"].append(finding.line or 0)
    return {**columns, "rules": rules.items}


def _cycles(analysis, number: dict, files: _Strings) -> list[dict]:
    """The Report's cycles in its order; a cut is ``[source, target, file, line, [any_of…]]``."""
    result = []
    for cycle in analysis.cycles:
        cuts = [[number[b.source], number[b.target], files(b.file), b.line or 0,
                 [number[a] for a in b.targets] if len(b.targets) > 1 else []] for b in cycle.cuts]
        result.append({"members": [number[m] for m in cycle.members], "hard": cycle.hard,
                       "example": [number[m] for m in cycle.example], "cuts": cuts})
    return result


def _spofs(analysis, number: dict) -> dict:
    """The Report's SPOFs in its order, as columns: counts, the cause the page starts its
    propagation from, and for a host or rack the services it leaves reduced and overloaded
    (whose dependents degrade too)."""
    columns = {key: [] for key in ("component", "node", "tier1", "clients", "down", "degraded", "cause", "why",
                                   "reduced", "overloaded")}
    for spof in analysis.spofs:
        columns["component"].append(spof.component)
        columns["node"].append(number.get(spof.component, -1))
        columns["tier1"].append(spof.tier1_down)
        columns["clients"].append(spof.clients_down)
        columns["down"].append(spof.down_count)
        columns["degraded"].append(spof.degraded_count)
        columns["cause"].append(delta_encode(number[n] for n in spof.first))
        columns["why"].append(spof.cause.text if spof.cause else "")
        reduced, overloaded = analysis.spof_capacity.get(spof.component, ({}, {}))
        columns["reduced"].append([[number[s], lost, total] for s, (lost, total) in reduced.items()])
        columns["overloaded"].append(sorted(number[s] for s in overloaded))
    return columns


def _datacenters(analysis, team_number: dict) -> list[dict]:
    """Per data center: hosts, racks, and its outage as the Report ranked it (down, degraded,
    reduced, and whom to call: ``[team, down count, degraded count, tier-1/client down]``)."""
    if analysis.outages is None:
        raise ValueError("the HTML page needs analyze(catalog, for_page=True)")
    catalog = analysis.catalog
    number = analysis.model.nodes.number
    result = []
    for outage in analysis.outages:
        name = outage.datacenter.partition(":")[2]
        dc = catalog.datacenters.get(name)
        radius = outage.radius
        result.append({
            "name": name,
            "location": dc.location if dc else None,
            "region": dc.region if dc else None,
            "labels": dict(sorted(dc.labels.items())) if dc else {},
            "hosts": outage.hosts,
            "racks": outage.racks,
            "down": [number[n] for n in radius.down],
            "degraded": [number[d.service] for d in radius.degraded],
            "reduced": [[number[n], lost, total] for n, lost, total in radius.reduced],
            "teams": [[team_number.get(call.team[5:], -1) if call.team else -1, len(call.down),
                       len(call.degraded), call.critical_down,
                       call.team[5:] if call.team and not call.declared else None] for call in radius.teams],
        })
    return result


def owner_team_id(catalog, subject: str) -> str | None:
    """The team a finding's subject belongs to: its owner team, or the team itself."""
    if subject.startswith("team:"):
        return subject if subject[5:] in catalog.teams else None
    entity = catalog.entity(subject)
    owner = getattr(entity, "owner", None)
    return f"team:{owner}" if owner and owner in catalog.teams else None
