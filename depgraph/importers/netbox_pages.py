"""Where NetBox pages come from: a dump folder (``dcim_devices.json``, …) or the live API.

A dump file is one NetBox list page holding every result, as ``…/api/dcim/devices/?limit=0``
returns it: ``{"count", "next", "previous", "results"}``. The live API is read page by page
over ``http.client``, following the ``next`` links only to ``--url``'s own origin (see
:func:`fetch_live`). Either way every read is bounded (a file or a response over ``max_bytes``
is refused, numbers of over 100 digits and nesting too deep to parse too), and every failure is
a :class:`~depgraph.importers.sourcefiles.SourceError` that names the file or URL, never the
token.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from pathlib import Path
from typing import Callable
from urllib.parse import urljoin, urlsplit, urlunsplit

from depgraph.importers.netbox_records import Page, clip
from depgraph.importers.sourcefiles import SourceError, load_json
from depgraph.load.bounded import InputError, load_text_bounded, parse_json

ENDPOINTS = (
    "dcim.regions", "dcim.sites", "dcim.racks", "dcim.devices",
    "virtualization.clusters", "virtualization.virtual_machines", "ipam.services",
)
REQUIRED = ("dcim.sites",)
PAGE_SIZE = 1000  # NetBox's default MAX_PAGE_SIZE
TIMEOUT = 60.0  # seconds one request may take in all (connect, headers, body)

Progress = Callable[[str, int, int], None]  # (what is being read, results so far, total; 0 if unknown)


def dump_file(endpoint: str) -> str:
    """``dcim.devices`` -> ``dcim_devices.json``."""
    return endpoint.replace(".", "_") + ".json"


def read_dump(folder: Path, max_bytes: int, progress: Progress | None = None) -> tuple[dict[str, Page], list[str]]:
    """Every dump file in ``folder``; and notes on the optional ones that are missing."""
    if not folder.is_dir():
        raise SourceError(f"{folder}: no such folder (a NetBox dump folder holds "
                          f"{', '.join(dump_file(e) for e in ENDPOINTS)})")
    pages: dict[str, Page] = {}
    notes = []
    for endpoint in ENDPOINTS:
        path = folder / dump_file(endpoint)
        if progress:
            progress(f"reading {path.name}", 0, 0)
        if not path.exists():
            if endpoint in REQUIRED:
                raise SourceError(f"{path}: not found; a NetBox dump folder holds at least "
                                  f"{dump_file(endpoint)} (save it with curl …/api/{endpoint.replace('.', '/')}/?limit=0)")
            notes.append(f"{path.name} not found: no {endpoint.split('.')[1].replace('_', ' ')} imported")
            continue
        document = load_json(path, read_bounded(path, max_bytes), "NetBox dump file")
        pages[endpoint] = page_from_document(endpoint, str(path), document, whole=True)
    return pages, notes


def read_bounded(path: Path, max_bytes: int) -> str:
    """A dump file's text, refused past ``max_bytes`` (only that many are ever read), as a
    SourceError naming the file and the limit to raise."""
    try:
        return load_text_bounded(path, max_bytes, "NetBox dump file")
    except InputError as exc:
        raise SourceError(f"{exc.place()}: {exc.detail}") from None


def page_from_document(endpoint: str, where: str, document, whole: bool) -> Page:
    """Check a decoded page against NetBox's list shape; ``whole`` also requires every result."""
    expected = "a NetBox list page ({\"count\", \"next\", \"previous\", \"results\": [...]})"
    if not isinstance(document, dict) or not isinstance(document.get("results"), list):
        found = "a list" if isinstance(document, list) else type(document).__name__
        if isinstance(document, dict):
            keys = ", ".join(clip(str(k), 30) for k in list(document)[:6])
            found = f"an object with keys {keys or 'none'}"
        raise SourceError(f"{where}: not {expected}; found {found}")
    results = document["results"]
    count = document.get("count")
    if whole and document.get("next"):
        raise SourceError(f"{where}: holds {len(results):,} of {count} results (its 'next' link is set): NetBox "
                          "caps ?limit=0 at MAX_PAGE_SIZE; save every result in one page, or import with --url")
    if whole and isinstance(count, int) and not isinstance(count, bool) and count != len(results):
        raise SourceError(f"{where}: says count {count:,} but holds {len(results):,} results")
    return Page(endpoint, where, results)


# --- the live API ---------------------------------------------------------------------------------

MAX_PAGES = 10_000  # pages of one endpoint, at most (10,000,000 objects at NetBox's page size)
TIMEOUT_ENV = "DEPGRAPH_NETBOX_TIMEOUT"


