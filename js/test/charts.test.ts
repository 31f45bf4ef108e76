import { describe, expect, it, vi } from "vitest";

// jsdom has no canvas; vega-scenegraph probes one at import time (text is measured by estimate).
vi.hoisted(() => {
  (HTMLCanvasElement.prototype as any).getContext = () => null;
});
import embed from "vega-embed";
import { createChartLayer, datumId, themeConfig, type ChartsPayload } from "../src/charts/layer";
import { mountCharts } from "../src/charts/mount";
import { loadChartRuntime, setChartRuntime, type EmbedFn, type ViewLike } from "../src/charts/runtime";
import { FakeModel } from "./fakemodel";

interface FakeView extends ViewLike {
  id: number;
  dataCalls: [string, unknown][];
  signals: Record<string, unknown>;
  handlers: ((e: unknown, item: any) => void)[];
  finalized: boolean;
  spec: any;
  opts: any;
}

function fakeEmbed() {
  const views: FakeView[] = [];
  const embed: EmbedFn = async (el, spec, opts) => {
    const view: FakeView = {
      id: views.length + 1,
      dataCalls: [],
      signals: {},
      handlers: [],
      finalized: false,
      spec,
      opts,
      data(name: string, values?: unknown) {
        this.dataCalls.push([name, values]);
        return this;
      },
      signal(name: string, value?: unknown) {
        const declared = (spec.params || []).some((p: any) => p.name === name);
        if (!declared) throw new Error(`Unrecognized signal name: ${name}`);
        if (value !== undefined) this.signals[name] = value;
        return this;
      },
      async runAsync() {
        return this;
      },
      addEventListener(type: string, handler: (e: unknown, item: any) => void) {
        if (type === "click") this.handlers.push(handler);
        return this;
      },
      finalize() {
        this.finalized = true;
      },
    };
    views.push(view);
    const svg = document.createElement("svg");
    el.appendChild(svg);
    return { view, finalize: () => view.finalize() };
  };
  return { embed, views };
}

/** Hosts live in the document, as a rendered widget's do (the layer waits for that). */
function mkHost(): HTMLElement {
  const host = document.createElement("div");
  document.body.appendChild(host);
  return host;
}

function entry(values: unknown[], rev = 1, extra: Record<string, unknown> = {}) {
  return {
    at: "map",
    spec: { mark: "bar", data: { name: "table" }, params: [{ name: "jw_selected", value: "" }] },
    data: { name: "table", values },
    error: null,
    rev,
    ...extra,
  };
}

