/* depgraph report: the interactive map. Levels you open and close (tribes → teams → services and
   clients; data centers → racks → hosts), edges rolled up between whatever is drawn, filters,
   focus with context, search over every kind, and a failure scenario drawn on it. Drawn with
   Cytoscape.js and laid out with fCoSE (both inlined with the page, MIT). At most MAP_MAX
   nodes are drawn at once; opening more is refused with a note saying how to narrow it. */
"use strict";
const MAP_MAX = 300;
const MAP_FONT = 12;           /* px at zoom 1; labels smaller than MAP_MIN_LABEL on screen are not drawn */
const MAP_MIN_LABEL = 10;
const STATE_RANK = {none: 0, reduced: 1, degraded: 2, down: 3, failed: 4};
const STATE_NAMES = ["none", "reduced", "degraded", "down", "failed"];
const MAP = {
  cy: null, mode: "owners", open: new Set(), note: "", focus: null, depth: 1,
  filters: {tribe: "", team: "", tier: "", lifecycle: "", kind: "", dc: "", finding: ""},
  scenario: null,   /* {label, state: Uint8Array over nodes, hostState: Map host → rank} */
  timing: {},
};
let P;  /* the placement data */
let LEAF_FINDINGS, LEAF_SPOF, LEAF_DCS, SPOF_BY_COMPONENT, HARD_CYCLE_NODES;

/* ---- the hierarchy ------------------------------------------------------------------------ */
function teamKey(t) { return "t:" + t; }
function tribeKey(r) { return "r:" + r; }
/* ``[top, …, leaf]`` keys of a service or client in the owners hierarchy. */
function ownerChain(n) {
  const t = D.nodes.team[n];
  if (t < 0) return ["u", "n:" + n];
  const r = D.teams.tribe[t];
  return r >= 0 ? [tribeKey(r), teamKey(t), "n:" + n] : [teamKey(t), "n:" + n];
}
/* The same for a host: data center, rack (when it has one), host. */
function hostChain(h) {
  const rack = P.hostRack[h];
  return rack >= 0 ? ["d:" + P.hostDc[h], "k:" + rack, "h:" + h] : ["d:" + P.hostDc[h], "h:" + h];
}
function isGroup(key) { return "rtdku".includes(key[0]); }
function keyLabel(key) {
  const [kind, value] = [key[0], Number(key.slice(2))];
  if (key === "u") return "unowned";
  if (kind === "r") return "tribe " + D.tribes[value];
  if (kind === "t") return D.teams.name[value];
  if (kind === "n") return D.nodes.name[value];
  if (kind === "d") return P.dcs[value];
  if (kind === "k") return P.racks[value][1];
  if (kind === "h") return P.hosts[value];
  return key;
}
function keyComponent(key) {
  const [kind, value] = [key[0], Number(key.slice(2))];
  if (kind === "r") return "tribe:" + D.tribes[value];
  if (kind === "t") return "team:" + D.teams.name[value];
  if (kind === "n") return nodeId(value);
  if (kind === "d") return "datacenter:" + P.dcs[value];
  if (kind === "k") return "rack:" + P.dcs[P.racks[value][0]] + "/" + P.racks[value][1];
  if (kind === "h") return "host:" + P.hosts[value];
  return "unowned";
}

/* ---- indexes built once ------------------------------------------------------------------- */
function indexMap() {
  P = D.placement;
  LEAF_FINDINGS = new Uint16Array(N);
  F.node.forEach((n) => { if (n >= 0 && LEAF_FINDINGS[n] < 65535) LEAF_FINDINGS[n]++; });
  LEAF_SPOF = new Uint8Array(N);
  SPOF_BY_COMPONENT = new Map();
  D.spofs.component.forEach((c, i) => { SPOF_BY_COMPONENT.set(c, i); if (D.spofs.node[i] >= 0) LEAF_SPOF[D.spofs.node[i]] = 1; });
  HARD_CYCLE_NODES = new Uint8Array(N);
  D.cycles.forEach((c) => { if (c.hard) c.members.forEach((n) => { HARD_CYCLE_NODES[n] = 1; }); });
  LEAF_DCS = D.nodes.place.map((place) => { const out = []; for (let i = 0; i < place.length; i += 2) out.push(place[i]); return out; });
}
/* Per host: the services on it and whether it is a SPOF. Built on first use (placement levels,
   a scenario, a host's panel): a landscape of 200,000 hosts opens without it. */
function hostIndex() {
  if (!MAP.hosts) {
    const services = Array.from({length: P.hosts.length}, () => []);
    P.nodeHosts.forEach((deltas, n) => decode(deltas).forEach((h) => services[h].push(n)));
    const spofs = new Uint8Array(P.hosts.length);
    SPOF_BY_COMPONENT.forEach((_, component) => {
      if (component.startsWith("host:")) { const h = P.hosts.indexOf(component.slice(5)); if (h >= 0) spofs[h] = 1; }
    });
    MAP.hosts = {services: services, spofs: spofs};
  }
  return MAP.hosts;
}

