"""SPEC §2 over many trials at once: every component's state in N trials as one Python int (bit
t set = down in trial t), and "down" as AND/OR of those ints along the hard-dependency DAG.

Two sources of trials, one evaluator (:func:`down_bits`):

- :class:`Sampled`: N random trials. Each component is down independently with probability
  ``q``; its failure positions are drawn sparsely (a binomial count, then that many distinct
  trials) from a SHAKE-128 stream keyed by the seed and the component's id, so the same seed
  gives the same trials, and a component's trials do not change when others are added. Hosts
  are drawn per rack (one stream per rack, hosts in id order). A service's instances are down
  together only in the few trials where each is, so placement is worked out on those sparse
  sets, never on N-bit ints per host.
- :class:`Enumerated`: all 2**m states of m components (state t: component i down iff bit i of
  t is set), for exact answers; :func:`weighted` sums the states' probabilities.

The evaluator takes the strongly connected components of the hard-dependency graph
dependencies first (:func:`hard_order`); inside a hard cycle it iterates from "down only for
the cycle's own reasons" until nothing changes: the least fixpoint, as SPEC §2's down set is
the least set closed under its rules.

>>> from depgraph.model import Catalog, Dependency, Deployment, Service
>>> catalog = Catalog(services={
...     "db": Service("db", deployments=(Deployment("lon1", instances=2),)),
...     "api": Service("api", dependencies=(Dependency(("db",)),))})
>>> from depgraph.failure.engine import FailureModel
>>> model = FailureModel.from_catalog(catalog)
>>> states = Enumerated(model, [("node", model.nodes.number["service:db"]), ("datacenter", 0)], [0.1, 0.2])
>>> bits = down_bits(model, hard_order(hard_successors(model), [0]), states)  # node 0 is service:api
>>> bin(bits[0]), round(weighted(bits[0], states.weights), 6)  # 1 - 0.9 * 0.8
('0b11101110', 0.28)
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import math
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from itertools import compress, repeat
from operator import lt, mul, rshift

from depgraph.failure.closure import strongly_connected
from depgraph.failure.engine import FailureModel

_WORD = next(code for code in "IL" if array(code).itemsize == 4)  # 32-bit unsigned words

# A component: ("node", service number), ("host", n), ("rack", n) or ("datacenter", n).
Component = tuple[str, int]


def hard_successors(model: FailureModel) -> list[list[int]]:
    """Per node, the nodes named in its hard dependency entries (any alternative), ascending."""
    return [sorted({a for alternatives, hard in entries if hard for a in alternatives})
            for entries in model.entries]


def hard_order(successors: list[list[int]], roots) -> list[list[int]]:
    """The strongly connected components of the hard-dependency graph (:func:`hard_successors`)
    reachable from ``roots``, each a sorted list of nodes, every one after those it depends on
    (an iterative Tarjan)."""
    order: list[list[int]] = []
    emitted: set[int] = set()
    for root in roots:
        if root not in emitted:
            for members in strongly_connected(successors, root, emitted):
                emitted.update(members)
                order.append(sorted(members))
    return order


def down_bits(model: FailureModel, order: list[list[int]], trials) -> dict[int, int]:
    """Node -> the trials in which it is down (SPEC §2), for every node in ``order``.

    ``trials`` gives ``own(node)`` (its own software failed) and ``placement(node)`` (every
    instance down), both as ints over the trials.
    """
    down: dict[int, int] = {}
    for members in order:
        down.update(_settle(model.entries, members, trials, down.__getitem__))
    return down


def forced_down(model: FailureModel, order: list[list[int]], position: dict[int, int], trials,
                known: dict[int, int], changed) -> dict[int, int]:
    """The nodes whose down trials differ under ``trials`` (a :class:`Forced`) from ``known``,
    the answer of :func:`down_bits` over ``order`` for the trials it was forced from, with their
    new bits. Only the nodes in ``changed`` and those of their dependents whose bits then differ
    are worked out again, in ``order`` (``position``: node -> index of its component there; a
    forced host usually changes nothing at all)."""
    overlay: dict[int, int] = {}
    queued = {position[n] for n in changed if n in position}
    pending = sorted(queued)
    lookup = lambda other: overlay.get(other, known[other])  # noqa: E731
    while pending:
        at = heapq.heappop(pending)
        for member, bits in _settle(model.entries, order[at], trials, lookup).items():
            if bits != known[member]:
                overlay[member] = bits
                for dependent, _ in model.hard_rev[member]:
                    later = position.get(dependent)
                    if later is not None and later not in queued:
                        queued.add(later)
                        heapq.heappush(pending, later)
    return overlay


def _settle(entries, members: list[int], trials, lookup) -> dict[int, int]:
    """The down bits of one strongly connected component (``members``), the nodes it depends on
    read through ``lookup``: one pass for an acyclic node; for a cycle, its least fixpoint,
    re-working a member only when something it needs changed, most recent change first (in a
    hard ring of 8,000 a change then runs once round the ring, where passes over every member
    in turn took one per step)."""
    base = {node: trials.own(node) | trials.placement(node) for node in members}
    current = dict(base)
    inside = set(members)

    def settled(node: int) -> int:
        bits = base[node]
        for alternatives, hard in entries[node]:
            if hard:
                both = -1
                for alternative in alternatives:
                    both &= current[alternative] if alternative in inside else lookup(alternative)
                    if not both:
                        break
                bits |= both
        return bits

    if len(members) == 1:
        current[members[0]] = settled(members[0])
        return current
    needed_by: dict[int, list[int]] = {node: [] for node in members}
    for node in members:
        for alternatives, hard in entries[node]:
            for alternative in alternatives if hard else ():
                if alternative in inside:
                    needed_by[alternative].append(node)
    for member in members:  # each once, and after each change at once what needs it
        pending, queued = [member], {member}
        while pending:
            node = pending.pop()
            queued.discard(node)
            bits = settled(node)
            if bits != current[node]:
                current[node] = bits
                for dependent in needed_by[node]:
                    if dependent not in queued:
                        queued.add(dependent)
                        pending.append(dependent)
    return current


def weighted(bits: int, weights: tuple[Sequence[float], Sequence[float]]) -> float:
    """The probability of the states in ``bits`` (an :class:`Enumerated` bitset): per byte of
    eight states, a table of the low three components' weights times the weight of the rest."""
    low, high = weights
    data = bits.to_bytes(len(high), "little")
    return math.fsum(map(mul, map(low.__getitem__, data), high))


