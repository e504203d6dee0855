"""Dependency cycles: between services, between teams and between tribes, and where to cut them.

A cycle is a strongly connected component (SCC) of two or more members of the dependency graph
(SPEC §4). It is *hard* when it blocks a cold start: with every service outside it taken as
started, some member still never starts by the startup-order rules (each hard entry needs an
alternative started first; soft entries never hold a service back). A ring closed only through
an ``any_of`` whose other alternative lies outside the ring is therefore soft: that alternative
starts, and the ring starts after it. The members that never start are the cycle's
``blocked`` members; a hard cycle's ``example`` is a shortest ring of the hard entries that
hold them back, and its ``cuts`` are the entries to cut or soften so that every member starts.
Every example starts at its smallest id and is otherwise the lexicographically smallest, so
output is deterministic. Simple cycles are never enumerated: finding the example costs at most
one bounded breadth-first search per member.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict, deque
from dataclasses import dataclass

import networkx as nx

from depgraph.analyses.paths import dependency_graph
from depgraph.failure.closure import strongly_connected
from depgraph.analyses.findings import Cause, Finding
from depgraph.model import Catalog, Location


@dataclass(frozen=True, slots=True)
class CycleBreaker:
    """A hard entry of ``source`` to cut or soften: its alternatives ``targets`` (one for a
    plain dependency, several for an ``any_of``), declared at ``file``:``line``."""

    source: str
    targets: tuple[str, ...]
    file: str | None = None
    line: int | None = None

    @property
    def target(self) -> str:
        return self.targets[0]

    def describe(self) -> str:
        """``service:a -> service:b``, or ``service:a -> any_of [service:b, service:c]``."""
        if len(self.targets) == 1:
            return f"{self.source} -> {self.targets[0]}"
        return f"{self.source} -> any_of [{', '.join(self.targets)}]"

    def to_json(self) -> dict:
        document: dict = {"source": self.source, "target": self.targets[0], "file": self.file,
                    "line": self.line}
        if len(self.targets) > 1:
            document["any_of"] = list(self.targets)
        return document


@dataclass(frozen=True, slots=True)
class Cycle:
    """An SCC of the dependency graph: sorted ``members``, ``hard``, one shortest ``example``,
    the members that never start cold (``blocked``, empty for a soft cycle) and the entries to
    cut or soften (``cuts``: enough together; each checked to be needed unless
    ``cuts_checked`` is False, when the check's budget ran out on a huge cycle)."""

    members: tuple[str, ...]
    hard: bool
    example: tuple[str, ...]
    blocked: tuple[str, ...] = ()
    cuts_checked: bool = True
    cuts: tuple[CycleBreaker, ...] = ()

    def to_json(self) -> dict:
        return {"members": list(self.members), "hard": self.hard, "example": list(self.example),
                "blocked": list(self.blocked), "cuts": [cut.to_json() for cut in self.cuts]}


@dataclass(frozen=True, slots=True)
class GroupCycle:
    """A cycle between teams or tribes: sorted ``members``, the aggregated ``edges``
    ``(source, target, weight)`` between them (weight = number of service dependencies), and
    one shortest ``example`` cycle."""

    members: tuple[str, ...]
    edges: tuple[tuple[str, str, int], ...]
    example: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "members": list(self.members),
            "example": list(self.example),
            "edges": [{"source": s, "target": t, "dependencies": w} for s, t, w in self.edges],
        }


# A hard entry: its alternatives (service ids, sorted) and where it is declared.
Entry = tuple[tuple[str, ...], "Location | None"]


