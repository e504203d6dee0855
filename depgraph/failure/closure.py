"""Down and degraded sets for many single failures at once, as bitsets (used by spof.py).

Nodes are the failure model's numbers (sorted id order), so reading a bitset's set bits upwards
gives sorted ids. Two memoised reach tables, each filled by an iterative Tarjan over the strongly
connected components (one big-int OR per edge, a component finished after all it reaches):

- ``sole[n]``: n and every node that needs n *alone* (a hard entry naming only n), transitively.
  Everything in it goes down with n.
- ``affected[n]``: n and every node depending on n in any way: what is down or degraded with n.

The down set of services initially down is then the ``sole`` closure, grown by any_of entries
whose alternatives have all fallen (each adding its dependent's ``sole`` closure) until nothing
changes: the least fixpoint of SPEC §2, as :meth:`FailureModel.propagate_down` computes it one
edge at a time.
"""

from __future__ import annotations

from itertools import compress
from operator import itemgetter

from depgraph.failure.engine import FailureModel

_DIGITS = bytes.maketrans(b"01", b"\x00\x01")


class Closure:
    """``of(initial)`` -> (down ids, number degraded) for a set of services initially down."""

    def __init__(self, model: FailureModel):
        self.ids = model.nodes.ids
        sole: list[list[int]] = [[] for _ in self.ids]
        self.groups: list[list[tuple[int, int]]] = [[] for _ in self.ids]
        group_alternatives = 0
        for node, entries in enumerate(model.entries):
            for alternatives, hard in entries:
                if not hard:
                    continue
                if len(alternatives) == 1:
                    sole[alternatives[0]].append(node)
                    continue
                mask = sum(1 << a for a in alternatives)
                group_alternatives |= mask
                for alternative in alternatives:
                    self.groups[alternative].append((node, mask))
        self.group_alternatives = group_alternatives
        self.sole = _Reach(sole)
        self.affected = _Reach(model.dependents)

    def of(self, initial, hide: int = 0) -> tuple[tuple[str, ...], int]:
        """Down ids, sorted, and how many are degraded; ``hide`` is a bitset of nodes not to
        list (F)."""
        down = self.down(initial)
        affected = 0
        for node in initial:
            affected |= self.affected[node]
        return self.names(down & ~hide), (affected & ~down).bit_count()

    def names(self, bits: int) -> tuple[str, ...]:
        positions = bit_positions(bits)
        if len(positions) > 1:
            return itemgetter(*positions)(self.ids)
        return (self.ids[positions[0]],) if positions else ()

    def down(self, initial) -> int:
        down = 0
        for node in initial:
            down |= self.sole[node]
        fresh = down
        while fresh & self.group_alternatives:
            grown = 0
            for alternative in bit_positions(fresh & self.group_alternatives):
                for dependent, mask in self.groups[alternative]:
                    if not mask & ~down and not (down >> dependent) & 1:
                        grown |= self.sole[dependent]
            fresh = grown & ~down
            down |= fresh
        return down


def bit_positions(bits: int) -> list[int]:
    """Positions of the set bits, ascending (scanning for sparse sets, a table for dense ones).

    >>> bit_positions(0b101001)
    [0, 3, 5]
    """
    digits = bin(bits)
    if bits.bit_count() * 8 < len(digits):
        last = len(digits) - 1
        found = []
        at = digits.rfind("1")
        while at > 1:
            found.append(last - at)
            at = digits.rfind("1", 2, at)
        return found
    flags = digits[:1:-1].encode("ascii").translate(_DIGITS)
    return list(compress(range(len(flags)), flags))


def strongly_connected(successors: list[list[int]], root: int, done=()):
    """The strongly connected components reachable from ``root`` without passing through a node
    in ``done``, each a list of nodes, every one after the components it reaches (an iterative
    Tarjan: no recursion limit on deep graphs).

    >>> list(strongly_connected([[1], [2], [1, 3], []], 0))
    [[3], [2, 1], [0]]
    """
    index = {root: 0}
    low = {root: 0}
    stack, on_stack = [root], {root}
    work = [(root, iter(successors[root]))]
    while work:
        node, pending = work[-1]
        for nxt in pending:
            if nxt in done:
                continue
            if nxt not in index:
                index[nxt] = low[nxt] = len(index)
                stack.append(nxt)
                on_stack.add(nxt)
                work.append((nxt, iter(successors[nxt])))
                break
            if nxt in on_stack and index[nxt] < low[node]:
                low[node] = index[nxt]
        else:
            work.pop()
            if work and low[node] < low[work[-1][0]]:
                low[work[-1][0]] = low[node]
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                yield members


class _Reach:
    """``reach[n]``: bitset of n and every node reachable from n, computed on first use."""

    def __init__(self, successors: list[list[int]]):
        self.successors = successors
        self.reach: dict[int, int] = {}

    def __getitem__(self, node: int) -> int:
        found = self.reach.get(node)
        if found is None:
            self._tarjan(node)
            found = self.reach[node]
        return found

    def _tarjan(self, root: int) -> None:
        for members in strongly_connected(self.successors, root, self.reach):
            self._finish(members)

    def _finish(self, members: list[int]) -> None:
        bits = 0
        for member in members:
            bits |= 1 << member
        for member in members:
            for nxt in self.successors[member]:
                bits |= self.reach.get(nxt, 0)
        for member in members:
            self.reach[member] = bits
