"""The Backstage importer: Components and Resources become services, Groups teams (``parent``
-> tribe); ``dependsOn``/``dependencyOf`` and ``consumesApis`` (through the API to the component
that ``providesApis`` it) become edges. ``subcomponentOf`` is containment, not a dependency.
References to entities that are not in the catalog are reported, never invented.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from depgraph.importers.backstage_refs import Entity, Ref, parse_ref, read_catalog
from depgraph.importers.evidence import mask_secrets
from depgraph.importers.model import (
    ImportedDependency,
    ImportedService,
    ImportedTeam,
    ImportResult,
)
from depgraph.importers.names import NameTable, normalise, tokens
from depgraph.importers.options import PROVENANCE_LABEL, ImportOptions
from depgraph.importers.sourcefiles import ReadLog, source_label

SERVICE_KINDS = ("component", "resource")
LIFECYCLES = ("experimental", "production", "deprecated")
# Word stems of other lifecycles in use, mapped to the nearest depgraph lifecycle. A stem matches
# the start of a word of the lifecycle (split like names, see names.tokens); stems of three
# letters or fewer only a whole word ("ga" is not "legacy", "dev" not "devops").
LIFECYCLE_STEMS = (
    ("deprecat", "deprecated"), ("sunset", "deprecated"), ("retir", "deprecated"),
    ("decom", "deprecated"), ("eol", "deprecated"), ("end", "deprecated"),
    ("legacy", "deprecated"), ("experiment", "experimental"), ("dev", "experimental"),
    ("develop", "experimental"),
    ("alpha", "experimental"), ("beta", "experimental"), ("preview", "experimental"),
    ("incubat", "experimental"), ("proto", "experimental"), ("pilot", "experimental"),
    ("poc", "experimental"), ("stag", "experimental"), ("prod", "production"), ("stable", "production"),
    ("ga", "production"), ("live", "production"), ("mature", "production"),
)
ANNOTATION_DEPENDENCIES = "depgraph.io/dependencies"
ANNOTATION_KIND = "depgraph.io/kind"
ANNOTATION_TIER = "depgraph.io/tier"
ANNOTATION_UNOWNED = "depgraph.io/unowned"
LABEL_PREFIX = "depgraph.io/label."
CONTACT_PREFIX = "depgraph.io/contact."


def import_backstage(sources: list[Path], options: ImportOptions = ImportOptions()) -> ImportResult:
    warnings: list[str] = []
    notes: list[str] = []
    log = ReadLog()
    entities = read_catalog(sources, warnings, notes, log)
    result = ImportResult(source=f"backstage:{source_label(sources[0])}", datacenter=None)
    by_ref = {e.ref: e for e in entities}
    names = NameTable()
    service_names = {e.ref: names.assign(_plain(e.ref, entities)) for e in entities
                     if e.kind in SERVICE_KINDS}
    team_names = _teams(entities, by_ref, result)
    missing_owners: dict[str, list[str]] = {}
    for ref, name in service_names.items():
        result.services[name] = _service(by_ref[ref], name, by_ref, team_names, result, missing_owners)
    for owner, owned in sorted(missing_owners.items()):
        listed = ", ".join(owned[:5]) + (f" and {len(owned) - 5} more" if len(owned) > 5 else "")
        result.warn(f"{len(owned)} entit{'y is' if len(owned) == 1 else 'ies are'} owned by {owner}, "
                    f"which is not in the catalog: {listed}")
    for entity in entities:
        _check_fields(entity, result)
    providers = _api_providers(entities, service_names, by_ref, result)
    for ref, name in service_names.items():
        _dependencies(by_ref[ref], result.services[name], service_names, providers, by_ref, result)
    for message in names.collisions + warnings:
        result.warn(message)
    for message in notes:
        result.note(message)
    log.report(result)
    return result


def _plain(ref: Ref, entities: list[Entity]) -> str:
    """The entity's name, prefixed by its namespace only where names clash across namespaces."""
    clash = any(e.ref.name == ref.name and e.ref.namespace != ref.namespace
                for e in entities if e.kind in SERVICE_KINDS)
    return f"{ref.namespace}-{ref.name}" if clash and ref.namespace != "default" else ref.name


def _teams(entities, by_ref, result) -> dict[Ref, str]:
    names = NameTable()
    groups = [e for e in entities if e.kind == "group"]
    team_names = {g.ref: names.assign(g.ref.name) for g in groups}
    users = {e.ref: e for e in entities if e.kind == "user"}
    for group in groups:
        if (group.meta.get("annotations") or {}).get(ANNOTATION_KIND) == "tribe":
            continue
        parent = group.spec.get("parent")
        tribe = None
        if parent:
            parent_ref = parse_ref(parent, "group", group.ref.namespace)
            tribe = team_names.get(parent_ref)
            if tribe is None:
                result.warn(f"{group.file}: Group {group.ref.name} has parent {parent}, "
                            "which is not in the catalog")
        profile = group.spec.get("profile") or {}
        contact = {"email": str(profile["email"])} if profile.get("email") else {}
        for key, value in (group.meta.get("annotations") or {}).items():
            if key.startswith(CONTACT_PREFIX):
                contact[key[len(CONTACT_PREFIX):]] = str(value)
        result.teams[team_names[group.ref]] = ImportedTeam(
            team_names[group.ref], tribe=tribe, contact=contact,
            labels={PROVENANCE_LABEL: f"backstage:{group.file}"})
    for ref in users:
        team_names.setdefault(ref, names.assign(ref.name))
    return team_names


