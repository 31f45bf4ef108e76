// The standalone page (journeywidget.export.to_html, built to static/standalone.js and
// embedded by Python as the page's one module script): reads the state Python wrote
// into the page, loads the widget bundle from the page itself (no network), renders
// the map with a PageModel, and offers "Download JSON" on editable pages. When the
// map cannot start, the static SVG picture from <noscript> is shown instead.
//
// The chart runtime (vega, vega-lite, vega-embed) is not in the widget bundle: when
// the page has charts, the state carries its source in `_chart_runtime` and the
// widget imports it from a Blob URL (data: URL fallback) like the bundle below.
import { downloadText } from "../host/download";
import { importCode } from "../host/import-code";
import { slugify } from "../model/ids";
import { PageModel, type PageData } from "./page-model";

const byId = (id: string) => document.getElementById(id);
const readJson = (id: string): any => JSON.parse(byId(id)!.textContent || "null");

function say(text: string, isError = false): void {
  const status = byId("jw-status");
  if (!status) return;
  status.textContent = text;
  status.className = isError ? "jw-status jw-error" : "jw-status";
}

function download(model: PageModel, data: PageData): void {
  const doc = model.get(data.traits.doc);
  downloadText(JSON.stringify(doc, null, 2) + "\n", `${slugify(doc.id || doc.title, "journey")}.json`, "application/json");
}

function showFallback(root: HTMLElement, err: unknown): void {
  console.error(err);
  const ns = document.querySelector("noscript#jw-fallback");
  root.textContent = "";
  const note = document.createElement("p");
  note.className = "jw-status jw-error";
  note.textContent = "The interactive map could not start; this is a static picture of it.";
  root.appendChild(note);
  if (ns) {
    const box = document.createElement("div");
    box.className = "jw-static";
    box.innerHTML = ns.textContent || ""; // our own escaped SVG, written by journeywidget
    root.appendChild(box);
  }
  document.documentElement.dataset.jwReady = "fallback";
}

async function loadBundle(): Promise<any> {
  return importCode(readJson("jw-bundle"));
}

async function start(root: HTMLElement): Promise<void> {
  const data: PageData = readJson("jw-data");
  const model = new PageModel(data, (changes) => {
    byId("jw-download")?.classList.add("jw-dirty");
    say(`${changes} change${changes === 1 ? "" : "s"} in this page — download to keep them`);
  });
  (window as any).jwModel = model; // for tests and for the curious
  byId("jw-download")?.addEventListener("click", () => download(model, data));
  const mod = await loadBundle();
  const widget = mod.default && typeof mod.default === "object" ? mod.default : mod;
  const experimental = {
    invoke: async () => {
      throw new Error("no kernel in a standalone page");
    },
  };
  const ctrl = new AbortController();
  if (typeof widget.initialize === "function") await widget.initialize({ model, experimental, signal: ctrl.signal });
  if (typeof widget.render !== "function") throw new Error("the widget bundle has no render()");
  root.textContent = "";
  await widget.render({ model, el: root, experimental, signal: ctrl.signal });
  document.documentElement.dataset.jwReady = "1";
}

/** Start the page (the entry module calls this once). */
export function main(): void {
  const root = byId("jw-root")!;
  start(root).catch((err) => showFallback(root, err));
}
