"""Descriptor folders nobody wrote for depgraph (real compose files, Kubernetes manifests, a
Backstage catalog) are rejected cleanly: exit 2, every problem at FILE:LINE:COL, no traceback."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

SYSTEMS = ["backstage-examples", "online-boutique", "sock-shop", "robot-shop", "opentelemetry-demo",
           "deathstarbench-socialnetwork", "eshoponcontainers", "train-ticket"]
DIAGNOSTIC = re.compile(r"^(?P<file>[^:]+\.ya?ml):(?P<line>\d+):(?P<col>\d+): (error|warning): .+")


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_foreign_tree_is_rejected_with_positions(shared_dir, system):
    root = shared_dir / "corpus" / system
    proc = subprocess.run([sys.executable, "-m", "depgraph", "validate", "-d", str(root)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    diagnostics, summary = lines[:-1], lines[-1]
    assert diagnostics, "expected at least one positioned error"
    for line in diagnostics:
        match = DIAGNOSTIC.match(line)
        assert match, f"not FILE:LINE:COL: {line[:200]}"
        assert int(match["line"]) >= 1 and match["file"].startswith(str(root))
    assert re.search(r"\d+ errors?", summary)


@pytest.mark.parametrize("system, importer", [("online-boutique", "depgraph import k8s"),
                                               ("backstage-examples", "depgraph import backstage")])
def test_foreign_entities_point_at_the_importer(shared_dir, system, importer):
    proc = subprocess.run([sys.executable, "-m", "depgraph", "validate", "-d", str(shared_dir / "corpus" / system)],
                          capture_output=True, text=True, timeout=120)
    assert f"'{importer}' converts" in proc.stdout
