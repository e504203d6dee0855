"""Hostile descriptors through the real command line: every one is a clear ``FILE:LINE:COL: error:``
with exit code 2 (or loads, when it is valid YAML), within seconds, never a traceback.

Each test runs ``python -m depgraph validate`` as a subprocess with a timeout, so a hang, a crash
of the C parser or a memory blow-up fails the test instead of the test run. Most error cases share
one tree and one run (each file's problems are reported independently); the expected positions
are worked out by hand from the file texts below.
"""

from __future__ import annotations

import os
import time

import pytest
import yaml
from tests.helpers import assert_clean, billion_laughs, depgraph



MARKER = "constructed-python-object"

# file name -> (text or bytes, expected "LINE:COL: error: MESSAGE" fragments)
HOSTILE: dict[str, tuple[str | bytes, list[str]]] = {
    "alias_bomb.yaml": (billion_laughs(), [
        "7:8: error: aliases in this file repeat more than 1,000,000 values (an alias bomb?) (limit "
        "max_aliases x 1000; raise it with --max-aliases if this is intended)"]),
    # the bomb behind a field that a message would quote: must still fail in the reader, fast
    "alias_bomb_in_kind.yaml": ("- " + billion_laughs().replace("\n", "\n  ").rstrip() + "\n- kind: *i\n  name: x\n",
                                ["7:10: error: aliases in this file repeat more than 1,000,000 values"]),
    "many_aliases.yaml": ("a: &a x\n" + "".join(f"k{i}: *a\n" for i in range(1001)),
                          ["1002:8: error: more than 1000 alias uses in one file (limit max_aliases; raise it "
                           "with --max-aliases if this is intended)"]),
    "self_anchor.yaml": ("kind: service\nname: loop\nlabels: &a {inner: *a}\n",
                         ["3:20: error: alias '*a' stands inside the node its anchor names (a recursive "
                          "structure); depgraph cannot use it"]),
    "self_anchor_list.yaml": ("kind: service\nname: loop2\ndependencies: &d [db, *d]\n",
                              ["3:23: error: alias '*d' stands inside the node its anchor names"]),
    "deep_flow.yaml": ("[" * 1_000_000 + "]" * 1_000_000 + "\n",
                       ["1:65: error: nesting deeper than 64 levels (limit max_depth; raise it with --max-depth "
                        "if this is intended)"]),
    "deep_flow_mapping.yaml": ("{a: " * 100_000 + "1" + "}" * 100_000 + "\n",
                               ["1:257: error: nesting deeper than 64 levels"]),
    "deep_block.yaml": ("- " * 1_000_000 + "x\n", ["1:129: error: nesting deeper than 64 levels"]),
    "deep_block_mapping.yaml": ("".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "x\n",
                                ["65:65: error: nesting deeper than 64 levels"]),
    "huge_name.yaml": ("kind: service\nname: " + "a" * 5_000_000 + "\n",
                       ["2:7: error: bad service name '" + "a" * 300 + "… (5,000,000 characters)': is "
                        "5,000,000 characters long; names are at most 253"]),
    "huge_key.yaml": ("kind: service\nname: k\n" + "k" * 2_000_000 + ": 1\n",
                      ["3:2000001: error: YAML syntax: could not find expected ':'"]),
    "huge_number.yaml": ("kind: service\nname: n\ntier: " + "9" * 100_000 + "\n",
                         ["3:7: error: number of 100,000 characters is too long (at most 100)"]),
    "bad_int_tag.yaml": ("kind: service\nname: t\ntier: !!int one\n", ["3:7: error: 'one' is not a valid !!int"]),
    "binary.yaml": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", [
        "1:1: error: binary file, not YAML text (remove it or rename it so it does not end in .yaml/.yml)"]),
    "latin1.yaml": ("kind: team\nname: caf\xe9\n".encode("latin-1"),
                    ["2:10: error: not valid UTF-8 (byte 0xe9); save the file as UTF-8"]),
    "utf16.yaml": ("kind: team\nname: squad\n".encode("utf-16"),
                   ["1:1: error: file is UTF-16 text; depgraph reads UTF-8 (save the file as UTF-8)"]),
    "nul_in_middle.yaml": ("kind: service\n" + "#" * 10_000 + "\nname: a\x00b\n",
                           ["3:8: error: YAML syntax: character NUL (0x00) is not allowed in YAML text"]),
    "duplicate_key.yaml": ("kind: service\nname: dup\nowner: a\nowner: b\n",
                           ["4:1: error: duplicate key 'owner' in one mapping (first at line 3); YAML would "
                            "silently keep only the last one"]),
    "tabs.yaml": ("kind: service\nname: tab\nlabels:\n\tteam: x\n",
                  ["4:1: error: YAML syntax: found character that cannot start any token (while scanning for "
                   "the next token); tabs are not allowed in YAML indentation, indent with spaces"]),
    "python_tag.yaml": (f"kind: service\nname: py\ndescription: !!python/object/apply:builtins.open "
                        f"['{MARKER}', 'w']\n",
                        ["3:14: error: unsupported YAML tag '!!python/object/apply:builtins.open': depgraph "
                         "never constructs custom or language-specific tags; remove the tag"]),
    "python_name_tag.yaml": ("kind: service\nname: !!python/name:os.system x\n",
                             ["2:7: error: unsupported YAML tag '!!python/name:os.system'"]),
    "scalar_document.yaml": ("just a sentence\n", ["1:1: error: a document must be a mapping (one entity) or a "
                                                   "list of mappings, found a string"]),
    "list_of_scalars.yaml": ("- a\n- b\n", ["1:3: error: a list document must hold mappings (one entity each), "
                                            "found a string"]),
    "non_string_keys.yaml": ("kind: service\nname: keys\n1: x\nnull: y\n[a]: b\n", [
        "3:1: error: unknown field '1' in service", "4:1: error: unknown field 'null' in service",
        "5:1: error: a mapping key must be a plain value, not a mapping or list"]),
    "merge_scalar.yaml": ("kind: service\nname: m1\n<<: 5\n",
                          ["3:5: error: '<<' merges mappings only (write '<<: *anchor' or '<<: [*a, *b]')"]),
    "merge_list_of_scalars.yaml": ("- &base {kind: datacenter, name: m2}\n- <<: [*base, 3]\n",
                                   ["2:15: error: '<<' merges mappings only"]),
    "upper_case_name.yaml": ("kind: datacenter\nname: Lon1\n", [
        "2:7: error: bad datacenter name 'Lon1': must match ^[a-z0-9][a-z0-9._-]*$ (lower-case letters, digits, "
        "'.', '_', '-'); did you mean 'lon1'?"]),
    "lookalike_name.yaml": ("kind: datacenter\nname: l\u043en1\n",  # Cyrillic o
                            ["2:7: error: bad datacenter name 'l\u043en1': must match"]),
    "fullwidth_digit.yaml": ("kind: datacenter\nname: lon\uff11\n", ["2:7: error: bad datacenter name 'lon\uff11'"]),
    "trailing_newline_name.yaml": ('kind: datacenter\nname: "lon1\\n"\n',
                                   ["2:7: error: bad datacenter name 'lon1\\n': must match"]),
    "bidi_name.yaml": ('kind: service\nname: "ok\\u202egnp"\n', ["2:7: error: bad service name 'ok\\u202egnp'"]),
    # a line break in an owner would forge a line of text output; in CI a line starting with
    # "::error" becomes a GitHub annotation
    "forged_owner.yaml": ('kind: service\nname: forged\nowner: "squad\\n::error file=README.md::pwned"\n',
                          ["3:8: error: field 'owner' must be plain text: it holds the control character U+000A "
                           "at character 6"]),
    "escape_in_contact.yaml": ('kind: team\nname: t\ncontact: {slack: "#t\\e[2J"}\n',
                               ["3:18: error: 'contact' value of 'slack' must be plain text: it holds the control "
                                "character U+001B at character 3"]),
    "bidi_in_tribe.yaml": ('kind: team\nname: t2\ntribe: "music\\u202e"\n',
                           ["3:8: error: field 'tribe' must be plain text: it holds the control character U+202E"]),
    "huge_unknown_dependency.yaml": ("kind: service\nname: deps\ndependencies: [" + "q" * 3_000_000 + ", 'b\\nc']\n",
                                     ["3:16: error: service 'deps' depends on unknown service '" + "q" * 80
                                      + "… (3,000,000 characters)'",
                                      "3:3000018: error: service 'deps' depends on unknown service 'b\\nc'"]),
    "null_name.yaml": ("kind: service\nname: ~\n", ["2:7: error: field 'name' must be a name (a string), not null"]),
    "null_datacenter.yaml": ("kind: host\nname: h1\ndatacenter: null\n",
                             ["3:13: error: field 'datacenter' must be a name (a string), not null"]),
}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """One tree holding every hostile file, validated once."""
    root = tmp_path_factory.mktemp("hostile") / "descriptors"
    root.mkdir()
    for name, (content, _) in HOSTILE.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (root / name).write_bytes(data)
    start = time.monotonic()
    proc = depgraph("validate", "-d", root, timeout=120, cwd=root.parent)
    return root, proc, time.monotonic() - start


