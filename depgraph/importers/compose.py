"""The docker-compose importer: services, ``depends_on``/``links``, host references in
environment values, commands and mounted configuration files, replicas.

Which file set what is kept for the edge descriptions. Targets are found by value (the host a
value names), never by variable name; see :mod:`depgraph.importers.evidence` for address books.
"""

from __future__ import annotations

from pathlib import Path

from depgraph.importers.compose_files import ComposeProject, load_project
from depgraph.importers.compose_mounts import mounted_config_edges
from depgraph.importers.envkeys import note_unread, reads_hosts, shown
from depgraph.importers.evidence import resolve_hosts, unresolved_hosts
from depgraph.importers.model import ImportedService, ImportResult
from depgraph.importers.names import NameTable
from depgraph.importers.options import PROVENANCE_LABEL, ImportOptions
from depgraph.importers.telemetry import TelemetryGuess

DOCKER_HOST_NAMES = {
    "host.docker.internal", "gateway.docker.internal",
    "docker.for.mac.localhost", "docker.for.win.localhost", "docker.for.linux.localhost",
}


class HostMap:
    """Which compose service answers to a host name (service name, container_name, hostname,
    network alias), and which one publishes a port on the Docker host."""

    def __init__(self, project: ComposeProject, result: ImportResult):
        self.hosts: dict[str, str] = {name.lower(): name for name in project.services}
        claims: dict[str, set[str]] = {}
        for name, svc in project.services.items():
            extra = [svc.get("container_name"), svc.get("hostname")]
            for net in svc["networks"].values():
                extra.extend((net or {}).get("aliases") or [])
            for link in svc.get("links") or []:
                _, _, alias = str(link).partition(":")
                if alias:
                    claims.setdefault(alias.lower(), set()).add(str(link).partition(":")[0])
            for host in extra:
                if host:
                    claims.setdefault(str(host).lower(), set()).add(name)
        for host, owners in sorted(claims.items()):
            if host in self.hosts:
                continue
            if len(owners) > 1:
                result.warn(f"host name '{host}' is declared by several services "
                            f"({', '.join(sorted(owners))}); references to it are not resolved")
                continue
            self.hosts[host] = next(iter(owners))
        self.published: dict[int, str] = {}
        for name, svc in project.services.items():
            for port in svc.get("ports") or []:
                published = _published_port(port)
                if published is not None:
                    self.published.setdefault(published, name)

    def service(self, host: str, port: int | None) -> str | None:
        return self.hosts.get(host.lower())

    def via_docker_host(self, host: str, port: int | None) -> str | None:
        if host.lower() in DOCKER_HOST_NAMES and port is not None:
            return self.published.get(port)
        return None


def _published_port(spec) -> int | None:
    if isinstance(spec, dict):
        value = spec.get("published")
        return int(value) if str(value).isdigit() else None
    parts = str(spec).split("/")[0].split(":")
    if len(parts) >= 2 and parts[-2].isdigit():
        return int(parts[-2])
    return None


