"""Small landscapes and inputs that more than one test module uses, written out by hand.

Each is plain data (or builds it): descriptor trees as ``{path: text}`` for
:func:`tests.helpers.write_tree` or :class:`tests.helpers.GitRepo`, a hostile catalog built in
memory, and observed calls in the formats ``drift`` reads.
"""

from __future__ import annotations

import json
import textwrap

from depgraph.model import (
    Catalog,
    Client,
    Datacenter,
    Dependency,
    Deployment,
    Host,
    Link,
    Location,
    Service,
    Team,
)

# -- the scenario repository of the check tests (tests.helpers.GitRepo) ----------------------

BASE_TREE = {
    "datacenters.yaml": """
        - {kind: datacenter, name: lon1, region: eu}
        - {kind: datacenter, name: sto1, region: eu}
        - {kind: datacenter, name: ash1, region: us}
        """,
    "teams.yaml": """
        - {kind: team, name: core, tribe: platform}
        - {kind: team, name: pay, tribe: payments}
        - {kind: team, name: web, tribe: product}
        """,
    "hosts.yaml": """
        - {kind: host, name: lon1-a-1, datacenter: lon1, rack: a}
        - {kind: host, name: lon1-b-1, datacenter: lon1, rack: b}
        - {kind: host, name: sto1-a-1, datacenter: sto1, rack: a}
        - {kind: host, name: sto1-a-2, datacenter: sto1, rack: a}
        """,
    "services/db.yaml": """
        kind: service
        name: db
        owner: core
        tier: 1
        deployments:
          - {datacenter: lon1, hosts: [lon1-a-1]}
          - {datacenter: sto1, hosts: [sto1-a-1]}
        """,
    "services/api.yaml": """
        kind: service
        name: api
        owner: web
        tier: 1
        dependencies:
          - db
        deployments:
          - {datacenter: lon1, hosts: [lon1-b-1]}
          - {datacenter: sto1, hosts: [sto1-a-2]}
        """,
    "services/index.yaml": """
        kind: service
        name: index
        owner: core
        tier: 2
        deployments:
          - {datacenter: lon1, instances: 2}
          - {datacenter: sto1, instances: 2}
        """,
    "services/search.yaml": """
        kind: service
        name: search
        owner: web
        tier: 2
        dependencies:
          - index
        deployments:
          - {datacenter: lon1, instances: 2}
          - {datacenter: sto1, instances: 2}
        """,
}


BASE_TREE = {path: textwrap.dedent(text).lstrip("\n") for path, text in BASE_TREE.items()}

CYCLE = {"services/index.yaml": BASE_TREE["services/index.yaml"] + "dependencies:\n  - search\n"}

# -- the diagrams' tiny landscape, hostile text in its free-text fields ------------------------

HOSTILE_TEXT = '"]; injected [label="pwned" <script>alert(1)</script> &amp; C:\\new\\ \x01end'

TINY = {
    "datacenters.yaml": """
        - {kind: datacenter, name: lon1, location: '<b>London</b> & "east"'}
        - {kind: datacenter, name: sto1}
    """,
    "hosts.yaml": """
        - {kind: host, name: lon1-a-01, datacenter: lon1, rack: a}
        - {kind: host, name: lon1-a-02, datacenter: lon1, rack: a}
        - {kind: host, name: sto1-a-01, datacenter: sto1, rack: a}
    """,
    "teams.yaml": """
        - kind: team
          name: core
          tribe: infra
          contact: {pager: '"]; evil [label="x', slack: "#core"}
        - {kind: team, name: web, tribe: front}
    """,
    "services.yaml": """
        kind: service
        name: db
        owner: core
        tier: 1
        deployments: [{datacenter: lon1, hosts: [lon1-a-01]}]
        ---
        kind: service
        name: cache
        owner: core
        tier: 3
        deployments:
          - {datacenter: lon1, hosts: [lon1-a-02]}
          - {datacenter: sto1, hosts: [sto1-a-01]}
        ---
        kind: service
        name: api
        owner: web
        dependencies: [db, {service: cache, type: soft}]
        deployments: [{datacenter: lon1, instances: 2}, {datacenter: sto1, instances: 2}]
        ---
        kind: service
        name: auth
        owner: web
        dependencies: [session]
        deployments: [{datacenter: lon1, instances: 2}, {datacenter: sto1, instances: 2}]
        ---
        kind: service
        name: session
        owner: web
        dependencies: [auth]
        deployments: [{datacenter: lon1, instances: 2}, {datacenter: sto1, instances: 2}]
        ---
        kind: service
        name: orphan
        lifecycle: deprecated
        dependencies: [{any_of: [auth, session]}]
        deployments: [{datacenter: sto1, instances: 2}]
    """,
    "clients.yaml": """
        kind: client
        name: app
        owner: web
        dependencies: [api]
    """,
}

# -- the blast-radius cache's tree -------------------------------------------------------------

CACHE_TREE = {
    "infra.yaml": """
        - {kind: datacenter, name: lon1}
        - {kind: host, name: h1, datacenter: lon1, rack: a}
        - {kind: host, name: h2, datacenter: lon1, rack: b}
        - {kind: team, name: core, contact: {pager: core-oncall}}
    """,
    "db.yaml": """
        kind: service
        name: db
        owner: core
        deployments: [{datacenter: lon1, hosts: [h1]}]
    """,
    "api.yaml": """
        kind: service
        name: api
        owner: core
        dependencies: [db]
        deployments: [{datacenter: lon1, hosts: [h1, h2]}]
    """,
}

