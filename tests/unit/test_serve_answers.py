"""The warm landscape in process: reloads, bounded answers and the paths it will read."""

from __future__ import annotations

import dataclasses
import os

import pytest
from tests.helpers import copy_example

from depgraph.diagnostics import UsageError
from depgraph.load.loader import load_catalog
from depgraph.serve.answers import Answers
from depgraph.serve.bounded import bounded


@pytest.fixture
def example(tmp_path):
    return copy_example(tmp_path / "descriptors")


def fields_of(catalog) -> dict:
    return {f.name: getattr(catalog, f.name) for f in dataclasses.fields(catalog)}


def test_a_reload_reads_only_changed_files_and_loads_what_a_fresh_load_does(example):
    answers = Answers(example)
    assert answers.loader.reread == len(answers.landscape.catalog.files)
    team = example / "teams.yaml"
    team.write_text(team.read_text().replace("#playlist-squad", "#playlist-oncall-room"))
    assert answers.reload() is True
    assert answers.loader.reread == 1 and answers.landscape.generation == 2
    assert fields_of(answers.landscape.catalog) == fields_of(load_catalog(example))
    assert answers.describe("team:playlist-squad")["fields"]["contact"]["slack"] == "#playlist-oncall-room"


def test_a_broken_edit_keeps_the_last_good_load_and_a_fix_clears_the_problem(example):
    answers = Answers(example)
    playlist = example / "services" / "discovery" / "playlist.yaml"
    good = playlist.read_text()
    playlist.write_text(good.replace("owner: playlist-squad", "owner: [unclosed"))
    assert answers.reload() is False
    status = answers.status()
    assert status["stale"] is True and status["generation"] == 1 and "playlist.yaml:" in status["reload_error"]
    assert answers.describe("playlist")["owner"]["team"] == "team:playlist-squad"
    playlist.write_text(good)
    assert answers.reload() is True and answers.status()["stale"] is False


def test_a_removed_file_is_gone_after_the_reload(example):
    answers = Answers(example)
    (example / "services" / "discovery" / "playlist.yaml").unlink()
    answers.reload()  # other services depend on playlist: the tree no longer loads
    assert answers.status()["stale"] is True
    assert "service:playlist" in answers.status()["reload_error"] or "playlist" in answers.status()["reload_error"]


def test_files_outside_the_root_are_refused_even_through_a_symlink(example, tmp_path):
    answers = Answers(example)
    secret = tmp_path / "secret.json"
    secret.write_text('{"data": []}')
    os.symlink(secret, example / "looks-inside.json")
    for name in ("../secret.json", str(secret), "looks-inside.json", "/etc/passwd", "."):
        with pytest.raises(UsageError):
            answers.drift(name)


def test_component_lists_are_bounded_and_limits_checked(example):
    answers = Answers(example)
    with pytest.raises(UsageError, match="at most 100 components"):
        answers.blast_radius([f"service:s{i}" for i in range(101)])
    with pytest.raises(UsageError, match="limit"):
        answers.blast_radius(["datacenter:lon1"], limit=-1)
    with pytest.raises(UsageError, match="longer than any"):
        answers.describe("x" * 10_000)


def test_bounded_keeps_records_whole_and_cuts_id_keyed_maps_alike():
    document = {"down": ["service:a", "service:b"], "summary": {"x": 1, "y": 2, "z": 3},
                "reasons": {"service:a": {"via": "v"}, "service:b": {"via": "w"}}}
    cut = bounded(document, 1)
    assert cut["summary"] == {"x": 1, "y": 2, "z": 3}
    assert cut["down"] == ["service:a"] and list(cut["reasons"]) == ["service:a"]
    assert cut["truncated"] == {"down": 2, "reasons": 2}
    assert bounded(document, 0) is document


@pytest.mark.parametrize("failed", [["datacenter:lon1"], ["rack:lon1/a", "host:sto1-b-12", "service:zookeeper"],
                                    ["datacenter:lon1", "datacenter:sto1"]])
def test_a_blast_radius_answer_is_the_commands_document_cut_to_the_limit(example, failed):
    """The server writes out only what the limit lists; what it sends is the command's whole
    document cut by bounded(), cuts counted in the same order (the summary names the first)."""
    import depgraph
    from depgraph.serve.summary import summary

    answers = Answers(example)
    whole = depgraph.to_dict(depgraph.blast_radius(load_catalog(example), *failed))
    assert answers.blast_radius(failed, limit=0) == whole
    cut_somewhere = False
    for limit in (1, 2, 3, 5, 8, 13, 200):
        answer, expected = answers.blast_radius(failed, limit=limit), bounded(whole, limit)
        assert answer == expected, limit
        assert list(answer.get("truncated", {}).items()) == list(expected.get("truncated", {}).items())
        assert summary("blast_radius", answer) == summary("blast_radius", expected)
        cut_somewhere = cut_somewhere or any(".services" in path for path in answer.get("truncated", {}))
    assert cut_somewhere or failed[0] != "datacenter:lon1"  # a team's own list was cut too
