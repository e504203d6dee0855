"""Cycles between services, teams and tribes, and the hard edges to cut (depgraph.analyses.cycles)."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depgraph.analyses.cycles import (
    CycleBreaker,
    cycle_findings,
    dependency_cycles,
    group_cycle_findings,
    team_cycles,
    tribe_cycles,
)
from depgraph.analyses.paths import dependency_graph
from depgraph.model import Catalog, Client, Dependency, Location, Service, Team
from tests.helpers import examples


def dep(owner: str, index: int, spec) -> Dependency:
    """``"b"`` hard, ``"~b"`` soft, ``["b", "c"]`` hard any_of, ``["~", "b"]`` soft any_of;
    declared in ``<owner>.yaml`` at line 10 + index."""
    where = Location(f"{owner}.yaml", 10 + index, 5)
    if isinstance(spec, list):
        soft = spec[0] == "~"
        names = tuple(spec[1:] if soft else spec)
        return Dependency(names, "soft" if soft else "hard", True, source=where)
    if spec.startswith("~"):
        return Dependency((spec[1:],), "soft", source=where)
    return Dependency((spec,), source=where)


def catalog(services: dict, owners: dict | None = None, tribes: dict | None = None,
            clients: dict | None = None) -> Catalog:
    owners = owners or {}
    cat = Catalog()
    for name, deps in services.items():
        cat.services[name] = Service(
            name, owner=owners.get(name),
            dependencies=tuple(dep(name, i, d) for i, d in enumerate(deps)),
            source=Location(f"{name}.yaml", 1))
    for name, deps in (clients or {}).items():
        cat.clients[name] = Client(
            name, owner=owners.get(name),
            dependencies=tuple(dep(name, i, d) for i, d in enumerate(deps)))
    for team in sorted(set(owners.values())):
        cat.teams[team] = Team(team, tribe=(tribes or {}).get(team),
                               source=Location(f"teams/{team}.yaml", 2))
    return cat


def ids(*names: str) -> tuple[str, ...]:
    return tuple(f"service:{n}" for n in names)


def cycle_breakers(cat: Catalog):
    """Every cycle's cuts, in cycle order."""
    return [cut for cycle in dependency_cycles(cat) for cut in cycle.cuts]


def findings(cat: Catalog):
    return cycle_findings(dependency_cycles(cat), dependency_graph(cat))


