// The fields the side panel shows for each kind of item, and how a field's text
// becomes a value (lists one per line, "key: value" attributes, numbers).
import { csvToList, linesToList, listToLines } from "./format";
import { CARD_COLUMNS, DIRECTIONS, EVIDENCE, JOURNEY_TYPES, LANE_COLORS, LANE_ICONS, STATES, isCardLane, options } from "../model/vocabulary";
import type { ItemKind, JourneyDoc } from "../model/types";

export type FieldType =
  | "text"
  | "multiline"
  | "lines"
  | "csv"
  | "select"
  | "bool"
  | "number"
  | "emotion"
  | "checks"
  | "attributes"
  | "channel"
  | "empathy";

export interface FieldDef {
  key: string;
  label: string;
  type: FieldType;
  options?: [string, string][] | ((doc: JourneyDoc) => [string, string][]);
  placeholder?: string;
  hint?: string;
  /** The shown value, when it is not the item's field `key` itself (e.g. a part of an object). */
  get?: (item: any) => unknown;
  /** The field's new value from the control's (e.g. merged into the object it is part of). */
  put?: (value: string, doc: JourneyDoc) => unknown;
}

const COLUMN_CHOICES: [string, string][] = [];
for (let n = CARD_COLUMNS.min; n <= CARD_COLUMNS.max; n++) COLUMN_CHOICES.push([String(n), n === 1 ? "1 card wide" : `${n} cards wide`]);

const stagesOf = (doc: JourneyDoc): [string, string][] => (doc.stages || []).map((s) => [s.id, s.name || s.id]);
const cardLanesOf = (doc: JourneyDoc): [string, string][] =>
  (doc.lanes || [])
    .filter((l) => isCardLane(l.kind))
    .map((l) => [l.id, l.title || l.id]);

export const FIELDS: Record<ItemKind, FieldDef[]> = {
  journey: [
    { key: "title", label: "Title", type: "text" },
    { key: "description", label: "Description", type: "multiline" },
    {
      key: "journey_type",
      label: "Journey type",
      type: "select",
      options: options(JOURNEY_TYPES),
    },
    {
      key: "state",
      label: "State",
      type: "select",
      options: options(STATES),
    },
    { key: "tags", label: "Tags", type: "csv", placeholder: "comma, separated" },
    {
      key: "layout",
      label: "Touchpoints per row in a stage",
      type: "select",
      options: COLUMN_CHOICES,
      hint: "more stay in the stage, on new rows",
      get: (item) => String(item?.layout?.card_columns ?? CARD_COLUMNS.default),
      put: (value, doc) => ({ ...((doc as any).layout || {}), card_columns: Number(value) }),
    },
  ],
  persona: [
    { key: "name", label: "Name", type: "text" },
    { key: "description", label: "Description", type: "multiline" },
    { key: "quote", label: "Quote", type: "multiline" },
    { key: "goals", label: "Goals", type: "lines", hint: "one per line" },
    { key: "needs", label: "Needs", type: "lines", hint: "one per line" },
    { key: "motivations", label: "Motivations", type: "lines", hint: "one per line" },
    { key: "frustrations", label: "Frustrations", type: "lines", hint: "one per line" },
    { key: "attributes", label: "Attributes", type: "attributes", hint: "key: value, one per line" },
    { key: "empathy", label: "Empathy map", type: "empathy" },
  ],
  goal: [
    { key: "name", label: "Name", type: "text" },
    { key: "description", label: "Description", type: "multiline" },
    { key: "metric", label: "Metric", type: "text" },
    { key: "target", label: "Target", type: "number" },
    { key: "unit", label: "Unit", type: "text" },
    {
      key: "direction",
      label: "Direction",
      type: "select",
      options: options(DIRECTIONS),
    },
  ],
  stage: [
    { key: "name", label: "Name", type: "text" },
    { key: "description", label: "Description", type: "multiline" },
    { key: "customer_goal", label: "Customer goal", type: "multiline" },
    { key: "milestone", label: "Milestone", type: "bool" },
    { key: "icon", label: "Icon", type: "text" },
  ],
  lane: [
    { key: "title", label: "Title", type: "text" },
    { key: "color", label: "Colour", type: "select", options: [["", "The kind's colour"], ...options(LANE_COLORS)] },
    { key: "icon", label: "Icon", type: "select", options: [["", "The kind's icon"], ...options(LANE_ICONS)] },
  ],
  touchpoint: [
    { key: "name", label: "Name", type: "text" },
    { key: "stage", label: "Stage", type: "select", options: stagesOf },
    { key: "channel", label: "Channel", type: "channel" },
    { key: "emotion", label: "Emotion", type: "emotion" },
    { key: "moment_of_truth", label: "Moment of truth", type: "bool" },
    { key: "metric", label: "Metric", type: "text", placeholder: "e.g. checkout conversion" },
    { key: "description", label: "Description", type: "multiline" },
    { key: "pain_points", label: "Pain points", type: "lines", hint: "one per line" },
    { key: "opportunities", label: "Opportunities", type: "lines", hint: "one per line" },
    { key: "quotes", label: "Quotes", type: "lines", hint: "one per line" },
    { key: "owner", label: "Owner", type: "text" },
    { key: "evidence", label: "Evidence", type: "checks", options: options(EVIDENCE) },
    { key: "event_keys", label: "Event keys", type: "lines", hint: "values in event data, one per line" },
    { key: "tags", label: "Tags", type: "csv", placeholder: "comma, separated" },
  ],
  card: [
    { key: "text", label: "Text", type: "multiline" },
    { key: "lane", label: "Lane", type: "select", options: cardLanesOf },
    { key: "stage", label: "Stage", type: "select", options: stagesOf },
  ],
  comment: [
    { key: "author", label: "Author", type: "text" },
    { key: "text", label: "Text", type: "multiline" },
    { key: "resolved", label: "Resolved", type: "bool" },
  ],
};

export function toText(type: FieldType, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (type === "lines") return listToLines(value);
  if (type === "csv") return Array.isArray(value) ? value.join(", ") : String(value);
  if (type === "attributes") {
    if (!value || typeof value !== "object") return "";
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${v}`)
      .join("\n");
  }
  return String(value);
}

export function fromText(type: FieldType, text: string): unknown {
  switch (type) {
    case "lines":
      return linesToList(text);
    case "csv":
      return csvToList(text);
    case "number": {
      const t = text.trim();
      if (t === "") return null;
      const n = Number(t.replace(",", "."));
      return Number.isFinite(n) ? n : t; // Python refuses a non-number, with a message
    }
    case "attributes": {
      const out: Record<string, string> = {};
      for (const line of linesToList(text)) {
        const i = line.indexOf(":");
        if (i <= 0) out[line] = "";
        else out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
      }
      return out;
    }
    case "text":
      return text.trim();
    default:
      return text;
  }
}

export function empathyText(value: unknown): string {
  if (!value || typeof value !== "object") return "";
  const v = value as Record<string, string[]>;
  return ["says", "thinks", "does", "feels"]
    .filter((k) => Array.isArray(v[k]) && v[k].length)
    .map((k) => `${k}: ${v[k].join("; ")}`)
    .join("\n");
}

