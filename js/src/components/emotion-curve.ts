// The emotion curve of an emotions lane: a smoothed line through the touchpoints'
// emotions, the feedback line, and one draggable (and keyboard-operable) dot each.
import { h, s, setText, toggleClass } from "./dom";
import { emotionLabel, emotionToY, tone, type EmotionScale } from "../model/emotion";
import { KeyedList, type Component, type ReconcileStats } from "./reconcile";
import type { Ctx } from "./ctx";

export interface EmotionPoint {
  id: string;
  name: string;
  x: number;
  value: number | null;
  mot: boolean;
  fb: number | null;
}

export interface EmotionItem {
  lane: string;
  row: number;
  nStages: number;
  /** Many points for the room (chips): dots shrink to marks, the curve carries the shape. */
  dense?: boolean;
  points: EmotionPoint[];
  scale: EmotionScale;
}

let gradCounter = 0;

export interface EmotionCurve extends Component<EmotionItem> {
  /** Show a value while dragging, without sending it. */
  preview(id: string, value: number | null): void;
  /** Stop showing a preview value (the document's value shows again). */
  endPreview(id: string): void;
  points(): EmotionPoint[];
}

export function emotionCurve(ctx: Ctx, item: EmotionItem, stats?: ReconcileStats): EmotionCurve {
  const gid = `jw-emo-grad-${ctx.uid}-${++gradCounter}`;
  const el = h("div", { class: "jw-emo", "data-lane": item.lane });
  const svg = s("svg", { class: "jw-emo-svg", viewBox: "0 0 1000 100", preserveAspectRatio: "none", "aria-hidden": "true" });
  const defs = s("defs");
  const grad = s("linearGradient", { id: gid, gradientUnits: "userSpaceOnUse", x1: 0, x2: 0, y1: 0, y2: 100 });
  const stopPos = s("stop", { offset: "0", class: "jw-stop-pos" });
  const stopMid = s("stop", { offset: "0.5", class: "jw-stop-neu" });
  const stopNeg = s("stop", { offset: "1", class: "jw-stop-neg" });
  grad.append(stopPos, stopMid, stopNeg);
  defs.appendChild(grad);
  const bandPos = s("rect", { class: "jw-band-pos", x: 0, y: 0, width: 1000, height: 50 });
  const bandNeg = s("rect", { class: "jw-band-neg", x: 0, y: 50, width: 1000, height: 50 });
  const mid = s("line", { class: "jw-emo-mid", x1: 0, x2: 1000, y1: 50, y2: 50, "vector-effect": "non-scaling-stroke" });
  const fbPath = s("path", { class: "jw-emo-fb", d: "", fill: "none", "vector-effect": "non-scaling-stroke" });
  const path = s("path", { class: "jw-emo-path", d: "", fill: "none", stroke: `url(#${gid})`, "vector-effect": "non-scaling-stroke" });
  svg.append(defs, bandPos, bandNeg, mid, fbPath, path);
  const dotsLayer = h("div", { class: "jw-emo-dots" });
  // the value and label of a dot being dragged (or stepped with the keyboard), live
  const live = h("div", { class: "jw-dot-live", role: "status", "aria-live": "polite" });
  live.hidden = true;
  el.append(svg, dotsLayer, live);
  let cur = item;
  const previews = new Map<string, number | null>();

  const dots = new KeyedList<EmotionPoint>(
    (p) => p.id,
    (p) => `${p.x}|${p.value}|${p.mot}|${p.name}|${cur.scale.min}|${cur.scale.max}`,
    (p) => makeDot(p),
    stats,
  );

  function makeDot(p: EmotionPoint): Component<EmotionPoint> {
    const dot = h("div", {
      class: "jw-dot",
      "data-id": p.id,
      "data-kind": "emotion",
      role: "slider",
      tabindex: ctx.editable ? 0 : -1,
      "aria-orientation": "vertical",
    });
    const face = h("span", { class: "jw-dot-face jw-i", "aria-hidden": "true" });
    dot.appendChild(face);
    if (ctx.editable) dot.addEventListener("pointerdown", (e) => ctx.startDrag(e, "emotion", p.id, dot));
    dot.addEventListener("click", () => ctx.select(p.id));
    const comp: Component<EmotionPoint> = {
      el: dot,
      update(q: EmotionPoint) {
        placeDot(dot, face, q, cur.scale);
      },
    };
    comp.update(p);
    return comp;
  }

  function placeDot(dot: HTMLElement, face: HTMLElement, p: EmotionPoint, sc: EmotionScale) {
    const v = previews.has(p.id) ? previews.get(p.id)! : p.value;
    const mid = (sc.min + sc.max) / 2;
    const y = emotionToY(v === null ? mid : v, sc);
    dot.style.left = `${p.x}%`;
    dot.style.top = `${y}%`;
    const tn = tone(v, sc);
    dot.setAttribute("data-tone", tn);
    toggleClass(dot, "jw-dot-mot", p.mot);
    dot.setAttribute("aria-valuemin", String(sc.min));
    dot.setAttribute("aria-valuemax", String(sc.max));
    if (v === null) dot.removeAttribute("aria-valuenow");
    else dot.setAttribute("aria-valuenow", String(v));
    const label = `Emotion at ${p.name}: ${emotionLabel(v, sc)}${p.mot ? " — moment of truth" : ""}`;
    dot.setAttribute("aria-valuetext", emotionLabel(v, sc));
    dot.setAttribute("aria-label", label);
    dot.setAttribute("title", label);
    const faceName = tn === "positive" ? "face-pos" : tn === "negative" ? "face-neg" : tn === "neutral" ? "face-neu" : "";
    if (face.getAttribute("data-i") !== faceName) face.setAttribute("data-i", faceName);
  }

  function showLive(p: EmotionPoint, v: number | null) {
    const sc = cur.scale;
    const y = emotionToY(v === null ? (sc.min + sc.max) / 2 : v, sc);
    const word = v === null ? "" : (sc.labels && sc.labels[String(Math.round(v))]) || "";
    setText(live, v === null ? "Not set" : word ? `${signedValue(v)} · ${word}` : signedValue(v));
    live.setAttribute("data-id", p.id);
    live.setAttribute("data-tone", tone(v, sc));
    live.style.left = `${p.x}%`;
    live.style.top = `${y}%`;
    toggleClass(live, "jw-live-below", y < 30);
    live.hidden = false;
  }

  function draw() {
    const sc = cur.scale;
    const mid = emotionToY((sc.min + sc.max) / 2, sc);
    bandPos.setAttribute("height", String(mid));
    bandNeg.setAttribute("y", String(mid));
    bandNeg.setAttribute("height", String(100 - mid));
    midLine(mid);
    const pts: { x: number; y: number }[] = [];
    const fb: { x: number; y: number }[] = [];
    for (const p of cur.points) {
      const v = previews.has(p.id) ? previews.get(p.id)! : p.value;
      if (v !== null && v !== undefined) pts.push({ x: p.x * 10, y: emotionToY(v, sc) });
      if (p.fb !== null && p.fb !== undefined) fb.push({ x: p.x * 10, y: emotionToY(p.fb, sc) });
    }
    path.setAttribute("d", curvePath(pts));
    fbPath.setAttribute("d", curvePath(fb));
    const topY = emotionToY(sc.max, sc);
    const botY = emotionToY(sc.min, sc);
    grad.setAttribute("y1", String(topY));
    grad.setAttribute("y2", String(botY));
  }

  function midLine(y: number) {
    mid.setAttribute("y1", String(y));
    mid.setAttribute("y2", String(y));
  }

  function update(it: EmotionItem) {
    const scaleChanged = it.scale !== cur.scale && JSON.stringify(it.scale) !== JSON.stringify(cur.scale);
    cur = it;
    el.style.gridRow = String(it.row);
    el.style.gridColumn = `2 / span ${Math.max(1, it.nStages)}`;
    toggleClass(el, "jw-dense", !!it.dense);
    if (scaleChanged) dots.invalidate();
    dots.sync(dotsLayer, it.points, false);
    draw();
  }
  update(item);
  return {
    el,
    update,
    preview(id: string, value: number | null) {
      previews.set(id, value);
      const comp = dots.get(id);
      const p = cur.points.find((q) => q.id === id);
      if (comp && p) placeDot(comp.el as HTMLElement, (comp.el as HTMLElement).firstChild as HTMLElement, p, cur.scale);
      if (p) showLive(p, value);
      draw();
    },
    points: () => cur.points,
    endPreview(id: string) {
      previews.delete(id);
      if (live.getAttribute("data-id") === id) live.hidden = true;
      const comp = dots.get(id);
      const p = cur.points.find((q) => q.id === id);
      if (comp && p) placeDot(comp.el as HTMLElement, (comp.el as HTMLElement).firstChild as HTMLElement, p, cur.scale);
      draw();
    },
    destroy() {
      previews.clear();
    },
  };
}

