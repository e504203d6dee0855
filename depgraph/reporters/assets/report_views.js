/* depgraph report: the sections of the page, rendered from the data on load. */
"use strict";
const PAGE = 200;

function section(id) { return clear(document.getElementById(id)); }
function th(text, cls) { return el("th", {class: cls || null}, text); }
function tdNum(value) { return el("td", {class: "num"}, fmt(value)); }
function moreButton(shown, total, onMore) {
  if (shown >= total) return null;
  return el("div", {class: "more"}, el("button", {class: "btn", type: "button", onclick: onMore}, "Show " + fmt(Math.min(PAGE, total - shown)) + " more (" + fmt(total - shown) + " left)"));
}

/* ---- overview -------------------------------------------------------------------------- */
function renderOverview() {
  const s = D.summary, bySev = s.findings_by_severity;
  const box = section("overview");
  const bad = bySev.error > 0;
  /* the errors by rule: the parts add up to the headline's count */
  const problems = Object.entries(s.findings_by_rule.error).map(([rule, n]) => fmt(n) + " " + rule);
  box.appendChild(el("div", {class: "card"},
    el("div", {class: "verdict " + (bad ? "bad" : "good")},
      el("div", {class: "headline"}, bad ? plural(bySev.error, "error") + (bySev.error === 1 ? " needs" : " need") + " attention" : "No errors"),
      SEV.map((sev) => el("a", {class: "badge sev-" + sev, href: "#findings", onclick: () => setSeverityFilter(sev)}, sev === "info" ? fmt(bySev[sev]) + " info" : plural(bySev[sev], sev)))),
    el("div", {class: "root"}, problems.length ? "Errors: " + problems.join(" · ") : "No errors: no hard cycle, no single point of failure taking down tier 1 or a client, no unowned service.",
      el("div", {}, fmt(s.spofs) + " single points of failure in all, " + fmt(s.cycles) + " cycles (" + fmt(s.hard_cycles) + " hard), " + fmt(s.unowned) + " unowned services."),
      el("div", {}, "Descriptors: ", el("code", {}, D.root))),
    el("div", {class: "stats"}, [["services", s.services], ["clients", s.clients], ["hosts", s.hosts], ["racks", s.racks],
      ["data centers", s.datacenters], ["teams", s.teams], ["tribes", s.tribes], ["dependencies", s.dependencies]]
      .map(([name, value]) => el("div", {class: "stat"}, el("b", {}, fmt(value)), el("span", {}, name))))));
  D.notices.forEach((text) => box.appendChild(el("div", {class: "notice"}, text)));
  if (D.diagnostics.length) box.appendChild(el("details", {class: "notice"}, el("summary", {}, plural(D.diagnostics.length, "warning") + " while loading"),
    el("ul", {}, D.diagnostics.map((d) => el("li", {class: "mono"}, d)))));
  box.appendChild(el("div", {class: "grid cols3", style: null}, glanceCycles(), glanceSpofs(), glanceUnowned()));
}
function glanceCycles() {
  const hard = D.cycles.filter((c) => c.hard);
  const first = hard[0] || D.cycles[0];
  return el("div", {class: "card glance"}, el("h3", {}, el("a", {href: "#cycles"}, "Hard cycles"), el("span", {class: "big"}, fmt(hard.length))),
    first ? el("div", {}, el("div", {class: "muted"}, first.hard ? "For example:" : "Only soft cycles, e.g.:"), cycleChain(first.example)) : el("p", {class: "muted"}, "None: every service can start cold."),
    first && first.cuts.length ? el("div", {}, "Cut or soften ", cutText(first.cuts[0])) : null);
}
function glanceSpofs() {
  const top = D.spofs.component.slice(0, 5);
  return el("div", {class: "card glance"}, el("h3", {}, el("a", {href: "#spofs"}, "Single points of failure"), el("span", {class: "big"}, fmt(D.spofs.component.length))),
    top.length ? el("ol", {}, top.map((c, i) => el("li", {}, spofLink(i), el("span", {class: "muted"}, " — " + fmt(D.spofs.down[i]) + " down" + (D.spofs.tier1[i] ? ", " + D.spofs.tier1[i] + " tier-1" : "") + (D.spofs.clients[i] ? ", " + D.spofs.clients[i] + " clients" : "")))))
      : el("p", {class: "muted"}, "None: no single component takes anything down."));
}
function glanceUnowned() {
  return el("div", {class: "card glance"}, el("h3", {}, el("a", {href: "#unowned"}, "Unowned services"), el("span", {class: "big"}, fmt(D.unowned.length))),
    D.unowned.length ? el("ul", {}, D.unowned.slice(0, 5).map(([n, reason]) => el("li", {}, nodeLink(n, D.nodes.name[n]), el("span", {class: "muted"}, reason ? " — unknown team" : " — no owner"))))
      : el("p", {class: "muted"}, "Every service has an owner team."));
}

