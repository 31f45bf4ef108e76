// The toolbar (sticky at the top of the widget while it is on screen): undo / redo
// and the add buttons (editable maps) or a read-only chip, the data tools
// (data-tools.ts), search, "Go to stage" and full screen (navigate.ts), the zoom
// (zoom.ts) and the Details button. The chart overlay switcher (charts/mount.ts)
// joins it when the widget has charts.
import { h } from "../components/dom";
import { icon } from "../components/icons";
import { LANE_KINDS } from "../model/vocabulary";
import type { JourneyView } from "./journey-view";

/** A toolbar button with an icon and a label (shown, or only in the tooltip). */
export function toolButton(name: string, label: string, onClick: () => void, iconOnly = false): HTMLButtonElement {
  const b = h("button", { type: "button", class: "jw-btn", title: label, "aria-label": label }, icon(name), iconOnly ? null : label);
  b.addEventListener("click", onClick);
  return b;
}

export class Toolbar {
  el!: HTMLElement;
  private undoBtn: HTMLButtonElement | null = null;
  private redoBtn: HTMLButtonElement | null = null;

  constructor(private readonly v: JourneyView) {}

  build(): HTMLElement {
    const v = this.v;
    this.el = h("div", { class: "jw-toolbar", role: "toolbar", "aria-label": "Journey map tools" });
    this.undoBtn = this.redoBtn = null;
    if (v.editable) {
      this.undoBtn = toolButton("undo", "Undo (Ctrl+Z)", () => v.rpc.history("undo"), true);
      this.redoBtn = toolButton("redo", "Redo (Ctrl+Shift+Z)", () => v.rpc.history("redo"), true);
      const addStage = toolButton("plus", "Stage", () => v.addStage());
      addStage.classList.add("jw-add-stage");
      const laneSel = h("select", { class: "jw-select jw-add-lane", "aria-label": "Add a lane", title: "Add a lane" });
      laneSel.appendChild(h("option", { value: "" }, "+ Lane…"));
      for (const k of LANE_KINDS) laneSel.appendChild(h("option", { value: k.id }, k.title));
      laneSel.addEventListener("change", () => {
        const k = laneSel.value;
        laneSel.value = "";
        if (k) v.addLane(k);
      });
      const addPersona = toolButton("plus", "Persona", () => v.addPersona());
      const addGoal = toolButton("plus", "Goal", () => v.addGoal());
      this.el.append(this.undoBtn, this.redoBtn, h("span", { class: "jw-sep" }), addStage, laneSel, addPersona, addGoal);
    } else {
      this.el.appendChild(h("span", { class: "jw-chip jw-chip-readonly" }, "Read-only"));
    }
    // the free room holds a bind's progress (components/progress.ts): it never pushes a control
    this.el.appendChild(h("span", { class: "jw-spacer jw-toolbar-room" }, v.progress.el));
    this.el.append(...v.data.buildTools());
    const details = toolButton("panel", "Details", () => v.selection.toggleDetails());
    details.classList.add("jw-details-btn");
    const [search, goto, present] = v.navigate.build();
    this.el.append(h("span", { class: "jw-sep" }), search, goto, v.zoom.build(), present, v.exporter.build(), details);
    return this.el;
  }

  /** Undo / redo buttons follow `_can_undo` / `_can_redo`. */
  renderHistory(): void {
    if (!this.v.editable || !this.undoBtn || !this.redoBtn) return;
    this.undoBtn.disabled = !this.v.model.get("_can_undo");
    this.redoBtn.disabled = !this.v.model.get("_can_redo");
  }
}