class TestDependencyCycles:
    def test_acyclic_landscape_has_no_cycles(self):
        cat = catalog({"a": ["b", "~c"], "b": ["c"], "c": []})
        assert dependency_cycles(cat) == []

    def test_soft_only_cycle_is_not_hard(self):
        cat = catalog({"a": ["b"], "b": ["~a"]})
        [cycle] = dependency_cycles(cat)
        assert cycle.members == ids("a", "b")
        assert cycle.hard is False
        assert cycle.example == ids("a", "b", "a")

    def test_hard_cycle_inside_bigger_soft_component_has_all_hard_example(self):
        # a <-> b softly (the shortest cycle), b -> c -> d -> b hard.
        cat = catalog({"a": ["~b"], "b": ["~a", "c"], "c": ["d"], "d": ["b"]})
        [cycle] = dependency_cycles(cat)
        assert cycle.members == ids("a", "b", "c", "d")
        assert cycle.hard is True
        assert cycle.example == ids("b", "c", "d", "b")

    def test_hard_edges_spread_over_two_rings_without_an_all_hard_cycle_is_soft(self):
        # a -> b hard, b -> a soft, b -> c hard, c -> b soft: hard edges alone form no ring.
        cat = catalog({"a": ["b"], "b": ["~a", "c"], "c": ["~b"]})
        [cycle] = dependency_cycles(cat)
        assert cycle.hard is False
        assert cycle.example == ids("a", "b", "a")

    def test_ring_closed_through_an_any_of_with_an_alternative_outside_is_soft(self):
        # a needs b or c; c starts first (it needs nothing), then a, then b: nothing is blocked
        cat = catalog({"a": [["b", "c"]], "b": ["a"], "c": []})
        [cycle] = dependency_cycles(cat)
        assert (cycle.members, cycle.hard, cycle.blocked, cycle.cuts) == (ids("a", "b"), False, (), ())

    def test_any_of_whose_alternatives_all_lie_in_the_ring_is_hard(self):
        cat = catalog({"a": [["b", "c"]], "b": ["a"], "c": ["a"]})
        [cycle] = dependency_cycles(cat)
        assert (cycle.hard, cycle.blocked, cycle.example) == (True, ids("a", "b", "c"), ids("a", "b", "a"))
        [cut] = cycle.cuts  # softening c's entry starts c, then a (through c), then b
        assert cut.describe() == "service:c -> service:a"

    def test_an_any_of_cut_names_every_alternative(self):
        cut = CycleBreaker("service:a", ids("b", "c"), "a.yaml", 10)
        assert cut.describe() == "service:a -> any_of [service:b, service:c]"
        assert cut.to_json() == {"source": "service:a", "target": "service:b", "any_of": list(ids("b", "c")),
                                 "file": "a.yaml", "line": 10}

    def test_only_the_members_that_never_start_are_blocked(self):
        # a and b hold each other back; c needs a or d (d starts) so c starts; a needs c softly
        cat = catalog({"a": ["b", "~c"], "b": ["a"], "c": [["a", "d"]], "d": []})
        [cycle] = dependency_cycles(cat)
        assert cycle.members == ids("a", "b", "c") and cycle.blocked == ids("a", "b")

    def test_soft_any_of_is_not_hard(self):
        cat = catalog({"a": [["~", "b", "c"]], "b": ["a"], "c": []})
        [cycle] = dependency_cycles(cat)
        assert cycle.hard is False

    def test_hard_and_soft_entry_on_the_same_target_make_a_hard_edge(self):
        cat = catalog({"a": ["~b", "b"], "b": ["a"]})
        assert dependency_cycles(cat)[0].hard is True

    def test_example_starts_at_smallest_id(self):
        cat = catalog({"c": ["a"], "a": ["b"], "b": ["c"]})
        assert dependency_cycles(cat)[0].example == ids("a", "b", "c", "a")

    def test_example_is_a_shortest_cycle_with_lexicographic_tie_break(self):
        # z is reached by the long ring c -> d -> e -> c; the 2-cycles through a tie.
        cat = catalog({"a": ["c", "b"], "b": ["a"], "c": ["a", "d"], "d": ["e"], "e": ["c"]})
        [cycle] = dependency_cycles(cat)
        assert cycle.members == ids("a", "b", "c", "d", "e")
        assert cycle.example == ids("a", "b", "a")

    def test_separate_components_are_separate_cycles_sorted(self):
        cat = catalog({"x": ["y"], "y": ["x"], "a": ["b"], "b": ["~a"], "solo": ["a"]})
        assert [c.members for c in dependency_cycles(cat)] == [ids("a", "b"), ids("x", "y")]

    def test_clients_are_never_in_cycles(self):
        cat = catalog({"a": []}, clients={"ios": ["a"]})
        assert dependency_cycles(cat) == []


class TestCycleFindings:
    def test_hard_cycle_is_an_error_at_the_closing_entry(self):
        cat = catalog({"a": ["~b"], "b": ["~a", "c"], "c": ["d"], "d": ["b"]})
        [finding] = findings(cat)
        assert (finding.rule, finding.severity) == ("hard-cycle", "error")
        assert finding.subject == "service:a"
        assert (finding.file, finding.line) == ("d.yaml", 10)  # d's entry on b closes b-c-d-b
        assert finding.key == ids("a", "b", "c", "d")
        assert "service:b -> service:c -> service:d -> service:b" in finding.message
        assert "cut or soften" in finding.message

    def test_soft_cycle_is_a_warning(self):
        cat = catalog({"a": ["b"], "b": ["x", "~a"], "x": []})
        [finding] = findings(cat)
        assert (finding.rule, finding.severity) == ("soft-cycle", "warning")
        assert (finding.file, finding.line) == ("b.yaml", 11)

    def test_fingerprint_survives_moved_lines(self):
        before = catalog({"a": ["b"], "b": ["a"]})
        after = catalog({"a": ["b"], "b": ["x", "a"], "x": []})
        [one] = findings(before)
        [two] = findings(after)
        assert one.line != two.line
        assert one.fingerprint == two.fingerprint


