"""A check result for GitHub: workflow-command annotations, and a Markdown pull-request comment.

:func:`render_github` prints one ``::error``/``::warning``/``::notice`` command per *new*
finding (blocking ones as errors), placed at the file and line relative to the repository root,
and a notice per stale baseline entry; old news is not annotated. Values are escaped as the
runner expects: ``%``, ``\\r`` and ``\\n`` everywhere, and ``:`` and ``,`` in properties too.

:func:`render_markdown` is the PR comment: the verdict, then what is new and blocking, what is
new but not blocking, stale baseline entries, and the old news folded away.
"""

from __future__ import annotations

from depgraph.gate.check import CheckResult
from depgraph.reporters.markdown import code, table, text

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
MAX_ROWS = 50  # rows per Markdown section; GitHub comments stop at 65,536 characters


def escape_data(value: str) -> str:
    """Escape a workflow command's message.

    >>> escape_data("50% done\\r\\nnext")
    '50%25 done%0D%0Anext'
    """
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow command's property value (``file=…``, ``title=…``).

    >>> escape_property("a:b,c%")
    'a%3Ab%2Cc%25'
    """
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties) -> str:
    """``::kind prop=value,…::message`` with every part escaped; None properties left out."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items()
                     if value is not None)
    return f"::{kind}{' ' + props if props else ''}::{escape_data(message)}"


def render_github(result: CheckResult) -> str:
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
    lines.append(summary_line(result))
    return "\n".join(lines)


def summary_line(result: CheckResult) -> str:
    """One sentence: the verdict and the counts."""
    blocking = len(result.blocking)
    verdict = (f"FAILED: {blocking} new blocking finding{'s' if blocking != 1 else ''}" if blocking
               else "passed: no new blocking findings")
    return (f"depgraph check {verdict} (fail on {result.fail_on}; {len(result.new)} new, "
            f"{len(result.existing)} existing, {len(result.excepted)} excepted, {len(result.stale)} stale "
            "baseline entries)")


def render_markdown(result: CheckResult) -> str:
    blocking = result.blocking
    icon = ":x:" if blocking else ":white_check_mark:"
    lines = [f"## {icon} depgraph check", "", text(summary_line(result)) + "."]
    compared = []
    if result.base:
        compared.append(f"the base {code(result.base.ref)} ({code(result.base.commit[:12])}, {result.base.status})")
    if result.baseline_path:
        compared.append(f"the baseline {code(result.baseline_path)}")
    if compared:
        lines += ["", "Compared with " + " and ".join(compared) + "."]
    lines += [f"> {text(note)}" for note in result.notes]
    lines += _section(result, "New and blocking", blocking)
    lines += _section(result, "New, not blocking", [f for f in result.new if not result.blocks(f)])
    if result.stale:
        lines += ["", f"### Stale baseline entries ({len(result.stale)})", "",
                  "These are fixed: remove them from the baseline so it only shrinks.", ""]
        lines += table(["fingerprint", "rule", "subject"],
                       [[code(e.fingerprint), code(e.rule), code(e.subject)] for e in result.stale[:MAX_ROWS]])
    old = [f for f, _ in result.existing]
    if old:
        lines += ["", f"<details><summary>Existing findings ({len(old)}): old news, not blocking</summary>"]
        lines += _rows(result, old)
        lines += ["", "</details>"]
    if result.excepted:
        lines += ["", f"<details><summary>Let through by policy exceptions ({len(result.excepted)})</summary>", ""]
        lines += table(["rule", "subject", "reason", "until"],
                       [[code(f.rule), code(f.subject), text(e.reason), e.expires.isoformat()]
                        for f, e in result.excepted[:MAX_ROWS]])
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _section(result: CheckResult, title: str, findings: list) -> list[str]:
    if not findings:
        return []
    return ["", f"### {title} ({len(findings)})", *_rows(result, findings)]


def _rows(result: CheckResult, findings: list) -> list[str]:
    rows = []
    for f in findings[:MAX_ROWS]:
        path = result.repo_path(f.file)
        where = code(f"{path}:{f.line}" if path and f.line else path) if path else "-"
        rows.append([f.severity, code(f.rule), code(f.subject), where, text(f.message)])
    lines = ["", *table(["severity", "rule", "subject", "where", "message"], rows)]
    if len(findings) > MAX_ROWS:
        lines += ["", f"… and {len(findings) - MAX_ROWS} more (see `depgraph check --format json`)."]
    return lines
