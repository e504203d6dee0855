"""``depgraph mcp`` driven by the MCP SDK's own client over stdio, compared with the command line.

Every tool of SPEC §8 is called once on a copy of the bundled landscape; its structured content
must be the document the matching command writes with ``--format json``. A bad argument is a
tool error with the command line's message, after which the server still answers; an edit is
picked up, a broken edit is not (and the answers say so).
"""

from __future__ import annotations

import time

from tests.functional import mcp_client
import pytest
from tests.helpers import copy_example
from tests.functional.mcp_client import CALLS, call_all, cli_json, over_stdio

landscape, expected = mcp_client.landscape, mcp_client.expected  # shared fixtures
pytest.importorskip("mcp", reason="the MCP SDK is not installed (pip install 'depgraph[serve]')")

TOOLS = {name for name, _, _ in CALLS}


@pytest.fixture(scope="module")
def served(landscape):
    """Every tool called once over stdio, a small limit once, and the tool list."""
    calls = [(name, arguments) for name, arguments, _ in CALLS]
    calls += [("availability", {"service": "playlist"}),
              ("single_points_of_failure", {"kind": "host", "limit": 0}),
              ("blast_radius", {"components": ["datacenter:lon1"], "limit": 3})]

    async def scenario(session):
        tools = (await session.list_tools()).tools
        resource = await session.read_resource("depgraph://service/playlist")
        prompt = await session.get_prompt("incident_triage", {"components": "datacenter:lon1, rack:sto1/b"})
        return tools, await call_all(session, calls), resource, prompt

    tools, answers, resource, prompt = over_stdio(landscape, scenario)
    return {"tools": tools, "answers": answers, "resource": resource, "prompt": prompt}


def answer(served, index: int) -> dict:
    is_error, document, text = served["answers"][index]
    assert not is_error, text
    assert text, "every answer carries a short text summary"
    return document


def test_every_tool_is_listed_read_only_with_described_typed_arguments(served):
    tools = {tool.name: tool for tool in served["tools"]}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.annotations.read_only_hint is True and tool.annotations.destructive_hint is False
        assert len(tool.description) > 60, tool.name
        for name, schema in tool.input_schema.get("properties", {}).items():
            assert schema.get("description"), f"{tool.name}.{name} has no description"
    components = tools["blast_radius"].input_schema["properties"]["components"]
    assert components["items"]["pattern"].startswith("^(service|client|host|rack|datacenter|team):")
    assert ["datacenter:lon1", "rack:sto1/b"] in components["examples"]


def test_each_tool_answers_the_commands_document(served, expected):
    for index, (name, _, _) in enumerate(CALLS):
        if expected[index] is not None:
            assert answer(served, index) == expected[index], name


def test_one_service_availability_and_one_kind_of_spofs(served, landscape, expected):
    explained = cli_json("availability", "-d", landscape, "--explain", "playlist")
    one = answer(served, len(CALLS))
    assert one["entities"] == [e for e in explained["entities"] if e["id"] == "service:playlist"]
    assert one["entities"][0]["contributors"], "the asked service comes with what costs it most"
    spofs = expected[[name for name, _, _ in CALLS].index("single_points_of_failure")]["spofs"]
    assert answer(served, len(CALLS) + 1)["spofs"] == [s for s in spofs if s["component"].startswith("host:")]


def test_describe_names_the_owner_the_contact_and_where_declared(served):
    found = answer(served, [name for name, _, _ in CALLS].index("describe"))
    assert found["id"] == "service:playlist"
    assert found["declared"]["file"].endswith("services/discovery/playlist.yaml") and found["declared"]["line"] == 1
    assert found["owner"] == {"team": "team:playlist-squad", "declared": True, "tribe": "discovery",
                              "contact": {"slack": "#playlist-squad", "email": "playlist-squad@example.com",
                                          "pager": "playlist-oncall"}}
    assert "service:web-api" in found["dependents"]


