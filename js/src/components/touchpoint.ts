// A touchpoint card (touchpoints lane) and its figures block (metrics lane).
// Every figure is labelled (components/figures.ts). In compact mode (semantic
// zoom) the card shows only its chip: the emotion and the key figure.
import { h, setText, toggleClass } from "./dom";
import { emotionLabel, tone, type EmotionScale } from "../model/emotion";
import { icon } from "./icons";
import { channelLabel } from "../model/vocabulary";
import { abBlock, type ABItem, type ABSide } from "./ab";
import { commentBadge, grip, iconButton, lazyChrome, liveText, clampTitle, bodyDrag } from "./common";
import { chipFigure, metricText, NO_DATA, touchpointFigures, type Figure } from "./figures";
import { fmtGrouped } from "./format";
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
  /** What the data counts ("customers"). */
  unit: string;
  /** Data is bound: missing figures read "no data". */
  bound: boolean;
  /** Counts of the touchpoint's pain points / opportunities shown here (no lane of that kind on the map). */
  notes?: { pains: number; opps: number };
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
  const notes = h("div", { class: "jw-tp-notes-count" });
  // the compact chip (semantic zoom): emotion dot and key figure
  const chipFig = h("span", { class: "jw-chip-fig" });
  const chipName = h("span", { class: "jw-chip-name" });
  const chip = h("div", { class: "jw-tp-chip", "aria-hidden": "true" }, h("span", { class: "jw-chip-dot" }), chipName, chipFig);
  el.append(top, name.el, emo, metric, stats, notes, chip);
  if (ctx.editable) bodyDrag(ctx, el, "touchpoint", id);
  let ab: ReturnType<typeof abBlock> | null = null;
  let cur = item;
  let motBtn: HTMLElement | null = null;
  let badge: ReturnType<typeof commentBadge> | null = null;
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
    clampTitle(name.el, t.name || "", 60);
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
    const emoText = hasEmotion ? emotionLabel(t.emotion, it.scale) : "";
    setText(emo, emoText);
    emo.hidden = !hasEmotion;
    // the KPI: with its value when the data has it, never a bare label
    const mt = t.metric ? metricText(t.metric, it.m) : null;
    setText(metric, mt ? mt.text : "");
    metric.hidden = !mt;
    toggleClass(metric, "jw-no-data", !!mt && mt.value === null);
    if (mt) metric.setAttribute("title", `Metric of this touchpoint: ${mt.text}`);
    if ((it.comments && it.comments.total > 0) || chrome) ensureBadge();
    if (badge) badge.set(it.comments);
    // data figures: rebuilt only when their text changed
    const figs = touchpointFigures(it.m, it.fb, it.unit, it.bound);
    const shown = it.ab ? figs.filter((f) => f.key !== "customers" && f.key !== "share") : figs;
    // customers and their share read as one figure: "2,686 customers · 54 %" (never split at the dot)
    const cust = shown.find((f) => f.key === "customers");
    const share = shown.find((f) => f.key === "share");
    const line = shown
      .filter((f) => !(f === share && cust))
      .map((f) => (f === cust && share ? { ...f, text: `${f.text}\u00a0·\u00a0${share.text}`, title: `${f.title}: ${share.title}` } : f));
    syncFigures(stats, line, (f) => figureEl(f), (el, f) => fillFigure(el, f), ab?.el);
    if (it.ab && !ab) {
      ab = abBlock("jw-ab-tp");
      stats.prepend(ab.el);
    }
    if (ab) {
      ab.el.hidden = !it.ab;
      if (it.ab) ab.set(it.m as ABSide, it.ab.b, it.ab.labels);
      if (ab.el.parentElement !== stats) stats.prepend(ab.el);
    }
    stats.hidden = shown.length === 0 && !it.ab;
    toggleClass(stats, "jw-tp-stats-ab", !!it.ab);
    // pain points / opportunities counted here only when the map has no lane for them
    const nb: string[] = [];
    if (it.notes?.pains) nb.push(`${it.notes.pains} pain point${it.notes.pains === 1 ? "" : "s"}`);
    if (it.notes?.opps) nb.push(`${it.notes.opps} opportunit${it.notes.opps === 1 ? "y" : "ies"}`);
    setText(notes, nb.join(" · "));
    notes.hidden = nb.length === 0;
    // the chip
    const key = chipFigure(figs);
    setText(chipFig, key);
    setText(chipName, t.name || "");
    chip.setAttribute("data-tone", tn);
    const label = [`Touchpoint ${t.name || ""}`, emoText, ...figs.map((f) => f.text)].filter(Boolean).join(" · ");
    el.setAttribute("aria-label", label);
    if (chip.getAttribute("title") !== label) chip.setAttribute("title", label);
  }
  update(item);
  return { el, update, destroy: () => name.field?.destroy() };
}

/** One labelled figure: the words as text, what it is in the tooltip, the number in data-value. */
export function figureEl(f: Figure): HTMLElement {
  const el = h("span", { class: `jw-stat jw-fig jw-fig-${f.key}` });
  if (f.key === "none") el.classList.add("jw-no-data");
  fillFigure(el, f);
  return el;
}

