"""What depgraph declares it needs is what it uses: every dependency is imported by the package,
every extra by the package or its tests, and an extra that is missing says how to install it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# distribution name -> the module it is imported as, where they differ
MODULES = {"pyyaml": "yaml", "import-linter": "importlinter", "check-jsonschema": "check_jsonschema"}
# run as programs by the tests (found on PATH or beside Python), never imported
PROGRAMS = {"build", "twine", "check-jsonschema", "zizmor", "pre-commit", "ruff", "mypy"}


def _project() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower()


def _imported(folder: Path) -> set[str]:
    found = set()
    for path in folder.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r"^\s*(?:import|from)\s+([A-Za-z_][A-Za-z0-9_]*)", text, re.M))
        found.update(re.findall(r"importorskip\(\s*[\"']([A-Za-z_][A-Za-z0-9_]*)", text))
    return found


def test_every_dependency_is_imported_by_the_package():
    package = _imported(ROOT / "depgraph")
    unused = [r for r in _project()["dependencies"] if MODULES.get(_name(r), _name(r)) not in package]
    assert unused == []


def test_every_extra_is_used_by_the_package_or_its_tests():
    used = _imported(ROOT / "depgraph") | _imported(ROOT / "tests") | _imported(ROOT / "benchmarks")
    extras = _project()["optional-dependencies"]
    unused = {extra: [r for r in requirements if _name(r) not in PROGRAMS
                      and MODULES.get(_name(r), _name(r)).replace("-", "_") not in used]
              for extra, requirements in extras.items()}
    assert {extra: names for extra, names in unused.items() if names} == {}


def test_a_live_netbox_needs_no_extra(tmp_path):
    """The live NetBox API is read with the standard library alone (its own paging, so the
    token stays with its origin): without pynetbox or requests (a None entry in sys.modules is
    how Python spells "not installed" for one import) it still reads, here a closed port."""
    script = ("import sys; sys.modules['pynetbox'] = sys.modules['requests'] = None; "
              "from depgraph.cli import main; "
              "sys.exit(main(['import', 'netbox', '--url', 'http://127.0.0.1:9', "
              f"'-o', {str(tmp_path / 'out')!r}]))")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2, proc.stderr
    assert "cannot reach NetBox at http://127.0.0.1:9" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()
