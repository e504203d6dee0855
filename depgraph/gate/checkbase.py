"""What ``check --base`` needs to know about the base tree, a cache for it, and where new findings came from.

:class:`BaseFacts` is the little a check needs from the base ref: the fingerprints of its
findings, its dependency edges and entries, and a signature of each service's deployments.
They are kept in depgraph's one cache (:mod:`depgraph.load.cache`: private, verified, keyed by
depgraph's own code) under the tree's content key (``depgraph.load.gitsource.tree_key``), the
policy and the limits, so the base of a pull request is analysed once, not on every push.

:func:`point_at_cause` moves a new finding to the declaration that introduced it: for a new
cycle, a dependency entry of the cycle that the base did not have; for a new single point of
failure, a changed deployment on it or a new dependency that makes services fall with it.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, replace
from itertools import islice

import networkx as nx

from depgraph.analyses.findings import Finding
from depgraph.failure.closure import Members
from depgraph.load.cache import Cache
from depgraph.load.limits import Limits
from depgraph.model import Catalog

CACHE_FORMAT = 2
CACHE_KIND = "base-facts"
CACHE_ENTRIES_KEPT = 32


@dataclass(frozen=True)
class BaseFacts:
    fingerprints: frozenset[str]
    edges: dict[tuple[str, str], str]
    entries: frozenset[tuple[str, str, tuple[str, ...]]]
    placements: dict[str, str]

    def to_json(self) -> dict:
        return {
            "fingerprints": sorted(self.fingerprints),
            "edges": sorted(f"{a}\t{b}\t{t}" for (a, b), t in self.edges.items()),
            "entries": sorted("\t".join((a, t, *targets)) for a, t, targets in self.entries),
            "placements": dict(sorted(self.placements.items())),
        }

    @classmethod
    def from_json(cls, data: dict) -> BaseFacts:
        """Facts from :meth:`to_json`; ValueError/TypeError for anything of another shape."""
        edges = {}
        for line in _texts(data["edges"]):
            a, b, t = line.split("\t")
            if t not in ("hard", "soft"):
                raise ValueError(f"dependency type {t!r}")
            edges[a, b] = t
        entries = set()
        for line in _texts(data["entries"]):
            a, t, *targets = line.split("\t")
            if t not in ("hard", "soft") or not targets:
                raise ValueError("dependency entry")
            entries.add((a, t, tuple(targets)))
        placements = data["placements"]
        if not isinstance(placements, dict) or _texts(list(placements.values())) is None:
            raise TypeError("placements")
        return cls(frozenset(_texts(data["fingerprints"])), edges, frozenset(entries), dict(placements))


def _texts(values) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise TypeError("expected a list of strings")
    return values


def dependency_edges(catalog: Catalog) -> dict[tuple[str, str], str]:
    """``(dependent, target) -> hard|soft`` (:meth:`~depgraph.model.Catalog.dependency_edges`)."""
    return {key: dep.type for key, dep in catalog.dependency_edges().items()}


def entry_signature(entity, dep) -> tuple[str, str, tuple[str, ...]]:
    return (entity.id, dep.type, tuple(sorted(f"service:{t}" for t in dep.targets)))


def placement_signature(service) -> str:
    """A short hash of where a service runs (data centers, hosts, instance counts)."""
    text = repr(sorted((d.datacenter, tuple(sorted(d.hosts)), d.instances) for d in service.deployments))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def facts_of(catalog: Catalog, findings: list[Finding]) -> BaseFacts:
    entries = {entry_signature(entity, dep)
               for entity in (*catalog.services.values(), *catalog.clients.values())
               for dep in entity.dependencies}
    placements = {service.id: placement_signature(service) for service in catalog.services.values()}
    return BaseFacts(frozenset(f.fingerprint for f in findings), dependency_edges(catalog),
                     frozenset(entries), placements)


# -- the cache ---------------------------------------------------------------------------------


def facts_key(tree_key: str, policy_digest: str, limits: Limits) -> str:
    """What cached facts depend on besides depgraph's code (which the cache adds itself)."""
    return hashlib.sha256(f"{CACHE_FORMAT}\0{tree_key}\0{policy_digest}\0{limits!r}".encode()).hexdigest()


def cache_read(cache: Cache | None, key: str) -> BaseFacts | None:
    """The cached facts for ``key``, or None (missing, damaged or out of shape: a miss)."""
    payload = cache.get(key) if cache is not None else None
    if payload is None:
        return None
    try:
        return BaseFacts.from_json(json.loads(zlib.decompress(payload)))
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError, zlib.error):
        return None


def cache_write(cache: Cache | None, key: str, facts: BaseFacts) -> None:
    """Store facts (a cache that cannot be written is skipped by the cache itself)."""
    if cache is not None:
        cache.put(key, zlib.compress(json.dumps(facts.to_json(), separators=(",", ":")).encode(), 1))


