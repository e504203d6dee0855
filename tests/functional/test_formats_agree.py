"""Every format ranks and counts the same: the example landscape through text, JSON, Markdown,
the HTML report's data and blast-radius, compared as a reader would compare them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from tests.helpers import decode_data

ROOT = Path(__file__).resolve().parents[2]
DESCRIPTORS = ROOT / "descriptors"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    from typer.testing import CliRunner

    from depgraph.cli import app

    runner = CliRunner()

    def run(*args):
        result = runner.invoke(app, [*args, "-d", str(DESCRIPTORS), "-q"], catch_exceptions=False)
        return result.stdout

    out = tmp_path_factory.mktemp("report")
    run("report", "-o", str(out))
    return {
        "text": run("analyze"),
        "json": json.loads(run("analyze", "--format", "json")),
        "markdown": run("analyze", "--format", "markdown"),
        "html": decode_data((out / "index.html").read_text(encoding="utf-8")),
        "blast": json.loads(run("blast-radius", "datacenter:lon1", "--format", "json", "--no-cache")),
        "blast_text": run("blast-radius", "datacenter:lon1", "--no-cache"),
    }


def text_section(text: str, title: str) -> list[str]:
    body = text.split(f"\n{title}")[1].split("\n\n")[0]
    return body.splitlines()[2:]  # below the title and its underline


def markdown_table(markdown: str, heading: str) -> list[list[str]]:
    part = markdown.split(f"## {heading}")[1].split("\n## ")[0]
    rows = [line for line in part.splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    return [[cell.strip().strip("`") for cell in row.strip("|").split(" | ")] for row in rows[1:]]


def test_single_points_of_failure_come_in_one_order(outputs):
    ranked = [s["component"] for s in outputs["json"]["spofs"]]
    text = [line.split()[-1] for line in text_section(outputs["text"], "Single points of failure")[1:]]
    markdown = [row[0] for row in markdown_table(outputs["markdown"], "Single points of failure")]
    assert ranked[:3] == ["service:postgres", "service:cassandra", "service:dns"]
    assert text == ranked[:len(text)] and markdown == ranked[:len(markdown)]
    assert outputs["html"]["spofs"]["component"] == ranked


def test_findings_come_in_one_order(outputs):
    findings = [(f["rule"], f["subject"]) for f in outputs["json"]["findings"]]
    data = outputs["html"]["findings"]
    names, kinds = outputs["html"]["nodes"]["name"], outputs["html"]["nodes"]["kind"]
    html = [(data["rules"][r], s if s is not None else ("service:" if kinds[n] == 0 else "client:") + names[n])
            for r, s, n in zip(data["rule"], data["subject"], data["node"])]
    assert html == findings
    errors = [f for f in findings if f in {(x["rule"], x["subject"]) for x in outputs["json"]["findings"]
                                           if x["severity"] == "error"}]
    text_rows = [tuple(line.split()[:2]) for line in text_section(outputs["text"], "Errors (8)")
                 if not line.startswith("      ")]
    assert text_rows == errors
    assert [tuple(row[:2]) for row in markdown_table(outputs["markdown"], "Errors (8)")] == errors


def test_every_headline_counts_alike_and_adds_up(outputs):
    summary = outputs["json"]["summary"]
    by_rule = summary["findings_by_rule"]["error"]
    assert sum(by_rule.values()) == summary["findings_by_severity"]["error"] == 8
    parts = ", ".join(f"{n} {rule}" for rule, n in by_rule.items())
    assert f"findings: 8 errors ({parts}), 26 warnings, 7 info" in outputs["text"]
    assert f"**8 errors**: {parts}." in outputs["markdown"]
    assert outputs["html"]["summary"] == summary


def test_whom_to_call_for_a_data_center_is_one_order(outputs):
    cli = [t["team"] for t in outputs["blast"]["teams"]]
    text = re.findall(r"^  (team:\S+)", outputs["blast_text"].split("WHOM TO CALL")[1].split("\n\nDOWN")[0], re.M)
    lon1 = next(dc for dc in outputs["html"]["datacenters"] if dc["name"] == "lon1")
    teams = outputs["html"]["teams"]["name"]
    html = [f"team:{teams[t] if t >= 0 else name}" for t, _, _, _, name in lon1["teams"]]
    assert cli[0] == "team:payments-squad"  # the tier-1 payments service is down
    assert text == cli[:len(text)]
    assert html == cli
    assert len(lon1["down"]) == len(outputs["blast"]["down"]) and len(lon1["degraded"]) == len(outputs["blast"]["degraded"])
