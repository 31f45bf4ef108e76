// The pieces of the map. Each is created once per item id and patched in
// place when its signature changes (see reconcile.ts).
import { h, s, setText, toggleClass } from "./dom";
import { LiveField } from "./editable";
import { emotionLabel, emotionToY, tone } from "./emotion";
import { fmtDuration, fmtInt, fmtNum, fmtPct } from "./format";
import { channelLabel, icon } from "./icons";
import { curvePath } from "./layout";
import { abBlock, type ABSide } from "./data";
import { KeyedList, type Component, type ReconcileStats } from "./reconcile";
import type { Ctx, DragKind } from "./ctx";
import type {
  Card,
  EmotionScale,
  FeedbackMetrics,
  Lane,
  Stage,
  StageMetrics,
  Touchpoint,
  TouchpointMetrics,
} from "./types";

export const LANE_LABELS: Record<string, string> = {
  actions: "Customer actions",
  thoughts: "Thoughts",
  needs: "Needs",
  emotions: "Emotions",
  touchpoints: "Touchpoints",
  pain_points: "Pain points",
  opportunities: "Opportunities",
  backstage: "Backstage",
  metrics: "Metrics",
  text: "Notes",
};

/** An inline-editable text bound to one field of one item. */
export function liveText(
  ctx: Ctx,
  tag: "div" | "span" | "h2" | "p",
  cls: string,
  id: string,
  field: string,
  value: string,
  opts: { multiline?: boolean; placeholder?: string; label?: string; required?: boolean } = {},
): { el: HTMLElement; field: LiveField | null; set(v: string): void } {
  const el = h(tag, { class: cls, "data-field": field });
  if (!ctx.editable) {
    el.textContent = value;
    return { el, field: null, set: (v: string) => setText(el, v) };
  }
  const lf = new LiveField(el, {
    multiline: opts.multiline,
    placeholder: opts.placeholder,
    label: opts.label,
    commit: (v) => ctx.update(id, { [field]: opts.multiline ? v : v.trim() }),
  });
  lf.set(value);
  return { el, field: lf, set: (v: string) => lf.set(v) };
}

function iconButton(name: string, label: string, cls: string, onClick: (e: MouseEvent) => void): HTMLButtonElement {
  const b = h("button", { type: "button", class: `jw-ibtn ${cls}`, title: label, "aria-label": label }, icon(name));
  b.addEventListener("click", (e) => {
    e.stopPropagation();
    onClick(e);
  });
  return b;
}

function grip(ctx: Ctx, kind: DragKind, id: string, item: HTMLElement): HTMLElement {
  // dots drawn by CSS: no icon element
  const g = h("span", { class: "jw-grip", title: "Drag to move (or Alt+arrow keys)", "aria-hidden": "true" });
  g.addEventListener("pointerdown", (e) => ctx.startDrag(e, kind, id, item));
  return g;
}

// Edit affordances of the many small items (grip, delete, toggles) are built on
// first hover or focus: a 500-touchpoint map stays light.
const chromeBuilders = new WeakMap<Element, () => void>();

function lazyChrome(el: Element, build: () => void): void {
  chromeBuilders.set(el, build);
}

/** Build the edit affordances of the item containing `target`, if not yet built. */
export function buildChrome(target: EventTarget | null): void {
  const start = target as Element | null;
  if (!start || typeof start.closest !== "function") return;
  const item = start.closest(".jw-item");
  if (!item) return;
  const build = chromeBuilders.get(item);
  if (build) {
    chromeBuilders.delete(item);
    build();
  }
}

/** The comments badge: open / total counts; opens the comments of the item. */
function commentBadge(ctx: Ctx, id: string): { el: HTMLButtonElement; set(c?: { open: number; total: number }): void } {
  const count = h("span", { class: "jw-count" });
  const el = h("button", { type: "button", class: "jw-cbadge" }, icon("comment"), count);
  el.addEventListener("click", (e) => {
    e.stopPropagation();
    ctx.openComments(id);
  });
  return {
    el,
    set(c) {
      const total = c ? c.total : 0;
      const open = c ? c.open : 0;
      el.hidden = total === 0 && !ctx.editable;
      toggleClass(el, "jw-cbadge-empty", total === 0);
      toggleClass(el, "jw-cbadge-resolved", total > 0 && open === 0);
      setText(count, total === 0 ? "" : open > 0 ? String(open) : "✓");
      const label = total === 0 ? "Add a comment" : `${open} open comment${open === 1 ? "" : "s"}, ${total} in all`;
      el.setAttribute("title", label);
      el.setAttribute("aria-label", label);
    },
  };
}

