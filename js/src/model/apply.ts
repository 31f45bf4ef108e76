// The op applier of the standalone page: the JSON operations of docs/FORMAT.md
// applied to a document without Python, by the rules of Python's mutations module
// (journeywidget's one mutation path). tests/data/op_cases.json holds a few hundred
// operations Python applied or refused; test/apply.test.ts checks that this file
// gives the same document, or refuses too, for every one of them.
import { allIds, COLLECTIONS, type Collection, type ListKind } from "./items";
import { isValidId, slugify, uniqueId } from "./ids";
import { clone, deepEqual, isPlainObject, repr, truthy } from "./json";
import { conform, fail, itemSchema, OperationError, topFieldSchema } from "./validate";
import { documentProblems, scaleProblems } from "./document";
import { COMPUTED_LANES } from "./vocabulary";
import type { JourneyDoc } from "./types";
// the bounds Python applies too (src/journeywidget/core/limits.json)
import { max_batch_depth, max_ops_per_message } from "../../../src/journeywidget/core/limits.json";

export { OperationError };

const OPS = ["add", "update", "remove", "move", "batch"];
/** Journey fields an `update` of the journey itself may change. */
export const TOP_LEVEL_FIELDS = ["title", "description", "journey_type", "state", "tags", "emotion_scale", "layout"];
/** The order `remove` deletes in (comments on items first, the items last). */
const REMOVE_ORDER: Collection[] = ["comments", "cards", "touchpoints", "lanes", "stages", "goals", "personas"];

/** Where today's date and the current time come from (tests fix them). */
export interface Clock {
  /** "2026-11-23" (UTC), stamped into `modified` when an edit changes the document. */
  today(): string;
  /** "2026-11-23T20:11:16Z" (UTC, whole seconds), for new comments. */
  now(): string;
}

export const systemClock: Clock = {
  today: () => new Date().toISOString().slice(0, 10),
  now: () => new Date().toISOString().replace(/\.\d+Z$/, "Z"),
};

type Item = Record<string, any>;
type Doc = Record<string, any>;

const KIND_OF: Record<string, ListKind> = Object.fromEntries(Object.entries(COLLECTIONS).map(([k, c]) => [c, k as ListKind]));

/** Where the item with `id` is: its collection and position. */
export function locate(doc: JourneyDoc, id: string): { coll: Collection; pos: number } | null {
  for (const coll of Object.values(COLLECTIONS)) {
    const list: Item[] = ((doc as Doc)[coll] as Item[]) || [];
    const pos = list.findIndex((it) => it.id === id);
    if (pos >= 0) return { coll, pos };
  }
  return null;
}

function idsHint(doc: Doc, coll: Collection, limit = 12): string {
  const ids: string[] = (doc[coll] || []).map((it: Item) => it.id);
  if (!ids.length) return `the journey has no ${coll} yet; add one first`;
  const more = ids.length > limit ? ` (and ${ids.length - limit} more)` : "";
  return `use one of: ${ids.slice(0, limit).map(repr).join(", ")}${more}`;
}

/** Check an item's fields and references against `doc`; return it as Python stores it. */
export function validateItem(doc: JourneyDoc, kind: ListKind, item: unknown): Item {
  if (!isPlainObject(item)) fail(`${kind}: expected an object with the ${kind}'s fields`);
  const data: Item = conform(itemSchema(kind), item, kind);
  const d = doc as Doc;
  const problems: string[] = [];
  if ((kind === "touchpoint" || kind === "card") && !(d.stages || []).some((s: Item) => s.id === data.stage)) {
    problems.push(`stage: unknown stage ${repr(data.stage)}; ${idsHint(d, "stages")}`);
  }
  if (kind === "card") {
    const lane = (d.lanes || []).find((l: Item) => l.id === data.lane);
    if (!lane) problems.push(`lane: unknown lane ${repr(data.lane)}; ${idsHint(d, "lanes")}`);
    else if (COMPUTED_LANES.has(lane.kind)) problems.push(`lane: lane ${repr(lane.id)} is a ${lane.kind} lane, drawn from the touchpoints; put cards in a lane of another kind`);
  }
  if (kind === "touchpoint" && data.emotion !== null) {
    const scale = d.emotion_scale;
    if (!(scale.min <= data.emotion && data.emotion <= scale.max)) {
      problems.push(`emotion: ${data.emotion} is off the emotion scale; use a number from ${scale.min} to ${scale.max} or null`);
    }
  }
  if (kind === "comment" && !allIds(doc).has(data.target)) {
    problems.push(`target: unknown id ${repr(data.target)}; a comment's target must be the id of an item in the journey`);
  }
  if (problems.length) fail(problems.map((p) => `${kind}.${p}`).join("; "));
  return data;
}

