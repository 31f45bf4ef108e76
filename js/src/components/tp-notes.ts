// The pain points (or opportunities) written on a touchpoint, shown in the lane of
// that kind under the touchpoint's stage, in the touchpoint's card column. They are
// the touchpoint's own fields: clicking selects the touchpoint, whose details
// panel edits them.
import { h, setText } from "./dom";
import { clampTitle } from "./common";
import type { Component } from "./reconcile";
import type { Ctx } from "./ctx";

export interface NotesItem {
  tp: { id: string; name: string };
  kind: "pain_points" | "opportunities";
  texts: string[];
  /** Grid column (1-based) of the touchpoint within its stage's card columns. */
  col: number;
}

const WHAT: Record<NotesItem["kind"], [string, string]> = {
  pain_points: ["Pain point", "Pain points"],
  opportunities: ["Opportunity", "Opportunities"],
};

export function touchpointNotes(ctx: Ctx, item: NotesItem): Component<NotesItem> {
  const el = h("div", { class: "jw-tp-note-group", "data-id": item.tp.id, "data-kind": "touchpoint-note", "data-lane-kind": item.kind, tabindex: 0 });
  const from = h("div", { class: "jw-note-from", "data-i": "touchpoints" });
  const list = h("div", { class: "jw-note-list" });
  el.append(from, list);
  let cur = item;
  el.addEventListener("click", () => ctx.select(cur.tp.id));
  el.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      ctx.select(cur.tp.id);
    }
  });
  let sig = "";
  function update(it: NotesItem) {
    cur = it;
    el.style.gridColumn = String(it.col);
    setText(from, it.tp.name || "Touchpoint");
    from.setAttribute("title", `${WHAT[it.kind][1]} of touchpoint ${it.tp.name}`);
    const s = JSON.stringify(it.texts);
    if (s !== sig) {
      sig = s;
      list.textContent = "";
      for (const t of it.texts) {
        const n = h("div", { class: "jw-note" }, t);
        clampTitle(n, t, 120);
        list.appendChild(n);
      }
    }
    const [one, many] = WHAT[it.kind];
    el.setAttribute("aria-label", `${it.texts.length === 1 ? one : many} of touchpoint ${it.tp.name}: ${it.texts.join("; ")}`);
  }
  update(item);
  return { el, update };
}
