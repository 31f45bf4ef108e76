// A bind at work in the kernel (the `_progress` trait): a small bar and one line of
// text in the toolbar — rows read and the phase. Hidden when no bind is running.
import { h, setAttrs, setText } from "./dom";

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
  private readonly label: HTMLElement;

  constructor() {
    this.fill = h("span", { class: "jw-progress-fill" });
    this.label = h("span", { class: "jw-progress-text" });
    this.el = h(
      "span",
      { class: "jw-progress", role: "progressbar", "aria-label": "Binding data", "aria-valuemin": 0, "aria-valuemax": 100 },
      h("span", { class: "jw-progress-track" }, this.fill),
      this.label,
    );
    this.el.hidden = true;
  }

  /** Show `p` (an empty or missing value hides the chip). */
  render(p: unknown): void {
    const prog = p && typeof p === "object" ? (p as BindProgress) : {};
    const on = typeof prog.phase === "string" && prog.phase !== "" && prog.phase !== "done";
    this.el.hidden = !on;
    if (!on) return;
    const frac = typeof prog.fraction === "number" && Number.isFinite(prog.fraction) ? Math.max(0, Math.min(1, prog.fraction)) : null;
    const reading = prog.phase === "reading";
    // reading with a known total: the share read; after reading: full; unknown total: moving stripe
    const pct = reading ? (frac === null ? null : Math.round(frac * 100)) : 100;
    this.el.classList.toggle("jw-progress-busy", pct === null || !reading);
    this.fill.style.width = `${pct === null ? 30 : pct}%`;
    setAttrs(this.el, { "aria-valuenow": pct === null ? null : pct, "aria-valuetext": prog.text || prog.phase || "" });
    setText(this.label, prog.text || prog.phase || "");
    this.el.title = prog.text || "";
  }
}