/* ---- which leaves pass the filters -------------------------------------------------------- */
function passes(n) {
  const f = MAP.filters, t = D.nodes.team[n];
  if (f.kind !== "" && D.nodes.kind[n] !== Number(f.kind)) return false;
  if (f.team !== "" && t !== Number(f.team)) return false;
  if (f.tribe !== "" && (t < 0 || D.teams.tribe[t] !== Number(f.tribe))) return false;
  if (f.tier !== "" && (D.nodes.kind[n] !== 0 || D.nodes.tier[n] !== Number(f.tier))) return false;
  if (f.lifecycle !== "" && D.nodes.lifecycle[n] !== Number(f.lifecycle)) return false;
  if (f.dc !== "" && !LEAF_DCS[n].includes(f.dc)) return false;
  if (f.finding === "spof" && !LEAF_SPOF[n]) return false;
  if (f.finding === "cycle" && !HARD_CYCLE_NODES[n]) return false;
  if (f.finding === "unowned" && t >= 0) return false;
  if (f.finding === "any" && !LEAF_FINDINGS[n]) return false;
  return true;
}
function hostPasses(h) { return MAP.filters.dc === "" || P.dcs[P.hostDc[h]] === MAP.filters.dc; }

/* The drawn key of a leaf's chain: the first group on it that is closed, else the leaf. */
function representative(chain, open) {
  for (let i = 0; i < chain.length - 1; i++) if (!open.has(chain[i])) return i;
  return chain.length - 1;
}

/* Everything to draw for the open set ``open``: nodes (with parents, sizes, counts, states) and
   rolled-up edges. Linear in the landscape: one pass over the leaves, one over their entries. */
function layoutModel(open, withEdges) {
  const nodes = new Map();   /* key → {key, parent, leaves, spofs, findings, state, stateCount} */
  const leafRep = MAP.mode === "owners" ? new Int32Array(N).fill(-1) : null;
  const repKeys = [];
  const addNode = (chain, depth, leafState, spof, findings, client) => {
    for (let i = 0; i <= depth; i++) {
      const key = chain[i];
      let node = nodes.get(key);
      if (!node) { node = {key: key, parent: i ? chain[i - 1] : null, leaves: 0, clients: 0, spofs: 0, findings: 0, state: 0, hit: 0, group: isGroup(key)}; nodes.set(key, node); }
      node.leaves++; node.clients += client; node.spofs += spof; node.findings += findings;
      if (leafState > node.state) node.state = leafState;
      if (leafState >= STATE_RANK.degraded) node.hit++;
    }
    return chain[depth];
  };
  const state = MAP.scenario ? MAP.scenario.state : null;
  if (MAP.mode === "owners") {
    const index = new Map();
    for (let n = 0; n < N; n++) {
      if (!passes(n)) continue;
      const chain = ownerChain(n);
      const depth = representative(chain, open);
      const key = addNode(chain, depth, state ? state[n] : 0, LEAF_SPOF[n], LEAF_FINDINGS[n], D.nodes.kind[n]);
      if (!index.has(key)) { index.set(key, repKeys.length); repKeys.push(key); }
      leafRep[n] = index.get(key);
    }
  } else {
    const spofHosts = hostIndex().spofs;
    for (let h = 0; h < P.hosts.length; h++) {
      if (!hostPasses(h)) continue;
      const chain = hostChain(h);
      const hostState = state ? MAP.scenario.hostState.get(h) || 0 : 0;
      addNode(chain, representative(chain, open), hostState, spofHosts[h], 0, 0);
    }
  }
  return {nodes: nodes, edges: MAP.mode === "owners" && withEdges !== false ? rolledEdges(leafRep, repKeys, state) : []};
}

/* Service dependencies rolled up to the drawn nodes: one edge per pair with its count, hard when
   any is, its worst target state, and indirect when it runs through leaves the filters hide. */
