"""What an importer produces: services, teams and a data center, with where each edge came from.

An :class:`ImportResult` is built up by one importer and read by the writer; it knows nothing
about files. Edges carry a ``description`` saying which evidence inferred them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportedDependency:
    """One dependency entry to write: a single target, or an any_of group."""

    targets: tuple[str, ...]
    type: str = "hard"
    description: str | None = None
    is_group: bool = False


@dataclass
class ImportedService:
    name: str
    kind: str = "service"  # or "client" (Backstage round trip)
    description: str | None = None
    owner: str | None = None
    tier: int | None = None
    lifecycle: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    links: list[dict[str, str]] = field(default_factory=list)
    instances: int | None = None
    dependencies: list[ImportedDependency] = field(default_factory=list)

    def depends_on(self, target: str) -> bool:
        return any(target in dep.targets for dep in self.dependencies)

    def add_dependency(self, target: str, type_: str = "hard", description: str | None = None) -> bool:
        """Add a single-target edge unless one to ``target`` exists; a hard one wins over soft."""
        if target == self.name:
            return False
        for dep in self.dependencies:
            if not dep.is_group and dep.targets == (target,):
                if type_ == "hard" and dep.type == "soft":
                    dep.type = "hard"
                return False
        self.dependencies.append(ImportedDependency((target,), type_, description))
        return True

    def add_any_of(self, targets: tuple[str, ...], type_: str = "hard", description: str | None = None) -> None:
        """Add a dependency on any one of ``targets`` (a single edge when there is one), unless
        the same group is there already."""
        if len(targets) == 1:
            self.add_dependency(targets[0], type_, description)
        elif not any(d.is_group and set(d.targets) == set(targets) for d in self.dependencies):
            self.dependencies.append(ImportedDependency(tuple(targets), type_, description, is_group=True))


@dataclass
class ImportedTeam:
    name: str
    tribe: str | None = None
    contact: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportResult:
    """Everything one import found. ``warnings`` are problems the user should look at (dangling
    references, name collisions); ``notes`` explain choices (mapped lifecycles, address books)."""

    source: str
    services: dict[str, ImportedService] = field(default_factory=dict)
    teams: dict[str, ImportedTeam] = field(default_factory=dict)
    datacenter: str | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def edges(self) -> set[tuple[str, str, str]]:
        """``(source, target, type)`` for every dependency target, groups flattened."""
        return {
            (svc.name, target, dep.type)
            for svc in self.services.values()
            for dep in svc.dependencies
            for target in dep.targets
        }
