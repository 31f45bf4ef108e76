// journeywidget standalone page bootstrap.
//
// Plays the anywidget host for one page opened from a file: a model object
// with the API anywidget hands to a widget module (get / set / on / off /
// send / save_changes), the widget bundle loaded from the page itself (no
// network), and, when the page is editable, the document kept in the page:
// the widget's {"type": "ops"} messages are applied here by a small op
// applier (docs/FORMAT.md), with undo/redo and a "Download JSON" button.
// The chart runtime (vega, vega-lite, vega-embed) is not in the bundle: when the
// page has charts, the state carries its source in `_chart_runtime` and the
// widget imports it from a Blob URL (data: URL fallback) like the bundle below.
const byId = (id) => document.getElementById(id);
const readJson = (id) => JSON.parse(byId(id).textContent);

const data = readJson("jw-data");
const root = byId("jw-root");
const status = byId("jw-status");
const clone = (v) => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

function say(text, isError) {
  if (!status) return;
  status.textContent = text;
  status.className = isError ? "jw-status jw-error" : "jw-status";
}

// ------------------------------------------------------------- op applier
const COLL = {
  persona: "personas", goal: "goals", stage: "stages", lane: "lanes",
  touchpoint: "touchpoints", card: "cards", comment: "comments",
};
const DEFAULTS = {
  persona: () => ({ name: "", description: "", quote: "", attributes: {}, goals: [], needs: [], motivations: [], frustrations: [], empathy: { says: [], thinks: [], does: [], feels: [] }, segment: null }),
  goal: () => ({ name: "", description: "", metric: "", target: null, unit: "", direction: "increase" }),
  stage: () => ({ name: "", description: "", customer_goal: "", milestone: false, icon: "" }),
  lane: () => ({ kind: "text", title: "" }),
  touchpoint: () => ({ name: "", stage: "", channel: null, emotion: null, moment_of_truth: false, metric: "", description: "", pain_points: [], opportunities: [], quotes: [], owner: "", evidence: [], event_keys: [], tags: [] }),
  card: () => ({ lane: "", stage: "", text: "" }),
  comment: () => ({ target: "", author: "", text: "", created: "", resolved: false }),
};
const CARD_LESS = new Set(["emotions", "touchpoints", "metrics"]);
const TOP_FIELDS = new Set(["title", "description", "journey_type", "state", "tags", "emotion_scale"]);