def down_with(bits: int, states: "Enumerated") -> dict[Component, float]:
    """For each component of ``states``, the probability of the states in ``bits`` in which it
    is down too: the products of :func:`weighted` made once, then summed over the half of the
    states each component is down in (for the three low components, with a table of their own).
    Linear in the states, for all components together."""
    low, high = states.weights
    data = bits.to_bytes(len(high), "little")
    products = list(map(mul, map(low.__getitem__, data), high))
    result = {}
    for component, i in states.index.items():
        if i >= 3:
            result[component] = sum(compress(products, _half(i - 3, len(high))))
        else:
            only = _low_table(*states.low_q, only=i)
            result[component] = sum(map(mul, map(only.__getitem__, data), high))
    return result


@functools.lru_cache(maxsize=64)
def _half(bit: int, size: int) -> bytes:
    """A mask of ``size`` entries: 1 where ``bit`` of the index is set."""
    return bytes(j >> bit & 1 for j in range(size))


@functools.lru_cache(maxsize=256)
def _low_table(q0: float, q1: float, q2: float, only: int | None = None) -> tuple[float, ...]:
    """Per byte of eight states of three components (failure probabilities ``q0..q2``), the sum
    of the weights of the states whose bits are set (with ``only``: of those in which that
    component is down); the same few probabilities recur across a landscape, so each table is
    made once."""
    padded = (q0, q1, q2)
    weight = [math.prod(padded[i] if state >> i & 1 else 1 - padded[i] for i in range(3)) for state in range(8)]
    low = []
    for byte in range(256):
        total = 0.0
        for state in range(8):
            if byte >> state & 1 and (only is None or state >> only & 1):
                total += weight[state]
        low.append(total)
    return tuple(low)


@functools.lru_cache(maxsize=64)
def _pattern(i: int, count: int) -> int:
    """The states of ``count`` components in which component ``i`` is down: runs of 2**i ones
    every 2**(i+1) states. Shared by every enumeration of the same size (an estimate of many
    entities keeps no table of its own)."""
    full = (1 << (1 << count)) - 1
    block = 1 << i
    return full // ((1 << (2 * block)) - 1) * (((1 << block) - 1) << block)


@functools.lru_cache(maxsize=64)
def _high_table(q: tuple[float, ...]) -> list[float]:
    """The weight of each state of the components above the third (failure probabilities ``q``);
    the same few probabilities recur, so each table is made once."""
    high = [1.0]
    for qi in q:
        high = [w * (1 - qi) for w in high] + [w * qi for w in high]
    return high