def dependency_cycles(catalog: Catalog, graph: nx.DiGraph | None = None) -> list[Cycle]:
    """Every SCC of two or more members of the dependency graph, sorted by members.

    ``graph`` is the catalog's :func:`dependency_graph`, when already built.

    >>> from depgraph.model import Catalog, Dependency, Service
    >>> def s(name, *deps):
    ...     return Service(name, dependencies=tuple(deps))
    >>> ring = Catalog(services={"a": s("a", Dependency(("b",))), "b": s("b", Dependency(("a",)))})
    >>> [(c.hard, c.example, [cut.describe() for cut in c.cuts]) for c in dependency_cycles(ring)]
    [(True, ('service:a', 'service:b', 'service:a'), ['service:b -> service:a'])]

    A ring closed through an any_of whose other alternative lies outside it starts cold:

    >>> failover = Catalog(services={
    ...     "i": s("i", Dependency(("j", "k"), is_group=True)), "j": s("j", Dependency(("i",))),
    ...     "k": s("k")})
    >>> [(c.members, c.hard) for c in dependency_cycles(failover)]
    [(('service:i', 'service:j'), False)]
    """
    graph = dependency_graph(catalog) if graph is None else graph
    components = [c for c in nx.strongly_connected_components(graph) if len(c) >= 2]
    entries = hard_entries(catalog, {m for c in components for m in c})
    cycles = []
    for component in components:
        members = tuple(sorted(component))
        inside = _entries_inside(component, entries)
        blocked = never_started(inside)
        if blocked:
            blocking = _blocking_graph(blocked, inside)
            example = shortest_cycle(blocking)
            cuts, checked = _cuts(inside, blocked, blocking)
            cycles.append(Cycle(members, True, example, tuple(sorted(blocked)), checked, cuts))
        else:
            cycles.append(Cycle(members, False, shortest_cycle(graph.subgraph(members))))
    return sorted(cycles, key=lambda c: c.members)


def hard_entries(catalog: Catalog, ids: set[str] | None = None) -> dict[str, list[Entry]]:
    """Service id -> its hard entries naming services, as sorted alternative ids and a place
    (of the services with ``ids``, when given: those on cycles)."""
    result: dict[str, list[Entry]] = {}
    services = catalog.services.values() if ids is None else (
        catalog.services[i[8:]] for i in sorted(ids) if i.startswith("service:") and i[8:] in catalog.services)
    for service in services:
        needs = []
        for dependency in service.dependencies:
            alternatives = tuple(sorted({f"service:{t}" for t in dependency.targets
                                         if t in catalog.services}))
            if dependency.hard and alternatives:
                needs.append((alternatives, dependency.source))
        result[service.id] = needs
    return result


def _entries_inside(members, entries: dict[str, list[Entry]]) -> dict[str, list[Entry]]:
    """Each member's hard entries with every alternative among ``members``: the others are
    satisfied, since every service outside is taken as started."""
    return {member: [entry for entry in entries.get(member, ()) if all(a in members for a in entry[0])]
            for member in members}


def never_started(entries: dict[str, list[Entry]]) -> set[str]:
    """The services of ``entries`` that never start: a service starts once each of its entries
    has an alternative started (alternatives outside ``entries`` never start).

    >>> sorted(never_started({"a": [(("b",), None)], "b": [(("a", "c"), None)], "c": []}))
    []
    >>> sorted(never_started({"a": [(("b",), None)], "b": [(("a",), None)], "c": []}))
    ['a', 'b']
    """
    waiting = {service: len(needs) for service, needs in entries.items()}
    needed_by: dict[str, list[tuple[str, int]]] = {}
    for service, needs in entries.items():
        for number, (alternatives, _) in enumerate(needs):
            for alternative in alternatives:
                needed_by.setdefault(alternative, []).append((service, number))
    started = [service for service, count in waiting.items() if count == 0]
    satisfied: set[tuple[str, int]] = set()
    while started:
        for dependent, number in needed_by.get(started.pop(), ()):
            if (dependent, number) not in satisfied:
                satisfied.add((dependent, number))
                waiting[dependent] -= 1
                if waiting[dependent] == 0:
                    started.append(dependent)
    return {service for service, count in waiting.items() if count}


def _blocking_graph(blocked: set[str], entries: dict[str, list[Entry]]) -> nx.DiGraph:
    """The hard edges that hold the blocked services back: to every alternative of an entry
    whose alternatives all never start. Each blocked service has one, so the graph has rings."""
    graph = nx.DiGraph()
    for service in blocked:
        for alternatives, _ in entries[service]:
            if all(a in blocked for a in alternatives):
                graph.add_edges_from((service, a) for a in alternatives)
    return graph


CUT_BUDGET = 200_000  # steps of the exact put-back checks of one cycle's cuts
CUT_ROUNDS = 16  # rounds of the cheap wave put-back, at most


