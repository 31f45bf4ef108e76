// Data on the map (issue 4): the segment switch and A/B comparison in the
// toolbar, A/B figures for stages and touchpoints, and the Insights panel.
//
// Every string shown here that comes from the data (segment values, insight
// messages, event keys, item names) is set as text, never parsed as markup.
import { h, setText, toggleClass } from "./dom";
import { fmtInt, fmtPct } from "./format";
import { icon } from "./icons";
import { addOp, newId } from "./ops";
import type { Insight, JourneyDoc, Op, SegmentInfo } from "./types";

// ---------------------------------------------------------------- names from event keys

const CAMEL_LOWER_UPPER = /([a-z0-9])([A-Z])/g;
const CAMEL_ACRONYM = /([A-Z]+)([A-Z][a-z])/g;
const KEY_SEPARATORS = /[\s_\-.:/|+]+/;

/**
 * A touchpoint name made from an event key: `begin_checkout` -> "Begin checkout",
 * `pageViewHTML` -> "Page view HTML". Mirrors journeywidget.widget.readable_name.
 */
export function readableName(key: unknown, maxLength = 300): string {
  const raw = String(key ?? "").trim();
  const text = raw.replace(CAMEL_LOWER_UPPER, "$1 $2").replace(CAMEL_ACRONYM, "$1 $2");
  const words = text
    .split(KEY_SEPARATORS)
    .filter((w) => w.length > 0)
    .map((w) => (Array.from(w).length > 1 && w === w.toUpperCase() && w !== w.toLowerCase() ? w : w.toLowerCase()));
  let name = words.join(" ") || raw || "Event";
  const chars = Array.from(name);
  name = (chars[0] || "").toUpperCase() + chars.slice(1).join("");
  return Array.from(name).slice(0, maxLength).join("").trimEnd() || "Event";
}

/** The `add` op that puts an unmapped event key on the map (null if the map has no stages). */
export function addKeyOp(doc: JourneyDoc, key: string, suggestedStage?: string | null): Op | null {
  const stages = doc.stages || [];
  if (stages.length === 0 || !key) return null;
  const stage = suggestedStage && stages.some((s) => s.id === suggestedStage) ? suggestedStage : stages[0].id;
  const name = readableName(key);
  const id = newId(doc, name, "touchpoint");
  return addOp("touchpoint", { id, name, stage, event_keys: [key] });
}

// ---------------------------------------------------------------- A/B figures

export interface ABSide {
  customers?: number | null;
  share?: number | null;
}

export interface ABFigures {
  /** "1,234 · 62%" for segment A and B. */
  a: string;
  b: string;
  /** B - A in percentage points of share: "+3.5 pp", "−7 pp" ("" when unknown). */
  diff: string;
  dir: "up" | "down" | "same" | "none";
  /** A difference worth a look: 5 percentage points or more, or p < 0.05. */
  big: boolean;
  /** The whole line: "A: 1,234 · 62% | B: 987 · 55%". */
  text: string;
}

const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

/** One side: customers and share, "1,234 · 62%". */
export function fmtSide(s: ABSide | null | undefined): string {
  const c = num(s?.customers);
  const f = num(s?.share);
  if (c === null && f === null) return "–";
  if (f === null) return fmtInt(c);
  return `${fmtInt(c)} · ${fmtPct(f)}`;
}

/** A difference of two fractions in percentage points, with a real minus sign. */
export function fmtPp(d: number | null | undefined): string {
  if (d === null || d === undefined || !Number.isFinite(d)) return "";
  const pp = d * 100;
  const a = Math.abs(pp);
  if (a < 0.05) return "±0 pp";
  const t = a >= 10 ? a.toFixed(0) : a.toFixed(1);
  return `${pp > 0 ? "+" : "−"}${t} pp`;
}

export function abFigures(a: ABSide | null | undefined, b: ABSide | null | undefined, p?: number | null): ABFigures {
  const fa = fmtSide(a);
  const fb = fmtSide(b);
  const sa = num(a?.share);
  const sb = num(b?.share);
  let diff = "";
  let dir: ABFigures["dir"] = "none";
  let big = false;
  if (sa !== null && sb !== null) {
    const d = sb - sa;
    diff = fmtPp(d);
    dir = Math.abs(d) < 0.005 ? "same" : d > 0 ? "up" : "down";
    const pv = num(p);
    big = dir !== "same" && (Math.abs(d) >= 0.05 || (pv !== null && pv < 0.05));
  }
  return { a: fa, b: fb, diff, dir, big, text: `A: ${fa} | B: ${fb}` };
}

/**
 * The A/B block: `A: 1,234 · 62% | B: 987 · 55%` and the difference, highlighted.
 * `data-a` / `data-b` carry the exact customer counts (for tests and tooltips).
 */
