// anywidget entry point of journeywidget's journey map (built to static/widget.js).
//
// `initialize` runs once per widget model: it applies Python's patch messages to the
// model (host/sync.ts). `render` runs once per view. Both take two extras from the
// loader (loader.ts) when the code comes from the kernel's shared runtime: the
// messages that arrived while the code loaded (`pending`) and the runtime model
// (`runtime`, which also holds the chart runtime).
import { installSync } from "./host/sync";
import { JourneyView, type SharedRuntime } from "./view/journey-view";
import type { WidgetModel } from "./model/types";

export { JourneyView };

function initialize({ model, pending }: { model: WidgetModel; pending?: unknown[][] }): () => void {
  return installSync(model, pending || []);
}

function render({ model, el, runtime }: { model: WidgetModel; el: HTMLElement; runtime?: SharedRuntime | null }): () => void {
  const view = new JourneyView(model, el, { runtime: runtime || null });
  // expose the view for tests and benchmarks (a property of the host element only)
  (el as any).__journeyView = view;
  return () => view.destroy();
}

export default { initialize, render };