function setAttr(el: Element, name: string, value: string | undefined): void {
  if (value === undefined) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/** Put a figure's words, tooltip and numbers on an element (touching only what changed). */
export function fillFigure(el: HTMLElement, f: Figure): void {
  setText(el, f.text);
  setAttr(el, "title", f.title);
  setAttr(el, "data-value", f.value === undefined ? undefined : String(f.value));
  setAttr(el, "data-short", f.short);
}

/**
 * Keep `box`'s children in line with `figs`, one element per figure key, in order:
 * a data refresh only changes texts (no elements made or dropped when the same
 * figures are there).
 */
export function syncFigures<T extends { key: string }>(
  box: HTMLElement,
  figs: T[],
  make: (f: T) => HTMLElement,
  fill: (el: HTMLElement, f: T) => void,
  skip?: Element | null,
): void {
  let node = box.firstElementChild;
  if (node && node === skip) node = node.nextElementSibling;
  for (const f of figs) {
    if (node && node.getAttribute("data-key") === f.key) {
      fill(node as HTMLElement, f);
      node = node.nextElementSibling;
    } else {
      const el = make(f);
      el.setAttribute("data-key", f.key);
      box.insertBefore(el, node);
    }
  }
  while (node) {
    const next = node.nextElementSibling;
    if (node !== skip) node.remove();
    node = next;
  }
}

// ---------------------------------------------------------------- metric block

export interface MetricItem {
  tp: { id: string; name: string; metric?: string };
  m?: TouchpointMetrics;
  fb?: FeedbackMetrics;
  ab?: ABItem;
  unit: string;
  bound: boolean;
}

/** Row labels of the metrics lane, by figure key. */
const ROW_LABELS: Record<string, string> = {
  share: "Share of all",
  time: "Median to next",
  feedback: "Feedback",
  none: "Figures",
};

export function metricBlock(ctx: Ctx, item: MetricItem): Component<MetricItem> {
  const el = h("div", { class: "jw-mblock", "data-id": item.tp.id, "data-kind": "touchpoint-metric" });
  el.addEventListener("click", () => ctx.select(cur.tp.id));
  let cur = item;
  const name = h("div", { class: "jw-mname", "data-i": "target" });
  const rows = h("div", { class: "jw-mrows" });
  // the strip the metric overlay draws in (charts on the map)
  const strip = h("div", { class: "jw-mstrip", "aria-hidden": "true" });
  el.append(name, rows, strip);
  let ab: ReturnType<typeof abBlock> | null = null;
  function update(it: MetricItem) {
    cur = it;
    const mt = it.tp.metric ? metricText(it.tp.metric, it.m) : null;
    setText(name, mt ? mt.text : "");
    name.hidden = !mt;
    if (mt) name.setAttribute("title", `Metric of this touchpoint: ${mt.text}`);
    toggleClass(name, "jw-no-data", !!mt && mt.value === null);
    const figs = touchpointFigures(it.m, it.fb, it.unit, it.bound).filter((f) => !(it.ab && (f.key === "customers" || f.key === "share")));
    // one element per row: the label is drawn by CSS from data-k (our words), the value is text
    const n = it.fb && typeof it.fb.n === "number" ? it.fb.n : null;
    const labelled = figs.map((f) => ({
      ...f,
      label:
        f.key === "customers"
          ? it.unit.charAt(0).toUpperCase() + it.unit.slice(1)
          : f.key === "feedback" && n !== null
            ? `Feedback (n=${fmtGrouped(n)})`
            : ROW_LABELS[f.key] || f.key,
      shown: f.key === "customers" ? figValue(f) : f.key === "time" ? f.text.replace(/ to next$/, "") : f.text,
    }));
    syncFigures(
      rows,
      labelled,
      (f) => {
        const row = h("div", { class: `jw-mrow jw-fig-${f.key}`, "data-i": f.icon || "metrics" });
        if (f.key === "none") row.classList.add("jw-no-data");
        fillRow(row, f);
        return row;
      },
      fillRow,
    );
    if (it.ab && !ab) {
      ab = abBlock("jw-ab-metric");
      rows.before(ab.el);
    }
    if (ab) {
      ab.el.hidden = !it.ab;
      if (it.ab) ab.set(it.m as ABSide, it.ab.b, it.ab.labels);
    }
    toggleClass(el, "jw-mempty", !mt && figs.length === 0 && !it.ab);
    el.setAttribute("aria-label", `Figures of ${it.tp.name || "touchpoint"}: ${[mt?.text, ...figs.map((f) => f.text)].filter(Boolean).join(", ") || NO_DATA}`);
  }
  update(item);
  return { el, update };
}

function fillRow(row: HTMLElement, f: Figure & { label: string; shown: string }): void {
  setText(row, f.shown);
  setAttr(row, "data-k", f.label);
  setAttr(row, "title", f.title);
  setAttr(row, "aria-label", `${f.label}: ${f.shown}`);
  setAttr(row, "data-value", f.value === undefined ? undefined : String(f.value));
  setAttr(row, "data-short", f.short);
}

function figValue(f: Figure): string {
  return typeof f.value === "number" ? f.text.split(" ")[0] : f.text;
}
