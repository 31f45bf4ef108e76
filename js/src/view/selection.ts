// Selection and focus: the `selected` trait (shared with Python and other views),
// the highlight, the side panel that shows the selected item, and keeping the
// keyboard focus and caret where they were while the document re-renders.
import { cssEscape, toggleClass } from "../components/dom";
import { setCaret } from "../components/editable";
import { buildChrome } from "../components/common";
import { Panel } from "../components/panel";
import type { JourneyView } from "./journey-view";

export interface SavedFocus {
  el: HTMLElement;
  caret: number;
}

export class Selection {
  panel!: Panel;
  /** Whether the side panel shows the selected item (the × hides it, keeping the selection). */
  panelOpen = true;
  /** A pointer is down in the map: selection waits for the click (no drawer opening mid-click). */
  pointerActive = false;

  constructor(private readonly v: JourneyView) {}

  build(): HTMLElement {
    this.panel = new Panel(this.v, () => this.closePanel());
    return this.panel.el;
  }

  select(id: string, openPanel = false): void {
    const v = this.v;
    if (openPanel) this.panelOpen = true;
    if (id === v.selected) {
      this.apply();
      return;
    }
    v.selected = id;
    v.model.set("selected", id);
    v.model.save_changes();
    this.apply();
  }

  private closePanel(): void {
    this.panelOpen = false;
    this.apply();
  }

  toggleDetails(): void {
    if (this.panelOpen && !this.panel.el.hidden) {
      this.closePanel();
      return;
    }
    this.panelOpen = true;
    if (!this.v.selected) this.select(this.v.doc.id);
    else this.apply();
  }

  /** Highlight the selected item everywhere and show it in the side panel. */
  apply(): void {
    const v = this.v;
    const id = v.model.get("selected") || "";
    v.selected = id;
    v.charts?.select(id);
    for (const el of Array.from(v.root.querySelectorAll(".jw-selected"))) {
      if (el.getAttribute("data-id") !== id) el.classList.remove("jw-selected");
    }
    if (id) {
      for (const el of Array.from(v.root.querySelectorAll(`[data-id="${cssEscape(id)}"]`))) {
        if (!el.classList.contains("jw-comment")) el.classList.add("jw-selected");
      }
    }
    const wasHidden = this.panel.el.hidden;
    this.panel.render(v, this.panelOpen ? id : "");
    toggleClass(v.root, "jw-has-panel", !this.panel.el.hidden);
    if (wasHidden && !this.panel.el.hidden) this.reveal(id);
  }

  /** Scroll the map so that item `id` is not hidden under the side panel. */
  private reveal(id: string): void {
    const scroller = this.v.grid.scroller;
    const el = this.v.grid.el.querySelector(`.jw-item[data-id="${cssEscape(id)}"]`) as HTMLElement | null;
    if (!el || typeof el.getBoundingClientRect !== "function") return;
    const r = el.getBoundingClientRect();
    const p = this.panel.el.getBoundingClientRect();
    if (p.width > 0 && r.right > p.left - 8 && r.left < p.right) {
      scroller.scrollLeft += Math.min(r.right - p.left + 24, r.left - scroller.getBoundingClientRect().left - 8 > 0 ? r.right - p.left + 24 : 0);
    }
  }

  openComments(id: string): void {
    this.select(id, true);
    this.panel.focusComment();
  }

  onClick(e: MouseEvent): void {
    const v = this.v;
    const t = e.target as HTMLElement | null;
    if (!t || this.panel.el.contains(t)) return;
    const item = t.closest(".jw-item, .jw-dot, .jw-mblock") as HTMLElement | null;
    if (!item || !v.root.contains(item)) return;
    const id = item.getAttribute("data-id");
    if (id && id !== v.selected) this.select(id);
  }

  onFocusIn(e: FocusEvent): void {
    const v = this.v;
    buildChrome(e.target);
    const t = e.target as HTMLElement | null;
    if (!t || this.panel.el.contains(t) || this.pointerActive) return;
    const item = t.closest("[data-kind]") as HTMLElement | null;
    if (!item || !v.root.contains(item)) return;
    const kind = item.getAttribute("data-kind");
    if (kind === "comment" || kind === "touchpoint-metric") return;
    const id = item.getAttribute("data-id");
    if (id && id !== v.selected) this.select(id);
  }

  /** The focused element of the map and its caret, before a re-render. */
  captureFocus(): SavedFocus | null {
    const root = this.v.root;
    const a = root.ownerDocument.activeElement as HTMLElement | null;
    if (!a || !root.contains(a)) return null;
    let caret = -1;
    if (a.isContentEditable) {
      const sel = root.ownerDocument.getSelection();
      if (sel && sel.rangeCount) {
        const r = sel.getRangeAt(0);
        const pre = root.ownerDocument.createRange();
        pre.selectNodeContents(a);
        try {
          pre.setEnd(r.endContainer, r.endOffset);
          caret = pre.toString().length;
        } catch {
          caret = -1;
        }
      }
    }
    return { el: a, caret };
  }

  restoreFocus(f: SavedFocus | null): void {
    if (!f) return;
    const root = this.v.root;
    const d = root.ownerDocument;
    if (d.activeElement === f.el) return;
    if (!f.el.isConnected) {
      // the focused item went away: keep the keyboard in the map (undo, shortcuts)
      if (!root.contains(d.activeElement)) root.focus({ preventScroll: true });
      return;
    }
    f.el.focus({ preventScroll: true });
    if (f.caret >= 0 && f.el.isContentEditable) {
      setCaret(f.el, f.caret);
    }
  }
}
