"""The deployment view: data center → rack → host → service, where single points of failure hide.

Each data center is a cluster; each rack one node whose table lists its hosts (consecutive
hosts running the same services merged into one row, ``lon1-a-01 … lon1-a-04 (4)``) and the
services on them. Hosts without a rack and anonymous ``instances`` get a table of their own
per data center. A data center, rack or host that is a single point of failure is red, with how
many services its loss takes down. ``level`` ``rack`` (services and instance counts per rack)
and ``datacenter`` (per data center) keep big inventories readable.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from depgraph.diagrams import style
from depgraph.diagrams.dotescape import html_text
from depgraph.diagrams.dotwriter import DotGraph
from depgraph.diagrams.marks import Marks

LEVELS = ("host", "rack", "datacenter")
RACKS_PER_ROW = 5
ANONYMOUS_ROWS = 12
CELL_BORDER = "#999999"


def placements(catalog, shown: set[str] | None = None) -> tuple[dict, dict]:
    """``({host name: [service ids]}, {datacenter: [(service id, instances)]})``, sorted."""
    on_host: dict[str, list[str]] = defaultdict(list)
    anonymous: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for service in sorted(catalog.services.values(), key=lambda s: s.name):
        if shown is not None and service.id not in shown:
            continue
        for deployment in service.deployments:
            for host in deployment.hosts:
                if service.id not in on_host[host]:
                    on_host[host].append(service.id)
            if not deployment.hosts:
                anonymous[deployment.datacenter].append((service.id, deployment.instances))
    return dict(on_host), dict(anonymous)


def deployment_dot(marks: Marks, level: str = "host", shown: set[str] | None = None,
                   focus: frozenset = frozenset(), title: str | None = None, legend: bool = True,
                   datacenter: str | None = None) -> str:
    return deployment_graph(marks, level, shown, focus, title, legend, datacenter).to_dot()


def deployment_graph(marks: Marks, level: str = "host", shown: set[str] | None = None,
                     focus: frozenset = frozenset(), title: str | None = None,
                     legend: bool = True, datacenter: str | None = None) -> DotGraph:
    """One node per data center (only ``datacenter`` when given), its label a table of rack
    tables, stacked top to bottom."""
    catalog = marks.catalog
    on_host, anonymous = placements(catalog, shown)
    hosts = [h for h in sorted(catalog.hosts.values(), key=lambda h: h.name)
             if shown is None or h.name in on_host]
    # every service on a shown host, not only the focused ones: nothing on that box is hidden
    all_on_host = placements(catalog)[0] if shown is not None else on_host
    graph = style.base_graph(label=title or _title(catalog, hosts, level), fontsize=16.0, ranksep=0.25)
    graph.node_defaults.update(shape="plain", style="", margin="0")
    previous = None
    for center in sorted({h.datacenter for h in hosts} | set(anonymous)):
        if datacenter is not None and center != datacenter:
            continue
        cells = [_block(marks, key, _rows(marks, members, all_on_host, focus, level))
                 for key, members in _groups(hosts, center, level)]
        if center in anonymous:
            cells += _anonymous_blocks(marks, anonymous[center], focus)
        node_id = f"datacenter:{center}"
        graph.add_node(node_id, label=_center_table(marks, catalog, center, cells), tooltip=node_id)
        if previous is not None:
            graph.add_edge(previous, node_id, style="invis")
        previous = node_id
    if legend and previous is not None:
        _legend(graph)
        graph.add_edge(previous, "legend:deployment", style="invis")
    return graph


def _title(catalog, hosts, level: str) -> str:
    racks = len({h.rack_id for h in hosts if h.rack_id})
    centers = len({h.datacenter for h in hosts})
    detail = {"host": "hosts and the services on them", "rack": "services per rack",
              "datacenter": "services per data center"}[level]
    return f"Deployment: {centers} data centers, {racks} racks, {len(hosts)} hosts ({detail})"


def _groups(hosts, center: str, level: str) -> list[tuple[str, list]]:
    in_center = [h for h in hosts if h.datacenter == center]
    if level == "datacenter":
        return [(f"hosts:{center}", in_center)] if in_center else []
    groups: dict[str, list] = defaultdict(list)
    for host in in_center:
        groups[host.rack_id or f"norack:{center}"].append(host)
    return sorted(groups.items())


Row = tuple[str, str, bool]  # (left cell, right cell, alarm) as escaped HTML


@dataclass(frozen=True)
class Block:
    """One rack (or the hosts without a rack, or the anonymous instances) of a data center."""

    header: str
    rows: list[Row]
    alarm: bool = False


def _rows(marks: Marks, hosts, on_host: dict, focus, level: str) -> list[Row]:
    if level != "host":
        counts: dict[str, int] = defaultdict(int)
        for host in hosts:
            for service in on_host.get(host.name, ()):
                counts[service] += 1
        spare = sum(1 for h in hosts if not on_host.get(h.name))
        rows = [(_service_html(marks, s, focus), f"{n} host{'s' if n != 1 else ''}", False)
                for s, n in sorted(counts.items())]
        return rows + ([("<I>spare</I>", f"{spare} host{'s' if spare != 1 else ''}", False)] if spare else [])
    rows = []
    for run in _runs(hosts, on_host, marks.spofs):
        services = on_host.get(run[0].name, [])
        names = ", ".join(_service_html(marks, s, focus) for s in services) or "<I>spare</I>"
        label = html_text(run[0].name) if len(run) == 1 else (
            f"{html_text(run[0].name)} … {html_text(run[-1].name)} ({len(run)})")
        spof = marks.spofs.get(run[0].id) if len(run) == 1 else None
        if spof is not None:
            label = f'<FONT COLOR="{style.RED}"><B>{label} · SPOF: {spof} down</B></FONT>'
        rows.append((label, names, spof is not None))
    return rows


def _runs(hosts, on_host: dict, spofs: dict) -> list[list]:
    """Consecutive hosts running the same services, a SPOF host always on its own."""
    runs: list[list] = []
    for host in hosts:
        services = tuple(on_host.get(host.name, ()))
        last = runs[-1] if runs else None
        if (last and tuple(on_host.get(last[0].name, ())) == services
                and host.id not in spofs and last[0].id not in spofs):
            last.append(host)
            continue
        runs.append([host])
    return runs


def _service_html(marks: Marks, service_id: str, focus) -> str:
    service = marks.catalog.entity(service_id)
    text = html_text(service.name if service else service_id.partition(":")[2])
    if service is not None and service.tier == 1:
        text = f"<B>{text}</B>"
    if service_id in focus:
        text = f'<FONT COLOR="{style.FOCUS}"><U>{text}</U></FONT>'
    return text


def _block(marks: Marks, key: str, rows: list[Row]) -> Block:
    if key.startswith("rack:"):
        header = f"rack {html_text(key[5:])}"
    elif key.startswith("norack:"):
        header = "hosts without a rack"
    else:
        header = "hosts"
    spof = marks.spofs.get(key)
    if spof is not None:
        return Block(f"{header} · SPOF: {spof} down", rows, True)
    return Block(header, rows)


def _anonymous_blocks(marks: Marks, instances, focus) -> list[Block]:
    """The anonymous instances of a data center, in blocks of at most ANONYMOUS_ROWS rows."""
    rows = [(_service_html(marks, s, focus), f"{n} instance{'s' if n != 1 else ''}", False)
            for s, n in instances]
    size = -(-len(rows) // -(-len(rows) // ANONYMOUS_ROWS)) if rows else 1  # balanced chunks
    chunks = [rows[i:i + size] for i in range(0, len(rows), size)]
    return [Block("anonymous instances" + (f" ({n}/{len(chunks)})" if len(chunks) > 1 else ""), chunk)
            for n, chunk in enumerate(chunks, 1)]


def _center_table(marks: Marks, catalog, center: str, blocks: list[Block]) -> str:
    """The data center as one grid: a title row, then bands of RACKS_PER_ROW blocks side by
    side, each block a header cell over (host, services) rows; short blocks are padded with
    empty cells so no row is stretched."""
    record = catalog.datacenters.get(center)
    details = [x for x in (getattr(record, "location", None), getattr(record, "region", None)) if x]
    title = f"datacenter {html_text(center)}" + "".join(f" · {html_text(d)}" for d in details)
    spof = marks.spofs.get(f"datacenter:{center}")
    if spof is not None:
        title = f'<FONT COLOR="white">{title} · SPOF: {spof} down</FONT>'
    per_row = min(RACKS_PER_ROW, max(1, len(blocks)))
    span = per_row * 3 - 1
    colour = style.RED if spof is not None else "#d9d9d9"
    rows = [f'<TR><TD COLSPAN="{span}" BGCOLOR="{colour}" ALIGN="LEFT" CELLPADDING="5">'
            f'<FONT POINT-SIZE="15"><B>{title}</B></FONT></TD></TR>']
    for start in range(0, len(blocks), per_row):
        band = blocks[start:start + per_row]
        rows.append(f'<TR><TD COLSPAN="{span}" HEIGHT="6"></TD></TR>')
        rows.append(_band_row([_header_cells(b) for b in band]))
        for number in range(max(len(b.rows) for b in band)):
            rows.append(_band_row([_body_cells(b, number) for b in band]))
    return style.html_table(rows, border="1", cellborder="0", cellspacing="0", cellpadding="3",
                            bgcolor="#f7f7f7", color=style.RED if spof is not None else "#999999")


def _band_row(cells: list[str]) -> str:
    return "<TR>" + '<TD WIDTH="12"></TD>'.join(cells) + "</TR>"


def _header_cells(block: Block) -> str:
    if block.alarm:
        return (f'<TD COLSPAN="2" BORDER="1" COLOR="{CELL_BORDER}" BGCOLOR="{style.RED}"><FONT COLOR="white"><B>{block.header}'
                '</B></FONT></TD>')
    return f'<TD COLSPAN="2" BORDER="1" COLOR="{CELL_BORDER}" BGCOLOR="#e8e8e8"><B>{block.header}</B></TD>'


def _body_cells(block: Block, number: int) -> str:
    if number >= len(block.rows):
        return "<TD></TD><TD></TD>"
    left, right, alarm = block.rows[number]
    colour = "#fde0dc" if alarm else "white"
    cell = f'<TD BORDER="1" COLOR="{CELL_BORDER}" ALIGN="LEFT" BGCOLOR="{colour}">'
    return f"{cell}{left}</TD>{cell}{right}</TD>"


def _legend(graph: DotGraph) -> None:
    block = Block("legend", [
        ("<B>bold</B>", "tier 1 service", False),
        (f'<FONT COLOR="{style.RED}"><B>red</B></FONT>', "single point of failure: a data center, rack or "
         "host whose loss alone takes services down", True),
        ("a … b (n)", "n consecutive hosts running the same services", False),
    ])
    rows = [_band_row([_header_cells(block)])]
    rows += [_band_row([_body_cells(block, n)]) for n in range(len(block.rows))]
    graph.add_node("legend:deployment", tooltip="legend", label=style.html_table(
        rows, border="0", cellborder="0", cellspacing="0", cellpadding="3", bgcolor="white"))
