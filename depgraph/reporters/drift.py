"""``depgraph drift`` as terminal text and as Markdown for a pull-request comment.

Both group the undeclared calls by caller, with what a reviewer weighs before declaring one:
how many calls, how many failed (and the share), the kind of connection and where it was seen.
Every observed name, file and URL passes :mod:`depgraph.output.escape` for its channel.
"""

from __future__ import annotations

from itertools import groupby

from depgraph.output.escape import markdown_code as code
from depgraph.output.escape import markdown_text
from depgraph.output.escape import terminal as t
from depgraph.reporters.markdown import table

MAX_ROWS = 50  # per Markdown section: a GitHub comment stops at 65,536 characters


def _ratio(edge: dict) -> str:
    """The error ratio in percent, with the digits a small one needs.

    >>> _ratio({"error_ratio": 0.025}), _ratio({"error_ratio": 0.0001}), _ratio({"error_ratio": None})
    ('2.5%', '0.01%', '')
    """
    ratio = edge.get("error_ratio")
    if ratio is None:
        return ""
    percent = ratio * 100
    return f"{percent:.1f}%" if percent >= 0.1 or percent == 0 else f"{percent:.2g}%"


def _headline(report) -> str:
    entry = f", {len(report.entry)} entry point{'s' if len(report.entry) != 1 else ''}" if report.entry else ""
    return (f"{len(report.undeclared):,} undeclared, {len(report.unobserved):,} unobserved, "
            f"{len(report.unknown):,} unknown{entry}")


def drift_text(report) -> str:
    """Undeclared calls by caller, then the declared dependencies never seen, entry points and
    names that match nothing (with the closest service)."""
    origins = sorted({o for e in report.undeclared for o in e.get("observed_in", [])})
    where = f" in {t(origins[0])}" if len(origins) == 1 else ""
    lines = [f"drift against {t(report.format)} observations{where}: {_headline(report)}"]
    if report.undeclared:
        lines += ["", "Undeclared calls (observed, not in descriptors), by caller:"]
        width = max(len(t(e["target"])) for e in report.undeclared)
        for source, edges in groupby(report.undeclared, key=lambda e: e["source"]):
            edges = list(edges)
            total = sum(e["calls"] for e in edges)
            lines.append(f"  {t(source)}  ({len(edges):,} undeclared, {total:,} calls)")
            for edge in edges:
                errors = (f"{edge['errors']:,} error{'' if edge['errors'] == 1 else 's'}"
                          + (f" ({_ratio(edge)})" if edge["errors"] else ""))
                kind = f"  [{t(edge['connection_type'])}]" if edge.get("connection_type") else ""
                seen = ", ".join(t(o) for o in edge.get("observed_in", [])) if len(origins) > 1 else ""
                lines.append(f"    -> {t(edge['target']).ljust(width)}  {edge['calls']:>12,} calls  {errors}{kind}"
                             + (f"  in {seen}" if seen else ""))
    if report.unobserved:
        lines += ["", "Declared but never observed:"]
        lines += [f"  {t(e['source'])} -> {t(e['target'])}" for e in report.unobserved]
    if report.entry:
        lines += ["", "Entry points (callers from outside the traced services): "
                  + ", ".join(t(n) for n in report.entry)]
    if report.unknown:
        lines += ["", "Observed names matching no service (add --alias NAME=SERVICE):"]
        for name in report.unknown:
            hint = report.suggestions.get(name)
            lines.append(f"  {t(name)}" + (f"  (did you mean {t(hint)}?)" if hint else ""))
    return "\n".join(lines)


def drift_markdown(report) -> str:
    """A PR comment: the counts, undeclared calls by caller as a table, the rest as lists."""
    origins = sorted({o for e in report.undeclared for o in e.get("observed_in", [])})
    seen = (" Seen in " + ", ".join(code(o) for o in origins[:5])
            + (f" and {len(origins) - 5:,} more" if len(origins) > 5 else "") + ".") if origins else ""
    lines = [f"# Dependency drift ({markdown_text(report.format)})", "", _headline(report) + "." + seen, ""]
    if report.undeclared:
        lines += ["## Undeclared calls", ""]
        rows, previous = [], None
        for edge in report.undeclared[:MAX_ROWS]:
            caller = code(edge["source"]) if edge["source"] != previous else ""
            previous = edge["source"]
            rows.append([caller, code(edge["target"]), f"{edge['calls']:,}", f"{edge['errors']:,}",
                         _ratio(edge), markdown_text(edge.get("connection_type", ""))])
        lines += table(["caller", "callee", "calls", "errors", "error rate", "connection"], rows, "  rrr ")
        lines += _more(len(report.undeclared)) + [""]
    if report.unobserved:
        lines += ["## Declared, never observed", ""]
        lines += table(["source", "target"], [[code(e["source"]), code(e["target"])]
                                              for e in report.unobserved[:MAX_ROWS]])
        lines += _more(len(report.unobserved)) + [""]
    if report.entry:
        lines += ["## Entry points", "", ", ".join(code(n) for n in report.entry), ""]
    if report.unknown:
        lines += ["## Unknown observed names", ""]
        for name in report.unknown[:MAX_ROWS]:
            hint = report.suggestions.get(name)
            lines.append(f"- {code(name)}" + (f" (did you mean {code(hint)}?)" if hint else ""))
        lines += _more(len(report.unknown)) + [""]
    return "\n".join(lines).rstrip("\n")


def _more(count: int) -> list[str]:
    return ["", f"… and {count - MAX_ROWS:,} more (`--format json` lists them all)."] if count > MAX_ROWS else []
