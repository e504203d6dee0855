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
  for (const child of children.flat()) {
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
  for (let n = 0; n < N; n++) {
    for (const entry of D.nodes.deps[n]) {
      for (let i = 1; i < entry.length; i++) {
        const list = DEPENDENTS[entry[i]];
        if (list[list.length - 1] !== n) list.push(n);
      }
    }
  }
}
function findingSubject(i) { return F.subject[i] === null ? nodeId(F.node[i]) : F.subject[i]; }

/* SPEC §2: degraded = not down, not failed, and depending (transitively) on a down or failed node. */
function impact(failedNodes, downNodes) {
  const mark = new Uint8Array(N);
  const stack = [];
  for (const n of failedNodes) { mark[n] = 3; stack.push(n); }
  for (const n of downNodes) { if (!mark[n]) { mark[n] = 2; stack.push(n); } }
  const degraded = [];
  while (stack.length) {
    for (const d of DEPENDENTS[stack.pop()]) {
      if (!mark[d]) { mark[d] = 1; degraded.push(d); stack.push(d); }
    }
  }
  degraded.sort((a, b) => a - b);
  return {down: downNodes, degraded: degraded};
}
function serviceImpact(n) { return impact([n], decode(D.nodes.down[n])); }

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
function chip(n, cls) {
  return el("span", {class: "chip " + (cls || ""), title: nodeId(n), "data-node": String(n),
                     onclick: () => select(n)}, D.nodes.name[n]);
}
function chips(nodes, cls, limit) {
  const box = el("div", {class: "chain"});
  const shown = limit ? nodes.slice(0, limit) : nodes;
  shown.forEach((n) => box.appendChild(chip(n, cls)));
  if (shown.length < nodes.length) {
    const rest = el("button", {class: "btn", type: "button"}, "+ " + fmt(nodes.length - shown.length) + " more");
    rest.addEventListener("click", () => { rest.remove(); nodes.slice(shown.length).forEach((n) => box.appendChild(chip(n, cls))); });
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
  hits.sort((a, b) => a.rank - b.rank || label(a).localeCompare(label(b)));
  return hits.slice(0, 30);
}
function label(hit) { return hit.team !== undefined ? D.teams.name[hit.team] : D.nodes.name[hit.n]; }

function showHits() {
  clear(resultsBox);
  searchHits.forEach((hit, i) => {
    const hint = hit.team !== undefined ? "team" + (tribeOfTeam(hit.team) ? " · " + tribeOfTeam(hit.team) : "")
      : (D.nodes.kind[hit.n] === 1 ? "client" : "tier " + D.nodes.tier[hit.n]) + (teamName(D.nodes.team[hit.n]) ? " · " + teamName(D.nodes.team[hit.n]) : "");
    const item = el("li", {role: "option", class: i === searchActive ? "active" : null}, el("span", {class: "mono"}, label(hit)), el("span", {class: "hint"}, hint));
    item.addEventListener("mousedown", (e) => { e.preventDefault(); pick(hit); });
    resultsBox.appendChild(item);
  });
}
function pick(hit) {
  searchBox.value = label(hit);
  searchHits = []; clear(resultsBox);
  if (hit.team !== undefined) selectTeam(hit.team); else select(hit.n);
}
searchBox.addEventListener("input", () => { searchHits = searchFor(searchBox.value); searchActive = 0; showHits(); });
searchBox.addEventListener("keydown", (e) => {
  if (e.key === "ArrowDown" && searchHits.length) { searchActive = (searchActive + 1) % searchHits.length; showHits(); e.preventDefault(); }
  else if (e.key === "ArrowUp" && searchHits.length) { searchActive = (searchActive - 1 + searchHits.length) % searchHits.length; showHits(); e.preventDefault(); }
  else if (e.key === "Enter" && searchHits.length) { pick(searchHits[searchActive]); e.preventDefault(); }
  else if (e.key === "Escape") { searchHits = []; clear(resultsBox); }
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

function callList(nodes) {
  const byTeam = new Map();
  nodes.forEach((n) => { const t = D.nodes.team[n]; if (!byTeam.has(t)) byTeam.set(t, []); byTeam.get(t).push(n); });
  const box = el("div", {});
  [...byTeam.keys()].sort((a, b) => (a < 0) - (b < 0) || byTeam.get(b).length - byTeam.get(a).length).forEach((t) => {
    box.appendChild(el("div", {class: "call"}, el("b", {}, t >= 0 ? teamName(t) : "(no owner team)"),
      el("span", {class: "muted"}, " · " + plural(byTeam.get(t).length, "service") + " down"),
      t >= 0 ? contactList(t) : null));
  });
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

function impactSections(subject, result, reduced) {
  const parts = [blastBlock(subject, result)];
  if (result.down.length) parts.push(el("h3", {}, "Down (" + fmt(result.down.length) + ")"), chips(result.down, "down", 120));
  if (result.degraded.length) parts.push(el("h3", {}, "Degraded (" + fmt(result.degraded.length) + ")"), chips(result.degraded, "degraded", 120));
  if (reduced && reduced.length) {
    parts.push(el("h3", {}, "Reduced capacity (" + fmt(reduced.length) + ")"));
    const box = el("div", {class: "chain"});
    reduced.forEach(([n, lost, total]) => box.appendChild(el("span", {class: "chip reduced", onclick: () => select(n)}, D.nodes.name[n] + " " + lost + "/" + total + " lost")));
    parts.push(box);
  }
  if (result.down.length) parts.push(el("h3", {}, "Whom to call"), callList(result.down));
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
  parts.push(el("h3", {}, "Dependencies (" + D.nodes.deps[n].length + ")"), dependencyList(n));
  const dependents = DEPENDENTS[n];
  parts.push(el("h3", {}, "Dependents (" + dependents.length + ")"), dependents.length ? chips(dependents, "", 80) : el("p", {class: "empty"}, "Nothing depends on it."));
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
    el("span", {class: "badge sev-" + SEV[F.sev[i]]}, SEV[F.sev[i]]), " ", F.msg[i])))];
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

function showComponent(component, downNodes, reduced) {
  const result = impact([], downNodes);
  openDetail(component, impactSections(component, result, reduced));
  highlight(-1, result);
}

window.addEventListener("hashchange", fromHash);
function fromHash() {
  const id = decodeURIComponent(location.hash.replace(/^#\//, ""));
  if (location.hash.startsWith("#/") && NODE_BY_ID.has(id)) select(NODE_BY_ID.get(id));
}
