"""OpenTelemetry service graphs as Prometheus holds them: series of the servicegraph metrics into calls.

The OpenTelemetry collector's ``servicegraph`` connector, Grafana Tempo's metrics-generator and
Alloy all write the same metrics, each series one edge ``client`` → ``server``:

- ``…traces_service_graph_request_total`` — calls;
- ``…traces_service_graph_request_failed_total`` — failed calls;
- ``…traces_service_graph_request_server_seconds_count`` — calls again (a histogram's count),
  used for an edge only when it has no ``request_total`` series.

Any prefix before the name is allowed (an exporter's namespace), and a series with no name at
all (what ``sum by (client, server) (…)`` returns) counts as calls. ``connection_type``
(``database``, ``messaging_system``, ``virtual_node``) is kept. The caller OpenTelemetry names
``user`` for requests that entered uninstrumented, and any client of a series labelled
``virtual_node="client"`` (Tempo), is an entry point rather than a service.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from depgraph.importers.observed import ObservedCall

CALLS, FAILED, SECONDS_COUNT = "calls", "failed", "seconds_count"
SUFFIXES = {
    "traces_service_graph_request_total": CALLS,
    "traces_service_graph_request_failed_total": FAILED,
    "traces_service_graph_request_server_seconds_count": SECONDS_COUNT,
}
ENTRY_CLIENT = "user"
MAX_COUNT = float(1 << 53)  # where floats stop counting one by one


class SeriesError(ValueError):
    """A series that cannot be read; ``where`` places it (a line, or a path in a JSON reply)."""

    def __init__(self, where: str, detail: str):
        super().__init__(f"{where}: {detail}" if where else detail)


@dataclass
class _Edge:
    calls: float = 0.0
    failed: float = 0.0
    seconds_count: float = 0.0
    has_calls: bool = False
    connection_types: set | None = None


def role(name: str | None) -> str | None:
    """What a series of metric ``name`` counts (None: a metric drift does not read).

    >>> role("otelcol_traces_service_graph_request_total"), role(None), role("up")
    ('calls', 'calls', None)
    >>> role("tempo_traces_service_graph_request_server_seconds_count")
    'seconds_count'
    """
    if name is None or name == "":
        return CALLS
    for suffix, what in SUFFIXES.items():
        if name.endswith(suffix):
            return what
    return None


def count(value, where: str) -> float:
    """A sample value as a count: finite, not negative, not absurdly large."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise SeriesError(where, f"the value must be a number, not {type(value).__name__}")
    try:
        number = float(value) if not isinstance(value, str) or len(value) <= 100 else math.nan
    except ValueError:
        raise SeriesError(where, f"the value {value!r} is not a number") from None
    if math.isnan(number) or math.isinf(number):
        raise SeriesError(where, f"the value {value!r} is not a count (NaN or infinite)")
    if number < 0:
        raise SeriesError(where, f"the value {value!r} is negative; a count never is")
    if number > MAX_COUNT:
        raise SeriesError(where, f"the value {value!r} is larger than any count depgraph reads (2^53)")
    return number


def edge_labels(labels, where: str) -> tuple[str, str, str, str]:
    """``(client, server, connection_type, virtual_node)`` of a series' labels."""
    if not isinstance(labels, dict):
        raise SeriesError(where, "the labels must be an object")
    out = []
    for key in ("client", "server", "connection_type", "virtual_node"):
        value = labels.get(key, "")
        if not isinstance(value, str):
            raise SeriesError(where, f"label {key!r} must be a string")
        out.append(value)
    if not out[0] or not out[1]:
        raise SeriesError(where, "a servicegraph series needs 'client' and 'server' labels")
    return out[0], out[1], out[2], out[3]


class ServiceGraph:
    """Accumulates series (:meth:`add`) into calls per edge (:meth:`calls`)."""

    def __init__(self, origin: str = ""):
        self.origin = origin
        self.edges: dict[tuple[str, str, bool], _Edge] = {}
        self.ignored: set[str] = set()
        self.read = 0

    def add(self, name: str | None, labels, value: float, where: str) -> None:
        """One series' labels and its count (already read with :func:`count`)."""
        what = role(name)
        if what is None:
            if len(self.ignored) < 10:
                self.ignored.add(str(name))
            return
        client, server, connection_type, virtual_node = edge_labels(labels, where)
        entry = virtual_node == "client" or client == ENTRY_CLIENT
        edge = self.edges.setdefault((client, server, entry), _Edge())
        self.read += 1
        if what == CALLS:
            edge.calls += value
            edge.has_calls = True
        elif what == FAILED:
            edge.failed += value
        else:
            edge.seconds_count += value
        if connection_type and connection_type != "unset":
            edge.connection_types = (edge.connection_types or set()) | {connection_type}

    def calls(self) -> list[ObservedCall]:
        """The edges with at least one call (a counter that did not move saw no call), sorted."""
        out = []
        for (client, server, entry), edge in sorted(self.edges.items()):
            calls = round(edge.calls if edge.has_calls else edge.seconds_count)
            errors = min(round(edge.failed), calls) if calls else 0
            if calls <= 0:
                continue
            kinds = sorted(edge.connection_types or ())
            out.append(ObservedCall(client, server, calls, errors, ",".join(kinds), entry, self.origin))
        return out
