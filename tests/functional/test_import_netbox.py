"""``depgraph import netbox``: the live API (a NetBox on 127.0.0.1), dump folders, merging into
a hand-written tree, refusals, and every kind of bad input, through the real command line."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import write_tree
from depgraph.load.loader import load_catalog
from tests.functional.netbox_server import NetboxServer, fake_netbox_module

REPO = Path(__file__).resolve().parents[2]
TOKEN = "0123456789abcdef0123456789abcdef01234567"


def small_netbox(cluster_style: str = "scope", service_style: str = "parent"):
    """Two sites in service and one planned; racks, devices, VMs on a cluster, ipam services."""
    nb = fake_netbox_module().FakeNetbox(cluster_style=cluster_style, service_style=service_style)
    europe = nb.region("Europe")
    west, north = nb.region("eu-west", europe), nb.region("eu-north", europe)
    lon1 = nb.site("lon1", "London 1", west, address="1 Fleet Street\nLondon")
    sto1 = nb.site("sto1", "Stockholm 1", north)
    sjc1 = nb.site("sjc1", "San Jose 1", status="planned")
    lon_a, lon_b, sto_a, sjc_a = nb.rack(lon1, "a"), nb.rack(lon1, "b"), nb.rack(sto1, "a"), nb.rack(sjc1, "a")
    hosts = {name: nb.device(name, site, rack) for name, site, rack in [
        ("lon1-a-01", lon1, lon_a), ("LON1-A-02", lon1, lon_a), ("lon1-b-01", lon1, lon_b),
        ("lon1-b-02", lon1, lon_b), ("sto1-a-01", sto1, sto_a), ("sto1-a-02", sto1, sto_a)]}
    nb.device("lon1-a-03", lon1, lon_a, status="planned")
    nb.device("sjc1-a-01", sjc1, sjc_a)  # active, in a planned site
    nb.device(None, lon1, lon_a)  # a patch panel: no name
    nb.device("lon1-spare", lon1)  # no rack
    cluster = nb.cluster("vmware-lon1", lon1)
    vm1 = nb.vm("search-1", cluster, device=hosts["lon1-a-01"])  # runs on a device in rack a
    vm2 = nb.vm("search-2", cluster)
    nb.vm("old-vm", cluster, status="offline")
    nb.service("playlist", hosts["lon1-b-01"])
    nb.service("playlist", hosts["lon1-b-02"])
    nb.service("cassandra", hosts["lon1-a-01"], tags=("depgraph:storage",))
    nb.service("cassandra", hosts["sto1-a-01"], tags=("depgraph:storage", "java"))
    nb.service("search", vm1)
    nb.service("search", vm2)
    nb.service("login", hosts["sto1-a-02"])
    nb.service("HTTP", hosts["LON1-A-02"], custom_fields={"depgraph_service": "web"})
    nb.service("HTTP", hosts["sto1-a-02"], custom_fields={"depgraph_service": "web"})
    return nb


LON1 = """\
kind: datacenter
name: lon1
region: eu-west
location: 1 Fleet Street, London
labels:
  depgraph.io/imported-from: SOURCE
  depgraph.io/netbox: dcim.site/1