class TestGroupCycles:
    def landscape(self, tribes):
        services = {"a": ["b"], "b": [], "c": ["d", "e"], "d": [], "e": []}
        owners = {"a": "t1", "b": "t2", "c": "t2", "d": "t1", "e": "t1"}
        return catalog(services, owners, tribes)

    def test_teams_depending_on_each_other_form_a_cycle_without_a_service_cycle(self):
        cat = self.landscape({"t1": "x", "t2": "y"})
        assert dependency_cycles(cat) == []
        [cycle] = team_cycles(cat)
        assert cycle.members == ("team:t1", "team:t2")
        assert cycle.edges == (("team:t1", "team:t2", 1), ("team:t2", "team:t1", 2))
        assert cycle.example == ("team:t1", "team:t2", "team:t1")

    def test_tribe_cycle_aggregates_teams(self):
        cat = self.landscape({"t1": "x", "t2": "y"})
        assert [c.members for c in tribe_cycles(cat)] == [("tribe:x", "tribe:y")]

    def test_teams_of_one_tribe_make_no_tribe_cycle(self):
        cat = self.landscape({"t1": "x", "t2": "x"})
        assert tribe_cycles(cat) == []

    def test_unowned_services_are_left_out(self):
        cat = catalog({"a": ["b"], "b": ["c"], "c": []}, {"a": "t1", "c": "t1"})
        assert team_cycles(cat) == []

    @settings(max_examples=examples(50), deadline=None)
    @given(st.data())
    def test_tribe_edges_are_every_dependency_between_tribes(self, data):
        """The tribes' weights come from the teams' ones; they must be what aggregating every
        dependency straight through owner team and tribe gives (no owner, no tribe, one
        tribe: left out)."""
        names = [f"s{i}" for i in range(data.draw(st.integers(2, 9)))]
        services = {n: data.draw(st.lists(st.sampled_from(names), max_size=3, unique=True)) for n in names}
        owners = {n: t for n in names if (t := data.draw(st.sampled_from([None, "t1", "t2", "t3", "t4"])))}
        tribes = {t: data.draw(st.sampled_from([None, "x", "y", "z"])) for t in ("t1", "t2", "t3", "t4")}
        cat = catalog(services, owners, tribes)
        weights: dict = {}
        for dependent, targets in services.items():
            for target in targets:
                a, b = (tribes.get(owners.get(n)) for n in (dependent, target))
                if a and b and a != b:
                    weights[f"tribe:{a}", f"tribe:{b}"] = weights.get((f"tribe:{a}", f"tribe:{b}"), 0) + 1
        between = nx.DiGraph(list(weights))
        expected = sorted(tuple(sorted(c)) for c in nx.strongly_connected_components(between) if len(c) > 1)
        found = tribe_cycles(cat)
        assert [c.members for c in found] == expected
        for cycle in found:
            assert cycle.edges == tuple((a, b, w) for (a, b), w in sorted(weights.items())
                                        if a in cycle.members and b in cycle.members)

    def test_findings_are_info(self):
        cat = self.landscape({"t1": "x", "t2": "y"})
        findings = group_cycle_findings(cat, team_cycles(cat), tribe_cycles(cat))
        assert [(f.rule, f.severity, f.subject) for f in findings] == [
            ("team-cycle", "info", "team:t1"), ("tribe-cycle", "info", "tribe:x")]
        assert findings[0].file == "teams/t1.yaml"


class TestCycleBreakers:
    def test_one_edge_breaks_two_rings_sharing_it(self):
        cat = catalog({"a": ["b"], "b": ["a", "c"], "c": ["a"]})
        breakers = cycle_breakers(cat)
        assert [(b.source, b.target) for b in breakers] == [("service:a", "service:b")]
        assert (breakers[0].file, breakers[0].line) == ("a.yaml", 10)

    def test_soft_edges_are_never_cut(self):
        cat = catalog({"a": ["b"], "b": ["~a"]})
        assert cycle_breakers(cat) == []

    def test_two_disjoint_rings_need_two_cuts(self):
        cat = catalog({"a": ["b"], "b": ["a"], "x": ["y"], "y": ["z"], "z": ["x"]})
        assert len(cycle_breakers(cat)) == 2

    def test_soft_ring_through_an_any_of_needs_no_cut(self):
        cat = catalog({"i": [["j", "k"]], "j": ["i"], "k": []})
        assert cycle_breakers(cat) == []


