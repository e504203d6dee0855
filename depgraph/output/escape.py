"""Untrusted text made safe for each output channel, in one place per channel.

Everything that comes from outside depgraph — descriptor values, descriptor *file names*,
baselines, policy files, observed traces, import sources — reaches output only through one of
these functions, chosen by the channel the output goes to:

=================  ======================================================================
channel            function
=================  ======================================================================
terminal text      :func:`terminal` — one line, no control character (a newline would
                   forge a line, e.g. a GitHub ``::error`` command; ESC retitles terminals)
GitHub commands    :func:`workflow_data`, :func:`workflow_property`
Markdown           :func:`markdown_text`, :func:`markdown_code` (no markup, no @mention,
                   no autolink, no HTML)
XML                :func:`xml_text` (JUnit, GraphML, SVG through DOT labels): only characters
                   XML 1.0 allows
SARIF URIs         :func:`uri` (RFC 3986 percent-encoding)
HTML               :func:`depgraph.reporters.html.embed_json` (data in a script tag; the page
                   puts text into the document as text nodes only)
DOT                :mod:`depgraph.diagrams.dotescape`
Mermaid            :func:`depgraph.output.mermaid.label` (every Mermaid chart is written there)
=================  ======================================================================

Every function first makes the text *printable*: a file name that is not UTF-8 (a lone
surrogate from the file system) becomes U+FFFD instead of crashing the writer.
"""

from __future__ import annotations

import re
from urllib.parse import quote

# C0 and C1 controls, DEL, and the Unicode controls that reorder or hide text (bidi overrides
# and isolates, line and paragraph separators, BOM / zero-width no-break space).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
# The same but tab, LF and CR: JSON's own white space, which the encoder escapes inside strings.
_JSON_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
# ASCII but its controls: deleted from UTF-8, they leave the controls and every multi-byte character whole.
_ASCII_PLAIN = bytes(c for c in range(128) if not _JSON_CONTROL.match(chr(c)))
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}
# Characters XML 1.0 does not allow anywhere (they make a document ill-formed).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")
_SPACE = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(value: object) -> str:
    """``value`` as text that encodes as UTF-8: lone surrogates (a file name that is not UTF-8)
    become U+FFFD.

    >>> printable("caf\\udce9.yaml")
    'caf\\ufffd.yaml'
    """
    text = str(value)
    if text.isascii():
        return text
    try:
        text.encode("utf-8")  # at C speed, and only a lone surrogate fails it
        return text
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)


def _visible(match: re.Match) -> str:
    char = match.group(0)
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def terminal(value: object) -> str:
    """One line of terminal text showing ``value`` literally: control characters as visible
    escapes, so no value can start a new line or send an escape sequence.

    >>> print(terminal("a\\n::error file=x::forged \\x1b]0;title\\x07"))
    a\\n::error file=x::forged \\e]0;title\\x07
    """
    return _CONTROL.sub(_visible, printable(value))


def terminal_block(text: str) -> str:
    """A whole block of terminal output: every control character but the newline made visible
    (a second line of defence behind :func:`terminal` on each value)."""
    return "\n".join(_CONTROL.sub(_visible, line) for line in printable(text).split("\n"))


def json_text(document: str) -> str:
    """A JSON document (written with ``ensure_ascii=False``) safe for a terminal and still the
    same JSON: control and bidi characters, which can only stand inside its strings, become
    ``\\uXXXX`` escapes; lone surrogates become U+FFFD.

    >>> json_text('{"a": "x\u202ey\x85"}')
    '{"a": "x\\\\u202ey\\\\u0085"}'
    """
    try:  # the usual document has nothing to escape: look at its few non-ASCII characters only
        rest = document.encode("utf-8").translate(None, _ASCII_PLAIN).decode("utf-8")
    except UnicodeError:  # a lone surrogate
        rest = None
    if rest is not None and not _JSON_CONTROL.search(rest):
        return document
    return _JSON_CONTROL.sub(_json_escape, printable(document))


def _json_escape(match: re.Match) -> str:
    return f"\\u{ord(match.group(0)):04x}"


def workflow_data(value: object) -> str:
    """A GitHub workflow command's message: ``%``, CR and LF escaped as the runner expects.

    >>> workflow_data("50% done\\r\\nnext")
    '50%25 done%0D%0Anext'
    """
    text = _CONTROL.sub(lambda m: m.group(0) if m.group(0) in "\r\n" else _visible(m), printable(value))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(value: object) -> str:
    """A workflow command's property value (``file=…``, ``title=…``): also ``:`` and ``,``.

    >>> workflow_property("a:b,c%")
    'a%3Ab%2Cc%25'
    """
    return workflow_data(value).replace(":", "%3A").replace(",", "%2C")


def markdown_text(value: object) -> str:
    """User text for a Markdown sentence or table cell: one line, nothing in it is markup, and
    no ``@mention`` or bare URL turns into a link or a notification.

    >>> print(markdown_text('<b>x</b> | a*b* & `c` @ops https://x.example'))
    \\<b\\>x\\</b\\> \\| a\\*b\\* &amp; \\`c\\` @\u2060ops https:\u2060//x.example
    """
    one_line = terminal(_SPACE.sub(" ", printable(value)).strip()).replace("&", "&amp;")
    escaped = _MARKDOWN.sub(r"\\\1", one_line)
    return _defuse(escaped)


def markdown_code(value: object) -> str:
    """``value`` as a code span, fenced by more backticks than it holds; pipes escaped for
    tables (mentions and links never fire inside code).

    >>> print(markdown_code("service:a"), markdown_code("a`b"), markdown_code("x|y"))
    `service:a` `` a`b `` `x\\|y`
    """
    one_line = terminal(_SPACE.sub(" ", printable(value)).strip()).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", one_line)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest or one_line.startswith("`") or one_line.endswith("`") else ""
    return f"{fence}{pad}{one_line}{pad}{fence}"


def _defuse(text: str) -> str:
    """Break @mentions, ``://`` and ``www.`` with a word joiner (U+2060), invisible when read."""
    return (text.replace("@", "@\u2060").replace("://", ":\u2060//")
            .replace("www.", "www\u2060."))


def xml_text(value: object) -> str:
    """Text that XML 1.0 can hold: characters it forbids become U+FFFD (ElementTree and
    Graphviz escape ``<``, ``>`` and ``&`` themselves).

    >>> xml_text("ops\\ufffe\\x01")
    'ops\\ufffd\\ufffd'
    """
    return _NOT_XML.sub("\ufffd", printable(value))


def uri(path: str) -> str:
    """A relative path as a URI reference (RFC 3986): every character but unreserved ones and
    ``/`` percent-encoded (UTF-8).

    >>> uri("descriptors/a b#1%.yaml")
    'descriptors/a%20b%231%25.yaml'
    """
    return quote(printable(path), safe="/")
