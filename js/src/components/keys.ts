// Keyboard handling: which key press means what inside the widget.

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
  altKey?: boolean;
}

export type KeyAction =
  | "undo"
  | "redo"
  | "delete"
  | "edit"
  | "escape"
  | "move-left"
  | "move-right"
  | "move-up"
  | "move-down"
  | "toggle-mot"
  | null;

/** Undo / redo chords: Ctrl/Cmd+Z, Ctrl/Cmd+Shift+Z, Ctrl+Y. */
export function historyAction(e: KeyLike): "undo" | "redo" | null {
  const mod = !!(e.ctrlKey || e.metaKey);
  if (!mod || e.altKey) return null;
  const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (k === "z") return e.shiftKey ? "redo" : "undo";
  if (k === "y" && !e.shiftKey) return "redo";
  return null;
}

/**
 * The action of a key press on a focused item (a stage, lane, touchpoint or
 * card, not while typing in one of its text fields).
 */
export function itemAction(e: KeyLike): KeyAction {
  const h = historyAction(e);
  if (h) return h;
  if (e.ctrlKey || e.metaKey) return null;
  if (e.altKey) {
    switch (e.key) {
      case "ArrowLeft":
        return "move-left";
      case "ArrowRight":
        return "move-right";
      case "ArrowUp":
        return "move-up";
      case "ArrowDown":
        return "move-down";
    }
    return null;
  }
  switch (e.key) {
    case "Delete":
    case "Backspace":
      return "delete";
    case "Enter":
    case "F2":
      return "edit";
    case "Escape":
      return "escape";
    case "m":
    case "M":
      return "toggle-mot";
  }
  return null;
}

/**
 * What Enter / Escape do in an inline text field: "commit" (flush and leave),
 * "newline" (let it through, only in multi-line fields with Shift) or "revert".
 */
export function textKeyAction(e: KeyLike, multiline: boolean): "commit" | "newline" | "revert" | null {
  if (e.key === "Enter") {
    if (multiline && e.shiftKey) return "newline";
    return "commit";
  }
  if (e.key === "Escape") return "revert";
  return null;
}

/** Whether an element is a text-entry control, where plain keys type text. */
export function isTextEntry(el: Element | null): boolean {
  if (!el) return false;
  const tag = el.tagName;
  if (tag === "TEXTAREA") return true;
  if (tag === "INPUT") {
    const t = ((el as HTMLInputElement).type || "text").toLowerCase();
    return !["checkbox", "radio", "button", "submit", "range", "color"].includes(t);
  }
  if (tag === "SELECT") return true;
  return (el as HTMLElement).isContentEditable === true || el.getAttribute("contenteditable") === "true" || el.getAttribute("contenteditable") === "plaintext-only";
}
