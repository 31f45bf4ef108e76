// Labelled numbers of the map: every figure says what it is and its unit
// ("2,686 customers", "54 %", "5h 57m to next", "CSAT 79 %"), and a figure the
// data lacks reads "no data" - never a bare number, never a label without a value.
import { fmtDuration, fmtInt, fmtNum, fmtPct } from "./format";
import type { FeedbackMetrics, Metrics, StageMetrics, TouchpointMetrics } from "../model/types";

export const NO_DATA = "no data";

export interface Figure {
  /** What it is: customers, share, time, feedback, metric, none. */
  key: string;
  /** The words shown: value and unit. */
  text: string;
  /** The sentence a tooltip / screen reader gets. */
  title: string;
  /** The plain number, when there is one (tests and charts read it). */
  value?: number;
  /** An icon name (drawn by CSS). */
  icon?: string;
  /** The value in a few characters, for chips and narrow columns ("2.7k"). */
  short?: string;
}

/** A count in at most four or five characters: 950, 2.7k, 27k, 1.2M. */
export function shortCount(n: number): string {
  const a = Math.abs(n);
  if (a < 1000) return String(Math.round(n));
  if (a < 1e4) return (n / 1e3).toFixed(1).replace(/\.0$/, "") + "k";
  if (a < 1e6) return Math.round(n / 1e3) + "k";
  return (n / 1e6).toFixed(a < 1e7 ? 1 : 0).replace(/\.0$/, "") + "M";
}

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** What the payload counts ("customers" unless it says otherwise, e.g. "sessions"). */
export function unitLabel(metrics: Metrics | null | undefined): string {
  const m = (metrics || {}) as Record<string, unknown>;
  if (m.unit === "session") return "sessions";
  const u = m.unit_label ?? (m.units && typeof m.units === "object" ? (m.units as Record<string, unknown>).customers : undefined);
  return typeof u === "string" && u.trim() ? u.trim().slice(0, 40) : "customers";
}

/** What an item counts in the current unit: `reached` (stages), `units` (touchpoints), else `customers`. */
export function countOf(m: Record<string, unknown> | null | undefined): number | undefined {
  if (!m) return undefined;
  for (const k of ["reached", "units", "customers"]) if (isNum(m[k])) return m[k] as number;
  return undefined;
}

/** " (95 % interval 41–47 %)" from a [low, high] pair, "" without one. */
export function ciText(ci: unknown): string {
  if (!Array.isArray(ci) || ci.length !== 2 || !isNum(ci[0]) || !isNum(ci[1])) return "";
  return ` (95\u00a0% interval ${fmtPct(ci[0])}–${fmtPct(ci[1])})`;
}

/** The counting in words, for tooltips: " — ordered funnel · sessions · 7-day window". */
export function definitionText(metrics: Metrics | null | undefined): string {
  const d = metrics && typeof metrics.definition === "string" ? metrics.definition.trim().slice(0, 120) : "";
  return d ? ` — ${d}` : "";
}

/** "1 customer", "2,686 customers". */
export function countText(n: number, unit: string): string {
  const one = unit.endsWith("s") ? unit.slice(0, -1) : unit;
  return `${fmtInt(n)} ${n === 1 ? one : unit}`;
}

/** Whether event data is bound (so a missing figure means "no data", not "not measured"). */
export function hasData(metrics: Metrics | null | undefined): boolean {
  const m = metrics || {};
  return Object.keys(m.touchpoints || {}).length > 0 || Object.keys(m.stages || {}).length > 0;
}

/** The feedback score with its name: "CSAT 79 %", "NPS +12", "Score 4.2". */
export function feedbackText(fb: FeedbackMetrics | null | undefined): string | null {
  if (!fb || !isNum(fb.score)) return null;
  const kind = typeof fb.kind === "string" ? fb.kind : "";
  if (kind === "csat") return `CSAT ${Math.round(fb.score)}\u00a0%`;
  if (kind === "nps") return `NPS ${fb.score > 0 ? "+" : fb.score < 0 ? "−" : ""}${Math.abs(Math.round(fb.score))}`;
  return `Score ${fmtNum(fb.score)}`;
}

function feedbackTitle(fb: FeedbackMetrics): string {
  const n = isNum(fb.n) ? ` from ${fmtInt(fb.n)} responses` : "";
  const kind = fb.kind === "csat" ? "CSAT: share of satisfied answers (4-5 of 5)" : fb.kind === "nps" ? "Net promoter score" : "Mean feedback score";
  return `${kind}${n}`;
}

/**
 * The figures of a touchpoint: customers, share, median time to the next step,
 * feedback. `bound`: data is bound to the map, so a touchpoint without figures
 * shows "no data".
 */
