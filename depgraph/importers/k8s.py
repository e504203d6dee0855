"""The Kubernetes importer: Deployments, StatefulSets and DaemonSets become services; Services
lead to the workloads their selectors match; env values, args and ConfigMap values naming
Service DNS names (``svc``, ``svc:port``, ``svc.ns``, ``svc.ns.svc.cluster.local``) become edges.
"""

from __future__ import annotations

from pathlib import Path

from depgraph.importers.envkeys import note_unread, reads_hosts, shown
from depgraph.importers.evidence import is_address_book
from depgraph.importers.hosts import LOCAL_HOSTS, host_candidates
from depgraph.importers.k8s_mounts import configmap_pools, mounted_configmaps
from depgraph.importers.k8s_objects import WORKLOAD_KINDS, K8sObject, load_objects
from depgraph.importers.model import ImportedService, ImportResult
from depgraph.importers.names import normalise
from depgraph.importers.options import PROVENANCE_LABEL, ImportOptions
from depgraph.importers.sourcefiles import ReadLog, source_label
from depgraph.importers.telemetry import TelemetryGuess

WORKLOADS = WORKLOAD_KINDS
CLUSTER_SUFFIXES = (".svc.cluster.local", ".svc")


def import_k8s(sources: list[Path], options: ImportOptions = ImportOptions()) -> ImportResult:
    notes: list[str] = []
    log = ReadLog()
    objects, _ = load_objects(sources, notes, log)
    workloads = [o for o in objects if o.kind in WORKLOADS]
    label = ",".join(sorted({o.file for o in workloads})) if len(workloads) < 4 else source_label(sources[0])
    result = ImportResult(source=f"k8s:{label}", datacenter=options.datacenter)
    for note in notes:
        result.note(note)
    names = _workload_names(workloads, result)
    services = {(o.namespace, o.name): o for o in objects if o.kind == "Service"}
    configmaps = {(o.namespace, o.name): o.body.get("data") or {} for o in objects if o.kind == "ConfigMap"}
    backends = {key: _selected(svc, workloads) for key, svc in services.items()}
    for key, selected in sorted(backends.items()):
        if not selected and (services[key].body.get("spec") or {}).get("selector"):
            result.warn(f"Service {key[0]}/{key[1]} selects no workload in these manifests")
    telemetry = TelemetryGuess(options)
    for w in workloads:
        telemetry.consider(names[(w.namespace, w.name)], w.name, " ".join(_images(w)))
    telemetry.report(result)
    for workload in workloads:
        result.services[names[(workload.namespace, workload.name)]] = _service_record(
            workload, names[(workload.namespace, workload.name)])
    unread: list[str] = []
    for workload in workloads:
        service = result.services[names[(workload.namespace, workload.name)]]
        for why, key, value in _values(workload, configmaps):
            if not reads_hosts(key, value):
                if any(set(_resolve(h, workload.namespace, services, backends, names) or ()) - {service.name}
                       for h, _ in host_candidates(value)):
                    unread.append(f"{key} in {service.name}")
                continue
            for host, port in host_candidates(value):
                targets = _resolve(host, workload.namespace, services, backends, names)
                if targets is None:
                    if _looks_like_cluster_dns(host, port):
                        result.warn(f"{workload.kind} {workload.namespace}/{workload.name}: {why} "
                                    f"names '{host}', which no Service here provides")
                    continue
                targets = tuple(t for t in targets if t != service.name)
                if targets:
                    _add(service, targets, telemetry, options, f"{why}={shown(key, value)}")

    def resolve(host: str, namespace: str):
        return _resolve(host, namespace, services, backends, names)

    for reader, targets, why in _mounted_edges(workloads, names, configmaps, resolve, log, result):
        _add(result.services[reader], targets, telemetry, options, why)
    note_unread(result, unread)
    log.report(result)
    return result


def _mounted_edges(workloads, names, configmaps, resolve, log, result):
    """``(service, targets, description)`` for each pool named by a ConfigMap workloads mount,
    unless that ConfigMap is an address book (see :func:`~depgraph.importers.evidence.is_address_book`)."""
    readers: dict[tuple[str, str], set[str]] = {}
    for w in workloads:
        for name in mounted_configmaps(_template(w).get("spec") or {}):
            readers.setdefault((w.namespace, name), set()).add(names[(w.namespace, w.name)])
    for (namespace, name), services in sorted(readers.items()):
        data = configmaps.get((namespace, name))
        if not data:
            continue
        pools = []
        for pool in configmap_pools(f"ConfigMap {namespace}/{name}", data, log, result.warn):
            found = (resolve(host, namespace) or () for host, _ in pool.addresses)
            targets = tuple(dict.fromkeys(t for group in found for t in group))
            if targets:
                pools.append((targets, pool.label))
        named = {t for targets, _ in pools for t in targets}
        if is_address_book(named, services):
            result.note(f"ConfigMap {namespace}/{name} names {len(named)} services and is mounted by "
                        f"{', '.join(sorted(services))}: an address book, not dependencies")
            continue
        for service in sorted(services):
            for targets, label in pools:
                targets = tuple(t for t in targets if t != service)
                if targets:
                    yield service, targets, f"from mounted ConfigMap {name} ({label})"