function rolledEdges(leafRep, repKeys, state) {
  const edges = new Map();
  const add = (from, to, hard, indirect, targetState) => {
    if (from === to) return;
    const key = from + ">" + to;
    let edge = edges.get(key);
    if (!edge) { edge = {source: repKeys[from], target: repKeys[to], count: 0, hard: false, indirect: true, state: 0}; edges.set(key, edge); }
    edge.count++; edge.hard = edge.hard || hard; edge.indirect = edge.indirect && indirect;
    if (targetState > edge.state) edge.state = targetState;
  };
  let budget = 400000;  /* steps spent following hidden leaves; past it, indirect edges are left out */
  MAP.truncated = false;
  for (let n = 0; n < N; n++) {
    const from = leafRep[n];
    if (from < 0) continue;
    for (const entry of D.nodes.deps[n]) {
      for (let i = 1; i < entry.length; i++) {
        const t = entry[i];
        if (leafRep[t] >= 0) { add(from, leafRep[t], entry[0] === 1, false, state ? state[t] : 0); continue; }
        /* a hidden leaf: follow its dependencies until drawn leaves are reached */
        const seen = new Set([t]), stack = [t];
        while (stack.length && budget > 0) {
          const m = stack.pop();
          for (const next of D.nodes.deps[m]) for (let j = 1; j < next.length; j++) {
            budget--;
            const u = next[j];
            if (seen.has(u)) continue;
            seen.add(u);
            if (leafRep[u] >= 0) add(from, leafRep[u], false, true, state ? state[u] : 0);
            else stack.push(u);
          }
        }
        if (budget <= 0) MAP.truncated = true;
      }
    }
  }
  return [...edges.values()];
}

function groupCount(node) {
  if (MAP.mode !== "owners") return plural(node.leaves, "host");
  const services = node.leaves - node.clients;
  return [services ? plural(services, "service") : "", node.clients ? plural(node.clients, "client") : ""].filter(Boolean).join(", ");
}
function drawnCount(open) {
  return layoutModel(open, false).nodes.size;
}

/* ---- the elements Cytoscape draws --------------------------------------------------------- */
function elementsOf(model) {
  const out = [];
  model.nodes.forEach((node) => {
    const kind = node.key[0];
    const open = MAP.open.has(node.key);
    let label = keyLabel(node.key);
    if (node.group && !open) label += "\n" + groupCount(node);
    if (MAP.scenario && node.hit && node.group) label += "\n" + fmt(node.hit) + (MAP.mode === "owners" ? " down or degraded" : " hosts hit");
    const classes = [node.group ? (open ? "open" : "group") : "leaf", "k-" + kind, "s-" + STATE_NAMES[node.state]];
    if (kind === "n") {
      const n = Number(node.key.slice(2));
      classes.push(D.nodes.kind[n] === 1 ? "client" : "tier" + D.nodes.tier[n]);
      if (D.nodes.lifecycle[n] === D.lifecycles.indexOf("deprecated")) classes.push("deprecated");
      if (D.nodes.team[n] < 0) classes.push("unowned");
    }
    if (node.spofs) classes.push("spof");
    const longest = Math.max(...label.split("\n").map((line) => line.length));
    const size = node.group && !open ? Math.round(36 + 8 * Math.log2(1 + node.leaves)) : 30;
    out.push({group: "nodes", data: {id: node.key, parent: node.parent || undefined, label: label, size: size,
      w: Math.max(size, Math.min(170, 7 * longest + 18)), h: node.group ? Math.max(size, 16 * label.split("\n").length + 10) : 28,
      spofs: node.spofs, spofColor: spofColor(node.spofs)}, classes: classes.join(" ")});
  });
  model.edges.forEach((edge, i) => {
    const classes = [edge.hard ? "hard" : "soft", "s-" + STATE_NAMES[edge.state]];
    if (edge.indirect) classes.push("indirect");
    out.push({group: "edges", data: {id: "e" + i, source: edge.source, target: edge.target,
      label: edge.count > 1 ? fmt(edge.count) : "", width: Math.min(0.8 + Math.log2(edge.count) / 2, 4)}, classes: classes.join(" ")});
  });
  return out;
}
/* The number of single points of failure inside a node as a colour scale: none grey, one pale
   red, more darker, so a marker says how much, not only whether. */
function spofColor(count) {
  if (!count) return "#9aa5b1";
  const steps = ["#f4a6a6", "#e76f6f", "#d43d3d", "#a61b1b", "#6e0d0d"];
  return steps[Math.min(steps.length - 1, Math.floor(Math.log2(count)))];
}

