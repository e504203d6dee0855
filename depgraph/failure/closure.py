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

A down set is kept as its bitset (:class:`Members`), never as a list of ids: in a hard ring of
8,000 services every member takes down all the others, and 8,000 lists of 8,000 ids are 64
million references, where the members of the ring share one bitset.
"""

from __future__ import annotations

from collections.abc import Container, Hashable, Iterator, Sequence
from typing import Any
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

    def cycle(self, node: int) -> tuple[int, int]:
        """``(number, size)`` of the node's strongly connected component in the graph of hard
        entries that name one service alone: every member of one falls with any other (the
        components the ``sole`` reach table is filled by; ``number``: one of its members)."""
        members = self.sole.component(node)
        return members[0], len(members)

    def of(self, initial, hide: int = 0) -> tuple[int, int]:
        """The down set as a bitset and how many are degraded; ``hide``: a bitset of nodes to
        leave out of the count of degraded (F, down by definition)."""
        down = self.down(initial)
        affected = 0
        for node in initial:
            affected |= self.affected[node]
        return down, (affected & ~down).bit_count()

    def down(self, initial) -> int:
        """The down bitset; the shared ``sole`` bitset itself when nothing else falls, so the
        members of one hard cycle hold one bitset between them."""
        down = self.sole[initial[0]] if initial else 0
        for node in initial[1:]:
            down |= self.sole[node]
        fresh = down
        while fresh & self.group_alternatives:
            grown = 0
            for alternative in bit_positions(fresh & self.group_alternatives):
                for dependent, mask in self.groups[alternative]:
                    if mask & down == mask and not down >> dependent & 1:
                        grown |= self.sole[dependent]
            fresh = grown & ~down
            down |= fresh
        return down


def names(ids: list[str], bits: int) -> tuple[str, ...]:
    """The ids of the set bits, in bit order."""
    positions = bit_positions(bits)
    if len(positions) > 1:
        return itemgetter(*positions)(ids)
    return (ids[positions[0]],) if positions else ()


class Members(Sequence):
    """The sorted ids of a set of nodes, kept as a bitset over the failure model's node index
    (``nodes``: its ``ids`` and ``number``; numbers follow sorted ids): a SPOF's down set, read
    like the tuple of its ids. ``hide``: bits of ``bits`` that are not members (the failed
    service), so the bitset itself can be the closure's, shared by every member of a hard
    cycle. Its length, its first few ids, a membership test and its size within a class of
    nodes cost a few machine words per 64 nodes, not a walk over the ids; only iterating over
    it lists them.

    >>> class Nodes: ids, number = ["a", "b", "c", "d"], {"a": 0, "b": 1, "c": 2, "d": 3}
    >>> down = Members(0b1101, Nodes, hide=0b0001)
    >>> down, len(down), down[:1], "c" in down, "a" in down, down.within(0b0111)
    (('c', 'd'), 2, ('c',), True, False, 1)
    """

    __slots__ = ("bits", "nodes", "hide", "_length")

    def __init__(self, bits: int, nodes, hide: int = 0):
        self.bits, self.nodes, self.hide = bits, nodes, hide & bits
        self._length = bits.bit_count() - self.hide.bit_count()

    @property
    def mask(self) -> int:
        """The members' bitset (a new int when some bit is hidden)."""
        return self.bits & ~self.hide if self.hide else self.bits

    def __len__(self) -> int:
        return self._length

    def __iter__(self):
        return iter(names(self.nodes.ids, self.mask))

    def __getitem__(self, index):
        if isinstance(index, slice) and not index.start and index.step in (None, 1) and index.stop is not None:
            return self.first(index.stop)
        return tuple(self)[index]

    def first(self, count: int, mask: int = -1) -> tuple[str, ...]:
        """The first ``count`` ids (all when fewer), of those in ``mask`` when given."""
        ids = self.nodes.ids
        return tuple(ids[n] for n in lowest_positions(self.mask & mask, count))

    def __contains__(self, node_id) -> bool:
        number = self.nodes.number.get(node_id)
        return number is not None and bool(self.bits >> number & 1) and not self.hide >> number & 1

    def within(self, mask: int) -> int:
        """How many members are in ``mask`` (a bitset over the same nodes)."""
        return (self.bits & mask).bit_count() - (self.hide & mask).bit_count()

    def lowest(self, mask: int) -> str | None:
        """The first member in ``mask``, or None."""
        found = self.mask & mask
        return self.nodes.ids[(found & -found).bit_length() - 1] if found else None

    def __eq__(self, other) -> bool:
        if isinstance(other, Members) and other.nodes is self.nodes:
            return self.mask == other.mask
        return isinstance(other, Sequence) and not isinstance(other, str) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


