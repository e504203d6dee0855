"""Telemetry sinks and other observability plumbing: tracing collectors, metrics, log shippers.

Edges to these are imported as soft dependencies by default: every service reports to the
collector, so hard edges would invent hard cycles and single points of failure that do not
stop a single request.
"""

from __future__ import annotations

import re

_PATTERNS = re.compile(
    r"(otel|opentelemetry|otelcol|opamp|jaeger|zipkin|prometheus|grafana|loki|tempo|promtail|"
    r"fluentd|fluent-bit|logstash|datalust/seq|instana|datadog|newrelic|signoz|"
    r"elastic-apm|apm-server)",
    re.IGNORECASE,
)


def is_telemetry(name: str, image: str | None = None) -> bool:
    """Whether a workload named ``name`` running ``image`` is observability plumbing.

    >>> is_telemetry("otel-collector"), is_telemetry("jaeger-agent"), is_telemetry("cart")
    (True, True, False)
    >>> is_telemetry("seq", "datalust/seq:latest"), is_telemetry("db", "postgres:16")
    (True, False)
    """
    return bool(_PATTERNS.search(name) or (image and _PATTERNS.search(image)))
