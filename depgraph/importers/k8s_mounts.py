"""ConfigMaps a Kubernetes workload mounts as files: proxy configurations (nginx, HAProxy, Envoy)
give their pools, other YAML and JSON files every host they name (a Prometheus scrape target),
as mounted files do in a compose project (see :mod:`depgraph.importers.compose_mounts`).
"""

from __future__ import annotations

from pathlib import Path

from depgraph.importers.hosts import host_candidates
from depgraph.importers.proxyconf import Pool, envoy_pools, text_config_pools
from depgraph.importers.sourcefiles import (
    ReadLog,
    SourceError,
    load_yaml_documents,
    strings_in,
)

DATA_SUFFIXES = (".yaml", ".yml", ".json")


def mounted_configmaps(pod_spec: dict) -> list[str]:
    """The names of the ConfigMaps a pod mounts (``configMap`` and ``projected`` volumes).

    >>> mounted_configmaps({"volumes": [{"configMap": {"name": "nginx"}}, {"emptyDir": {}},
    ...     {"projected": {"sources": [{"configMap": {"name": "envoy"}}, {"secret": {}}]}}]})
    ['nginx', 'envoy']
    """
    names = []
    for volume in pod_spec.get("volumes") or []:
        sources = [volume] + ((volume.get("projected") or {}).get("sources") or [])
        for source in sources:
            name = (source.get("configMap") or {}).get("name")
            if name and str(name) not in names:
                names.append(str(name))
    return names


def configmap_pools(where: str, data: dict, log: ReadLog, warn) -> list[Pool]:
    """The pools the files of a mounted ConfigMap name: one per proxy destination, one per host
    named anywhere in a YAML or JSON file (its label is the file's key)."""
    pools: list[Pool] = []
    for key, value in sorted(data.items()):
        key, value = str(key), str(value)
        found = text_config_pools(key, value)
        if found is not None:
            pools.extend(Pool(f"{key}: {p.label}", p.addresses) for p in found)
        elif key.lower().endswith(DATA_SUFFIXES):
            try:
                documents = load_yaml_documents(Path(f"{where}:{key}"), value, log)
            except SourceError as exc:
                warn(f"mounted configuration skipped: {exc}")
                continue
            for doc in documents:
                clusters = envoy_pools(doc)
                if clusters is not None:
                    pools.extend(Pool(f"{key}: {p.label}", p.addresses) for p in clusters)
                    continue
                pools.extend(Pool(key, [address]) for text in strings_in(doc)
                             for address in host_candidates(text))
    return pools
