// A fake anywidget model: get/set/on/off/send/save_changes, with what a test needs.
import type { WidgetModel } from "../src/model/types";

export class FakeModel implements WidgetModel {
  state: Record<string, any>;
  sent: any[] = [];
  saved = 0;
  private handlers = new Map<string, Set<(...a: any[]) => void>>();

  constructor(state: Record<string, any>) {
    this.state = { editable: true, selected: "", _error: "", _can_undo: false, _can_redo: false, _metrics: {}, _rev: 1, ...state };
  }
  get(name: string) {
    return this.state[name];
  }
  set(name: string, value: unknown) {
    this.state[name] = value;
    this.emit(`change:${name}`);
  }
  save_changes() {
    this.saved++;
  }
  send(content: unknown) {
    this.sent.push(content);
  }
  on(event: string, cb: (...a: any[]) => void) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event)!.add(cb);
  }
  off(event?: string | null, cb?: ((...a: any[]) => void) | null) {
    if (!event) this.handlers.clear();
    else if (!cb) this.handlers.delete(event);
    else this.handlers.get(event)?.delete(cb);
  }
  emit(event: string, ...args: any[]) {
    for (const cb of Array.from(this.handlers.get(event) || [])) cb(...args);
  }
  /** Python's side of an edit: new document, next revision, then the result. */
  applyFromPython(doc: any) {
    this.state._rev = (this.state._rev || 0) + 1;
    this.state._doc = doc;
    this.emit("change:_doc");
    this.emit("change:_rev");
  }
  reply(rid: number, ok = true, error: string | null = null) {
    this.emit("msg:custom", { type: "result", rid, ok, error, rev: this.state._rev });
  }
  listeners(event: string): number {
    return this.handlers.get(event)?.size || 0;
  }
}

export function sampleDoc(): any {
  return {
    schema_version: 1,
    id: "demo",
    title: "Demo journey",
    description: "A journey for tests",
    journey_type: "purchase",
    state: "as_is",
    modified: "2026-11-23",
    tags: ["t1"],
    emotion_scale: { min: -2, max: 2, labels: { "-2": "Very negative", "-1": "Negative", "0": "Neutral", "1": "Positive", "2": "Very positive" } },
    personas: [{ id: "ana", name: "Ana Lopez", description: "Shopper", quote: "Make it quick", goals: ["Buy fast"] }],
    goals: [{ id: "conv", name: "Conversion", metric: "orders/visits", target: 3, unit: "%", direction: "increase" }],
    stages: [
      { id: "browse", name: "Browse", customer_goal: "Find it" },
      { id: "buy", name: "Buy" },
      { id: "after", name: "After" },
    ],
    lanes: [
      { id: "actions", kind: "actions", title: "Customer actions" },
      { id: "touchpoints", kind: "touchpoints", title: "Touchpoints" },
      { id: "emotions", kind: "emotions", title: "Emotions" },
      { id: "pain", kind: "pain_points", title: "Pain points" },
      { id: "metrics", kind: "metrics", title: "Metrics" },
    ],
    touchpoints: [
      { id: "home", name: "Home page", stage: "browse", channel: "web", emotion: 1, moment_of_truth: false, metric: "" },
      { id: "search", name: "Search", stage: "browse", channel: "web", emotion: -1, moment_of_truth: true, metric: "exit rate" },
      { id: "checkout", name: "Checkout", stage: "buy", channel: "mobile_app", emotion: null, moment_of_truth: false, metric: "" },
    ],
    cards: [
      { id: "c1", lane: "actions", stage: "browse", text: "Scrolls" },
      { id: "c2", lane: "pain", stage: "buy", text: "Slow" },
    ],
    comments: [
      { id: "k1", target: "search", author: "Bo", text: "Check", created: "2026-11-23T10:00:00Z", resolved: false },
      { id: "k2", target: "search", author: "Bo", text: "Done", created: "2026-11-23T10:00:00Z", resolved: true },
    ],
  };
}
