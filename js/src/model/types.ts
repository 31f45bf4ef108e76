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