/* ---- findings -------------------------------------------------------------------------- */
const findingState = {sev: new Set(SEV), rule: "", team: "", tribe: "", text: "", sort: "sev", desc: false, shown: PAGE};
const FINDING_COLUMNS = [["sev", "severity"], ["rule", "rule"], ["subject", "subject"], ["msg", "message"], ["where", "where"]];

function setSeverityFilter(sev) { findingState.sev = new Set([sev]); findingState.shown = PAGE; renderFindings(); }
function findingKey(i, column) {
  if (column === "sev") return F.sev[i];
  if (column === "rule") return F.rules[F.rule[i]];
  if (column === "where") return fileRef(F.file[i], 0) + String(F.line[i]).padStart(7, "0");
  return column === "subject" ? findingSubject(i) : F.msg[i];
}
function filteredFindings() {
  const st = findingState, text = st.text.toLowerCase();
  const rows = [];
  for (let i = 0; i < F.sev.length; i++) {
    if (!st.sev.has(SEV[F.sev[i]])) continue;
    if (st.rule !== "" && F.rule[i] !== +st.rule) continue;
    if (st.team !== "" && F.team[i] !== +st.team) continue;
    if (st.tribe !== "" && F.tribe[i] !== +st.tribe) continue;
    if (text && !(F.msg[i].toLowerCase().includes(text) || findingSubject(i).includes(text))) continue;
    rows.push(i);
  }
  const dir = st.desc ? -1 : 1;
  rows.sort((a, b) => {
    const ka = findingKey(a, st.sort), kb = findingKey(b, st.sort);
    return (ka < kb ? -1 : ka > kb ? 1 : 0) * dir || F.sev[a] - F.sev[b] || a - b;
  });
  return rows;
}
function select_(name, options, value) {
  const s = el("select", {"data-filter": name}, el("option", {value: ""}, "all"));
  options.forEach(([v, text]) => s.appendChild(el("option", {value: String(v), selected: String(v) === value ? "selected" : null}, text)));
  s.addEventListener("change", () => { findingState[name] = s.value; findingState.shown = PAGE; renderFindingRows(); });
  return s;
}
function renderFindings() {
  const box = section("findings");
  const counts = [0, 0, 0]; F.sev.forEach((s) => counts[s]++);
  box.appendChild(el("h2", {}, "Findings (" + fmt(F.sev.length) + ")"));
  const filters = el("div", {class: "filters"});
  SEV.forEach((sev, i) => {
    const input = el("input", {type: "checkbox", "data-severity": sev, checked: findingState.sev.has(sev) ? "checked" : null});
    input.addEventListener("change", () => { input.checked ? findingState.sev.add(sev) : findingState.sev.delete(sev); findingState.shown = PAGE; renderFindingRows(); });
    filters.appendChild(el("label", {}, input, el("span", {class: "badge sev-" + sev}, sev + " " + fmt(counts[i]))));
  });
  const usedTeams = [...new Set(F.team.filter((t) => t >= 0))].sort((a, b) => D.teams.name[a].localeCompare(D.teams.name[b]));
  const usedTribes = [...new Set(F.tribe.filter((t) => t >= 0))].sort((a, b) => D.tribes[a].localeCompare(D.tribes[b]));
  filters.appendChild(el("label", {}, "rule ", select_("rule", F.rules.map((r, i) => [i, r]).sort((a, b) => a[1].localeCompare(b[1])), findingState.rule)));
  filters.appendChild(el("label", {}, "team ", select_("team", usedTeams.map((t) => [t, D.teams.name[t]]), findingState.team)));
  filters.appendChild(el("label", {}, "tribe ", select_("tribe", usedTribes.map((t) => [t, D.tribes[t]]), findingState.tribe)));
  const text = el("input", {type: "search", placeholder: "filter text…", value: findingState.text});
  text.addEventListener("input", () => { findingState.text = text.value; findingState.shown = PAGE; renderFindingRows(); });
  filters.appendChild(text);
  box.appendChild(filters);
  box.appendChild(el("div", {id: "findings-count", class: "muted"}));
  const head = el("tr", {});
  FINDING_COLUMNS.forEach(([key, title]) => {
    const cell = th(title, "sortable");
    cell.setAttribute("data-sort", key);
    cell.addEventListener("click", () => { findingState.desc = findingState.sort === key ? !findingState.desc : false; findingState.sort = key; renderFindingRows(); });
    head.appendChild(cell);
  });
  box.appendChild(el("div", {class: "table-wrap"}, el("table", {id: "findings-table"}, el("thead", {}, head), el("tbody", {}))));
  box.appendChild(el("div", {id: "findings-more"}));
  renderFindingRows();
}
function renderFindingRows() {
  const rows = filteredFindings();
  const body = clear(document.querySelector("#findings-table tbody"));
  document.querySelectorAll("#findings-table th").forEach((cell) => {
    cell.classList.toggle("sorted-asc", cell.dataset.sort === findingState.sort && !findingState.desc);
    cell.classList.toggle("sorted-desc", cell.dataset.sort === findingState.sort && findingState.desc);
  });
  rows.slice(0, findingState.shown).forEach((i) => {
    const node = F.node[i];
    body.appendChild(el("tr", {"data-severity": SEV[F.sev[i]], "data-rule": F.rules[F.rule[i]]},
      el("td", {}, el("span", {class: "badge sev-" + SEV[F.sev[i]]}, SEV[F.sev[i]])),
      el("td", {class: "mono nowrap"}, F.rules[F.rule[i]]),
      el("td", {}, node >= 0 ? nodeLink(node) : subjectLink(findingSubject(i))),
      el("td", {}, F.msg[i], whyLine(i)),
      el("td", {class: "mono muted where"}, whereCell(F.file[i], F.line[i]))));
  });
  if (!rows.length) body.appendChild(el("tr", {}, el("td", {colspan: "5", class: "empty"}, "No finding matches these filters.")));
  document.getElementById("findings-count").textContent = "Showing " + fmt(Math.min(rows.length, findingState.shown)) + " of " + fmt(rows.length) + " matching";
  const more = clear(document.getElementById("findings-more"));
  const button = moreButton(findingState.shown, rows.length, () => { findingState.shown += PAGE; renderFindingRows(); });
  if (button) more.appendChild(button);
}
/* A file and line that may wrap between folders, never inside the file name or its line. */
function whereCell(fileIndex, line) {
  const text = fileRef(fileIndex, line), cut = text.lastIndexOf("/") + 1;
  return [text.slice(0, cut), el("span", {class: "nowrap-line"}, text.slice(cut))];
}
function subjectLink(subject) {
  const spof = D.spofs.component.indexOf(subject);
  if (spof >= 0) return spofLink(spof);
  if (subject.startsWith("team:")) {
    const t = D.teams.name.indexOf(subject.slice(5));
    if (t >= 0) return el("button", {class: "link mono", type: "button", onclick: () => selectTeam(t)}, subject);
  }
  return el("span", {class: "mono"}, subject);
}

