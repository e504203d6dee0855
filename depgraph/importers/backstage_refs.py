"""Backstage entity references and the catalog files that hold entities (Location targets)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from depgraph.importers.sourcefiles import (
    ReadLog,
    SourceError,
    conform,
    load_folder_file,
)

YAML_SUFFIXES = {".yaml", ".yml"}
_SCALAR = (str, int, float, bool)
# The parts of an entity the importer reads, in the shapes it reads them; a part of another shape
# is left out and counted, never a reason to refuse the catalog.
ENTITY_SHAPE = {
    "metadata": {"name": _SCALAR, "namespace": _SCALAR, "description": _SCALAR,
                 "annotations": {"*": _SCALAR}, "labels": {"*": _SCALAR}, "links": [{"url": _SCALAR}]},
    "spec": {"type": _SCALAR, "lifecycle": _SCALAR, "owner": _SCALAR, "system": _SCALAR,
             "subcomponentOf": _SCALAR, "parent": _SCALAR, "domain": _SCALAR, "target": _SCALAR,
             "providesApis": [_SCALAR], "consumesApis": [_SCALAR], "dependsOn": [_SCALAR],
             "dependencyOf": [_SCALAR], "targets": [_SCALAR], "profile": {"email": _SCALAR}},
}


@dataclass(frozen=True)
class Ref:
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name}"


def parse_ref(text, default_kind: str, namespace: str = "default") -> Ref:
    """``[kind:][namespace/]name`` with the field's default kind; kinds compare lower-case.

    >>> str(parse_ref("resource:artists-db", "component"))
    'resource:default/artists-db'
    >>> str(parse_ref("ops/db", "Component", "default"))
    'component:ops/db'
    """
    text = str(text).strip()
    kind, sep, rest = text.partition(":")
    if not sep:
        kind, rest = default_kind, text
    ns, sep, name = rest.partition("/")
    if not sep:
        ns, name = namespace, rest
    return Ref(kind.lower(), ns.lower(), name.lower())


@dataclass
class Entity:
    body: dict
    file: str

    @property
    def kind(self) -> str:
        return str(self.body.get("kind", "")).lower()

    @property
    def meta(self) -> dict:
        meta = self.body.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def spec(self) -> dict:
        spec = self.body.get("spec")
        return spec if isinstance(spec, dict) else {}

    @property
    def ref(self) -> Ref:
        return Ref(self.kind, str(self.meta.get("namespace") or "default").lower(),
                   str(self.meta.get("name")).lower())


def _is_entity(doc) -> bool:
    return (isinstance(doc, dict) and str(doc.get("apiVersion", "")).startswith("backstage.io/")
            and doc.get("kind") and isinstance(doc.get("metadata"), dict)
            and doc["metadata"].get("name"))


def read_catalog(sources: list[Path], warnings: list[str], notes: list[str],
                 log: ReadLog | None = None) -> list[Entity]:
    """Every entity in the sources and in the files their Location entities point at, each
    ``(kind, namespace, name)`` once. With ``log``, files are read as Backstage reads them (a
    duplicate key warned, its last value kept; a file of broken YAML skipped with a warning)."""
    queue: list[Path] = []
    for src in sources:
        if src.is_dir():
            queue.extend(sorted(p for p in src.rglob("*") if p.suffix.lower() in YAML_SUFFIXES
                                and not any(part.startswith(".") for part in p.relative_to(src).parts)))
        elif src.is_file():
            queue.append(src)
        else:
            raise SourceError(f"{src}: no such file or folder")
    root = sources[0] if sources[0].is_dir() else sources[0].parent
    seen: set[Path] = set()
    entities: dict[Ref, Entity] = {}
    while queue:
        path = queue.pop(0).resolve()
        if path in seen:
            continue
        seen.add(path)
        rel = _relative(path, root.resolve())
        for doc in load_folder_file(path, log):
            if _is_entity(doc):
                doc = conform(doc, ENTITY_SHAPE, log, rel)
            if not _is_entity(doc):
                continue
            entity = Entity(doc, rel)
            if entity.kind == "location":
                queue.extend(_location_targets(entity, path, warnings, notes))
                continue
            if entity.ref in entities:
                if entities[entity.ref].body != doc:
                    warnings.append(f"{rel}: {entity.ref} is declared again (also in "
                                    f"{entities[entity.ref].file}); the first one was kept")
                continue
            entities[entity.ref] = entity
    return list(entities.values())


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return path.name


def _location_targets(entity: Entity, path: Path, warnings, notes) -> list[Path]:
    spec = entity.spec
    targets = list(spec.get("targets") or []) + ([spec["target"]] if spec.get("target") else [])
    out = []
    for target in targets:
        target = str(target)
        if "://" in target:
            notes.append(f"{entity.file}: Location target {target} not fetched")
            continue
        resolved = (path.parent / target).resolve()
        if resolved.is_file():
            out.append(resolved)
        else:
            warnings.append(f"{entity.file}: Location {entity.meta.get('name')} names "
                            f"{target}, which does not exist")
    return out
