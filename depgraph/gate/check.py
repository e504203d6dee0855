"""The CI gate: which findings are new, which block, and why.

:func:`run_check` loads the policy, analyses the head tree (the descriptors on disk), applies
the policy, and compares the findings by fingerprint with a baseline file and/or the tree at a
git ref (``--base``). Only *new* findings (in neither) can block; a new finding blocks when its
severity is at least ``fail_on``. The exit code comes from the result: 1 when anything blocks,
else 0. Nothing here prints; reporters read the :class:`CheckResult`.

The ``depgraph/check/v1`` document and the other formats are reporters in ``depgraph/reporters/``.

The base tree is evaluated under the head's policy, so a change to descriptors is judged by one
set of rules; findings about the policy itself (``expired-exception``) are about today's date,
not about the change, and are never matched against the base (a baseline still accepts them).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from depgraph.gate import checkbase
from depgraph.load import gitsource
from depgraph.load.cache import Cache
from depgraph.gate.baseline import (Baseline, BaselineEntry, check_baseline_target, read_baseline,
                                    write_baseline)
from depgraph.diagnostics import DescriptorError
from depgraph.analyses.findings import SEVERITY_RANK, Finding
from depgraph.model import Catalog
from depgraph.gate.policy import EXPIRED_RULE, Policy, PolicyException, find_policy, load_policy
from depgraph.gate.policy_rules import apply_policy, policy_findings
from depgraph.load.limits import DEFAULT_LIMITS, Limits
from depgraph.output.words import plural

TIME_RULES = frozenset({EXPIRED_RULE})


@dataclass(frozen=True)
class BaseInfo:
    """What ``--base`` compared against: ``status`` is analyzed, cached, identical, invalid or empty."""

    ref: str
    commit: str
    status: str

    def to_json(self) -> dict:
        return {"ref": self.ref, "commit": self.commit, "status": self.status}


@dataclass
class CheckResult:
    new: list[Finding]
    existing: list[tuple[Finding, str]]
    excepted: list[tuple[Finding, PolicyException]]
    stale: list[BaselineEntry]
    fail_on: str = "error"
    rules: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    base: BaseInfo | None = None
    baseline_path: str | None = None
    policy_path: str | None = None
    root: str = "."
    repo_root: str | None = None
    notes: list[str] = field(default_factory=list)
    #: the descriptors (or the policy) did not load: ``new`` holds their errors, exit code 2
    invalid: bool = False

    def blocks(self, finding: Finding) -> bool:
        return SEVERITY_RANK.get(finding.severity, 9) <= SEVERITY_RANK[self.fail_on]

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.new if self.blocks(f)]

    @property
    def exit_code(self) -> int:
        if self.invalid:
            return 2
        return 1 if self.blocking else 0

    def repo_path(self, file: str | None) -> str | None:
        """``file`` (as the loader names it) relative to the repository root, ``/``-separated."""
        return repo_relative(file, self.repo_root)


def repo_relative(file: str | None, repo_root: str | None) -> str | None:
    """A path relative to ``repo_root`` (the current folder when None), with ``/``; a file
    outside it keeps its absolute path.

    >>> repo_relative("descriptors/a.yaml", None)
    'descriptors/a.yaml'
    """
    if not file:
        return None
    try:
        root = os.path.realpath(repo_root or os.getcwd())
        absolute = os.path.abspath(file)
        relative = os.path.relpath(absolute, root)
        if not relative.startswith(".."):  # inside as named: a symlinked folder keeps its name,
            return Path(relative).as_posix()  # as every other format shows it
        absolute = os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))
    except (OSError, ValueError):  # a name no file system holds (a NUL byte): keep it as given
        return Path(file).as_posix()
    relative = os.path.relpath(absolute, root)
    return Path(absolute if relative.startswith("..") else relative).as_posix()


def decide(findings: list[Finding], *, baseline: Baseline | None = None,
           base: checkbase.BaseFacts | None = None, catalog: Catalog | None = None,
           fail_on: str = "error") -> CheckResult:
    """Split ``findings`` into new and existing (in the baseline, or at the base) and find the
    stale baseline entries. New findings are pointed at their cause when ``base`` is known."""
    known = baseline.fingerprints() if baseline else set()
    new, existing = [], []
    moved = None  # which services a change placed anew: worked out for the first new finding
    for finding in _sorted(findings):
        if finding.fingerprint in known:
            existing.append((finding, "baseline"))
        elif base is not None and finding.rule not in TIME_RULES and finding.fingerprint in base.fingerprints:
            existing.append((finding, "base"))
        else:
            if base is not None and catalog is not None:
                moved = moved if moved is not None else checkbase.moved_services(catalog, base)
                finding = checkbase.point_at_cause(finding, catalog, base, moved)
            new.append(finding)
    current = {f.fingerprint for f in findings}
    stale = [e for e in (baseline.entries if baseline else ()) if e.fingerprint not in current]
    stale = sorted({e.fingerprint: e for e in stale}.values(), key=lambda e: (e.rule, e.subject, e.fingerprint))
    return CheckResult(new, existing, [], stale, fail_on)


INVALID_RULES = {
    "invalid-descriptor": ("error", "Descriptor does not load",
                           "A descriptor file has an error (YAML syntax, schema, a reference to nothing): "
                           "nothing was analysed. Fix it at the place named and run again."),
    "invalid-policy": ("error", "Policy file does not load",
                       "The policy file has an error: nothing was checked. Fix it at the place named."),
}


def invalid_input(diagnostics, root: str, rule: str = "invalid-descriptor") -> CheckResult:
    """The check result of a tree (or policy) that does not load: each error a blocking finding
    at its file and line, exit code 2, so every format still reports them (SPEC §4)."""
    errors = [d for d in diagnostics if d.severity == "error"]
    findings = [Finding(rule, "error", d.file, d.message, d.file, d.line or None,
                        key=(d.file, str(d.line), str(d.col), d.code, d.message)) for d in errors]
    result = CheckResult(findings, [], [], [], rules={rule: INVALID_RULES[rule]}, root=root, invalid=True)
    what = "policy" if rule == "invalid-policy" else "descriptors"
    result.notes.append(f"the {what} do not load ({len(errors)} error{'s' if len(errors) != 1 else ''}): "
                        "nothing was analysed")
    return result


def _sorted(findings) -> list[Finding]:
    return sorted(findings, key=lambda f: (*f.sort_key(), f.fingerprint))


def evaluate(catalog: Catalog, policy: Policy, today: dt.date):
    """Every finding of ``catalog`` under ``policy``: ``(all raw findings, PolicyOutcome)``."""
    from depgraph.analysis import analyze

    raw = [*analyze(catalog, policy.availability or None, recovery_defaults=policy.recovery).findings,
           *policy_findings(catalog, policy)]
    return raw, apply_policy(raw, policy, today)


@dataclass(frozen=True)
class CheckOptions:
    descriptors: str = "descriptors"
    policy: str | None = None
    baseline: str | None = None
    write_baseline: str | None = None
    base: str | None = None
    fail_on: str = "error"
    today: dt.date | None = None
    limits: Limits = DEFAULT_LIMITS
    cache: Cache | None = None  # where base-tree facts are kept (None: nowhere)


def gate(options: CheckOptions):
    """The gate from the descriptors on disk: ``(result, catalog, error)``. When the descriptors
    or the policy do not load, ``error`` is the DescriptorError and ``result`` reports each of
    its errors as a finding, exit code 2; other bad input (git, baseline) raises."""
    from depgraph.load.loader import load_catalog

    try:
        catalog = load_catalog(options.descriptors, options.limits)
    except DescriptorError as exc:
        return _located(invalid_input(exc.diagnostics, options.descriptors)), None, exc
    try:
        result = run_check(catalog, options)
    except DescriptorError as exc:
        return _located(invalid_input(exc.diagnostics, options.descriptors, "invalid-policy")), catalog, exc
    return _located(result), catalog, None


def _located(result: CheckResult) -> CheckResult:
    """``result`` with the repository root its reporters place files against (None outside git)."""
    try:
        result.repo_root = gitsource.locate(result.root)[0].top
    except gitsource.GitError:
        result.repo_root = None
    return result


def run_check(catalog: Catalog, options: CheckOptions) -> CheckResult:
    """The whole gate for an already loaded head ``catalog``. Raises DepgraphError subclasses
    (policy, baseline, git) for invalid input."""
    # Every input is checked before anything is analysed or written: a refusal writes nothing.
    today = options.today or dt.date.today()
    policy_path = find_policy(options.descriptors, options.policy)
    policy = load_policy(policy_path, options.limits)
    limit = options.limits.max_file_bytes
    baseline = read_baseline(options.baseline, limit) if options.baseline else None
    if options.write_baseline:
        check_baseline_target(options.write_baseline, options.descriptors, policy_path)
    tree = gitsource.list_tree(options.descriptors, options.base) if options.base else None
    raw, outcome = evaluate(catalog, policy, today)
    notes: list[str] = []
    base_info, facts = None, None
    if tree is not None:
        everything = [*raw, *outcome.findings]
        base_info, facts = _base_facts(catalog, everything, tree, policy, options, today, notes)
    if options.write_baseline:
        accepted = outcome.findings
        if baseline is not None:  # prune only: the baseline never grows by being rewritten
            accepted = [f for f in accepted if f.fingerprint in baseline.fingerprints()]
        baseline = write_baseline(options.write_baseline, accepted)
        notes.append(f"wrote {plural(len(baseline.entries), 'finding')} to the baseline {options.write_baseline}")
    result = decide(outcome.findings, baseline=baseline, base=facts, catalog=catalog, fail_on=options.fail_on)
    result.excepted = sorted(outcome.excepted, key=lambda pair: (*pair[0].sort_key(), pair[0].fingerprint))
    result.rules = {**policy.rule_info(), **INVALID_RULES}
    result.base, result.baseline_path, result.policy_path = base_info, options.baseline, policy_path
    result.root = catalog.root
    result.notes = notes
    return result


def _base_facts(catalog, findings, tree: gitsource.GitTree, policy: Policy, options: CheckOptions, today, notes):
    """Facts about the base tree: the head's when the trees are byte-identical, else from the
    cache, else by loading and analysing the tree read from git."""
    head_key = gitsource.tree_key(gitsource.worktree_files(options.descriptors, options.limits))
    head_facts = checkbase.facts_of(catalog, findings)
    checkbase.cache_write(options.cache, checkbase.facts_key(head_key, policy.digest, options.limits), head_facts)
    if tree.skipped_links:
        notes.append(f"{plural(len(tree.skipped_links), 'symlinked file')} at {options.base} not followed")
    if tree.key == head_key:
        return BaseInfo(options.base, tree.commit, "identical"), head_facts
    key = checkbase.facts_key(tree.key, policy.digest, options.limits)
    cached = checkbase.cache_read(options.cache, key)
    if cached is not None:
        return BaseInfo(options.base, tree.commit, "cached"), cached
    if not tree.files:
        notes.append(f"no descriptors at {options.base} (folder {tree.prefix or '.'}); every finding counts as new")
        return BaseInfo(options.base, tree.commit, "empty"), None
    try:
        base_catalog = gitsource.load_tree(tree, os.path.normpath(str(options.descriptors)), options.limits)
    except DescriptorError as exc:
        notes.append(f"the descriptors at {options.base} do not load ({plural(len(exc.errors), 'error')}, the first: "
                     f"{exc.errors[0]}); every finding counts as new")
        return BaseInfo(options.base, tree.commit, "invalid"), None
    base_raw, base_outcome = evaluate(base_catalog, policy, today)
    facts = checkbase.facts_of(base_catalog, [*base_raw, *base_outcome.findings])
    checkbase.cache_write(options.cache, key, facts)
    return BaseInfo(options.base, tree.commit, "analyzed"), facts
