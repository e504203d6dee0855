"""Reading Kubernetes manifests: files and folders, multi-document YAML, ``List`` objects,
``kustomization.yaml`` resources, and objects that appear twice counted once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from depgraph.importers.sourcefiles import (
    ReadLog,
    SourceError,
    conform,
    load_folder_file,
    load_yaml_documents,
)
from depgraph.output.words import plural

_SCALAR = (str, int, float, bool)
_LABELS = {"*": _SCALAR}
_CONTAINER = {
    "image": _SCALAR, "command": [_SCALAR], "args": [_SCALAR],
    "env": [{"name": _SCALAR, "value": _SCALAR,
             "valueFrom": {"configMapKeyRef": {"name": _SCALAR, "key": _SCALAR}}}],
    "envFrom": [{"configMapRef": {"name": _SCALAR}}],
}
# The parts of each kind the importer reads, in the shapes it reads them; a part of another
# shape is left out and counted, never a reason to refuse the manifests.
SHAPES = {
    "workload": {"metadata": {"name": _SCALAR, "namespace": _SCALAR}, "spec": {
        "replicas": _SCALAR, "template": {"metadata": {"labels": _LABELS}, "spec": {
            "containers": [_CONTAINER], "initContainers": [_CONTAINER],
            "volumes": [{"configMap": {"name": _SCALAR}, "projected": {"sources": [
                {"configMap": {"name": _SCALAR}}]}}]}}}},
    "Service": {"metadata": {"name": _SCALAR, "namespace": _SCALAR}, "spec": {"selector": _LABELS}},
    "ConfigMap": {"metadata": {"name": _SCALAR, "namespace": _SCALAR}, "data": {"*": _SCALAR}},
}
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")
YAML_SUFFIXES = {".yaml", ".yml"}


@dataclass
class K8sObject:
    kind: str
    namespace: str
    name: str
    body: dict
    file: str


def manifest_files(src: Path, notes: list[str], seen: set[Path] | None = None,
                   log: ReadLog | None = None) -> list[Path]:
    """Manifest files under ``src``: a folder with a kustomization gives just its resources."""
    seen = set() if seen is None else seen
    src = src.resolve()
    if src in seen:
        return []
    seen.add(src)
    if src.is_file():
        return [src]
    if not src.is_dir():
        raise SourceError(f"{src}: no such file or folder")
    kustomization = next((src / n for n in KUSTOMIZATIONS if (src / n).is_file()), None)
    if kustomization is not None:
        return _kustomized(src, kustomization, notes, seen, log)
    files: list[Path] = []
    for child in sorted(src.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            files.extend(manifest_files(child, notes, seen, log))
        elif child.suffix.lower() in YAML_SUFFIXES:
            files.append(child)
    return files


def _kustomized(folder: Path, kustomization: Path, notes: list[str], seen: set[Path],
                log: ReadLog | None) -> list[Path]:
    documents = load_yaml_documents(kustomization, log=log)
    spec = documents[0] if documents and isinstance(documents[0], dict) else {}
    spec = conform(spec, {"resources": [_SCALAR], "bases": [_SCALAR]}, log, str(kustomization))
    entries = list(spec.get("resources") or []) + list(spec.get("bases") or [])
    files: list[Path] = []
    for entry in entries:
        entry = str(entry)
        if "://" in entry or entry.startswith("github.com/"):
            notes.append(f"{kustomization}: remote resource {entry} not fetched")
            continue
        target = (folder / entry).resolve()
        if not target.is_relative_to(folder.resolve().parent) and not target.exists():
            continue
        if target.exists():
            files.extend(manifest_files(target, notes, seen, log))
        else:
            notes.append(f"{kustomization}: resource {entry} does not exist")
    notes.append(f"{kustomization.parent.name}/{kustomization.name}: only its {len(entries)} "
                 "resources were read")
    return files


def load_objects(sources: list[Path], notes: list[str],
                 log: ReadLog | None = None) -> tuple[list[K8sObject], Path]:
    """Every object, once per ``(kind, namespace, name)``; the first file that declares it wins.

    With ``log``, files are read as kubectl reads them (a duplicate key warned, its last value
    kept) and a file of broken YAML (a Helm template) is skipped with a warning."""
    files: list[Path] = []
    seen: set[Path] = set()
    for src in sources:
        files.extend(manifest_files(src, notes, seen, log))
    root = sources[0].resolve() if sources[0].is_dir() else sources[0].resolve().parent
    objects: dict[tuple[str, str, str], K8sObject] = {}
    duplicates = not_objects = 0
    for path in files:
        for doc in load_folder_file(path, log):
            items = _items(doc)
            not_objects += not items
            for body in items:
                obj = _object(body, _relative(path, root), log)
                if obj is None:
                    not_objects += 1
                    continue
                key = (obj.kind, obj.namespace, obj.name)
                if key in objects:
                    duplicates += 1
                    continue
                objects[key] = obj
    if duplicates:
        notes.append(f"{plural(duplicates, 'object')} declared more than once were counted once")
    if not_objects:
        notes.append(f"{plural(not_objects, 'YAML document')} without kind and metadata.name were skipped")
    unread: dict[str, int] = {}
    for obj in objects.values():
        if obj.kind not in SHAPES and obj.kind not in WORKLOAD_KINDS:
            unread[obj.kind] = unread.get(obj.kind, 0) + 1
    if unread:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(unread.items(), key=lambda i: (-i[1], i[0])))
        notes.append(f"{plural(sum(unread.values()), 'object')} of kinds the importer does not read: {kinds}")
    return list(objects.values()), root


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return path.name


def _items(doc) -> list:
    if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List") and "items" in doc:
        items = doc.get("items")
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    return [doc] if isinstance(doc, dict) else []


def _object(body: dict, file: str, log: ReadLog | None = None) -> K8sObject | None:
    kind = str(body.get("kind", ""))
    shape = SHAPES.get("workload" if kind in WORKLOAD_KINDS else kind)
    if shape is not None:
        body = conform(body, shape, log, file)
    meta = body.get("metadata") or {}
    if not isinstance(meta, dict) or not body.get("kind") or not meta.get("name"):
        return None
    namespace = str(meta.get("namespace") or "default")
    return K8sObject(str(body["kind"]), namespace, str(meta["name"]), body, file)
