// The journey map view: renders the synced document, sends every edit to
// Python as ops, and patches only what changed when the document comes back.
import { h, setText, toggleClass, cssEscape } from "./dom";
import { mountCharts, type MountedCharts } from "./charts"; // issue 5: chart overlays
import { liveFieldOf, LiveField, setCaret } from "./editable";
import { scaleOf, stepEmotion, yToEmotion, PAD } from "./emotion";
import { cellKey, commentCounts, computeLayout, gridColumns, readingOrderIndex, type Layout } from "./layout";
import { historyAction, isTextEntry, itemAction, type KeyAction } from "./keys";
import { addOp, moveIfChanged, moveOp, newId, removeOp, updateOp, isCardLane } from "./ops";
import { KeyedList, emptyStats, type Component, type ReconcileStats } from "./reconcile";
import {
  LANE_LABELS,
  buildChrome,
  cardItem,
  emotionCurve,
  laneHeader,
  liveText,
  metricBlock,
  stageHeader,
  touchpointCard,
  type ABItem,
  type CardItem,
  type EmotionCurve,
  type EmotionItem,
  type LaneItem,
  type MetricItem,
  type StageItem,
  type TouchpointItem,
} from "./components";
import { goalCard, personaCard, type GoalItem, type PersonaItem } from "./header";
import { fillSelect, insightGroups, insightsBody, segmentOptions, type InsightHost } from "./data";
import { Panel, findItem } from "./panel";
import { DragSession, type DropTarget } from "./drag";
import { icon, installIcons } from "./icons";
import type { Ctx, DragKind } from "./ctx";
import type { EmotionScale, JourneyDoc, Lane, Metrics, Op, Stage, WidgetModel } from "./types";

const LANE_HEADER_PX = 156;
const RESULT_TIMEOUT_MS = 20000;

let viewCounter = 0;

interface Keyed<T> {
  key: string;
  sig: string;
  data: T;
}

interface CellItem {
  key: string;
  sig: string;
  lane: Lane;
  stage: Stage;
  row: number;
  column: number;
  n: number;
  tps?: Keyed<TouchpointItem>[];
  metrics?: Keyed<MetricItem>[];
  cards?: Keyed<CardItem>[];
}

/** Rendering counters, for tests and the benchmark. */
export interface RenderInfo {
  renders: number;
  lastMs: number;
  stats: ReconcileStats;
}

export class JourneyView implements Ctx {
  readonly root: HTMLElement;
  readonly uid: string;
  editable = true;
  doc: JourneyDoc = { id: "", title: "" };
  scale: EmotionScale = scaleOf(null);
  metrics: Metrics = {};
  layout: Layout = computeLayout({ id: "", title: "" });
  counts = new Map<string, { open: number; total: number }>();
  selected = "";
  info: RenderInfo = { renders: 0, lastMs: 0, stats: emptyStats() };

  private model: WidgetModel;
  private toolbar!: HTMLElement;
  private undoBtn!: HTMLButtonElement;
  private redoBtn!: HTMLButtonElement;
  private header!: HTMLElement;
  private headMain!: HTMLElement;
  private title!: { el: HTMLElement; field: LiveField | null; set(v: string): void };
  private desc!: { el: HTMLElement; field: LiveField | null; set(v: string): void };
  private chips!: HTMLElement;
  private personaBox!: HTMLElement;
  private goalBox!: HTMLElement;
  private errorBar!: HTMLElement;
  private errorText!: HTMLElement;
  private body!: HTMLElement;
  scroller!: HTMLElement;
  private grid!: HTMLElement;
  private corner!: HTMLElement;
  private empty!: HTMLElement;
  private panel!: Panel;
  private personas!: KeyedList<Keyed<PersonaItem>>;
  private goals!: KeyedList<Keyed<GoalItem>>;
  private stages!: KeyedList<Keyed<StageItem>>;
  private lanes!: KeyedList<Keyed<LaneItem>>;
  private cells!: KeyedList<CellItem>;
  private curves!: KeyedList<Keyed<EmotionItem>>;

  private ridBase = Math.floor(Math.random() * 1e6) * 1e6;
  private ridCount = 0;
  private waiting = new Map<number, (ok: boolean) => void>();
  private deferred: { rev: number; run: () => void }[] = [];
  private localError = "";
  private pendingFocus: { id: string; field?: string } | null = null;
  private drag: DragSession | null = null;
  private emotionDrag: { id: string; value: number | null; start: number | null; curve: EmotionCurve; el: HTMLElement; pointer: number } | null =
    null;
  private disposers: (() => void)[] = [];
  /** A pointer is down in the map: selection waits for the click (no drawer opening mid-click). */
  private pointerActive = false;
  /** Whether the side panel shows the selected item (the × hides it, keeping the selection). */
  panelOpen = true;
  /** Emotion values sent from the keyboard and not answered yet, per touchpoint. */
  private keyEmotion = new Map<string, number | null>();
  private keyEmotionPending = new Map<string, number>();
  /** Zoom of the map in this view: a factor, or "fit" (the whole width in view). */
  zoom = "1";
  // charts.ts: overlay switcher + Altair/Vega charts under the header and in cells
  private charts: MountedCharts | null = null;
  private chartHost!: HTMLElement;
  // data.ts (issue 4): segment switch, A/B comparison, insights panel
  private dataTools!: HTMLElement;
  private segSel!: HTMLSelectElement;
  private cmpSel!: HTMLSelectElement;
  private insightsBtn!: HTMLButtonElement;
  private insightsCount!: HTMLElement;
  private insightsBox!: HTMLElement;
  private insightsBody!: HTMLElement;
  private insightsSummary!: HTMLElement;
  /** Whether the Insights panel is open in this view. */
  insightsOpen = false;

  constructor(model: WidgetModel, el: HTMLElement) {
    this.model = model;
    this.uid = `${++viewCounter}${Math.floor(Math.random() * 1e4)}`;
    this.root = h("div", { class: "jw-root", "data-lm-suppress-shortcuts": "true", "data-jw-view": this.uid, tabindex: -1 });
    this.root.classList.add("lm-suppress-shortcuts");
    installIcons(el.ownerDocument);
    el.appendChild(this.root);
    this.listen(model, "change:_doc", () => this.render());
    this.listen(model, "change:_metrics", () => this.render());
    this.listen(model, "change:_rev", () => this.settleDeferred());
    this.listen(model, "change:editable", () => this.rebuild());
    this.listen(model, "change:selected", () => this.applySelection());
    this.listen(model, "change:_error", () => this.renderError());
    this.listen(model, "change:_can_undo", () => this.renderHistory());
    this.listen(model, "change:_can_redo", () => this.renderHistory());
    this.listen(model, "change:segment", () => this.renderData());
    this.listen(model, "change:compare", () => this.renderData());
    this.listen(model, "msg:custom", (msg: any) => this.onMessage(msg));
    const onKey = (e: KeyboardEvent) => this.onKeyDown(e);
    const onFocusIn = (e: FocusEvent) => this.onFocusIn(e);
    const onPointerDown = () => {
      this.pointerActive = true;
    };
    const onPointerUp = () => {
      setTimeout(() => (this.pointerActive = false), 0);
    };
    const onClick = (e: MouseEvent) => this.onClick(e);
    const onOver = (e: Event) => buildChrome(e.target);
    this.root.addEventListener("pointerover", onOver);
    this.disposers.push(() => this.root.removeEventListener("pointerover", onOver));
    this.root.addEventListener("keydown", onKey);
    this.root.addEventListener("focusin", onFocusIn);
    this.root.addEventListener("pointerdown", onPointerDown, true);
    this.root.addEventListener("click", onClick);
    el.ownerDocument.addEventListener("pointerup", onPointerUp, true);
    el.ownerDocument.addEventListener("pointercancel", onPointerUp, true);
    // keep notebook handlers (cell selection / drag) out of pointer gestures that start on the map
    const stop = (e: Event) => e.stopPropagation();
    this.root.addEventListener("keyup", stop);
    this.root.addEventListener("keypress", stop);
    this.disposers.push(() => {
      this.root.removeEventListener("keydown", onKey);
      this.root.removeEventListener("focusin", onFocusIn);
      this.root.removeEventListener("pointerdown", onPointerDown, true);
      this.root.removeEventListener("click", onClick);
      el.ownerDocument.removeEventListener("pointerup", onPointerUp, true);
      el.ownerDocument.removeEventListener("pointercancel", onPointerUp, true);
    });
    this.rebuild();
  }

