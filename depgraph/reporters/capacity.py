"""``depgraph capacity`` as JSON (``depgraph/capacity/v1``), text for a capacity planner, and
Markdown: each a function of the :class:`~depgraph.analyses.capacity.CapacityReport` alone."""

from __future__ import annotations

from depgraph.analyses.capacity import CapacityReport, Loss, PlanItem
from depgraph.reporters.markdown import code, table

SCHEMA = "depgraph/capacity/v1"
SHOWN = 6  # services named per row of the text and Markdown tables


def capacity_json(report: CapacityReport) -> dict:
    """The ``depgraph/capacity/v1`` document (SPEC §5); ``racks`` only when they were asked for."""
    document = {
        "schema": SCHEMA,
        "datacenters": [loss.to_json() for loss in report.datacenters],
        "plan": [item.to_json() for item in report.plan],
        "overloaded": [{"service": s, "up": up, "needed": needed} for s, up, needed in report.overloaded_now],
    }
    if report.racks:
        document["racks"] = [loss.to_json("rack") for loss in report.racks]
    return document


def capacity_text(report: CapacityReport) -> str:
    """A verdict line, one row per data center (and rack), then the plan."""
    lines = [_verdict(report)]
    if report.overloaded_now:
        lines += ["", f"OVERLOADED WITH NOTHING FAILED ({len(report.overloaded_now)})"]
        lines += [f"  {s:<40} {up} up, needs {needed}" for s, up, needed in report.overloaded_now]
    for title, losses in (("DATA CENTER", report.datacenters), ("RACK", report.racks)):
        if losses:
            width = max(len(title), *(len(_name(loss.component)) for loss in losses))
            lines += ["", f"{title:<{width}}  SURVIVES  DOWN  OVERLOADED  WHAT BREAKS",
                      *(_loss_row(loss, width) for loss in losses)]
    lines += ["", *_plan_lines(report.plan)]
    return "\n".join(lines)


def capacity_markdown(report: CapacityReport) -> str:
    """The same as GitHub Markdown: the verdict, a table per kind of loss, the plan."""
    out = ["## Capacity: can we lose a data center?", "", _verdict(report)]
    for title, losses in (("Data center", report.datacenters), ("Rack", report.racks)):
        if losses:
            rows = [[code(_name(loss.component)), "yes" if loss.survivable else "**no**",
                     str(len(loss.down)), str(len(loss.overloaded)), _breaks(loss, markdown=True)]
                    for loss in losses]
            out += ["", *table([title, "survivable", "down", "overloaded", "what breaks"], rows, "llrrl")]
    if report.plan:
        rows = [[code(item.service), str(item.needed), _counts(item.instances),
                 _additions(item)] for item in report.plan]
        out += ["", f"### Plan: {_plan_summary(report.plan)}", "",
                *table(["service", "needs", "has", "add"], rows, "lrll")]
    else:
        out += ["", "No service with `capacity.min_instances` loses capacity with any one data center."]
    return "\n".join(out)


# -- pieces ------------------------------------------------------------------------------------


def _verdict(report: CapacityReport) -> str:
    total = len(report.datacenters)
    survive = [_name(loss.component) for loss in report.datacenters if loss.survivable]
    lost = [_name(loss.component) for loss in report.datacenters if not loss.survivable]
    if not lost:
        return f"Can we lose a data center? Yes: each of the {total} can go dark alone."
    head = f"Can we lose a data center? {len(survive)} of {total} can go dark alone"
    return head + (f" ({', '.join(survive)})" if survive else "") + f"; not {', '.join(lost)}."


def _loss_row(loss: Loss, width: int) -> str:
    verdict = "yes" if loss.survivable else "NO"
    row = f"{_name(loss.component):<{width}}  {verdict:<8}  {len(loss.down):>4}  {len(loss.overloaded):>10}"
    return f"{row}  {_breaks(loss)}".rstrip()


def _breaks(loss: Loss, markdown: bool = False) -> str:
    quote = code if markdown else str
    parts = []
    if loss.down:
        parts.append("down: " + _listing([quote(_name(n)) for n in loss.down]))
    if loss.overloaded:
        parts.append("overloaded: " + _listing([f"{quote(_name(s))} {up}/{needed}"
                                                for s, up, needed in loss.overloaded]))
    return "; ".join(parts)


def _plan_lines(plan: list[PlanItem]) -> list[str]:
    if not plan:
        return ["PLAN: nothing to add: every service with capacity.min_instances survives the loss "
                "of any one data center"]
    width = max(len("SERVICE"), *(len(item.service) for item in plan))
    has = max(len("HAS"), *(len(_counts(item.instances)) for item in plan))
    lines = [f"PLAN: {_plan_summary(plan)}",
             f"  {'SERVICE':<{width}}  NEEDS  {'HAS':<{has}}  ADD"]
    for item in plan:
        lines.append(f"  {item.service:<{width}}  {item.needed:>5}  {_counts(item.instances):<{has}}  "
                     f"{_additions(item)}")
    return lines


def _plan_summary(plan: list[PlanItem]) -> str:
    added = sum(item.total_added for item in plan)
    services = f"{len(plan)} service{'s' if len(plan) != 1 else ''}"
    return (f"{services} need{'s' if len(plan) == 1 else ''} {added} more instance{'s' if added != 1 else ''} "
            "to survive the loss of any one data center")


def _additions(item: PlanItem) -> str:
    if not item.feasible:
        return "impossible: the landscape has one data center"
    text = ", ".join(f"{_name(dc)} +{n}" for dc, n in item.add.items())
    if len(item.instances) == 1:
        text += " (runs in one data center)"
    return text


def _counts(instances: dict[str, int]) -> str:
    return ", ".join(f"{_name(dc)} {n}" for dc, n in instances.items()) or "none"


def _listing(items: list[str]) -> str:
    if len(items) <= SHOWN:
        return ", ".join(items)
    return ", ".join(items[:SHOWN - 1]) + f" and {len(items) - SHOWN + 1} more"


def _name(component_id: str) -> str:
    """``datacenter:lon1`` -> ``lon1``, ``rack:lon1/a`` -> ``lon1/a``, ``service:x`` -> ``x``."""
    return component_id.partition(":")[2] or component_id