const MAP_STYLE = [
  {selector: "node", style: {"label": "data(label)", "font-size": MAP_FONT, "min-zoomed-font-size": MAP_MIN_LABEL,
    "text-wrap": "wrap", "text-valign": "center", "text-halign": "center", "width": "data(w)", "height": "data(h)",
    "background-color": "#e8eef5", "border-width": 1.5, "border-color": "data(spofColor)", "shape": "round-rectangle",
    "color": "#1d2733", "text-max-width": 160, "padding": 6}},
  {selector: "node.group", style: {"shape": "ellipse", "background-color": "#dfe7f1", "font-weight": "bold"}},
  {selector: "node.open", style: {"background-color": "#f6f8fb", "background-opacity": 0.6, "border-color": "#b8c3cf",
    "border-style": "dashed", "text-valign": "top", "text-halign": "center", "font-weight": "bold", "padding": 14}},
  {selector: "node.tier1", style: {"background-color": "#9ec5e6"}},
  {selector: "node.tier2", style: {"background-color": "#dcebf7"}},
  {selector: "node.tier3", style: {"background-color": "#ffffff"}},
  {selector: "node.client", style: {"shape": "tag", "background-color": "#e6dff2"}},
  {selector: "node.unowned", style: {"border-style": "dashed"}},
  {selector: "node.deprecated", style: {"color": "#777777"}},
  {selector: "node.spof", style: {"border-width": 3.5}},
  {selector: "node.s-reduced", style: {"background-color": "#fff2b3"}},
  {selector: "node.s-degraded", style: {"background-color": "#ffd39a"}},
  {selector: "node.s-down", style: {"background-color": "#f28b82"}},
  {selector: "node.s-failed", style: {"background-color": "#2b2b2b", "color": "#ffffff"}},
  {selector: "node.open.s-degraded, node.open.s-down, node.open.s-reduced", style: {"background-color": "#fff7ee"}},
  {selector: "edge", style: {"curve-style": "bezier", "width": "data(width)", "line-color": "#8e9aab", "target-arrow-color": "#8e9aab",
    "target-arrow-shape": "triangle", "arrow-scale": 0.8, "label": "data(label)", "font-size": 10, "min-zoomed-font-size": MAP_MIN_LABEL,
    "text-background-color": "#ffffff", "text-background-opacity": 0.8, "opacity": 0.75}},
  {selector: "edge.soft", style: {"line-style": "dashed"}},
  {selector: "edge.indirect", style: {"line-style": "dotted", "line-color": "#b0a0c8", "target-arrow-color": "#b0a0c8"}},
  {selector: "edge.s-down, edge.s-failed", style: {"line-color": "#d93025", "target-arrow-color": "#d93025", "opacity": 1}},
  {selector: "edge.s-degraded", style: {"line-color": "#e8910c", "target-arrow-color": "#e8910c", "opacity": 1}},
  {selector: ".faded", style: {"opacity": 0.12}},
  {selector: "node:selected, node.picked", style: {"border-color": "#1a73e8", "border-width": 4}},
];

/* ---- drawing ------------------------------------------------------------------------------ */
function redraw(relayout) {
  const model = layoutModel(MAP.open);
  const cy = MAP.cy;
  const old = new Map();
  cy.nodes().forEach((node) => old.set(node.id(), node.position()));
  cy.batch(() => {
    cy.elements().remove();
    const elements = elementsOf(model);
    /* new nodes start where the group they came from stood */
    elements.forEach((element) => {
      if (element.group !== "nodes") return;
      let key = element.data.id, position = old.get(key);
      while (!position && key) { key = parentKey(key); position = key ? old.get(key) : null; }
      if (position) element.position = {x: position.x + (Math.random() - 0.5) * 40, y: position.y + (Math.random() - 0.5) * 40};
    });
    cy.add(elements);
  });
  applyFocus();
  /* a fresh layout when most of the drawing is new; otherwise the old places are kept */
  const kept = cy.nodes().filter((node) => old.has(node.id())).length;
  if (relayout !== false) runLayout(kept < cy.nodes().length / 2);
  renderMapStatus(model);
}
function parentKey(key) {
  const kind = key[0], value = Number(key.slice(2));
  if (kind === "n") { const chain = ownerChain(value); return chain[chain.length - 2]; }
  if (kind === "t") { const r = D.teams.tribe[value]; return r >= 0 ? tribeKey(r) : null; }
  if (kind === "h") { const chain = hostChain(value); return chain[chain.length - 2]; }
  if (kind === "k") return "d:" + P.racks[value][0];
  return null;
}
function runLayout(fresh) {
  const cy = MAP.cy;
  const layout = cy.layout({name: typeof cytoscapeFcose === "function" ? "fcose" : "cose", animate: false, randomize: fresh,
    /* fCoSE's draft quality and its component packing both need a fresh (spectral) start:
       on an incremental layout they read results it never computed */
    quality: fresh && cy.nodes().length > 60 ? "draft" : "default", nodeDimensionsIncludeLabels: true,
    packComponents: fresh,
    nodeRepulsion: (node) => 6500 * Math.pow(node.data("w") / 60, 2),
    idealEdgeLength: (edge) => 50 + (edge.source().data("w") + edge.target().data("w")) / 2, nodeSeparation: 40, nestingFactor: 0.4, gravity: 0.5,
    gravityCompound: 1.5, tile: true, fit: false});
  layout.run();
  fitReadable();
}
/* Fit the drawing, but never so far out that labels fall under MAP_MIN_LABEL pixels: then the
   view centres on the biggest nodes at the smallest readable zoom instead. */
