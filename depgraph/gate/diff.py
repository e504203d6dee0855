"""What a change does to the architecture: ``diff_catalogs(old, new) -> ArchitectureDiff``.

Dependencies added, removed and retyped (soft <-> hard); services and clients added and removed;
cycles, single points of failure and findings introduced and fixed; the blast radius of every
service whose down-set on failure changed size; owners changed. The reporters
(``depgraph/reporters/``) write it as text, Markdown or the ``depgraph/diff/v1`` document.

Only services that some changed dependent can reach are re-simulated for the blast radius: a
service's down-set depends only on the entries of the services and clients that depend on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from depgraph.analysis import analyze
from depgraph.analyses.impact import listed_ids
from depgraph.gate.checkbase import entry_signature
from depgraph.gate.recovery_diff import RecoveryDiff, recovery_changes
from depgraph.failure.closure import Closure, Members
from depgraph.failure.engine import FailureModel
from depgraph.diagnostics import DescriptorError
from depgraph.model import Catalog
from depgraph.output.words import plural



@dataclass(frozen=True, slots=True)
class EdgeChange:
    source: str
    target: str
    before: str | None  # None: added
    after: str | None  # None: removed
    file: str | None = None
    line: int | None = None

    def to_json(self) -> dict:
        doc = {"source": self.source, "target": self.target, "file": self.file, "line": self.line}
        if self.before and self.after:
            return {**doc, "before": self.before, "after": self.after}
        return {**doc, "type": self.after or self.before}


@dataclass(frozen=True, slots=True)
class RadiusChange:
    """A service whose down set changed size. ``before`` and ``after`` read as sorted tuples of
    ids but are kept as bitsets over one node index (:class:`~depgraph.failure.closure.Members`):
    cutting one edge of a hard ring of 8,000 changes every member's down set, and 8,000 pairs of
    lists of thousands of ids would grow with the ring's square."""

    service: str
    before: Sequence[str]
    after: Sequence[str]

    def to_json(self, down_limit: int = 0) -> dict:
        """With ``down_limit`` > 0, ``newly_down`` and ``no_longer_down`` list at most that many
        ids (the first in order); their ``_count`` counts them all and ``_truncated`` says so."""
        doc = {"service": self.service, "before": len(self.before), "after": len(self.after)}
        for key, ids in (("newly_down", _minus(self.after, self.before)),
                         ("no_longer_down", _minus(self.before, self.after))):
            doc |= listed_ids(key, ids, down_limit)
        return doc


def _minus(ids: Sequence[str], other: Sequence[str]) -> Sequence[str]:
    """The ids of ``ids`` not in ``other``, sorted: one bit difference for two bitsets."""
    if isinstance(ids, Members) and isinstance(other, Members) and ids.nodes is other.nodes:
        return Members(ids.mask & ~other.mask, ids.nodes)
    return tuple(sorted(set(ids) - set(other)))


@dataclass(frozen=True)
class ArchitectureDiff:
    added: list[EdgeChange]
    removed: list[EdgeChange]
    retyped: list[EdgeChange]
    entities_added: list[str]
    entities_removed: list[str]
    cycles_introduced: list
    cycles_fixed: list
    spofs_introduced: list
    spofs_fixed: list
    findings_introduced: list
    findings_fixed: list
    radius: list[RadiusChange]
    owners: list[tuple[str, str | None, str | None]]
    recovery: RecoveryDiff | None = None

    @property
    def empty(self) -> bool:
        return not any((self.added, self.removed, self.retyped, self.entities_added, self.entities_removed,
                        self.cycles_introduced, self.cycles_fixed, self.spofs_introduced, self.spofs_fixed,
                        self.findings_introduced, self.findings_fixed, self.radius, self.owners,
                        self.recovery_lines))

    @property
    def recovery_lines(self) -> list[str]:
        return self.recovery.lines() if self.recovery is not None else []


def diff_catalogs(old: Catalog, new: Catalog) -> ArchitectureDiff:
    """Everything that changed between two valid catalogs (lists sorted by id)."""
    before, after = analyze(old), analyze(new)
    old_edges, new_edges = _edges(old), _edges(new)
    added = [new_edges[k] for k in sorted(new_edges.keys() - old_edges.keys())]
    removed = [old_edges[k] for k in sorted(old_edges.keys() - new_edges.keys())]
    retyped = [EdgeChange(*k, old_edges[k].after, new_edges[k].after, new_edges[k].file, new_edges[k].line)
               for k in sorted(old_edges.keys() & new_edges.keys()) if old_edges[k].after != new_edges[k].after]
    old_ids, new_ids = _dependents(old), _dependents(new)
    cycles = _changed(before.cycles, after.cycles, lambda c: (c.members, c.hard))
    spofs = _changed(before.spofs, after.spofs, lambda s: s.component)
    findings = _changed_findings(before.findings, after.findings)
    return ArchitectureDiff(
        added=[EdgeChange(e.source, e.target, None, e.after, e.file, e.line) for e in added],
        removed=[EdgeChange(e.source, e.target, e.after, None, e.file, e.line) for e in removed],
        retyped=retyped,
        entities_added=sorted(new_ids.keys() - old_ids.keys()),
        entities_removed=sorted(old_ids.keys() - new_ids.keys()),
        cycles_introduced=cycles[0], cycles_fixed=cycles[1],
        spofs_introduced=spofs[0], spofs_fixed=spofs[1],
        findings_introduced=findings[0], findings_fixed=findings[1],
        radius=_radius_changes(old, new, before.model, after.model, old_ids, new_ids),
        owners=[(i, old_ids[i].owner, new_ids[i].owner) for i in sorted(old_ids.keys() & new_ids.keys())
                if old_ids[i].owner != new_ids[i].owner],
        recovery=recovery_changes(old, new, before.recovery, after.recovery),
    )