def union(groups) -> set[str]:
    """Every id in any of ``groups`` (sequences of ids): the bitsets of :class:`Members` are
    joined first and read once.

    >>> class Nodes: ids, number = ["a", "b", "c"], {"a": 0, "b": 1, "c": 2}
    >>> sorted(union([Members(0b011, Nodes), Members(0b110, Nodes, hide=0b100), ("d",)]))
    ['a', 'b', 'd']
    """
    bits, nodes, rest = 0, None, set()
    for group in groups:
        if isinstance(group, Members) and (nodes is None or group.nodes is nodes):
            bits, nodes = bits | group.mask, group.nodes
        else:
            rest.update(group)
    return rest.union(names(nodes.ids, bits)) if nodes is not None else rest


def mask_of(nodes, node_ids) -> int:
    """The bitset of ``node_ids`` over a node index (``ids``, ``number``); unknown ids left out."""
    number = nodes.number
    return bitset([number[n] for n in node_ids if n in number], len(nodes.ids))


def bitset(positions, size: int) -> int:
    """The bitset of ``positions`` (each below ``size``), built in one pass.

    >>> bin(bitset([0, 3], 5))
    '0b1001'
    """
    digits = bytearray(b"0") * size
    for position in positions:
        digits[size - 1 - position] = 49  # "1"
    return int(digits, 2) if size else 0


def bit_positions(bits: int) -> list[int]:
    """Positions of the set bits, ascending (scanning for sparse sets, a table for dense ones).

    >>> bit_positions(0b101001)
    [0, 3, 5]
    """
    count = bits.bit_count()
    if count * 8 < bits.bit_length():
        return lowest_positions(bits, count)
    flags = bin(bits)[:1:-1].encode("ascii").translate(_DIGITS)
    return list(compress(range(len(flags)), flags))


FEW_BITS = 8  # lowest_positions clears up to this many bits one at a time


def lowest_positions(bits: int, count: int) -> list[int]:
    """The positions of the ``count`` lowest set bits, ascending: one scan of the binary digits
    (clearing bits one at a time would copy the whole number for each), or for a few of them
    (the most urgent casualties of each SPOF) a few copies rather than writing out every digit.

    >>> lowest_positions(0b101001, 2), lowest_positions(0b101001, 20)
    ([0, 3], [0, 3, 5])
    """
    found: list[int] = []
    if count <= FEW_BITS:
        while bits and len(found) < count:
            low = bits & -bits
            found.append(low.bit_length() - 1)
            bits ^= low
        return found
    digits = bin(bits)
    last = len(digits) - 1
    at = digits.rfind("1")
    while at > 1 and len(found) < count:
        found.append(last - at)
        at = digits.rfind("1", 2, at)
    return found


def strongly_connected(successors: Any, root: Hashable, done: Container = ()) -> Iterator[list]:
    """The strongly connected components reachable from ``root`` without passing through a node
    in ``done``, each a list of nodes (``successors[node]``: a list or a mapping of them), every one after the components it reaches (an iterative
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
    """``reach[n]``: bitset of n and every node reachable from n, computed on first use, with
    n's strongly connected component (:meth:`component`)."""

    def __init__(self, successors: list[list[int]]):
        self.successors = successors
        self.reach: dict[int, int] = {}
        self.components: dict[int, list[int]] = {}  # node -> its component (one list per component)

    def __getitem__(self, node: int) -> int:
        found = self.reach.get(node)
        if found is None:
            self._tarjan(node)
            found = self.reach[node]
        return found

    def component(self, node: int) -> list[int]:
        """The members of the node's strongly connected component."""
        if node not in self.components:
            self._tarjan(node)
        return self.components[node]

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
            self.components[member] = members
