"""DOT builders on a tiny landscape: what a reader of each diagram would notice.

The DOT text is parsed back with pydot (an independent parser), so the checks are on the graph
Graphviz will see: nodes, edges, clusters and their attributes, not on substrings.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pydot
import pytest

from depgraph.analysis import analyze
from depgraph.diagnostics import UsageError
from depgraph.diagrams import build_view, render_view
from depgraph.diagrams.blast import blast_radius_dot, states_of
from depgraph.diagrams.dotescape import html_text, quote
from depgraph.diagrams.style import RED, SPOF_BORDER, SPOF_RAMP, count_classes
from depgraph.failure.engine import FailureModel, simulate
from depgraph.load.loader import load_catalog
from tests.landscapes import HOSTILE_TEXT as HOSTILE
from tests.landscapes import TINY



@pytest.fixture
def analysis(tree):
    root = tree(TINY)
    (root / "services.yaml").write_text((root / "services.yaml").read_text().replace(
        "name: orphan\n", f"name: orphan\ndescription: {json.dumps(HOSTILE)}\n"), encoding="utf-8")
    return analyze(load_catalog(root))


def unquote(value: str | None) -> str | None:
    if value is None or not value.startswith('"'):
        return value
    return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")


class ParsedDot:
    """Nodes (id -> attrs), edges ((source, target) -> attrs) and node -> cluster path."""

    def __init__(self, dot: str):
        graphs = pydot.graph_from_dot_data(dot)
        assert graphs and len(graphs) == 1, "the DOT text must parse as exactly one graph"
        self.nodes: dict[str, dict] = {}
        self.edges: dict[tuple[str, str], dict] = {}
        self.cluster_of: dict[str, tuple[str, ...]] = {}
        self.clusters: dict[tuple[str, ...], dict] = {}  # () holds the graph's own attributes
        self._walk(graphs[0], ())

    def _walk(self, graph, path: tuple[str, ...]) -> None:
        for node in graph.get_nodes():
            name = unquote(node.get_name())
            if name in ("graph", "node", "edge"):
                if name == "graph":
                    self.clusters[path] = {k: unquote(v) for k, v in node.get_attributes().items()}
                continue
            self.nodes[name] = {k: unquote(v) for k, v in node.get_attributes().items()}
            self.cluster_of[name] = path
        for edge in graph.get_edges():
            key = (unquote(edge.get_source()), unquote(edge.get_destination()))
            self.edges[key] = {k: unquote(v) for k, v in edge.get_attributes().items()}
        for sub in graph.get_subgraphs():
            self._walk(sub, path + (unquote(sub.get_name()).removeprefix("cluster_"),))

    def real_nodes(self) -> set[str]:
        return {n for n in self.nodes if not n.startswith("legend:")}

    def legend(self) -> set[str]:
        """The labels of the legend's sample nodes and sample edges."""
        nodes = {a["label"] for n, a in self.nodes.items() if n.startswith("legend:") and a.get("label")}
        edges = {a["label"].strip() for (u, _), a in self.edges.items() if u.startswith("legend:") and "label" in a}
        return nodes | edges


# Each distinct DOT text is parsed once: pydot's parser is most of these tests' time, and many
# read the same view of the same landscape. Tests only read what it found.
Parsed = functools.lru_cache(maxsize=None)(ParsedDot)


