"""The cache cannot lie: it runs nothing, trusts no folder others can write, and a damaged entry
is a silent rebuild. Through the real CLI, for both caches (blast-radius models, check --base
facts), plus a property: under random edits of the descriptors and random corruption of the
cache files, cached answers equal ``--no-cache`` answers.

Budget: the property tests run ``CACHE_EXAMPLES`` examples (``DEPGRAPH_FUZZ=long``: 20x more).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.landscapes import CACHE_TREE as FILES
from tests.landscapes import BASE_TREE
from tests.helpers import GitRepo
from tests.helpers import REPO

from depgraph.failure import stored
from depgraph.gate import checkbase
from depgraph.gate.check import evaluate
from depgraph.gate.policy import Policy
from depgraph.load import gitsource
from depgraph.load.cache import FORMAT, Cache, package_fingerprint
from depgraph.load.loader import load_catalog
from depgraph.load.limits import DEFAULT_LIMITS, Limits

MARKER = "ran-code-from-the-cache"


@pytest.fixture(autouse=True)
def settled(monkeypatch):
    """Trees written by a test count as settled (each test writes, then runs: no race)."""
    monkeypatch.setattr(stored, "SETTLED_SECONDS", 0)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("DEPGRAPH_CACHE_DIR", str(folder))
    return folder


def blast(run_cli, root, *extra, component="host:h1"):
    results = [run_cli("blast-radius", component, "-d", root, "--format", fmt, *extra) for fmt in ("json", "text")]
    return [(r.exit_code, r.stdout) for r in results], "".join(r.stderr for r in results)


class Payload:
    """Unpickling this runs a command (what a planted pickle does)."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_planted_pickle_runs_nothing_and_changes_no_answer(tree, run_cli, cache, tmp_path):
    root = tree(FILES)
    honest, _ = blast(run_cli, root, "--no-cache")
    evil = pickle.dumps(Payload(tmp_path / MARKER))
    assert pickle.loads(evil) == 0 and (tmp_path / MARKER).exists()  # the payload is real
    (tmp_path / MARKER).unlink()
    # planted under the old entry name and under the exact new one, with a correct digest (as
    # someone able to write the folder could): it is read, found to be no columns, and rebuilt
    key, _ = stored.tree_key(root, DEFAULT_LIMITS)
    entry = Cache(cache, stored.KIND)
    cache.mkdir(mode=0o700)
    (cache / f"model-{key[:32]}.pickle").write_bytes(b"depgraph-model-cache-2" + evil)
    entry.put(key, evil)
    for _ in range(2):
        answer, _ = blast(run_cli, root)
        assert answer == honest
    assert not (tmp_path / MARKER).exists()


@pytest.mark.parametrize("how", ["group-writable", "world-writable", "another user"])
def test_a_folder_others_can_write_is_refused_with_a_note(tree, run_cli, cache, how):
    if how == "another user" and os.geteuid() != 0:
        pytest.skip("needs root to give the folder away")
    root = tree(FILES)
    cache.mkdir()
    if how == "another user":
        os.chown(cache, 65534, 65534)
    else:
        cache.chmod(0o770 if how == "group-writable" else 0o777)
    answer, stderr = blast(run_cli, root)
    assert answer == blast(run_cli, root, "--no-cache")[0]
    notes = [line for line in stderr.splitlines() if "depgraph: note: cache folder" in line]
    assert len(notes) == 2 and "caching is off" in notes[0]  # one line per run
    assert list(cache.iterdir()) == []


def test_an_entry_others_can_write_is_not_read(tree, cache):
    root = tree(FILES)
    store = Cache(cache, stored.KIND)
    stored.load_model(root, cache=store)
    assert stored.load_model(root, cache=store)[2]
    entries = sorted(cache.iterdir())
    assert [e.name.split("-")[0] for e in entries] == ["model"]
    assert all(e.stat().st_mode & 0o777 == 0o600 for e in entries) and cache.stat().st_mode & 0o777 == 0o700
    entries[0].chmod(0o666)
    assert not stored.load_model(root, cache=store)[2]


def test_without_a_home_there_is_no_cache_at_all(tree):
    root = tree(FILES)
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CACHE_HOME", "DEPGRAPH_CACHE_DIR")}
    env["PYTHONPATH"] = str(REPO)
    before = sorted(p.relative_to(root.parent) for p in root.parent.rglob("*"))
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-m", "depgraph", "blast-radius", "h1", "-d", ".", "--format", "json"],
                              cwd=root, env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["down"] == ["service:api", "service:db"]
        assert "no cache: HOME is not set" in proc.stderr
    assert sorted(p.relative_to(root.parent) for p in root.parent.rglob("*")) == before
    assert not (root / "~").exists()


def test_a_cache_inside_the_descriptors_is_refused(tree, run_cli, monkeypatch):
    root = tree(FILES)
    monkeypatch.setenv("DEPGRAPH_CACHE_DIR", str(root / ".cache"))
    answer, stderr = blast(run_cli, root)
    assert answer == blast(run_cli, root, "--no-cache")[0]
    assert f"cache folder {root / '.cache'} is inside {root}" in stderr
    assert not (root / ".cache").exists()


