"""Drift: declared dependencies against observed calls (pure; reads a Catalog and calls).

Observed names map to services (or clients) exactly, then through aliases, then by their
normalised form. An any_of group counts as observed when any alternative was called (the others
are standbys); its members are reported unobserved only when none was. A client's dependencies
are reported unobserved only when the observations show that client calling something: most
clients (apps, players) are not traced, and their requests arrive from an entry point.
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
    entry: list[str] = field(default_factory=list)
    suggestions: dict[str, str] = field(default_factory=dict)  # unknown name -> closest service id


MAX_SUGGESTIONS = 50  # did-you-mean for the first unknown names only: each one reads every name


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
    """Undeclared calls (with their evidence), declared dependencies never observed, entry
    points and observed names that match nothing.

    Each undeclared item holds ``calls``, ``errors``, ``error_ratio`` (errors per call, None
    without calls), ``observed_in`` (the files or URLs that saw it) and ``connection_type`` where
    the tracing pipeline named one.
    """
    from depgraph.load.files import collection_paused

    with collection_paused():  # builds an object per observed edge beside a big catalog; frees few
        return _drift(catalog, fmt, calls, aliases)


def _drift(catalog: Catalog, fmt: str, calls: list[ObservedCall], aliases: dict[str, str] | None) -> DriftReport:
    resolve = name_resolver(catalog, aliases or {})
    report = DriftReport(fmt)
    unknown: set[str] = set()
    entry: set[str] = set()
    observed: dict[tuple[str, str], _Evidence] = {}
    for call in calls:
        target = resolve(call.child)
        is_entry = call.entry and not _declared_caller(call, catalog)
        source = None if is_entry else resolve(call.parent)
        if is_entry:
            entry.add(call.parent)
        elif source is None:
            unknown.add(call.parent)
        if target is None:
            unknown.add(call.child)
        if source is None or target is None or source == target:
            continue
        evidence = observed.get((source, target))
        if evidence is None:
            evidence = observed[(source, target)] = _Evidence()
        evidence.add(call)
    declared = _declared(catalog)
    seen_clients = {source for source, _ in observed if source.startswith("client:")}
    for (source, target), evidence in sorted(observed.items()):
        if not any(target in group for group in declared.get(source, [])):
            report.undeclared.append({"source": source, "target": target, **evidence.fields()})
    for source, groups in sorted(declared.items()):
        if source.startswith("client:") and source not in seen_clients:
            continue  # an app on a phone is rarely traced: silence is no news about it
        for group in groups:
            if not any((source, target) in observed for target in group):
                report.unobserved.extend({"source": source, "target": t} for t in sorted(group))
    report.unobserved.sort(key=lambda e: (e["source"], e["target"]))
    report.unknown = sorted(unknown)
    report.entry = sorted(entry)
    report.suggestions = _suggestions(report.unknown[:MAX_SUGGESTIONS], catalog)
    return report


def _declared_caller(call: ObservedCall, catalog: Catalog) -> bool:
    """Whether an entry point by name only (``user`` with no ``virtual_node`` connection, Kiali's
    ``unknown``) is in fact a service or client of that very name the descriptors declare."""
    return call.connection_type != "virtual_node" and (call.parent in catalog.services or call.parent in catalog.clients)


class _Evidence:
    __slots__ = ("calls", "errors", "origins", "kinds")

    def __init__(self):
        self.calls = self.errors = 0
        self.origins: set[str] = set()
        self.kinds: set[str] = set()

    def add(self, call: ObservedCall) -> None:
        self.calls += call.calls
        self.errors += call.errors
        if call.origin:
            self.origins.add(call.origin)
        if call.connection_type:
            self.kinds.update(call.connection_type.split(","))

    def fields(self) -> dict:
        out = {"calls": self.calls, "errors": self.errors,
               "error_ratio": round(self.errors / self.calls, 4) if self.calls else None,
               "observed_in": sorted(self.origins)}
        if self.kinds:
            out["connection_type"] = ",".join(sorted(self.kinds))
        return out


def _suggestions(names: list[str], catalog: Catalog) -> dict[str, str]:
    """unknown name -> the service (or client) id whose name is closest to it, where one is.

    Only the names sharing the most three-letter pieces with it are compared letter by letter,
    so each costs about the same at 50 services as at 20,000.
    """
    import difflib

    if not names:
        return {}
    choices = {name: f"client:{name}" for name in catalog.clients}
    choices.update({name: f"service:{name}" for name in catalog.services})
    index: dict[str, list[str]] = {}
    for choice in choices:
        for piece in _pieces(choice):
            index.setdefault(piece, []).append(choice)
    found = {}
    for name in names:
        wanted = normalise(name)
        shared: dict[str, int] = {}
        for piece in _pieces(wanted):
            for choice in index.get(piece, ()) if len(index.get(piece, ())) < 2000 else ():
                shared[choice] = shared.get(choice, 0) + 1
        nearest = sorted(shared, key=lambda c: (-shared[c], c))[:50]
        match = difflib.get_close_matches(wanted, nearest, n=1, cutoff=0.75)
        if match:
            found[name] = choices[match[0]]
    return found


def _pieces(name: str) -> set[str]:
    padded = f"^{name}$"
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def _declared(catalog: Catalog) -> dict[str, list[set[str]]]:
    """node id -> its dependency entries as sets of target ids."""
    out: dict[str, list[set[str]]] = {}
    for entity in list(catalog.services.values()) + list(catalog.clients.values()):
        out[entity.id] = [{f"service:{t}" for t in dep.targets} for dep in entity.dependencies]
    return out


def read_aliases(pairs: list[str], alias_file=None, limit: int = 64 << 20) -> dict[str, str]:
    """Observed name -> service, from ``--alias-file`` (a YAML/JSON mapping, or one under
    ``aliases:``; at most ``limit`` bytes) and then ``--alias OBSERVED=SERVICE`` pairs.
    Raises UsageError when malformed."""
    from depgraph.diagnostics import UsageError
    from depgraph.importers.sourcefiles import SourceError, load_yaml_documents
    from depgraph.load.bounded import InputError, load_text_bounded, parse_json

    aliases: dict[str, str] = {}
    if alias_file is not None:
        try:
            text = load_text_bounded(alias_file, limit, "alias file")
            json_file = str(alias_file).lower().endswith(".json")
            docs = [parse_json(text, alias_file, "alias file")] if json_file else load_yaml_documents(alias_file, text)
        except (InputError, SourceError) as exc:
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
