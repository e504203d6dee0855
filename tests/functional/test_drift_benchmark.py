"""The drift benchmark runs end to end at a tiny size (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_drift_benchmark_runs(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "benchmarks/drift_observed.py"), "--services", "60",
                           "--edges", "200", "--work", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["reply"]["declared"] + result["reply"]["undeclared"] + result["reply"]["unknown"] == 200
    assert result["drift_cpu_s"] > 0 and result["ratio_cpu"] > 0
    reply = json.loads((tmp_path / "servicegraph-60-200.json").read_text())
    assert reply["data"]["resultType"] == "vector" and len(reply["data"]["result"]) == 220
