"""Baselines: the findings a team has accepted for now, recorded by fingerprint.

A baseline file (``schema: depgraph/baseline/v1``) lists findings by fingerprint, with rule,
subject and message for the humans who review it, sorted so that it diffs well. ``depgraph
check --baseline F`` lets the findings in it pass and reports the entries that no longer match
any finding (stale), so the file only ever shrinks. ``--write-baseline`` checks its target
before the analysis runs and writes the file atomically: a refusal writes nothing.

>>> from depgraph.analyses.findings import Finding
>>> doc = baseline_document([Finding("unowned", "error", "service:a", "service:a has no owner")])
>>> [entry["subject"] for entry in doc["findings"]], doc["schema"]
(['service:a'], 'depgraph/baseline/v1')
>>> parse_baseline(jsontext.dumps(doc), "b.json").fingerprints() == {Finding("unowned", "error", "service:a", "").fingerprint}
True
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from depgraph.output import jsontext
from depgraph.output.atomic import write_text
from depgraph.diagnostics import DepgraphError
from depgraph.load.bounded import InputError, load_text_bounded, parse_json
from depgraph.load.gitsource import is_descriptor_path
from depgraph.load.limits import DEFAULT_LIMITS

SCHEMA = "depgraph/baseline/v1"
FINGERPRINT_RE = re.compile(r"^[0-9a-f]{16}$")
ENTRY_FIELDS = ("fingerprint", "rule", "subject", "message")


class BaselineError(DepgraphError):
    """A baseline file that cannot be used (missing, not JSON, wrong shape)."""


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    fingerprint: str
    rule: str = ""
    subject: str = ""
    message: str = ""

    def to_json(self) -> dict:
        return {"fingerprint": self.fingerprint, "rule": self.rule, "subject": self.subject,
                "message": self.message}


@dataclass(frozen=True, slots=True)
class Baseline:
    path: str
    entries: tuple[BaselineEntry, ...]

    def fingerprints(self) -> set[str]:
        return {entry.fingerprint for entry in self.entries}


def baseline_document(findings) -> dict:
    """The baseline JSON document for ``findings`` (Finding records or BaselineEntry), one entry
    per fingerprint, sorted by rule, subject and fingerprint."""
    entries = {}
    for item in findings:
        entries.setdefault(item.fingerprint, BaselineEntry(item.fingerprint, item.rule, item.subject,
                                                           item.message))
    ordered = sorted(entries.values(), key=lambda e: (e.rule, e.subject, e.fingerprint))
    return {"schema": SCHEMA, "findings": [entry.to_json() for entry in ordered]}


def write_baseline(path: str | os.PathLike, findings) -> Baseline:
    """Write the baseline for ``findings`` to ``path`` atomically; return what was written."""
    text = jsontext.dumps(baseline_document(findings)) + "\n"
    written = parse_baseline(text, str(path))  # what a later --baseline will read, checked first
    write_text(path, text)
    return written


def check_baseline_target(path: str | os.PathLike, descriptors: str | os.PathLike, policy: str | None) -> None:
    """Refuse, before anything is written, a ``--write-baseline`` target that cannot be written
    or that is one of depgraph's own inputs: the policy, or a file the loader would read as a
    descriptor (the JSON would make the tree invalid)."""
    target = Path(path)
    if target.is_dir():
        raise BaselineError(f"cannot write the baseline {path}: it is a folder")
    parent = next((p for p in (target.parent, *target.parent.parents) if p.exists()), Path("."))
    if not parent.is_dir():
        raise BaselineError(f"cannot write the baseline {path}: {parent} is not a folder")
    real = Path(os.path.realpath(target))
    if policy is not None and real == Path(os.path.realpath(policy)):
        raise BaselineError(f"cannot write the baseline {path}: it is the policy file")
    root = Path(os.path.realpath(descriptors))
    inside = real.relative_to(root).as_posix() if root in real.parents else None
    if inside is not None and (is_descriptor_path(inside) or inside == "depgraph.yaml"):
        raise BaselineError(f"cannot write the baseline {path}: it would be read as a descriptor "
                            f"of {descriptors} (name it .json, or put it outside the folder)")


def read_baseline(path: str | os.PathLike, limit: int = DEFAULT_LIMITS.max_file_bytes) -> Baseline:
    """Read and check a baseline file (at most ``limit`` bytes); raises BaselineError with a clear message."""
    if not os.path.lexists(path):
        raise BaselineError(f"baseline '{path}' not found (create it with --write-baseline {path})")
    try:
        text = load_text_bounded(path, limit, "baseline")
    except InputError as exc:
        raise BaselineError(str(exc)) from None
    return parse_baseline(text, str(path))


def parse_baseline(text: str, path: str) -> Baseline:
    """Parse baseline JSON text; every problem names the file and, where it can, the line."""
    try:
        document = parse_json(text, path, "corrupt baseline")
    except InputError as exc:
        raise BaselineError(f"{exc}; regenerate it with --write-baseline") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        found = document.get("schema") if isinstance(document, dict) else None
        raise BaselineError(f"{path}: error: not a depgraph baseline (expected \"schema\": \"{SCHEMA}\""
                            + (f", found {found!r}" if found else "") + ")")
    items = document.get("findings")
    if not isinstance(items, list):
        raise BaselineError(f"{path}: error: corrupt baseline: 'findings' must be a list")
    entries = []
    for index, item in enumerate(items):
        entries.append(_entry(item, index, path))
    return Baseline(path, tuple(entries))


def _entry(item, index: int, path: str) -> BaselineEntry:
    where = f"{path}: error: corrupt baseline: findings[{index}]"
    if not isinstance(item, dict):
        raise BaselineError(f"{where} must be an object")
    fingerprint = item.get("fingerprint")
    if not isinstance(fingerprint, str) or not FINGERPRINT_RE.match(fingerprint):
        raise BaselineError(f"{where} has no valid 'fingerprint' (16 hex digits), found {fingerprint!r}")
    text = {}
    for field in ENTRY_FIELDS[1:]:
        value = item.get(field, "")
        if not isinstance(value, str):
            raise BaselineError(f"{where}: '{field}' must be a string")
        text[field] = value
    return BaselineEntry(fingerprint, **text)
