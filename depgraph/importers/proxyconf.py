"""Where a proxy sends traffic, read from its own configuration: nginx ``upstream`` blocks and
``proxy_pass`` (and ``grpc_pass``, ``fastcgi_pass``, ``uwsgi_pass``), HAProxy ``backend`` and
``listen`` sections with their ``server`` lines, and Envoy ``clusters``.

Each destination is a *pool*: the ``(host, port)`` addresses one name balances over. A pool of
several services is one dependency on any of them (an ``any_of`` entry), not one on each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from depgraph.importers.hosts import host_candidates


@dataclass
class Pool:
    """The addresses behind one proxy destination; ``label`` says which (``upstream web``)."""

    label: str
    addresses: list[tuple[str, int | None]]


_COMMENT = re.compile(r"#[^\n]*")
_NGINX_UPSTREAM = re.compile(r"\bupstream\s+([\w.$-]+)\s*\{([^}]*)\}", re.DOTALL)
_NGINX_SERVER = re.compile(r"(?:^|[;{\s])server\s+([^\s;]+)")
_NGINX_PASS = re.compile(r"\b(?:proxy|grpc|fastcgi|uwsgi|scgi)_pass\s+([^\s;]+)\s*;")
_HAPROXY_SECTION = re.compile(r"^(backend|listen|frontend|global|defaults|resolvers|peers|userlist|"
                              r"program|http-errors|ring|cache|mailers)\b\s*(\S*)", re.MULTILINE)
_HAPROXY_SERVER = re.compile(r"^\s*server\s+\S+\s+(\S+)", re.MULTILINE)


def _address(text: str) -> tuple[str, int | None] | None:
    """``host``, ``host:port`` or ``scheme://host:port/path`` as one address, or None."""
    found = host_candidates(text)
    return found[0] if found else None


def nginx_pools(text: str) -> list[Pool]:
    """The pools an nginx configuration proxies to: each ``upstream`` block, and each
    ``*_pass`` naming a host directly (one naming an upstream is that upstream).

    >>> conf = "upstream web { server front-a:80; server front-b:80 weight=2; }\\n"
    >>> conf += "location / { proxy_pass http://web; }\\nlocation /api { proxy_pass http://api:8080/v1; }"
    >>> [(p.label, p.addresses) for p in nginx_pools(conf)]
    [('upstream web', [('front-a', 80), ('front-b', 80)]), ('proxy_pass api:8080', [('api', 8080)])]
    """
    text = _COMMENT.sub("", text)
    pools: list[Pool] = []
    names = set()
    for match in _NGINX_UPSTREAM.finditer(text):
        addresses = [a for a in (_address(s) for s in _NGINX_SERVER.findall(match.group(2))) if a]
        names.add(match.group(1))
        pools.append(Pool(f"upstream {match.group(1)}", addresses))
    for target in _NGINX_PASS.findall(text):
        address = _address(target)
        if address is None or "$" in target or address[0] in names:
            continue
        label = f"proxy_pass {address[0]}" + (f":{address[1]}" if address[1] else "")
        if all(p.label != label for p in pools):
            pools.append(Pool(label, [address]))
    return pools


def haproxy_pools(text: str) -> list[Pool]:
    """The ``server`` lines of each ``backend`` and ``listen`` section.

    >>> cfg = "frontend www\\n  bind *:80\\n  default_backend app\\nbackend app\\n"
    >>> cfg += "  balance roundrobin\\n  server a1 app-a:8080 check\\n  server a2 app-b:8080 check\\n"
    >>> [(p.label, p.addresses) for p in haproxy_pools(cfg)]
    [('backend app', [('app-a', 8080), ('app-b', 8080)])]
    """
    text = _COMMENT.sub("", text)
    sections = list(_HAPROXY_SECTION.finditer(text))
    pools = []
    for i, section in enumerate(sections):
        if section.group(1) not in ("backend", "listen"):
            continue
        end = sections[i + 1].start() if i + 1 < len(sections) else len(text)
        servers = _HAPROXY_SERVER.findall(text, section.end(), end)
        addresses = [a for a in (_address(s) for s in servers) if a]
        if addresses:
            pools.append(Pool(f"{section.group(1)} {section.group(2)}", addresses))
    return pools


def envoy_pools(document) -> list[Pool] | None:
    """The clusters of an Envoy bootstrap document (``static_resources.clusters``, endpoints in
    ``load_assignment`` or the older ``hosts``); None when the document is not one.

    >>> doc = {"static_resources": {"clusters": [{"name": "cat", "load_assignment": {"endpoints": [
    ...     {"lb_endpoints": [{"endpoint": {"address": {"socket_address": {"address": "cat-a",
    ...      "port_value": 80}}}}]}]}}]}}
    >>> [(p.label, p.addresses) for p in envoy_pools(doc)]
    [('cluster cat', [('cat-a', 80)])]
    """
    resources = document.get("static_resources") if isinstance(document, dict) else None
    clusters = resources.get("clusters") if isinstance(resources, dict) else None
    if not isinstance(clusters, list):
        return None
    pools = []
    for cluster in clusters:
        if not isinstance(cluster, dict):
            continue
        addresses = []
        for socket in _socket_addresses(cluster):
            host, port = socket.get("address"), socket.get("port_value")
            if isinstance(host, str) and host:
                addresses.append((host, port if isinstance(port, int) else None))
        if addresses:
            pools.append(Pool(f"cluster {cluster.get('name')}", addresses))
    return pools


def _socket_addresses(cluster: dict) -> list[dict]:
    out = []
    hosts = cluster.get("hosts")
    for item in hosts if isinstance(hosts, list) else []:
        if isinstance(item, dict) and isinstance(item.get("socket_address"), dict):
            out.append(item["socket_address"])
    assignment = cluster.get("load_assignment")
    endpoints = assignment.get("endpoints") if isinstance(assignment, dict) else None
    for group in endpoints if isinstance(endpoints, list) else []:
        lb_endpoints = group.get("lb_endpoints") if isinstance(group, dict) else None
        for lb in lb_endpoints if isinstance(lb_endpoints, list) else []:
            endpoint = lb.get("endpoint") if isinstance(lb, dict) else None
            address = endpoint.get("address") if isinstance(endpoint, dict) else None
            socket = address.get("socket_address") if isinstance(address, dict) else None
            if isinstance(socket, dict):
                out.append(socket)
    return out


def text_config_pools(name: str, text: str) -> list[Pool] | None:
    """The pools of an nginx or HAProxy configuration file, by what it contains; None when it is
    neither (a text file that is no proxy configuration names no dependencies)."""
    if "haproxy" in name.lower() or _HAPROXY_SECTION.search(text) and _HAPROXY_SERVER.search(text):
        return haproxy_pools(text)
    if re.search(r"\b(?:upstream\s+[\w.$-]+\s*\{|(?:proxy|grpc|fastcgi|uwsgi|scgi)_pass\s)", text):
        return nginx_pools(text)
    return None
