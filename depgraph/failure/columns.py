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

from collections.abc import Sequence
from itertools import accumulate

from depgraph.failure.engine import _INDEXES, FailureModel, _Index

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
    "host_datacenter": ("datacenters",), "entries.alternatives": ("nodes",),
}


def model_columns(model: FailureModel) -> tuple[dict[str, list], dict[str, str]]:
    """``(columns, kinds)`` for :func:`depgraph.load.cache.pack_columns`: per-row lists as row
    lengths and values, so offsets rebuilt from them always rise."""
    columns: dict[str, list] = {f"{name}.ids": list(getattr(model, name).ids) for name in _INDEXES}
    columns["is_service"] = [int(flag) for flag in model.is_service]
    columns["tier"] = [0 if tier is None else tier for tier in model.tier]
    columns["total"], columns["host_datacenter"] = list(model.total), list(model.host_datacenter)
    columns["min_instances"] = list(model.min_instances)
    columns["host_rack"] = list(model.host_rack)  # -1: no rack
    for name, (_, width, _) in _ROWS.items():
        columns[f"{name}.lengths"], columns[f"{name}.values"] = _flatten(getattr(model, name), width)
    entries = [entry for node in model.entries for entry in node]
    columns["entries.lengths"] = [len(node) for node in model.entries]
    columns["entries.hard"] = [int(hard) for _, hard in entries]
    columns["entries.alternatives.lengths"], columns["entries.alternatives.values"] = _flatten(
        [alternatives for alternatives, _ in entries], 1)
    kinds = {name: "str" if name.endswith(".ids") else "int" if name == "host_rack" else "uint" for name in columns}
    return columns, kinds


