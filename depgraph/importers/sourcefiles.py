"""Reading foreign source files safely: YAML (safe loader only, bounded alias expansion) and JSON.

Imports read files written by others; nothing here constructs arbitrary YAML tags or executes
anything, and an alias bomb is refused before anything walks it.
"""

from __future__ import annotations

from pathlib import Path

from depgraph.diagnostics import DepgraphError
from depgraph.load.bounded import InputError, load_text_bounded, parse_json
from depgraph.load.yamlread import YamlProblem, read_documents
from depgraph.output.words import plural

MAX_BYTES = 32 * 1024 * 1024


class SourceError(DepgraphError):
    """A source file that cannot be imported (unreadable, bad YAML/JSON, too large)."""


def source_label(source: Path) -> str:
    """A source's name for provenance labels: its own, or its resolved folder's for ``.``.

    >>> source_label(Path("shop/catalog")), source_label(Path("/"))
    ('catalog', '/')
    """
    return source.name or source.resolve().name or str(source)


def read_text(path: Path) -> str:
    """UTF-8 text of a source file: at most MAX_BYTES read, FIFOs and devices refused."""
    try:
        return load_text_bounded(path, MAX_BYTES, "source file", raise_it="depgraph does not import larger sources")
    except InputError as exc:
        raise SourceError(str(exc)) from None


class ReadLog:
    """What reading other people's YAML noticed without refusing it, as their own tools would:
    duplicate keys (the last value wins, as in kubectl and docker compose; one warning each, with
    FILE:LINE), values that cannot be used (left out, counted per file) and files skipped for
    broken syntax. :meth:`report` hands it to an import's result."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.left_out: dict[str, int] = {}

    def report(self, result) -> None:
        for message in self.warnings:
            result.warn(message)
        if self.left_out:
            files = ", ".join(f"{name} ({count})" for name, count in sorted(self.left_out.items()))
            result.note(f"{plural(sum(self.left_out.values()), 'value')} that cannot be used were left out: {files}")


def conform(value, shape, log: ReadLog | None, where: str):
    """``value`` with every part of the wrong shape left out (and counted in ``log`` under
    ``where``), so that an importer reading it meets only the shapes it expects.

    ``shape`` is a type or tuple of types (the value must be one), a list ``[item_shape]`` (a list
    whose items have that shape; other items are dropped) or a mapping ``{key: shape}`` (a mapping
    whose listed keys have those shapes; other keys are kept as they are; the key ``"*"`` stands
    for every key). None stands for a missing value and is kept.

    >>> conform({"env": 5, "args": ["a", {"b": 1}], "x": 1}, {"env": [dict], "args": [str]}, None, "f")
    {'env': None, 'args': ['a'], 'x': 1}
    """
    if value is None:
        return None
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return _left_out(log, where)
        out = dict(value)
        if "*" in shape:
            return {k: v for k, v in ((k, conform(v, shape["*"], log, where)) for k, v in out.items())
                    if v is not None}
        for key, sub in shape.items():
            if key in out:
                out[key] = conform(out[key], sub, log, where)
        return out
    if isinstance(shape, list):
        if not isinstance(value, list):
            return _left_out(log, where)
        items = [conform(item, shape[0], log, where) for item in value]
        return [item for item in items if item is not None]
    return value if isinstance(value, shape) else _left_out(log, where)


def _left_out(log: ReadLog | None, where: str) -> None:
    """Count one part left out; None, what the part becomes."""
    if log is not None:
        log.left_out[where] = log.left_out.get(where, 0) + 1


def load_yaml_documents(path: Path, text: str | None = None, log: ReadLog | None = None) -> list:
    """Every non-empty YAML document of a file, alias bombs and deep nesting refused.

    Read through depgraph's own event reader (as descriptors are): PyYAML's C composer overflows
    the C stack on deeply nested input. Custom tags (compose's ``!reset``) are left out, never
    constructed (local ones such as ``!reset`` are skipped, language tags such as ``!!python/…``
    refused); dates stay text. Without ``log`` any other problem refuses the file; with it, a
    duplicate key keeps its last value and is warned, other unusable values are left out and counted.
    """
    text = read_text(path) if text is None else text
    documents = []
    try:
        for doc, _line, problems in read_documents(text):
            for problem in problems:
                if problem.message.startswith("unsupported YAML tag '!") and "'!!" not in problem.message:
                    continue
                if log is None or problem.message.startswith("unsupported YAML tag"):
                    raise problem
                _tolerate(path, problem, log)
            if doc is not None:
                documents.append(doc)
    except YamlProblem as exc:
        raise SourceError(f"{path}:{exc.line}:{exc.col}: invalid YAML: {exc.message}") from None
    return documents


def _tolerate(path: Path, problem: YamlProblem, log: ReadLog) -> None:
    if problem.duplicate is not None:
        mapping, key, value, first = problem.duplicate
        mapping[key] = value
        log.warnings.append(f"{path}:{problem.line}: duplicate key '{str(key)[:80]}' (first at line {first}); "
                            "the last value is used, as kubectl and docker compose do")
    else:
        log.left_out[str(path)] = log.left_out.get(str(path), 0) + 1


def load_folder_file(path: Path, log: ReadLog | None) -> list:
    """The documents of one file of a folder an importer walks. With ``log``, a file of broken YAML
    syntax (a Helm template, a half-written file) is skipped with a warning; a hostile one (alias
    bomb, deep nesting, language tags) still refuses the import."""
    try:
        return load_yaml_documents(path, log=log)
    except SourceError as exc:
        if log is None or ": invalid YAML: YAML syntax:" not in str(exc):
            raise
        log.warnings.append(f"{exc}; file skipped")
        return []


def load_json(path: Path, text: str | None = None, what: str = "source file"):
    """A JSON source file (integers of at most 100 digits, nesting Python can parse); ``what``
    names it in messages."""
    text = read_text(path) if text is None else text
    try:
        return parse_json(text, path, what)
    except InputError as exc:  # this importer says "FILE: …", without "error:"
        raise SourceError(f"{exc.place()}: {exc.detail}") from None


def load_config_file(path: Path, log: ReadLog | None = None) -> list:
    """Documents of a YAML or JSON configuration file (JSON is YAML, but errors read better)."""
    if path.suffix.lower() == ".json":
        return [load_json(path)]
    return load_yaml_documents(path, log=log)


def strings_in(value) -> list[str]:
    """Every string scalar inside a loaded document (keys excluded), depth first."""
    out: list[str] = []
    stack = [value]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, (dict, list)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            children = list(item.values()) if isinstance(item, dict) else list(item)
            stack.extend(reversed(children))
    return out
