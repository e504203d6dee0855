"""An :class:`~depgraph.importers.netbox.Inventory` as descriptor text: one file per data center.

``inventory/<dc>.yaml`` holds the data center, then one YAML document per rack listing its hosts
one per line (``- {kind: host, name: …, datacenter: …, rack: …}``), racks and hosts sorted, hosts
without a rack last: readable in review, and the same NetBox data gives the same bytes. Host
lines are formatted here rather than by a YAML emitter, which would take most of an import's
time at 200,000 hosts; :func:`scalar` quotes whatever YAML would not read back as that string.
"""

from __future__ import annotations

import json
import re

import yaml
from yaml.resolver import Resolver

from depgraph.importers.netbox import Inventory, InventoryHost
from depgraph.importers.options import PROVENANCE_LABEL

NETBOX_LABEL = "depgraph.io/netbox"
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*\Z")
_RESOLVER = Resolver()
_STR = "tag:yaml.org,2002:str"


def scalar(text: str) -> str:
    """``text`` as a YAML scalar that reads back as that very string, in flow context too.

    >>> scalar("lon1-a-07"), scalar("rack 3"), scalar("1.5"), scalar("null"), scalar("a#b")
    ('lon1-a-07', '"rack 3"', '"1.5"', '"null"', '"a#b"')
    """
    if _PLAIN.match(text) and _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR:
        return text
    return json.dumps(text, ensure_ascii=False)


def inventory_files(inventory: Inventory) -> dict[str, str]:
    """Relative path -> text of every inventory file, sorted by data center."""
    by_dc: dict[str, list[InventoryHost]] = {name: [] for name in inventory.datacenters}
    for host in inventory.hosts.values():
        by_dc[host.datacenter].append(host)
    return {f"inventory/{dc}.yaml": _datacenter_file(inventory, dc, by_dc[dc]) for dc in sorted(by_dc)}


def _datacenter_file(inventory: Inventory, dc: str, hosts: list[InventoryHost]) -> str:
    datacenter = inventory.datacenters[dc]
    racks: dict[str | None, list[InventoryHost]] = {}
    for host in hosts:
        racks.setdefault(host.rack, []).append(host)
    rack_count = sum(1 for rack in racks if rack is not None)
    doc: dict = {"kind": "datacenter", "name": dc}
    if datacenter.region:
        doc["region"] = datacenter.region
    if datacenter.location:
        doc["location"] = datacenter.location
    doc["labels"] = {PROVENANCE_LABEL: inventory.source, NETBOX_LABEL: datacenter.ref}
    parts = [
        f"# Inventory of data center {dc}: {len(hosts):,} hosts in {rack_count:,} racks, imported by depgraph\n"
        f"# from {inventory.source}. NetBox is its source of truth: change it there and import again.\n",
        yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100),
    ]
    for rack in sorted(racks, key=lambda r: (r is None, r or "")):
        members = sorted(racks[rack], key=lambda h: h.name)
        heading = f"Rack {dc}/{rack}" if rack is not None else "Hosts in no rack"
        lines = [f"---\n# {_comment(heading)}: {len(members):,} hosts.\n"]
        rack_part = f", rack: {scalar(rack)}" if rack is not None else ""
        for host in members:
            lines.append(f"- {{kind: host, name: {scalar(host.name)}, datacenter: {scalar(dc)}{rack_part}, "
                         f"labels: {{{NETBOX_LABEL}: {scalar(host.ref)}}}}}\n")
        parts.append("".join(lines))
    return "".join(parts)


def _comment(text: str) -> str:
    return text.replace("\n", " ")


def service_file(name: str, deployments: list[dict], source: str) -> str:
    """A new service descriptor holding what NetBox knows of it: where it runs."""
    head = {"kind": "service", "name": name, "labels": {PROVENANCE_LABEL: source}}
    return (f"# Imported by depgraph from {source}; add its owner and dependencies here.\n"
            f"# `depgraph import netbox --deployments` updates its deployments and nothing else.\n"
            + yaml.safe_dump(head, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
            + yaml.safe_dump({"deployments": deployments}, sort_keys=False, allow_unicode=True,
                             default_flow_style=None, width=100))


def deployments_value(per_dc: dict[str, list[str]]) -> list[dict]:
    """``{dc: [hosts]}`` as a ``deployments`` list, sorted."""
    return [{"datacenter": dc, "hosts": list(hosts)} for dc, hosts in sorted(per_dc.items())]