class Enumerated:
    """Every state of ``components`` (failure probabilities ``q``): 2**m trials, m >= 3 (pads
    with components that never fail), for exact sums with :func:`weighted`."""

    def __init__(self, model: FailureModel, components: list[Component], q: list[float]):
        self.model = model
        count = max(3, len(components))
        self.size = 1 << count
        self.index = {c: i for i, c in enumerate(components)}
        self.pattern: dict[Component, int] = {c: _pattern(i, count) for c, i in self.index.items()}
        padded = list(q) + [0.0] * (count - len(components))
        self.low_q = tuple(padded[:3])
        self.weights = (_low_table(*self.low_q), _high_table(tuple(padded[3:])))

    def own(self, node: int) -> int:
        return self.pattern.get(("node", node), 0)

    def placement(self, node: int) -> int:
        model = self.model
        if not model.total[node]:
            return 0
        get = self.pattern.get
        bits = -1
        for host in model.instance_hosts[node]:
            rack = model.host_rack[host]
            bits &= (get(("host", host), 0) | (get(("rack", rack), 0) if rack >= 0 else 0)
                     | get(("datacenter", model.host_datacenter[host]), 0))
        for dc, _ in model.anonymous[node]:
            bits &= get(("datacenter", dc), 0)
        return bits


class Sampled:
    """N random trials of a landscape: components down independently with the probabilities
    ``q(component)`` gives, drawn lazily (each from its own stream, so the order of use does
    not matter) and kept as sets of trial numbers."""

    def __init__(self, model: FailureModel, q, trials: int, seed: int):
        self.model, self.q, self.trials, self.seed = model, q, trials, seed
        self._drawn: dict[Component, frozenset[int]] = {}
        self._placement: dict[int, frozenset[int]] = {}
        self._bits: dict[Component, int] = {}
        self._host_block: dict[int, tuple[Block, int]] = {}
        self._placement_bits: dict[int, int] = {}
        self._rackless: dict[int, list[int]] = {}
        for host, rack in enumerate(model.host_rack):
            if rack < 0:
                self._rackless.setdefault(model.host_datacenter[host], []).append(host)

    def failed(self, component: Component) -> frozenset[int]:
        """The trials in which ``component`` itself failed."""
        found = self._drawn.get(component)
        if found is None:
            kind, number = component
            if kind == "host":
                if number not in self._host_block:
                    self._draw_hosts(number)
                block, i = self._host_block[number]
                self._drawn[component] = block.positions(i)
            else:
                name = self._id(component)
                self._drawn[component] = draw(f"{self.seed}\0{name}", [self.q(component)], self.trials)[0]
            found = self._drawn[component]
        return found

    def bits(self, component: Component) -> int:
        """:meth:`failed` as a bitset (kept: contributors ask again)."""
        found = self._bits.get(component)
        if found is None:
            found = self._bits[component] = to_int(self.failed(component))
        return found

    def own(self, node: int) -> int:
        return self.bits(("node", node)) if self.model.is_service[node] else 0

    def placement(self, node: int) -> int:
        found = self._placement_bits.get(node)
        if found is None:
            found = self._placement_bits[node] = to_int(self.placement_trials(node))
        return found

    def placement_trials(self, node: int) -> frozenset[int]:
        """The trials in which every instance of the node is down (empty without deployments)."""
        found = self._placement.get(node)
        if found is not None:
            return found
        model = self.model
        places = [self.failed(("datacenter", dc)) for dc, _ in model.anonymous[node]]
        places.sort(key=len)
        hosts = model.instance_hosts[node]
        if not model.total[node]:
            candidates: set[int] | frozenset[int] = frozenset()
        elif places:
            candidates = places[0].intersection(*places[1:])
        else:
            candidates = self._host_down(hosts[0])
            hosts = hosts[1:]
        for host in hosts:
            if not candidates:
                break
            own, rack, dc = self._host_parts(host)
            candidates = {t for t in candidates if t in own or t in rack or t in dc}
        found = self._placement[node] = frozenset(candidates)
        return found

    def _host_parts(self, host: int) -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
        model = self.model
        rack = model.host_rack[host]
        return (self.failed(("host", host)),
                self.failed(("rack", rack)) if rack >= 0 else frozenset(),
                self.failed(("datacenter", model.host_datacenter[host])))

    def _host_down(self, host: int) -> frozenset[int]:
        own, rack, dc = self._host_parts(host)
        return own | rack | dc

    def _draw_hosts(self, host: int) -> None:
        model = self.model
        rack = model.host_rack[host]
        if rack >= 0:
            block, name = model.rack_hosts[rack], model.racks.ids[rack]
        else:
            dc = model.host_datacenter[host]
            block, name = self._rackless[dc], f"no rack in {model.datacenters.ids[dc]}"
        block = sorted(block, key=model.hosts.ids.__getitem__)
        drawn = Block(f"{self.seed}\0hosts\0{name}", [self.q(("host", h)) for h in block], self.trials)
        for i, member in enumerate(block):
            self._host_block[member] = (drawn, i)

    def _id(self, component: Component) -> str:
        kind, number = component
        index = {"node": self.model.nodes, "rack": self.model.racks,
                 "datacenter": self.model.datacenters, "host": self.model.hosts}[kind]
        return index.ids[number]