# -- a hand-made catalog with hostile text in every free-text field (see tests/unit/test_reporters_catalog.py)

SCRIPT = "<script>window.__pwned = 1</script>"
BREAKOUT = '</script><script>window.__pwned = 2</script>'
DOT = '"]; x [label="pwned'
JS_LINK = "javascript:window.__pwned = 3"
HOSTILE_OWNER = "ghost<img src=x onerror=alert(1)>|`x`"
HOSTILE_TRIBE = "edge|<b>tribe</b>"
HOSTILE_FILE = "services/a|b<i>.yaml"


def hostile_catalog() -> Catalog:
    where = Location(HOSTILE_FILE, 3)
    return Catalog(
        root="descriptors",
        datacenters={"lon1": Datacenter("lon1", location=SCRIPT, region="eu|west",
                                        labels={"status": BREAKOUT})},
        hosts={"h1": Host("h1", "lon1", rack="a")},
        teams={
            "core": Team("core", tribe="platform",
                         contact={"slack": BREAKOUT, "email": "core@example.com", "pager": JS_LINK}),
            "web": Team("web", tribe=HOSTILE_TRIBE, contact={"slack": "#web"}),
        },
        services={
            "db": Service("db", description=SCRIPT, owner="core", tier=1,
                          deployments=(Deployment("lon1", hosts=("h1",)),), source=where,
                          labels={"note": "a|b " + DOT}),
            "api": Service("api", description=DOT, owner="web", tier=1,
                           dependencies=(Dependency(("db",)), Dependency(("auth",))),
                           links=(Link(JS_LINK, "Click | me"), Link("https://wiki.example.com/api", "Runbook")),
                           source=Location("services/api.yaml", 1)),
            "auth": Service("auth", owner="core", dependencies=(Dependency(("session",)),),
                            source=Location("services/auth.yaml", 1)),
            "session": Service("session", owner=HOSTILE_OWNER, dependencies=(Dependency(("auth",)),),
                               source=Location("services/session.yaml", 1)),
            "cache": Service("cache", description=BREAKOUT, source=Location("services/cache.yaml", 1)),
        },
        clients={"ios": Client("ios", description=SCRIPT, dependencies=(Dependency(("api",)),))},
    )

# -- a big organisation: many tribes and teams -------------------------------------------------

def big_organisation(tribes: int, teams_per_tribe: int) -> dict[str, str]:
    """One service per team, each depending on the first service of every later tribe (no cycles)."""
    teams = [(f"t{t}", f"team-{t}-{k}") for t in range(tribes) for k in range(teams_per_tribe)]
    files = {"dcs.yaml": "- {kind: datacenter, name: lon1}\n",
             "teams.yaml": "".join(f"- {{kind: team, name: {team}, tribe: {tribe}}}\n" for tribe, team in teams)}
    for tribe, team in teams:
        others = [f"svc-team-{t}-0" for t in range(int(tribe[1:]) + 1, tribes)]
        files[f"services/svc-{team}.yaml"] = (
            f"kind: service\nname: svc-{team}\nowner: {team}\ndependencies: [{', '.join(others)}]\n"
            "deployments:\n  - {datacenter: lon1, instances: 2}\n")
    return files

# -- observed calls for drift, in the formats it reads -----------------------------------------

DRIFT_TREE = {
    "services.yaml": """
        - kind: service
          name: web
          dependencies: [orders, {service: search, type: soft}]
        - {kind: service, name: orders, dependencies: [payments]}
        - {kind: service, name: payments}
        - {kind: service, name: search}
        - {kind: service, name: postgres}
    """,
}
# (caller, callee, calls, errors): declared, undeclared, to a database, to a name that is no service
CALLS = [("web", "orders", 1200, 12), ("orders", "search", 500, 50), ("orders", "postgres", 800, 0),
         ("payments", "stripe-api", 300, 30)]
PREFIX = "otelcol_"  # the collector's Prometheus exporter namespace


def zipkin(calls=CALLS) -> str:
    return json.dumps([{"parent": p, "child": c, "callCount": n, "errorCount": e} for p, c, n, e in calls])


def call_kind(callee: str) -> dict:
    return {"connection_type": "database"} if callee == "postgres" else {}


def vector(calls=CALLS, prefix=PREFIX, metric="traces_service_graph_request_total") -> str:
    result = []
    for p, c, n, e in calls:
        labels = {"client": p, "server": c, "job": "otel-collector", **call_kind(c)}
        result.append({"metric": {"__name__": prefix + metric, **labels}, "value": [1765000000.123, f"{n}.0"]})
        result.append({"metric": {"__name__": prefix + "traces_service_graph_request_failed_total", **labels},
                       "value": [1765000000.123, str(e)]})
    return json.dumps({"status": "success", "data": {"resultType": "vector", "result": result}})


# -- Kubernetes manifests for the importers ---------------------------------------------------

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: c, image: {image}, env: [{env}]{container}}}]
      volumes: {volumes}
---
apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec: {{selector: {{app: {name}}}}}
"""


def deployment(name: str, image: str = "", env: str = "", container: str = "", volumes: str = "[]") -> str:
    """A Deployment and the Service selecting it; ``container`` adds fields to its container."""
    return DEPLOYMENT.format(name=name, image=image or f"example/{name}", env=env,
                             container=f", {container}" if container else "", volumes=volumes)