def _service(entity: Entity, name: str, by_ref, team_names, result, missing_owners) -> ImportedService:
    spec, meta = entity.spec, entity.meta
    annotations = meta.get("annotations") or {}
    labels = {k[len(LABEL_PREFIX):]: str(v) for k, v in annotations.items()
              if k.startswith(LABEL_PREFIX)}
    labels.update({PROVENANCE_LABEL: f"backstage:{entity.file}",
                   "depgraph.io/backstage-kind": entity.kind})
    for key in ("type", "system"):
        if spec.get(key):
            labels[f"depgraph.io/{key}"] = str(spec[key])
    if spec.get("subcomponentOf"):
        parent = parse_ref(spec["subcomponentOf"], "component", entity.ref.namespace)
        labels["depgraph.io/part-of"] = parent.name
        if parent not in by_ref:
            result.warn(f"{entity.file}: {entity.ref.name} is a subcomponent of "
                        f"{spec['subcomponentOf']}, which is not in the catalog")
    for key, value in (meta.get("labels") or {}).items():
        if key.startswith("depgraph.io/"):
            continue
        labels[f"backstage.io/label.{key}"[:63]] = str(value)
    service = ImportedService(
        name=name, description=_one_line(meta.get("description")), labels=labels,
        kind="client" if annotations.get(ANNOTATION_KIND) == "client" else "service",
        links=[{"title": mask_secrets(str(link.get("title") or link["url"])), "url": mask_secrets(str(link["url"]))}
               for link in meta.get("links") or [] if isinstance(link, dict) and link.get("url")],
    )
    service.owner = _owner(entity, by_ref, team_names, result, missing_owners)
    service.lifecycle = _lifecycle(entity, result)
    tier = str(annotations.get(ANNOTATION_TIER) or (meta.get("labels") or {}).get("tier") or "")
    if tier in ("1", "2", "3"):
        service.tier = int(tier)
    if spec.get("system"):
        system = parse_ref(spec["system"], "system", entity.ref.namespace)
        if system not in by_ref:
            result.warn(f"{entity.file}: {entity.ref.name} belongs to system {spec['system']}, "
                        "which is not in the catalog")
        elif by_ref[system].spec.get("domain"):
            labels["depgraph.io/domain"] = str(by_ref[system].spec["domain"])
    return service


def _one_line(text) -> str | None:
    if not text:
        return None
    line = " ".join(str(text).split())
    return line if len(line) <= 200 else line[:199] + "…"


def _owner(entity, by_ref, team_names, result, missing_owners) -> str | None:
    """The owning team's name. An owner missing from the catalog is kept as a name (depgraph
    reports it as an unknown team) but no team is invented for it."""
    owner = entity.spec.get("owner")
    annotations = entity.meta.get("annotations") or {}
    if not owner or annotations.get(ANNOTATION_UNOWNED) == "true":
        return None
    ref = parse_ref(owner, "group", entity.ref.namespace)
    if ref not in by_ref:
        missing_owners.setdefault(str(ref), []).append(f"{entity.ref.name} ({entity.file})")
        return normalise(ref.name)
    if ref.kind == "user" and team_names[ref] not in result.teams:
        result.teams[team_names[ref]] = ImportedTeam(
            team_names[ref], labels={PROVENANCE_LABEL: f"backstage:{by_ref[ref].file}",
                                     "depgraph.io/backstage-kind": "user"})
    return team_names.get(ref)


def map_lifecycle(value: str) -> str | None:
    """The depgraph lifecycle nearest to a Backstage one, or None when nothing fits.

    >>> [map_lifecycle(v) for v in ("production", "beta", "sunsetting", "whatever")]
    ['production', 'experimental', 'deprecated', None]
    >>> [map_lifecycle(v) for v in ("end-of-life", "Development", "mega", "GA", "preproduction")]
    ['deprecated', 'experimental', None, 'production', None]
    """
    text = str(value).strip().lower()
    if text in LIFECYCLES:
        return text
    words = tokens(text)
    return next((mapped for stem, mapped in LIFECYCLE_STEMS
                 if any(w == stem or (len(stem) > 3 and w.startswith(stem)) for w in words)), None)


def _lifecycle(entity, result) -> str | None:
    value = entity.spec.get("lifecycle")
    if value is None:
        return None
    mapped = map_lifecycle(value)
    if mapped is None:
        result.note(f"{entity.file}: lifecycle '{value}' of {entity.ref.name} is unknown; "
                    "imported as production")
        return "production"
    if mapped != str(value).strip().lower():
        result.note(f"{entity.file}: lifecycle '{value}' of {entity.ref.name} imported as {mapped}")
    return mapped