def _cuts(entries: dict[str, list[Entry]], blocked: set[str], graph: nx.DiGraph,
          budget: int = CUT_BUDGET) -> tuple[tuple[CycleBreaker, ...], bool]:
    """A small set of entries whose removal lets every service of ``entries`` start
    (``blocked``: those that never do; ``graph``: their blocking graph), and whether each of
    them was checked to be needed.

    The backward edges of an Eades–Lin–Smyth order of the blocking graph name the entries to
    cut (all of them at once suffice: what is left points forward, so the last service starts
    first). Then cut entries are put back while every service still starts, in two steps that
    never re-run the whole cold start per entry: rounds in which each cut entry with an
    alternative starting in an earlier wave than its service goes back (the waves stay a valid
    start order, so all of a round's entries go back at once; linear per round); then each entry
    left is checked alone (does one of its alternatives start without its service?), within
    ``budget`` steps in all. When the budget runs out the cuts suffice but some may not be
    needed (the second value is False). Not guaranteed minimum (the problem is NP-hard)."""
    nodes = sorted(blocked)
    number = {node: i for i, node in enumerate(nodes)}
    # The entries that can hold a blocked service back: every alternative blocked.
    owner: list[int] = []
    alternatives: list[list[int]] = []
    place: list[tuple[str, int]] = []
    for service in nodes:
        for n, (alts, _) in enumerate(entries[service]):
            if all(a in blocked for a in alts):
                owner.append(number[service])
                alternatives.append([number[a] for a in alts])
                place.append((service, n))
    position = {node: i for i, node in enumerate(_eades_order(graph))}
    rank = [position[node] for node in nodes]
    cut = {e for e, (s, alts) in enumerate(zip(owner, alternatives)) if any(rank[s] >= rank[a] for a in alts)}
    for _ in range(CUT_ROUNDS):
        wave, sequence = _waves(len(nodes), owner, alternatives, cut)
        back = {e for e in cut if min(wave[a] for a in alternatives[e]) < wave[owner[e]]}
        if not back:
            break
        cut -= back
    else:
        sequence = _waves(len(nodes), owner, alternatives, cut)[1]
    checked = _put_back(len(nodes), owner, alternatives, cut, sequence, budget)
    breakers = []
    for e in cut:
        service, n = place[e]
        alts, where = entries[service][n]
        breakers.append(CycleBreaker(service, alts, where.file if where else None,
                                     where.line if where else None))
    return tuple(sorted(breakers, key=lambda b: (b.source, b.targets))), checked


def _waves(size: int, owner: list[int], alternatives: list[list[int]], cut: set[int]) -> tuple[list[int], list[int]]:
    """Each node's earliest start wave when the ``cut`` entries are left out, and the nodes in
    the order they start (every node starts: the kept entries point along a start order)."""
    waiting = [0] * size
    needed_by: list[list[int]] = [[] for _ in range(size)]
    for e, s in enumerate(owner):
        if e not in cut:
            waiting[s] += 1
            for a in alternatives[e]:
                needed_by[a].append(e)
    wave = [0] * size
    satisfied = [False] * len(owner)
    started = [n for n in range(size) if not waiting[n]]
    for node in started:  # grows while it is walked: breadth first, so waves are earliest
        for e in needed_by[node]:
            if not satisfied[e]:
                satisfied[e] = True
                s = owner[e]
                wave[s] = max(wave[s], wave[node] + 1)
                waiting[s] -= 1
                if not waiting[s]:
                    started.append(s)
    return wave, started


def _put_back(size: int, owner: list[int], alternatives: list[list[int]], cut: set[int],
              sequence: list[int], budget: int) -> bool:
    """Put back each cut entry (in order) while every node still starts. ``sequence`` is a start
    order of the nodes without the cut entries: the nodes before an entry's service start
    whatever it waits for, so an alternative among them puts the entry back at once; otherwise
    only the rest of the sequence is started again, with the entry in place (which also gives
    the new sequence when the service still starts). False when ``budget`` steps ran out first
    (``cut`` still suffices)."""
    kept: list[list[int]] = [[] for _ in range(size)]
    for e, s in enumerate(owner):
        if e not in cut:
            kept[s].append(e)
    spent, at = 0, None
    for e in sorted(cut):
        service, alts = owner[e], alternatives[e]
        if at is None:
            at = {node: i for i, node in enumerate(sequence)}
            spent += len(sequence)
        here = at[service]
        if min(at[a] for a in alts) < here:
            cut.discard(e)
            kept[service].append(e)
            continue
        spent += sum(len(kept[node]) for node in sequence[here:]) + len(sequence) - here
        if spent > budget:
            return False
        restarted = _restart(sequence[here:], at, here, kept, alternatives, e)
        if restarted is not None:
            cut.discard(e)
            kept[service].append(e)
            sequence[here:] = restarted
            at = None
    return True


