"""``depgraph recovery`` as JSON (``depgraph/recovery/v1``), text a disaster-recovery review reads
in a minute, and Markdown: each a function of the
:class:`~depgraph.analyses.recovery.RecoveryResult` alone.

Text and Markdown say, in this order: the scenario and its estimated recovery time, the slowest
services with their critical paths (``a (5m) → b (20m) → c (2m) = 27m``), every service that
misses its objective, every blocked service and why, and when each client is back.
"""

from __future__ import annotations

from depgraph.analyses.recovery import RecoveryResult, ServiceRecovery, path_text
from depgraph.load.durations import format_duration as d
from depgraph.reporters.markdown import code, table, text

TOP = 10  # slowest services shown in text and Markdown (JSON has every one)
CLIENTS_SHOWN = 20


def recovery_json(result: RecoveryResult) -> dict:
    """The ``depgraph/recovery/v1`` document (SPEC §6)."""
    return result.to_json()


def recovery_text(result: RecoveryResult, top: int = TOP) -> str:
    """The scenario's verdict, then the slowest services, RTO misses, blocked services, clients."""
    lines = [_scenario(result), _verdict(result)]
    if result.services:
        slowest = result.slowest()[:top]
        lines += ["", f"SLOWEST ({len(slowest)} of {len(result.services)}): critical path, each step's start time"]
        for service in slowest:
            lines.append(f"  {d(service.ready_at):>8}  {service.service}{_objective(service)}")
            lines.append(f"{'':12}{path_text(result, service.service)}")
    missed = result.missed()
    if missed:
        lines += ["", f"MISSING THEIR RTO ({len(missed)}): shorten a start time on the path, or add a faster alternative"]
        width = max(len(s.service) for s in missed)
        lines += [f"  {s.service:<{width}}  tier {s.tier}  ready {d(s.ready_at)}, RTO {d(s.rto)}: "
                  f"{d(s.ready_at - s.rto)} late" for s in missed]
    if result.blocked:
        lines += ["", f"BLOCKED ({len(result.blocked)}): never ready; cut or soften a hard dependency"]
        lines += [f"  {node}: {result.reasons[node]}" for node in result.blocked]
    if result.clients:
        clients = sorted(result.clients, key=lambda c: (-c[1], c[0]))
        shown = ", ".join(f"{client} {d(ready)}" for client, ready in clients[:CLIENTS_SHOWN])
        more = f", and {len(clients) - CLIENTS_SHOWN} more" if len(clients) > CLIENTS_SHOWN else ""
        lines += ["", f"CLIENTS ({len(clients)}): {shown}{more}"]
    return "\n".join(lines)


def recovery_markdown(result: RecoveryResult, top: int = TOP) -> str:
    """The same as GitHub Markdown: verdict, then tables."""
    out = ["## Recovery: how long until we are back?", "", text(_scenario(result)), "", text(_verdict(result))]
    if result.services:
        rows = [[text(d(s.ready_at)), code(s.service), str(s.tier), text(d(s.rto)) if s.rto else "",
                 _meets(s), text(path_text(result, s.service))] for s in result.slowest()[:top]]
        out += ["", f"### Slowest {len(rows)} of {len(result.services)}", "",
                *table(["ready", "service", "tier", "RTO", "meets", "critical path"], rows, "rlrrll")]
    missed = result.missed()
    if missed:
        rows = [[code(s.service), str(s.tier), text(d(s.ready_at)), text(d(s.rto)),
                 text(d(s.ready_at - s.rto))] for s in missed]
        out += ["", f"### Missing their RTO ({len(missed)})", "",
                *table(["service", "tier", "ready", "RTO", "late by"], rows, "lrrrr")]
    if result.blocked:
        rows = [[code(node), text(result.reasons[node])] for node in result.blocked]
        out += ["", f"### Blocked ({len(result.blocked)}): never ready", "", *table(["", "why"], rows)]
    if result.clients:
        rows = [[code(client), text(d(ready))] for client, ready in
                sorted(result.clients, key=lambda c: (-c[1], c[0]))[:CLIENTS_SHOWN]]
        out += ["", f"### Clients ({len(result.clients)})", "", *table(["client", "back after"], rows, "lr")]
    return "\n".join(out)


def _scenario(result: RecoveryResult) -> str:
    if result.cold_start:
        return "Cold start: every service down at t = 0, each starting once its hard dependencies are ready."
    count = len(result.restarting)
    return (f"Restoring {', '.join(result.failed)} at t = 0: {_plural(count, 'service')} down with "
            f"{'it' if len(result.failed) == 1 else 'them'} restart{'s' if count == 1 else ''}, "
            "everything else is ready at once.")


def _verdict(result: RecoveryResult) -> str:
    if not result.services and not result.blocked:
        return "Nothing restarts: recovery is immediate."
    last = min([*((-s.ready_at, s.service) for s in result.services), *((-t, c) for c, t in result.clients)],
               default=None)  # the latest to be ready; the lowest id among equals
    back = f"after {d(result.ready_at)} (the last: {last[1]})" if last else "never"
    missed = sum(1 for s in result.services if s.meets is False)
    misses = f"; {missed} miss{'es' if missed == 1 else ''} {'its' if missed == 1 else 'their'} RTO" if missed else ""
    if result.blocked:
        return (f"Never fully back: {len(result.blocked)} never get ready (blocked, below); the other "
                f"{_plural(len(result.services), 'restarting service')} {'is' if len(result.services) == 1 else 'are'} "
                f"back {back}{misses}.")
    return f"Estimated recovery time: {d(result.ready_at)} (the last: {last[1]}); " \
           f"{_plural(len(result.services), 'service')} restart{'s' if len(result.services) == 1 else ''}{misses}."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _objective(service: ServiceRecovery) -> str:
    if service.rto is None:
        return f" (tier {service.tier})"
    state = "met" if service.meets else f"MISSED by {d(service.ready_at - service.rto)}"
    return f" (tier {service.tier}, RTO {d(service.rto)}: {state})"


def _meets(service: ServiceRecovery) -> str:
    return "" if service.meets is None else "yes" if service.meets else "**no**"
