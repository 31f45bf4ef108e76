// The map's grid: stage headers (columns), lane headers (rows), one cell per lane and
// stage (touchpoint cards, metric blocks or cards and the touchpoints' own pain
// points / opportunities), the emotion curves and the empty states. Every item is
// a component keyed by id and patched only when its signature (its data as JSON)
// changed.
//
// Rows: 1 the stage headers (sticky), 2 the charts added at stages (their own row,
// shown only when there are any), then one row per lane.
import { h, toggleClass } from "../components/dom";
import { icon } from "../components/icons";
import { cardItem, type CardItem } from "../components/card";
import { emotionCurve, type EmotionCurve, type EmotionItem } from "../components/emotion-curve";
import { countOf, definitionText, hasData, unitLabel } from "../components/figures";
import { fmtGrouped } from "../components/format";
import { laneHeader, stageHeader, type LaneItem, type StageItem } from "../components/headers";
import { metricBlock, touchpointCard, type MetricItem, type TouchpointItem } from "../components/touchpoint";
import { touchpointNotes, type NotesItem } from "../components/tp-notes";
import { KeyedList, keyed, keyedItem, type Component, type Keyed } from "../components/reconcile";
import type { ABItem } from "../components/ab";
import { isCardLane, laneColorHex, laneTitle } from "../model/vocabulary";
import type { Lane, Stage, Touchpoint } from "../model/types";
import { cellKey, gridColumns, LANE_HEADER_COMPACT_PX, LANE_HEADER_PX, type GridMode } from "./layout";
import type { JourneyView } from "./journey-view";

/** The first grid row of the lanes (1: stage headers, 2: charts at stages). */
export const FIRST_LANE_ROW = 3;

interface CellItem {
  key: string;
  sig: string;
  lane: Lane;
  stage: Stage;
  row: number;
  column: number;
  /** Card columns of the stage. */
  cols: number;
  collapsed: boolean;
  tps?: Keyed<TouchpointItem>[];
  metrics?: Keyed<MetricItem>[];
  cards?: Keyed<CardItem>[];
  notes?: Keyed<NotesItem>[];
}

/** An emotion curve as a component of its keyed item (previews stay reachable). */
function keyedCurve(c: EmotionCurve): Component<Keyed<EmotionItem>> & EmotionCurve {
  return {
    ...c,
    update: (k: any) => c.update(k && k.data ? k.data : k),
  } as any;
}

const NOTE_KINDS = new Set(["pain_points", "opportunities"]);

export class Grid {
  el!: HTMLElement;
  scroller!: HTMLElement;
  /** The layer over the stage headers' band where the funnel overlay draws. */
  stageBand!: HTMLElement;
  private empty!: HTMLElement;
  private chartLabel!: HTMLElement;
  private stages: KeyedList<Keyed<StageItem>> | null = null;
  private stageCharts: KeyedList<Keyed<{ column: number }>> | null = null;
  private lanes: KeyedList<Keyed<LaneItem>> | null = null;
  private cells: KeyedList<CellItem> | null = null;
  private curves: KeyedList<Keyed<EmotionItem>> | null = null;
  /** How the grid is drawn (semantic zoom sets it). */
  mode: GridMode = "full";

  constructor(private readonly v: JourneyView) {}