class Forced:
    """The trials of ``base`` (a :class:`Sampled`) with ``component`` down in every one: what
    :func:`down_bits` needs to estimate P(s down | component down) on the same random numbers.
    ``places``: node -> :func:`placed_on`, for the nodes that matter; ``changed``: those whose
    own or placement bits differ from ``base``'s."""

    def __init__(self, base: Sampled, component: Component, places: dict[int, frozenset[Component]]):
        self.base, self.component = base, component
        self.full = (1 << base.trials) - 1
        kind, number = component
        if kind == "node":
            self.changed = {number}
        else:
            self.changed = {node for node, under in places.items() if component in under}

    def own(self, node: int) -> int:
        return self.full if self.component == ("node", node) else self.base.own(node)

    def placement(self, node: int) -> int:
        if node not in self.changed or self.component[0] == "node":
            return self.base.placement(node)
        model, bits, base, forced = self.base.model, self.full, self.base.bits, self.component
        for host in model.instance_hosts[node]:
            parts = [("host", host), ("datacenter", model.host_datacenter[host])]
            if model.host_rack[host] >= 0:
                parts.append(("rack", model.host_rack[host]))
            if forced not in parts:
                bits &= functools.reduce(int.__or__, map(base, parts))
        for dc, _ in model.anonymous[node]:
            if forced != ("datacenter", dc):
                bits &= base(("datacenter", dc))
        return bits


def placed_on(model: FailureModel, node: int) -> frozenset[Component]:
    """The hosts, racks and data centers under a node's instances."""
    places: set[Component] = set()
    for host in model.instance_hosts[node]:
        places.add(("host", host))
        places.add(("datacenter", model.host_datacenter[host]))
        if model.host_rack[host] >= 0:
            places.add(("rack", model.host_rack[host]))
    places.update(("datacenter", dc) for dc, _ in model.anonymous[node])
    return frozenset(places)


def to_int(positions) -> int:
    """A set of trial numbers as a bitset.

    >>> to_int({0, 3})
    9
    """
    bits = 0
    for position in positions:
        bits |= 1 << position
    return bits


# -- drawing ---------------------------------------------------------------------------------------

_SPARE = 8  # candidate trials drawn beyond the count, for the rare repeated one
_DENSE = 0.05  # above this failure probability every trial is drawn (few repeats otherwise)
_TABLES: dict[tuple[int, float], tuple[int, list[float]]] = {}


def draw(key: str, probabilities: list[float], trials: int) -> list[frozenset[int]]:
    """For each probability q, the trials (0 .. trials-1) in which a component failing with
    probability q is down: exactly distributed (a binomial count, then that many distinct trials,
    uniformly), from the SHAKE-128 stream of ``key`` (see :class:`Block`).

    >>> sorted(draw("0\\0host:a", [0.5], 8)[0]) == sorted(draw("0\\0host:a", [0.5], 8)[0])
    True
    >>> draw("0\\0x", [0.0, 1.0], 4)
    [frozenset(), frozenset({0, 1, 2, 3})]
    """
    block = Block(key, probabilities, trials)
    return [block.positions(i) for i in range(len(probabilities))]