def model_from_columns(columns: dict[str, list]) -> FailureModel:
    """The model :func:`model_columns` described; ValueError when any column is out of shape.

    Integer columns may be lists or ``array`` objects. Rows a simulation reaches only for what
    failed (per host, rack and data center: 200,000 small lists at 20,000 services; per service
    its hosts and its hard dependents) are left as views of their columns, cut when asked for.
    """
    model = FailureModel.__new__(FailureModel)
    sizes = {}
    for name in _INDEXES:
        ids = _column(columns, f"{name}.ids")
        index: _Index | _HostIndex
        if name == "hosts":
            index = _HostIndex(ids)
        else:
            index = _Index()
            index.ids, index.number = ids, dict(zip(ids, range(len(ids))))
            if len(index.number) != len(ids):
                raise ValueError(f"{name}: repeated ids")
        setattr(model, name, index)
        sizes[name] = len(ids)
    for name, owner in _FLAT.items():
        values = _column(columns, name)
        if len(values) != sizes[owner]:
            raise ValueError(f"{name}: {len(values)} values for {sizes[owner]} {owner}")
        setattr(model, name, list(values) if owner == "nodes" else values)
    _in_range("is_service", model.is_service, 0, 1)
    model.is_service = [flag == 1 for flag in model.is_service]
    _in_range("tier", model.tier, 0, 3)
    model.tier = [tier or None for tier in model.tier]
    _in_range("total", model.total, 0, None)
    _in_range("min_instances", model.min_instances, 0, None)
    model.capacity_nodes = [node for node, needed in enumerate(model.min_instances) if needed]
    _in_range("host_rack", model.host_rack, -1, sizes["racks"] - 1)
    _in_range("host_datacenter", model.host_datacenter, 0, sizes["datacenters"] - 1)
    for name, (owner, width, as_tuples) in _ROWS.items():
        values = _column(columns, f"{name}.values")
        _check_targets(name, values, width, sizes)
        offsets = _offsets(name, _column(columns, f"{name}.lengths"), len(values) // width, sizes[owner])
        setattr(model, name, _rows(offsets, list(values), width, as_tuples) if name in _EAGER
                else _Rows(offsets, values, width, as_tuples))
    hard = _column(columns, "entries.hard")
    _in_range("entries.hard", hard, 0, 1)
    values = _column(columns, "entries.alternatives.values")
    _check_targets("entries.alternatives", values, 1, sizes)
    lengths = _column(columns, "entries.alternatives.lengths")
    offsets = _offsets("entries.alternatives", lengths, len(values), len(hard))
    entries = list(zip(_alternatives(offsets, lengths, values), map(bool, hard)))  # hard: 0 or 1, checked
    offsets = _offsets("entries", _column(columns, "entries.lengths"), len(entries), sizes["nodes"])
    model.entries = _rows(offsets, entries, 1, True)
    return model


def _alternatives(offsets: list[int], lengths, values) -> list[tuple[int, ...]]:
    """Each entry's alternatives as a tuple: nearly every entry names one service, so every value
    is first made a 1-tuple at C speed and each entry takes the one its offset points at; the
    few entries of another length (an ``any_of``) are cut from the values."""
    singles = [*zip(values), ()]  # (): where entries of no alternative at the end point
    alternatives = list(map(singles.__getitem__, offsets[:-1]))
    for entry, length in enumerate(lengths):
        if length != 1:
            alternatives[entry] = tuple(values[offsets[entry]:offsets[entry + 1]])
    return alternatives


class _HostIndex:
    """The hosts' ids, numbered when first asked (only to resolve a ``host:`` argument: a
    simulation works with numbers, and a data center's outage names no host). A repeated id
    cannot make a simulation fail, so it is not looked for: the first number wins. Read like an
    :class:`~depgraph.failure.engine._Index`."""

    __slots__ = ("ids", "_number")

    def __init__(self, ids: list[str]):
        self.ids = ids
        self._number: dict[str, int] | None = None

    @property
    def number(self) -> dict[str, int]:
        if self._number is None:
            self._number = dict(zip(reversed(self.ids), range(len(self.ids) - 1, -1, -1)))
        return self._number


class _Rows(Sequence):
    """Row ``i`` of offsets and values (pairs when ``width`` is 2; a tuple when ``tuples``), cut
    from the columns when read."""

    __slots__ = ("offsets", "values", "width", "tuples")

    def __init__(self, offsets, values, width: int, tuples: bool = False):
        self.offsets, self.values, self.width, self.tuples = offsets, values, width, tuples

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> list | tuple:  # type: ignore[override]  # rows, never slices
        if i < 0:
            i += len(self)
        start, end = self.offsets[i], self.offsets[i + 1]
        if self.width == 1:
            row = self.values[start:end]
        else:
            part = self.values[2 * start:2 * end]
            row = zip(part[0::2], part[1::2])
        return tuple(row) if self.tuples else list(row)


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


def _in_range(name: str, values, low: int, high: int | None) -> None:
    """Every value in ``low..high`` (an unsigned column cannot hold a negative one: no pass for it)."""
    if not len(values):
        return
    unsigned = getattr(values, "typecode", "b") in "ILQ"
    if (not (unsigned and low <= 0) and min(values) < low) or (high is not None and max(values) > high):
        raise ValueError(f"{name}: a value outside {low}..{high}")


def _check_targets(name: str, values: list[int], width: int, sizes: dict[str, int]) -> None:
    if width and len(values) % width:
        raise ValueError(f"{name}: {len(values)} values do not make rows of {width}")
    for position, target in enumerate(_TARGETS[name]):
        part = values[position::width] if width > 1 else values
        if target is None:
            _in_range(name, part, 0, None)
        else:
            _in_range(name, part, 0, sizes[target] - 1)


def _offsets(name: str, lengths, items: int, count: int) -> list[int]:
    """Where each of ``count`` rows starts (and the end), from row lengths that must cover ``items``."""
    if len(lengths) != count:
        raise ValueError(f"{name}: {len(lengths)} row lengths for {count} rows")
    _in_range(name, lengths, 0, None)
    offsets = list(accumulate(lengths, initial=0))
    if offsets[-1] != items:
        raise ValueError(f"{name}: rows of {offsets[-1]} items, not {items}")
    return offsets


def _rows(offsets, values: list, width: int, as_tuples: bool) -> list:
    """Every row cut from ``values`` at (checked) ``offsets``, pairs when ``width`` is 2."""
    items = list(zip(values[0::2], values[1::2])) if width == 2 else values
    rows = map(items.__getitem__, map(slice, offsets, offsets[1:]))
    return list(map(tuple, rows) if as_tuples else rows)
