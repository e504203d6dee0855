"""Each loading limit: exceeding it is an error that names the limit and how to raise it, and
raising it (global option or ``DEPGRAPH_MAX_*`` environment variable) lets the same input load."""

from __future__ import annotations

import pytest

from tests.helpers import assert_clean, depgraph

DC = "kind: datacenter\nname: lon1\n"
# 4 levels deep: document mapping > deployments list > deployment mapping > hosts list
SERVICE = "kind: service\nname: web\ndeployments:\n  - datacenter: lon1\n    hosts: [lon1-a-01]\n"
ALIASES = """\
- &dc {kind: datacenter, name: lon1}
- {kind: datacenter, name: sto1, labels: &labels {site: a}}
- {kind: datacenter, name: ash1, labels: *labels}
- {kind: datacenter, name: sjc1, labels: *labels}
- {kind: datacenter, name: ams1, labels: *labels}
"""
ENTITIES = "- {kind: team, name: a}\n- {kind: team, name: b}\n- {kind: team, name: c}\n"

CASES = {
    # limit: (files, too small, big enough, expected error after FILE:)
    "max-file-bytes": ({"dc.yaml": DC + "# " + "x" * 2000 + "\n"}, 1000, 5000,
                       "dc.yaml:1:1: error: file is over the limit of 1,000 bytes (limit max_file_bytes; raise it "
                       "with --max-file-bytes, or split the file)"),
    "max-depth": ({"dc.yaml": DC, "web.yaml": SERVICE}, 3, 4,
                  "web.yaml:5:12: error: nesting deeper than 3 levels (limit max_depth; raise it with --max-depth "
                  "if this is intended)"),
    "max-aliases": ({"dcs.yaml": ALIASES}, 2, 3,
                    "dcs.yaml:5:42: error: more than 2 alias uses in one file (limit max_aliases; raise it with "
                    "--max-aliases if this is intended)"),
    "max-entities": ({"teams.yaml": ENTITIES}, 2, 3,
                     "teams.yaml:3:3: error: more than 2 entities (limit max_entities; raise it with "
                     "--max-entities)"),
}


@pytest.mark.parametrize("limit", sorted(CASES))
def test_exceeding_a_limit_names_it_and_how_to_raise_it(tree, limit):
    files, too_small, _, expected = CASES[limit]
    root = tree(files)
    proc = depgraph(f"--{limit}", too_small, "validate", "-d", root)
    assert_clean(proc, 2)
    assert f"{root}/{expected}" in proc.stdout


@pytest.mark.parametrize("limit", sorted(CASES))
def test_raising_a_limit_with_the_option_lets_the_input_load(tree, limit):
    files, _, big_enough, _ = CASES[limit]
    proc = depgraph(f"--{limit}", big_enough, "validate", "-d", tree(files))
    assert_clean(proc, 0)


@pytest.mark.parametrize("limit", sorted(CASES))
def test_the_environment_variable_sets_the_limit_too(tree, limit):
    files, too_small, big_enough, expected = CASES[limit]
    root = tree(files)
    variable = "DEPGRAPH_" + limit.upper().replace("-", "_")
    proc = depgraph("validate", "-d", root, env={variable: str(too_small)})
    assert_clean(proc, 2)
    assert f"{root}/{expected}" in proc.stdout
    assert_clean(depgraph("validate", "-d", root, env={variable: str(big_enough)}), 0)


def test_defaults_accept_the_bundled_landscape_and_are_shown_in_help():
    proc = depgraph("--help")
    assert_clean(proc, 0)
    for option in ("--max-file-bytes", "--max-depth", "--max-aliases", "--max-entities"):
        assert option in proc.stdout


def test_alias_expansion_is_bounded_by_max_aliases_and_raising_it_helps(tree):
    """Aliases may repeat at most max_aliases x 1000 values: two aliases of a 2,500-value list
    repeat 5,002 values, too many under --max-aliases 3 (3,000) though only 2 aliases are used."""
    big = "[" + ", ".join(f"v{i}" for i in range(2500)) + "]"
    text = f"- {{kind: team, name: a, labels: {{}}}}\n- &x {big}\n- *x\n- *x\n"
    root = tree({"t.yaml": text})
    proc = depgraph("--max-aliases", "3", "validate", "-d", root)
    assert_clean(proc, 2)
    assert (f"{root}/t.yaml:4:3: error: aliases in this file repeat more than 3,000 values (an alias bomb?) "
            "(limit max_aliases x 1000; raise it with --max-aliases if this is intended)") in proc.stdout
    proc = depgraph("--max-aliases", "6", "validate", "-d", root)
    assert "alias bomb" not in proc.stdout
    assert f"{root}/t.yaml:2:3: error: a list document must hold mappings" in proc.stdout