function newId(doc: Doc, kind: ListKind, item: Item): string {
  if (kind === "comment") {
    const taken = allIds(doc as JourneyDoc);
    let n = (doc.comments || []).length + 1;
    while (taken.has(`comment-${n}`)) n++;
    return `comment-${n}`;
  }
  let base: unknown = [item.name, item.title, kind === "card" ? item.text : ""].find(truthy) ?? "";
  if (kind === "lane" && !truthy(base)) base = item.kind ?? "";
  let slug = slugify(String(base), kind, kind === "card" ? 40 : 48);
  if (kind === "card" && slug !== "card") slug = `card-${slug}`;
  return uniqueId(slug, allIds(doc as JourneyDoc));
}

function checkIndex(index: unknown, what: string): number | null {
  if (index === null || index === undefined) return null;
  if (typeof index !== "number" || !Number.isInteger(index)) fail(`${what}: index must be an integer or null, got ${brief(index)}`);
  return index;
}

function groupPositions(list: Item[], key: Item): number[] {
  const out: number[] = [];
  list.forEach((it, i) => {
    if (Object.keys(key).every((k) => it[k] === key[k])) out.push(i);
  });
  return out;
}

/** List position for inserting so the item is `index`-th in its group (stage, or lane + stage). */
function insertPosGrouped(doc: Doc, list: Item[], key: Item, index: number | null): number {
  const group = groupPositions(list, key);
  if (index !== null && index < 0) index = Math.max(0, group.length + index + 1);
  if (group.length) return index === null || index >= group.length ? group[group.length - 1] + 1 : group[index];
  // empty group: place before the first item of a later stage, for a tidy file
  const order = new Map<string, number>((doc.stages || []).map((s: Item, i: number) => [s.id, i]));
  const mine = order.get(key.stage) ?? order.size;
  const at = list.findIndex((it) => (order.get(it.stage) ?? -1) > mine);
  return at >= 0 ? at : list.length;
}

/** One operation run: applies sub-operations to `doc` in place and counts the edits made. */
class Run {
  edits = 0;
  constructor(
    readonly doc: Doc,
    readonly clock: Clock,
  ) {}

  run(op: unknown, depth = 0): void {
    if (!isPlainObject(op)) fail(`an operation must be an object such as {"op": "update", ...}`);
    const name = op.op;
    if (typeof name !== "string" || !OPS.includes(name)) fail(`op: unknown operation ${brief(name)}; use one of: ${OPS.join(", ")}`);
    if (name === "batch") this.batch(op, depth);
    else (this as any)[name](op);
  }

  private find(id: unknown, where: string): { coll: Collection; pos: number; kind: ListKind } {
    if (typeof id !== "string") fail(`${where}: expected an item id (a string), got ${brief(id)}`);
    const at = locate(this.doc as JourneyDoc, id);
    if (!at) fail(`${where}: no item with id ${brief(id)} in this journey`);
    return { ...at, kind: KIND_OF[at.coll] };
  }

  add(op: Item): void {
    const kind = op.kind;
    if (typeof kind !== "string" || !(kind in COLLECTIONS)) fail(`add.kind: unknown kind ${brief(kind)}; use one of: ${Object.keys(COLLECTIONS).join(", ")}`);
    const k = kind as ListKind;
    if (!isPlainObject(op.item)) fail(`add.item: expected an object with the ${k}'s fields`);
    const item: Item = { ...op.item };
    if (item.id === undefined || item.id === null || item.id === "") item.id = newId(this.doc, k, item);
    else if (!isValidId(item.id)) fail(`${k}.id: ${brief(item.id)} is not a valid id; use letters, digits and '-' (or leave it out to make one from the name)`);
    else if (allIds(this.doc as JourneyDoc).has(item.id)) fail(`${k}.id: id ${repr(item.id)} is already used; ids must be unique (leave it out to get a fresh one)`);
    if (k === "comment" && !truthy(item.created)) item.created = this.clock.now();
    const data = validateItem(this.doc as JourneyDoc, k, item);
    const index = checkIndex(op.index, "add.index");
    const coll = COLLECTIONS[k];
    const list: Item[] = this.doc[coll];
    let pos: number;
    if (k === "touchpoint") pos = insertPosGrouped(this.doc, list, { stage: data.stage }, index);
    else if (k === "card") pos = insertPosGrouped(this.doc, list, { lane: data.lane, stage: data.stage }, index);
    else pos = index === null ? list.length : Math.max(0, Math.min(list.length, index >= 0 ? index : list.length + index + 1));
    list.splice(pos, 0, data);
    this.edits++;
  }

