// The toolbar: undo / redo and the add buttons (editable maps) or a read-only chip,
// the data tools (data-tools.ts), the zoom and the Details button. The chart overlay
// switcher (charts/mount.ts) joins it when the widget has charts.
import { h, toggleClass } from "../components/dom";
import { icon } from "../components/icons";
import { LANE_KINDS } from "../model/vocabulary";
import type { JourneyView } from "./journey-view";

const ZOOMS: [string, string][] = [
  ["1", "100%"],
  ["0.85", "85%"],
  ["0.7", "70%"],
  ["0.55", "55%"],
  ["fit", "Fit width"],
];

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
    const zoom = h("select", { class: "jw-select jw-zoom", "aria-label": "Zoom the map", title: "Zoom the map" });
    for (const [value, label] of ZOOMS) zoom.appendChild(h("option", { value }, label));
    zoom.value = v.zoom;
    zoom.addEventListener("change", () => {
      v.zoom = zoom.value;
      this.applyZoom();
    });
    this.el.append(zoom, v.exporter.build(), details);
    return this.el;
  }

  /** Undo / redo buttons follow `_can_undo` / `_can_redo`. */
  renderHistory(): void {
    if (!this.v.editable || !this.undoBtn || !this.redoBtn) return;
    this.undoBtn.disabled = !this.v.model.get("_can_undo");
    this.redoBtn.disabled = !this.v.model.get("_can_redo");
  }

  /** Scale the map (this view only; the document is untouched). */
  applyZoom(): void {
    const v = this.v;
    const grid = v.grid.el;
    let f = Number(v.zoom);
    if (v.zoom === "fit") {
      grid.style.removeProperty("zoom");
      const natural = grid.scrollWidth;
      const room = v.grid.scroller.clientWidth - 28;
      f = natural > 0 && room > 0 ? Math.max(0.35, Math.min(1, room / natural)) : 1;
    }
    if (!Number.isFinite(f) || f <= 0) f = 1;
    if (f === 1) grid.style.removeProperty("zoom");
    else grid.style.setProperty("zoom", f.toFixed(3));
    toggleClass(v.root, "jw-zoomed", f < 1);
    v.charts?.reanchor();
  }
}
