// The journey map view: renders the synced document, sends every edit to Python as
// ops, and patches only what changed when the document comes back.
//
// This class holds the view's state (the document, metrics, layout, selection) and
// composes the parts that do the work:
//   toolbar.ts     undo / redo, add buttons, Details (sticky)
//   navigate.ts    search, go to stage, full screen
//   zoom.ts        the `zoom` trait: fit / factor, compact chips (zoom-plan.ts)
//   header.ts      chips, title, description, goals, personas
//   data-tools.ts  segment switch, A/B comparison, Insights
//   grid.ts        stages, lanes, cells, emotion curves, empty states
//   bands.ts       where the built-in overlays draw on the map (its geometry)
//   selection.ts   selected item, side panel, focus kept across renders
//   keyboard.ts    key presses on items and emotion dots
//   drag.ts        drag and drop
//   rpc.ts         ops to Python and their results, undo / redo, the error bar
//   export-menu.ts the toolbar's Export menu (JSON, HTML, SVG, PNG, CSV)
import { h, toggleClass } from "../components/dom";
import { buildChrome, type CommentCounts } from "../components/common";
import { ProgressChip } from "../components/progress";
import { installIcons } from "../components/icons";
import { emptyStats, type ReconcileStats } from "../components/reconcile";
import type { Ctx, DragKind } from "../components/ctx";
import { mountCharts, type MountedCharts } from "../charts/mount";
import { scaleOf, type EmotionScale } from "../model/emotion";
import { addOp, newId, removeOp, updateOp } from "../model/ops";
import { laneTitle } from "../model/vocabulary";
import { emptyDoc, type JourneyDoc, type Metrics, type Op, type WidgetModel } from "../model/types";
import { DataTools } from "./data-tools";
import { Drag } from "./drag";
import { ExportMenu } from "./export-menu";
import { Grid } from "./grid";
import { Header } from "./header";
import { Keyboard } from "./keyboard";
import { commentCounts, computeLayout, type Layout } from "./layout";
import { Navigate } from "./navigate";
import { Rpc } from "./rpc";
import { Selection } from "./selection";
import { Toolbar } from "./toolbar";
import { Zoom } from "./zoom";
import { Bands } from "./bands";
import { Flows } from "./flows";
import { keepOnScreen } from "./stick";

let viewCounter = 0;

/** The kernel's shared JourneyRuntime model (loader.ts): it holds the chart runtime. */
export interface SharedRuntime {
  get(name: string): any;
  on(event: string, cb: (...args: any[]) => void): void;
  off(event?: string | null, cb?: ((...args: any[]) => void) | null): void;
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
  readonly model: WidgetModel;
  /** The shared runtime model, or null when the code came inline (standalone page, marimo). */
  readonly runtime: SharedRuntime | null;
  editable = true;
  doc: JourneyDoc = emptyDoc();
  scale: EmotionScale = scaleOf(null);
  metrics: Metrics = {};
  layout: Layout = computeLayout(emptyDoc());
  counts = new Map<string, CommentCounts>();
  selected = "";
  info: RenderInfo = { renders: 0, lastMs: 0, stats: emptyStats() };
  /** charts/mount.ts: overlay switcher + Altair/Vega charts under the header and in cells. */
  charts: MountedCharts | null = null;
  /** Lanes collapsed in this view (a way of looking, not an edit of the map). */
  readonly collapsedLanes = new Set<string>();

  readonly rpc = new Rpc(this);
  readonly toolbar = new Toolbar(this);
  readonly header = new Header(this);
  readonly data = new DataTools(this);
  readonly grid = new Grid(this);
  readonly selection = new Selection(this);
  readonly keyboard = new Keyboard(this);
  readonly drag = new Drag(this);
  readonly exporter = new ExportMenu(this);
  readonly zoom = new Zoom(this);
  readonly navigate = new Navigate(this);
  readonly bands = new Bands(this);
  readonly flows = new Flows(this);
  /** components/progress.ts: a bind at work in the kernel (rows read, phase), in the toolbar. */
  readonly progress = new ProgressChip();
  private disposers: (() => void)[] = [];
  private unstick: (() => void) | null = null;