def _workload_names(workloads: list[K8sObject], result: ImportResult) -> dict[tuple[str, str], str]:
    """Each workload's service name: its name, with its namespace where two namespaces share it,
    normalised. Workloads whose names normalise together (``web.a``, ``web-a``) keep the first
    (in namespace and name order); each other gets ``NAME-N``, the smallest N whose name is free
    (taken by no workload, nor the natural name of another), and a warning says so."""
    namespaces: dict[str, set[str]] = {}
    for w in workloads:
        namespaces.setdefault(w.name, set()).add(w.namespace)
    natural = {(w.namespace, w.name): normalise(w.name if len(namespaces[w.name]) == 1 else f"{w.name}.{w.namespace}")
               for w in workloads}
    reserved = set(natural.values())
    names: dict[tuple[str, str], str] = {}
    taken: dict[str, tuple[str, str]] = {}
    kinds = {(w.namespace, w.name): w.kind for w in workloads}
    for key in sorted(natural):
        name = natural[key]
        if name in taken:
            number = 2
            while f"{name}-{number}" in taken or f"{name}-{number}" in reserved:
                number += 1
            first = taken[name]
            result.warn(f"name collision: {kinds[key]} {key[0]}/{key[1]} and {first[0]}/{first[1]} both "
                        f"become '{name}'; the second was written as '{name}-{number}'")
            name = f"{name}-{number}"
        taken[name] = key
        names[key] = name
    return names


def _template(workload: K8sObject) -> dict:
    return ((workload.body.get("spec") or {}).get("template") or {})


def _images(workload: K8sObject) -> list[str]:
    spec = _template(workload).get("spec") or {}
    return [str(c.get("image") or "") for c in _containers(spec)]


def _containers(pod_spec: dict) -> list[dict]:
    return [c for c in (pod_spec.get("initContainers") or []) + (pod_spec.get("containers") or [])
            if isinstance(c, dict)]


def _selected(service: K8sObject, workloads: list[K8sObject]) -> list[K8sObject]:
    selector = (service.body.get("spec") or {}).get("selector") or {}
    if not selector:
        return []
    return [w for w in workloads if w.namespace == service.namespace and selector.items()
            <= ((_template(w).get("metadata") or {}).get("labels") or {}).items()]


def _service_record(workload: K8sObject, name: str) -> ImportedService:
    spec = workload.body.get("spec") or {}
    labels = {
        PROVENANCE_LABEL: f"k8s:{workload.file}",
        "depgraph.io/namespace": workload.namespace,
        "depgraph.io/workload": f"{workload.kind}/{workload.name}",
    }
    replicas = spec.get("replicas", 1) if workload.kind != "DaemonSet" else 1
    try:
        instances = max(int(replicas), 1)
    except (TypeError, ValueError):
        instances = 1
    return ImportedService(name=name, labels=labels, instances=instances)


def _values(workload: K8sObject, configmaps: dict):
    """``(evidence, key, value)`` for env values, envFrom/configMapKeyRef values (key: the variable's
    name), command and args (key None)."""
    spec = _template(workload).get("spec") or {}
    for container in _containers(spec):
        for env in container.get("env") or []:
            if not isinstance(env, dict):
                continue
            name = str(env.get("name"))
            if env.get("value") is not None:
                yield f"from env {name}", name, str(env["value"])
            ref = ((env.get("valueFrom") or {}).get("configMapKeyRef") or {})
            data = configmaps.get((workload.namespace, ref.get("name")), {})
            if ref and ref.get("key") in data:
                yield f"from env {name} (ConfigMap {ref.get('name')})", name, str(data[ref["key"]])
        for source in container.get("envFrom") or []:
            ref = (source or {}).get("configMapRef") or {}
            for key, value in sorted(configmaps.get((workload.namespace, ref.get("name")), {}).items()):
                yield f"from env {key} (ConfigMap {ref.get('name')})", str(key), str(value)
        for key in ("command", "args"):
            if container.get(key):
                yield f"from {key}", None, " ".join(str(a) for a in container[key])


def _resolve(host, namespace, services, backends, names) -> tuple[str, ...] | None:
    """The workloads behind a Service DNS name seen from ``namespace``, or None."""
    host = host.lower()
    if host in LOCAL_HOSTS:
        return None
    for suffix in CLUSTER_SUFFIXES:
        if host.endswith(suffix):
            host = host[: -len(suffix)]
            break
    parts = host.split(".")
    candidates = [(namespace, parts[0])] if len(parts) == 1 else [(parts[1], parts[0])]
    if len(parts) == 3:  # pod.svc.ns
        candidates.append((parts[2], parts[1]))
    for key in candidates:
        if key in services:
            selected = backends.get(key) or []
            return tuple(sorted(names[(w.namespace, w.name)] for w in selected)) or None
    return None


def _looks_like_cluster_dns(host: str, port: int | None) -> bool:
    """A name that can only be meant as a Service: ``x.svc.cluster.local``, or ``name:port``."""
    return host.endswith(CLUSTER_SUFFIXES) or (
        port is not None and "." not in host and len(host) > 1 and not host.isdigit())


def _add(service, targets, telemetry, options, why) -> None:
    kind = options.telemetry_type() if all(t in telemetry for t in targets) else "hard"
    service.add_any_of(targets, kind, why)