# -- pointing new findings at their cause ----------------------------------------------------


def point_at_cause(finding: Finding, catalog: Catalog, base: BaseFacts,
                   moved: dict[str, list] | None = None) -> Finding:
    """``finding`` placed at the declaration that introduced it relative to ``base`` (unchanged
    when no single declaration is new); ``moved``: :func:`moved_services` of the two, worked
    out once for all the findings of a check."""
    if finding.rule in ("hard-cycle", "soft-cycle"):
        cause = _new_cycle_edge(finding, catalog, base)
    elif finding.rule in ("spof-infrastructure", "spof-service"):
        cause = _spof_cause(finding, catalog, base, moved if moved is not None else moved_services(catalog, base))
    else:
        return finding
    if cause is None:
        return finding
    (file, line), why = cause
    advice = "; to break it, cut or soften "
    if finding.rule == "hard-cycle" and advice in finding.message:
        # the reviewer's edge first: the one this change adds, then the analysis's cut if another
        head, _, cuts = finding.message.partition(advice)
        edge = why.rpartition(" (")[0]
        rest = cuts[len(edge):] if cuts.startswith(edge) else f", or {cuts}"
        return replace(finding, file=file, line=line, message=f"{head}{advice}{why}{rest}")
    return replace(finding, file=file, line=line, message=f"{finding.message} [introduced by {why}]")


def _new_cycle_edge(finding: Finding, catalog: Catalog, base: BaseFacts):
    members = set(finding.key)
    hard_only = finding.rule == "hard-cycle"
    graph = nx.DiGraph()
    places = {}
    for member in sorted(members):
        entity = catalog.entity(member)
        for dep in entity.dependencies if entity is not None else ():
            for name in dep.targets:
                target = f"service:{name}"
                if target in members and (dep.hard or not hard_only) and (member, target) not in places:
                    graph.add_edge(member, target)
                    places[member, target] = dep.source or entity.source
    on_cycle = {node: i for i, scc in enumerate(nx.strongly_connected_components(graph)) for node in scc}
    for (a, b), where in sorted(places.items(), key=lambda kv: (kv[1].file, kv[1].line, kv[0])):
        before = base.edges.get((a, b))
        if on_cycle[a] == on_cycle[b] and (before is None or (hard_only and before == "soft")):
            kind = "new in this change" if before is None else "hard in this change, was soft"
            return (where.file, where.line), f"{a} -> {b} ({kind})"
    return None


#: casualties of one new SPOF searched for a new dependency that makes them fall with it (a
#: hard ring of thousands has thousands of SPOFs, each with thousands of casualties)
CAUSE_SEARCH = 1_000


def moved_services(catalog: Catalog, base: BaseFacts) -> dict[str, list]:
    """Component id (data center, host, rack) -> the services deployed on it whose placement
    is not the base's (new services included), sorted by id."""
    moved: dict[str, set[str]] = {}
    for service in catalog.services.values():
        if base.placements.get(service.id) == placement_signature(service):
            continue
        for deployment in service.deployments:
            places = {f"datacenter:{deployment.datacenter}"}
            for host in deployment.hosts:
                record = catalog.hosts.get(host)
                places.add(f"host:{host}")
                if record is not None and record.rack_id:
                    places.add(record.rack_id)
            for place in places:
                moved.setdefault(place, set()).add(service.id)
    return {place: sorted(ids) for place, ids in moved.items()}


def _spof_cause(finding: Finding, catalog: Catalog, base: BaseFacts, moved: dict[str, list]):
    component, related = finding.subject, finding.related

    def falls(node_id: str) -> bool:
        return node_id == component or node_id in related

    for node_id in moved.get(component, ()):
        if falls(node_id):
            where = _deployment_on(catalog, catalog.services[node_id.partition(":")[2]], component)
            if where is not None:
                return (where.file, where.line), f"the deployment of {node_id} on {component}"
    for node_id in islice(related if isinstance(related, Members) else sorted(related), CAUSE_SEARCH):
        entity = catalog.entity(node_id)
        for dep in entity.dependencies if entity is not None else ():
            targets = {f"service:{t}" for t in dep.targets}
            if dep.hard and all(map(falls, targets)) and entry_signature(entity, dep) not in base.entries:
                where = dep.source or entity.source
                return (where.file, where.line), f"the new dependency of {node_id} on {', '.join(sorted(targets))}"
    return None


def _deployment_on(catalog: Catalog, service, component: str):
    """The deployment entry (for a host or rack: the host's line) placing ``service`` on ``component``."""
    kind, _, name = component.partition(":")
    for deployment in service.deployments:
        if kind == "datacenter" and deployment.datacenter == name:
            return deployment.source
        for host, source in zip(deployment.hosts, deployment.host_sources):
            record = catalog.hosts.get(host)
            if (kind == "host" and host == name) or (kind == "rack" and record and record.rack_id == component):
                return source or deployment.source
    return None
