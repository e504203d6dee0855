"""``depgraph blast-radius`` and ``depgraph startup-order`` driven through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

TREE = {
    "infra.yaml": """
        - {kind: datacenter, name: lon1}
        - {kind: datacenter, name: sto1}
        - {kind: host, name: lon1-a-01, datacenter: lon1, rack: a}
        - {kind: host, name: lon1-a-02, datacenter: lon1, rack: a}
        - {kind: host, name: sto1-a-01, datacenter: sto1, rack: a}
        - {kind: host, name: search, datacenter: sto1}
        """,
    "teams.yaml": """
        - {kind: team, name: core, contact: {slack: "#core", pager: core-oncall}}
        - {kind: team, name: mobile, contact: {slack: "#mobile"}}
        """,
    "services.yaml": """
        - {kind: service, name: db, tier: 1, owner: core,
           deployments: [{datacenter: lon1, hosts: [lon1-a-01]}]}
        - {kind: service, name: search, owner: core,
           deployments: [{datacenter: lon1, hosts: [lon1-a-01, lon1-a-02]},
                         {datacenter: sto1, instances: 2}]}
        - {kind: service, name: playlist, tier: 1, owner: squad, dependencies: [db, search]}
        - {kind: service, name: recs, tier: 3, dependencies: [{service: playlist, type: soft}]}
        - {kind: client, name: ios, owner: mobile, dependencies: [playlist]}
        - {kind: service, name: ping, dependencies: [pong]}
        - {kind: service, name: pong, dependencies: [ping]}
        """,
}


def run_subprocess(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "depgraph", *map(str, args)],
                          capture_output=True, text=True)


class TestBlastRadius:
    def test_json_document(self, tree, run_cli):
        result = run_cli("blast-radius", "lon1-a-01", "-d", tree(TREE), "--format", "json")
        assert result.exit_code == 0
        assert json.loads(result.stdout) == {
            "schema": "depgraph/blast-radius/v1",
            "failed": ["host:lon1-a-01"],
            "down": ["client:ios", "service:db", "service:playlist"],
            "degraded": ["service:recs"],
            "reduced": [{"service": "service:search", "lost": 1, "total": 4}],
            "overloaded": [],
            # why recs degrades: its soft dependency on playlist, which is down
            "reasons": {"service:recs": {"via": "service:playlist", "edge": "soft",
                                         "root": "service:playlist", "hops": 1}},
            # whom to call: each team has one tier-1 service or client down; then by id
            "teams": [
                {"team": "team:core", "services": ["service:db"],
                 "contact": {"slack": "#core", "pager": "core-oncall"}},
                {"team": "team:mobile", "services": ["client:ios"], "contact": {"slack": "#mobile"}},
                {"team": "team:squad", "services": ["service:playlist"], "contact": {}},
            ],
        }

    def test_several_components_and_kinds(self, tree, run_cli):
        result = run_cli("blast-radius", "rack:lon1/a", "datacenter:sto1", "-d", tree(TREE),
                         "--format", "json")
        doc = json.loads(result.stdout)
        assert doc["failed"] == ["datacenter:sto1", "rack:lon1/a"]
        assert doc["down"] == ["client:ios", "service:db", "service:playlist", "service:search"]
        assert doc["reduced"] == []

    def test_text_puts_tier_1_first_and_says_whom_to_call(self, tree, run_cli):
        out = run_cli("blast-radius", "service:db", "-d", tree(TREE)).stdout
        assert out.startswith("FAILED: service:db (team:core)")
        down = out[out.index("DOWN"):out.index("DEGRADED")]
        assert down.index("service:playlist") < down.index("client:ios")
        call = out[out.index("WHOM TO CALL"):]
        # teams with something down come before the unowned, merely degraded recs
        assert call.index("team:mobile") < call.index("team:squad") < call.index("(no owner)")
        assert "pager core-oncall" not in call  # core owns only the failed service
        assert "slack #mobile" in call
        assert "team not declared" in call

    def test_nothing_affected_is_said_plainly(self, tree, run_cli):
        out = run_cli("blast-radius", "recs", "-d", tree(TREE)).stdout
        assert "Nothing else goes down, degrades or loses capacity." in out

    def test_reduced_capacity_in_text(self, tree, run_cli):
        out = run_cli("blast-radius", "lon1-a-02", "-d", tree(TREE)).stdout
        assert "REDUCED CAPACITY (1)" in out
        assert "1 of 4 instances lost" in out

    def test_ambiguous_bare_name_exits_2_with_the_choices(self, tree):
        proc = run_subprocess("blast-radius", "search", "-d", tree(TREE))
        assert proc.returncode == 2
        assert "'search' is ambiguous: host:search, service:search" in proc.stderr
        assert proc.stdout == ""

    @pytest.mark.parametrize("argument, message", [
        ("lon1-a-1", "did you mean 'lon1-a-01'"),
        ("client:ios", "client:ios cannot fail"),
        ("rack:lon1/b", "unknown component 'rack:lon1/b'; did you mean 'rack:lon1/a'"),
    ])
    def test_unknown_components_exit_2(self, tree, argument, message):
        proc = run_subprocess("blast-radius", argument, "-d", tree(TREE))
        assert proc.returncode == 2
        assert message in proc.stderr


class TestStartupOrderCommand:
    def test_json(self, tree, run_cli):
        result = run_cli("startup-order", "-d", tree(TREE), "--format", "json")
        assert result.exit_code == 0
        document = json.loads(result.stdout)
        assert [(c["source"], c["target"]) for c in document.pop("cuts")] == [("service:pong", "service:ping")]
        assert document == {
            "schema": "depgraph/startup-order/v1",
            # recs needs playlist only softly: it starts in wave 0
            "waves": [["service:db", "service:recs", "service:search"], ["service:playlist"]],
            "blocked": ["service:ping", "service:pong"],
        }

    def test_text_shows_waves_and_why_services_are_blocked(self, tree, run_cli):
        out = run_cli("startup-order", "-d", tree(TREE)).stdout
        assert "wave 0 (3): service:db, service:recs, service:search" in out
        assert "wave 1 (1): service:playlist" in out
        assert "BLOCKED (2)" in out
        assert "service:ping: needs service:pong, which never starts; hard cycle " \
               "service:ping → service:pong → service:ping" in out
