"""Reading foreign source files safely: YAML (safe loader only, bounded alias expansion) and JSON.

Imports read files written by others; nothing here constructs arbitrary YAML tags or executes
anything, and an alias bomb is refused before anything walks it.
"""

from __future__ import annotations

from pathlib import Path

from depgraph.diagnostics import DepgraphError
from depgraph.load.bounded import InputError, load_text_bounded, parse_json
from depgraph.load.yamlread import YamlProblem, read_documents

MAX_BYTES = 32 * 1024 * 1024


class SourceError(DepgraphError):
    """A source file that cannot be imported (unreadable, bad YAML/JSON, too large)."""


def read_text(path: Path) -> str:
    """UTF-8 text of a source file: at most MAX_BYTES read, FIFOs and devices refused."""
    try:
        return load_text_bounded(path, MAX_BYTES, "source file", raise_it="depgraph does not import larger sources")
    except InputError as exc:
        raise SourceError(str(exc)) from None


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


def load_json(path: Path, text: str | None = None, what: str = "source file"):
    """A JSON source file (integers of at most 100 digits, nesting Python can parse); ``what``
    names it in messages."""
    text = read_text(path) if text is None else text
    try:
        return parse_json(text, path, what)
    except InputError as exc:  # this importer says "FILE: …", without "error:"
        raise SourceError(f"{exc.place()}: {exc.detail}") from None


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
