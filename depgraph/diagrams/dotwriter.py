"""A small DOT document: nodes, edges and nested clusters, written as deterministic DOT text.

The view builders fill a :class:`DotGraph`; :meth:`DotGraph.to_dot` writes it with clusters,
nodes and edges sorted and every value quoted through :mod:`depgraph.diagrams.dotescape`, so the
same catalog gives the same bytes. DOT text is written directly rather than through pydot:
pydot's ``to_string`` is much slower on big graphs (see ``docs/diagrams.md`` for the numbers)
and its quoting leaves escaping to the caller anyway.

>>> g = DotGraph(graph={"rankdir": "LR"})
>>> g.add_cluster(("team:a",), label="a")
>>> g.add_node("service:x", cluster=("team:a",), label='x "1"')
>>> g.add_edge("service:x", "service:y", style="dashed")
>>> print(g.to_dot(), end="")
digraph depgraph {
  graph [rankdir="LR"];
  subgraph "cluster_team:a" {
    graph [label="a"];
    "service:x" [label="x \\"1\\""];
  }
  "service:y";
  "service:x" -> "service:y" [style="dashed"];
}
"""

from __future__ import annotations

from dataclasses import dataclass, field

from depgraph.diagrams.dotescape import attribute_value, quote

ClusterPath = tuple[str, ...]


@dataclass
class DotGraph:
    """A directed graph to be written as DOT.

    Clusters are keyed by their path of keys from the top (``("tribe:x", "team:y")``); a node
    placed in a cluster is written inside it. ``ranks`` are groups of node ids drawn on one rank.
    """

    graph: dict = field(default_factory=dict)
    node_defaults: dict = field(default_factory=dict)
    edge_defaults: dict = field(default_factory=dict)
    nodes: dict[str, dict] = field(default_factory=dict)
    node_cluster: dict[str, ClusterPath] = field(default_factory=dict)
    clusters: dict[ClusterPath, dict] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], dict] = field(default_factory=dict)
    ranks: list[tuple[ClusterPath, tuple[str, ...]]] = field(default_factory=list)

    def add_cluster(self, path: ClusterPath, **attrs) -> None:
        for depth in range(1, len(path)):
            self.clusters.setdefault(path[:depth], {})
        self.clusters.setdefault(path, {}).update(attrs)

    def add_node(self, node_id: str, cluster: ClusterPath = (), **attrs) -> None:
        self.nodes.setdefault(node_id, {}).update(attrs)
        if cluster:
            self.add_cluster(cluster)
            self.node_cluster[node_id] = cluster

    def add_edge(self, source: str, target: str, key: str = "", **attrs) -> None:
        """Add (or update) the edge ``source -> target``; ``key`` tells parallel edges apart."""
        self.edges.setdefault((source, target, key), {}).update(attrs)

    def same_rank(self, node_ids, cluster: ClusterPath = ()) -> None:
        self.ranks.append((cluster, tuple(node_ids)))

    def __contains__(self, node_id: str) -> bool:
        return node_id in self.nodes

    def to_dot(self, name: str = "depgraph") -> str:
        lines = [f"digraph {name if name.isidentifier() else quote(name)} {{"]
        for keyword, attrs in (("graph", self.graph), ("node", self.node_defaults),
                               ("edge", self.edge_defaults)):
            if attrs:
                lines.append(f"  {keyword} {_attr_list(attrs)};")
        self._write_cluster((), lines, "  ")
        for node_id in self._endpoints_missing():
            lines.append(f"  {quote(node_id)};")
        for (source, target, _key), attrs in sorted(self.edges.items()):
            suffix = f" {_attr_list(attrs)}" if attrs else ""
            lines.append(f"  {quote(source)} -> {quote(target)}{suffix};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def _write_cluster(self, path: ClusterPath, lines: list[str], indent: str) -> None:
        children = sorted(p for p in self.clusters if len(p) == len(path) + 1 and p[: len(path)] == path)
        for child in children:
            lines.append(f"{indent}subgraph {quote('cluster_' + child[-1])} {{")
            attrs = {"label": "", **self.clusters[child]}  # never inherit the graph's title
            lines.append(f"{indent}  graph {_attr_list(attrs)};")
            self._write_cluster(child, lines, indent + "  ")
            lines.append(f"{indent}}}")
        for node_id in sorted(n for n in self.nodes if self.node_cluster.get(n, ()) == path):
            attrs = self.nodes[node_id]
            suffix = f" {_attr_list(attrs)}" if attrs else ""
            lines.append(f"{indent}{quote(node_id)}{suffix};")
        for cluster, members in self.ranks:
            if cluster == path:
                listed = "; ".join(quote(n) for n in members)
                lines.append(f"{indent}{{ rank=same; {listed}; }}")

    def _endpoints_missing(self) -> list[str]:
        ends = {end for source, target, _ in self.edges for end in (source, target)}
        return sorted(ends - set(self.nodes))


def _attr_list(attrs: dict) -> str:
    return "[" + ", ".join(f"{key}={attribute_value(value)}" for key, value in sorted(attrs.items())) + "]"
