"""No descriptor tree stalls the gate: ordinary-looking YAML under 1 MB built to be hard on the
analyses (one big hard cycle, a ring with chords, a hard ring whose every member is a single
point of failure taking down all the others, a ladder with exponentially many paths, many
services with an slo on the same few hosts) is checked within 30 s and 1 GB, through the real
CLI in a fresh process (time and peak memory as the kernel reports them). The shapes are the
ones ``benchmarks/shapes.py`` measures at full size (numbers in benchmarks/results.md); here
hypothesis draws smaller ones, so the whole file stays well under a minute."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
LIMIT_SECONDS = 30
LIMIT_BYTES = 1 << 30


def _shapes():
    name = "depgraph_benchmarks_shapes"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / "shapes.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


SIZES = {"dense": (st.integers(100, 250), st.integers(10, 40)),
         "cyclic": (st.integers(300, 1500), st.integers(2, 4)),
         # a ring of 3,000 takes a couple of seconds; with every SPOF's casualties listed and
         # every cause and start-up reason traced (quadratic), 3,000 took about 30 s and 1 GB
         "ring": (st.integers(3000, 4000), st.integers(1, 2)),
         "ladder": (st.integers(300, 2000), st.just(2)),
         "shared": (st.integers(200, 1200), st.integers(5, 9))}


def _depgraph(*args: str, code: int, cwd: Path | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "depgraph", *args], capture_output=True, text=True,
                          timeout=4 * LIMIT_SECONDS, cwd=cwd)
    assert done.returncode == code, done.stderr[-2000:]
    return done.stdout


@st.composite
def landscapes(draw, name: str):
    size, width = (draw(strategy) for strategy in SIZES[name])
    return size, width, draw(st.integers(0, 1000))


@pytest.mark.parametrize("name", sorted(SIZES))
@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_shapes_are_checked_within_time_and_memory(tmp_path_factory, name, data):
    shapes = _shapes()
    size, width, seed = data.draw(landscapes(name))
    root = shapes.write(tmp_path_factory.mktemp(name) / "descriptors", shapes.shape(name, size, width, seed))
    assert sum(p.stat().st_size for p in root.iterdir()) < 1_000_000
    code, seconds, peak, stderr = shapes.run(shapes.command(name, root), timeout=4 * LIMIT_SECONDS)
    assert code in (0, 1), stderr[-2000:]
    assert seconds <= LIMIT_SECONDS, (name, size, width, seconds)
    assert peak <= LIMIT_BYTES, (name, size, width, peak)


def test_a_huge_hard_cycle_names_enough_cuts_and_says_they_are_at_most(tmp_path):
    shapes = _shapes()
    root = shapes.write(tmp_path / "descriptors", shapes.shape("dense", 300, 30))
    out = _depgraph("check", "-d", str(root), code=1)
    [line] = [line for line in out.splitlines() if "hard dependency cycle" in line]
    assert "cut or soften at most these" in line
    assert "more (depgraph analyze --format json lists them all)" in line
    assert len(line) < 2000  # twelve cuts named, not thousands


def test_cuts_of_a_small_cycle_are_each_needed_and_named_plainly(tmp_path):
    shapes = _shapes()
    root = shapes.write(tmp_path / "descriptors", shapes.shape("dense", 6, 2))
    out = _depgraph("check", "-d", str(root), code=1)
    [line] = [line for line in out.splitlines() if "hard dependency cycle" in line]
    assert "; to break it, cut or soften service:" in line and "at most" not in line


def test_a_hard_ring_is_checked_in_linear_time_and_says_why_each_member_takes_all_down(tmp_path):
    """5,000 services, each needing the next alone: every one is a single point of failure
    taking down the other 4,999. Listed in full that is 25 million ids (over a minute and
    gigabytes before); counted, with the first few named and one sentence of cause, seconds;
    a policy exception is matched against the casualties' bitsets, not each id in turn."""
    shapes = _shapes()
    root = shapes.write(tmp_path / "descriptors", shapes.shape("ring", 5000, 1))
    policy = tmp_path / "depgraph.yaml"  # an exception with a target is tried on every casualty
    policy.write_text("exceptions:\n  - {rule: spof-service, subject: 'ring*', target: 'service:legacy-*',\n"
                      "     reason: legacy goes in Q3, expires: 2099-01-01}\n")
    code, seconds, peak, stderr = shapes.run(["check", "-d", str(root), "--policy", str(policy)],
                                             timeout=4 * LIMIT_SECONDS)
    assert code == 1, stderr[-2000:]
    assert seconds <= LIMIT_SECONDS and peak <= LIMIT_BYTES / 2, (seconds, peak)
    document = json.loads(_depgraph("analyze", "-d", str(root), "--format", "json", code=0))
    spofs = {spof["component"]: spof for spof in document["spofs"]}
    assert len(spofs) == 5000
    ring7 = spofs["service:ring7"]
    assert (ring7["down_count"], len(ring7["down"]), ring7["down_truncated"]) == (4999, 100, True)
    assert ring7["down"][:3] == ["service:ring0", "service:ring1", "service:ring10"]  # sorted ids
    assert ring7["cause"]["text"] == ("service:ring0 and service:ring7 are in one hard cycle of 5,000 services, "
                                      "each needing another of them alone, so all of them fall together")
    [finding] = [f for f in document["findings"] if f["rule"] == "spof-service" and f["subject"] == "service:ring7"]
    assert finding["message"] == ("service ring7 is a single point of failure: takes down "
                                  "service:ring0 (tier 1), service:ring10 (tier 1) and 4997 more")
    reason = document["startup"]["reasons"]["service:ring7"]
    assert reason == ("needs service:ring8, which never starts; "
                      "hard cycle among 5,000 services that wait for each other (too long to name here)")
    assert len(json.dumps(document)) < 30_000_000


