"""Writes stay inside their output folder and finish or roll back: a planted symbolic link in
an output folder (committed by a pull request) refuses the run before any write; an import
whose target is a folder fails before writing; Ctrl-C while an import renames its files into
place leaves the previous tree byte for byte, with a message and exit 130. The real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO, assert_clean, depgraph

LANDSCAPE = REPO / "descriptors"
BACKSTAGE = REPO / "tests" / "fixtures" / "import" / "backstage"


def tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` (links not followed) and its bytes; links as their target."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            found[rel] = b"-> " + os.readlink(path).encode()
        elif path.is_file():
            found[rel] = path.read_bytes()
    return found


def planted(tmp_path: Path, link: str) -> tuple[Path, Path]:
    """An output folder whose subfolder ``link`` is a symbolic link to a sibling folder."""
    elsewhere, out = tmp_path / "elsewhere", tmp_path / "output"
    elsewhere.mkdir()
    out.mkdir()
    (out / link).symlink_to("../elsewhere")
    return out, elsewhere


def test_report_refuses_an_output_folder_with_a_link_leading_out(tmp_path):
    out, elsewhere = planted(tmp_path, "diagrams")
    proc = depgraph("report", "-d", LANDSCAPE, "-o", out)
    assert_clean(proc, 2)
    assert "leads outside" in proc.stderr and "diagrams" in proc.stderr
    assert list(elsewhere.iterdir()) == []
    assert tree(out) == {"diagrams": b"-> ../elsewhere"}


def test_import_refuses_a_symlinked_subfolder_of_its_output(tmp_path):
    out, elsewhere = planted(tmp_path, "services")
    proc = depgraph("import", "backstage", BACKSTAGE, "-o", out, "--force")
    assert_clean(proc, 2)
    assert "leads outside" in proc.stderr
    assert list(elsewhere.iterdir()) == []
    assert tree(out) == {"services": b"-> ../elsewhere"}


def test_import_with_force_where_a_target_is_a_folder_writes_nothing(tmp_path):
    out = tmp_path / "out"
    assert depgraph("import", "backstage", BACKSTAGE, "-o", out).returncode == 0
    (out / "services" / "stock-a.yaml").unlink()
    (out / "services" / "stock-a.yaml").mkdir()
    (out / "teams.yaml").write_text((out / "teams.yaml").read_text() + "# kept\n")
    before = tree(out)
    proc = depgraph("import", "backstage", BACKSTAGE, "-o", out, "--force")
    assert_clean(proc, 2)
    assert "stock-a.yaml: it is a folder" in proc.stderr
    assert tree(out) == before


INTERRUPT = '''
import os, signal, sys
real = os.replace
calls = []

def replace(src, dst, *args, **kwargs):
    calls.append(dst)
    if len(calls) == 3:  # halfway through putting the new files in place
        os.kill(os.getpid(), signal.SIGINT)
    return real(src, dst, *args, **kwargs)

os.replace = replace
from depgraph.cli import main
sys.exit(main(sys.argv[1:]))
'''


def test_ctrl_c_while_an_import_renames_leaves_the_previous_tree(tmp_path):
    out = tmp_path / "out"
    assert depgraph("import", "backstage", BACKSTAGE, "-o", out).returncode == 0
    for path in out.rglob("*.yaml"):
        path.write_text(path.read_text() + "# the previous run\n")
    before = tree(out)
    driver = tmp_path / "driver.py"
    driver.write_text(INTERRUPT)
    proc = subprocess.run([sys.executable, str(driver), "import", "backstage", str(BACKSTAGE), "-o", str(out),
                           "--force"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert_clean(proc, 130)
    assert "interrupted" in proc.stderr
    assert tree(out) == before  # no file new, none half written, no .tmp or .old left