  private listen(model: WidgetModel, ev: string, cb: (...a: any[]) => void): void {
    model.on(ev, cb);
    this.disposers.push(() => model.off(ev, cb));
  }

  destroy(): void {
    this.drag?.finish();
    for (const d of this.disposers) d();
    this.disposers = [];
    this.teardown();
    this.root.remove();
  }

  // ------------------------------------------------------------------ build

  private teardown(): void {
    this.charts?.destroy();
    this.charts = null;
    this.personas?.clear();
    this.goals?.clear();
    this.stages?.clear();
    this.lanes?.clear();
    this.cells?.clear();
    this.curves?.clear();
    this.title?.field?.destroy();
    this.desc?.field?.destroy();
    this.root.textContent = "";
  }

  /** Build the DOM from scratch (first render, or `editable` changed). */
  rebuild(): void {
    this.teardown();
    this.editable = this.model.get("editable") !== false;
    this.doc = this.readDoc();
    this.scale = scaleOf(this.doc.emotion_scale);
    toggleClass(this.root, "jw-editable", this.editable);
    toggleClass(this.root, "jw-readonly", !this.editable);
    const stats = this.info.stats;

    // toolbar
    this.toolbar = h("div", { class: "jw-toolbar", role: "toolbar", "aria-label": "Journey map tools" });
    if (this.editable) {
      this.undoBtn = this.toolButton("undo", "Undo (Ctrl+Z)", () => this.history("undo"), true);
      this.redoBtn = this.toolButton("redo", "Redo (Ctrl+Shift+Z)", () => this.history("redo"), true);
      const addStage = this.toolButton("plus", "Stage", () => this.addStage());
      addStage.classList.add("jw-add-stage");
      const laneSel = h("select", { class: "jw-select jw-add-lane", "aria-label": "Add a lane", title: "Add a lane" });
      laneSel.appendChild(h("option", { value: "" }, "+ Lane…"));
      for (const k of Object.keys(LANE_LABELS)) laneSel.appendChild(h("option", { value: k }, LANE_LABELS[k]));
      laneSel.addEventListener("change", () => {
        const k = laneSel.value;
        laneSel.value = "";
        if (k) this.addLane(k);
      });
      const addPersona = this.toolButton("plus", "Persona", () => this.addPersona());
      const addGoal = this.toolButton("plus", "Goal", () => this.addGoal());
      this.toolbar.append(this.undoBtn, this.redoBtn, h("span", { class: "jw-sep" }), addStage, laneSel, addPersona, addGoal);
    } else {
      this.toolbar.appendChild(h("span", { class: "jw-chip jw-chip-readonly" }, "Read-only"));
    }
    this.toolbar.appendChild(h("span", { class: "jw-spacer" }));
    this.buildDataTools();
    const details = this.toolButton("panel", "Details", () => this.toggleDetails());
    details.classList.add("jw-details-btn");
    const zoom = h("select", { class: "jw-select jw-zoom", "aria-label": "Zoom the map", title: "Zoom the map" });
    for (const [v, l] of [
      ["1", "100%"],
      ["0.85", "85%"],
      ["0.7", "70%"],
      ["0.55", "55%"],
      ["fit", "Fit width"],
    ])
      zoom.appendChild(h("option", { value: v }, l));
    zoom.value = this.zoom;
    zoom.addEventListener("change", () => {
      this.zoom = zoom.value;
      this.applyZoom();
    });
    this.toolbar.append(zoom, details);

    // header
    this.chips = h("div", { class: "jw-chips" });
    this.title = liveText(this, "h2", "jw-title", this.doc.id, "title", this.doc.title, { placeholder: "Journey title", label: "Journey title" });
    this.desc = liveText(this, "p", "jw-desc", this.doc.id, "description", this.doc.description || "", {
      multiline: true,
      placeholder: "What this journey is about…",
      label: "Journey description",
    });
    this.headMain = h("div", { class: "jw-head-main jw-item", "data-kind": "journey", tabindex: -1 }, this.chips, this.title.el, this.desc.el);
    this.personaBox = h("div", { class: "jw-personas" });
    this.goalBox = h("div", { class: "jw-goals" });
    const goalsWrap = h("section", { class: "jw-goals-wrap" }, h("h3", { class: "jw-section-title" }, icon("target"), "Goals & KPIs"), this.goalBox);
    const personaWrap = h("section", { class: "jw-personas-wrap" }, h("h3", { class: "jw-section-title" }, icon("people"), "Personas"), this.personaBox);
    this.header = h("header", { class: "jw-header" }, this.headMain, goalsWrap, personaWrap);

    // error
    this.errorText = h("span", { class: "jw-error-text" });
    const dismiss = h("button", { type: "button", class: "jw-ibtn", title: "Dismiss", "aria-label": "Dismiss message" }, icon("close"));
    dismiss.addEventListener("click", () => this.dismissError());
    this.errorBar = h("div", { class: "jw-error", role: "alert" }, icon("pain_points"), this.errorText, dismiss);
    this.errorBar.hidden = true;

    // grid
    this.corner = h("div", { class: "jw-corner" });
    this.corner.style.gridRow = "1";
    this.corner.style.gridColumn = "1";
    this.grid = h("div", { class: "jw-grid", role: "grid", "aria-label": "Journey map" }, this.corner);
    this.empty = h("div", { class: "jw-empty" });
    this.scroller = h("div", { class: "jw-scroll" }, this.grid, this.empty);
    this.panel = new Panel(this, () => this.closePanel());
    this.body = h("div", { class: "jw-body" }, this.scroller, this.panel.el);

    this.chartHost = h("div", { class: "jw-chart-host" });
    this.root.append(this.toolbar, this.header, this.chartHost, this.insightsBox, this.body, this.errorBar);

    this.personas = new KeyedList((k) => k.key, (k) => k.sig, (k) => wrap(personaCard(this, k.data)), stats);
    this.goals = new KeyedList((k) => k.key, (k) => k.sig, (k) => wrap(goalCard(this, k.data)), stats);
    this.stages = new KeyedList((k) => k.key, (k) => k.sig, (k) => wrap(stageHeader(this, k.data)), stats);
    this.lanes = new KeyedList((k) => k.key, (k) => k.sig, (k) => wrap(laneHeader(this, k.data)), stats);
    this.cells = new KeyedList((c) => c.key, (c) => c.sig, (c) => this.cell(c), stats);
    this.curves = new KeyedList((k) => k.key, (k) => k.sig, (k) => wrapCurve(emotionCurve(this, k.data, stats)), stats);

    this.render();
    this.renderError();
    this.renderHistory();
    this.charts = mountCharts({ model: this.model, host: this.chartHost, toolbar: this.toolbar, root: this.root, select: (id) => this.select(id) });
    if (this.zoom !== "1") this.applyZoom();
  }

