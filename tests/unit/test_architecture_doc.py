"""docs/architecture.md stays true: it names every package, draws the layers pyproject.toml
enforces, and its picture is there."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_every_package_is_named():
    packages = {p.name for p in (ROOT / "depgraph").iterdir() if (p / "__init__.py").is_file()}
    modules = {p.stem for p in (ROOT / "depgraph").glob("*.py") if not p.stem.startswith("_")}
    named = set(re.findall(r"`(\w+)`", PAGE))
    assert (packages | modules) - named == set()


def test_the_layers_are_the_enforced_ones():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    [layers] = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    block = re.search(r"```text\n(.*?)```", PAGE, re.S).group(1)
    drawn = [re.sub(r"\s+\(.*", "", line).strip() for line in block.splitlines()]
    assert drawn == [layer.replace("depgraph.", "") for layer in layers]


def test_the_picture_is_committed_with_its_source():
    assert "](images/pipeline.svg)" in PAGE
    svg = (ROOT / "docs" / "images" / "pipeline.svg").read_text(encoding="utf-8")
    dot = (ROOT / "docs" / "images" / "pipeline.dot").read_text(encoding="utf-8")
    for node in re.findall(r"^\s*(\w+) \[label=", dot, re.M):
        assert f"<title>{node}</title>" in svg
