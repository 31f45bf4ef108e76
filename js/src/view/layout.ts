// Horizontal layout of the map. Within a stage, touchpoint cards wrap into a grid
// of at most `card_columns` columns (the document's `layout.card_columns`, 3 by
// default), so the map grows in width with its stages, not its touchpoints: a
// stage is min(touchpoints, card_columns) "slots" wide (at least one). The
// emotion curve spreads a stage's touchpoints evenly over the stage's width, in
// percent of the stages' total width.
import type { Card, JourneyDoc, Stage, Touchpoint } from "../model/types";
import { isOpenConflict } from "../model/items";
import type { CommentCounts } from "../components/common";
import { CARD_COLUMNS } from "../model/vocabulary";

/** Width of one card column at 100 %. */
export const SLOT_PX = 184;
/** The lane header column at 100 % and in compact (chip) mode. */
export const LANE_HEADER_PX = 156;
export const LANE_HEADER_COMPACT_PX = 120;
/** The narrowest a stage column gets in compact mode (one chip wide). */
export const CHIP_COL_PX = 36;
/** Width of one chip column in compact mode at its own 100 %. */
export const CHIP_SLOT_PX = 52;

export interface Layout {
  stages: Stage[];
  /** Card columns per stage: min(touchpoints, card_columns), at least 1. */
  slots: Map<string, number>;
  /** Slots before each stage. */
  offsets: Map<string, number>;
  total: number;
  /** The map's card columns setting (1..6). */
  cardColumns: number;
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

/** The document's card columns setting, kept within the vocabulary's bounds. */
export function cardColumnsOf(doc: JourneyDoc): number {
  const v = (doc as { layout?: { card_columns?: unknown } }).layout?.card_columns;
  if (typeof v !== "number" || !Number.isInteger(v)) return CARD_COLUMNS.default;
  return Math.min(CARD_COLUMNS.max, Math.max(CARD_COLUMNS.min, v));
}

export function computeLayout(doc: JourneyDoc): Layout {
  const stages = doc.stages || [];
  const cardColumns = cardColumnsOf(doc);
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
    const n = Math.max(1, Math.min(cardColumns, byStage.get(st.id)!.length));
    slots.set(st.id, n);
    offsets.set(st.id, total);
    total += n;
  }
  const x = new Map<string, number>();
  const ordered: Touchpoint[] = [];
  for (const st of stages) {
    const list = byStage.get(st.id)!;
    const off = offsets.get(st.id)!;
    const w = slots.get(st.id)!;
    list.forEach((tp, i) => {
      x.set(tp.id, total > 0 ? ((off + ((i + 0.5) * w) / list.length) / total) * 100 : 50);
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
  return { stages, slots, offsets, total, cardColumns, byStage, x, ordered, cards };
}

/** How the grid is drawn: full cards, compact chips at a chosen size, or chips fitted to the room. */
export type GridMode = "full" | "compact" | "compact-fit";

/** grid-template-columns of the map: the lane header column, then one column per stage. */
export function gridColumns(layout: Layout, laneHeaderPx: number, mode: GridMode = "full"): string {
  const cols = [`${laneHeaderPx}px`];
  for (const st of layout.stages) {
    const w = layout.slots.get(st.id)!;
    const min = mode === "full" ? w * SLOT_PX : mode === "compact" ? w * CHIP_SLOT_PX : CHIP_COL_PX;
    cols.push(`minmax(${min}px, ${w}fr)`);
  }
  return cols.join(" ");
}

/** The narrowest the grid can be in a mode (its columns' minimum widths, plus borders). */
export function naturalWidth(layout: Layout, mode: GridMode): number {
  let w = mode === "full" ? LANE_HEADER_PX : LANE_HEADER_COMPACT_PX;
  for (const st of layout.stages) {
    const n = layout.slots.get(st.id)!;
    w += mode === "full" ? n * SLOT_PX : mode === "compact" ? n * CHIP_SLOT_PX : CHIP_COL_PX;
  }
  return w + 2;
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