CYCLE = {"services/index.yaml": BASE_TREE["services/index.yaml"] + "dependencies:\n  - search\n"}


def forged_verdict(repo: GitRepo, folder: Path) -> None:
    """Cache entries saying the base already had everything the head has (the new cycle too)."""
    catalog = load_catalog(repo.descriptors)
    raw, outcome = evaluate(catalog, Policy(), dt.date.today())
    facts = checkbase.facts_of(catalog, [*raw, *outcome.findings])
    base = gitsource.list_tree(repo.descriptors, "HEAD")  # the base, before the change is committed
    checkbase.cache_write(Cache(folder, checkbase.CACHE_KIND), checkbase.facts_key(base.key, "", DEFAULT_LIMITS), facts)


def test_a_verdict_committed_into_the_repository_is_not_read(tmp_path, monkeypatch, run_cli):
    repo = GitRepo(tmp_path / "repo")
    repo.write(BASE_TREE)
    repo.commit("base")
    monkeypatch.chdir(repo.root)
    repo.write(CYCLE)
    planted = repo.root / ".depgraph-cache"
    forged_verdict(repo, planted)
    repo.commit("pull request: a cycle, and the cache entry that lets it pass")
    # the forgery is real: read from a private folder, it passes the cycle
    private = tmp_path / "private"
    shutil.copytree(planted, private)
    monkeypatch.setenv("DEPGRAPH_CACHE_DIR", str(private))
    fooled = run_cli("check", "-d", "descriptors", "--base", "HEAD~1", "--format", "json")
    assert fooled.exit_code == 0 and json.loads(fooled.stdout)["base"]["status"] == "cached"
    # where a pull request can write it, it is refused
    for option in (["--cache-dir", planted], []):
        monkeypatch.setenv("DEPGRAPH_CACHE_DIR", str(planted))
        result = run_cli("check", "-d", "descriptors", "--base", "HEAD~1", "--format", "json", *option)
        assert result.exit_code == 1, result.stdout
        assert json.loads(result.stdout)["base"]["status"] == "analyzed"
        assert f"is inside {repo.root}" in result.stderr


def test_the_key_covers_every_module_and_the_python_version(tmp_path, monkeypatch):
    package = tmp_path / "depgraph"
    shutil.copytree(REPO / "depgraph", package, ignore=shutil.ignore_patterns("__pycache__"))
    first = package_fingerprint(package)
    assert package_fingerprint(package) == first
    for module in (package / "reporters" / "sarif.py", package / "cli" / "kit.py", package / "analysis.py"):
        original = module.read_bytes()
        module.write_bytes(original + b"\n")
        assert package_fingerprint(package) != first, module
        module.write_bytes(original)
    (package / "analyses" / "new_rule.py").write_text("X = 1\n")
    assert package_fingerprint(package) != first
    (package / "analyses" / "new_rule.py").unlink()
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    assert package_fingerprint(package) != first


def test_the_key_covers_the_limits(tree, cache):
    root = tree(FILES)
    store = Cache(cache, stored.KIND)
    stored.load_model(root, cache=store)
    assert stored.load_model(root, cache=store)[2]
    assert not stored.load_model(root, Limits(max_depth=100), cache=store)[2]


# -- the property: cached answers are --no-cache answers --------------------------------------

LONG = os.environ.get("DEPGRAPH_FUZZ") == "long"
CACHE_EXAMPLES = 400 if LONG else 20
PROPERTY = settings(max_examples=CACHE_EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

SERVICES = ["a", "b", "c", "d", "e"]
HOSTS = ["h1", "h2", "h3", "h4"]


@st.composite
def landscapes(draw) -> dict[str, str]:
    """A small valid tree: services with hard/soft/any_of dependencies on earlier ones (or, now
    and then, a later one: cycles), on hosts in two data centers or anonymous instances."""
    files = {"infra.yaml": textwrap.dedent("""\
        - {kind: datacenter, name: lon1}
        - {kind: datacenter, name: sto1}
        - {kind: host, name: h1, datacenter: lon1, rack: a}
        - {kind: host, name: h2, datacenter: lon1, rack: b}
        - {kind: host, name: h3, datacenter: sto1, rack: a}
        - {kind: host, name: h4, datacenter: sto1, rack: a}
        - {kind: team, name: core, contact: {pager: p1}}
        - {kind: team, name: web, contact: {slack: '#web'}}
        """)}
    names = draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=5, unique=True))
    for name in names:
        others = [n for n in names if n != name]
        deps = []
        for target in draw(st.lists(st.sampled_from(others), max_size=3, unique=True)) if others else []:
            kind = draw(st.sampled_from(["hard", "soft", "any_of"]))
            if kind == "any_of" and len(others) > 1:
                deps.append(f"{{any_of: [{target}, {draw(st.sampled_from([o for o in others if o != target]))}]}}")
            else:
                deps.append(f"{{service: {target}, type: {'soft' if kind == 'soft' else 'hard'}}}")
        hosts = draw(st.lists(st.sampled_from(HOSTS), max_size=3, unique=True))
        placement = ([f"{{datacenter: {'lon1' if h in ('h1', 'h2') else 'sto1'}, hosts: [{h}]}}" for h in hosts]
                     or [f"{{datacenter: lon1, instances: {draw(st.integers(1, 3))}}}"])
        owner = draw(st.sampled_from(["core", "web", "nobody", None]))
        files[f"services/{name}.yaml"] = (
            f"kind: service\nname: {name}\ntier: {draw(st.integers(1, 3))}\n"
            + (f"owner: {owner}\n" if owner else "")
            + f"dependencies: [{', '.join(deps)}]\ndeployments: [{', '.join(placement)}]\n")
    return files


