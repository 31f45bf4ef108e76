// Changes from Python as patches (docs/ARCHITECTURE.md, "The page protocol").
//
// After an edit Python sends {"type": "patch", "model", "base", "rev", "patches":
// {trait: [JSON Patch ops]}} instead of the whole `_doc` (and `_metrics`, `_charts`).
// This runs once per model (anywidget's `initialize`), not per view: it applies the
// patches to the model's values and sets them as Jupyter sets a kernel update — on
// the widget manager's own model, through `set_state`, so the new values are what
// every view shows and what the notebook saves, and are never sent back to Python.
//
// A patch that does not start from the model's revision (a message was missed) or
// does not fit asks Python for the whole values ("resync"); a host without
// `set_state` (not a Jupyter widget manager) asks Python to send whole values from
// then on ("resync" with "full").
import { applyPatch, type PatchOp } from "../model/patch";
import type { WidgetModel } from "../model/types";

/** The widget manager's model: what `set_state` needs (ipywidgets' WidgetModel). */
interface ManagerModel {
  get(name: string): unknown;
  set_state(state: Record<string, unknown>): void;
}

export interface PatchMessage {
  type: "patch";
  model?: string;
  base: number;
  rev: number;
  patches: Record<string, PatchOp[]>;
}

export interface SyncStats {
  applied: number;
  resyncs: number;
}

function isPatch(msg: unknown): msg is PatchMessage {
  const m = msg as PatchMessage;
  return !!m && typeof m === "object" && m.type === "patch" && typeof m.rev === "number" && !!m.patches && typeof m.patches === "object";
}

/** The model the widget manager holds for `id`, when it is the same model as `model`. */
async function managerModel(model: WidgetModel, id: string | undefined): Promise<ManagerModel | null> {
  const wm = (model as any).widget_manager;
  if (!id || !wm || typeof wm.get_model !== "function") return null;
  try {
    const m = await wm.get_model(id);
    if (!m || typeof m.set_state !== "function") return null;
    // the same model: the proxy and the manager's model read the very same values
    return m.get("_doc") === model.get("_doc") && m.get("_rev") === model.get("_rev") ? (m as ManagerModel) : null;
  } catch {
    return null;
  }
}

/**
 * Apply Python's patch messages to `model` (call once per model). Returns the function
 * that stops it. `pending`: messages that arrived before this ran (the loader keeps them).
 */
export function installSync(model: WidgetModel, pending: unknown[][] = [], stats?: SyncStats): () => void {
  let target: ManagerModel | null | undefined; // undefined: not looked up yet
  let queue: PatchMessage[] = [];
  let busy = false;
  let askedAt: number | null = null; // the revision at which whole values were asked for
  let askedFull = false;
  let stopped = false;

  const rev = () => Number(model.get("_rev"));
  const resync = (full: boolean) => {
    if (!full && askedAt === rev()) return; // asked already; the answer is on its way
    askedAt = rev();
    if (stats) stats.resyncs++;
    model.send({ type: "resync", full, rev: rev() });
  };

  const apply = (msg: PatchMessage) => {
    const have = rev();
    if (msg.rev <= have) return; // already here
    if (msg.base !== have) return resync(false);
    const state: Record<string, unknown> = {};
    try {
      for (const [name, ops] of Object.entries(msg.patches)) state[name] = applyPatch(model.get(name), ops);
    } catch (err) {
      console.warn("journeywidget: a change from Python did not fit; asking for the whole map", err);
      return resync(false);
    }
    state._rev = msg.rev;
    target!.set_state(state);
    askedAt = null;
    if (stats) stats.applied++;
  };

  const drain = async () => {
    if (busy) return;
    busy = true;
    try {
      while (queue.length && !stopped) {
        const msg = queue.shift()!;
        if (target === undefined) target = await managerModel(model, msg.model);
        if (stopped) return;
        if (target === null) {
          queue = [];
          if (!askedFull) resync(true); // this host cannot take patches: whole values from now on
          askedFull = true;
          return;
        }
        apply(msg);
      }
    } finally {
      busy = false;
    }
  };

  const onMessage = (msg: unknown) => {
    if (!isPatch(msg)) return;
    queue.push(msg);
    void drain();
  };
  for (const [msg] of pending) onMessage(msg);
  model.on("msg:custom", onMessage);
  return () => {
    stopped = true;
    model.off("msg:custom", onMessage);
  };
}