def test_hostile_tree_fails_cleanly_and_fast(hostile_run):
    root, proc, seconds = hostile_run
    assert_clean(proc, 2)
    assert seconds < 60
    # messages quote values clipped: 7 MB of hostile input gives a short report
    assert len(proc.stdout) < 20_000
    assert not (root.parent / MARKER).exists()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_file_has_its_positioned_error(hostile_run, name):
    root, proc, _ = hostile_run
    lines = [line for line in proc.stdout.splitlines() if line.startswith(f"{root}/{name}:")]
    for fragment in HOSTILE[name][1]:
        expected = f"{root}/{name}:{fragment}"
        assert any(line.startswith(expected) for line in lines), f"{expected[:300]!r} not in:\n" + "\n".join(
            line[:300] for line in lines)


def test_the_python_tag_payload_is_real_but_never_constructed(tmp_path):
    """The tag in python_tag.yaml creates a file when a YAML library constructs it; depgraph does not."""
    text = HOSTILE["python_tag.yaml"][0]
    unsafe = tmp_path / "unsafe"
    unsafe.mkdir()
    cwd = os.getcwd()
    os.chdir(unsafe)
    try:
        yaml.unsafe_load(text)
    finally:
        os.chdir(cwd)
    assert (unsafe / MARKER).exists()  # the payload works ...

    root = tmp_path / "descriptors"
    root.mkdir()
    (root / "s.yaml").write_text(text)
    proc = depgraph("validate", "-d", root, cwd=tmp_path)
    assert_clean(proc, 2)
    assert not (tmp_path / MARKER).exists() and not (root / MARKER).exists()  # ... and was not run


