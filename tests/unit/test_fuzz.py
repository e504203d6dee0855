"""Property-based fuzzing of loading and analysis (hypothesis).

Loading anything - random YAML structures, YAML-like token soup, random bytes, mutated files of
the bundled landscape - either succeeds or fails with ``DescriptorError``/``DepgraphError`` whose
diagnostics are well formed; never another exception. On generated valid landscapes the analyses
keep their invariants: failing more never shrinks what is down, removing a dependency never adds
a single point of failure, and the analysis JSON is the same on every run and file order.

Budget: the ``depgraph-fuzz-ci`` profile keeps this file under a minute. ``DEPGRAPH_FUZZ=long``
selects ``depgraph-fuzz-long`` (50x the examples) for a run on demand:

    DEPGRAPH_FUZZ=long python -m pytest tests/unit/test_fuzz.py -q

The profiles are applied per test (no global ``load_profile``), so other test files keep theirs.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from depgraph.analyses.spof import single_points_of_failure
from depgraph.analysis import analyze
from depgraph.reporters.jsondoc import analysis_json as analysis_to_json
from depgraph.diagnostics import DepgraphError, DescriptorError
from depgraph.failure.engine import FailureModel, simulate
from depgraph.load.loader import load_sources
from depgraph.load.schema import FIELDS
from depgraph.model import Catalog

settings.register_profile("depgraph-fuzz-ci", max_examples=60, deadline=None, derandomize=False,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("depgraph-fuzz-long", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = "depgraph-fuzz-long" if os.environ.get("DEPGRAPH_FUZZ") == "long" else "depgraph-fuzz-ci"
FUZZ = settings(settings.get_profile(PROFILE))

LANDSCAPE = Path(__file__).resolve().parents[2] / "descriptors"
LANDSCAPE_FILES = sorted((str(p.relative_to(LANDSCAPE)), p.read_bytes()) for p in LANDSCAPE.rglob("*.yaml"))


# --- the property every load must have -------------------------------------------------------

def load_or_clean_error(sources: list[tuple[str, bytes]]) -> Catalog | None:
    """Load ``sources``; an error must be a DepgraphError whose diagnostics are well formed."""
    try:
        catalog = load_sources(sources, root="fuzz")
    except DescriptorError as exc:
        names = {name for name, _ in sources}
        assert exc.errors, "DescriptorError without an error"
        for diagnostic in exc.diagnostics:
            assert diagnostic.file in names, diagnostic
            assert diagnostic.line >= 1 and diagnostic.col >= 1, diagnostic
            assert diagnostic.message and "\n" not in diagnostic.message, diagnostic
        return None
    except DepgraphError:
        return None
    analysis_to_json(analyze(catalog))  # whatever loads can be analysed
    return catalog


# --- loading: random input -----------------------------------------------------------------------

FIELD_NAMES = sorted({f for fields in FIELDS.values() for f in fields} | {
    "service", "any_of", "type", "hosts", "instances", "url", "title", "<<", "build", "runbook"})
KINDS = ["service", "client", "host", "datacenter", "team", "rack", "Service"]
NAMES = ["a", "b", "db", "lon1", "sto1", "h1", "squad", "x" * 300, "Bad Name", "", "lon1/a"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 2**70), st.floats(allow_nan=True),
                    st.sampled_from(KINDS + NAMES + ["hard", "soft", "n/a", "production"]), st.text(max_size=12))
yaml_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=6),
                                                      st.integers(0, 3)), inner, max_size=6)),
    max_leaves=30)
entity_like = st.fixed_dictionaries({"kind": st.sampled_from(KINDS), "name": st.sampled_from(NAMES)},
                                    optional={k: yaml_values for k in FIELD_NAMES if k not in ("kind", "name")})


@FUZZ
@given(st.lists(st.one_of(entity_like, st.lists(entity_like, max_size=3), yaml_values), min_size=1, max_size=4))
def test_random_yaml_structures_load_or_fail_cleanly(documents):
    text = yaml.safe_dump_all(documents, allow_unicode=True)
    load_or_clean_error([("fuzz/random.yaml", text.encode("utf-8"))])


TOKENS = ["kind: service\n", "kind: host\n", "kind: datacenter\n", "name: a\n", "name: lon1\n", "datacenter: lon1\n",
          "dependencies:\n", "deployments:\n", "  - ", "- ", "  ", "    ", "\t", "hosts: [h1]\n", "instances: 2\n",
          "any_of: [a, b]\n", "&a ", "*a", "*b", "<<: ", "<<: *a\n", "[", "]", "{", "}", ": ", ", ", "\n", "? ",
          "---\n", "...\n", "!!python/object:os.system ", "!!int ", "!!binary ", "!local ", "|\n", ">-\n", "'", '"',
          "#", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "~", "null", "true", "1e999", "0x1f", "12:30:00", "\r\n",
          "\ufeff", "\x00", "\x85", "\u2028", "é", "𝔡"]


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_yaml_like_token_soup_loads_or_fails_cleanly(tokens):
    load_or_clean_error([("fuzz/soup.yaml", "".join(tokens).encode("utf-8", "surrogatepass"))])


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_load_or_fail_cleanly(data):
    load_or_clean_error([("fuzz/bytes.yaml", data)])


# --- loading: mutated files of the bundled landscape ---------------------------------------------

def mutate(data: bytes, operations: list[tuple[int, int, int]]) -> bytes:
    """Apply ``(operation, position, value)`` mutations: byte flips, line deletions and
    duplications, re-indentation, swapped lines, inserted YAML punctuation."""
    for operation, position, value in operations:
        lines = data.split(b"\n")
        line = position % len(lines)
        if operation == 0 and data:
            i = position % len(data)
            data = data[:i] + bytes([data[i] ^ (1 << (value % 8))]) + data[i + 1:]
            continue
        if operation == 1 and len(lines) > 1:
            del lines[line]
        elif operation == 2:
            lines.insert(line, lines[line])
        elif operation == 3:
            lines[line] = b" " * (value % 7) + lines[line].lstrip()
        elif operation == 4:
            other = value % len(lines)
            lines[line], lines[other] = lines[other], lines[line]
        elif operation == 5:
            piece = [b"&a ", b"*a", b"<<: *a", b"[", b"]", b"{", b": ", b"- ", b"\t", b"~", b"!!str ", b"? "][value % 12]
            cut = value % (len(lines[line]) + 1)
            lines[line] = lines[line][:cut] + piece + lines[line][cut:]
        data = b"\n".join(lines)
    return data


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(range(len(LANDSCAPE_FILES))),
                          st.lists(st.tuples(st.integers(0, 5), st.integers(0, 10**6), st.integers(0, 255)),
                                   min_size=1, max_size=4)), min_size=1, max_size=3))
def test_mutated_landscape_files_load_or_fail_cleanly(mutations):
    sources = dict(LANDSCAPE_FILES)
    for index, operations in mutations:
        name = LANDSCAPE_FILES[index][0]
        sources[name] = mutate(sources[name], operations)
    load_or_clean_error(sorted(sources.items()))


# --- analysis invariants on generated valid landscapes ---------------------------------------------

@st.composite
def landscapes(draw) -> dict[str, bytes]:
    """A valid descriptor tree: data centers, racked hosts, services deployed on hosts or as
    anonymous instances, hard/soft/any_of dependencies between services, clients."""
    dcs = [f"dc{i}" for i in range(draw(st.integers(1, 3)))]
    hosts = {f"h{i}": (draw(st.sampled_from(dcs)), draw(st.sampled_from(["a", "b", None])))
             for i in range(draw(st.integers(0, 8)))}
    services = [f"s{i}" for i in range(draw(st.integers(1, 9)))]
    docs = [{"kind": "datacenter", "name": dc} for dc in dcs]
    docs += [{"kind": "host", "name": h, "datacenter": dc, **({"rack": r} if r else {})} for h, (dc, r) in hosts.items()]
    docs.append({"kind": "team", "name": "squad"})
    for name in services:
        others = [s for s in services if s != name]
        dependencies = []
        for _ in range(draw(st.integers(0, min(3, len(others))))):
            kind = draw(st.sampled_from(["plain", "typed", "group"]))
            if kind == "group" and len(others) >= 2:
                group = draw(st.lists(st.sampled_from(others), min_size=2, max_size=3, unique=True))
                dependencies.append({"any_of": group, "type": draw(st.sampled_from(["hard", "soft"]))})
            elif kind == "typed":
                dependencies.append({"service": draw(st.sampled_from(others)),
                                     "type": draw(st.sampled_from(["hard", "soft"]))})
            elif others:
                dependencies.append(draw(st.sampled_from(others)))
        deployments = []
        for dc in draw(st.lists(st.sampled_from(dcs), max_size=2, unique=True)):
            here = [h for h, (hdc, _) in hosts.items() if hdc == dc]
            if here and draw(st.booleans()):
                deployments.append({"datacenter": dc, "hosts": draw(st.lists(st.sampled_from(here), min_size=1,
                                                                               max_size=3, unique=True))})
            else:
                deployments.append({"datacenter": dc, "instances": draw(st.integers(1, 3))})
        docs.append({"kind": "service", "name": name, "owner": "squad", "dependencies": dependencies,
                     "deployments": deployments})
    docs.append({"kind": "client", "name": "app", "dependencies": draw(st.lists(st.sampled_from(services),
                                                                                 max_size=2, unique=True))})
    files: dict[str, bytes] = {}
    for i, doc in enumerate(docs):
        name = f"fuzz/{doc['kind']}s/{i:02d}.yaml" if draw(st.booleans()) else "fuzz/all.yaml"
        files[name] = files.get(name, b"") + b"---\n" + yaml.safe_dump(doc).encode()
    return files


def _down_or_failed(model: FailureModel, failed: list[str]) -> set[str]:
    impact = simulate(model, failed)
    return set(impact.down) | set(impact.failed)


@FUZZ
@given(landscapes(), st.data())
def test_failing_more_never_shrinks_what_is_down(files, data):
    catalog = load_sources(sorted(files.items()), root="fuzz")  # valid by construction: must load
    model = FailureModel.from_catalog(catalog)
    components = model.component_ids()
    smaller = data.draw(st.lists(st.sampled_from(components), max_size=3, unique=True))
    extra = data.draw(st.lists(st.sampled_from(components), min_size=1, max_size=3, unique=True))
    larger = sorted(set(smaller) | set(extra))
    small_impact, large_impact = simulate(model, smaller), simulate(model, larger)
    assert _down_or_failed(model, smaller) <= _down_or_failed(model, larger)
    touched_small = set(small_impact.down) | set(small_impact.degraded) | set(small_impact.failed)
    touched_large = set(large_impact.down) | set(large_impact.degraded) | set(large_impact.failed)
    assert touched_small <= touched_large


@FUZZ
@given(landscapes(), st.data())
def test_removing_a_dependency_never_adds_a_single_point_of_failure(files, data):
    catalog = load_sources(sorted(files.items()), root="fuzz")
    with_dependencies = [s for s in catalog.services.values() if s.dependencies]
    assume(with_dependencies)
    service = data.draw(st.sampled_from(with_dependencies))
    index = data.draw(st.integers(0, len(service.dependencies) - 1))
    fewer = service.dependencies[:index] + service.dependencies[index + 1:]
    changed = dataclasses.replace(catalog, services={**catalog.services,
                                                     service.name: dataclasses.replace(service, dependencies=fewer)})
    before = {spof.component: set(spof.down) for spof in single_points_of_failure(catalog)}
    after = {spof.component: set(spof.down) for spof in single_points_of_failure(changed)}
    assert set(after) <= set(before)
    for component, down in after.items():
        assert down <= before[component]


@FUZZ
@given(landscapes(), st.randoms(use_true_random=False))
def test_analysis_output_is_identical_across_runs_and_file_orders(files, rnd: random.Random):
    items = sorted(files.items())
    first = json.dumps(analysis_to_json(analyze(load_sources(items, root="fuzz"))), sort_keys=True)
    again = json.dumps(analysis_to_json(analyze(load_sources(items, root="fuzz"))), sort_keys=True)
    rnd.shuffle(items)
    shuffled = json.dumps(analysis_to_json(analyze(load_sources(items, root="fuzz"))), sort_keys=True)
    assert first == again == shuffled
