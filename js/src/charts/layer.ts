// Altair / Vega-Lite charts on the journey map (issue 5): the chart layer.
//
// Python sends the `_charts` trait:
//   {overlay, metric, specs: {key: {at, spec, data: {name, values}, error, rev, data_rev}}}
// where `spec` is a Vega-Lite spec whose main data source is the named
// dataset `data.name` ("table") WITHOUT its values, and `rev` changes only
// when the spec changes. The layer keeps one Vega view per chart key:
//   - same rev, new data  -> view.data(name, values).runAsync()  (no re-embed)
//   - new rev / new theme -> re-embed that one chart
//   - error               -> a text note in the chart's place (never markup)
// Linked selection: clicking a mark whose datum has a `touchpoint` (or
// `stage`) field calls onSelect(id); `selectedId` is pushed into every view
// that declares the `jw_selected` param (the built-in overlays do).
import { chartRuntime, type ChartRuntime, type EmbedFn, type RuntimeSource, type ViewLike } from "./runtime";

export interface ChartData {
  name: string;
  values: unknown[];
}

export interface ChartEntry {
  at: string;
  /** A built-in overlay that can draw on the map itself: "stages", "emotions" or "metrics". */
  band?: string | null;
  /** Its Vega-Lite spec for the map's geometry (rows get jw_* pixel fields; see view/bands.ts). */
  band_spec?: Record<string, unknown> | null;
  spec: Record<string, unknown> | null;
  data: ChartData | null;
  error: string | null;
  rev: number;
  data_rev?: number;
  title?: string;
  kind?: string;
}

export interface ChartsPayload {
  overlay?: string;
  metric?: string | null;
  specs?: Record<string, ChartEntry>;
  metrics_available?: string[];
}

export type Theme = "light" | "dark" | string | null | undefined;

/** Where an overlay draws on the map (view/bands.ts): the host, its size and the rows placed. */
export interface BandPlace {
  host: HTMLElement;
  width: number;
  height: number;
  rows(values: Record<string, unknown>[]): Record<string, unknown>[];
  sig: string;
}

export interface ChartLayerOptions {
  /** The map's geometry for a band ("stages", "emotions", "metrics"), or null when the map has no such band. */
  band?: (name: string) => BandPlace | null;
  /** Called with a touchpoint (or stage) id when a mark is clicked. */
  onSelect?: (id: string) => void;
  /** Where a chart anchored at a stage / touchpoint id goes; null = the host. */
  anchor?: (at: string) => HTMLElement | null;
  /** For tests: a stand-in for vega-embed. */
  embed?: EmbedFn;
  /** The chart runtime (or how to get it); defaults to the one set with setChartRuntime. */
  runtime?: RuntimeSource;
}

export interface ChartLayerStats {
  embeds: number;
  dataUpdates: number;
  errors: number;
}

export interface ChartLayer {
  /** Bring the charts in line with `payload`; resolves when they are drawn. */
  update(payload: ChartsPayload | null | undefined, theme?: Theme, selectedId?: string | null): Promise<void>;
  /** Highlight the marks of one touchpoint / stage in every chart. */
  select(selectedId: string | null | undefined): Promise<void>;
  /** Put anchored charts back into their stage / touchpoint cells (call after the map re-renders). */
  reanchor(): void;
  destroy(): void;
  readonly stats: ChartLayerStats;
  /** The live Vega view of a chart key (tests, debugging). */
  view(key: string): ViewLike | null;
}

export const SELECT_PARAM = "jw_selected";

interface Slot {
  key: string;
  el: HTMLElement;
  body: HTMLElement;
  note: HTMLElement;
  view: ViewLike | null;
  finalize: (() => void) | null;
  rev: number | null;
  dataRev: number | null | undefined;
  dataJson: string | null;
  dataName: string | null;
  themeKey: string | null;
  at: string;
  serial: number;
  /** Drawn on the map: the band's name and its geometry's signature. */
  band: string | null;
  bandSig: string | null;
  entry: ChartEntry | null;
}

let VIEW_SERIAL = 0;

function cssVar(style: CSSStyleDeclaration | null, names: string[], fallback: string): string {
  if (style) {
    for (const n of names) {
      const v = style.getPropertyValue(n).trim();
      if (v) return v;
    }
  }
  return fallback;
}

