// Inline editing: a text field (contenteditable element, input or textarea)
// whose edits are debounced (~300 ms), flushed on blur / Enter, sent as ops,
// and which keeps the user's text, focus and caret while the document
// re-renders underneath it.
import { textKeyAction } from "./keys";

export const DEBOUNCE_MS = 300;

/** What committing a value returns: a promise of success (false = refused). */
export type Commit = (value: string) => Promise<boolean> | void;

export interface LiveFieldOptions {
  multiline?: boolean;
  placeholder?: string;
  label?: string;
  /** Called with the new text; the field stays "busy" until it settles. */
  commit: Commit;
  debounce?: number;
}

let plaintextOnly: boolean | null = null;
function supportsPlaintextOnly(): boolean {
  if (plaintextOnly === null) {
    try {
      const d = document.createElement("div");
      d.contentEditable = "plaintext-only";
      plaintextOnly = d.contentEditable === "plaintext-only";
    } catch {
      plaintextOnly = false;
    }
  }
  return plaintextOnly;
}

/** The text of a contenteditable element, with line breaks for <br> and blocks. */
export function readEditableText(el: Node, multiline: boolean): string {
  let out = "";
  const walk = (node: Node, first: boolean) => {
    node.childNodes.forEach((child, i) => {
      if (child.nodeType === 3) out += (child as Text).data;
      else if (child.nodeType === 1) {
        const tag = (child as Element).tagName;
        if (tag === "BR") out += "\n";
        else if (tag === "DIV" || tag === "P") {
          if (out.length > 0 && !out.endsWith("\n")) out += "\n";
          walk(child, first && i === 0);
        } else walk(child, false);
      }
    });
  };
  walk(el, true);
  // a trailing <br> is the browser's placeholder for an empty last line
  if (out.endsWith("\n")) out = out.slice(0, -1);
  out = out.replace(/\u00a0/g, " ");
  if (!multiline) out = out.replace(/[\r\n]+/g, " ");
  return out;
}

/** Character offset of the caret inside `el`, or -1. */
export function caretOffset(el: Element): number {
  const sel = (el.ownerDocument.defaultView || window).getSelection();
  if (!sel || sel.rangeCount === 0) return -1;
  const r = sel.getRangeAt(0);
  if (!el.contains(r.endContainer)) return -1;
  const pre = el.ownerDocument.createRange();
  pre.selectNodeContents(el);
  pre.setEnd(r.endContainer, r.endOffset);
  return pre.toString().length;
}

/** Put the caret at character `offset` (clamped) inside `el`. */
export function setCaret(el: Element, offset: number): void {
  const doc = el.ownerDocument;
  const sel = (doc.defaultView || window).getSelection();
  if (!sel) return;
  let remaining = Math.max(0, offset);
  const walker = doc.createTreeWalker(el, 4 /* SHOW_TEXT */);
  let node = walker.nextNode() as Text | null;
  let last: Text | null = null;
  while (node) {
    if (remaining <= node.data.length) {
      const r = doc.createRange();
      r.setStart(node, remaining);
      r.collapse(true);
      sel.removeAllRanges();
      sel.addRange(r);
      return;
    }
    remaining -= node.data.length;
    last = node;
    node = walker.nextNode() as Text | null;
  }
  const r = doc.createRange();
  if (last) r.setStart(last, last.data.length);
  else r.setStart(el, 0);
  r.collapse(true);
  sel.removeAllRanges();
  sel.addRange(r);
}

const registry = new WeakMap<Element, LiveField>();

/** The LiveField an element belongs to, if any. */
export function liveFieldOf(el: Element | null): LiveField | undefined {
  return el ? registry.get(el) : undefined;
}

export class LiveField {
  readonly el: HTMLElement;
  readonly multiline: boolean;
  private commitFn: Commit;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Local text not yet sent. */
  pending = false;
  /** Sent values not yet answered. */
  inflight = 0;
  /** The last send was refused: keep the user's text until fixed or reverted. */
  invalid = false;
  /** The latest value from the document. */
  remote = "";
  private lastSent: string | null = null;
  private readonly debounce: number;
  private readonly kind: "editable" | "input";

  constructor(el: HTMLElement, opts: LiveFieldOptions) {
    this.el = el;
    this.multiline = !!opts.multiline;
    this.commitFn = opts.commit;
    this.debounce = opts.debounce ?? DEBOUNCE_MS;
    this.kind = el.tagName === "INPUT" || el.tagName === "TEXTAREA" ? "input" : "editable";
    registry.set(el, this);
    if (this.kind === "editable") {
      el.setAttribute("contenteditable", supportsPlaintextOnly() ? "plaintext-only" : "true");
      el.setAttribute("role", "textbox");
      el.setAttribute("spellcheck", "true");
      if (this.multiline) el.setAttribute("aria-multiline", "true");
      if (opts.placeholder) el.setAttribute("data-placeholder", opts.placeholder);
    } else if (opts.placeholder) {
      el.setAttribute("placeholder", opts.placeholder);
    }
    if (opts.label) el.setAttribute("aria-label", opts.label);
    el.addEventListener("input", this.onInput);
    el.addEventListener("blur", this.onBlur);
    el.addEventListener("keydown", this.onKeyDown);
    if (this.kind === "editable") el.addEventListener("paste", this.onPaste);
  }