// ---------------------------------------------------------------- touchpoint

/** A/B mode: segment B's figures beside the current segment's (A); labels name both. */
export interface ABItem {
  b?: ABSide & { p?: number | null; conversion?: number | null };
  labels: [string, string];
}

export interface TouchpointItem {
  tp: Touchpoint;
  comments?: { open: number; total: number };
  m?: TouchpointMetrics;
  fb?: FeedbackMetrics;
  scale: EmotionScale;
  ab?: ABItem;
}

export function touchpointCard(ctx: Ctx, item: TouchpointItem): Component<TouchpointItem> {
  const { tp } = item;
  const id = tp.id;
  const el = h("div", { class: "jw-tp jw-item", "data-id": id, "data-kind": "touchpoint", tabindex: 0 });
  const chIcon = h("span", { class: "jw-channel-icon" });
  const chLabel = h("span", { class: "jw-channel-label" });
  const channel = h("span", { class: "jw-channel" }, chIcon, chLabel);
  const spacer = h("span", { class: "jw-spacer" });
  const top = h("div", { class: "jw-tp-top" }, channel, spacer);
  const name = liveText(ctx, "div", "jw-tp-name", id, "name", tp.name, { placeholder: "Touchpoint name", label: "Touchpoint name" });
  const emo = h("div", { class: "jw-tp-emotion" });
  const metric = h("div", { class: "jw-tp-metric" });
  const stats = h("div", { class: "jw-tp-stats" });
  el.append(top, name.el, emo, metric, stats);
  let ab: ReturnType<typeof abBlock> | null = null;
  let cur = item;
  let motBtn: HTMLElement | null = null;
  let badge: ReturnType<typeof commentBadge> | null = null;
  let statEls: HTMLElement[] | null = null;
  let chrome = false;

  const ensureMot = () => {
    if (motBtn) return;
    motBtn = ctx.editable
      ? iconButton("star", "Moment of truth", "jw-mot-btn", () => void ctx.update(id, { moment_of_truth: !cur.tp.moment_of_truth }))
      : h("span", { class: "jw-ibtn jw-mot-btn", title: "Moment of truth" }, icon("star"));
    spacer.after(motBtn);
  };
  const ensureBadge = () => {
    if (badge) return;
    badge = commentBadge(ctx, id);
    top.appendChild(badge.el);
  };
  if (ctx.editable) {
    lazyChrome(el, () => {
      chrome = true;
      el.prepend(
        grip(ctx, "touchpoint", id, el),
        h("div", { class: "jw-tools" }, iconButton("close", "Delete touchpoint", "jw-del", () => ctx.remove(id))),
      );
      ensureMot();
      ensureBadge();
      update(cur);
    });
  }

  function update(it: TouchpointItem) {
    cur = it;
    const t = it.tp;
    name.set(t.name || "");
    const ch = t.channel || "";
    if (chIcon.getAttribute("data-ch") !== ch || !chIcon.firstChild) {
      chIcon.setAttribute("data-ch", ch);
      chIcon.textContent = "";
      chIcon.appendChild(icon(ch || "custom"));
    }
    setText(chLabel, channelLabel(t.channel));
    toggleClass(channel, "jw-channel-unset", !t.channel);
    const mot = !!t.moment_of_truth;
    toggleClass(el, "jw-mot", mot);
    if (mot || chrome) ensureMot();
    if (motBtn) {
      motBtn.setAttribute("aria-pressed", String(mot));
      motBtn.setAttribute("title", mot ? "Moment of truth (click to unmark)" : "Mark as moment of truth");
      const star = motBtn.firstChild as HTMLElement;
      star.setAttribute("data-i", mot ? "star-fill" : "star");
      if (!ctx.editable) motBtn.hidden = !mot;
    }
    const tn = tone(t.emotion, it.scale);
    el.setAttribute("data-tone", tn);
    const hasEmotion = t.emotion !== null && t.emotion !== undefined;
    setText(emo, hasEmotion ? emotionLabel(t.emotion, it.scale) : "");
    emo.hidden = !hasEmotion;
    setText(metric, t.metric ? t.metric : "");
    metric.hidden = !t.metric;
    if (t.metric) metric.setAttribute("title", `Metric: ${t.metric}`);
    if ((it.comments && it.comments.total > 0) || chrome) ensureBadge();
    if (badge) badge.set(it.comments);
    // data badges: built once, then only their text changes
    const m = it.m || {};
    const fb = it.fb || {};
    const values: (string | null)[] = [
      typeof m.customers === "number" ? fmtInt(m.customers) : null,
      typeof m.share === "number" ? fmtPct(m.share) : null,
      typeof m.median_next_s === "number" ? fmtDuration(m.median_next_s) : null,
      typeof fb.score === "number" ? fmtNum(fb.score) : null,
    ];
    if (!statEls && values.some((v) => v !== null)) {
      statEls = [
        stat("people", "Customers who reached this touchpoint"),
        stat(null, "Share of customers"),
        stat("clock", "Median time to the next step"),
        stat("star", "Feedback score"),
      ];
      stats.append(...statEls);
    }
    if (statEls) {
      values.forEach((v, i) => {
        const s2 = statEls![i];
        setText(s2.lastChild as HTMLElement, v ?? "");
        // A/B mode: customers and share show in the A/B block instead
        s2.hidden = v === null || (!!it.ab && i < 2);
      });
      if (typeof fb.n === "number") statEls[3].setAttribute("title", `Feedback score (n=${fb.n})`);
    }
    if (it.ab && !ab) {
      ab = abBlock("jw-ab-tp");
      stats.prepend(ab.el);
    }
    if (ab) {
      ab.el.hidden = !it.ab;
      if (it.ab) ab.set(m as ABSide, it.ab.b, it.ab.labels);
    }
    stats.hidden = values.every((v) => v === null) && !it.ab;
    toggleClass(stats, "jw-tp-stats-ab", !!it.ab);
    el.setAttribute("aria-label", `Touchpoint ${t.name || ""}`);
  }
  update(item);
  return { el, update, destroy: () => name.field?.destroy() };
}

