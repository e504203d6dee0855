"""The catalog model: frozen records for every descriptor kind, with their source locations.

Nothing here reads files or prints. The loader (``depgraph.load.loader``) builds these records from
YAML; ``depgraph.exporters.graph`` compiles a :class:`Catalog` into the networkx graph; analyses read
either. Every record keeps ``source``: the file, line and column (1-based) where it was declared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

KINDS = ("service", "client", "host", "datacenter", "team")
READINESS_ITEMS = (
    "build",
    "logging",
    "monitoring",
    "alerting",
    "backups",
    "restore_tested",
    "security_review",
    "runbook",
)
LIFECYCLES = ("experimental", "production", "deprecated")
DEPENDENCY_TYPES = ("hard", "soft")

# A readiness value: True, False, "n/a", or any other string (a date, a URL) that counts as true.
ReadinessValue = Union[bool, str]


@dataclass(frozen=True, slots=True)
class Location:
    """Where something was declared: a file path (as found under the descriptor root) and a
    1-based line and column."""

    file: str
    line: int
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Dependency:
    """One entry of a ``dependencies`` list.

    A plain name or ``{service: x}`` has one target; ``{any_of: [a, b]}`` has several and is
    satisfied while at least one of them is up (``is_group`` is then true, even for one target).
    """

    targets: tuple[str, ...]
    type: str = "hard"
    is_group: bool = False
    description: str | None = None
    source: Location | None = None

    @property
    def hard(self) -> bool:
        return self.type == "hard"


@dataclass(frozen=True, slots=True)
class Deployment:
    """One entry of a service's ``deployments``: named hosts, or ``instances`` anonymous ones."""

    datacenter: str
    hosts: tuple[str, ...] = ()
    instances: int = 0
    source: Location | None = None
    host_sources: tuple[Location, ...] = ()

    @property
    def size(self) -> int:
        """Number of instances: one per host, or the anonymous count."""
        return len(self.hosts) if self.hosts else self.instances


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    description: str | None = None
    owner: str | None = None
    tier: int = 2
    lifecycle: str = "production"
    dependencies: tuple[Dependency, ...] = ()
    deployments: tuple[Deployment, ...] = ()
    readiness: dict[str, ReadinessValue] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    links: tuple[Link, ...] = ()
    source: Location | None = None
    #: instances it needs up to carry its peak (``capacity: {min_instances: N}``), or None
    min_instances: int | None = None
    #: availability objective in percent (``0 < slo < 100``), or None
    slo: float | None = None
    #: how available its own software is, in percent (``0 < availability <= 100``), or None
    availability: float | None = None
    #: seconds from its hard dependencies being ready until it serves again (``recovery.start_time``),
    #: or None (the policy's default applies)
    start_time: int | None = None
    #: its recovery time objective in seconds (``recovery.rto``), or None
    rto: int | None = None

    kind = "service"

    @property
    def id(self) -> str:
        return f"service:{self.name}"


