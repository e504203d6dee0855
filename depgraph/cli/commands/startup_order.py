"""``depgraph startup-order``: the cold-start waves after a total outage, and what never starts."""

from enum import Enum
from typing import Annotated

import typer

from depgraph.cli.kit import DescriptorsOption, QuietOption, emit_result, load


class StartupFormat(str, Enum):
    text = "text"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("startup-order")(startup_order_command)


def startup_order_command(
    descriptors: DescriptorsOption = "descriptors",
    format: Annotated[StartupFormat, typer.Option("--format", "-f", help="Output format.")] = StartupFormat.text,
    quiet: QuietOption = False,
) -> None:
    """The order to start services in after a total outage: wave by wave, each service once
    its hard dependencies are up; services that can never start, and why.

    Example: depgraph startup-order -d descriptors --format json
    """
    from depgraph.analyses.startup import startup_order

    emit_result("startup-order", format.value, startup_order(load(descriptors, quiet)))
