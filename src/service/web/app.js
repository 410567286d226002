// The modstaff workbench: one page over the service's API. Everything the planner opens,
// solves and changes stays in this page's state (and in the workbench file they can save);
// the server keeps only jobs.
"use strict";

const S = {
  token: sessionStorage.getItem("modstaff-token") || "",
  instance: null, // the instance file's JSON, as edited here (pins, forbids, capacities)
  plan: null, // the current plan
  previous: null, // the plan before the last re-solve, for "who moved"
  job: null, // the running job's id
  history: [], // [elapsed, best, bound] of the running job
  scenarios: [], // {name, toml}
};

const $ = (id) => document.getElementById(id);

/** An element with attributes and children (strings become text, never HTML). */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function table(headers, rows, numeric = []) {
  return el("table", {},
    el("thead", {}, el("tr", {}, headers.map((h, i) => el("th", { class: numeric.includes(i) ? "num" : "" }, h)))),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c, i) => el("td", { class: numeric.includes(i) ? "num" : "" }, c))))));
}

const hours = (h) => (Math.round(h * 100) / 100).toString();

/** Calls the API; a problem+json answer becomes an Error carrying the problem. */
async function api(method, path, body, type = "application/json") {
  const headers = {};
  if (S.token) headers.Authorization = "Bearer " + S.token;
  if (body !== undefined) headers["Content-Type"] = type;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : (type === "application/json" ? JSON.stringify(body) : body) });
  if (r.status === 401) {
    $("token-box").hidden = false;
    throw Object.assign(new Error("this server needs a token: enter it above"), { status: 401 });
  }
  if (!r.ok) {
    let problem = null;
    try { problem = await r.json(); } catch (_) { /* not JSON */ }
    const e = new Error(problem && problem.detail ? problem.detail : `${r.status} ${r.statusText}`);
    e.problem = problem;
    e.status = r.status;
    throw e;
  }
  return r;
}

function showProblems(err) {
  const box = $("problems");
  box.replaceChildren();
  if (!err) return;
  box.append(el("p", { class: "error" }, err.message));
  const list = (err.problem && (err.problem.errors || err.problem.diagnostics)) || [];
  if (list.length) {
    box.append(el("ul", { class: "problems" }, list.map((d) => {
      const where = [d.file, d.sheet && `sheet ${d.sheet}`, d.row && `row ${d.row}`, d.column && `column ${d.column}`, d.path, d.line && `line ${d.line}`]
        .filter(Boolean).join(", ");
      return el("li", { class: d.severity === "warning" ? "warning" : "error" },
        where ? `${where}: ` : "", d.message, d.hint ? ` (hint: ${d.hint})` : "");
    })));
  }
}

// ---- opening a bureau ----------------------------------------------------------------------

async function openFile(file) {
  showProblems(null);
  const name = file.name.toLowerCase();
  try {
    if (name.endsWith(".json")) {
      const data = JSON.parse(await file.text());
      if (data.workbench === 1) return restore(data);
      return setInstance(data);
    }
    const type = name.endsWith(".xlsx")
      ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
      : name.endsWith(".zip") ? "application/zip" : null;
    if (!type) throw new Error(`${file.name}: expected .xlsx, .zip or .json`);
    const r = await api("POST", `/v1/import?filename=${encodeURIComponent(file.name)}`, await file.arrayBuffer(), type);
    const answer = await r.json();
    setInstance(answer.instance, answer.warnings || answer.diagnostics);
  } catch (e) {
    showProblems(e);
  }
}

async function setInstance(instance, warnings) {
  // Validate first: the answer lists every problem with its place.
  await api("POST", "/v1/validate", { instance });
  S.instance = instance;
  S.plan = S.previous = null;
  $("bureau-name").textContent = `${instance.name}: ${instance.staff.length} people, ${instance.modules.length} modules, ${instance.duties.length} duties`;
  if (warnings && warnings.length) showProblems({ message: `${warnings.length} warning(s)`, problem: { errors: warnings } });
  $("posts-cap").value = (instance.rules && instance.rules.max_posts) || "";
  for (const id of ["solve", "whatif"]) $(id).hidden = false;
  for (const id of ["plan", "explain"]) $(id).hidden = true;
  $("resolve-btn").disabled = true;
}

async function loadExamples() {
  try {
    const list = await (await api("GET", "/v1/examples")).json();
    for (const x of list) $("examples").append(el("option", { value: x.name }, `${x.title} (${x.staff} people, ${x.modules} modules)`));
  } catch (e) {
    showProblems(e);
  }
}