---
# Rack lon1/a: 3 hosts.
- {kind: host, name: lon1-a-01, datacenter: lon1, rack: a, labels: {depgraph.io/netbox: dcim.device/1}}
- {kind: host, name: lon1-a-02, datacenter: lon1, rack: a, labels: {depgraph.io/netbox: dcim.device/2}}
- {kind: host, name: search-1, datacenter: lon1, rack: a, labels: {depgraph.io/netbox: virtualization.virtualmachine/1}}
---
# Rack lon1/b: 2 hosts.
- {kind: host, name: lon1-b-01, datacenter: lon1, rack: b, labels: {depgraph.io/netbox: dcim.device/3}}
- {kind: host, name: lon1-b-02, datacenter: lon1, rack: b, labels: {depgraph.io/netbox: dcim.device/4}}
---
# Hosts in no rack: 2 hosts.
- {kind: host, name: lon1-spare, datacenter: lon1, labels: {depgraph.io/netbox: dcim.device/10}}
- {kind: host, name: search-2, datacenter: lon1, labels: {depgraph.io/netbox: virtualization.virtualmachine/2}}
"""

HAND_WRITTEN = {
    "teams.yaml": "- {kind: team, name: music-squad, tribe: music}\n",
    "services/web.yaml": """\
        # The web player's backend.
        kind: service
        name: web
        owner: music-squad   # since 2011
        tier: 1
        dependencies: [playlist, {service: search, type: soft}]
        """,
    "services/playlist.yaml": "kind: service\nname: playlist\nowner: music-squad\ndependencies: [storage, login]\n",
    "services/storage.yaml": "kind: service\nname: storage\nowner: music-squad\n",
    "services/login.yaml": "kind: service\nname: login\nowner: music-squad\n",
    "services/search.yaml": "kind: service\nname: search\nowner: music-squad\n",
}


def depgraph(*args, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    import os

    full_env = {k: v for k, v in os.environ.items() if k != "NETBOX_TOKEN"}
    full_env.update({"PYTHONPATH": str(REPO), "CI": "1", **(env or {})})
    return subprocess.run([sys.executable, "-m", "depgraph", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=full_env)


def assert_refused(proc: subprocess.CompletedProcess, out: Path, *expected: str) -> None:
    """Exit 2 with a clear message (no traceback) naming ``expected``; nothing written."""
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Traceback" not in output and "internal error" not in output, output
    for text in expected:
        assert text in proc.stderr, proc.stderr
    assert not out.exists() or not any(out.rglob("*.yaml")), "files were written"


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def server():
    with NetboxServer(small_netbox(), token=TOKEN, page_size=3) as running:
        yield running


@pytest.fixture
def dump(tmp_path):
    return small_netbox().write_dump(tmp_path / "dump")


class TestDumpFolder:
    def test_one_sorted_readable_inventory_file_per_datacenter(self, dump, tmp_path):
        out = tmp_path / "d"
        proc = depgraph("import", "netbox", dump, "-o", out)
        assert proc.returncode == 0, proc.stderr
        assert sorted(p.name for p in (out / "inventory").iterdir()) == ["lon1.yaml", "sto1.yaml"]
        text = (out / "inventory" / "lon1.yaml").read_text()
        header, body = text.split("\n", 2)[:2], text.split("\n", 2)[2]
        assert header[0].startswith("# Inventory of data center lon1: 7 hosts in 2 racks")
        assert body == LON1.replace("SOURCE", f"netbox:{dump}")
        assert not (out / "services").exists()  # deployments only with --deployments

    def test_sites_named_like_numbers_or_keywords_import_as_names(self, tmp_path):
        nb = fake_netbox_module().FakeNetbox()
        for slug in ("2019", "null", "true"):  # YAML would read these bare as a number, null and a bool
            site = nb.site(slug)
            nb.device(f"{slug}-h1", site, nb.rack(site, "a"))
        out = tmp_path / "d"
        proc = depgraph("import", "netbox", nb.write_dump(tmp_path / "dump"), "-o", out)
        assert proc.returncode == 0, proc.stderr
        assert sorted(p.name for p in (out / "inventory").iterdir()) == ["2019.yaml", "null.yaml", "true.yaml"]
        valid = depgraph("validate", "-d", out)
        assert valid.returncode == 0, valid.stdout + valid.stderr

    def test_the_summary_counts_what_was_imported_and_what_was_skipped(self, dump, tmp_path):
        proc = depgraph("import", "netbox", dump, "-o", tmp_path / "d")
        assert f"created {tmp_path / 'd' / 'inventory' / 'lon1.yaml'}" in proc.stdout
        assert "imported 2 data centers, 3 racks and 9 hosts (7 devices, 2 virtual machines)" in proc.stdout
        assert ("skipped (status not imported): 1 site (planned 1); 1 device (planned 1); "
                "1 virtual machine (offline 1); 1 host in those sites") in proc.stdout
        assert "skipped 1 device without a name" in proc.stdout
        assert "5 services run on these hosts in NetBox" in proc.stdout and "--deployments" in proc.stdout

    def test_status_option_imports_planned_objects_too(self, dump, tmp_path):
        proc = depgraph("import", "netbox", dump, "-o", tmp_path / "d", "--status", "active", "--status", "planned")
        assert proc.returncode == 0, proc.stderr
        catalog = load_catalog(tmp_path / "d")
        assert {"lon1-a-03", "sjc1-a-01"} <= set(catalog.hosts) and "sjc1" in catalog.datacenters
        assert "old-vm" not in catalog.hosts

    def test_older_netbox_shapes_give_the_same_inventory(self, tmp_path):
        """Clusters with ``site`` (before 4.2) and services with ``device``/``virtual_machine``
        (before 4.3) map exactly as the 4.3 shapes do."""
        new = small_netbox().write_dump(tmp_path / "new")
        old = small_netbox(cluster_style="site", service_style="device").write_dump(tmp_path / "old")
        for name, folder in (("a", new), ("b", old)):
            proc = depgraph("import", "netbox", folder, "-o", tmp_path / name, "--deployments",
                            "--service-field", "depgraph_service")
            assert proc.returncode == 0, proc.stderr
        strip = lambda text: text.replace(str(new), "SRC").replace(str(old), "SRC")  # noqa: E731
        assert {k: strip(v.decode()) for k, v in tree_bytes(tmp_path / "a").items()} == \
               {k: strip(v.decode()) for k, v in tree_bytes(tmp_path / "b").items()}


class TestLiveApi:
    def test_reads_every_page_with_the_token_and_never_shows_it(self, server, dump, tmp_path):
        proc = depgraph("import", "netbox", "--url", server.url, "-o", tmp_path / "live", env={"NETBOX_TOKEN": TOKEN})
        assert proc.returncode == 0, proc.stderr
        assert TOKEN not in proc.stdout + proc.stderr
        device_pages = [path for path, _ in server.requests if path.startswith("/api/dcim/devices/")]
        assert len(device_pages) == 4  # 10 devices, 3 a page: NetBox's next links were followed
        assert {auth for _, auth in server.requests} == {f"Token {TOKEN}"}
        # the same NetBox read live or from saved pages gives the same files
        assert depgraph("import", "netbox", dump, "-o", tmp_path / "saved").returncode == 0
        live = {k: v.decode().replace(server.url, "SRC") for k, v in tree_bytes(tmp_path / "live").items()}
        saved = {k: v.decode().replace(str(dump), "SRC") for k, v in tree_bytes(tmp_path / "saved").items()}
        assert live == saved

    def test_token_env_names_the_variable(self, server, tmp_path):
        proc = depgraph("import", "netbox", "--url", server.url + "/", "-o", tmp_path / "d",
                        "--token-env", "MY_NB", env={"MY_NB": TOKEN})
        assert proc.returncode == 0, proc.stderr

    @pytest.mark.parametrize("token", [None, "wrong-token"], ids=["no-token", "wrong-token"])
    def test_a_refused_token_is_a_clear_error_naming_the_variable(self, server, tmp_path, token):
        env = {"NETBOX_TOKEN": token} if token else {}
        proc = depgraph("import", "netbox", "--url", server.url, "-o", tmp_path / "d", env=env)
        assert_refused(proc, tmp_path / "d", "/api/dcim/regions/", "HTTP 403", "NETBOX_TOKEN")
        assert "wrong-token" not in proc.stdout + proc.stderr

    def test_401_is_reported_too(self, server, tmp_path):
        server.overrides["/api/dcim/sites/"] = (401, b'{"detail": "Authentication credentials were not provided."}')
        proc = depgraph("import", "netbox", "--url", server.url, "-o", tmp_path / "d", env={"NETBOX_TOKEN": TOKEN})
        assert_refused(proc, tmp_path / "d", "/api/dcim/sites/", "HTTP 401", "NETBOX_TOKEN",
                       "Authentication credentials were not provided")
        assert TOKEN not in proc.stderr

    def test_an_unreachable_netbox(self, tmp_path):
        with socket.socket() as sock:  # a port nobody listens on
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        proc = depgraph("import", "netbox", "--url", f"http://127.0.0.1:{port}", "-o", tmp_path / "d",
                        env={"NETBOX_TOKEN": TOKEN})
        assert_refused(proc, tmp_path / "d", f"cannot reach NetBox at http://127.0.0.1:{port}")

    @pytest.mark.parametrize("body, expected", [
        (b"[1, 2, 3]", "not a NetBox list page"),
        (b'{"detail": "ok"}', "not a NetBox list page"),
        (b"<html>login</html>", "not JSON"),
        (b'{"count": 1, "next": null, "previous": null, "results": [' + b"9" * 5000 + b"]}", "digits"),
        (b'{"count": 1, "next": null, "previous": null, "results": ["x"]}', "not a NetBox object"),
    ], ids=["list", "object", "html", "long-number", "string-result"])
    def test_a_page_not_in_netbox_shape(self, server, tmp_path, body, expected):
        server.overrides["/api/dcim/devices/"] = (200, body)
        proc = depgraph("import", "netbox", "--url", server.url, "-o", tmp_path / "d", env={"NETBOX_TOKEN": TOKEN})
        assert_refused(proc, tmp_path / "d", "/api/dcim/devices/", expected)

    def test_a_next_link_to_another_host_is_not_followed(self, server, tmp_path):
        page = {"count": 9, "next": "http://evil.example.com/steal?offset=3", "previous": None, "results": []}
        server.overrides["/api/dcim/racks/"] = (200, json.dumps(page).encode())
        proc = depgraph("import", "netbox", "--url", server.url, "-o", tmp_path / "d", env={"NETBOX_TOKEN": TOKEN})
        assert_refused(proc, tmp_path / "d", "another host")

    def test_a_bad_url(self, tmp_path):
        proc = depgraph("import", "netbox", "--url", "netbox.example.com", "-o", tmp_path / "d")
        assert_refused(proc, tmp_path / "d", "not an http(s) URL")

    def test_url_and_dump_folder_together_is_a_usage_error(self, dump, tmp_path):
        proc = depgraph("import", "netbox", dump, "--url", "http://127.0.0.1:9", "-o", tmp_path / "d")
        assert_refused(proc, tmp_path / "d", "either one dump folder")


def page_of(results) -> str:
    return json.dumps({"count": len(results), "next": None, "previous": None, "results": results})


class TestBadDumps:
    def rewrite(self, dump: Path, name: str, change) -> None:
        path = dump / name
        page = json.loads(path.read_text())
        change(page["results"])
        path.write_text(page_of(page["results"]))

    def test_a_device_with_no_site(self, dump, tmp_path):
        self.rewrite(dump, "dcim_devices.json", lambda devices: devices[1].update(site=None))
        proc = depgraph("import", "netbox", dump, "-o", tmp_path / "d")
        assert_refused(proc, tmp_path / "d", f"{dump / 'dcim_devices.json'}: device 2 'LON1-A-02': has no site")

    def test_duplicate_names_name_both_objects(self, dump, tmp_path):
        def clash(devices):
            devices[4]["name"] = "lon1-a-01"  # in sto1: NetBox allows it, depgraph names hosts globally
            devices[5]["name"] = "Lon1-B-01"  # the same once lower-cased
        self.rewrite(dump, "dcim_devices.json", clash)
        proc = depgraph("import", "netbox", dump, "-o", tmp_path / "d")
        assert_refused(proc, tmp_path / "d", "2 problems",
                       "device 5 'lon1-a-01': becomes host 'lon1-a-01', as does device 1 'lon1-a-01'",
                       "device 6 'Lon1-B-01': becomes host 'lon1-b-01', as does device 3 'lon1-b-01'")

    def test_two_racks_of_one_name_in_a_site(self, dump, tmp_path):
        self.rewrite(dump, "dcim_racks.json", lambda racks: racks[1].update(name="a"))
        proc = depgraph("import", "netbox", dump, "-o", tmp_path / "d")
        assert_refused(proc, tmp_path / "d", "rack 2 'a': has the same name as rack 1 'a'")

    def test_a_vm_whose_cluster_spans_a_region(self, tmp_path):
        nb = small_netbox()
        nb.objects["virtualization.clusters"][0].update(scope_type="dcim.region", scope_id=1, scope={"id": 1})
        dump = nb.write_dump(tmp_path / "dump")
        proc = depgraph("import", "netbox", dump, "-o", tmp_path / "d")
        assert_refused(proc, tmp_path / "d", "virtual machine 1 'search-1': has no site, and its cluster 1 is not "
                       "scoped to a site")

    @pytest.mark.parametrize("text, expected", [
        ("[]", "not a NetBox list page"),
        ('{"results": {}}', "not a NetBox list page"),
        ('{"count": 5, "next": null, "results": []}', "says count 5 but holds 0 results"),
        ('{"count": 2000, "next": "http://nb/api/dcim/sites/?limit=1000&offset=1000", "results": []}',
         "its 'next' link is set"),
        ('{"count": 1, "next": null, "results": [{"id": ' + "7" * 5000 + '}]}', "an integer of 5,000 digits"),
        ('{"count": 1, "next": null, "results": [{"id": 1', "not valid JSON"),
        ('{"count": 1, "next": null, "results": ["lon1"]}', "results[0]: is not a NetBox site"),
    ], ids=["list", "results-not-a-list", "count", "next", "long-number", "truncated", "string-result"])
    def test_a_page_not_in_netbox_shape(self, dump, tmp_path, text, expected):
        (dump / "dcim_sites.json").write_text(text)
        proc = depgraph("import", "netbox", dump, "-o", tmp_path / "d")
        assert_refused(proc, tmp_path / "d", str(dump / "dcim_sites.json"), expected)

    def test_a_file_over_the_size_limit(self, dump, tmp_path):
        proc = depgraph("--max-file-bytes", "1000", "import", "netbox", dump, "-o", tmp_path / "d")
        assert_refused(proc, tmp_path / "d", "over the limit of 1,000 bytes", "--max-file-bytes")

    def test_a_folder_without_sites(self, dump, tmp_path):
        (dump / "dcim_sites.json").unlink()
        proc = depgraph("import", "netbox", dump, "-o", tmp_path / "d")
        assert_refused(proc, tmp_path / "d", f"{dump / 'dcim_sites.json'}: not found")

    def test_missing_optional_pages_are_noted(self, dump, tmp_path):
        (dump / "ipam_services.json").unlink()
        proc = depgraph("import", "netbox", dump, "-o", tmp_path / "d", "--deployments")
        assert proc.returncode == 0, proc.stderr
        assert "note: ipam_services.json not found: no services imported" in proc.stderr


class TestMerge:
    @pytest.fixture
    def hand_written(self, tmp_path):
        """A tree with its own services and the hosts it had before NetBox (to be replaced)."""
        return write_tree(tmp_path / "tree", {
            **HAND_WRITTEN,
            "datacenters.yaml": "- {kind: datacenter, name: lon1}\n- {kind: datacenter, name: sto1}\n",
            "hosts/old.yaml": "- {kind: host, name: lon1-a-01, datacenter: lon1, rack: a}\n",
        })

    def test_refuses_without_force_and_writes_nothing(self, dump, hand_written):
        before = tree_bytes(hand_written)
        proc = depgraph("import", "netbox", dump, "-o", hand_written, "--deployments",
                        "--service-field", "depgraph_service")
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert "--force" in proc.stderr and "nothing was written" in proc.stderr
        for name in ("services/web.yaml", "hosts/old.yaml (would be removed)", "datacenters.yaml (would be removed)"):
            assert str(hand_written / name) in proc.stderr
        assert tree_bytes(hand_written) == before

    def test_hosts_replaced_deployments_set_and_hand_written_fields_kept(self, dump, hand_written):
        proc = depgraph("import", "netbox", dump, "-o", hand_written, "--deployments", "--force",
                        "--service-field", "depgraph_service")
        assert proc.returncode == 0, proc.stderr
        assert f"removed {hand_written / 'hosts' / 'old.yaml'}" in proc.stdout
        assert "deployments: 5 services updated, 0 created (from 9 NetBox services)" in proc.stdout
        assert not (hand_written / "hosts").exists() or not any((hand_written / "hosts").iterdir())
        assert (hand_written / "services" / "web.yaml").read_text() == textwrap_dedent(HAND_WRITTEN["services/web.yaml"]) + (
            "deployments:\n"
            "- datacenter: lon1\n  hosts: [lon1-a-02]\n"
            "- datacenter: sto1\n  hosts: [sto1-a-02]\n")
        catalog = load_catalog(hand_written)
        storage = catalog.services["storage"]
        assert [(d.datacenter, list(d.hosts)) for d in storage.deployments] == [("lon1", ["lon1-a-01"]),
                                                                                  ("sto1", ["sto1-a-01"])]
        assert catalog.services["playlist"].owner == "music-squad"
        assert catalog.hosts["lon1-a-01"].rack == "a" and catalog.hosts["search-1"].rack == "a"

    def test_without_deployments_services_are_left_alone(self, dump, hand_written):
        services = {k: v for k, v in tree_bytes(hand_written).items() if k.startswith("services")}
        proc = depgraph("import", "netbox", dump, "-o", hand_written, "--force")
        assert proc.returncode == 0, proc.stderr
        assert {k: v for k, v in tree_bytes(hand_written).items() if k.startswith("services")} == services

    def test_new_services_get_a_file_of_their_own(self, dump, tmp_path):
        proc = depgraph("import", "netbox", dump, "-o", tmp_path / "d", "--deployments")
        assert proc.returncode == 0, proc.stderr
        assert "0 services updated, 5 created" in proc.stdout
        text = (tmp_path / "d" / "services" / "playlist.yaml").read_text()
        assert "deployments:\n- datacenter: lon1\n  hosts: [lon1-b-01, lon1-b-02]\n" in text

    def test_a_file_mixing_hosts_with_services_is_refused(self, dump, tmp_path):
        tree = write_tree(tmp_path / "tree", {
            "all.yaml": "- {kind: datacenter, name: lon1}\n- {kind: service, name: web}\n"})
        proc = depgraph("import", "netbox", dump, "-o", tree, "--force")
        assert proc.returncode == 2 and str(tree / "all.yaml") in proc.stderr
        assert "along with other entities" in proc.stderr
        assert sorted(p.name for p in tree.rglob("*")) == ["all.yaml"]

    def test_a_result_that_would_not_validate_writes_nothing(self, dump, tmp_path):
        """A hand-written service deployed in a data center NetBox does not have."""
        tree = write_tree(tmp_path / "tree", {
            "web.yaml": "kind: service\nname: web\ndeployments: [{datacenter: ams1, instances: 2}]\n"})
        before = tree_bytes(tree)
        proc = depgraph("import", "netbox", dump, "-o", tree)
        assert proc.returncode == 2, proc.stderr
        assert f"{tree / 'web.yaml'}:3:" in proc.stderr and "ams1" in proc.stderr
        assert "nothing was written" in proc.stderr
        assert tree_bytes(tree) == before


def textwrap_dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).lstrip("\n")


def test_analyze_finds_the_same_spofs_as_the_landscape_written_by_hand(dump, tmp_path):
    """The inventory and deployments from NetBox, and the same written by hand, give the same
    single points of failure (hosts, racks, data centers, services)."""
    imported = write_tree(tmp_path / "imported", HAND_WRITTEN)
    proc = depgraph("import", "netbox", dump, "-o", imported, "--deployments", "--force",
                    "--service-field", "depgraph_service")
    assert proc.returncode == 0, proc.stderr
    deployments = {
        "web": "[{datacenter: lon1, hosts: [lon1-a-02]}, {datacenter: sto1, hosts: [sto1-a-02]}]",
        "playlist": "[{datacenter: lon1, hosts: [lon1-b-01, lon1-b-02]}]",
        "storage": "[{datacenter: lon1, hosts: [lon1-a-01]}, {datacenter: sto1, hosts: [sto1-a-01]}]",
        "search": "[{datacenter: lon1, hosts: [search-1, search-2]}]",
        "login": "[{datacenter: sto1, hosts: [sto1-a-02]}]",
    }
    by_hand = {rel: textwrap_dedent(text) + (f"deployments: {deployments[Path(rel).stem]}\n" if rel.startswith("services") else "")
               for rel, text in HAND_WRITTEN.items()}
    by_hand["inventory.yaml"] = """\
        - {kind: datacenter, name: lon1, region: eu-west}
        - {kind: datacenter, name: sto1, region: eu-north}
        - {kind: host, name: lon1-a-01, datacenter: lon1, rack: a}
        - {kind: host, name: lon1-a-02, datacenter: lon1, rack: a}
        - {kind: host, name: search-1, datacenter: lon1, rack: a}
        - {kind: host, name: lon1-b-01, datacenter: lon1, rack: b}
        - {kind: host, name: lon1-b-02, datacenter: lon1, rack: b}
        - {kind: host, name: lon1-spare, datacenter: lon1}
        - {kind: host, name: search-2, datacenter: lon1}
        - {kind: host, name: sto1-a-01, datacenter: sto1, rack: a}
        - {kind: host, name: sto1-a-02, datacenter: sto1, rack: a}
        """
    written = write_tree(tmp_path / "by-hand", by_hand)

    def spofs(tree: Path) -> list:
        proc = depgraph("analyze", "-d", tree, "--format", "json")
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)["spofs"]

    found = spofs(imported)
    assert found == spofs(written)
    components = {s["component"] for s in found}
    assert {"rack:lon1/b", "host:sto1-a-02", "datacenter:lon1"} <= components  # playlist, login, search


class TestMapping:
    """map_netbox on pages in memory: the choices a user would notice in the files."""

    def inventory(self, nb, **options):
        from depgraph.importers.netbox import NetboxOptions, map_netbox
        from depgraph.importers.netbox_records import Page

        pages = {e: Page(e, e, list(records)) for e, records in nb.objects.items()}
        return map_netbox(pages, "netbox:test", NetboxOptions(**options))

    def test_service_names_custom_field_then_tag_then_netbox_name(self):
        nb = fake_netbox_module().FakeNetbox()
        site = nb.site("lon1")
        host = nb.device("h1", site)
        nb.service("HTTP", host, tags=("depgraph:web",), custom_fields={"app": "player"})
        nb.service("Cassandra DB", host, tags=("depgraph:storage",))
        nb.service("Kafka", host)
        assert sorted(self.inventory(nb, service_field="app").deployments) == ["kafka", "player", "storage"]
        assert sorted(self.inventory(nb).deployments) == ["kafka", "storage", "web"]

    def test_a_vm_stands_in_the_rack_of_the_device_it_runs_on(self):
        nb = fake_netbox_module().FakeNetbox(cluster_style="site")
        site = nb.site("lon1")
        device = nb.device("hv-1", site, nb.rack(site, "Row 1/R2"))
        nb.vm("vm-1", nb.cluster("c1", site), device=device)
        hosts = self.inventory(nb).hosts
        assert (hosts["vm-1"].datacenter, hosts["vm-1"].rack) == ("lon1", "Row 1-R2")

    def test_a_service_whose_parent_type_is_a_number(self):
        """NetBox 4.3.0-4.4.3 sent parent_object_type as a content-type id: the parent's URL decides."""
        nb = fake_netbox_module().FakeNetbox()
        site = nb.site("lon1")
        nb.vm("vm-1", nb.cluster("c1", site))
        service = nb.service("api", nb.objects["virtualization.virtual_machines"][0])
        service["parent_object_type"] = 83
        assert self.inventory(nb).deployments == {"api": {"lon1": ["vm-1"]}}

    def test_a_service_on_an_fhrp_group_is_noted_not_imported(self):
        nb = fake_netbox_module().FakeNetbox()
        nb.site("lon1")
        nb.objects["ipam.services"].append({"id": 1, "name": "vip", "parent_object_type": "ipam.fhrpgroup",
                                            "parent_object_id": 3, "parent": {"id": 3}})
        inventory = self.inventory(nb)
        assert inventory.deployments == {} and "runs on no device or virtual machine" in inventory.warnings[0]


def test_a_fifo_in_place_of_a_page_is_refused_at_once(dump, tmp_path):
    import os

    (dump / "dcim_devices.json").unlink()
    os.mkfifo(dump / "dcim_devices.json")
    proc = depgraph("import", "netbox", dump, "-o", tmp_path / "d", timeout=60)
    assert_refused(proc, tmp_path / "d", f"{dump / 'dcim_devices.json'}: NetBox dump file is not a regular file (a FIFO)")
