"""A check result as JUnit XML, for GitLab CI (``artifacts:reports:junit``), Jenkins and friends.

One test suite, ``depgraph check``, with one test case per rule: it fails when the rule has new
blocking findings (the failure text lists each with its place), is skipped when the policy turns
the rule off, and passes otherwise; non-blocking new findings of a passing rule are listed in its
``system-out``. Old news (baseline, base ref, exceptions) does not appear as a failure. The
suite's ``properties`` name the depgraph version that wrote it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from depgraph import __version__
from depgraph.output.escape import xml_text
from depgraph.gate.check import CheckResult


def render_junit(result: CheckResult) -> str:
    """The JUnit XML document (UTF-8 text, with an XML declaration)."""
    by_rule: dict[str, list] = {}
    for finding in result.new:
        by_rule.setdefault(finding.rule, []).append(finding)
    rules = sorted(set(result.rules) | set(by_rule))
    blocking = result.blocking
    suite = ET.Element("testsuite", {
        "name": "depgraph check",
        "tests": str(len(rules)),
        "failures": str(len({f.rule for f in blocking})),
        "errors": "0",
        "skipped": str(sum(1 for rule in rules if _severity(result, rule) == "off")),
    })
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", {"name": "depgraph.version", "value": __version__})
    for rule in rules:
        suite.append(_case(result, rule, by_rule.get(rule, [])))
    root = ET.Element("testsuites", {"name": "depgraph", "tests": suite.get("tests"),
                                     "failures": suite.get("failures")})
    root.append(suite)
    _xml_safe(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _xml_safe(element: ET.Element) -> None:
    """Every attribute and text a character XML 1.0 allows (ElementTree escapes markup, not
    U+FFFE or control characters, which make the document unreadable)."""
    for node in element.iter():
        node.attrib.update({key: xml_text(value) for key, value in node.attrib.items()})
        if node.text:
            node.text = xml_text(node.text)


def _severity(result: CheckResult, rule: str) -> str:
    return result.rules.get(rule, ("warning",))[0]


def _case(result: CheckResult, rule: str, findings: list) -> ET.Element:
    blocking = [f for f in findings if result.blocks(f)]
    case = ET.Element("testcase", {"classname": "depgraph", "name": rule})
    if blocking:
        first = result.repo_path(blocking[0].file)
        if first:
            case.set("file", first)
        failure = ET.SubElement(case, "failure", {
            "message": f"{len(blocking)} new blocking finding{'s' if len(blocking) != 1 else ''}: "
                       + blocking[0].message,
            "type": blocking[0].severity,
        })
        failure.text = "\n".join(_line(result, f) for f in blocking)
    elif _severity(result, rule) == "off":
        ET.SubElement(case, "skipped", {"message": "turned off in the policy"})
    others = [f for f in findings if not result.blocks(f)]
    if others:
        ET.SubElement(case, "system-out").text = "\n".join(_line(result, f) for f in others)
    return case


def _line(result: CheckResult, finding) -> str:
    path = result.repo_path(finding.file)
    place = f"{path}:{finding.line}" if path and finding.line else (path or "-")
    return f"{place}: {finding.severity}: {finding.subject}: {finding.message}"
