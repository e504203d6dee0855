"""Every validation error of SPEC §1, checked for its exact FILE:LINE:COL and message."""

from __future__ import annotations

import pytest

from depgraph.diagnostics import DescriptorError
from depgraph.load.loader import load_catalog

BASE = {
    "dc.yaml": """
        - {kind: datacenter, name: lon1}
        - {kind: datacenter, name: sto1}
    """,
    "teams.yaml": """
        kind: team
        name: core
        tribe: infra
    """,
}


def errors_of(root):
    with pytest.raises(DescriptorError) as info:
        load_catalog(root)
    return [str(d).replace(str(root) + "/", "") for d in info.value.errors]


CASES = {
    "yaml syntax": (
        {"s.yaml": "kind: service\nname: a\ndescription: [unclosed\n"},
        "s.yaml:4:1: error: YAML syntax: did not find expected ',' or ']' (while parsing a flow sequence)",
    ),
    "unknown kind": (
        {"s.yaml": "kind: servce\nname: a\n"},
        "s.yaml:1:7: error: unknown kind 'servce' (one of: service, client, host, datacenter, team); "
        "did you mean 'service'?",
    ),
    "missing kind": (
        {"s.yaml": "name: a\n"},
        "s.yaml:1:1: error: missing field 'kind' (one of: service, client, host, datacenter, team)",
    ),
    "unknown field": (
        {"s.yaml": "kind: service\nname: a\nowner: core\ndescripton: x\n"},
        "s.yaml:4:1: error: unknown field 'descripton' in service; did you mean 'description'?",
    ),
    "unknown field in dependency": (
        {"s.yaml": "kind: service\nname: a\ndependencies:\n  - {service: b, typ: soft}\n"
                   "---\nkind: service\nname: b\n"},
        "s.yaml:4:18: error: unknown field 'typ' in dependency; did you mean 'type'?",
    ),
    "repeated key": (
        {"s.yaml": "kind: service\nname: a\ntier: 1\ntier: 3\n"},
        "s.yaml:4:1: error: duplicate key 'tier' in one mapping (first at line 3); "
        "YAML would silently keep only the last one",
    ),
    "scalar document": (
        {"s.yaml": "just a string\n"},
        "s.yaml:1:1: error: a document must be a mapping (one entity) or a list of mappings, found a string",
    ),
    "list of scalars": (
        {"s.yaml": "- kind: datacenter\n  name: x1\n- 42\n"},
        "s.yaml:3:3: error: a list document must hold mappings (one entity each), found a number",
    ),
    "wrong tier": (
        {"s.yaml": "kind: service\nname: a\ntier: 5\n"},
        "s.yaml:3:7: error: field 'tier' must be 1 (critical), 2 or 3, not 5",
    ),
    "wrong lifecycle": (
        {"s.yaml": "kind: service\nname: a\nlifecycle: prod\n"},
        "s.yaml:3:12: error: field 'lifecycle' must be one of experimental, production, deprecated, "
        "not 'prod'; did you mean 'production'?",
    ),
    "wrong dependency type": (
        {"s.yaml": "kind: service\nname: a\ndependencies:\n  - {service: b, type: weak}\n"
                   "---\nkind: service\nname: b\n"},
        "s.yaml:4:24: error: dependency type must be hard or soft, not 'weak'",
    ),
    "wrong type of description": (
        {"s.yaml": "kind: service\nname: a\ndescription: [x]\n"},
        "s.yaml:3:14: error: field 'description' must be a string, not a list",
    ),
    "readiness value": (
        {"s.yaml": "kind: service\nname: a\nreadiness:\n  build: 3\n"},
        "s.yaml:4:10: error: readiness 'build' must be true, false, n/a or a string (a date, a URL), "
        "not a number",
    ),
    "deployment with hosts and instances": (
        {"s.yaml": "kind: service\nname: a\ndeployments:\n  - {datacenter: lon1, instances: 2, hosts: [h1]}\n"},
        "s.yaml:4:5: error: a deployment needs exactly one of 'hosts' or 'instances'",
    ),
    "bad name": (
        {"s.yaml": "kind: service\nname: Play List\n"},
        "s.yaml:2:7: error: bad service name 'Play List': must match ^[a-z0-9][a-z0-9._-]*$ (lower-case "
        "letters, digits, '.', '_', '-'); did you mean 'play-list'?",
    ),
    "name too long": (
        {"s.yaml": "kind: service\nname: " + "a" * 254 + "\n"},
        "s.yaml:2:7: error: bad service name '" + "a" * 254 + "': is 254 characters long; names are at most 253",
    ),
    "duplicate name": (
        {"a.yaml": "kind: service\nname: a\n", "b.yaml": "# moved here\n# by a merge\nkind: service\nname: a\n"},
        "b.yaml:3:1: error: duplicate service name 'a': also declared at a.yaml:1:1",
    ),
    "unknown dependency": (
        {"s.yaml": "kind: service\nname: playlist\ndependencies:\n  - storag\n"
                   "---\nkind: service\nname: storage\n"},
        "s.yaml:4:5: error: service 'playlist' depends on unknown service 'storag'; did you mean 'storage'?",
    ),
    "dependency on a client": (
        {"s.yaml": "kind: service\nname: a\ndependencies: [ios]\n---\nkind: client\nname: ios\n"},
        "s.yaml:3:16: error: 'ios' is a client: only services can be depended on",
    ),
    "self dependency": (
        {"s.yaml": "kind: service\nname: a\ndependencies:\n  - service: a\n"},
        "s.yaml:4:14: error: service 'a' depends on itself",
    ),
    "unknown datacenter in deployment": (
        {"s.yaml": "kind: service\nname: a\ndeployments:\n  - datacenter: lon2\n    instances: 2\n"},
        "s.yaml:4:5: error: deployment of service 'a' names unknown data center 'lon2'; did you mean 'lon1'?",
    ),
    "unknown datacenter of host": (
        {"h.yaml": "- {kind: host, name: h1, datacenter: sto2}\n"},
        "h.yaml:1:3: error: host 'h1' is in unknown data center 'sto2'; did you mean 'sto1'?",
    ),
    "host in the wrong datacenter": (
        {"h.yaml": "- {kind: host, name: h1, datacenter: sto1, rack: a}\n",
         "s.yaml": "kind: service\nname: a\ndeployments:\n  - datacenter: lon1\n    hosts: [h1]\n"},
        "s.yaml:5:13: error: host 'h1' is in data center 'sto1' (declared at h.yaml:1:3), not in "
        "'lon1' as this deployment says",
    ),
    "unsafe tag": (
        {"s.yaml": "kind: service\nname: a\ndescription: !!python/object/apply:os.system [ls]\n"},
        "s.yaml:3:14: error: unsupported YAML tag '!!python/object/apply:os.system': depgraph never "
        "constructs custom or language-specific tags; remove the tag",
    ),
    "alias bomb": (
        {"s.yaml": "kind: service\nname: a\nlabels:\n  x: &a [1, 2]\n"
                   + "".join(f"  y{i}: *a\n" for i in range(1001))},
        "s.yaml:1005:10: error: more than 1000 alias uses in one file (limit max_aliases; raise it with "
        "--max-aliases if this is intended)",
    ),
    "deep nesting": (
        {"s.yaml": "kind: service\nname: a\nlabels: " + "[" * 200 + "]" * 200 + "\n"},
        "s.yaml:3:73: error: nesting deeper than 64 levels (limit max_depth; raise it with --max-depth "
        "if this is intended)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_error_names_file_line_and_problem(tree, case):
    files, expected = CASES[case]
    root = tree({**BASE, **files})
    assert expected in errors_of(root)


def test_all_errors_are_reported_in_one_run_sorted_by_file_and_line(tree):
    root = tree({**BASE,
                 "b.yaml": "kind: service\nname: b\ntier: 9\ndependencies: [nope]\n",
                 "a.yaml": "kind: service\nname: a\nlifecycle: old\nfoo: 1\n"})
    errors = errors_of(root)
    assert [e.split(": error")[0] for e in errors] == ["a.yaml:3:12", "a.yaml:4:1", "b.yaml:3:7", "b.yaml:4:16"]


def test_warnings_do_not_fail_validation(tree):
    root = tree({**BASE, "s.yaml": "kind: service\nname: a\nowner: ghost-squad\n"})
    catalog = load_catalog(root)
    messages = [d.message for d in catalog.diagnostics]
    assert "owner 'ghost-squad' of service 'a' names no declared team" in messages
    assert "service 'a' has no deployments: depgraph cannot tell where it runs (add deployments)" in messages
    assert all(d.severity == "warning" for d in catalog.diagnostics)


def test_owner_naming_no_team_and_missing_owner_are_warnings_not_errors(tree):
    root = tree({**BASE, "s.yaml": "kind: service\nname: a\n---\nkind: service\nname: b\nowner: gone\n"})
    codes = sorted(d.code for d in load_catalog(root).diagnostics if d.code in ("unowned", "unknown-team"))
    assert codes == ["unknown-team", "unowned"]
