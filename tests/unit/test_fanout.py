"""Loading on two cores (``depgraph.load.fanout``) finds exactly what one process reading every file in
order finds: the same entities, warnings and errors at the same places, whatever goes wrong."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import pytest

from depgraph.load import fanout
from depgraph.diagnostics import DescriptorError
from depgraph.load.loader import load_catalog
from depgraph.load.limits import DEFAULT_LIMITS

ROOT = Path(__file__).resolve().parents[2]

BROKEN = {  # every kind of problem, spread over many files so both processes meet some
    "teams.yaml": "- {kind: team, name: core, tribe: platform}\n",
    "dcs.yaml": "- {kind: datacenter, name: lon1}\n- {kind: datacenter, name: sto1}\n",
    "hosts.yaml": "".join(f"- {{kind: host, name: h{i}, datacenter: lon1, rack: r{i % 3}}}\n" for i in range(40)),
    "services/a.yaml": "kind: service\nname: a\nowner: core\ndependencies: [b, nosuch]\n",
    "services/b.yaml": "kind: service\nname: b\nowner: core\ndeployments:\n  - {datacenter: lon1, hosts: [h1, h2]}\n",
    "services/c.yaml": "kind: service\nname: c\nowner: ghost\nflavour: vanilla\n",
    "services/d.yaml": "kind: service\nname: d\nname: d2\n",
    "services/e.yaml": "kind: service\n  name: [unclosed\n",
    "services/f.yaml": "- just a string\n- kind: client\n  name: app\n  dependencies: [a]\n",
    "services/g.yaml": "kind: service\nname: g\ntier: 9\n",
    "services/h.yaml": b"\xff\xfe k\x00i\x00",
    "services/i.yaml": "kind: service\nname: a\n",
    "services/j1.yaml": "kind: service\nname: j\n",  # neighbours: one in each process
    "services/j2.yaml": "kind: service\nname: j\n",
    **{f"more/s{i:02d}.yaml": f"kind: service\nname: s{i:02d}\ndependencies: [b]\n" for i in range(30)},
}


def load(root, parallel: bool, limits=DEFAULT_LIMITS):
    """``(catalog or None, diagnostics)`` with the helper process forced on or off."""
    saved = fanout.worth_it
    fanout.worth_it = (lambda sizes: len(sizes) >= 2) if parallel else (lambda sizes: False)
    try:
        catalog = load_catalog(root, limits)
        return catalog, catalog.diagnostics
    except DescriptorError as exc:
        return None, exc.diagnostics
    finally:
        fanout.worth_it = saved


def same(root, limits=DEFAULT_LIMITS):
    one_core, two_cores = load(root, False, limits), load(root, True, limits)
    assert two_cores[1] == one_core[1]
    if one_core[0] is not None:
        for field in dataclasses.fields(one_core[0]):
            mine, theirs = getattr(two_cores[0], field.name), getattr(one_core[0], field.name)
            assert mine == theirs, field.name
            if isinstance(mine, dict):
                assert list(mine) == list(theirs), field.name  # the same order too
    return one_core


@pytest.fixture
def broken(tree):
    files = {k: (v if isinstance(v, bytes) else v) for k, v in BROKEN.items()}
    return tree(files)


def test_the_example_landscape_loads_the_same_on_two_cores():
    catalog, _ = same(ROOT / "descriptors")
    assert len(catalog.services) > 40


def test_a_tree_full_of_errors_gives_the_same_errors_in_the_same_order(broken):
    catalog, diagnostics = same(broken)
    assert catalog is None
    messages = "\n".join(str(d) for d in diagnostics)
    assert any(d.file.endswith("j2.yaml") and "also declared at" in d.message and "j1.yaml" in d.message
               for d in diagnostics)
    for expected in ("unknown service 'nosuch'", "duplicate key", "UTF-16", "flavour", "tier", "YAML syntax"):
        assert expected in messages, expected


@pytest.fixture
def shares(monkeypatch):
    """Who read what: ``taken`` (the chunks this process took a ticket for), ``read`` (the files it
    read itself, its own chunks and any the helper did not deliver), ``answers`` (what
    ``_collect`` returned: the helper's chunks by number, or None) and ``bounds`` (the last load's
    chunks)."""
    parent = os.getpid()
    record = dataclasses.make_dataclass("Shares", ["taken", "read", "answers", "bounds"])([], [], [], [])
    real_take, real_read, real_collect, real_chunks = fanout._take, fanout._read_chunk, fanout._collect, fanout.chunks

    def chunks(sizes):
        record.bounds = real_chunks(sizes)
        return record.bounds

    def take(tickets):
        number = real_take(tickets)
        if os.getpid() == parent and number is not None:
            record.taken.append(number)
        return number

    def read(reader, files):
        if os.getpid() == parent:
            record.read.extend(display for display, *_ in files)
        return real_read(reader, files)

    def collect(pid, read_end):
        record.answers.append(real_collect(pid, read_end))
        return record.answers[-1]

    monkeypatch.setattr(fanout, "chunks", chunks)
    monkeypatch.setattr(fanout, "_take", take)
    monkeypatch.setattr(fanout, "_read_chunk", read)
    monkeypatch.setattr(fanout, "_collect", collect)
    return record


def slow_here(monkeypatch, seconds, only=None):
    """This process (not the helper) takes ``seconds`` more per file (or per file named ``only``)."""
    parent, real = os.getpid(), fanout._read_one

    def slow(reader, display, path):
        if os.getpid() == parent and (only is None or display.endswith(only)):
            time.sleep(seconds)
        return real(reader, display, path)

    monkeypatch.setattr(fanout, "_read_one", slow)


def test_chunks_are_consecutive_and_cost_about_the_same():
    def check(sizes):
        bounds = fanout.chunks(sizes)
        assert bounds[0][0] == 0 and bounds[-1][1] == len(sizes) and len(bounds) <= fanout.MAX_CHUNKS
        assert all(start < end for start, end in bounds) and all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
        share = (sum(sizes) + fanout.FILE_COST * len(sizes)) / min(fanout.MAX_CHUNKS, len(sizes))
        for start, end in bounds:  # at most a share, plus the costliest file it holds
            costs = [size + fanout.FILE_COST for size in sizes[start:end]]
            assert sum(costs) <= share + max(costs)
        return bounds

    assert check([10, 20, 30]) == [(0, 1), (1, 2), (2, 3)]
    assert {end - start for start, end in check([900] * 20_000)} == {78, 79}
    # 156 host inventories of 170 KB after 20,000 service files of 900 bytes, as a tree may sort them:
    # by file count, the last run would hold two thirds of the host files, 40% of all the work.
    bounds = check([900] * 20_000 + [170_000] * 156)
    assert len(bounds) > fanout.MAX_CHUNKS * 0.9
    assert max(end - start for start, end in bounds if start >= 20_000) <= 2
    assert (1, 2) in check([10, 10_000_000, 10, 10])  # a huge file is a run of its own
    assert check([10_000_000, 10, 10, 10])[0] == (0, 1)


def test_the_helper_really_runs(broken, monkeypatch, shares):
    slow_here(monkeypatch, 0.02)  # the helper has time to start and take tickets
    same(broken)
    delivered = shares.answers[0]
    assert delivered and shares.taken  # both processes read some chunks
    assert not set(delivered) & set(shares.taken)  # a ticket goes to one process only
    assert sorted([*delivered, *shares.taken]) == list(range(len(shares.bounds)))
    assert len(shares.read) == sum(end - start for start, end in (shares.bounds[n] for n in shares.taken))
    assert len(shares.bounds) > 20  # small files, about one a chunk


def test_a_slow_helper_leaves_most_chunks_to_this_process(broken, monkeypatch, shares):
    real = fanout._encode_chunk
    monkeypatch.setattr(fanout, "_encode_chunk", lambda found: time.sleep(0.3) or real(found))  # in the helper
    same(broken)
    assert len(shares.taken) >= len(shares.bounds) * 3 // 4
    assert len(shares.answers[0]) <= len(shares.bounds) // 4
    assert sorted([*shares.answers[0], *shares.taken]) == list(range(len(shares.bounds)))


def test_a_helper_that_dies_holding_tickets_changes_nothing(broken, monkeypatch, shares):
    slow_here(monkeypatch, 0.01)
    encoded = []
    real = fanout._encode_chunk

    def die_after_the_first_chunk(found):  # runs in the helper only
        encoded.append(1)
        if len(encoded) == 2:
            os._exit(1)
        return real(found)

    monkeypatch.setattr(fanout, "_encode_chunk", die_after_the_first_chunk)
    same(broken)
    assert shares.answers == [None]
    assert len(shares.taken) < len(shares.bounds)  # the helper took tickets ...
    assert sorted(shares.read) == sorted(str(broken / name) for name in BROKEN)  # ... and their chunks were read here


def test_a_helper_that_sends_garbage_changes_nothing(broken, monkeypatch, shares):
    import marshal

    slow_here(monkeypatch, 0.01)  # the helper takes most tickets
    answers = [
        b"\x00 no marshal data",
        marshal.dumps([(1, marshal.dumps([([], [], ["x.yaml"])]))])[:-3],  # cut short
        marshal.dumps([(0, marshal.dumps([])), (999, marshal.dumps([([], [], [])])), ("x", 1), (4, b"\x00"),
                       (2, marshal.dumps([((77, 1), [], [])])),
                       (3, marshal.dumps([([], [], []), ([], [], [])]))]),  # every chunk wrong in its own way
        marshal.dumps(17),
    ]
    started, real_start = [], fanout._start_helper

    def garbage(reader, files, bounds, tickets):  # the helper takes tickets, reads nothing, answers this
        while fanout._take(tickets) is not None:
            pass
        return answers[len(started) - 1]  # a forked helper sees the parent's count at its start

    monkeypatch.setattr(fanout, "_start_helper", lambda *args: started.append(1) or real_start(*args))
    monkeypatch.setattr(fanout, "_help", garbage)
    for _ in range(4):
        same(broken)
    assert [answer is None for answer in shares.answers] == [True, True, False, True]
    assert sorted(shares.answers[2]) == [0, 3, 999]  # what decoded; none of it has the right shape
    assert len(shares.read) == 4 * len(BROKEN)  # so every file was read here, every time


def test_a_failing_helper_changes_nothing(broken, monkeypatch):
    expected = load(broken, False)[1]

    def explode(objects):
        raise RuntimeError("helper crashed")

    monkeypatch.setattr(fanout, "encode_all", explode)  # runs in the forked helper: it exits 1
    assert load(broken, True)[1] == expected


def test_a_lost_helper_changes_nothing(broken, monkeypatch):
    expected = load(broken, False)[1]
    monkeypatch.setattr(fanout, "_collect", lambda pid, read_end: None)
    assert load(broken, True)[1] == expected


def test_the_entity_limit_counts_across_both_processes(tree):
    files = {f"s{i:02d}.yaml": f"kind: service\nname: s{i:02d}\nflavour: {i}\n" for i in range(12)}
    root = tree(files)
    limits = dataclasses.replace(DEFAULT_LIMITS, max_entities=7)
    _, diagnostics = same(root, limits)
    assert [d.code for d in diagnostics].count("limit") == 1
    limit = next(d for d in diagnostics if d.code == "limit")
    assert limit.file.endswith("s07.yaml")  # the eighth entity, in file order
    assert sum("flavour" in d.message for d in diagnostics) == 7  # nothing past the limit is checked


def test_the_entity_limit_is_met_in_file_order_even_when_each_process_stays_under_it(tree, monkeypatch, shares):
    # One process has three entities when a2.yaml's mapping comes, so it reports the limit there; split
    # over two processes, neither reaches three, and a2.yaml's mapping alone would only be an unknown kind.
    slow_here(monkeypatch, 0.3, only="a0.yaml")  # the helper takes a1.yaml and a2.yaml meanwhile
    root = tree({"a0.yaml": "kind: team\nname: core\ntribe: p\n",
                 "a1.yaml": "- {kind: service, name: s1, owner: core}\n- {kind: service, name: s2, owner: core}\n",
                 "a2.yaml": "kind: bogus\nname: x\n"})
    _, diagnostics = same(root, dataclasses.replace(DEFAULT_LIMITS, max_entities=3))
    assert [d.code for d in diagnostics if d.severity == "error"] == ["limit"]
    assert diagnostics[-1].file.endswith("a2.yaml")
    assert shares.answers[0] and shares.taken == [0]


def test_every_model_class_round_trips_through_plain_data():
    catalog = load_catalog(ROOT / "descriptors")
    objects = [*catalog.services.values(), *catalog.clients.values(), *catalog.hosts.values(),
               *catalog.datacenters.values(), *catalog.teams.values(), *catalog.diagnostics]
    assert fanout.decode_all(fanout.encode_all(objects)) == objects


def test_an_interrupted_load_leaves_no_helper_behind(broken, monkeypatch):
    import os

    from depgraph.load import loader

    helpers = []
    real_start = fanout._start_helper
    monkeypatch.setattr(fanout, "_start_helper", lambda *args: helpers.append(real_start(*args)) or helpers[-1])
    calls = []
    real_read = loader._Reader.read_path

    def interrupted(self, display, path):
        calls.append(display)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_read(self, display, path)

    monkeypatch.setattr(loader._Reader, "read_path", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load(broken, True)
    pid, _ = helpers[0]
    with pytest.raises(ChildProcessError):  # already reaped: no zombie, no running helper
        os.waitpid(pid, os.WNOHANG)


def test_an_interrupt_while_waiting_for_the_helper_leaves_no_helper_behind(broken, monkeypatch):
    parent, helpers = os.getpid(), []
    real_start, real_fdopen, real_encode = fanout._start_helper, os.fdopen, fanout._encode_chunk
    monkeypatch.setattr(fanout, "_start_helper", lambda *args: helpers.append(real_start(*args)) or helpers[-1])
    monkeypatch.setattr(fanout, "_encode_chunk", lambda found: time.sleep(0.2) or real_encode(found))  # in the helper

    class Interrupted:
        def __init__(self, fd, mode):
            self.pipe = real_fdopen(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.pipe.close()

        def read(self, *args):
            raise KeyboardInterrupt  # Ctrl-C while this process waits for the helper's answer

    monkeypatch.setattr(fanout.os, "fdopen", lambda fd, mode="r": Interrupted(fd, mode) if os.getpid() == parent
                        else real_fdopen(fd, mode))
    with pytest.raises(KeyboardInterrupt):
        load(broken, True)
    pid, _ = helpers[0]
    with pytest.raises(ChildProcessError):  # killed and reaped
        os.waitpid(pid, os.WNOHANG)


@pytest.fixture
def another_thread():
    """A second thread alive for the test, as the progress line's refresh thread is on a terminal."""
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join()


