"""The NetBox importer's mapping: NetBox pages -> data centers, hosts with racks, deployments.

Pure: it reads :class:`~depgraph.importers.netbox_records.Page` lists (from a dump folder or the
live API, :mod:`depgraph.importers.netbox_pages`) and returns an :class:`Inventory`, or raises
:class:`~depgraph.importers.netbox_records.NetboxError` with every problem found.

- a site is a ``datacenter`` (its slug the name, its region the ``region``, its physical
  address the ``location``);
- a device is a ``host`` in its site, with its rack's name as ``rack``;
- a virtual machine is a ``host`` in its own site, else its cluster's site (``site`` before
  NetBox 4.2, ``scope`` of type ``dcim.site`` since), in the rack of the device it runs on if any;
- an ``ipam`` service names the host it runs on by ``parent_object_type``/``parent_object_id``
  (NetBox 4.3+) or ``device``/``virtual_machine`` (before); services with the same depgraph name
  become one service's ``deployments``, hosts grouped per data center. The depgraph name is the
  custom field named by ``service_field`` when set, else a tag named ``depgraph:NAME``, else the
  NetBox service name;
- sites, devices and virtual machines whose status is not one of ``statuses`` are skipped and
  counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from depgraph.importers.names import normalise
from depgraph.importers.netbox_records import (
    Page, Reader, is_int, nested_id, nested_text, plain, status_of, text_field,
)

SERVICE_TAG_PREFIX = "depgraph:"
DEVICE = "dcim.device"
VM = "virtualization.virtualmachine"


@dataclass(frozen=True)
class NetboxOptions:
    statuses: frozenset[str] = frozenset({"active"})
    service_field: str | None = None


@dataclass
class InventoryDatacenter:
    name: str
    region: str | None = None
    location: str | None = None
    ref: str = ""  # "dcim.site/3": where it is in NetBox


@dataclass
class InventoryHost:
    name: str
    datacenter: str
    rack: str | None
    ref: str  # "dcim.device/42" or "virtualization.virtualmachine/7"


@dataclass
class Inventory:
    source: str
    datacenters: dict[str, InventoryDatacenter] = field(default_factory=dict)
    hosts: dict[str, InventoryHost] = field(default_factory=dict)
    deployments: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # service -> dc -> hosts
    skipped: Counter = field(default_factory=Counter)  # (noun, status) -> count
    skipped_hosts_in_sites: int = 0
    unnamed_devices: int = 0
    services_seen: int = 0
    warnings: list[str] = field(default_factory=list)

    def racks(self) -> set[tuple[str, str]]:
        return {(h.datacenter, h.rack) for h in self.hosts.values() if h.rack}


def map_netbox(pages: dict[str, Page], source: str, options: NetboxOptions = NetboxOptions()) -> Inventory:
    """The inventory described by ``pages`` (keyed ``"dcim.sites"``, ``"dcim.devices"``, …)."""
    mapper = _Mapper(pages, Inventory(source=source), options)
    mapper.run()
    return mapper.inventory


class _Mapper:
    def __init__(self, pages: dict[str, Page], inventory: Inventory, options: NetboxOptions):
        self.pages = pages
        self.inventory = inventory
        self.options = options
        self.reader = Reader()
        self.regions: dict[int, str] = {}
        self.sites: dict[int, str | None] = {}  # NetBox site id -> datacenter (None: skipped)
        self.racks: dict[int, str] = {}  # NetBox rack id -> rack label
        self.cluster_sites: dict[int, int | None] = {}
        self.device_hosts: dict[int, str | None] = {}  # None: known but skipped
        self.vm_hosts: dict[int, str | None] = {}
        self.host_origin: dict[str, str] = {}  # host name -> message text of its NetBox object
        self.dc_origin: dict[str, str] = {}

    def run(self) -> None:
        self._regions()
        self._sites()
        self._racks()
        self._clusters()
        self._devices()
        self._virtual_machines()
        self.reader.check()  # services name hosts: map them once the hosts are sound
        self._services()
        self.reader.check()

    def page(self, endpoint: str) -> Page | None:
        return self.pages.get(endpoint)

    # --- sites, regions, racks, clusters ---------------------------------------------------------

    def _regions(self) -> None:
        for rid, record, _ in self.reader.records(self.page("dcim.regions"), "region"):
            label = text_field(record, "slug") or text_field(record, "name")
            if label:
                self.regions[rid] = label

    def _sites(self) -> None:
        page = self.page("dcim.sites")
        for sid, record, what in self.reader.records(page, "site"):
            slug = text_field(record, "slug") or text_field(record, "name")
            if not slug:
                self.reader.problem(page, what, "has no slug or name")
                continue
            status = status_of(record)
            if status not in self.options.statuses:
                self.inventory.skipped[("site", status)] += 1
                self.sites[sid] = None
                continue
            name = normalise(slug)
            if name in self.dc_origin:
                self.reader.problem(page, what, f"becomes data center '{name}', as does {self.dc_origin[name]}: "
                                    "data center names must be unique")
                continue
            self.dc_origin[name] = what
            self.sites[sid] = name
            region = record.get("region")
            region_name = nested_text(region, "slug", "name") or self.regions.get(nested_id(region))
            address = record.get("physical_address")
            location = plain(address.replace("\n", ", ")) if isinstance(address, str) else None
            self.inventory.datacenters[name] = InventoryDatacenter(
                name, region=region_name, location=location or None, ref=f"dcim.site/{sid}")

    def _racks(self) -> None:
        page = self.page("dcim.racks")
        seen: dict[tuple[int | None, str], str] = {}
        for rid, record, what in self.reader.records(page, "rack"):
            label = rack_label(record.get("name"), rid)
            site = nested_id(record.get("site"))
            other = seen.setdefault((site, label), what)
            if other != what:
                self.reader.problem(page, what, f"has the same name as {other} in the same site; depgraph "
                                    f"names a rack by data center and name, so they would count as one rack: "
                                    "rename one of them in NetBox")
            self.racks[rid] = label

    def _clusters(self) -> None:
        page = self.page("virtualization.clusters")
        for cid, record, _ in self.reader.records(page, "cluster"):
            self.cluster_sites[cid] = cluster_site(record)

    # --- hosts -----------------------------------------------------------------------------------

    def _site_of(self, page: Page, what: str, site_id: int | None) -> tuple[bool, str | None]:
        """(known, datacenter): a site id as a data center; problems recorded here."""
        if site_id is None:
            self.reader.problem(page, what, "has no site; depgraph needs every host's data center")
            return False, None
        if site_id not in self.sites:
            self.reader.problem(page, what, f"is in site {site_id}, which is not among the sites read")
            return False, None
        return True, self.sites[site_id]

    def _add_host(self, page: Page, what: str, raw_name, datacenter: str, rack: str | None, ref: str) -> str | None:
        name = normalise(raw_name)
        if name in self.host_origin:
            self.reader.problem(page, what, f"becomes host '{name}', as does {self.host_origin[name]}: host "
                                "names must be unique (rename one in NetBox)")
            return None
        self.host_origin[name] = what
        self.inventory.hosts[name] = InventoryHost(name, datacenter, rack, ref)
        return name

    def _devices(self) -> None:
        page = self.page("dcim.devices")
        for did, record, what in self.reader.records(page, "device"):
            name = record.get("name")
            known, datacenter = self._site_of(page, what, nested_id(record.get("site")))
            if not known:
                continue
            if not isinstance(name, str) or not name.strip():
                self.inventory.unnamed_devices += 1  # patch panels, PDUs: nothing runs on them
                self.device_hosts[did] = None
                continue
            if not self._imported("device", record, datacenter):
                self.device_hosts[did] = None
                continue
            self.device_hosts[did] = self._add_host(page, what, name, datacenter, self._rack(record), f"{DEVICE}/{did}")

    def _rack(self, record: dict) -> str | None:
        rack = record.get("rack")
        rid = nested_id(rack)
        if rid is None:
            return None
        if rid in self.racks:
            return self.racks[rid]
        return rack_label(rack.get("name") if isinstance(rack, dict) else None, rid)

    def _virtual_machines(self) -> None:
        page = self.page("virtualization.virtual_machines")
        devices = {h.ref: h for h in self.inventory.hosts.values()}
        for vid, record, what in self.reader.records(page, "virtual machine"):
            name = record.get("name")
            if not isinstance(name, str) or not name.strip():
                self.reader.problem(page, what, "has no name")
                continue
            site = nested_id(record.get("site"))
            cluster = nested_id(record.get("cluster"))
            if site is None and cluster is not None:
                if cluster not in self.cluster_sites:
                    self.reader.problem(page, what, f"is in cluster {cluster}, which is not among the clusters read")
                    continue
                site = self.cluster_sites[cluster]
                if site is None:
                    self.reader.problem(page, what, f"has no site, and its cluster {cluster} is not scoped to a "
                                        "site (a region or group spans several data centers); give the VM a site")
                    continue
            known, datacenter = self._site_of(page, what, site)
            if not known:
                continue
            if not self._imported("virtual machine", record, datacenter):
                self.vm_hosts[vid] = None
                continue
            device = devices.get(f"{DEVICE}/{nested_id(record.get('device'))}")
            rack = device.rack if device is not None and device.datacenter == datacenter else None
            self.vm_hosts[vid] = self._add_host(page, what, name, datacenter, rack, f"{VM}/{vid}")

    def _imported(self, noun: str, record: dict, datacenter: str | None) -> bool:
        """True when a host's site and status are imported; otherwise it is counted as skipped."""
        status = status_of(record)
        if datacenter is None:
            self.inventory.skipped_hosts_in_sites += 1
        elif status not in self.options.statuses:
            self.inventory.skipped[(noun, status)] += 1
        else:
            return True
        return False

    # --- services --------------------------------------------------------------------------------

    def _services(self) -> None:
        page = self.page("ipam.services")
        groups: dict[str, dict[str, set[str]]] = {}
        for _sid, record, what in self.reader.records(page, "service"):
            self.inventory.services_seen += 1
            name = self._service_name(record)
            if name is None:
                self.reader.problem(page, what, "has no name")
                continue
            kind, parent = service_parent(record)
            table = {DEVICE: self.device_hosts, VM: self.vm_hosts}.get(kind)
            if table is None:
                self.inventory.warnings.append(f"{what} runs on no device or virtual machine "
                                               f"({kind or 'no parent'}); not imported")
                continue
            if parent not in table:
                self.reader.problem(page, what, f"runs on {kind} {parent}, which is not among the "
                                    f"{'devices' if kind == DEVICE else 'virtual machines'} read")
                continue
            host = table[parent]
            if host is None:
                continue  # on a skipped (inactive) host
            datacenter = self.inventory.hosts[host].datacenter
            groups.setdefault(normalise(name), {}).setdefault(datacenter, set()).add(host)
        self.inventory.deployments = {
            service: {dc: sorted(hosts) for dc, hosts in sorted(per_dc.items())}
            for service, per_dc in sorted(groups.items())
        }

    def _service_name(self, record: dict) -> str | None:
        if self.options.service_field:
            fields = record.get("custom_fields")
            value = fields.get(self.options.service_field) if isinstance(fields, dict) else None
            if isinstance(value, str) and value.strip():
                return value
        for tag in sorted(tag_names(record)):
            if tag.startswith(SERVICE_TAG_PREFIX) and tag[len(SERVICE_TAG_PREFIX):].strip():
                return tag[len(SERVICE_TAG_PREFIX):]
        name = record.get("name")
        return name if isinstance(name, str) and name.strip() else None