function stat(iconName: string | null, title: string): HTMLElement {
  // the icon is drawn by CSS (::before) from data-i; the value is the only child
  return h("span", { class: "jw-stat", title, "data-i": iconName }, h("span", null));
}

// ---------------------------------------------------------------- metric block

export interface MetricItem {
  tp: { id: string; name: string; metric?: string };
  m?: TouchpointMetrics;
  fb?: FeedbackMetrics;
  ab?: ABItem;
}

export function metricBlock(ctx: Ctx, item: MetricItem): Component<MetricItem> {
  const el = h("div", { class: "jw-mblock", "data-id": item.tp.id, "data-kind": "touchpoint-metric" });
  el.addEventListener("click", () => ctx.select(cur.tp.id));
  let cur = item;
  let name: HTMLElement | null = null;
  // one element per row: the label is drawn by CSS from data-k (our words), the value is text
  const keys = ["Customers", "Share", "Median to next", "Score"];
  const icons = ["people", "metrics", "clock", "star"];
  let rows: HTMLElement[] | null = null;
  let ab: ReturnType<typeof abBlock> | null = null;
  function update(it: MetricItem) {
    cur = it;
    const m = it.m || {};
    const fb = it.fb || {};
    if (it.tp.metric && !name) {
      name = h("div", { class: "jw-mname", title: "Metric", "data-i": "target" });
      el.prepend(name);
    }
    if (name) {
      setText(name, it.tp.metric || "");
      name.hidden = !it.tp.metric;
    }
    const values: (string | null)[] = [
      typeof m.customers === "number" ? fmtInt(m.customers) : null,
      typeof m.share === "number" ? fmtPct(m.share) : null,
      typeof m.median_next_s === "number" ? fmtDuration(m.median_next_s) : null,
      typeof fb.score === "number" ? fmtNum(fb.score) : null,
    ];
    if (!rows && values.some((v) => v !== null)) {
      rows = keys.map((k, i) => h("div", { class: "jw-mrow", "data-k": k, "data-i": icons[i] }));
      el.append(...rows);
    }
    if (rows) {
      values.forEach((v, i) => {
        setText(rows![i], v ?? "");
        rows![i].hidden = v === null;
      });
      rows[3].setAttribute("data-k", typeof fb.n === "number" ? `Score (n=${fmtInt(fb.n)})` : "Score");
      if (it.ab) rows[0].hidden = rows[1].hidden = true;
    }
    if (it.ab && !ab) {
      ab = abBlock("jw-ab-metric");
      if (name) name.after(ab.el);
      else el.prepend(ab.el);
    }
    if (ab) {
      ab.el.hidden = !it.ab;
      if (it.ab) ab.set(m as ABSide, it.ab.b, it.ab.labels);
    }
    toggleClass(el, "jw-mempty", !it.tp.metric && values.every((v) => v === null) && !it.ab);
  }
  update(item);
  return { el, update };
}

