// Pointer-event drag and drop (works with a mouse, a pen, touch and
// Playwright's mouse): a ghost follows the pointer, an indicator shows where
// the item will land, and dropping calls back with the op to send.
import type { Op } from "../model/types";

export interface DropTarget {
  /** Where to draw the insertion indicator, in client coordinates. */
  rect: { left: number; top: number; width: number; height: number };
  op: Op | null;
}

export interface DragHost {
  root: HTMLElement;
  scroller: HTMLElement;
  resolve(x: number, y: number): DropTarget | null;
  drop(op: Op): void;
  end(): void;
}

const THRESHOLD = 4;

export class DragSession {
  private started = false;
  private ghost: HTMLElement | null = null;
  private indicator: HTMLElement | null = null;
  private target: DropTarget | null = null;
  private readonly startX: number;
  private readonly startY: number;
  private offsetX = 0;
  private offsetY = 0;
  private raf = 0;
  private lastX = 0;
  private lastY = 0;

  /**
   * `fromBody`: the press was on the item's body, not its grip: until the pointer
   * moves THRESHOLD pixels it is a click (select, place the caret); once it moves,
   * the text selection it started is dropped and the click that follows is eaten.
   */
  constructor(
    private readonly host: DragHost,
    private readonly source: HTMLElement,
    e: PointerEvent,
    private readonly fromBody = false,
  ) {
    this.startX = e.clientX;
    this.startY = e.clientY;
    this.lastX = e.clientX;
    this.lastY = e.clientY;
    const doc = source.ownerDocument;
    doc.addEventListener("pointermove", this.onMove, true);
    doc.addEventListener("pointerup", this.onUp, true);
    doc.addEventListener("pointercancel", this.onCancel, true);
    doc.addEventListener("keydown", this.onKey, true);
    doc.addEventListener("selectstart", this.onSelectStart, true);
  }

  private onSelectStart = (e: Event) => {
    if (this.started) e.preventDefault();
  };

  private onMove = (e: PointerEvent) => {
    this.lastX = e.clientX;
    this.lastY = e.clientY;
    if (!this.started) {
      if (Math.abs(e.clientX - this.startX) + Math.abs(e.clientY - this.startY) < THRESHOLD) return;
      this.begin();
    }
    e.preventDefault();
    if (this.fromBody) this.source.ownerDocument.getSelection()?.removeAllRanges();
    this.position(e.clientX, e.clientY);
    this.autoscroll(e.clientX, e.clientY);
  };

  private begin(): void {
    this.started = true;
    if (this.fromBody) {
      // a body drag: no text selection, no caret left in a field of the card
      const doc = this.source.ownerDocument;
      doc.getSelection()?.removeAllRanges();
      const a = doc.activeElement as HTMLElement | null;
      if (a && a !== this.source && this.source.contains(a) && typeof a.blur === "function") a.blur();
    }
    const r = this.source.getBoundingClientRect();
    this.offsetX = this.startX - r.left;
    this.offsetY = this.startY - r.top;
    const ghost = this.source.cloneNode(true) as HTMLElement; // a copy of our own, already safe, nodes
    ghost.classList.add("jw-ghost");
    ghost.removeAttribute("tabindex");
    ghost.setAttribute("aria-hidden", "true");
    for (const el of Array.from(ghost.querySelectorAll("[contenteditable]"))) el.removeAttribute("contenteditable");
    for (const el of Array.from(ghost.querySelectorAll("[id]"))) el.removeAttribute("id");
    ghost.style.width = `${r.width}px`;
    ghost.style.height = `${r.height}px`;
    this.ghost = ghost;
    this.indicator = this.source.ownerDocument.createElement("div");
    this.indicator.className = "jw-drop-indicator";
    this.indicator.hidden = true;
    this.host.root.append(ghost, this.indicator);
    this.source.classList.add("jw-drag-source");
    this.host.root.classList.add("jw-dragging");
  }

  private position(x: number, y: number): void {
    const rr = this.host.root.getBoundingClientRect();
    if (this.ghost) {
      this.ghost.style.left = `${x - this.offsetX - rr.left}px`;
      this.ghost.style.top = `${y - this.offsetY - rr.top}px`;
    }
    this.target = this.host.resolve(x, y);
    const ind = this.indicator;
    if (!ind) return;
    if (!this.target) {
      ind.hidden = true;
      return;
    }
    const t = this.target.rect;
    ind.hidden = false;
    ind.style.left = `${t.left - rr.left}px`;
    ind.style.top = `${t.top - rr.top}px`;
    ind.style.width = `${Math.max(3, t.width)}px`;
    ind.style.height = `${Math.max(3, t.height)}px`;
  }

  private autoscroll(x: number, y: number): void {
    const sc = this.host.scroller;
    const r = sc.getBoundingClientRect();
    const edge = 48;
    let dx = 0;
    let dy = 0;
    if (x < r.left + edge) dx = -Math.ceil((r.left + edge - x) / 3);
    else if (x > r.right - edge) dx = Math.ceil((x - (r.right - edge)) / 3);
    if (y < r.top + edge && y > r.top - edge) dy = -Math.ceil((r.top + edge - y) / 3);
    else if (y > r.bottom - edge && y < r.bottom + edge) dy = Math.ceil((y - (r.bottom - edge)) / 3);
    if (dx === 0 && dy === 0) {
      cancelAnimationFrame(this.raf);
      this.raf = 0;
      return;
    }
    if (this.raf) return;
    const step = () => {
      this.raf = 0;
      const before = sc.scrollLeft + sc.scrollTop * 1e6;
      sc.scrollLeft += dx;
      sc.scrollTop += dy;
      if (sc.scrollLeft + sc.scrollTop * 1e6 !== before && this.started) {
        this.position(this.lastX, this.lastY);
        this.raf = requestAnimationFrame(step);
      }
    };
    this.raf = requestAnimationFrame(step);
  }

  private onUp = (e: PointerEvent) => {
    if (this.started) {
      e.preventDefault();
      if (this.fromBody) this.eatClick();
      this.position(e.clientX, e.clientY);
      const t = this.target;
      this.finish();
      if (t && t.op) this.host.drop(t.op);
    } else {
      this.finish();
    }
  };

  /** The click a released body drag fires is not a click on the item. */
  private eatClick(): void {
    const doc = this.source.ownerDocument;
    const eat = (ev: Event) => {
      ev.stopPropagation();
      ev.preventDefault();
      doc.removeEventListener("click", eat, true);
    };
    doc.addEventListener("click", eat, true);
    setTimeout(() => doc.removeEventListener("click", eat, true), 0);
  }

  private onCancel = () => this.finish();

  private onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      this.finish();
    }
  };

  get active(): boolean {
    return this.started;
  }

  finish(): void {
    const doc = this.source.ownerDocument;
    doc.removeEventListener("pointermove", this.onMove, true);
    doc.removeEventListener("pointerup", this.onUp, true);
    doc.removeEventListener("pointercancel", this.onCancel, true);
    doc.removeEventListener("keydown", this.onKey, true);
    doc.removeEventListener("selectstart", this.onSelectStart, true);
    cancelAnimationFrame(this.raf);
    this.ghost?.remove();
    this.indicator?.remove();
    this.source.classList.remove("jw-drag-source");
    this.host.root.classList.remove("jw-dragging");
    this.host.end();
  }
}
