// Search on the map: which items' texts contain the query, in reading order
// (stages left to right; in each stage its header, its touchpoints, then the
// cards lane by lane), case- and accent-insensitive.
import type { JourneyDoc } from "../model/types";

export interface SearchHit {
  /** The item to highlight and jump to (a stage, touchpoint, card or lane). */
  id: string;
  kind: "stage" | "touchpoint" | "card" | "lane";
  /** The field that matched (name, customer_goal, text, pain_points...). */
  field: string;
}

/** Text folded for matching: lower case, accents removed, spaces collapsed. */
export function fold(text: unknown): string {
  return String(text ?? "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/\s+/g, " ");
}

const TP_FIELDS = ["name", "description", "metric", "channel", "pain_points", "opportunities", "quotes", "owner", "tags"];

function matches(value: unknown, q: string): boolean {
  if (Array.isArray(value)) return value.some((v) => fold(v).includes(q));
  return typeof value === "string" && fold(value).includes(q);
}

/** Every item whose text contains `query` (blank query: none), in reading order. */
export function searchMap(doc: JourneyDoc, query: string): SearchHit[] {
  const q = fold(query).trim();
  if (!q) return [];
  const hits: SearchHit[] = [];
  const lanes = doc.lanes || [];
  const laneOrder = new Map(lanes.map((l, i) => [l.id, i]));
  for (const lane of lanes) if (matches(lane.title, q)) hits.push({ id: lane.id, kind: "lane", field: "title" });
  for (const st of doc.stages || []) {
    for (const f of ["name", "customer_goal", "description"]) {
      if (matches((st as any)[f], q)) {
        hits.push({ id: st.id, kind: "stage", field: f });
        break;
      }
    }
    for (const tp of doc.touchpoints || []) {
      if (tp.stage !== st.id) continue;
      const f = TP_FIELDS.find((k) => matches((tp as any)[k], q));
      if (f) hits.push({ id: tp.id, kind: "touchpoint", field: f });
    }
    const cards = (doc.cards || []).filter((c) => c.stage === st.id && laneOrder.has(c.lane));
    cards.sort((a, b) => laneOrder.get(a.lane)! - laneOrder.get(b.lane)!);
    for (const c of cards) if (matches(c.text, q)) hits.push({ id: c.id, kind: "card", field: "text" });
  }
  return hits;
}

/** The next hit index after `current` (wrapping), or before it with `back`. */
export function stepHit(count: number, current: number, back = false): number {
  if (count <= 0) return -1;
  if (current < 0 || current >= count) return back ? count - 1 : 0;
  return (current + (back ? count - 1 : 1)) % count;
}
