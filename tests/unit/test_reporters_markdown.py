"""The Markdown report a pull request shows: its tables, its escaping, its Mermaid block."""

from __future__ import annotations

import re

import pytest

from depgraph.analysis import analyze
from depgraph.model import Catalog, Dependency, Service
from depgraph.reporters import markdown
from depgraph.output.mermaid import label as mermaid_label
from tests.landscapes import HOSTILE_OWNER, HOSTILE_TRIBE, hostile_catalog


@pytest.fixture(scope="module")
def report() -> str:
    return markdown.render_analysis(analyze(hostile_catalog()))


def section(report: str, heading: str) -> str:
    """The text under ``## heading…`` up to the next heading."""
    match = re.search(rf"^## {re.escape(heading)}.*?$(.*?)(?=^## |\Z)", report, re.M | re.S)
    assert match, f"no section {heading!r}"
    return match.group(1)


def cells(row: str) -> list[str]:
    """A table row split on its unescaped pipes (what GitHub shows as columns)."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def outside_code(text: str) -> str:
    """The text GitHub interprets as Markdown/HTML: everything but code spans and fences."""
    text = re.sub(r"```mermaid\n.*?```", "", text, flags=re.S)
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", text)


def rows(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines() if line.startswith("|")]
    return [cells(line) for line in lines[2:]]


class TestSummary:
    def test_counts_and_severities_in_one_table(self, report):
        assert report.startswith("# depgraph report\n")
        header, _, values = [line for line in report.splitlines() if line.startswith("|")][:3]
        assert cells(header) == ["services", "clients", "hosts", "data centers", "teams", "dependencies",
                                 "errors", "warnings", "info"]
        counts = dict(zip(cells(header), cells(values)))
        assert counts["services"] == "5" and counts["clients"] == "1" and counts["hosts"] == "1"
        assert counts["dependencies"] == "5"  # api->db, api->auth, auth->session, session->auth, ios->api

    def test_verdict_names_the_errors_and_they_add_up(self, report):
        verdict = re.search(r"^\*\*(\d+) errors\*\*: (.*)\.$", report, re.M)
        assert verdict.group(2) == "1 hard-cycle, 3 spof-infrastructure, 2 unowned"
        parts = [int(part.split()[0]) for part in verdict.group(2).split(", ")]
        assert sum(parts) == int(verdict.group(1)) == len(rows(section(report, "Errors")))


class TestFindings:
    def test_error_rows_have_rule_subject_place_message(self, report):
        errors = rows(section(report, "Errors"))
        assert all(len(row) == 4 for row in errors)
        by_rule = {(row[0], row[1]) for row in errors}
        assert ("hard-cycle", "`service:auth`") in by_rule
        assert ("unowned", "`service:cache`") in by_rule
        assert ("spof-infrastructure", "`datacenter:lon1`") in by_rule

    def test_hostile_owner_in_a_message_stays_text_and_one_cell(self, report):
        errors = rows(section(report, "Errors"))
        session = [row for row in errors if row[1] == "`service:session`" and row[0] == "unowned"]
        assert len(session) == 1 and len(session[0]) == 4
        assert not re.search(r"(?<!\\)<img", outside_code(report)) and "\\<img src=x onerror=alert(1)\\>" in session[0][3]

    def test_hostile_file_name_is_a_code_span_without_breaking_the_row(self, report):
        db_rows = [row for row in rows(section(report, "Warnings")) + rows(section(report, "Errors"))
                   if "a\\|b<i>" in "".join(row)]
        assert db_rows and all(len(row) == 4 for row in db_rows)
        assert "`services/a\\|b<i>.yaml:3`" in db_rows[0]

    def test_info_is_folded_away(self):
        catalog = Catalog(services={"a": Service("a", dependencies=(Dependency(("b",)),)), "b": Service("b")})
        text = markdown.render_analysis(analyze(catalog))
        assert "<details><summary>Info (" in text and "</details>" in text


class TestSections:
    def test_cycle_row_shows_example_and_cut(self, report):
        (row,) = rows(section(report, "Cycles"))
        assert row[0] == "hard"
        assert row[1] == "`service:auth` → `service:session` → `service:auth`"
        assert row[2] == "2"
        assert row[3] in ("`service:auth -> service:session`", "`service:session -> service:auth`")

    def test_spofs_ranked_tier1_and_clients_first(self, report):
        table = rows(section(report, "Single points of failure"))
        assert [row[0] for row in table[:3]] == ["`datacenter:lon1`", "`host:h1`", "`rack:lon1/a`"]
        assert table[0][1:] == ["2", "1", "3", "0"]  # tier-1 down, clients down, down, degraded

    def test_unowned_reasons(self, report):
        table = rows(section(report, "Unowned services"))
        assert table[0] == ["`service:cache`", "no owner"]
        assert table[1][0] == "`service:session`" and table[1][1].startswith("owner ``")
        assert len(table[1]) == 2

    def test_readiness_per_tribe_escapes_the_tribe(self, report):
        table = rows(section(report, "Readiness per tribe"))
        names = [row[0] for row in table]
        assert "`edge\\|<b>tribe</b>`" in names and "`platform`" in names and "(no tribe)" in names
        assert all(len(row) == 7 for row in table)
        assert HOSTILE_TRIBE not in report.replace("`edge\\|<b>tribe</b>`", "")


class TestMermaid:
    def test_small_landscape_draws_every_service_and_client(self, report):
        block = re.search(r"```mermaid\n(.*?)```", report, re.S).group(1)
        labels = re.findall(r'\["([^"]*)"\]', block)
        assert sorted(labels) == ["api", "auth", "cache", "db", "ios", "session"]
        assert block.count(" --> ") == 5  # every dependency is hard here
        assert "<script" not in block and "pwned" not in block

    def test_labels_cannot_close_or_inject(self):
        label = mermaid_label('x"]; click n0 "javascript:alert(1)" %%{init}%% <b>|')
        inner = label[1:-1]
        assert '"' not in inner and "]" not in inner and "<" not in inner and "|" not in inner
        assert "%" not in inner and "{" not in inner

    def test_the_export_escapes_labels_as_the_reports_do(self):
        from depgraph.exporters.mermaid import export_mermaid
        from depgraph.model import Catalog, Client

        hostile = 'x"]; click n0 "javascript:alert(1)" <b>'  # a catalog built in Python skips the name grammar
        chart = export_mermaid(Catalog(clients={hostile: Client(hostile)}))
        assert chart.splitlines()[1] == f"  client_x____click_n0__javascript_alert_1____b_([{mermaid_label(hostile)}])"

    def test_big_landscape_draws_teams_instead(self, monkeypatch):
        from depgraph.reporters import mermaid

        monkeypatch.setattr(mermaid, "MAX_SERVICES", 2)
        text = markdown.render_analysis(analyze(hostile_catalog()))
        assert "## Team dependencies" in text
        block = re.search(r"```mermaid\n(.*?)```", text, re.S).group(1)
        assert sorted(re.findall(r'\["([^"]*)"\]', block)) == ["#40;unowned#41;".replace("#40;", "(").replace("#41;", ")"), "core", "web"]

    def test_too_big_for_teams_draws_nothing(self, monkeypatch):
        from depgraph.reporters import mermaid

        monkeypatch.setattr(mermaid, "MAX_SERVICES", 2)
        monkeypatch.setattr(mermaid, "MAX_TEAMS", 1)
        assert "```mermaid" not in markdown.render_analysis(analyze(hostile_catalog()))


class TestEscaping:
    @pytest.mark.parametrize("raw", ["<script>alert(1)</script>", "a | b", "`tick`", "[x](javascript:y)", "*b* _i_"])
    def test_text_renders_literally(self, raw):
        escaped = markdown.text(raw)
        assert "<" not in escaped.replace("\\<", "") and "|" not in escaped.replace("\\|", "")
        assert re.sub(r"\\(.)", r"\1", escaped).replace("&amp;", "&") == raw

    def test_code_span_survives_backticks(self):
        assert markdown.code("a``b") == "``` a``b ```"

    def test_owner_with_backticks_stays_in_its_code_span(self):
        assert markdown.code(HOSTILE_OWNER).startswith("`` ") and "\\|" in markdown.code(HOSTILE_OWNER)

    def test_no_finding_table_when_clean(self):
        text = markdown.render_analysis(analyze(Catalog(services={"a": Service("a", owner=None)})))
        assert "## Errors (1)" in text and "## Cycles" not in text
        assert "## Single points of failure" in text and "None" in section(text, "Single points of failure")
