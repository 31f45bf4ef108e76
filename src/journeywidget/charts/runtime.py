"""The chart runtime (Vega, Vega-Lite and vega-embed, built into
``static/charts-runtime.js`` apart from the widget's own bundle) and when to send it.

>>> payload_has_charts({"overlay": "none", "specs": {}})
False
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["CHART_RUNTIME_PATH", "chart_runtime_source", "payload_has_charts"]

#: The chart runtime module (vega + vega-lite + vega-embed), built apart from widget.js.
CHART_RUNTIME_PATH = Path(__file__).resolve().parent.parent / "static" / "charts-runtime.js"
_chart_runtime_text: str | None = None


def chart_runtime_source() -> str:
    """The text of ``static/charts-runtime.js`` (read once per process); "" when not built.

    The widget sends it in its ``_chart_runtime`` trait the first time it has a chart
    to show, so notebooks whose widgets show no chart do not save a copy of Vega.
    """
    global _chart_runtime_text
    if _chart_runtime_text is None:
        try:
            _chart_runtime_text = CHART_RUNTIME_PATH.read_text(encoding="utf-8")
        except OSError:
            import warnings

            warnings.warn(
                f"journeywidget: the chart runtime {CHART_RUNTIME_PATH} is missing, charts cannot be "
                "drawn: build it with `npm run build --prefix js`",
                RuntimeWarning,
                stacklevel=2,
            )
            return ""
    return _chart_runtime_text


def payload_has_charts(payload: Any) -> bool:
    """Whether a ``_charts`` payload has any chart entry (an overlay other than "none" or a custom chart)."""
    return isinstance(payload, dict) and bool(payload.get("specs"))