def test_a_short_hard_ring_names_its_path_and_cycle(tmp_path):
    """Below the search limits the causes and reasons still name every step; a host holding
    one member falls with the ring's first member through it, and no "more services" are
    counted beside the one named."""
    shapes = _shapes()
    files = shapes.shape("ring", 4, 1)
    files["ring0000.yaml"] = files["ring0000.yaml"].replace(
        "name: ring2\n", "name: ring2\ndeployments:\n  - {datacenter: dc1, hosts: [h1]}\n")
    files["hosts.yaml"] = "- {kind: datacenter, name: dc1}\n- {kind: host, name: h1, datacenter: dc1}\n"
    root = shapes.write(tmp_path / "descriptors", files)
    document = json.loads(_depgraph("analyze", "-d", str(root), "--format", "json", code=0))
    spofs = {spof["component"]: spof for spof in document["spofs"]}
    assert spofs["service:ring2"]["cause"]["path"] == ["service:ring0", "service:ring1", "service:ring2"]
    assert spofs["host:h1"]["cause"]["text"] == (
        "service:ring0 needs service:ring2 through hard dependencies: service:ring0 -> service:ring1 -> "
        "service:ring2; the only instance of service:ring2 is on host h1")
    assert document["startup"]["reasons"]["service:ring3"].endswith(
        "hard cycle service:ring3 → service:ring0 → service:ring1 → service:ring2 → service:ring3")


def test_many_services_with_an_slo_on_the_same_hosts_need_little_memory(tmp_path):
    """Each exact estimate enumerates 2**m states; their tables are shared and dropped, so
    1,500 such services take far less than the gigabyte they took when each kept its own."""
    shapes = _shapes()
    root = shapes.write(tmp_path / "descriptors", shapes.shape("shared", 1500, 7))
    code, seconds, peak, stderr = shapes.run(["check", "-d", str(root)], timeout=120)
    assert code == 1, stderr[-2000:]  # slo 99.99 on seven hosts of one data center: infeasible
    assert peak < 400 * 1024 * 1024, peak


def test_path_stops_at_its_search_limit_and_says_so(tmp_path):
    """A start whose every detour leads back to it: one path exists, and proving there is no
    second one would take exponential time. The search stops at its limit and says so."""
    cluster = [f"x{i}" for i in range(20)]
    text = "---\nkind: service\nname: start\ndependencies: [target, " + ", ".join(cluster) + "]\n"
    text += "---\nkind: service\nname: target\n"
    for x in cluster:
        text += f"---\nkind: service\nname: {x}\ndependencies: [start, {', '.join(c for c in cluster if c != x)}]\n"
    root = tmp_path / "descriptors"
    root.mkdir()
    (root / "services.yaml").write_text(text)
    out = _depgraph("path", "-d", str(root), "start", "target", "-n", "2", code=0)
    assert "through 1 path, shortest first" in out
    assert "The search stopped at its limit of 200,000 partial paths" in out


