"""A check result as GitHub workflow commands: one ``::error``/``::warning``/``::notice`` per
*new* finding (blocking ones as errors), placed at the file and line relative to the
repository root, and a notice per stale baseline entry; old news is not annotated. Every value
goes through :func:`~depgraph.output.escape.workflow_data` or
:func:`~depgraph.output.escape.workflow_property`, so no text can end a command or start
another. The PR comment is :func:`depgraph.reporters.markdown_gate.check_markdown`.
"""

from __future__ import annotations

from depgraph.output.escape import workflow_data, workflow_property
from depgraph.reporters.text import check_summary

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def command(kind: str, message: str, **properties) -> str:
    """``::kind prop=value,…::message`` with every part escaped; None properties left out.

    >>> command("error", "ring\\n::error::forged", file="a,b.yaml", line=3)
    '::error file=a%2Cb.yaml,line=3::ring%0A::error::forged'
    """
    props = ",".join(f"{key}={workflow_property(value)}" for key, value in properties.items()
                     if value is not None)
    return f"::{kind}{' ' + props if props else ''}::{workflow_data(message)}"


def render_github(result) -> str:
    lines = []
    for finding in result.new:
        kind = "error" if result.blocks(finding) else COMMANDS.get(finding.severity, "warning")
        lines.append(command(kind, f"{finding.subject}: {finding.message}",
                             file=result.repo_path(finding.file), line=finding.line,
                             title=f"depgraph {finding.rule}"))
    for entry in result.stale:
        lines.append(command("notice", f"baseline entry {entry.fingerprint} ({entry.rule} {entry.subject}) "
                             "matches no finding any more: remove it from the baseline",
                             file=result.repo_path(result.baseline_path), title="depgraph stale baseline entry"))
    lines.append(workflow_data(check_summary(result)))
    return "\n".join(lines)
