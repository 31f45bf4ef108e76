// Types of the journey document and of what the widget exchanges with Python.
//
// The document's types are GENERATED from the JSON Schema (journey.ts, written by
// js/scripts/schema-types.mjs); this file only adds the few names the front end uses
// for them and hand-written types for what the schema does not cover: the metrics
// payload (`_metrics`), operations and the anywidget model interface.
import type { JourneyDocument } from "./journey";

export type { Card, Comment, EmotionScale, EmpathyMap, Goal, Lane, Persona, Segment, Stage, Touchpoint } from "./journey";
export type { JourneyDocument };
/** The journey map document (docs/FORMAT.md, schema_version 1). */
export type JourneyDoc = JourneyDocument;
export type LaneKind = import("./journey").Lane["kind"];

/** An empty document (before the first `_doc` arrives). */
export function emptyDoc(): JourneyDoc {
  return { id: "", title: "", created: "", modified: "" };
}

export type ItemKind = "journey" | "persona" | "goal" | "stage" | "lane" | "touchpoint" | "card" | "comment";

/** A JSON operation of docs/FORMAT.md (add, update, remove, move, batch). */
export type Op = Record<string, unknown> & { op: string };

export interface TouchpointMetrics {
  customers?: number;
  share?: number;
  median_next_s?: number | null;
  [k: string]: unknown;
}
export interface StageMetrics {
  customers?: number;
  /** Units reaching the stage in the current unit and funnel mode (issue 10). */
  reached?: number;
  no_data?: boolean;
  share?: number | null;
  conversion?: number | null;
  dropoff?: number;
  dropoff_rate?: number | null;
  [k: string]: unknown;
}
export interface FeedbackMetrics {
  score?: number | null;
  n?: number;
  emotion?: number | null;
  [k: string]: unknown;
}
export interface SegmentInfo {
  value: string;
  customers: number;
  share?: number | null;
}
export interface Insight {
  kind: string;
  category: "bottleneck" | "data" | string;
  severity: number;
  target?: string | null;
  message: string;
  value?: number | null;
  details?: Record<string, unknown>;
}
/** Segment B's figures in A/B mode (A is the current segment). */
export interface CompareMetrics {
  segment: string;
  customers: number;
  touchpoints: Record<string, { customers?: number; share?: number | null }>;
  stages: Record<string, { customers?: number; share?: number | null; conversion?: number | null; p?: number | null }>;
  truncated?: boolean;
}
/** The `_metrics` trait: aggregates only (the data stays in the kernel). */
export interface Metrics {
  touchpoints?: Record<string, TouchpointMetrics>;
  stages?: Record<string, StageMetrics>;
  feedback?: Record<string, FeedbackMetrics>;
  insights?: Insight[];
  segments?: SegmentInfo[];
  segment?: string | null;
  segment_column?: string | null;
  customers?: number;
  /** What every count counts (issue 10): "customer" or "session". */
  unit?: string;
  /** The funnel mode: "ordered" or "reached". */
  funnel?: string;
  /** The ordered funnel's window ("7D") or null. */
  window?: string | null;
  /** The counting in words: "ordered funnel · sessions · 7-day window". */
  definition?: string;
  description?: string;
  /** Whether the bound data has sessions (so the unit can be "session"). */
  has_sessions?: boolean;
  /** [from stage, to stage, count, units, kind] */
  flows?: [string, string, number, number, string][];
  /** [from touchpoint, to touchpoint, count, median_s, units, kind] */
  transitions?: [string, string, number, number | null, number, string][];
  opportunities?: { target: string; kind: string; reach?: number; rate?: number | null; lost?: number; value?: number; effort?: number | null; score: number }[];
  clusters?: { cluster: number; label: string; name: string; units: number; share: number; conversion: number | null; top_touchpoints: string[] }[];
  min_n?: number;
  compare?: CompareMetrics | null;
  /** Set by the live widget: a kernel answers segment / compare switches and edits. */
  live?: boolean;
}

/** The subset of the anywidget model API the widget uses. */
export interface WidgetModel {
  get(name: string): any;
  set(name: string, value: unknown): void;
  save_changes(): void;
  send(content: unknown, callbacks?: unknown, buffers?: unknown[]): void;
  on(event: string, cb: (...args: any[]) => void): void;
  off(event?: string | null, cb?: ((...args: any[]) => void) | null): void;
}