// ---------------------------------------------------------------- card

export interface CardItem {
  card: Card;
  kind: string;
  comments?: { open: number; total: number };
}

export function cardItem(ctx: Ctx, item: CardItem): Component<CardItem> {
  const id = item.card.id;
  const el = h("div", { class: "jw-card jw-item", "data-id": id, "data-kind": "card", tabindex: 0 });
  const bar = h("div", { class: "jw-card-bar" });
  let badge: ReturnType<typeof commentBadge> | null = null;
  let chrome = false;
  const ensureBadge = () => {
    if (badge) return;
    badge = commentBadge(ctx, id);
    bar.prepend(badge.el);
  };
  const text = liveText(ctx, "div", "jw-card-text", id, "text", item.card.text, {
    multiline: true,
    placeholder: "Write something…",
    label: "Card text",
  });
  el.append(bar, text.el);
  let cur = item;
  if (ctx.editable) {
    lazyChrome(el, () => {
      chrome = true;
      el.prepend(grip(ctx, "card", id, el));
      ensureBadge();
      bar.appendChild(iconButton("close", "Delete card", "jw-del", () => ctx.remove(id)));
      update(cur);
    });
  }
  function update(it: CardItem) {
    cur = it;
    text.set(it.card.text || "");
    if ((it.comments && it.comments.total > 0) || chrome) ensureBadge();
    if (badge) badge.set(it.comments);
    el.setAttribute("data-lane-kind", it.kind);
  }
  update(item);
  return { el, update, destroy: () => text.field?.destroy() };
}

// ---------------------------------------------------------------- stage header

export interface StageItem {
  stage: Stage;
  index: number;
  column: number;
  comments?: { open: number; total: number };
  m?: StageMetrics;
  maxCustomers: number;
  ab?: ABItem;
}

export function stageHeader(ctx: Ctx, item: StageItem): Component<StageItem> {
  const id = item.stage.id;
  const el = h("div", { class: "jw-stage jw-item", "data-id": id, "data-kind": "stage", "data-stage": id, tabindex: 0 });
  const num = h("span", { class: "jw-stage-num" });
  const top = h("div", { class: "jw-stage-top" });
  if (ctx.editable) top.appendChild(grip(ctx, "stage", id, el));
  const flag = h("span", { class: "jw-milestone", title: "Milestone" }, icon("flag"));
  top.append(num, flag, h("span", { class: "jw-spacer" }));
  const badge = commentBadge(ctx, id);
  top.appendChild(badge.el);
  if (ctx.editable) {
    top.appendChild(iconButton("plus", "Add a touchpoint to this stage", "jw-add-tp", () => ctx.addTouchpoint(id)));
    top.appendChild(iconButton("close", "Delete stage", "jw-del", () => ctx.remove(id)));
  }
  const name = liveText(ctx, "div", "jw-stage-name", id, "name", item.stage.name, { placeholder: "Stage name", label: "Stage name" });
  const goal = liveText(ctx, "div", "jw-stage-goal", id, "customer_goal", item.stage.customer_goal || "", {
    placeholder: "Customer goal…",
    label: "Customer goal",
    multiline: true,
  });
  const funnel = h("div", { class: "jw-funnel" });
  el.append(top, name.el, goal.el, funnel);
  function update(it: StageItem) {
    const st = it.stage;
    el.style.gridColumn = String(it.column);
    setText(num, String(it.index + 1).padStart(2, "0"));
    toggleClass(el, "jw-stage-even", it.index % 2 === 1);
    name.set(st.name || "");
    goal.set(st.customer_goal || "");
    if (!ctx.editable) goal.el.hidden = !st.customer_goal;
    flag.hidden = !st.milestone;
    toggleClass(el, "jw-is-milestone", !!st.milestone);
    badge.set(it.comments);
    funnel.textContent = "";
    const m = it.m;
    toggleClass(funnel, "jw-funnel-ab", !!it.ab);
    if (it.ab) {
      // A/B: one bar per segment (share of that segment's customers reaching the stage)
      const b = it.ab.b;
      const bars = h("div", { class: "jw-ab-bars" });
      for (const [side, v] of [
        ["a", m && typeof m.share === "number" ? m.share : null],
        ["b", b && typeof b.share === "number" ? b.share : null],
      ] as [string, number | null][]) {
        const bar = h("div", { class: `jw-funnel-bar jw-ab-barrow jw-ab-bar-${side}` });
        const fill = h("div", { class: "jw-funnel-fill" });
        fill.style.width = `${v === null ? 0 : Math.max(2, Math.min(100, v * 100)).toFixed(1)}%`;
        bar.appendChild(fill);
        bars.appendChild(bar);
      }
      const block = abBlock("jw-ab-stage");
      block.set(m as ABSide, b, it.ab.labels, b ? b.p : null);
      funnel.append(bars, block.el);
    } else if (m && typeof m.customers === "number") {
      const frac = it.maxCustomers > 0 ? m.customers / it.maxCustomers : 0;
      const bar = h("div", { class: "jw-funnel-bar" });
      const fill = h("div", { class: "jw-funnel-fill" });
      fill.style.width = `${Math.max(2, Math.min(100, frac * 100)).toFixed(1)}%`;
      bar.appendChild(fill);
      const parts: HTMLElement[] = [h("span", { class: "jw-stat", title: "Customers in this stage", "data-i": "people" }, fmtInt(m.customers))];
      if (typeof m.conversion === "number")
        parts.push(h("span", { class: "jw-stat", title: "Conversion from the previous stage" }, `${fmtPct(m.conversion)} conv.`));
      if (typeof m.dropoff === "number" && m.dropoff > 0)
        parts.push(
          h(
            "span",
            { class: "jw-stat jw-drop", title: "Customers lost after this stage" },
            `−${fmtInt(m.dropoff)}${typeof m.dropoff_rate === "number" ? ` (${fmtPct(m.dropoff_rate)})` : ""}`,
          ),
        );
      funnel.append(bar, h("div", { class: "jw-funnel-text" }, ...parts));
    }
    funnel.hidden = funnel.childNodes.length === 0;
    el.setAttribute("aria-label", `Stage ${it.index + 1}: ${st.name || ""}`);
  }
  update(item);
  return {
    el,
    update,
    destroy: () => {
      name.field?.destroy();
      goal.field?.destroy();
    },
  };
}