function fitReadable(what) {
  const cy = MAP.cy;
  cy.fit(what && what.length ? what : cy.elements(), 24);
  const readable = MAP_MIN_LABEL / MAP_FONT;
  if (cy.zoom() < readable) {
    const biggest = cy.nodes().sort((a, b) => b.data("size") - a.data("size")).slice(0, 6);
    cy.zoom(readable);
    cy.center(what && what.length ? what : biggest.length ? biggest : cy.elements());
  }
}
function applyFocus() {
  const cy = MAP.cy;
  cy.elements().removeClass("faded");
  if (!MAP.focus) return;
  const keep = new Set();
  MAP.focus.leaves.forEach((n) => {
    if (MAP.mode !== "owners") return;
    const chain = ownerChain(n);
    chain.forEach((key) => keep.add(key));
  });
  MAP.focus.keys.forEach((key) => keep.add(key));
  cy.nodes().forEach((node) => { if (!keep.has(node.id())) node.addClass("faded"); });
  cy.edges().forEach((edge) => { if (edge.source().hasClass("faded") || edge.target().hasClass("faded")) edge.addClass("faded"); });
}

/* ---- opening and closing levels ----------------------------------------------------------- */
function toggle(key) {
  const next = new Set(MAP.open);
  if (next.has(key)) { [...next].forEach((k) => { if (k === key || isInside(k, key)) next.delete(k); }); }
  else next.add(key);
  return tryOpen(next, keyLabel(key));
}
function isInside(key, group) {
  for (let k = parentKey(key); k; k = parentKey(k)) if (k === group) return true;
  return false;
}
function tryOpen(next, what) {
  const count = drawnCount(next);
  if (count > MAP_MAX) {
    MAP.note = "Opening " + what + " would draw " + fmt(count) + " nodes, more than " + MAP_MAX + ": filter (tier, finding, data center…) or focus first.";
    renderMapStatus();
    return false;
  }
  MAP.note = "";
  MAP.open = next;
  redraw();
  return true;
}

/* ---- the scenario ------------------------------------------------------------------------- */
function scenarioOf(label, result, failedNodes, reduced, failedHosts) {
  const state = new Uint8Array(N);
  (reduced || []).forEach(([n]) => { state[n] = STATE_RANK.reduced; });
  result.degraded.forEach((n) => { state[n] = STATE_RANK.degraded; });
  result.down.forEach((n) => { state[n] = STATE_RANK.down; });
  (failedNodes || []).forEach((n) => { state[n] = STATE_RANK.failed; });
  const hostState = new Map();
  (failedHosts || []).forEach((h) => hostState.set(h, STATE_RANK.failed));
  const onHost = hostIndex().services;
  P.hosts.forEach((_, h) => {
    if (hostState.has(h)) return;
    let worst = 0;
    for (const n of onHost[h]) if (state[n] > worst) worst = state[n];
    if (worst) hostState.set(h, worst);
  });
  return {label: label, state: state, hostState: hostState, down: result.down.length, degraded: result.degraded.length};
}
/* What fails when ``component`` does: a service from the engine's propagation, a host, rack or
   data center from the Report (its SPOF cause or its outage), anything else: nothing goes down. */
function scenarioFor(component) {
  const [kind, name] = [component.slice(0, component.indexOf(":")), component.slice(component.indexOf(":") + 1)];
  const n = NODE_BY_ID.get(component);
  if (n !== undefined && kind === "service") return scenarioOf(component, serviceImpact(n), [n]);
  const failedHosts = [];
  P.hosts.forEach((host, h) => {
    const rack = P.hostRack[h] >= 0 ? P.dcs[P.racks[P.hostRack[h]][0]] + "/" + P.racks[P.hostRack[h]][1] : null;
    if ((kind === "host" && host === name) || (kind === "rack" && rack === name) || (kind === "datacenter" && P.dcs[P.hostDc[h]] === name)) failedHosts.push(h);
  });
  if (kind === "datacenter") {
    const outage = D.datacenters.find((dc) => dc.name === name);
    if (outage) return scenarioOf(component, {down: outage.down, degraded: outage.degraded}, [], outage.reduced, failedHosts);
  }
  const i = SPOF_BY_COMPONENT.get(component);
  if (i !== undefined) return scenarioOf(component, spofImpact(i), [], D.spofs.reduced[i], failedHosts);
  return scenarioOf(component, {down: [], degraded: []}, [], [], failedHosts);
}
/* The live server's answer for several components at once (``depgraph serve``'s what-if). */
function mapDrawAnswer(label, failed, down, degraded, reduced) {
  if (!MAP.cy) return;
  const failedHosts = [];
  P.hosts.forEach((host, h) => { if (label.split(" + ").includes("host:" + host)) failedHosts.push(h); });
  MAP.scenario = scenarioOf(label, {down: down, degraded: degraded}, failed, reduced, failedHosts);
  redraw(false);
}
function setScenario(component) {
  MAP.scenario = component ? scenarioFor(component) : null;
  redraw(false);
  renderMapControls();
}

