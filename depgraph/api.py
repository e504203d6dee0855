"""The Python API: the commands' work as calls, without the command line around them.

``import depgraph`` offers these names (see ``docs/api.md``)::

    catalog = depgraph.load("descriptors")               # Catalog
    report = depgraph.analyze(catalog)                    # Report
    radius = depgraph.blast_radius(catalog, "rack:lon1/a") # BlastRadius
    text = depgraph.to_json(report)                       # what `depgraph analyze --format json` prints

``depgraph.load(path)`` is the loading package itself, made callable (:mod:`depgraph.load`);
the rest is here. Each call runs the same code as its command and nothing else: no process is started, nothing
is printed, the process never exits. Bad input raises :class:`~depgraph.diagnostics.DepgraphError`
or one of its kinds (``DescriptorError`` carries every problem with its file and line, and
``UnknownComponent`` a name that matches nothing), each with the ``exit_code`` the command
would have ended with.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from depgraph.diagnostics import UsageError

if TYPE_CHECKING:
    from depgraph.analyses.blast import BlastRadius
    from depgraph.analyses.recovery import RecoveryDefaults, RecoveryResult
    from depgraph.analyses.startup import StartupOrder
    from depgraph.analysis import Report
    from depgraph.gate.check import CheckResult
    from depgraph.model import Catalog

__all__ = ["analyze", "blast_radius", "startup_order", "recovery", "check", "to_json", "to_dict", "kind_of", "KINDS"]

#: The result kinds :func:`to_json` writes, by the result's class: the names the reporters
#: (:data:`depgraph.reporters.REPORTERS`) file them under.
KINDS = {
    "depgraph.analysis.Report": "analysis",
    "depgraph.analyses.blast.BlastRadius": "blast-radius",
    "depgraph.analyses.startup.StartupOrder": "startup-order",
    "depgraph.analyses.recovery.RecoveryResult": "recovery",
    "depgraph.analyses.paths.FoundPaths": "paths",
    "depgraph.analyses.capacity.CapacityReport": "capacity",
    "depgraph.analyses.availability.AvailabilityReport": "availability",
    "depgraph.gate.check.CheckResult": "check",
    "depgraph.gate.diff.Change": "diff",
    "depgraph.importers.drift.DriftReport": "drift",
    "depgraph.load.loader.Validation": "validation",
}


def analyze(catalog: Catalog) -> Report:
    """Every analysis of ``depgraph analyze``, ranked once: cycles, single points of failure,
    ownership, readiness, capacity, startup order and the findings."""
    from depgraph.analysis import analyze as run_analysis
    from depgraph.failure.engine import FailureModel

    report = run_analysis(catalog)
    FailureModel.keep(catalog, report.model)  # blast_radius(catalog, …) then reuses what analyze compiled
    return report


def blast_radius(source: Catalog | Report, *components: str) -> BlastRadius:
    """What goes down, degrades and loses capacity when every one of ``components`` fails, and
    whom to call first, as ``depgraph blast-radius`` ranks it.

    ``components`` are the command's arguments: ``service:x``, ``host:x``, ``rack:dc/r``,
    ``datacenter:x`` or a bare name. ``source`` is a catalog (compiled into a failure model on
    the first call, which later calls on the same, unchanged catalog reuse), or a report from
    :func:`analyze` (whose compiled failure model is reused).
    """
    from depgraph.analyses.blast import blast_radius as ranked_blast_radius
    from depgraph.failure.resolve import resolve_component

    if not components:
        raise UsageError("blast_radius needs at least one component, e.g. 'rack:lon1/a'")
    catalog, model = _catalog_and_model(source)
    return ranked_blast_radius(catalog, model, [resolve_component(model, argument) for argument in components])


def startup_order(catalog: Catalog) -> StartupOrder:
    """The cold-start waves of ``depgraph startup-order``: ``.waves``, and ``.blocked`` for the
    services that can never start."""
    from depgraph.analyses.startup import startup_order as waves

    return waves(catalog)


def recovery(source: Catalog | Report, failed=(), defaults: RecoveryDefaults | None = None) -> RecoveryResult:
    """When each service and client is ready again, as ``depgraph recovery`` answers: a cold start
    when ``failed`` is empty, else the restoration of those components (written as the command's
    arguments). ``defaults``: the policy's ``recovery`` section (``Policy.recovery``); without
    it, 60 s per service and no objective by tier. ``source`` as for :func:`blast_radius`."""
    from depgraph.analyses.recovery import recovery as recovery_time
    from depgraph.failure.resolve import resolve_component

    catalog, model = _catalog_and_model(source)
    components = [failed] if isinstance(failed, str) else failed
    return recovery_time(catalog, [resolve_component(model, argument) for argument in components],
                         defaults=defaults, model=model)


def check(path: str | os.PathLike, *, policy: str | os.PathLike | None = None,
          baseline: str | os.PathLike | None = None, base: str | None = None, fail_on: str = "error") -> CheckResult:
    """What ``depgraph check`` decides for the descriptor tree at ``path``: ``.exit_code`` (0
    passes, 1 a new finding blocks), ``.blocking``, every finding with its status. ``policy``
    defaults to ``depgraph.yaml`` at the root of the tree; ``base`` is a git ref to compare with
    (as ``--base``; no cache is kept). Descriptors or a policy that do not load raise
    ``DescriptorError``, as ``depgraph.load`` does."""
    from depgraph.gate.check import CheckOptions, gate

    def text(value):
        return None if value is None else os.fspath(value)

    result, _, error = gate(CheckOptions(descriptors=os.fspath(path), policy=text(policy), baseline=text(baseline),
                                         base=base, fail_on=fail_on))
    if error is not None:
        raise error
    return result


def to_json(result, **options) -> str:
    """``result`` as the JSON document its command prints with ``--format json``, byte for byte
    (with the final newline): a :class:`Report` as ``depgraph analyze`` does, a
    :class:`BlastRadius` as ``depgraph blast-radius``, and so on for every result in
    :data:`KINDS`. ``options`` are the command's, e.g. ``down_limit=0`` for a report.
    """
    from depgraph.reporters import render

    return render(kind_of(result), "json", result, **options)


def to_dict(result, **options) -> dict:
    """The document :func:`to_json` writes, as dicts, lists, strings, numbers and ``None``
    before it is written (``json.loads(to_json(result)) == to_dict(result)``): for a program
    that reads or passes on the document, without writing and parsing it."""
    from depgraph.reporters import reporter

    return reporter(kind_of(result), "json")(result, **options)


def kind_of(result) -> str:
    """The reporters' name for the kind of ``result`` (``TypeError`` for anything else)."""
    for cls in type(result).__mro__:
        kind = KINDS.get(f"{cls.__module__}.{cls.__qualname__}")
        if kind is not None:
            return kind
    raise TypeError(f"depgraph has no JSON document for a {type(result).__name__}; it writes "
                    f"{', '.join(sorted(name.rpartition('.')[2] for name in KINDS))}")


def _catalog_and_model(source):
    from depgraph.failure.engine import FailureModel

    model = getattr(source, "model", None)
    if isinstance(model, FailureModel):  # a Report: its catalog, and the model it compiled
        return source.catalog, model
    return source, FailureModel.of(source)  # compiled on the first call for this catalog, then kept
