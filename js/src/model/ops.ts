// Builders of the JSON operations of docs/FORMAT.md. The widget never changes
// its document itself: it sends these to Python (or, in a standalone page, to
// apply.ts) and renders what comes back.
import type { JourneyDoc, Op } from "./types";
import { allIds } from "./items";
import { slugify, uniqueId } from "./ids";
import { readableName } from "./names";

export function updateOp(id: string, fields: Record<string, unknown>): Op {
  return { op: "update", id, fields };
}

export function addOp(kind: string, item: Record<string, unknown>, index: number | null = null): Op {
  return { op: "add", kind, item, index };
}

export function removeOp(id: string): Op {
  return { op: "remove", id };
}

/** Move within a list (stage, lane, persona, goal) or, with stage/lane, a touchpoint or card. */
export function moveOp(id: string, index: number, where?: { stage?: string; lane?: string }): Op {
  const op: Op = { op: "move", id, index };
  if (where && where.stage !== undefined) op.stage = where.stage;
  if (where && where.lane !== undefined) op.lane = where.lane;
  return op;
}

export function batchOp(ops: Op[], label = ""): Op {
  return { op: "batch", ops, label };
}

/** A fresh id for a new item named `name`, unique in `doc`. */
export function newId(doc: JourneyDoc, name: string, fallback: string): string {
  return uniqueId(slugify(name, fallback), allIds(doc));
}

/**
 * Index at which to drop, given the centres (along the drag axis) of the other
 * items of the target group, in order, and the pointer position.
 */
export function dropIndex(centres: number[], pos: number): number {
  let i = 0;
  while (i < centres.length && pos > centres[i]) i++;
  return i;
}

/**
 * The `move` op for dropping item `id` at position `index` of the target group
 * `groupIds` (the group's items in order), where `index` counts the group's
 * items without the dragged one. Returns null when nothing would move.
 */
export function moveIfChanged(
  id: string,
  groupIds: string[],
  index: number,
  where?: { stage?: string; lane?: string },
): Op | null {
  const current = groupIds.indexOf(id);
  if (current >= 0 && current === index) return null;
  return moveOp(id, index, where);
}

/** Ids of touchpoints of a stage, in document order. */
export function touchpointsOf(doc: JourneyDoc, stage: string): string[] {
  return (doc.touchpoints || []).filter((t) => t.stage === stage).map((t) => t.id);
}

/** Ids of cards of a (lane, stage) cell, in document order. */
export function cardsOf(doc: JourneyDoc, lane: string, stage: string): string[] {
  return (doc.cards || []).filter((c) => c.lane === lane && c.stage === stage).map((c) => c.id);
}

/** The `add` op that puts an unmapped event key on the map (null if the map has no stages). */
export function addKeyOp(doc: JourneyDoc, key: string, suggestedStage?: string | null): Op | null {
  const stages = doc.stages || [];
  if (stages.length === 0 || !key) return null;
  const stage = suggestedStage && stages.some((s) => s.id === suggestedStage) ? suggestedStage : stages[0].id;
  const name = readableName(key);
  const id = newId(doc, name, "touchpoint");
  return addOp("touchpoint", { id, name, stage, event_keys: [key] });
}