def fetch_live(url: str, token: str | None, token_env: str, max_bytes: int,
               progress: Progress | None = None, timeout: float | None = None,
               max_results: int = 2_000_000) -> dict[str, Page]:
    """Every page of every endpoint from a NetBox at ``url``, following its ``next`` links.

    The token goes only to ``url``'s scheme, host and port: a link elsewhere (another host or
    port, or ``http`` from an ``https`` NetBox) is refused before anything is sent. Each request
    has one deadline for all of it (connect, headers and body: ``timeout`` seconds, default
    :data:`TIMEOUT` or ``$DEPGRAPH_NETBOX_TIMEOUT``), a body over ``max_bytes`` is refused
    while it is read, an endpoint may have at most :data:`MAX_PAGES` pages and never the same
    page twice, every page but the last holds results, all endpoints together at most
    ``max_results`` (the ``max_entities`` limit), and JSON too deep or with too long numbers is
    an error. Every message is masked
    for the token, whatever form it is quoted in."""
    try:
        token = _header_safe(token, token_env)
        seconds = request_timeout() if timeout is None else timeout
        return _fetch_all(url, token, token_env, max_bytes, progress, seconds, max_results)
    except SourceError as exc:
        raise SourceError(mask(str(exc), token)) from None


def request_timeout() -> float:
    """Seconds one request may take in all: ``$DEPGRAPH_NETBOX_TIMEOUT`` or :data:`TIMEOUT`."""
    from depgraph.diagnostics import UsageError

    text = os.environ.get(TIMEOUT_ENV)
    if text is None or not text.strip():
        return TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 < value <= 86_400:
        raise UsageError(f"${TIMEOUT_ENV}={clip(text, 40)}: not a number of seconds between 0 and 86,400")
    return value


def _header_safe(token: str | None, token_env: str) -> str | None:
    """The token, if it can go in an HTTP header as it is (printable ASCII, no space): a pasted
    secret with a line break at its end is refused, without being shown."""
    if token is None or re.fullmatch(r"[!-~]+", token):
        return token
    raise SourceError(f"${token_env} holds a character that cannot go in an HTTP header (a line break, "
                      "a space or a non-ASCII character, perhaps pasted with the token); the token is not "
                      "shown; set it again without it")


def mask(text: str, token: str | None) -> str:
    """``text`` with every run of eight or more characters of the token (as it is, or as repr or
    JSON would quote it) replaced by ``***``: a message never carries it, even split or escaped.

    >>> mask("bad 'abcdef0123456789' and abcdef01-xyz", "abcdef0123456789")
    "bad '***' and ***-xyz"
    """
    if not token:
        return text
    forms = {token, repr(token)[1:-1], json.dumps(token)[1:-1]}
    width = min(8, min(len(f) for f in forms))
    grams = {form[i:i + width] for form in forms for i in range(len(form) - width + 1)}
    spans, i = [], 0
    while i <= len(text) - width:
        if text[i:i + width] in grams:
            end = i + width
            while end < len(text) and text[end - width + 1:end + 1] in grams:
                end += 1
            spans.append((i, end))
            i = end
        else:
            i += 1
    for begin, end in reversed(spans):
        text = text[:begin] + "***" + text[end:]
    return text


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), port or (443 if scheme == "https" else 80)


def _fetch_all(url: str, token: str | None, token_env: str, max_bytes: int, progress: Progress | None,
               timeout: float, max_results: int) -> dict[str, Page]:
    shown = public_url(url)
    check_url(url)
    origin = _origin(url)
    api = url.rstrip("/") + "/api"
    pages: dict[str, Page] = {}
    total = 0
    for endpoint in ENDPOINTS:
        app, name = endpoint.split(".")
        base = f"{api}/{app}/{name.replace('_', '-')}/"
        where = public_url(base)
        if progress:
            progress(f"reading {where}", 0, 0)
        results: list = []
        seen: set[str] = set()
        link: str | None = f"{base}?limit={PAGE_SIZE}"
        while link:
            if link in seen:
                raise SourceError(f"{where}: NetBox sent a 'next' link to a page already read "
                                  f"({clip(public_url(link))}); not following it")
            if len(seen) >= MAX_PAGES:
                raise SourceError(f"{where}: more than {MAX_PAGES:,} pages; not following more")
            seen.add(link)
            document = _get(link, token, token_env, max_bytes, timeout, where, shown)
            page = page_from_document(endpoint, where, document, whole=False)
            results += page.results
            total += len(page.results)
            if total > max_results:
                raise SourceError(f"{where}: more than {max_results:,} objects in all (limit max_entities; "
                                  "raise it with --max-entities)")
            following = document.get("next")
            if following is not None and not isinstance(following, str):
                raise SourceError(f"{where}: not a NetBox list page ('next' is not a link)")
            link = urljoin(link, following) if following else None
            if link:
                _check_link(link, origin, where)
                if not page.results:
                    raise SourceError(f"{where}: NetBox sent a page without results that links to another; "
                                      "not following it")
            if progress:
                progress(f"reading {where}", len(results), _count(document))
        bad = next((i for i, r in enumerate(results) if not isinstance(r, dict) or "id" not in r), None)
        if bad is not None:
            raise SourceError(f"{where}: not a NetBox list page: result {bad} is not a NetBox object "
                              "(an object with an 'id')")
        pages[endpoint] = Page(endpoint, where, results)
    return pages


