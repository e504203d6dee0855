"""The analysis as ONE self-contained HTML page: ``render_html(analysis) -> str``.

The page carries its style, its script and its data inline and fetches nothing (its Content
Security Policy forbids any network access and any script but its own, by hash). The data is
:func:`depgraph.reporters.html_data.report_data` as JSON in a ``<script type="application/json">``
tag, with ``<``, ``>`` and ``&`` written as ``\\u003c``… so no text can close the tag (above a
megabyte it is deflated and base64-encoded, which has no markup characters at all); the
script renders every section from it, putting user text into the page as text nodes only. A
diagram SVG (small landscapes) is inlined after :func:`sanitize_svg` keeps only drawing elements
and safe links.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import zlib
from importlib import resources
from xml.etree import ElementTree

from depgraph.reporters.html_data import report_data

# From the npm registry, each with its licence beside it in vendor/: svg-pan-zoom 3.6.2
# (BSD-2-Clause) pans the Graphviz diagram; Cytoscape.js 3.35.0 draws the interactive map and
# cytoscape-fcose 2.2.0 (with cose-base 2.2.0 and layout-base 2.0.1, all MIT) lays out its
# nested groups. See docs/report.md for why these.
SCRIPTS = ("vendor/svg-pan-zoom.min.js", "vendor/cytoscape.min.js", "vendor/layout-base.js",
           "vendor/cose-base.js", "vendor/cytoscape-fcose.js", "report_core.js", "report_views.js",
           "report_capacity.js", "report_recovery.js", "report_map.js", "report_places.js",
           "report_live.js")
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_SVG_TAGS = {"svg", "g", "title", "desc", "path", "polygon", "polyline", "ellipse", "circle", "rect",
             "line", "text", "tspan", "a", "defs", "lineargradient", "radialgradient", "stop", "clippath"}
_SAFE_SCHEME = re.compile(r"^\s*(https?://|mailto:)", re.I)
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
COMPRESS_ABOVE = 1_000_000  # characters of JSON; bigger data is embedded deflated, in base64


def _asset(name: str) -> str:
    return resources.files("depgraph.reporters").joinpath("assets", name).read_text(encoding="utf-8")


def embed_json(document) -> str:
    """``document`` as JSON safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` left.

    >>> embed_json({"a": "</script><b>&"})
    '{"a":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_html(analysis, svg: str | None = None, notices=(), diagrams=(), advance=None, live: bool = False,
                drift=None) -> str:
    """The report page. ``svg``: a diagram to inline (sanitized here); ``diagrams``: ``{"title",
    "file"}`` links to diagram files next to the page; ``notices``: sentences shown on top;
    ``live``: served by ``depgraph serve``, whose ``/api/`` the page may ask (its what-if);
    ``drift``: observed calls no descriptor declares, shown on each caller's panel."""
    data = report_data(analysis, notices=notices, diagrams=diagrams, advance=advance, drift=drift)
    if live:
        data["live"] = {"api": "api/"}
    script = "\n".join(_asset(name) for name in SCRIPTS)
    script_hash = base64.b64encode(hashlib.sha256(f"\n{script}\n".encode("utf-8")).digest()).decode("ascii")
    csp = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
           f"script-src 'sha256-{script_hash}'; base-uri 'none'; form-action 'none'"
           + ("; connect-src 'self'" if live else ""))
    parts = {
        "csp": csp,
        "title": html.escape(str(analysis.catalog.root)),
        "css": _asset("report.css"),
        "svg": sanitize_svg(svg) if svg else "",
        **_data_parts(embed_json(data)),
        "js": script,
    }
    return _PLACEHOLDER.sub(lambda match: parts[match.group(1)], _asset("report.html"))


def _data_parts(text: str) -> dict:
    """The data element's attributes and content: JSON as is, or deflated and base64-encoded
    when big (the page unpacks it with the browser's DecompressionStream)."""
    if len(text) <= COMPRESS_ABOVE:
        return {"encoding": "json", "data": text}
    packed = base64.b64encode(zlib.compress(text.encode("utf-8"), 6)).decode("ascii")
    return {"encoding": "deflate-base64", "data": packed}


def sanitize_svg(svg: str) -> str:
    """An SVG document reduced to drawing elements: no script, no foreign content, no event
    handlers, no link but http(s)/mailto/fragment ones. Returns "" for text that is not SVG.

    >>> sanitize_svg('<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script>'
    ...              '<a href="javascript:x()"><text onclick="x()">hi</text></a></svg>')
    '<svg xmlns="http://www.w3.org/2000/svg"><a><text>hi</text></a></svg>'
    """
    try:
        root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", svg, count=1).encode("utf-8"))
    except ElementTree.ParseError:
        return ""
    if _local(root.tag) != "svg":
        return ""
    _clean(root)
    ElementTree.register_namespace("", SVG_NS)
    ElementTree.register_namespace("xlink", XLINK_NS)
    return ElementTree.tostring(root, encoding="unicode")


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _clean(element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str) or _local(child.tag) not in _SVG_TAGS:
            element.remove(child)
        else:
            _clean(child)
    for name in list(element.attrib):
        local, value = _local(name), element.attrib[name]
        if local.startswith("on") or local in ("style",) and re.search(r"url\(|expression", value, re.I):
            del element.attrib[name]
        elif local == "href" and not (value.startswith("#") or _SAFE_SCHEME.match(value)):
            del element.attrib[name]
