"""Hostile file systems: symlink loops, dangling links, FIFOs, devices, unreadable files, very large
files and very many files, each through ``python -m depgraph validate`` with a timeout.

``DEPGRAPH_FUZZ=long`` also runs the full-size cases (a 30 MB inventory, 20,000 files).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import assert_clean, depgraph

LONG = os.environ.get("DEPGRAPH_FUZZ") == "long"
DC = "kind: datacenter\nname: lon1\n"


def test_symlink_loops_do_not_hang_and_each_real_file_is_read_once(tree):
    root = tree({"dc.yaml": DC, "real/team.yaml": "kind: team\nname: squad\n"})
    os.symlink(root / "real", root / "alias")  # the same folder twice
    os.symlink(root, root / "real" / "up")  # a loop back to the root
    os.symlink(root / "dc.yaml", root / "real" / "dc-again.yaml")  # the same file twice
    os.symlink("b.yaml", root / "a.yaml")  # a loop between two links
    os.symlink("a.yaml", root / "b.yaml")
    proc = depgraph("validate", "-d", root, timeout=30)
    assert_clean(proc, 2)
    errors = [line for line in proc.stdout.splitlines() if ": error: " in line]
    assert errors == [f"{root}/a.yaml:1:1: error: cannot read file: Too many levels of symbolic links",
                      f"{root}/b.yaml:1:1: error: cannot read file: Too many levels of symbolic links"]
    assert "duplicate" not in proc.stdout  # dc.yaml and team.yaml were each read once


def test_symlinked_files_and_folders_are_followed(tree, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "team.yaml").write_text("kind: team\nname: squad\n")
    root = tree({"dc.yaml": DC})
    os.symlink(elsewhere, root / "teams")
    proc = depgraph("validate", "-d", root)
    assert_clean(proc, 0)
    assert "OK: 2 files, 0 services, 0 clients, 0 hosts, 1 data centers, 1 teams" in proc.stdout


def test_a_dangling_symlink_is_named(tree):
    root = tree({"dc.yaml": DC})
    os.symlink("gone.yaml", root / "team.yaml")
    proc = depgraph("validate", "-d", root)
    assert_clean(proc, 2)
    assert f"{root}/team.yaml:1:1: error: cannot read file: dangling symlink to 'gone.yaml'" in proc.stdout


def test_a_fifo_is_refused_instead_of_blocking(tree):
    root = tree({"dc.yaml": DC})
    os.mkfifo(root / "pipe.yaml")
    proc = depgraph("validate", "-d", root, timeout=20)
    assert_clean(proc, 2)
    assert f"{root}/pipe.yaml:1:1: error: not a regular file (a FIFO); descriptors are plain files" in proc.stdout


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_an_endless_device_is_refused_instead_of_read_forever(tree):
    root = tree({"dc.yaml": DC})
    os.symlink("/dev/zero", root / "zero.yaml")
    os.symlink("/dev/urandom", root / "random.yaml")
    proc = depgraph("validate", "-d", root, timeout=20)
    assert_clean(proc, 2)
    for name in ("random.yaml", "zero.yaml"):
        assert f"{root}/{name}:1:1: error: not a regular file (a device)" in proc.stdout


REPO_DIR = Path(__file__).resolve().parents[2]


def test_an_unreadable_file_is_an_error_and_the_others_are_still_checked(tmp_path):
    """chmod 000 stops every user but root; as root, run depgraph as ``nobody`` (uid 65534)."""
    base = Path(os.environ.get("TMPDIR", "/tmp")) / f"depgraph-unreadable-{os.getpid()}"
    root = base / "descriptors"
    root.mkdir(parents=True)
    try:
        os.chmod(base, 0o755)
        (root / "dc.yaml").write_text(DC)
        (root / "bad.yaml").write_text("kind: service\nname: Bad\n")
        secret = root / "secret.yaml"
        secret.write_text(DC)
        secret.chmod(0o000)
        kwargs = {}
        if os.geteuid() == 0:
            if not (os.stat(REPO_DIR).st_mode & 0o005 == 0o005):
                pytest.skip("running as root and the checkout is not readable by other users")
            kwargs["user"] = 65534
            kwargs["group"] = 65534
        try:
            proc = depgraph("validate", "-d", root, cwd=base, **kwargs)
        except PermissionError:
            pytest.skip("the unprivileged user cannot run this Python (e.g. it lives under /root); "
                        "see test_an_unreadable_file_as_root_is_simulated")
        if "No module named" in proc.stderr:
            pytest.skip("the unprivileged user cannot import depgraph from this checkout")
        assert_clean(proc, 2)
        assert f"{root}/secret.yaml:1:1: error: cannot read file: Permission denied" in proc.stdout
        assert f"{root}/bad.yaml:2:7: error: bad service name 'Bad'" in proc.stdout
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_an_unreadable_file_as_root_is_simulated(tree, run_cli, monkeypatch):
    """Root reads chmod-000 files anyway, so the permission error is injected at the one system call."""
    import depgraph.load.loader as loader

    root = tree({"dc.yaml": DC, "secret.yaml": DC, "bad.yaml": "kind: service\nname: Bad\n"})
    real_open = os.open

    def guarded_open(path, flags, *args, **kwargs):
        if str(path).endswith("secret.yaml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(loader.os, "open", guarded_open)
    result = run_cli("validate", "-d", root)
    assert result.exit_code == 2
    assert f"{root}/secret.yaml:1:1: error: cannot read file: Permission denied" in result.stdout
    assert f"{root}/bad.yaml:2:7: error: bad service name 'Bad'" in result.stdout


def test_a_file_over_the_size_limit_is_not_read(tree):
    root = tree({"dc.yaml": DC})
    with open(root / "huge.yaml", "wb") as handle:  # sparse: 100 MB on paper, nothing on disk
        handle.truncate(100 * 1024 * 1024)
    proc = depgraph("validate", "-d", root, timeout=30)
    assert_clean(proc, 2)
    assert (f"{root}/huge.yaml:1:1: error: file is over the limit of 67,108,864 bytes (limit max_file_bytes; "
            "raise it with --max-file-bytes, or split the file)") in proc.stdout


def _inventory(hosts: int) -> str:
    lines = ["- {kind: datacenter, name: lon1}"]
    lines += [f"- {{kind: host, name: lon1-r{i // 40:05d}-{i % 40:03d}, datacenter: lon1, rack: r{i // 40:05d}, "
              f"labels: {{model: dl380g7, role: worker}}}}" for i in range(hosts)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("hosts, seconds", [(30_000, 60)] + ([(275_000, 300)] if LONG else []))
def test_a_large_inventory_loads(tree, hosts, seconds):
    """275,000 hosts are a 30 MB file (measured: about 40 s on a loaded 2-core machine)."""
    root = tree({"inventory.yaml": _inventory(hosts)})
    proc = depgraph("validate", "-d", root, timeout=seconds)
    assert_clean(proc, 0)
    assert f"OK: 1 files, 0 services, 0 clients, {hosts} hosts, 1 data centers" in proc.stdout


@pytest.mark.parametrize("files, seconds", [(5_000, 90)] + ([(20_000, 300)] if LONG else []))
def test_a_tree_of_many_files_loads(tree, files, seconds):
    root = tree({"dc.yaml": DC})
    for i in range(files):
        folder = root / f"group-{i // 500:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"h{i:05d}.yaml").write_text(f"kind: host\nname: h{i:05d}\ndatacenter: lon1\nrack: r{i % 7}\n")
    proc = depgraph("validate", "-d", root, timeout=seconds)
    assert_clean(proc, 0)
    assert f"OK: {files + 1} files, 0 services, 0 clients, {files} hosts" in proc.stdout


def test_many_unknown_references_in_a_large_tree_stay_fast(tree):
    """Did-you-mean hints compare each unknown name with a shortlist, not with every service."""
    entities = [DC.replace("\n", ", ").replace("kind: ", "- {kind: ").rstrip(", ") + "}"]
    entities += [f"- {{kind: service, name: svc-{i:05d}, owner: squad, dependencies: [svc-{i:05d}x], "
                 f"deployments: [{{datacenter: lon1, instances: 1}}]}}" for i in range(3000)]
    root = tree({"services.yaml": "\n".join(entities) + "\n"})
    proc = depgraph("validate", "-d", root, timeout=60)
    assert_clean(proc, 2)
    assert (f"{root}/services.yaml:2:65: error: service 'svc-00000' depends on unknown service 'svc-00000x'; "
            "did you mean 'svc-00000'?") in proc.stdout
    assert "3,000 errors" in proc.stdout
