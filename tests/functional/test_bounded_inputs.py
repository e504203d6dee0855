"""Every file depgraph is handed besides the descriptors is bounded by the same limit.

The policy (also through a symlink), a baseline, an observed-trace file and an alias file: a file
over ``max_file_bytes`` is refused by its size without being read, a FIFO or device is refused
without blocking, and a JSON integer of thousands of digits is an error with the file's name, not
an internal error. The message says which limit and how to raise it; raising it works.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.helpers import copy_example
from tests.helpers import REPO, assert_clean, depgraph

from depgraph.load.bounded import InputError, parse_json

LANDSCAPE = REPO / "descriptors"
OBSERVED = '[{"parent": "web-api", "child": "playlist", "callCount": 1}]'
HUGE_INT = "9" * 5000
RAISE_IT = "--max-file-bytes"


TINY = {"teams.yaml": "kind: team\nname: core\n",
        "web-api.yaml": "kind: service\nname: web-api\nowner: core\ndependencies: [playlist]\n",
        "playlist.yaml": "kind: service\nname: playlist\nowner: core\n"}


@pytest.fixture
def tiny(tree):
    """A tree whose files are all under 100 bytes: a low limit is about the other input."""
    return tree(TINY)


@pytest.fixture
def landscape(tmp_path):
    """A copy of the bundled landscape (its policy file goes at its root)."""
    return copy_example(tmp_path / "descriptors")


def sparse(path, size=3 * 1024**3):
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def no_small_file(path, kind: str) -> None:
    """Make ``path`` a huge sparse file, a symlink to ``/dev/zero`` or a FIFO."""
    if kind == "huge":
        sparse(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    else:
        os.mkfifo(path)


def test_a_policy_symlinked_to_a_huge_file_is_refused_by_its_size(landscape, tmp_path):
    (landscape / "depgraph.yaml").symlink_to(sparse(tmp_path / "huge"))
    proc = depgraph("check", "-d", landscape, timeout=120)  # 1 GiB of address space: never read whole
    assert_clean(proc, 2)
    assert f"{landscape}/depgraph.yaml:1:1: error: policy file is over the limit of 67,108,864 bytes" in proc.stderr
    assert RAISE_IT in proc.stderr and "DEPGRAPH_MAX_FILE_BYTES" in proc.stderr


def test_a_policy_symlinked_to_a_device_does_not_block(landscape):
    (landscape / "depgraph.yaml").symlink_to("/dev/zero")
    proc = depgraph("check", "-d", landscape, "--policy", landscape / "depgraph.yaml", timeout=60)
    assert_clean(proc, 2)
    assert "policy file is not a regular file (a device)" in proc.stderr


def test_the_limit_applies_to_the_policy_and_raising_it_works(tiny):
    policy = tiny / "depgraph.yaml"
    policy.write_text("rules:\n  unowned: warning\n" + "# padding\n" * 100)
    size = policy.stat().st_size
    refused = depgraph("--max-file-bytes", size - 1, "check", "-d", tiny)
    assert_clean(refused, 2)
    assert f"policy file is over the limit of {size - 1:,} bytes" in refused.stderr
    allowed = depgraph("check", "-d", tiny, env={"DEPGRAPH_MAX_FILE_BYTES": str(size)})
    assert allowed.returncode in (0, 1) and "over the limit" not in allowed.stderr


@pytest.mark.parametrize("kind", ["huge", "device", "fifo"])
def test_a_baseline_that_is_no_small_file_is_refused(landscape, tmp_path, kind):
    baseline = tmp_path / "baseline.json"
    no_small_file(baseline, kind)
    proc = depgraph("check", "-d", landscape, "--baseline", baseline, timeout=60)
    assert_clean(proc, 2)
    assert str(baseline) in proc.stderr
    assert ("over the limit" in proc.stderr and RAISE_IT in proc.stderr) if kind == "huge" else (
        "not a regular file" in proc.stderr)


def test_a_huge_integer_in_a_baseline_is_a_clean_error(landscape, tmp_path):
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"schema": "depgraph/baseline/v1", "findings": [], "n": ' + HUGE_INT + "}")
    proc = depgraph("check", "-d", landscape, "--baseline", baseline)
    assert_clean(proc, 2)
    assert f"{baseline}: error: corrupt baseline: an integer of 5,000 digits (at most 100)" in proc.stderr


@pytest.mark.parametrize("where", ["observed", "alias"])
def test_a_huge_integer_in_drift_input_is_a_clean_error(tmp_path, where):
    observed, aliases = tmp_path / "observed.json", tmp_path / "aliases.json"
    observed.write_text(OBSERVED if where == "alias" else
                        '[{"parent": "web-api", "child": "playlist", "callCount": ' + HUGE_INT + "}]")
    aliases.write_text('{"aliases": {"web": "web-api"}, "n": ' + HUGE_INT + "}")
    extra = ["--alias-file", aliases] if where == "alias" else []
    proc = depgraph("drift", "-d", LANDSCAPE, "--observed", observed, *extra)
    assert_clean(proc, 2)
    assert f"{aliases if where == 'alias' else observed}: error:" in proc.stderr
    assert "an integer of 5,000 digits" in proc.stderr


@pytest.mark.parametrize("where", ["observed", "alias"])
@pytest.mark.parametrize("kind", ["huge", "device", "fifo"])
def test_drift_input_that_is_no_small_file_is_refused(tmp_path, where, kind):
    observed, aliases = tmp_path / "observed.json", tmp_path / "aliases.json"
    observed.write_text(OBSERVED)
    aliases.write_text("{}")
    target = observed if where == "observed" else aliases
    target.unlink()
    no_small_file(target, kind)
    proc = depgraph("drift", "-d", LANDSCAPE, "--observed", observed, "--alias-file", aliases, timeout=60)
    assert_clean(proc, 2)
    assert f"{target}: error:" in proc.stderr
    if kind == "huge":
        assert "over the limit of 67,108,864 bytes" in proc.stderr and RAISE_IT in proc.stderr


def test_the_limit_applies_to_the_observed_file(tiny, tmp_path):
    observed = tmp_path / "observed.json"
    observed.write_text(OBSERVED + " " * 200)
    size = observed.stat().st_size
    refused = depgraph("--max-file-bytes", size - 1, "drift", "-d", tiny, "--observed", observed)
    assert_clean(refused, 2)
    assert f"{observed}: error: observed dependencies file is over the limit of {size - 1:,} bytes" in refused.stderr
    assert depgraph("--max-file-bytes", size, "drift", "-d", tiny, "--observed", observed).returncode == 0


JSON_BUDGET = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**120, 10**120) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20)


@JSON_BUDGET
@given(json_values, st.integers(0, 40), st.binary(max_size=4))
def test_parse_json_returns_or_says_what_is_wrong_never_crashes(value, cut, noise):
    text = json.dumps(value)
    for candidate in (text, text[:cut], text + noise.decode("latin-1"), "[" * 10_000 * (cut == 7)):
        try:
            parsed = parse_json(candidate, "x.json", "input")
        except InputError as exc:
            assert str(exc).startswith("x.json") and "\n" not in str(exc)
        else:
            assert candidate != text or parsed == value  # what parses is what was written
