// Observed flows on the map (issue 10): arcs between the stage columns for the
// consecutive steps of the units' stage paths, from `_metrics.flows`
// ([from, to, count, units, kind]). Forward arcs (to the next stage) and skips (to a
// later one) bow upwards, steps back bow downwards; an arc's width follows its count
// and hovering it shows what it counts. With a touchpoint selected, the strip shows
// that touchpoint's own flows instead ("where do people go next / come from"), from
// `_metrics.transitions`. Switched on and off like an overlay (the toolbar's "Flows").
import { h, setText, toggleClass } from "../components/dom";
import { fmtInt, fmtPct } from "../components/format";
import { definitionText, unitLabel } from "../components/figures";
import { toolButton } from "./toolbar";
import type { JourneyView } from "./journey-view";

const SVG = "http://www.w3.org/2000/svg";
const HEIGHT = 120;
const TOP_TP = 5;

export type FlowKind = "forward" | "skip" | "back" | "within";

export interface Arc {
  from: string;
  to: string;
  count: number;
  units: number;
  kind: FlowKind;
  /** Words for the hover label and the tooltip. */
  label: string;
  title: string;
}

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Stage-level arcs from the payload, in a fixed order (biggest first). */
export function stageArcs(flows: unknown, names: Map<string, string>, unit: string, definition: string): Arc[] {
  if (!Array.isArray(flows)) return [];
  const out: Arc[] = [];
  for (const f of flows) {
    if (!Array.isArray(f) || f.length < 5) continue;
    const [from, to, count, units, kind] = f;
    if (typeof count !== "number" || !names.has(String(from)) || !names.has(String(to)) || from === to) continue;
    const k = (["forward", "skip", "back"].includes(String(kind)) ? kind : "forward") as FlowKind;
    const a = names.get(String(from)) || "";
    const b = names.get(String(to)) || "";
    const u = typeof units === "number" ? units : 0;
    out.push({
      from: String(from), to: String(to), count, units: u, kind: k,
      label: `${a} → ${b}: ${fmtInt(count)} (${k})`,
      title: `${k === "forward" ? "Forward" : k === "skip" ? "Skip" : "Back"}: ${a} → ${b}, ${fmtInt(count)} steps by ${fmtInt(u)} ${unit}${definition}`,
    });
  }
  return out.sort((x, y) => y.count - x.count);
}

/** The selected touchpoint's flows: its most common next steps (up) and previous steps (down). */
export function touchpointArcs(transitions: unknown, id: string, names: Map<string, string>, unit: string): Arc[] {
  if (!Array.isArray(transitions)) return [];
  const next: Arc[] = [];
  const prev: Arc[] = [];
  // shares of the steps to / from other touchpoints (repeats of the same one left out)
  const total = (side: 0 | 1) =>
    transitions.reduce((s, t) => s + (Array.isArray(t) && t[side] === id && t[0] !== t[1] && typeof t[2] === "number" ? t[2] : 0), 0);
  const outTotal = total(0);
  const inTotal = total(1);
  for (const t of transitions) {
    if (!Array.isArray(t) || t.length < 6 || typeof t[2] !== "number") continue;
    const [from, to, count, , units] = t;
    if (from === to || !names.has(String(from)) || !names.has(String(to))) continue;
    const u = typeof units === "number" ? units : 0;
    if (from === id) {
      const share = outTotal ? count / outTotal : 0;
      next.push({ from, to, count, units: u, kind: "forward", label: `next: ${names.get(to)} ${fmtPct(share)}`, title: `After ${names.get(from)}, ${fmtInt(count)} steps (${fmtPct(share)} of its next steps) go to ${names.get(to)}, by ${fmtInt(u)} ${unit}` });
    } else if (to === id) {
      const share = inTotal ? count / inTotal : 0;
      prev.push({ from, to, count, units: u, kind: "back", label: `from: ${names.get(from)} ${fmtPct(share)}`, title: `${fmtInt(count)} steps (${fmtPct(share)} of its previous steps) come to ${names.get(to)} from ${names.get(from)}, by ${fmtInt(u)} ${unit}` });
    }
  }
  const top = (xs: Arc[]) => xs.sort((a, b) => b.count - a.count).slice(0, TOP_TP);
  return [...top(next), ...top(prev)];
}

export class Flows {
  /** Whether the flows strip is shown in this view. */
  on = false;
  btn: HTMLButtonElement | null = null;
  private host: HTMLElement | null = null;
  private label: HTMLElement | null = null;
  private sig = "";

  constructor(private readonly v: JourneyView) {}

  /** The toolbar's toggle (hidden until the data has flows). */
  button(): HTMLButtonElement {
    const b = toolButton("actions", "Flows", () => this.toggle());
    b.classList.add("jw-flows-btn");
    b.setAttribute("aria-pressed", "false");
    b.title = "Flows between stages: forward, skip and back arcs from the data";
    b.hidden = true;
    this.btn = b;
    return b;
  }

  toggle(on?: boolean): void {
    this.on = on === undefined ? !this.on : on;
    this.render();
    this.v.charts?.reanchor();
  }

