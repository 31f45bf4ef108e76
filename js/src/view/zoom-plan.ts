// Semantic zoom: how the map is drawn for a zoom setting ("fit" or a factor
// 0.25-2) in the room it has. Full cards down to FULL_MIN; below that cards
// collapse to compact chips (emotion and key figure), which stay legible where
// shrunken cards would not. "fit" shows every stage at once: full cards if they
// fit at FULL_MIN or more, else chips in columns that share the room.
import { naturalWidth, type GridMode, type Layout } from "./layout";

export const ZOOM_MIN = 0.25;
export const ZOOM_MAX = 2;
/** Full cards below this factor would have unreadable text (13 px -> < 8 px): chips instead. */
export const FULL_MIN = 0.6;
/** The factor at which compact chips are drawn at their own 100 %. */
export const COMPACT_BASE = 0.5;

export type ZoomSetting = "fit" | number;

export interface ZoomPlan {
  mode: GridMode;
  /** CSS zoom of the grid. */
  scale: number;
}

/** A zoom trait value as a setting: "fit", or a factor clamped to 0.25..2 (1 when unreadable). */
export function zoomSetting(value: unknown): ZoomSetting {
  if (value === "fit") return "fit";
  const f = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  if (!Number.isFinite(f)) return 1;
  return Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, f));
}

/** The plan for a setting: `room` is the width the grid may take (CSS px). */
export function planZoom(setting: ZoomSetting, layout: Layout, room: number): ZoomPlan {
  if (setting !== "fit") {
    if (setting >= FULL_MIN) return { mode: "full", scale: setting };
    return { mode: "compact", scale: setting / COMPACT_BASE };
  }
  const full = naturalWidth(layout, "full");
  if (room <= 0 || full <= room) return { mode: "full", scale: 1 };
  if (full * FULL_MIN <= room) return { mode: "full", scale: Math.floor((room / full) * 1000) / 1000 };
  const chips = naturalWidth(layout, "compact-fit");
  return { mode: "compact-fit", scale: chips <= room ? 1 : Math.floor((room / chips) * 1000) / 1000 };
}

/** The zoom choices of the toolbar, and a label for any setting. */
export const ZOOM_CHOICES: [string, string][] = [
  ["fit", "Fit all stages"],
  ["0.25", "25 %"],
  ["0.5", "50 %"],
  ["0.75", "75 %"],
  ["1", "100 %"],
  ["1.5", "150 %"],
  ["2", "200 %"],
];

export function zoomLabel(setting: ZoomSetting): string {
  return setting === "fit" ? "Fit all stages" : `${Math.round(setting * 100)} %`;
}
