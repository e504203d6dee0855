"""Merging a NetBox inventory into an existing descriptor tree: what to write, change and remove.

NetBox is the source of truth for the inventory, the tree for everything else:
- every host and data center in the tree is replaced: files holding nothing else are removed,
  the inventory files are (re)written; a file mixing them with other entities is refused, since
  taking them out of it would mean rewriting hand-written text;
- with ``deployments``, each NetBox service's ``deployments`` is set in its descriptor (only that
  field changes, comments and all else stay: :mod:`depgraph.importers.yamledit`), and a service
  the tree does not have yet gets a new file ``services/<name>.yaml``.

The result is a :class:`~depgraph.importers.writer.TreeChange`; the writer refuses, validates and
writes it all or nothing.
"""

from __future__ import annotations

from pathlib import Path

from depgraph.diagnostics import UsageError
from depgraph.importers.inventory_files import deployments_value, inventory_files, service_file
from depgraph.importers.netbox import Inventory
from depgraph.importers.writer import TreeChange, existing_files, read_capped
from depgraph.importers.yamledit import set_field
from depgraph.load.limits import Limits
from depgraph.load.yamlread import YList, YMap, YamlProblem, read_documents
from depgraph.output.words import plural

INVENTORY_KINDS = frozenset({"host", "datacenter"})


def plan_netbox_import(inventory: Inventory, out_dir: Path, deployments: bool, limits: Limits) -> TreeChange:
    change = TreeChange(out_dir)
    for rel, text in inventory_files(inventory).items():
        change.write(rel, text)
    services: dict[str, str] = {}  # service name -> file declaring it
    mixed = []
    texts: dict[str, str] = {}
    for display, real in existing_files(out_dir):
        if change.writes_to(display):
            continue  # rewritten whole
        data = read_capped(real, limits.max_file_bytes)
        text = _text(data) if data is not None else None
        kinds = _entities(text, limits) if text is not None else None
        if not kinds:
            continue  # unreadable or empty: left as it is, and validation will speak of it
        texts[display] = text
        found = {kind for kind, _ in kinds}
        if found <= INVENTORY_KINDS:
            change.remove(display)
        elif found & INVENTORY_KINDS:
            mixed.append(display)
        for kind, name in kinds:
            if kind == "service" and isinstance(name, str):
                services.setdefault(name, display)
    if mixed:
        listed = "".join(f"\n  {path}" for path in mixed)
        raise UsageError(f"NetBox's inventory replaces every host and data center in {out_dir}, but "
                         f"{plural(len(mixed), 'file')} hold them along with other entities; move those hosts and "
                         f"data centers to files of their own (or delete them), then import again:{listed}")
    if deployments:
        _set_deployments(change, inventory, services, texts)
    return change


def _set_deployments(change: TreeChange, inventory: Inventory, services: dict[str, str],
                     texts: dict[str, str]) -> None:
    for name, per_dc in inventory.deployments.items():
        value = deployments_value(per_dc)
        path = services.get(name)
        if path is None:
            change.write(f"services/{name}.yaml", service_file(name, value, inventory.source))
            change.created_services.append(name)
            continue
        texts[path] = set_field(texts[path], "service", name, "deployments", value, where=path)
        change.replace(path, texts[path])
        change.updated_services.append(name)


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _entities(text: str, limits: Limits) -> list[tuple[str, object]] | None:
    """``(kind, name)`` of every entity in a descriptor file; None when it does not read cleanly."""
    found = []
    try:
        for value, _line, problems in read_documents(text, limits):
            if problems:
                return None
            items = value if isinstance(value, YList) else [value] if value is not None else []
            for item in items:
                if isinstance(item, YMap) and isinstance(item.get("kind"), str):
                    found.append((item["kind"], item.get("name")))
    except YamlProblem:
        return None
    return found