def import_compose(sources: list[Path], options: ImportOptions = ImportOptions()) -> ImportResult:
    project = load_project(sources)
    result = ImportResult(source=f"compose:{project.label()}", datacenter=options.datacenter)
    for note in project.notes:
        result.note(note)
    for var in sorted(project.missing_vars):
        result.note(f"variable {var} is not set; it was read as an empty string")
    names = NameTable()
    renamed = {name: names.assign(name) for name in project.services}
    for message in names.collisions:
        result.warn(message)
    hosts = HostMap(project, result)
    telemetry = TelemetryGuess(options)
    for name, svc in project.services.items():
        telemetry.consider(renamed[name], name, str(svc.get("image") or ""))
    telemetry.report(result)

    def edge_type(target: str) -> str:
        return options.telemetry_type() if renamed[target] in telemetry else "hard"

    weak: list[tuple[str, str, str]] = []
    unread: list[str] = []
    for name, svc in project.services.items():
        service = _service_record(name, renamed[name], svc, project)
        result.services[service.name] = service
    for name, svc in project.services.items():
        service = result.services[renamed[name]]
        for target, why, optional in _declared_edges(svc):
            if target not in renamed:
                result.warn(f"service '{name}' {why} names '{target}', which is no service here")
                continue
            kind = "soft" if optional else edge_type(target)
            service.add_dependency(renamed[target], kind, why)
        for why, key, value in _values(svc):
            if not reads_hosts(key, value):
                if set(resolve_hosts(value, _either(hosts))) - {name}:
                    unread.append(f"{key} in {name}")
                continue
            evidence = f"{why}={shown(key, value)}"
            for target in resolve_hosts(value, hosts.service):
                service.add_dependency(renamed[target], edge_type(target), evidence)
            for target in resolve_hosts(value, hosts.via_docker_host):
                weak.append((name, target, f"{evidence} (port published by {target})"))
            for host in unresolved_hosts(value, _either(hosts)):
                result.warn(f"service '{name}': {why} names host '{host}', which no service provides")
    for source, targets, why in mounted_config_edges(project, _either(hosts), result):
        kind = "hard" if any(edge_type(t) == "hard" for t in targets) else options.telemetry_type()
        result.services[renamed[source]].add_any_of(tuple(renamed[t] for t in targets), kind, why)
    _add_weak_edges(result, renamed, weak, edge_type)
    note_unread(result, unread)
    project.log.report(result)
    return result


def _either(hosts: HostMap):
    return lambda h, p: hosts.service(h, p) or hosts.via_docker_host(h, p)


def _service_record(name: str, new_name: str, svc: dict, project: ComposeProject) -> ImportedService:
    labels = {PROVENANCE_LABEL: "compose:" + ",".join(dict.fromkeys(svc["_files"]))}
    if new_name != name:
        labels["depgraph.io/compose-service"] = name
    if svc.get("image"):
        labels["depgraph.io/image"] = str(svc["image"])[:200]
    deploy = svc.get("deploy") or {}
    replicas = deploy.get("replicas", svc.get("scale", 1))
    try:
        instances = max(int(replicas), 1)
    except (TypeError, ValueError):
        instances = 1
    return ImportedService(name=new_name, labels=labels, instances=instances)


def _declared_edges(svc: dict):
    origin = svc["_origin"]
    for target, spec in svc["depends_on"].items():
        condition = spec.get("condition") if isinstance(spec, dict) else None
        optional = isinstance(spec, dict) and spec.get("required") is False
        where = origin.get(("depends_on", target), "")
        why = f"from depends_on in {where}" + (f" ({condition})" if condition else "")
        yield target, why, optional
    for link in svc.get("links") or []:
        target = str(link).partition(":")[0]
        yield target, f"from links in {origin.get(('links', target), '')}", False


def _values(svc: dict):
    """``(evidence, key, value)`` for each environment value and the command line (key None)."""
    for key, value in svc["environment"].items():
        yield f"from env {key}", key, value
    for key in ("command", "entrypoint"):
        if svc.get(key):
            yield f"from {key}", None, " ".join(svc[key])


def _add_weak_edges(result, renamed, weak, edge_type) -> None:
    """Edges found only through a port published on the Docker host (browser-facing URLs).

    Such a URL in A naming B is a callback (an OAuth redirect URI, a webhook) when B already
    calls A; when both only point at each other this way, the one pointing at more services
    is the registry of its clients and its edges are dropped.
    """
    fanout: dict[str, int] = {}
    for source, target, _ in weak:
        if source != target:
            fanout[source] = fanout.get(source, 0) + 1
    pairs = {(s, t) for s, t, _ in weak}
    for source, target, why in weak:
        if source == target:
            continue
        src, dst = result.services[renamed[source]], result.services[renamed[target]]
        if dst.depends_on(src.name) or (
            (target, source) in pairs and fanout[source] >= fanout.get(target, 0)
        ):
            result.note(f"{source}: {why.split(' (port')[0]} looks like a callback to {target} "
                        "(which calls it); not a dependency")
            continue
        src.add_dependency(dst.name, edge_type(target), why)
