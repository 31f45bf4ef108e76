// The anywidget host of a standalone page (journeywidget.export.to_html): a model
// with the API anywidget hands a widget module (get / set / on / off / send /
// save_changes) over the traits Python wrote into the page. On an editable page
// the widget's {"type": "ops"} messages are applied here by model/apply.ts (the
// rules of Python's mutations), with undo / redo of whole documents.
import { applyOps, OperationError, systemClock, type Clock } from "../model/apply";
import type { JourneyDoc } from "../model/types";

/** Trait names the page's state uses (Python writes them; older pages may differ). */
export interface PageTraits {
  doc: string;
  rev: string;
  error: string;
  can_undo?: string | null;
  can_redo?: string | null;
}

/** What Python wrote into the page's `jw-data` script. */
export interface PageData {
  state: Record<string, unknown>;
  traits: PageTraits;
  editable: boolean;
  /** Read-only pages: every built-in overlay's charts, by "overlay|metric". */
  overlays?: Record<string, unknown> | null;
}

type Handler = (...args: any[]) => void;

export class PageModel {
  readonly widget_manager = {
    get_model: async (): Promise<never> => {
      throw new Error("no other widgets in a standalone page");
    },
  };
  private readonly state: Record<string, unknown>;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly undoStack: JourneyDoc[] = [];
  private readonly redoStack: JourneyDoc[] = [];

  /** `onCommit(changes)` runs after every new document (the page shows "n changes"). */
  constructor(
    private readonly data: PageData,
    private readonly onCommit: (changes: number) => void = () => undefined,
    private readonly clock: Clock = systemClock,
  ) {
    this.state = data.state;
  }

  get(name: string): any {
    return this.state[name];
  }

  set(name: string, value: unknown): void {
    const values: Record<string, unknown> = { [name]: value };
    // Read-only pages carry every built-in overlay precomputed: switching swaps the charts.
    const overlays = this.data.overlays;
    if ((name === "overlay" || name === "overlay_metric") && overlays) {
      const overlay = name === "overlay" ? value : this.state.overlay;
      const metric = name === "overlay_metric" ? value : this.state.overlay_metric;
      const charts = overlays[`${overlay}|${metric || ""}`] || overlays[`${overlay}|`];
      if (charts) values._charts = charts;
    }
    this.setMany(values);
  }

  /** Set several traits, then fire the change events (as one Jupyter state update does). */
  private setMany(values: Record<string, unknown>): void {
    const changed: string[] = [];
    for (const [k, v] of Object.entries(values)) {
      if (this.state[k] !== v) changed.push(k);
      this.state[k] = v;
    }
    for (const k of changed) this.emit(`change:${k}`, this, this.state[k]);
    if (changed.length) this.emit("change", this);
  }

  save_changes(): void {}

  on(events: string, cb: Handler): void {
    for (const ev of String(events).split(/\s+/).filter(Boolean)) {
      if (!this.handlers.has(ev)) this.handlers.set(ev, new Set());
      this.handlers.get(ev)!.add(cb);
    }
  }

  off(events?: string | null, cb?: Handler | null): void {
    if (!events) {
      this.handlers.clear();
      return;
    }
    for (const ev of String(events).split(/\s+/).filter(Boolean)) {
      if (!cb) this.handlers.delete(ev);
      else this.handlers.get(ev)?.delete(cb);
    }
  }

  private emit(ev: string, ...args: unknown[]): void {
    for (const cb of Array.from(this.handlers.get(ev) || [])) {
      try {
        cb(...args);
      } catch (e) {
        console.error(e);
      }
    }
  }

  private reply(msg: Record<string, unknown>): void {
    setTimeout(() => this.emit("msg:custom", msg, []), 0);
  }

  private rev(): number {
    return Number(this.get(this.data.traits.rev) || 0);
  }

  send(content: unknown): void {
    const msg = (content || {}) as Record<string, any>;
    const T = this.data.traits;
    if (msg.type === "ops") {
      if (!this.data.editable) {
        this.reply({ type: "result", rid: msg.rid, ok: false, error: "This page is read-only.", rev: this.rev() });
        return;
      }
      const before = this.get(T.doc) as JourneyDoc;
      let result: { doc: JourneyDoc; changed: boolean };
      try {
        result = applyOps(before, msg.ops, this.clock);
      } catch (e) {
        if (!(e instanceof OperationError)) console.error(e);
        const error = e instanceof OperationError ? e.message : `invalid edit: ${String((e as Error)?.message || e)}`;
        this.setMany({ [T.error]: error });
        this.reply({ type: "result", rid: msg.rid, ok: false, error, rev: this.rev() });
        return;
      }
      if (result.changed) {
        this.undoStack.push(before);
        this.redoStack.length = 0;
        this.commit(result.doc);
      } else if (this.get(T.error)) {
        this.setMany({ [T.error]: "" });
      }
      this.reply({ type: "result", rid: msg.rid, ok: true, error: null, rev: this.rev() });
      return;
    }
    if (msg.type === "undo" || msg.type === "redo") {
      if (!this.data.editable) return;
      const from = msg.type === "undo" ? this.undoStack : this.redoStack;
      const to = msg.type === "undo" ? this.redoStack : this.undoStack;
      const doc = from.pop();
      if (!doc) return;
      to.push(this.get(T.doc));
      this.commit(doc);
      return;
    }
    if (msg.rid !== undefined) {
      this.reply({ type: "result", rid: msg.rid, ok: false, error: "Not available in a standalone page.", rev: this.rev() });
    }
  }

  /**
   * This page again, with the map as it is now (the Export menu's "HTML" when no Python
   * is behind the page): the page's own markup with its data script rewritten and the
   * rendered map taken out. Null outside a standalone page.
   */
  pageHtml(): string | null {
    if (typeof document === "undefined" || !document.getElementById("jw-data")) return null;
    const T = this.data.traits;
    const copy = document.documentElement.cloneNode(true) as HTMLElement;
    copy.removeAttribute("data-jw-ready");
    for (const sel of ["#jw-root", "#jw-status"]) {
      const el = copy.querySelector(sel);
      if (el) el.textContent = "";
    }
    copy.querySelector("#jw-icon-sheet")?.remove();
    copy.querySelector("#jw-download")?.classList.remove("jw-dirty");
    const state: Record<string, unknown> = { ...this.state, [T.error]: "", selected: "" };
    if (T.can_undo) state[T.can_undo] = false;
    if (T.can_redo) state[T.can_redo] = false;
    // "<" written as an escape (no "</script>" can end the data early); no "<" followed by
    // "/" may appear in this module's code either: Python escapes "</" when it inlines it
    const json = JSON.stringify({ ...this.data, state }).split("<").join("\\u003c").split("\u2028").join("\\u2028").split("\u2029").join("\\u2029");
    copy.querySelector("#jw-data")!.textContent = json;
    return "<!DOCTYPE html>\n" + copy.outerHTML + "\n";
  }

  /** A new document: bump the revision and the undo / redo flags with it. */
  private commit(doc: JourneyDoc): void {
    const T = this.data.traits;
    const values: Record<string, unknown> = { [T.doc]: doc, [T.rev]: this.rev() + 1, [T.error]: "" };
    if (T.can_undo) values[T.can_undo] = this.undoStack.length > 0;
    if (T.can_redo) values[T.can_redo] = this.redoStack.length > 0;
    this.setMany(values);
    this.onCommit(this.undoStack.length);
  }
}