class TestServicesView:
    def test_draws_every_service_and_client_with_their_dependencies(self, analysis):
        parsed = Parsed(render_view(analysis, "services"))
        assert parsed.real_nodes() == {"client:app", "service:api", "service:auth", "service:cache",
                                       "service:db", "service:orphan", "service:session"}
        assert ("service:api", "service:db") in parsed.edges
        assert ("client:app", "service:api") in parsed.edges

    def test_hard_cycle_edges_are_red_and_others_are_not(self, analysis):
        parsed = Parsed(render_view(analysis, "services"))
        assert parsed.edges["service:auth", "service:session"]["color"] == RED
        assert parsed.edges["service:session", "service:auth"]["color"] == RED
        assert parsed.edges["service:api", "service:db"].get("color") != RED

    def test_soft_edges_are_dashed_and_any_of_has_a_hollow_head(self, analysis):
        parsed = Parsed(render_view(analysis, "services"))
        assert parsed.edges["service:api", "service:cache"]["style"] == "dashed"
        assert "style" not in parsed.edges["service:api", "service:db"]
        assert parsed.edges["service:orphan", "service:auth"]["arrowhead"] == "empty"

    def test_spof_unowned_and_deprecated_are_marked(self, analysis):
        parsed = Parsed(render_view(analysis, "services"))
        db = parsed.nodes["service:db"]
        assert db["shape"] == "octagon" and db["color"] in SPOF_BORDER  # outline shade: how many it takes down
        assert "SPOF: 2 down" in db["label"]  # api and the app client
        orphan = parsed.nodes["service:orphan"]
        assert "dashed" in orphan["style"] and "diagonals" in orphan["style"]
        assert "unowned" in orphan["label"] and "deprecated" in orphan["label"]
        assert parsed.nodes["service:cache"].get("shape") != "octagon"

    def test_clusters_by_tribe_then_team_and_unowned_apart(self, analysis):
        parsed = Parsed(render_view(analysis, "services"))
        assert parsed.cluster_of["service:db"] == ("tribe:infra", "team:core")
        assert parsed.cluster_of["client:app"] == ("tribe:front", "team:web")
        assert parsed.cluster_of["service:orphan"] == ("unowned",)
        assert parsed.clusters[("tribe:infra",)]["label"] == "tribe infra"

    def test_datacenter_clusters_group_by_footprint(self, analysis):
        parsed = Parsed(render_view(analysis, "services", cluster="datacenter"))
        assert parsed.cluster_of["service:db"] == ("dc:lon1",)
        assert parsed.cluster_of["service:cache"] == ("dc:lon1+sto1",)
        assert parsed.clusters[("dc:lon1",)]["label"] == "lon1 only"

    def test_legend_lists_only_what_is_drawn(self, analysis):
        legend = Parsed(render_view(analysis, "services")).legend()
        assert {"hard cycle", "hard", "soft", "any_of alternative", "client", "unowned", "deprecated",
                "tier 1", "tier 2", "tier 3"} <= legend
        assert "soft-only cycle" not in legend
        focused = Parsed(render_view(analysis, "services", focus="cache", depth=0)).legend()
        assert "tier 3" in focused and "tier 1" not in focused and "hard cycle" not in focused

    def test_same_input_gives_the_same_bytes(self, analysis):
        assert render_view(analysis, "services") == render_view(analysis, "services")

    def test_focus_draws_the_neighbourhood_both_ways(self, analysis):
        parsed = Parsed(render_view(analysis, "services", focus="api", depth=1))
        assert parsed.real_nodes() == {"client:app", "service:api", "service:db", "service:cache"}
        assert parsed.nodes["service:api"]["penwidth"] == "3.5"

    def test_focus_depth_zero_and_on_a_host(self, analysis):
        assert Parsed(render_view(analysis, "services", focus="service:db", depth=0)).real_nodes() == {
            "service:db"}
        assert Parsed(render_view(analysis, "services", focus="host:sto1-a-01", depth=0)).real_nodes() == {
            "service:cache"}

    def test_unknown_focus_and_wrong_cluster_are_usage_errors(self, analysis):
        with pytest.raises(UsageError, match="did you mean 'api'"):
            render_view(analysis, "services", focus="apii")
        with pytest.raises(UsageError, match="does not fit the teams view"):
            render_view(analysis, "teams", cluster="datacenter")

    def test_too_many_nodes_collapse_to_teams_then_tribes(self, analysis):
        diagram = build_view(analysis, "services", max_nodes=5)
        assert diagram.view == "teams" and diagram.level == "team"
        assert "more than --max-nodes 5" in diagram.notes[0]
        assert build_view(analysis, "services", max_nodes=2).level == "tribe"


