// The grid's headers: a stage (column) with its band of figures, a lane (row) with
// its axis, colour, icon and collapse toggle.
//
// A stage header is two parts:
//   .jw-stage-head  number, name, customer goal; sticky to the left edge of the
//                   visible map, so the name stays on screen while any part of
//                   the stage's column is
//   .jw-stage-band  the stage's band of figures: .jw-band-chart (where the funnel
//                   overlay draws, aligned with the column) and .jw-funnel (the
//                   labelled figures). Other figures go into the band too.
import { h, setText, toggleClass } from "./dom";
import { emotionToY, tone, type EmotionScale } from "../model/emotion";
import { icon } from "./icons";
import { laneColorHex, laneIcon, laneTitle } from "../model/vocabulary";
import { abBlock, type ABItem, type ABSide } from "./ab";
import { clampTitle, commentBadge, grip, iconButton, liveText } from "./common";
import { countOf, stageFigures } from "./figures";
import { figureEl } from "./touchpoint";
import type { Component } from "./reconcile";
import type { Ctx } from "./ctx";
import type { Lane, Stage, StageMetrics } from "../model/types";

export interface StageItem {
  stage: Stage;
  index: number;
  column: number;
  comments?: { open: number; total: number };
  m?: StageMetrics;
  maxCustomers: number;
  ab?: ABItem;
  unit: string;
  bound: boolean;
  /** " — ordered funnel · sessions · 7-day window": what the numbers count, for tooltips. */
  definition?: string;
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
  const head = h("div", { class: "jw-stage-head" }, top, name.el, goal.el);
  const band = h("div", { class: "jw-stage-band", "data-stage": id }, h("div", { class: "jw-band-chart", "aria-hidden": "true" }), funnel);
  el.append(head, band);
  function update(it: StageItem) {
    const st = it.stage;
    el.style.gridColumn = String(it.column);
    setText(num, String(it.index + 1).padStart(2, "0"));
    toggleClass(el, "jw-stage-even", it.index % 2 === 1);
    name.set(st.name || "");
    clampTitle(name.el, st.name || "", 28);
    goal.set(st.customer_goal || "");
    clampTitle(goal.el, st.customer_goal || "", 90);
    if (!ctx.editable) goal.el.hidden = !st.customer_goal;
    flag.hidden = !st.milestone;
    toggleClass(el, "jw-is-milestone", !!st.milestone);
    toggleClass(el, "jw-stage-nodata", !!(it.bound && it.m && it.m.no_data === true));
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
    } else {
      const figs = stageFigures(m, it.unit, it.bound, it.definition || "");
      const n = m && m.no_data !== true ? countOf(m) : undefined;
      if (n !== undefined) {
        const frac = it.maxCustomers > 0 ? n / it.maxCustomers : 0;
        const bar = h("div", { class: "jw-funnel-bar", title: `${figs[0].text}: ${Math.round(frac * 100)} % of the busiest stage` });
        const fill = h("div", { class: "jw-funnel-fill" });
        fill.style.width = `${Math.max(2, Math.min(100, frac * 100)).toFixed(1)}%`;
        bar.appendChild(fill);
        funnel.appendChild(bar);
      }
      if (figs.length) {
        const text = h("div", { class: "jw-funnel-text" }, ...figs.map(figureEl));
        text.querySelector(".jw-fig-dropoff")?.classList.add("jw-drop");
        text.querySelector(".jw-fig-conformance")?.classList.add("jw-conf");
        funnel.appendChild(text);
      }
    }
    funnel.hidden = funnel.childNodes.length === 0;
    band.hidden = funnel.hidden;
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
  collapsed: boolean;
  /** What the lane holds, for the collapsed lane's summary ("12 cards"). */
  summary: string;
}

/** What a lane header asks of the view beyond Ctx: collapsing it (a view setting, not an edit). */
export interface LaneHost {
  toggleLane(id: string): void;
}

export function laneHeader(ctx: Ctx & LaneHost, item: LaneItem): Component<LaneItem> {
  const id = item.lane.id;
  const el = h("div", { class: "jw-lane jw-item", "data-id": id, "data-kind": "lane", tabindex: 0 });
  const ic = h("span", { class: "jw-lane-icon" });
  const head = h("div", { class: "jw-lane-head" });
  if (ctx.editable) head.appendChild(grip(ctx, "lane", id, el));
  head.appendChild(ic);
  const title = liveText(ctx, "div", "jw-lane-title", id, "title", item.lane.title || "", {
    placeholder: laneTitle(item.lane.kind) || "Lane title",
    label: "Lane title",
  });
  head.appendChild(title.el);
  const fold = iconButton("down", "Collapse lane", "jw-fold", () => ctx.toggleLane(id));
  const tools = h("div", { class: "jw-lane-tools" });
  const badge = commentBadge(ctx, id);
  tools.append(fold, badge.el);
  if (ctx.editable) tools.appendChild(iconButton("close", "Delete lane", "jw-del", () => ctx.remove(id)));
  const summary = h("div", { class: "jw-lane-summary" });
  const axis = h("div", { class: "jw-axis" });
  el.append(head, tools, summary, axis);
  let kind = "";
  let shownIcon = "";
  function update(it: LaneItem) {
    el.style.gridRow = String(it.row);
    // read-only: an untitled lane shows its kind's title (editable: as the placeholder)
    title.set(it.lane.title || (ctx.editable ? "" : laneTitle(it.lane.kind)));
    if (kind !== it.lane.kind) {
      kind = it.lane.kind;
      el.setAttribute("data-lane-kind", kind);
    }
    const ico = laneIcon(it.lane);
    if (ico !== shownIcon) {
      shownIcon = ico;
      ic.textContent = "";
      ic.appendChild(icon(ico));
    }
    // a palette colour: the hex comes from the vocabulary, looked up by name
    const hex = laneColorHex(it.lane.color);
    if (hex) el.style.setProperty("--jw-lane-color", hex);
    else el.style.removeProperty("--jw-lane-color");
    el.setAttribute("data-color", hex ? String(it.lane.color) : "");
    toggleClass(el, "jw-lane-collapsed", it.collapsed);
    const lt = it.lane.title || laneTitle(kind) || kind;
    fold.setAttribute("aria-expanded", String(!it.collapsed));
    fold.setAttribute("aria-label", `${it.collapsed ? "Expand" : "Collapse"} lane ${lt}`);
    fold.setAttribute("title", it.collapsed ? "Expand lane" : "Collapse lane");
    setText(summary, it.collapsed ? it.summary : "");
    summary.hidden = !it.collapsed;
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
    axis.hidden = kind !== "emotions" || it.collapsed;
    el.setAttribute("aria-label", `Lane ${it.lane.title || laneTitle(kind) || kind}`);
  }
  update(item);
  return { el, update, destroy: () => title.field?.destroy() };
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${Math.abs(n)}` : "0";
}
