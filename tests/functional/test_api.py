"""The Python API (docs/api.md): its examples run, its JSON is the command line's to the byte,
and its calls print nothing and raise narrow errors."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import depgraph

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "descriptors"
CODE_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.M | re.S)


def _blocks(page: str = "docs/api.md") -> list[str]:
    return CODE_BLOCK.findall((ROOT / page).read_text(encoding="utf-8"))


DOCUMENTED = sorted(str(path.relative_to(ROOT)) for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
                    if "```python" in path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalog():
    return depgraph.load(EXAMPLE)


@pytest.fixture(scope="module")
def report(catalog):
    return depgraph.analyze(catalog)


def console(*args: str) -> str:
    """What ``depgraph ARGS…`` prints, run as a user runs it (its own process)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-m", "depgraph", *args], capture_output=True, env=env, check=True)
    return proc.stdout.decode("utf-8")


def _run_examples(page: str, folder: Path) -> None:
    """Run every Python block of ``page`` in order, in ``folder`` holding the example landscape."""
    shutil.copytree(EXAMPLE, folder / "descriptors")
    shutil.copytree(ROOT / "docs" / "examples" / "broken", folder / "docs" / "examples" / "broken")
    os.chdir(folder)
    for block in _blocks(page):
        exec(compile(block, page, "exec"), {"__name__": "docs_example"})