class Block:
    """The failures of several components drawn from one stream: the counts at once (cheap),
    each component's trials only when asked for (most hosts never are)."""

    __slots__ = ("seed", "probabilities", "trials", "counts", "starts", "data")

    def __init__(self, key: str, probabilities: list[float], trials: int):
        self.seed = key.encode("utf-8", "surrogateescape")
        self.probabilities, self.trials = probabilities, trials
        self.counts = _counts(hashlib.shake_128(self.seed + b"\0count").digest(4 * len(probabilities)),
                              probabilities, trials)
        self.starts, at = [], 0
        for q, m in zip(probabilities, self.counts):
            self.starts.append(at)
            at += m + _SPARE if 0 < q <= _DENSE else 0
        self.data = hashlib.shake_128(self.seed + b"\0trials").digest(4 * at) if at else b""

    def positions(self, i: int) -> frozenset[int]:
        q, m, trials = self.probabilities[i], self.counts[i], self.trials
        if q > _DENSE or q >= 1:
            return _dense(self.seed + b"\0dense%d" % i, q, trials)
        if not m:
            return _EMPTY
        start = 4 * self.starts[i]
        values = _uniform_trials(self.data[start:start + 4 * (m + _SPARE)], trials)
        chosen = frozenset(values[:m])
        if len(chosen) < m:
            chosen = _fill(set(chosen), values[m:], self.seed + b"\0more%d" % i, m, trials)
        return chosen


_EMPTY: frozenset[int] = frozenset()


def _counts(data: bytes, probabilities: list[float], trials: int) -> list[int]:
    """How many of ``trials`` fail for each probability: the binomial quantile of a 32-bit uniform
    (one per probability, from ``data``)."""
    heads = array(_WORD, data)
    if len(set(probabilities)) == 1:  # the usual block: one table, looked up in C
        table = _table(probabilities[0], trials)
        if table is None:
            return [0 if probabilities[0] <= 0 else trials] * len(heads)
        first, cdf = table
        return [first + k for k in map(bisect_right, repeat(cdf), heads)]
    counts = []
    for q, head in zip(probabilities, heads):
        table = _table(q, trials)
        counts.append((0 if q <= 0 else trials) if table is None else table[0] + bisect_right(table[1], head))
    return counts


def _table(q: float, trials: int):
    """``(first, cdf)`` of Binomial(trials, q), the cdf scaled to 32-bit uniforms; None for q 0 or 1."""
    if q <= 0 or q >= 1:
        return None
    table = _TABLES.get((trials, q))
    if table is None:
        cdf = _binomial_cdf(trials, q)
        table = _TABLES[trials, q] = (int(cdf[0]), [c * 2.0 ** 32 for c in cdf[1:]])
    return table


def _binomial_cdf(n: int, q: float) -> list[float]:
    """``[first k, cdf(first), cdf(first + 1), …]`` of Binomial(n, q) within 13 standard
    deviations of the mean (the rest weighs less than 1e-38), summed in log space."""
    mean, spread = n * q, 13 * math.sqrt(n * q * (1 - q)) + 13
    first, last = max(0, int(mean - spread)), min(n, int(mean + spread) + 1)
    base = math.lgamma(n + 1)
    log_q, log_p = math.log(q), math.log1p(-q)
    cdf, total = [float(first)], 0.0
    for k in range(first, last + 1):
        total += math.exp(base - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_q + (n - k) * log_p)
        cdf.append(total)
    return cdf


def _uniform_trials(data: bytes, trials: int) -> list[int]:
    """32-bit words -> trial numbers in [0, trials) (multiply and shift: for 10,000 trials each
    is drawn with probability within 3e-6 of the others)."""
    return list(map(rshift, map(mul, array(_WORD, data), repeat(trials)), repeat(32)))


def _fill(chosen: set[int], spare: list[int], seed: bytes, m: int, trials: int) -> frozenset[int]:
    """``chosen`` grown to ``m`` distinct trials: the spare words first, then a stream of its own."""
    for value in spare:
        if len(chosen) == m:
            break
        chosen.add(value)
    rounds = 0
    while len(chosen) < m:
        words = 2 * (m - len(chosen)) + _SPARE
        for value in _uniform_trials(hashlib.shake_128(seed + b"%d" % rounds).digest(4 * words), trials):
            chosen.add(value)
            if len(chosen) == m:
                break
        rounds += 1
    return frozenset(chosen)


def _dense(seed: bytes, q: float, trials: int) -> frozenset[int]:
    """Every trial drawn: down where a 32-bit uniform falls below q."""
    if q >= 1:
        return frozenset(range(trials))
    limit = int(q * 2.0 ** 32)
    words = array(_WORD, hashlib.shake_128(seed).digest(4 * trials))
    return frozenset(compress(range(trials), map(lt, words, repeat(limit))))