/* ---- focus with context ------------------------------------------------------------------- */
function focusOn(key, depth) {
  if (key[0] !== "n") { MAP.focus = {key: key, leaves: [], keys: [key]}; redraw(false); return; }
  const start = Number(key.slice(2));
  const keep = new Set([start]);
  for (const step of [(m) => D.nodes.deps[m].flatMap((e) => e.slice(1)), (m) => DEPENDENTS[m]]) {
    let frontier = [start];
    for (let d = 0; d < depth; d++) {
      const next = [];
      frontier.forEach((m) => step(m).forEach((x) => { if (!keep.has(x)) { keep.add(x); next.push(x); } }));
      frontier = next;
    }
  }
  MAP.focus = {key: key, leaves: [...keep], keys: [...keep].map((n) => "n:" + n)};
  /* open the teams around it when that stays drawable */
  const next = new Set(MAP.open);
  keep.forEach((n) => ownerChain(n).slice(0, -1).forEach((k) => next.add(k)));
  if (!tryOpen(next, "the " + fmt(keep.size) + " services around " + keyLabel(key))) redraw(false);
  fitReadable(MAP.cy.elements().not(".faded"));
}

/* ---- search over every kind --------------------------------------------------------------- */
function mapSearch(query) {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits = [];
  const consider = (name, key, kind) => {
    const lower = name.toLowerCase();
    const at = lower.indexOf(q);
    if (at >= 0) hits.push({name: name, key: key, kind: kind, score: (at === 0 ? 0 : 1) * 1000 + name.length});
  };
  for (let n = 0; n < N && hits.length < 2000; n++) consider(D.nodes.name[n], "n:" + n, KIND[D.nodes.kind[n]]);
  D.teams.name.forEach((name, t) => consider(name, teamKey(t), "team"));
  D.tribes.forEach((name, r) => consider(name, tribeKey(r), "tribe"));
  P.dcs.forEach((name, d) => consider(name, "d:" + d, "datacenter"));
  P.racks.forEach(([d, name], k) => consider(P.dcs[d] + "/" + name, "k:" + k, "rack"));
  for (let h = 0; h < P.hosts.length && hits.length < 4000; h++) consider(P.hosts[h], "h:" + h, "host");
  hits.sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return hits.slice(0, 12);
}
/* Show ``key``: switch to its hierarchy, open the levels above it, select and centre it. */
function reveal(key) {
  const placement = "dkh".includes(key[0]);
  const mode = placement ? "placement" : "owners";
  if (MAP.mode !== mode) { MAP.mode = mode; MAP.open = new Set(); MAP.focus = null; }
  const next = new Set(MAP.open);
  let chain = [];
  for (let k = parentKey(key); k; k = parentKey(k)) chain.unshift(k);
  chain.forEach((k) => next.add(k));
  /* open as many levels as stay drawable, from the top */
  let opened = new Set(MAP.open);
  for (const k of chain) {
    const attempt = new Set(opened); attempt.add(k);
    if (drawnCount(attempt) > MAP_MAX) { MAP.note = "Showing " + keyLabel(k) + " closed: opening it would draw more than " + MAP_MAX + " nodes."; break; }
    opened = attempt;
  }
  MAP.open = opened;
  redraw();
  renderMapControls();
  const cy = MAP.cy;
  let shown = key;
  while (shown && cy.getElementById(shown).empty()) shown = parentKey(shown);
  if (!shown) return;
  const element = cy.getElementById(shown);
  cy.elements().removeClass("picked");
  element.addClass("picked");
  cy.zoom(Math.max(cy.zoom(), 1));
  cy.center(element);
  MAP.picked = key;
  renderMapStatus();
}

