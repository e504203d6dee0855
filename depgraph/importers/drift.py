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


def read_aliases(pairs: list[str], alias_file=None) -> dict[str, str]:
    """Observed name -> service, from ``--alias-file`` (a YAML/JSON mapping, or one under
    ``aliases:``) and then ``--alias OBSERVED=SERVICE`` pairs. Raises UsageError when malformed."""
    from depgraph.diagnostics import UsageError
    from depgraph.importers.sourcefiles import SourceError, load_config_file

    aliases: dict[str, str] = {}
    if alias_file is not None:
        try:
            docs = load_config_file(alias_file)
        except SourceError as exc:
            raise UsageError(str(exc)) from None
        doc = docs[0] if docs else {}
        doc = doc.get("aliases", doc) if isinstance(doc, dict) else doc
        if not isinstance(doc, dict):
            raise UsageError(f"{alias_file}: expected a mapping of observed names to services")
        aliases.update({str(k): str(v) for k, v in doc.items()})
    for pair in pairs:
        name, sep, target = pair.partition("=")
        if not sep or not name or not target:
            raise UsageError(f"bad --alias '{pair}': write OBSERVED=SERVICE")
        aliases[name] = target
    return aliases