@pytest.mark.parametrize("page", DOCUMENTED)
def test_every_python_example_in_the_docs_runs(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _run_examples(page, tmp_path)


def test_the_api_examples_print_what_they_say(tmp_path, monkeypatch, capsys):
    assert len(_blocks()) >= 5
    monkeypatch.chdir(tmp_path)
    _run_examples("docs/api.md", tmp_path)
    printed = capsys.readouterr().out
    assert "services;" in printed and "single points of failure" in printed
    assert "playlist.yaml" in printed or "infra.yaml" in printed  # the broken tree's problems, with files
    assert "unknown component" in printed
    assert (tmp_path / "startup.json").read_text(encoding="utf-8") == console(
        "startup-order", "-d", "descriptors", "--format", "json")  # the same folder, named alike (the cuts' files)


def test_to_json_is_what_analyze_prints(report):
    assert depgraph.to_json(report) == console("analyze", "-d", str(EXAMPLE), "--format", "json")
    assert depgraph.to_json(report, down_limit=0) == console(
        "analyze", "-d", str(EXAMPLE), "--format", "json", "--down-limit", "0")


def test_to_json_is_what_blast_radius_prints(catalog, report):
    asked = ("rack:lon1/a", "host:lon1-b-01", "service:zookeeper")
    printed = console("blast-radius", *asked, "-d", str(EXAMPLE), "--format", "json", "--no-cache")
    assert depgraph.to_json(depgraph.blast_radius(catalog, *asked)) == printed
    assert depgraph.to_json(depgraph.blast_radius(report, *asked)) == printed  # the report's model


def test_to_dict_is_the_document_to_json_writes(catalog, report):
    for result in (report, depgraph.blast_radius(catalog, "datacenter:lon1"), depgraph.startup_order(catalog),
                   depgraph.recovery(catalog, ["rack:lon1/b"])):
        assert depgraph.to_dict(result) == json.loads(depgraph.to_json(result)), type(result).__name__


def test_a_catalog_is_compiled_once_for_every_question_and_again_once_changed(monkeypatch):
    from depgraph.failure.engine import FailureModel

    compiled = []
    compile_catalog = FailureModel.from_catalog.__func__

    def counted(cls, catalog):
        compiled.append(catalog)
        return compile_catalog(cls, catalog)

    monkeypatch.setattr(FailureModel, "from_catalog", classmethod(counted))
    catalog = depgraph.load(EXAMPLE)
    first = depgraph.to_json(depgraph.blast_radius(catalog, "datacenter:lon1"))
    assert depgraph.to_json(depgraph.blast_radius(catalog, "datacenter:lon1")) == first
    depgraph.blast_radius(catalog, "rack:sto1/a")
    depgraph.recovery(catalog, ["rack:lon1/b"])
    assert len(compiled) == 1
    # a service placed only in sto1 no longer goes down with lon1 once the catalog says so
    name, service = next((n, s) for n, s in catalog.services.items()
                         if f"service:{n}" in json.loads(first)["down"] and s.deployments)
    catalog.services[name] = dataclasses.replace(service, deployments=(
        dataclasses.replace(service.deployments[0], datacenter="sto1", hosts=(), instances=2),))
    again = depgraph.to_dict(depgraph.blast_radius(catalog, "datacenter:lon1"))
    assert len(compiled) == 2 and f"service:{name}" not in again["down"]
    other = depgraph.load(EXAMPLE)
    depgraph.analyze(other)  # compiles the model that blast_radius then reuses
    depgraph.blast_radius(other, "datacenter:lon1")
    assert len(compiled) == 3


def test_to_json_is_what_recovery_prints(catalog, report):
    assert depgraph.to_json(depgraph.recovery(catalog)) == console(
        "recovery", "-d", str(EXAMPLE), "--format", "json", "--no-cache")
    printed = console("recovery", "rack:lon1/a", "-d", str(EXAMPLE), "--format", "json", "--no-cache")
    assert depgraph.to_json(depgraph.recovery(report, ["rack:lon1/a"])) == printed
    assert depgraph.to_json(report.recovery) == depgraph.to_json(depgraph.recovery(catalog))


def test_check_is_what_the_gate_decides_and_prints(tmp_path):
    result = depgraph.check(EXAMPLE, fail_on="warning")
    proc = subprocess.run([sys.executable, "-m", "depgraph", "check", "-d", str(EXAMPLE), "--fail-on", "warning",
                           "--format", "json"], capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.exit_code == proc.returncode == 1
    assert depgraph.to_json(result) == proc.stdout.decode("utf-8")
    (tmp_path / "bad.yaml").write_text("kind: service\nname: [x\n", encoding="utf-8")
    with pytest.raises(depgraph.DescriptorError):
        depgraph.check(tmp_path)


def test_library_calls_print_nothing(capfd):
    catalog = depgraph.load(EXAMPLE)  # it has loading warnings: they are kept, not printed
    assert catalog.diagnostics
    depgraph.to_json(depgraph.analyze(catalog))
    depgraph.to_json(depgraph.blast_radius(catalog, "datacenter:lon1"))
    depgraph.to_json(depgraph.startup_order(catalog))
    assert capfd.readouterr() == ("", "")


def test_library_calls_start_no_process():
    """Python's audit events see every fork, spawn and subprocess; the hook stays installed for
    the rest of the run (hooks cannot be removed), so it only records while asked to."""
    started, watching = [], [True]

    def hook(event, _args):
        if watching[0] and event in ("os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "os.system",
                                     "os.exec", "subprocess.Popen"):
            started.append(event)

    sys.addaudithook(hook)
    try:
        catalog = depgraph.load(EXAMPLE)
        report = depgraph.analyze(catalog)
        depgraph.to_json(report)
        depgraph.to_json(depgraph.blast_radius(report, "datacenter:lon1"))
        depgraph.to_json(depgraph.startup_order(catalog))
    finally:
        watching[0] = False
    assert started == []


def test_bad_input_raises_the_narrow_error_with_the_commands_exit_code(catalog, tmp_path):
    with pytest.raises(depgraph.UnknownComponent, match="no-such"):
        depgraph.blast_radius(catalog, "service:no-such")
    with pytest.raises(depgraph.UsageError):
        depgraph.blast_radius(catalog)
    with pytest.raises(depgraph.UsageError, match="not found") as missing:
        depgraph.load(tmp_path / "nowhere")
    assert missing.value.exit_code == 2
    (tmp_path / "bad.yaml").write_text("kind: service\nname: [x\n", encoding="utf-8")
    with pytest.raises(depgraph.DescriptorError) as invalid:
        depgraph.load(tmp_path)
    assert [(d.file.rpartition("/")[2], d.line) for d in invalid.value.diagnostics][:1] == [("bad.yaml", 3)]
    with pytest.raises(TypeError, match="no JSON document for a dict"):
        depgraph.to_json({"schema": "mine"})


def test_import_depgraph_imports_nothing_else_until_asked():
    code = ("import sys, depgraph; before = {m for m in sys.modules if m.startswith('depgraph')}; "
            "depgraph.analyze; after = {m for m in sys.modules if m.startswith('depgraph')}; "
            "print(sorted(before), 'depgraph.api' in after, 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    assert out.split() == ["['depgraph']", "True", "False"]


def test_load_is_callable_however_it_was_imported():
    import depgraph.load.loader as loader  # the package's own modules, imported the usual ways
    from depgraph import load

    assert load is depgraph.load and loader.load_catalog
    assert len(load(EXAMPLE).services) == len(depgraph.load(EXAMPLE).services) > 0
