"""``depgraph capacity``: can we lose a data center (or a rack), and what to add so we can."""

from enum import Enum
from typing import Annotated

import typer

from depgraph.cli.kit import DescriptorsOption, QuietOption, emit_result, load


class CapacityFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def register(app: typer.Typer) -> None:
    app.command("capacity")(capacity)


def capacity(
    descriptors: DescriptorsOption = "descriptors",
    racks: Annotated[bool, typer.Option("--racks", help="Also lose each rack, one at a time.")] = False,
    format: Annotated[CapacityFormat, typer.Option("--format", "-f", help="Output format.")] = CapacityFormat.text,
    quiet: QuietOption = False,
) -> None:
    """Lose each data center (and rack) alone: what goes down or is overloaded (fewer instances
    up than capacity.min_instances), and the fewest instances to add, per data center, so that
    any one data center can go dark.

    Example: depgraph capacity -d descriptors --racks --format json
    """
    from depgraph.analyses.capacity import capacity_report

    emit_result("capacity", format.value, capacity_report(load(descriptors, quiet), racks=racks))