def test_a_service_resource_and_the_incident_triage_prompt(served):
    import json

    described = json.loads(served["resource"].contents[0].text)
    assert described["id"] == "service:playlist" and described["owner"]["contact"]["pager"] == "playlist-oncall"
    text = served["prompt"].messages[0].content.text
    assert "datacenter:lon1, rack:sto1/b failed" in text
    assert "team:payments-squad" in text and "payments-oncall" in text  # the first team to call, with its pager


def test_a_small_limit_cuts_lists_and_counts_what_was_cut(served):
    whole, cut = answer(served, 0), answer(served, len(CALLS) + 2)
    assert len(cut["degraded"]) == 3 and cut["truncated"]["degraded"] > 3
    assert set(cut["reasons"]) == set(cut["degraded"])
    assert "cut to the limit" in served["answers"][len(CALLS) + 2][2]
    assert whole.get("truncated") is None


def test_bad_arguments_are_tool_errors_with_the_commands_message_and_the_server_goes_on(landscape):
    calls = [
        ("blast_radius", {"components": ["lon2"]}),
        ("blast_radius", {"components": [f"service:s{i}" for i in range(1000)]}),
        ("blast_radius", {"components": ["client:ios"]}),
        ("describe", {"component": "service:playlst"}),
        ("drift", {"observed": "../../../etc/passwd"}),
        ("drift", {"observed": "/etc/passwd"}),
        ("check", {"base": "--output=/tmp/x"}),
        ("describe", {"component": "service:playlist"}),
    ]

    async def scenario(session):
        return await call_all(session, calls)

    answers = over_stdio(landscape, scenario)
    errors = [text for is_error, _, text in answers[:-1]]
    assert all(is_error for is_error, _, _ in answers[:-1]), answers
    assert "unknown component 'lon2'; did you mean 'lon1'?" in errors[0]
    assert "1000" in errors[1] or "at most 100" in errors[1]
    assert "client:ios cannot fail: only services, hosts, racks and data centers can" in errors[2]
    assert "did you mean 'service:playlist'?" in errors[3]
    assert "outside the descriptors' root" in errors[4] and "outside the descriptors' root" in errors[5]
    assert "base" in errors[6]
    assert answers[-1][0] is False and answers[-1][1]["id"] == "service:playlist"


def test_an_edit_is_served_and_a_broken_edit_keeps_the_last_good_landscape(tmp_path):
    root = copy_example(tmp_path / "descriptors")
    playlist = root / "services" / "discovery" / "playlist.yaml"
    original = playlist.read_text()

    async def scenario(session):
        import anyio

        async def owner_after(edit: str) -> tuple:
            playlist.write_text(edit)
            for _ in range(100):  # the watcher reloads within a second or so
                await anyio.sleep(0.1)
                result = await session.call_tool("describe", {"component": "service:playlist"})
                landscape = result.meta["depgraph/landscape"]
                if landscape["generation"] > generation[0] or landscape["stale"]:
                    generation[0] = landscape["generation"]
                    return result.structured_content["owner"]["team"], landscape, result.content[0].text
            raise AssertionError("no reload seen")

        generation = [(await session.call_tool("describe", {"component": "playlist"})).meta["depgraph/landscape"]["generation"]]
        edited = await owner_after(original.replace("owner: playlist-squad", "owner: search-squad"))
        broken = await owner_after(original.replace("owner: playlist-squad", "owner: [unclosed"))
        return edited, broken

    started = time.monotonic()
    edited, broken = over_stdio(root, scenario)
    assert edited[0] == "team:search-squad" and edited[1]["stale"] is False
    assert broken[0] == "team:search-squad", "a broken edit keeps the last good landscape serving"
    assert broken[1]["stale"] is True and "playlist.yaml" in broken[1]["reload_error"]
    assert "did not load" in broken[2]
    assert time.monotonic() - started < 60


def test_sigterm_stops_the_stdio_server_with_exit_code_0(tmp_path):
    import signal
    import subprocess

    log = tmp_path / "mcp.log"
    process = mcp_client.started(["mcp", "-d", str(copy_example(tmp_path / "d"))], log, "watching for edits",
                                 stdin=subprocess.PIPE)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0, log.read_text()
    assert log.read_text().splitlines()[-1] == "depgraph: stopped on signal 15 while serving on stdio"
    process.stdin.close()
