"""What every part of the charts layer shares: the overlay names, limits, the error type,
and how items are labelled and ordered on a chart's axis.

>>> _labels([{"id": "a", "name": "Cart"}, {"id": "b", "name": "Cart"}, {"id": "c"}])
{'a': 'Cart (a)', 'b': 'Cart (b)', 'c': 'c'}
"""

from __future__ import annotations

import math
from typing import Any

from ..core.errors import JourneyError
from ..data.trend import TREND_METRICS

__all__ = [
    "OVERLAYS", "TREND_METRICS", "MAX_ROWS", "MAX_CHART_BYTES", "TREND_MAX_POINTS", "DATA_NAME",
    "SELECT_PARAM", "ChartError",
]

OVERLAYS = ("none", "emotion", "funnel", "metric", "trend", "opportunities")
MAX_ROWS = 5000  # Altair's own inline-data limit; every chart on the map stays under it
MAX_CHART_BYTES = 512 * 1024  # inline data of one custom chart, as JSON
TREND_MAX_POINTS = 600  # touchpoints x periods in the trend overlay (~36 KB as JSON)
DATA_NAME = "table"
SELECT_PARAM = "jw_selected"


class ChartError(JourneyError):
    """A chart could not be made (unknown overlay or metric, too much data...)."""


def _num(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _labels(items: list[dict]) -> dict[str, str]:
    """Axis label per item: its name, made unique with the id when names repeat."""
    names = [str(it.get("name") or it["id"]) for it in items]
    seen: dict[str, int] = {}
    for n in names:
        seen[n] = seen.get(n, 0) + 1
    return {it["id"]: (n if seen[n] == 1 else f"{n} ({it['id']})") for it, n in zip(items, names)}


def _tp_order(doc: dict) -> list[dict]:
    """Touchpoints in map order: by stage order, then list order within the stage."""
    sidx = {s["id"]: k for k, s in enumerate(doc.get("stages", []))}
    tps = list(enumerate(doc.get("touchpoints", [])))
    tps.sort(key=lambda x: (sidx.get(x[1].get("stage"), len(sidx)), x[0]))
    return [tp for _, tp in tps]
