"""Reading foreign source files safely: YAML (safe loader only, bounded alias expansion) and JSON.

Imports read files written by others; nothing here constructs arbitrary YAML tags or executes
anything, and an alias bomb is refused before anything walks it.
"""

from __future__ import annotations

import json
from pathlib import Path

from depgraph.diagnostics import DepgraphError
from depgraph.load.yamlread import YamlProblem, read_documents

MAX_BYTES = 32 * 1024 * 1024


class SourceError(DepgraphError):
    """A source file that cannot be imported (unreadable, bad YAML/JSON, too large)."""


def read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SourceError(f"{path}: larger than {MAX_BYTES} bytes, refusing to import it")
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read: {exc}") from exc


def load_yaml_documents(path: Path, text: str | None = None) -> list:
    """Every non-empty YAML document of a file, alias bombs and deep nesting refused.

    Read through depgraph's own event reader (as descriptors are): PyYAML's C composer overflows
    the C stack on deeply nested input. Custom tags (compose's ``!reset``) are left out, never
    constructed (local ones such as ``!reset`` are skipped, language tags such as ``!!python/…``
    refused); dates stay text.
    """
    text = read_text(path) if text is None else text
    documents = []
    try:
        for doc, _line, problems in read_documents(text):
            for problem in problems:
                if not problem.message.startswith("unsupported YAML tag '!") or "'!!" in problem.message:
                    raise problem
            if doc is not None:
                documents.append(doc)
    except YamlProblem as exc:
        raise SourceError(f"{path}:{exc.line}:{exc.col}: invalid YAML: {exc.message}") from None
    return documents


def load_json(path: Path, text: str | None = None):
    return parse_json_text(str(path), read_text(path) if text is None else text)


MAX_NUMBER_DIGITS = 100  # as in descriptors: a longer number is an error, never a slow conversion


class _LongNumber(Exception):
    pass


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise _LongNumber(len(text))
    return int(text)


def parse_json_text(where: str, text: str):
    """JSON text -> values; bad JSON, deep nesting and numbers of over 100 digits are a
    :class:`SourceError` naming ``where`` (never a traceback).

    >>> parse_json_text("x.json", '{"count": 1}')
    {'count': 1}
    >>> parse_json_text("x.json", "[" + "9" * 5000 + "]")
    Traceback (most recent call last):
    ...
    depgraph.importers.sourcefiles.SourceError: x.json: a number of 5,000 digits; numbers are at most 100 digits long
    """
    try:
        return json.loads(text, parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{where}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise SourceError(f"{where}: JSON nested too deeply to read; refusing it") from None
    except _LongNumber as exc:
        raise SourceError(f"{where}: a number of {exc.args[0]:,} digits; numbers are at most "
                          f"{MAX_NUMBER_DIGITS} digits long") from None


def load_config_file(path: Path) -> list:
    """Documents of a YAML or JSON configuration file (JSON is YAML, but errors read better)."""
    if path.suffix.lower() == ".json":
        return [load_json(path)]
    return load_yaml_documents(path)


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