  /** Scale the map (this view only; the document is untouched). */
  applyZoom(): void {
    let f = Number(this.zoom);
    if (this.zoom === "fit") {
      this.grid.style.removeProperty("zoom");
      const natural = this.grid.scrollWidth;
      const room = this.scroller.clientWidth - 28;
      f = natural > 0 && room > 0 ? Math.max(0.35, Math.min(1, room / natural)) : 1;
    }
    if (!Number.isFinite(f) || f <= 0) f = 1;
    if (f === 1) this.grid.style.removeProperty("zoom");
    else this.grid.style.setProperty("zoom", f.toFixed(3));
    toggleClass(this.root, "jw-zoomed", f < 1);
    this.charts?.reanchor();
  }

  private toolButton(name: string, label: string, onClick: () => void, iconOnly = false): HTMLButtonElement {
    const b = h("button", { type: "button", class: "jw-btn", title: label, "aria-label": label }, icon(name), iconOnly ? null : label);
    b.addEventListener("click", onClick);
    return b;
  }

  private readDoc(): JourneyDoc {
    const d = this.model.get("_doc");
    return d && typeof d === "object" ? (d as JourneyDoc) : { id: "", title: "" };
  }

  // ------------------------------------------------------------------ render

  /** Re-render from the model: only items whose signature changed are patched. */
  render(): void {
    const t0 = performance.now();
    const focus = this.captureFocus();
    const doc = this.readDoc();
    this.doc = doc;
    this.scale = scaleOf(doc.emotion_scale);
    const m = this.model.get("_metrics");
    this.metrics = m && typeof m === "object" ? (m as Metrics) : {};
    this.layout = computeLayout(doc);
    this.counts = commentCounts(doc);
    this.selected = this.model.get("selected") || "";

    this.renderHeader();
    this.renderGrid();
    this.renderData();
    this.applySelection();
    this.restoreFocus(focus);
    this.settleDeferred();
    this.applyPendingFocus();
    this.charts?.reanchor();
    this.info.renders++;
    this.info.lastMs = performance.now() - t0;
  }

  private renderHeader(): void {
    const doc = this.doc;
    this.headMain.setAttribute("data-id", doc.id);
    this.title.set(doc.title || "");
    this.desc.set(doc.description || "");
    if (!this.editable) this.desc.el.hidden = !doc.description;
    const chips: string[] = [];
    const types: Record<string, string> = {
      purchase: "Purchase journey",
      onboarding: "Onboarding journey",
      support: "Support journey",
      retention: "Retention journey",
      lead_generation: "Lead generation journey",
      engagement: "Engagement journey",
      custom: "Journey",
    };
    chips.push(types[doc.journey_type || ""] || "Journey");
    if (doc.state) chips.push(doc.state === "to_be" ? "To-be" : "As-is");
    const key = JSON.stringify([chips, doc.tags, doc.modified]);
    if (this.chips.getAttribute("data-sig") !== key) {
      this.chips.setAttribute("data-sig", key);
      this.chips.textContent = "";
      chips.forEach((c, i) => this.chips.appendChild(h("span", { class: i === 0 ? "jw-chip jw-chip-type" : "jw-chip" }, c)));
      for (const t of doc.tags || []) this.chips.appendChild(h("span", { class: "jw-chip jw-chip-soft" }, `#${t}`));
      if (doc.modified) this.chips.appendChild(h("span", { class: "jw-modified" }, `Updated ${doc.modified}`));
    }
    const personas = (doc.personas || []).map((p) => {
      const data: PersonaItem = { p, comments: this.counts.get(p.id) };
      return { key: p.id, sig: JSON.stringify(data), data };
    });
    this.personas.sync(this.personaBox, personas);
    const goals = (doc.goals || []).map((g) => {
      const data: GoalItem = { g, comments: this.counts.get(g.id) };
      return { key: g.id, sig: JSON.stringify(data), data };
    });
    this.goals.sync(this.goalBox, goals);
    (this.personaBox.parentElement as HTMLElement).hidden = personas.length === 0 && !this.editable;
    (this.goalBox.parentElement as HTMLElement).hidden = goals.length === 0 && !this.editable;
    toggleClass(this.personaBox, "jw-empty-box", personas.length === 0);
    toggleClass(this.goalBox, "jw-empty-box", goals.length === 0);
  }

