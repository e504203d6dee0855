"""``depgraph startup-order``: the cold-start waves after a total outage, and what never starts."""

from __future__ import annotations

import textwrap
from enum import Enum
from typing import Annotated

import typer

from depgraph.analyses.startup import StartupOrder, startup_order
from depgraph.cli.kit import DescriptorsOption, emit, emit_json, load

SCHEMA = "depgraph/startup-order/v1"


class StartupFormat(str, Enum):
    text = "text"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("startup-order")(startup_order_command)


def startup_order_command(
    descriptors: DescriptorsOption = "descriptors",
    format: Annotated[StartupFormat, typer.Option("--format", "-f", help="Output format.")] = StartupFormat.text,
) -> None:
    """The order to start services in after a total outage: wave by wave, each service once
    its hard dependencies are up; services that can never start, and why.

    Example: depgraph startup-order -d descriptors --format json
    """
    order = startup_order(load(descriptors))
    if format is StartupFormat.json:
        emit_json(startup_order_json(order))
    else:
        emit(startup_order_text(order))


def startup_order_json(order: StartupOrder) -> dict:
    """The ``depgraph/startup-order/v1`` document (SPEC §4)."""
    return {"schema": SCHEMA, **order.to_json()}


def startup_order_text(order: StartupOrder) -> str:
    """Waves, one paragraph each, then the blocked services with their reasons."""
    started = sum(len(wave) for wave in order.waves)
    lines = [f"Cold start: {started} services in {len(order.waves)} waves"
             + (f", {len(order.blocked)} never start" if order.blocked else "")]
    for number, wave in enumerate(order.waves):
        lines.append("")
        lines += textwrap.wrap(", ".join(wave), width=100,
                               initial_indent=f"wave {number} ({len(wave)}): ",
                               subsequent_indent="    ", break_on_hyphens=False)
    if order.blocked:
        lines += ["", f"BLOCKED ({len(order.blocked)}): cut or soften a hard dependency to start them"]
        lines += [f"  {service}: {order.reasons[service]}" for service in order.blocked]
    return "\n".join(lines)
