// Data on the map (issue 4): the options of the segment switch and the Insights
// panel (bottlenecks and data problems, each ranked; "Add to map" for unmapped keys).
//
// Every string shown here that comes from the data (segment values, insight
// messages, event keys, item names) is set as text, never parsed as markup.
import { h, setText } from "./dom";
import { fmtInt, fmtPct } from "./format";
import { icon } from "./icons";
import { num } from "./ab";
import { addKeyOp } from "../model/ops";
import type { Insight, JourneyDoc, Op, SegmentInfo } from "../model/types";

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
  skipped_stage: "Skipped stage",
  steps_back: "Steps back",
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
  key: "bottleneck" | "conformance" | "data";
  title: string;
  items: Insight[];
}

/** Bottlenecks, path deviations (skips and steps back against the map's order), then data
 * problems; each ranked by severity (the order Python sent on ties). */
export function insightGroups(list: Insight[] | undefined): InsightGroup[] {
  const valid = (list || []).filter((i) => i && typeof i === "object" && typeof i.message === "string");
  const rank = (xs: Insight[]) =>
    xs
      .map((x, i) => ({ x, i }))
      .sort((p, q) => (num(q.x.severity) ?? 0) - (num(p.x.severity) ?? 0) || p.i - q.i)
      .map((p) => p.x);
  return [
    { key: "bottleneck", title: "Bottlenecks", items: rank(valid.filter((i) => i.category === "bottleneck")) },
    { key: "conformance", title: "Path deviations", items: rank(valid.filter((i) => i.category === "conformance")) },
    { key: "data", title: "Data problems", items: rank(valid.filter((i) => i.category !== "bottleneck" && i.category !== "conformance")) },
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
    "data-category": ins.category === "bottleneck" || ins.category === "conformance" ? ins.category : "data",
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
      h("h4", { class: "jw-insights-title" }, icon(g.key === "bottleneck" ? "metrics" : g.key === "conformance" ? "flag" : "pain_points"), g.title, h("span", { class: "jw-count" }, String(g.items.length))),
    );
    if (g.items.length === 0) {
      col.appendChild(h("p", { class: "jw-insights-none" }, g.key === "bottleneck" ? "No bottlenecks found." : g.key === "conformance" ? "No path deviations found." : "No data problems found."));
    } else {
      const ol = h("ol", { class: "jw-insights-list" });
      for (const ins of g.items) ol.appendChild(insightRow(host, ins));
      col.appendChild(ol);
    }
    body.appendChild(col);
  }
  return body;
}
