"""depgraph: a service dependency graph analyzer.

Descriptors (YAML) are loaded into a :class:`~depgraph.model.Catalog`, compiled into one
networkx graph, analysed, and reported. See README.md for the commands.
"""

__version__ = "0.1.0"
