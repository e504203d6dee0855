"""Adding dependency entries to one entity of a hand-written descriptor, every other byte kept.

:func:`add_dependencies` appends ``{service: NAME, type: soft}`` entries, each followed by a
comment, to the entity's ``dependencies``: after the last item of a block list (at its dash's
indentation), before the ``]`` of a flow list, or as a new ``dependencies`` key after the
entity's last one when it has none (or ``dependencies:`` holds nothing). Lines end as the file's
do. The caller validates the result, as every write does.
"""

from __future__ import annotations

import yaml

from depgraph.importers.names import plain
from depgraph.importers.sourcefiles import SourceError
from depgraph.importers.yamledit import _find, _last_leaf, _line_end


def add_dependencies(text: str, kind: str, name: str, entries: list[tuple[str, str]], where: str = "") -> str:
    """``text`` with each ``(service, comment)`` added as a soft dependency of ``kind``/``name``.

    >>> print(add_dependencies("kind: service  # mine\\nname: a\\ndependencies:\\n  - b   # hard\\ntier: 1\\n",
    ...                        "service", "a", [("c", "seen 5 calls")]), end="")
    kind: service  # mine
    name: a
    dependencies:
      - b   # hard
      - {service: c, type: soft}  # seen 5 calls
    tier: 1
    >>> print(add_dependencies("- {kind: service, name: a, dependencies: [b]}\\n", "service", "a", [("c", "x")]), end="")
    - {kind: service, name: a, dependencies: [b, {service: c, type: soft}]}  # x
    >>> print(add_dependencies("kind: service\\nname: a\\n", "service", "a", [("c", "x"), ("d", "y")]), end="")
    kind: service
    name: a
    dependencies:
    - {service: c, type: soft}  # x
    - {service: d, type: soft}  # y
    """
    if not entries:
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    mapping = _find(text, kind, name, where)
    value = next((v for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == "dependencies"), None)
    flows = [f"{{service: {target}, type: soft}}" for target, _ in entries]
    comment = "  # " + "; ".join(_comment(c) for _, c in entries)
    if isinstance(value, yaml.SequenceNode) and value.flow_style:
        close = value.end_mark.index - 1  # the closing bracket
        joined = (", " if value.value else "") + ", ".join(flows)
        return _comment_line(text[:close] + joined + text[close:], close + len(joined), comment)
    if isinstance(value, yaml.SequenceNode) and value.value:
        indent = " " * value.start_mark.column
        at = _line_end(text, _last_leaf(value).end_mark.index)
        lines = "".join(f"{indent}- {flow}  # {_comment(c)}{newline}" for flow, (_, c) in zip(flows, entries, strict=True))
        prefix = "" if at == 0 or text[at - 1] == "\n" else newline
        return text[:at] + prefix + lines + text[at:]
    if value is not None and not (isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null")
                                  and not value.style):
        raise SourceError(f"{where}: {kind} '{name}' has 'dependencies' that is not a list; fix it first")
    if mapping.flow_style:
        entry = f"dependencies: [{', '.join(flows)}]"
        if value is not None:  # `dependencies:` with nothing after it, inside braces
            key = next(k for k, v in mapping.value if v is value)
            start, end = key.start_mark.index, value.end_mark.index
            return _comment_line(text[:start] + entry + text[end:], start + len(entry), comment)
        close = mapping.end_mark.index - 1
        joined = (", " if mapping.value else "") + entry
        return _comment_line(text[:close] + joined + text[close:], close + len(joined), comment)
    column = mapping.value[0][0].start_mark.column
    block = f"{' ' * column}dependencies:{newline}" + "".join(
        f"{' ' * column}- {flow}  # {_comment(c)}{newline}" for flow, (_, c) in zip(flows, entries, strict=True))
    if value is not None:
        key = next(k for k, v in mapping.value if v is value)
        start = key.start_mark.index - key.start_mark.column
        return text[:start] + block + text[_line_end(text, max(value.end_mark.index, key.end_mark.index)):]
    at = _line_end(text, _last_leaf(mapping.value[-1][1]).end_mark.index)
    prefix = "" if at == 0 or text[at - 1] == "\n" else newline
    return text[:at] + prefix + block + text[at:]


def _comment(text: str) -> str:
    """Comment text on one line, never long."""
    text = plain(text)
    return text if len(text) <= 200 else text[:199] + "…"


def _comment_line(text: str, at: int, comment: str) -> str:
    """``text`` with ``comment`` at the end of the line holding index ``at``."""
    end = text.find("\n", at)
    end = len(text) if end < 0 else end
    if end > 0 and text[end - 1] == "\r":
        end -= 1
    return text[:end] + comment + text[end:]