  private renderGrid(): void {
    const doc = this.doc;
    const layout = this.layout;
    const stages = layout.stages;
    const lanes = doc.lanes || [];
    const tpm = this.metrics.touchpoints || {};
    const stm = this.metrics.stages || {};
    const fbm = this.metrics.feedback || {};
    const cols = gridColumns(layout, LANE_HEADER_PX);
    if (this.grid.style.gridTemplateColumns !== cols) this.grid.style.gridTemplateColumns = cols;
    const rows = ["auto", ...lanes.map((l) => (l.kind === "emotions" ? "minmax(168px, auto)" : "auto"))].join(" ");
    if (this.grid.style.gridTemplateRows !== rows) this.grid.style.gridTemplateRows = rows;
    this.grid.hidden = stages.length === 0 && lanes.length === 0;
    toggleClass(this.root, "jw-big", (doc.touchpoints || []).length > 150 || stages.length > 30);

    let maxCustomers = 0;
    for (const st of stages) {
      const c = stm[st.id] && stm[st.id].customers;
      if (typeof c === "number" && c > maxCustomers) maxCustomers = c;
    }
    // A/B mode: segment B's figures beside the current segment's
    const cmp = this.metrics.compare && typeof this.metrics.compare === "object" ? this.metrics.compare : null;
    const labels: [string, string] = cmp ? [this.metrics.segment ? String(this.metrics.segment) : "All customers", String(cmp.segment)] : ["", ""];
    const abOf = (part: "stages" | "touchpoints", id: string): ABItem | undefined => {
      if (!cmp) return undefined;
      const src = cmp[part];
      if (!src || (part === "touchpoints" && Object.keys(src).length === 0 && cmp.truncated)) return undefined;
      return { b: (src as any)[id], labels };
    };
    const stageItems = stages.map((stage, i) => {
      const data: StageItem = { stage, index: i, column: i + 2, comments: this.counts.get(stage.id), m: stm[stage.id], maxCustomers, ab: abOf("stages", stage.id) };
      return { key: stage.id, sig: JSON.stringify(data), data };
    });
    this.stages.sync(this.grid, stageItems, false);

    const laneItems = lanes.map((lane, i) => {
      const data: LaneItem = { lane, row: i + 2, comments: this.counts.get(lane.id), scale: this.scale };
      return { key: lane.id, sig: JSON.stringify(data), data };
    });
    this.lanes.sync(this.grid, laneItems, false);

    // touchpoint items are shared by every touchpoints lane
    const tpItems = new Map<string, Keyed<TouchpointItem>[]>();
    const mItems = new Map<string, Keyed<MetricItem>[]>();
    for (const st of stages) {
      const tps = layout.byStage.get(st.id) || [];
      tpItems.set(
        st.id,
        tps.map((tp) => {
          const data: TouchpointItem = { tp, comments: this.counts.get(tp.id), m: tpm[tp.id], fb: fbm[tp.id], scale: this.scale, ab: abOf("touchpoints", tp.id) };
          return { key: tp.id, sig: JSON.stringify(data), data };
        }),
      );
      mItems.set(
        st.id,
        tps.map((tp) => {
          const data: MetricItem = { tp: { id: tp.id, name: tp.name, metric: tp.metric }, m: tpm[tp.id], fb: fbm[tp.id], ab: abOf("touchpoints", tp.id) };
          return { key: tp.id, sig: JSON.stringify(data), data };
        }),
      );
    }
    const cellItems: CellItem[] = [];
    lanes.forEach((lane, li) => {
      stages.forEach((stage, si) => {
        const n = layout.slots.get(stage.id)!;
        const base = { lane, stage, row: li + 2, column: si + 2, n };
        const key = cellKey(lane.id, stage.id) + "\u0001" + lane.kind;
        let sig = `${li}|${si}|${n}|${stage.name}|${lane.title}`;
        const item: CellItem = { key, sig, ...base };
        if (lane.kind === "touchpoints") {
          item.tps = tpItems.get(stage.id) || [];
          sig += item.tps.map((t) => t.sig).join("\u0002");
        } else if (lane.kind === "metrics") {
          item.metrics = mItems.get(stage.id) || [];
          sig += item.metrics.map((t) => t.sig).join("\u0002");
        } else if (isCardLane(lane.kind)) {
          item.cards = (layout.cards.get(cellKey(lane.id, stage.id)) || []).map((card) => {
            const data: CardItem = { card, kind: lane.kind, comments: this.counts.get(card.id) };
            return { key: card.id, sig: JSON.stringify(data), data };
          });
          sig += item.cards.map((t) => t.sig).join("\u0002");
        }
        item.sig = sig;
        cellItems.push(item);
      });
    });
    this.cells.sync(this.grid, cellItems, false);

    const curveItems: Keyed<EmotionItem>[] = [];
    lanes.forEach((lane, li) => {
      if (lane.kind !== "emotions") return;
      const data: EmotionItem = {
        lane: lane.id,
        row: li + 2,
        nStages: stages.length,
        scale: this.scale,
        points: layout.ordered.map((tp) => ({
          id: tp.id,
          name: tp.name,
          x: layout.x.get(tp.id)!,
          value: typeof tp.emotion === "number" ? tp.emotion : null,
          mot: !!tp.moment_of_truth,
          fb: fbm[tp.id] && typeof fbm[tp.id].emotion === "number" ? (fbm[tp.id].emotion as number) : null,
        })),
      };
      curveItems.push({ key: lane.id, sig: JSON.stringify(data), data });
    });
    if (stages.length === 0) curveItems.length = 0;
    this.curves.sync(this.grid, curveItems, false);

    // empty states
    this.empty.textContent = "";
    if (stages.length === 0 || lanes.length === 0) {
      const msg = stages.length === 0 ? "This journey has no stages yet." : "This journey has no lanes yet.";
      this.empty.appendChild(h("p", null, msg));
      if (this.editable) {
        const b =
          stages.length === 0
            ? h("button", { type: "button", class: "jw-btn jw-btn-primary" }, icon("plus"), "Add the first stage")
            : h("button", { type: "button", class: "jw-btn jw-btn-primary" }, icon("plus"), "Add a touchpoints lane");
        b.addEventListener("click", () => (stages.length === 0 ? this.addStage() : this.addLane("touchpoints")));
        this.empty.appendChild(b);
      }
    }
    this.empty.hidden = this.empty.childNodes.length === 0;
  }

  private cell(item: CellItem): Component<CellItem> {
    const el = h("div", {
      class: `jw-cell jw-cell-${item.lane.kind}`,
      "data-lane": item.lane.id,
      "data-stage": item.stage.id,
      "data-lane-kind": item.lane.kind,
      role: "gridcell",
    });
    const kind = item.lane.kind;
    let sync: (it: CellItem) => void = () => undefined;
    let destroy: () => void = () => undefined;
    const stats = this.info.stats;
    if (kind === "touchpoints") {
      const list = new KeyedList<Keyed<TouchpointItem>>((k) => k.key, (k) => k.sig, (k) => wrap(touchpointCard(this, k.data)), stats);
      const box = h("div", { class: "jw-tps" });
      el.appendChild(box);
      if (this.editable) {
        const add = h("button", { type: "button", class: "jw-add jw-add-tp-cell", title: "Add a touchpoint" }, icon("plus"), "Touchpoint");
        add.addEventListener("click", () => this.addTouchpoint(cur.stage.id));
        box.appendChild(add);
      }
      sync = (it) => {
        box.style.setProperty("--jw-n", String(Math.max(1, it.tps!.length)));
        toggleClass(box, "jw-none", it.tps!.length === 0);
        toggleClass(el, "jw-has-items", this.editable && it.tps!.length > 0);
        list.sync(box, it.tps!);
      };
      destroy = () => list.clear();
    } else if (kind === "metrics") {
      const list = new KeyedList<Keyed<MetricItem>>((k) => k.key, (k) => k.sig, (k) => wrap(metricBlock(this, k.data)), stats);
      const box = h("div", { class: "jw-tps jw-metrics" });
      el.appendChild(box);
      sync = (it) => {
        box.style.setProperty("--jw-n", String(Math.max(1, it.metrics!.length)));
        list.sync(box, it.metrics!);
      };
      destroy = () => list.clear();
    } else if (isCardLane(kind)) {
      const list = new KeyedList<Keyed<CardItem>>((k) => k.key, (k) => k.sig, (k) => wrap(cardItem(this, k.data)), stats);
      const box = h("div", { class: "jw-cards" });
      el.appendChild(box);
      if (this.editable) {
        const add = h("button", { type: "button", class: "jw-add jw-add-card", title: "Add a card" }, icon("plus"), "Add");
        add.addEventListener("click", () => this.addCard(cur.lane.id, cur.stage.id));
        box.appendChild(add);
      }
      sync = (it) => {
        toggleClass(el, "jw-has-items", this.editable && it.cards!.length > 0);
        list.sync(box, it.cards!);
      };
      destroy = () => list.clear();
    }
    let cur = item;
    const update = (it: CellItem) => {
      cur = it;
      el.style.gridRow = String(it.row);
      el.style.gridColumn = String(it.column);
      toggleClass(el, "jw-col-first", it.column === 2);
      sync(it);
    };
    update(item);
    return { el, update, destroy };
  }

  // ------------------------------------------------------------------ data: segments, A/B, insights