  build(): HTMLElement {
    const v = this.v;
    const corner = h("div", { class: "jw-corner" });
    corner.style.gridRow = "1";
    corner.style.gridColumn = "1";
    this.chartLabel = h("div", { class: "jw-chart-row-label" }, icon("metrics"), "Charts");
    this.chartLabel.style.gridRow = "2";
    this.chartLabel.style.gridColumn = "1";
    this.stageBand = h("div", { class: "jw-band-layer jw-band-stages", "aria-hidden": "true" });
    this.stageBand.style.gridRow = "1";
    this.stageBand.style.gridColumn = "2 / -1";
    this.el = h("div", { class: "jw-grid", role: "grid", "aria-label": "Journey map" }, corner, this.chartLabel, this.stageBand);
    this.empty = h("div", { class: "jw-empty" });
    this.scroller = h("div", { class: "jw-scroll" }, this.el, this.empty);
    const stats = v.info.stats;
    this.stages = new KeyedList((k) => k.key, (k) => k.sig, (k) => keyed(stageHeader(v, k.data)), stats);
    this.stageCharts = new KeyedList((k) => k.key, (k) => k.sig, (k) => keyed(stageChartCell(k.key, k.data)), stats);
    this.lanes = new KeyedList((k) => k.key, (k) => k.sig, (k) => keyed(laneHeader(v, k.data)), stats);
    this.cells = new KeyedList((c) => c.key, (c) => c.sig, (c) => this.cell(c), stats);
    this.curves = new KeyedList((k) => k.key, (k) => k.sig, (k) => keyedCurve(emotionCurve(v, k.data, stats)), stats);
    return this.scroller;
  }

  teardown(): void {
    this.stages?.clear();
    this.stageCharts?.clear();
    this.lanes?.clear();
    this.cells?.clear();
    this.curves?.clear();
  }

  /** The header element of stage `id` (drag and drop measures them). */
  stageEl(id: string): HTMLElement {
    return this.stages!.get(id)!.el as HTMLElement;
  }

  laneEl(id: string): HTMLElement {
    return this.lanes!.get(id)!.el as HTMLElement;
  }

  /** The emotion curve of emotions lane `laneId`. */
  curve(laneId: string): EmotionCurve | undefined {
    return this.curves?.get(laneId) as unknown as EmotionCurve | undefined;
  }

  /** The cell of a lane and stage. */
  cellEl(laneId: string, stageId: string, kind: string): HTMLElement | null {
    return (this.cells?.get(cellKey(laneId, stageId) + "\u0001" + kind)?.el as HTMLElement) || null;
  }

