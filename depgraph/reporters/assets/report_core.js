/* depgraph report: data access, DOM helpers, blast radius, search and the detail panel.
   All user text enters the page through text nodes (el/text), never as markup. */
"use strict";
let D, N, F;  // the data, the number of services and clients, the findings columns
const SEV = ["error", "warning", "info"];
const KIND = ["service", "client"];

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "onclick") node.addEventListener("click", value);
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children.flat(Infinity)) {  // nested lists of children: every depth
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
function plural(n, word, many) { return fmt(n) + " " + (n === 1 ? word : (many || word + "s")); }
function fmt(n) { return Number(n).toLocaleString("en"); }

/* Links: only http, https and mailto become links; anything else is shown as text. */
function safeUrl(url) {
  const text = String(url || "").trim();
  return /^(https?:\/\/|mailto:)/i.test(text) ? text : null;
}
function linkOrText(label, url) {
  const safe = safeUrl(url);
  if (!safe) return el("span", {class: "mono", title: "not a web link"}, label === url ? url : label + " (" + url + ")");
  return el("a", {href: safe, rel: "noopener noreferrer", target: "_blank"}, label);
}

function decode(deltas) {
  const out = new Array(deltas.length); let value = 0;
  for (let i = 0; i < deltas.length; i++) { value += deltas[i]; out[i] = value; }
  return out;
}
function nodeId(n) { return KIND[D.nodes.kind[n]] + ":" + D.nodes.name[n]; }
const NODE_BY_ID = new Map();
let DEPENDENTS = [];
let HARD_REV = [];  // HARD_REV[n]: [dependent, entry, alternatives] for each hard entry naming n

/* The data: JSON, or for big landscapes zlib-compressed JSON in base64, unpacked by the browser. */
async function loadData() {
  const tag = document.getElementById("depgraph-data");
  if (tag.getAttribute("data-encoding") !== "deflate-base64") return JSON.parse(tag.textContent);
  const binary = atob(tag.textContent.trim());
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return JSON.parse(await new Response(stream).text());
}

/* Indexes built once: ids to numbers, and who depends on whom (hard or soft) from the entries. */
function indexData(data) {
  D = data; N = D.nodes.name.length; F = D.findings;
  for (let n = 0; n < N; n++) NODE_BY_ID.set(nodeId(n), n);
  DEPENDENTS = Array.from({length: N}, () => []);
  HARD_REV = Array.from({length: N}, () => []);
  for (let n = 0; n < N; n++) {
    D.nodes.deps[n].forEach((entry, number) => {
      for (let i = 1; i < entry.length; i++) {
        const list = DEPENDENTS[entry[i]];
        if (list[list.length - 1] !== n) list.push(n);
        if (entry[0]) HARD_REV[entry[i]].push([n, number, entry.length - 1]);
      }
    });
  }
}
function findingSubject(i) { return F.subject[i] === null ? nodeId(F.node[i]) : F.subject[i]; }

/* SPEC §2, as the failure engine computes it: from the services down first, a node goes down
   when one of its hard entries has every alternative down (a worklist over reverse hard edges). */
function propagateDown(initial) {
  const down = new Uint8Array(N);
  const stack = [];
  for (const n of initial) if (!down[n]) { down[n] = 1; stack.push(n); }
  const remaining = new Map();
  while (stack.length) {
    for (const [dependent, number, size] of HARD_REV[stack.pop()]) {
      if (down[dependent]) continue;
      const key = dependent + ":" + number;
      const left = (remaining.has(key) ? remaining.get(key) : size) - 1;
      if (left) remaining.set(key, left);
      else { down[dependent] = 1; stack.push(dependent); }
    }
  }
  return down;
}
/* The blast radius when ``initial`` services fall (``failed`` of them are the failure itself,
   never listed as down): computed on selection, so the page never stores it per component. */
function blastOf(initial, failed, overloaded) {
  const mark = propagateDown(initial);
  const hidden = new Set(failed);
  const down = [];
  for (let n = 0; n < N; n++) if (mark[n] && !hidden.has(n)) down.push(n);
  return impact(failed, down, overloaded);
}
/* SPEC §2: degraded = not down, not failed, and depending (transitively) on a down, failed or
   overloaded node (an overloaded node itself only when it depends on one too). */
function impact(failedNodes, downNodes, overloaded) {
  const mark = new Uint8Array(N);
  const stack = [];
  for (const n of failedNodes) { mark[n] = 3; stack.push(n); }
  for (const n of downNodes) { if (!mark[n]) { mark[n] = 2; stack.push(n); } }
  const degraded = [];
  const spread = () => {
    while (stack.length) {
      for (const d of DEPENDENTS[stack.pop()]) {
        if (!mark[d]) { mark[d] = 1; degraded.push(d); stack.push(d); }
      }
    }
  };
  spread();
  for (const n of overloaded || []) stack.push(n);
  spread();
  degraded.sort((a, b) => a - b);
  return {down: downNodes, degraded: degraded};
}
/* A service's failure leaves every service that is short of instances with nothing failed
   (D.overloaded) overloaded too, as the engine says (SPEC §2): their dependents degrade. */
function serviceImpact(n) { return blastOf([n], [n], D.overloaded); }
function spofImpact(i) {
  const node = D.spofs.node[i];
  return node >= 0 ? serviceImpact(node) : blastOf(decode(D.spofs.cause[i]), [], D.spofs.overloaded[i]);
}
function critical(n) { return D.nodes.kind[n] === 1 || D.nodes.tier[n] === 1; }
function byUrgency(a, b) {  /* the CLI's ranking, computed once by depgraph: D.nodes.urgency[n] is n's place */
  return D.nodes.urgency[a] - D.nodes.urgency[b];
}
/* Whom to call for a blast radius, in the order the CLI and the data-center panels use: teams
   with tier-1 services or clients down first, then most down, then most degraded; nobody last.
   Returns [team number or -1, down count, degraded count, tier-1/client down, owner name]. */
function whomToCall(result) {
  const teams = new Map();
  const owner = (n) => D.nodes.team[n] >= 0 ? teamName(D.nodes.team[n]) : (D.nodes.owner[n] || null);
  const add = (n, column) => {
    const name = owner(n);
    if (!teams.has(name)) teams.set(name, {t: D.nodes.team[n], down: 0, degraded: 0, critical: 0, criticalDegraded: 0});
    const row = teams.get(name);
    row[column]++;
    if (critical(n)) column === "down" ? row.critical++ : row.criticalDegraded++;
  };
  result.down.forEach((n) => add(n, "down"));
  result.degraded.forEach((n) => add(n, "degraded"));
  return [...teams.entries()].sort(([na, a], [nb, b]) => b.critical - a.critical || b.down - a.down ||
      b.criticalDegraded - a.criticalDegraded || b.degraded - a.degraded || (na === null) - (nb === null) ||
      (na < nb ? -1 : na > nb ? 1 : 0))
    .map(([name, row]) => [row.t, row.down, row.degraded, row.critical, name]);
}

function teamName(t) { return t >= 0 ? D.teams.name[t] : null; }
function tribeOfTeam(t) { return t >= 0 && D.teams.tribe[t] >= 0 ? D.tribes[D.teams.tribe[t]] : null; }
function fileRef(fileIndex, line) {
  if (fileIndex < 0) return "";
  return D.files[fileIndex] + (line ? ":" + line : "");
}
function tierBadge(n) {
  if (D.nodes.kind[n] === 1) return el("span", {class: "badge plain"}, "client");
  const tier = D.nodes.tier[n];
  return el("span", {class: "badge tier" + tier}, "tier " + tier);
}

/* A clickable name that opens the detail panel of a service or client. */
function nodeLink(n, label) {
  return el("button", {class: "link mono", type: "button", "data-node": String(n),
                       onclick: (e) => { e.stopPropagation(); select(n); }}, label || nodeId(n));
}
/* label(n): the chip's text (the node's name unless given), for the chips shown after "+ N more" too. */
function chip(n, cls, label) {
  return el("span", {class: "chip " + (cls || ""), title: nodeId(n), "data-node": String(n),
                     onclick: () => select(n)}, label ? label(n) : D.nodes.name[n]);
}
function chips(nodes, cls, limit, label) {
  const box = el("div", {class: "chain"});
  const shown = limit ? nodes.slice(0, limit) : nodes;
  shown.forEach((n) => box.appendChild(chip(n, cls, label)));
  if (shown.length < nodes.length) {
    const rest = el("button", {class: "btn", type: "button"}, "+ " + fmt(nodes.length - shown.length) + " more");
    rest.addEventListener("click", () => { rest.remove(); nodes.slice(shown.length).forEach((n) => box.appendChild(chip(n, cls, label))); });
    box.appendChild(rest);
  }
  return box;
}

/* ---- search ---------------------------------------------------------------------------- */
const searchBox = document.getElementById("search");
const resultsBox = document.getElementById("search-results");
let searchHits = [], searchActive = 0;

function searchFor(query) {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits = [];
  for (let n = 0; n < N; n++) {
    const name = D.nodes.name[n];
    const at = name.indexOf(q);
    if (at >= 0 || nodeId(n) === q) hits.push({rank: at === 0 ? (name.length === q.length ? 0 : 1) : 2, n: n});
  }
  D.teams.name.forEach((name, t) => {
    const at = name.indexOf(q);
    if (at >= 0) hits.push({rank: at === 0 ? 1.5 : 2.5, team: t});
  });
  places().forEach((place) => {
    const name = place.slice(place.indexOf(":") + 1), at = name.indexOf(q);
    if (at >= 0 || place === q) hits.push({rank: at === 0 ? 1.5 : 2.5, place: place});
  });
  hits.sort((a, b) => a.rank - b.rank || label(a).localeCompare(label(b)));
  return hits.slice(0, 30);
}
function label(hit) {
  if (hit.place !== undefined) return hit.place.slice(hit.place.indexOf(":") + 1);
  return hit.team !== undefined ? D.teams.name[hit.team] : D.nodes.name[hit.n];
}
/* The hosts, racks and data centers the page can open: every data center, rack and host (the
   placement data the map reads too), and every host or rack that is a single point of failure. */
let placeIds = null;
function places() {
  const placed = D.placement ? [...D.placement.racks.map(([dc, rack]) => "rack:" + D.placement.dcs[dc] + "/" + rack),
    ...D.placement.hosts.map((host) => "host:" + host)] : [];
  if (!placeIds) placeIds = [...new Set([...D.datacenters.map((dc) => "datacenter:" + dc.name),
    ...D.spofs.component.filter((c) => !c.startsWith("service:")), ...placed])].sort();
  return placeIds;
}
/* Open a host, rack or data center by id (a search hit, a #/ link): true when the page knows it. */
function openPlace(id) {
  const dc = D.datacenters.find((d) => "datacenter:" + d.name === id);
  if (dc) { showOutage(dc); return true; }
  const i = D.spofs.component.indexOf(id);
  if (i >= 0 && D.spofs.node[i] < 0) { showComponent(id, spofImpact(i), D.spofs.reduced[i]); return true; }
  const key = mapKeyOf(id);  /* any other host or rack: what runs there, from the map's data */
  if (key === null) return false;
  openKey(key);
  return true;
}

function showHits() {
  clear(resultsBox);
  searchHits.forEach((hit, i) => {
    const hint = hit.place !== undefined ? hit.place.split(":")[0].replace("datacenter", "data center")
      : hit.team !== undefined ? "team" + (tribeOfTeam(hit.team) ? " · " + tribeOfTeam(hit.team) : "")
      : (D.nodes.kind[hit.n] === 1 ? "client" : "tier " + D.nodes.tier[hit.n]) + (teamName(D.nodes.team[hit.n]) ? " · " + teamName(D.nodes.team[hit.n]) : "");
    const item = el("li", {role: "option", class: i === searchActive ? "active" : null}, el("span", {class: "mono"}, label(hit)), el("span", {class: "hint"}, hint));
    item.addEventListener("mousedown", (e) => { e.preventDefault(); pick(hit); });
    resultsBox.appendChild(item);
  });
}
function pick(hit) {
  searchBox.value = label(hit);
  searchHits = []; clear(resultsBox);
  searchBox.blur();  // so that Escape then closes the panel
  if (hit.place !== undefined) openPlace(hit.place);
  else if (hit.team !== undefined) selectTeam(hit.team); else select(hit.n);
}
searchBox.addEventListener("input", () => { searchHits = searchFor(searchBox.value); searchActive = 0; showHits(); });
searchBox.addEventListener("keydown", (e) => {
  if (e.key === "ArrowDown" && searchHits.length) { searchActive = (searchActive + 1) % searchHits.length; showHits(); e.preventDefault(); }
  else if (e.key === "ArrowUp" && searchHits.length) { searchActive = (searchActive - 1 + searchHits.length) % searchHits.length; showHits(); e.preventDefault(); }
  else if (e.key === "Enter" && searchHits.length) { pick(searchHits[searchActive]); e.preventDefault(); }
  else if (e.key === "Escape") {
    if (searchHits.length) { searchHits = []; clear(resultsBox); } else { searchBox.blur(); closeDetail(); }
  }
});
searchBox.addEventListener("blur", () => { searchHits = []; clear(resultsBox); });
document.addEventListener("keydown", (e) => {
  if (e.key === "/" && document.activeElement !== searchBox && !/input|select|textarea/i.test(document.activeElement.tagName)) { e.preventDefault(); searchBox.focus(); }
  if (e.key === "Escape" && document.activeElement !== searchBox) closeDetail();
});

/* ---- detail panel ---------------------------------------------------------------------- */
const detail = document.getElementById("detail");

function closeDetail() {
  detail.hidden = true;
  document.body.classList.remove("detail-open");
  highlight(null);
  if (location.hash.startsWith("#/")) history.replaceState(null, "", location.pathname + location.search);
}
function openDetail(title, children) {
  clear(detail);
  detail.appendChild(el("button", {class: "btn close", type: "button", title: "Close (Esc)", onclick: closeDetail}, "✕"));
  detail.appendChild(el("h2", {}, title));
  children.forEach((c) => c && detail.appendChild(c));
  detail.hidden = false;
  document.body.classList.add("detail-open");
  detail.scrollTop = 0;
}

function contactList(t) {
  const contact = t >= 0 ? D.teams.contact[t] : {};
  const first = ["pager", "slack", "email"];
  const keys = Object.keys(contact).sort((a, b) => ((first.indexOf(a) + 1) || 9) - ((first.indexOf(b) + 1) || 9) || a.localeCompare(b));
  if (!keys.length) return el("p", {class: "muted"}, "No contact declared.");
  const dl = el("dl", {class: "contact"});
  keys.forEach((key) => {
    const value = String(contact[key]);
    let shown = value;
    if (key === "email" && /^[^\s@<>"]+@[^\s@<>"]+$/.test(value)) shown = linkOrText(value, "mailto:" + value);
    else if (safeUrl(value)) shown = linkOrText(value, value);
    dl.appendChild(el("dt", {}, key));
    dl.appendChild(el("dd", {}, shown));
  });
  return dl;
}

function ownerBlock(n) {
  const t = D.nodes.team[n];
  if (t < 0) {
    const raw = D.nodes.owner[n];
    return el("div", {class: "notice"}, raw ? "Owner “" + raw + "” is no declared team: nobody to call." : "No owner: nobody to call.");
  }
  return el("div", {}, el("p", {}, el("button", {class: "link", type: "button", onclick: () => selectTeam(t)}, teamName(t)),
    tribeOfTeam(t) ? el("span", {class: "muted"}, " · tribe " + tribeOfTeam(t)) : null), contactList(t));
}

function dependencyList(n) {
  const entries = D.nodes.deps[n];
  if (!entries.length) return el("p", {class: "empty"}, "No dependencies.");
  const ul = el("ul", {});
  entries.forEach((entry) => {
    const alts = entry.slice(1);
    const kind = el("span", {class: "badge " + (entry[0] ? "hard" : "soft")}, entry[0] ? "hard" : "soft");
    if (alts.length > 1) ul.appendChild(el("li", {}, kind, " any of: ", alts.map((a, i) => [i ? ", " : "", nodeLink(a, D.nodes.name[a])])));
    else ul.appendChild(el("li", {}, kind, " ", nodeLink(alts[0], D.nodes.name[alts[0]])));
  });
  return ul;
}

/* Calls seen in production that no descriptor declares (report --observed), on the caller's
   panel: D.drift.undeclared rows are [caller, callee, calls, errors, connection type]. */
let OBSERVED = null;
function observedSection(n) {
  if (!D.drift) return [];
  if (!OBSERVED) {
    OBSERVED = new Map();
    D.drift.undeclared.forEach((row) => { if (!OBSERVED.has(row[0])) OBSERVED.set(row[0], []); OBSERVED.get(row[0]).push(row); });
  }
  const rows = OBSERVED.get(n) || [];
  if (!rows.length) return [];
  const ul = el("ul", {class: "undeclared"});
  rows.forEach(([, t, calls, errors, kind]) => ul.appendChild(el("li", {}, el("span", {class: "badge undeclared"}, "undeclared"), " ",
    nodeLink(t, D.nodes.name[t]), el("span", {class: "muted"}, " · " + plural(calls, "call") + ", " + plural(errors, "error") + (kind ? " · " + kind : "")))));
  return [el("h3", {}, "Observed, not declared (" + rows.length + ")"),
    el("p", {class: "muted"}, "Seen in " + D.drift.format + " data; no dependency declares it (depgraph drift --write adds it as soft)."), ul];
}

/* Teams to call, in the given (ranked) order: [team, down, degraded, tier-1/client down, name]. */
/* Whom to call: the first teams, then every other one behind a button (none left out). */
function callList(teams, limit) {
  const box = el("div", {class: "calls"});
  const shown = limit || 12;
  const call = ([t, down, degraded, urgent, name]) => {
    const counts = [down ? plural(down, "service") + " down" + (urgent ? " (" + urgent + " tier 1 or client)" : "") : null,
      degraded ? fmt(degraded) + " degraded" : null].filter(Boolean).join(", ");
    box.appendChild(el("div", {class: "call" + (urgent ? " urgent" : "")},
      el("b", {}, t >= 0 ? teamName(t) : (name ? name + " (no declared team)" : "(no owner)")),
      el("span", {class: "muted"}, " · " + counts), t >= 0 ? contactList(t) : null));
  };
  teams.slice(0, shown).forEach(call);
  if (teams.length > shown) {
    const more = el("button", {class: "link more-teams", type: "button", onclick: () => { more.remove(); teams.slice(shown).forEach(call); }},
      "… and " + plural(teams.length - shown, "more team") + ": show them");
    box.appendChild(more);
  }
  return box;
}

function blastBlock(subject, result) {
  const safe = !result.down.length && !result.degraded.length;
  return el("div", {class: "blast" + (safe ? " safe" : result.down.length ? "" : " mild")},
    el("div", {}, "If ", el("b", {class: "mono"}, subject), " fails:"),
    el("div", {class: "numbers"}, el("span", {}, el("b", {}, fmt(result.down.length)), " down"),
      el("span", {}, el("b", {}, fmt(result.degraded.length)), " degraded")),
    safe ? el("div", {}, "Nothing else goes down or degrades.") : null);
}

/* Whom to call first, then down, degraded and reduced: each service once, in its worst state
   (a degraded service that also lost instances is shown degraded, with its loss). */
function impactSections(subject, result, reduced, teams) {
  const parts = [blastBlock(subject, result)];
  const spof = D.spofs.component.indexOf(subject);
  if (spof >= 0 && D.spofs.why[spof]) parts.push(el("p", {class: "why"}, el("b", {}, "Why: "), D.spofs.why[spof]));
  const calls = teams || whomToCall(result);
  if (calls.length) parts.push(el("h3", {}, "Whom to call (" + fmt(calls.length) + ")"), callList(calls));
  const lost = new Map((reduced || []).map(([n, l, total]) => [n, [l, total]]));
  if (result.down.length) parts.push(el("h3", {}, "Down (" + fmt(result.down.length) + ")"), chips([...result.down].sort(byUrgency), "down", 120));
  if (result.degraded.length) {
    parts.push(el("h3", {}, "Degraded (" + fmt(result.degraded.length) + ")"));
    parts.push(chips([...result.degraded].sort(byUrgency), "degraded", 120, (n) => {
      const loss = lost.get(n);
      return D.nodes.name[n] + (loss ? " (" + loss[0] + "/" + loss[1] + " lost)" : "");
    }));
  }
  const degraded = new Set(result.degraded);
  const onlyReduced = (reduced || []).filter(([n]) => !degraded.has(n));
  if ((reduced || []).length) {
    const also = reduced.length - onlyReduced.length;
    parts.push(el("h3", {}, "Reduced capacity (" + fmt(reduced.length) + (also ? "; " + fmt(also) + " of them degraded, above" : "") + ")"));
    const box = el("div", {class: "chain"});
    onlyReduced.forEach(([n, l, total]) => box.appendChild(el("span", {class: "chip reduced", "data-node": String(n), onclick: () => select(n)}, D.nodes.name[n] + " " + l + "/" + total + " lost")));
    parts.push(box);
  }
  return parts;
}

function select(n) {
  const id = nodeId(n);
  const result = D.nodes.kind[n] === 0 ? serviceImpact(n) : {down: [], degraded: []};
  const meta = el("div", {class: "meta"}, tierBadge(n),
    D.nodes.kind[n] === 0 ? el("span", {class: "badge plain"}, D.lifecycles[D.nodes.lifecycle[n]]) : null,
    D.nodes.level[n] >= 0 ? el("span", {class: "badge plain"}, "readiness " + D.levels[D.nodes.level[n]]) : null,
    D.nodes.wave[n] >= 0 ? el("span", {class: "badge plain"}, "starts in wave " + D.nodes.wave[n]) : null,
    D.nodes.wave[n] === -1 ? el("span", {class: "badge hard"}, "cannot cold-start") : null);
  const src = D.nodes.src[n];
  const parts = [meta, D.nodes.desc[n] ? el("p", {}, D.nodes.desc[n]) : null,
    src[0] >= 0 ? el("p", {class: "muted mono"}, fileRef(src[0], src[1])) : null];
  parts.push(el("h3", {}, "Owner"), ownerBlock(n));
  if (D.nodes.kind[n] === 0) parts.push(el("h3", {}, "Blast radius"), ...impactSections(id, result, []));
  else parts.push(el("p", {class: "muted"}, "A client fails only with the services it needs: see its dependencies."));
  parts.push(el("h3", {}, "Dependencies (" + D.nodes.deps[n].length + ")"), dependencyList(n), ...observedSection(n));
  const dependents = DEPENDENTS[n];
  parts.push(el("h3", {}, "Dependents (" + dependents.length + ")"), dependents.length ? chips(dependents, "", 80) : el("p", {class: "empty"}, "Nothing depends on it."));
  parts.push(...recoverySection(n));
  parts.push(...placementSection(n), ...readinessSection(n), ...linksSection(n), ...findingsSection(id));
  openDetail(id, parts);
  highlight(n, result);
  if (location.hash !== "#/" + id) history.replaceState(null, "", "#/" + encodeURIComponent(id));
}

function placementSection(n) {
  const place = D.nodes.place[n];
  if (D.nodes.kind[n] !== 0) return [];
  if (!place.length) return [el("h3", {}, "Runs in"), el("p", {class: "empty"}, "No deployments declared.")];
  const rows = [];
  for (let i = 0; i < place.length; i += 2) rows.push(el("span", {class: "chip"}, place[i] + " × " + place[i + 1]));
  return [el("h3", {}, "Runs in"), el("div", {class: "chain"}, rows)];
}
function readinessSection(n) {
  const checks = D.nodes.checks[n];
  if (!checks) return [];
  const names = {y: "yes", n: "no", a: "n/a", m: "missing"};
  const box = el("div", {class: "checks"});
  D.checks.forEach((name, i) => box.appendChild(el("span", {class: "check-" + checks[i], title: names[checks[i]]}, name.replace(/_/g, " ") + (checks[i] === "m" ? " (missing)" : ""))));
  return [el("h3", {}, "Readiness: " + D.levels[D.nodes.level[n]]), box];
}
function linksSection(n) {
  const parts = [];
  const links = D.nodes.links[n];
  if (links && links.length) parts.push(el("h3", {}, "Links"), el("ul", {}, links.map(([title, url]) => el("li", {}, linkOrText(title, url)))));
  const labels = D.nodes.labels[n];
  if (labels) parts.push(el("h3", {}, "Labels"), el("div", {class: "chain"}, Object.keys(labels).map((k) => el("span", {class: "chip"}, k + ": " + labels[k]))));
  return parts;
}
function findingsSection(id) {
  const rows = [];
  const n = NODE_BY_ID.get(id);
  F.node.forEach((node, i) => { if (node === n) rows.push(i); });
  if (!rows.length) return [];
  return [el("h3", {}, "Findings (" + rows.length + ")"), el("ul", {}, rows.map((i) => el("li", {},
    el("span", {class: "badge sev-" + SEV[F.sev[i]]}, SEV[F.sev[i]]), " ", F.msg[i], whyLine(i))))];
}
function whyLine(i) {
  return F.why[i] ? el("div", {class: "why muted"}, el("b", {}, "Why: "), F.why[i]) : null;
}

function selectTeam(t) {
  const owned = [];
  for (let n = 0; n < N; n++) if (D.nodes.team[n] === t) owned.push(n);
  openDetail("team:" + teamName(t), [
    el("div", {class: "meta"}, tribeOfTeam(t) ? el("span", {class: "badge plain"}, "tribe " + tribeOfTeam(t)) : el("span", {class: "badge sev-info"}, "no tribe")),
    el("h3", {}, "Contact"), contactList(t),
    el("h3", {}, "Owns (" + owned.length + ")"), owned.length ? chips(owned, "", 200) : el("p", {class: "empty"}, "Nothing.")]);
  highlight(null);
}

/* A host, rack or data center: its blast radius (computed here, or the Report's for a data
   center, with its whom-to-call order). */
function showComponent(component, result, reduced, teams) {
  openDetail(component, impactSections(component, result, reduced, teams));
  highlight(-1, result);
  // a link to this outage: #/datacenter:NAME, #/rack:…, #/host:…
  if (location.hash !== "#/" + encodeURIComponent(component)) history.replaceState(null, "", "#/" + encodeURIComponent(component));
}

window.addEventListener("hashchange", fromHash);
function fromHash() {
  const id = decodeURIComponent(location.hash.replace(/^#\//, ""));
  if (!location.hash.startsWith("#/")) return;
  if (NODE_BY_ID.has(id)) select(NODE_BY_ID.get(id));
  else if (id.startsWith("team:") && D.teams.name.indexOf(id.slice(5)) >= 0) selectTeam(D.teams.name.indexOf(id.slice(5)));
  else openPlace(id);
}
