"""``depgraph diff``: what a change does to the architecture, between a git ref (or a folder) and now."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.cli.kit import DescriptorsOption, emit, emit_json, fail, load, print_diagnostics, state
from depgraph.diagnostics import DepgraphError, DescriptorError


class DiffFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def register(app: typer.Typer) -> None:
    app.command("diff")(diff)


def diff(
    folders: Annotated[Optional[list[Path]], typer.Argument(
        metavar="[OLD_DIR NEW_DIR]", help="Two descriptor folders to compare (instead of --base).")] = None,
    base: Annotated[Optional[str], typer.Option(
        metavar="GITREF", help="Compare the descriptors at this git ref with those on disk (-d).")] = None,
    descriptors: DescriptorsOption = "descriptors",
    format: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.")] = DiffFormat.text,
) -> None:
    """Dependencies added and removed, cycles and SPOFs introduced and fixed, blast radius and owners changed.

    Example: depgraph diff --base origin/main --format markdown > architecture-diff.md
    """
    from depgraph.gate.diff import diff_catalogs, diff_markdown, diff_text, diff_to_json

    folders = folders or []
    if (base is None) == (len(folders) != 2) or (base is not None and folders):
        fail("give either --base GITREF or two folders OLD_DIR NEW_DIR")
    try:
        if base is not None:
            old, old_label = _at_ref(descriptors, base), f"{base}:{descriptors}"
            new, new_label = load(descriptors, quiet_warnings=True), str(descriptors)
        else:
            old, old_label = load(folders[0], quiet_warnings=True), str(folders[0])
            new, new_label = load(folders[1], quiet_warnings=True), str(folders[1])
        result = diff_catalogs(old, new)
    except DepgraphError as exc:
        fail(str(exc))
    if format is DiffFormat.json:
        emit_json(diff_to_json(result, old_label, new_label))
    elif format is DiffFormat.markdown:
        emit(diff_markdown(result, old_label, new_label).rstrip("\n"))
    else:
        emit(diff_text(result, old_label, new_label))


def _at_ref(descriptors: Path, ref: str):
    from depgraph.load.gitsource import list_tree, load_tree

    tree = list_tree(descriptors, ref)
    try:
        return load_tree(tree, os.path.normpath(str(descriptors)), state.limits)
    except DescriptorError as exc:
        print_diagnostics(exc.diagnostics)
        fail(f"the descriptors at {ref} do not load ({len(exc.errors)} error(s)); nothing to compare with")