// ---- solving -------------------------------------------------------------------------------

async function solve(fromPlan) {
  const limit = Number($("time-limit").value) || 10;
  const body = { instance: S.instance, time_limit: limit };
  if (fromPlan && S.plan) body.start = { posts: S.plan.posts, assignments: S.plan.assignments };
  try {
    const job = await (await api("POST", "/v1/jobs", body)).json();
    S.job = job.id;
    S.history = [];
    $("solve-btn").disabled = $("resolve-btn").disabled = true;
    $("stop-btn").disabled = false;
    poll(job.id);
  } catch (e) {
    showProblems(e);
  }
}

async function poll(id, misses = 0) {
  if (S.job !== id) return; // stopped meanwhile
  let view;
  try {
    view = await (await api("GET", `/v1/jobs/${encodeURIComponent(id)}`)).json();
  } catch (e) {
    if (S.job !== id) return;
    // No answer at all (the server is restarting): keep asking for a minute.
    if (e.status === undefined && misses < 150) {
      $("progress").textContent = "the server does not answer; retrying…";
      setTimeout(() => poll(id, misses + 1), 400);
      return;
    }
    finishJob();
    // A restarted server forgets its jobs: say so rather than wait for ever.
    $("progress").textContent = e.status === 404 ? "the job was lost (the server restarted?): solve again" : e.message;
    return;
  }
  const p = view.progress;
  if (p) {
    if (p.best !== null && p.best !== undefined) S.history.push([p.elapsed, p.best, p.bound]);
    $("progress").textContent = `${view.status}: ${p.elapsed.toFixed(1)} s` +
      (p.best !== null && p.best !== undefined ? ` · best ${hours(p.best)} · bound ${hours(p.bound)} · gap ${(100 * p.gap).toFixed(2)}%` : ` · ${p.phase || "starting"}`);
    drawChart();
  } else {
    $("progress").textContent = `${view.status}…`;
  }
  if (view.status === "queued" || view.status === "running") {
    setTimeout(() => poll(id), 400);
    return;
  }
  if (S.job !== id) return;
  finishJob();
  if (view.plan) showPlan(view.plan);
  if (view.status === "failed") $("progress").textContent = "the solve failed";
}

function finishJob() {
  S.job = null;
  $("solve-btn").disabled = false;
  $("resolve-btn").disabled = !S.plan;
  $("stop-btn").disabled = true;
}

async function stop() {
  const id = S.job;
  if (!id) return;
  try {
    // DELETE answers with the job and its best plan, and the server forgets it.
    const view = await (await api("DELETE", `/v1/jobs/${encodeURIComponent(id)}`)).json();
    if (S.job !== id) return;
    finishJob();
    $("progress").textContent = "stopped: the best plan so far";
    if (view.plan) showPlan(view.plan);
  } catch (e) {
    showProblems(e);
  }
}

function drawChart() {
  const svg = $("chart");
  svg.replaceChildren();
  const h = S.history;
  if (h.length < 1) return;
  const ns = "http://www.w3.org/2000/svg";
  const maxT = Math.max(h[h.length - 1][0], 1);
  const values = h.flatMap((r) => [r[1], r[2]]);
  const lo = Math.min(...values), hi = Math.max(...values, lo + 1);
  const x = (t) => 40 + (540 * t) / maxT;
  const y = (v) => 10 + (130 * (hi - v)) / (hi - lo);
  for (const [k, colour] of [[1, "#1f6feb"], [2, "#067647"]]) {
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", h.map((r) => `${x(r[0]).toFixed(1)},${y(r[k]).toFixed(1)}`).join(" "));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", colour);
    line.setAttribute("stroke-width", "2");
    svg.append(line);
  }
  for (const [v, label] of [[hi, hours(hi)], [lo, hours(lo)]]) {
    const t = document.createElementNS(ns, "text");
    t.setAttribute("x", "2");
    t.setAttribute("y", String(y(v) + 4));
    t.setAttribute("font-size", "10");
    t.textContent = label;
    svg.append(t);
  }
}

// ---- the plan ------------------------------------------------------------------------------

const byId = (list) => Object.fromEntries(list.map((x) => [x.id, x]));
const label = (x) => (x && x.name ? `${x.name} (${x.id})` : x ? x.id : "");

