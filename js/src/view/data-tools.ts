// Data on the map (issue 4): the segment switch and A/B comparison in the toolbar,
// the Insights button and the Insights panel under the header.
import { h, setText, toggleClass } from "../components/dom";
import { icon } from "../components/icons";
import { analyticsBody } from "../components/analytics";
import { unitLabel } from "../components/figures";
import { fillSelect, insightGroups, insightsBody, segmentOptions, type InsightHost } from "../components/insights";
import { toolButton } from "./toolbar";
import type { JourneyView } from "./journey-view";

export class DataTools {
  /** Whether the Insights panel is open in this view. */
  insightsOpen = false;
  /** The Insights panel (placed under the header by the view). */
  box!: HTMLElement;
  private tools!: HTMLElement;
  private segSel!: HTMLSelectElement;
  private cmpSel!: HTMLSelectElement;
  private btn!: HTMLButtonElement;
  private count!: HTMLElement;
  private body!: HTMLElement;
  private summary!: HTMLElement;
  private counting!: HTMLElement;
  private unitSel!: HTMLSelectElement;
  private funnelSel!: HTMLSelectElement;
  private windowSel!: HTMLSelectElement;
  private definition!: HTMLElement;

  constructor(private readonly v: JourneyView) {}

  /** The segment selects and the Insights button (for the toolbar); builds the panel too. */
  buildTools(): HTMLElement[] {
    this.segSel = h("select", { class: "jw-select jw-segment-select", "aria-label": "Customer segment (A)", title: "Show one customer segment" });
    this.cmpSel = h("select", { class: "jw-select jw-compare-select", "aria-label": "Compare with segment (B)", title: "Compare with another segment (A/B)" });
    this.segSel.addEventListener("change", () => this.setTrait("segment", this.segSel.value));
    this.cmpSel.addEventListener("change", () => this.setTrait("compare", this.cmpSel.value));
    const segWrap = h("label", { class: "jw-seg jw-seg-a" }, h("span", { class: "jw-seg-key", "aria-hidden": "true" }), this.segSel);
    const cmpWrap = h("label", { class: "jw-seg jw-seg-b" }, h("span", { class: "jw-seg-key", "aria-hidden": "true" }), this.cmpSel);
    this.tools = h("span", { class: "jw-data-tools" }, icon("people"), segWrap, cmpWrap);
    this.tools.hidden = true;
    // what the numbers count (issue 10): unit, funnel mode, window, and the same in words
    this.unitSel = h("select", { class: "jw-select jw-unit-select", "aria-label": "Count customers or sessions" });
    this.funnelSel = h("select", { class: "jw-select jw-funnel-select", "aria-label": "Funnel mode" });
    this.windowSel = h("select", { class: "jw-select jw-window-select", "aria-label": "Conversion window" });
    this.unitSel.addEventListener("change", () => this.setTrait("unit", this.unitSel.value));
    this.funnelSel.addEventListener("change", () => this.setTrait("funnel", this.funnelSel.value));
    this.windowSel.addEventListener("change", () => this.setTrait("window", this.windowSel.value));
    this.definition = h("span", { class: "jw-chip jw-definition" });
    this.counting = h("span", { class: "jw-counting" }, this.unitSel, this.funnelSel, this.windowSel, this.definition);
    this.counting.hidden = true;
    this.count = h("span", { class: "jw-count" });
    this.btn = toolButton("opportunities", "Insights", () => this.toggleInsights());
    this.btn.classList.add("jw-insights-btn");
    this.btn.appendChild(this.count);
    this.btn.setAttribute("aria-expanded", String(this.insightsOpen));
    this.btn.hidden = true;

    this.summary = h("span", { class: "jw-insights-sum" });
    const close = h("button", { type: "button", class: "jw-ibtn", title: "Close insights", "aria-label": "Close insights" }, icon("close"));
    close.addEventListener("click", () => this.toggleInsights(false));
    this.body = h("div", { class: "jw-insights-body" });
    this.box = h(
      "section",
      { class: "jw-insights", "aria-label": "Insights" },
      h("div", { class: "jw-insights-head" }, h("h3", { class: "jw-section-title" }, icon("opportunities"), "Insights"), this.summary, h("span", { class: "jw-spacer" }), close),
      this.body,
    );
    this.box.hidden = true;
    return [this.counting, this.v.flows.button(), this.tools, this.btn];
  }

  private setTrait(name: "segment" | "compare" | "unit" | "funnel" | "window", value: string): void {
    const model = this.v.model;
    if (String(model.get(name) || "") === value) return;
    model.set(name, value);
    model.save_changes();
  }

