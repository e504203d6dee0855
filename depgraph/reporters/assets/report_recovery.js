/* depgraph report: recovery time (a Gantt chart of the cold start: one bar per service from when
   its hard dependencies are ready to when it is; the critical path of the slowest tier-1 service
   highlighted), and each service's ready time, RTO and path in its panel. The slowest
   BARS_DRAWN services are drawn, the rest counted, so 20,000 services do not freeze the page.
   User text enters as text nodes only. */
"use strict";
const BARS_DRAWN = 300;
const MISSED_SHOWN = 20;  // services named in the "missing their RTO" line, slowest first
let RECOVERY_ROW = new Map();  // node -> its row in D.recovery.rows

function duration(seconds) {
  let left = Math.round(seconds);
  if (left <= 0) return "0s";
  const parts = [];
  [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]].forEach(([unit, size]) => {
    const count = Math.floor(left / size);
    if (count) { parts.push(count + unit); left -= count * size; }
  });
  return parts.join(" ");
}
function recoveryPath(n) {
  const R = D.recovery, path = [];
  for (let at = n, guard = 0; at >= 0 && RECOVERY_ROW.has(at) && guard < 100000; guard++) {
    path.unshift(at);
    at = R.rows.pred[RECOVERY_ROW.get(at)];
  }
  return path;
}
function pathChain(path) {
  const R = D.recovery;
  const box = el("div", {class: "chain"});
  path.forEach((n, i) => {
    if (i) box.appendChild(el("span", {class: "muted"}, " → "));
    box.appendChild(el("span", {class: "nowrap"}, nodeLink(n, D.nodes.name[n]), " (" + duration(R.rows.start[RECOVERY_ROW.get(n)]) + ")"));
  });
  if (path.length) box.appendChild(el("b", {}, " = " + duration(R.rows.ready[RECOVERY_ROW.get(path[path.length - 1])])));
  return box;
}

function renderRecovery() {
  const R = D.recovery;
  const box = section("recovery");
  if (!R) return;
  RECOVERY_ROW = new Map(R.rows.node.map((n, i) => [n, i]));
  box.appendChild(el("h2", {}, "Recovery: how long until we are back?"));
  const rows = R.rows, missed = rows.node.filter((n, i) => rows.rto[i] !== null && rows.ready[i] > rows.rto[i]);
  box.appendChild(el("p", {}, "A cold start: every service down at t = 0, each starting its start time after its hard dependencies are ready. ",
    R.blocked.length ? el("b", {}, "Never fully back: " + plural(R.blocked.length, "service or client", "services and clients") + " never get ready. ") : null,
    (R.blocked.length ? "Everything else is back after " : "Estimated recovery time: ") + duration(R.readyAt) + ". ",
    missed.length ? el("b", {class: "sev-error"}, plural(missed.length, "service") + " miss" + (missed.length === 1 ? "es its" : " their") + " RTO.") : "Every RTO is met."));
  if (missed.length) box.appendChild(el("div", {class: "notice"}, "Missing their RTO: ", el("div", {class: "chain"}, missed.slice(0, MISSED_SHOWN).map((n) => {
    const i = RECOVERY_ROW.get(n);
    return el("span", {class: "nowrap"}, chip(n, "down"), " ready " + duration(rows.ready[i]) + ", RTO " + duration(rows.rto[i]) + " ");
  })), missed.length > MISSED_SHOWN ? " … and " + fmt(missed.length - MISSED_SHOWN) + " more (the red bars; depgraph recovery lists them all)" : null));
  if (rows.node.length) box.appendChild(gantt(R));
  if (R.blocked.length) box.appendChild(el("details", {class: "card"}, el("summary", {}, "Never ready (" + fmt(R.blocked.length) + ")"),
    el("ul", {}, R.blocked.map(([n, why]) => el("li", {}, nodeLink(n, nodeId(n)), el("span", {class: "muted"}, ": " + why))))));
}

