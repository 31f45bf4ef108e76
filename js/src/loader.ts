// The `_esm` of every JourneyWidget (built to static/loader.js): a small module that
// takes the map's code from the kernel's one JourneyRuntime widget instead of carrying
// it, so a notebook saves the code (and the chart runtime) once, not once per map.
// See src/journeywidget/widget/runtime.py and docs/ARCHITECTURE.md.
//
// The widget's `_runtime` trait is a reference "IPY_MODEL_<id>"; the widget manager
// gives that model, whose `code` is imported once per page (Blob URL) and whose `css`
// goes into one <style> of the page. When the runtime cannot be reached, the loader
// asks Python to put the code into the widget itself ({"type": "inline"}); anywidget
// then loads that instead.
import { importCode } from "./host/import-code";

const PREFIX = "IPY_MODEL_";
const STYLE_ID = "journeywidget-css";
/** How long to wait for the runtime model (a manager may still be restoring saved state). */
const WAIT_MS = 20000;

interface Model {
  get(name: string): any;
  send(content: unknown): void;
  on(event: string, cb: (...args: any[]) => void): void;
  off(event?: string | null, cb?: ((...args: any[]) => void) | null): void;
  widget_manager?: { get_model(id: string): Promise<any> };
}

interface Loaded {
  widget: any;
  runtime: any;
}

const loads = new Map<string, Promise<Loaded>>();
/** How a module is imported from its text (tests put a stand-in here). */
export const hooks = { importCode };

function injectCss(css: string): void {
  if (typeof document === "undefined") return;
  let el = document.getElementById(STYLE_ID);
  if (!el) {
    el = document.createElement("style");
    el.id = STYLE_ID;
    document.head.appendChild(el);
  }
  if (el.textContent !== css) el.textContent = css;
}

async function runtimeModel(model: Model, ref: string): Promise<any> {
  const wm = model.widget_manager;
  if (!wm || typeof wm.get_model !== "function") throw new Error("this host has no widget manager to find the shared runtime");
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const rt = await wm.get_model(ref.slice(PREFIX.length));
      if (rt) return rt;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`no widget model ${ref}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The map's module and the runtime model, once per runtime (shared by every widget). */
function load(model: Model): Promise<Loaded> {
  const ref = model.get("_runtime");
  if (typeof ref !== "string" || !ref.startsWith(PREFIX)) return Promise.reject(new Error("this widget references no shared runtime"));
  let p = loads.get(ref);
  if (!p) {
    p = runtimeModel(model, ref).then(async (runtime) => {
      const code = runtime.get("code");
      if (typeof code !== "string" || !code) throw new Error("the shared runtime holds no code");
      injectCss(String(runtime.get("css") || ""));
      const mod = await hooks.importCode(code);
      const widget = mod.default && typeof mod.default === "object" ? mod.default : mod;
      return { widget, runtime };
    });
    loads.set(ref, p);
    p.catch(() => {
      if (loads.get(ref) === p) loads.delete(ref);
    });
  }
  return p;
}

function askInline(model: Model, err: unknown): void {
  console.warn("journeywidget: the shared front end is not available here; asking Python for it inline", err);
  try {
    model.send({ type: "inline" }); // idempotent in Python: each view of each widget may ask
  } catch {
    /* no kernel: the message in the view says what happened */
  }
}

export default {
  initialize({ model, experimental }: { model: Model; experimental?: unknown }) {
    // Messages that arrive while the code loads are kept for the map's own initialize.
    const pending: unknown[][] = [];
    const keep = (...args: unknown[]) => pending.push(args);
    model.on("msg:custom", keep);
    let stopped = false;
    let cleanup: unknown = null;
    load(model).then(
      async ({ widget, runtime }) => {
        model.off("msg:custom", keep);
        if (stopped || typeof widget.initialize !== "function") return;
        cleanup = await widget.initialize({ model, experimental, pending, runtime });
      },
      (err) => {
        model.off("msg:custom", keep);
        askInline(model, err);
      },
    );
    return () => {
      stopped = true;
      model.off("msg:custom", keep);
      if (typeof cleanup === "function") (cleanup as () => void)();
    };
  },

  async render({ model, el, experimental }: { model: Model; el: HTMLElement; experimental?: unknown }) {
    const note = document.createElement("div");
    note.className = "jw-loading";
    note.setAttribute("role", "status");
    note.textContent = "Loading the journey map…";
    el.appendChild(note);
    let loaded: Loaded;
    try {
      loaded = await load(model);
    } catch (err) {
      note.textContent = "The journey map's code could not be loaded from the notebook's shared runtime; asking Python for it…";
      askInline(model, err);
      return () => note.remove();
    }
    note.remove();
    return loaded.widget.render({ model, el, experimental, runtime: loaded.runtime });
  },
};
