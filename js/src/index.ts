// anywidget entry point of journeywidget's journey map (built to static/widget.js).
import { JourneyView } from "./view/journey-view";
import type { WidgetModel } from "./model/types";

export { JourneyView };

function render({ model, el }: { model: WidgetModel; el: HTMLElement }): () => void {
  const view = new JourneyView(model, el);
  // expose the view for tests and benchmarks (a property of the host element only)
  (el as any).__journeyView = view;
  return () => view.destroy();
}

export default { render };
