/* depgraph report: data centers, readiness, the diagram with blast-radius highlighting, start-up. */
"use strict";

/* ---- data centers ---------------------------------------------------------------------- */
function servicesIn(dcName) {
  const found = [];
  for (let n = 0; n < N; n++) {
    const place = D.nodes.place[n];
    for (let i = 0; i < place.length; i += 2) if (place[i] === dcName) found.push([n, place[i + 1]]);
  }
  return found;
}
function renderDatacenters() {
  const box = section("datacenters");
  box.appendChild(el("h2", {}, "Data centers (" + D.datacenters.length + ")"));
  box.appendChild(el("p", {class: "muted"}, "What runs where, and what the outage of a whole data center takes down."));
  const grid = el("div", {class: "grid cols4"});
  D.datacenters.forEach((dc) => {
    const services = servicesIn(dc.name);
    const instances = services.reduce((sum, [, count]) => sum + count, 0);
    const down = dc.down;
    const only = services.filter(([n, count]) => D.nodes.place[n].length === 2).map(([n]) => n);
    const where = [dc.location, dc.region].filter(Boolean).join(" · ");
    grid.appendChild(el("div", {class: "card dc", "data-dc": dc.name},
      el("h3", {}, el("span", {class: "mono"}, dc.name), down.length ? el("span", {class: "badge down"}, "SPOF") : el("span", {class: "badge plain"}, "no SPOF")),
      where ? el("div", {class: "muted"}, where) : null,
      Object.keys(dc.labels).length ? el("div", {class: "chain"}, Object.keys(dc.labels).map((k) => el("span", {class: "chip"}, k + ": " + dc.labels[k]))) : null,
      el("dl", {}, el("dt", {}, "hosts"), el("dd", {}, fmt(dc.hosts) + " in " + plural(dc.racks, "rack")),
        el("dt", {}, "services"), el("dd", {}, fmt(services.length) + " (" + plural(instances, "instance") + ")"),
        el("dt", {}, "only here"), el("dd", {}, fmt(only.length))),
      el("div", {}, el("b", {}, "If " + dc.name + " goes dark: "),
        el("span", {class: "badge down"}, fmt(down.length) + " down"), " ", el("span", {class: "badge degraded"}, fmt(dc.degraded.length) + " degraded"), " ",
        el("span", {class: "badge plain"}, fmt(dc.reduced.length) + " reduced")),
      dc.teams.length ? el("div", {class: "muted"}, "Call first: " + dc.teams.slice(0, 3).map(([t, , , , name]) => t >= 0 ? teamName(t) : (name || "(no owner)")).join(", ")) : null,
      el("div", {class: "more"}, el("button", {class: "btn", type: "button", onclick: () => showOutage(dc)}, "Show the outage")),
      services.length ? el("details", {}, el("summary", {}, "services running here"), chips(services.map(([n]) => n), "", 150)) : null));
  });
  box.appendChild(grid);
}

/* The Report's outage of a data center: down, degraded and reduced as stored, whom to call in
   the Report's order (the same as `depgraph blast-radius datacenter:NAME`). */
function showOutage(dc) {
  showComponent("datacenter:" + dc.name, {down: dc.down, degraded: dc.degraded}, dc.reduced, dc.teams);
}

/* ---- readiness ------------------------------------------------------------------------- */
const LEVEL_ORDER = [3, 2, 1, 0]; // gold, silver, bronze, none
function readinessTable(rows, what) {
  const body = el("tbody", {});
  rows.forEach(([group, counts]) => {
    const total = counts.reduce((a, b) => a + b, 0) || 1;
    const ready = counts[2] + counts[3];
    body.appendChild(el("tr", {}, el("td", {class: "mono"}, group ? group.replace(/^(team|tribe):/, "") : "(none)"),
      tdNum(counts.reduce((a, b) => a + b, 0)), LEVEL_ORDER.map((lv) => tdNum(counts[lv])),
      el("td", {class: "num"}, Math.round(100 * ready / total) + "%"),
      el("td", {}, el("div", {class: "bar", title: LEVEL_ORDER.map((lv) => D.levels[lv] + " " + counts[lv]).join(", ")},
        LEVEL_ORDER.map((lv) => el("i", {class: D.levels[lv], style: "width:" + (100 * counts[lv] / total) + "%"}))))));
  });
  return el("div", {class: "table-wrap"}, el("table", {}, el("thead", {}, el("tr", {}, th(what), th("services", "num"),
    LEVEL_ORDER.map((lv) => th(D.levels[lv], "num")), th("silver or better", "num"), th("levels"))), body));
}
function renderReadiness() {
  const box = section("readiness");
  box.appendChild(el("h2", {}, "Production readiness"));
  box.appendChild(el("p", {class: "muted"}, "bronze: an owner team, build, logging · silver: + monitoring, alerting, runbook · gold: + backups, restore tested, security review and no single point of failure."));
  box.appendChild(el("div", {class: "legend"}, LEVEL_ORDER.map((lv) => el("span", {}, el("i", {class: "bar-" + D.levels[lv], style: "background:var(--" + D.levels[lv] + ")"}), D.levels[lv]))));
  box.appendChild(el("h3", {}, "Per tribe"));
  box.appendChild(readinessTable(D.readiness.tribes || [], "tribe"));
  const teams = D.readiness.teams || [];
  box.appendChild(el("details", {style: "margin-top:12px"}, el("summary", {}, "Per team (" + teams.length + ")"), readinessTable(teams, "team")));
}