def _dependents(catalog: Catalog) -> dict:
    return {e.id: e for e in (*catalog.services.values(), *catalog.clients.values())}


def _edges(catalog: Catalog) -> dict[tuple[str, str], EdgeChange]:
    """``(dependent, target) -> EdgeChange`` with the edge's type in ``after``, at the entry that
    decides it (:meth:`~depgraph.model.Catalog.dependency_edges`)."""
    dependents = _dependents(catalog)
    edges: dict[tuple[str, str], EdgeChange] = {}
    for key, dep in catalog.dependency_edges().items():
        where = dep.source or dependents[key[0]].source
        edges[key] = EdgeChange(*key, None, dep.type, where.file if where else None, where.line if where else None)
    return edges


def _changed(old: list, new: list, key) -> tuple[list, list]:
    old_keys, new_keys = {key(x) for x in old}, {key(x) for x in new}
    return [x for x in new if key(x) not in old_keys], [x for x in old if key(x) not in new_keys]


#: findings about one ring of members: a ring that grows or shrinks is the same finding
RING_RULES = frozenset({"hard-cycle", "soft-cycle", "team-cycle", "tribe-cycle"})


def _changed_findings(old: list, new: list) -> tuple[list, list]:
    """Findings introduced and fixed, by fingerprint, except that a cycle finding sharing a
    member with one of the other side (the same ring, grown or shrunk) is neither."""
    introduced, fixed = _changed(old, new, lambda f: f.fingerprint)
    by_member = {(f.rule, member): f for f in fixed if f.rule in RING_RULES for member in f.related}
    paired = set()
    still_new = []
    for finding in introduced:
        match = next((by_member[finding.rule, m] for m in finding.related if (finding.rule, m) in by_member),
                     None) if finding.rule in RING_RULES else None  # a SPOF's related: thousands
        if match is None:
            still_new.append(finding)
        else:
            paired.add(match.fingerprint)
    return still_new, [f for f in fixed if f.fingerprint not in paired]


def _radius_changes(old: Catalog, new: Catalog, old_model: FailureModel, new_model: FailureModel,
                    old_ids: dict, new_ids: dict) -> list[RadiusChange]:
    """Services in both trees whose down-set (what fails with them) changed size."""
    changed = {i for i in old_ids.keys() | new_ids.keys()
               if i not in old_ids or i not in new_ids
               or {entry_signature(old_ids[i], d) for d in old_ids[i].dependencies}
               != {entry_signature(new_ids[i], d) for d in new_ids[i].dependencies}}
    candidates: set[str] = set()
    for catalog in (old, new):
        graph = nx.DiGraph()
        graph.add_edges_from(_edges(catalog))
        # everything some changed node reaches, in one search (one per node: a ring's square)
        reached = [nxt for node in changed & set(graph) for nxt in graph.successors(node)]
        seen = set(reached)
        while reached:
            for nxt in graph.successors(reached.pop()):
                if nxt not in seen:
                    seen.add(nxt)
                    reached.append(nxt)
        candidates |= seen
    services = sorted(c for c in candidates if c.startswith("service:") and c in old_ids and c in new_ids)
    return _down_set_changes(services, old_model, new_model)


def _down_set_changes(services: list[str], old_model: FailureModel, new_model: FailureModel) -> list[RadiusChange]:
    """A :class:`RadiusChange` for each of ``services`` (in both models) whose down set changed
    size. Each down set is a bitset of the failure closure over one node index for both trees
    (members of one hard cycle share one), sizes compared by counting bits: a few machine words
    per 64 nodes each, never a list of ids."""
    if old_model.nodes.ids != new_model.nodes.ids:
        index = _Nodes(sorted(set(old_model.nodes.ids) | set(new_model.nodes.ids)))
        old_closure, new_closure = Closure(_OnIndex(old_model, index)), Closure(_OnIndex(new_model, index))
    else:
        index, old_closure, new_closure = new_model.nodes, Closure(old_model), Closure(new_model)
    result = []
    for service in services:
        node = index.number[service]
        before, after = old_closure.down([node]), new_closure.down([node])
        if before.bit_count() != after.bit_count():  # each holds the service itself
            result.append(RadiusChange(service, Members(before, index, 1 << node), Members(after, index, 1 << node)))
    return result


