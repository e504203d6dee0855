"""The failure model as columns (what the blast-radius cache stores) and back: the same model."""

from __future__ import annotations

from itertools import accumulate

import pytest
from hypothesis import given
from hypothesis import strategies as st

from depgraph.failure.columns import _alternatives, model_columns, model_from_columns
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
                                           ("instance_hosts.values", 10**6), ("rack_hosts.values", 10**6)])
def test_a_number_pointing_nowhere_is_refused_up_front(example, column, value):
    model, _ = example
    columns, _ = model_columns(model)
    columns[column] = [value, *columns[column][1:]]
    with pytest.raises(ValueError):
        model_from_columns(columns)


@given(st.lists(st.lists(st.integers(0, 50), max_size=4), max_size=30))
def test_each_entrys_alternatives_are_cut_where_its_offsets_say(rows):
    lengths = [len(row) for row in rows]
    values = [value for row in rows for value in row]
    offsets = list(accumulate(lengths, initial=0))
    assert _alternatives(offsets, lengths, values) == [tuple(row) for row in rows]
