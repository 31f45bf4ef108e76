// The toolbar's Export menu: download the map as shown (overlay, segment, numbers)
// as JSON, a standalone HTML page, SVG, PNG or CSV.
//
// JSON is written here from the document. HTML, SVG, CSV and PNG come from Python
// ({"type": "export", "format", "rid"} -> {"type": "export", "rid", "ok", "filename",
// "mime", "note", "rasterize"} with the file as the one binary buffer); the formats
// Python makes are in the `_exports` trait. Without vl-convert in the kernel, PNG is
// drawn here from Python's SVG. A standalone page (no Python) offers JSON and the
// page itself with the current map.
//
// Keyboard: the button opens the menu with Enter, Space or ArrowDown; ArrowUp /
// ArrowDown / Home / End move between the items, Enter picks one, Escape and Tab close.
import { h, setText } from "../components/dom";
import { icon } from "../components/icons";
import { downloadBlob, downloadText } from "../host/download";
import { slugify } from "../model/ids";
import type { JourneyView } from "./journey-view";

const TIMEOUT_MS = 120_000;
/** Chromium's canvas limits: a side of 16,384 px and about 268 M pixels; stay below. */
const MAX_SIDE = 16_000;
const MAX_PIXELS = 120_000_000;

interface Item {
  format: string;
  label: string;
  hint: string;
}

const ITEMS: Item[] = [
  { format: "json", label: "JSON", hint: "the map file (open it with Journey.load)" },
  { format: "html", label: "HTML page", hint: "one offline page with the map and its charts" },
  { format: "svg", label: "SVG picture", hint: "the map with its numbers, as a vector picture" },
  { format: "png", label: "PNG picture", hint: "the map with its numbers, as an image" },
  { format: "csv", label: "CSV table", hint: "one row per touchpoint, with its numbers" },
];

interface Reply {
  ok: boolean;
  error?: string;
  filename?: string;
  mime?: string;
  note?: string;
  rasterize?: boolean;
}

/** The width and height an SVG document says it has (px). */
export function svgSize(svg: string): { width: number; height: number } {
  const tag = /<svg\b[^>]*>/.exec(svg)?.[0] || "";
  const num = (name: string) => {
    const m = new RegExp(`\\s${name}\\s*=\\s*["']\\s*([0-9.]+)`).exec(tag);
    return m ? Number(m[1]) : NaN;
  };
  let width = num("width");
  let height = num("height");
  if (!(width > 0 && height > 0)) {
    const vb = /viewBox\s*=\s*["']\s*[-0-9.]+[\s,]+[-0-9.]+[\s,]+([0-9.]+)[\s,]+([0-9.]+)/.exec(tag);
    if (vb) [width, height] = [Number(vb[1]), Number(vb[2])];
  }
  return { width: width > 0 ? width : 800, height: height > 0 ? height : 600 };
}

/** The scale at which a w x h picture fits the browser's canvas (at most `want`); 0 when even 1/4 does not. */
export function canvasScale(width: number, height: number, want = 2): number {
  const s = Math.min(want, MAX_SIDE / width, MAX_SIDE / height, Math.sqrt(MAX_PIXELS / (width * height)));
  return s >= 0.25 ? s : 0;
}

/** Draw an SVG document into a PNG (in the page, without Python's vl-convert). */
export async function svgToPng(svg: string, want = 2, doc: Document = document): Promise<Blob> {
  const { width, height } = svgSize(svg);
  const scale = canvasScale(width, height, want);
  if (!scale) throw new Error(`the map is ${Math.round(width)} x ${Math.round(height)} px, too large for a PNG made in the browser; download the SVG instead`);
  const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    img.decoding = "async";
    const loaded = new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error("the browser could not draw the SVG"));
    });
    img.src = url;
    await loaded;
    const canvas = doc.createElement("canvas");
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("this browser gives no canvas to draw the PNG");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the browser could not encode the PNG"))), "image/png"),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