  update(op: Item): void {
    const fields = op.fields;
    if (!isPlainObject(fields) || Object.keys(fields).length === 0) {
      fail(`update.fields: expected an object of fields to change, e.g. {"name": "New name"}`);
    }
    if (op.id === this.doc.id) return this.updateJourney(fields);
    const { coll, pos, kind } = this.find(op.id, "update.id");
    const before: Item = this.doc[coll][pos];
    if ("id" in fields && fields.id !== before.id) fail(`${kind}.id: ids never change (they keep references and files stable); change the name instead`);
    const after = validateItem(this.doc as JourneyDoc, kind, { ...before, ...fields });
    if (deepEqual(after, before)) return;
    this.doc[coll][pos] = after;
    this.edits++;
  }

  private updateJourney(fields: Item): void {
    const unknown = Object.keys(fields).filter((k) => !TOP_LEVEL_FIELDS.includes(k));
    if (unknown.length) fail(`journey.${unknown[0]}: cannot be updated this way; journey fields you can update are: ${TOP_LEVEL_FIELDS.join(", ")}`);
    const valid: Item = {};
    for (const key of TOP_LEVEL_FIELDS) {
      const schema = topFieldSchema(key)!;
      // a document written before a field existed (no `layout`) has its default
      const value = key in fields ? fields[key] : this.doc[key] !== undefined ? this.doc[key] : clone(schema.default);
      valid[key] = conform(schema, value, `journey.${key}`);
    }
    if ("emotion_scale" in fields) {
      const problems = scaleProblems(valid.emotion_scale);
      if (problems.length) fail("journey.emotion_scale: " + problems.join("; "));
      const { min: lo, max: hi } = valid.emotion_scale;
      const off = (this.doc.touchpoints || []).filter((t: Item) => t.emotion !== null && !(lo <= t.emotion && t.emotion <= hi));
      if (off.length) {
        const names = off.slice(0, 5).map((t: Item) => repr(t.name)).join(", ");
        fail(`journey.emotion_scale: touchpoints ${names} have emotions outside ${lo}..${hi}; change those emotions first`);
      }
    }
    for (const key of TOP_LEVEL_FIELDS) {
      if (key in fields && !deepEqual(valid[key], this.doc[key])) {
        this.doc[key] = valid[key];
        this.edits++;
      }
    }
  }

  remove(op: Item): void {
    if (op.id === this.doc.id) fail("remove.id: the journey itself cannot be removed");
    const { kind } = this.find(op.id, "remove.id");
    const doomed = new Set<string>([op.id]);
    if (kind === "stage") {
      for (const t of this.doc.touchpoints) if (t.stage === op.id) doomed.add(t.id);
      for (const c of this.doc.cards) if (c.stage === op.id) doomed.add(c.id);
    } else if (kind === "lane") {
      for (const c of this.doc.cards) if (c.lane === op.id) doomed.add(c.id);
    }
    // comments on anything removed (and comments on those comments)
    for (let grew = true; grew; ) {
      grew = false;
      for (const c of this.doc.comments) {
        if (doomed.has(c.target) && !doomed.has(c.id)) {
          doomed.add(c.id);
          grew = true;
        }
      }
    }
    for (const coll of REMOVE_ORDER) {
      const kept = this.doc[coll].filter((it: Item) => !doomed.has(it.id));
      this.edits += this.doc[coll].length - kept.length;
      this.doc[coll] = kept;
    }
  }

