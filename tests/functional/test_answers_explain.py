"""Answers that name their reason, counts that agree, and rough edges a new user met (issue
items: startup-order's edge, a PR's new edge first, stable cycle identity, blast-radius files,
errors of a file that failed to parse, plurals, global -q, -d mistakes)."""

from __future__ import annotations

import json
import re

from tests.helpers import EXAMPLE


def test_startup_order_names_the_edge_to_cut(run_cli):
    text = run_cli("startup-order", "-d", EXAMPLE).stdout
    assert ("BLOCKED (8): to start them, cut or soften service:subscription -> service:login "
            "(descriptors/services/monetization/subscription.yaml:8)") in text.replace(str(EXAMPLE), "descriptors")
    document = json.loads(run_cli("startup-order", "-d", EXAMPLE, "--format", "json").stdout)
    assert [(c["source"], c["target"]) for c in document["cuts"]] == [("service:subscription", "service:login")]


RING = """
- {kind: team, name: a}
- {kind: team, name: b}
- {kind: team, name: c}
- {kind: service, name: a1, owner: a, dependencies: [b1]}
- {kind: service, name: b1, owner: b, dependencies: [{service: a2, type: soft}]}
- {kind: service, name: a2, owner: a}
- {kind: service, name: c1, owner: c}
"""


def test_a_ring_of_teams_that_grows_is_not_introduced_and_fixed(tmp_path, run_cli):
    from tests.helpers import write_tree

    old = write_tree(tmp_path / "old", {"all.yaml": RING})
    new = write_tree(tmp_path / "new", {"all.yaml": RING.replace(
        "dependencies: [{service: a2, type: soft}]", "dependencies: [{service: c1, type: soft}]").replace(
        "name: c1, owner: c}", "name: c1, owner: c, dependencies: [{service: a2, type: soft}]}")})
    document = json.loads(run_cli("diff", old, new, "--format", "json").stdout)
    rules = lambda side: [f["rule"] for f in document["findings"][side]]  # noqa: E731
    assert "team-cycle" not in rules("introduced") and "team-cycle" not in rules("fixed")
    old_check = run_cli("analyze", "-d", old, "--format", "json").stdout
    new_check = run_cli("analyze", "-d", new, "--format", "json").stdout
    fingerprint = lambda text: {f["fingerprint"] for f in json.loads(text)["findings"] if f["rule"] == "team-cycle"}  # noqa: E731
    assert fingerprint(old_check) == fingerprint(new_check) != set()


def test_reduced_capacity_is_one_count_in_text_and_json(run_cli):
    text = run_cli("blast-radius", "-d", EXAMPLE, "datacenter:lon1").stdout
    document = json.loads(run_cli("blast-radius", "-d", EXAMPLE, "datacenter:lon1", "--format", "json").stdout)
    assert f"REDUCED CAPACITY ({len(document['reduced'])}; " in text
    degraded = set(document["degraded"])
    also = sum(1 for r in document["reduced"] if r["service"] in degraded)
    assert f"; {also} of them degraded, listed above)" in text


def test_blast_radius_writes_what_the_file_name_says(run_cli, tmp_path):
    for name, starts in (("br.svg", b"<?xml"), ("br.png", b"\x89PNG"), ("br.json", b"{"), ("br.dot", b"digraph"),
                         ("br.txt", b"FAILED: rack:lon1/b")):
        result = run_cli("blast-radius", "-d", EXAMPLE, "rack:lon1/b", "-o", tmp_path / name)
        assert result.exit_code == 0 and result.stdout == "", result.output
        assert (tmp_path / name).read_bytes().startswith(starts), name
    refused = run_cli("blast-radius", "-d", EXAMPLE, "rack:lon1/b", "-o", tmp_path / "br.xyz")
    assert refused.exit_code == 2 and "extension" in refused.stderr


def test_a_file_that_fails_to_parse_does_not_make_its_services_unknown(tmp_path, run_cli):
    import shutil

    tree = shutil.copytree(EXAMPLE, tmp_path / "descriptors")
    playlist = tree / "services" / "discovery" / "playlist.yaml"
    playlist.write_text(playlist.read_text(encoding="utf-8").replace("\n  - cassandra", "\n\t- cassandra"),
                        encoding="utf-8")
    result = run_cli("validate", "-d", tree)
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if ": error: " in line]
    assert len(errors) == 1 and "playlist.yaml" in errors[0] and "tabs are not allowed" in errors[0], errors
    assert "1 error, 2 warnings" in result.output and "(s)" not in result.output