  constructor(model: WidgetModel, el: HTMLElement, opts: { runtime?: SharedRuntime | null } = {}) {
    this.model = model;
    this.runtime = opts.runtime || null;
    this.uid = `${++viewCounter}${Math.floor(Math.random() * 1e4)}`;
    this.root = h("div", { class: "jw-root", "data-lm-suppress-shortcuts": "true", "data-jw-view": this.uid, tabindex: -1 });
    this.root.classList.add("lm-suppress-shortcuts");
    installIcons(el);
    el.appendChild(this.root);
    // a host may attach `el` to its (shadow) root only after render returns
    requestAnimationFrame(() => installIcons(el));
    this.listen("change:_doc", () => this.render());
    this.listen("change:_metrics", () => this.render());
    this.listen("change:_rev", () => this.rpc.settleDeferred());
    this.listen("change:editable", () => this.rebuild());
    this.listen("change:selected", () => {
      this.selection.apply();
      this.flows.render();
    });
    this.listen("change:_error", () => this.rpc.renderError());
    this.listen("change:_can_undo", () => this.toolbar.renderHistory());
    this.listen("change:_can_redo", () => this.toolbar.renderHistory());
    this.listen("change:segment", () => this.data.render());
    this.listen("change:compare", () => this.data.render());
    for (const t of ["unit", "funnel", "window"]) this.listen(`change:${t}`, () => this.data.render());
    this.listen("change:zoom", () => this.zoom.apply());
    this.listen("change:_progress", () => this.progress.render(this.model.get("_progress")));
    this.listen("msg:custom", (msg: any) => this.rpc.onMessage(msg));
    this.listen("msg:custom", (msg: any, buffers?: unknown[]) => this.exporter.onMessage(msg, buffers));
    const sel = this.selection;
    const doc = el.ownerDocument;
    const onOver = (e: Event) => buildChrome(e.target);
    const onKey = (e: KeyboardEvent) => this.keyboard.onKeyDown(e);
    const onFocusIn = (e: FocusEvent) => sel.onFocusIn(e);
    const onPointerDown = () => {
      sel.pointerActive = true;
    };
    const onPointerUp = () => {
      setTimeout(() => (sel.pointerActive = false), 0);
    };
    const onClick = (e: MouseEvent) => sel.onClick(e);
    // keep notebook handlers (cell selection / drag) out of pointer gestures that start on the map
    const stop = (e: Event) => e.stopPropagation();
    this.on(this.root, "pointerover", onOver);
    this.on(this.root, "keydown", onKey as EventListener);
    this.on(this.root, "focusin", onFocusIn as EventListener);
    this.on(this.root, "pointerdown", onPointerDown, true);
    this.on(this.root, "click", onClick as EventListener);
    this.on(doc, "pointerup", onPointerUp, true);
    this.on(doc, "pointercancel", onPointerUp, true);
    this.root.addEventListener("keyup", stop);
    this.root.addEventListener("keypress", stop);
    this.rebuild();
  }

  private listen(ev: string, cb: (...a: any[]) => void): void {
    this.model.on(ev, cb);
    this.disposers.push(() => this.model.off(ev, cb));
  }

  private on(target: EventTarget, ev: string, cb: EventListener, capture = false): void {
    target.addEventListener(ev, cb, capture);
    this.disposers.push(() => target.removeEventListener(ev, cb, capture));
  }

  destroy(): void {
    this.drag.finish();
    this.exporter.destroy();
    this.zoom.dispose();
    this.navigate.dispose();
    this.unstick?.();
    for (const d of this.disposers) d();
    this.disposers = [];
    this.teardown();
    this.root.remove();
  }

  private teardown(): void {
    this.charts?.destroy();
    this.charts = null;
    this.header.teardown();
    this.grid.teardown();
    this.root.textContent = "";
  }

