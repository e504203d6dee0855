"""No input can forge output: arbitrary Unicode in every free-text field, in descriptor *file
names* and in the side inputs (baseline entries, policy exceptions, notes, observed names),
through every reporter, on the channel each one writes to.

The property, per channel: the output stays well-formed (JSON parses, XML parses, SARIF
validates), carries no control character a terminal would act on, and has exactly the lines
the same result with plain placeholder text has: no value can start a line (a GitHub
``::error`` command, a Markdown heading) or end one early.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from depgraph.analysis import analyze
from depgraph.cli.kit import emit, emit_result
from depgraph.output.escape import json_text, terminal_block
from depgraph.analyses.findings import Finding
from depgraph.gate.baseline import BaselineEntry
from depgraph.gate.check import BaseInfo, CheckResult, decide
from depgraph.gate.policy import PolicyException
from depgraph.importers.drift import DriftReport
from depgraph.model import Catalog, Client, Datacenter, Dependency, Deployment, Host, Link, Location, Service, Team
from depgraph.reporters import REPORTERS, render

# Any text at all: controls, bidi overrides, U+FFFE, lone surrogates (non-UTF-8 file names),
# Markdown and HTML markup, GitHub workflow commands.
HOSTILE = st.one_of(
    st.text(min_size=1, max_size=40),
    st.sampled_from(["a\n::error file=x,line=1::forged", "\x1b]0;pwned\x07", "x\r\n## heading", "\ufffe\uffff",
                     "caf\udce9.yaml", "\u202egnp.exe", "@everyone https://evil.example", "</script><b>",
                     "`|` *x* [a](javascript:1)", "%0A::warning::x", "\x85next line"]),
)
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
CHANNEL = settings(max_examples=25, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def landscape(text: dict[str, str]) -> Catalog:
    """A small landscape with ``text`` in every free-text field and file name; with plain
    placeholders it is the same landscape as far as structure goes."""
    where = lambda n: Location(text["file"] + f"/{n}.yaml", 3)  # noqa: E731
    return Catalog(
        root=text["root"],
        datacenters={"lon1": Datacenter("lon1", location=text["location"], region=text["region"],
                                        labels={"note": text["label"]}, source=where("dc"))},
        hosts={"h1": Host("h1", "lon1", rack="a", labels={"k": text["label"]}, source=where("h"))},
        teams={"core": Team("core", tribe=text["tribe"], contact={"slack": text["contact"], "pager": text["contact"]},
                            source=where("team"))},
        services={
            "db": Service("db", description=text["description"], owner="core", tier=1,
                          deployments=(Deployment("lon1", hosts=("h1",), source=where("db"),
                                                  host_sources=(where("db"),)),),
                          links=(Link(text["url"], text["title"]),), source=where("db"),
                          min_instances=2, slo=99.9),
            "api": Service("api", description=text["description"], owner=text["owner"],
                           dependencies=(Dependency(("db",), source=where("api")), Dependency(("auth",))),
                           source=where("api")),
            "auth": Service("auth", owner="core", dependencies=(Dependency(("api",), source=where("auth")),),
                            source=where("auth")),
        },
        clients={"ios": Client("ios", description=text["description"], owner=text["owner"],
                               dependencies=(Dependency(("api",), source=where("ios")),), source=where("ios"))},
    )


FIELDS = ("file", "root", "location", "region", "label", "tribe", "contact", "description", "url", "title",
          "owner", "rule", "subject", "reason", "note", "ref", "observed")
PLAIN = {field: f"plain-{field}" for field in FIELDS}


def check_result(catalog: Catalog, text: dict[str, str]) -> CheckResult:
    """The gate's result for ``catalog`` with side inputs that came from outside: a stale
    baseline entry, a policy exception's reason and file, a note, a base ref."""
    report = analyze(catalog)
    result = decide(report.findings[1:], fail_on="warning")
    first = report.findings[0]
    result.excepted = [(first, PolicyException(first.rule, first.subject, text["reason"], dt.date(2999, 1, 1),
                                               (text["file"] + "/depgraph.yaml", 2)))]
    result.stale = [BaselineEntry(text["subject"], text["rule"], text["subject"], text["reason"])]
    result.notes = [text["note"]]
    result.base = BaseInfo(text["ref"], "0" * 40, "analyzed")
    result.baseline_path, result.root = text["file"] + "/baseline.json", text["root"]
    result.rules = {"hard-cycle": ("error", text["title"], text["description"])}
    result.new.append(Finding("unowned", "error", "service:api", text["description"], text["file"], None))
    return result


