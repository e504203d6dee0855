"""Changing one field of one entity in a hand-written YAML file, leaving every other byte alone.

An import that updates a service's ``deployments`` must keep what people wrote around it: other
fields, comments, blank lines, quoting, flow or block style. :func:`set_field` finds the entity's
mapping with PyYAML's composer (nodes with their start and end in the text; no tag is ever
constructed) and replaces just the span of that one key and value, or inserts the key after the
mapping's last one. The caller validates the result, as every import does before writing.
"""

from __future__ import annotations

import yaml

from depgraph.importers.sourcefiles import SourceError


def set_field(text: str, kind: str, name: str, key: str, value, where: str = "") -> str:
    """``text`` with ``key: value`` set in the entity ``kind``/``name``.

    >>> print(set_field("kind: service  # mine\\nname: a\\ntier: 1\\n", "service", "a", "deployments",
    ...                 [{"datacenter": "lon1", "instances": 2}]), end="")
    kind: service  # mine
    name: a
    tier: 1
    deployments:
    - {datacenter: lon1, instances: 2}
    >>> set_field("- {kind: service, name: a, deployments: []}\\n", "service", "a", "deployments",
    ...           [{"datacenter": "x", "hosts": ["h1"]}])
    '- {kind: service, name: a, deployments: [{datacenter: x, hosts: [h1]}]}\\n'
    """
    mapping = _find(text, kind, name, where)
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            start = key_node.start_mark.index
            if mapping.flow_style:
                end = value_node.end_mark.index
            else:  # the rest of the value's last line goes too (a comment on the old value)
                end = _line_end(text, _last_leaf(value_node).end_mark.index)
            return text[:start] + _render(key, value, mapping, key_node.start_mark.column) + text[end:]
    if mapping.flow_style:
        close = mapping.end_mark.index - 1  # the closing brace
        separator = ", " if mapping.value else ""
        return text[:close] + separator + _render(key, value, mapping, 0) + text[close:]
    if not mapping.value:
        raise SourceError(f"{where}: {kind} '{name}' is an empty mapping; cannot add '{key}' to it")
    column = mapping.value[0][0].start_mark.column
    last = _last_leaf(mapping.value[-1][1])
    at = _line_end(text, last.end_mark.index)
    prefix = "" if at == 0 or text[at - 1] == "\n" else "\n"
    return text[:at] + prefix + " " * column + _render(key, value, mapping, column) + text[at:]


def _find(text: str, kind: str, name: str, where: str) -> yaml.MappingNode:
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError) as exc:
        raise SourceError(f"{where}: cannot edit this file: {str(exc).splitlines()[0]}") from None
    for document in documents:
        items = document.value if isinstance(document, yaml.SequenceNode) else [document]
        for item in items:
            if isinstance(item, yaml.MappingNode) and _scalar(item, "kind") == kind and _scalar(item, "name") == name:
                return item
    raise SourceError(f"{where}: {kind} '{name}' not found in this file")


def _scalar(mapping: yaml.MappingNode, key: str) -> str | None:
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key and isinstance(value_node, yaml.ScalarNode):
            return value_node.value
    return None


def _last_leaf(node: yaml.Node) -> yaml.Node:
    """The last scalar or flow collection inside ``node``: a block collection's own end mark lies
    past the comments that follow it, which belong to the next key."""
    while isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node


def _line_end(text: str, index: int) -> int:
    """The index just past the line break that ends the line holding ``index - 1``."""
    if index > 0 and text[index - 1] == "\n":
        return index
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def _render(key: str, value, mapping: yaml.MappingNode, column: int) -> str:
    """``key: value`` in the mapping's style; block text ends with a line break."""
    if mapping.flow_style:
        inner = yaml.safe_dump({key: value}, default_flow_style=True, width=1 << 30, sort_keys=False)
        return inner.strip()[1:-1]  # without the braces around it
    block = yaml.safe_dump({key: value}, default_flow_style=None, width=100, sort_keys=False)
    lines = block.splitlines()
    return "\n".join([lines[0]] + [" " * column + line for line in lines[1:]]) + "\n"
