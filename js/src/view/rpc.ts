// Talking to Python: edits go out as {"type": "ops"} messages with a request id;
// the {"type": "result"} answer settles the edit once the document revision it
// names has arrived (so a caller sees the new document). Undo / redo requests,
// and the error bar for refused edits and silent kernels.
import { h, setText, cssEscape } from "../components/dom";
import { liveFieldOf } from "../components/editable";
import { icon } from "../components/icons";
import type { Op } from "../model/types";
import type { JourneyView } from "./journey-view";

const RESULT_TIMEOUT_MS = 20000;

export class Rpc {
  /** The error bar (under the map). */
  el!: HTMLElement;
  private text!: HTMLElement;
  private ridBase = Math.floor(Math.random() * 1e6) * 1e6;
  private ridCount = 0;
  private waiting = new Map<number, (ok: boolean) => void>();
  private deferred: { rev: number; run: () => void }[] = [];
  private localError = "";
  private pendingFocus: { id: string; field?: string } | null = null;

  constructor(private readonly v: JourneyView) {}

  build(): HTMLElement {
    this.text = h("span", { class: "jw-error-text" });
    const dismiss = h("button", { type: "button", class: "jw-ibtn", title: "Dismiss", "aria-label": "Dismiss message" }, icon("close"));
    dismiss.addEventListener("click", () => this.dismissError());
    this.el = h("div", { class: "jw-error", role: "alert" }, icon("pain_points"), this.text, dismiss);
    this.el.hidden = true;
    return this.el;
  }

  /** Send ops to Python; resolves true if applied. Focus `focusAfter` once it renders. */
  send(ops: Op[], focusAfter?: { id: string; field?: string }): Promise<boolean> {
    const v = this.v;
    if (!v.editable || ops.length === 0) return Promise.resolve(false);
    if (focusAfter) this.pendingFocus = focusAfter;
    return this.request({ type: "ops", ops });
  }

  /** A data action of the page (`clusters`, `add_persona_from_cluster`, `add_opportunity`):
   * the kernel answers with a result like an edit's; resolves true if it worked. */
  ask(type: string, fields: Record<string, unknown>): Promise<boolean> {
    return this.request({ ...fields, type });
  }

  private request(msg: Record<string, unknown>): Promise<boolean> {
    const v = this.v;
    const rid = this.ridBase + ++this.ridCount;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        if (this.waiting.delete(rid)) {
          this.localError = "No answer from Python: is the kernel running?";
          this.renderError();
          resolve(false);
        }
      }, RESULT_TIMEOUT_MS);
      this.waiting.set(rid, (ok) => {
        clearTimeout(timer);
        resolve(ok);
      });
      v.model.send({ ...msg, rid });
    });
  }

  onMessage(msg: any): void {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "result") {
      const cb = this.waiting.get(msg.rid);
      if (!cb) return;
      this.waiting.delete(msg.rid);
      const run = () => {
        if (msg.ok) {
          if (this.localError) {
            this.localError = "";
            this.renderError();
          }
        } else {
          this.localError = String(msg.error || "The edit was refused.");
          this.renderError();
          this.pendingFocus = null;
        }
        cb(!!msg.ok);
        this.applyPendingFocus();
      };
      const rev = typeof msg.rev === "number" ? msg.rev : null;
      const have = Number(this.v.model.get("_rev"));
      if (rev === null || !Number.isFinite(have) || have >= rev) run();
      else this.deferred.push({ rev, run });
    }
  }

  /** Run result callbacks whose document revision has arrived. */
  settleDeferred(): void {
    if (this.deferred.length === 0) return;
    const have = Number(this.v.model.get("_rev"));
    const ready = this.deferred.filter((d) => !(have < d.rev));
    this.deferred = this.deferred.filter((d) => have < d.rev);
    for (const d of ready) d.run();
  }

  /** Focus the item (and field) a sent edit asked for, once it is on the page. */
  applyPendingFocus(): void {
    const pf = this.pendingFocus;
    if (!pf) return;
    const root = this.v.root;
    const item = root.querySelector(`.jw-item[data-id="${cssEscape(pf.id)}"]`) as HTMLElement | null;
    if (!item) return;
    this.pendingFocus = null;
    let target: HTMLElement = item;
    if (pf.field) {
      const f = item.querySelector(`[data-field="${cssEscape(pf.field)}"]`) as HTMLElement | null;
      if (f) target = f;
    }
    target.focus({ preventScroll: false });
    if (target !== item && target.isContentEditable) {
      const sel = root.ownerDocument.getSelection();
      if (sel) {
        const r = root.ownerDocument.createRange();
        r.selectNodeContents(target);
        sel.removeAllRanges();
        sel.addRange(r);
      }
    }
    if (this.v.selected !== pf.id) this.v.select(pf.id);
  }

  history(which: "undo" | "redo"): void {
    if (!this.v.editable) return;
    this.flushAll();
    this.v.model.send({ type: which });
  }

  /** Send every pending (debounced) text edit now. */
  flushAll(): void {
    for (const el of Array.from(this.v.root.querySelectorAll("[data-field], .jw-input"))) liveFieldOf(el)?.flush();
  }

  renderError(): void {
    if (!this.el) return;
    const msg = String(this.v.model.get("_error") || "") || this.localError;
    setText(this.text, msg);
    this.el.hidden = !msg;
  }

  private dismissError(): void {
    const model = this.v.model;
    this.localError = "";
    if (model.get("_error")) {
      model.set("_error", "");
      model.save_changes();
    }
    this.renderError();
  }
}
