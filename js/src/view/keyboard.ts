// The keyboard inside the map: undo / redo chords anywhere; on a focused item
// Enter / F2 (edit), Delete, Escape, M (moment of truth) and Alt+arrows (move);
// on an emotion dot the arrows, Home / End and Delete set the emotion.
import { historyAction, isTextEntry, itemAction, type KeyAction } from "../components/keys";
import { stepEmotion } from "../model/emotion";
import { moveOp, updateOp } from "../model/ops";
import type { Op } from "../model/types";
import { cellKey } from "./layout";
import type { JourneyView } from "./journey-view";

export class Keyboard {
  /** Emotion values sent from the keyboard and not answered yet, per touchpoint. */
  private keyEmotion = new Map<string, number | null>();
  private keyEmotionPending = new Map<string, number>();

  constructor(private readonly v: JourneyView) {}

  onKeyDown(e: KeyboardEvent): void {
    const v = this.v;
    // Key presses inside the map never reach notebook shortcuts.
    e.stopPropagation();
    if (e.isComposing) return;
    const hist = historyAction(e);
    if (hist) {
      e.preventDefault();
      v.rpc.history(hist);
      return;
    }
    const target = e.target as HTMLElement;
    if (isTextEntry(target)) return;
    if (e.key === "Escape" && v.root.classList.contains("jw-presenting") && !target.classList.contains("jw-item")) {
      e.preventDefault();
      v.navigate.present(false);
      return;
    }
    if (target.classList.contains("jw-dot")) {
      this.onDotKey(e, target);
      return;
    }
    if (!target.classList.contains("jw-item")) return;
    const id = target.getAttribute("data-id") || "";
    const kind = target.getAttribute("data-kind") || "";
    const action = itemAction(e);
    if (!action || !id) return;
    if (action === "escape") {
      e.preventDefault();
      v.select("");
      return;
    }
    if (action === "edit") {
      e.preventDefault();
      const f = target.querySelector("[data-field]") as HTMLElement | null;
      if (f) {
        f.focus();
        const sel = v.root.ownerDocument.getSelection();
        if (sel && f.isContentEditable) {
          const r = v.root.ownerDocument.createRange();
          r.selectNodeContents(f);
          sel.removeAllRanges();
          sel.addRange(r);
        }
      }
      return;
    }
    if (!v.editable || kind === "journey") return;
    if (action === "delete") {
      e.preventDefault();
      const sib = (el: Element | null, dir: "nextElementSibling" | "previousElementSibling") => {
        while (el && !el.classList.contains("jw-item")) el = el[dir];
        return el as HTMLElement | null;
      };
      const next = sib(target.nextElementSibling, "nextElementSibling") || sib(target.previousElementSibling, "previousElementSibling");
      v.remove(id);
      (next || v.root).focus({ preventScroll: true });
      return;
    }
    if (action === "toggle-mot") {
      if (kind !== "touchpoint") return;
      e.preventDefault();
      const tp = (v.doc.touchpoints || []).find((t) => t.id === id);
      if (tp) void v.update(id, { moment_of_truth: !tp.moment_of_truth });
      return;
    }
    const op = this.move(kind, id, action);
    if (op !== undefined) e.preventDefault();
    if (op) void v.send([op], { id });
  }

  /** The move op for Alt+arrow on a focused item (undefined: key not used). */
  move(kind: string, id: string, action: KeyAction): Op | null | undefined {
    const doc = this.v.doc;
    const layout = this.v.layout;
    const lr = action === "move-left" ? -1 : action === "move-right" ? 1 : 0;
    const ud = action === "move-up" ? -1 : action === "move-down" ? 1 : 0;
    const inList = (list: { id: string }[] | undefined, delta: number) => {
      const ids = (list || []).map((x) => x.id);
      const i = ids.indexOf(id);
      const j = i + delta;
      if (i < 0 || delta === 0) return undefined;
      if (j < 0 || j >= ids.length) return null;
      return moveOp(id, j);
    };
    switch (kind) {
      case "stage":
        return lr ? inList(doc.stages, lr) : undefined;
      case "lane":
        return ud ? inList(doc.lanes, ud) : undefined;
      case "persona":
        return lr || ud ? inList(doc.personas, lr || ud) : undefined;
      case "goal":
        return lr || ud ? inList(doc.goals, lr || ud) : undefined;
      case "touchpoint": {
        if (!lr) return undefined;
        const tp = (doc.touchpoints || []).find((t) => t.id === id);
        if (!tp) return null;
        const stages = layout.stages;
        const group = (layout.byStage.get(tp.stage) || []).map((t) => t.id);
        const i = group.indexOf(id);
        if (i + lr >= 0 && i + lr < group.length) return moveOp(id, i + lr, { stage: tp.stage });
        const si = stages.findIndex((s) => s.id === tp.stage) + lr;
        if (si < 0 || si >= stages.length) return null;
        const other = stages[si].id;
        const n = (layout.byStage.get(other) || []).length;
        return moveOp(id, lr < 0 ? n : 0, { stage: other });
      }
      case "card": {
        const card = (doc.cards || []).find((c) => c.id === id);
        if (!card) return null;
        if (ud) {
          const group = (layout.cards.get(cellKey(card.lane, card.stage)) || []).map((c) => c.id);
          const j = group.indexOf(id) + ud;
          if (j < 0 || j >= group.length) return null;
          return moveOp(id, j, { stage: card.stage, lane: card.lane });
        }
        if (lr) {
          const stages = layout.stages;
          const si = stages.findIndex((s) => s.id === card.stage) + lr;
          if (si < 0 || si >= stages.length) return null;
          const other = stages[si].id;
          const n = (layout.cards.get(cellKey(card.lane, other)) || []).length;
          return moveOp(id, n, { stage: other, lane: card.lane });
        }
        return undefined;
      }
    }
    return undefined;
  }

  private onDotKey(e: KeyboardEvent, dot: HTMLElement): void {
    const v = this.v;
    const id = dot.getAttribute("data-id") || "";
    const tp = (v.doc.touchpoints || []).find((t) => t.id === id);
    if (!tp) return;
    if (e.key === "Enter") {
      e.preventDefault();
      v.select(id);
      return;
    }
    if (!v.editable) return;
    if ((e.key === "m" || e.key === "M") && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      void v.update(id, { moment_of_truth: !tp.moment_of_truth });
      return;
    }
    // keys can come faster than Python answers: step from the last value sent
    const cur = this.keyEmotion.has(id) ? this.keyEmotion.get(id)! : typeof tp.emotion === "number" ? tp.emotion : null;
    const next = stepEmotion(cur, e.key, v.scale, e.shiftKey);
    if (next === undefined) return;
    e.preventDefault();
    if (next === cur) return;
    this.keyEmotion.set(id, next);
    const laneEl = dot.closest(".jw-emo");
    const curve = v.grid.curve(laneEl ? laneEl.getAttribute("data-lane") || "" : "");
    curve?.preview(id, next);
    const n = (this.keyEmotionPending.get(id) || 0) + 1;
    this.keyEmotionPending.set(id, n);
    void v.send([updateOp(id, { emotion: next })]).then(() => {
      const left = (this.keyEmotionPending.get(id) || 1) - 1;
      if (left > 0) {
        this.keyEmotionPending.set(id, left);
        return;
      }
      this.keyEmotionPending.delete(id);
      this.keyEmotion.delete(id);
      curve?.endPreview(id);
    });
  }
}