  /** The unit / funnel / window selects (with a kernel) and the definition chip. */
  private renderCounting(): void {
    const m = this.v.metrics;
    const def = typeof m.definition === "string" ? m.definition : "";
    this.counting.hidden = !def;
    if (!def) return;
    const live = m.live === true;
    const unit = m.unit === "session" ? "session" : "customer";
    fillSelect(this.unitSel, [{ value: "customer", label: "Customers" }, { value: "session", label: "Sessions" }], unit);
    this.unitSel.title = `Counting ${unit === "session" ? "sessions" : "customers"}: every number on the map counts these`;
    const funnel = m.funnel === "reached" ? "reached" : "ordered";
    fillSelect(this.funnelSel, [
      { value: "ordered", label: "Ordered funnel" },
      { value: "reached", label: "Reached (any order)" },
    ], funnel);
    this.funnelSel.title = funnel === "ordered"
      ? "Ordered funnel: a stage counts units reaching it after the stage before (earliest match)"
      : "Reached: a stage counts units with any event there, in any order";
    const win = typeof m.window === "string" ? m.window : "";
    const opts = [{ value: "", label: "No window" }, { value: "1h", label: "1-hour window" }, { value: "1D", label: "1-day window" },
      { value: "7D", label: "7-day window" }, { value: "30D", label: "30-day window" }];
    if (win && !opts.some((o) => o.value === win)) opts.push({ value: win, label: `${win} window` });
    fillSelect(this.windowSel, opts, win);
    this.windowSel.disabled = funnel !== "ordered";
    this.windowSel.title = funnel === "ordered"
      ? "Conversion window: a later stage counts only within this time of the unit's first-stage match"
      : "The window applies to the ordered funnel only";
    for (const s of [this.funnelSel, this.windowSel]) s.hidden = !live;
    // customers or sessions: a choice only when the data has sessions
    this.unitSel.hidden = !live || m.has_sessions === false;
    setText(this.definition, def);
    const desc = typeof m.description === "string" && m.description ? m.description : def;
    this.definition.title = desc;
    this.counting.title = desc;
    // with a kernel the selects say it; the chip says it where they cannot be used
    this.definition.hidden = live;
  }

  toggleInsights(open?: boolean): void {
    this.insightsOpen = open === undefined ? !this.insightsOpen : open;
    this.render();
    if (this.insightsOpen && !this.box.hidden) this.box.scrollIntoView?.({ block: "nearest" });
  }

  /** Selects, Insights button and panel from `_metrics`, `segment` and `compare`. */
  render(): void {
    if (!this.tools) return;
    const v = this.v;
    const m = v.metrics;
    const live = m.live === true;
    const segments = Array.isArray(m.segments) ? m.segments : [];
    const seg = String(v.model.get("segment") || "");
    const cmp = String(v.model.get("compare") || "");
    // segment switch and A/B: only with a kernel behind the page and a segment column bound
    this.tools.hidden = !live || segments.length === 0;
    if (!this.tools.hidden) {
      fillSelect(this.segSel, segmentOptions(segments, "All customers", seg), seg);
      fillSelect(this.cmpSel, segmentOptions(segments, "Compare with…", cmp), cmp);
      const col = m.segment_column ? ` (${m.segment_column})` : "";
      this.segSel.title = `Customer segment${col}${cmp ? " — A" : ""}`;
      this.cmpSel.title = cmp ? `Compared segment — B` : `Compare with another segment${col}`;
    }
    toggleClass(v.root, "jw-comparing", !!(m.compare && cmp));
    this.renderCounting();
    // insights
    const list = Array.isArray(m.insights) ? m.insights : null;
    const bound = list !== null && (list.length > 0 || Object.keys(m.touchpoints || {}).length > 0 || Object.keys(m.feedback || {}).length > 0);
    this.btn.hidden = !bound;
    const n = list ? list.length : 0;
    setText(this.count, String(n));
    this.count.hidden = n === 0;
    const groups = insightGroups(list || []);
    this.btn.title = `Insights: ${groups[0].items.length} bottlenecks, ${groups[1].items.length} path deviations, ${groups[2].items.length} data problems`;
    this.btn.setAttribute("aria-expanded", String(this.insightsOpen && bound));
    toggleClass(this.btn, "jw-on", this.insightsOpen && bound);
    this.box.hidden = !(this.insightsOpen && bound);
    if (this.box.hidden) return;
    setText(this.summary, `${groups[0].items.length} bottlenecks · ${groups[1].items.length} path deviations · ${groups[2].items.length} data problems${m.segment ? ` · segment ${m.segment}` : ""}${typeof m.definition === "string" ? ` · ${m.definition}` : ""}`);
    const canAdd = v.editable && live;
    const doc = v.doc;
    const sig = JSON.stringify([
      list,
      m.opportunities,
      m.clusters,
      m.unit,
      canAdd,
      (doc.stages || []).map((x) => [x.id, x.name]),
      (doc.touchpoints || []).map((x) => [x.id, x.name]),
      (doc.personas || []).map((x) => x.segment || null), // "Added" follows the cluster personas
    ]);
    if (this.body.getAttribute("data-sig") === sig) return;
    this.body.setAttribute("data-sig", sig);
    const had = this.body.contains(v.root.ownerDocument.activeElement);
    const host: InsightHost = {
      get doc() {
        return v.doc;
      },
      canAdd,
      select: (id) => v.select(id, true),
      sendOps: (ops, focusId) => v.send(ops, { id: focusId }),
    };
    this.body.textContent = "";
    this.body.appendChild(insightsBody(host, list || []));
    this.body.appendChild(analyticsBody({ ...host, doc: v.doc, ask: (type, fields) => v.rpc.ask(type, fields) }, m, unitLabel(m)));
    if (had) v.root.focus({ preventScroll: true });
  }
}