def rack_label(name, rack_id: int) -> str:
    """A NetBox rack name as a depgraph rack label: one line, no ``/`` (it separates data center
    and rack in ``rack:lon1/a``); the rack id when there is no name.

    >>> rack_label("Row 1/Rack 2", 5), rack_label(None, 5)
    ('Row 1-Rack 2', 'rack-5')
    """
    label = plain(name).replace("/", "-") if isinstance(name, str) else ""
    return label or f"rack-{rack_id}"


def cluster_site(record: dict) -> int | None:
    """The site id of a cluster: ``scope`` when ``scope_type`` is ``dcim.site`` (NetBox 4.2+),
    else ``site`` (before 4.2); None when it has neither (or a wider scope: a region, a group).

    >>> cluster_site({"scope_type": "dcim.site", "scope_id": 4, "scope": {"id": 4}})
    4
    >>> cluster_site({"site": {"id": 2, "name": "LON1"}}), cluster_site({"scope_type": "dcim.region", "scope_id": 1})
    (2, None)
    """
    if record.get("scope_type") == "dcim.site":
        return nested_id(record.get("scope")) or nested_id(record.get("scope_id"))
    return nested_id(record.get("site"))


def service_parent(record: dict) -> tuple[str | None, int | None]:
    """``(object type, id)`` of the device or VM a service runs on.

    NetBox 4.3+ says ``parent_object_type``/``parent_object_id`` (4.3.0-4.4.3 sent the type as a
    number, so the nested ``parent``'s URL decides then); earlier versions ``device`` or
    ``virtual_machine``.

    >>> service_parent({"parent_object_type": "dcim.device", "parent_object_id": 9})
    ('dcim.device', 9)
    >>> service_parent({"parent_object_type": 83, "parent_object_id": 4,
    ...                 "parent": {"id": 4, "url": "http://nb/api/virtualization/virtual-machines/4/"}})
    ('virtualization.virtualmachine', 4)
    >>> service_parent({"device": None, "virtual_machine": {"id": 7, "name": "vm7"}})
    ('virtualization.virtualmachine', 7)
    """
    kind = record.get("parent_object_type")
    pid = record.get("parent_object_id")
    if "parent_object_type" in record or "parent" in record:
        if not isinstance(kind, str):
            url = record.get("parent", {}).get("url") if isinstance(record.get("parent"), dict) else None
            kind = _kind_from_url(url) if isinstance(url, str) else None
        if not is_int(pid):
            pid = nested_id(record.get("parent"))
        if kind is not None or pid is not None:
            return kind, pid
    if nested_id(record.get("device")) is not None:
        return DEVICE, nested_id(record.get("device"))
    if nested_id(record.get("virtual_machine")) is not None:
        return VM, nested_id(record.get("virtual_machine"))
    return None, None


def _kind_from_url(url: str) -> str | None:
    if "/dcim/devices/" in url:
        return DEVICE
    if "/virtualization/virtual-machines/" in url:
        return VM
    return "ipam.fhrpgroup" if "/ipam/fhrp-groups/" in url else None


def tag_names(record: dict) -> list[str]:
    """Tag names of a record: nested tags (``{"name", "slug", …}``) or plain strings."""
    tags = record.get("tags")
    if not isinstance(tags, list):
        return []
    names = []
    for tag in tags:
        if isinstance(tag, dict):
            tag = tag.get("name")
        if isinstance(tag, str):
            names.append(tag)
    return names
