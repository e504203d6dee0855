"""Importers: descriptors from other sources (Backstage catalogs, docker-compose, Kubernetes) and
observed dependency links (Jaeger, Zipkin) for drift.

Every importer is a pure function ``import_X(sources, options) -> ImportResult``: it reads files,
never executes anything, never constructs YAML tags, and returns plain records that
:mod:`depgraph.importers.writer` turns into a descriptor tree.
"""
