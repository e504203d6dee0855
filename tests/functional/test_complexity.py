"""No descriptor tree stalls the gate: ordinary-looking YAML under 1 MB built to be hard on the
analyses (one big hard cycle, a ring with chords, a ladder with exponentially many paths, many
services with an slo on the same few hosts) is checked within 30 s and 1 GB, through the real
CLI in a fresh process (time and peak memory as the kernel reports them). The shapes are the
ones ``benchmarks/shapes.py`` measures at full size (numbers in benchmarks/results.md); here
hypothesis draws smaller ones, so the whole file stays well under a minute."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

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
         "ladder": (st.integers(300, 2000), st.just(2)),
         "shared": (st.integers(200, 1200), st.integers(5, 9))}


def _depgraph(*args: str, code: int) -> str:
    done = subprocess.run([sys.executable, "-m", "depgraph", *args], capture_output=True, text=True,
                          timeout=4 * LIMIT_SECONDS)
    assert done.returncode == code, done.stderr[-2000:]
    return done.stdout


@st.composite
def landscapes(draw):
    name = draw(st.sampled_from(sorted(SIZES)))
    size, width = (draw(strategy) for strategy in SIZES[name])
    return name, size, width, draw(st.integers(0, 1000))


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(landscapes())
def test_hostile_shapes_are_checked_within_time_and_memory(tmp_path_factory, landscape):
    shapes = _shapes()
    name, size, width, seed = landscape
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
