"""``.env`` and compose interpolation: bounded in depth and expanded size, and iterative, so no
input comes near the interpreter's recursion limit."""

from __future__ import annotations

import sys

import pytest

from depgraph.importers.envfile import MAX_DEPTH, ExpansionError, interpolate, parse_env_file


def _frames() -> int:
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


def test_the_deepest_legal_nesting_expands_with_a_recursion_limit_just_above_the_caller():
    """32 nested defaults, each one level of ``${A:-…}``: a recursive expansion needs frames for
    each; this one needs a handful, whatever the nesting."""
    value = "${A:-" * MAX_DEPTH + "${B}x" + "}" * MAX_DEPTH
    missing: set[str] = set()
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_frames() + 25)
    try:
        expanded = interpolate(value, {"C": "c"}, missing)
    finally:
        sys.setrecursionlimit(limit)
    assert (expanded, missing) == ("x", {"B"})


def test_nesting_a_hundred_thousand_deep_stops_at_the_depth_limit_at_once():
    value = "${A:-" * 100_000 + "x" + "}" * 100_000
    with pytest.raises(ExpansionError, match=f"variables nest more than {MAX_DEPTH} deep"):
        interpolate(value, {})
    with pytest.raises(ExpansionError, match=f"variables nest more than {MAX_DEPTH} deep"):
        parse_env_file(f"X={value}\n")


@pytest.mark.parametrize("text, env, expected", [
    ("${A:-${B:-${C}}}", {"C": "c"}, "c"),
    ("${A:+set}-${A-unset}-${A:-empty}", {"A": ""}, "--empty"),
    ("${A?err}${B:?err}", {"A": "a"}, "a"),
    ("$A$$B${", {"A": "1"}, "1$B${"),
    ("${A:-{x}}}", {}, "{x}}"),
    ("${9}${A.b}$-", {"A": "a"}, "a$-"),
    ("${A:-${B}", {"B": "b"}, "${A:-${B}"),  # unclosed: kept as it is
])
def test_operators_literals_and_unclosed_braces_expand_as_compose_does(text, env, expected):
    assert interpolate(text, env) == expected


def test_values_that_double_each_other_stop_at_the_expansion_limit():
    lines = ["A=" + "x" * 4000] + [f"V{level}=${{{'V%d' % (level - 1) if level > 1 else 'A'}}}" * 2
                                    for level in range(1, 12)]
    with pytest.raises(ExpansionError, match="variables expand to more than 4,000,000 characters"):
        parse_env_file("\n".join(lines) + "\n")
