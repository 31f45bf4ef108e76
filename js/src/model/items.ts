// The document's item kinds and collections, and finding items by id.
import type { ItemKind, JourneyDoc } from "./types";

/** Item kind -> the document list that holds it (the order Python's KINDS has). */
/** Comments a merge writes for each conflict start with this (Python's document/merge.py). */
export const CONFLICT_PREFIX = "merge conflict:";

/** True for an open merge-conflict comment. */
export function isOpenConflict(c: { text?: string; resolved?: boolean }): boolean {
  return !c.resolved && typeof c.text === "string" && c.text.startsWith(CONFLICT_PREFIX);
}

export const COLLECTIONS = {
  persona: "personas",
  goal: "goals",
  stage: "stages",
  lane: "lanes",
  touchpoint: "touchpoints",
  card: "cards",
  comment: "comments",
} as const;

export type ListKind = keyof typeof COLLECTIONS;
export type Collection = (typeof COLLECTIONS)[ListKind];

export const LIST_KINDS = Object.keys(COLLECTIONS) as ListKind[];

/** The list of a collection ([] when the document has none). */
export function listOf(doc: JourneyDoc, coll: Collection): { id: string }[] {
  const list = (doc as unknown as Record<string, unknown>)[coll];
  return Array.isArray(list) ? list : [];
}

/** Every id in the document (ids are unique across the whole document). */
export function allIds(doc: JourneyDoc): Set<string> {
  const ids = new Set<string>();
  if (doc.id) ids.add(doc.id);
  for (const kind of LIST_KINDS) for (const it of listOf(doc, COLLECTIONS[kind])) if (it && typeof it.id === "string") ids.add(it.id);
  return ids;
}

/** Find an item by id: its kind and object (the journey itself has kind "journey"). */
export function findItem(doc: JourneyDoc, id: string): { kind: ItemKind; item: any } | null {
  if (!id) return null;
  if (doc.id === id) return { kind: "journey", item: doc };
  for (const kind of ["stage", "touchpoint", "card", "lane", "persona", "goal", "comment"] as const) {
    for (const it of listOf(doc, COLLECTIONS[kind])) if (it && it.id === id) return { kind, item: it };
  }
  return null;
}

/** What an item is called: a title, a name, or the text of a card or comment. */
export function itemTitle(kind: ItemKind, item: any): string {
  if (!item) return "";
  if (kind === "journey" || kind === "lane") return item.title || "";
  if (kind === "card" || kind === "comment") return item.text || "";
  return item.name || "";
}
