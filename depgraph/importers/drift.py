"""Drift: declared dependencies against observed calls (pure; reads a Catalog and calls).

Observed names map to services (or clients) exactly, then through aliases, then by their
normalised form. An any_of group counts as observed when any alternative was called (the others
are standbys); its members are reported unobserved only when none was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from depgraph.importers.names import normalise
from depgraph.importers.observed import ObservedCall
from depgraph.model import Catalog


@dataclass
class DriftReport:
    format: str
    undeclared: list[dict] = field(default_factory=list)
    unobserved: list[dict] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    matched: int = 0

    def to_json(self) -> dict:
        return {"schema": "depgraph/drift/v1", "undeclared": self.undeclared,
                "unobserved": self.unobserved, "unknown": self.unknown}


def name_resolver(catalog: Catalog, aliases: dict[str, str]):
    """A function observed name -> node id (``service:x``/``client:x``) or None."""
    ids = {name: f"service:{name}" for name in catalog.services}
    for name in catalog.clients:
        ids.setdefault(name, f"client:{name}")

    def to_id(target: str) -> str | None:
        kind, sep, name = target.partition(":")
        if sep and kind in ("service", "client"):
            return target if name in catalog.by_kind(kind) else None
        return ids.get(target)

    def resolve(observed: str) -> str | None:
        if observed in ids:
            return ids[observed]
        if observed in aliases:
            return to_id(aliases[observed])
        return ids.get(normalise(observed))

    return resolve


def drift(catalog: Catalog, fmt: str, calls: list[ObservedCall],
          aliases: dict[str, str] | None = None) -> DriftReport:
    resolve = name_resolver(catalog, aliases or {})
    report = DriftReport(fmt)
    unknown: set[str] = set()
    observed: dict[tuple[str, str], list[int]] = {}
    for call in calls:
        source, target = resolve(call.parent), resolve(call.child)
        for name, node in ((call.parent, source), (call.child, target)):
            if node is None:
                unknown.add(name)
        if source is None or target is None or source == target:
            continue
        total = observed.setdefault((source, target), [0, 0])
        total[0] += call.calls
        total[1] += call.errors
    declared = _declared(catalog)
    report.matched = len(observed)
    for (source, target), (n, errors) in sorted(observed.items()):
        if not any(target in group for group in declared.get(source, [])):
            report.undeclared.append({"source": source, "target": target, "calls": n, "errors": errors})
    for source, groups in sorted(declared.items()):
        for group in groups:
            if not any((source, target) in observed for target in group):
                report.unobserved.extend({"source": source, "target": t} for t in sorted(group))
    report.unobserved.sort(key=lambda e: (e["source"], e["target"]))
    report.unknown = sorted(unknown)
    return report


def _declared(catalog: Catalog) -> dict[str, list[set[str]]]:
    """node id -> its dependency entries as sets of target ids."""
    out: dict[str, list[set[str]]] = {}
    for entity in list(catalog.services.values()) + list(catalog.clients.values()):
        out[entity.id] = [{f"service:{t}" for t in dep.targets} for dep in entity.dependencies]
    return out


def drift_text(report: DriftReport) -> str:
    lines = [f"drift against {report.format} observations: {len(report.undeclared)} undeclared, "
             f"{len(report.unobserved)} unobserved, {len(report.unknown)} unknown"]
    if report.undeclared:
        lines += ["", "Undeclared calls (observed, not in descriptors):"]
        lines += [f"  {e['source']} -> {e['target']}  ({e['calls']} calls, {e['errors']} errors)"
                  for e in report.undeclared]
    if report.unobserved:
        lines += ["", "Declared but never observed:"]
        lines += [f"  {e['source']} -> {e['target']}" for e in report.unobserved]
    if report.unknown:
        lines += ["", "Observed names matching no service (add --alias NAME=SERVICE):"]
        lines += [f"  {name}" for name in report.unknown]
    return "\n".join(lines)


def drift_markdown(report: DriftReport) -> str:
    lines = [f"# Dependency drift ({report.format})", "",
             f"{len(report.undeclared)} undeclared, {len(report.unobserved)} unobserved, "
             f"{len(report.unknown)} unknown.", ""]
    if report.undeclared:
        lines += ["## Undeclared calls", "", "| source | target | calls | errors |", "|---|---|---:|---:|"]
        lines += [f"| `{e['source']}` | `{e['target']}` | {e['calls']} | {e['errors']} |"
                  for e in report.undeclared]
        lines.append("")
    if report.unobserved:
        lines += ["## Declared, never observed", "", "| source | target |", "|---|---|"]
        lines += [f"| `{e['source']}` | `{e['target']}` |" for e in report.unobserved]
        lines.append("")
    if report.unknown:
        lines += ["## Unknown observed names", ""] + [f"- `{n}`" for n in report.unknown] + [""]
    return "\n".join(lines)
