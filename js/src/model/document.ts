// Checks of a whole document that no single item can state, as Python's document
// validation makes them when it loads a file: unique ids, references (stages, lanes
// that hold cards, comment targets, emotions on the scale), the emotion scale and the
// size of each list. The standalone page runs them after every edit, so it never
// keeps a document Python would refuse to load.
import { properties } from "../../../src/journeywidget/schema/journey.schema.json";
import { COLLECTIONS } from "./items";
import { COMPUTED_LANES } from "./vocabulary";

type Item = Record<string, any>;

const MAX_ITEMS: Record<string, number | undefined> = Object.fromEntries(
  Object.values(COLLECTIONS).map((coll) => [coll, (properties as Record<string, { maxItems?: number }>)[coll].maxItems]),
);

/** What is wrong with `doc` as a whole ("$.cards[2].lane: ..."); [] when nothing is. */
export function documentProblems(doc: Record<string, any>): string[] {
  const problems: string[] = [];
  const scale = doc.emotion_scale;
  for (const p of scaleProblems(scale)) problems.push(`$.emotion_scale: ${p}`);
  const seen = new Set<string>([doc.id]);
  for (const coll of Object.values(COLLECTIONS)) {
    const list: Item[] = doc[coll] || [];
    const max = MAX_ITEMS[coll];
    if (max !== undefined && list.length > max) problems.push(`$.${coll}: at most ${max} ${coll}`);
    list.forEach((it, i) => {
      if (seen.has(it.id)) problems.push(`$.${coll}[${i}].id: duplicate id '${it.id}'; ids must be unique across the document`);
      seen.add(it.id);
    });
  }
  const stages = new Set((doc.stages || []).map((s: Item) => s.id));
  const lanes = new Map<string, Item>((doc.lanes || []).map((l: Item) => [l.id, l]));
  (doc.touchpoints || []).forEach((t: Item, i: number) => {
    if (!stages.has(t.stage)) problems.push(`$.touchpoints[${i}].stage: unknown stage '${t.stage}'`);
    if (t.emotion !== null && t.emotion !== undefined && !(scale.min <= t.emotion && t.emotion <= scale.max)) {
      problems.push(`$.touchpoints[${i}].emotion: ${t.emotion} is off the emotion scale`);
    }
  });
  (doc.cards || []).forEach((c: Item, i: number) => {
    const lane = lanes.get(c.lane);
    if (!stages.has(c.stage)) problems.push(`$.cards[${i}].stage: unknown stage '${c.stage}'`);
    if (!lane) problems.push(`$.cards[${i}].lane: unknown lane '${c.lane}'`);
    else if (COMPUTED_LANES.has(lane.kind)) {
      problems.push(`$.cards[${i}].lane: lane '${lane.id}' is a ${lane.kind} lane, drawn from the touchpoints, and holds no cards`);
    }
  });
  (doc.comments || []).forEach((c: Item, i: number) => {
    if (!seen.has(c.target)) problems.push(`$.comments[${i}].target: unknown id '${c.target}'`);
  });
  return problems;
}

/** Problems of an emotion scale (min below max, at most 21 points, one label per point). */
export function scaleProblems(scale: { min: number; max: number; labels: Record<string, string> }): string[] {
  const { min: lo, max: hi } = scale;
  if (lo >= hi) return [`min (${lo}) must be below max (${hi})`];
  if (hi - lo > 20) return [`the scale ${lo}..${hi} has more than 21 points; use at most 21`];
  const want = new Set<string>();
  // counted by offset: past 2**53, lo + 1 === lo and `i++` would never reach hi
  for (let k = 0; k <= hi - lo; k++) want.add(String(lo + k));
  const have = new Set(Object.keys(scale.labels));
  const missing = [...want].filter((k) => !have.has(k));
  const extra = [...have].filter((k) => !want.has(k)).sort();
  if (!missing.length && !extra.length) return [];
  const bits: string[] = [];
  if (missing.length) bits.push("missing labels for " + missing.join(", "));
  if (extra.length) bits.push("labels for values off the scale: " + extra.join(", "));
  return ["labels must have one entry per integer from min to max: " + bits.join("; ")];
}
