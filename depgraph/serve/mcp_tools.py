"""The Model Context Protocol face of the warm landscape: tools, a resource per entity, a prompt.

Built on the official ``mcp`` SDK, version line 2.x (``mcp>=2.3,<3``): 2.x is the line that
speaks the protocol revisions current clients negotiate (it still serves the 2025 handshake to
older clients), and its high-level server class is ``MCPServer`` (1.x called it ``FastMCP``).

Each tool answers one question of SPEC §8 with :class:`~depgraph.serve.answers.Answers`: its
structured content is the command line's ``--format json`` document (cut to ``limit`` ids per
list, with ``truncated`` counting what was cut), beside one short text summary, and ``_meta``
says which load of the descriptors answered (and whether a later edit failed to load). A bad
argument is a tool error carrying the command line's message; the server keeps serving. Every
tool is read-only (``readOnlyHint``), and the answers run on worker threads, a few at a time,
so a long question does not stall the others.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import anyio
from pydantic import Field

from depgraph.diagnostics import DepgraphError
from depgraph.serve.answers import MAX_COMPONENTS, MAX_PATHS, Answers
from depgraph.serve.bounded import DEFAULT_LIMIT, MAX_LIMIT
from depgraph.serve.summary import summary

try:
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ResourceError, ToolError
    from mcp_types import CallToolResult, TextContent, ToolAnnotations
except ImportError as missing:  # pragma: no cover - the [serve] extra is not installed
    raise ImportError("depgraph mcp and depgraph serve need the MCP SDK: pip install 'depgraph[serve]' "
                      f"({missing})") from missing

#: answers (tools, API questions, the page) worked out at the same time, each on a worker
#: thread; the rest wait their turn
CONCURRENT_ANSWERS = 4
#: a component id as the schema shows it (the resolver, not the schema, refuses a kind that
#: cannot fail, with the command's message)
ANY_ID = r"^(service|client|host|rack|datacenter|team):[a-z0-9][a-z0-9._/-]*$|^[a-z0-9][a-z0-9._-]*$"

Component = Annotated[str, Field(
    min_length=1, max_length=520, pattern=ANY_ID,
    description="A component that fails: kind:name with kind service, host, rack (rack:DC/RACK) or "
                "datacenter, or a bare name that only one kind has.",
    examples=["datacenter:lon1", "rack:sto1/b", "host:lon1-a-07", "service:playlist"])]
Limit = Annotated[int, Field(
    ge=0, le=MAX_LIMIT, description=f"Most entries listed per list (0: all). Cut lists are counted in "
                                    f"'truncated'. Default {DEFAULT_LIMIT}.")]
ReadOnly = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
Answer = Annotated[CallToolResult, dict[str, Any]]


def build_server(answers: Answers, limiter: anyio.CapacityLimiter | None = None) -> MCPServer:
    """An MCP server answering from ``answers`` (which the caller keeps loaded and reloaded);
    ``limiter``: the worker threads answers may take (shared with the HTTP API when served)."""
    from depgraph import __version__

    server = MCPServer(
        "depgraph", version=__version__, title="depgraph: service dependency answers",
        instructions=(
            "Answers about a service landscape declared in descriptor files: what fails with a "
            "component (blast_radius, with whom to call), single points of failure, whether a data "
            "center can be lost (capacity), availability, start-up order, dependency paths, one "
            "entity's owner and contacts (describe), the CI gate (check) and declared vs observed "
            "calls (drift). Component ids are kind:name, e.g. datacenter:lon1, service:playlist."),
        log_level="WARNING",
    )
    limiter = limiter or anyio.CapacityLimiter(CONCURRENT_ANSWERS)

    async def answer(tool: str, question, *arguments) -> CallToolResult:
        try:
            document = await anyio.to_thread.run_sync(question, *arguments, limiter=limiter)
        except DepgraphError as exc:
            raise ToolError(str(exc)) from None
        status = answers.status()
        meta = {"depgraph/landscape": {key: status[key] for key in ("generation", "loaded_at", "stale", "reload_error")}}
        text = summary(tool, document)
        if status["stale"]:
            text += f"\nNote: the descriptors on disk did not load ({status['reload_error']}); answered from the last good load."
        return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=document, _meta=meta)

    @server.tool(annotations=ReadOnly, title="Blast radius: what fails, and whom to call")
    async def blast_radius(
        components: Annotated[list[Component], Field(min_length=1, max_length=MAX_COMPONENTS, description=(
            "The components that fail together (a what-if of one or several at once)."),
            examples=[["datacenter:lon1"], ["datacenter:lon1", "rack:sto1/b"]])],
        limit: Limit = DEFAULT_LIMIT,
    ) -> Answer:
        """What goes down, degrades, loses capacity or is overloaded when these components fail
        (services, hosts, racks, data centers, several at once), and the teams to call first
        with their contacts (pager, slack, email). Same document as
        `depgraph blast-radius C… --format json`. Use it for 'what breaks if X goes dark?'."""
        return await answer("blast_radius", answers.blast_radius, components, limit)

    @server.tool(annotations=ReadOnly, title="Single points of failure")
    async def single_points_of_failure(
        kind: Annotated[Literal["service", "host", "rack", "datacenter"] | None, Field(
            description="Only single points of failure of this kind (default: every kind).")] = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Answer:
        """Every component whose failure alone takes a service or client down, worst first, with
        how many go down and degrade (the `spofs` of `depgraph analyze --format json`)."""
        return await answer("single_points_of_failure", answers.single_points_of_failure, kind, limit)

    @server.tool(annotations=ReadOnly, title="Capacity: can we lose a data center?")
    async def capacity(limit: Limit = DEFAULT_LIMIT) -> Answer:
        """For each data center lost alone: what goes down or is overloaded (fewer instances up
        than min_instances), and the fewest instances to add so any one can go dark. Same
        document as `depgraph capacity --format json`."""
        return await answer("capacity", answers.capacity, limit)

    @server.tool(annotations=ReadOnly, title="Availability estimates")
    async def availability(
        service: Annotated[str | None, Field(
            max_length=520, pattern=ANY_ID, description="One service or client (kind:name or bare name) "
            "to estimate, with what costs it most; default: every one.",
            examples=["service:playlist", "client:ios"])] = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Answer:
        """How available each service and client is from its hosts, racks, data centers and hard
        dependencies, with a 95% interval, its slo and what costs it most. Same document as
        `depgraph availability --format json` (one entity when `service` is given)."""
        return await answer("availability", answers.availability, service, limit)

    @server.tool(annotations=ReadOnly, title="Start-up order after a total outage")
    async def startup_order(limit: Limit = DEFAULT_LIMIT) -> Answer:
        """The cold-start waves after a total outage (each service once its hard dependencies
        are up) and what can never start. Same document as `depgraph startup-order --format json`."""
        return await answer("startup_order", answers.startup_order, limit)

    @server.tool(annotations=ReadOnly, title="Recovery time: how long until we are back")
    async def recovery(
        components: Annotated[list[Component] | None, Field(max_length=MAX_COMPONENTS, description=(
            "Components that failed and come back at t = 0 (default: a cold start of everything)."),
            examples=[["datacenter:lon1"]])] = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Answer:
        """How long until services are back after these components return (or after a cold
        start): each restarting service's ready time, its critical path, whether it meets its
        rto, and what never starts. Same document as `depgraph recovery [C…] --format json`."""
        return await answer("recovery", answers.recovery, components, limit)

    @server.tool(annotations=ReadOnly, title="Dependency paths")
    async def path(
        source: Annotated[str, Field(max_length=520, pattern=ANY_ID, description="The dependent service or client.",
                                     examples=["client:ios"])],
        target: Annotated[str, Field(max_length=520, pattern=ANY_ID, description="The dependency.",
                                     examples=["service:storage"])],
        limit: Annotated[int, Field(ge=1, le=MAX_PATHS, description="Most paths listed.")] = 10,
    ) -> Answer:
        """Why SOURCE depends on TARGET: the dependency paths between them, shortest first, each
        step hard or soft with its file and line. Same document as `depgraph path S T --format json`."""
        return await answer("path", answers.path, source, target, limit)

    @server.tool(annotations=ReadOnly, title="Describe one entity: owner, contacts, where declared")
    async def describe(
        component: Annotated[str, Field(max_length=520, pattern=ANY_ID, description=(
            "kind:name of a service, client, host, rack, data center or team, or a bare name."),
            examples=["service:playlist", "team:playlist-squad", "datacenter:lon1"])],
        limit: Limit = DEFAULT_LIMIT,
    ) -> Answer:
        """One entity: its declared fields, where it is declared (file:line), its owner team with
        tribe and contact (whom to call), what depends on it, or what runs on a host, rack or
        data center (document `depgraph/describe/v1`)."""
        return await answer("describe", answers.describe, component, limit)

    @server.tool(annotations=ReadOnly, title="The CI gate's findings")
    async def check(
        base: Annotated[str | None, Field(max_length=255, description=(
            "A git ref: only findings new relative to the descriptors at it block."),
            examples=["origin/main"])] = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Answer:
        """Findings of the CI gate (new, existing, excepted) and whether it passes. Same document
        as `depgraph check --format json` (with `--base` when given)."""
        return await answer("check", answers.check, base, limit)

    @server.tool(annotations=ReadOnly, title="Drift: declared vs observed dependencies")
    async def drift(
        observed: Annotated[str | list[Annotated[str, Field(max_length=4096)]], Field(max_length=4096, description=(
            "A file of observed calls below the descriptors' root, relative to it (or several): "
            "Jaeger or Zipkin dependency links, an OpenTelemetry service graph as Prometheus holds "
            "it (a query reply or a scrape), or a Kiali graph, recognised by content."),
            examples=["observed/jaeger-deps.json", ["observed/jaeger.json", "observed/kiali.json"]])],
        limit: Limit = DEFAULT_LIMIT,
    ) -> Answer:
        """Observed calls with no declared dependency, declared dependencies never observed, and
        observed names matching no service (entry points such as OpenTelemetry's `user` apart).
        Same document as `depgraph drift --observed FILE… --format json`."""
        return await answer("drift", answers.drift, observed, limit)

    @server.resource("depgraph://service/{name}", mime_type="application/json",
                     title="A service: its descriptor, owner and contacts")
    def service_resource(name: str) -> str:
        """A service's declared fields, where it is declared, its owner team, tribe and contact."""
        try:
            return json.dumps(answers.describe(f"service:{name}"), sort_keys=True, ensure_ascii=False)
        except DepgraphError as exc:
            raise ResourceError(str(exc)) from None

    @server.prompt(title="Incident triage")
    def incident_triage(components: str) -> str:
        """Triage an outage: what fails with these components (comma-separated ids such as
        datacenter:lon1, rack:sto1/b), and whom to call first with their contacts."""
        failed = [part.strip() for part in components.split(",") if part.strip()]
        try:
            radius = answers.blast_radius(failed, limit=20)
        except DepgraphError as exc:
            return f"The components '{components}' cannot be resolved: {exc}. Ask which component failed."
        teams = radius["teams"][:5]
        owners = [answers.describe(team["team"], limit=20) for team in teams]
        return "\n\n".join([
            f"An incident: {', '.join(radius['failed'])} failed. Triage it for the responder.",
            ("1. The blast radius (tool blast_radius, same document as `depgraph blast-radius --format json`):\n"
             + summary("blast_radius", radius) + "\n" + json.dumps(radius, sort_keys=True)),
            ("2. The teams to call first, each described (tool describe):\n"
             + "\n".join(json.dumps(owner, sort_keys=True) for owner in owners)),
            ("Write: what is down (tier-1 first) and what degrades; whom to page first with the pager, "
             "slack and email contacts above; and what to check next (call describe on a down service "
             "for its owner and where it is declared; blast_radius again to try a narrower failure)."),
        ])

    return server
