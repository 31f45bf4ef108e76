// The header's personas and goals / KPIs (the title and description are live texts of the view).
import { h, setText, toggleClass } from "./dom";
import { initials, hue, fmtNum } from "./format";
import { icon } from "./icons";
import type { Component } from "./reconcile";
import { liveText } from "./common";
import type { Ctx } from "./ctx";
import type { Goal, Persona } from "../model/types";

export interface PersonaItem {
  p: Persona;
  comments?: { open: number; total: number };
}

export function personaCard(ctx: Ctx, item: PersonaItem): Component<PersonaItem> {
  const id = item.p.id;
  const el = h("div", { class: "jw-persona jw-item", "data-id": id, "data-kind": "persona", tabindex: 0 });
  const avatar = h("div", { class: "jw-avatar", "aria-hidden": "true" });
  const name = liveText(ctx, "div", "jw-persona-name", id, "name", item.p.name, { placeholder: "Persona name", label: "Persona name" });
  const desc = liveText(ctx, "div", "jw-persona-desc", id, "description", item.p.description || "", {
    multiline: true,
    placeholder: "Who they are…",
    label: "Persona description",
  });
  const quote = liveText(ctx, "div", "jw-quote", id, "quote", item.p.quote || "", {
    multiline: true,
    placeholder: "A quote in their words…",
    label: "Persona quote",
  });
  const goalsHead = h("div", { class: "jw-mini-head" }, "Goals");
  const goals = h("ul", { class: "jw-persona-goals" });
  const attrs = h("div", { class: "jw-persona-attrs" });
  const tools = h("div", { class: "jw-item-tools" });
  if (ctx.editable) {
    const del = h("button", { type: "button", class: "jw-ibtn jw-del", title: "Delete persona", "aria-label": "Delete persona" }, icon("close"));
    del.addEventListener("click", (e) => {
      e.stopPropagation();
      ctx.remove(id);
    });
    tools.appendChild(del);
  }
  const main = h("div", { class: "jw-persona-main" }, name.el, attrs, desc.el, quote.el, goalsHead, goals);
  el.append(avatar, main, tools);
  function update(it: PersonaItem) {
    const p = it.p;
    setText(avatar, initials(p.name));
    avatar.style.setProperty("--jw-hue", String(hue(p.name || p.id)));
    name.set(p.name || "");
    desc.set(p.description || "");
    quote.set(p.quote || "");
    if (!ctx.editable) {
      desc.el.hidden = !p.description;
      quote.el.hidden = !p.quote;
    }
    goals.textContent = "";
    for (const g of p.goals || []) goals.appendChild(h("li", null, g));
    const hasGoals = (p.goals || []).length > 0;
    goals.hidden = !hasGoals;
    goalsHead.hidden = !hasGoals;
    attrs.textContent = "";
    for (const [k, v] of Object.entries(p.attributes || {}).slice(0, 4)) {
      attrs.appendChild(h("span", { class: "jw-chip jw-chip-soft", title: `${k}: ${v}` }, `${k}: ${v}`));
    }
    attrs.hidden = attrs.childNodes.length === 0;
    el.setAttribute("aria-label", `Persona ${p.name || ""}`);
  }
  update(item);
  return {
    el,
    update,
    destroy: () => {
      name.field?.destroy();
      desc.field?.destroy();
      quote.field?.destroy();
    },
  };
}

export interface GoalItem {
  g: Goal;
  comments?: { open: number; total: number };
}

export function goalCard(ctx: Ctx, item: GoalItem): Component<GoalItem> {
  const id = item.g.id;
  const el = h("div", { class: "jw-goal jw-item", "data-id": id, "data-kind": "goal", tabindex: 0 });
  const dir = h("span", { class: "jw-goal-dir" });
  const name = liveText(ctx, "div", "jw-goal-name", id, "name", item.g.name, { placeholder: "Goal or KPI", label: "Goal name" });
  const meta = h("div", { class: "jw-goal-meta" });
  const tools = h("div", { class: "jw-item-tools" });
  if (ctx.editable) {
    const del = h("button", { type: "button", class: "jw-ibtn jw-del", title: "Delete goal", "aria-label": "Delete goal" }, icon("close"));
    del.addEventListener("click", (e) => {
      e.stopPropagation();
      ctx.remove(id);
    });
    tools.appendChild(del);
  }
  el.append(dir, h("div", { class: "jw-goal-main" }, name.el, meta), tools);
  let dirName = "";
  function update(it: GoalItem) {
    const g = it.g;
    const d = g.direction === "decrease" ? "down" : g.direction === "maintain" ? "steady" : "up";
    if (d !== dirName) {
      dirName = d;
      dir.textContent = "";
      dir.appendChild(icon(d));
      dir.setAttribute("title", g.direction || "increase");
    }
    name.set(g.name || "");
    const parts: string[] = [];
    if (g.metric) parts.push(g.metric);
    if (typeof g.target === "number") parts.push(`target ${fmtNum(g.target, 2)}${g.unit ? ` ${g.unit}` : ""}`);
    setText(meta, parts.join(" · "));
    meta.hidden = parts.length === 0;
    toggleClass(el, "jw-goal-decrease", g.direction === "decrease");
  }
  update(item);
  return { el, update, destroy: () => name.field?.destroy() };
}