def test_a_pull_request_adding_a_hard_ring_is_checked_against_its_base_quickly(tmp_path):
    """Each of the ring's 4,000 new SPOFs is pointed at the new dependency behind it, without
    walking every casualty of each (a minute before)."""
    from tests.helpers import GIT, commit_tree

    shapes = _shapes()
    work = tmp_path / "repo"
    shapes.write(work / "descriptors", {"teams.yaml": "- {kind: team, name: squad0}\n"})
    commit_tree(work)
    shapes.write(work / "descriptors", shapes.shape("ring", 4000, 1))
    subprocess.run(GIT + ["add", "."], cwd=work, check=True, capture_output=True)
    subprocess.run(GIT + ["commit", "-qm", "ring"], cwd=work, check=True, capture_output=True)
    code, seconds, peak, stderr = shapes.run(["check", "-d", "descriptors", "--base", "HEAD~1"],
                                             timeout=4 * LIMIT_SECONDS, cwd=work)
    assert code == 1, stderr[-2000:]
    assert seconds <= LIMIT_SECONDS and peak <= LIMIT_BYTES / 2, (seconds, peak)
    out = _depgraph("check", "-d", "descriptors", "--base", "HEAD~1", code=1, cwd=work)
    assert ("service ring1 is a single point of failure: takes down service:ring0 (tier 1), service:ring10 "
            "(tier 1) and 3997 more [introduced by the new dependency of service:ring0 on service:ring1]") in out


def test_diff_to_a_tree_with_a_hard_ring_of_8000_is_quick(tmp_path):
    """Every ring member is new: what each reaches was searched once per member (a minute)."""
    shapes = _shapes()
    old = shapes.write(tmp_path / "old", {"teams.yaml": "- {kind: team, name: squad0}\n"})
    new = shapes.write(tmp_path / "new", shapes.shape("ring", 8000, 1))
    code, seconds, peak, stderr = shapes.run(["diff", str(old), str(new), "--format", "json"],
                                             timeout=4 * LIMIT_SECONDS)
    assert code == 0, stderr[-2000:]
    assert seconds <= LIMIT_SECONDS and peak <= LIMIT_BYTES / 2, (seconds, peak)


def test_diff_cutting_one_edge_of_a_hard_ring_of_8000_is_quick_and_lists_few_ids(tmp_path):
    """Softening one edge turns the ring into a chain: every member's down set changes, from all
    the others to those before it. Each down set was a list of thousands of ids, searched and
    written out for every member (two and a half minutes, 3 GB and a 640 MB document)."""
    shapes = _shapes()
    files = shapes.shape("ring", 8000, 1)
    old = shapes.write(tmp_path / "old", files)
    first = files["ring0000.yaml"]
    files["ring0000.yaml"] = first.replace("name: ring0\ndependencies:\n  - ring1\n",
                                           "name: ring0\ndependencies:\n  - {service: ring1, type: soft}\n")
    assert files["ring0000.yaml"] != first
    new = shapes.write(tmp_path / "new", files)
    out = tmp_path / "diff.json"
    code, seconds, peak, stderr = shapes.run(["diff", str(old), str(new), "--format", "json"],
                                             timeout=4 * LIMIT_SECONDS, stdout=out)
    assert code == 0, stderr[-2000:]
    assert seconds <= LIMIT_SECONDS and peak <= LIMIT_BYTES / 2, (seconds, peak)
    radius = {r["service"]: r for r in json.loads(out.read_text())["blast_radius"]}
    assert len(radius) == 7999  # ring0 still takes every other member down
    assert max(len(r["newly_down"]) + len(r["no_longer_down"]) for r in radius.values()) <= 100
    # ring2 needs ring3 ... ring7999 needs ring0, which needs ring1 only softly now
    ring5 = radius["service:ring5"]
    assert (ring5["before"], ring5["after"], ring5["no_longer_down_count"], ring5["newly_down_count"]) == (
        7999, 4, 7995, 0)
    assert ring5["no_longer_down"][:3] == ["service:ring0", "service:ring10", "service:ring100"]
    assert ring5["no_longer_down_truncated"] and not ring5["newly_down_truncated"]
    ring7000 = radius["service:ring7000"]
    assert (ring7000["after"], ring7000["no_longer_down_count"], len(ring7000["no_longer_down"])) == (6999, 1000, 100)
