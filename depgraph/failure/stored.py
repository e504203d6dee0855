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
from typing import Any, NamedTuple

from depgraph.diagnostics import Diagnostic
from depgraph.failure.columns import model_columns, model_from_columns
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
    tree still being edited is not stored)."""
    now = time.time_ns()
    digest = hashlib.sha256(repr(limits).encode())
    digest.update(os.path.realpath(root).encode("utf-8", "surrogateescape") + b"\n")
    lines, newest = [], 0
    for path, st in file_stats(os.fspath(root)):
        if st is None:
            lines.append(f"{path}\0missing\n")
            continue
        lines.append(f"{path}\0{st.st_size}\0{st.st_ino}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\n")
        newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
    digest.update("".join(lines).encode("utf-8", "surrogateescape"))
    return digest.hexdigest(), now - newest > SETTLED_SECONDS * 1e9


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
        columns = unpack_columns(payload)
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
    """The slim catalog back; TypeError/ValueError/KeyError when anything has the wrong shape."""
    text, optional = _text, _optional_text
    if len(columns[_SLIM]) != 1:
        raise ValueError("catalog")
    slim = json.loads(columns[_SLIM][0])
    tiers = columns["services.tiers"]
    if tiers and (min(tiers) < 1 or max(tiers) > 3):
        raise ValueError("tier")
    records = {}
    for kind in ("services", "clients"):
        names, owners, owned = (columns[f"{kind}.{part}"] for part in ("names", "owners", "owned"))
        if not len(names) == len(owners) == len(owned):
            raise ValueError(kind)
        records[kind] = list(zip(names, [o if flag else None for o, flag in zip(owners, owned)]))
    starts, rtos = columns["services.start_times"], columns["services.rtos"]
    if any(len(columns[f"services.{part}"]) != len(tiers) for part in ("lifecycles", "start_times", "rtos")) \
            or len(tiers) != len(records["services"]):
        raise ValueError("services")
    # slim records stand in for the services: they have every field a cached answer reads
    services: dict[str, Any] = {name: CachedService(name, owner, tier, lifecycle, start or None, rto or None)
                                for (name, owner), tier, lifecycle, start, rto
                                in zip(records["services"], tiers, columns["services.lifecycles"], starts, rtos)}
    return Catalog(
        root=text(slim["root"]),
        services=services,
        clients={name: Client(name, owner=owner) for name, owner in records["clients"]},
        teams={text(name): Team(name, tribe=optional(tribe), contact=_texts(contact), labels=_texts(labels))
               for name, tribe, contact, labels in slim["teams"]},
        datacenters={text(name): Datacenter(name, location=optional(location), region=optional(region),
                                            labels=_texts(labels))
                     for name, location, region, labels in slim["datacenters"]},
        files=columns["catalog.files"],
        diagnostics=[Diagnostic(text(f), _int(line), _int(col), text(severity), text(message), text(code))
                     for f, line, col, severity, message, code in slim["diagnostics"]],
    )


def _text(value) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _optional_text(value) -> str | None:
    return None if value is None else _text(value)


def _int(value) -> int:
    if type(value) is not int:
        raise TypeError("expected an integer")
    return value


def _texts(value) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TypeError("expected a mapping")
    return {_text(k): _text(v) for k, v in value.items()}
