"""The failure model as flat columns of integers and strings, and back, checked on the way in.

The blast-radius cache stores a :class:`~depgraph.failure.engine.FailureModel` in
:func:`depgraph.load.cache.pack_columns` form: ids as string columns, every per-node or per-host
list as row lengths plus values (compressed sparse rows). :func:`model_from_columns` rebuilds
the model and checks its shape first: every column of the right length, row lengths that are
not negative and add up to their values, every number naming a node, host, rack or data center
that exists. A
column that fails is a ValueError, never a model that answers wrongly or crashes later.

>>> from depgraph.model import Catalog, Service, Dependency
>>> catalog = Catalog(services={"db": Service("db"), "api": Service("api", dependencies=(Dependency(("db",)),))})
>>> model = FailureModel.from_catalog(catalog)
>>> columns, kinds = model_columns(model)
>>> model_from_columns(columns).entries == model.entries
True
>>> list(model_from_columns(columns).host_services) == model.host_services
True
>>> capacity = Catalog(services={"db": Service("db", min_instances=2)})
>>> model_from_columns(model_columns(FailureModel.from_catalog(capacity))[0]).capacity_nodes
[0]
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate, compress
from operator import lt
from typing import Any

from depgraph.failure.engine import _INDEXES, FailureModel, _Index
from depgraph.load.cache import Joined

# per-node / per-host / per-rack / per-datacenter lists: name -> (owner, width, tuple rows?)
_ROWS = {
    "hard_rev": ("nodes", 2, False), "dependents": ("nodes", 1, False),
    "instance_hosts": ("nodes", 1, True), "anonymous": ("nodes", 2, True),
    "host_services": ("hosts", 1, False), "rack_hosts": ("racks", 1, False),
    "datacenter_hosts": ("datacenters", 1, False), "datacenter_anonymous": ("datacenters", 2, False),
}
_FLAT = {"is_service": "nodes", "tier": "nodes", "total": "nodes", "min_instances": "nodes",
         "host_rack": "hosts", "host_datacenter": "hosts"}
# rows cut up front: every simulation walks most of them (the rest are cut when read)
_EAGER = frozenset({"dependents"})
# what the numbers in a column name: value position -> the index they point into (None: a count)
_TARGETS = {
    "hard_rev": ("nodes", None), "dependents": ("nodes",), "instance_hosts": ("hosts",),
    "anonymous": ("datacenters", None), "host_services": ("nodes",), "rack_hosts": ("hosts",),
    "datacenter_hosts": ("hosts",), "datacenter_anonymous": ("nodes", None),
    "host_datacenter": ("datacenters",),
}


def model_columns(model: FailureModel) -> tuple[dict[str, list], dict[str, str]]:
    """``(columns, kinds)`` for :func:`depgraph.load.cache.pack_columns`: per-row lists as row
    lengths and values, so offsets rebuilt from them always rise. Nearly every dependency entry
    names one service: each entry's first alternative is a column of its own, and only the
    entries with more (an ``any_of``) have rows of the rest."""
    columns: dict[str, list] = {f"{name}.ids": list(getattr(model, name).ids) for name in _INDEXES}
    columns["is_service"] = [int(flag) for flag in model.is_service]
    columns["tier"] = [0 if tier is None else tier for tier in model.tier]
    columns["total"], columns["host_datacenter"] = list(model.total), list(model.host_datacenter)
    columns["min_instances"] = list(model.min_instances)
    columns["host_rack"] = list(model.host_rack)  # -1: no rack
    for name, (_, width, _) in _ROWS.items():
        columns[f"{name}.lengths"], columns[f"{name}.values"] = _flatten(getattr(model, name), width)
    entries = [entry for node in model.entries for entry in node]
    if not all(alternatives for alternatives, _ in entries):
        raise ValueError("a dependency entry without alternatives")  # the model drops them
    columns["entries.lengths"] = [len(node) for node in model.entries]
    columns["entries.hard"] = [int(hard) for _, hard in entries]
    columns["entries.first"] = [alternatives[0] for alternatives, _ in entries]
    more = [(number, alternatives[1:]) for number, (alternatives, _) in enumerate(entries) if len(alternatives) > 1]
    columns["entries.more"] = [number for number, _ in more]
    columns["entries.more.lengths"], columns["entries.more.values"] = _flatten([rest for _, rest in more], 1)
    kinds = {name: "str" if name.endswith(".ids") else "int" if name == "host_rack" else "uint" for name in columns}
    return columns, kinds


def model_from_columns(columns: dict[str, Any]) -> FailureModel:
    """The model :func:`model_columns` described; ValueError when any column is out of shape.

    Every column is checked here, before the model answers anything. Integer columns may be
    lists or ``array`` objects. Rows a simulation reaches only for what failed (per host, rack
    and data center: 200,000 small lists at 20,000 services; per service its hosts and its hard
    dependents) are left as views of their columns, cut when asked for.
    """
    model = FailureModel.__new__(FailureModel)
    sizes = {}
    for name in _INDEXES:
        ids = _column(columns, f"{name}.ids")
        index: _Index | _HostIndex
        if name == "hosts":
            index = _HostIndex(ids)
            sizes[name] = index.size
        else:
            index = _Index()
            index.ids, index.number = ids, dict(zip(ids, range(len(ids))))
            if len(index.number) != len(ids):
                raise ValueError(f"{name}: repeated ids")
            sizes[name] = len(ids)
        setattr(model, name, index)
    bounds = {"is_service": (0, 1), "tier": (0, 3), "total": (0, None), "min_instances": (0, None),
              "host_rack": (-1, sizes["racks"] - 1), "host_datacenter": (0, sizes["datacenters"] - 1)}
    for name, owner in _FLAT.items():
        values = _column(columns, name)
        if len(values) != sizes[owner]:
            raise ValueError(f"{name}: {len(values)} values for {sizes[owner]} {owner}")
        in_range(name, values, *bounds[name])
        setattr(model, name, list(values) if owner == "nodes" else values)
    model.is_service = list(map(bool, model.is_service))
    model.tier = [tier or None for tier in model.tier]
    model.capacity_nodes = list(compress(range(len(model.min_instances)), model.min_instances))
    for name, (owner, width, as_tuples) in _ROWS.items():
        values = _column(columns, f"{name}.values")
        _check_targets(name, values, width, sizes)
        lengths = _column(columns, f"{name}.lengths")
        _check_lengths(name, lengths, len(values) // width, sizes[owner])
        rows = _Rows(lengths, values, width, as_tuples)
        setattr(model, name, list(rows) if name in _EAGER else rows)
    model.entries = _entries(columns, sizes["nodes"])
    # a hard dependent's entry number must be one of that dependent's entries
    hard_rev, counts = columns["hard_rev.values"], columns["entries.lengths"]
    if not all(map(lt, hard_rev[1::2], map(counts.__getitem__, hard_rev[0::2]))):
        raise ValueError("hard_rev: an entry number past its dependent's entries")
    return model


def _entries(columns: dict, nodes: int) -> list[tuple[tuple[tuple[int, ...], bool], ...]]:
    """Each node's dependency entries ``(alternatives, hard)``, checked (:func:`_alternatives`)."""
    hard, first = _column(columns, "entries.hard"), _column(columns, "entries.first")
    if len(first) != len(hard):
        raise ValueError(f"entries.first: {len(first)} values for {len(hard)} entries")
    in_range("entries.hard", hard, 0, 1)
    in_range("entries.first", first, 0, nodes - 1)
    more, values = _column(columns, "entries.more"), _column(columns, "entries.more.values")
    in_range("entries.more", more, 0, len(hard) - 1)
    in_range("entries.more.values", values, 0, nodes - 1)
    lengths = _column(columns, "entries.more.lengths")
    _check_lengths("entries.more", lengths, len(values), len(more))
    alternatives = _alternatives(first, more, _Rows(lengths, values, 1, True), nodes)
    lengths = _column(columns, "entries.lengths")
    _check_lengths("entries", lengths, len(hard), nodes)
    return list(_Rows(lengths, list(zip(alternatives, map(bool, hard))), 1, True))


