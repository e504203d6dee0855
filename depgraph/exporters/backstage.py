"""``export --format backstage``: catalog-info entities Backstage can ingest, and that
``depgraph import backstage`` reads back to the same services, owners and dependencies.

A Component per service (clients too, annotated), a Group per team with its tribe as parent
Group; ``dependsOn`` lists every target and the ``depgraph.io/dependencies`` annotation keeps the
exact entries (soft types, any_of groups) that Backstage cannot express.
"""

from __future__ import annotations

import json

import yaml

from depgraph.importers.backstage import (
    ANNOTATION_DEPENDENCIES,
    ANNOTATION_KIND,
    ANNOTATION_TIER,
    ANNOTATION_UNOWNED,
)
from depgraph.model import Catalog, Client, Service

API_VERSION = "backstage.io/v1alpha1"
UNOWNED = "unknown"


def _dependency_entries(entity) -> list[dict]:
    out = []
    for dep in entity.dependencies:
        entry: dict = {"any_of": list(dep.targets)} if dep.is_group else {"service": dep.targets[0]}
        entry["type"] = dep.type
        if dep.description:
            entry["description"] = dep.description
        out.append(entry)
    return out


def _component(entity: Service | Client) -> dict:
    annotations = {f"depgraph.io/label.{k}": v for k, v in sorted(entity.labels.items())}
    spec: dict = {"type": "service", "owner": entity.owner or UNOWNED}
    meta: dict = {"name": entity.name}
    if entity.description:
        meta["description"] = entity.description
    if isinstance(entity, Service):
        spec["lifecycle"] = entity.lifecycle
        meta["labels"] = {ANNOTATION_TIER: str(entity.tier)}
        annotations[ANNOTATION_TIER] = str(entity.tier)
        if entity.links:
            meta["links"] = [{"url": link.url, **({"title": link.title} if link.title else {})} for link in entity.links]
    else:
        spec["type"] = "client"
        spec["lifecycle"] = "production"
        annotations[ANNOTATION_KIND] = "client"
    if entity.dependencies:
        spec["dependsOn"] = sorted({f"component:{t}" for d in entity.dependencies for t in d.targets})
        annotations[ANNOTATION_DEPENDENCIES] = json.dumps(_dependency_entries(entity), sort_keys=True)
    if not entity.owner:
        annotations[ANNOTATION_UNOWNED] = "true"  # Backstage requires an owner
    meta["annotations"] = annotations
    return {"apiVersion": API_VERSION, "kind": "Component", "metadata": meta, "spec": spec}


def _groups(catalog: Catalog) -> list[dict]:
    docs = []
    tribes: dict[str, list[str]] = {}
    for team in sorted(catalog.teams.values(), key=lambda t: t.name):
        spec: dict = {"type": "team", "children": []}
        if team.tribe:
            spec["parent"] = team.tribe
            tribes.setdefault(team.tribe, []).append(team.name)
        if team.contact.get("email"):
            spec["profile"] = {"email": team.contact["email"]}
        docs.append({"apiVersion": API_VERSION, "kind": "Group",
                     "metadata": {"name": team.name,
                                  "annotations": {f"depgraph.io/contact.{k}": str(v)
                                                  for k, v in sorted(team.contact.items())}},
                     "spec": spec})
    for tribe, teams in sorted(tribes.items()):
        if tribe in catalog.teams:
            continue
        docs.append({"apiVersion": API_VERSION, "kind": "Group",
                     "metadata": {"name": tribe, "annotations": {ANNOTATION_KIND: "tribe"}},
                     "spec": {"type": "tribe", "children": sorted(teams)}})
    return docs


def export_backstage(catalog: Catalog) -> str:
    entities = list(catalog.services.values()) + list(catalog.clients.values())
    docs = _groups(catalog) + [_component(e) for e in sorted(entities, key=lambda e: (e.kind, e.name))]
    return yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True, default_flow_style=False,
                              width=100)
