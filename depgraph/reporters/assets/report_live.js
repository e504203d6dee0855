/* depgraph report, served live by `depgraph serve`: a what-if for any set of failed components,
   answered by the server's /api/blast-radius (the same document as `depgraph blast-radius
   --format json`). A page read from a file has no D.live and shows none of this. */
"use strict";

const WHATIF = {failed: []};

function renderLive() {
  if (!D.live) return;
  const ids = [];
  for (let n = 0; n < N; n++) if (D.nodes.kind[n] === 0) ids.push(nodeId(n));
  D.datacenters.forEach((dc) => ids.push("datacenter:" + dc.name));
  const options = el("datalist", {id: "whatif-ids"}, ids.sort().map((id) => el("option", {value: id})));
  const input = el("input", {id: "whatif-input", type: "text", list: "whatif-ids", autocomplete: "off", spellcheck: "false",
    placeholder: "datacenter:lon1, rack:sto1/b, host:…, service:…", "aria-label": "A component that fails"});
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); addFailed(input); } });
  const card = el("div", {class: "card", id: "whatif"},
    el("h2", {}, "What if… (live)"),
    el("p", {class: "muted"}, "Fail several components at once: this page asks the running depgraph serve, " +
      "so the answer is of the descriptors as they are now."),
    el("div", {class: "chain"}, input, options,
      el("button", {class: "btn", type: "button", id: "whatif-add", onclick: () => addFailed(input)}, "Add"),
      el("button", {class: "btn", type: "button", id: "whatif-run", onclick: runWhatIf}, "Fail them together"),
      el("button", {class: "btn", type: "button", id: "whatif-clear", onclick: () => { WHATIF.failed = []; showFailed(); }}, "Clear")),
    el("div", {class: "chain", id: "whatif-failed"}),
    el("div", {id: "whatif-result", "aria-live": "polite"}));
  const overview = document.getElementById("overview");
  overview.insertBefore(card, overview.firstChild);
}

function addFailed(input) {
  input.value.split(/[\s,]+/).filter(Boolean).forEach((id) => { if (!WHATIF.failed.includes(id)) WHATIF.failed.push(id); });
  input.value = "";
  showFailed();
}

function showFailed() {
  const box = clear(document.getElementById("whatif-failed"));
  WHATIF.failed.forEach((id) => box.appendChild(el("span", {class: "chip down", "data-failed": id,
    onclick: () => { WHATIF.failed = WHATIF.failed.filter((f) => f !== id); showFailed(); }}, id + " ✕")));
}

async function runWhatIf() {
  const input = document.getElementById("whatif-input");
  if (input.value.trim()) addFailed(input);
  const out = clear(document.getElementById("whatif-result"));
  if (!WHATIF.failed.length) { out.appendChild(el("p", {class: "muted"}, "Add a component first.")); return; }
  const query = WHATIF.failed.map((id) => "component=" + encodeURIComponent(id)).join("&");
  out.appendChild(el("p", {class: "muted"}, "Asking the server…"));
  let answer, status;
  try {
    const response = await fetch(D.live.api + "blast-radius?" + query + "&limit=500", {headers: {Accept: "application/json"}});
    status = response.status;
    answer = await response.json();
  } catch (error) {
    clear(out).appendChild(el("div", {class: "notice"}, "The server did not answer (" + error + ")."));
    return;
  }
  clear(out);
  if (status !== 200) { out.appendChild(el("div", {class: "notice", id: "whatif-error"}, answer.error || ("HTTP " + status))); return; }
  showAnswer(out, answer);
}

function idChips(ids, cls, limit) {
  const box = el("div", {class: "chain"});
  ids.slice(0, limit).forEach((id) => {
    const n = NODE_BY_ID.get(id);
    box.appendChild(el("span", {class: "chip " + cls, "data-id": id, onclick: n === undefined ? null : () => select(n)}, id));
  });
  if (ids.length > limit) box.appendChild(el("span", {class: "muted"}, "… and " + fmt(ids.length - limit) + " more"));
  return box;
}

function showAnswer(out, answer) {
  const cut = answer.truncated || {};
  const count = (key) => cut[key] || answer[key].length;
  const safe = !answer.down.length && !answer.degraded.length;
  out.appendChild(el("div", {class: "blast" + (safe ? " safe" : answer.down.length ? "" : " mild"), id: "whatif-numbers"},
    el("div", {}, "If ", el("b", {class: "mono"}, answer.failed.join(" + ")), " fail:"),
    el("div", {class: "numbers"},
      el("span", {}, el("b", {"data-count": "down"}, fmt(count("down"))), " down"),
      el("span", {}, el("b", {"data-count": "degraded"}, fmt(count("degraded"))), " degraded"),
      el("span", {}, el("b", {"data-count": "reduced"}, fmt(count("reduced"))), " reduced"),
      el("span", {}, el("b", {"data-count": "overloaded"}, fmt(count("overloaded"))), " overloaded")),
    safe ? el("div", {}, "Nothing else goes down or degrades.") : null));
  if (answer.teams.length) {
    out.appendChild(el("h3", {}, "Whom to call (" + fmt(count("teams")) + ")"));
    out.appendChild(el("div", {class: "calls", id: "whatif-calls"}, answer.teams.slice(0, 12).map((team) =>
      el("div", {class: "call"}, el("b", {}, team.team), el("span", {class: "muted"}, " · " + plural(team.services.length, "service")),
        el("div", {class: "muted"}, Object.keys(team.contact).sort().map((how) => how + ": " + team.contact[how]).join(" · "))))));
  }
  if (answer.down.length) out.append(el("h3", {}, "Down"), idChips(answer.down, "down", 120));
  if (answer.degraded.length) out.append(el("h3", {}, "Degraded"), idChips(answer.degraded, "degraded", 120));
  if (answer.reduced.length) out.append(el("h3", {}, "Reduced capacity"), idChips(answer.reduced.map((r) => r.service), "reduced", 120));
  const numbers = (ids) => ids.map((id) => NODE_BY_ID.get(id)).filter((n) => n !== undefined);
  highlight(-1, {down: numbers(answer.down), degraded: numbers(answer.degraded)});
  mapDrawAnswer(answer.failed.join(" + "), numbers(answer.failed), numbers(answer.down), numbers(answer.degraded),
    answer.reduced.map((r) => [NODE_BY_ID.get(r.service)]).filter((r) => r[0] !== undefined));
}
