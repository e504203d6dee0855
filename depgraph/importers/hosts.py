"""Host references inside configuration values: which host names a string points at.

A value may be a bare host (``db``), ``host:port``, a URL of any scheme (``postgres://u:pw@db/x``,
``wss://opamp:4320``), ``user:pw@host``, a connection string (``Server=db;Database=x``,
``Host=db;Username=u``), a list (``a:9092,b:9092``) or a command line (``-h edge-router``).
:func:`host_candidates` returns every ``(host, port)`` such a string could name; importers keep
only those that match a known host, so free text rarely produces false edges.
"""

from __future__ import annotations

import re

_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^/\s?#,;\"'<>]*)[^\s,;\"'<>]*")
_KEY_VALUE = re.compile(r"^\s*[A-Za-z_][\w .-]*=")
_WORD_SPLIT = re.compile(r"[\s,;\"'()\[\]{}<>|!*&^`]+")
_HOST = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$")
# A key or command-line flag whose value is a secret (``Password=``, ``--api-key``, ``PGPASSWORD``).
SECRET_NAME = re.compile(r"(?i)pass(?:word|wd|phrase)?\b|password|passwd|pwd|secret|token|api[-_]?key|"
                         r"(?:^|[-_.\s])key$")
# Connection-string keys whose values are names, not hosts (``Database=orders``).
_NAME_KEY = re.compile(r"(?i)^\s*(?:database|initial catalog|catalog|db|dbname|schema|search ?path|keyspace|"
                       r"user ?id|user ?name|user|uid|login|port|application ?name|timeout)\s*$")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "::", "::1", "*"}


def _split_host_port(text: str) -> tuple[str, int | None] | None:
    """``host`` / ``host:port`` / ``[v6]:port`` -> (host, port); None when it is not one."""
    if not text:
        return None
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = text, ""
    elif not port.isdigit():
        return None
    if not _HOST.match(host):
        return None
    return host, (int(port) if port else None)


def _from_netloc(netloc: str) -> tuple[str, int | None] | None:
    netloc = netloc.rpartition("@")[2]
    return _split_host_port(netloc)


def _word_host(word: str) -> tuple[str, int | None] | None:
    word = word.lstrip("-")
    if not word or word.startswith(("/", ".", "~", "$")):
        return None  # a path or an unresolved variable
    word = word.split("/", 1)[0]  # host:port/path
    word = word.rpartition("@")[2]  # user:pw@host
    if word.lower().startswith("tcp:"):
        word = word[4:]
    return _split_host_port(word)


def host_candidates(value: str) -> list[tuple[str, int | None]]:
    """Every ``(host, port)`` a configuration value may point at, in order, without repeats.

    >>> host_candidates("postgres://user:pw@astronomy-db:5432/db?sslmode=disable")
    [('astronomy-db', 5432)]
    >>> host_candidates("Server=sqldata;Database=Catalog;User Id=sa")
    [('sqldata', None)]
    >>> host_candidates("-d 60 -h edge-router")
    [('d', None), ('60', None), ('h', None), ('edge-router', None)]
    >>> host_candidates("kafka:9092,CONTROLLER://kafka:9093")
    [('kafka', 9093), ('kafka', 9092)]
    >>> host_candidates("Host=db;Password=vault:1"), host_candidates("--token vault --api-key=x -h cache")
    ([('db', None)], [('token', None), ('h', None), ('cache', None)])
    """
    found: list[tuple[str, int | None]] = []

    def add(item: tuple[str, int | None] | None) -> None:
        if item and item not in found:
            found.append(item)

    for match in _URL.finditer(value):
        add(_from_netloc(match.group(2)))
    rest = _URL.sub(" ", value)
    for segment in rest.split(";"):
        if _KEY_VALUE.match(segment):
            key, segment = segment.split("=", 1)  # Server=db;Database=x: only the values
            if SECRET_NAME.search(key) or _NAME_KEY.match(key):
                continue  # Password=…, Database=…: a secret or a name, never a host
        after_secret = False
        for word in _WORD_SPLIT.split(segment):
            name, eq, val = word.rpartition("=")
            if after_secret or (eq and SECRET_NAME.search(name)):
                after_secret = False
                continue
            after_secret = bool(not eq and word.startswith("-") and SECRET_NAME.search(word))
            add(_word_host(val))
    return found
