"""Diagnostics (validation errors and warnings) and the exceptions the core raises.

The core never prints: it raises :class:`DepgraphError` subclasses or returns
:class:`Diagnostic` lists; ``depgraph.cli`` turns them into messages and exit codes once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from depgraph.model import Catalog

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a descriptor file, shown as ``FILE:LINE:COL: error: MESSAGE``
    (``FOLDER: error: MESSAGE`` for a problem of a whole folder, whose ``line`` is 0)."""

    file: str
    line: int
    col: int
    severity: str
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        if not self.line:
            return f"{self.file}: {self.severity}: {self.message}"
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message}"

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.col, self.severity, self.message)

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


class DepgraphError(Exception):
    """Anything depgraph reports to the user as bad input or a failed operation (exit code 2)."""

    exit_code = 2


class DescriptorError(DepgraphError):
    """The descriptor tree (or a policy file) is invalid; ``diagnostics`` holds every problem,
    sorted, warnings too; ``where`` names the tree or file."""

    def __init__(self, diagnostics: list[Diagnostic], where: str = "descriptors"):
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        self.where = where
        self.partial: Catalog | None = None  # the catalog of what did load, when the loader built one
        errors = sum(1 for d in self.diagnostics if d.severity == ERROR)
        them = "them" if errors != 1 else "it"
        super().__init__(f"{errors} error{'s' if errors != 1 else ''} in {where}; fix {them} and run again")

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]


class UsageError(DepgraphError):
    """A command was called with arguments that cannot work (a missing folder, a bad option)."""


class UnknownComponent(UsageError):
    """A component argument names nothing (or several things) in the landscape."""


def did_you_mean(word: str, choices, cutoff: float = 0.6) -> str:
    """A ``; did you mean 'x'?`` suffix for the closest choice, or an empty string.

    >>> did_you_mean("playlst", ["playlist", "search"])
    "; did you mean 'playlist'?"
    >>> did_you_mean("zzz", ["playlist"])
    ''
    """
    import difflib

    choices = list(choices)
    match = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    if not match and len(word) >= 3:
        match = sorted(c for c in choices if isinstance(c, str) and c.startswith(word))[:1]
    return f"; did you mean '{match[0]}'?" if match else ""
