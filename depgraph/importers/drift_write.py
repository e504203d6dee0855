"""``drift --write``: every undeclared call becomes a soft dependency in its caller's descriptor.

:func:`plan_drift_write` turns a :class:`~depgraph.importers.drift.DriftReport` into a
:class:`~depgraph.importers.writer.TreeChange`: for each undeclared call from a service (or a
client) to a service, ``{service: TARGET, type: soft}`` is appended to the caller's
``dependencies`` in the file that declares it, with a comment naming the evidence (calls,
errors, connection type, where it was seen); nothing else in the file changes
(:mod:`depgraph.importers.yamlappend`). Soft, because an observed call says the caller uses the
target, not that it stops without it: a reviewer hardens it where that is true.
:func:`~depgraph.importers.writer.commit` then validates the whole tree as it would be and
writes every file or none; :func:`unified_diff` shows the change instead.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from depgraph.importers.writer import TreeChange, read_capped
from depgraph.importers.yamlappend import add_dependencies
from depgraph.load.limits import Limits
from depgraph.model import Catalog

BOM = "\ufeff"


def evidence_comment(edge: dict) -> str:
    """The comment written after an added dependency.

    >>> evidence_comment({"calls": 3000, "errors": 120, "error_ratio": 0.04, "connection_type": "database",
    ...                   "observed_in": ["http://prometheus:9090"]})
    'added by depgraph drift: 3,000 calls, 120 errors (4.0%), database, seen in http://prometheus:9090'
    """
    parts = [_count(edge["calls"], "call"), _count(edge["errors"], "error")
             + (f" ({edge['error_ratio'] * 100:.1f}%)" if edge.get("errors") and edge.get("error_ratio") else "")]
    if edge.get("connection_type"):
        parts.append(edge["connection_type"])
    seen = edge.get("observed_in") or []
    if seen:
        parts.append("seen in " + ", ".join(seen[:2]) + (f" and {len(seen) - 2} more" if len(seen) > 2 else ""))
    return "added by depgraph drift: " + ", ".join(parts)


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def plan_drift_write(catalog: Catalog, report, limits: Limits) -> tuple[TreeChange, dict[str, str]]:
    """The change adding every undeclared call, and each changed file's text before it."""
    per_file: dict[str, list[tuple[str, str, str, str]]] = {}  # file -> (kind, name, target, comment)
    for edge in report.undeclared:
        kind, _, name = edge["source"].partition(":")
        target_kind, _, target = edge["target"].partition(":")
        entity = catalog.by_kind(kind).get(name) if kind in ("service", "client") else None
        if target_kind != "service" or entity is None or entity.source is None:
            continue
        per_file.setdefault(entity.source.file, []).append((kind, name, target, evidence_comment(edge)))
    change = TreeChange(Path(catalog.root))
    before: dict[str, str] = {}
    for path, additions in sorted(per_file.items()):
        data = read_capped(path, limits.max_file_bytes) or b""
        text = data.decode("utf-8-sig")
        bom = BOM if data.startswith(BOM.encode("utf-8")) else ""
        new = text
        entities: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for kind, name, target, comment in additions:
            entities.setdefault((kind, name), []).append((target, comment))
        for (kind, name), entries in entities.items():
            new = add_dependencies(new, kind, name, entries, where=path)
            change.updated_services += [f"{kind}:{name} -> service:{target}" for target, _ in entries]
        change.replace(path, bom + new)
        before[os.path.normpath(path)] = bom + text
    return change, before


def unified_diff(change: TreeChange, before: dict[str, str]) -> str:
    """The change as one unified diff, file by file (``a/PATH``, ``b/PATH``)."""
    out = []
    for path, text in change.writes.items():
        old = before.get(path, "")
        out += difflib.unified_diff(old.splitlines(keepends=True), text.splitlines(keepends=True),
                                    fromfile=_side("a", path), tofile=_side("b", path))
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def _side(prefix: str, path: str) -> str:
    """``a/PATH`` as git writes it for a relative path; an absolute path as it is."""
    return path if os.path.isabs(path) else f"{prefix}/{path}"