export function abBlock(cls: string): { el: HTMLElement; set(a: ABSide | undefined, b: ABSide | undefined, labels: [string, string], p?: number | null): void } {
  const aVal = h("span", { class: "jw-ab-val" });
  const bVal = h("span", { class: "jw-ab-val" });
  const aSide = h("span", { class: "jw-ab-side jw-ab-a" }, h("span", { class: "jw-ab-key" }, "A:"), " ", aVal);
  const bSide = h("span", { class: "jw-ab-side jw-ab-b" }, h("span", { class: "jw-ab-key" }, "B:"), " ", bVal);
  const sep = h("span", { class: "jw-ab-sep", "aria-hidden": "true" }, "|");
  const diff = h("span", { class: "jw-ab-diff" });
  // the spaces between the parts are for copy / screen readers (flex gaps draw them)
  const el = h("div", { class: `jw-ab ${cls}` }, aSide, " ", sep, " ", bSide, " ", diff);
  return {
    el,
    set(a, b, labels, p) {
      const f = abFigures(a, b, p);
      setText(aVal, f.a);
      setText(bVal, f.b);
      setText(diff, f.diff);
      diff.hidden = !f.diff;
      diff.setAttribute("data-dir", f.dir);
      toggleClass(diff, "jw-ab-big", f.big);
      el.setAttribute("data-a", String(num(a?.customers) ?? ""));
      el.setAttribute("data-b", String(num(b?.customers) ?? ""));
      aSide.setAttribute("title", `A: ${labels[0]}`);
      bSide.setAttribute("title", `B: ${labels[1]}`);
      const pv = num(p);
      diff.setAttribute(
        "title",
        `Share of customers, B − A${pv !== null ? ` (two-proportion test p = ${pv < 0.001 ? "<0.001" : pv.toFixed(3)})` : ""}`,
      );
    },
  };
}

// ---------------------------------------------------------------- segments

export interface Option {
  value: string;
  label: string;
}

/** Label of a segment in the selects: "pro · 592 (30%)". */
export function segmentLabel(s: SegmentInfo): string {
  const c = num(s.customers);
  const f = num(s.share);
  if (c === null) return String(s.value);
  return `${s.value} · ${fmtInt(c)}${f !== null ? ` (${fmtPct(f)})` : ""}`;
}

/** Options of a segment select: the empty choice, then each segment (the current value always listed). */
export function segmentOptions(segments: SegmentInfo[] | undefined, empty: string, current = ""): Option[] {
  const out: Option[] = [{ value: "", label: empty }];
  const seen = new Set<string>();
  for (const s of segments || []) {
    const v = String(s.value);
    if (seen.has(v)) continue;
    seen.add(v);
    out.push({ value: v, label: segmentLabel(s) });
  }
  if (current && !seen.has(current)) out.push({ value: current, label: current });
  return out;
}

/** Fill a <select> with options (only when they changed) and show `value`. */
export function fillSelect(sel: HTMLSelectElement, options: Option[], value: string): void {
  const sig = JSON.stringify(options);
  if (sel.getAttribute("data-sig") !== sig) {
    sel.setAttribute("data-sig", sig);
    sel.textContent = "";
    for (const o of options) sel.appendChild(h("option", { value: o.value }, o.label));
  }
  if (sel.value !== value) sel.value = value;
}

// ---------------------------------------------------------------- insights

export const KIND_LABELS: Record<string, string> = {
  dropoff: "Drop-off",
  slow_step: "Slow step",
  exit_point: "Exit point",
  low_score: "Low score",
  unmapped_key: "Unmapped event key",
  unmapped_key_other: "Unmapped event keys",
  no_data: "No data",
  stage_no_data: "No data",
  backwards: "Backwards journeys",
  missing_customer: "Missing customer",
  missing_time: "Missing timestamp",
  unparsable_time: "Unparsable timestamp",
  missing_touchpoint: "Missing event key",
  duplicate_events: "Duplicate events",
  invalid_value: "Invalid values",
  segment_varies: "Segment changes",
  missing_segment: "No segment",
  ambiguous_key: "Ambiguous key",
  mapping_target_unknown: "Bad mapping",
};

export function kindLabel(kind: string): string {
  if (KIND_LABELS[kind]) return KIND_LABELS[kind];
  const t = String(kind || "").replace(/^feedback_/, "feedback ").replace(/_/g, " ").trim();
  return t ? t.charAt(0).toUpperCase() + t.slice(1) : "Insight";
}

export function severityLevel(sev: unknown): "high" | "medium" | "low" {
  const v = num(sev) ?? 0;
  return v >= 0.6 ? "high" : v >= 0.3 ? "medium" : "low";
}

export interface InsightGroup {
  key: "bottleneck" | "data";
  title: string;
  items: Insight[];
}

/** Bottlenecks, then data problems; each ranked by severity (the order Python sent on ties). */
export function insightGroups(list: Insight[] | undefined): InsightGroup[] {
  const valid = (list || []).filter((i) => i && typeof i === "object" && typeof i.message === "string");
  const rank = (xs: Insight[]) =>
    xs
      .map((x, i) => ({ x, i }))
      .sort((p, q) => (num(q.x.severity) ?? 0) - (num(p.x.severity) ?? 0) || p.i - q.i)
      .map((p) => p.x);
  return [
    { key: "bottleneck", title: "Bottlenecks", items: rank(valid.filter((i) => i.category === "bottleneck")) },
    { key: "data", title: "Data problems", items: rank(valid.filter((i) => i.category !== "bottleneck")) },
  ];
}