/* ---- the panel for what was clicked ------------------------------------------------------- */
/* The map's key of ``host:NAME`` or ``rack:DC/NAME``, or null when the page does not know it. */
function mapKeyOf(component) {
  if (!P) return null;
  if (component.startsWith("host:")) { const h = P.hosts.indexOf(component.slice(5)); return h >= 0 ? "h:" + h : null; }
  if (component.startsWith("rack:")) {
    const k = P.racks.findIndex(([dc, rack]) => component === "rack:" + P.dcs[dc] + "/" + rack);
    return k >= 0 ? "k:" + k : null;
  }
  return null;
}
function openKey(key) {
  const kind = key[0], value = Number(key.slice(2));
  MAP.picked = key;
  if (kind === "n") { select(value); return; }
  if (kind === "t") { selectTeam(value); return; }
  const component = keyComponent(key);
  let services = [];
  if (kind === "h") services = hostIndex().services[value];
  else if (kind === "k" || kind === "d") {
    const set = new Set();
    P.hosts.forEach((_, h) => { if ((kind === "k" && P.hostRack[h] === value) || (kind === "d" && P.hostDc[h] === value)) hostIndex().services[h].forEach((n) => set.add(n)); });
    if (kind === "d") for (let n = 0; n < N; n++) if (LEAF_DCS[n].includes(P.dcs[value])) set.add(n);
    services = [...set].sort((a, b) => a - b);
  }
  const scenario = scenarioFor(component);
  const parts = [el("p", {class: "muted"}, kind === "h" ? "Host in " + keyComponent(parentKey(key) || "") : ""),
    el("h3", {}, "Runs here (" + fmt(services.length) + ")"), services.length ? chips(services, "", 80) : el("p", {class: "empty"}, "No declared service."),
    el("h3", {}, "If it fails"), el("p", {}, fmt(scenario.down) + " down, " + fmt(scenario.degraded) + " degraded"),
    el("button", {class: "btn", type: "button", onclick: () => { setScenario(component); document.getElementById("map").scrollIntoView(); }}, "Draw this failure on the map")];
  openDetail(component, parts);
  if (location.hash !== "#/" + component) history.replaceState(null, "", "#/" + encodeURIComponent(component));
}

/* ---- controls ------------------------------------------------------------------------------ */
function option(value, text, current) { const o = el("option", {value: value}, text); if (String(current) === String(value)) o.selected = true; return o; }
function filterSelect(name, label, choices) {
  const box = el("select", {"aria-label": label, "data-filter": name}, option("", label + ": all", MAP.filters[name]), choices.map(([v, t]) => option(v, t, MAP.filters[name])));
  box.addEventListener("change", () => { MAP.filters[name] = box.value; MAP.note = ""; redraw(); });
  return box;
}
function renderMapControls() {
  const bar = clear(document.getElementById("map-controls"));
  const modes = el("div", {class: "map-modes"},
    [["owners", "Tribes › teams › services"], ["placement", "Data centers › racks › hosts"]].map(([mode, text]) => {
      const b = el("button", {class: "btn" + (MAP.mode === mode ? " on" : ""), type: "button", "data-mode": mode,
        onclick: () => { MAP.mode = mode; MAP.open = new Set(); MAP.focus = null; MAP.note = ""; redraw(); renderMapControls(); }}, text);
      return b;
    }));
  const search = el("input", {type: "search", id: "map-search", placeholder: "Find anything on the map: service, team, host, rack…", autocomplete: "off", spellcheck: "false", "aria-label": "Find on the map"});
  const hitsBox = el("ul", {id: "map-hits", role: "listbox"});
  let hits = [];
  search.addEventListener("input", () => {
    hits = mapSearch(search.value);
    clear(hitsBox);
    hits.forEach((hit, i) => hitsBox.appendChild(el("li", {"data-key": hit.key, class: i === 0 ? "active" : null, onclick: () => { reveal(hit.key); clear(hitsBox); }},
      el("span", {class: "badge plain"}, hit.kind), " " + hit.name)));
  });
  search.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && hits.length) { e.preventDefault(); reveal(hits[0].key); clear(hitsBox); }
    if (e.key === "Escape") { search.value = ""; clear(hitsBox); }
  });
  const tiers = [["1", "tier 1"], ["2", "tier 2"], ["3", "tier 3"]];
  const filters = el("div", {class: "map-filters"},
    filterSelect("tribe", "Tribe", D.tribes.map((t, i) => [i, t])),
    filterSelect("team", "Owner", D.teams.name.map((t, i) => [i, t])),
    filterSelect("tier", "Tier", tiers),
    filterSelect("lifecycle", "Lifecycle", D.lifecycles.map((l, i) => [i, l])),
    filterSelect("kind", "Kind", [["0", "services"], ["1", "clients"]]),
    filterSelect("dc", "Data center", P.dcs.map((d) => [d, d])),
    filterSelect("finding", "Finding", [["spof", "is a single point of failure"], ["cycle", "on a hard cycle"], ["unowned", "unowned"], ["any", "has any finding"]]));
  const scenario = el("select", {"aria-label": "Failure scenario", id: "map-scenario"},
    option("", "No failure drawn", MAP.scenario ? MAP.scenario.label : ""),
    D.datacenters.map((dc) => option("datacenter:" + dc.name, "Data center " + dc.name + " goes dark", MAP.scenario ? MAP.scenario.label : "")),
    D.spofs.component.filter((c) => !c.startsWith("datacenter:")).slice(0, 50).map((c) => option(c, c + " fails (single point of failure)", MAP.scenario ? MAP.scenario.label : "")),
    MAP.scenario && !D.spofs.component.includes(MAP.scenario.label) && !MAP.scenario.label.startsWith("datacenter:") ? option(MAP.scenario.label, MAP.scenario.label + " fails", MAP.scenario.label) : null);
  scenario.addEventListener("change", () => setScenario(scenario.value || null));
  const depth = el("input", {type: "number", min: "0", max: "6", value: String(MAP.depth), "aria-label": "Focus depth", style: "width:3.5em"});
  depth.addEventListener("change", () => { MAP.depth = Math.max(0, Math.min(6, Number(depth.value) || 0)); if (MAP.focus) focusOn(MAP.focus.key, MAP.depth); });
  const actions = el("div", {class: "map-actions"},
    el("button", {class: "btn", type: "button", id: "map-focus", onclick: () => { if (MAP.picked) focusOn(MAP.picked, MAP.depth); }}, "Focus on selected"),
    el("label", {class: "muted"}, " steps ", depth),
    el("button", {class: "btn", type: "button", onclick: () => { MAP.focus = null; redraw(false); }}, "Clear focus"),
    el("button", {class: "btn", type: "button", onclick: () => { MAP.open = new Set(); MAP.focus = null; MAP.note = ""; redraw(); }}, "Close all"),
    el("button", {class: "btn", type: "button", onclick: () => fitReadable()}, "Fit"),
    scenario);
  bar.appendChild(modes);
  bar.appendChild(el("div", {class: "map-search"}, search, hitsBox));
  bar.appendChild(filters);
  bar.appendChild(actions);
}
function renderMapStatus(model) {
  const box = document.getElementById("map-status");
  if (!box) return;
  const cy = MAP.cy;
  const parts = [fmt(cy.nodes().length) + " nodes and " + fmt(cy.edges().length) + " edges drawn (at most " + MAP_MAX + " nodes). Click a group to open or close it, a service for its panel."];
  if (MAP.scenario) parts.push(MAP.scenario.label + ": " + fmt(MAP.scenario.down) + " down, " + fmt(MAP.scenario.degraded) + " degraded.");
  if (MAP.truncated) parts.push("Some indirect edges through hidden services are left out (too many to follow).");
  if (MAP.note) parts.push(MAP.note);
  clear(box).appendChild(el("span", {}, parts.join(" ")));
  box.classList.toggle("warn", Boolean(MAP.note));
}
function mapLegend() {
  const item = (cls, text) => el("span", {class: "map-key " + cls}, text);
  return el("div", {class: "map-legend"}, item("k-tier1", "tier 1"), item("k-tier2", "tier 2"), item("k-tier3", "tier 3"), item("k-client", "client"),
    item("k-spof", "red border: holds single points of failure (darker: more)"), item("k-hard", "— hard"), item("k-soft", "- - soft"),
    item("k-indirect", "··· through hidden services"), item("k-down", "down"), item("k-degraded", "degraded"), item("k-reduced", "reduced"), item("k-failed", "failed"));
}

