"""A small hand-made landscape for the reporter tests, with hostile text in every free-text field.

    ios (client) ──▶ api (tier 1, web) ──▶ db (tier 1, core; only on host h1 in rack lon1/a)
                                     └──▶ auth (core) ⇄ session (owner "ghost…", no such team)
    cache (no owner)

Worked out by hand from SPEC §2: one hard cycle [auth, session]; SPOFs datacenter:lon1,
host:h1 and rack:lon1/a (down: api, db, ios), service:db (down: api, ios), service:auth (down:
api, ios, session), service:session (down: api, auth, ios), service:api (down: ios). Ranked by
tier-1 services and clients down: the three infrastructure SPOFs first (2 tier-1 + 1 client).
"""

from __future__ import annotations

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


def test_the_hand_worked_facts_hold():
    from depgraph.analysis import analyze

    analysis = analyze(hostile_catalog())
    assert [(c.members, c.hard) for c in analysis.cycles] == [(("service:auth", "service:session"), True)]
    assert {s.component: s.down for s in analysis.spofs} == {
        "datacenter:lon1": ("client:ios", "service:api", "service:db"),
        "host:h1": ("client:ios", "service:api", "service:db"),
        "rack:lon1/a": ("client:ios", "service:api", "service:db"),
        "service:api": ("client:ios",),
        "service:auth": ("client:ios", "service:api", "service:session"),
        "service:db": ("client:ios", "service:api"),
        "service:session": ("client:ios", "service:api", "service:auth"),
    }
    assert [(u.service, u.reason) for u in analysis.unowned] == [
        ("service:cache", "missing"), ("service:session", "unknown-team")]
