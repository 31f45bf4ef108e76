"""Altair overlays on the map and custom charts that update live."""

from .chartset import *  # noqa: F403
from .chartset import (  # noqa: F401
    CHART_RUNTIME_PATH,
    ChartContext,
    WidgetCharts,
    chart_runtime_source,
    chart_to_parts,
    payload_has_charts,
    split_spec,
)
