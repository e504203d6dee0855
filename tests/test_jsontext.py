"""Every JSON document depgraph prints goes through ``jsontext.dumps``: it must give exactly the
bytes of ``json.dumps(indent=2, sort_keys=True, ensure_ascii=False)``, whatever it is given."""

from __future__ import annotations

import enum
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from depgraph.jsontext import dumps


def reference(obj) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False)


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text())
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=6), st.tuples(children, children),
                               st.dictionaries(st.text(max_size=8), children, max_size=6)),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_same_text_as_the_standard_library(document):
    assert dumps(document) == reference(document)


class Level(str, enum.Enum):
    gold = "gold"


def test_odd_values_fall_back_to_the_standard_library():
    mixed = {"ids": ["service:a", 1, 2.5, None, True], "keys": {2: "two", 1: [Level.gold]},
             "text": "naïve\u202e\ud800", "empty": [[], {}, ()]}
    assert dumps(mixed) == reference(mixed)
    assert json.loads(dumps(mixed))["ids"] == ["service:a", 1, 2.5, None, True]


def test_what_json_cannot_write_is_refused_as_json_refuses_it():
    try:
        reference({"a": {1, 2}})
    except TypeError as expected:
        message = str(expected)
    try:
        dumps({"a": {1, 2}})
    except TypeError as got:
        assert str(got) == message
    else:
        raise AssertionError("a set was written as JSON")