def _restart(suffix: list[int], at: dict[int, int], here: int, kept: list[list[int]],
             alternatives: list[list[int]], extra: int) -> list[int] | None:
    """Start the ``suffix`` of a start order again, with the nodes before it (``at`` < ``here``)
    started and the entry ``extra`` of the suffix's first node added: the new order, or None
    when some node never starts."""
    service = suffix[0]
    waiting: dict[int, int] = {}
    needed_by: dict[int, list[tuple[int, int]]] = {}
    for node in suffix:
        count = 0
        for e in kept[node] + ([extra] if node == service else []):
            if e != extra and min(at[a] for a in alternatives[e]) < here:
                continue  # satisfied by a node that started before
            count += 1
            for a in alternatives[e]:
                needed_by.setdefault(a, []).append((node, e))
        waiting[node] = count
    order = [node for node in suffix if not waiting[node]]
    satisfied: set[int] = set()
    for node in order:  # grows while it is walked
        for dependent, e in needed_by.get(node, ()):
            if e not in satisfied:
                satisfied.add(e)
                waiting[dependent] -= 1
                if not waiting[dependent]:
                    order.append(dependent)
    return order if len(order) == len(suffix) else None


SEARCH_BUDGET = 2_000_000  # nodes visited by the searches of one shortest_cycle call


def shortest_cycle(graph: nx.DiGraph, budget: int = SEARCH_BUDGET) -> tuple[str, ...]:
    """One shortest cycle of ``graph`` as ``(a, …, a)``, or ``()`` when it is acyclic.

    Among shortest cycles it picks the ones through the smallest node id, and of those the
    lexicographically smallest walk, so the answer does not depend on graph insertion order.
    Each node's search sees only nodes above it (a cycle is found from its smallest member) and
    stops at the best length so far. Past ``budget`` visited nodes in all (only a huge
    component with long cycles gets there) the best cycle found so far is returned.

    >>> g = nx.DiGraph([("c", "a"), ("a", "b"), ("b", "c"), ("b", "d"), ("d", "b")])
    >>> shortest_cycle(g)
    ('b', 'd', 'b')
    """
    best: tuple[str, ...] = ()
    spent = 0
    for node in sorted(graph):
        limit = len(best) - 1 if best else len(graph) + 1
        to_node = _distances_to(graph, node, limit - 2)
        spent += len(to_node)
        cycle = _walk(graph, node, to_node, limit)
        if cycle:
            best = cycle
            if len(best) == 3:  # two members: nothing can be shorter
                break
        if best and spent > budget:
            break
    return best


def _walk(graph: nx.DiGraph, start: str, to_start: dict[str, int], limit: int) -> tuple[str, ...]:
    """The lexicographically smallest shortest cycle through ``start`` if it has fewer than
    ``limit`` edges, else ``()``; ``to_start`` holds distances to ``start``."""
    lengths = [to_start[v] + 1 for v in graph.successors(start) if v in to_start]
    if not lengths or min(lengths) >= limit:
        return ()
    remaining = min(lengths)
    walk, here = [start], start
    while remaining:
        here = min(v for v in graph.successors(here) if to_start.get(v) == remaining - 1)
        walk.append(here)
        remaining -= 1
    return tuple(walk)


def _distances_to(graph: nx.DiGraph, target: str, cutoff: int) -> dict[str, int]:
    """Hop distance to ``target`` from each node with a larger id (reverse BFS), up to
    ``cutoff`` hops."""
    distance = {target: 0}
    queue = deque([target])
    while queue:
        node = queue.popleft()
        if distance[node] >= cutoff:
            continue
        for pred in graph.predecessors(node):
            if pred > target and pred not in distance:
                distance[pred] = distance[node] + 1
                queue.append(pred)
    return distance


