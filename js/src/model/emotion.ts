// Emotion scale helpers: value <-> vertical position, tone, keyboard steps.
import type { EmotionScale as SchemaScale } from "./types";
import { EMOTION_LABELS } from "./vocabulary";

/** A resolved emotion scale: integers `min`..`max` with a label each. */
export interface EmotionScale {
  min: number;
  max: number;
  labels: Record<string, string>;
}

const defaultValues = Object.keys(EMOTION_LABELS).map(Number);

/** The default scale (-2..2 with the vocabulary's labels). */
export const DEFAULT_SCALE: EmotionScale = {
  min: Math.min(...defaultValues),
  max: Math.max(...defaultValues),
  labels: { ...EMOTION_LABELS },
};

/** Vertical padding of the curve area, in percent of its height. */
export const PAD = 12;

/** The document's scale, or the default one when it has none (or a broken one). */
export function scaleOf(s: SchemaScale | null | undefined): EmotionScale {
  if (!s || typeof s.min !== "number" || typeof s.max !== "number" || !(s.max > s.min)) return DEFAULT_SCALE;
  return s.labels ? (s as EmotionScale) : { min: s.min, max: s.max, labels: {} };
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

export function midpoint(scale: EmotionScale): number {
  return (scale.min + scale.max) / 2;
}

/** Position (0 = top, 100 = bottom, in percent) of an emotion value. */
export function emotionToY(value: number, scale: EmotionScale, pad = PAD): number {
  const v = clamp(value, scale.min, scale.max);
  const t = (scale.max - v) / (scale.max - scale.min);
  return pad + t * (100 - 2 * pad);
}

/**
 * Emotion value at a vertical position (percent from the top), clamped to the
 * scale and rounded to `step` (0 = no rounding).
 */
export function yToEmotion(y: number, scale: EmotionScale, step = 0.5, pad = PAD): number {
  const t = (y - pad) / (100 - 2 * pad);
  let v = scale.max - t * (scale.max - scale.min);
  v = clamp(v, scale.min, scale.max);
  if (step > 0) v = Math.round(v / step) * step;
  v = clamp(v, scale.min, scale.max);
  // avoid -0 and float noise
  v = Math.round(v * 1000) / 1000;
  return v === 0 ? 0 : v;
}

export type Tone = "positive" | "neutral" | "negative" | "unset";

export function tone(value: number | null | undefined, scale: EmotionScale): Tone {
  if (value === null || value === undefined || Number.isNaN(value)) return "unset";
  const mid = midpoint(scale);
  const eps = (scale.max - scale.min) * 0.05;
  if (value > mid + eps) return "positive";
  if (value < mid - eps) return "negative";
  return "neutral";
}

/** The label of a value on the scale (nearest integer label), e.g. "Positive". */
export function emotionLabel(value: number | null | undefined, scale: EmotionScale): string {
  if (value === null || value === undefined) return "Not set";
  const key = String(Math.round(value));
  const label = scale.labels ? scale.labels[key] : undefined;
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return label ? `${label} (${shown})` : shown;
}

/**
 * The new value after an arrow key on a focused emotion point: up/down move
 * one step (Shift: a half step), Home/End jump to max/min. An unset value
 * starts from the scale's midpoint. Returns undefined if the key is not handled.
 */
export function stepEmotion(
  value: number | null | undefined,
  key: string,
  scale: EmotionScale,
  shift = false,
): number | null | undefined {
  const step = shift ? 0.5 : 1;
  const start = value === null || value === undefined ? null : value;
  const mid = Math.round(midpoint(scale));
  switch (key) {
    case "ArrowUp":
      return start === null ? mid : clamp(roundTo(start + step, step), scale.min, scale.max);
    case "ArrowDown":
      return start === null ? mid : clamp(roundTo(start - step, step), scale.min, scale.max);
    case "Home":
      return scale.max;
    case "End":
      return scale.min;
    case "Delete":
    case "Backspace":
      return null;
    default:
      return undefined;
  }
}

function roundTo(v: number, step: number): number {
  return Math.round(v / step) * step;
}