class TestTeamsView:
    def test_edge_weight_counts_service_dependencies(self, analysis):
        parsed = Parsed(render_view(analysis, "teams"))
        edge = parsed.edges["team:web", "team:core"]
        assert edge["label"] == "2"  # api -> db (hard), api -> cache (soft)
        assert "style" not in edge  # one of them is hard: solid

    def test_unowned_services_are_one_node(self, analysis):
        parsed = Parsed(render_view(analysis, "teams"))
        assert "group:unowned" in parsed.nodes
        assert ("group:unowned", "team:web") in parsed.edges
        assert parsed.cluster_of["team:core"] == ("tribe:infra",)

    def test_tribe_level(self, analysis):
        parsed = Parsed(render_view(analysis, "teams", cluster="tribe"))
        assert parsed.real_nodes() == {"tribe:front", "tribe:infra", "group:unowned"}
        assert parsed.edges["tribe:front", "tribe:infra"]["label"] == "2"


class TestDeploymentView:
    def test_one_node_per_datacenter_with_its_racks_and_hosts(self, analysis):
        parsed = Parsed(render_view(analysis, "deployment"))
        assert parsed.real_nodes() == {"datacenter:lon1", "datacenter:sto1"}
        lon1 = parsed.nodes["datacenter:lon1"]["label"]
        assert "rack lon1/a" in lon1 and "lon1-a-02" in lon1 and "cache" in lon1
        assert "anonymous instances" in lon1

    def test_spof_host_and_rack_are_red(self, analysis):
        lon1 = Parsed(render_view(analysis, "deployment")).nodes["datacenter:lon1"]["label"]
        assert "lon1-a-01 · SPOF: 3 down" in lon1  # db, api, app
        assert f'BGCOLOR="{RED}"><FONT COLOR="white"><B>rack lon1/a · SPOF: 3 down' in lon1

    def test_rack_level_counts_hosts_per_service(self, analysis):
        lon1 = Parsed(render_view(analysis, "deployment", cluster="rack")).nodes["datacenter:lon1"]["label"]
        assert "1 host" in lon1 and "lon1-a-01" not in lon1


class TestBlastRadius:
    def test_colours_by_state_and_draws_the_failed_host(self, analysis):
        impact = simulate(analysis.model, ["host:lon1-a-01"])
        parsed = Parsed(blast_radius_dot(analysis, impact))
        assert parsed.nodes["host:lon1-a-01"]["fillcolor"] == "#1a1a1a"
        assert parsed.nodes["service:db"]["fillcolor"] == "#e03b2f"  # down: its only host
        assert parsed.nodes["client:app"]["fillcolor"] == "#e03b2f"
        assert parsed.nodes["service:cache"]["fillcolor"] == "white"  # unaffected, faint
        # where it ran is said in the service's label, not by an edge from the host
        assert "ran in lon1-a-01" in parsed.nodes["service:db"]["label"]
        assert "ran in" not in parsed.nodes["service:cache"]["label"]
        assert not [edge for edge in parsed.edges if "host:lon1-a-01" in edge]

    def test_reduced_shows_what_was_lost(self, analysis):
        impact = simulate(analysis.model, ["host:sto1-a-01"])
        parsed = Parsed(blast_radius_dot(analysis.catalog, impact))
        assert "lost 1 of 2" in parsed.nodes["service:cache"]["label"]

    def test_a_service_both_degraded_and_reduced_is_drawn_degraded_with_its_loss(self):
        # SPEC §4: the picture shows the worse state, with the lost capacity in the label
        catalog = load_catalog(Path(__file__).resolve().parents[2] / "descriptors")
        impact = simulate(FailureModel.from_catalog(catalog), ["datacenter:lon1"])
        both = sorted(set(impact.degraded) & set(impact.reduced))
        assert both  # the example has such services: lon1 is big
        parsed = Parsed(blast_radius_dot(catalog, impact))
        for node_id in both:
            lost, total = impact.reduced[node_id]
            assert parsed.nodes[node_id]["fillcolor"] == "#f5a623", node_id
            assert f"degraded, lost {lost} of {total}" in parsed.nodes[node_id]["label"]

    def test_big_landscape_keeps_only_affected_and_neighbours(self, analysis):
        impact = simulate(analysis.model, ["service:session"])
        parsed = Parsed(blast_radius_dot(analysis, impact, all_nodes_limit=3))
        # session fails: auth (hard) and orphan (any_of of auth and session) go down
        assert parsed.real_nodes() == {"service:session", "service:auth", "service:orphan"}
        assert "4 unaffected services and clients not shown" in parsed.clusters[()]["label"]

    def test_small_landscape_draws_everything(self, analysis):
        impact = simulate(analysis.model, ["service:session"])
        parsed = Parsed(blast_radius_dot(analysis, impact))
        assert len(parsed.real_nodes()) == 7
        assert "not shown" not in parsed.clusters[()]["label"]