  render(): void {
    const v = this.v;
    const doc = v.doc;
    const layout = v.layout;
    const stages = layout.stages;
    const lanes = doc.lanes || [];
    const tpm = v.metrics.touchpoints || {};
    const stm = v.metrics.stages || {};
    const fbm = v.metrics.feedback || {};
    const unit = unitLabel(v.metrics);
    const bound = hasData(v.metrics);
    const compact = this.mode !== "full";
    const cols = gridColumns(layout, compact ? LANE_HEADER_COMPACT_PX : LANE_HEADER_PX, this.mode);
    if (this.el.style.gridTemplateColumns !== cols) this.el.style.gridTemplateColumns = cols;
    const collapsed = v.collapsedLanes;
    const rows = [
      "auto",
      "auto",
      ...lanes.map((l) => (collapsed.has(l.id) ? "auto" : l.kind === "emotions" ? (compact ? "minmax(96px, auto)" : "minmax(168px, auto)") : "auto")),
    ].join(" ");
    if (this.el.style.gridTemplateRows !== rows) this.el.style.gridTemplateRows = rows;
    this.el.hidden = stages.length === 0 && lanes.length === 0;
    toggleClass(v.root, "jw-big", (doc.touchpoints || []).length > 150 || stages.length > 30);

    let maxCustomers = 0;
    for (const st of stages) {
      const c = stm[st.id] && stm[st.id].no_data !== true ? countOf(stm[st.id]) : undefined;
      if (typeof c === "number" && c > maxCustomers) maxCustomers = c;
    }
    // A/B mode: segment B's figures beside the current segment's
    const cmp = v.metrics.compare && typeof v.metrics.compare === "object" ? v.metrics.compare : null;
    const labels: [string, string] = cmp ? [v.metrics.segment ? String(v.metrics.segment) : "All customers", String(cmp.segment)] : ["", ""];
    const abOf = (part: "stages" | "touchpoints", id: string): ABItem | undefined => {
      if (!cmp) return undefined;
      const src = cmp[part];
      if (!src || (part === "touchpoints" && Object.keys(src).length === 0 && cmp.truncated)) return undefined;
      return { b: (src as any)[id], labels };
    };
    const stageItems = stages.map((stage, i) =>
      keyedItem<StageItem>(stage.id, {
        stage, index: i, column: i + 2, comments: v.counts.get(stage.id), m: stm[stage.id], maxCustomers,
        ab: abOf("stages", stage.id), unit, bound, definition: definitionText(v.metrics),
      }),
    );
    this.stages!.sync(this.el, stageItems, false);
    this.stageCharts!.sync(this.el, stages.map((s, i) => keyedItem(s.id, { column: i + 2 })), false);

    // what each lane holds, for a collapsed lane's summary
    const laneKinds = new Set(lanes.map((l) => l.kind));
    const laneItems = lanes.map((lane, i) =>
      keyedItem<LaneItem>(lane.id, {
        lane, row: i + FIRST_LANE_ROW, comments: v.counts.get(lane.id), scale: v.scale,
        collapsed: collapsed.has(lane.id), summary: collapsed.has(lane.id) ? laneSummary(v, lane) : "",
      }),
    );
    this.lanes!.sync(this.el, laneItems, false);

    // touchpoint items are shared by every touchpoints lane
    const tpItems = new Map<string, Keyed<TouchpointItem>[]>();
    const mItems = new Map<string, Keyed<MetricItem>[]>();
    const noteCounts = (tp: Touchpoint) => {
      const pains = laneKinds.has("pain_points") ? 0 : (tp.pain_points || []).length;
      const opps = laneKinds.has("opportunities") ? 0 : (tp.opportunities || []).length;
      return pains || opps ? { pains, opps } : undefined;
    };
    for (const st of stages) {
      const tps = layout.byStage.get(st.id) || [];
      tpItems.set(
        st.id,
        tps.map((tp) =>
          keyedItem<TouchpointItem>(tp.id, {
            tp, comments: v.counts.get(tp.id), m: tpm[tp.id], fb: fbm[tp.id], scale: v.scale, ab: abOf("touchpoints", tp.id),
            unit, bound, notes: noteCounts(tp),
          }),
        ),
      );
      mItems.set(
        st.id,
        tps.map((tp) =>
          keyedItem<MetricItem>(tp.id, { tp: { id: tp.id, name: tp.name, metric: tp.metric }, m: tpm[tp.id], fb: fbm[tp.id], ab: abOf("touchpoints", tp.id), unit, bound }),
        ),
      );
    }
    const cellItems: CellItem[] = [];
    lanes.forEach((lane, li) => {
      const isCollapsed = collapsed.has(lane.id);
      stages.forEach((stage, si) => {
        const n = layout.slots.get(stage.id)!;
        const key = cellKey(lane.id, stage.id) + "\u0001" + lane.kind;
        let sig = `${li}|${si}|${n}|${stage.name}|${lane.title}|${lane.color || ""}|${isCollapsed}`;
        const item: CellItem = { key, sig, lane, stage, row: li + FIRST_LANE_ROW, column: si + 2, cols: n, collapsed: isCollapsed };
        if (isCollapsed) {
          // a collapsed lane draws nothing in its cells
        } else if (lane.kind === "touchpoints") {
          item.tps = tpItems.get(stage.id) || [];
          sig += item.tps.map((t) => t.sig).join("\u0002");
        } else if (lane.kind === "metrics") {
          item.metrics = mItems.get(stage.id) || [];
          sig += item.metrics.map((t) => t.sig).join("\u0002");
        } else if (isCardLane(lane.kind)) {
          item.cards = (layout.cards.get(cellKey(lane.id, stage.id)) || []).map((card) =>
            keyedItem<CardItem>(card.id, { card, kind: lane.kind, comments: v.counts.get(card.id) }),
          );
          sig += item.cards.map((t) => t.sig).join("\u0002");
          if (NOTE_KINDS.has(lane.kind)) {
            const kind = lane.kind as NotesItem["kind"];
            const notes: Keyed<NotesItem>[] = [];
            (layout.byStage.get(stage.id) || []).forEach((tp, i) => {
              const texts = (tp[kind] || []).filter((t) => t.trim());
              if (texts.length) notes.push(keyedItem<NotesItem>(tp.id, { tp: { id: tp.id, name: tp.name }, kind, texts, col: (i % n) + 1 }));
            });
            item.notes = notes;
            sig += "\u0003" + notes.map((t) => t.sig).join("\u0002");
          }
        }
        item.sig = sig;
        cellItems.push(item);
      });
    });
    this.cells!.sync(this.el, cellItems, false);

    const curveItems: Keyed<EmotionItem>[] = [];
    lanes.forEach((lane, li) => {
      if (lane.kind !== "emotions" || collapsed.has(lane.id)) return;
      const points = layout.ordered.map((tp) => ({
        id: tp.id,
        name: tp.name,
        x: layout.x.get(tp.id)!,
        value: typeof tp.emotion === "number" ? tp.emotion : null,
        mot: !!tp.moment_of_truth,
        fb: fbm[tp.id] && typeof fbm[tp.id].emotion === "number" ? (fbm[tp.id].emotion as number) : null,
      }));
      const dense = compact && points.length > layout.total * 2;
      curveItems.push(keyedItem<EmotionItem>(lane.id, { lane: lane.id, row: li + FIRST_LANE_ROW, nStages: stages.length, dense, scale: v.scale, points }));
    });
    if (stages.length === 0) curveItems.length = 0;
    this.curves!.sync(this.el, curveItems, false);
    this.renderEmpty(stages.length, lanes.length);
  }

