"""Configuration files a compose service reads (top-level ``configs`` and bind mounts inside the
project folder): the hosts they name become edges, unless the file is an address book.

JSON and YAML files give every host they name (a Prometheus scrape target, a gateway route);
Envoy bootstraps, nginx and HAProxy configurations give their pools (:mod:`proxyconf`), so an
upstream balancing over several services is one ``any_of`` entry. Hosts resolve as environment
values do (service names, aliases, ``host.docker.internal:PORT`` through the published port);
nginx templates (``*.template``) are filled in from the reading service's environment first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from depgraph.importers.envfile import ExpansionError, interpolate
from depgraph.importers.evidence import is_address_book, resolve_hosts
from depgraph.importers.proxyconf import Pool, envoy_pools, text_config_pools
from depgraph.importers.sourcefiles import (
    SourceError,
    load_config_file,
    read_text,
    strings_in,
)

DATA_SUFFIXES = {".json", ".yaml", ".yml"}
TEXT_SUFFIXES = {".conf", ".cfg", ".template"}
CONFIG_SUFFIXES = DATA_SUFFIXES | TEXT_SUFFIXES
MAX_FILES_PER_MOUNT = 50


def _bind_sources(svc: dict) -> list[str]:
    out = []
    for volume in svc.get("volumes") or []:
        if isinstance(volume, dict):
            if volume.get("type") == "bind" and volume.get("source"):
                out.append(str(volume["source"]))
        else:
            source = str(volume).split(":")[0]
            if source.startswith((".", "/", "~")):
                out.append(source)
    return out


def _config_sources(svc: dict, configs: dict[str, dict]) -> list[str]:
    out = []
    for item in svc.get("configs") or []:
        name = item.get("source") if isinstance(item, dict) else item
        spec = configs.get(str(name)) or {}
        if spec.get("file"):
            out.append(str(spec["file"]))
    return out


def _files_under(root: Path, source: str) -> list[Path]:
    """Readable configuration files a mount source stands for, only inside the project."""
    path = (root / source).resolve()
    if not path.is_relative_to(root.resolve()):
        return []
    if path.is_file():
        return [path] if path.suffix.lower() in CONFIG_SUFFIXES else []
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in CONFIG_SUFFIXES)
        return found[:MAX_FILES_PER_MOUNT]
    return []


def mounted_config_edges(project, resolve: Callable[[str, int | None], str | None], result):
    """``(service, targets, description)`` for each pool of hosts a file a service mounts names;
    ``targets`` holds one service, or several for a pool that balances over them."""
    readers: dict[Path, set[str]] = {}
    for name, svc in project.services.items():
        for source in _bind_sources(svc) + _config_sources(svc, project.configs):
            for path in _files_under(project.directory, source):
                readers.setdefault(path, set()).add(name)
    edges = []
    for path, services in sorted(readers.items()):
        rel = path.relative_to(project.directory.resolve())
        found: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        read: dict[tuple | None, list] = {}  # a template once per environment, other files once
        try:
            for service in sorted(services):
                env = project.services[service]["environment"]
                key = tuple(sorted(env.items())) if path.suffix.lower() == ".template" else None
                if key not in read:
                    read[key] = list(_targets(path, env, project, resolve))
                found[service] = [(targets, label) for targets, label in read[key]
                                  if set(targets) - {service}]
        except SourceError as exc:
            result.warn(f"mounted configuration skipped: {exc}")
            continue
        named = list(dict.fromkeys(t for pools in found.values() for targets, _ in pools for t in targets))
        if is_address_book(named, services):
            result.note(f"{rel} names {len(named)} services and is read by "
                        f"{', '.join(sorted(services))}: an address book, not dependencies")
            continue
        for service, pools in found.items():
            for targets, label in pools:
                targets = tuple(t for t in targets if t != service)
                why = f"from mounted config {rel}" + (f" ({label})" if label else "")
                edges.append((service, targets, why))
    return edges


def _targets(path: Path, env: dict[str, str], project, resolve):
    """``(targets, label)`` for each pool (labelled) or host (label empty) the file names."""
    pools: list[Pool] = []
    if path.suffix.lower() in DATA_SUFFIXES:
        for doc in load_config_file(path, project.log):
            clusters = envoy_pools(doc)
            if clusters is not None:
                pools.extend(clusters)
                continue
            for text in strings_in(doc):
                for target in resolve_hosts(text, resolve):
                    yield (target,), ""
    else:
        text = read_text(path)
        if path.suffix.lower() == ".template":
            try:
                text = interpolate(text, env)
            except ExpansionError as exc:
                raise SourceError(f"{path}: {exc}") from None
        pools = text_config_pools(path.name, text) or []
    for pool in pools:
        targets = tuple(dict.fromkeys(t for host, port in pool.addresses
                                      for t in resolve_hosts(f"{host}:{port}" if port else host, resolve)))
        if targets:
            yield targets, pool.label