export class ExportMenu {
  el!: HTMLElement;
  private button!: HTMLButtonElement;
  private menu!: HTMLElement;
  private status!: HTMLElement;
  private ridBase = Math.floor(Math.random() * 1e6) * 1e6;
  private ridCount = 0;
  private waiting = new Map<number, { resolve: (r: [Reply, DataView | null]) => void; timer: ReturnType<typeof setTimeout> }>();
  private offDoc: (() => void) | null = null;
  private sayTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly v: JourneyView) {}

  /** The formats this view can offer now. */
  formats(): string[] {
    const exports = this.v.model.get("_exports");
    const python = new Set(Array.isArray(exports) ? exports.map(String) : []);
    const out = ["json"];
    if (python.has("html") || this.pageHtml()) out.push("html");
    if (python.has("svg")) out.push("svg");
    if (python.has("png") || python.has("svg")) out.push("png");
    if (python.has("csv")) out.push("csv");
    return out;
  }

  private pageHtml(): string | null {
    const fn = (this.v.model as any).pageHtml;
    return typeof fn === "function" ? fn.call(this.v.model) : null;
  }

  /** The toolbar's part: the Export button with its menu (rebuilt with the toolbar). */
  build(): HTMLElement {
    this.offDoc?.();
    const uid = this.v.uid;
    this.button = h(
      "button",
      { type: "button", class: "jw-btn jw-export-btn", title: "Export the map as shown", "aria-haspopup": "menu", "aria-expanded": "false", "aria-controls": `jw-export-menu-${uid}` },
      icon("down"),
      "Export",
    );
    this.menu = h("div", { class: "jw-export-menu", id: `jw-export-menu-${uid}`, role: "menu", "aria-label": "Export the map as" });
    this.menu.hidden = true;
    this.status = h("span", { class: "jw-export-status", role: "status", "aria-live": "polite", title: "Click to dismiss" });
    this.status.addEventListener("click", () => this.say(""));
    this.el = h("span", { class: "jw-export" }, this.button, this.menu, this.status);
    this.button.addEventListener("click", () => (this.menu.hidden ? this.open(false) : this.close(false)));
    this.button.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && !this.menu.hidden) {
        e.preventDefault();
        e.stopPropagation();
        this.close(true);
      } else if (e.key === "ArrowDown" || ((e.key === "Enter" || e.key === " ") && this.menu.hidden)) {
        e.preventDefault();
        e.stopPropagation();
        this.open(true);
      }
    });
    this.menu.addEventListener("keydown", (e) => this.onMenuKey(e));
    const doc = this.v.root.ownerDocument;
    const outside = (e: Event) => {
      if (!this.menu.hidden && !this.el.contains(e.target as Node)) this.close(false);
    };
    doc.addEventListener("pointerdown", outside, true);
    this.offDoc = () => doc.removeEventListener("pointerdown", outside, true);
    return this.el;
  }

  private items(): HTMLButtonElement[] {
    return Array.from(this.menu.querySelectorAll<HTMLButtonElement>('[role="menuitem"]'));
  }

  open(focusFirst: boolean): void {
    this.menu.textContent = "";
    for (const item of ITEMS.filter((it) => this.formats().includes(it.format))) {
      const b = h("button", { type: "button", role: "menuitem", class: "jw-export-item", "data-format": item.format, tabindex: -1, title: item.hint }, h("span", { class: "jw-export-label" }, item.label), h("span", { class: "jw-export-hint" }, item.hint));
      b.addEventListener("click", () => {
        this.close(true);
        void this.run(item.format);
      });
      this.menu.appendChild(b);
    }
    this.menu.hidden = false;
    this.place();
    this.button.setAttribute("aria-expanded", "true");
    if (focusFirst) this.items()[0]?.focus();
  }

  /** Open towards the side with room: right-aligned to the button unless that
   * would cut the menu off at the map's (or the window's) left edge. */
  private place(): void {
    this.menu.classList.remove("jw-export-menu--start");
    const frame = this.el.closest(".jw-root")?.getBoundingClientRect();
    const left = Math.max(frame ? frame.left : 0, 0);
    if (this.menu.getBoundingClientRect().left < left) this.menu.classList.add("jw-export-menu--start");
  }

  close(refocus: boolean): void {
    if (this.menu.hidden) return;
    this.menu.hidden = true;
    this.button.setAttribute("aria-expanded", "false");
    if (refocus) this.button.focus();
  }

  private onMenuKey(e: KeyboardEvent): void {
    const items = this.items();
    const at = items.indexOf(e.target as HTMLButtonElement);
    const go = (i: number) => items[(i + items.length) % items.length]?.focus();
    if (e.key === "ArrowDown") go(at + 1);
    else if (e.key === "ArrowUp") go(at - 1);
    else if (e.key === "Home") go(0);
    else if (e.key === "End") go(items.length - 1);
    else if (e.key === "Escape") this.close(true);
    else if (e.key === "Tab") {
      this.close(false);
      return;
    } else return;
    e.preventDefault();
    e.stopPropagation();
  }

  private say(text: string, isError = false): void {
    if (!this.status) return;
    if (this.sayTimer) clearTimeout(this.sayTimer);
    setText(this.status, text);
    this.status.classList.toggle("jw-export-error", isError);
    // a done message goes after a few seconds; an error stays until clicked or the next export
    if (text && !isError && !text.endsWith("…")) this.sayTimer = setTimeout(() => this.say(""), 5000);
  }

  private filename(ext: string): string {
    const doc = this.v.doc;
    return `${slugify(String(doc.id || doc.title || ""), "journey")}.${ext}`;
  }

  /** Make one format and download it; resolves when done (or failed: the status says why). */
  async run(format: string): Promise<void> {
    const doc = this.v.root.ownerDocument;
    try {
      if (format === "json") {
        downloadText(JSON.stringify(this.v.doc, null, 2) + "\n", this.filename("json"), "application/json", doc);
        this.say(`Downloaded ${this.filename("json")}`);
        return;
      }
      const exports = this.v.model.get("_exports");
      const python = Array.isArray(exports) && exports.map(String);
      if (format === "html" && !(python && python.includes("html"))) {
        const page = this.pageHtml();
        if (!page) throw new Error("this page cannot copy itself");
        downloadText(page, this.filename("html"), "text/html", doc);
        this.say(`Downloaded ${this.filename("html")}`);
        return;
      }
      const ask = format === "png" && !(python && python.includes("png")) ? "svg" : format;
      this.say(`Making the ${format.toUpperCase()}…`);
      const [reply, buffer] = await this.request(ask);
      if (!reply.ok || !buffer) throw new Error(reply.error || "Python made no file");
      const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength).slice();
      let blob = new Blob([bytes], { type: reply.mime || "application/octet-stream" });
      let name = reply.filename || this.filename(format);
      if (format === "png" && (reply.rasterize || ask === "svg")) {
        blob = await svgToPng(new TextDecoder().decode(bytes), 2, doc);
        name = name.replace(/\.svg$/, ".png");
      }
      downloadBlob(blob, name, doc);
      this.say(`Downloaded ${name}` + (reply.note ? ` (${reply.note})` : ""));
    } catch (err) {
      this.say(`Export failed: ${err instanceof Error ? err.message : String(err)}`, true);
    }
  }

  private request(format: string): Promise<[Reply, DataView | null]> {
    const rid = this.ridBase + ++this.ridCount;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.waiting.delete(rid)) resolve([{ ok: false, error: "no answer from Python: is the kernel running?" }, null]);
      }, TIMEOUT_MS);
      this.waiting.set(rid, { resolve, timer });
      this.v.model.send({ type: "export", format, rid });
    });
  }

  /** Python's answers (every view of the model gets them; each takes its own). */
  onMessage(msg: any, buffers?: unknown[]): void {
    if (!msg || msg.type !== "export") return;
    const w = this.waiting.get(msg.rid);
    if (!w) return;
    this.waiting.delete(msg.rid);
    clearTimeout(w.timer);
    const b = buffers && buffers[0];
    const view = b instanceof DataView ? b : ArrayBuffer.isView(b) ? new DataView(b.buffer, b.byteOffset, b.byteLength) : b instanceof ArrayBuffer ? new DataView(b) : null;
    w.resolve([msg as Reply, view]);
  }

  destroy(): void {
    this.offDoc?.();
    this.offDoc = null;
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
    if (this.sayTimer) clearTimeout(this.sayTimer);
  }
}