def drift_report(text: dict[str, str]) -> DriftReport:
    return DriftReport(text["observed"], undeclared=[{"source": "service:api", "target": "service:db", "calls": 3,
                                                      "errors": 1, "error_ratio": 0.3333,
                                                      "observed_in": [text["observed"]],
                                                      "connection_type": text["observed"]}],
                       unobserved=[], unknown=sorted({text["observed"], "plain"}), entry=[text["observed"]],
                       suggestions={text["observed"]: "service:api"})


def results(text: dict[str, str]) -> dict[str, object]:
    catalog = landscape(text)
    report = analyze(catalog)
    from depgraph.analyses.blast import blast_radius

    from depgraph.analyses.availability import availability_report
    from depgraph.analyses.capacity import capacity_report

    return {"analysis": report, "check": check_result(catalog, text), "drift": drift_report(text),
            "blast-radius": blast_radius(catalog, report.model, ["host:h1"]),
            "capacity": capacity_report(catalog, report.model, racks=True),
            "availability": availability_report(catalog, report.model, trials=200),
            "recovery": report.recovery}


def printed(capsys, kind: str, format: str, result) -> str:
    """What the CLI prints for ``result``: through the same channel function commands use."""
    emit_result(kind, format, result)
    return capsys.readouterr().out


def texts():
    return st.fixed_dictionaries({field: HOSTILE for field in FIELDS})


@CHANNEL
@given(text=texts())
def test_no_text_forges_a_line_or_breaks_a_format(text, capsys):
    hostile, plain = results(text), results(PLAIN)
    for kind in ("analysis", "check", "drift", "blast-radius", "capacity", "availability", "recovery"):
        for format in REPORTERS[kind]:
            out = printed(capsys, kind, format, hostile[kind])
            baseline = printed(capsys, kind, format, plain[kind])
            where = f"{kind} --format {format}"
            assert not CONTROLS.search(out), f"{where} lets a control character through"
            out.encode("utf-8")  # printable: no lone surrogate reaches the stream
            if format in ("json", "sarif", "gitlab"):
                json.loads(out)
            elif format == "junit":
                ET.fromstring(out.split("\n", 1)[1].encode("utf-8"))
            else:
                assert out.count("\n") == baseline.count("\n"), f"{where}: a value added or ended a line"
            if format == "markdown":  # a PR comment: no @mention fires, no bare URL links
                prose = re.sub(r"(`+).*?\1", "", out)  # inside code spans nothing fires
                assert not re.search(r"@[A-Za-z0-9]|https?://|www\.", prose), where
            if format == "github":
                lines = out.splitlines()
                assert all(line.startswith("::") for line in lines[:-1]) and not lines[-1].startswith("::")