/* ---- cycles ---------------------------------------------------------------------------- */
function cycleChain(example) {
  const box = el("div", {class: "chain"});
  example.forEach((n, i) => { if (i) box.appendChild(el("span", {class: "arrow"}, "→")); box.appendChild(chip(n, "")); });
  return box;
}
function cutText(cut) {
  const targets = cut[4] && cut[4].length ? ["any of [", cut[4].map((n, i) => [i ? ", " : "", nodeLink(n, D.nodes.name[n])]), "]"]
    : [nodeLink(cut[1], D.nodes.name[cut[1]])];
  return el("span", {}, nodeLink(cut[0], D.nodes.name[cut[0]]), " → ", targets,
    cut[2] >= 0 ? el("span", {class: "muted mono"}, " (" + fileRef(cut[2], cut[3]) + ")") : null);
}
function renderCycles() {
  const box = section("cycles");
  box.appendChild(el("h2", {}, "Cycles (" + fmt(D.cycles.length) + ")"));
  box.appendChild(el("p", {class: "muted"}, "A hard cycle cannot start cold after an outage, and one failure takes the whole ring down. Soft cycles only echo failures."));
  if (!D.cycles.length) box.appendChild(el("p", {class: "empty"}, "No dependency cycles."));
  const grid = el("div", {class: "grid cols3"});
  D.cycles.slice(0, 60).forEach((c) => grid.appendChild(el("div", {class: "card"},
    el("h3", {}, el("span", {class: "badge " + (c.hard ? "hard" : "soft")}, c.hard ? "hard" : "soft"), " ", plural(c.members.length, "member")),
    cycleChain(c.example),
    c.cuts.length ? el("div", {}, el("b", {}, "Cut or soften: "), c.cuts.map((cut, i) => [i ? "; " : "", cutText(cut)])) : null,
    c.members.length > c.example.length - 1 ? el("details", {}, el("summary", {}, "all members"), chips(c.members, "", 100)) : null)));
  box.appendChild(grid);
  if (D.cycles.length > 60) box.appendChild(el("p", {class: "muted"}, "… and " + fmt(D.cycles.length - 60) + " more in report.json."));
  if (D.groupCycles.length) box.appendChild(el("div", {class: "card", style: null}, el("h3", {}, "Between teams and tribes"),
    el("ul", {}, D.groupCycles.map((g) => el("li", {}, plural(g.members.length, g.kind) + " in a cycle, e.g. ", el("span", {class: "mono"}, g.example.join(" → ")))))));
}

