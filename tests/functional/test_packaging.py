"""The release users install: `python -m build` makes a wheel and an sdist that `twine check`
accepts, and the wheel, installed into a fresh virtual environment (not editable, nothing from
this checkout on the path), writes the report with every asset of the HTML page inlined."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
from tests.helpers import ROOT, tool

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
ASSETS = ROOT / "depgraph" / "reporters" / "assets"


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def dist(source_repo, tmp_path_factory) -> Path:
    tool("pyproject-build")  # the build package's own script: `python -m build` needs it installed
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, source_repo)
    return out


def test_build_makes_a_wheel_and_an_sdist_that_twine_accepts(dist):
    wheel, sdist = dist / f"depgraph-{VERSION}-py3-none-any.whl", dist / f"depgraph-{VERSION}.tar.gz"
    assert sorted(dist.iterdir()) == [wheel, sdist]
    run(tool("twine"), "check", "--strict", wheel, sdist)
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        metadata = whl.read(f"depgraph-{VERSION}.dist-info/METADATA").decode()
    shipped = {f"depgraph/reporters/{a.relative_to(ASSETS.parent).as_posix()}" for a in ASSETS.rglob("*") if a.is_file()}
    assert shipped <= names
    assert f"depgraph-{VERSION}.dist-info/licenses/LICENSE" in names
    assert "License-Expression: Apache-2.0" in metadata and "Project-URL: Changelog, " in metadata
    with tarfile.open(sdist) as tar:
        members = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "depgraph/cli/__init__.py",
            "depgraph/reporters/assets/report_core.js"} <= members


def test_the_installed_wheel_writes_the_report_with_its_assets(dist, tmp_path):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        next(dist.glob("*.whl")))
    work = tmp_path / "work"  # run away from the checkout, so nothing can import from it
    work.mkdir()
    depgraph = venv / "bin" / "depgraph"
    location = run(venv / "bin" / "python", "-c", "import depgraph; print(depgraph.__file__)", cwd=work)
    assert Path(location.stdout.strip()).is_relative_to(venv)
    assert run(depgraph, "--version", cwd=work).stdout == f"depgraph {VERSION}\n"

    run(depgraph, "report", "-d", ROOT / "descriptors", "-o", work / "out", cwd=work)
    page = (work / "out" / "index.html").read_text(encoding="utf-8")
    for asset in ("report.css", "report_core.js", "report_views.js", "report_places.js",
                  "vendor/svg-pan-zoom.min.js"):
        assert (ASSETS / asset).read_text(encoding="utf-8") in page, f"{asset} is not inlined"
    assert (work / "out" / "report.md").stat().st_size and (work / "out" / "report.json").stat().st_size
    assert list((work / "out" / "diagrams").glob("*.svg")), "no diagram beside the report"