  private renderEmpty(nStages: number, nLanes: number): void {
    const v = this.v;
    this.empty.textContent = "";
    if (nStages === 0 || nLanes === 0) {
      this.empty.appendChild(h("p", null, nStages === 0 ? "This journey has no stages yet." : "This journey has no lanes yet."));
      if (v.editable) {
        const b =
          nStages === 0
            ? h("button", { type: "button", class: "jw-btn jw-btn-primary" }, icon("plus"), "Add the first stage")
            : h("button", { type: "button", class: "jw-btn jw-btn-primary" }, icon("plus"), "Add a touchpoints lane");
        b.addEventListener("click", () => (nStages === 0 ? v.addStage() : v.addLane("touchpoints")));
        this.empty.appendChild(b);
      }
    }
    this.empty.hidden = this.empty.childNodes.length === 0;
  }

  private cell(item: CellItem): Component<CellItem> {
    const v = this.v;
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
    const stats = v.info.stats;
    if (kind === "touchpoints") {
      const list = new KeyedList<Keyed<TouchpointItem>>((k) => k.key, (k) => k.sig, (k) => keyed(touchpointCard(v, k.data)), stats);
      const box = h("div", { class: "jw-tps" });
      el.appendChild(box);
      if (v.editable) {
        const add = h("button", { type: "button", class: "jw-add jw-add-tp-cell", title: "Add a touchpoint" }, icon("plus"), "Touchpoint");
        add.addEventListener("click", () => v.addTouchpoint(cur.stage.id));
        box.appendChild(add);
      }
      sync = (it) => {
        const tps = it.tps || [];
        box.style.setProperty("--jw-n", String(it.cols));
        toggleClass(box, "jw-none", tps.length === 0);
        toggleClass(el, "jw-has-items", v.editable && tps.length > 0);
        list.sync(box, tps);
      };
      destroy = () => list.clear();
    } else if (kind === "metrics") {
      const list = new KeyedList<Keyed<MetricItem>>((k) => k.key, (k) => k.sig, (k) => keyed(metricBlock(v, k.data)), stats);
      const box = h("div", { class: "jw-tps jw-metrics" });
      el.appendChild(box);
      sync = (it) => {
        box.style.setProperty("--jw-n", String(it.cols));
        list.sync(box, it.metrics || []);
      };
      destroy = () => list.clear();
    } else if (isCardLane(kind)) {
      const list = new KeyedList<Keyed<CardItem>>((k) => k.key, (k) => k.sig, (k) => keyed(cardItem(v, k.data)), stats);
      const box = h("div", { class: "jw-cards" });
      el.appendChild(box);
      if (v.editable) {
        const add = h("button", { type: "button", class: "jw-add jw-add-card", title: "Add a card" }, icon("plus"), "Add");
        add.addEventListener("click", () => v.addCard(cur.lane.id, cur.stage.id));
        box.appendChild(add);
      }
      let notes: KeyedList<Keyed<NotesItem>> | null = null;
      let notesBox: HTMLElement | null = null;
      if (NOTE_KINDS.has(kind)) {
        notes = new KeyedList<Keyed<NotesItem>>((k) => k.key, (k) => k.sig, (k) => keyed(touchpointNotes(v, k.data)), stats);
        notesBox = h("div", { class: "jw-tp-notes" });
        el.appendChild(notesBox);
      }
      sync = (it) => {
        const cards = it.cards || [];
        toggleClass(el, "jw-has-items", v.editable && cards.length > 0);
        list.sync(box, cards);
        if (notes && notesBox) {
          notesBox.style.setProperty("--jw-n", String(it.cols));
          notes.sync(notesBox, it.notes || []);
          notesBox.hidden = (it.notes || []).length === 0;
        }
      };
      destroy = () => {
        list.clear();
        notes?.clear();
      };
    }
    let cur = item;
    const update = (it: CellItem) => {
      cur = it;
      el.style.gridRow = String(it.row);
      el.style.gridColumn = String(it.column);
      toggleClass(el, "jw-col-first", it.column === 2);
      toggleClass(el, "jw-collapsed", it.collapsed);
      const hex = laneColorHex(it.lane.color);
      if (hex) el.style.setProperty("--jw-lane-color", hex);
      else el.style.removeProperty("--jw-lane-color");
      sync(it);
    };
    update(item);
    return { el, update, destroy };
  }
}

