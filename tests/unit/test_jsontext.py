"""Every JSON document depgraph prints goes through ``jsontext``: the data of ``json.dumps``, in
one layout (outer structure indented, one record or list of plain values per line), whatever it
is given."""

from __future__ import annotations

import enum
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from depgraph.output.jsontext import dumps
from tests.helpers import examples


def flat(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def is_container(value) -> bool:
    return isinstance(value, (dict, list, tuple))


def height(value) -> int:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return 1 + max((height(item) for item in value), default=0)
    return 0


def reference(value, indent: str = "") -> str:
    """The layout, spelled out plainly: a second implementation to compare with byte for byte."""
    inner = indent + "  "
    if isinstance(value, dict):
        if not value or any(type(key) is not str for key in value):
            return flat(value)
        items = []
        records = indent != "" and all(isinstance(item, dict) and height(item) <= 2 for item in value.values())
        for key in sorted(value):
            item = value[key]
            plain = records or not is_container(item) or (isinstance(item, (list, tuple)) and height(item) <= 1)
            text = flat(item) if plain else reference(item, inner)
            items.append(f"{inner}{flat(key)}: {text}")
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, (list, tuple)):
        if height(value) <= 1:
            return flat(value)
        items = [inner + (flat(item) if not is_container(item) or height(item) <= 2 else reference(item, inner))
                 for item in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return flat(value)


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text())
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=6), st.tuples(children, children),
                               st.dictionaries(st.text(max_size=8), children, max_size=6)),
    max_leaves=40,
)


@settings(max_examples=examples(100), deadline=None)
@given(documents)
def test_the_layout_holds_the_data_of_the_standard_library(document):
    text = dumps(document)
    assert text == reference(document)
    same = json.dumps(json.loads(text), sort_keys=True)  # compared as text: NaN is not equal to itself
    assert same == json.dumps(json.loads(json.dumps(document)), sort_keys=True)


def test_records_and_lists_of_ids_take_one_line_each():
    document = {"schema": "depgraph/analysis/v1", "summary": {"services": 2, "by": {"error": 1}},
                "spofs": [{"component": "host:h1", "down": ["service:a", "service:b"], "down_count": 2},
                          {"component": "host:h2", "down": [], "down_count": 0}],
                "waves": [["service:a"], ["service:b"]]}
    assert dumps(document) == (
        '{\n'
        '  "schema": "depgraph/analysis/v1",\n'
        '  "spofs": [\n'
        '    {"component": "host:h1", "down": ["service:a", "service:b"], "down_count": 2},\n'
        '    {"component": "host:h2", "down": [], "down_count": 0}\n'
        '  ],\n'
        '  "summary": {\n'
        '    "by": {\n'
        '      "error": 1\n'
        '    },\n'
        '    "services": 2\n'
        '  },\n'
        '  "waves": [\n'
        '    ["service:a"],\n'
        '    ["service:b"]\n'
        '  ]\n'
        '}')


def test_a_map_of_records_below_the_top_takes_one_line_per_record():
    document = {"reasons": {"service:b": {"via": "service:a", "hops": 1}, "service:c": {"via": "service:b", "hops": 2}},
                "summary": {"by": {"error": 1}, "services": 2}}
    assert dumps(document) == (
        '{\n'
        '  "reasons": {\n'
        '    "service:b": {"hops": 1, "via": "service:a"},\n'
        '    "service:c": {"hops": 2, "via": "service:b"}\n'
        '  },\n'
        '  "summary": {\n'
        '    "by": {\n'
        '      "error": 1\n'
        '    },\n'
        '    "services": 2\n'
        '  }\n'
        '}')
    assert dumps({"a": {"x": 1}}) == '{\n  "a": {\n    "x": 1\n  }\n}'  # the document itself is no map


def test_a_record_holding_records_is_spread_over_lines():
    document = [{"members": ["team:a", "team:b"], "edges": [{"source": "team:a", "target": "team:b"}]}]
    assert dumps(document) == (
        '[\n'
        '  {\n'
        '    "edges": [\n'
        '      {"source": "team:a", "target": "team:b"}\n'
        '    ],\n'
        '    "members": ["team:a", "team:b"]\n'
        '  }\n'
        ']')


class Level(str, enum.Enum):
    gold = "gold"


def test_odd_values_are_written_as_the_standard_library_writes_them():
    mixed = {"ids": ["service:a", 1, 2.5, None, True], "keys": {2: "two", 1: [Level.gold]},
             "text": "naïve\u202e\ud800", "empty": [[], {}, ()], "nan": float("nan")}
    assert dumps(mixed) == reference(mixed)
    assert '"keys": {"1": ["gold"], "2": "two"}' in dumps(mixed)
    assert json.loads(dumps(mixed))["ids"] == ["service:a", 1, 2.5, None, True]


def test_what_json_cannot_write_is_refused_as_json_refuses_it():
    try:
        json.dumps({"a": {1, 2}})
    except TypeError as expected:
        message = str(expected)
    try:
        dumps({"a": {1, 2}})
    except TypeError as got:
        assert str(got) == message
    else:
        raise AssertionError("a set was written as JSON")
