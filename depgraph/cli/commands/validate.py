"""``depgraph validate``: load and check the descriptors, and summarise what they hold."""

from enum import Enum
from typing import Annotated

import typer

from depgraph.cli.kit import DescriptorsOption, QuietOption, emit_result, state


class ValidateFormat(str, Enum):
    text = "text"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)


def validate(
    descriptors: DescriptorsOption = "descriptors",
    format: Annotated[ValidateFormat, typer.Option("--format", "-f", help="Output format.")] = ValidateFormat.text,
    quiet: QuietOption = False,
) -> None:
    """Load and check every descriptor; print every problem as FILE:LINE:COL: error: MESSAGE.

    Exits 2 when any error is found (warnings do not fail validation).

    Example: depgraph validate -d descriptors
    """
    from depgraph.load.loader import validate_tree
    from depgraph.cli.progress import progress

    with progress(machine_readable=format is ValidateFormat.json, quiet=quiet) as shown:
        with shown.stage("loading descriptors"):
            outcome = validate_tree(descriptors, state.limits)
    emit_result("validation", format.value, outcome, quiet=quiet)
    if not outcome.valid:
        raise typer.Exit(2)
