"""Reporters: one function per result kind and format, ``(result) -> str``, chosen from one map.

:data:`REPORTERS` maps a result kind (``analysis``, ``check``, ``blast-radius``, …) and a format
name to ``module:function``; :func:`render` imports the module on first use (so the CLI starts
fast) and returns the text to print. Reporters read their result record and nothing else: no
reporter loads descriptors or runs an analysis, and each escapes untrusted text for its channel
through :mod:`depgraph.output.escape`. JSON documents are written by one writer here.
"""

from __future__ import annotations

import importlib
import inspect

from depgraph.output import jsontext
from depgraph.output.escape import json_text, terminal_block

REPORTERS: dict[str, dict[str, str]] = {
    "analysis": {
        "text": "depgraph.reporters.text:analysis_text",
        "json": "depgraph.reporters.jsondoc:analysis_json",
        "markdown": "depgraph.reporters.markdown:render_analysis",
    },
    "blast-radius": {
        "text": "depgraph.reporters.blast_text:blast_radius_text",
        "json": "depgraph.reporters.jsondoc:blast_radius_json",
    },
    "capacity": {
        "text": "depgraph.reporters.capacity:capacity_text",
        "json": "depgraph.reporters.capacity:capacity_json",
        "markdown": "depgraph.reporters.capacity:capacity_markdown",
    },
    "availability": {
        "text": "depgraph.reporters.availability:availability_text",
        "json": "depgraph.reporters.availability:availability_json",
        "markdown": "depgraph.reporters.availability:availability_markdown",
    },
    "check": {
        "text": "depgraph.reporters.text:check_text",
        "json": "depgraph.reporters.jsondoc:check_json",
        "sarif": "depgraph.reporters.sarif:render_sarif",
        "junit": "depgraph.reporters.junit:render_junit",
        "github": "depgraph.reporters.github:render_github",
        "markdown": "depgraph.reporters.markdown_gate:check_markdown",
        "gitlab": "depgraph.reporters.gitlab:render_gitlab",
    },
    "diff": {
        "text": "depgraph.reporters.text:diff_text",
        "json": "depgraph.reporters.jsondoc:diff_json",
        "markdown": "depgraph.reporters.markdown_gate:diff_markdown",
    },
    "drift": {
        "text": "depgraph.reporters.drift:drift_text",
        "json": "depgraph.reporters.jsondoc:drift_json",
        "markdown": "depgraph.reporters.drift:drift_markdown",
    },
    "paths": {
        "text": "depgraph.reporters.text:paths_text",
        "json": "depgraph.reporters.jsondoc:paths_json",
    },
    "recovery": {
        "text": "depgraph.reporters.recovery:recovery_text",
        "json": "depgraph.reporters.recovery:recovery_json",
        "markdown": "depgraph.reporters.recovery:recovery_markdown",
    },
    "startup-order": {
        "text": "depgraph.reporters.text:startup_text",
        "json": "depgraph.reporters.jsondoc:startup_json",
    },
    "validation": {
        "text": "depgraph.reporters.text:validation_text",
        "json": "depgraph.reporters.jsondoc:validation_json",
    },
}


def reporter(kind: str, format: str):
    """The function writing ``kind`` results in ``format``: ``(result, **options) -> str | dict``,
    given only the options it takes (``verbose`` means something to text, nothing to JSON)."""
    module, _, name = REPORTERS[kind][format].partition(":")
    function = getattr(importlib.import_module(module), name)
    accepted = set(inspect.signature(function).parameters)

    def write(result, **options):
        return function(result, **{key: value for key, value in options.items() if key in accepted})

    return write


def render(kind: str, format: str, result, **options) -> str:
    """``result`` written in ``format`` exactly as ``depgraph`` prints it, final newline included:
    a dict from a JSON or SARIF reporter as a document (:func:`depgraph.output.jsontext.dumps`,
    kept JSON by :func:`~depgraph.output.escape.json_text`), anything else as terminal-safe text
    (:func:`~depgraph.output.escape.terminal_block`). The command line prints this, and
    :func:`depgraph.to_json` returns it."""
    output = reporter(kind, format)(result, **options)
    if isinstance(output, (dict, list)):
        return json_text(jsontext.dumps(output)) + "\n"
    return terminal_block(output.rstrip("\n")) + "\n"