function showPlan(plan) {
  if (S.plan) S.previous = S.plan;
  S.plan = plan;
  $("plan").hidden = $("explain").hidden = false;
  $("resolve-btn").disabled = false;
  const t = plan.totals || {};
  $("headline").textContent = `${hours(t.uncovered_hours || 0)} of ${hours(t.hours || 0)} h uncovered in ${t.uncovered_duties || 0} ${t.uncovered_duties === 1 ? "duty" : "duties"} ` +
    `(weighted ${hours(plan.objective.coverage)}, ${plan.status === "optimal" ? "proven optimal" : `gap ${(100 * plan.solver.gap).toFixed(2)}%`})`;
  renderMoved();
  renderChanges();
  renderGrid();
  renderCoverage();
  renderUncovered();
  renderLiaisons();
  renderUnits();
}

function postsOf(plan) {
  const m = {};
  for (const p of plan ? plan.posts : []) (m[p.person] = m[p.person] || new Set()).add(p.module);
  return m;
}

function renderMoved() {
  const box = $("moved");
  box.replaceChildren();
  if (!S.previous) return;
  const before = postsOf(S.previous), after = postsOf(S.plan);
  const staff = byId(S.instance.staff), modules = byId(S.instance.modules);
  const rows = [];
  for (const person of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = before[person] || new Set(), a = after[person] || new Set();
    const joined = [...a].filter((m) => !b.has(m)).map((m) => label(modules[m]));
    const left = [...b].filter((m) => !a.has(m)).map((m) => label(modules[m]));
    if (joined.length || left.length) rows.push([label(staff[person]), joined.join(", "), left.join(", ")]);
  }
  box.append(el("h3", {}, `Against the previous plan: ${rows.length} ${rows.length === 1 ? "person moves" : "people move"}`));
  if (rows.length) box.append(table(["person", "joins", "leaves"], rows));
}

function renderChanges() {
  const staff = byId(S.instance.staff), modules = byId(S.instance.modules);
  const rows = (S.plan.changes || []).map((c) => [label(staff[c.person]), c.change === "joined" ? "joins" : "leaves", label(modules[c.module]), c.change === "joined" ? hours(c.hours || 0) : ""]);
  $("changes").replaceChildren(rows.length ? table(["person", "", "module", "hours"], rows, [3]) : el("p", {}, "Nobody changes posts."));
}

/** The mark of a post in the instance: pinned, forbidden or none. */
function mark(person, module) {
  if ((person.fixed_posts || []).includes(module)) return "pin";
  if ((person.unavailable || []).includes(module)) return "forbid";
  return "";
}

function cycleMark(person, module) {
  const now = mark(person, module);
  person.fixed_posts = (person.fixed_posts || []).filter((m) => m !== module);
  person.unavailable = (person.unavailable || []).filter((m) => m !== module);
  if (now === "") person.fixed_posts.push(module);
  else if (now === "pin") person.unavailable.push(module);
  renderGrid();
}

function renderGrid() {
  const inst = S.instance, plan = S.plan;
  const held = postsOf(plan);
  const moduleOf = Object.fromEntries(inst.duties.map((d) => [d.id, d.module]));
  const work = {};
  for (const a of plan.assignments) {
    const k = `${a.person}|${a.module || moduleOf[a.duty]}`;
    work[k] = (work[k] || 0) + a.hours;
  }
  const header = el("tr", {}, el("th", {}, "person"), el("th", { class: "num" }, "capacity"), el("th", { class: "num" }, "max posts"),
    inst.modules.map((m) => el("th", { class: "mod", title: label(m) }, m.name || m.id)));
  const rows = inst.staff.map((p) => {
    const capacity = el("input", { type: "number", min: "1", step: "1", value: p.capacity, "aria-label": `capacity of ${p.id}` });
    capacity.addEventListener("change", () => { p.capacity = Number(capacity.value); });
    const maxPosts = el("input", { type: "number", min: "1", step: "1", value: p.max_posts || (inst.rules && inst.rules.max_posts) || "", "aria-label": `max posts of ${p.id}` });
    maxPosts.addEventListener("change", () => { p.max_posts = Number(maxPosts.value); });
    return el("tr", {}, el("th", {}, label(p)), el("td", { class: "num" }, capacity), el("td", { class: "num" }, maxPosts),
      inst.modules.map((m) => {
        const has = held[p.id] && held[p.id].has(m.id);
        const h = work[`${p.id}|${m.id}`];
        const cls = ["cell", has ? "held" : "", mark(p, m.id)].join(" ");
        return el("td", { class: cls, title: `${label(p)} · ${label(m)}`, "data-person": p.id, "data-module": m.id, onclick: () => cycleMark(p, m.id) },
          has ? hours(h || 0) : "");
      }));
  });
  $("grid").replaceChildren(el("table", { class: "grid" }, el("thead", {}, header), el("tbody", {}, rows)));
}