  setCommit(fn: Commit): void {
    this.commitFn = fn;
  }

  read(): string {
    if (this.kind === "input") return (this.el as HTMLInputElement).value;
    return readEditableText(this.el, this.multiline);
  }

  private write(text: string): void {
    if (this.kind === "input") {
      const input = this.el as HTMLInputElement;
      if (input.value !== text) input.value = text;
    } else if (this.el.textContent !== text) {
      this.el.textContent = text;
    }
  }

  get focused(): boolean {
    const d = this.el.ownerDocument;
    return !!d && d.activeElement === this.el;
  }

  /** Whether the user's text must be left alone. */
  get busy(): boolean {
    return this.pending || this.inflight > 0 || this.invalid;
  }

  /** The document's value changed (or re-rendered): show it unless busy. */
  set(value: string): void {
    const changedRemotely = value !== this.remote;
    this.remote = value;
    if (this.invalid && changedRemotely && !this.pending && this.inflight === 0) {
      // the document moved on (undo, another view...): drop the refused draft
      this.invalid = false;
      this.el.classList.remove("jw-invalid");
    }
    if (this.busy) return;
    this.show();
  }

  private show(): void {
    const text = this.remote;
    if (this.read() === text) return;
    if (this.focused && this.kind === "editable") {
      const off = caretOffset(this.el);
      this.write(text);
      if (off >= 0) setCaret(this.el, Math.min(off, text.length));
    } else if (this.focused) {
      const input = this.el as HTMLInputElement;
      const start = input.selectionStart;
      this.write(text);
      if (start !== null) {
        try {
          input.setSelectionRange(Math.min(start, text.length), Math.min(start, text.length));
        } catch {
          /* not all inputs have a selection */
        }
      }
    } else {
      this.write(text);
    }
  }

  private onInput = () => {
    this.pending = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.debounce);
  };

  private onBlur = () => {
    this.flush();
  };

  private onPaste = (e: Event) => {
    const ce = e as ClipboardEvent;
    const text = ce.clipboardData ? ce.clipboardData.getData("text/plain") : "";
    e.preventDefault();
    insertText(this.el, this.multiline ? text : text.replace(/[\r\n]+/g, " "));
  };

  private onKeyDown = (e: KeyboardEvent) => {
    if (e.isComposing) return;
    const a = textKeyAction(e, this.multiline || this.el.tagName === "TEXTAREA");
    if (a === "commit") {
      if (this.el.tagName === "TEXTAREA" && !e.ctrlKey && !e.metaKey) return; // textareas take Enter
      e.preventDefault();
      this.flush();
      if (this.kind === "editable") this.el.blur();
    } else if (a === "newline" && this.kind === "editable") {
      e.preventDefault();
      insertText(this.el, "\n");
    } else if (a === "revert") {
      e.preventDefault();
      this.revert();
      this.el.blur();
    }
  };

  /** Send the local text now if it changed. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.pending) return;
    this.pending = false;
    const value = this.read();
    if (value === this.remote && !this.invalid && this.inflight === 0) return;
    if (value === this.lastSent && this.inflight > 0) return;
    this.lastSent = value;
    const res = this.commitFn(value);
    if (res && typeof (res as Promise<boolean>).then === "function") {
      this.inflight++;
      (res as Promise<boolean>).then(
        (ok) => this.settle(ok),
        () => this.settle(false),
      );
    }
  }

  private settle(ok: boolean): void {
    this.inflight = Math.max(0, this.inflight - 1);
    if (this.inflight > 0) return;
    this.lastSent = null;
    if (ok) {
      this.invalid = false;
      this.el.classList.remove("jw-invalid");
      if (!this.pending) this.show();
    } else {
      this.invalid = true;
      this.el.classList.add("jw-invalid");
      this.el.setAttribute("aria-invalid", "true");
    }
    if (ok) this.el.removeAttribute("aria-invalid");
  }

  /** Drop local text and show the document's value. */
  revert(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = false;
    this.invalid = false;
    this.el.classList.remove("jw-invalid");
    this.el.removeAttribute("aria-invalid");
    this.show();
  }

  hasPending(): boolean {
    return this.pending;
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.flush();
    this.el.removeEventListener("input", this.onInput);
    this.el.removeEventListener("blur", this.onBlur);
    this.el.removeEventListener("keydown", this.onKeyDown);
    this.el.removeEventListener("paste", this.onPaste);
    registry.delete(this.el);
  }
}

/** Insert plain text at the caret of a contenteditable element. */
export function insertText(el: HTMLElement, text: string): void {
  const doc = el.ownerDocument as Document & { execCommand?: (...a: any[]) => boolean };
  let done = false;
  try {
    done = !!(doc.execCommand && doc.execCommand("insertText", false, text));
  } catch {
    done = false;
  }
  if (done) return;
  const sel = (doc.defaultView || window).getSelection();
  if (!sel || sel.rangeCount === 0) {
    el.appendChild(doc.createTextNode(text));
  } else {
    const r = sel.getRangeAt(0);
    r.deleteContents();
    const node = doc.createTextNode(text);
    r.insertNode(node);
    r.setStartAfter(node);
    r.collapse(true);
    sel.removeAllRanges();
    sel.addRange(r);
  }
  el.dispatchEvent(new Event("input", { bubbles: true }));
}