/** An SVG path through points (in a 0..1000 x 0..100 box), smoothed (Catmull-Rom). */
export function curvePath(points: { x: number; y: number }[]): string {
  if (points.length === 0) return "";
  const f = (n: number) => (Math.round(n * 100) / 100).toString();
  if (points.length === 1) return `M${f(points[0].x - 4)},${f(points[0].y)}L${f(points[0].x + 4)},${f(points[0].y)}`;
  let d = `M${f(points[0].x)},${f(points[0].y)}`;
  for (let i = 0; i < points.length - 1; i++) {
    const p0 = points[i - 1] || points[i];
    const p1 = points[i];
    const p2 = points[i + 1];
    const p3 = points[i + 2] || p2;
    const t = 1 / 6;
    const c1x = p1.x + (p2.x - p0.x) * t;
    let c1y = p1.y + (p2.y - p0.y) * t;
    const c2x = p2.x - (p3.x - p1.x) * t;
    let c2y = p2.y - (p3.y - p1.y) * t;
    // keep the curve inside the band of its two ends (no overshoot)
    const lo = Math.min(p1.y, p2.y);
    const hi = Math.max(p1.y, p2.y);
    c1y = Math.min(hi, Math.max(lo, c1y));
    c2y = Math.min(hi, Math.max(lo, c2y));
    d += `C${f(c1x)},${f(c1y)} ${f(c2x)},${f(c2y)} ${f(p2.x)},${f(p2.y)}`;
  }
  return d;
}

/** "+1", "−0.5", "0": an emotion value with its sign. */
export function signedValue(v: number): string {
  const t = Number.isInteger(v) ? String(Math.abs(v)) : String(Math.round(Math.abs(v) * 100) / 100);
  return v > 0 ? `+${t}` : v < 0 ? `−${t}` : "0";
}
