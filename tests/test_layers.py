"""The pipeline's layering is a test, not a hope (STYLE: loader -> graph -> analyses -> reporters).

Each rule names a layer and the modules it must never import, directly or inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "depgraph"

CORE = ["model.py", "diagnostics.py", "findings.py", "load/yamlread.py", "load/schema.py", "load/loader.py",
        "load/fanout.py", "load/validate.py", "graph.py", "failure", "analysis.py", "analyses", "jsontext.py"]
RULES = [
    # the core never prints or parses arguments, and never reaches into output or input adapters
    (CORE, ("typer", "rich", "click", "depgraph.cli", "depgraph.cli.kit", "depgraph.cli.commands",
            "depgraph.reporters", "depgraph.diagrams", "depgraph.diagrams.render", "depgraph.reporters.folder",
            "depgraph.importers", "depgraph.exporters")),
    # reporters read analysis results; they never load descriptors or run commands
    (["reporters"], ("depgraph.load.loader", "depgraph.load.yamlread", "depgraph.load.schema", "depgraph.load.validate",
                     "depgraph.cli", "depgraph.cli.kit", "depgraph.cli.commands", "typer")),
    # diagrams build DOT from results; rendering it is render.py's job alone
    (["diagrams"], ("depgraph.load.loader", "depgraph.cli", "depgraph.cli.kit", "depgraph.cli.commands", "subprocess")),
    # load/ is the bottom of the pipeline: its cache stores bytes, and callers above serialize
    (["load"], ("depgraph.failure", "depgraph.gate", "depgraph.graph", "depgraph.analysis", "depgraph.analyses")),
    # what is read back from a cache is plain data: no format that can hold code
    (["load/cache.py", "failure/stored.py", "failure/columns.py", "gate/checkbase.py"],
     ("pickle", "marshal", "shelve", "dill")),
]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def files_of(entries: list[str]) -> list[Path]:
    files = []
    for entry in entries:
        path = PACKAGE / entry
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    files = [f for f in files if f != PACKAGE / "diagrams" / "render.py"]  # the Graphviz adapter
    return files


@pytest.mark.parametrize("layer, forbidden", RULES, ids=["core", "reporters", "diagrams", "load", "caches"])
def test_layer_does_not_import_what_it_must_not(layer, forbidden):
    offences = []
    for file in files_of(layer):
        for module in imported_modules(file):
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                offences.append(f"{file.relative_to(PACKAGE)} imports {module}")
    assert not offences, "\n".join(offences)
