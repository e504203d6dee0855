"""A check result as a GitLab Code Quality report, for the merge-request widget and diff view.

``render_gitlab(result)`` returns the report: a JSON array with one issue per finding of the
descriptors as they are (new ones and old news alike), each ``{description, check_name,
fingerprint, severity, location: {path, lines: {begin}}}``. GitLab itself compares the report
with the one from the target branch's pipeline by fingerprint, so every current finding is in
it; the finding's own stable fingerprint keeps that comparison right across moved lines.
Findings let through by a policy exception are left out.

Severities: a new finding that fails this check is a ``blocker``; otherwise depgraph's ``error``
is ``critical``, ``warning`` is ``major`` and ``info`` is ``info``. Paths are relative to the
repository root, as GitLab expects.
"""

from __future__ import annotations

from depgraph.analyses.findings import Finding
from depgraph.gate.check import CheckResult

SEVERITIES = {"error": "critical", "warning": "major", "info": "info"}
BLOCKING = "blocker"


def render_gitlab(result: CheckResult) -> list[dict]:
    """The Code Quality issues of one check run: new findings first, then old news."""
    issues = [_issue(result, finding, BLOCKING if result.blocks(finding) else None) for finding in result.new]
    issues += [_issue(result, finding, None) for finding, _ in result.existing]
    return issues


def _issue(result: CheckResult, finding: Finding, severity: str | None) -> dict:
    return {
        "description": f"{finding.subject}: {finding.message}",
        "check_name": finding.rule,
        "fingerprint": finding.fingerprint,
        "severity": severity or SEVERITIES.get(finding.severity, "major"),
        # A finding always has a file in practice; the descriptor folder stands in otherwise.
        "location": {"path": result.repo_path(finding.file or result.root) or ".",
                     "lines": {"begin": finding.line or 1}},
    }
