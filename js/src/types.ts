// Types of the journey document (docs/FORMAT.md, schema_version 1) and of the
// anywidget model interface the widget talks to.

export interface EmotionScale {
  min: number;
  max: number;
  labels: Record<string, string>;
}

export interface Persona {
  id: string;
  name: string;
  description?: string;
  quote?: string;
  attributes?: Record<string, string>;
  goals?: string[];
  needs?: string[];
  motivations?: string[];
  frustrations?: string[];
  empathy?: { says?: string[]; thinks?: string[]; does?: string[]; feels?: string[] };
  segment?: { column: string; values: unknown[] } | null;
}

export interface Goal {
  id: string;
  name: string;
  description?: string;
  metric?: string;
  target?: number | null;
  unit?: string;
  direction?: "increase" | "decrease" | "maintain";
}

export interface Stage {
  id: string;
  name: string;
  description?: string;
  customer_goal?: string;
  milestone?: boolean;
  icon?: string;
}

export type LaneKind =
  | "actions"
  | "thoughts"
  | "needs"
  | "emotions"
  | "touchpoints"
  | "pain_points"
  | "opportunities"
  | "backstage"
  | "metrics"
  | "text";

export interface Lane {
  id: string;
  kind: LaneKind | string;
  title: string;
}

export interface Touchpoint {
  id: string;
  name: string;
  stage: string;
  channel?: string | null;
  emotion?: number | null;
  moment_of_truth?: boolean;
  metric?: string;
  description?: string;
  pain_points?: string[];
  opportunities?: string[];
  quotes?: string[];
  owner?: string;
  evidence?: string[];
  event_keys?: string[];
  tags?: string[];
}

export interface Card {
  id: string;
  lane: string;
  stage: string;
  text: string;
}

export interface Comment {
  id: string;
  target: string;
  author?: string;
  text: string;
  created?: string;
  resolved?: boolean;
}

export interface JourneyDoc {
  schema_version?: number;
  id: string;
  title: string;
  description?: string;
  journey_type?: string;
  state?: string;
  created?: string;
  modified?: string;
  tags?: string[];
  emotion_scale?: EmotionScale;
  personas?: Persona[];
  goals?: Goal[];
  stages?: Stage[];
  lanes?: Lane[];
  touchpoints?: Touchpoint[];
  cards?: Card[];
  comments?: Comment[];
}

export interface TouchpointMetrics {
  customers?: number;
  share?: number;
  median_next_s?: number | null;
  [k: string]: unknown;
}
export interface StageMetrics {
  customers?: number;
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

export type Op = Record<string, unknown> & { op: string };

/** The subset of the anywidget model API the widget uses. */
export interface WidgetModel {
  get(name: string): any;
  set(name: string, value: unknown): void;
  save_changes(): void;
  send(content: unknown, callbacks?: unknown, buffers?: unknown[]): void;
  on(event: string, cb: (...args: any[]) => void): void;
  off(event?: string | null, cb?: ((...args: any[]) => void) | null): void;
}

export type ItemKind = "journey" | "persona" | "goal" | "stage" | "lane" | "touchpoint" | "card" | "comment";
