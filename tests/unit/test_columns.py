"""The failure model as columns (what the blast-radius cache stores) and back: the same model."""

from __future__ import annotations

from array import array

import pytest
from hypothesis import given
from hypothesis import strategies as st

from depgraph.failure.columns import _all_within, _alternatives, model_columns, model_from_columns
from depgraph.failure.engine import FailureModel, simulate
from depgraph.load.cache import pack_columns, unpack_columns
from depgraph.load.loader import load_catalog
from tests.helpers import EXAMPLE

ROWS = ("entries", "hard_rev", "dependents", "instance_hosts", "anonymous", "host_services", "rack_hosts",
        "datacenter_hosts", "datacenter_anonymous")
FLAT = ("is_service", "tier", "total", "min_instances", "capacity_nodes", "host_rack", "host_datacenter")


@pytest.fixture(scope="module")
def example():
    model = FailureModel.from_catalog(load_catalog(EXAMPLE))
    columns, kinds = model_columns(model)
    return model, model_from_columns(unpack_columns(pack_columns(columns, kinds)))


@pytest.mark.parametrize("name", ROWS)
def test_every_row_comes_back_equal_and_of_the_same_type(example, name):
    model, back = example
    original, decoded = getattr(model, name), getattr(back, name)
    assert len(decoded) == len(original) > 0
    for i, row in enumerate(original):
        assert decoded[i] == row and type(decoded[i]) is type(row), (name, i)
    assert decoded[-1] == original[-1]


@pytest.mark.parametrize("name", FLAT)
def test_every_flat_column_comes_back_equal(example, name):
    model, back = example
    assert list(getattr(back, name)) == list(getattr(model, name))


def test_every_single_failure_is_answered_the_same(example):
    model, back = example
    for component in model.component_ids():
        assert simulate(back, [component]) == simulate(model, [component]), component


@pytest.mark.parametrize("column, value", [("dependents.values", 10**6), ("hard_rev.lengths", 10**6),
                                           ("instance_hosts.values", 10**6), ("rack_hosts.values", 10**6),
                                           ("entries.first", 10**6), ("entries.lengths", 10**6),
                                           ("host_rack", -2), ("host_datacenter", 10**6)])
def test_a_number_pointing_nowhere_is_refused_up_front(example, column, value):
    model, _ = example
    columns, kinds = model_columns(model)
    columns[column] = [value, *columns[column][1:]]
    with pytest.raises(ValueError):
        model_from_columns(columns)
    with pytest.raises(ValueError):  # as read from an entry: arrays, checked all at once
        model_from_columns(unpack_columns(pack_columns(columns, kinds)))


@given(st.lists(st.lists(st.integers(0, 50), min_size=1, max_size=4), max_size=30))
def test_each_entrys_alternatives_are_its_first_and_the_rest_where_it_has_more(rows):
    first = [row[0] for row in rows]
    more = [number for number, row in enumerate(rows) if len(row) > 1]
    rest = [tuple(rows[number][1:]) for number in more]
    assert _alternatives(first, more, rest, 51) == [tuple(row) for row in rows]


@given(st.sampled_from("bBhHiIlLqQ"), st.data())
def test_a_range_check_of_an_array_agrees_with_min_and_max(typecode, data):
    width = 8 * array(typecode).itemsize
    smallest, largest = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if typecode.islower() else (0, (1 << width) - 1)
    values = array(typecode, data.draw(st.lists(st.integers(smallest, largest), max_size=12)))
    low = data.draw(st.integers(smallest - 2, largest + 2))
    high = data.draw(st.none() | st.integers(smallest - 2, largest + 2))
    expected = all(low <= value and (high is None or value <= high) for value in values)
    assert _all_within(values, low, high) == expected


def test_a_string_column_left_joined_is_counted_up_front_and_split_when_asked():
    raw = pack_columns({"s": ["host:a", "host:b", ""], "none": []}, {"s": "str", "none": "str"})
    columns = unpack_columns(raw, joined=("s", "none"))
    assert columns["s"].size == 3 and columns["s"].split() == ["host:a", "host:b", ""]
    assert columns["none"].split() == []
    miscounted = raw.replace(b'"str",3,', b'"str",4,')
    for joined in ((), ("s",)):
        with pytest.raises(ValueError):
            unpack_columns(miscounted, joined=joined)