  /** The segment selects and the Insights button (toolbar) and the Insights panel (under the header). */
  private buildDataTools(): void {
    this.segSel = h("select", { class: "jw-select jw-segment-select", "aria-label": "Customer segment (A)", title: "Show one customer segment" });
    this.cmpSel = h("select", { class: "jw-select jw-compare-select", "aria-label": "Compare with segment (B)", title: "Compare with another segment (A/B)" });
    this.segSel.addEventListener("change", () => this.setTrait("segment", this.segSel.value));
    this.cmpSel.addEventListener("change", () => this.setTrait("compare", this.cmpSel.value));
    const segWrap = h("label", { class: "jw-seg jw-seg-a" }, h("span", { class: "jw-seg-key", "aria-hidden": "true" }), this.segSel);
    const cmpWrap = h("label", { class: "jw-seg jw-seg-b" }, h("span", { class: "jw-seg-key", "aria-hidden": "true" }), this.cmpSel);
    this.dataTools = h("span", { class: "jw-data-tools" }, icon("people"), segWrap, cmpWrap);
    this.dataTools.hidden = true;
    this.insightsCount = h("span", { class: "jw-count" });
    this.insightsBtn = this.toolButton("opportunities", "Insights", () => this.toggleInsights());
    this.insightsBtn.classList.add("jw-insights-btn");
    this.insightsBtn.appendChild(this.insightsCount);
    this.insightsBtn.setAttribute("aria-expanded", String(this.insightsOpen));
    this.insightsBtn.hidden = true;
    this.toolbar.append(this.dataTools, this.insightsBtn);

    this.insightsSummary = h("span", { class: "jw-insights-sum" });
    const close = h("button", { type: "button", class: "jw-ibtn", title: "Close insights", "aria-label": "Close insights" }, icon("close"));
    close.addEventListener("click", () => this.toggleInsights(false));
    this.insightsBody = h("div", { class: "jw-insights-body" });
    this.insightsBox = h(
      "section",
      { class: "jw-insights", "aria-label": "Insights" },
      h("div", { class: "jw-insights-head" }, h("h3", { class: "jw-section-title" }, icon("opportunities"), "Insights"), this.insightsSummary, h("span", { class: "jw-spacer" }), close),
      this.insightsBody,
    );
    this.insightsBox.hidden = true;
  }

  private setTrait(name: "segment" | "compare", value: string): void {
    if (String(this.model.get(name) || "") === value) return;
    this.model.set(name, value);
    this.model.save_changes();
  }

  toggleInsights(open?: boolean): void {
    this.insightsOpen = open === undefined ? !this.insightsOpen : open;
    this.renderData();
    if (this.insightsOpen && !this.insightsBox.hidden) this.insightsBox.scrollIntoView?.({ block: "nearest" });
  }

  /** Selects, Insights button and panel from `_metrics`, `segment` and `compare`. */
  renderData(): void {
    if (!this.dataTools) return;
    const m = this.metrics;
    const live = m.live === true;
    const segments = Array.isArray(m.segments) ? m.segments : [];
    const seg = String(this.model.get("segment") || "");
    const cmp = String(this.model.get("compare") || "");
    // segment switch and A/B: only with a kernel behind the page and a segment column bound
    this.dataTools.hidden = !live || segments.length === 0;
    if (!this.dataTools.hidden) {
      fillSelect(this.segSel, segmentOptions(segments, "All customers", seg), seg);
      fillSelect(this.cmpSel, segmentOptions(segments, "Compare with…", cmp), cmp);
      const col = m.segment_column ? ` (${m.segment_column})` : "";
      this.segSel.title = `Customer segment${col}${cmp ? " — A" : ""}`;
      this.cmpSel.title = cmp ? `Compared segment — B` : `Compare with another segment${col}`;
    }
    toggleClass(this.root, "jw-comparing", !!(m.compare && cmp));
    // insights
    const list = Array.isArray(m.insights) ? m.insights : null;
    const bound = list !== null && (list.length > 0 || Object.keys(m.touchpoints || {}).length > 0 || Object.keys(m.feedback || {}).length > 0);
    this.insightsBtn.hidden = !bound;
    const n = list ? list.length : 0;
    setText(this.insightsCount, String(n));
    this.insightsCount.hidden = n === 0;
    const groups = insightGroups(list || []);
    this.insightsBtn.title = `Insights: ${groups[0].items.length} bottlenecks, ${groups[1].items.length} data problems`;
    this.insightsBtn.setAttribute("aria-expanded", String(this.insightsOpen && bound));
    toggleClass(this.insightsBtn, "jw-on", this.insightsOpen && bound);
    this.insightsBox.hidden = !(this.insightsOpen && bound);
    if (this.insightsBox.hidden) return;
    setText(this.insightsSummary, `${groups[0].items.length} bottlenecks · ${groups[1].items.length} data problems${m.segment ? ` · segment ${m.segment}` : ""}`);
    const canAdd = this.editable && live;
    const doc = this.doc;
    const sig = JSON.stringify([
      list,
      canAdd,
      (doc.stages || []).map((x) => [x.id, x.name]),
      (doc.touchpoints || []).map((x) => [x.id, x.name]),
    ]);
    if (this.insightsBody.getAttribute("data-sig") === sig) return;
    this.insightsBody.setAttribute("data-sig", sig);
    const had = this.insightsBody.contains(this.root.ownerDocument.activeElement);
    const view = this;
    const host: InsightHost = {
      get doc() {
        return view.doc;
      },
      canAdd,
      select: (id) => this.select(id, true),
      sendOps: (ops, focusId) => this.send(ops, { id: focusId }),
    };
    this.insightsBody.textContent = "";
    this.insightsBody.appendChild(insightsBody(host, list || []));
    if (had) this.root.focus({ preventScroll: true });
  }

  // ------------------------------------------------------------------ selection and focus

  select(id: string, openPanel = false): void {
    if (openPanel) this.panelOpen = true;
    if (id === this.selected) {
      this.applySelection();
      return;
    }
    this.selected = id;
    this.model.set("selected", id);
    this.model.save_changes();
    this.applySelection();
  }

  private closePanel(): void {
    this.panelOpen = false;
    this.applySelection();
  }

  private toggleDetails(): void {
    if (this.panelOpen && !this.panel.el.hidden) {
      this.closePanel();
      return;
    }
    this.panelOpen = true;
    if (!this.selected) this.select(this.doc.id);
    else this.applySelection();
  }

  private applySelection(): void {
    const id = this.model.get("selected") || "";
    this.selected = id;
    this.charts?.select(id);
    for (const el of Array.from(this.root.querySelectorAll(".jw-selected"))) {
      if (el.getAttribute("data-id") !== id) el.classList.remove("jw-selected");
    }
    if (id) {
      for (const el of Array.from(this.root.querySelectorAll(`[data-id="${cssEscape(id)}"]`))) {
        if (!el.classList.contains("jw-comment")) el.classList.add("jw-selected");
      }
    }
    const wasHidden = this.panel.el.hidden;
    this.panel.render(this, this.panelOpen ? id : "");
    toggleClass(this.root, "jw-has-panel", !this.panel.el.hidden);
    if (wasHidden && !this.panel.el.hidden) this.reveal(id);
  }

