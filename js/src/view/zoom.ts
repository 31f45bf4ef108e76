// The zoom of the map: the `zoom` trait ("fit" or a factor 0.25-2, shared by every
// view of the widget and by Python), the toolbar's zoom select, and applying a plan
// (zoom-plan.ts) to the grid: CSS zoom, and compact chips below readable sizes.
// "fit" follows the room the map has (resizes, the details panel, full screen).
import { h, toggleClass } from "../components/dom";
import { zoomLabel, planZoom, zoomSetting, ZOOM_CHOICES, type ZoomPlan, type ZoomSetting } from "./zoom-plan";
import { CHIP_SLOT_PX, LANE_HEADER_COMPACT_PX, type Layout } from "./layout";
import type { JourneyView } from "./journey-view";

/** The narrowest stage column a plan gives (CSS px of the grid): stage names turn sideways below 90. */
export function narrowestColumn(plan: ZoomPlan, layout: Layout, room: number): number {
  let min = Infinity;
  for (const st of layout.stages) {
    const w = layout.slots.get(st.id)!;
    const px = plan.mode === "compact" ? w * CHIP_SLOT_PX : ((room / plan.scale - LANE_HEADER_COMPACT_PX) * w) / Math.max(1, layout.total);
    if (px < min) min = px;
  }
  return min;
}

export class Zoom {
  select!: HTMLSelectElement;
  plan: ZoomPlan = { mode: "full", scale: 1 };
  private observer: ResizeObserver | null = null;
  private raf = 0;
  private lastRoom = -1;

  constructor(private readonly v: JourneyView) {}

  /** The setting from the trait (1 when the host has no zoom trait). */
  get setting(): ZoomSetting {
    const z = this.v.model.get("zoom");
    return z === undefined || z === null ? 1 : zoomSetting(z);
  }

  build(): HTMLSelectElement {
    this.select = h("select", { class: "jw-select jw-zoom", "aria-label": "Zoom the map", title: "Zoom the map (Fit: every stage on screen)" });
    this.fillSelect();
    this.select.addEventListener("change", () => {
      const value = this.select.value === "fit" ? "fit" : Number(this.select.value);
      this.v.model.set("zoom", value);
      this.v.model.save_changes();
      this.apply();
    });
    return this.select;
  }

  private fillSelect(): void {
    const s = this.setting;
    const key = s === "fit" ? "fit" : String(s);
    const choices = [...ZOOM_CHOICES];
    if (!choices.some(([v]) => v === key)) choices.push([key, zoomLabel(s)]);
    if (this.select.getAttribute("data-sig") !== choices.join("|")) {
      this.select.setAttribute("data-sig", choices.join("|"));
      this.select.textContent = "";
      for (const [value, label] of choices) this.select.appendChild(h("option", { value }, label));
    }
    this.select.value = key;
  }

  /** Watch the room the map has: "fit" follows it. */
  watch(): void {
    this.observer?.disconnect();
    if (typeof ResizeObserver === "undefined") return;
    this.observer = new ResizeObserver(() => {
      if (this.setting !== "fit") return;
      const room = this.room();
      if (Math.abs(room - this.lastRoom) >= 1) this.schedule();
    });
    this.observer.observe(this.v.grid.scroller);
  }

  dispose(): void {
    this.observer?.disconnect();
    this.observer = null;
    cancelAnimationFrame(this.raf);
  }

  /** Re-plan on the next frame (after a render, a resize). */
  schedule(): void {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.apply();
    });
  }

  /** The width the grid may take, in CSS px. */
  private room(): number {
    const sc = this.v.grid.scroller;
    if (!sc.isConnected || sc.clientWidth === 0) {
      // not laid out yet (anywidget may render before the element is in the page): the window's width
      const w = sc.ownerDocument.defaultView?.innerWidth || 0;
      return Math.max(0, w - 80 - (this.v.root.classList.contains("jw-has-panel") ? 340 : 0));
    }
    const cs = typeof getComputedStyle === "function" ? getComputedStyle(sc) : null;
    const pad = cs ? (parseFloat(cs.paddingLeft) || 0) + (parseFloat(cs.paddingRight) || 0) : 28;
    return sc.clientWidth - pad;
  }

  /** Plan and draw: the grid's mode (full / chips) and CSS zoom; `render`: re-render when the mode changed. */
  apply(render = true): void {
    const v = this.v;
    if (this.select) this.fillSelect();
    // only "fit" needs the room (measuring it forces a layout)
    const setting = this.setting;
    const room = setting === "fit" || v.grid.mode !== "full" ? this.room() : 0;
    this.lastRoom = room;
    const plan = planZoom(setting, v.layout, room);
    const modeChanged = plan.mode !== v.grid.mode;
    this.plan = plan;
    v.grid.mode = plan.mode;
    const grid = v.grid.el;
    if (plan.scale === 1) grid.style.removeProperty("zoom");
    else grid.style.setProperty("zoom", plan.scale.toFixed(3));
    toggleClass(v.root, "jw-zoomed", plan.scale < 1);
    toggleClass(v.root, "jw-compact", plan.mode !== "full");
    toggleClass(v.root, "jw-fit", plan.mode === "compact-fit");
    toggleClass(v.root, "jw-narrow", plan.mode !== "full" && narrowestColumn(plan, v.layout, room) < 90);
    // chips shrunk to fit: stage names keep at least 9 px as drawn (legible)
    v.root.style.setProperty("--jw-name-px", `${Math.max(11.5, 9.2 / (plan.scale || 1)).toFixed(2)}px`);
    grid.setAttribute("data-zoom", this.setting === "fit" ? "fit" : String(this.setting));
    grid.setAttribute("data-mode", plan.mode);
    if (modeChanged && render) {
      v.grid.render();
      v.selection.apply();
    }
    v.charts?.reanchor();
  }
}