@CHANNEL
@given(text=texts())
def test_sarif_uris_are_rfc_3986_and_the_log_validates(text, capsys, request):
    schema_dir = request.getfixturevalue("shared_dir") / "schemas"
    import jsonschema

    log = json.loads(printed(capsys, "check", "sarif", results(text)["check"]))
    jsonschema.validate(log, json.loads((schema_dir / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")))
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]
            for loc in r.get("locations", ())]
    assert uris and all(re.fullmatch(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%]+", uri) for uri in uris), uris


@CHANNEL
@given(text=texts())
def test_the_html_page_and_the_exports_stay_well_formed(text):
    from tests.helpers import decode_data

    from depgraph.exporters import export
    from depgraph.reporters.html import render_html

    catalog = landscape(text)
    page = render_html(analyze(catalog, for_page=True))
    assert page.count("</script>") == page.count("<script")  # no text closes a script element
    decode_data(page)  # the embedded data parses
    ET.fromstring(export(catalog, "graphml").encode("utf-8"))
    json.loads(json_text(export(catalog, "json")))
    mermaid = export(catalog, "mermaid")
    assert mermaid.count("\n") == export(landscape(PLAIN), "mermaid").count("\n")


@CHANNEL
@given(text=texts())
def test_dot_labels_keep_the_svg_valid(text):
    from depgraph.diagrams import render_view
    from depgraph.diagrams.blast import blast_radius_dot
    from depgraph.failure.engine import simulate

    catalog = landscape(text)
    report = analyze(catalog)
    plain = analyze(landscape(PLAIN))
    for view in ("services", "teams", "deployment"):
        dot = render_view(report, view)
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]", dot), view
        assert dot.count("\n") == render_view(plain, view).count("\n"), view
    blast_radius_dot(report, simulate(report.model, ["host:h1"]))


def test_the_terminal_channel_makes_controls_visible():
    assert terminal_block("a\n\x1b[31mred\x1b[0m\n::x") == "a\n\\e[31mred\\e[0m\n::x"
    emit("x\x07")


@pytest.mark.parametrize("kind", sorted(REPORTERS))
def test_every_reporter_is_reachable_by_name(kind):
    for format in REPORTERS[kind]:
        assert callable(__import__("depgraph.reporters", fromlist=["reporter"]).reporter(kind, format))


def test_render_writes_documents_as_sorted_json():
    document = render("drift", "json", drift_report(PLAIN))
    from depgraph.output import jsontext

    assert json.loads(document)["schema"] == "depgraph/drift/v1"
    assert document == jsontext.dumps(json.loads(document)) + "\n"  # one writer: sorted keys, same bytes


# -- through the real CLI, with hostile descriptor file names on disk ----------------------------

FORGED = "x\n::error file=forged.yaml,line=1::forged\x1b]0;pwned\x07"


@pytest.fixture
def hostile_tree(tmp_path):
    """A tree whose file names carry a newline with a workflow command, an OSC sequence and a
    byte that is not UTF-8; each file has a finding (no owner) so its name reaches the output."""
    import os

    root = tmp_path / "descriptors"
    root.mkdir()
    (root / "teams.yaml").write_text("kind: team\nname: core\n")
    (root / f"{FORGED}.yaml").write_text("kind: service\nname: a\ndeployments: [{datacenter: x, instances: 1}]\n")
    with open(os.path.join(os.fsencode(root), b"caf\xe9.yaml"), "w") as handle:
        handle.write("kind: service\nname: b\nowner: nobody\ndependencies: [a]\n")
    (root / "dc.yaml").write_text("kind: datacenter\nname: x\n")
    return root


@pytest.mark.parametrize("args", [
    ["check", "--format", "github"], ["check"], ["check", "--format", "markdown"], ["analyze"],
    ["validate"], ["blast-radius", "a", "--no-cache"],
])
def test_hostile_file_names_forge_nothing_through_the_cli(hostile_tree, args):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "depgraph", *args, "-d", str(hostile_tree)],
                          capture_output=True)
    assert proc.returncode in (0, 1), proc.stderr
    for stream in (proc.stdout, proc.stderr):
        text = stream.decode("utf-8")  # valid UTF-8: the bad byte is shown as U+FFFD
        assert "\x1b" not in text and "\x07" not in text
        assert not any(line.startswith("::error file=forged") for line in text.splitlines())
    if args[-1] == "github":
        assert b"forged.yaml" in proc.stdout  # the name is there, quoted into its own command


def test_a_report_on_a_tree_with_a_non_utf8_file_name_is_written(hostile_tree, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "depgraph", "report", "-d", str(hostile_tree), "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "caf\ufffd.yaml" in (out / "report.md").read_text(encoding="utf-8")
    json.loads((out / "report.json").read_text(encoding="utf-8"))
