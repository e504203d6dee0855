"""Cross-entity checks: names unique per kind, references that resolve, hosts in the right place.

``build_catalog(entities)`` takes the records the loader parsed (duplicates included) and returns
the Catalog plus every diagnostic it found. It never prints and never raises for bad input.
"""

from __future__ import annotations

from depgraph.diagnostics import ERROR, WARNING, Diagnostic, did_you_mean
from depgraph.load.schema import MAX_NAME_LENGTH, clip
from depgraph.model import Catalog, Client, Dependency, Host, Location, Service


def build_catalog(entities: list, root: str = ".", unparsed: frozenset[str] = frozenset()
                  ) -> tuple[Catalog, list[Diagnostic]]:
    """``unparsed``: names a file that failed to parse may declare; a reference to one of them is
    not reported as unknown (the file's own error is the one to fix)."""
    catalog = Catalog(root=root)
    diagnostics: list[Diagnostic] = []
    hints = _Hints()

    def report(source: Location | None, severity: str, message: str, code: str) -> None:
        where = source or Location(root, 0)  # every loaded entity has a place; a built one may not
        diagnostics.append(Diagnostic(where.file, where.line, where.col, severity, message, code))

    for entity in entities:
        table = catalog.by_kind(entity.kind)
        first = table.get(entity.name)
        if first is not None:
            report(entity.source, ERROR, f"duplicate {entity.kind} name '{entity.name}': also declared at "
                   f"{first.source}", "duplicate")
            continue
        table[entity.name] = entity

    _check_hosts(catalog, report, hints)
    _check_deployments(catalog, report, hints)
    for service in catalog.services.values():
        _check_dependencies(catalog, service, report, hints, unparsed)
        if service.owner not in unparsed:
            _check_owner(catalog, service, report, hints)
        if not service.deployments:
            report(service.source, WARNING, f"service '{service.name}' has no deployments: depgraph cannot "
                   "tell where it runs (add deployments)", "no-deployments")
    for client in catalog.clients.values():
        _check_dependencies(catalog, client, report, hints, unparsed)
    return catalog, diagnostics


class _Hints:
    """``did_you_mean`` that stays fast on large trees.

    ``difflib`` compares the word with every choice; with 20,000 services each naming an unknown
    dependency that is 400 million comparisons (minutes). Past ``DIRECT`` choices, only the
    ``SHORTLIST`` choices sharing the most three-letter pieces with the word are compared; pieces
    found in more than ``COMMON`` names (``svc``, ``-00``) tell nothing and are skipped.
    """

    DIRECT = 300
    SHORTLIST = 20
    COMMON = 300

    def __init__(self):
        self.indexes: dict[int, tuple] = {}

    def __call__(self, word: str, choices, cutoff: float = 0.6) -> str:
        if len(word) > MAX_NAME_LENGTH:  # no name is that long: nothing to suggest, and no work
            return ""
        if len(choices) <= self.DIRECT:
            return did_you_mean(word, choices, cutoff=cutoff)
        index = self._index(choices)
        shared: dict[str, int] = {}
        for gram in _trigrams(word):
            names = index.get(gram, ())
            if len(names) > self.COMMON:
                continue
            for name in names:
                shared[name] = shared.get(name, 0) + 1
        best = sorted(shared, key=lambda name: (-shared[name], name))[: self.SHORTLIST]
        return did_you_mean(word, sorted(best), cutoff=cutoff)

    def _index(self, choices) -> dict[str, list[str]]:
        entry = self.indexes.get(id(choices))
        if entry is None or entry[0] is not choices or entry[2] != len(choices):
            index: dict[str, list[str]] = {}
            for name in sorted(choices):
                for gram in _trigrams(name):
                    index.setdefault(gram, []).append(name)
            entry = self.indexes[id(choices)] = (choices, index, len(choices))
        return entry[1]


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def _check_hosts(catalog: Catalog, report, hints) -> None:
    for host in catalog.hosts.values():
        if host.datacenter not in catalog.datacenters:
            report(host.source, ERROR, f"host '{host.name}' is in unknown data center '{host.datacenter}'"
                   + hints(host.datacenter, catalog.datacenters), "unknown-datacenter")


def _check_deployments(catalog: Catalog, report, hints) -> None:
    """Deployments name known data centers; their hosts stand in that data center.

    Hosts named only in deployments are created here (``declared=False``, no rack).
    """
    for service in catalog.services.values():
        for deployment in service.deployments:
            dc = deployment.datacenter
            if dc not in catalog.datacenters:
                report(deployment.source, ERROR, f"deployment of service '{service.name}' names unknown data "
                       f"center '{dc}'" + hints(dc, catalog.datacenters), "unknown-datacenter")
                continue
            for host_name, source in zip(deployment.hosts, deployment.host_sources):
                host = catalog.hosts.get(host_name)
                if host is None:
                    catalog.hosts[host_name] = Host(host_name, dc, None, {}, source, declared=False)
                elif host.datacenter != dc:
                    where = "declared" if host.declared else "first named in a deployment"
                    report(source, ERROR, f"host '{host_name}' is in data center '{host.datacenter}' ({where} "
                           f"at {host.source}), not in '{dc}' as this deployment says", "host-datacenter")


def _check_dependencies(catalog: Catalog, dependent: Service | Client, report, hints,
                        unparsed: frozenset[str] = frozenset()) -> None:
    seen: set[tuple[str, ...]] = set()
    for dep in dependent.dependencies:
        for target in dep.targets:
            if target not in unparsed or target in catalog.services or target in catalog.clients:
                _check_target(catalog, dependent, dep, target, report, hints)
        if dep.is_group and len(dep.targets) == 1:
            report(dep.source, WARNING, f"any_of with a single alternative '{clip(dep.targets[0])}' gives no "
                   "redundancy", "any-of-single")
        key = tuple(sorted(dep.targets))
        if key in seen:
            report(dep.source, WARNING, f"{dependent.kind} '{dependent.name}' lists the dependency on "
                   f"{' / '.join(clip(k) for k in key)} twice", "duplicate-dependency")
        seen.add(key)


def _check_target(catalog: Catalog, dependent, dep: Dependency, target: str, report, hints) -> None:
    if target == dependent.name and dependent.kind == "service":
        report(dep.source, ERROR, f"service '{target}' depends on itself", "self-dependency")
    elif target not in catalog.services:
        if target in catalog.clients:
            report(dep.source, ERROR, f"'{target}' is a client: only services can be depended on",
                   "dependency-on-client")
        else:
            report(dep.source, ERROR, f"{dependent.kind} '{dependent.name}' depends on unknown service "
                   f"'{clip(target)}'" + hints(target, catalog.services), "unknown-dependency")


def _check_owner(catalog: Catalog, service: Service, report, hints) -> None:
    if service.owner is None:
        report(service.source, WARNING, f"service '{service.name}' has no owner (add owner: TEAM)", "unowned")
    elif service.owner not in catalog.teams:
        report(service.source, WARNING, f"owner '{clip(service.owner)}' of service '{service.name}' names no "
               "declared team" + hints(service.owner, catalog.teams, cutoff=0.8), "unknown-team")
