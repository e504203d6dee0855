"""Mermaid flowcharts, written in one place: node ids, labels, shapes and arrows.

``depgraph export --format mermaid``, the Markdown report's dependency graph and the diff's
changed edges all write their charts with these functions, so one escaping scheme covers every
Mermaid that leaves depgraph: each label goes through :func:`label`, which writes anything but
letters, digits and a few harmless marks as a Mermaid entity code (``#60;``), so no name, tribe
or description can close a label or inject a directive; ids are generated, never user text.
"""

from __future__ import annotations

import re

_SAFE = re.compile(r"[A-Za-z0-9 ._:/()-]")
_NOT_ID = re.compile(r"[^A-Za-z0-9_]")

#: a dependency's arrow by its type: hard solid, soft dotted
ARROWS = {"hard": "-->", "soft": "-.->"}
_SHAPES = {"box": ("[", "]"), "stadium": ("([", "])")}


def label(value: object) -> str:
    """A quoted Mermaid label showing ``value`` literally (white space runs made one space).

    >>> label('a"]; x [<b>')
    '"a#34;#93;#59; x #91;#60;b#62;"'
    """
    chars = (c if _SAFE.fullmatch(c) else f"#{ord(c)};" for c in " ".join(str(value).split()))
    return '"' + "".join(chars) + '"'


def numbered_ids(keys, prefix: str = "n") -> dict[str, str]:
    """``n0``, ``n1``, … for ``keys`` in the order given."""
    return {key: f"{prefix}{i}" for i, key in enumerate(keys)}


def readable_ids(keys) -> dict[str, str]:
    """Ids a reader can follow when editing the chart: ``service:api`` -> ``service_api``
    (every other character an underscore; a clash gets ``_2``, ``_3``, … in sorted order).

    >>> readable_ids(["service:a-b", "service:a_b"])
    {'service:a-b': 'service_a_b', 'service:a_b': 'service_a_b_2'}
    """
    ids: dict[str, str] = {}
    used: set[str] = set()
    for key in sorted(keys):
        base = _NOT_ID.sub("_", key)
        name, n = base, 2
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        ids[key] = name
    return ids


def node(node_id: str, text: object, shape: str = "box", css_class: str | None = None) -> str:
    """One node line: ``  n0["text"]``, in a ``box`` or a ``stadium`` (a client)."""
    opening, closing = _SHAPES[shape]
    return f"  {node_id}{opening}{label(text)}{closing}" + (f":::{css_class}" if css_class else "")


def edge(source: str, target: str, arrow: str = "-->", text: str | None = None) -> str:
    """One edge line; ``text`` is written as given between the bars (pass :func:`label`'s
    result for anything but a fixed word)."""
    return f"  {source} {arrow}{f'|{text}|' if text else ''} {target}"