def test_check_base_outside_the_clone_names_the_current_folder(tmp_path, monkeypatch, run_cli):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = run_cli("check", "-d", EXAMPLE, "--base", "HEAD")
    assert result.exit_code == 2
    assert f"the current folder {tmp_path} is in no git repository" in result.stderr
    assert "cd into the clone" in result.stderr


def test_quiet_before_the_command_as_the_readme_says(run_cli):
    result = run_cli("-q", "analyze", "-d", EXAMPLE)
    assert result.exit_code == 0 and "loading warnings" not in result.stderr
    assert "loading warnings" in run_cli("analyze", "-d", EXAMPLE).stderr


def test_a_mistyped_descriptor_folder(run_cli, tmp_path, monkeypatch):
    (tmp_path / "descriptors").mkdir()
    (tmp_path / "README.md").write_text("# hi\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    typo = run_cli("validate", "-d", "descriptor")
    assert typo.exit_code == 2 and "did you mean 'descriptors'?" in typo.stderr
    a_file = run_cli("validate", "-d", "README.md")
    assert a_file.exit_code == 2 and "'README.md' is a file, not a folder" in a_file.stderr


def test_help_at_80_columns_cuts_no_choice(run_cli, monkeypatch):
    import re

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("TERMINAL_WIDTH", "80")
    from depgraph.cli import app

    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert {"render", "check", "export", "import"} <= set(commands)
    for command in commands:
        text = run_cli(command, "--help").stdout
        # a list of choices cut before its closing '>' (e.g. '<services|deployment|team' then 's>')
        assert not [line for line in text.splitlines() if re.search(r"<[a-z-]+\|[a-z|-]*\s", line) or re.search(r"[a-z|]…", line)], command
    assert "What to draw: services," in run_cli("render", "--help").stdout


def test_the_teams_view_counts_teams_not_the_unowned(run_cli):
    dot = run_cli("render", "-d", EXAMPLE, "--view", "teams").stdout
    assert "(26 teams and the unowned, edge label" in dot


def test_blast_radius_best_effort_answers_and_says_it_is_incomplete(tmp_path, run_cli):
    import shutil

    tree = shutil.copytree(EXAMPLE, tmp_path / "descriptors")
    playlist = tree / "services" / "discovery" / "playlist.yaml"
    playlist.write_text(playlist.read_text(encoding="utf-8").replace("\n  - cassandra", "\n\t- cassandra"),
                        encoding="utf-8")
    assert run_cli("blast-radius", "-d", tree, "rack:lon1/b", "--no-cache").exit_code == 2
    text = run_cli("blast-radius", "-d", tree, "rack:lon1/b", "--best-effort")
    assert text.exit_code == 0 and text.stdout.startswith("INCOMPLETE: 1 descriptor error, what did not load")
    assert "playlist.yaml:8" in text.stdout and "service:payments" in text.stdout
    document = json.loads(run_cli("blast-radius", "-d", tree, "rack:lon1/b", "--best-effort", "--format", "json").stdout)
    assert [e["line"] for e in document["incomplete"]] == [8] and document["down"] == ["service:payments"]
    assert "service:playlist" not in json.dumps(document)  # what did not load is left out
    dot = run_cli("blast-radius", "-d", tree, "rack:lon1/b", "--best-effort", "--format", "dot").stdout
    assert dot.startswith("// INCOMPLETE: 1 descriptor error")
    picture = tmp_path / "blast.svg"  # a picture travels without its log: it says so itself
    assert run_cli("blast-radius", "-d", tree, "rack:lon1/b", "--best-effort", "-o", picture).exit_code == 0
    drawn = re.findall(r"<text[^>]*>([^<]*)</text>", picture.read_text(encoding="utf-8"))
    assert any(t.startswith("INCOMPLETE: 1 descriptor error, what did not load is left out") and "playlist.yaml:8" in t
               for t in drawn)
