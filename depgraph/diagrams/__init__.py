"""Diagrams: DOT text for each view of a landscape, marked with what the analyses found.

``render_view(analysis, view, cluster, focus, depth)`` is the entry point for the ``render`` and
``report`` commands; :func:`build_view` returns the same DOT with what was drawn (the view and
level actually used, the node count, notes on anything collapsed). ``blast_radius_dot`` draws
one failure. Turning DOT into SVG or PNG is :mod:`depgraph.diagrams.render`'s job; nothing here runs
Graphviz, prints or writes files.

Views and their ``cluster`` values (the first is the default):

- ``services``: ``team`` (tribe > team clusters), ``tribe``, ``datacenter``, ``none``;
- ``teams``: ``team`` (a node per team, clustered by tribe), ``tribe`` (a node per tribe), ``none``;
- ``deployment``: ``host`` (rack tables listing hosts), ``rack`` (services per rack),
  ``datacenter`` (services per data center).

Big landscapes collapse: a services view with more than ``max_nodes`` nodes becomes the teams
view, a teams view with more than ``max_nodes`` teams the tribe view, a deployment view with more
than ``max_hosts`` hosts the rack level; a teams or tribe view keeps each group's heaviest edges
when it has too many, and asks for ``sfdp`` past 60 groups (``Diagram.engine``; see
``docs/diagrams.md`` for the measurements behind the defaults). ``max_nodes=0`` turns all of
this off.
"""

# The views pull in networkx; commands import this package for its constants at start-up, so its
# names are loaded on first use (PEP 562) and `depgraph --help` or `blast-radius` do not pay.
_LAZY = {
    "build_view": "views", "render_view": "views", "Diagram": "views", "VIEWS": "views",
    "CLUSTERS": "views", "MAX_HOSTS": "views", "MAX_TABLE_ROWS": "views", "table_rows": "views",
    "blast_radius_dot": "blast", "marks_of": "marks",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'depgraph.diagrams' has no attribute '{name}'")
    import importlib

    return getattr(importlib.import_module(f"depgraph.diagrams.{module}"), name)


__all__ = sorted(_LAZY)