def _check_link(link: str, origin: tuple[str, str, int], where: str) -> None:
    """Refuse a link that does not go to ``--url``'s scheme, host and port (the token would)."""
    scheme, host, port = _origin(link)
    if (scheme, host, port) == origin:
        return
    if host == origin[1] and origin[0] == "https" and scheme == "http":
        raise SourceError(f"{where}: NetBox sent a link from https to http ({clip(public_url(link))}); "
                          "not following it: the token would travel unencrypted (behind a TLS proxy, "
                          "set SECURE_PROXY_SSL_HEADER in NetBox's configuration)")
    raise SourceError(f"{where}: NetBox sent a link to another host or port ({clip(public_url(link))}); "
                      "not following it")


def _get(link: str, token: str | None, token_env: str, max_bytes: int, timeout: float, where: str, shown: str):
    """One page: GET with the token, within ``timeout`` seconds in all, at most ``max_bytes``."""
    import http.client
    import socket
    import ssl

    deadline = time.monotonic() + timeout
    parts = urlsplit(link)
    scheme, host, port = _origin(link)
    target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    headers = {"Accept": "application/json", "User-Agent": "depgraph"}
    if token:
        headers["Authorization"] = f"Token {token}"
    if scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", target, headers=headers)
        _left(connection, deadline)
        response = connection.getresponse()
        body = _read(connection, response, deadline, max_bytes, where)
    except _Late:
        raise SourceError(f"{where}: no complete answer within {timeout:g} s (set ${TIMEOUT_ENV} to wait longer)") from None
    except ssl.SSLError as exc:
        raise SourceError(f"{where}: TLS failed: {clip(str(exc), 200)}") from None
    except socket.timeout:
        raise SourceError(f"{where}: no complete answer within {timeout:g} s (set ${TIMEOUT_ENV} to wait longer)") from None
    except (OSError, http.client.HTTPException) as exc:
        raise SourceError(f"cannot reach NetBox at {shown}: {clip(str(exc) or type(exc).__name__, 200)}") from None
    finally:
        connection.close()
    if response.status != 200:
        raise SourceError(_refusal(where, response.status, response.reason, body, token_env, token,
                                   response.getheader("Location")))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise SourceError(f"{where}: the answer is not UTF-8 JSON; is {shown} a NetBox?") from None
    if not text.lstrip().startswith(("{", "[")):
        raise SourceError(f"{where}: the answer is not JSON; is {shown} a NetBox?")
    try:
        return parse_json(text, where, "NetBox page")
    except InputError as exc:
        raise SourceError(f"{exc.place()}: {exc.detail}") from None


class _Late(Exception):
    pass


def _left(connection, deadline: float) -> None:
    """Give the socket what is left of the deadline (an error once it has passed)."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Late()
    if connection.sock is not None:
        connection.sock.settimeout(left)


def _read(connection, response, deadline: float, max_bytes: int, where: str) -> bytes:
    declared = response.getheader("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise SourceError(f"{where}: a page is over the limit of {max_bytes:,} bytes (limit "
                          "max_file_bytes; raise it with --max-file-bytes)")
    chunks, size = [], 0
    while True:
        _left(connection, deadline)
        chunk = response.read1(1 << 16)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise SourceError(f"{where}: a page is over the limit of {max_bytes:,} bytes (limit "
                              "max_file_bytes; raise it with --max-file-bytes)")
        chunks.append(chunk)


def _count(document: dict) -> int:
    count = document.get("count", 0)
    return count if isinstance(count, int) and not isinstance(count, bool) else 0


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"--url {clip(public_url(url))}: not an http(s) URL of a NetBox "
                          "(e.g. https://netbox.example.com)")


def public_url(url: str) -> str:
    """``url`` without a password or user name in it, fit to print.

    >>> public_url("https://admin:secret@netbox.example.com/api/")
    'https://***@netbox.example.com/api/'
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return clip(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        netloc = "***@" + (f"{host}:{parts.port}" if parts.port else host)
        parts = parts._replace(netloc=netloc)
    return clip(urlunsplit(parts), 200)


def _refusal(where: str, status: int, reason: str, body: bytes, token_env: str, token: str | None,
             location: str | None) -> str:
    if status in (401, 403):
        given = f"the token in ${token_env}" if token else f"no token (${token_env} is not set)"
        return (f"{where}: NetBox refused {given}: HTTP {status} {reason}{_detail(body)}; "
                f"set {token_env} to a NetBox API token that may read it")
    if status == 404:
        return f"{where}: HTTP 404 Not Found; is the --url the NetBox itself (not its /api/)?"
    if 300 <= status < 400:
        return (f"{where}: HTTP {status} {reason}, a redirect to {clip(public_url(location or '?'))}; "
                "not followed (the token would go with it): give the final address as --url")
    return f"{where}: HTTP {status} {reason}{_detail(body)}"


def _detail(body: bytes) -> str:
    try:
        document = json.loads(body[:10_000])
    except (ValueError, TypeError, RecursionError):
        return ""
    detail = document.get("detail") if isinstance(document, dict) else None
    return f" ({clip(detail, 200)})" if isinstance(detail, str) else ""
