"""Turning evidence into edges: resolving host references, redacting secrets in descriptions,
and telling a configuration that names dependencies from an address book that names everyone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from depgraph.importers.hosts import LOCAL_HOSTS, host_candidates

_SECRET = re.compile(r"(?i)((?:password|pwd|secret|token|key)\s*=\s*)[^;,&\s]*")
_SECRET_FLAG = re.compile(r"(?i)((?:^|\s)--?[\w.-]*(?:pass|pwd|secret|token|api-?key)[\w.-]*\s+)(?!-)\S+")
_USERINFO = re.compile(r"((?:://|^|[\s=,;])[^:/@\s=,;]+:)[^@/\s]+@")
MAX_DESCRIPTION = 120
ADDRESS_BOOK_MIN_HOSTS = 3


def redact(text: str) -> str:
    """A value safe to write into a description: passwords masked, long values cut.

    >>> redact("Server=db;User Id=sa;Password=Pass@word")
    'Server=db;User Id=sa;Password=***'
    >>> redact("postgres://user:secret@db/x")
    'postgres://user:***@db/x'
    >>> redact("guest:guest@queue")
    'guest:***@queue'
    >>> redact("worker --db-password hunter2 --token=abc -h mailer")
    'worker --db-password *** --token=*** -h mailer'
    """
    text = mask_secrets(text)
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1] + "…"


def mask_secrets(text: str) -> str:
    """``text`` with passwords, tokens and keys masked, whatever its length (a link's URL).

    >>> mask_secrets("https://ci:s3cret@ci.example.com/x?api_key=abc&page=2")
    'https://ci:***@ci.example.com/x?api_key=***&page=2'
    """
    return _USERINFO.sub(r"\1***@", _SECRET_FLAG.sub(r"\1***", _SECRET.sub(r"\1***", text)))


def resolve_hosts(value: str, resolve: Callable[[str, int | None], str | None]) -> list[str]:
    """The services a value points at, in order, each once; ``resolve`` maps (host, port) to a
    service name or None."""
    found: list[str] = []
    for host, port in host_candidates(value):
        if host.lower() in LOCAL_HOSTS:
            continue
        target = resolve(host, port)
        if target is not None and target not in found:
            found.append(target)
    return found


def unresolved_hosts(value: str, known: Callable[[str, int | None], str | None]) -> list[str]:
    """Hosts in URL or ``host:port`` form that name nothing we know and look internal (no dot)."""
    out = []
    for host, port in host_candidates(value):
        looks_addressed = port is not None or "://" in value
        if (looks_addressed and "." not in host and host.lower() not in LOCAL_HOSTS
                and not host.isdigit() and known(host, port) is None):
            out.append(host)
    return out


def is_address_book(named: Iterable[str], readers: Iterable[str]) -> bool:
    """A configuration naming at least three services is an address book, not a dependency
    list, when several services read the very same file, or when a reader finds itself in it:
    a list of everyone's address says where things are, not who calls whom.

    >>> is_address_book({"a", "b", "c"}, {"x", "y"}), is_address_book({"a", "b", "c"}, {"a"})
    (True, True)
    >>> is_address_book({"a", "b", "c"}, {"gw"}), is_address_book({"jaeger"}, {"x", "y"})
    (False, False)
    """
    named, readers = set(named), set(readers)
    return len(named) >= ADDRESS_BOOK_MIN_HOSTS and (len(readers) >= 2 or bool(named & readers))
