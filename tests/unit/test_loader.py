"""The loader reads every descriptor file once, in every supported shape, and keeps positions."""

from __future__ import annotations

import os

import pytest

from depgraph.diagnostics import DescriptorError
from depgraph.load.files import discover_files
from depgraph.load.loader import load_catalog, load_sources

LANDSCAPE = {
    "datacenters.yaml": """
        - {kind: datacenter, name: lon1, location: London, region: eu}
        - {kind: datacenter, name: sto1}
    """,
    "teams.yaml": """
        kind: team
        name: playlist-squad
        tribe: music
        contact: {slack: "#playlist", pager: playlist-oncall}
    """,
    "hosts/lon1.yml": """
        - {kind: host, name: lon1-a-01, datacenter: lon1, rack: a}
        - {kind: host, name: lon1-b-01, datacenter: lon1, rack: b, labels: {role: db}}
    """,
    "services/playlist.yaml": """
        kind: service
        name: playlist
        description: Stores playlists
        owner: playlist-squad
        tier: 1
        lifecycle: production
        dependencies:
          - storage
          - service: search
            type: soft
            description: suggestions
          - any_of: [storage, storage-replica]
        deployments:
          - datacenter: lon1
            hosts: [lon1-a-01, lon1-b-01]
          - datacenter: sto1
            instances: 3
        readiness:
          build: true
          logging: false
          monitoring: 2012-03-01
          backups: n/a
          runbook: https://wiki/playlist
        labels: {language: java}
        links:
          - {title: Dashboard, url: "https://graphs/playlist"}
        ---
        kind: service
        name: storage
        owner: playlist-squad
        deployments: [{datacenter: sto1, hosts: [sto1-x-01]}]
        ---
        # an empty document is skipped
        ---
        - {kind: service, name: storage-replica, owner: playlist-squad, deployments: [{datacenter: lon1, instances: 1}]}
        - {kind: service, name: search, owner: playlist-squad, deployments: [{datacenter: lon1, instances: 2}]}
    """,
    "clients.yaml": """
        kind: client
        name: ios
        dependencies: [playlist]
    """,
}


def test_every_kind_and_field_is_loaded(tree):
    catalog = load_catalog(tree(LANDSCAPE))
    playlist = catalog.services["playlist"]
    assert (playlist.owner, playlist.tier, playlist.lifecycle) == ("playlist-squad", 1, "production")
    assert [(d.targets, d.type, d.is_group) for d in playlist.dependencies] == [
        (("storage",), "hard", False), (("search",), "soft", False), (("storage", "storage-replica"), "hard", True)]
    assert playlist.dependencies[1].description == "suggestions"
    assert [(d.datacenter, d.hosts, d.size) for d in playlist.deployments] == [
        ("lon1", ("lon1-a-01", "lon1-b-01"), 2), ("sto1", (), 3)]
    assert playlist.readiness == {"build": True, "logging": False, "monitoring": "2012-03-01",
                                  "backups": "n/a", "runbook": "https://wiki/playlist"}
    assert playlist.links[0].url == "https://graphs/playlist"
    assert catalog.teams["playlist-squad"].contact["pager"] == "playlist-oncall"
    assert catalog.hosts["lon1-b-01"].labels == {"role": "db"}
    assert catalog.hosts["lon1-b-01"].rack_id == "rack:lon1/b"
    assert catalog.datacenters["lon1"].location == "London"
    assert [d.targets for d in catalog.clients["ios"].dependencies] == [("playlist",)]
    assert sorted(catalog.services) == ["playlist", "search", "storage", "storage-replica"]


def test_positions_of_entities_dependencies_and_deployments(tree):
    root = tree(LANDSCAPE)
    catalog = load_catalog(root)
    playlist = catalog.services["playlist"]
    file = os.path.join(str(root), "services", "playlist.yaml")
    assert (playlist.source.file, playlist.source.line) == (file, 1)
    assert [d.source.line for d in playlist.dependencies] == [8, 9, 12]
    assert [d.source.line for d in playlist.deployments] == [14, 16]
    assert catalog.services["search"].source.line == 36
    assert catalog.hosts["lon1-b-01"].source.line == 2


def test_a_host_named_only_in_a_deployment_is_created_without_rack(tree):
    catalog = load_catalog(tree(LANDSCAPE))
    host = catalog.hosts["sto1-x-01"]
    assert (host.datacenter, host.rack, host.declared) == ("sto1", None, False)


def test_bom_and_crlf_are_valid(tree):
    text = "kind: datacenter\r\nname: lon1\r\n"
    root = tree({"dc.yaml": b"\xef\xbb\xbf" + text.encode()})
    assert list(load_catalog(root).datacenters) == ["lon1"]


def test_hidden_folders_policy_file_and_other_extensions_are_skipped(tree):
    root = tree({
        "dc.yaml": "kind: datacenter\nname: lon1\n",
        ".git/x.yaml": "not: [valid",
        "depgraph.yaml": "rules: {}\n",
        "notes.txt": "kind: nonsense",
        "sub/depgraph.yaml": "kind: datacenter\nname: sto1\n",
    })
    assert sorted(load_catalog(root).datacenters) == ["lon1", "sto1"]


def test_symlinks_are_followed_each_real_file_once_and_loops_do_not_hang(tree):
    root = tree({"real/dc.yaml": "kind: datacenter\nname: lon1\n"})
    os.symlink(root / "real", root / "alias")
    os.symlink(root, root / "real" / "loop")
    files = discover_files(root)
    assert len(files) == 1
    assert list(load_catalog(root).datacenters) == ["lon1"]


def test_errors_in_several_files_are_all_reported(tree):
    root = tree({"a.yaml": "kind: x\nname: a\n", "b.yaml": "kind: service\nname: B\n", "c.yaml": ": :"})
    with pytest.raises(DescriptorError) as info:
        load_catalog(root)
    assert [os.path.basename(d.file) for d in info.value.errors] == ["a.yaml", "b.yaml", "c.yaml"]


def test_binary_and_non_utf8_files_are_reported_with_their_place(tree):
    root = tree({"bin.yaml": b"\x00\x01\x02", "latin.yaml": "kind: team\nname: caf\xe9\n".encode("latin-1")})
    with pytest.raises(DescriptorError) as info:
        load_catalog(root)
    messages = sorted((os.path.basename(d.file), d.line, d.message) for d in info.value.errors)
    assert messages[0][0] == "bin.yaml" and "binary file" in messages[0][2]
    assert messages[1][:2] == ("latin.yaml", 2) and "not valid UTF-8" in messages[1][2]


def test_load_sources_reads_files_that_are_not_on_disk():
    catalog = load_sources([("x/dc.yaml", b"kind: datacenter\nname: lon1\n")], root="x")
    assert catalog.datacenters["lon1"].source.file == "x/dc.yaml"


def test_merge_keys_fill_in_without_overriding(tree):
    root = tree({"s.yaml": """
        - kind: datacenter
          name: lon1
        - &base
          kind: host
          name: h1
          datacenter: lon1
          rack: a
        - <<: *base
          name: h2
    """})
    catalog = load_catalog(root)
    assert (catalog.hosts["h2"].datacenter, catalog.hosts["h2"].rack) == ("lon1", "a")
