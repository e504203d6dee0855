"""Markdown for pull requests from the CI side: ``check`` (the PR comment), ``diff`` (with a
Mermaid diagram of the changed edges). User text goes through
:mod:`depgraph.output.escape` as everywhere."""

from __future__ import annotations

from depgraph.reporters.markdown import code, message_with_cause, table, text
from depgraph.output.mermaid import edge, node, numbered_ids
from depgraph.output.mermaid import label as mermaid_label
from depgraph.reporters.text import check_summary

MAX_ROWS = 50  # rows per section; GitHub comments stop at 65,536 characters
MAX_DIAGRAM_NODES = 60


def check_markdown(result) -> str:
    """The PR comment: the verdict, what is new and blocking, new but not blocking, stale
    baseline entries, and the old news folded away."""
    blocking = result.blocking
    icon = ":x:" if blocking or result.invalid else ":white_check_mark:"
    lines = [f"## {icon} depgraph check", "", text(check_summary(result)) + "."]
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
    return "\n".join(lines)


def _section(result, title: str, findings: list) -> list[str]:
    if not findings:
        return []
    return ["", f"### {title} ({len(findings)})", *_rows(result, findings)]


def _rows(result, findings: list) -> list[str]:
    rows = []
    for f in findings[:MAX_ROWS]:
        path = result.repo_path(f.file)
        where = code(f"{path}:{f.line}" if path and f.line else path) if path else "-"
        rows.append([f.severity, code(f.rule), code(f.subject), where, message_with_cause(f)])
    lines = ["", *table(["severity", "rule", "subject", "where", "message"], rows)]
    if len(findings) > MAX_ROWS:
        lines += ["", f"… and {len(findings) - MAX_ROWS} more (see `depgraph check --format json`)."]
    return lines


def diff_markdown(change) -> str:
    """A PR comment: the diff's sections as lists, and a Mermaid diagram of the changed edges."""
    from depgraph.gate.diff import sections

    diff = change.diff
    lines = [f"## depgraph diff: {code(change.old_label)} → {code(change.new_label)}", ""]
    if diff.empty:
        return "\n".join(lines + ["No architectural change."])
    for title, items, show in sections(diff):
        if items:
            lines += [f"### {title} ({len(items)})", ""]
            lines += [f"- {text(show(item).strip())}" for item in items[:100]]
            if len(items) > 100:
                lines.append(f"- … and {len(items) - 100} more (see `--format json`)")
            lines.append("")
    lines += _changed_edges(diff)
    return "\n".join(lines).rstrip("\n")


def _changed_edges(diff) -> list[str]:
    """The changed neighbourhood: added edges thick, removed dashed, retyped labelled."""
    changes = [("added", e) for e in diff.added] + [("removed", e) for e in diff.removed] + [
        ("retyped", e) for e in diff.retyped]
    nodes = sorted({n for _, e in changes for n in (e.source, e.target)})
    if not changes or len(nodes) > MAX_DIAGRAM_NODES:
        return [] if not changes else [f"_{len(nodes)} services changed: too many to draw._"]
    number = numbered_ids(nodes)
    lines = ["```mermaid", "flowchart LR"]
    lines += [node(number[name], name) for name in nodes]
    styles = []
    for index, (kind, e) in enumerate(changes):
        a, b = number[e.source], number[e.target]
        if kind == "added":
            lines.append(edge(a, b, "==>", mermaid_label("+ " + e.after)))
            styles.append(f"  linkStyle {index} stroke:#2da44e,stroke-width:3px")
        elif kind == "removed":
            lines.append(edge(a, b, "-.->", mermaid_label("- " + e.before)))
            styles.append(f"  linkStyle {index} stroke:#cf222e")
        else:
            lines.append(edge(a, b, "-->", mermaid_label(e.before + " to " + e.after)))
            styles.append(f"  linkStyle {index} stroke:#bf8700,stroke-width:2px")
    return lines + styles + ["```"]


