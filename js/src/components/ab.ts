// A/B mode (issue 4): segment B's figures beside the current segment's (A) for
// stages and touchpoints, and the difference, highlighted when it is worth a look.
import { h, setText, toggleClass } from "./dom";
import { fmtInt, fmtPct } from "./format";

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

/** A finite number, or null. */
export const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

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

/** A/B mode: segment B's figures beside the current segment's (A); labels name both. */
export interface ABItem {
  b?: ABSide & { p?: number | null; conversion?: number | null };
  labels: [string, string];
}