  /** Scroll the map so that item `id` is not hidden under the side panel. */
  private reveal(id: string): void {
    const el = this.grid.querySelector(`.jw-item[data-id="${cssEscape(id)}"]`) as HTMLElement | null;
    if (!el || typeof el.getBoundingClientRect !== "function") return;
    const r = el.getBoundingClientRect();
    const p = this.panel.el.getBoundingClientRect();
    if (p.width > 0 && r.right > p.left - 8 && r.left < p.right) {
      this.scroller.scrollLeft += Math.min(r.right - p.left + 24, r.left - this.scroller.getBoundingClientRect().left - 8 > 0 ? r.right - p.left + 24 : 0);
    }
  }

  openComments(id: string): void {
    this.select(id, true);
    this.panel.focusComment();
  }

  private onClick(e: MouseEvent): void {
    const t = e.target as HTMLElement | null;
    if (!t || this.panel.el.contains(t)) return;
    const item = t.closest(".jw-item, .jw-dot, .jw-mblock") as HTMLElement | null;
    if (!item || !this.root.contains(item)) return;
    const id = item.getAttribute("data-id");
    if (id && id !== this.selected) this.select(id);
  }

  private onFocusIn(e: FocusEvent): void {
    buildChrome(e.target);
    const t = e.target as HTMLElement | null;
    if (!t || this.panel.el.contains(t) || this.pointerActive) return;
    const item = t.closest("[data-kind]") as HTMLElement | null;
    if (!item || !this.root.contains(item)) return;
    const kind = item.getAttribute("data-kind");
    if (kind === "comment" || kind === "touchpoint-metric") return;
    const id = item.getAttribute("data-id");
    if (id && id !== this.selected) this.select(id);
  }

  private captureFocus(): { el: HTMLElement; caret: number } | null {
    const a = this.root.ownerDocument.activeElement as HTMLElement | null;
    if (!a || !this.root.contains(a)) return null;
    let caret = -1;
    if (a.isContentEditable) {
      const sel = this.root.ownerDocument.getSelection();
      if (sel && sel.rangeCount) {
        const r = sel.getRangeAt(0);
        const pre = this.root.ownerDocument.createRange();
        pre.selectNodeContents(a);
        try {
          pre.setEnd(r.endContainer, r.endOffset);
          caret = pre.toString().length;
        } catch {
          caret = -1;
        }
      }
    }
    return { el: a, caret };
  }

  private restoreFocus(f: { el: HTMLElement; caret: number } | null): void {
    if (!f) return;
    const d = this.root.ownerDocument;
    if (d.activeElement === f.el) return;
    if (!f.el.isConnected) {
      // the focused item went away: keep the keyboard in the map (undo, shortcuts)
      if (!this.root.contains(d.activeElement)) this.root.focus({ preventScroll: true });
      return;
    }
    f.el.focus({ preventScroll: true });
    if (f.caret >= 0 && f.el.isContentEditable) {
      setCaret(f.el, f.caret);
    }
  }

  private applyPendingFocus(): void {
    const pf = this.pendingFocus;
    if (!pf) return;
    const item = this.root.querySelector(`.jw-item[data-id="${cssEscape(pf.id)}"]`) as HTMLElement | null;
    if (!item) return;
    this.pendingFocus = null;
    let target: HTMLElement = item;
    if (pf.field) {
      const f = item.querySelector(`[data-field="${cssEscape(pf.field)}"]`) as HTMLElement | null;
      if (f) target = f;
    }
    target.focus({ preventScroll: false });
    if (target !== item && target.isContentEditable) {
      const sel = this.root.ownerDocument.getSelection();
      if (sel) {
        const r = this.root.ownerDocument.createRange();
        r.selectNodeContents(target);
        sel.removeAllRanges();
        sel.addRange(r);
      }
    }
    if (this.selected !== pf.id) this.select(pf.id);
  }

  // ------------------------------------------------------------------ sending

