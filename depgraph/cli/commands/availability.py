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
    ids: Annotated[Optional[list[str]], typer.Argument(
        metavar="[ID]...", help="Services or clients to answer for alone, each with what costs it most.",
        show_default=False)] = None,
    descriptors: DescriptorsOption = "descriptors",
    trials: Annotated[int, typer.Option(help="Monte-Carlo trials where no exact answer is cheap.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the trials: the same seed gives the same output.")] = 0,
    explain: Annotated[Optional[list[str]], typer.Option(
        metavar="ID", help="The same as naming ID as an argument (repeatable).")] = None,
    slo: Annotated[Optional[float], typer.Option(
        metavar="PERCENT", help="Could the named services meet this objective? (instead of their own slo)",
        show_default=False)] = None,
    policy: Annotated[Optional[Path], typer.Option(
        help="Policy file with availability defaults (default: depgraph.yaml in the descriptors).")] = None,
    format: Annotated[AvailabilityFormat, typer.Option("--format", "-f", help="Output format.")] = AvailabilityFormat.text,
    quiet: QuietOption = False,
) -> None:
    """Estimate each service's and client's availability from its hosts, racks, data centers and
    hard dependencies (each up independently), with a 95% interval, its slo, and what costs the
    services with an slo or of tier 1 the most.

    Name services or clients (`depgraph availability playlist --slo 99.9`) for the answer about
    them alone: the estimate, whether the objective can be met, what costs them most.

    Example: depgraph availability -d descriptors payments --slo 99.9
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
    if slo is not None and not 0 < slo < 100:
        fail(f"--slo must be a percentage above 0 and below 100, not {slo:g}")
    asked = list(dict.fromkeys(resolve_component(catalog, name, ("service", "client"))
                               for name in [*(ids or ()), *(explain or ())]))
    if slo is not None and not asked:
        fail("--slo asks whether named services could meet an objective: name one, e.g. "
             "depgraph availability payments --slo 99.9")
    report = availability_report(catalog, trials=trials, seed=seed, defaults=defaults, focus=asked,
                                 asked_slo=slo)
    emit_result("availability", format.value, report)
