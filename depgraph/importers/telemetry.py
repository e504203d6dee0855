"""Telemetry sinks and other observability plumbing: tracing collectors, metrics, log shippers.

Edges to these are imported as soft dependencies by default: every service reports to the
collector, so hard edges would invent hard cycles and single points of failure that do not
stop a single request.

A workload is a sink when a whole *token* of its name or image names one: names and image
paths are split on ``-_./:@``, so ``tempo`` matches ``grafana/tempo`` but not ``temporal``, and
``otel`` matches ``otel-collector`` but not ``hotel-reservation``. Every guess comes with its
reason, so the import can say which services it treated as sinks and why.
"""

from __future__ import annotations

import itertools

from depgraph.importers.names import tokens

# One token naming a sink: a product, or an image organisation that ships only such products.
SINK_TOKENS = frozenset({
    "otel", "opentelemetry", "otelcol", "opamp", "jaeger", "jaegertracing", "zipkin", "openzipkin",
    "prometheus", "grafana", "loki", "tempo", "promtail", "fluentd", "fluentbit", "logstash",
    "instana", "datadog", "datadoghq", "newrelic", "signoz",
})
# Two adjacent tokens naming a sink, where either alone names something else.
SINK_PAIRS = frozenset({("fluent", "bit"), ("elastic", "apm"), ("apm", "server"), ("datalust", "seq")})


def _token_match(text: str) -> str | None:
    words = tokens(text)
    for word in words:
        if word in SINK_TOKENS:
            return word
    for pair in itertools.pairwise(words):
        if pair in SINK_PAIRS:
            return "-".join(pair)
    return None


def telemetry_reason(name: str, image: str | None = None) -> str | None:
    """Why a workload named ``name`` running ``image`` is observability plumbing, or None.

    >>> telemetry_reason("otel-collector"), telemetry_reason("hotel-reservation")
    ("name token 'otel'", None)
    >>> telemetry_reason("traces", "example/tempo:2.4"), telemetry_reason("temporal", "temporalio/server")
    ("image example/tempo:2.4 (token 'tempo')", None)
    """
    word = _token_match(name)
    if word:
        return f"name token '{word}'"
    if image:
        word = _token_match(image)
        if word:
            return f"image {image} (token '{word}')"
    return None


def is_telemetry(name: str, image: str | None = None) -> bool:
    """Whether a workload named ``name`` running ``image`` is observability plumbing.

    >>> is_telemetry("otel-collector"), is_telemetry("jaeger-agent"), is_telemetry("cart")
    (True, True, False)
    >>> is_telemetry("seq", "datalust/seq:latest"), is_telemetry("db", "postgres:16")
    (True, False)
    """
    return telemetry_reason(name, image) is not None


class TelemetryGuess:
    """Which of an import's workloads are telemetry sinks, with the user's overrides applied
    (``--telemetry NAME`` / ``--not-telemetry NAME``, naming the source's or the written name),
    and the note that lists every guess."""

    def __init__(self, options) -> None:
        self.options = options
        self.sinks: dict[str, str] = {}  # written name -> reason
        self.used: set[str] = set()

    def consider(self, written: str, original: str, image: str | None) -> None:
        forced_on, forced_off = self.options.telemetry, self.options.not_telemetry
        names = {written, original}
        if names & forced_off:
            self.used |= names & forced_off
            return
        if names & forced_on:
            self.used |= names & forced_on
            self.sinks[written] = "--telemetry"
            return
        reason = telemetry_reason(original, image)
        if reason:
            self.sinks[written] = reason

    def __contains__(self, written: str) -> bool:
        return written in self.sinks

    def report(self, result) -> None:
        """One note listing the sinks and why, and a warning for overrides naming nothing."""
        if self.sinks:
            kind = self.options.telemetry_type()
            listed = "; ".join(f"{name} ({why})" for name, why in sorted(self.sinks.items()))
            result.note(f"treated as telemetry sinks, edges to them {kind} (change with "
                        f"--telemetry NAME, --not-telemetry NAME or --telemetry-hard): {listed}")
        unknown = (self.options.telemetry | self.options.not_telemetry) - self.used
        for name in sorted(unknown):
            result.warn(f"--telemetry/--not-telemetry names '{name}', which is no service here")
