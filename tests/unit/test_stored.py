"""A blast-radius cache entry read back (depgraph.failure.stored): the same answers as the tree
it was made from, and an entry whose columns were rewritten (a valid checksum over bad content:
anyone can compute one) is a miss or a model that answers every question without a traceback."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from depgraph.analyses.blast import blast_radius
from depgraph.diagnostics import DepgraphError
from depgraph.failure import stored
from depgraph.failure.engine import FailureModel
from depgraph.load.cache import pack_columns, unpack_columns
from depgraph.load.loader import load_catalog
from depgraph.reporters import render
from tests.helpers import EXAMPLE, examples


class Example(tuple):
    def __repr__(self) -> str:  # a failing example names the tree, not its 300 kB
        return "Example(descriptors)"


@pytest.fixture(scope="module")
def example():
    catalog = load_catalog(EXAMPLE)
    model = FailureModel.from_catalog(catalog)
    return Example((catalog, model, stored.encode(catalog, model)))


def answers(catalog, model) -> dict[str, str]:
    return {component: render("blast-radius", "json", blast_radius(catalog, model, [component]))
            + render("blast-radius", "text", blast_radius(catalog, model, [component]), verbose=True)
            for component in model.component_ids()}


def test_every_answer_from_an_entry_is_the_answer_from_the_tree(example):
    catalog, model, payload = example
    assert answers(*stored.decode(payload)) == answers(catalog, model)


def test_the_slim_catalog_holds_what_answers_read(example):
    catalog, _, payload = example
    slim, _ = stored.decode(payload)
    assert list(slim.services) == list(catalog.services)
    for name, service in catalog.services.items():
        cached = slim.services[name]
        assert (cached.id, cached.owner, cached.tier, cached.lifecycle, cached.start_time, cached.rto) == \
            (service.id, service.owner, service.tier, service.lifecycle, service.start_time, service.rto)
    assert slim.teams == {name: type(team)(team.name, team.tribe, team.contact, team.labels)
                          for name, team in catalog.teams.items()}
    assert slim.diagnostics == catalog.diagnostics and slim.files == catalog.files


def _kinds(columns) -> dict[str, str]:
    return {name: "str" if isinstance(values, list) and values and isinstance(values[0], str) or name.endswith(
        (".ids", ".names", ".owners", ".lifecycles", ".files", ".json")) else "int" for name, values in columns.items()}


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_an_entry_with_rewritten_columns_is_a_miss_or_answers_without_a_traceback(example, data):
    _, _, payload = example
    columns = {name: list(values) for name, values in unpack_columns(payload).items()}
    kinds = _kinds(columns)
    for _ in range(data.draw(st.integers(1, 3))):
        name = data.draw(st.sampled_from(sorted(columns)))
        values = columns[name]
        if kinds[name] == "str":
            if name == "catalog.json":
                text = data.draw(st.sampled_from(['{"root": 1}', '[]', '{"root": ".", "teams": [[1, null, {}, {}]], '
                                                  '"datacenters": [], "diagnostics": []}',
                                                  values[0].replace('"', "'", 1), values[0].replace("[", "{", 1)]))
                columns[name] = [text]
            else:
                columns[name] = data.draw(st.lists(st.sampled_from([*values[:5], "x", "service:x", ""]), max_size=8)
                                          | st.just(values[:-1]))
        else:
            edit = data.draw(st.sampled_from(["one", "shorter", "longer", "random"]))
            if edit == "one" and values:
                values[data.draw(st.integers(0, len(values) - 1))] = data.draw(st.integers(-3, 300))
            elif edit == "shorter":
                del values[-1:]
            elif edit == "longer":
                values.append(data.draw(st.integers(0, 300)))
            else:
                columns[name] = data.draw(st.lists(st.integers(-1, 300), max_size=12))
    found = stored.decode(pack_columns(columns, kinds))
    if found is not None:
        catalog, model = found
        for component in model.component_ids():
            try:  # a rewritten kind can make an id name no component: a message, not a traceback
                radius = blast_radius(catalog, model, [component])
            except DepgraphError:
                continue
            for format in ("json", "text"):
                render("blast-radius", format, radius, verbose=True)