// ---------------------------------------------------------------- lane header

export interface LaneItem {
  lane: Lane;
  row: number;
  comments?: { open: number; total: number };
  scale: EmotionScale;
}

export function laneHeader(ctx: Ctx, item: LaneItem): Component<LaneItem> {
  const id = item.lane.id;
  const el = h("div", { class: "jw-lane jw-item", "data-id": id, "data-kind": "lane", tabindex: 0 });
  const ic = h("span", { class: "jw-lane-icon" });
  const head = h("div", { class: "jw-lane-head" });
  if (ctx.editable) head.appendChild(grip(ctx, "lane", id, el));
  head.appendChild(ic);
  const title = liveText(ctx, "div", "jw-lane-title", id, "title", item.lane.title, { placeholder: "Lane title", label: "Lane title" });
  head.appendChild(title.el);
  const tools = h("div", { class: "jw-lane-tools" });
  const badge = commentBadge(ctx, id);
  tools.appendChild(badge.el);
  if (ctx.editable) tools.appendChild(iconButton("close", "Delete lane", "jw-del", () => ctx.remove(id)));
  const axis = h("div", { class: "jw-axis" });
  el.append(head, tools, axis);
  let kind = "";
  function update(it: LaneItem) {
    el.style.gridRow = String(it.row);
    title.set(it.lane.title || "");
    if (kind !== it.lane.kind) {
      kind = it.lane.kind;
      ic.textContent = "";
      ic.appendChild(icon(kind));
      el.setAttribute("data-lane-kind", kind);
    }
    badge.set(it.comments);
    axis.textContent = "";
    if (kind === "emotions") {
      const sc = it.scale;
      for (let v = Math.ceil(sc.min); v <= sc.max; v++) {
        const text = sc.labels[String(v)] || "";
        const label = h("span", { class: `jw-axis-label jw-axis-${tone(v, sc)}`, title: text }, signed(v));
        label.style.top = `${emotionToY(v, sc)}%`;
        axis.appendChild(label);
      }
    }
    axis.hidden = kind !== "emotions";
    el.setAttribute("aria-label", `Lane ${it.lane.title || LANE_LABELS[kind] || kind}`);
  }
  update(item);
  return { el, update, destroy: () => title.field?.destroy() };
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${Math.abs(n)}` : "0";
}

// ---------------------------------------------------------------- emotion curve

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
  el.append(svg, dotsLayer);
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
      draw();
    },
    points: () => cur.points,
    endPreview(id: string) {
      previews.delete(id);
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
