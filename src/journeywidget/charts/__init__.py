"""Charts on the map: Altair overlays of the metrics, and custom charts that update live.

Built-in overlays (``"emotion"``, ``"funnel"``, ``"metric"``, ``"trend"``) are drawn from
the *aggregated* metrics of a binding (:mod:`.tables`, specs in :mod:`.specs`); custom
charts are Altair charts or functions of the bound rows (:mod:`.custom`); a
:class:`ChartSet` keeps the charts of one map up to date (:mod:`.chartset`); the chart
runtime (Vega) travels to the page only with charts (:mod:`.runtime`).

>>> import journeywidget as jw
>>> j = jw.Journey("Demo"); s = j.add_stage("Buy")
>>> _ = j.add_touchpoint("Checkout", stage=s, emotion=-1)
>>> spec = jw.charts.overlay_spec("emotion", j.to_dict(), None)
>>> [(r["touchpoint"], r["emotion"]) for r in spec["data"]["values"]]
[('checkout', -1.0)]
"""

from .base import MAX_ROWS, OVERLAYS, TREND_METRICS, ChartError
from .chartset import ChartSet
from .custom import ChartContext, chart_to_parts, split_spec
from .runtime import CHART_RUNTIME_PATH, chart_runtime_source, payload_has_charts
from .specs import overlay_spec
from .tables import available_metrics, overlay_table, period_counts, trend_table

__all__ = [
    "OVERLAYS", "TREND_METRICS", "MAX_ROWS", "ChartSet", "ChartError", "ChartContext",
    "overlay_spec", "overlay_table", "available_metrics", "trend_table", "period_counts",
    "split_spec", "chart_to_parts", "CHART_RUNTIME_PATH", "chart_runtime_source",
    "payload_has_charts",
]