describe("chart layer", () => {
  it("embeds once, then swaps data in place while the spec is unchanged", async () => {
    const host = mkHost();
    const { embed, views } = fakeEmbed();
    const layer = createChartLayer(host, { embed });
    await layer.update({ specs: { overlay: entry([{ touchpoint: "a", value: 1 }]) } });
    expect(views.length).toBe(1);
    // values went in as the named dataset
    expect(views[0].spec.datasets.table).toEqual([{ touchpoint: "a", value: 1 }]);
    expect(views[0].opts).toMatchObject({ actions: false, renderer: "svg" });
    const node = host.querySelector(".jw-chart") as HTMLElement;
    await layer.update({ specs: { overlay: entry([{ touchpoint: "a", value: 2 }]) } });
    expect(views.length).toBe(1);
    expect(views[0].dataCalls).toEqual([["table", [{ touchpoint: "a", value: 2 }]]]);
    expect(host.querySelector(".jw-chart")).toBe(node);
    expect(layer.stats).toMatchObject({ embeds: 1, dataUpdates: 1 });
    // same data again: nothing to do
    await layer.update({ specs: { overlay: entry([{ touchpoint: "a", value: 2 }]) } });
    expect(views[0].dataCalls.length).toBe(1);
    // a new spec revision re-embeds that chart only
    await layer.update({ specs: { overlay: entry([{ touchpoint: "a", value: 2 }], 2) } });
    expect(views.length).toBe(2);
    expect(views[0].finalized).toBe(true);
  });

  it("shows a chart's error as text in its place, not as markup", async () => {
    const host = mkHost();
    const { embed, views } = fakeEmbed();
    const layer = createChartLayer(host, { embed });
    const err = "ZeroDivisionError: <b>division</b> by zero";
    await layer.update({ specs: { mine: { at: "map", spec: null, data: null, error: err, rev: 1 } } });
    const note = host.querySelector(".jw-chart-error") as HTMLElement;
    expect(note.hidden).toBe(false);
    expect(note.textContent).toBe(err);
    expect(note.querySelector("b")).toBeNull();
    expect(views.length).toBe(0);
    await layer.update({ specs: { mine: entry([{ v: 1 }], 2) } });
    expect(note.hidden).toBe(true);
    expect(views.length).toBe(1);
  });

  it("links selection both ways", async () => {
    const host = mkHost();
    const { embed, views } = fakeEmbed();
    const onSelect = vi.fn();
    const layer = createChartLayer(host, { embed, onSelect });
    const custom = { ...entry([{ x: 1 }]), spec: { mark: "bar", data: { name: "table" } } };
    await layer.update({ specs: { overlay: entry([{ touchpoint: "a" }]), plain: custom } }, "light", "a");
    expect(views[0].signals.jw_selected).toBe("a");
    // a chart without the param is left alone
    expect(views[1].signals.jw_selected).toBeUndefined();
    await layer.select("b");
    expect(views[0].signals.jw_selected).toBe("b");
    views[0].handlers[0]({}, { datum: { touchpoint: "checkout", value: 3 } });
    expect(onSelect).toHaveBeenCalledWith("checkout");
    views[0].handlers[0]({}, { datum: { stage: "buy" } });
    expect(onSelect).toHaveBeenLastCalledWith("buy");
    views[0].handlers[0]({}, null);
    expect(onSelect).toHaveBeenCalledTimes(2);
  });

  it("puts anchored charts in their cells and removes charts that went away", async () => {
    const host = mkHost();
    const cell = document.createElement("div");
    const { embed, views } = fakeEmbed();
    let anchorEl: HTMLElement | null = cell;
    host.appendChild(cell);
    const layer = createChartLayer(host, { embed, anchor: (at) => (at === "buy" ? anchorEl : null) });
    const payload: ChartsPayload = {
      specs: { overlay: entry([{ a: 1 }]), byStage: entry([{ a: 1 }], 1, { at: "buy" }) },
    };
    await layer.update(payload);
    expect(cell.querySelector('[data-chart-key="byStage"]')).not.toBeNull();
    expect(host.querySelector('[data-chart-key="overlay"]')).not.toBeNull();
    // the map re-rendered its cell: reanchor moves the live chart over
    const cell2 = document.createElement("div");
    host.appendChild(cell2);
    anchorEl = cell2;
    layer.reanchor();
    expect(cell2.querySelector('[data-chart-key="byStage"]')).not.toBeNull();
    expect(views.length).toBe(2);
    await layer.update({ specs: { overlay: entry([{ a: 1 }]) } });
    expect(cell2.querySelector('[data-chart-key="byStage"]')).toBeNull();
    expect(views[1].finalized).toBe(true);
    layer.destroy();
    expect(host.querySelector(".jw-chart")).toBeNull();
  });

  it("runs only the latest of overlapping updates", async () => {
    const host = mkHost();
    const { embed, views } = fakeEmbed();
    const layer = createChartLayer(host, { embed });
    const p1 = layer.update({ specs: { overlay: entry([{ v: 1 }]) } });
    layer.update({ specs: { overlay: entry([{ v: 2 }]) } });
    const p3 = layer.update({ specs: { overlay: entry([{ v: 3 }]) } });
    await p1;
    await p3;
    expect(views.length).toBe(1);
    const last = views[0].dataCalls.at(-1);
    const shown = last ? last[1] : views[0].spec.datasets.table;
    expect(shown).toEqual([{ v: 3 }]);
  });

  it("waits until its host is in the document before drawing", async () => {
    const host = document.createElement("div");
    const { embed, views } = fakeEmbed();
    const layer = createChartLayer(host, { embed });
    const done = layer.update({ specs: { overlay: entry([{ v: 1 }]) } });
    await new Promise((r) => setTimeout(r, 50));
    expect(views.length).toBe(0);
    document.body.appendChild(host);
    await done;
    expect(views.length).toBe(1);
    host.remove();
  });

  it("reads the theme from CSS variables and picks the datum id", () => {
    const host = document.createElement("div");
    host.style.setProperty("--jw-fg", "#123456");
    document.body.appendChild(host);
    const cfg = themeConfig(host, "light") as any;
    expect(cfg.title.color).toBe("#123456");
    expect((themeConfig(null, "dark") as any).title.color).toBe("#e6e6e6");
    expect(datumId({ datum: { touchpoint: "t", stage: "s" } })).toBe("t");
    expect(datumId({ datum: { datum: { stage: "s" } } })).toBe("s");
    expect(datumId({ datum: { value: 1 } })).toBeNull();
    host.remove();
  });
});

