"""Cold-start order: in which waves services can start after a total outage (SPEC §4).

Wave 0 holds the services with no hard dependency; a service joins the first wave in which each
of its hard entries has an alternative started in an earlier wave. Soft dependencies never hold
a service back, and clients are not started. Services that never become startable are
``blocked``, each with the reason: the hard entries that never get satisfied, and the hard cycle
it stands on when it does.

>>> from depgraph.model import Catalog, Service, Dependency
>>> catalog = Catalog(services={
...     "db": Service("db"),
...     "api": Service("api", dependencies=(Dependency(("db",)),)),
...     "ping": Service("ping", dependencies=(Dependency(("pong",)),)),
...     "pong": Service("pong", dependencies=(Dependency(("ping",)),)),
... })
>>> order = startup_order(catalog)
>>> order.waves
(('service:db',), ('service:api',))
>>> order.reasons["service:ping"]
'needs service:pong, which never starts; hard cycle service:ping → service:pong → service:ping'
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from depgraph.failure.closure import strongly_connected
from depgraph.model import Catalog


@dataclass(frozen=True, slots=True)
class StartupOrder:
    """Waves of service ids (sorted within a wave), the blocked ids, and why each is blocked."""

    waves: tuple[tuple[str, ...], ...]
    blocked: tuple[str, ...] = ()
    reasons: dict[str, str] = field(default_factory=dict)
    #: the hard entries to cut or soften so that every blocked service starts (each as
    #: :meth:`~depgraph.analyses.cycles.CycleBreaker.to_json`), from the hard cycles' analysis
    cuts: tuple[dict, ...] = ()

    def to_json(self) -> dict:
        return {"waves": [list(wave) for wave in self.waves], "blocked": list(self.blocked),
                "cuts": list(self.cuts)}


def startup_order(catalog: Catalog, cycles=None) -> StartupOrder:
    """The cold-start waves of every service, the services that can never start, and the
    entries to cut so that they do (from the catalog's ``cycles``, found here when not given:
    :func:`~depgraph.analyses.cycles.dependency_cycles`)."""
    entries = _hard_entries(catalog)
    waiting = {name: len(needs) for name, needs in entries.items()}
    needed_by: dict[str, list[tuple[str, int]]] = {name: [] for name in entries}
    for name, needs in entries.items():
        for number, alternatives in enumerate(needs):
            for alternative in alternatives:
                needed_by[alternative].append((name, number))
    satisfied: set[tuple[str, int]] = set()
    waves = []
    wave = [name for name, count in waiting.items() if count == 0]
    while wave:
        waves.append(tuple(f"service:{name}" for name in sorted(wave)))
        started_next = []
        for name in wave:
            for dependent, number in needed_by[name]:
                if (dependent, number) not in satisfied:
                    satisfied.add((dependent, number))
                    waiting[dependent] -= 1
                    if waiting[dependent] == 0:
                        started_next.append(dependent)
        wave = started_next
    blocked = sorted(name for name, count in waiting.items() if count)
    if blocked and cycles is None:
        from depgraph.analyses.cycles import dependency_cycles  # the cuts are the cycles' analysis

        cycles = dependency_cycles(catalog)
    cuts = tuple(cut.to_json() for cycle in cycles or () if cycle.hard for cut in cycle.cuts) if blocked else ()
    return StartupOrder(tuple(waves), tuple(f"service:{n}" for n in blocked),
                        _reasons(entries, set(blocked)), cuts)


def _hard_entries(catalog: Catalog) -> dict[str, list[tuple[str, ...]]]:
    """Service name -> its hard entries as sorted alternatives (services only, none empty)."""
    services = catalog.services
    result = {}
    for name, service in services.items():
        needs = []
        for dependency in service.dependencies:
            if not dependency.hard:
                continue
            targets = dependency.targets
            alternatives: tuple[str, ...]
            if len(targets) == 1:  # most entries: no set to build, nothing to sort
                alternatives = targets if targets[0] in services else ()
            else:
                alternatives = tuple(sorted({t for t in targets if t in services}))
            if alternatives:
                needs.append(alternatives)
        result[name] = needs
    return result


def _reasons(entries: dict[str, list[tuple[str, ...]]], blocked: set[str]) -> dict[str, str]:
    """Blocked id -> why (see :func:`blocked_reasons`), for service names."""
    as_ids = {f"service:{name}": [tuple(f"service:{a}" for a in alternatives) for alternatives in entries[name]]
              for name in blocked}
    return blocked_reasons(as_ids, set(as_ids))


#: nodes the search for a shortest hard cycle through one blocked service expands at most: a
#: real cycle is a few services, but every member of a hard ring of thousands stands on it
CYCLE_BUDGET = 100


def blocked_reasons(entries: dict[str, list[tuple[str, ...]]], blocked: set[str]) -> dict[str, str]:
    """Blocked id -> the hard entries (tuples of alternative ids) it waits for in vain, and a hard
    cycle through it, if any. ``entries`` holds at least every blocked id's hard entries. The
    cycle is searched for only among the services that wait for each other (the strongly
    connected component), for at most :data:`CYCLE_BUDGET` of them: past that the reason
    says how many wait for each other instead of naming the cycle (in a hard ring of 8,000
    each one would be 8,000 names long)."""
    waits_on = {node: sorted({a for alts in entries[node] if set(alts) <= blocked for a in alts})
                for node in blocked}
    together = _waiting_together(waits_on)
    reasons = {}
    for node in sorted(blocked):
        parts = []
        for alternatives in entries[node]:
            if not set(alternatives) <= blocked:
                continue
            if len(alternatives) == 1:
                parts.append(f"needs {alternatives[0]}, which never starts")
            else:
                parts.append(f"needs one of {', '.join(alternatives)}, none of which ever starts")
        group = together.get(node)
        if group is not None:
            cycle = _cycle_through(node, waits_on, group)
            if cycle:
                parts.append("hard cycle " + " → ".join(cycle))
            else:
                parts.append(f"hard cycle among {len(group):,} services that wait for each other "
                             f"(too long to name here)")
        reasons[node] = "; ".join(parts)
    return reasons


def _waiting_together(waits_on: dict[str, list[str]]) -> dict[str, set[str]]:
    """Node -> the services it waits for that wait for it in turn (its strongly connected
    component), for every node on a cycle (a self-loop included)."""
    together: dict[str, set[str]] = {}
    finished: set[str] = set()
    for root in sorted(waits_on):
        if root in finished:
            continue
        for members in strongly_connected(waits_on, root, finished):
            finished.update(members)
            if len(members) > 1 or members[0] in waits_on[members[0]]:
                group = set(members)
                together.update(dict.fromkeys(members, group))
    return together


def _cycle_through(start: str, successors: dict[str, list[str]], inside: set[str],
                   budget: int = CYCLE_BUDGET) -> list[str] | None:
    """A shortest cycle ``[start, …, start]`` in ``successors`` among ``inside`` (breadth
    first), or None when there is none or ``budget`` nodes were expanded first."""
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue and budget > 0:
        node = queue.popleft()
        budget -= 1
        for nxt in successors.get(node, ()):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [start, *reversed(path[:-1]), start] if node != start else [start, start]
            if nxt not in parent and nxt in inside:
                parent[nxt] = node
                queue.append(nxt)
    return None
