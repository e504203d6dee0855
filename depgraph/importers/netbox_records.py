"""Reading NetBox API objects defensively: every field checked, every problem kept with its place.

NetBox pages come from a server or a file nobody vouches for, so a record is never indexed
blindly: :class:`Page` hands out records and collects problems (``Problem``) naming the page, the
object and what was wrong, and the mapping reports them all at once. Field shapes follow NetBox
4's REST API (nested objects as ``{"id", "url", "display", "name", "slug", …}``, choices as
``{"value", "label"}``) and read older shapes where they differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from depgraph.diagnostics import DepgraphError
from depgraph.importers.names import plain
from depgraph.load.schema import clip
from depgraph.output.words import plural

PROBLEMS_SHOWN = 50


@dataclass(frozen=True)
class Problem:
    where: str  # the page: a dump file or an API URL
    what: str  # the object: "device 42 'lon1-a-07'", or "results[3]"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}: {self.message}" if self.what else f"{self.where}: {self.message}"


class NetboxError(DepgraphError):
    """NetBox data that cannot be imported: every problem found, each naming what and where."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "".join(f"\n  {p}" for p in problems[:PROBLEMS_SHOWN])
        more = len(problems) - PROBLEMS_SHOWN
        tail = f"\n  … and {more:,} more" if more > 0 else ""
        super().__init__(f"{plural(len(problems), 'problem')} in the NetBox data; nothing was written:{shown}{tail}")


@dataclass
class Page:
    """Every result of one NetBox endpoint, and where they came from (for messages)."""

    endpoint: str  # "dcim.devices"
    where: str
    results: list = field(default_factory=list)


class Reader:
    """Collects problems while the mapping reads records; raises them all at the end."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, page: Page, what: str, message: str) -> None:
        self.problems.append(Problem(page.where, what, message))

    def check(self) -> None:
        if self.problems:
            raise NetboxError(self.problems)

    def records(self, page: Page | None, noun: str):
        """``(record id, record, label)`` for each result that is an object with an integer id."""
        if page is None:
            return
        for index, record in enumerate(page.results):
            if not isinstance(record, dict) or not is_int(record.get("id")):
                self.problem(page, f"results[{index}]", f"is not a NetBox {noun} (an object with an "
                             "integer 'id')")
                continue
            yield record["id"], record, describe(noun, record)


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def describe(noun: str, record: dict) -> str:
    """``device 42 'lon1-a-07'``: how a message names a NetBox object."""
    name = record.get("name")
    if not isinstance(name, str):
        name = record.get("display")
    quoted = f" '{clip(name)}'" if isinstance(name, str) and name else ""
    return f"{noun} {record.get('id')}{quoted}"


def nested_id(value) -> int | None:
    """The id of a nested object (``{"id": 3, …}``) or a bare id; None when absent or odd."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if is_int(value) else None


def status_of(record: dict) -> str:
    """A record's status value: ``{"value": "active", "label": "Active"}`` in NetBox 2.10+, a bare
    string in some exports, ``{"value": 1, "label": "Active"}`` before; no status counts as active.

    >>> status_of({"status": {"value": "planned", "label": "Planned"}}), status_of({})
    ('planned', 'active')
    >>> status_of({"status": {"value": 1, "label": "Active"}})
    'active'
    """
    status = record.get("status")
    if status is None:
        return "active"
    if isinstance(status, dict):
        value = status.get("value")
        if not isinstance(value, str):
            value = status.get("label")
        status = value
    return plain(status).lower() if isinstance(status, str) and status else "unknown"


def text_field(record: dict, key: str) -> str | None:
    """A string field as one line of plain text, or None when absent or not a non-empty string."""
    value = record.get(key)
    if not isinstance(value, str):
        return None
    return plain(value) or None


def nested_text(value, *keys: str) -> str | None:
    """The first non-empty string among ``keys`` of a nested object."""
    if not isinstance(value, dict):
        return None
    for key in keys:
        text = text_field(value, key)
        if text:
            return text
    return None