def _alternatives(first, more, rest, nodes: int) -> list[tuple[int, ...]]:
    """Each entry's alternatives as a tuple: ``(first[e],)``, one tuple per node shared by every
    entry naming that node alone (nearly all of them), and for each entry ``more[i]``
    ``first[e]`` followed by ``rest[i]``. ``first`` must be below ``nodes`` (checked)."""
    singles = list(zip(range(nodes)))
    alternatives: list[tuple[int, ...]] = list(map(singles.__getitem__, first))
    for entry, others in zip(more, rest):
        alternatives[entry] = (first[entry], *others)
    return alternatives


class _HostIndex:
    """The hosts' ids, split from their column and numbered when first asked (only to resolve
    or name a host: a simulation works with numbers, and a data center's outage names no host).
    A repeated id cannot make a simulation fail, so it is not looked for: the first number
    wins. Read like an :class:`~depgraph.failure.engine._Index`."""

    __slots__ = ("size", "_ids", "_joined", "_number")

    def __init__(self, ids: list[str] | Joined):
        self._ids: list[str] | None = None
        self._joined: Joined | None = None
        if isinstance(ids, Joined):
            self.size, self._joined = ids.size, ids
        else:
            self.size, self._ids = len(ids), ids
        self._number: dict[str, int] | None = None

    @property
    def ids(self) -> list[str]:
        if self._ids is None:
            self._ids = self._joined.split() if self._joined is not None else []
        return self._ids

    @property
    def number(self) -> dict[str, int]:
        if self._number is None:
            ids = self.ids
            self._number = dict(zip(reversed(ids), range(len(ids) - 1, -1, -1)))
        return self._number