  send(ops: Op[], focusAfter?: { id: string; field?: string }): Promise<boolean> {
    if (!this.editable || ops.length === 0) return Promise.resolve(false);
    const rid = this.ridBase + ++this.ridCount;
    if (focusAfter) this.pendingFocus = focusAfter;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        if (this.waiting.delete(rid)) {
          this.localError = "No answer from Python: is the kernel running?";
          this.renderError();
          resolve(false);
        }
      }, RESULT_TIMEOUT_MS);
      this.waiting.set(rid, (ok) => {
        clearTimeout(timer);
        resolve(ok);
      });
      this.model.send({ type: "ops", ops, rid });
    });
  }

  update(id: string, fields: Record<string, unknown>): Promise<boolean> {
    return this.send([updateOp(id, fields)]);
  }

  remove(id: string): void {
    if (this.selected === id) this.select("");
    void this.send([removeOp(id)]);
  }

  private onMessage(msg: any): void {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "result") {
      const cb = this.waiting.get(msg.rid);
      if (!cb) return;
      this.waiting.delete(msg.rid);
      const run = () => {
        if (msg.ok) {
          if (this.localError) {
            this.localError = "";
            this.renderError();
          }
        } else {
          this.localError = String(msg.error || "The edit was refused.");
          this.renderError();
          this.pendingFocus = null;
        }
        cb(!!msg.ok);
        this.applyPendingFocus();
      };
      const rev = typeof msg.rev === "number" ? msg.rev : null;
      const have = Number(this.model.get("_rev"));
      if (rev === null || !Number.isFinite(have) || have >= rev) run();
      else this.deferred.push({ rev, run });
    }
  }

  /** Run result callbacks whose document revision has arrived. */
  private settleDeferred(): void {
    if (this.deferred.length === 0) return;
    const have = Number(this.model.get("_rev"));
    const ready = this.deferred.filter((d) => !(have < d.rev));
    this.deferred = this.deferred.filter((d) => have < d.rev);
    for (const d of ready) d.run();
  }

  private history(which: "undo" | "redo"): void {
    if (!this.editable) return;
    this.flushAll();
    this.model.send({ type: which });
  }

  /** Send every pending (debounced) text edit now. */
  flushAll(): void {
    for (const el of Array.from(this.root.querySelectorAll("[data-field], .jw-input"))) liveFieldOf(el)?.flush();
  }

  private renderError(): void {
    if (!this.errorBar) return;
    const msg = String(this.model.get("_error") || "") || this.localError;
    setText(this.errorText, msg);
    this.errorBar.hidden = !msg;
  }

  private dismissError(): void {
    this.localError = "";
    if (this.model.get("_error")) {
      this.model.set("_error", "");
      this.model.save_changes();
    }
    this.renderError();
  }

  private renderHistory(): void {
    if (!this.editable || !this.undoBtn) return;
    this.undoBtn.disabled = !this.model.get("_can_undo");
    this.redoBtn.disabled = !this.model.get("_can_redo");
  }

  // ------------------------------------------------------------------ adding

  addStage(): void {
    const id = newId(this.doc, "New stage", "stage");
    void this.send([addOp("stage", { id, name: "New stage" })], { id, field: "name" });
  }

  addLane(kind: string): void {
    const title = LANE_LABELS[kind] || "Lane";
    const id = newId(this.doc, title, "lane");
    void this.send([addOp("lane", { id, kind, title })], { id, field: "title" });
  }

  addPersona(): void {
    const id = newId(this.doc, "New persona", "persona");
    void this.send([addOp("persona", { id, name: "New persona" })], { id, field: "name" });
  }

  addGoal(): void {
    const id = newId(this.doc, "New goal", "goal");
    void this.send([addOp("goal", { id, name: "New goal" })], { id, field: "name" });
  }

  addTouchpoint(stage: string): void {
    const id = newId(this.doc, "New touchpoint", "touchpoint");
    void this.send([addOp("touchpoint", { id, name: "New touchpoint", stage })], { id, field: "name" });
  }

  addCard(lane: string, stage: string): void {
    const id = newId(this.doc, "card", "card");
    void this.send([addOp("card", { id, lane, stage, text: "" })], { id, field: "text" });
  }

  // ------------------------------------------------------------------ keyboard

  private onKeyDown(e: KeyboardEvent): void {
    // Key presses inside the map never reach notebook shortcuts.
    e.stopPropagation();
    if (e.isComposing) return;
    const hist = historyAction(e);
    if (hist) {
      e.preventDefault();
      this.history(hist);
      return;
    }
    const target = e.target as HTMLElement;
    if (isTextEntry(target)) return;
    if (target.classList.contains("jw-dot")) {
      this.onDotKey(e, target);
      return;
    }
    if (!target.classList.contains("jw-item")) return;
    const id = target.getAttribute("data-id") || "";
    const kind = target.getAttribute("data-kind") || "";
    const action = itemAction(e);
    if (!action || !id) return;
    if (action === "escape") {
      e.preventDefault();
      this.select("");
      return;
    }
    if (action === "edit") {
      e.preventDefault();
      const f = target.querySelector("[data-field]") as HTMLElement | null;
      if (f) {
        f.focus();
        const sel = this.root.ownerDocument.getSelection();
        if (sel && f.isContentEditable) {
          const r = this.root.ownerDocument.createRange();
          r.selectNodeContents(f);
          sel.removeAllRanges();
          sel.addRange(r);
        }
      }
      return;
    }
    if (!this.editable || kind === "journey") return;
    if (action === "delete") {
      e.preventDefault();
      const sib = (el: Element | null, dir: "nextElementSibling" | "previousElementSibling") => {
        while (el && !el.classList.contains("jw-item")) el = el[dir];
        return el as HTMLElement | null;
      };
      const next = sib(target.nextElementSibling, "nextElementSibling") || sib(target.previousElementSibling, "previousElementSibling");
      this.remove(id);
      (next || this.root).focus({ preventScroll: true });
      return;
    }
    if (action === "toggle-mot") {
      if (kind !== "touchpoint") return;
      e.preventDefault();
      const tp = (this.doc.touchpoints || []).find((t) => t.id === id);
      if (tp) void this.update(id, { moment_of_truth: !tp.moment_of_truth });
      return;
    }
    const op = this.keyboardMove(kind, id, action);
    if (op !== undefined) e.preventDefault();
    if (op) void this.send([op], { id });
  }

  /** The move op for Alt+arrow on a focused item (undefined: key not used). */
  keyboardMove(kind: string, id: string, action: KeyAction): Op | null | undefined {
    const doc = this.doc;
    const lr = action === "move-left" ? -1 : action === "move-right" ? 1 : 0;
    const ud = action === "move-up" ? -1 : action === "move-down" ? 1 : 0;
    const inList = (list: { id: string }[] | undefined, delta: number) => {
      const ids = (list || []).map((x) => x.id);
      const i = ids.indexOf(id);
      const j = i + delta;
      if (i < 0 || delta === 0) return undefined;
      if (j < 0 || j >= ids.length) return null;
      return moveOp(id, j);
    };
    switch (kind) {
      case "stage":
        return lr ? inList(doc.stages, lr) : undefined;
      case "lane":
        return ud ? inList(doc.lanes, ud) : undefined;
      case "persona":
        return lr || ud ? inList(doc.personas, lr || ud) : undefined;
      case "goal":
        return lr || ud ? inList(doc.goals, lr || ud) : undefined;
      case "touchpoint": {
        if (!lr) return undefined;
        const tp = (doc.touchpoints || []).find((t) => t.id === id);
        if (!tp) return null;
        const stages = this.layout.stages;
        const group = (this.layout.byStage.get(tp.stage) || []).map((t) => t.id);
        const i = group.indexOf(id);
        if (i + lr >= 0 && i + lr < group.length) return moveOp(id, i + lr, { stage: tp.stage });
        const si = stages.findIndex((s) => s.id === tp.stage) + lr;
        if (si < 0 || si >= stages.length) return null;
        const other = stages[si].id;
        const n = (this.layout.byStage.get(other) || []).length;
        return moveOp(id, lr < 0 ? n : 0, { stage: other });
      }
      case "card": {
        const card = (doc.cards || []).find((c) => c.id === id);
        if (!card) return null;
        if (ud) {
          const group = (this.layout.cards.get(cellKey(card.lane, card.stage)) || []).map((c) => c.id);
          const j = group.indexOf(id) + ud;
          if (j < 0 || j >= group.length) return null;
          return moveOp(id, j, { stage: card.stage, lane: card.lane });
        }
        if (lr) {
          const stages = this.layout.stages;
          const si = stages.findIndex((s) => s.id === card.stage) + lr;
          if (si < 0 || si >= stages.length) return null;
          const other = stages[si].id;
          const n = (this.layout.cards.get(cellKey(card.lane, other)) || []).length;
          return moveOp(id, n, { stage: other, lane: card.lane });
        }
        return undefined;
      }
    }
    return undefined;
  }

  private onDotKey(e: KeyboardEvent, dot: HTMLElement): void {
    const id = dot.getAttribute("data-id") || "";
    const tp = (this.doc.touchpoints || []).find((t) => t.id === id);
    if (!tp) return;
    if (e.key === "Enter") {
      e.preventDefault();
      this.select(id);
      return;
    }
    if (!this.editable) return;
    if ((e.key === "m" || e.key === "M") && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      void this.update(id, { moment_of_truth: !tp.moment_of_truth });
      return;
    }
    // keys can come faster than Python answers: step from the last value sent
    const cur = this.keyEmotion.has(id) ? this.keyEmotion.get(id)! : typeof tp.emotion === "number" ? tp.emotion : null;
    const next = stepEmotion(cur, e.key, this.scale, e.shiftKey);
    if (next === undefined) return;
    e.preventDefault();
    if (next === cur) return;
    this.keyEmotion.set(id, next);
    const curve = this.curveOf(dot);
    curve?.preview(id, next);
    const n = (this.keyEmotionPending.get(id) || 0) + 1;
    this.keyEmotionPending.set(id, n);
    void this.send([updateOp(id, { emotion: next })]).then(() => {
      const left = (this.keyEmotionPending.get(id) || 1) - 1;
      if (left > 0) {
        this.keyEmotionPending.set(id, left);
        return;
      }
      this.keyEmotionPending.delete(id);
      this.keyEmotion.delete(id);
      curve?.endPreview(id);
    });
  }

  private curveOf(dot: HTMLElement): EmotionCurve | undefined {
    const laneEl = dot.closest(".jw-emo");
    const laneId = laneEl ? laneEl.getAttribute("data-lane") || "" : "";
    return this.curves.get(laneId) as unknown as EmotionCurve | undefined;
  }

  // ------------------------------------------------------------------ drag and drop

  startDrag(e: PointerEvent, kind: DragKind, id: string, source: HTMLElement): void {
    if (!this.editable || e.button !== 0 || this.drag) return;
    if (kind === "emotion") {
      this.startEmotionDrag(e, id, source);
      return;
    }
    e.preventDefault();
    e.stopPropagation();
    this.flushAll();
    this.drag = new DragSession(
      {
        root: this.root,
        scroller: this.scroller,
        resolve: (x, y) => this.dropTarget(kind, id, x, y),
        drop: (op) => void this.send([op], { id }),
        end: () => {
          this.drag = null;
        },
      },
      source,
      e,
    );
  }

  /** Where a dragged item would land for a pointer at (x, y), and the op to send. */
  dropTarget(kind: DragKind, id: string, x: number, y: number): DropTarget | null {
    const doc = this.root.ownerDocument;
    const under = doc.elementFromPoint(x, y) as HTMLElement | null;
    if (!under || !this.root.contains(under)) return null;
    const rectOf = (el: Element) => el.getBoundingClientRect();
    if (kind === "stage") {
      const heads = this.layout.stages.map((s) => this.stages.get(s.id)!.el as HTMLElement);
      const others = heads.filter((el) => el.getAttribute("data-id") !== id);
      const rects = others.map(rectOf);
      let i = 0;
      while (i < rects.length && x > rects[i].left + rects[i].width / 2) i++;
      const op = moveIfChanged(id, this.layout.stages.map((s) => s.id), i);
      const gr = rectOf(this.grid);
      const left = i < rects.length ? rects[i].left : rects.length ? rects[rects.length - 1].right : gr.left;
      return { rect: { left: left - 2, top: gr.top, width: 4, height: gr.height }, op };
    }
    if (kind === "lane") {
      const lanes = this.doc.lanes || [];
      const heads = lanes.map((l) => this.lanes.get(l.id)!.el as HTMLElement).filter((el) => el.getAttribute("data-id") !== id);
      const rects = heads.map(rectOf);
      let i = 0;
      while (i < rects.length && y > rects[i].top + rects[i].height / 2) i++;
      const op = moveIfChanged(id, lanes.map((l) => l.id), i);
      const gr = rectOf(this.grid);
      const top = i < rects.length ? rects[i].top : rects.length ? rects[rects.length - 1].bottom : gr.top;
      return { rect: { left: gr.left, top: top - 2, width: gr.width, height: 4 }, op };
    }
    if (kind === "touchpoint") {
      const col = under.closest("[data-stage]") as HTMLElement | null;
      const stage = col ? col.getAttribute("data-stage") : null;
      if (!stage) return null;
      const tpLane = (this.doc.lanes || []).find((l) => l.kind === "touchpoints");
      const group = (this.layout.byStage.get(stage) || []).map((t) => t.id);
      const cell = tpLane ? (this.grid.querySelector(`.jw-cell[data-lane="${cssEscape(tpLane.id)}"][data-stage="${cssEscape(stage)}"]`) as HTMLElement | null) : null;
      if (!cell) return { rect: rectOf(col!), op: moveIfChanged(id, group, group.filter((g) => g !== id).length, { stage }) };
      const cards = Array.from(cell.querySelectorAll(".jw-tp")).filter((el) => el.getAttribute("data-id") !== id) as HTMLElement[];
      const rects = cards.map(rectOf);
      const i = readingOrderIndex(rects, x, rects.length ? Math.min(Math.max(y, rects[0].top + 1), rects[0].bottom - 1) : y);
      const cr = rectOf(cell);
      const left = i < rects.length ? rects[i].left - 4 : rects.length ? rects[rects.length - 1].right + 2 : cr.left + 4;
      return { rect: { left, top: cr.top + 6, width: 3, height: cr.height - 12 }, op: moveIfChanged(id, group, i, { stage }) };
    }
    if (kind === "card") {
      const cell = under.closest(".jw-cell") as HTMLElement | null;
      if (!cell || !isCardLane(cell.getAttribute("data-lane-kind") || "")) return null;
      const lane = cell.getAttribute("data-lane")!;
      const stage = cell.getAttribute("data-stage")!;
      const group = (this.layout.cards.get(cellKey(lane, stage)) || []).map((c) => c.id);
      const cards = Array.from(cell.querySelectorAll(".jw-card")).filter((el) => el.getAttribute("data-id") !== id) as HTMLElement[];
      const rects = cards.map(rectOf);
      const i = readingOrderIndex(rects, x, y);
      const cr = rectOf(cell);
      let rect;
      if (i < rects.length) rect = { left: rects[i].left, top: rects[i].top - 4, width: rects[i].width, height: 3 };
      else if (rects.length) {
        const r = rects[rects.length - 1];
        rect = { left: r.left, top: r.bottom + 2, width: r.width, height: 3 };
      } else rect = { left: cr.left + 6, top: cr.top + 6, width: cr.width - 12, height: 3 };
      return { rect, op: moveIfChanged(id, group, i, { stage, lane }) };
    }
    return null;
  }

  private startEmotionDrag(e: PointerEvent, id: string, dot: HTMLElement): void {
    e.preventDefault();
    e.stopPropagation();
    const laneEl = dot.closest(".jw-emo") as HTMLElement | null;
    if (!laneEl) return;
    const laneId = laneEl.getAttribute("data-lane") || "";
    const curve = this.curves.get(laneId) as unknown as EmotionCurve | undefined;
    if (!curve) return;
    const tp = (this.doc.touchpoints || []).find((t) => t.id === id);
    const start = tp && typeof tp.emotion === "number" ? tp.emotion : null;
    dot.focus({ preventScroll: true });
    this.emotionDrag = { id, value: start, start, curve, el: laneEl, pointer: e.pointerId };
    dot.classList.add("jw-dot-dragging");
    const docu = this.root.ownerDocument;
    const move = (ev: PointerEvent) => {
      const d = this.emotionDrag;
      if (!d) return;
      ev.preventDefault();
      const r = d.el.getBoundingClientRect();
      const yPct = ((ev.clientY - r.top) / r.height) * 100;
      d.value = yToEmotion(yPct, this.scale, 0.5, PAD);
      d.curve.preview(id, d.value);
    };
    const up = (ev: PointerEvent) => {
      docu.removeEventListener("pointermove", move, true);
      docu.removeEventListener("pointerup", up, true);
      docu.removeEventListener("pointercancel", up, true);
      dot.classList.remove("jw-dot-dragging");
      const d = this.emotionDrag;
      this.emotionDrag = null;
      if (!d) return;
      if (ev.type === "pointerup" && d.value !== d.start) {
        void this.send([updateOp(id, { emotion: d.value })]).then(() => d.curve.endPreview(id));
      } else {
        d.curve.endPreview(id);
      }
    };
    docu.addEventListener("pointermove", move, true);
    docu.addEventListener("pointerup", up, true);
    docu.addEventListener("pointercancel", up, true);
  }
}

function wrap<T>(c: Component<any>): Component<Keyed<T>> {
  return {
    el: c.el,
    update: (k: Keyed<T>) => c.update(k.data),
    destroy: c.destroy ? () => c.destroy!() : undefined,
  };
}

function wrapCurve(c: EmotionCurve): Component<Keyed<EmotionItem>> & EmotionCurve {
  return {
    ...c,
    update: (k: any) => c.update(k && k.data ? k.data : k),
  } as any;
}

