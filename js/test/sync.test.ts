// Python's patch messages on the page (src/host/sync.ts) and the per-widget loader
// (src/loader.ts), against a stand-in for ipywidgets' WidgetModel that keeps, as the
// real one does, every value set with `set` to send back to Python on the next
// `save_changes`, and values set with `set_state` (a kernel update) not.
import { afterEach, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  (HTMLCanvasElement.prototype as any).getContext = () => null;
});

import widget from "../src/index";
import loader, { hooks } from "../src/loader";
import { installSync } from "../src/host/sync";
import type { JourneyView } from "../src/view/journey-view";
import { FakeModel, sampleDoc } from "./fakemodel";

/** ipywidgets' WidgetModel, as far as the widget sees it: the test's fake model, plus
 * what the manager adds (dirty values sent on save_changes, set_state, get_model). */
class ManagerModel extends FakeModel {
  dirty = new Set<string>();
  toPython: Record<string, unknown>[] = [];
  readonly widget_manager: { get_model(id: string): Promise<any> };

  constructor(
    readonly id: string,
    state: Record<string, any>,
    models: Map<string, any>,
  ) {
    super({ _charts: {}, ...state });
    models.set(id, this);
    this.widget_manager = {
      get_model: async (mid: string) => {
        const m = models.get(mid);
        if (!m) throw new Error("widget model not found");
        return m;
      },
    };
  }
  override set(name: string, value: unknown) {
    this.state[name] = value;
    this.dirty.add(name);
    this.emit(`change:${name}`, this, value);
  }
  set_state(state: Record<string, unknown>) {
    for (const [k, v] of Object.entries(state)) this.state[k] = v;
    for (const k of Object.keys(state)) this.emit(`change:${k}`, this, state[k]);
  }
  override save_changes() {
    const out: Record<string, unknown> = {};
    for (const k of this.dirty) out[k] = this.state[k];
    this.dirty.clear();
    if (Object.keys(out).length) this.toPython.push(out);
  }
  /** Python's custom message. */
  custom(msg: unknown) {
    this.emit("msg:custom", msg, []);
  }
}