describe("chart layer with real vega-embed", () => {
  it("renders SVG marks and updates them in place", async () => {
    const host = document.createElement("div");
    document.body.appendChild(host);
    // the runtime module (static/charts-runtime.js) is injected: here, vega-embed from node_modules
    const layer = createChartLayer(host, { runtime: { embed: embed as unknown as EmbedFn } });
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      data: { name: "table" },
      mark: "bar",
      params: [{ name: "jw_selected", value: "" }],
      encoding: { x: { field: "touchpoint", type: "nominal" }, y: { field: "value", type: "quantitative" } },
    };
    const values = [
      { touchpoint: "a", value: 1 },
      { touchpoint: "b", value: 2 },
      { touchpoint: "c", value: 3 },
    ];
    await layer.update({ specs: { overlay: { at: "map", spec, data: { name: "table", values }, error: null, rev: 1 } } });
    const view = layer.view("overlay") as any;
    expect(view).not.toBeNull();
    expect(host.querySelectorAll(".mark-rect path").length).toBe(3);
    await layer.update({
      specs: { overlay: { at: "map", spec, data: { name: "table", values: values.slice(0, 2) }, error: null, rev: 1 } },
    });
    expect(layer.view("overlay")).toBe(view);
    expect(host.querySelectorAll(".mark-rect path").length).toBe(2);
    expect(view.signal("jw_selected")).toBe("");
    await layer.select("b");
    expect(view.signal("jw_selected")).toBe("b");
    layer.destroy();
    host.remove();
  });
});

describe("lazy chart runtime (_chart_runtime)", () => {
  function mount(state: Record<string, any>) {
    const model = new FakeModel(state);
    const root = document.createElement("div");
    const host = document.createElement("div");
    root.appendChild(host);
    document.body.appendChild(root);
    return { model, root, host };
  }

  it("draws nothing until the runtime arrives, then draws with it", async () => {
    const { model, root, host } = mount({ overlay: "emotion", overlay_metric: "", _charts: { overlay: "emotion", specs: { overlay: entry([{ touchpoint: "a" }]) } } });
    const { embed: fake, views } = fakeEmbed();
    let asked = 0;
    // stands in for Python sending the runtime's source: mountCharts reads `_chart_runtime`
    const mounted = mountCharts({ model, host, toolbar: null, root, select: () => {} });
    await mounted.refresh();
    expect(views.length).toBe(0);
    expect(host.querySelector(".jw-chart-error")).toBeNull();
    mounted.destroy();
    expect(model.listeners("change:_chart_runtime")).toBe(0);

    const withRuntime = mountCharts({
      model, host, toolbar: null, root, select: () => {},
      runtime: { embed: (async (el: HTMLElement, spec: any, o: any) => { asked++; return fake(el, spec, o); }) as EmbedFn },
    });
    await withRuntime.refresh();
    expect(asked).toBe(1);
    expect(views.length).toBe(1);
    withRuntime.destroy();
    root.remove();
  });

  it("redraws when `_chart_runtime` arrives", async () => {
    const { model, root, host } = mount({ overlay: "funnel", overlay_metric: "", _charts: { overlay: "funnel", specs: { overlay: entry([{ touchpoint: "a" }]) } } });
    const { embed: fake, views } = fakeEmbed();
    const mounted = mountCharts({ model, host, toolbar: null, root, select: () => {} });
    await mounted.refresh();
    expect(views.length).toBe(0);
    setChartRuntime({ embed: fake });
    try {
      model.set("_chart_runtime", "export const embed = () => null;"); // Python sends the source
      await new Promise((r) => setTimeout(r, 0));
      await mounted.refresh();
      expect(views.length).toBe(1);
      expect(mounted.layer.view("overlay")).toBe(views[0]);
    } finally {
      setChartRuntime(null);
      mounted.destroy();
      root.remove();
    }
  });

  it("loads one runtime module per source text, shared by every caller", async () => {
    const src = "export function embed() { return 'drawn'; } export const vega = { version: 'x' };";
    const a = loadChartRuntime(src);
    const b = loadChartRuntime(src);
    expect(a).toBe(b);
    const rt = await a.catch(() => null);
    // jsdom/node may refuse Blob and data: module URLs; in a browser both work.
    if (rt) {
      expect(typeof rt.embed).toBe("function");
      expect((rt.vega as any).version).toBe("x");
    }
  });
});
