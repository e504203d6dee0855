/* depgraph report: capacity (what each data center's loss overloads, the plan) and availability
   (nines per tier, worst first, beside each objective). User text enters as text nodes only. */
"use strict";
const SVG_NS = "http://www.w3.org/2000/svg";
const MIN_NINES = 1;       // 90%: the left end of the scale (anything worse sits on it)
const MAX_NINES = 5;       // 99.999%: the right end
const ROWS_PER_TIER = 20;  // rows drawn per tier; the rest are counted

function svgEl(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) if (value !== null && value !== undefined) node.setAttribute(key, value);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
function nines(percent) {
  const down = 1 - percent / 100;
  return down <= 0 ? MAX_NINES : Math.max(0, Math.min(MAX_NINES, -Math.log10(down)));
}
function pct(value, digits) { return Number(value).toFixed(digits === undefined ? 3 : digits) + "%"; }
function perDc(counts) { return Object.keys(counts).map((dc) => dc + " " + counts[dc]).join(", "); }

function renderCapacity() {
  const C = D.capacity;
  const box = section("capacity");
  box.appendChild(el("h2", {}, "Capacity and availability"));
  const lost = C.datacenters.filter((dc) => !dc.survivable).map((dc) => dc.name);
  box.appendChild(el("p", {class: lost.length ? "" : "muted"}, lost.length
    ? "Can we lose a data center? Not " + lost.join(", ") + ": its loss takes services down or leaves them fewer instances than they need at peak (capacity.min_instances)."
    : "Can we lose a data center? Yes: each can go dark alone, and every service keeps the instances it needs."));
  if (C.overloadedNow.length) box.appendChild(el("div", {class: "notice"}, "Overloaded with nothing failed: ",
    C.overloadedNow.map(([n, up, needed]) => el("span", {}, chip(n, "reduced"), " " + up + " up, needs " + needed + " "))));
  box.appendChild(capacityTable(C));
  if (C.plan.length) box.appendChild(planTable(C.plan));
  if (C.availability) box.appendChild(availabilityPicture(C.availability));
}

function capacityTable(C) {
  const body = el("tbody", {});
  C.datacenters.forEach((dc) => {
    body.appendChild(el("tr", {"data-dc": dc.name},
      el("td", {class: "mono"}, dc.name),
      el("td", {}, dc.survivable ? el("span", {class: "badge plain"}, "survives") : el("span", {class: "badge down"}, "does not survive")),
      el("td", {}, dc.down.length ? chips(dc.down, "down", 12) : el("span", {class: "muted"}, "nothing")),
      el("td", {}, dc.overloaded.length ? el("div", {class: "chain"}, dc.overloaded.map(([n, up, needed]) =>
        el("span", {class: "nowrap"}, chip(n, "reduced"), " " + up + "/" + needed + " up"))) : el("span", {class: "muted"}, "nothing"))));
  });
  return el("div", {class: "table-wrap"}, el("table", {class: "capacity"},
    el("thead", {}, el("tr", {}, th("if this data center goes dark"), th("verdict"), th("down"), th("overloaded (up/needed)"))), body));
}

function planTable(plan) {
  const added = plan.reduce((sum, item) => sum + Object.values(item.add).reduce((a, b) => a + b, 0), 0);
  const body = el("tbody", {});
  plan.forEach((item) => body.appendChild(el("tr", {},
    el("td", {}, nodeLink(item.node, D.nodes.name[item.node])), tdNum(item.needed),
    el("td", {class: "mono"}, perDc(item.instances) || "none"),
    el("td", {class: "mono"}, item.feasible ? Object.keys(item.add).map((dc) => dc + " +" + item.add[dc]).join(", ")
      + (Object.keys(item.instances).length === 1 ? " (runs in one data center)" : "") : "impossible: one data center"))));
  return el("div", {}, el("h3", {style: "margin-top:16px"}, "Plan: " + plural(added, "instance") + " more for " + plural(plan.length, "service")),
    el("p", {class: "muted"}, "The fewest instances to add, per data center, so that losing any one leaves every service at least its min_instances."),
    el("div", {class: "table-wrap"}, el("table", {class: "plan"},
      el("thead", {}, el("tr", {}, th("service"), th("needs", "num"), th("has"), th("add"))), body)));
}

