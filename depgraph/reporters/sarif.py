"""A check result as SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

``render_sarif(result)`` returns the log as a dict. Every rule the check can report is in
``tool.driver.rules`` (id, short description, help, default level); every finding is a result
with ``ruleId``, ``level`` (error, warning, note), ``message``, ``partialFingerprints`` (the
finding's stable fingerprint) and, when it has a place, a location relative to the repository
root. New findings have ``baselineState: new``; those accepted by the baseline or present at the
base ref ``unchanged``; those let through by a policy exception carry a ``suppressions`` entry.
"""

from __future__ import annotations

from pathlib import Path

from depgraph import __version__
from depgraph.output.escape import printable
from depgraph.output.escape import uri as escape_uri
from depgraph.gate.check import CheckResult
from depgraph.analyses.findings import Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note", "off": "none"}
FINGERPRINT_NAME = "depgraph/v1"
INFORMATION_URI = "https://github.com/depgraph/depgraph"


def render_sarif(result: CheckResult) -> dict:
    """The SARIF log of one check run."""
    rules = sorted(result.rules.items())
    index = {rule: i for i, (rule, _) in enumerate(rules)}
    results = [_result(result, f, index, "new") for f in result.new]
    results += [_result(result, f, index, "unchanged") for f, _ in result.existing]
    for finding, exception in result.excepted:
        entry = _result(result, finding, index, "unchanged")
        entry["suppressions"] = [{"kind": "external", "status": "accepted",
                                  "justification": f"{exception.reason} (until {exception.expires.isoformat()})"}]
        results.append(entry)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "depgraph",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule, info) for rule, info in rules],
            }},
            "invocations": [{"executionSuccessful": True, "exitCode": result.exit_code}],
            "results": results,
        }],
    }


def _rule(rule: str, info: tuple[str, str, str]) -> dict:
    severity, short, help_text = info
    return {
        "id": rule,
        "name": rule,
        "shortDescription": {"text": short},
        "fullDescription": {"text": help_text},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVELS.get(severity, "warning"),
                                 "enabled": severity != "off"},
    }


def _result(check: CheckResult, finding: Finding, index: dict[str, int], state: str) -> dict:
    entry = {
        "ruleId": finding.rule,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": f"{finding.message}. Why: {finding.cause.text}" if finding.cause else finding.message},
        "partialFingerprints": {FINGERPRINT_NAME: finding.fingerprint},
        "baselineState": state,
        "properties": {"subject": finding.subject, "blocking": state == "new" and check.blocks(finding)},
    }
    if finding.cause:
        entry["properties"]["cause"] = finding.cause.to_json()
    if finding.rule in index:
        entry["ruleIndex"] = index[finding.rule]
    path = check.repo_path(finding.file)
    # RFC 3986: a relative reference percent-encoded, or an absolute file URI outside the repository
    uri = (Path(printable(path)).as_uri() if path.startswith("/") else escape_uri(path)) if path else None
    if uri:
        location = {"physicalLocation": {"artifactLocation": {"uri": uri}}}
        if finding.line:
            location["physicalLocation"]["region"] = {"startLine": finding.line}
        entry["locations"] = [location]
    return entry
