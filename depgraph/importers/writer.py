"""Writing an :class:`ImportResult` as a descriptor tree (SPEC §1): one readable YAML file per
service or client, ``teams.yaml`` and ``datacenters.yaml``.

Existing files are never overwritten unless asked (``force``); each file is written atomically
(a temporary file in the same folder, then ``os.replace``), so a crash leaves old or new, never half.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from depgraph.atomic import write_text
from depgraph.diagnostics import UsageError
from depgraph.importers.model import ImportedDependency, ImportedService, ImportResult
from depgraph.importers.options import PROVENANCE_LABEL


class RefusedOverwrite(UsageError):
    """Files to be written already exist and ``--force`` was not given."""

    def __init__(self, paths: list[Path]):
        self.paths = paths
        listed = "".join(f"\n  {p}" for p in paths)
        super().__init__(f"refusing to overwrite {len(paths)} existing file(s) (pass --force to "
                         f"replace them):{listed}")


def render(result: ImportResult) -> dict[str, str]:
    """Relative path -> YAML text for every file of the import, in a stable order."""
    header = f"# Imported by depgraph from {result.source}; edit freely.\n"
    files: dict[str, str] = {}
    for name in sorted(result.services):
        service = result.services[name]
        folder = "clients" if service.kind == "client" else "services"
        files[f"{folder}/{name}.yaml"] = header + _dump(_service_doc(service, result))
    if result.teams:
        teams = [_team_doc(result.teams[n], result) for n in sorted(result.teams)]
        files["teams.yaml"] = header + _dump(teams)
    if result.datacenter and any(s.instances for s in result.services.values()):
        files["datacenters.yaml"] = header + _dump(
            [{"kind": "datacenter", "name": result.datacenter,
              "labels": {PROVENANCE_LABEL: result.source}}])
    return files


def _dump(doc) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=100)


def _dependency_doc(dep: ImportedDependency):
    if dep.is_group:
        entry: dict = {"any_of": list(dep.targets)}
    else:
        entry = {"service": dep.targets[0]}
    if dep.type != "hard" or dep.is_group:
        entry["type"] = dep.type
    if dep.description:
        entry["description"] = dep.description
    return entry if len(entry) > 1 or dep.is_group else dep.targets[0]


def _service_doc(service: ImportedService, result: ImportResult) -> dict:
    doc: dict = {"kind": service.kind, "name": service.name}
    if service.description:
        doc["description"] = service.description
    if service.owner:
        doc["owner"] = service.owner
    if service.kind == "service":
        if service.tier is not None:
            doc["tier"] = service.tier
        if service.lifecycle:
            doc["lifecycle"] = service.lifecycle
    labels = dict(service.labels)
    labels.setdefault(PROVENANCE_LABEL, result.source)
    doc["labels"] = {str(k): str(v) for k, v in labels.items()}
    if service.links and service.kind == "service":
        doc["links"] = service.links
    if service.dependencies:
        doc["dependencies"] = [_dependency_doc(d) for d in service.dependencies]
    if service.kind == "service" and service.instances and result.datacenter:
        doc["deployments"] = [{"datacenter": result.datacenter, "instances": service.instances}]
    return doc


def _team_doc(team, result: ImportResult) -> dict:
    doc: dict = {"kind": "team", "name": team.name}
    if team.tribe:
        doc["tribe"] = team.tribe
    if team.contact:
        doc["contact"] = dict(team.contact)
    labels = dict(team.labels)
    labels.setdefault(PROVENANCE_LABEL, result.source)
    doc["labels"] = labels
    return doc


def write_files(files: dict[str, str], out_dir: Path, force: bool = False) -> list[Path]:
    """Write ``files`` below ``out_dir``; refuse (before writing anything) if any exists."""
    targets = [out_dir / rel for rel in files]
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise RefusedOverwrite(existing)
    for path, text in zip(targets, files.values()):
        atomic_write(path, text)
    return targets


def atomic_write(path: Path, text: str) -> None:
    """Write one file atomically (see :mod:`depgraph.atomic`); failures are ``OutputError``."""
    write_text(path, text)