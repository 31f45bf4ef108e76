// A touchpoint card (touchpoints lane) and its figures block (metrics lane).
import { h, setText, toggleClass } from "./dom";
import { emotionLabel, tone, type EmotionScale } from "../model/emotion";
import { fmtDuration, fmtInt, fmtNum, fmtPct } from "./format";
import { icon } from "./icons";
import { channelLabel } from "../model/vocabulary";
import { abBlock, type ABItem, type ABSide } from "./ab";
import { commentBadge, grip, iconButton, lazyChrome, liveText } from "./common";
import type { Component } from "./reconcile";
import type { Ctx } from "./ctx";
import type { FeedbackMetrics, Touchpoint, TouchpointMetrics } from "../model/types";

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
    const values = figureTexts(m, fb);
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
    const values = figureTexts(m, fb);
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

/** A touchpoint's figures as text (null when unknown): customers, share, median time to next, score. */
function figureTexts(m: TouchpointMetrics, fb: FeedbackMetrics): (string | null)[] {
  return [
    typeof m.customers === "number" ? fmtInt(m.customers) : null,
    typeof m.share === "number" ? fmtPct(m.share) : null,
    typeof m.median_next_s === "number" ? fmtDuration(m.median_next_s) : null,
    typeof fb.score === "number" ? fmtNum(fb.score) : null,
  ];
}
