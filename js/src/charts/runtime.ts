// The chart runtime of the map's charts: vega, vega-lite and vega-embed are NOT in
// the widget module. They are built into a separate single-file module
// (static/charts-runtime.js, see charts-runtime.ts) whose source Python sends the
// first time a widget has a chart to show: in the kernel's shared JourneyRuntime model
// (its `charts` trait), or in the widget's own `_chart_runtime` trait for widgets that
// carry their code inline (marimo) and in the standalone page. It is
// imported here from a Blob URL, once per source text for the whole page (every
// view of every widget shares the load), so a notebook without charts never
// carries Vega in its saved widget state. Nothing is fetched from the network.
import { importCode } from "../host/import-code";

/** What the chart runtime module provides (charts-runtime.ts). */
export interface ChartRuntime {
  embed: EmbedFn;
  vega?: unknown;
  vegaLite?: unknown;
}

/** A runtime, or a function that resolves to one (null = not available yet). */
export type RuntimeSource = ChartRuntime | (() => ChartRuntime | null | Promise<ChartRuntime | null>);

let injectedRuntime: ChartRuntime | null = null;

/** Use this runtime for every chart layer that has none of its own (tests, other hosts). */
export function setChartRuntime(runtime: ChartRuntime | null): void {
  injectedRuntime = runtime;
}

/** The runtime set with setChartRuntime, if any. */
export function chartRuntime(): ChartRuntime | null {
  return injectedRuntime;
}

function asRuntime(mod: any): ChartRuntime {
  const embed = mod && (typeof mod.embed === "function" ? mod.embed : mod.default);
  if (typeof embed !== "function") throw new Error("the chart runtime module exports no embed()");
  return { embed: embed as EmbedFn, vega: mod.vega, vegaLite: mod.vegaLite };
}

// One load per runtime source text, shared by every view and widget on the page.
const runtimeLoads = new Map<string, Promise<ChartRuntime>>();

/** Import the chart runtime from its source text (cached per source, module-wide). */
export function loadChartRuntime(source: string): Promise<ChartRuntime> {
  let p = runtimeLoads.get(source);
  if (!p) {
    p = importCode(source).then(asRuntime);
    runtimeLoads.set(source, p);
    p.catch(() => {
      if (runtimeLoads.get(source) === p) runtimeLoads.delete(source); // a later draw may retry
    });
  }
  return p;
}

/** How many distinct runtime sources have been loaded (tests). */
export function chartRuntimeLoads(): number {
  return runtimeLoads.size;
}

/** The few methods of a Vega View the layer uses. */
export interface ViewLike {
  data(name: string, values?: unknown): unknown;
  signal(name: string, value?: unknown): unknown;
  runAsync(): Promise<unknown>;
  /** Resize (Vega views have these; stand-ins may not). */
  width?(w: number): unknown;
  height?(h: number): unknown;
  addEventListener(type: string, handler: (event: unknown, item: any) => void): unknown;
  finalize(): unknown;
}

export type EmbedFn = (
  el: HTMLElement,
  spec: any,
  opts: any,
) => Promise<{ view: ViewLike; finalize(): void }>;
