"""Loading with worker processes (``--jobs``): the same answer as one process, the same
diagnostics, and clean refusals of a bad count."""

from __future__ import annotations

import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor

import pytest

from depgraph.load.files import discover_paths_with_stat
from depgraph.load.limits import Limits
from depgraph.load.loader import _chunks, _read_chunk, _worker_setup, load_catalog, loading_jobs
from tests.helpers import EXAMPLE, assert_clean, copy_example, depgraph


def test_two_jobs_give_the_same_document_as_one():
    one = depgraph("--jobs", "1", "analyze", "-d", EXAMPLE, "--format", "json")
    assert_clean(one, 0)
    for jobs in ("2", "3"):
        more = depgraph("--jobs", jobs, "analyze", "-d", EXAMPLE, "--format", "json")
        assert_clean(more, 0)
        assert more.stdout == one.stdout


def test_a_broken_file_read_by_a_worker_is_reported_at_its_line(tmp_path):
    root = copy_example(tmp_path / "descriptors")
    files = sorted(root.rglob("*.yaml"))
    for path in (files[0], files[-1]):  # the first chunk and the last: a worker's and this process's
        path.write_text(path.read_text() + "broken: [unclosed\n")
    one, two = (depgraph("--jobs", jobs, "validate", "-d", root) for jobs in ("1", "2"))
    assert_clean(two, 2)
    assert two.stdout == one.stdout and two.stderr == one.stderr
    for path in (files[0], files[-1]):
        assert re.search(rf"^{re.escape(str(path))}:\d+:\d+: error: YAML syntax", two.stdout, re.M)


def test_diagnostics_come_back_from_a_spawned_worker_whole(tmp_path):
    (tmp_path / "a.yaml").write_text("kind: service\nname: a\nowner: [x\n")
    found = discover_paths_with_stat(tmp_path, folders=True)
    with ProcessPoolExecutor(1, multiprocessing.get_context("spawn"), initializer=_worker_setup) as pool:
        _, diagnostics, files, _ = pool.submit(_read_chunk, str(tmp_path), Limits(), _chunks(found, 4)[0]).result()
    assert files == [str(tmp_path / "a.yaml")]
    assert [(d.file, d.line, d.severity) for d in diagnostics] == [(str(tmp_path / "a.yaml"), 4, "error")]


def test_the_pool_builds_the_same_catalog_as_one_process():
    one, two = load_catalog(EXAMPLE, Limits(jobs=1)), load_catalog(EXAMPLE, Limits(jobs=2))
    assert one.services == two.services and one.hosts == two.hosts and one.files == two.files
    assert one.diagnostics == two.diagnostics


def test_the_automatic_count_is_one_for_a_small_tree():
    found = discover_paths_with_stat(EXAMPLE, folders=True)
    assert loading_jobs(None, found) == 1
    assert loading_jobs(4, found[:2]) == 2
    assert repr(Limits(jobs=2)) == repr(Limits())  # the model cache's key does not change


@pytest.mark.parametrize("value", ["0", "-1", "abc"])
def test_a_bad_count_is_refused_with_a_message(value):
    for args, env in ((["--jobs", value], None), ([], {"DEPGRAPH_JOBS": value})):
        proc = depgraph(*args, "validate", "-d", EXAMPLE, env=env)
        assert_clean(proc, 2)
        assert "--jobs" in proc.stderr and value in proc.stderr
