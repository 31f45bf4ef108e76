// A bind at work in the kernel (the `_progress` trait): a small bar and one line of
// text in the toolbar — rows read and the phase. Hidden when no bind is running.
import { h, setAttrs, setText } from "./dom";
import { fmtInt } from "./format";

const PHASES: Record<string, string> = { encoding: "Encoding…", sorting: "Sorting…", indexing: "Indexing…" };

/** The chip's text as [head, tail]: the head always shows, the tail may be cut by the
 * toolbar ("41%" + " · 12M rows", "12k rows", "Sorting…"); the full text is its tooltip. */
export function shortText(p: BindProgress): [string, string] {
  if (p.phase !== "reading") return [PHASES[p.phase || ""] || p.text || p.phase || "", ""];
  const rows = typeof p.rows === "number" ? p.rows : 0;
  const pct = percent(p);
  // (a no-break space: a flex item's leading space would collapse)
  return pct === null ? [`${fmtInt(rows)} rows`, ""] : [`${pct}%`, `\u00a0· ${fmtInt(rows)} rows`];
}

/** The share read, in whole percent (floored: 100 only when all is read); null if unknown. */
function percent(p: BindProgress): number | null {
  const f = p.fraction;
  return typeof f === "number" && Number.isFinite(f) ? Math.floor(Math.max(0, Math.min(1, f)) * 100 + 1e-9) : null;
}

/** The `_progress` trait (journeywidget.data.progress.BindProgress.to_dict()). */
export interface BindProgress {
  phase?: string;
  rows?: number;
  total?: number | null;
  fraction?: number | null;
  text?: string;
}

export class ProgressChip {
  readonly el: HTMLElement;
  private readonly fill: HTMLElement;
  private readonly head: HTMLElement;
  private readonly tail: HTMLElement;

  constructor() {
    this.fill = h("span", { class: "jw-progress-fill" });
    this.head = h("span", { class: "jw-progress-head" });
    this.tail = h("span", { class: "jw-progress-text" });
    this.el = h(
      "span",
      { class: "jw-progress", role: "progressbar", "aria-label": "Binding data", "aria-valuemin": 0, "aria-valuemax": 100 },
      h("span", { class: "jw-progress-track" }, this.fill),
      this.head,
      this.tail,
    );
    this.el.hidden = true;
  }

  /** Show `p` (an empty or missing value hides the chip). */
  render(p: unknown): void {
    const prog = p && typeof p === "object" ? (p as BindProgress) : {};
    const on = typeof prog.phase === "string" && prog.phase !== "" && prog.phase !== "done";
    this.el.hidden = !on;
    this.el.parentElement?.classList.toggle("jw-busy", on); // its room in the toolbar grows
    if (!on) return;
    const reading = prog.phase === "reading";
    // reading with a known total: the share read; after reading: full; unknown total: pulsing
    const pct = reading ? percent(prog) : 100;
    this.el.classList.toggle("jw-progress-busy", pct === null || !reading);
    this.fill.style.width = `${pct === null ? 30 : pct}%`;
    const [head, tail] = shortText(prog);
    const full = prog.text || head + tail;
    setAttrs(this.el, { "aria-valuenow": pct === null ? null : pct, "aria-valuetext": full });
    setText(this.head, head);
    setText(this.tail, tail);
    this.el.title = full;
  }
}