# A random landscape: up to 6 services, each edge absent, soft or hard; with any_of entries
# joining two targets of a service into one hard entry.
landscapes = st.integers(2, 6).flatmap(lambda n: st.tuples(
    st.lists(st.sampled_from([None, "hard", "soft"]), min_size=n * n, max_size=n * n),
    st.lists(st.booleans(), min_size=n, max_size=n)).map(lambda drawn: _landscape(n, *drawn)))


def _landscape(n: int, cells: list, pair_up: list) -> Catalog:
    names = [chr(ord("a") + i) for i in range(n)]
    services = {}
    for i, name in enumerate(names):
        deps = []
        for j, target in enumerate(names):
            kind = cells[i * n + j]
            if kind and i != j:
                deps.append(target if kind == "hard" else "~" + target)
        hard = [d for d in deps if not d.startswith("~")]
        if pair_up[i] and len(hard) >= 2:  # the first two hard targets become one any_of
            deps = [[hard[0], hard[1]], *(d for d in deps if d not in hard[:2])]
        services[name] = deps
    return catalog(services)


def _edges(cat: Catalog, hard_only: bool) -> nx.DiGraph:
    graph = nx.DiGraph()
    for s in cat.services.values():
        graph.add_node(s.id)
        for d in s.dependencies:
            if d.hard or not hard_only:
                graph.add_edges_from((s.id, f"service:{t}") for t in d.targets)
    return graph


def _never_start(cat: Catalog, members: set[str], softened=frozenset()) -> set[str]:
    """SPEC §4 read literally: everything outside ``members`` has started; repeat "a member
    starts when each hard entry has a started alternative" until nothing changes."""
    started = {s.id for s in cat.services.values()} - members
    changed = True
    while changed:
        changed = False
        for name in sorted(members - started):
            entries = [d for i, d in enumerate(cat.services[name[8:]].dependencies)
                       if d.hard and (name, i) not in softened]
            if all(any(f"service:{t}" in started for t in d.targets) for d in entries):
                started.add(name)
                changed = True
    return members - started


def _entry_index(cat: Catalog, cut) -> tuple[str, int]:
    deps = cat.services[cut.source[8:]].dependencies
    [index] = [i for i, d in enumerate(deps)
               if d.hard and tuple(sorted(f"service:{t}" for t in d.targets)) == cut.targets]
    return cut.source, index


class TestAgainstBruteForce:
    @settings(max_examples=examples(100), deadline=None)
    @given(landscapes)
    def test_hard_flag_blocked_members_and_example_follow_the_spec_text(self, cat):
        everything = _edges(cat, False)
        cycles = dependency_cycles(cat)
        rings = {frozenset(c) for c in nx.strongly_connected_components(everything) if len(c) > 1}
        assert {frozenset(cycle.members) for cycle in cycles} == rings and len(cycles) == len(rings)
        for cycle in cycles:
            members = set(cycle.members)
            assert cycle.members == tuple(sorted(_scc_of(everything, cycle.members[0])))
            blocked = _never_start(cat, members)
            assert cycle.hard == bool(blocked) and set(cycle.blocked) == blocked
            walk = cycle.example
            assert walk[0] == walk[-1] == min(walk)
            pool = _edges(cat, True).subgraph(blocked) if cycle.hard else everything.subgraph(members)
            assert all(pool.has_edge(u, v) for u, v in itertools.pairwise(walk))
            if not cycle.hard:
                assert len(walk) - 1 == min(len(c) for c in nx.simple_cycles(pool))

    @settings(max_examples=examples(100), deadline=None)
    @given(landscapes)
    def test_cuts_let_every_member_start_and_each_is_needed(self, cat):
        for cycle in dependency_cycles(cat):
            members = set(cycle.members)
            cut = {_entry_index(cat, c) for c in cycle.cuts}
            assert not _never_start(cat, members, frozenset(cut))
            for entry in cut:
                assert _never_start(cat, members, frozenset(cut - {entry}))


def _scc_of(graph: nx.DiGraph, node: str) -> set[str]:
    return next(c for c in nx.strongly_connected_components(graph) if node in c)


@pytest.mark.parametrize("size", [400])
def test_large_ring_is_fast_and_exact(size):
    names = [f"s{i:04d}" for i in range(size)]
    services = {n: [names[(i + 1) % size]] for i, n in enumerate(names)}
    services[names[0]].append("~" + names[size // 2])
    [cycle] = dependency_cycles(catalog(services))
    assert cycle.hard and len(cycle.example) == size + 1
