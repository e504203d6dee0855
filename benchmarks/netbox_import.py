"""NetBox API objects in NetBox 4's response shape, and the timing of ``depgraph import netbox``.

    python benchmarks/netbox_import.py [--devices 200000] [--work DIR]

writes a dump folder (``dcim_devices.json`` and the other pages, one page per endpoint as
``?limit=0`` returns it) of N devices in racks of 40 across four sites, with one VM per ten
devices and an ipam service on every tenth device, then times the real command on it, into an
empty folder and again with ``--force --deployments`` into the result. No timing is asserted
anywhere; the figures go to docs/import.md.

:class:`FakeNetbox` is also what the tests serve from their local NetBox (``tests/functional/test_import_netbox.py``):
objects carry every field NetBox 4.x lists, nested objects in NetBox's brief form.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAMP = "2025-01-01T00:00:00.000000Z"


def choice(value: str) -> dict:
    return {"value": value, "label": value.replace("_", " ").title()}


class FakeNetbox:
    """A NetBox's objects, built up one call at a time; ``pages()`` gives the list endpoints.

    ``cluster_style`` is ``"scope"`` (NetBox 4.2+) or ``"site"`` (before); ``service_style``
    ``"parent"`` (4.3+) or ``"device"`` (before).
    """

    def __init__(self, base: str = "http://netbox.example.com", cluster_style: str = "scope",
                 service_style: str = "parent"):
        self.base = base.rstrip("/") + "/api"
        self.cluster_style = cluster_style
        self.service_style = service_style
        self.objects: dict[str, list[dict]] = {e: [] for e in ENDPOINTS}

    def _url(self, endpoint: str, oid: int) -> str:
        app, name = endpoint.split(".")
        return f"{self.base}/{app}/{name.replace('_', '-')}/{oid}/"

    def _new(self, endpoint: str, fields: dict) -> dict:
        oid = len(self.objects[endpoint]) + 1
        record = {"id": oid, "url": self._url(endpoint, oid), "display_url": self._url(endpoint, oid).replace("/api", ""),
                  "display": fields.get("name") or f"{endpoint} {oid}", **fields}
        self.objects[endpoint].append(record)
        return record

    def brief(self, record: dict, *keys: str) -> dict:
        out = {k: record[k] for k in ("id", "url", "display", "name") if k in record}
        out.update({k: record[k] for k in keys})
        out["description"] = record.get("description", "")
        return out

    def region(self, name: str, parent: dict | None = None) -> dict:
        return self._new("dcim.regions", {
            "name": name, "slug": name.lower().replace(" ", "-"),
            "parent": self.brief(parent, "slug", "_depth") if parent else None, "description": "",
            "tags": [], "custom_fields": {}, "created": STAMP, "last_updated": STAMP, "site_count": 0,
            "prefix_count": 0, "_depth": 0 if parent is None else parent["_depth"] + 1})

    def site(self, slug: str, name: str | None = None, region: dict | None = None, status: str = "active",
             address: str = "") -> dict:
        return self._new("dcim.sites", {
            "name": name or slug.upper(), "slug": slug, "status": choice(status),
            "region": self.brief(region, "slug", "site_count", "_depth") if region else None, "group": None,
            "tenant": None, "facility": "", "time_zone": None, "description": "", "physical_address": address,
            "shipping_address": "", "latitude": None, "longitude": None, "comments": "", "asns": [],
            "tags": [], "custom_fields": {}, "created": STAMP, "last_updated": STAMP, "circuit_count": 0,
            "device_count": 0, "prefix_count": 0, "rack_count": 0, "virtualmachine_count": 0, "vlan_count": 0})

    def rack(self, site: dict, name: str, status: str = "active") -> dict:
        return self._new("dcim.racks", {
            "name": name, "facility_id": None, "site": self.brief(site, "slug"), "location": None,
            "tenant": None, "status": choice(status), "role": None, "rack_type": None, "serial": "",
            "asset_tag": None, "form_factor": None, "width": {"value": 19, "label": "19 inches"},
            "u_height": 42, "starting_unit": 1, "weight": None, "max_weight": None, "weight_unit": None,
            "desc_units": False, "outer_width": None, "outer_depth": None, "outer_unit": None,
            "mounting_depth": None, "airflow": None, "description": "", "comments": "", "tags": [],
            "custom_fields": {}, "created": STAMP, "last_updated": STAMP, "device_count": 0,
            "powerfeed_count": 0})

    def device(self, name: str | None, site: dict | None, rack: dict | None = None, status: str = "active") -> dict:
        return self._new("dcim.devices", {
            "name": name,
            "device_type": {"id": 1, "url": f"{self.base}/dcim/device-types/1/", "display": "PowerEdge R640",
                            "manufacturer": {"id": 1, "url": f"{self.base}/dcim/manufacturers/1/", "display": "Dell",
                                             "name": "Dell", "slug": "dell", "description": ""},
                            "model": "PowerEdge R640", "slug": "poweredge-r640", "description": ""},
            "role": {"id": 1, "url": f"{self.base}/dcim/device-roles/1/", "display": "Server", "name": "Server",
                     "slug": "server", "description": ""},
            "tenant": None, "platform": None, "serial": "", "asset_tag": None,
            "site": self.brief(site, "slug") if site else None, "location": None,
            "rack": self.brief(rack) if rack else None, "position": None, "face": None, "latitude": None,
            "longitude": None, "parent_device": None, "status": choice(status), "airflow": None,
            "primary_ip": None, "primary_ip4": None, "primary_ip6": None, "oob_ip": None, "cluster": None,
            "virtual_chassis": None, "vc_position": None, "vc_priority": None, "description": "",
            "comments": "", "config_template": None, "local_context_data": None, "tags": [],
            "custom_fields": {}, "created": STAMP, "last_updated": STAMP, "console_port_count": 0,
            "interface_count": 4, "inventory_item_count": 0, "power_port_count": 2})

    def cluster(self, name: str, site: dict | None) -> dict:
        fields = {"name": name, "type": {"id": 1, "url": f"{self.base}/virtualization/cluster-types/1/",
                                         "display": "VMware", "name": "VMware", "slug": "vmware", "description": ""},
                  "group": None, "status": choice("active"), "tenant": None}
        if self.cluster_style == "scope":
            fields.update({"scope_type": "dcim.site" if site else None, "scope_id": site["id"] if site else None,
                           "scope": self.brief(site, "slug") if site else None})
        else:
            fields["site"] = self.brief(site, "slug") if site else None
        fields.update({"description": "", "comments": "", "tags": [], "custom_fields": {}, "created": STAMP,
                       "last_updated": STAMP, "device_count": 0, "virtualmachine_count": 0})
        return self._new("virtualization.clusters", fields)

    def vm(self, name: str, cluster: dict | None, site: dict | None = None, device: dict | None = None,
           status: str = "active") -> dict:
        return self._new("virtualization.virtual_machines", {
            "name": name, "status": choice(status), "site": self.brief(site, "slug") if site else None,
            "cluster": self.brief(cluster) if cluster else None, "device": self.brief(device) if device else None,
            "serial": "", "role": None, "tenant": None, "platform": None, "primary_ip": None, "primary_ip4": None,
            "primary_ip6": None, "vcpus": 4.0, "memory": 8192, "disk": 100, "description": "", "comments": "",
            "config_template": None, "local_context_data": None, "tags": [], "custom_fields": {},
            "created": STAMP, "last_updated": STAMP, "interface_count": 1, "virtual_disk_count": 1})

    def service(self, name: str, host: dict, tags: tuple[str, ...] = (), custom_fields: dict | None = None) -> dict:
        is_vm = "/virtualization/" in host["url"]
        fields: dict = {}
        if self.service_style == "parent":
            fields.update({"parent_object_type": "virtualization.virtualmachine" if is_vm else "dcim.device",
                           "parent_object_id": host["id"], "parent": self.brief(host)})
        else:
            fields.update({"device": None if is_vm else self.brief(host),
                           "virtual_machine": self.brief(host) if is_vm else None})
        fields.update({"name": name, "protocol": choice("tcp"), "ports": [443], "ipaddresses": [],
                       "description": "", "comments": "",
                       "tags": [{"id": i + 1, "url": f"{self.base}/extras/tags/{i + 1}/", "display": t, "name": t,
                                 "slug": t.replace(":", ""), "color": "9e9e9e"} for i, t in enumerate(tags)],
                       "custom_fields": custom_fields or {}, "created": STAMP, "last_updated": STAMP})
        return self._new("ipam.services", fields)

    def page(self, endpoint: str, offset: int = 0, limit: int | None = None, next_url: str | None = None) -> dict:
        """One list page, as NetBox answers ``?limit=&offset=``; limit None: every result."""
        results = self.objects[endpoint]
        chunk = results[offset:] if limit is None else results[offset:offset + limit]
        return {"count": len(results), "next": next_url, "previous": None, "results": chunk}

    def write_dump(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for endpoint in ENDPOINTS:
            (folder / (endpoint.replace(".", "_") + ".json")).write_text(json.dumps(self.page(endpoint)))
        return folder


ENDPOINTS = ("dcim.regions", "dcim.sites", "dcim.racks", "dcim.devices", "virtualization.clusters",
             "virtualization.virtual_machines", "ipam.services")


def landscape(devices: int, sites: int = 4, per_rack: int = 40) -> FakeNetbox:
    """``devices`` devices in racks of ``per_rack`` across ``sites`` sites; a VM per ten devices
    (on a cluster per site), and an ipam service on every tenth device (100 services in all)."""
    nb = FakeNetbox()
    europe = nb.region("Europe")
    site_list = [nb.site(f"dc{i + 1}", region=europe) for i in range(sites)]
    clusters = [nb.cluster(f"vmware-{s['slug']}", s) for s in site_list]
    racks: dict[tuple[int, int], dict] = {}
    for n in range(devices):
        s, k = n % sites, n // sites  # the k-th device of site s
        site = site_list[s]
        if (s, k // per_rack) not in racks:
            racks[(s, k // per_rack)] = nb.rack(site, f"r{k // per_rack:04d}")
        rack = racks[(s, k // per_rack)]
        device = nb.device(f"{site['slug']}-{rack['name']}-{k % per_rack:02d}", site, rack)
        if n % 10 == 0:
            nb.vm(f"vm-{n:06d}", clusters[s], device=device)
            nb.service(f"svc-{n // 10 % 100:03d}", device)
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=200_000)
    parser.add_argument("--work", type=Path, default=None, help="folder for the dump and the output")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="depgraph-netbox-"))
    started = time.perf_counter()
    dump = landscape(args.devices).write_dump(work / "dump")
    size = sum(f.stat().st_size for f in dump.iterdir())
    print(f"dump of {args.devices:,} devices: {size / 1e6:,.0f} MB, written in {time.perf_counter() - started:.1f} s")
    out = work / "descriptors"
    limit = ["--max-file-bytes", str(max(size, 1 << 26))]
    for label, extra in (("into an empty folder", []), ("again, --force --deployments", ["--force", "--deployments"])):
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "depgraph", *limit, "import", "netbox", str(dump), "-o", str(out),
                               *extra], capture_output=True, text=True, env={**os.environ, "CI": "1"})
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            print(proc.stderr[-3000:], file=sys.stderr)
            return 1
        imported = next(line for line in proc.stdout.splitlines() if line.startswith("imported"))
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"import {label}: {seconds:.1f} s, peak memory {peak:,.0f} MB; {imported}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
