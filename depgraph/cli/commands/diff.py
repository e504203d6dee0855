"""``depgraph diff``: what a change does to the architecture, between a git ref (or a folder) and now."""

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.cli.kit import DescriptorsOption, QuietOption, emit_result, fail, state


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
    quiet: QuietOption = False,
) -> None:
    """Dependencies added and removed, cycles and SPOFs introduced and fixed, blast radius and owners changed.

    Example: depgraph diff --base origin/main --format markdown > architecture-diff.md
    """
    from depgraph.gate.diff import diff_trees

    folders = folders or []
    if (base is None) == (len(folders) != 2) or (base is not None and folders):
        fail("give either --base GITREF or two folders OLD_DIR NEW_DIR")
    emit_result("diff", format.value, diff_trees(descriptors, base, folders, state.limits))
