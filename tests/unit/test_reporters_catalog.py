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

from tests.landscapes import hostile_catalog



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