def test_no_fork_while_another_thread_runs_a_fresh_interpreter_helps_instead(broken, another_thread, monkeypatch):
    expected = load(broken, False)[1]

    def no_fork():
        raise AssertionError("forked while another thread runs")

    monkeypatch.setattr(fanout.os, "fork", no_fork)
    monkeypatch.setattr(fanout, "SPAWN_MIN_BYTES", 0)
    spawned, answers = [], []
    real_spawn, real_collect = fanout._spawn_helper, fanout._collect
    monkeypatch.setattr(fanout, "_spawn_helper", lambda *args: spawned.append(real_spawn(*args)) or spawned[-1])
    monkeypatch.setattr(fanout, "_collect", lambda pid, read_end: answers.append(real_collect(pid, read_end)) or answers[-1])
    assert load(broken, True)[1] == expected
    assert spawned and spawned[0] is not None and answers[0] is not None  # the spawned helper read its share


def test_a_small_tree_is_read_here_while_another_thread_runs(broken, another_thread, monkeypatch):
    monkeypatch.setattr(fanout.os, "fork", lambda: (_ for _ in ()).throw(AssertionError("forked")))
    monkeypatch.setattr(fanout.os, "posix_spawn", lambda *a, **k: (_ for _ in ()).throw(AssertionError("spawned")))
    catalog, diagnostics = load(broken, True)
    assert diagnostics == load(broken, False)[1]


def test_a_fresh_interpreter_helper_shares_the_work_too(broken, another_thread, monkeypatch, shares):
    monkeypatch.setattr(fanout.os, "fork", lambda: (_ for _ in ()).throw(AssertionError("forked")))
    monkeypatch.setattr(fanout, "SPAWN_MIN_BYTES", 0)
    slow_here(monkeypatch, 0.05)  # ~2 s for every file here: the helper's start-up is ~0.2 s
    same(broken)
    delivered = shares.answers[0]
    assert delivered and shares.taken
    assert sorted([*delivered, *shares.taken]) == list(range(len(shares.bounds)))
