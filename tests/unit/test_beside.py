"""The analysis's graph side on the other core (``depgraph.beside``) gives exactly the Report one
process gives, whatever happens to the child."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from depgraph import analysis, beside
from depgraph.failure.columns import model_columns
from depgraph.load.loader import load_catalog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT / "descriptors")


@pytest.fixture(scope="module")
def alone(catalog):
    return analysis.analyze(catalog)  # the example is below BESIDE_MIN: one process


def same_report(mine, theirs) -> None:
    for field in dataclasses.fields(mine):
        if field.name not in ("model", "built_graph"):  # model: no __eq__; the graph: below
            assert getattr(mine, field.name) == getattr(theirs, field.name), field.name
    assert model_columns(mine.model) == model_columns(theirs.model)
    assert sorted(mine.graph.edges(data=True)) == sorted(theirs.graph.edges(data=True))


def forks(monkeypatch) -> list:
    """Run the graph side beside from any size on; returns the list of Beside objects made."""
    made = []
    real = beside.Beside.__init__

    def spy(self, *args, **kwargs):
        real(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(analysis, "BESIDE_MIN", 0)
    monkeypatch.setattr(beside.Beside, "__init__", spy)
    return made


def test_the_report_is_the_same_with_the_graph_side_on_the_other_core(catalog, alone, monkeypatch):
    assert alone.built_graph is not None and alone.cycles and alone.team_cycles and alone.startup.blocked
    made = forks(monkeypatch)
    two_cores = analysis.analyze(catalog)
    assert [b.forked for b in made] == [True]
    assert two_cores.built_graph is None  # computed over there: the graph is built here when read
    same_report(two_cores, alone)


def test_a_child_that_fails_changes_nothing(catalog, alone, monkeypatch):
    made = forks(monkeypatch)

    def crash(found):
        os._exit(3)  # runs in the child only: the parent packs nothing

    monkeypatch.setattr(analysis, "_pack_structure", crash)
    report = analysis.analyze(catalog)
    assert made[0].forked
    same_report(report, alone)


def test_an_answer_that_does_not_unpack_changes_nothing(catalog, alone, monkeypatch):
    forks(monkeypatch)
    monkeypatch.setattr(analysis, "_pack_structure", lambda found: ("not", "a", "structure"))
    same_report(analysis.analyze(catalog), alone)


def test_an_error_here_leaves_no_child_behind(catalog, monkeypatch):
    made = forks(monkeypatch)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(analysis, "single_points_of_failure", interrupted)
    pids = []
    real_fork = beside.fork_child
    monkeypatch.setattr(beside, "fork_child", lambda produce: pids.append(real_fork(produce)) or pids[-1])
    with pytest.raises(KeyboardInterrupt):
        analysis.analyze(catalog)
    assert made[0].forked
    with pytest.raises(ChildProcessError):  # already killed and reaped: no zombie, no running child
        os.waitpid(pids[0][0], os.WNOHANG)


def test_no_fork_while_another_thread_runs(catalog, alone, monkeypatch):
    import threading

    made = forks(monkeypatch)
    monkeypatch.setattr(os, "fork", lambda: (_ for _ in ()).throw(AssertionError("forked")))
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        report = analysis.analyze(catalog)
    finally:
        stop.set()
        thread.join()
    assert [b.forked for b in made] == [False]
    same_report(report, alone)


def test_the_page_s_report_is_the_same_too(catalog, monkeypatch):
    """``report`` (for_page) also draws the outages and every estimate, and reads the graph."""
    alone = analysis.analyze(catalog, for_page=True)
    made = forks(monkeypatch)
    two_cores = analysis.analyze(catalog, for_page=True)
    assert [b.forked for b in made] == [True] and two_cores.outages
    same_report(two_cores, alone)
