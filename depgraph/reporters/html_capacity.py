"""The capacity and availability part of the HTML report's data: ``capacity_data(analysis)``.

It reads the capacity and availability the analysis holds (:class:`~depgraph.analysis.Report`);
services and clients are node numbers, as everywhere in the page's data. ``availability`` is
columns (one list per attribute, in node order) of every service and client; the page draws the
nines per tier from it, worst first.
"""

from __future__ import annotations


def capacity_data(analysis) -> dict:
    """``{"datacenters", "plan", "overloadedNow", "availability"}`` for the page (availability
    None when the analysis estimated only what its findings need)."""
    number = analysis.model.nodes.number
    capacity = analysis.capacity
    report = {
        "datacenters": [{"name": loss.component.partition(":")[2], "survivable": loss.survivable,
                         "down": [number[n] for n in loss.down],
                         "overloaded": [[number[s], up, needed] for s, up, needed in loss.overloaded]}
                        for loss in capacity.datacenters],
        "plan": [{"node": number[item.service], "needed": item.needed, "feasible": item.feasible,
                  "instances": _short(item.instances), "add": _short(item.add)} for item in capacity.plan],
        "overloadedNow": [[number[s], up, needed] for s, up, needed in capacity.overloaded_now],
        "availability": None if analysis.availability is None else _availability(analysis.availability, number),
    }
    return report


def _availability(availability, number: dict[str, int]) -> dict:
    estimates = availability.estimates
    return {
        "node": [number[e.id] for e in estimates],
        "estimate": [round(e.availability, 6) for e in estimates],
        "low": [round(e.low, 6) for e in estimates],
        "high": [round(e.high, 6) for e in estimates],
        "slo": [e.slo for e in estimates],
        "exact": [1 if e.exact else 0 for e in estimates],
    }


def _short(per_datacenter: dict[str, int]) -> dict[str, int]:
    """``{"datacenter:lon1": 2}`` -> ``{"lon1": 2}``."""
    return {dc.partition(":")[2]: n for dc, n in per_datacenter.items()}