def _api_providers(entities, service_names, by_ref, result) -> dict[Ref, list[str]]:
    providers: dict[Ref, list[str]] = {}
    for entity in entities:
        if entity.ref not in service_names:
            continue
        for api in entity.spec.get("providesApis") or []:
            ref = parse_ref(api, "api", entity.ref.namespace)
            if ref not in by_ref:
                result.warn(f"{entity.file}: {entity.ref.name} provides API {api}, which is not "
                            "in the catalog")
            providers.setdefault(ref, []).append(service_names[entity.ref])
    return providers


def _dependencies(entity, service, service_names, providers, by_ref, result) -> None:
    spec = entity.spec
    exact = _exact_dependencies(entity, service_names)
    if exact is not None:
        service.dependencies.extend(exact)
        return
    for raw in spec.get("dependsOn") or []:
        ref = parse_ref(raw, "component", entity.ref.namespace)
        if ref not in service_names:
            what = "is not in the catalog" if ref not in by_ref else f"is a {ref.kind}, not a service"
            result.warn(f"{entity.file}: {entity.ref.name} depends on {raw}, which {what}")
            continue
        if ref == entity.ref:
            result.note(f"{entity.file}: {entity.ref.name} depends on itself (dependsOn {raw}); ignored")
            continue
        service.add_dependency(service_names[ref], "hard", f"from dependsOn {raw}")
    for raw in spec.get("consumesApis") or []:
        ref = parse_ref(raw, "api", entity.ref.namespace)
        targets = sorted(set(providers.get(ref, [])) - {service.name})
        if ref not in by_ref:
            result.warn(f"{entity.file}: {entity.ref.name} consumes API {raw}, which is not in the catalog")
        elif not targets:
            result.warn(f"{entity.file}: {entity.ref.name} consumes API {raw}, which no component provides")
        elif len(targets) == 1:
            service.add_dependency(targets[0], "hard", f"from consumesApis {raw}")
        else:
            service.dependencies.append(ImportedDependency(
                tuple(targets), "hard", f"from consumesApis {raw} (several providers)", is_group=True))
    for raw in spec.get("dependencyOf") or []:
        ref = parse_ref(raw, "component", entity.ref.namespace)
        if ref in service_names:
            result.services[service_names[ref]].add_dependency(
                service.name, "hard", f"from dependencyOf {entity.ref.name}")
        else:
            result.warn(f"{entity.file}: {entity.ref.name} is a dependency of {raw}, which is "
                        "not in the catalog")
    if spec.get("apiConsumedBy"):
        result.note(f"{entity.file}: {entity.ref.name} has 'apiConsumedBy', which is no "
                    "Backstage Component field; ignored")


def _exact_dependencies(entity, service_names) -> list[ImportedDependency] | None:
    """The dependency list depgraph's own export recorded, when it agrees with ``dependsOn``."""
    raw = (entity.meta.get("annotations") or {}).get(ANNOTATION_DEPENDENCIES)
    if not raw:
        return None
    try:
        entries = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    depends = {parse_ref(r, "component", entity.ref.namespace).name
               for r in entity.spec.get("dependsOn") or []}
    names = set(service_names.values())
    out = []
    for entry in entries if isinstance(entries, list) else []:
        targets = tuple(entry.get("any_of") or [entry.get("service")])
        if not all(t in names and t in depends for t in targets):
            return None
        out.append(ImportedDependency(targets, entry.get("type", "hard"),
                                      entry.get("description"), "any_of" in entry))
    return out


# Fields of Component and Resource specs, and of every entity's top level and metadata.
SPEC_FIELDS = ("type", "lifecycle", "owner", "system", "subcomponentOf", "providesApis",
               "consumesApis", "dependsOn", "dependencyOf")
RELATION_FIELDS = ("dependsOn", "dependencyOf", "consumesApis", "providesApis")


def _check_fields(entity: Entity, result) -> None:
    """Notes on fields Backstage would ignore that look like relations: a near miss of a spec
    field (``consumesApi``), or a relation placed outside ``spec``."""
    if entity.kind not in SERVICE_KINDS:
        return
    for key in entity.spec:
        if key not in SPEC_FIELDS:
            near = difflib.get_close_matches(str(key), SPEC_FIELDS, n=1, cutoff=0.8)
            if near:
                result.note(f"{entity.file}: {entity.ref.name} has spec.{key}, which Backstage does not "
                            f"read (did you mean {near[0]}?); ignored")
    for where, fields in (("at the top level", entity.body), ("in metadata", entity.meta)):
        for key in RELATION_FIELDS:
            if key in fields:
                result.note(f"{entity.file}: {entity.ref.name} has {key} {where}, where Backstage does "
                            "not read it (it belongs under spec); ignored")
