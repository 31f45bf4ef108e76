// The grid's headers: a stage (column) with its funnel figures, a lane (row) with its axis.
import { h, setText, toggleClass } from "./dom";
import { emotionToY, tone, type EmotionScale } from "../model/emotion";
import { fmtInt, fmtPct } from "./format";
import { icon } from "./icons";
import { laneTitle } from "../model/vocabulary";
import { abBlock, type ABItem, type ABSide } from "./ab";
import { commentBadge, grip, iconButton, liveText } from "./common";
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
  const title = liveText(ctx, "div", "jw-lane-title", id, "title", item.lane.title || "", { placeholder: "Lane title", label: "Lane title" });
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
    el.setAttribute("aria-label", `Lane ${it.lane.title || laneTitle(kind) || kind}`);
  }
  update(item);
  return { el, update, destroy: () => title.field?.destroy() };
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${Math.abs(n)}` : "0";
}