/** What anywidget hands the widget: get/set/send/on/off/save_changes and the manager. */
function proxy(m: ManagerModel, withSetState = true): any {
  return {
    get: m.get.bind(m),
    set: m.set.bind(m),
    save_changes: m.save_changes.bind(m),
    send: m.send.bind(m),
    on: m.on.bind(m),
    off: m.off.bind(m),
    widget_manager: withSetState ? m.widget_manager : { get_model: async () => ({ get: m.get.bind(m) }) },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

function rename(rev: number, pos: number, id: string, name: string) {
  return {
    type: "patch",
    model: "m1",
    base: rev,
    rev: rev + 1,
    patches: {
      _doc: [
        { op: "test", path: `/touchpoints/${pos}/id`, value: id },
        { op: "replace", path: `/touchpoints/${pos}/name`, value: name },
      ],
    },
  };
}

afterEach(() => {
  document.body.textContent = "";
  document.getElementById("journeywidget-css")?.remove();
});

describe("patches from Python", () => {
  function setup(withSetState = true) {
    const models = new Map<string, any>();
    const m = new ManagerModel("m1", { _doc: sampleDoc() }, models);
    const stats = { applied: 0, resyncs: 0 };
    const stop = installSync(proxy(m, withSetState), [], stats);
    return { m, stats, stop };
  }

  it("change the model as a kernel update does: every view sees them, nothing goes back", async () => {
    const { m, stats } = setup();
    const doc = m.state._doc;
    const changes: string[] = [];
    m.on("change:_doc", () => changes.push("doc"));
    m.custom(rename(1, 1, "search", "Find it"));
    await tick();
    expect(stats.applied).toBe(1);
    expect(m.state._rev).toBe(2);
    expect(m.state._doc.touchpoints[1].name).toBe("Find it");
    expect(m.state._doc.touchpoints[0]).toBe(doc.touchpoints[0]); // untouched items are shared
    expect(m.state._doc.stages).toBe(doc.stages);
    expect(doc.touchpoints[1].name).toBe("Search"); // the old document is left as it was
    expect(changes).toEqual(["doc"]);
    // a later edit of another trait sends only that trait to Python, never the document
    m.set("selected", "home");
    m.save_changes();
    expect(m.toPython).toEqual([{ selected: "home" }]);
    expect(m.sent).toEqual([]);
  });

  it("patch the metrics and charts as well, in one revision", async () => {
    const { m } = setup();
    m.state._metrics = { touchpoints: { home: { customers: 5 } }, insights: [] };
    m.custom({ type: "patch", model: "m1", base: 1, rev: 2, patches: { _metrics: [{ op: "replace", path: "/touchpoints/home/customers", value: 6 }] } });
    await tick();
    expect(m.state._metrics.touchpoints.home.customers).toBe(6);
    expect(m.state._rev).toBe(2);
  });

  it("ask for everything once after a missed message, then follow again", async () => {
    const { m, stats } = setup();
    m.custom(rename(2, 1, "search", "Skipped a revision"));
    m.custom(rename(3, 1, "search", "Again"));
    await tick();
    expect(stats.applied).toBe(0);
    expect(m.sent).toEqual([{ type: "resync", full: false, rev: 1 }]);
    // Python's answer: the whole values as a state update
    const fresh = sampleDoc();
    fresh.touchpoints[1].name = "Again";
    m.set_state({ _doc: fresh, _rev: 4 });
    m.custom(rename(4, 1, "search", "Then this"));
    await tick();
    expect(m.state._doc.touchpoints[1].name).toBe("Then this");
    expect(m.sent).toHaveLength(1);
  });

  it("ask for everything when a patch does not fit the document", async () => {
    const { m, stats } = setup();
    m.custom(rename(1, 1, "not-this-one", "x"));
    await tick();
    expect(stats.applied).toBe(0);
    expect(m.state._doc.touchpoints[1].name).toBe("Search");
    expect(m.sent).toEqual([{ type: "resync", full: false, rev: 1 }]);
  });

  it("skip what is already here, and take messages kept while the code loaded", async () => {
    const models = new Map<string, any>();
    const m = new ManagerModel("m1", { _doc: sampleDoc(), _rev: 1 }, models);
    const stats = { applied: 0, resyncs: 0 };
    installSync(proxy(m), [[rename(1, 0, "home", "Start")], [rename(2, 2, "checkout", "Pay")]], stats);
    await tick();
    m.custom(rename(1, 0, "home", "Start")); // a duplicate
    await tick();
    expect(stats.applied).toBe(2);
    expect(m.state._doc.touchpoints.map((t: any) => t.name)).toEqual(["Start", "Search", "Pay"]);
    expect(m.sent).toEqual([]);
  });

  it("ask for whole values from then on in a host without set_state", async () => {
    const { m, stats } = setup(false);
    m.custom(rename(1, 1, "search", "x"));
    m.custom(rename(2, 1, "search", "y"));
    await tick();
    expect(stats.applied).toBe(0);
    expect(m.sent).toEqual([{ type: "resync", full: true, rev: 1 }]);
  });

  it("stop when the model goes", async () => {
    const { m, stats, stop } = setup();
    stop();
    m.custom(rename(1, 1, "search", "x"));
    await tick();
    expect(stats.applied).toBe(0);
  });

  it("reach every view of the widget", async () => {
    const models = new Map<string, any>();
    const m = new ManagerModel("m1", { _doc: sampleDoc() }, models);
    widget.initialize({ model: proxy(m) });
    const els = [0, 1].map(() => {
      const el = document.createElement("div");
      document.body.appendChild(el);
      widget.render({ model: proxy(m), el });
      return el;
    });
    m.custom(rename(1, 1, "search", "Find it"));
    await tick();
    for (const el of els) {
      const view = (el as any).__journeyView as JourneyView;
      expect(view.doc.touchpoints![1].name).toBe("Find it");
      expect(el.querySelector('.jw-tp[data-id="search"] [data-field="name"]')!.textContent).toBe("Find it");
    }
  });
});

describe("the loader", () => {
  let pages = 0;
  function page(code = "real-code") {
    const models = new Map<string, any>();
    const rt = `rt${++pages}`; // the loader keeps one load per runtime for the page's lifetime
    const runtime = new ManagerModel(rt, { code, css: ".jw-root{color:red}", charts: "" }, models);
    const m = new ManagerModel("m1", { _doc: sampleDoc(), _runtime: `IPY_MODEL_${rt}` }, models);
    return { models, runtime, m };
  }

  it("takes the map's code from the shared runtime once, with the CSS", async () => {
    const { runtime, m, models } = page("code-a");
    const imported: string[] = [];
    hooks.importCode = async (code: string) => {
      imported.push(code);
      return { default: widget };
    };
    const m2 = new ManagerModel("m2", { _doc: sampleDoc(), _runtime: m.state._runtime }, models);
    for (const model of [m, m2]) loader.initialize({ model: proxy(model) });
    const el = document.createElement("div");
    document.body.appendChild(el);
    await loader.render({ model: proxy(m), el });
    const el2 = document.createElement("div");
    await loader.render({ model: proxy(m2), el: el2 });
    expect(imported).toEqual(["code-a"]);
    expect(document.getElementById("journeywidget-css")!.textContent).toBe(".jw-root{color:red}");
    expect(el.querySelector(".jw-root")).not.toBeNull();
    expect(el.querySelector(".jw-loading")).toBeNull();
    expect(((el as any).__journeyView as JourneyView).runtime!.get("code")).toBe(runtime.state.code);
  });

  it("keeps Python's messages that arrive while the code loads", async () => {
    const { m } = page("code-b");
    let release!: () => void;
    hooks.importCode = () => new Promise((r) => (release = () => r({ default: widget })));
    loader.initialize({ model: proxy(m) });
    await tick();
    m.custom(rename(1, 1, "search", "Early"));
    release();
    await tick();
    await tick();
    expect(m.state._doc.touchpoints[1].name).toBe("Early");
    expect(m.state._rev).toBe(2);
  });

  it("asks Python for the code inline when there is no runtime to take it from", async () => {
    const models = new Map<string, any>();
    const m = new ManagerModel("m1", { _doc: sampleDoc(), _runtime: null }, models);
    const el = document.createElement("div");
    await loader.render({ model: proxy(m), el });
    expect(m.sent).toEqual([{ type: "inline" }]);
    expect(el.textContent).toContain("asking Python");
  });
});
