"""One NetBox import: read the pages, map them, plan the change to the tree, and say what it did.

The stages are :mod:`~depgraph.importers.netbox_pages` (I/O), :mod:`~depgraph.importers.netbox`
(the mapping, pure) and :mod:`~depgraph.importers.treemerge` (the plan); the writer commits it.
:func:`summary` words the outcome for the user, skipped objects included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from depgraph.importers.netbox import Inventory, NetboxOptions, map_netbox
from depgraph.importers.netbox_pages import Progress, fetch_live, public_url, read_dump
from depgraph.importers.netbox_records import plain
from depgraph.importers.sourcefiles import SourceError
from depgraph.importers.treemerge import plan_netbox_import
from depgraph.importers.writer import TreeChange
from depgraph.load.limits import Limits
from depgraph.output.words import plural


@dataclass
class NetboxSource:
    """A dump folder, or a live NetBox (``url``, the token read from ``token_env``)."""

    folder: Path | None = None
    url: str | None = None
    token: str | None = None
    token_env: str = "NETBOX_TOKEN"

    def label(self) -> str:
        return "netbox:" + plain(public_url(self.url) if self.url else str(self.folder))


@dataclass
class NetboxImport:
    inventory: Inventory
    change: TreeChange
    notes: list[str] = field(default_factory=list)


def import_netbox(source: NetboxSource, out_dir: Path, options: NetboxOptions, deployments: bool,
                  limits: Limits, progress: Progress | None = None) -> NetboxImport:
    if source.url:
        pages, notes = fetch_live(source.url, source.token, source.token_env, limits.max_file_bytes, progress,
                                  max_results=limits.max_entities), []
    elif source.folder is not None:
        pages, notes = read_dump(source.folder, limits.max_file_bytes, progress)
    else:
        raise SourceError("import netbox needs a dump folder or --url")
    if progress:
        progress("mapping NetBox objects to descriptors", 0, 0)
    inventory = map_netbox(pages, source.label(), options)
    if progress:
        progress(f"merging into {out_dir}", 0, 0)
    change = plan_netbox_import(inventory, out_dir, deployments, limits)
    return NetboxImport(inventory, change, notes)


def summary(result: NetboxImport, deployments: bool, out_dir: Path) -> list[str]:
    """The lines printed after the files: what was imported, skipped, and left alone."""
    inv = result.inventory
    devices = sum(1 for h in inv.hosts.values() if h.ref.startswith("dcim."))
    lines = [f"imported {plural(len(inv.datacenters), 'data center')}, {plural(len(inv.racks()), 'rack')} and "
             f"{plural(len(inv.hosts), 'host')} ({plural(devices, 'device')}, "
             f"{plural(len(inv.hosts) - devices, 'virtual machine')}) from {inv.source} into {out_dir}"]
    skipped = _skipped(inv)
    if skipped:
        lines.append(f"skipped (status not imported): {skipped}")
    if inv.unnamed_devices:
        lines.append(f"skipped {plural(inv.unnamed_devices, 'device')} without a name (nothing can deploy on them)")
    if result.change.removals:
        lines.append(f"removed {plural(len(result.change.removals), 'file')} of hosts and data centers, now from NetBox")
    services = len(inv.deployments)
    if deployments:
        lines.append(f"deployments: {plural(len(result.change.updated_services), 'service')} updated, "
                     f"{len(result.change.created_services):,} created (from "
                     f"{plural(inv.services_seen, 'NetBox service')})")
    elif services:
        lines.append(f"{plural(services, 'service')} run on these hosts in NetBox; their deployments were not "
                     "written (pass --deployments to write them)")
    return lines


def _skipped(inv: Inventory) -> str:
    by_noun: dict[str, dict[str, int]] = {}
    for (noun, status), count in sorted(inv.skipped.items()):
        by_noun.setdefault(noun, {})[status] = count
    parts = []
    for noun in ("site", "device", "virtual machine"):
        if noun in by_noun:
            total = sum(by_noun[noun].values())
            detail = ", ".join(f"{status} {count:,}" for status, count in by_noun[noun].items())
            parts.append(f"{plural(total, noun)} ({detail})")
    if inv.skipped_hosts_in_sites:
        parts.append(f"{plural(inv.skipped_hosts_in_sites, 'host')} in those sites")
    return "; ".join(parts)


