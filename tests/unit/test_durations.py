"""Durations of ``recovery: {start_time, rto}`` in descriptors and the policy (SPEC §6): what is
accepted, and the FILE:LINE:COL error with an example for everything else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from depgraph.diagnostics import DescriptorError
from depgraph.gate.policy import parse_policy
from depgraph.load.durations import MAX_SECONDS, format_duration, parse_duration
from depgraph.load.loader import load_catalog


@pytest.mark.parametrize("written, seconds", [
    (90, 90), ("90s", 90), ("15m", 900), ("2h", 7200), ("1d", 86400), ("365d", MAX_SECONDS), (1, 1),
])
def test_accepted(written, seconds):
    assert parse_duration(written) == (seconds, None)


@pytest.mark.parametrize("written, problem", [
    (0, "at least one second, like 30s; not '0'"),
    ("0m", "at least one second"),
    (-5, "at least one second"),
    ("-5m", "at least one second"),
    ("", "not an empty string"),
    ("   ", "not an empty string"),
    ("1.5h", "write '90m' instead of '1.5h'"),
    ("2.5s", "a whole number with one unit, like 90s; not '2.5s'"),
    (1.5, "not the fraction 1.5"),
    ("366d", "at most a year (365d); not '366d': is the unit right?"),
    (40_000_000, "at most a year"),
    ("15M", "units are lower-case; did you mean '15m'?"),
    ("90", "'90' is a string: write 90 or 90s"),
    (" 5m", "written without spaces, like '5m'"),
    ("1h30m", "like 90s, 15m, 2h or 1d; not '1h30m'"),
    (True, "not a boolean"),
    (None, "not null"),
    ("9" * 5000 + "s", "not '99999"),
    ("5m\n::error::x", "not '5m\\n::error::x'"),
])
def test_refused_with_the_reason(written, problem):
    seconds, why = parse_duration(written)
    assert seconds is None and problem in why
    assert "\n" not in why


@given(st.integers(1, MAX_SECONDS))
def test_output_spells_back_what_parses(seconds):
    parts = format_duration(seconds).split()
    assert sum(parse_duration(part)[0] for part in parts) == seconds


def test_descriptor_errors_name_file_line_and_column(tree):
    root = tree({"s.yaml": """
        - {kind: service, name: a, recovery: {start_time: 5m, rto: 1.5h}}
        - {kind: service, name: b, recovery: {start_time: 0, warmup: 3}}
        - {kind: service, name: c, recovery: 15m}
    """})
    with pytest.raises(DescriptorError) as info:
        load_catalog(root)
    assert [str(d).replace(str(root) + "/", "") for d in info.value.errors] == [
        "s.yaml:1:60: error: 'recovery.rto': a duration is a whole number with one unit; write '90m' "
        "instead of '1.5h'",
        "s.yaml:2:51: error: 'recovery.start_time': a duration is at least one second, like 30s; not '0'",
        "s.yaml:2:54: error: unknown field 'warmup' in recovery (allowed: start_time, rto)",
        "s.yaml:3:38: error: field 'recovery' must be a mapping like {start_time: 5m, rto: 15m}, not a string",
    ]


def test_a_service_keeps_its_durations_in_seconds(tree):
    root = tree({"s.yaml": "kind: service\nname: db\nrecovery: {start_time: 8m, rto: 1h}\n"})
    service = load_catalog(root).services["db"]
    assert (service.start_time, service.rto) == (480, 3600)


def test_the_policy_sets_a_default_start_time_and_objectives_per_tier():
    policy = parse_policy("recovery:\n  start_time: 2m\n  rto: {1: 15m, 2: 2h}\n", "depgraph.yaml")
    assert (policy.recovery.start_time, policy.recovery.rto_by_tier) == (120, {1: 900, 2: 7200})


def test_policy_errors_are_reported_together():
    with pytest.raises(DescriptorError) as info:
        parse_policy("recovery:\n  start_time: soon\n  rto: {1: 1.5h, 4: 1m}\n", "depgraph.yaml")
    assert [str(d) for d in info.value.errors] == [
        "depgraph.yaml:2:15: error: 'recovery.start_time': a duration is whole seconds (90) or a number "
        "with a unit s, m, h or d, like 90s, 15m, 2h or 1d; not 'soon'",
        "depgraph.yaml:3:12: error: 'recovery.rto' of tier 1: a duration is a whole number with one unit; "
        "write '90m' instead of '1.5h'",
        "depgraph.yaml:3:18: error: 'recovery.rto' maps tiers 1, 2 and 3, not 4",
    ]
