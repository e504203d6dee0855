"""Findings: what the analyses report, with a severity, a place and a stable fingerprint.

A finding's fingerprint depends only on its rule, subject and ``key`` (the facts that make it
this finding, e.g. the members of a cycle), never on line numbers or message wording, so it stays
the same across runs and unrelated edits; baselines and ``check --base`` match on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class Cause:
    """Why a finding holds, in one sentence (``text``) and as facts a tool can read (``facts``:
    JSON values, e.g. the hard ``path`` from a service down to what took it down). ``kind``:
    ``placement`` (every instance stands on the component), ``dependency`` (a hard path),
    ``shared`` (every alternative of an ``any_of`` falls with one component), ``cycle``, …

    >>> Cause("dependency", "service:a needs service:b", {"path": ["service:a", "service:b"]}).to_json()
    {'kind': 'dependency', 'text': 'service:a needs service:b', 'path': ['service:a', 'service:b']}
    """

    kind: str
    text: str
    facts: dict = field(default_factory=dict, hash=False)

    def to_json(self) -> dict:
        return {"kind": self.kind, "text": self.text, **self.facts}

    @classmethod
    def from_json(cls, document: dict) -> Cause:
        facts = {key: value for key, value in document.items() if key not in ("kind", "text")}
        return cls(document["kind"], document["text"], facts)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: str
    subject: str
    message: str
    file: str | None = None
    line: int | None = None
    key: tuple[str, ...] = ()
    #: the ids it concerns (a SPOF's casualties: its down set, kept as a bitset)
    related: Sequence[str] = field(default=())
    #: why it holds (not part of its identity: the fingerprint and equality ignore it)
    cause: Cause | None = field(default=None, compare=False)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.rule, self.subject, self.key)

    def sort_key(self) -> tuple:
        return (SEVERITY_RANK.get(self.severity, 9), self.rule, self.subject, self.message)

    def to_json(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "subject": self.subject,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "fingerprint": self.fingerprint,
            "cause": self.cause.to_json() if self.cause else None,
        }


def fingerprint(rule: str, subject: str, key: tuple[str, ...] = ()) -> str:
    """A short stable hash of what identifies a finding.

    >>> fingerprint("hard-cycle", "service:a", ("service:a", "service:b"))[:8]
    '144c03a5'
    """
    text = "\x1f".join((rule, subject, *key))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
