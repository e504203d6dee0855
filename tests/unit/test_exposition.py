"""The text exposition reader: what scrapes hold, and every malformed line named by its number."""

from __future__ import annotations

import math

import pytest

from depgraph.importers.exposition import ExpositionError, looks_like_exposition, samples


def one(line: str):
    (sample,) = samples(line)
    return sample.name, sample.labels, sample.value


@pytest.mark.parametrize("line, expected", [
    ('a_total 3', ("a_total", {}, 3.0)),
    ('a_total{} 3 1700000000000', ("a_total", {}, 3.0)),
    ('a{x="1",y="two"} 1.5e3', ("a", {"x": "1", "y": "two"}, 1500.0)),
    ('a{x="q\\"uote\\\\back\\nline"} 1', ("a", {"x": 'q"uote\\back\nline'}, 1.0)),
    ('a{x="1",} 2', ("a", {"x": "1"}, 2.0)),
    ('a{ x = "1" , y="2" } 2', ("a", {"x": "1", "y": "2"}, 2.0)),
    ('a_total{x="1"} 4 # {trace_id="abc"} 1.0 1700000000', ("a_total", {"x": "1"}, 4.0)),
    ('{"traces.service.graph.request.total", client="a"} 7', ("traces.service.graph.request.total", {"client": "a"}, 7.0)),
    ('ns:a_total 2', ("ns:a_total", {}, 2.0)),
    ('a +Inf', ("a", {}, math.inf)),
])
def test_sample_lines(line, expected):
    assert one(line) == expected


def test_comments_and_eof_are_read_past_and_lines_counted():
    text = "# HELP a Requests\n# TYPE a counter\n\na_total 1\n# EOF\n"
    assert [(s.name, s.line) for s in samples(text)] == [("a_total", 4)]


@pytest.mark.parametrize("line, message", [
    ("a", "expected a value"),
    ("a 1 2 3", "expected a value"),
    ('a{x="1" 2', "expected ',' or '}'"),
    ('a{x=1} 2', "expected a quoted value"),
    ('a{x="1} 2', "not closed"),
    ('a{x="1",x="2"} 2', "repeated"),
    ("a one", "not a number"),
    ("a{1x=\"\"} 1", "expected a label name"),
    ('a{"b"} 1', "both before and inside"),
    ("a 1 " + "9" * 200, "characters long"),
])
def test_malformed_lines_are_named_by_number(line, message):
    with pytest.raises(ExpositionError, match=message) as caught:
        list(samples("# TYPE a counter\n" + line + "\n"))
    assert caught.value.line == 2


@pytest.mark.parametrize("text, expected", [
    ("# HELP x y\nx 1\n", True), ('x{a="b"} 1\n', True), ("\n\n# just a comment\nx 2\n", True),
    ('{"status": "success"}', False), ("not json", False), ("", False),
])
def test_recognised_by_content(text, expected):
    assert looks_like_exposition(text) is expected