VALID = {
    "bom_crlf.yaml": b"\xef\xbb\xbfkind: datacenter\r\nname: lon1\r\nlocation: London\r\n",
    "json.yaml": b'{"kind": "datacenter", "name": "sto1", "labels": {"tier": "a"}}',
    "empty.yaml": b"",
    "comments_only.yml": b"# nothing here yet\n",
    "dashes_only.yaml": b"---\n",
    "null_document.yaml": b"null\n...\n---\n~\n",
    "long_line.yaml": b"kind: team\nname: squad\ndescription_free_text: 1\n".replace(b"description_free_text: 1",
                                                                               b"tribe: " + b"x" * 10_000_000),
    "merges.yaml": b"""\
- &host {kind: host, name: lon1-a-01, datacenter: lon1, rack: a}
- <<: *host
  name: lon1-a-02
- <<: [{rack: b}, *host]
  name: lon1-b-01
- kind: host
  <<: {datacenter: lon1, rack: c}
  name: lon1-c-01
""",
    "service.yaml": b"""\
kind: service
name: web
owner: squad
dependencies: [{any_of: [db-a, db-b]}]
deployments: [{datacenter: lon1, hosts: [lon1-a-01, lon1-b-01]}]
---
[{kind: service, name: db-a, owner: squad, deployments: [{datacenter: lon1, hosts: [lon1-c-01]}]},
 {kind: service, name: db-b, owner: squad, deployments: [{datacenter: sto1, instances: 2}]}]
""",
}


def test_unusual_but_valid_files_load(tree):
    root = tree(VALID)
    proc = depgraph("validate", "-d", root, "--format", "json")
    assert_clean(proc, 0)
    proc = depgraph("export", "-d", root, "--format", "json")
    assert_clean(proc, 0)
    import json

    nodes = {n["id"]: n for n in json.loads(proc.stdout)["nodes"]}
    assert {"datacenter:lon1", "datacenter:sto1", "team:squad", "service:web", "service:db-a"} <= set(nodes)
    # merges: explicit keys win, earlier merge sources win over later ones, inline merges count
    racks = {h: nodes[f"host:{h}"].get("rack") for h in ("lon1-a-01", "lon1-a-02", "lon1-b-01", "lon1-c-01")}
    assert racks == {"lon1-a-01": "a", "lon1-a-02": "a", "lon1-b-01": "b", "lon1-c-01": "c"}
    assert len(nodes["team:squad"]["tribe"]) == 10_000_000


def test_raising_the_depth_limit_does_not_crash_the_parser(tree):
    """PyYAML's C composer overflows the C stack on deep nesting; the event reader builds values
    with an explicit stack, so 10^6 levels of block nesting are only slow, never a segfault."""
    root = tree({"deep.yaml": "- " * 1_000_000 + "x\n"})
    proc = depgraph("--max-depth", "2000000", "validate", "-d", root, timeout=120)
    assert_clean(proc, 2)
    # libyaml up to 0.2.5 reads on (the document is then a list of lists); newer libyaml stops at
    # 1,000 levels itself, which depgraph reports as a nesting limit: both are clean errors.
    assert (f"{root}/deep.yaml:1:3: error: a list document must hold mappings (one entity each), found a list"
            in proc.stdout) or (f"{root}/deep.yaml:1:" in proc.stdout and "nesting deeper than 1000 levels"
                                in proc.stdout)
