"""Escaping user text for DOT: quoted strings, and text inside HTML-like labels.

Names are safe by the descriptor grammar, but descriptions, labels, contacts and links are free
text. Everything that reaches a DOT file goes through :func:`quote` (a ``"…"`` string) or
:func:`html_text` (inside ``<…>`` HTML-like labels), so a description such as ``"]; x [`` or
``<script>`` stays text in the DOT, in the layout and in the SVG Graphviz writes.

Graphviz decodes ``&name;`` entities even in plain labels and tooltips, so ``&`` is written as
``&amp;`` in both: the user sees exactly what they typed. Control characters (which would make
the SVG invalid XML) are dropped, runs of whitespace become one space.
"""

from __future__ import annotations

import re

# Characters XML 1.0 forbids (the SVG Graphviz writes would be invalid: a browser then shows
# nothing), and DEL: dropped.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_SPACE = re.compile(r"\s+")


def clean(text: object, limit: int | None = None) -> str:
    """``text`` as one line: control characters dropped, whitespace collapsed, cut at ``limit``.

    >>> clean("a\\n\\tb\\x00c  ", limit=None)
    'a bc'
    >>> clean("abcdefgh", limit=5)
    'abcd…'
    """
    one_line = _SPACE.sub(" ", _CONTROL.sub("", str(text))).strip()
    if limit is not None and len(one_line) > limit:
        return one_line[: limit - 1].rstrip() + "…"
    return one_line


def quote(text: object) -> str:
    """A DOT double-quoted string holding ``text`` literally.

    Backslashes and quotes are escaped, ``&`` becomes ``&amp;``; newlines are kept as the DOT
    line break ``\\n`` (only the label writers put them there on purpose).

    >>> print(quote('a "b" \\\\ c'))
    "a \\"b\\" \\\\ c"
    >>> print(quote('x"]; y [label="z'))
    "x\\"]; y [label=\\"z"
    """
    lines = [_escape_line(line) for line in str(text).split("\n")]
    return '"' + "\\n".join(lines) + '"'


def _escape_line(line: str) -> str:
    line = _CONTROL.sub("", line).replace("\r", "")
    return line.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")


def html_text(text: object) -> str:
    """Text for inside an HTML-like label (cell content or attribute value), fully escaped.

    >>> html_text('<script>alert("x")</script> & co')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co'
    """
    cleaned = _CONTROL.sub("", str(text)).replace("\r", "").replace("\n", " ")
    return (cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


class Html(str):
    """An HTML-like label value, written between ``<`` and ``>`` instead of quotes.

    Build it only from :func:`html_text`-escaped pieces and fixed markup.
    """


def attribute_value(value: object) -> str:
    """An attribute value for DOT: ``<…>`` for :class:`Html`, a quoted string otherwise."""
    if isinstance(value, Html):
        return f"<{value}>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return quote(f"{value:g}")
    return quote(value)
