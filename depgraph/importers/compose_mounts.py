"""Configuration files a compose service reads (top-level ``configs`` and bind mounts inside the
project folder): the hosts they name become edges, unless the file is an address book.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from depgraph.importers.evidence import is_address_book, resolve_hosts
from depgraph.importers.sourcefiles import SourceError, load_config_file, strings_in

CONFIG_SUFFIXES = {".json", ".yaml", ".yml"}
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
    """``(service, target, description)`` for each host named by a file a service mounts."""
    readers: dict[Path, set[str]] = {}
    for name, svc in project.services.items():
        for source in _bind_sources(svc) + _config_sources(svc, project.configs):
            for path in _files_under(project.directory, source):
                readers.setdefault(path, set()).add(name)
    edges = []
    for path, services in sorted(readers.items()):
        try:
            documents = load_config_file(path, project.log)
        except SourceError as exc:
            result.warn(f"mounted configuration skipped: {exc}")
            continue
        named: list[str] = []
        for text in (s for doc in documents for s in strings_in(doc)):
            named.extend(t for t in resolve_hosts(text, resolve) if t not in named)
        rel = path.relative_to(project.directory.resolve())
        if is_address_book(named, services):
            result.note(f"{rel} names {len(named)} services and is read by "
                        f"{', '.join(sorted(services))}: an address book, not dependencies")
            continue
        for service in sorted(services):
            for target in named:
                if target != service:
                    edges.append((service, target, f"from mounted config {rel}"))
    return edges
