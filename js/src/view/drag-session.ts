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

  constructor(
    private readonly host: DragHost,
    private readonly source: HTMLElement,
    e: PointerEvent,
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
  }

  private onMove = (e: PointerEvent) => {
    this.lastX = e.clientX;
    this.lastY = e.clientY;
    if (!this.started) {
      if (Math.abs(e.clientX - this.startX) + Math.abs(e.clientY - this.startY) < THRESHOLD) return;
      this.begin();
    }
    e.preventDefault();
    this.position(e.clientX, e.clientY);
    this.autoscroll(e.clientX);
  };

  private begin(): void {
    this.started = true;
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

  private autoscroll(x: number): void {
    const sc = this.host.scroller;
    const r = sc.getBoundingClientRect();
    const edge = 48;
    let dx = 0;
    if (x < r.left + edge) dx = -Math.ceil((r.left + edge - x) / 3);
    else if (x > r.right - edge) dx = Math.ceil((x - (r.right - edge)) / 3);
    if (dx === 0) {
      cancelAnimationFrame(this.raf);
      this.raf = 0;
      return;
    }
    if (this.raf) return;
    const step = () => {
      this.raf = 0;
      const before = sc.scrollLeft;
      sc.scrollLeft += dx;
      if (sc.scrollLeft !== before && this.started) {
        this.position(this.lastX, this.lastY);
        this.raf = requestAnimationFrame(step);
      }
    };
    this.raf = requestAnimationFrame(step);
  }

  private onUp = (e: PointerEvent) => {
    if (this.started) {
      e.preventDefault();
      this.position(e.clientX, e.clientY);
      const t = this.target;
      this.finish();
      if (t && t.op) this.host.drop(t.op);
    } else {
      this.finish();
    }
  };

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
    cancelAnimationFrame(this.raf);
    this.ghost?.remove();
    this.indicator?.remove();
    this.source.classList.remove("jw-drag-source");
    this.host.root.classList.remove("jw-dragging");
    this.host.end();
  }
}