/* ---- single points of failure ---------------------------------------------------------- */
let spofShown = 50;
function spofLink(i) {
  const component = D.spofs.component[i], node = D.spofs.node[i];
  if (node >= 0) return nodeLink(node, component);
  const dc = D.datacenters.find((d) => "datacenter:" + d.name === component);
  return el("button", {class: "link mono", type: "button", onclick: () => dc ? showOutage(dc) : showComponent(component, spofImpact(i), D.spofs.reduced[i])}, component);
}
function renderSpofs() {
  const box = section("spofs");
  const total = D.spofs.component.length;
  box.appendChild(el("h2", {}, "Single points of failure (" + fmt(total) + ")"));
  box.appendChild(el("p", {class: "muted"}, "Components whose failure alone takes a service or client down, the worst first: most tier-1 services and clients down, then most down."));
  if (!total) { box.appendChild(el("p", {class: "empty"}, "None.")); return; }
  const max = Math.max(...D.spofs.down.slice(0, 1), 1);
  const body = el("tbody", {});
  D.spofs.component.slice(0, spofShown).forEach((c, i) => body.appendChild(el("tr", {},
    el("td", {class: "num"}, String(i + 1)), el("td", {}, spofLink(i)), el("td", {}, c.split(":")[0]),
    tdNum(D.spofs.tier1[i]), tdNum(D.spofs.clients[i]),
    el("td", {class: "num"}, fmt(D.spofs.down[i]), el("span", {class: "impact-bar", style: "width:" + Math.round(60 * D.spofs.down[i] / Math.max(max, ...D.spofs.down.slice(0, spofShown))) + "px"})),
    tdNum(D.spofs.degraded[i]))));
  box.appendChild(el("div", {class: "table-wrap"}, el("table", {id: "spof-table"}, el("thead", {}, el("tr", {}, th("#", "num"), th("component"), th("kind"),
    th("tier-1 down", "num"), th("clients down", "num"), th("down", "num"), th("degraded", "num"))), body)));
  const more = moreButton(spofShown, total, () => { spofShown += PAGE; renderSpofs(); });
  if (more) box.appendChild(more);
}

/* ---- unowned --------------------------------------------------------------------------- */
function renderUnowned() {
  const box = section("unowned");
  box.appendChild(el("h2", {}, "Unowned services (" + fmt(D.unowned.length) + ")"));
  if (!D.unowned.length) { box.appendChild(el("p", {class: "empty"}, "Every service is owned by a declared team.")); return; }
  box.appendChild(el("div", {class: "table-wrap"}, el("table", {}, el("thead", {}, el("tr", {}, th("service"), th("tier"), th("reason"), th("description"))),
    el("tbody", {}, D.unowned.slice(0, 500).map(([n, reason]) => el("tr", {}, el("td", {}, nodeLink(n, D.nodes.name[n])), el("td", {}, tierBadge(n)),
      el("td", {}, reason ? "owner “" + D.nodes.owner[n] + "” is no declared team" : "no owner"), el("td", {}, D.nodes.desc[n])))))));
}