class _Rows(Sequence):
    """Row ``i`` of checked row lengths and values (pairs when ``width`` is 2; a tuple when
    ``tuples``), cut from the columns when read; the offsets and the values as a list are
    worked out on the first read (a data center's outage never reads a rack's rows)."""

    __slots__ = ("lengths", "values", "width", "tuples", "_offsets", "_items")

    def __init__(self, lengths, values, width: int, tuples: bool = False):
        self.lengths, self.values, self.width, self.tuples = lengths, values, width, tuples
        self._offsets: list[int] | None = None
        self._items: list = []

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, i: int) -> list | tuple:  # type: ignore[override]  # rows, never slices
        offsets = self._offsets
        if offsets is None:
            offsets = self._prepare()
        if i < 0:
            i += len(offsets) - 1
        row = self._items[offsets[i]:offsets[i + 1]]
        return tuple(row) if self.tuples else row

    def __iter__(self):
        offsets = self._offsets if self._offsets is not None else self._prepare()
        rows = map(self._items.__getitem__, map(slice, offsets, offsets[1:]))
        return map(tuple, rows) if self.tuples else rows

    def _prepare(self) -> list[int]:
        values = self.values
        self._items = list(zip(values[0::2], values[1::2])) if self.width == 2 else list(values)
        self._offsets = list(accumulate(self.lengths, initial=0))
        return self._offsets


def _flatten(rows, width: int) -> tuple[list[int], list[int]]:
    """``(length of each row, the rows' values one after the other)``."""
    values: list[int] = []
    if width == 1:
        for row in rows:
            values.extend(row)
    else:
        for row in rows:
            for item in row:
                values.extend(item)
    return [len(row) for row in rows], values


def _column(columns: dict, name: str) -> list:
    if name not in columns:
        raise ValueError(f"column {name} missing")
    return columns[name]


def in_range(name: str, values, low: int, high: int | None) -> None:
    """Every value in ``low..high`` (None: no upper bound), else ValueError."""
    if len(values) and not _all_within(values, low, high):
        raise ValueError(f"{name}: a value outside {low}..{high}")


def _all_within(values, low: int, high: int | None) -> bool:
    """Whether every value of a list or an ``array`` is in ``low..high``.

    An array's values are checked all at once, as the lanes of one big integer made of its bytes
    (a few big-integer operations: two to three times faster than ``max``, which makes an object
    of every value): a lane holding
    ``v + (2**bits - bound)`` carries into the next lane exactly when ``v >= bound``, and the
    first lane that does had no carry coming in. Signed lanes are first shifted to unsigned ones
    by flipping their sign bits; ``v >= low`` is ``~v < 2**bits - low``.
    """
    if not isinstance(values, array):
        return (low is None or min(values) >= low) and (high is None or max(values) <= high)
    signed = values.typecode in "bhilq"
    if not values or (high is None and low <= 0 and not signed):
        return True  # nothing an unsigned column can break
    bits = 8 * values.itemsize
    lanes, ones = int.from_bytes(values, sys.byteorder), _ones(len(values), values.itemsize)
    if signed:
        shift = 1 << (bits - 1)
        lanes ^= shift * ones
        low, high = low + shift, None if high is None else high + shift
    top = 1 << bits
    if high is not None and high < top - 1 and not _all_below(lanes, ones, bits, high + 1):
        return False
    return low <= 0 or _all_below(lanes ^ ((top - 1) * ones), ones, bits, top - low)


@lru_cache(maxsize=4)  # a landscape's host columns are all as long
def _ones(count: int, size: int) -> int:
    """``count`` lanes of ``size`` bytes, each holding 1."""
    return int.from_bytes((1).to_bytes(size, sys.byteorder) * count, sys.byteorder)


def _all_below(lanes: int, ones: int, bits: int, bound: int) -> bool:
    """Whether every ``bits``-wide lane of ``lanes`` is below ``bound`` (``ones``: 1 in every lane)."""
    if bound <= 0:
        return False
    step = ((1 << bits) - bound) * ones
    carried = (lanes + step) ^ lanes ^ step  # bit k: a carry came into bit k
    return not carried & (ones << bits)


def _check_targets(name: str, values, width: int, sizes: dict[str, int]) -> None:
    if width and len(values) % width:
        raise ValueError(f"{name}: {len(values)} values do not make rows of {width}")
    for position, target in enumerate(_TARGETS[name]):
        part = values[position::width] if width > 1 else values
        in_range(name, part, 0, None if target is None else sizes[target] - 1)


def _check_lengths(name: str, lengths, items: int, count: int) -> None:
    """``count`` row lengths, none negative, that add up to ``items``."""
    if len(lengths) != count:
        raise ValueError(f"{name}: {len(lengths)} row lengths for {count} rows")
    in_range(name, lengths, 0, None)
    if sum(lengths) != items:
        raise ValueError(f"{name}: rows of {sum(lengths)} items, not {items}")