class TestHostileText:
    def test_parses_to_the_same_nodes_with_hostile_descriptions(self, analysis):
        for view in ("services", "teams", "deployment"):
            parsed = Parsed(render_view(analysis, view))
            assert "injected" not in parsed.nodes and "evil" not in parsed.nodes

    def test_description_reaches_the_tooltip_as_text(self, analysis):
        tooltip = Parsed(render_view(analysis, "services")).nodes["service:orphan"]["tooltip"]
        assert "<script>alert(1)</script>" in tooltip
        assert "&amp;amp;" in tooltip  # & is written as &amp;, so Graphviz shows "&amp;" literally
        assert "\x01" not in tooltip

    def test_html_labels_escape_markup(self, analysis):
        lon1 = Parsed(render_view(analysis, "deployment")).nodes["datacenter:lon1"]["label"]
        assert "&lt;b&gt;London&lt;/b&gt; &amp; &quot;east&quot;" in lon1
        assert "<b>London" not in lon1

    def test_quote_and_html_text(self):
        assert quote('a"b\\c') == '"a\\"b\\\\c"'
        assert html_text("<a href='x'>&</a>") == "&lt;a href='x'&gt;&amp;&lt;/a&gt;"


def test_dense_team_graph_drops_edge_labels(analysis, monkeypatch):
    import depgraph.diagrams.teams as teams

    monkeypatch.setattr(teams, "LABELLED_EDGES", 1)
    parsed = Parsed(render_view(analysis, "teams"))
    assert "label" not in parsed.edges["team:web", "team:core"]
    assert "team:web -> team:core: 2 dependencies" in parsed.edges["team:web", "team:core"]["tooltip"]
    assert "hover an edge for its count" in parsed.clusters[()]["label"]


@pytest.fixture(scope="module")
def example():
    return analyze(load_catalog(Path(__file__).resolve().parents[2] / "descriptors"))


class TestSpofScale:
    """How many SPOFs (or how many a SPOF takes down) is a colour scale over what is drawn, so
    the mark still tells nodes apart when every team of a big landscape owns some."""

    def test_teams_are_shaded_darker_the_more_spofs_they_own(self, example):
        diagram = build_view(example, "teams")
        parsed = ParsedDot(diagram.dot)
        shade = {}
        for node in parsed.real_nodes():
            line = [part for part in parsed.nodes[node]["label"].split("\\n") if part.endswith(("SPOF", "SPOFs"))]
            if line:
                shade[int(line[0].split()[0])] = SPOF_RAMP.index(parsed.nodes[node]["fillcolor"])
        assert len(shade) >= 3 and len(set(shade.values())) >= 3
        counts = sorted(shade)
        assert [shade[c] for c in counts] == sorted(shade[c] for c in counts)  # more SPOFs, never lighter
        assert {f"owns {c} SPOF{'s' if c > 1 else ''}" for c in counts} <= parsed.legend()

    def test_classes_still_split_when_every_team_owns_some(self):
        # 81 teams owning 5 to 23 SPOFs each, as in a generated 2,000-service landscape
        counts = [5 + (i * 7) % 19 for i in range(81)]
        classes = count_classes(counts)
        assert len(classes) == 4 and classes[0][0] == 5 and classes[-1][1] == 23
        assert all(high < low for (_, high), (low, _) in zip(classes, classes[1:]))

    def test_services_view_outlines_big_spofs_darker_and_thicker(self, example):
        parsed = ParsedDot(render_view(example, "services"))
        dns, web_api = parsed.nodes["service:dns"], parsed.nodes["service:web-api"]  # 30 down, 1 down
        assert SPOF_BORDER.index(dns["color"]) > SPOF_BORDER.index(web_api["color"])
        assert float(dns["penwidth"]) > float(web_api["penwidth"])
        assert any(label.startswith("single point of failure\\ntaking 1") for label in parsed.legend())


