"""Options every importer takes."""

from __future__ import annotations

from dataclasses import dataclass

PROVENANCE_LABEL = "depgraph.io/imported-from"


@dataclass(frozen=True)
class ImportOptions:
    datacenter: str = "default"
    telemetry_hard: bool = False
    telemetry: frozenset[str] = frozenset()  # --telemetry NAME: treat as a sink whatever its name
    not_telemetry: frozenset[str] = frozenset()  # --not-telemetry NAME: never a sink

    def telemetry_type(self) -> str:
        return "hard" if self.telemetry_hard else "soft"