function slugify(text, fallback) {
  let s = String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  s = s.replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "").slice(0, 48).replace(/-+$/, "");
  return s || fallback;
}
function allIds(doc) {
  const ids = new Set([doc.id]);
  for (const coll of Object.values(COLL)) for (const it of doc[coll] || []) ids.add(it.id);
  return ids;
}
function uniqueId(base, taken) {
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base}-${n}`)) n++;
  return `${base}-${n}`;
}
function locate(doc, id) {
  for (const [kind, coll] of Object.entries(COLL)) {
    const list = doc[coll] || [];
    const i = list.findIndex((it) => it.id === id);
    if (i >= 0) return { kind, coll, list, index: i, item: list[i] };
  }
  return null;
}
function fail(msg) { throw new Error(msg); }
function groupKey(kind, item) {
  if (kind === "touchpoint") return (x) => x.stage === item.stage;
  if (kind === "card") return (x) => x.lane === item.lane && x.stage === item.stage;
  return () => true;
}
// Insert `item` into `list` at position `index` among the items of its group.
function insertInGroup(list, item, index, inGroup) {
  if (index === null || index === undefined) {
    let last = -1;
    list.forEach((x, i) => { if (inGroup(x)) last = i; });
    list.splice(last >= 0 ? last + 1 : list.length, 0, item);
    return;
  }
  const positions = [];
  list.forEach((x, i) => { if (inGroup(x)) positions.push(i); });
  if (!Number.isInteger(index) || index < 0) fail(`index must be a non-negative integer, got ${index}`);
  if (index >= positions.length) {
    const at = positions.length ? positions[positions.length - 1] + 1 : list.length;
    list.splice(at, 0, item);
  } else list.splice(positions[index], 0, item);
}
function checkRefs(doc, kind, item) {
  const has = (coll, id) => (doc[coll] || []).some((x) => x.id === id);
  if ((kind === "touchpoint" || kind === "card") && !has("stages", item.stage)) fail(`unknown stage '${item.stage}'`);
  if (kind === "card") {
    const lane = (doc.lanes || []).find((l) => l.id === item.lane);
    if (!lane) fail(`unknown lane '${item.lane}'`);
    if (CARD_LESS.has(lane.kind)) fail(`lane '${lane.id}' (${lane.kind}) holds no cards`);
  }
  if (kind === "comment" && !allIds(doc).has(item.target)) fail(`unknown comment target '${item.target}'`);
  if ((kind === "touchpoint" || kind === "stage" || kind === "persona" || kind === "goal") && !String(item.name || "").trim()) fail(`a ${kind} needs a name`);
  if (kind === "comment" && !String(item.text || "").trim()) fail("a comment needs text");
  if (kind === "touchpoint" && item.emotion !== null && item.emotion !== undefined) {
    const sc = doc.emotion_scale || { min: -2, max: 2 };
    if (typeof item.emotion !== "number" || !Number.isFinite(item.emotion) || item.emotion < sc.min || item.emotion > sc.max) fail(`emotion must be a number from ${sc.min} to ${sc.max}`);
  }
}
function applyOp(doc, op) {
  if (!op || typeof op !== "object") fail("an operation must be an object");
  switch (op.op) {
    case "batch":
      for (const sub of op.ops || []) applyOp(doc, sub);
      return;
    case "add": {
      const kind = op.kind;
      const coll = COLL[kind];
      if (!coll) fail(`unknown kind '${kind}'`);
      const item = Object.assign(DEFAULTS[kind](), clone(op.item || {}));
      if (kind === "comment" && !item.created) item.created = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      if (!item.id) item.id = uniqueId(slugify(item.name || item.text || item.title || kind, kind), allIds(doc));
      else if (allIds(doc).has(item.id)) fail(`id '${item.id}' is taken`);
      checkRefs(doc, kind, item);
      doc[coll] = doc[coll] || [];
      insertInGroup(doc[coll], item, op.index, groupKey(kind, item));
      return;
    }
    case "update": {
      const fields = op.fields || {};
      if (op.id === doc.id) {
        for (const [k, v] of Object.entries(fields)) {
          if (!TOP_FIELDS.has(k)) fail(`cannot update '${k}' of the journey`);
          if (k === "title" && !String(v || "").trim()) fail("the title cannot be empty");
          doc[k] = clone(v);
        }
        return;
      }
      const at = locate(doc, op.id);
      if (!at) fail(`no item with id '${op.id}'`);
      if ("id" in fields && fields.id !== op.id) fail("ids never change");
      const next = Object.assign(clone(at.item), clone(fields));
      for (const k of Object.keys(fields)) if (!(k in DEFAULTS[at.kind]()) && k !== "id") fail(`unknown field '${k}' of a ${at.kind}`);
      checkRefs(doc, at.kind, next);
      if (at.kind === "lane" && CARD_LESS.has(next.kind) && (doc.cards || []).some((c) => c.lane === next.id)) fail("that lane has cards");
      at.list[at.index] = next;
      return;
    }
    case "remove": {
      const at = locate(doc, op.id);
      if (!at) fail(`no item with id '${op.id}'`);
      const gone = new Set([op.id]);
      if (at.kind === "stage") {
        for (const t of doc.touchpoints || []) if (t.stage === op.id) gone.add(t.id);
        for (const c of doc.cards || []) if (c.stage === op.id) gone.add(c.id);
      } else if (at.kind === "lane") {
        for (const c of doc.cards || []) if (c.lane === op.id) gone.add(c.id);
      }
      let grew = true;
      while (grew) {  // comments on removed items (and replies to those)
        grew = false;
        for (const c of doc.comments || []) if (gone.has(c.target) && !gone.has(c.id)) { gone.add(c.id); grew = true; }
      }
      for (const coll of Object.values(COLL)) if (doc[coll]) doc[coll] = doc[coll].filter((x) => !gone.has(x.id));
      return;
    }
    case "move": {
      const at = locate(doc, op.id);
      if (!at) fail(`no item with id '${op.id}'`);
      const item = clone(at.item);
      if (at.kind === "touchpoint" || at.kind === "card") {
        if (op.stage !== undefined && op.stage !== null) item.stage = op.stage;
        if (at.kind === "card" && op.lane !== undefined && op.lane !== null) item.lane = op.lane;
        checkRefs(doc, at.kind, item);
        at.list.splice(at.index, 1);
        insertInGroup(at.list, item, op.index ?? null, groupKey(at.kind, item));
      } else {
        if (!Number.isInteger(op.index) || op.index < 0) fail("move needs an index");
        at.list.splice(at.index, 1);
        at.list.splice(Math.min(op.index, at.list.length), 0, item);
      }
      return;
    }
    default:
      fail(`unknown operation '${op.op}'`);
  }
}

// ------------------------------------------------------------- the model
class PageModel {
  constructor(state) {
    this._state = state;
    this._handlers = new Map();
    this.widget_manager = {
      get_model: async () => { throw new Error("no other widgets in a standalone page"); },
    };
  }
  get(name) { return this._state[name]; }
  set(name, value) {
    const values = { [name]: value };
    // Read-only pages carry every built-in overlay precomputed: switching swaps the charts.
    if ((name === "overlay" || name === "overlay_metric") && data.overlays) {
      const overlay = name === "overlay" ? value : this._state.overlay;
      const metric = name === "overlay_metric" ? value : this._state.overlay_metric;
      const charts = data.overlays[`${overlay}|${metric || ""}`] || data.overlays[`${overlay}|`];
      if (charts) values._charts = charts;
    }
    this._setMany(values);
  }
  // Set several traits, then fire the change events (as one Jupyter state update does).
  _setMany(values) {
    const changed = [];
    for (const [k, v] of Object.entries(values)) {
      if (this._state[k] !== v) changed.push(k);
      this._state[k] = v;
    }
    for (const k of changed) this._emit(`change:${k}`, this, this._state[k]);
    if (changed.length) this._emit("change", this);
  }
  save_changes() {}
  on(events, cb) {
    for (const ev of String(events).split(/\s+/).filter(Boolean)) {
      if (!this._handlers.has(ev)) this._handlers.set(ev, new Set());
      this._handlers.get(ev).add(cb);
    }
  }
  off(events, cb) {
    if (!events) { this._handlers.clear(); return; }
    for (const ev of String(events).split(/\s+/).filter(Boolean)) {
      if (!cb) this._handlers.delete(ev);
      else if (this._handlers.has(ev)) this._handlers.get(ev).delete(cb);
    }
  }
  _emit(ev, ...args) {
    for (const cb of Array.from(this._handlers.get(ev) || [])) {
      try { cb(...args); } catch (e) { console.error(e); }
    }
  }
  _reply(msg) { setTimeout(() => this._emit("msg:custom", msg, []), 0); }
  send(content) {
    const msg = content || {};
    const T = data.traits;
    const rev = () => Number(this.get(T.rev) || 0);
    if (msg.type === "ops") {
      if (!data.editable) {
        this._reply({ type: "result", rid: msg.rid, ok: false, error: "This page is read-only.", rev: rev() });
        return;
      }
      const before = this.get(T.doc);
      const next = clone(before);
      try {
        if (!Array.isArray(msg.ops) || !msg.ops.length) fail("expected a non-empty list of operations");
        for (const op of msg.ops) applyOp(next, op);
        next.modified = new Date().toISOString().slice(0, 10);
      } catch (e) {
        const error = String(e.message || e);
        this._setMany({ [T.error]: error });
        this._reply({ type: "result", rid: msg.rid, ok: false, error, rev: rev() });
        return;
      }
      undoStack.push(before);
      redoStack.length = 0;
      this._commit(next);
      this._reply({ type: "result", rid: msg.rid, ok: true, error: null, rev: rev() });
      return;
    }
    if (msg.type === "undo" || msg.type === "redo") {
      if (!data.editable) return;
      const from = msg.type === "undo" ? undoStack : redoStack;
      const to = msg.type === "undo" ? redoStack : undoStack;
      if (!from.length) return;
      to.push(this.get(T.doc));
      this._commit(from.pop());
      return;
    }
    if (msg.rid !== undefined) {
      this._reply({ type: "result", rid: msg.rid, ok: false, error: "Not available in a standalone page.", rev: rev() });
    }
  }
  // A new document: bump the revision and the undo/redo flags with it.
  _commit(doc) {
    const T = data.traits;
    const values = { [T.doc]: doc, [T.rev]: Number(this.get(T.rev) || 0) + 1, [T.error]: "" };
    if (T.can_undo) values[T.can_undo] = undoStack.length > 0;
    if (T.can_redo) values[T.can_redo] = redoStack.length > 0;
    this._setMany(values);
    const dl = byId("jw-download");
    if (dl) dl.classList.add("jw-dirty");
    say(`${undoStack.length} change${undoStack.length === 1 ? "" : "s"} in this page — download to keep them`);
  }
}
const undoStack = [];
const redoStack = [];

function download(model) {
  const doc = model.get(data.traits.doc);
  const text = JSON.stringify(doc, null, 2) + "\n";
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = `${slugify(doc.id || doc.title, "journey")}.json`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function showFallback(err) {
  console.error(err);
  const ns = document.querySelector("noscript#jw-fallback");
  root.innerHTML = "";
  const note = document.createElement("p");
  note.className = "jw-status jw-error";
  note.textContent = "The interactive map could not start; this is a static picture of it.";
  root.appendChild(note);
  if (ns) {
    const box = document.createElement("div");
    box.className = "jw-static";
    box.innerHTML = ns.textContent; // our own escaped SVG, written by journeywidget
    root.appendChild(box);
  }
  document.documentElement.dataset.jwReady = "fallback";
}

async function loadBundle() {
  const src = readJson("jw-bundle");
  const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
  try {
    return await import(url);
  } catch (e) {
    // Some browsers refuse blob: modules from file:// pages; a data: URL works there.
    return await import("data:text/javascript;charset=utf-8," + encodeURIComponent(src));
  } finally {
    URL.revokeObjectURL(url);
  }
}

async function main() {
  const model = new PageModel(data.state);
  window.jwModel = model; // for tests and for the curious
  const dl = byId("jw-download");
  if (dl) dl.addEventListener("click", () => download(model));
  const mod = await loadBundle();
  const widget = mod.default && typeof mod.default === "object" ? mod.default : mod;
  const experimental = { invoke: async () => { throw new Error("no kernel in a standalone page"); } };
  const ctrl = new AbortController();
  if (typeof widget.initialize === "function") await widget.initialize({ model, experimental, signal: ctrl.signal });
  if (typeof widget.render !== "function") throw new Error("the widget bundle has no render()");
  root.innerHTML = "";
  await widget.render({ model, el: root, experimental, signal: ctrl.signal });
  document.documentElement.dataset.jwReady = "1";
}

main().catch(showFallback);
