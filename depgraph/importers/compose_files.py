"""Reading a docker-compose project the way ``docker compose`` does: which files, ``.env``
interpolation, ``env_file``, and merging layered files (``-f a -f b``, the override file).

The result is one merged ``services`` mapping whose entries are normalised (environment, labels,
depends_on and networks as mappings; command as a list) and remember which file set each
environment variable and ``depends_on`` entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from depgraph.importers.envfile import Budget, ExpansionError, interpolate, parse_env_file
from depgraph.importers.sourcefiles import (
    ReadLog,
    SourceError,
    conform,
    load_yaml_documents,
    read_text,
)

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_FILES = (
    "compose.override.yaml", "compose.override.yml",
    "docker-compose.override.yaml", "docker-compose.override.yml",
)
_SCALAR = (str, int, float, bool)
_NETWORK_SHAPE = {"aliases": [_SCALAR]}
# The shapes the importer reads; a part of another shape is left out and counted (compose itself
# would refuse the file, but one odd service should not cost the rest of the project).
SERVICE_SHAPE = {
    "environment": (dict, list), "depends_on": (dict, list), "labels": (dict, list),
    "networks": (dict, list), "ports": [(str, int, dict)], "expose": list, "volumes": [(str, dict)],
    "configs": [(str, dict)], "secrets": list, "links": [_SCALAR], "env_file": (str, list, dict),
    "deploy": {"replicas": _SCALAR}, "scale": _SCALAR, "command": (str, list), "entrypoint": (str, list),
    "container_name": _SCALAR, "hostname": _SCALAR, "image": _SCALAR,
}
_CONCAT = {"ports", "expose", "volumes", "dns", "links", "configs", "secrets", "env_file", "extra_hosts"}


@dataclass
class ComposeProject:
    """The merged project: ``services`` by compose name, top-level ``configs``, the files read."""

    directory: Path
    files: list[Path]
    services: dict[str, dict] = field(default_factory=dict)
    configs: dict[str, dict] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    missing_vars: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    log: ReadLog = field(default_factory=ReadLog)
    missing_env_files: dict[str, list[str]] = field(default_factory=dict)  # "file: env_file x" -> services

    def label(self) -> str:
        return ",".join(f.name for f in self.files)


def compose_files(sources: list[Path]) -> tuple[list[Path], list[str]]:
    """The files to read, in order, and notes on choices made.

    A folder means its default file plus its override file (as ``docker compose`` without
    ``-f``); explicit files are taken as given, like ``-f``.
    """
    files: list[Path] = []
    notes: list[str] = []
    for src in sources:
        if src.is_dir():
            main = next((src / n for n in DEFAULT_FILES if (src / n).is_file()), None)
            if main is None:
                raise SourceError(f"{src}: no compose file ({', '.join(DEFAULT_FILES)})")
            files.append(main)
            override = next((src / n for n in OVERRIDE_FILES if (src / n).is_file()), None)
            if override is not None:
                files.append(override)
        elif src.is_file():
            files.append(src)
        else:
            raise SourceError(f"{src}: no such file or folder")
    if len(sources) == 1 and sources[0].is_file():
        override = next((sources[0].parent / n for n in OVERRIDE_FILES
                         if (sources[0].parent / n).is_file()), None)
        if override is not None and override != sources[0]:
            notes.append(f"{override.name} not merged: name the folder to merge it, as "
                         "'docker compose' does without -f")
    return files, notes


def load_project(sources: list[Path]) -> ComposeProject:
    files, notes = compose_files(sources)
    directory = files[0].parent
    env_path = directory / ".env"
    env = _expanded(env_path, lambda: parse_env_file(read_text(env_path))) if env_path.is_file() else {}
    project = ComposeProject(directory, files, env=env, notes=notes)
    for path in files:
        _merge_file(project, path)
    for where, services in sorted(project.missing_env_files.items()):
        project.notes.append(f"{where} does not exist; its variables were not read (services "
                             f"{', '.join(dict.fromkeys(services))})")
    return project


def _merge_file(project: ComposeProject, path: Path) -> None:
    documents = load_yaml_documents(path, log=project.log)
    if not documents:
        return
    doc = documents[0]
    if not isinstance(doc, dict):
        raise SourceError(f"{path}: a compose file must be a mapping")
    budget = Budget()
    doc = _expanded(path, lambda: _interpolate_all(doc, project.env, project.missing_vars, budget))
    services = doc.get("services") or {}
    if not isinstance(services, dict):
        raise SourceError(f"{path}: 'services' must be a mapping")
    for name, raw in services.items():
        raw = conform(raw, SERVICE_SHAPE, project.log, str(path))
        if raw is None:
            project.log.warnings.append(f"{path}: service '{name}' is not a mapping; left out")
            continue
        layer = normalise_service(raw, path, project, str(name))
        base = project.services.get(str(name))
        project.services[str(name)] = merge(base, layer) if base else layer
    configs = doc.get("configs")
    for name, raw in (configs if isinstance(configs, dict) else {}).items():
        if isinstance(raw, dict):
            project.configs[str(name)] = dict(raw, _dir=str(path.parent))


def _expanded(path: Path, expand):
    """``expand()``, an :class:`ExpansionError` becoming a SourceError naming ``path``."""
    try:
        return expand()
    except ExpansionError as exc:
        raise SourceError(f"{path}: {exc}") from None


def _interpolate_all(value, env, missing, budget: Budget):
    if isinstance(value, str):
        return interpolate(value, env, missing, budget)
    if isinstance(value, dict):
        return {k: _interpolate_all(v, env, missing, budget) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate_all(v, env, missing, budget) for v in value]
    return value


def _as_mapping(value, sep: str = "=") -> dict:
    """``[K=V, K]`` or ``{K: V}`` -> ``{K: V or None}``."""
    if isinstance(value, dict):
        return {str(k): (None if v is None else str(v)) for k, v in value.items()}
    out: dict = {}
    for item in value or []:
        key, has, val = str(item).partition(sep)
        out[key.strip()] = val if has else None
    return out


def normalise_service(raw: dict, path: Path, project: ComposeProject, name: str = "") -> dict:
    svc = dict(raw)
    origin: dict[tuple[str, str], str] = {}
    environment: dict[str, str] = {}
    for env_file in _as_list(raw.get("env_file")):
        given = str(env_file.get("path") if isinstance(env_file, dict) else env_file)
        env_path = path.parent / given
        if not env_path.is_file():
            project.missing_env_files.setdefault(f"{path.name}: env_file {given}", []).append(name)
        else:
            text = read_text(env_path)
            values = _expanded(env_path, lambda text=text: parse_env_file(text, project.env))  # .env's variables interpolate it
            for key in _expanded(env_path, lambda text=text: parse_env_file(text)):  # but only its own keys are the service's
                environment[key] = values[key]
                origin[("environment", key)] = env_path.name
    for key, val in _as_mapping(raw.get("environment")).items():
        if val is None:  # pass-through: compose takes it from its environment (.env)
            val = project.env.get(key)
            if val is None:
                continue
        environment[key] = val
        origin[("environment", key)] = path.name
    svc["environment"] = environment
    depends = raw.get("depends_on") or {}
    svc["depends_on"] = (
        {str(k): (v if isinstance(v, dict) else {}) for k, v in depends.items()}
        if isinstance(depends, dict) else {str(k): {} for k in depends}
    )
    for key in svc["depends_on"]:
        origin[("depends_on", key)] = path.name
    for key in _as_list(raw.get("links")):
        origin[("links", str(key).partition(":")[0])] = path.name
    networks = raw.get("networks") or {}
    svc["networks"] = (
        {str(k): conform(v, _NETWORK_SHAPE, project.log, str(path)) or {} for k, v in networks.items()}
        if isinstance(networks, dict) else {str(k): {} for k in networks}
    )
    for key in ("command", "entrypoint"):
        if key in raw:
            value = raw[key]
            svc[key] = [str(v) for v in value] if isinstance(value, list) else [str(value or "")]
    svc["_origin"] = origin
    svc["_files"] = [path.name]
    return svc


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def merge(base, layer):
    """Compose's merge: mappings merge key by key, listed keys concatenate, the rest is replaced."""
    if isinstance(base, dict) and isinstance(layer, dict):
        out = dict(base)
        for key, value in layer.items():
            if key in out and key in _CONCAT and isinstance(out[key], list) and isinstance(value, list):
                out[key] = out[key] + [v for v in value if v not in out[key]]
            elif key == "_files":
                out[key] = out[key] + value
            elif key in out:
                out[key] = merge(out[key], value)
            else:
                out[key] = value
        return out
    return layer