class _Nodes:
    """A node index (``ids``, ``number``) over the ids of both trees, sorted."""

    __slots__ = ("ids", "number")

    def __init__(self, ids: list[str]):
        self.ids, self.number = ids, {node_id: n for n, node_id in enumerate(ids)}


class _OnIndex:
    """What :class:`~depgraph.failure.closure.Closure` reads of a failure model (``nodes``,
    ``entries``, ``dependents``), renumbered onto ``index``, which holds every id of both trees:
    the two trees' down sets are then bitsets over the same nodes, compared without moving a
    bit. An id the tree lacks is a node with no entries and no dependents."""

    def __init__(self, model: FailureModel, index: _Nodes):
        to = [index.number[node_id] for node_id in model.nodes.ids]
        self.nodes = index
        self.entries: list[tuple] = [()] * len(index.ids)
        self.dependents: list[list[int]] = [[] for _ in index.ids]
        for node, entries in enumerate(model.entries):
            self.entries[to[node]] = tuple((tuple(to[a] for a in alternatives), hard)
                                           for alternatives, hard in entries)
            self.dependents[to[node]] = [to[d] for d in model.dependents[node]]


# -- what the reporters list --------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A diff between two labelled trees: what ``depgraph diff`` reports."""

    diff: ArchitectureDiff
    old_label: str
    new_label: str


def _place(e) -> str:
    return f"  ({e.file}:{e.line})" if e.file and e.line else ""


def sections(diff: ArchitectureDiff):
    """``(title, items, one line per item)`` for each kind of change, in report order."""
    radius = lambda r: f"{r.service}: {len(r.before)} -> {len(r.after)} down ({len(r.after) - len(r.before):+d})"  # noqa: E731
    return [
        ("Dependencies added", diff.added, lambda e: f"+ {e.source} -> {e.target} ({e.after}){_place(e)}"),
        ("Dependencies removed", diff.removed, lambda e: f"- {e.source} -> {e.target} ({e.before})"),
        ("Dependencies retyped", diff.retyped,
         lambda e: f"~ {e.source} -> {e.target} ({e.before} -> {e.after}){_place(e)}"),
        ("Added", diff.entities_added, str),
        ("Removed", diff.entities_removed, str),
        ("Cycles introduced", diff.cycles_introduced, lambda c: f"{'hard' if c.hard else 'soft'}: {' -> '.join(c.example)}"),
        ("Cycles fixed", diff.cycles_fixed, lambda c: f"{'hard' if c.hard else 'soft'}: {' -> '.join(c.example)}"),
        ("Single points of failure introduced", diff.spofs_introduced, lambda s: f"{s.component} ({len(s.down)} down)"),
        ("Single points of failure fixed", diff.spofs_fixed, lambda s: s.component),
        ("Blast radius changed", diff.radius, radius),
        ("Owners changed", diff.owners, lambda o: f"{o[0]}: {o[1] or '(none)'} -> {o[2] or '(none)'}"),
        ("Recovery time changed", diff.recovery_lines, str),
        ("Findings introduced", diff.findings_introduced, lambda f: f"{f.severity} {f.rule} {f.subject}: {f.message}"),
        ("Findings fixed", diff.findings_fixed, lambda f: f"{f.severity} {f.rule} {f.subject}"),
    ]




def diff_trees(descriptors, base: str | None, folders, limits) -> Change:
    """The diff ``depgraph diff`` reports: the tree at git ref ``base`` against ``descriptors``
    on disk, or ``folders[0]`` against ``folders[1]``. Raises DescriptorError (with a note of
    which side) or GitError."""
    import os

    from depgraph.load.loader import load_catalog

    if base is None:
        old_root, new_root = folders
        return Change(diff_catalogs(load_catalog(old_root, limits), load_catalog(new_root, limits)),
                      str(old_root), str(new_root))
    from depgraph.load.gitsource import list_tree, load_tree

    tree = list_tree(descriptors, base)
    try:
        old = load_tree(tree, os.path.normpath(str(descriptors)), limits)
    except DescriptorError as exc:
        raise BaseTreeInvalid(base, exc.diagnostics) from None
    return Change(diff_catalogs(old, load_catalog(descriptors, limits)), f"{base}:{descriptors}", str(descriptors))


class BaseTreeInvalid(DescriptorError):
    """The descriptors at the base ref do not load: nothing to compare with."""

    def __init__(self, ref: str, diagnostics):
        super().__init__(diagnostics)
        self.args = (f"the descriptors at {ref} do not load ({plural(len(self.errors), 'error')}); "
                     "nothing to compare with",)