def team_cycles(catalog: Catalog, graph: nx.DiGraph | None = None) -> list[GroupCycle]:
    """Cycles between owner teams: team X depends on team Y when a service or client of X
    depends on a service of Y (X != Y). Entities without a declared owner team are left out.
    ``graph`` is the :func:`dependency_graph` of the catalog, when already built."""
    return group_cycles(catalog, graph)[0]


def tribe_cycles(catalog: Catalog, graph: nx.DiGraph | None = None) -> list[GroupCycle]:
    """Cycles between tribes, aggregated like :func:`team_cycles` through each team's tribe."""
    return group_cycles(catalog, graph)[1]


def group_cycles(catalog: Catalog, graph: nx.DiGraph | None = None) -> tuple[list[GroupCycle], list[GroupCycle]]:
    """``(team cycles, tribe cycles)`` from one pass over the dependencies: the tribes' edges
    are the teams' edges between teams of different tribes."""
    graph = dependency_graph(catalog) if graph is None else graph
    team_of: dict[str, str | None] = {}
    for entity in catalog.services_and_clients():
        team_of[entity.id] = f"team:{entity.owner}" if entity.owner in catalog.teams else None
    teams: defaultdict[str, Counter[str]] = defaultdict(Counter)  # team -> the teams it depends on, counted
    for dependent, targets in graph.adjacency():
        if a := team_of.get(dependent):
            teams[a].update(b for target in targets if (b := team_of.get(target)) and a != b)
    tribe_of = {f"team:{name}": f"tribe:{team.tribe}" if team.tribe else None for name, team in catalog.teams.items()}
    tribes: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for a, weights in teams.items():
        for b, weight in weights.items():
            if (tribe_a := tribe_of[a]) and (tribe_b := tribe_of[b]) and tribe_a != tribe_b:
                tribes[tribe_a][tribe_b] += weight
    return _cycles_of(teams), _cycles_of(tribes)


def _cycles_of(weights: dict[str, Counter[str]]) -> list[GroupCycle]:
    """The cycles of the graph of ``weights`` (``weights[a][b]``: the dependencies from a to b),
    each a strongly connected component of two or more groups, by members. Edges are sorted a
    source at a time (sorting names, not pairs of them: a landscape of 20,000 services has
    tens of thousands of pairs of teams)."""
    successors = {group: sorted(targets) for group, targets in weights.items()}
    for targets in list(successors.values()):
        for target in targets:
            successors.setdefault(target, [])
    cycles = []
    finished: set[str] = set()
    for root in sorted(successors):
        for component in strongly_connected(successors, root, finished):
            finished.update(component)
            if len(component) >= 2:
                members = tuple(sorted(component))
                inside = set(component)
                edges = tuple((a, b, weights[a][b]) for a in members for b in successors[a] if b in inside)
                between = nx.DiGraph()
                between.add_edges_from((a, b) for a, b, _ in edges)
                cycles.append(GroupCycle(members, edges, shortest_cycle(between)))
    return sorted(cycles, key=lambda c: c.members)


def _eades_order(graph: nx.DiGraph) -> list[str]:
    """Eades–Lin–Smyth: sinks to the back, sources to the front, else the node with the
    largest out-degree minus in-degree (smallest id on ties) to the front. Heaps keep it
    O(m log n); stale heap entries are skipped."""
    succ = {n: set(graph.successors(n)) for n in graph}
    pred = {n: set(graph.predecessors(n)) for n in graph}
    sinks = [n for n in graph if not succ[n]]
    sources = [n for n in graph if not pred[n]]
    ranked = [(len(pred[n]) - len(succ[n]), n) for n in graph]
    for heap in (sinks, sources, ranked):
        heapq.heapify(heap)
    front: list[str] = []
    back: list[str] = []

    def push(node: str) -> None:
        if not succ[node]:
            heapq.heappush(sinks, node)
        elif not pred[node]:
            heapq.heappush(sources, node)
        else:
            heapq.heappush(ranked, (len(pred[node]) - len(succ[node]), node))

    def remove(node: str) -> None:
        for p in pred.pop(node):
            succ[p].discard(node)
            push(p)
        for s in succ.pop(node):
            pred[s].discard(node)
            push(s)

    while succ:
        if sinks:
            node = heapq.heappop(sinks)
            if node in succ and not succ[node]:
                back.append(node)
                remove(node)
        elif sources:
            node = heapq.heappop(sources)
            if node in succ and not pred[node]:
                front.append(node)
                remove(node)
        else:
            delta, node = heapq.heappop(ranked)
            if node in succ and delta == len(pred[node]) - len(succ[node]):
                front.append(node)
                remove(node)
    return front + back[::-1]


