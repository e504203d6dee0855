"""Where NetBox pages come from: a dump folder (``dcim_devices.json``, …) or the live API.

A dump file is one NetBox list page holding every result, as ``…/api/dcim/devices/?limit=0``
returns it: ``{"count", "next", "previous", "results"}``. The live API is read with pynetbox,
NetBox's own client, which follows the ``next`` links. Either way every read is bounded (a file
or a response over ``max_bytes`` is refused, numbers of over 100 digits too), and every failure
is a :class:`~depgraph.importers.sourcefiles.SourceError` that names the file or URL, never the
token.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

from depgraph.diagnostics import UsageError
from depgraph.importers.netbox_records import Page, clip
from depgraph.importers.sourcefiles import SourceError, load_json
from depgraph.load.bounded import InputError, load_text_bounded

ENDPOINTS = (
    "dcim.regions", "dcim.sites", "dcim.racks", "dcim.devices",
    "virtualization.clusters", "virtualization.virtual_machines", "ipam.services",
)
REQUIRED = ("dcim.sites",)
PAGE_SIZE = 1000  # NetBox's default MAX_PAGE_SIZE
TIMEOUT = 60.0  # seconds to connect or to wait for a page

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


def fetch_live(url: str, token: str | None, token_env: str, max_bytes: int,
               progress: Progress | None = None) -> dict[str, Page]:
    """Every page of every endpoint from a NetBox at ``url``, read through pynetbox (the
    ``netbox`` extra: a UsageError says how to install it when it is missing)."""
    try:
        import pynetbox
        import requests
    except ImportError:
        raise UsageError("reading a live NetBox needs pynetbox: pip install 'depgraph[netbox]' "
                         "(a saved dump folder needs nothing more: depgraph import netbox DUMP_DIR)") from None
    from pynetbox.core.query import ContentError, Request, RequestError

    shown = public_url(url)
    check_url(url)
    api = pynetbox.api(url.rstrip("/"), token=token or None)
    adapter = _guarded_adapter(urlsplit(url).hostname)
    api.http_session.mount("http://", adapter)
    api.http_session.mount("https://", adapter)
    api.http_session.hooks["response"].append(_bounded(max_bytes))
    pages: dict[str, Page] = {}
    for endpoint in ENDPOINTS:
        app, name = endpoint.split(".")
        base = f"{api.base_url}/{app}/{name.replace('_', '-')}/"
        where = public_url(base)
        request = Request(base=base, token=api.token, http_session=api.http_session, limit=PAGE_SIZE)
        results: list = []
        if progress:
            progress(f"reading {where}", 0, 0)
        try:
            for record in request.get():
                results.append(record)
                if progress and len(results) % PAGE_SIZE == 0:
                    progress(f"reading {where}", len(results), _count(request))
        except RequestError as exc:
            raise SourceError(_refusal(where, exc.req, token_env, token)) from None
        except ContentError:
            raise SourceError(f"{where}: the answer is not JSON; is {shown} a NetBox?") from None
        except requests.exceptions.Timeout:
            raise SourceError(f"{where}: no answer within {TIMEOUT:.0f} s") from None
        except requests.exceptions.SSLError as exc:
            raise SourceError(f"{where}: TLS failed: {_reason(exc, token)}") from None
        except requests.exceptions.ConnectionError as exc:
            raise SourceError(f"cannot reach NetBox at {shown}: {_reason(exc, token)}") from None
        except requests.exceptions.RequestException as exc:
            raise SourceError(f"{where}: the request failed: {_reason(exc, token)}") from None
        except _ForeignHost as exc:
            raise SourceError(f"{where}: NetBox sent a link to another host ({clip(str(exc))}); "
                              "not following it") from None
        except _TooLarge as exc:
            raise SourceError(f"{where}: a page is over the limit of {exc.limit:,} bytes (limit "
                              "max_file_bytes; raise it with --max-file-bytes)") from None
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            # pynetbox indexes pages as NetBox shapes them; anything else ends up here
            raise SourceError(f"{where}: not a NetBox list page ({_reason(exc, token)})") from None
        pages[endpoint] = Page(endpoint, where, results)
    for page in pages.values():  # pynetbox hands out an answer without "results" as one result
        bad = next((i for i, r in enumerate(page.results) if not isinstance(r, dict) or "id" not in r), None)
        if bad is not None:
            raise SourceError(f"{page.where}: not a NetBox list page: result {bad} is not a NetBox object "
                              "(an object with an 'id')")
    return pages


def _count(request) -> int:
    count = getattr(request, "count", 0)
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


def _reason(exc: BaseException, token: str | None) -> str:
    """An exception's text, one line, with the token (should it appear) masked."""
    text = str(exc)
    if token:
        text = text.replace(token, "***")
    text = re.sub(r"//[^/@\s]*@", "//***@", text)
    return clip(text, 200)


def _refusal(where: str, response, token_env: str, token: str | None) -> str:
    status = getattr(response, "status_code", None)
    reason = getattr(response, "reason", "") or ""
    if status in (401, 403):
        given = f"the token in ${token_env}" if token else f"no token (${token_env} is not set)"
        return (f"{where}: NetBox refused {given}: HTTP {status} {reason}{_detail(response, token)}; "
                f"set {token_env} to a NetBox API token that may read it")
    if status == 404:
        return f"{where}: HTTP 404 Not Found; is the --url the NetBox itself (not its /api/)?"
    return f"{where}: HTTP {status} {reason}{_detail(response, token)}"


def _detail(response, token: str | None) -> str:
    try:
        body = json.loads(response.text[:10_000])
    except (ValueError, TypeError):
        return ""
    detail = body.get("detail") if isinstance(body, dict) else None
    return f" ({_reason(Exception(detail), token)})" if isinstance(detail, str) else ""


class _TooLarge(Exception):
    def __init__(self, limit: int):
        self.limit = limit


def _bounded(max_bytes: int):
    """A requests response hook that reads at most ``max_bytes`` of a body (the hook runs before
    requests reads the body itself) and refuses a longer one."""

    def hook(response, *args, **kwargs):
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            response.close()
            raise _TooLarge(max_bytes)
        chunks, size = [], 0
        for chunk in response.iter_content(1 << 16):
            size += len(chunk)
            if size > max_bytes:
                response.close()
                raise _TooLarge(max_bytes)
            chunks.append(chunk)
        response._content = b"".join(chunks)  # what requests itself sets once it has read the body
        return response

    return hook


def _guarded_adapter(origin_host: str):
    """A requests adapter that gives every request a timeout (a NetBox that never answers must not
    hang the import) and sends nothing, the token least of all, to a host other than ``--url``'s
    (a page's ``next`` link is the server's to choose)."""
    from requests.adapters import HTTPAdapter

    class GuardedAdapter(HTTPAdapter):
        def send(self, request, **kwargs):
            host = urlsplit(request.url).hostname
            if host != origin_host:
                raise _ForeignHost(host or "")
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = TIMEOUT
            return super().send(request, **kwargs)

    return GuardedAdapter()


class _ForeignHost(Exception):
    pass