/** A Vega-Lite config that follows the map's theme (CSS variables of the widget / JupyterLab). */
export function themeConfig(host: Element | null, theme: Theme): Record<string, unknown> {
  const dark = theme === "dark";
  let style: CSSStyleDeclaration | null = null;
  try {
    style = host && typeof getComputedStyle === "function" ? getComputedStyle(host) : null;
  } catch {
    style = null;
  }
  const fg = cssVar(style, ["--jw-fg", "--jw-text", "--jp-ui-font-color1", "--jp-content-font-color1"], dark ? "#e6e6e6" : "#1f2328");
  const muted = cssVar(style, ["--jw-muted", "--jw-text-muted", "--jp-ui-font-color2", "--jp-content-font-color2"], dark ? "#a8a8a8" : "#59636e");
  const grid = cssVar(style, ["--jw-grid", "--jw-border", "--jp-border-color2", "--jp-border-color1"], dark ? "#3d444d" : "#d1d9e0");
  const accent = cssVar(style, ["--jw-accent", "--jp-brand-color1"], dark ? "#6ea8fe" : "#2f6fb5");
  const font = cssVar(style, ["--jw-font", "--jp-ui-font-family"], "system-ui, -apple-system, Segoe UI, Roboto, sans-serif");
  const axis = {
    domainColor: grid,
    gridColor: grid,
    tickColor: grid,
    labelColor: muted,
    titleColor: fg,
    labelFont: font,
    titleFont: font,
  };
  return {
    background: "transparent",
    font,
    view: { stroke: null },
    axis,
    legend: { labelColor: muted, titleColor: fg, labelFont: font, titleFont: font },
    header: { labelColor: fg, titleColor: fg, labelFont: font, titleFont: font },
    title: { color: fg, subtitleColor: muted, font },
    text: { color: fg },
    mark: { color: accent },
    bar: { color: accent },
    line: { color: accent },
    point: { color: accent, filled: true },
    rule: { color: muted },
    range: dark
      ? { category: ["#6ea8fe", "#f5a524", "#5fd38d", "#f27474", "#b58cff", "#5ed3d3", "#f28fc9", "#b4b4b4"] }
      : { category: ["#2f6fb5", "#d9822b", "#2b9a57", "#c94a4a", "#7c5cc4", "#2a9d9d", "#c45a9a", "#7a7a7a"] },
  };
}

/** The id a clicked datum stands for (touchpoint first, then stage). */
export function datumId(item: any): string | null {
  let d = item && item.datum;
  // facet / group items carry their rows one level down
  if (d && typeof d === "object" && !("touchpoint" in d) && !("stage" in d) && d.datum) d = d.datum;
  if (!d || typeof d !== "object") return null;
  for (const f of ["touchpoint", "stage"]) {
    const v = (d as Record<string, unknown>)[f];
    if (typeof v === "string" && v) return v;
  }
  return null;
}

/** Resolves when `el` is in the document (or after `maxMs`, to never hang). */
export function whenConnected(el: Element, maxMs = 3000): Promise<void> {
  if (el.isConnected || typeof requestAnimationFrame !== "function") return Promise.resolve();
  const t0 = Date.now();
  return new Promise((resolve) => {
    const tick = () => {
      if (el.isConnected || Date.now() - t0 > maxMs) resolve();
      else setTimeout(tick, 16);
    };
    tick();
  });
}

function clone<T>(x: T): T {
  return x == null ? x : (JSON.parse(JSON.stringify(x)) as T);
}