function renderCoverage() {
  const inst = S.instance;
  const uncovered = {};
  const dutyModule = Object.fromEntries(inst.duties.map((d) => [d.id, d.module]));
  for (const u of S.plan.uncovered) uncovered[dutyModule[u.duty]] = (uncovered[dutyModule[u.duty]] || 0) + u.hours;
  const rows = inst.modules.map((m) => {
    const total = inst.duties.filter((d) => d.module === m.id).reduce((s, d) => s + d.hours, 0);
    const miss = uncovered[m.id] || 0;
    const share = total ? (total - miss) / total : 1;
    return [label(m), hours(total), hours(total - miss), el("span", {}, el("span", { class: "bar", style: null, "data-w": share }), ` ${Math.round(share * 100)}%`)];
  });
  $("coverage").replaceChildren(table(["module", "hours", "covered", "coverage"], rows, [1, 2]));
  for (const b of $("coverage").querySelectorAll(".bar")) b.style.width = `${Math.round(Number(b.dataset.w) * 120)}px`;
}

function renderUncovered() {
  const duties = byId(S.instance.duties), modules = byId(S.instance.modules);
  const rows = S.plan.uncovered.map((u) => [label(duties[u.duty]), label(modules[duties[u.duty] && duties[u.duty].module]), hours(u.hours), duties[u.duty] ? duties[u.duty].weight || 1 : "", u.reason || ""]);
  $("uncovered").replaceChildren(rows.length ? table(["duty", "module", "hours", "weight", "why"], rows, [2, 3]) : el("p", {}, "Every duty is covered."));
}

function renderLiaisons() {
  const staff = byId(S.instance.staff), cps = byId(S.instance.counterparts || []);
  const rows = S.plan.liaisons.map((l) => [label(cps[l.counterpart]), label(staff[l.person])]);
  for (const c of S.plan.unmet_counterparts || []) rows.push([label(cps[c]), el("span", { class: "error" }, "nobody")]);
  $("liaisons").replaceChildren(rows.length ? table(["counterpart", "liaison"], rows) : el("p", {}, "No counterparts."));
}

function renderUnits() {
  const inst = S.instance;
  const held = postsOf(S.plan);
  const unitOf = Object.fromEntries(inst.modules.map((m) => [m.id, m.unit]));
  const rows = (inst.units || []).map((u) => {
    const people = inst.staff.filter((p) => held[p.id] && [...held[p.id]].some((m) => unitOf[m] === u.id)).length;
    return [label(u), people, u.headcount_cap === undefined ? "" : u.headcount_cap];
  });
  $("units").replaceChildren(rows.length ? table(["unit", "people holding posts", "headcount cap"], rows, [1, 2]) : el("p", {}, "No units."));
}

