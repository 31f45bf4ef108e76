// Pieces shared by the map's components: inline-editable text, icon buttons,
// drag grips, comment badges, and edit affordances built on first hover or focus.
import { h, setText, toggleClass } from "./dom";
import { LiveField } from "./editable";
import { icon } from "./icons";
import type { Ctx, DragKind } from "./ctx";

/** An inline-editable text bound to one field of one item. */
export function liveText(
  ctx: Ctx,
  tag: "div" | "span" | "h2" | "p",
  cls: string,
  id: string,
  field: string,
  value: string,
  opts: { multiline?: boolean; placeholder?: string; label?: string; required?: boolean } = {},
): { el: HTMLElement; field: LiveField | null; set(v: string): void } {
  const el = h(tag, { class: cls, "data-field": field });
  if (!ctx.editable) {
    el.textContent = value;
    return { el, field: null, set: (v: string) => setText(el, v) };
  }
  const lf = new LiveField(el, {
    multiline: opts.multiline,
    placeholder: opts.placeholder,
    label: opts.label,
    commit: (v) => ctx.update(id, { [field]: opts.multiline ? v : v.trim() }),
  });
  lf.set(value);
  return { el, field: lf, set: (v: string) => lf.set(v) };
}

export function iconButton(name: string, label: string, cls: string, onClick: (e: MouseEvent) => void): HTMLButtonElement {
  const b = h("button", { type: "button", class: `jw-ibtn ${cls}`, title: label, "aria-label": label }, icon(name));
  b.addEventListener("click", (e) => {
    e.stopPropagation();
    onClick(e);
  });
  return b;
}

/** A tooltip with the whole text on an element whose text is long enough to be clamped. */
export function clampTitle(el: HTMLElement, text: string, longer: number): void {
  if (text.length > longer) {
    if (el.getAttribute("title") !== text) el.setAttribute("title", text);
  } else if (el.hasAttribute("title")) el.removeAttribute("title");
}

/** Controls inside an item that keep their own pointer gestures (no drag from them). */
const OWN_GESTURES = "button, input, select, textarea, a, .jw-chart, .jw-tools, .jw-grip, [contenteditable]:focus";

/**
 * Drag an item by its body: a press anywhere on it that is not a control starts a
 * drag once the pointer has moved a few pixels; a press that does not move stays a
 * click (select, edit the text) and text being edited keeps its own selection.
 */
export function bodyDrag(ctx: Ctx, el: HTMLElement, kind: DragKind, id: string): void {
  el.addEventListener("pointerdown", (e) => {
    if (e.button !== 0 || e.pointerType === "touch") return;
    const t = e.target as Element | null;
    if (!t || (typeof t.closest === "function" && t.closest(OWN_GESTURES))) return;
    ctx.startDrag(e, kind, id, el, true);
  });
}

export function grip(ctx: Ctx, kind: DragKind, id: string, item: HTMLElement): HTMLElement {
  // dots drawn by CSS: no icon element
  const g = h("span", { class: "jw-grip", title: "Drag to move (or Alt+arrow keys)", "aria-hidden": "true" });
  g.addEventListener("pointerdown", (e) => ctx.startDrag(e, kind, id, item));
  return g;
}

// Edit affordances of the many small items (grip, delete, toggles) are built on
// first hover or focus: a 500-touchpoint map stays light.
const chromeBuilders = new WeakMap<Element, () => void>();

export function lazyChrome(el: Element, build: () => void): void {
  chromeBuilders.set(el, build);
}

/** Build the edit affordances of the item containing `target`, if not yet built. */
export function buildChrome(target: EventTarget | null): void {
  const start = target as Element | null;
  if (!start || typeof start.closest !== "function") return;
  const item = start.closest(".jw-item");
  if (!item) return;
  const build = chromeBuilders.get(item);
  if (build) {
    chromeBuilders.delete(item);
    build();
  }
}

/** Comments on one item: open and in all; `conflicts`: open merge-conflict comments. */
export type CommentCounts = { open: number; total: number; conflicts?: number };

/** The comments badge: open / total counts (marked when merge conflicts are open); opens the comments of the item. */
export function commentBadge(ctx: Ctx, id: string): { el: HTMLButtonElement; set(c?: CommentCounts): void } {
  const count = h("span", { class: "jw-count" });
  const el = h("button", { type: "button", class: "jw-cbadge" }, icon("comment"), count);
  el.addEventListener("click", (e) => {
    e.stopPropagation();
    ctx.openComments(id);
  });
  return {
    el,
    set(c) {
      const total = c ? c.total : 0;
      const open = c ? c.open : 0;
      el.hidden = total === 0 && !ctx.editable;
      toggleClass(el, "jw-cbadge-empty", total === 0);
      const conflicts = (c && c.conflicts) || 0;
      toggleClass(el, "jw-cbadge-resolved", total > 0 && open === 0);
      toggleClass(el, "jw-cbadge-conflict", conflicts > 0);
      setText(count, total === 0 ? "" : open > 0 ? String(open) : "✓");
      let label = total === 0 ? "Add a comment" : `${open} open comment${open === 1 ? "" : "s"}, ${total} in all`;
      if (conflicts > 0) label = `${conflicts} merge conflict${conflicts === 1 ? "" : "s"} to resolve; ${label}`;
      el.setAttribute("title", label);
      el.setAttribute("aria-label", label);
    },
  };
}
