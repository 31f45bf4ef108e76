// Horizontal layout of the map: every stage is as many "slots" wide as it has
// touchpoints (at least one); touchpoints sit in the middle of their slot, so
// the emotion curve can be drawn in percent of the stages' total width.
import type { Card, JourneyDoc, Stage, Touchpoint } from "../model/types";
import { isOpenConflict } from "../model/items";
import type { CommentCounts } from "../components/common";

export const SLOT_PX = 184;

export interface Layout {
  stages: Stage[];
  slots: Map<string, number>;
  offsets: Map<string, number>;
  total: number;
  byStage: Map<string, Touchpoint[]>;
  /** x of each touchpoint, in percent of the stages' total width. */
  x: Map<string, number>;
  /** touchpoints in map order (stage order, then list order). */
  ordered: Touchpoint[];
  cards: Map<string, Card[]>;
}

export function cellKey(lane: string, stage: string): string {
  return lane + "\u0001" + stage;
}

export function computeLayout(doc: JourneyDoc): Layout {
  const stages = doc.stages || [];
  const byStage = new Map<string, Touchpoint[]>();
  for (const st of stages) byStage.set(st.id, []);
  for (const tp of doc.touchpoints || []) {
    const list = byStage.get(tp.stage);
    if (list) list.push(tp);
  }
  const slots = new Map<string, number>();
  const offsets = new Map<string, number>();
  let total = 0;
  for (const st of stages) {
    const n = Math.max(1, byStage.get(st.id)!.length);
    slots.set(st.id, n);
    offsets.set(st.id, total);
    total += n;
  }
  const x = new Map<string, number>();
  const ordered: Touchpoint[] = [];
  for (const st of stages) {
    const list = byStage.get(st.id)!;
    const off = offsets.get(st.id)!;
    list.forEach((tp, i) => {
      x.set(tp.id, total > 0 ? ((off + i + 0.5) / total) * 100 : 50);
      ordered.push(tp);
    });
  }
  const cards = new Map<string, Card[]>();
  for (const c of doc.cards || []) {
    const k = cellKey(c.lane, c.stage);
    let list = cards.get(k);
    if (!list) cards.set(k, (list = []));
    list.push(c);
  }
  return { stages, slots, offsets, total, byStage, x, ordered, cards };
}

/** grid-template-columns of the map: the lane header column, then one column per stage. */
export function gridColumns(layout: Layout, laneHeaderPx: number): string {
  const cols = [`${laneHeaderPx}px`];
  for (const st of layout.stages) {
    const w = layout.slots.get(st.id)!;
    cols.push(`minmax(${w * SLOT_PX}px, ${w}fr)`);
  }
  return cols.join(" ");
}

/** Open / total comment counts per target id, and open merge conflicts among them. */
export function commentCounts(doc: JourneyDoc): Map<string, CommentCounts> {
  const m = new Map<string, CommentCounts>();
  for (const c of doc.comments || []) {
    let e = m.get(c.target);
    if (!e) m.set(c.target, (e = { open: 0, total: 0 }));
    e.total++;
    if (!c.resolved) e.open++;
    if (isOpenConflict(c)) e.conflicts = (e.conflicts || 0) + 1;
  }
  return m;
}

/**
 * Index to insert at, in reading order (rows top to bottom, left to right
 * within a row), for a pointer at (x, y) among item rectangles in order.
 */
export function readingOrderIndex(
  rects: { left: number; top: number; width: number; height: number }[],
  x: number,
  y: number,
): number {
  for (let i = 0; i < rects.length; i++) {
    const r = rects[i];
    if (y < r.top) return i;
    if (y <= r.top + r.height && x < r.left + r.width / 2) return i;
  }
  return rects.length;
}
