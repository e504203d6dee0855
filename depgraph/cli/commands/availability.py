"""``depgraph availability``: how available each service and client is, from its parts."""

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.cli.kit import DescriptorsOption, QuietOption, emit_result, fail, load

MAX_TRIALS = 1_000_000


class AvailabilityFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def register(app: typer.Typer) -> None:
    app.command("availability")(availability)


def availability(
    descriptors: DescriptorsOption = "descriptors",
    trials: Annotated[int, typer.Option(help="Monte-Carlo trials where no exact answer is cheap.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the trials: the same seed gives the same output.")] = 0,
    explain: Annotated[Optional[list[str]], typer.Option(
        metavar="ID", help="Also list what costs this service or client most (repeatable).")] = None,
    policy: Annotated[Optional[Path], typer.Option(
        help="Policy file with availability defaults (default: depgraph.yaml in the descriptors).")] = None,
    format: Annotated[AvailabilityFormat, typer.Option("--format", "-f", help="Output format.")] = AvailabilityFormat.text,
    quiet: QuietOption = False,
) -> None:
    """Estimate each service's and client's availability from its hosts, racks, data centers and
    hard dependencies (each up independently), with a 95% interval, its slo, and what costs the
    services with an slo or of tier 1 the most.

    Example: depgraph availability -d descriptors --trials 100000 --explain payments
    """
    from depgraph.analyses.availability import availability_report
    from depgraph.failure.resolve import resolve_component
    from depgraph.gate.policy import find_policy, load_policy

    if not 1 <= trials <= MAX_TRIALS:
        fail(f"--trials must be a whole number from 1 to {MAX_TRIALS:,}, not {trials}")
    if seed < 0:
        fail(f"--seed must be 0 or more, not {seed}")
    defaults = load_policy(find_policy(descriptors, policy)).availability
    catalog = load(descriptors, quiet)
    asked = [resolve_component(catalog, name, ("service", "client")) for name in explain or ()]
    report = availability_report(catalog, trials=trials, seed=seed, defaults=defaults, explain=asked)
    emit_result("availability", format.value, report)
