"""The same input gives the same bytes in any process: two interpreters with different hash
seeds (so every set and dict of strings iterates in another order) write identical analyses,
reports, diagrams and exports. Comparing one process with itself could not see an order that
depends on string hashing; two processes can."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import EXAMPLE, ROOT

SEEDS = ("1", "2024")  # two orders of every set of strings


def outputs(folder: Path, seed: str) -> dict[str, bytes]:
    """Every document depgraph writes about the example, from processes with hash seed ``seed``."""
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT),
           "DEPGRAPH_CACHE_DIR": str(folder / "cache")}

    def run(*args) -> bytes:
        done = subprocess.run([sys.executable, "-m", "depgraph", *map(str, args), "-d", str(EXAMPLE)],
                              capture_output=True, env=env, timeout=300)
        assert done.returncode in (0, 1), done.stderr.decode()[-2000:]
        return done.stdout

    found = {
        "analyze --format json": run("analyze", "--format", "json"),
        "blast-radius --format json": run("blast-radius", "datacenter:lon1", "--format", "json", "--no-cache"),
        "render (DOT)": run("render", "--format", "dot"),
        "export --format graphml": run("export", "--format", "graphml"),
        "export --format json": run("export", "--format", "json"),
    }
    run("report", "-o", folder / "report")
    for name in ("report.json", "report.md", "index.html"):
        found[f"report: {name}"] = (folder / "report" / name).read_bytes()
    return found


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> list[dict[str, bytes]]:
    return [outputs(tmp_path_factory.mktemp(f"seed-{seed}"), seed) for seed in SEEDS]


@pytest.mark.parametrize("document", ["analyze --format json", "blast-radius --format json", "render (DOT)",
                                      "export --format graphml", "export --format json", "report: report.json",
                                      "report: report.md", "report: index.html"])
def test_two_processes_with_different_hash_seeds_write_the_same_bytes(both, document):
    first, second = (found[document] for found in both)
    assert len(first) > 200  # a document, not an empty answer
    assert first == second
