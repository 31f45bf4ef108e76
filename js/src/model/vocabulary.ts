// The one vocabulary of journeywidget: channels, lane kinds, journey types, states,
// evidence, goal directions and the default emotion labels. Python reads the same
// file (src/journeywidget/core/vocabulary.json); esbuild bundles it from there, so
// no list of ids or labels is written twice. Order is display order.
// (named imports: esbuild bundles only these keys of the file)
import {
  card_columns,
  channels,
  default_lanes,
  directions,
  emotion_labels,
  evidence,
  journey_types,
  lane_colors,
  lane_icons,
  lane_kinds,
  states,
} from "../../../src/journeywidget/core/vocabulary.json";

/** An id with the words people see for it. */
export interface Term {
  readonly id: string;
  readonly label: string;
}

/** A journey type or state: also the short chip shown in the map's header. */
export interface ChipTerm extends Term {
  readonly chip: string;
}

export interface LaneKind {
  readonly id: string;
  /** The title a new lane of this kind gets. */
  readonly title: string;
  /** Drawn from the touchpoints (emotions, touchpoints, metrics): holds no cards. */
  readonly computed: boolean;
}

export const CHANNELS: readonly Term[] = channels;
export const LANE_KINDS: readonly LaneKind[] = lane_kinds;
export const DEFAULT_LANES: readonly string[] = default_lanes;
export const JOURNEY_TYPES: readonly ChipTerm[] = journey_types;
export const STATES: readonly ChipTerm[] = states;
export const EVIDENCE: readonly Term[] = evidence;
export const DIRECTIONS: readonly Term[] = directions;
/** The palette a lane's colour comes from (names; the hex is ours, never the document's). */
export const LANE_COLORS: readonly (Term & { readonly hex: string })[] = lane_colors;
/** Icons a lane may show instead of its kind's (names of components/icons.ts). */
export const LANE_ICONS: readonly Term[] = lane_icons;
/** Card columns per stage: bounds and default of `layout.card_columns`. */
export const CARD_COLUMNS: Readonly<{ min: number; max: number; default: number }> = card_columns;
/** Labels of the default emotion scale, by value ("-2" … "2"). */
export const EMOTION_LABELS: Readonly<Record<string, string>> = emotion_labels;

/** Lane kinds whose cells hold cards (every kind that is not computed). */
export const CARD_LANES: ReadonlySet<string> = new Set(LANE_KINDS.filter((k) => !k.computed).map((k) => k.id));
/** Lane kinds drawn from the touchpoints. */
export const COMPUTED_LANES: ReadonlySet<string> = new Set(LANE_KINDS.filter((k) => k.computed).map((k) => k.id));

const byId = <T extends { id: string }>(list: readonly T[]): Map<string, T> => new Map(list.map((t) => [t.id, t]));
const CHANNEL_BY_ID = byId(CHANNELS);
const LANE_BY_ID = byId(LANE_KINDS);
const TYPE_BY_ID = byId(JOURNEY_TYPES);
const STATE_BY_ID = byId(STATES);

export function isCardLane(kind: string): boolean {
  return CARD_LANES.has(kind);
}

/** "Mobile app" for "mobile_app"; a custom channel shows as written; no channel: "No channel". */
export function channelLabel(channel: string | null | undefined): string {
  if (!channel) return "No channel";
  return CHANNEL_BY_ID.get(channel)?.label || channel;
}

/** The title of a lane kind ("Customer actions"), or "" for an unknown kind. */
export function laneTitle(kind: string): string {
  return LANE_BY_ID.get(kind)?.title || "";
}

/** The header chip of a journey type ("Purchase journey"); "Journey" when unknown. */
export function journeyTypeChip(type: string | null | undefined): string {
  return TYPE_BY_ID.get(type || "")?.chip || TYPE_BY_ID.get("custom")?.chip || "Journey";
}

/** The header chip of a state ("As-is", "To-be"); the first state's chip when unknown. */
export function stateChip(state: string | null | undefined): string {
  return (STATE_BY_ID.get(state || "") || STATES[0]).chip;
}

/** [id, label] pairs for a select or a group of check boxes. */
export function options(terms: readonly Term[]): [string, string][] {
  return terms.map((t) => [t.id, t.label]);
}

const COLOR_HEX = new Map(LANE_COLORS.map((c) => [c.id, c.hex]));
const ICON_IDS = new Set(LANE_ICONS.map((t) => t.id));

/** The hex of a palette colour name, or "" for anything else (never a value from the document). */
export function laneColorHex(name: unknown): string {
  return typeof name === "string" ? COLOR_HEX.get(name) || "" : "";
}

/** The icon a lane shows: its own icon when it is one of the vocabulary's, else its kind's. */
export function laneIcon(lane: { kind: string; icon?: string | null }): string {
  return lane.icon && ICON_IDS.has(lane.icon) ? lane.icon : lane.kind;
}