def cycle_findings(cycles: list[Cycle], graph: nx.DiGraph) -> list[Finding]:
    """``hard-cycle`` (error) and ``soft-cycle`` (warning) findings, one per cycle, placed at
    the dependency entry that closes the example; fingerprinted by the members."""
    findings = []
    for cycle in cycles:
        closing = graph.edges[cycle.example[-2], cycle.example[-1]]
        walk = " -> ".join(cycle.example)
        if cycle.hard:
            rule, severity = "hard-cycle", "error"
            message = f"hard dependency cycle: {walk}"
            if cycle.cuts:
                message += "; to break it, cut or soften " + _cut_list(cycle)
        else:
            rule, severity = "soft-cycle", "warning"
            message = (f"soft dependency cycle: {walk} (every member can start cold, each ring "
                       "having a soft dependency or an alternative outside it, but failures echo around it)")
        if len(cycle.members) > len(cycle.example) - 1:
            message += f" ({len(cycle.members)} members in the cycle)"
        findings.append(Finding(rule, severity, cycle.members[0], message, closing.get("file"),
                                closing.get("line"), key=cycle.members, related=cycle.members,
                                cause=cycle_cause(cycle)))
    return findings


def cycle_cause(cycle: Cycle) -> Cause:
    """Why a ring blocks a cold start (each member waits for the next), or only echoes failures."""
    if cycle.hard:
        waits = ", which waits for ".join(cycle.example[1:])
        text = f"{cycle.example[0]} waits for {waits} before it can start, so none starts first"
    else:
        text = ("every member can start once something outside the ring is up (a soft dependency "
                "or an alternative outside it), but a failure in it reaches the others")
    return Cause("cycle", text, {"path": list(cycle.example),
                                 "blocked": list(cycle.blocked),
                                 "cuts": [cut.to_json() for cut in cycle.cuts]})


SHOWN_CUTS = 12  # cuts named in a finding's message; JSON documents list them all


def _cut_list(cycle: Cycle) -> str:
    """The cuts for a message: all of a small set, else the first few and how many more; "at
    most" when they were not each checked to be needed."""
    shown = ", ".join(cut.describe() for cut in cycle.cuts[:SHOWN_CUTS])
    more = len(cycle.cuts) - SHOWN_CUTS
    if more > 0:
        shown += f" and {more:,} more (depgraph analyze --format json lists them all)"
    if cycle.cuts_checked:
        return shown
    return f"at most these {len(cycle.cuts):,} entries (enough together; too many to check each is needed): {shown}"


def group_cycle_findings(catalog: Catalog, teams: list[GroupCycle],
                         tribes: list[GroupCycle]) -> list[Finding]:
    """``team-cycle`` and ``tribe-cycle`` findings (info), one per cycle."""
    findings = []
    for rule, cycles in (("team-cycle", teams), ("tribe-cycle", tribes)):
        for cycle in cycles:
            noun = rule.split("-")[0]
            message = (f"{len(cycle.members)} {noun}s depend on each other in a cycle, "
                       f"e.g. {' -> '.join(cycle.example)}")
            file, line = _declaration(catalog, cycle.members[0])
            # identified by its first member alone: a ring that grows stays the same finding
            cause = Cause("cycle", f"the {noun}s' services depend on one another around a ring, e.g. "
                          f"{' -> '.join(cycle.example)}", {"path": list(cycle.example)})
            findings.append(Finding(rule, "info", cycle.members[0], message, file, line,
                                    related=cycle.members, cause=cause))
    return findings


def _declaration(catalog: Catalog, group_id: str) -> tuple[str | None, int | None]:
    """Where a team is declared (for a tribe: its first team, by name)."""
    kind, _, name = group_id.partition(":")
    teams = [t for _, t in sorted(catalog.teams.items())
             if (t.name == name if kind == "team" else t.tribe == name)]
    where = teams[0].source if teams else None
    return (where.file, where.line) if where else (None, None)
