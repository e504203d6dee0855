"""One entity as a document: ``depgraph/describe/v1``, what ``describe`` answers.

The entity's declared fields (as the descriptor states them, defaults filled in), where it is
declared (file, line, column), its owner team with the tribe and contact (whom to call), what
depends on it directly and, for a host, rack or data center, the services running there. Lists
of ids are sorted.

>>> from depgraph.model import Catalog, Service, Team, Dependency
>>> catalog = Catalog(services={"db": Service("db", owner="core"),
...                             "api": Service("api", dependencies=(Dependency(("db",)),))},
...                   teams={"core": Team("core", tribe="platform", contact={"pager": "core-oncall"})})
>>> found = describe_entity(catalog, Placement.of(catalog), "service:db")
>>> found["owner"], found["dependents"]
({'team': 'team:core', 'declared': True, 'tribe': 'platform', 'contact': {'pager': 'core-oncall'}}, ['service:api'])
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from depgraph.model import Catalog, Dependency, Deployment, Link, Location

DESCRIBE = "depgraph/describe/v1"
_HIDDEN = {"source", "host_sources", "declared", "name"}


@dataclass(frozen=True)
class Placement:
    """Who depends on each service, and which services run on each host, rack and data center:
    built once per landscape, so that describing one entity reads a few dict entries."""

    dependents: dict[str, list[str]]
    running: dict[str, list[str]]

    @classmethod
    def of(cls, catalog: Catalog) -> Placement:
        dependents: dict[str, set[str]] = {}
        running: dict[str, set[str]] = {}
        for entity in (*catalog.services.values(), *catalog.clients.values()):
            for dependency in entity.dependencies:
                for target in dependency.targets:
                    dependents.setdefault(f"service:{target}", set()).add(entity.id)
        for service in catalog.services.values():
            for deployment in service.deployments:
                running.setdefault(f"datacenter:{deployment.datacenter}", set()).add(service.id)
                for host_name in deployment.hosts:
                    running.setdefault(f"host:{host_name}", set()).add(service.id)
                    host = catalog.hosts.get(host_name)
                    if host is not None and host.rack is not None:
                        running.setdefault(host.rack_id, set()).add(service.id)
        return cls({k: sorted(v) for k, v in dependents.items()}, {k: sorted(v) for k, v in running.items()})


def describe_entity(catalog: Catalog, placement: Placement, component: str) -> dict:
    """``depgraph/describe/v1`` of ``component`` (an id the resolver returned)."""
    kind, _, name = component.partition(":")
    document: dict = {"schema": DESCRIBE, "id": component, "kind": kind, "name": name}
    if kind == "rack":
        hosts = catalog.racks().get(component, [])
        document.update(declared=None, fields={"datacenter": name.split("/", 1)[0],
                                               "hosts": [f"host:{h}" for h in hosts]})
    else:
        entity = catalog.by_kind(kind)[name]
        document["declared"] = _where(entity.source)
        document["fields"] = {f.name: _plain(getattr(entity, f.name)) for f in dataclasses.fields(entity)
                              if f.name not in _HIDDEN and getattr(entity, f.name) not in (None, (), {})}
        if kind == "host" and not entity.declared:
            document["fields"]["declared_only_in_deployments"] = True
    owner = getattr(catalog.by_kind(kind).get(name), "owner", None) if kind != "rack" else None
    document["owner"] = _owner(catalog, owner) if kind in ("service", "client") else None
    if kind == "team":
        document["owns"] = sorted(e.id for e in (*catalog.services.values(), *catalog.clients.values())
                                  if e.owner == name)
    if kind == "service":
        document["dependents"] = placement.dependents.get(component, [])
    if kind in ("host", "rack", "datacenter"):
        document["services"] = placement.running.get(component, [])
    return document


def _owner(catalog: Catalog, owner: str | None) -> dict | None:
    if not owner:
        return None
    team = catalog.teams.get(owner)
    return {"team": f"team:{owner}", "declared": team is not None, "tribe": team.tribe if team else None,
            "contact": dict(team.contact) if team else {}}


def _where(source: Location | None) -> dict | None:
    return None if source is None else {"file": source.file, "line": source.line, "col": source.col}


def _plain(value):
    """A model value as JSON: entries of ``dependencies`` and ``deployments`` as written."""
    if isinstance(value, Dependency):
        entry: dict = ({"any_of": list(value.targets)} if value.is_group else {"service": value.targets[0]})
        entry["type"] = value.type
        if value.description:
            entry["description"] = value.description
        return entry
    if isinstance(value, Deployment):
        return ({"datacenter": value.datacenter, "hosts": list(value.hosts)} if value.hosts
                else {"datacenter": value.datacenter, "instances": value.instances})
    if isinstance(value, Link):
        return {"url": value.url, "title": value.title} if value.title else {"url": value.url}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "source"}
    return value