  move(op: Item): void {
    const { coll, pos, kind } = this.find(op.id, "move.id");
    const list: Item[] = this.doc[coll];
    const item = list[pos];
    const index = checkIndex(op.index, "move.index");
    const given = (v: unknown) => v !== null && v !== undefined;
    if (kind === "touchpoint" || kind === "card") {
      const changes: Item = {};
      if (given(op.stage)) changes.stage = op.stage;
      if (kind === "card" && given(op.lane)) changes.lane = op.lane;
      else if (given(op.lane)) fail("move.lane: only cards move between lanes");
      const after = Object.keys(changes).length ? validateItem(this.doc as JourneyDoc, kind, { ...item, ...changes }) : item;
      const key = kind === "touchpoint" ? { stage: after.stage } : { lane: after.lane, stage: after.stage };
      const idsIn = (l: Item[]) => groupPositions(l, key).map((i) => l[i].id);
      const oldGroup = idsIn(list);
      const next = list.slice();
      next.splice(pos, 1);
      next.splice(insertPosGrouped(this.doc, next, key, index), 0, after);
      const moved = after.stage !== item.stage || (kind === "card" && after.lane !== item.lane);
      if (!moved && deepEqual(idsIn(next), oldGroup)) return; // Python undoes such a move: nothing changed
      this.doc[coll] = next;
      this.edits += 2;
      return;
    }
    if (given(op.stage) || given(op.lane)) fail(`move.stage: a ${kind} has no stage; pass only an index`);
    if (index === null) fail(`move.index: give the new position of the ${kind} (0 is first)`);
    const n = list.length;
    const to = Math.max(0, Math.min(n - 1, index >= 0 ? index : n + index));
    if (to === pos) return;
    list.splice(pos, 1);
    list.splice(to, 0, item);
    this.edits += 2;
  }

  batch(op: Item, depth: number): void {
    if (!Array.isArray(op.ops)) fail("batch.ops: expected a list of operations");
    if (depth >= max_batch_depth) fail(`batch: batches nest at most ${max_batch_depth} deep; put the operations in one batch`);
    op.ops.forEach((sub: unknown, i: number) => {
      try {
        this.run(sub, depth + 1);
      } catch (err) {
        if (err instanceof OperationError) fail(`batch.ops[${i}]: ${err.message}`);
        throw err;
      }
    });
  }
}

/**
 * Apply one operation (or a batch) to a copy of `doc`: the new document, or the
 * same `doc` when the operation changed nothing. `modified` becomes today's date
 * when anything changed. Throws an OperationError (and changes nothing) when
 * Python would refuse the operation, or would refuse to load the document it makes.
 */
export function applyOp(doc: JourneyDoc, op: unknown, clock: Clock = systemClock): { doc: JourneyDoc; changed: boolean } {
  const next = clone(doc) as Doc;
  for (const coll of Object.values(COLLECTIONS)) if (!Array.isArray(next[coll])) next[coll] = [];
  const run = new Run(next, clock);
  run.run(op);
  if (run.edits === 0) return { doc, changed: false };
  // Python's mutations let a few edits through that its document check refuses
  // (a lane that holds cards turned into a computed lane, a list over its size):
  // the page keeps only documents Python would load.
  const problems = documentProblems(next);
  if (problems.length) fail(`the edit would make the document invalid: ${problems.slice(0, 3).join("; ")}`);
  next.modified = clock.today();
  return { doc: next as JourneyDoc, changed: true };
}

/**
 * The widget's `{"type": "ops"}` message: one op, or several applied as one batch
 * (all or nothing), as Python's JourneyWidget does.
 */
export function applyOps(doc: JourneyDoc, ops: unknown, clock: Clock = systemClock): { doc: JourneyDoc; changed: boolean } {
  if (!Array.isArray(ops) || ops.length === 0) fail("expected a non-empty list of operations");
  if (countOps(ops) > max_ops_per_message) {
    fail(`more than ${max_ops_per_message} operations in one message; send at most ${max_ops_per_message} at a time`);
  }
  return applyOp(doc, ops.length === 1 ? ops[0] : { op: "batch", ops }, clock);
}

/**
 * How many operations a message holds, batches and the operations inside them counted,
 * stopping one past the cap (so a flood is not walked to its end), as Python's widget counts.
 */
export function countOps(ops: unknown[], cap: number = max_ops_per_message): number {
  let n = 0;
  const stack: unknown[][] = [ops];
  while (stack.length && n <= cap) {
    for (const op of stack.pop()!) {
      n++;
      if (n > cap) break;
      if (isPlainObject(op) && op.op === "batch" && Array.isArray(op.ops)) stack.push(op.ops);
    }
  }
  return n;
}

/** A value from outside, shown in a message without repeating all of it. */
function brief(value: unknown, limit = 60): string {
  if (typeof value === "string" && value.length > limit) return `${repr(value.slice(0, limit - 8)).slice(0, -1)}…' (${value.length} characters)`;
  if (Array.isArray(value)) return `a list of ${value.length} items`;
  if (isPlainObject(value)) return "an object";
  return repr(value);
}
