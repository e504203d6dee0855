"""``depgraph recovery [COMPONENT…]``: how long until we are back, what sets the pace, which
objectives are missed. It needs only the failure model and each service's tier and durations,
so it answers from the compiled-model cache ``blast-radius`` fills (:mod:`depgraph.failure.stored`)."""

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from depgraph.cli.kit import (
    DescriptorsOption, QuietOption, emit_result, open_cache, print_load_warnings, state,
)


class RecoveryFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def register(app: typer.Typer) -> None:
    app.command("recovery")(recovery)


def recovery(
    components: Annotated[Optional[list[str]], typer.Argument(
        metavar="[COMPONENT…]",
        help="What failed and comes back at t = 0 (service:x, host:x, rack:dc/r, datacenter:x); "
             "none: a cold start of everything.")] = None,
    descriptors: DescriptorsOption = "descriptors",
    policy: Annotated[Optional[Path], typer.Option(
        help="Policy file with the default start time and per-tier RTOs "
             "(default: depgraph.yaml in the descriptors).")] = None,
    format: Annotated[RecoveryFormat, typer.Option("--format", "-f", help="Output format.")] = RecoveryFormat.text,
    top: Annotated[int, typer.Option(min=1, metavar="N", help="Slowest services shown (text, Markdown).")] = 10,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Load the descriptors afresh instead of using the compiled-model cache.")] = False,
    quiet: QuietOption = False,
) -> None:
    """How long until every service is back after a cold start (or after COMPONENTs fail and
    return): each service's ready time from its start time and its hard dependencies, the
    critical path of the slowest, the services that miss their RTO, and those that never start.

    Example: depgraph recovery -d descriptors --format markdown
    """
    from depgraph.analyses.recovery import recovery as recovery_time
    from depgraph.failure.resolve import resolve_component
    from depgraph.failure.stored import ENTRIES_KEPT, KIND, load_model
    from depgraph.gate.policy import find_policy, load_policy

    defaults = load_policy(find_policy(descriptors, policy), state.limits).recovery

    cache = None if no_cache else open_cache(KIND, descriptors, kept=ENTRIES_KEPT)
    catalog, model, _ = load_model(descriptors, state.limits, cache)
    print_load_warnings(catalog.diagnostics, descriptors, quiet)
    failed = [resolve_component(model, argument) for argument in components or ()]
    emit_result("recovery", format.value, recovery_time(catalog, failed, defaults=defaults, model=model), top=top)