export function createChartLayer(host: HTMLElement, opts: ChartLayerOptions = {}): ChartLayer {
  const getRuntime = async (): Promise<ChartRuntime> => {
    const src = opts.runtime;
    const rt = (typeof src === "function" ? await src() : src) ?? chartRuntime();
    if (!rt) throw new Error("the chart runtime is not loaded");
    return rt;
  };
  const doEmbed: EmbedFn = opts.embed ?? (async (el, spec, o) => (await getRuntime()).embed(el, spec, o));
  const slots = new Map<string, Slot>();
  const stats: ChartLayerStats = { embeds: 0, dataUpdates: 0, errors: 0 };
  let destroyed = false;
  let selected: string | null = null;
  let themeKey = "";
  let config: Record<string, unknown> = {};
  // Updates are serialised; only the latest pending one runs.
  let running: Promise<void> | null = null;
  let pending: { payload: ChartsPayload | null | undefined; theme: Theme; selectedId: string | null | undefined } | null = null;

  host.classList.add("jw-charts");
  host.hidden = true; // until a map-level chart shows (no layout shift for maps without charts)

  function place(slot: Slot, at: string): void {
    let parent: HTMLElement | null = null;
    if (at && at !== "map" && opts.anchor) {
      try {
        parent = opts.anchor(at);
      } catch {
        parent = null;
      }
    }
    const target = parent ?? host;
    slot.el.dataset.at = at;
    slot.el.classList.toggle("jw-chart-anchored", target !== host);
    if (slot.el.parentElement !== target) target.appendChild(slot.el);
  }

  function newSlot(key: string, at: string): Slot {
    const el = document.createElement("div");
    el.className = "jw-chart";
    el.dataset.chartKey = key;
    const body = document.createElement("div");
    body.className = "jw-chart-body";
    const note = document.createElement("div");
    note.className = "jw-chart-error";
    note.setAttribute("role", "alert");
    note.hidden = true;
    el.append(body, note);
    // clicks and drags inside a chart are the chart's, not the card's or the stage's under it
    const stop = (e: Event) => e.stopPropagation();
    for (const ev of ["pointerdown", "mousedown", "click", "dblclick"]) el.addEventListener(ev, stop);
    const slot: Slot = {
      key, el, body, note, view: null, finalize: null, rev: null, dataRev: undefined,
      dataJson: null, dataName: null, themeKey: null, at, serial: 0, band: null, bandSig: null, entry: null,
    };
    slots.set(key, slot);
    place(slot, at);
    return slot;
  }

  function dropView(slot: Slot): void {
    if (slot.finalize) {
      try {
        slot.finalize();
      } catch {
        /* already gone */
      }
    }
    slot.view = null;
    slot.finalize = null;
    slot.rev = null;
    slot.dataJson = null;
    slot.dataRev = undefined;
    slot.body.textContent = "";
    delete slot.el.dataset.viewSerial;
  }

  function removeSlot(slot: Slot): void {
    dropView(slot);
    slot.el.remove();
    slots.delete(slot.key);
  }

  function showError(slot: Slot, message: string): void {
    dropView(slot);
    slot.note.textContent = message; // text, never markup
    slot.note.hidden = false;
    slot.el.classList.add("jw-chart-has-error");
    stats.errors += 1;
  }

  function clearError(slot: Slot): void {
    slot.note.hidden = true;
    slot.note.textContent = "";
    slot.el.classList.remove("jw-chart-has-error");
  }

  async function pushSelected(view: ViewLike): Promise<void> {
    try {
      view.signal(SELECT_PARAM, selected ?? "");
    } catch {
      return; // a custom chart without the param
    }
    await view.runAsync();
  }

  /** The band an entry draws on, when the map has it. */
  function bandOf(entry: ChartEntry): BandPlace | null {
    if (!entry.band || !entry.band_spec || !opts.band) return null;
    try {
      return opts.band(entry.band);
    } catch {
      return null;
    }
  }

  async function embedSlot(slot: Slot, entry: ChartEntry, dataJson: string, band: BandPlace | null): Promise<void> {
    dropView(slot);
    const spec = clone(band ? entry.band_spec : entry.spec) as Record<string, any>;
    if (band) {
      // drawn in the map's own pixels: no padding, exactly the band's size
      Object.assign(spec, { width: band.width, height: band.height, autosize: { type: "none" }, padding: 0 });
    }
    if (entry.data) {
      // The values go in as the named dataset, so later data-only updates can
      // replace them with view.data(name, values).
      const values = band ? band.rows(entry.data.values as Record<string, unknown>[]) : entry.data.values;
      spec.datasets = { ...(spec.datasets || {}), [entry.data.name]: values };
    }
    const result = await doEmbed(slot.body, spec, {
      actions: false,
      renderer: "svg",
      mode: "vega-lite",
      config,
      tooltip: true,
      logLevel: 0,
    });
    if (destroyed || slots.get(slot.key) !== slot) {
      result.finalize();
      return;
    }
    slot.view = result.view;
    slot.finalize = () => result.finalize();
    slot.rev = entry.rev;
    slot.dataRev = entry.data_rev;
    slot.dataJson = dataJson;
    slot.dataName = entry.data ? entry.data.name : null;
    slot.themeKey = themeKey;
    slot.band = band ? entry.band! : null;
    slot.bandSig = band ? band.sig : null;
    slot.entry = entry;
    slot.el.classList.toggle("jw-chart-band", !!band);
    slot.serial = ++VIEW_SERIAL;
    slot.el.dataset.viewSerial = String(slot.serial);
    stats.embeds += 1;
    slot.el.dataset.embeds = String(Number(slot.el.dataset.embeds || 0) + 1);
    result.view.addEventListener("click", (_event, item) => {
      const id = datumId(item);
      if (id && opts.onSelect) opts.onSelect(id);
    });
    await pushSelected(result.view);
  }

  async function updateSlot(slot: Slot, entry: ChartEntry, band: BandPlace | null): Promise<void> {
    const dataJson = entry.data ? JSON.stringify(entry.data.values) : "";
    const needsEmbed =
      !slot.view || slot.rev !== entry.rev || slot.themeKey !== themeKey ||
      slot.dataName !== (entry.data ? entry.data.name : null) || slot.band !== (band ? entry.band : null);
    if (needsEmbed) {
      await embedSlot(slot, entry, dataJson, band);
      return;
    }
    slot.entry = entry;
    if (dataJson === slot.dataJson && (!band || band.sig === slot.bandSig)) return;
    const view = slot.view!;
    if (band) {
      view.width?.(band.width);
      view.height?.(band.height);
      slot.bandSig = band.sig;
    }
    if (entry.data) view.data(entry.data.name, band ? band.rows(clone(entry.data.values) as Record<string, unknown>[]) : clone(entry.data.values));
    await view.runAsync();
    slot.dataJson = dataJson;
    slot.dataRev = entry.data_rev;
    stats.dataUpdates += 1;
    slot.el.dataset.dataUpdates = String(Number(slot.el.dataset.dataUpdates || 0) + 1);
  }

  async function apply(payload: ChartsPayload | null | undefined, theme: Theme, selectedId: string | null | undefined): Promise<void> {
    // anywidget may render into an element that is not in the document yet: its
    // CSS variables (the theme) only resolve once it is, so wait for that first.
    await whenConnected(host);
    const cfg = themeConfig(host, theme);
    const key = JSON.stringify(cfg);
    if (key !== themeKey) {
      themeKey = key;
      config = cfg;
    }
    if (selectedId !== undefined) selected = selectedId || null;
    const specs = (payload && payload.specs) || {};
    for (const slot of [...slots.values()]) {
      if (!(slot.key in specs)) removeSlot(slot);
    }
    const keys = Object.keys(specs);
    // Map-level charts keep the payload's order under the header.
    for (const k of keys) {
      const entry = specs[k];
      if (!entry) continue;
      const at = entry.at || "map";
      const band = bandOf(entry);
      let slot = slots.get(k);
      if (!slot) slot = newSlot(k, at);
      slot.at = at;
      if (band) placeIn(slot, band.host);
      else place(slot, at);
      slot.el.dataset.kind = entry.kind || "";
      if (entry.title) slot.el.setAttribute("aria-label", entry.title);
      if (entry.error || !entry.spec) {
        showError(slot, entry.error || "This chart has nothing to show.");
        continue;
      }
      clearError(slot);
      try {
        await updateSlot(slot, entry, band);
      } catch (err) {
        showError(slot, `Chart could not be drawn: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    for (const k of keys) {
      const slot = slots.get(k);
      if (slot && slot.at === "map" && slot.el.parentElement === host) host.appendChild(slot.el);
    }
    host.hidden = ![...slots.values()].some((s) => s.el.parentElement === host);
    if (selectedId !== undefined) {
      await Promise.all([...slots.values()].filter((s) => s.view).map((s) => pushSelected(s.view!)));
    }
  }

  /** A slot drawn over a band of the map. */
  function placeIn(slot: Slot, parent: HTMLElement): void {
    slot.el.classList.add("jw-chart-anchored");
    if (slot.el.parentElement !== parent) parent.appendChild(slot.el);
  }

  function reanchor(): void {
    let redraw = false;
    for (const slot of slots.values()) {
      if (slot.band && slot.entry) {
        const band = bandOf(slot.entry);
        if (band) {
          placeIn(slot, band.host);
          if (band.sig !== slot.bandSig) redraw = true;
          continue;
        }
        redraw = true; // the band went away: the chart goes back under the header
      }
      place(slot, slot.at);
    }
    host.hidden = ![...slots.values()].some((s) => s.el.parentElement === host);
    if (redraw && lastPayload !== undefined) void update(lastPayload, lastTheme, undefined);
  }

  let lastPayload: ChartsPayload | null | undefined = undefined;
  let lastTheme: Theme = undefined;

  function update(payload: ChartsPayload | null | undefined, theme?: Theme, selectedId?: string | null): Promise<void> {
    lastPayload = payload;
    lastTheme = theme;
    pending = { payload, theme, selectedId };
    if (running) return running;
    running = (async () => {
      try {
        while (pending && !destroyed) {
          const p = pending;
          pending = null;
          await apply(p.payload, p.theme, p.selectedId);
        }
      } finally {
        running = null;
      }
    })();
    return running;
  }

  async function select(selectedId: string | null | undefined): Promise<void> {
    selected = selectedId || null;
    await Promise.all([...slots.values()].filter((s) => s.view).map((s) => pushSelected(s.view!)));
  }

  function destroy(): void {
    destroyed = true;
    for (const slot of [...slots.values()]) removeSlot(slot);
    host.classList.remove("jw-charts");
  }

  return {
    update,
    select,
    reanchor,
    destroy,
    stats,
    view: (key: string) => slots.get(key)?.view ?? null,
  };
}