  private readDoc(): JourneyDoc {
    const d = this.model.get("_doc");
    return d && typeof d === "object" ? (d as JourneyDoc) : emptyDoc();
  }

  /** Build the DOM from scratch (first render, or `editable` changed). */
  rebuild(): void {
    this.teardown();
    this.editable = this.model.get("editable") !== false;
    this.doc = this.readDoc();
    this.scale = scaleOf(this.doc.emotion_scale);
    toggleClass(this.root, "jw-editable", this.editable);
    toggleClass(this.root, "jw-readonly", !this.editable);
    const toolbar = this.toolbar.build();
    const header = this.header.build();
    const errorBar = this.rpc.build();
    const scroller = this.grid.build();
    const body = h("div", { class: "jw-body" }, scroller, this.selection.build());
    const chartHost = h("div", { class: "jw-chart-host" });
    this.root.append(toolbar, header, chartHost, this.data.box, body, errorBar);
    // plan the zoom before the first render: a map shown at "fit" is built as chips at once
    this.layout = computeLayout(this.doc);
    this.zoom.apply(false);
    this.render();
    this.rpc.renderError();
    this.toolbar.renderHistory();
    this.progress.render(this.model.get("_progress"));
    this.unstick?.();
    this.unstick = keepOnScreen(this.root, toolbar, () => this.grid.scroller, () => this.zoom.plan.scale);
    this.charts = mountCharts({
      model: this.model, shared: this.runtime, host: chartHost, toolbar, root: this.root, select: (id) => this.select(id),
      band: (band) => this.bands.geometry(band),
    });
    this.zoom.watch();
  }

  /** Re-render from the model: only items whose signature changed are patched. */
  render(): void {
    const t0 = performance.now();
    const focus = this.selection.captureFocus();
    const doc = this.readDoc();
    this.doc = doc;
    this.scale = scaleOf(doc.emotion_scale);
    const m = this.model.get("_metrics");
    this.metrics = m && typeof m === "object" ? (m as Metrics) : {};
    this.layout = computeLayout(doc);
    this.counts = commentCounts(doc);
    this.selected = this.model.get("selected") || "";

    this.header.render();
    this.grid.render();
    this.data.render();
    this.navigate.render();
    this.flows.render();
    if (this.zoom.setting === "fit") this.zoom.schedule();
    this.selection.apply();
    this.selection.restoreFocus(focus);
    this.rpc.settleDeferred();
    this.rpc.applyPendingFocus();
    this.charts?.reanchor();
    this.info.renders++;
    this.info.lastMs = performance.now() - t0;
  }

  // ------------------------------------------------------------------ Ctx: what components call

  send(ops: Op[], focusAfter?: { id: string; field?: string }): Promise<boolean> {
    return this.rpc.send(ops, focusAfter);
  }

  update(id: string, fields: Record<string, unknown>): Promise<boolean> {
    return this.send([updateOp(id, fields)]);
  }

  remove(id: string): void {
    if (this.selected === id) this.select("");
    void this.send([removeOp(id)]);
  }

  select(id: string, openPanel = false): void {
    this.selection.select(id, openPanel);
  }

  openComments(id: string): void {
    this.selection.openComments(id);
  }

  startDrag(e: PointerEvent, kind: DragKind, id: string, source: HTMLElement, fromBody = false): void {
    this.drag.start(e, kind, id, source, fromBody);
  }

  /** Collapse or expand a lane in this view. */
  toggleLane(id: string): void {
    if (this.collapsedLanes.has(id)) this.collapsedLanes.delete(id);
    else this.collapsedLanes.add(id);
    this.grid.render();
    this.selection.apply();
    this.charts?.reanchor();
  }

  // ------------------------------------------------------------------ adding items

  addStage(): void {
    const id = newId(this.doc, "New stage", "stage");
    void this.send([addOp("stage", { id, name: "New stage" })], { id, field: "name" });
  }

  addLane(kind: string): void {
    const title = laneTitle(kind) || "Lane";
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
}
