"""The pipeline's layering is a contract, not a hope: import-linter checks the contracts in
pyproject.toml (cli above reporters above diagrams above the gate, the analysis, the failure
engine and loading; no typer, click or rich in the core; only the Graphviz adapter runs
processes). It follows every import form, ``from depgraph import X`` included."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_layering_contracts_hold(capsys):
    cli = pytest.importorskip("importlinter.cli", reason="import-linter is not installed")
    code = cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    assert code == 0, capsys.readouterr().out[-3000:]


def test_a_broken_layer_is_caught(tmp_path, capsys, monkeypatch):
    """The contract is not vacuous: a model that imports the reporters breaks it."""
    cli = pytest.importorskip("importlinter.cli", reason="import-linter is not installed")
    import shutil

    copy = tmp_path / "depgraph"
    shutil.copytree(ROOT / "depgraph", copy, ignore=shutil.ignore_patterns("__pycache__"))
    model = copy / "model.py"
    model.write_text(model.read_text() + "\nfrom depgraph import reporters  # noqa\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in list(__import__("sys").modules) if m == "depgraph" or m.startswith("depgraph.")]:
        monkeypatch.delitem(__import__("sys").modules, name)
    monkeypatch.chdir(tmp_path)
    assert cli.lint_imports(config_filename=str(tmp_path / "pyproject.toml"), no_cache=True) == 1
    assert "depgraph.model -> depgraph.reporters" in capsys.readouterr().out


def test_the_command_line_evaluates_its_annotations_once():
    """typer reads every command's parameters on every run: string annotations (``from
    __future__ import annotations``) would be compiled again each time."""
    from pathlib import Path

    import depgraph.cli

    folder = Path(depgraph.cli.__file__).parent
    lazy = [p.name for p in sorted(folder.rglob("*.py")) if "from __future__ import annotations" in p.read_text()]
    assert lazy == []
