// Where the built-in overlays draw on the map itself (charts on the map): the
// geometry the charts layer (charts/layer.ts) needs to put one Vega-Lite view
// over a band of the map, with each row's x / y in the view's pixels.
//
//   "stages"    the stage funnel, in each stage header's band (.jw-band-chart),
//               aligned with the stage columns; rows get jw_x0, jw_x1, jw_y0, jw_y1
//   "emotions"  data-derived emotion points on the emotions lane, beside the
//               hand-set curve; rows get jw_x, jw_y and jw_ylo / jw_yhi (interval)
//   "metrics"   the metric strip of each touchpoint in the metrics lane
//               (.jw-mstrip under its figures); rows get jw_x0, jw_x1, jw_y0, jw_y1
//
// The specs come from Python (charts/specs.py, band_spec) and read these fields
// with scale: null (pixels), so the marks sit exactly on the map's columns. All
// values are in the grid's CSS pixels (measured rectangles divided by the zoom).
import { cssEscape, h } from "../components/dom";
import { emotionToY } from "../model/emotion";
import type { JourneyView } from "./journey-view";

export type BandName = "stages" | "emotions" | "metrics";
export type Row = Record<string, unknown>;

export interface BandGeometry {
  /** The element the chart view goes into (positioned over the band). */
  host: HTMLElement;
  width: number;
  height: number;
  /** The rows with their place on the band (rows with no place on the map are left out). */
  rows(values: Row[]): Row[];
  /** Changes whenever the geometry does. */
  sig: string;
}

interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

export class Bands {
  private metricsLayer: HTMLElement | null = null;

  constructor(private readonly v: JourneyView) {}

  geometry(band: string): BandGeometry | null {
    if (band === "stages") return this.stages();
    if (band === "emotions") return this.emotions();
    if (band === "metrics") return this.metrics();
    return null;
  }

  private scale(): number {
    return this.v.zoom.plan.scale || 1;
  }

  /** Boxes of `els` relative to `host`, in the grid's CSS pixels. */
  private boxes(host: HTMLElement, els: Map<string, Element>): Map<string, Box> {
    const k = this.scale();
    const hr = host.getBoundingClientRect();
    const out = new Map<string, Box>();
    for (const [id, el] of els) {
      const r = el.getBoundingClientRect();
      if (r.width <= 0 || r.height <= 0) continue;
      out.set(id, { x0: r1((r.left - hr.left) / k), x1: r1((r.right - hr.left) / k), y0: r1((r.top - hr.top) / k), y1: r1((r.bottom - hr.top) / k) });
    }
    return out;
  }

  private sized(host: HTMLElement): { width: number; height: number } {
    const r = host.getBoundingClientRect();
    const k = this.scale();
    return { width: Math.max(1, Math.round(r.width / k)), height: Math.max(1, Math.round(r.height / k)) };
  }

  private boxGeometry(host: HTMLElement, boxes: Map<string, Box>, key: string): BandGeometry {
    const { width, height } = this.sized(host);
    const sig = `${width}x${height}|` + [...boxes].map(([id, b]) => `${id}:${b.x0},${b.x1},${b.y0},${b.y1}`).join(";");
    return {
      host,
      width,
      height,
      sig,
      rows: (values) =>
        values.flatMap((row) => {
          const b = boxes.get(String(row[key] ?? ""));
          return b ? [{ ...row, jw_x0: b.x0, jw_x1: b.x1, jw_y0: b.y0, jw_y1: b.y1 }] : [];
        }),
    };
  }

  private stages(): BandGeometry | null {
    const grid = this.v.grid;
    const host = grid.stageBand;
    if (!host || !host.isConnected) return null;
    const els = new Map<string, Element>();
    for (const st of this.v.layout.stages) {
      const el = grid.el.querySelector(`.jw-stage[data-id="${cssEscape(st.id)}"] .jw-band-chart`);
      if (el) els.set(st.id, el);
    }
    return this.boxGeometry(host, this.boxes(host, els), "stage");
  }

  private emotions(): BandGeometry | null {
    const v = this.v;
    const lane = (v.doc.lanes || []).find((l) => l.kind === "emotions" && !v.collapsedLanes.has(l.id));
    const curve = lane ? v.grid.curve(lane.id) : undefined;
    if (!lane || !curve) return null;
    const host = curve.el as HTMLElement;
    if (!host.isConnected) return null;
    const { width, height } = this.sized(host);
    const scale = v.scale;
    const x = v.layout.x;
    const y = (e: unknown) => (typeof e === "number" && Number.isFinite(e) ? r1((emotionToY(e, scale) / 100) * height) : null);
    return {
      host,
      width,
      height,
      sig: `${width}x${height}|${scale.min},${scale.max}|` + v.layout.ordered.map((t) => `${t.id}:${x.get(t.id)}`).join(";"),
      rows: (values) =>
        values.flatMap((row) => {
          const p = x.get(String(row.touchpoint ?? ""));
          if (p === undefined) return [];
          return [{ ...row, jw_x: r1((p / 100) * width), jw_y: y(row.emotion), jw_ylo: y(row.lo), jw_yhi: y(row.hi) }];
        }),
    };
  }

  private metrics(): BandGeometry | null {
    const v = this.v;
    const lanes = v.doc.lanes || [];
    const li = lanes.findIndex((l) => l.kind === "metrics" && !v.collapsedLanes.has(l.id));
    if (li < 0 || v.layout.stages.length === 0) {
      this.metricsLayer?.remove();
      return null;
    }
    if (!this.metricsLayer) this.metricsLayer = h("div", { class: "jw-band-layer jw-band-metrics", "aria-hidden": "true" });
    const host = this.metricsLayer;
    const row = String(li + 3);
    if (host.style.gridRow !== row) host.style.gridRow = row;
    host.style.gridColumn = "2 / -1";
    if (host.parentElement !== v.grid.el) v.grid.el.appendChild(host);
    const laneId = lanes[li].id;
    const els = new Map<string, Element>();
    for (const el of Array.from(v.grid.el.querySelectorAll(`.jw-cell[data-lane="${cssEscape(laneId)}"] .jw-mblock`))) {
      const strip = el.querySelector(".jw-mstrip");
      const id = el.getAttribute("data-id");
      if (strip && id) els.set(id, strip);
    }
    return this.boxGeometry(host, this.boxes(host, els), "touchpoint");
  }
}