/* ---- start --------------------------------------------------------------------------------- */
function renderMap() {
  const box = document.getElementById("map");
  if (!box || typeof cytoscape !== "function" || !D.placement) { if (box) box.hidden = true; return; }
  const started = performance.now();
  indexMap();
  box.appendChild(el("h2", {}, "Map"));
  box.appendChild(el("div", {id: "map-controls"}));
  box.appendChild(el("div", {id: "map-status", class: "muted", "aria-live": "polite"}));
  box.appendChild(el("div", {id: "map-canvas"}));
  box.appendChild(mapLegend());
  if (typeof cytoscapeFcose === "function" && !cytoscape.__depgraphFcose) { cytoscape.use(cytoscapeFcose); cytoscape.__depgraphFcose = true; }
  MAP.cy = cytoscape({container: document.getElementById("map-canvas"), style: MAP_STYLE,
    minZoom: 0.05, maxZoom: 4, boxSelectionEnabled: false, textureOnViewport: true, hideEdgesOnViewport: false});
  MAP.cy.on("tap", "node", (event) => {
    const key = event.target.id();
    MAP.picked = key;
    if (isGroup(key)) { toggle(key); return; }
    openKey(key);
  });
  MAP.cy.on("dbltap", "node", (event) => openKey(event.target.id()));
  renderMapControls();
  /* a small landscape opens its tribes at once; a big one starts from the tribes */
  const tribes = new Set(D.tribes.map((_, r) => tribeKey(r)));
  if (drawnCount(tribes) <= 24) MAP.open = tribes;
  redraw();
  MAP.timing.build = performance.now() - started;
  MAP.timing.ready = performance.now();  /* since the page started loading */
  window.depgraphMap = MAP;
  document.getElementById("map").setAttribute("data-map-ready", "true");
}