class TestFocusOnAHub:
    """``--focus`` on a service with more neighbours than ``--max-nodes``: the service itself and
    its neighbours grouped by owner team, never the teams view of everything around it."""

    def test_draws_the_hub_and_its_dependents_grouped_per_team(self, example):
        dependents = set(example.graph.predecessors("service:storage"))
        assert len(dependents) > 8
        diagram = build_view(example, "services", focus="storage", depth=1, max_nodes=8)
        assert (diagram.view, diagram.level) == ("services", "grouped")
        assert "grouped by owner team" in diagram.notes[0]
        parsed = ParsedDot(diagram.dot)
        assert "storage" in parsed.nodes["service:storage"]["label"] and parsed.nodes["service:storage"]["penwidth"] == "3.5"
        represented, groups = 0, 0
        for node in parsed.real_nodes() - {"service:storage"}:
            label = parsed.nodes[node]["label"]
            if node.startswith("dependents:"):  # a group: "team X: N dependents"
                team, count = label.split("\\n")[0].split(": ")
                assert team.startswith("team ") and count.endswith(" dependents")
                represented += int(count.split()[0])
                groups += 1
                assert (node, "service:storage") in parsed.edges
            else:
                assert node in dependents or node in example.graph.successors("service:storage"), node
                represented += node in dependents
        assert represented == len(dependents)
        assert groups and len(parsed.real_nodes()) < 1 + len(dependents) + len(set(example.graph.successors("service:storage")))

    def test_a_small_neighbourhood_is_still_drawn_service_by_service(self, example):
        diagram = build_view(example, "services", focus="storage", depth=1)
        assert diagram.level == "team" and not diagram.notes

    def test_two_steps_out_keep_each_groups_heaviest_edges_and_the_same_bytes(self, example, monkeypatch):
        from depgraph.diagrams import hub

        def others(dot):  # edges that do not touch the focus, per source
            out: dict[str, int] = {}
            for source, target in ParsedDot(dot).edges:
                if not source.startswith("legend:") and "service:storage" not in (source, target):
                    out[source] = out.get(source, 0) + 1
            return out

        dot = build_view(example, "services", focus="storage", depth=2, max_nodes=8).dot
        assert dot == build_view(example, "services", focus="storage", depth=2, max_nodes=8).dot
        parsed = ParsedDot(dot)
        assert any(" at 2 steps" in parsed.nodes[n]["label"] for n in parsed.real_nodes())
        assert others(dot) and max(others(dot).values()) <= hub.EDGES_PER_GROUP
        monkeypatch.setattr(hub, "EDGES_PER_GROUP", 0)
        fewer = build_view(example, "services", focus="storage", depth=2, max_nodes=8).dot
        assert not others(fewer) and "each group's 0 heaviest edges" in fewer


def test_a_big_blast_radius_groups_its_unaffected_neighbours_per_team(example):
    impact = simulate(example.model, ["rack:lon1/b"])
    parsed = ParsedDot(blast_radius_dot(example, impact, all_nodes_limit=3))
    affected = set(states_of(impact))
    groups = {n for n in parsed.real_nodes() if n.startswith("context:team:")}
    assert groups
    for group in groups:
        assert parsed.nodes[group]["label"].startswith(f"team {group[13:]}: ")
        assert parsed.nodes[group]["label"].endswith(" unaffected neighbours")
    for source, target in parsed.edges:  # context is drawn only where it touches the blast
        if not source.startswith("legend:"):
            assert source in affected or target in affected, (source, target)