/** What the panel needs from the view. */
export interface InsightHost {
  readonly doc: JourneyDoc;
  /** Whether "Add to map" buttons are offered (an editable map with a kernel behind it). */
  readonly canAdd: boolean;
  select(id: string): void;
  /** Send the add op; resolves true if Python applied it. */
  sendOps(ops: Op[], focusId: string): Promise<boolean>;
}

function nameOf(doc: JourneyDoc, id: string): { kind: string; name: string } | null {
  const st = (doc.stages || []).find((s) => s.id === id);
  if (st) return { kind: "Stage", name: st.name || st.id };
  const tp = (doc.touchpoints || []).find((t) => t.id === id);
  if (tp) return { kind: "Touchpoint", name: tp.name || tp.id };
  return null;
}

function insightRow(host: InsightHost, ins: Insight): HTMLElement {
  const details = (ins.details && typeof ins.details === "object" ? ins.details : {}) as Record<string, unknown>;
  const level = severityLevel(ins.severity);
  const li = h("li", {
    class: "jw-insight",
    "data-insight": ins.kind,
    "data-sev": level,
    "data-category": ins.category === "bottleneck" ? "bottleneck" : "data",
  });
  const top = h("div", { class: "jw-insight-top" }, h("span", { class: "jw-insight-kind" }, kindLabel(ins.kind)));
  const msg = h("div", { class: "jw-insight-msg" }, ins.message);
  const main = h("div", { class: "jw-insight-main" }, top, msg);
  li.append(h("span", { class: "jw-insight-sev", title: `Severity ${Math.round((num(ins.severity) ?? 0) * 100)}%` }), main);
  const target = typeof ins.target === "string" && ins.target ? ins.target : "";
  const found = target ? nameOf(host.doc, target) : null;
  if (target && found) {
    li.setAttribute("data-target", target);
    li.setAttribute("role", "button");
    li.setAttribute("tabindex", "0");
    li.setAttribute("title", `Show ${found.kind.toLowerCase()} “${found.name}” on the map`);
    top.appendChild(h("span", { class: "jw-insight-target" }, icon("target"), found.name));
    li.classList.add("jw-insight-link");
    const go = () => host.select(target);
    li.addEventListener("click", go);
    li.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        go();
      }
    });
  }
  const key = typeof details.key === "string" ? details.key : "";
  if (ins.kind === "unmapped_key" && key) {
    li.setAttribute("data-key", key);
    const sugg = typeof details.suggested_stage === "string" ? details.suggested_stage : null;
    const op = host.canAdd ? addKeyOp(host.doc, key, sugg) : null;
    if (op) {
      const item = (op as any).item as { id: string; name: string; stage: string };
      const stageName = nameOf(host.doc, item.stage)?.name || item.stage;
      const label = h("span", null, "Add to map");
      const btn = h(
        "button",
        { type: "button", class: "jw-btn jw-btn-small jw-add-to-map", title: `Add a touchpoint “${item.name}” with event key “${key}” to stage “${stageName}”` },
        icon("plus"),
        label,
      );
      const hint = h("span", { class: "jw-insight-hint" }, `as “${item.name}” in ${stageName}`);
      btn.addEventListener("click", (e) => {
        e.stopPropagation();
        btn.disabled = true;
        setText(label, "Adding…");
        // made now, from the map as it is at the click (ids stay unique)
        const fresh = addKeyOp(host.doc, key, sugg) || op;
        void host.sendOps([fresh], String((fresh as any).item.id)).then((ok) => {
          if (!ok && btn.isConnected) {
            btn.disabled = false;
            setText(label, "Add to map");
          }
        });
      });
      main.appendChild(h("div", { class: "jw-insight-actions" }, btn, hint));
    }
  }
  return li;
}

/** The body of the Insights panel: bottlenecks and data problems, each a ranked list. */
export function insightsBody(host: InsightHost, list: Insight[] | undefined): HTMLElement {
  const body = h("div", { class: "jw-insights-cols" });
  for (const g of insightGroups(list)) {
    const col = h("section", { class: "jw-insights-group", "data-group": g.key });
    col.appendChild(
      h("h4", { class: "jw-insights-title" }, icon(g.key === "bottleneck" ? "metrics" : "pain_points"), g.title, h("span", { class: "jw-count" }, String(g.items.length))),
    );
    if (g.items.length === 0) {
      col.appendChild(h("p", { class: "jw-insights-none" }, g.key === "bottleneck" ? "No bottlenecks found." : "No data problems found."));
    } else {
      const ol = h("ol", { class: "jw-insights-list" });
      for (const ins of g.items) ol.appendChild(insightRow(host, ins));
      col.appendChild(ol);
    }
    body.appendChild(col);
  }
  return body;
}
