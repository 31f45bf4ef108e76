// Charts on the map view: the overlay switcher and the chart layer, driven by
// the model traits `overlay`, `overlay_metric`, `_charts` and `_chart_runtime`.
import { createChartLayer, type BandPlace, type ChartLayer, type ChartsPayload } from "./layer";
import { chartRuntime, loadChartRuntime, type ChartRuntime, type EmbedFn } from "./runtime";

export interface ChartsModel {
  get(name: string): any;
  set(name: string, value: unknown): void;
  save_changes(): void;
  on(event: string, cb: (...args: any[]) => void): void;
  off(event?: string | null, cb?: ((...args: any[]) => void) | null): void;
}

export interface MountedCharts {
  readonly layer: ChartLayer;
  readonly switcher: HTMLElement;
  /** Re-read the traits and redraw (data-only when only data changed). */
  refresh(): Promise<void>;
  /** Call after the map re-rendered: anchored charts go back into their cells. */
  reanchor(): void;
  select(id: string | null | undefined): void;
  destroy(): void;
}

export const OVERLAY_LABELS: Record<string, string> = {
  none: "No overlay",
  emotion: "Emotion curve",
  funnel: "Stage funnel",
  metric: "Metric by touchpoint",
  trend: "Trend by touchpoint",
};

/** "dark" when JupyterLab (or the OS) uses a dark theme. */
export function detectTheme(el: Element | null): "light" | "dark" {
  const body = typeof document !== "undefined" ? document.body : null;
  const flag = body && body.getAttribute("data-jp-theme-light");
  if (flag === "false") return "dark";
  if (flag === "true") return "light";
  const colab = typeof document !== "undefined" && document.documentElement.getAttribute("theme");
  if (colab === "dark") return "dark";
  try {
    if (el && typeof window !== "undefined" && window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches) {
      return "dark";
    }
  } catch {
    /* no matchMedia */
  }
  return "light";
}

function option(value: string, label: string): HTMLOptionElement {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = label;
  return o;
}

/**
 * Where a chart anchored at `at` goes inside `root`: the charts row under a stage
 * (its own row, so a chart never makes the stage headers taller), else a stage
 * header, else a touchpoint's metric block / card.
 */
