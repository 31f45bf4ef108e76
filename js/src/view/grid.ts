// The map's grid: stage headers (columns), lane headers (rows), one cell per lane and
// stage (touchpoint cards, metric blocks or cards), the emotion curves and the empty
// states. Every item is a component keyed by id and patched only when its
// signature (its data as JSON) changed.
import { h, toggleClass } from "../components/dom";
import { icon } from "../components/icons";
import { cardItem, type CardItem } from "../components/card";
import { emotionCurve, type EmotionCurve, type EmotionItem } from "../components/emotion-curve";
import { laneHeader, stageHeader, type LaneItem, type StageItem } from "../components/headers";
import { metricBlock, touchpointCard, type MetricItem, type TouchpointItem } from "../components/touchpoint";
import { KeyedList, keyed, keyedItem, type Component, type Keyed } from "../components/reconcile";
import type { ABItem } from "../components/ab";
import { isCardLane } from "../model/vocabulary";
import type { Lane, Stage } from "../model/types";
import { cellKey, gridColumns } from "./layout";
import type { JourneyView } from "./journey-view";

const LANE_HEADER_PX = 156;

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

/** An emotion curve as a component of its keyed item (previews stay reachable). */
function keyedCurve(c: EmotionCurve): Component<Keyed<EmotionItem>> & EmotionCurve {
  return {
    ...c,
    update: (k: any) => c.update(k && k.data ? k.data : k),
  } as any;
}

export class Grid {
  el!: HTMLElement;
  scroller!: HTMLElement;
  private empty!: HTMLElement;
  private stages: KeyedList<Keyed<StageItem>> | null = null;
  private lanes: KeyedList<Keyed<LaneItem>> | null = null;
  private cells: KeyedList<CellItem> | null = null;
  private curves: KeyedList<Keyed<EmotionItem>> | null = null;

  constructor(private readonly v: JourneyView) {}

  build(): HTMLElement {
    const v = this.v;
    const corner = h("div", { class: "jw-corner" });
    corner.style.gridRow = "1";
    corner.style.gridColumn = "1";
    this.el = h("div", { class: "jw-grid", role: "grid", "aria-label": "Journey map" }, corner);
    this.empty = h("div", { class: "jw-empty" });
    this.scroller = h("div", { class: "jw-scroll" }, this.el, this.empty);
    const stats = v.info.stats;
    this.stages = new KeyedList((k) => k.key, (k) => k.sig, (k) => keyed(stageHeader(v, k.data)), stats);
    this.lanes = new KeyedList((k) => k.key, (k) => k.sig, (k) => keyed(laneHeader(v, k.data)), stats);
    this.cells = new KeyedList((c) => c.key, (c) => c.sig, (c) => this.cell(c), stats);
    this.curves = new KeyedList((k) => k.key, (k) => k.sig, (k) => keyedCurve(emotionCurve(v, k.data, stats)), stats);
    return this.scroller;
  }

  teardown(): void {
    this.stages?.clear();
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

  render(): void {
    const v = this.v;
    const doc = v.doc;
    const layout = v.layout;
    const stages = layout.stages;
    const lanes = doc.lanes || [];
    const tpm = v.metrics.touchpoints || {};
    const stm = v.metrics.stages || {};
    const fbm = v.metrics.feedback || {};
    const cols = gridColumns(layout, LANE_HEADER_PX);
    if (this.el.style.gridTemplateColumns !== cols) this.el.style.gridTemplateColumns = cols;
    const rows = ["auto", ...lanes.map((l) => (l.kind === "emotions" ? "minmax(168px, auto)" : "auto"))].join(" ");
    if (this.el.style.gridTemplateRows !== rows) this.el.style.gridTemplateRows = rows;
    this.el.hidden = stages.length === 0 && lanes.length === 0;
    toggleClass(v.root, "jw-big", (doc.touchpoints || []).length > 150 || stages.length > 30);

    let maxCustomers = 0;
    for (const st of stages) {
      const c = stm[st.id] && stm[st.id].customers;
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
      keyedItem<StageItem>(stage.id, { stage, index: i, column: i + 2, comments: v.counts.get(stage.id), m: stm[stage.id], maxCustomers, ab: abOf("stages", stage.id) }),
    );
    this.stages!.sync(this.el, stageItems, false);
    const laneItems = lanes.map((lane, i) => keyedItem<LaneItem>(lane.id, { lane, row: i + 2, comments: v.counts.get(lane.id), scale: v.scale }));
    this.lanes!.sync(this.el, laneItems, false);

    // touchpoint items are shared by every touchpoints lane
    const tpItems = new Map<string, Keyed<TouchpointItem>[]>();
    const mItems = new Map<string, Keyed<MetricItem>[]>();
    for (const st of stages) {
      const tps = layout.byStage.get(st.id) || [];
      tpItems.set(
        st.id,
        tps.map((tp) => keyedItem<TouchpointItem>(tp.id, { tp, comments: v.counts.get(tp.id), m: tpm[tp.id], fb: fbm[tp.id], scale: v.scale, ab: abOf("touchpoints", tp.id) })),
      );
      mItems.set(
        st.id,
        tps.map((tp) => keyedItem<MetricItem>(tp.id, { tp: { id: tp.id, name: tp.name, metric: tp.metric }, m: tpm[tp.id], fb: fbm[tp.id], ab: abOf("touchpoints", tp.id) })),
      );
    }
    const cellItems: CellItem[] = [];
    lanes.forEach((lane, li) => {
      stages.forEach((stage, si) => {
        const n = layout.slots.get(stage.id)!;
        const key = cellKey(lane.id, stage.id) + "\u0001" + lane.kind;
        let sig = `${li}|${si}|${n}|${stage.name}|${lane.title}`;
        const item: CellItem = { key, sig, lane, stage, row: li + 2, column: si + 2, n };
        if (lane.kind === "touchpoints") {
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
        }
        item.sig = sig;
        cellItems.push(item);
      });
    });
    this.cells!.sync(this.el, cellItems, false);

    const curveItems: Keyed<EmotionItem>[] = [];
    lanes.forEach((lane, li) => {
      if (lane.kind !== "emotions") return;
      const points = layout.ordered.map((tp) => ({
        id: tp.id,
        name: tp.name,
        x: layout.x.get(tp.id)!,
        value: typeof tp.emotion === "number" ? tp.emotion : null,
        mot: !!tp.moment_of_truth,
        fb: fbm[tp.id] && typeof fbm[tp.id].emotion === "number" ? (fbm[tp.id].emotion as number) : null,
      }));
      curveItems.push(keyedItem<EmotionItem>(lane.id, { lane: lane.id, row: li + 2, nStages: stages.length, scale: v.scale, points }));
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
        box.style.setProperty("--jw-n", String(Math.max(1, it.tps!.length)));
        toggleClass(box, "jw-none", it.tps!.length === 0);
        toggleClass(el, "jw-has-items", v.editable && it.tps!.length > 0);
        list.sync(box, it.tps!);
      };
      destroy = () => list.clear();
    } else if (kind === "metrics") {
      const list = new KeyedList<Keyed<MetricItem>>((k) => k.key, (k) => k.sig, (k) => keyed(metricBlock(v, k.data)), stats);
      const box = h("div", { class: "jw-tps jw-metrics" });
      el.appendChild(box);
      sync = (it) => {
        box.style.setProperty("--jw-n", String(Math.max(1, it.metrics!.length)));
        list.sync(box, it.metrics!);
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
      sync = (it) => {
        toggleClass(el, "jw-has-items", v.editable && it.cards!.length > 0);
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
}