/* ---- diagram --------------------------------------------------------------------------- */
const NODE_SHAPES = new Map();
let PAN_ZOOM = null;
function renderDiagram() {
  const box = document.getElementById("diagram");
  const svg = document.querySelector("#diagram-svg svg");
  const files = D.diagrams.map((d) => el("a", {href: d.file}, d.title));
  if (!svg && !files.length) { box.hidden = true; document.querySelectorAll('a[href="#diagram"]').forEach((a) => a.remove()); return; }
  const head = el("div", {}, el("h2", {}, "Diagram"), files.length ? el("p", {}, "Files: ", files.map((a, i) => [i ? " · " : "", a])) : null);
  box.insertBefore(head, box.firstChild);
  if (!svg) return;
  const holder = box.querySelector("#diagram-svg");
  holder.classList.add("diagram");
  svg.setAttribute("width", "100%");
  svg.setAttribute("height", "100%");
  /* pan and zoom (svg-pan-zoom, inlined with the page): the whole landscape first */
  PAN_ZOOM = svgPanZoom(svg, {controlIconsEnabled: true, fit: true, center: true, minZoom: 0.5,
                              maxZoom: 40, zoomScaleSensitivity: 0.3, dblClickZoomEnabled: false});
  const reset = el("button", {class: "btn", type: "button", onclick: () => { PAN_ZOOM.resetZoom(); PAN_ZOOM.center(); }}, "Whole landscape");
  head.appendChild(el("p", {}, reset, el("span", {class: "muted"}, "  Scroll to zoom, drag to pan. Click a node to see its blast radius: the selected service in blue, what goes down in red, what degrades in amber.")));
  svg.querySelectorAll("g.node").forEach((g) => {
    const title = g.querySelector("title");
    const n = title ? NODE_BY_ID.get(title.textContent.trim()) : undefined;
    if (n === undefined) return;
    NODE_SHAPES.set(n, g);
    g.style.cursor = "pointer";
    g.addEventListener("click", (e) => { e.preventDefault(); select(n); });
  });
}
function highlight(n, result) {
  const box = document.getElementById("diagram-svg");
  if (!box) return;
  NODE_SHAPES.forEach((g) => g.classList.remove("hl-self", "hl-down", "hl-degraded"));
  box.classList.toggle("dimmed", n !== null && n !== undefined);
  if (n === null || n === undefined) return;
  if (NODE_SHAPES.has(n)) NODE_SHAPES.get(n).classList.add("hl-self");
  result.down.forEach((d) => NODE_SHAPES.has(d) && NODE_SHAPES.get(d).classList.add("hl-down"));
  result.degraded.forEach((d) => NODE_SHAPES.has(d) && NODE_SHAPES.get(d).classList.add("hl-degraded"));
}

/* ---- start ----------------------------------------------------------------------------- */
loadData().then((data) => {
  indexData(data);
  [renderOverview, renderFindings, renderCycles, renderSpofs, renderUnowned, renderDatacenters,
   renderCapacity, renderRecovery, renderReadiness, renderDiagram, renderMap, renderLive].forEach((render) => render());
  fromHash();
  document.body.setAttribute("data-ready", "true");
}).catch((error) => {
  document.getElementById("overview").appendChild(el("div", {class: "notice"},
    "This browser could not read the report's data (" + error + "); report.md and report.json next to this file hold the same results."));
  throw error;
});