  /** Draw (or remove) the strip under the stage headers. */
  render(): void {
    const v = this.v;
    const m = v.metrics;
    const has = Array.isArray(m.flows) && m.flows.length > 0;
    if (this.btn) {
      this.btn.hidden = !has;
      this.btn.setAttribute("aria-pressed", String(this.on && has));
      toggleClass(this.btn, "jw-on", this.on && has);
    }
    const show = this.on && has && v.layout.stages.length > 0;
    toggleClass(v.root, "jw-flows-on", show);
    if (!show) {
      this.host?.remove();
      this.label?.remove();
      this.sig = "";
      return;
    }
    if (!this.host) {
      this.host = h("div", { class: "jw-flows", role: "img" });
      this.host.style.gridRow = "2";
      this.host.style.gridColumn = "2 / -1";
      this.label = h("div", { class: "jw-flows-label" });
      this.label.style.gridRow = "2";
      this.label.style.gridColumn = "1";
    }
    const grid = v.grid.el;
    if (this.host.parentElement !== grid) grid.append(this.host, this.label!);
    this.draw();
  }

  private draw(): void {
    const v = this.v;
    const host = this.host!;
    const k = v.zoom.plan.scale || 1;
    const hr = host.getBoundingClientRect();
    const width = Math.max(1, Math.round(hr.width / k));
    const unit = unitLabel(v.metrics);
    const definition = definitionText(v.metrics);
    const sel = v.selected;
    const tps = new Map((v.doc.touchpoints || []).map((t) => [t.id, t.name || t.id] as [string, string]));
    const tpSel = sel && tps.has(sel) ? sel : "";
    const x = new Map<string, number>();
    let arcs: Arc[];
    if (tpSel) {
      for (const t of v.layout.ordered) {
        const p = v.layout.x.get(t.id);
        if (p !== undefined) x.set(t.id, (p / 100) * width);
      }
      arcs = touchpointArcs(v.metrics.transitions, tpSel, tps, unit);
    } else {
      const names = new Map(v.layout.stages.map((s) => [s.id, s.name || s.id] as [string, string]));
      for (const s of v.layout.stages) {
        const r = v.grid.stageEl(s.id).getBoundingClientRect();
        if (r.width > 0) x.set(s.id, Math.round(((r.left + r.right) / 2 - hr.left) / k));
      }
      arcs = stageArcs(v.metrics.flows, names, unit, definition);
    }
    const sig = `${width}|${tpSel}|${JSON.stringify(arcs.map((a) => [a.from, a.to, a.count, a.kind]))}|${[...x].join(";")}`;
    if (sig === this.sig) return;
    this.sig = sig;
    setText(this.label!, "");
    this.label!.append(
      h("span", { class: "jw-flows-title" }, tpSel ? `Flows of ${tps.get(tpSel)}` : "Flows"),
      h("span", { class: "jw-flows-key jw-flow-forward" }, tpSel ? "next ↑" : "forward ↑"),
      ...(tpSel ? [] : [h("span", { class: "jw-flows-key jw-flow-skip" }, "skip ↑")]),
      h("span", { class: "jw-flows-key jw-flow-back" }, tpSel ? "came from ↓" : "back ↓"),
    );
    this.label!.title = `Steps between consecutive ${tpSel ? "touchpoints" : "stages"} of each unit's path, arc width by count${definition}`;
    host.setAttribute("aria-label", `${tpSel ? `Flows of ${tps.get(tpSel)}` : "Flows between stages"}: ${arcs.length} arcs`);
    host.textContent = "";
    const root = svg("svg", { width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, class: "jw-flows-svg" });
    const max = Math.max(1, ...arcs.map((a) => a.count));
    const mid = HEIGHT / 2;
    for (const a of arcs) {
      const x0 = x.get(a.from);
      const x1 = x.get(a.to);
      if (x0 === undefined || x1 === undefined || x0 === x1) continue;
      const up = a.kind !== "back";
      const span = Math.abs(x1 - x0);
      const bow = Math.min(mid - 8, 14 + span * 0.12) * (up ? -1 : 1);
      const y0 = mid + (up ? -3 : 3);
      const xm = (x0 + x1) / 2;
      const g = svg("g", { class: `jw-flow jw-flow-${a.kind}`, "data-from": a.from, "data-to": a.to, "data-count": a.count });
      const path = svg("path", { d: `M${x0.toFixed(1)},${y0} Q${xm.toFixed(1)},${(y0 + 2 * bow).toFixed(1)} ${x1.toFixed(1)},${y0}`, "stroke-width": (1.5 + 9 * (a.count / max)).toFixed(1), fill: "none" });
      const title = svg("title", {});
      title.textContent = a.title;
      path.appendChild(title);
      const text = svg("text", { x: xm.toFixed(1), y: (y0 + bow + (up ? 12 : -4)).toFixed(1), "text-anchor": "middle", class: "jw-flow-label" });
      text.textContent = a.label;
      g.append(path, text);
      root.appendChild(g);
    }
    for (const [id, px] of x) {
      if (tpSel && id !== tpSel) continue;
      root.appendChild(svg("circle", { cx: px.toFixed(1), cy: mid, r: tpSel ? 5 : 3, class: "jw-flow-node" }));
    }
    host.appendChild(root);
  }
}