@dataclass(frozen=True, slots=True)
class Client:
    name: str
    description: str | None = None
    owner: str | None = None
    dependencies: tuple[Dependency, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    source: Location | None = None

    kind = "client"

    @property
    def id(self) -> str:
        return f"client:{self.name}"


@dataclass(frozen=True, slots=True)
class Host:
    """A machine. ``declared`` is false for hosts that only appear in a deployment."""

    name: str
    datacenter: str
    rack: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    source: Location | None = None
    declared: bool = True
    availability: float | None = None

    kind = "host"

    @property
    def id(self) -> str:
        return f"host:{self.name}"

    @property
    def rack_id(self) -> str | None:
        """``rack:DC/RACK``, or None for a host without a rack label."""
        return f"rack:{self.datacenter}/{self.rack}" if self.rack is not None else None


@dataclass(frozen=True, slots=True)
class Datacenter:
    name: str
    location: str | None = None
    region: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    source: Location | None = None
    availability: float | None = None

    kind = "datacenter"

    @property
    def id(self) -> str:
        return f"datacenter:{self.name}"


@dataclass(frozen=True, slots=True)
class Team:
    name: str
    tribe: str | None = None
    contact: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    source: Location | None = None

    kind = "team"

    @property
    def id(self) -> str:
        return f"team:{self.name}"


Entity = Union[Service, Client, Host, Datacenter, Team]


@dataclass(slots=True, weakref_slot=True)  # weakly referenced by its compiled failure model
class Catalog:
    """Every entity of a descriptor tree, by kind and name (dicts keep declaration order).

    ``diagnostics`` holds the warnings found while loading a valid tree; a tree with errors
    never becomes a Catalog (the loader raises ``DescriptorError`` instead).
    """

    root: str = "."
    services: dict[str, Service] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    hosts: dict[str, Host] = field(default_factory=dict)
    datacenters: dict[str, Datacenter] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    diagnostics: list = field(default_factory=list)

    def by_kind(self, kind: str) -> dict:
        kinds: dict[str, dict] = {
            "service": self.services,
            "client": self.clients,
            "host": self.hosts,
            "datacenter": self.datacenters,
            "team": self.teams,
        }
        return kinds[kind]

    def entity(self, node_id: str) -> Entity | None:
        """The entity behind ``kind:name`` (racks have no entity), or None."""
        kind, _, name = node_id.partition(":")
        if kind not in KINDS:
            return None
        return self.by_kind(kind).get(name)

    def services_and_clients(self) -> list[Service | Client]:
        """Every service, then every client: all that can depend on a service."""
        return [*self.services.values(), *self.clients.values()]

    def service_of(self, node_id: str) -> Service:
        """The service behind ``service:NAME`` (KeyError when there is none)."""
        return self.services[node_id.partition(":")[2]]

    def dependent(self, node_id: str) -> Service | Client | None:
        """The service or client behind ``service:NAME`` or ``client:NAME``, or None."""
        kind, _, name = node_id.partition(":")
        return self.services.get(name) if kind == "service" else self.clients.get(name) if kind == "client" else None

    def owner_team(self, entity: Service | Client) -> Team | None:
        return self.teams.get(entity.owner) if entity.owner else None

    def racks(self) -> dict[str, list[str]]:
        """``rack:DC/R`` -> sorted host names in that rack."""
        racks: dict[str, list[str]] = {}
        for host in self.hosts.values():
            rack_id = host.rack_id
            if rack_id is not None:
                racks.setdefault(rack_id, []).append(host.name)
        return {rack: sorted(names) for rack, names in sorted(racks.items())}

    def dependency_edges(self) -> dict[tuple[str, str], Dependency]:
        """Every ``depends_on`` edge ``(dependent id, target id)`` with the entry that decides
        its type: an edge is hard when any of the dependent's entries naming the target is hard
        (``any_of`` members included), and its entry is the first hard one in declaration order
        (the first entry when every one is soft). The one place an edge's type is decided: the
        analyses' dependency graph, ``diff`` and ``check --base`` read it.

        >>> soft, hard = Dependency(("b",), "soft"), Dependency(("b", "c"), "hard", True)
        >>> edges = Catalog(services={"a": Service("a", dependencies=(soft, hard))}).dependency_edges()
        >>> {target: entry.type for (_, target), entry in edges.items()}
        {'service:b': 'hard', 'service:c': 'hard'}
        """
        edges: dict[tuple[str, str], Dependency] = {}
        for entity in self.services_and_clients():
            dependent = entity.id
            for dep in entity.dependencies:
                hard = dep.type == "hard"
                for name in dep.targets:
                    key = (dependent, "service:" + name)
                    old = edges.get(key)
                    if old is None or hard and old.type != "hard":
                        edges[key] = dep
        return edges


def readiness_state(value: ReadinessValue | None) -> str:
    """Normalise a checklist value to ``"yes"``, ``"no"``, ``"n/a"`` or ``"missing"``.

    >>> [readiness_state(v) for v in (True, False, "n/a", "2012-03-01", None)]
    ['yes', 'no', 'n/a', 'yes', 'missing']
    """
    if value is None:
        return "missing"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, str) and value.strip().lower() == "n/a":
        return "n/a"
    return "yes"