CORRUPTIONS = ["flip", "truncate", "append", "replace", "plant", "swap", "chmod", "symlink", "empty"]


def corrupt(folder: Path, data) -> None:
    """Damage the cache folder the way disks, crashes and meddling do."""
    entries = sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink()) if folder.is_dir() else []
    # every draw has the same range whatever the folder holds (then reduced to it), so hypothesis
    # can replay and shrink a failure exactly
    pick = lambda items: items[data.draw(st.integers(0, 2**16)) % len(items)]  # noqa: E731
    how = data.draw(st.sampled_from(CORRUPTIONS))
    if how == "plant" or not entries:
        name = pick([e.name for e in entries] + ["model-0", "base-facts-1", "x"])
        folder.mkdir(mode=0o700, exist_ok=True)
        (folder / name).unlink(missing_ok=True)
        (folder / name).write_bytes(FORMAT + data.draw(st.binary(max_size=200)))
        return
    entry = pick(entries)
    raw = bytearray(entry.read_bytes())
    if how == "flip" and raw:
        bit = data.draw(st.integers(0, 2**40)) % (len(raw) * 8)
        raw[bit // 8] ^= 1 << bit % 8
    elif how == "truncate":
        del raw[data.draw(st.integers(0, 2**40)) % max(len(raw), 1):]
    elif how == "append":
        raw += data.draw(st.binary(min_size=1, max_size=50))
    elif how == "replace":
        raw = bytearray(data.draw(st.binary(max_size=300)))
    elif how == "empty":
        raw = bytearray()
    elif how == "swap" and len(entries) > 1:
        other = pick([e for e in entries if e != entry])
        raw, other_raw = bytearray(other.read_bytes()), entry.read_bytes()
        other.write_bytes(other_raw)
    elif how == "chmod":
        entry.chmod(0o666)
        return
    elif how == "symlink":
        target = folder.parent / "elsewhere"
        target.write_bytes(bytes(raw))
        entry.unlink()
        entry.symlink_to(target)
        return
    entry.write_bytes(bytes(raw))


@PROPERTY
@given(st.lists(landscapes(), min_size=1, max_size=3), st.data())
def test_cached_blast_radius_equals_no_cache_under_edits_and_corruption(run_cli, monkeypatch, steps, data):
    with tempfile.TemporaryDirectory() as scratch:
        root, folder = Path(scratch) / "descriptors", Path(scratch) / "cache"
        monkeypatch.setenv("DEPGRAPH_CACHE_DIR", str(folder))
        for files in steps:
            if root.exists() and data.draw(st.booleans()):  # new inodes, or the same files rewritten
                shutil.rmtree(root)
            for rel, text in files.items():
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_text(text)
            for stale in set(p.relative_to(root).as_posix() for p in root.rglob("*.yaml")) - set(files):
                (root / stale).unlink()
            component = data.draw(st.sampled_from(["host:h1", "rack:lon1/a", "datacenter:sto1", "h3",
                                                   *[f"service:{s}" for s in SERVICES]]))
            fresh = blast(run_cli, root, "--no-cache", component=component)[0]
            assert blast(run_cli, root, component=component)[0] == fresh  # fills the cache
            assert any(folder.glob("model-*"))
            for _ in range(data.draw(st.integers(0, 3))):
                corrupt(folder, data)
                assert blast(run_cli, root, component=component)[0] == fresh


@PROPERTY
@given(landscapes(), landscapes(), st.data())
def test_cached_check_base_equals_no_cache_under_corruption(run_cli, monkeypatch, base, head, data):
    with tempfile.TemporaryDirectory() as scratch:
        repo = GitRepo(Path(scratch) / "repo")
        repo.write(base)
        repo.commit("base")
        for rel in set(base) - set(head):
            repo.write({rel: None})
        repo.write(head)
        folder = Path(scratch) / "cache"
        monkeypatch.setenv("DEPGRAPH_CACHE_DIR", str(folder))
        monkeypatch.chdir(repo.root)

        def check(*extra):
            result = run_cli("check", "-d", "descriptors", "--base", "HEAD", "--format", "json", *extra)
            doc = json.loads(result.stdout)
            doc.pop("base")
            return result.exit_code, doc

        fresh = check("--no-cache")
        assert check() == fresh
        assert any(folder.glob("base-facts-*"))
        for _ in range(data.draw(st.integers(1, 4))):
            corrupt(folder, data)
            assert check() == fresh
