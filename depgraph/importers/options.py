"""Options every importer takes."""

from __future__ import annotations

from dataclasses import dataclass

PROVENANCE_LABEL = "depgraph.io/imported-from"


@dataclass(frozen=True)
class ImportOptions:
    datacenter: str = "default"
    telemetry_hard: bool = False

    def telemetry_type(self) -> str:
        return "hard" if self.telemetry_hard else "soft"
