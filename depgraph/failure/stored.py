"""The compiled failure model kept between runs, so ``blast-radius`` answers in well under a
second on a landscape of 20,000 services and 200,000 hosts (loading that tree takes many seconds).

An entry lives in the one cache (:mod:`depgraph.load.cache`: a private folder, entries verified
by SHA-256, keys that cover every module of depgraph and the Python version). Its key adds the
tree's files — each file's path, size, inode, modification and change times (nanoseconds; any
write to a file changes its change time, which no tool can set back) — and the loading limits,
so any change to any descriptor means a fresh load; a tree with a file changed in the last two
seconds is loaded but not stored (a rewrite within one tick of the clock can keep a file's
times). The entry holds the
:class:`~depgraph.failure.engine.FailureModel` as integer and string columns
(:mod:`depgraph.failure.columns`) and a slim catalog (services with owner, tier and lifecycle
and clients with owner as columns, read back as :class:`CachedService` and ``Client``; teams,
data centers and the loading warnings as JSON) — what the text and JSON of ``blast-radius``
need. Nothing in an entry can hold code; an entry that does not check out in any way is a miss,
and the tree is loaded afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from functools import partial
from itertools import chain
from operator import attrgetter
from typing import Any, NamedTuple

from depgraph.diagnostics import Diagnostic
from depgraph.failure.columns import in_range, model_columns, model_from_columns
from depgraph.failure.engine import FailureModel
from depgraph.load.cache import Cache, pack_columns, unpack_columns
from depgraph.load.files import file_stats
from depgraph.load.limits import DEFAULT_LIMITS, Limits
from depgraph.model import Catalog, Client, Datacenter, Team

KIND = "model"
SETTLED_SECONDS = 2.0  # coarser than any file system's time stamps (FAT: 2 s)
ENTRIES_KEPT = 8
_SLIM = "catalog.json"


def tree_key(root: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> tuple[str, bool]:
    """``(key, settled)``: a key that changes whenever any descriptor file of ``root`` or the
    limits change, and whether every file is older than :data:`SETTLED_SECONDS` (a file
    rewritten within one tick of the file system's clock may keep its times, so an answer for a
    tree still being edited is not stored).

    The paths are hashed as one text, and each file's size, inode and times as the text of one
    list of tuples (None for a file that cannot be stat'ed), written at C speed; any integer
    fits (a file dated past 2262 has times beyond 64 bits)."""
    now = time.time_ns()
    digest = hashlib.sha256(repr(limits).encode())
    digest.update(os.path.realpath(root).encode("utf-8", "surrogateescape") + b"\n")
    paths, found = file_stats(os.fspath(root))
    stated = [st and _STATED(st) for st in found]
    digest.update(f"{len(paths)}\n".encode() + "\0".join(paths).encode("utf-8", "surrogateescape"))
    digest.update(repr(stated).encode())
    newest = max((max(mtime, ctime) for _, _, mtime, ctime in filter(None, stated)), default=0)
    return digest.hexdigest(), now - newest > SETTLED_SECONDS * 1e9


_STATED = attrgetter("st_size", "st_ino", "st_mtime_ns", "st_ctime_ns")


def load_model(root: str | os.PathLike, limits: Limits = DEFAULT_LIMITS, cache: Cache | None = None
               ) -> tuple[Catalog, FailureModel, bool]:
    """``(catalog, model, from_cache)`` for a descriptor tree (``cache`` None: no cache).

    From the cache the catalog is slim (see the module docstring); otherwise it is the full one
    (and the cache is filled for next time). Raises ``DescriptorError`` like ``load_catalog``.
    """
    if cache is not None:
        key, settled = tree_key(root, limits)
        payload = cache.get(key)
        found = decode(payload) if payload is not None else None
        if found is not None:
            return (*found, True)
    catalog = _load_catalog(root, limits)
    model = FailureModel.from_catalog(catalog)
    if cache is not None and settled:
        try:
            cache.put(key, encode(catalog, model))
        except (ValueError, OverflowError, TypeError):
            pass  # data that does not fit the format is simply not cached
    return catalog, model, False


def _load_catalog(root: str | os.PathLike, limits: Limits) -> Catalog:
    from depgraph.load.loader import load_catalog  # YAML and the schema, imported only on a miss

    return load_catalog(root, limits)


def encode(catalog: Catalog, model: FailureModel) -> bytes:
    """The entry's payload: the model's columns, the services' and clients' columns and the rest
    of the slim catalog as one JSON string."""
    columns, kinds = model_columns(model)
    for kind, records in (("services", catalog.services.values()), ("clients", catalog.clients.values())):
        columns[f"{kind}.names"] = [r.name for r in records]
        columns[f"{kind}.owners"] = [r.owner or "" for r in records]
        columns[f"{kind}.owned"] = [int(r.owner is not None) for r in records]
    columns["services.tiers"] = [s.tier for s in catalog.services.values()]
    columns["services.lifecycles"] = [s.lifecycle for s in catalog.services.values()]
    columns["services.start_times"] = [s.start_time or 0 for s in catalog.services.values()]  # 0: none
    columns["services.rtos"] = [s.rto or 0 for s in catalog.services.values()]
    columns["catalog.files"] = list(catalog.files)
    columns[_SLIM] = [json.dumps(_slim(catalog), separators=(",", ":"))]
    kinds.update({name: "uint" if name.endswith((".owned", ".tiers", ".start_times", ".rtos")) else "str"
                  for name in columns if name.split(".")[0] in ("services", "clients", "catalog")})
    return pack_columns(columns, kinds)


def decode(payload: bytes) -> tuple[Catalog, FailureModel] | None:
    """What :func:`encode` stored, or None when anything in it is out of shape."""
    try:
        columns = unpack_columns(payload, joined=("hosts.ids",))
        catalog = _catalog_from_columns(columns)
        return catalog, model_from_columns(columns)  # it reads only the model's columns
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None


def _slim(catalog: Catalog) -> dict:
    return {
        "root": catalog.root,
        "teams": [[t.name, t.tribe, t.contact, t.labels] for t in catalog.teams.values()],
        "datacenters": [[d.name, d.location, d.region, d.labels] for d in catalog.datacenters.values()],
        "diagnostics": [[d.file, d.line, d.col, d.severity, d.message, d.code] for d in catalog.diagnostics],
    }


class CachedService(NamedTuple):
    """A service of the slim catalog: what ``blast-radius`` and ``recovery`` read of it (a tenth
    of the cost of a :class:`~depgraph.model.Service` each, and a hub's outage reads 20,000)."""

    name: str
    owner: str | None
    tier: int
    lifecycle: str
    start_time: int | None = None
    rto: int | None = None

    @property
    def kind(self) -> str:
        return "service"

    @property
    def id(self) -> str:
        return f"service:{self.name}"


def _catalog_from_columns(columns: dict) -> Catalog:
    """The slim catalog back; TypeError/ValueError/KeyError when anything has the wrong shape.

    Its 20,000 services are made at C speed (``map`` over the columns), and what JSON gave is
    checked a kind at a time (the types of all team contacts at once, not each value by a call)."""
    if len(columns[_SLIM]) != 1:
        raise ValueError("catalog")
    slim = json.loads(columns[_SLIM][0])
    tiers = columns["services.tiers"]
    in_range("services.tiers", tiers, 1, 3)
    records = {}
    for kind in ("services", "clients"):
        names, owners, owned = (columns[f"{kind}.{part}"] for part in ("names", "owners", "owned"))
        if not len(names) == len(owners) == len(owned):
            raise ValueError(kind)
        records[kind] = names, [o if flag else None for o, flag in zip(owners, owned)]
    names, owners = records["services"]
    starts, rtos = columns["services.start_times"], columns["services.rtos"]
    if any(len(columns[f"services.{part}"]) != len(tiers) for part in ("lifecycles", "start_times", "rtos")) \
            or len(tiers) != len(names):
        raise ValueError("services")
    # slim records stand in for the services: they have every field a cached answer reads
    services: dict[str, Any] = dict(zip(names, map(_cached_service, zip(
        names, owners, tiers, columns["services.lifecycles"], [start or None for start in starts],
        [rto or None for rto in rtos]))))
    teams, datacenters, diagnostics = slim["teams"], slim["datacenters"], slim["diagnostics"]
    _shaped(teams, (str, (str, type(None)), dict, dict))
    _shaped(datacenters, (str, (str, type(None)), (str, type(None)), dict))
    _shaped(diagnostics, (str, int, int, str, str, str))
    _texts(chain.from_iterable([contact, labels] for _, _, contact, labels in teams))
    _texts(labels for *_, labels in datacenters)
    return Catalog(
        root=_text(slim["root"]),
        services=services,
        clients=dict(zip(records["clients"][0], map(_client, *records["clients"]))),
        teams={team[0]: Team(*team) for team in teams},
        datacenters={dc[0]: Datacenter(*dc) for dc in datacenters},
        files=columns["catalog.files"],
        diagnostics=list(map(Diagnostic, *zip(*diagnostics))) if diagnostics else [],
    )


_cached_service = partial(tuple.__new__, CachedService)  # what CachedService._make does, without its check


def _client(name: str, owner: str | None) -> Client:
    return Client(name, owner=owner)


def _shaped(rows, types: tuple) -> None:
    """Each row a list of ``len(types)`` items of those types (a type or a tuple of types; a
    ``bool`` is no ``int`` here), else TypeError."""
    if type(rows) is not list or not all(type(row) is list and len(row) == len(types) for row in rows):
        raise TypeError("expected rows")
    for position, allowed in enumerate(types):
        found = set(map(type, [row[position] for row in rows]))
        if not found <= set(allowed if isinstance(allowed, tuple) else (allowed,)):
            raise TypeError(f"expected {allowed}, found {found}")


def _texts(mappings) -> None:
    """Every value of every mapping is text (JSON's keys always are), else TypeError."""
    if not set(map(type, chain.from_iterable(map(dict.values, mappings)))) <= {str}:
        raise TypeError("expected text")


def _text(value) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value
