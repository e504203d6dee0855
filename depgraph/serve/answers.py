"""The warm landscape and its answers: each question of SPEC §8 as the CLI's JSON document.

:class:`Answers` loads a descriptor tree once and keeps a :class:`Landscape` (the catalog, the
failure model, and what is worked out of them on first use: single points of failure,
capacity, availability, the policy). Each question is one method returning the document the
matching command writes with ``--format json`` (the same reporter function builds it), cut by
:func:`~depgraph.serve.bounded.bounded` when a list is longer than the asked ``limit``.
:meth:`Answers.reload` swaps in a new landscape; one that does not load leaves the last good
one serving and is reported by :meth:`Answers.status`.

Bad arguments raise :class:`~depgraph.diagnostics.DepgraphError` subclasses with the command
line's message (an unknown component names the closest one): the MCP tools and the HTTP API
turn them into a tool error or a 4xx, and keep serving.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import depgraph
from depgraph.diagnostics import DepgraphError, DescriptorError, UsageError
from depgraph.failure.engine import FailureModel
from depgraph.failure.resolve import ALL_KINDS, FAILABLE_KINDS, resolve_component
from depgraph.load.limits import DEFAULT_LIMITS, Limits
from depgraph.model import Catalog
from depgraph.serve.bounded import DEFAULT_LIMIT, MAX_LIMIT, bounded
from depgraph.serve.describe import Placement, describe_entity

SPOFS = "depgraph/spofs/v1"
STATUS = "depgraph/status/v1"
#: the most components one question may name (a what-if of a whole inventory is a typo)
MAX_COMPONENTS = 100
#: the longest component argument: kind, colon and a 253-character name, or a rack's two names
MAX_ARGUMENT = 520
#: the most observed-calls files one ``drift`` question reads
MAX_OBSERVED = 20
#: the most dependency paths one ``path`` answer lists
MAX_PATHS = 100
SPOF_KINDS = ("service", "host", "rack", "datacenter")
#: answers to the slower questions with arguments (recovery, one service's availability) kept
#: per landscape
RECENT_ANSWERS = 32


class KeptCatalog(Catalog):
    """A catalog that is never changed once loaded, so its racks are worked out once (naming a
    component, or a bare name, looks racks up: 200,000 hosts at 20,000 services)."""

    __slots__ = ("kept_racks",)

    @classmethod
    def of(cls, catalog: Catalog) -> KeptCatalog:
        import dataclasses

        return cls(**{f.name: getattr(catalog, f.name) for f in dataclasses.fields(catalog)})

    def racks(self) -> dict[str, list[str]]:
        try:
            return self.kept_racks
        except AttributeError:
            self.kept_racks = super().racks()
            return self.kept_racks


@dataclass
class Landscape:
    """One loaded descriptor tree and what was worked out of it: each whole-landscape answer on
    first use, once (:meth:`once`), and the latest answers to questions with arguments
    (:meth:`recent`). A landscape never changes, so neither do its answers; a reload makes a
    new one. Work is done outside the lock: a long question never holds up a short one."""

    catalog: Catalog
    model: FailureModel
    generation: int
    loaded_at: float
    seconds: float
    worked_out: dict = field(default_factory=dict)
    answered: OrderedDict = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def once(self, key, compute):
        """``compute()`` the first time ``key`` is asked for, the same value after."""
        with self.lock:
            if key in self.worked_out:
                return self.worked_out[key]
        value = compute()
        with self.lock:
            return self.worked_out.setdefault(key, value)

    def recent(self, key, compute):
        """``compute()``, or its value when ``key`` was among the last :data:`RECENT_ANSWERS`
        asked (an incident asks the same few questions again and again)."""
        with self.lock:
            if key in self.answered:
                self.answered.move_to_end(key)
                return self.answered[key]
        value = compute()
        with self.lock:
            self.answered[key] = value
            while len(self.answered) > RECENT_ANSWERS:
                self.answered.popitem(last=False)
        return value


class Answers:
    """The descriptors below ``root`` kept in memory (see the module docstring). Loading them
    raises DescriptorError or UsageError as the command line's loading does."""

    def __init__(self, root: str | os.PathLike, limits: Limits = DEFAULT_LIMITS, loader=None):
        from depgraph.serve.incremental import IncrementalLoader

        self.root = str(root)
        self.limits = limits
        self.loader = loader or IncrementalLoader(self.root, limits)
        self._reloading = threading.Lock()
        self.problem: str | None = None  # why the last reload failed, while it stays failed
        self.problem_at: float | None = None
        self.landscape = self._load(1)

    # -- the landscape -------------------------------------------------------------------

    def _load(self, generation: int) -> Landscape:
        from depgraph.analyses.blast import Urgency

        started = time.perf_counter()
        catalog = KeptCatalog.of(self.loader.load())
        model = FailureModel.of(catalog)  # the model depgraph.blast_radius(catalog, …) finds
        catalog.racks()  # what a first question would otherwise work out: the racks by name,
        Urgency.of(catalog, model)  # every service's and client's rank and owner,
        for dc in range(len(model.datacenters.ids)):  # what each data center holds,
            model.datacenter_lost(dc)
        model.prepare()  # and the hard edges split for spreading by levels
        return Landscape(catalog, model, generation, time.time(), time.perf_counter() - started)

    def reload(self) -> bool:
        """Load the tree again; True when the new landscape serves. A tree that does not load
        keeps the last good landscape serving and records why (:meth:`status`)."""
        with self._reloading:
            try:
                self.landscape = self._load(self.landscape.generation + 1)
            except DescriptorError as exc:
                errors = exc.errors
                shown = "; ".join(str(d) for d in errors[:3]) + (f"; and {len(errors) - 3} more" if len(errors) > 3 else "")
                self._failed(f"{exc}: {shown}")
                return False
            except DepgraphError as exc:
                self._failed(str(exc))
                return False
            self.problem = self.problem_at = None
            return True

    def _failed(self, why: str) -> None:
        self.problem, self.problem_at = why, time.time()

    def status(self) -> dict:
        """``depgraph/status/v1``: what is being served, since when, and whether the tree on disk
        failed to load since (``stale``: the answers are of the last good tree)."""
        land = self.landscape
        catalog = land.catalog
        return {
            "schema": STATUS,
            "root": catalog.root,
            "generation": land.generation,
            "loaded_at": _iso(land.loaded_at),
            "load_seconds": round(land.seconds, 3),
            "files": len(catalog.files),
            "services": len(catalog.services),
            "clients": len(catalog.clients),
            "hosts": len(catalog.hosts),
            "datacenters": len(catalog.datacenters),
            "stale": self.problem is not None,
            "reload_error": self.problem,
            "reload_failed_at": _iso(self.problem_at) if self.problem_at else None,
        }

    # -- the questions -------------------------------------------------------------------

    def blast_radius(self, components: list[str], limit: int = DEFAULT_LIMIT) -> dict:
        """``depgraph blast-radius C… --format json``."""
        land = self.landscape
        failed = self._components(land, components, "components")
        limit = _limit(limit)
        # worked out afresh each time (a few hundredths of a second at 20,000 services, with the
        # model's ranking kept from the load), and only what the limit lists is written out: the
        # document is bounded()'s cut of the command's (tests/unit/test_serve_answers.py)
        return depgraph.to_dict(depgraph.blast_radius(land.catalog, *failed), limit=limit)

    def single_points_of_failure(self, kind: str | None = None, limit: int = DEFAULT_LIMIT) -> dict:
        """The ``spofs`` of ``depgraph analyze --format json`` (each ``down`` cut as analyze cuts
        it), only those of ``kind`` when given, wrapped as ``depgraph/spofs/v1``."""
        from depgraph.reporters.jsondoc import DOWN_LIMIT

        if kind is not None and kind not in SPOF_KINDS:
            raise UsageError(f"kind must be one of {', '.join(SPOF_KINDS)}, not '{_short(kind)}'")
        ranked = self._spofs(self.landscape)
        listed = [spof.to_json(DOWN_LIMIT) for spof in ranked if kind is None or spof.kind == kind]
        return bounded({"schema": SPOFS, "spofs": listed}, _limit(limit))

    def capacity(self, limit: int = DEFAULT_LIMIT) -> dict:
        """``depgraph capacity --format json``."""
        from depgraph.analyses.capacity import capacity_report
        from depgraph.reporters.capacity import capacity_json

        land = self.landscape
        report = land.once("capacity", lambda: capacity_report(land.catalog, land.model))
        return bounded(capacity_json(report), _limit(limit))

    def availability(self, service: str | None = None, limit: int = DEFAULT_LIMIT) -> dict:
        """``depgraph availability --format json``; with ``service``, only its entity (and
        findings), with what costs it most (as ``--explain`` lists it)."""
        from depgraph.analyses.availability import availability_report
        from depgraph.reporters.availability import availability_json

        land = self.landscape
        defaults = self._policy(land).availability
        if service is None:
            report = land.once("availability", lambda: availability_report(land.catalog, land.model,
                                                                            defaults=defaults))
            return bounded(availability_json(report), _limit(limit))
        asked = resolve_component(land.catalog, _argument(service, "service"), ("service", "client"))

        def one() -> dict:
            document = availability_json(availability_report(land.catalog, land.model, defaults=defaults,
                                                             explain=[asked]))
            document["entities"] = [e for e in document["entities"] if e["id"] == asked]
            document["findings"] = [f for f in document["findings"] if f["subject"] == asked]
            return document

        return bounded(land.recent(("availability", asked), one), _limit(limit))

    def startup_order(self, limit: int = DEFAULT_LIMIT) -> dict:
        """``depgraph startup-order --format json``."""
        land = self.landscape
        order = land.once("startup", lambda: depgraph.startup_order(land.catalog))
        return bounded(depgraph.to_dict(order), _limit(limit))

    def recovery(self, components: list[str] | None = None, limit: int = DEFAULT_LIMIT) -> dict:
        """``depgraph recovery [C…] --format json``: a cold start without components, else their
        restoration."""
        land = self.landscape
        failed = tuple(self._components(land, components, "components")) if components else ()
        defaults = self._policy(land).recovery
        document = land.recent(("recovery", failed), lambda: depgraph.to_dict(
            depgraph.recovery(land.catalog, failed, defaults=defaults)))
        return bounded(document, _limit(limit))

    def path(self, source: str, target: str, limit: int = 10) -> dict:
        """``depgraph path FROM TO --format json`` (``limit``: the most paths, as ``--limit``)."""
        from depgraph.analyses.paths import paths_between
        from depgraph.reporters.jsondoc import paths_json

        if not 1 <= limit <= MAX_PATHS:
            raise UsageError(f"limit must be from 1 to {MAX_PATHS}, not {limit}")
        catalog = self.landscape.catalog
        return paths_json(paths_between(catalog, _argument(source, "source"), _argument(target, "target"), limit))

    def describe(self, component: str, limit: int = DEFAULT_LIMIT) -> dict:
        """``depgraph/describe/v1``: one entity, its owner team, tribe and contact, and where it
        is declared (:func:`~depgraph.serve.describe.describe_entity`)."""
        land = self.landscape
        found = resolve_component(land.catalog, _argument(component, "component"), ALL_KINDS)
        placement = land.once("placement", lambda: Placement.of(land.catalog))
        return bounded(describe_entity(land.catalog, placement, found), _limit(limit))

    def check(self, base: str | None = None, limit: int = DEFAULT_LIMIT) -> dict:
        """``depgraph check --format json`` (with ``--base base`` when given)."""
        from depgraph.gate.check import CheckOptions, run_check
        from depgraph.reporters.jsondoc import check_json

        if base is not None:
            base = _git_ref(base)
        options = CheckOptions(descriptors=self.root, base=base, limits=self.limits)
        land = self.landscape
        if base is None:
            result = land.once("check", lambda: run_check(land.catalog, options))
        else:
            result = run_check(land.catalog, options)
        return bounded(check_json(result), _limit(limit))

    def drift(self, observed: str | list[str], limit: int = DEFAULT_LIMIT) -> dict:
        """``depgraph drift --observed FILE… --format json``: each ``observed`` file (Jaeger or
        Zipkin links, an OpenTelemetry service graph as Prometheus holds it, a Kiali graph) is a
        path below the descriptors' root (relative to it, or absolute)."""
        from depgraph.importers.drift import drift
        from depgraph.importers.observed import read_all
        from depgraph.reporters import reporter

        files = [observed] if isinstance(observed, str) else list(observed or ())
        if not files or len(files) > MAX_OBSERVED:
            raise UsageError(f"observed: name from 1 to {MAX_OBSERVED} files below {self.root}")
        paths = [self.inside_root(_argument(name, "observed")) for name in files]
        fmt, calls = read_all(paths, self.limits.max_file_bytes)
        return bounded(reporter("drift", "json")(drift(self.landscape.catalog, fmt, calls)), _limit(limit))

    # -- helpers -------------------------------------------------------------------------

    def inside_root(self, name: str) -> Path:
        """The file ``name`` (relative to the root, or absolute) names, which must lie below the
        descriptors' root once every symlink is followed; UsageError otherwise."""
        root = Path(self.root).resolve()
        path = (root / name).resolve()
        if not path.is_relative_to(root) or path == root:
            raise UsageError(f"'{_short(name)}' is outside the descriptors' root {self.root}: "
                             "the server reads files below it only")
        if not path.is_file():
            raise UsageError(f"'{_short(name)}': no such file below {self.root}")
        return path

    def _components(self, land: Landscape, components, what: str) -> list[str]:
        if isinstance(components, str):
            components = [components]
        if not components:
            raise UsageError(f"{what}: name at least one component (service:x, host:x, rack:dc/r, datacenter:x)")
        if len(components) > MAX_COMPONENTS:
            raise UsageError(f"{what}: at most {MAX_COMPONENTS} components in one question, not {len(components)}")
        return [resolve_component(land.model, _argument(c, what), FAILABLE_KINDS) for c in components]

    def _spofs(self, land: Landscape):
        from depgraph.analyses.impact import ranked_spofs
        from depgraph.analyses.spof import single_points_of_failure

        return land.once("spofs", lambda: ranked_spofs(land.catalog,
                                                       single_points_of_failure(land.catalog, land.model)))

    def _policy(self, land: Landscape):
        from depgraph.gate.policy import find_policy, load_policy

        return land.once("policy", lambda: load_policy(find_policy(self.root, None), self.limits))


def _limit(limit) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be a whole number from 0 (everything) to {MAX_LIMIT:,}, not {_short(limit)}")
    return limit


def _argument(value, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise UsageError(f"{what}: expected a component name such as service:playlist, not {_short(value)}")
    if len(value) > MAX_ARGUMENT:
        raise UsageError(f"{what}: a name of {len(value):,} characters is longer than any component's")
    return value


def _git_ref(base) -> str:
    import re

    if not isinstance(base, str) or not re.fullmatch(r"[A-Za-z0-9_./~^@{}][A-Za-z0-9_./~^@{}-]{0,254}", base):
        raise UsageError(f"base: '{_short(base)}' is not a git ref (a branch, tag or commit such as origin/main)")
    return base


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat(timespec="seconds")
