// The chart runtime: vega, vega-lite and vega-embed, built into its own
// single-file ES module (src/journeywidget/static/charts-runtime.js).
//
// The widget module (widget.js) does not contain it: Python sends this file's
// text in the `_chart_runtime` trait the first time a widget shows a chart, and
// charts.ts imports it from a Blob URL. A notebook whose widgets show no chart
// therefore saves no copy of Vega.
import embed from "vega-embed";
import * as vega from "vega";
import * as vegaLite from "vega-lite";

export { embed, vega, vegaLite };
export default embed;