export function defaultAnchor(root: HTMLElement, at: string): HTMLElement | null {
  const esc = typeof CSS !== "undefined" && CSS.escape ? CSS.escape(at) : at.replace(/["\\]/g, "\\$&");
  return (
    (root.querySelector(`[data-kind="stage-charts"][data-stage="${esc}"]`) as HTMLElement | null) ||
    (root.querySelector(`[data-kind="stage"][data-id="${esc}"]`) as HTMLElement | null) ||
    (root.querySelector(`[data-kind="touchpoint-metric"][data-id="${esc}"]`) as HTMLElement | null) ||
    (root.querySelector(`[data-kind="touchpoint"][data-id="${esc}"]`) as HTMLElement | null)
  );
}

export function mountCharts(opts: {
  model: ChartsModel;
  /** The element under the header that holds map-level charts. */
  host: HTMLElement;
  /** Where the overlay switcher goes (the toolbar). */
  toolbar: HTMLElement | null;
  /** The map's root (anchors are looked up in it). */
  root: HTMLElement;
  /** Select an item on the map (sets `selected`). */
  select(id: string): void;
  /** The kernel's shared runtime model: its `charts` trait holds the chart runtime's source. */
  shared?: Pick<ChartsModel, "get" | "on" | "off"> | null;
  /** The map's geometry for the built-in overlays that draw on it (view/bands.ts). */
  band?: (name: string) => BandPlace | null;
  embed?: EmbedFn;
  /** For tests / other hosts: the chart runtime instead of the `_chart_runtime` trait's module. */
  runtime?: ChartRuntime;
}): MountedCharts {
  const { model, host, root } = opts;
  const runtimeSource = (): string => {
    const shared = opts.shared ? opts.shared.get("charts") : "";
    const src = typeof shared === "string" && shared ? shared : model.get("_chart_runtime");
    return typeof src === "string" ? src : "";
  };
  // Charts can be drawn once a runtime is at hand: given, set page-wide, or sent by Python.
  const canDraw = (): boolean => Boolean(opts.embed || opts.runtime || chartRuntime() || runtimeSource());
  const layer = createChartLayer(host, {
    onSelect: (id) => opts.select(id),
    anchor: (at) => defaultAnchor(root, at),
    band: opts.band,
    embed: opts.embed,
    runtime: () => {
      if (opts.runtime) return opts.runtime;
      const injected = chartRuntime();
      if (injected) return injected;
      const src = runtimeSource();
      return src ? loadChartRuntime(src) : null;
    },
  });
  // the overlay switcher
  const switcher = document.createElement("span");
  switcher.className = "jw-overlay-switch";
  const overlaySel = document.createElement("select");
  overlaySel.className = "jw-select jw-overlay-select";
  overlaySel.setAttribute("aria-label", "Chart overlay");
  overlaySel.title = "Chart overlay";
  for (const [v, label] of Object.entries(OVERLAY_LABELS)) overlaySel.appendChild(option(v, label));
  const metricSel = document.createElement("select");
  metricSel.className = "jw-select jw-overlay-metric";
  metricSel.setAttribute("aria-label", "Overlay metric");
  metricSel.title = "Metric";
  switcher.append(overlaySel, metricSel);
  if (opts.toolbar) opts.toolbar.appendChild(switcher);
  overlaySel.addEventListener("change", () => {
    model.set("overlay", overlaySel.value);
    model.set("overlay_metric", "");
    model.save_changes();
  });
  metricSel.addEventListener("change", () => {
    model.set("overlay_metric", metricSel.value);
    model.save_changes();
  });

  function renderSwitcher(payload: ChartsPayload | null): void {
    const overlay = String(model.get("overlay") || "none");
    if (overlaySel.value !== overlay) overlaySel.value = overlay;
    const names =
      overlay === "metric"
        ? (payload && payload.metrics_available) || ["customers"]
        : overlay === "trend"
          ? ((payload as any)?.trend_metrics as string[]) || ["customers", "events"]
          : [];
    const current = String(model.get("overlay_metric") || (payload && payload.metric) || names[0] || "");
    const sig = names.join("\u0001");
    if (metricSel.dataset.sig !== sig) {
      metricSel.dataset.sig = sig;
      metricSel.textContent = "";
      for (const n of names) metricSel.appendChild(option(n, n.replace(/_/g, " ")));
    }
    metricSel.hidden = names.length === 0;
    if (names.includes(current)) metricSel.value = current;
  }

  let disposed = false;
  const refresh = async () => {
    if (disposed) return;
    const payload = (model.get("_charts") || null) as ChartsPayload | null;
    renderSwitcher(payload);
    // Something to draw but no runtime yet: wait for `change:_chart_runtime` (Python
    // sends it with the first chart) instead of showing an error.
    const drawable = Object.values((payload && payload.specs) || {}).some((e) => e && e.spec && !e.error);
    // a built-in overlay that draws on the map reserves its room there (the band's chart zone)
    const ov = payload && payload.specs ? payload.specs.overlay : null;
    for (const band of ["stages", "emotions", "metrics"]) {
      root.classList.toggle(`jw-ov-${band}`, !!(ov && ov.band === band && ov.band_spec && !ov.error && opts.band));
    }
    if (drawable && !canDraw()) return;
    await layer.update(payload, detectTheme(root), String(model.get("selected") || ""));
    markStageCharts();
  };
  // the charts row under the stage headers shows its title only when a stage has a chart
  const markStageCharts = () => {
    const grid = root.querySelector(".jw-grid");
    if (grid) grid.classList.toggle("jw-has-stage-charts", !!root.querySelector(".jw-stage-charts > .jw-chart"));
  };
  const onChange = () => {
    void refresh();
  };
  model.on("change:_charts", onChange);
  model.on("change:overlay", onChange);
  model.on("change:overlay_metric", onChange);
  model.on("change:_chart_runtime", onChange);
  opts.shared?.on("change:charts", onChange);
  // JupyterLab theme switches change the CSS variables the charts are coloured with
  let observer: MutationObserver | null = null;
  if (typeof MutationObserver !== "undefined" && typeof document !== "undefined") {
    observer = new MutationObserver(() => onChange());
    observer.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-name", "data-jp-theme-light"] });
  }
  void refresh();
  return {
    layer,
    switcher,
    refresh,
    reanchor: () => {
      layer.reanchor();
      markStageCharts();
    },
    select: (id) => void layer.select(id),
    destroy: () => {
      disposed = true;
      model.off("change:_charts", onChange);
      model.off("change:overlay", onChange);
      model.off("change:overlay_metric", onChange);
      model.off("change:_chart_runtime", onChange);
      opts.shared?.off("change:charts", onChange);
      observer?.disconnect();
      layer.destroy();
      switcher.remove();
    },
  };
}