async function download(format) {
  try {
    const r = await api("POST", "/v1/render", { instance: S.instance, plan: S.plan, format });
    const name = (r.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
    save(await r.blob(), name ? name[1] : `plan.${format}`);
  } catch (e) {
    showProblems(e);
  }
}

function save(blob, name) {
  const a = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

function saveState() {
  const state = { workbench: 1, instance: S.instance, plan: S.plan, scenarios: S.scenarios };
  save(new Blob([JSON.stringify(state, null, 1)], { type: "application/json" }), `workbench-${S.instance.name}.json`);
}

async function restore(state) {
  await setInstance(state.instance);
  S.scenarios = state.scenarios || [];
  renderScenarios();
  if (state.plan) showPlan(state.plan);
}

// ---- explain -------------------------------------------------------------------------------

async function explain() {
  const out = $("explain-out");
  out.replaceChildren(el("p", {}, "explaining… (each bottleneck skill is confirmed by a re-solve)"));
  try {
    const r = await (await api("POST", "/v1/explain", { instance: S.instance, plan: S.plan, hire_time_limit: 1 })).json();
    const duties = byId(S.instance.duties), staff = byId(S.instance.staff), skills = byId(S.instance.skills || []);
    const sections = [el("p", {}, `weighted uncovered ${hours(r.coverage)}; ${r.status === "optimal" ? "proven optimal" : `gap ${(100 * r.gap).toFixed(2)}%`}`)];
    const dutyRows = (r.uncovered || []).map((u) => [label(duties[u.duty]), hours(u.hours), hours(u.weighted), u.summary || u.reason]);
    if (dutyRows.length) sections.push(el("h3", {}, "Why each duty is uncovered"), table(["duty", "hours", "weighted", "why"], dutyRows, [1, 2]));
    const spof = (r.single_points || []).map((x) => [label(duties[x.duty]), label(staff[x.person]), hours(x.hours), hours(x.weighted)]);
    if (spof.length) sections.push(el("h3", {}, "Single points of failure: duties only one person can do"), table(["duty", "only", "hours", "weighted"], spof, [2, 3]));
    const hires = (r.bottlenecks || []).map((b) => [`${label(skills[b.skill]) || b.skill}, level ${b.level}`, hours(b.estimate),
      b.confirmed === null || b.confirmed === undefined ? "not re-solved" : hours(b.confirmed),
      b.coverage_after === undefined || b.coverage_after === null ? "" : `${hours(b.coverage_after)} (${b.status_after})`]);
    if (hires.length) sections.push(el("h3", {}, "The hire that helps most: one more person with the skill"), table(["skill", "estimated gain", "confirmed gain", "weighted uncovered after"], hires, [1, 2, 3]));
    out.replaceChildren(...sections);
  } catch (e) {
    out.replaceChildren(el("p", { class: "error" }, e.message));
  }
}

// ---- what-if -------------------------------------------------------------------------------

const tomlString = (s) => JSON.stringify(String(s)); // a JSON string is a TOML basic string

function scenarioFromForm(kind, values) {
  switch (kind) {
    case "remove": {
      const ids = values.split(/[\s,]+/).filter(Boolean);
      return { name: `without ${ids.join(", ")}`, toml: `remove_staff = { ids = [${ids.map(tomlString).join(", ")}] }` };
    }
    case "hire": {
      const [skill, level = "3", capacity = "40"] = values.split(/[\s,]+/);
      return { name: `hire ${skill} level ${level}`, toml: `add_staff = { id = ${tomlString("hire-" + skill)}, capacity = ${Number(capacity)}, skills = { ${skill} = ${Number(level)} } }` };
    }
    case "hours": return { name: `duty hours x${values}`, toml: `scale_hours = { factor = ${Number(values)} }` };
    case "capacity": return { name: `capacity x${values}`, toml: `scale_capacity = { factor = ${Number(values)} }` };
    case "cap": return { name: `posts cap ${values}`, toml: `rules = { max_posts = ${Number(values)} }` };
    case "transfer": return { name: "drop transferable duties", toml: `drop_duties = { tags = ["transferable"] }` };
    default: return null;
  }
}

const PROMPTS = {
  remove: ["people's ids, separated by spaces", ""],
  hire: ["skill, level, weekly hours", "policy 3 40"],
  hours: ["factor", "1.15"],
  capacity: ["factor", "0.9"],
  cap: ["posts per person", "2"],
  transfer: [null, ""],
};

function addScenarioRow(kind) {
  const [prompt, value] = PROMPTS[kind];
  const input = prompt ? el("input", { type: "text", placeholder: prompt, value }) : null;
  const row = el("div", { class: "scenario", "data-kind": kind }, el("b", {}, $("scenario-kind").selectedOptions[0].textContent), input,
    el("button", { onclick: () => row.remove() }, "remove"));
  row.read = () => scenarioFromForm(kind, input ? input.value : "");
  $("scenario-rows").append(row);
}

function renderScenarios() {
  for (const s of S.scenarios) {
    const row = el("div", { class: "scenario" }, el("b", {}, s.name), el("code", {}, s.toml.length > 80 ? s.toml.slice(0, 80) + "…" : s.toml),
      el("button", { onclick: () => row.remove() }, "remove"));
    row.read = () => s;
    $("scenario-rows").append(row);
  }
}

function scenarioFile() {
  const list = [...$("scenario-rows").children].map((r) => r.read()).filter(Boolean);
  S.scenarios = list;
  return list.map((s) => s.raw || `[[scenario]]\nname = ${tomlString(s.name)}\n${s.toml}\n`).join("\n");
}

async function runWhatif() {
  const out = $("whatif-out");
  const scenarios = scenarioFile();
  if (!scenarios.trim()) {
    out.replaceChildren(el("p", { class: "error" }, "add a scenario first"));
    return;
  }
  out.replaceChildren();
  $("whatif-progress").textContent = "running the batch…";
  try {
    const job = await (await api("POST", "/v1/whatif/jobs", { instance: S.instance, scenarios, time_limit: Number($("whatif-limit").value) || 20 })).json();
    pollWhatif(job.id);
  } catch (e) {
    out.replaceChildren(el("p", { class: "error" }, e.message));
    showProblems(e);
  }
}

async function pollWhatif(id) {
  const out = $("whatif-out");
  let view;
  try {
    view = await (await api("GET", `/v1/jobs/${encodeURIComponent(id)}`)).json();
  } catch (e) {
    out.replaceChildren(el("p", { class: "error" }, e.status === 404 ? "the batch was lost (the server restarted?): run it again" : e.message));
    return;
  }
  if (view.status === "queued" || view.status === "running") {
    const p = view.progress || {};
    $("whatif-progress").textContent = `${view.status}: ${p.phase || ""} ${p.scenarios_done ?? 0} of ${p.scenarios_total ?? "?"} scenarios · ${(p.elapsed || 0).toFixed(1)} s`;
    setTimeout(() => pollWhatif(id), 400);
    return;
  }
  $("whatif-progress").textContent = `${view.status}: ${view.result ? view.result.scenarios.length : 0} scenario(s)`;
  if (!view.result) {
    out.replaceChildren(el("p", { class: "error" }, `the batch ${view.status}`));
    return;
  }
  showWhatif(view.result);
}

function showWhatif(r) {
  const out = $("whatif-out");
  const base = r.baseline.coverage;
  const worst = Math.max(base, ...r.scenarios.map((s) => s.coverage), 1);
  const rows = [r.baseline, ...r.scenarios].map((o) => [o.name, o.status, hours(o.coverage),
    o.index === null || o.index === undefined ? "" : (o.coverage_change >= 0 ? "+" : "") + hours(o.coverage_change),
    el("span", { class: "bar" + (o.coverage > base ? " bad" : ""), "data-w": o.coverage / worst }),
    o.people_moved === undefined ? "" : o.people_moved]);
  out.replaceChildren(table(["scenario", "status", "weighted uncovered", "change", "", "people moved"], rows, [2, 3, 5]));
  for (const b of out.querySelectorAll(".bar")) b.style.width = `${Math.round(Number(b.dataset.w) * 200)}px`;
  if (r.missing && r.missing.length) out.append(el("p", { class: "error" }, `not run (stopped): ${r.missing.map((m) => m.name).join(", ")}`));
}

async function loadScenarioFile(file) {
  const text = await file.text();
  // One row for the whole file: the server checks it and reports problems by line.
  const row = el("div", { class: "scenario" }, el("b", {}, file.name), el("button", { onclick: () => row.remove() }, "remove"));
  row.read = () => ({ name: file.name, raw: text, toml: "" });
  $("scenario-rows").append(row);
}

// ---- wiring --------------------------------------------------------------------------------

function wire() {
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files[0]) openFile(e.dataTransfer.files[0]);
  });
  $("file").addEventListener("change", (e) => e.target.files[0] && openFile(e.target.files[0]));
  $("examples").addEventListener("change", async (e) => {
    if (!e.target.value) return;
    try {
      const inst = await (await api("GET", `/v1/examples/${encodeURIComponent(e.target.value)}`)).json();
      await setInstance(inst);
    } catch (err) {
      showProblems(err);
    }
  });
  $("token-save").addEventListener("click", () => {
    S.token = $("token").value;
    sessionStorage.setItem("modstaff-token", S.token);
    $("token-box").hidden = true;
    loadExamples();
  });
  $("posts-cap").addEventListener("change", (e) => {
    S.instance.rules = S.instance.rules || {};
    if (e.target.value) S.instance.rules.max_posts = Number(e.target.value);
    else delete S.instance.rules.max_posts;
  });
  $("solve-btn").addEventListener("click", () => solve(false));
  $("resolve-btn").addEventListener("click", () => solve(true));
  $("stop-btn").addEventListener("click", stop);
  for (const b of document.querySelectorAll("[data-render]")) b.addEventListener("click", () => download(b.dataset.render));
  $("save-state").addEventListener("click", saveState);
  $("explain-btn").addEventListener("click", explain);
  $("scenario-add").addEventListener("click", () => addScenarioRow($("scenario-kind").value));
  $("scenario-file").addEventListener("change", (e) => e.target.files[0] && loadScenarioFile(e.target.files[0]));
  $("whatif-run").addEventListener("click", runWhatif);
  loadExamples();
}

document.addEventListener("DOMContentLoaded", wire);