/** The cell under a stage header that holds the charts added at that stage. */
function stageChartCell(stageId: string, item: { column: number }): Component<{ column: number }> {
  const el = h("div", { class: "jw-stage-charts", "data-stage": stageId, "data-kind": "stage-charts" });
  const update = (it: { column: number }) => {
    el.style.gridRow = "2";
    el.style.gridColumn = String(it.column);
  };
  update(item);
  return { el, update };
}

/** "12 touchpoints", "5 cards", "18 emotions set": what a collapsed lane hides. */
function laneSummary(v: JourneyView, lane: Lane): string {
  const doc = v.doc;
  const n = (k: number, one: string, many: string) => `${fmtGrouped(k)} ${k === 1 ? one : many}`;
  const tps = doc.touchpoints || [];
  if (lane.kind === "touchpoints" || lane.kind === "metrics") return n(tps.length, "touchpoint", "touchpoints");
  if (lane.kind === "emotions") return n(tps.filter((t) => typeof t.emotion === "number").length, "emotion set", "emotions set");
  const cards = (doc.cards || []).filter((c) => c.lane === lane.id).length;
  let text = n(cards, "card", "cards");
  if (NOTE_KINDS.has(lane.kind)) {
    const k = lane.kind as "pain_points" | "opportunities";
    const own = tps.reduce((s, t) => s + (t[k] || []).length, 0);
    if (own) text += ` · ${n(own, "on a touchpoint", "on touchpoints")}`;
  }
  return text || laneTitle(lane.kind);
}