function gantt(R) {
  const rows = R.rows, total = rows.node.length;
  const highlighted = new Set(R.highlight);
  /* the slowest BARS_DRAWN and the highlighted path, in the order they start */
  const shown = rows.node.map((n, i) => i).filter((i) => i < BARS_DRAWN || highlighted.has(rows.node[i]));
  shown.sort((a, b) => (rows.ready[a] - rows.start[a]) - (rows.ready[b] - rows.start[b]) || rows.ready[a] - rows.ready[b] || rows.node[a] - rows.node[b]);
  /* the label column fits the longest name shown (about 7 px a character), within bounds */
  const longest = shown.reduce((most, i) => Math.max(most, nodeId(rows.node[i]).length), 0);
  const label = Math.max(160, Math.min(420, 7 * longest + 16)), width = 880 + label, right = 80, top = 24, step = 16;
  const plot = width - label - right, end = Math.max(1, R.readyAt);
  const x = (t) => label + plot * t / end;
  const height = top + step * shown.length + 6;
  const chart = svgEl("svg", {class: "gantt", width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img"},
    svgEl("title", {}, "Cold start: one bar per service, from its dependencies being ready to its own ready time"));
  ticks(end).forEach((t) => {
    chart.appendChild(svgEl("line", {x1: x(t), x2: x(t), y1: top - 6, y2: height, class: "grid"}));
    chart.appendChild(svgEl("text", {x: x(t), y: 12, "text-anchor": "middle", class: "axis"}, duration(t)));
  });
  shown.forEach((i, row) => {
    const n = rows.node[i], y = top + step * row;
    const late = rows.rto[i] !== null && rows.ready[i] > rows.rto[i];
    const cls = "bar" + (highlighted.has(n) ? " critical" : "") + (late ? " late" : "");
    const name = svgEl("text", {x: label - 8, y: y + step - 4, "text-anchor": "end", class: "name"}, nodeId(n));
    const begin = rows.ready[i] - rows.start[i];
    const g = svgEl("g", {class: cls, "data-node": String(n)},
      svgEl("title", {}, nodeId(n) + ": waits " + duration(begin) + ", starts in " + duration(rows.start[i]) + ", ready at " + duration(rows.ready[i])
        + (rows.rto[i] !== null ? " (RTO " + duration(rows.rto[i]) + (late ? ", missed" : ", met") + ")" : "")),
      name,
      svgEl("rect", {x: x(begin), y: y + 3, width: Math.max(1.5, x(rows.ready[i]) - x(begin)), height: step - 5, rx: 2}),
      rows.rto[i] !== null && rows.rto[i] <= end ? svgEl("line", {x1: x(rows.rto[i]), x2: x(rows.rto[i]), y1: y + 1, y2: y + step - 1, class: "rto"}) : null,
      svgEl("text", {x: x(rows.ready[i]) + 4, y: y + step - 4, class: "value"}, duration(rows.ready[i])));
    g.addEventListener("click", () => select(n));
    chart.appendChild(g);
  });
  const rest = total - shown.length;
  const slowest = R.highlight.length ? R.highlight[R.highlight.length - 1] : -1;
  return el("div", {class: "card"},
    el("div", {class: "legend"}, el("span", {}, el("i", {class: "gantt-critical"}), slowest >= 0 ? "critical path of " + nodeId(slowest) + ", the slowest tier-1 service" : "critical path"),
      el("span", {}, el("i", {class: "gantt-late"}), "misses its RTO (tick: the RTO)"), el("span", {}, el("i", {class: "gantt-bar"}), "other services")),
    slowest >= 0 ? pathChain(R.highlight) : null,
    el("div", {class: "diagram-scroll gantt-scroll"}, chart),
    rest > 0 ? el("div", {class: "muted"}, "… and " + fmt(rest) + " more services, each ready by " + duration(rows.ready[Math.min(BARS_DRAWN, total - 1)]) + " (the slowest " + fmt(shown.length) + " are drawn)") : null);
}
function ticks(end) {
  const steps = [60, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400, 604800];
  const size = steps.find((s) => end / s <= 10) || Math.ceil(end / 10);
  const out = [];
  for (let t = 0; t <= end; t += size) out.push(t);
  return out;
}

/* In a service's panel: when it is ready, its RTO, and the path that sets its time. */
function recoverySection(n) {
  const R = D.recovery;
  if (!R) return [];
  const i = RECOVERY_ROW.get(n);
  if (i === undefined) {
    const blocked = R.blocked.find(([b]) => b === n);
    if (blocked) return [el("h3", {}, "Recovery"), el("p", {class: "notice"}, "Never ready on a cold start: " + blocked[1])];
    const client = R.clients.find(([c]) => c === n);
    return client ? [el("h3", {}, "Recovery"), el("p", {}, "Back " + duration(client[1]) + " into a cold start.")] : [];
  }
  const rto = R.rows.rto[i], ready = R.rows.ready[i];
  return [el("h3", {}, "Recovery"),
    el("p", {}, "Ready " + duration(ready) + " into a cold start",
      rto === null ? "; no RTO." : el("span", {class: ready > rto ? "sev-error" : ""}, "; RTO " + duration(rto) + (ready > rto ? ": missed by " + duration(ready - rto) + "." : ": met."))),
    pathChain(recoveryPath(n))];
}
