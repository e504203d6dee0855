"""What an environment key says about its value, before the value is trusted.

A value under ``POSTGRES_DB``, ``MYSQL_DATABASE`` or ``RABBITMQ_DEFAULT_USER`` is a name, under
``POSTGRES_PASSWORD`` or ``API_KEY`` a secret: either may spell a service's name (``POSTGRES_DB=
orders`` beside a service ``orders``) without pointing at it. Keys are split into words (on
``_ - .`` and lower-to-upper case changes) and classified:

- ``host``: a word says the value is an address (``HOST``, ``ADDR``, ``URL``, ``URI``,
  ``ENDPOINT``, ``SERVER``, ``SEEDS``, ``BROKERS``, ``DSN``, connection strings); read;
- ``secret``: a password, secret, token, key or credential; never read, its value never shown;
- ``name``: a database, schema, user or other name; never read as a host;
- ``other``: anything else; read (``SEARCH=search:9200`` is an address whatever its key).

An address word wins over the others: ``TOKEN_URL`` and ``DATABASE_HOST`` are addresses.
"""

from __future__ import annotations

import re

from depgraph.importers.evidence import redact
from depgraph.output.words import plural

_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
HOST_WORDS = frozenset({
    "host", "hosts", "hostname", "addr", "address", "addresses", "url", "urls", "uri", "uris",
    "endpoint", "endpoints", "server", "servers", "seeds", "seed", "broker", "brokers", "dsn",
    "connection", "connectionstring", "connstr", "conn", "upstream", "upstreams",
})
SECRET_WORDS = frozenset({
    "password", "passwd", "pwd", "pw", "pass", "passphrase", "secret", "secrets", "token", "key", "apikey",
    "credential", "credentials", "salt", "pgpassword",
})
NAME_WORDS = frozenset({
    "db", "database", "databases", "dbname", "schema", "keyspace", "user", "username", "usr", "login",
    "name", "table", "collection", "bucket", "index", "realm", "tenant", "role", "owner", "email",
    "topic", "group",
})
SECRET_VALUE = "***"


def key_words(key: str) -> list[str]:
    """The lower-case words of an environment or ConfigMap key.

    >>> key_words("POSTGRES_DB"), key_words("identityUrlHC"), key_words("spring.datasource.password")
    (['postgres', 'db'], ['identity', 'url', 'hc'], ['spring', 'datasource', 'password'])
    >>> key_words("ConnectionStrings__Catalog")
    ['connection', 'strings', 'catalog']
    """
    return [w.lower() for part in re.split(r"[^A-Za-z0-9]+", str(key)) for w in _WORDS.findall(part)]


def key_role(key: str) -> str:
    """``host``, ``secret``, ``name`` or ``other`` (see the module docstring).

    >>> [key_role(k) for k in ("POSTGRES_DB", "MYSQL_DATABASE", "POSTGRES_USER", "DB_PASSWORD")]
    ['name', 'name', 'name', 'secret']
    >>> [key_role(k) for k in ("DB_HOST", "DATABASE_URL", "POSTGRES_SEEDS", "KAFKA_SERVERS", "SEARCH")]
    ['host', 'host', 'host', 'host', 'other']
    >>> [key_role(k) for k in ("apiKey", "JWT_SECRET", "AUTH_TOKEN", "MYSQL_ROOT_PASSWORD")]
    ['secret', 'secret', 'secret', 'secret']
    >>> [key_role(k) for k in ("AUTH_SERVICE", "USER_SERVICE", "CART")]
    ['other', 'name', 'other']
    """
    words = key_words(key)
    joined = "".join(words)
    if any(w in HOST_WORDS for w in words) or "connectionstring" in joined:
        return "host"
    if any(w in SECRET_WORDS for w in words) or any(s in joined for s in ("password", "passwd", "secret")):
        return "secret"
    if any(w in NAME_WORDS for w in words):
        return "name"
    return "other"


def shown(key: str | None, value: str) -> str:
    """A value as an evidence description may show it: masked whole under a secret key, else
    with the secrets inside it masked (:func:`redact`).

    >>> shown("POSTGRES_PASSWORD", "temporal"), shown("DATABASE_URL", "postgres://u:pw@db/x")
    ('***', 'postgres://u:***@db/x')
    """
    if key is not None and key_role(key) == "secret":
        return SECRET_VALUE
    return redact(value)


_ADDRESSED = re.compile(r"://|[A-Za-z0-9_]:\d+\b|@|^\s*[A-Za-z ]+=[^;]*;")


def reads_hosts(key: str | None, value: str) -> bool:
    """Whether ``value`` under ``key`` may name hosts: never under a secret key; under a name key
    only in address form (``db:5432``, a URL, ``user@host``, a connection string), never bare.
    A command line (key None) is always read.

    >>> reads_hosts("POSTGRES_DB", "orders"), reads_hosts("DB", "db:5432"), reads_hosts("API_KEY", "x:1")
    (False, True, False)
    """
    if key is None:
        return True
    role = key_role(key)
    return role in ("host", "other") or (role == "name" and bool(_ADDRESSED.search(value)))


def note_unread(result, unread: list[str], shown_at_most: int = 10) -> None:
    """One note naming the keys whose values name a service but were not read as hosts."""
    if not unread:
        return
    listed = ", ".join(unread[:shown_at_most])
    more = f" and {len(unread) - shown_at_most} more" if len(unread) > shown_at_most else ""
    result.note(f"{plural(len(unread), 'value')} naming a service were not read as hosts, since their keys "
                f"name a database, user or secret: {listed}{more}")
