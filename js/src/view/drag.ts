// Drag and drop on the map: stages (left / right), lanes (up / down), touchpoints
// (within and across stages), cards (across cells) through a DragSession; emotion
// dots up and down (a preview while dragging, one update when dropped).
import { cssEscape } from "../components/dom";
import type { DragKind } from "../components/ctx";
import { PAD, yToEmotion } from "../model/emotion";
import { moveIfChanged, updateOp } from "../model/ops";
import { isCardLane } from "../model/vocabulary";
import { DragSession, type DropTarget } from "./drag-session";
import { cellKey, readingOrderIndex } from "./layout";
import type { JourneyView } from "./journey-view";

export class Drag {
  private session: DragSession | null = null;

  constructor(private readonly v: JourneyView) {}

  start(e: PointerEvent, kind: DragKind, id: string, source: HTMLElement, fromBody = false): void {
    const v = this.v;
    if (!v.editable || e.button !== 0 || this.session) return;
    if (kind === "emotion") {
      this.startEmotion(e, id, source);
      return;
    }
    if (!fromBody) {
      // from a grip: the press is the drag's (a body press stays a click until it moves)
      e.preventDefault();
      e.stopPropagation();
    }
    v.rpc.flushAll();
    this.session = new DragSession(
      {
        root: v.root,
        scroller: v.grid.scroller,
        resolve: (x, y) => this.dropTarget(kind, id, x, y),
        drop: (op) => void v.send([op], { id }),
        end: () => {
          this.session = null;
        },
      },
      source,
      e,
      fromBody,
    );
  }

  /** End a drag in progress (the view is going away). */
  finish(): void {
    this.session?.finish();
  }

  /** Where a dragged item would land for a pointer at (x, y), and the op to send. */
  dropTarget(kind: DragKind, id: string, x: number, y: number): DropTarget | null {
    const v = this.v;
    const grid = v.grid.el;
    const under = v.root.ownerDocument.elementFromPoint(x, y) as HTMLElement | null;
    if (!under || !v.root.contains(under)) return null;
    const rectOf = (el: Element) => el.getBoundingClientRect();
    if (kind === "stage") {
      const heads = v.layout.stages.map((s) => v.grid.stageEl(s.id));
      const others = heads.filter((el) => el.getAttribute("data-id") !== id);
      const rects = others.map(rectOf);
      let i = 0;
      while (i < rects.length && x > rects[i].left + rects[i].width / 2) i++;
      const op = moveIfChanged(id, v.layout.stages.map((s) => s.id), i);
      const gr = rectOf(grid);
      const left = i < rects.length ? rects[i].left : rects.length ? rects[rects.length - 1].right : gr.left;
      return { rect: { left: left - 2, top: gr.top, width: 4, height: gr.height }, op };
    }
    if (kind === "lane") {
      const lanes = v.doc.lanes || [];
      const heads = lanes.map((l) => v.grid.laneEl(l.id)).filter((el) => el.getAttribute("data-id") !== id);
      const rects = heads.map(rectOf);
      let i = 0;
      while (i < rects.length && y > rects[i].top + rects[i].height / 2) i++;
      const op = moveIfChanged(id, lanes.map((l) => l.id), i);
      const gr = rectOf(grid);
      const top = i < rects.length ? rects[i].top : rects.length ? rects[rects.length - 1].bottom : gr.top;
      return { rect: { left: gr.left, top: top - 2, width: gr.width, height: 4 }, op };
    }
    if (kind === "touchpoint") {
      const col = under.closest("[data-stage]") as HTMLElement | null;
      const stage = col ? col.getAttribute("data-stage") : null;
      if (!stage) return null;
      const tpLane = (v.doc.lanes || []).find((l) => l.kind === "touchpoints");
      const group = (v.layout.byStage.get(stage) || []).map((t) => t.id);
      const cell = tpLane ? (grid.querySelector(`.jw-cell[data-lane="${cssEscape(tpLane.id)}"][data-stage="${cssEscape(stage)}"]`) as HTMLElement | null) : null;
      if (!cell) return { rect: rectOf(col!), op: moveIfChanged(id, group, group.filter((g) => g !== id).length, { stage }) };
      const cards = Array.from(cell.querySelectorAll(".jw-tp")).filter((el) => el.getAttribute("data-id") !== id) as HTMLElement[];
      const rects = cards.map(rectOf);
      // cards wrap into rows: a pointer outside the cell's rows counts as the nearest row
      const cy = rects.length ? Math.min(Math.max(y, rects[0].top + 1), rects[rects.length - 1].bottom - 1) : y;
      const i = readingOrderIndex(rects, x, cy);
      const cr = rectOf(cell);
      if (!rects.length) return { rect: { left: cr.left + 4, top: cr.top + 6, width: 3, height: cr.height - 12 }, op: moveIfChanged(id, group, i, { stage }) };
      const at = i < rects.length ? rects[i] : rects[rects.length - 1];
      const left = i < rects.length ? at.left - 4 : at.right + 2;
      return { rect: { left, top: at.top, width: 3, height: at.height }, op: moveIfChanged(id, group, i, { stage }) };
    }
    if (kind === "card") {
      const cell = under.closest(".jw-cell") as HTMLElement | null;
      if (!cell || !isCardLane(cell.getAttribute("data-lane-kind") || "")) return null;
      const lane = cell.getAttribute("data-lane")!;
      const stage = cell.getAttribute("data-stage")!;
      const group = (v.layout.cards.get(cellKey(lane, stage)) || []).map((c) => c.id);
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

  private startEmotion(e: PointerEvent, id: string, dot: HTMLElement): void {
    const v = this.v;
    e.preventDefault();
    e.stopPropagation();
    const laneEl = dot.closest(".jw-emo") as HTMLElement | null;
    if (!laneEl) return;
    const curve = v.grid.curve(laneEl.getAttribute("data-lane") || "");
    if (!curve) return;
    const tp = (v.doc.touchpoints || []).find((t) => t.id === id);
    const start = tp && typeof tp.emotion === "number" ? tp.emotion : null;
    let value: number | null = start;
    dot.focus({ preventScroll: true });
    dot.classList.add("jw-dot-dragging");
    const docu = v.root.ownerDocument;
    const move = (ev: PointerEvent) => {
      ev.preventDefault();
      const r = laneEl.getBoundingClientRect();
      const yPct = ((ev.clientY - r.top) / r.height) * 100;
      value = yToEmotion(yPct, v.scale, 0.5, PAD);
      curve.preview(id, value);
    };
    const up = (ev: PointerEvent) => {
      docu.removeEventListener("pointermove", move, true);
      docu.removeEventListener("pointerup", up, true);
      docu.removeEventListener("pointercancel", up, true);
      dot.classList.remove("jw-dot-dragging");
      if (ev.type === "pointerup" && value !== start) {
        void v.send([updateOp(id, { emotion: value })]).then(() => curve.endPreview(id));
      } else {
        curve.endPreview(id);
      }
    };
    docu.addEventListener("pointermove", move, true);
    docu.addEventListener("pointerup", up, true);
    docu.addEventListener("pointercancel", up, true);
  }
}