/* ---- availability: one strip per tier, worst first --------------------------------------- */
function availabilityGroups(A) {
  const groups = [["Tier 1", []], ["Tier 2", []], ["Tier 3", []], ["Clients", []]];
  A.node.forEach((n, i) => {
    const group = D.nodes.kind[n] === 1 ? 3 : Math.max(0, Math.min(2, D.nodes.tier[n] - 1));
    groups[group][1].push(i);
  });
  groups.forEach(([, rows]) => rows.sort((a, b) => A.estimate[a] - A.estimate[b] || A.node[a] - A.node[b]));
  return groups.filter(([, rows]) => rows.length);
}
function verdictOf(A, i) {
  const slo = A.slo[i];
  if (slo === null) return "none";
  if (A.high[i] < slo) return "miss";
  return A.low[i] < slo ? "close" : "meets";
}
function availabilityPicture(A) {
  const wrap = el("div", {class: "availability"});
  const missed = A.node.filter((n, i) => verdictOf(A, i) === "miss");
  wrap.appendChild(el("h3", {style: "margin-top:16px"}, "Availability in nines, worst first"));
  wrap.appendChild(el("p", {class: "muted"}, "Each row: the estimated availability (dot) and its 95% interval (line) from hosts, racks, data centers and hard dependencies, each up independently; the bar marks the slo. "
    + (missed.length ? plural(missed.length, "objective") + " cannot be met." : "Every objective is within reach.")));
  wrap.appendChild(el("div", {class: "legend"}, [["miss", "slo cannot be met"], ["close", "slo inside the interval"], ["meets", "meets its slo"], ["none", "no slo"]]
    .map(([cls, label]) => el("span", {}, el("i", {class: "nines-" + cls}), label))));
  availabilityGroups(A).forEach(([title, rows]) => wrap.appendChild(tierStrip(A, title, rows)));
  return wrap;
}
function tierStrip(A, title, rows) {
  const shown = rows.slice(0, ROWS_PER_TIER);
  const label = 280, width = 1120, right = 150, top = 26, step = 18;
  const plot = width - label - right;
  const x = (value) => label + plot * (Math.max(MIN_NINES, nines(value)) - MIN_NINES) / (MAX_NINES - MIN_NINES);
  const height = top + step * shown.length + 6;
  const chart = svgEl("svg", {class: "nines", width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img"},
    svgEl("title", {}, title + ": availability in nines, worst first"));
  for (let k = MIN_NINES; k <= MAX_NINES; k++) {
    const at = label + plot * (k - MIN_NINES) / (MAX_NINES - MIN_NINES);
    chart.appendChild(svgEl("line", {x1: at, x2: at, y1: top - 6, y2: height, class: "grid"}));
    chart.appendChild(svgEl("text", {x: at, y: 12, "text-anchor": "middle", class: "axis"}, pct(100 - 100 / Math.pow(10, k), Math.max(0, k - 2))));
  }
  shown.forEach((i, row) => {
    const n = A.node[i], y = top + step * row + step / 2;
    const cls = verdictOf(A, i);
    const name = svgEl("text", {x: label - 8, y: y + 4, "text-anchor": "end", class: "name"}, nodeId(n));
    name.addEventListener("click", () => select(n));
    const g = svgEl("g", {class: "row nines-" + cls},
      svgEl("title", {}, nodeId(n) + ": " + pct(A.estimate[i]) + (A.exact[i] ? " (exact)" : " (95% interval " + pct(A.low[i]) + "–" + pct(A.high[i]) + ")")
        + (A.slo[i] !== null ? ", slo " + A.slo[i] + "%" : "")),
      name,
      svgEl("line", {x1: x(A.low[i]), x2: x(A.high[i]), y1: y, y2: y, class: "interval"}),
      svgEl("circle", {cx: x(A.estimate[i]), cy: y, r: 4.5, class: "dot"}),
      A.slo[i] !== null ? svgEl("line", {x1: x(A.slo[i]), x2: x(A.slo[i]), y1: y - 7, y2: y + 7, class: "slo"}) : null,
      svgEl("text", {x: width - right + 8, y: y + 4, class: "value"}, pct(A.estimate[i]) + (A.slo[i] !== null ? " / " + A.slo[i] + "%" : "")));
    chart.appendChild(g);
  });
  const rest = rows.length - shown.length;
  return el("div", {class: "card tier-strip"}, el("b", {}, title + " (" + fmt(rows.length) + ")"),
    el("div", {class: "diagram-scroll"}, chart), rest > 0 ? el("div", {class: "muted"}, "… and " + fmt(rest) + " more, all more available") : null);
}
