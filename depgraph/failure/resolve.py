"""Component names as users type them -> ids: the one resolver every command uses.

A component argument is ``kind:name`` (``service:x``, ``host:x``, ``rack:dc/r``,
``datacenter:x``, ``client:x``, ``team:x``) or a bare name that only one of the wanted kinds
has. :func:`resolve_component` answers against a Catalog or a compiled
:class:`~depgraph.failure.engine.FailureModel` (the blast-radius cache holds no catalog of
hosts) by direct look-ups; the full list of ids is built only to explain a miss.
"""

from __future__ import annotations

from depgraph.diagnostics import UnknownComponent, did_you_mean
from depgraph.model import Catalog

FAILABLE_KINDS = ("service", "host", "rack", "datacenter")
ALL_KINDS = ("service", "client", "host", "rack", "datacenter", "team")


def resolve_component(source, argument: str, kinds=FAILABLE_KINDS) -> str:
    """The component id ``argument`` names among ``kinds`` in ``source`` (a Catalog or a
    FailureModel). Raises UnknownComponent for an unknown or ambiguous name, with a hint.

    >>> from depgraph.model import Catalog, Service, Host
    >>> catalog = Catalog(services={"web": Service("web")},
    ...                   hosts={"web": Host("web", "lon1"), "db1": Host("db1", "lon1", rack="a")})
    >>> resolve_component(catalog, "db1"), resolve_component(catalog, "rack:lon1/a")
    ('host:db1', 'rack:lon1/a')
    >>> resolve_component(catalog, "web")
    Traceback (most recent call last):
    ...
    depgraph.diagnostics.UnknownComponent: 'web' is ambiguous: host:web, service:web; write kind:name
    """
    has = _membership(source)
    kind, colon, _ = argument.partition(":")
    if colon and kind in ALL_KINDS:
        if kind in kinds and has(argument):
            return argument
        if kind not in kinds:
            expected = ", ".join(kinds[:-1]) + f" or {kinds[-1]}" if len(kinds) > 1 else kinds[0]
            raise UnknownComponent(_cannot(argument, kind) or f"{argument}: expected a {expected}, not a {kind}")
        raise UnknownComponent(f"unknown component '{argument}'{did_you_mean(argument, known_ids(source, kinds))}")
    matches = sorted(f"{k}:{argument}" for k in kinds if has(f"{k}:{argument}"))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UnknownComponent(f"'{argument}' is ambiguous: {', '.join(matches)}; write kind:name")
    names = {c.partition(":")[2] for c in known_ids(source, kinds)}
    raise UnknownComponent(f"unknown component '{argument}'{did_you_mean(argument, names)}")


def _cannot(argument: str, kind: str) -> str | None:
    if kind in ("client", "team"):
        return (f"{argument} cannot fail: only services, hosts, racks and data centers can "
                "(a client goes down with the services it needs)")
    return None


def _membership(source):
    """``id -> bool`` for a Catalog or a FailureModel, without building a set of every id."""
    if isinstance(source, Catalog):
        racks = None

        def has(component_id: str) -> bool:
            nonlocal racks
            kind, _, name = component_id.partition(":")
            if kind == "rack":
                racks = racks if racks is not None else source.racks()
                return component_id in racks
            return kind in ("service", "client", "host", "datacenter", "team") and name in source.by_kind(kind)

        return has
    indexes = {"service": source.nodes, "client": source.nodes, "host": source.hosts,
               "rack": source.racks, "datacenter": source.datacenters}

    def has_compiled(component_id: str) -> bool:
        kind = component_id.partition(":")[0]
        index = indexes.get(kind)
        return index is not None and component_id in index.number
    return has_compiled


def known_ids(source, kinds) -> set[str]:
    """Every id of ``kinds`` in ``source`` (for hints)."""
    if isinstance(source, Catalog):
        ids: set[str] = set()
        for kind in kinds:
            ids.update(source.racks() if kind == "rack" else (f"{kind}:{n}" for n in source.by_kind(kind)))
        return ids
    wanted = set(kinds)
    return {c for c in (*source.nodes.ids, *source.hosts.ids, *source.racks.ids, *source.datacenters.ids)
            if c.partition(":")[0] in wanted}