export function touchpointFigures(
  m: TouchpointMetrics | null | undefined,
  fb: FeedbackMetrics | null | undefined,
  unit: string,
  bound: boolean,
): Figure[] {
  const out: Figure[] = [];
  const n = countOf(m);
  if (m && n !== undefined)
    out.push({ key: "customers", text: countText(n, unit), title: `${fmtInt(n)} ${unit} reached this touchpoint`, value: n, icon: "people", short: shortCount(n) });
  if (m && isNum(m.share))
    out.push({ key: "share", text: fmtPct(m.share), title: `${fmtPct(m.share)} of all ${unit} reached this touchpoint${ciText(m.share_ci)}`, value: m.share });
  if (m && isNum(m.median_next_s))
    out.push({ key: "time", text: `${fmtDuration(m.median_next_s)} to next`, title: `Median time to the next step: ${fmtDuration(m.median_next_s)}`, value: m.median_next_s, icon: "clock" });
  const ft = feedbackText(fb);
  if (ft && fb) out.push({ key: "feedback", text: ft, title: feedbackTitle(fb), value: fb.score as number, icon: "star" });
  if (out.length === 0 && bound) out.push({ key: "none", text: NO_DATA, short: "–", title: `No ${unit} in the bound data reached this touchpoint` });
  return out;
}

/** A touchpoint's KPI with its value when the data has it: "conversion 54 %", else "conversion: no data". */
export function metricText(name: string, m: TouchpointMetrics | null | undefined): { text: string; value: number | null } {
  const key = name.trim().toLowerCase().replace(/[\s-]+/g, "_");
  const v = m ? (m as Record<string, unknown>)[key] : undefined;
  if (!isNum(v)) return { text: `${name}: ${NO_DATA}`, value: null };
  const shown = key === "share" || key.endsWith("_rate") || key === "conversion" ? fmtPct(v) : key.endsWith("_s") ? fmtDuration(v) : fmtNum(v, 2);
  return { text: `${name} ${shown}`, value: v };
}

/**
 * The figures of a stage: units reaching it, conversion from the stage before, units
 * lost, and how often the stage is skipped or left backwards. `definition` (" — ordered
 * funnel · sessions") ends every tooltip, so a number says what it counts. A stage none
 * of whose touchpoints has data is "no data" (never a drop).
 */
export function stageFigures(m: StageMetrics | null | undefined, unit: string, bound: boolean, definition = ""): Figure[] {
  const out: Figure[] = [];
  if (m && m.no_data === true) {
    if (bound) out.push({ key: "none", text: NO_DATA, short: "–", title: `None of this stage's touchpoints has an event in the bound data: no ${unit}, no conversion, no drop-off${definition}` });
    return out;
  }
  const n = countOf(m);
  if (m && n !== undefined)
    out.push({ key: "customers", text: countText(n, unit), title: `${fmtInt(n)} ${unit} reached this stage${ciText(m.share_ci) ? `, ${fmtPct(m.share as number)} of all${ciText(m.share_ci)}` : ""}${definition}`, value: n, icon: "people", short: shortCount(n) });
  if (m && isNum(m.conversion)) {
    const small = m.small_sample === true ? "; fewer than 30 in the stage before: read with care" : "";
    out.push({ key: "conversion", text: `${fmtPct(m.conversion)} from previous`, title: `${fmtPct(m.conversion)} of the previous stage's ${unit} reached this stage${ciText(m.conversion_ci)}${small}${definition}`, value: m.conversion });
  }
  if (m && isNum(m.dropoff) && m.dropoff > 0) {
    const rate = isNum(m.dropoff_rate) ? ` (${fmtPct(m.dropoff_rate)})` : "";
    out.push({ key: "dropoff", text: `−${fmtInt(m.dropoff)} lost${rate}`, title: `${fmtInt(m.dropoff)} ${unit} went no further after this stage${rate}${definition}`, value: m.dropoff });
  }
  if (m && (isNum(m.skip_rate) || isNum(m.back_rate))) {
    const parts: string[] = [];
    const titles: string[] = [];
    if (isNum(m.skip_rate)) {
      parts.push(`skip ${fmtPct(m.skip_rate)}`);
      titles.push(`${fmtInt(m.skipped as number)} ${unit} (${fmtPct(m.skip_rate)}) reached a later stage without this one${ciText(m.skip_ci)}`);
    }
    if (isNum(m.back_rate)) {
      parts.push(`back ${fmtPct(m.back_rate)}`);
      titles.push(`${fmtInt(m.out_of_order as number)} ${unit} (${fmtPct(m.back_rate)}) stepped back from this stage to an earlier one${ciText(m.back_ci)}`);
    }
    out.push({ key: "conformance", text: parts.join(" · "), title: titles.join("; ") + definition, value: isNum(m.skip_rate) ? m.skip_rate : (m.back_rate as number) });
  }
  if (out.length === 0 && bound) out.push({ key: "none", text: NO_DATA, short: "–", title: `No ${unit} in the bound data reached this stage${definition}` });
  return out;
}

/** The key figure of a compact chip: customers, else share, else the feedback, else "". */
export function chipFigure(figs: Figure[]): string {
  const f = figs.find((x) => x.key === "customers");
  if (f && f.short) return f.short;
  const s = figs.find((x) => x.key === "share" || x.key === "feedback");
  return s ? s.text : "";
}
