"""``journeywidget demo``: a template map bound to generated sample data, as an HTML report.

>>> journey, metrics, charts = demo_journey(customers=200)
>>> journey.title, metrics.has_events and metrics.has_feedback, charts.overlay
('E-commerce purchase: browse to returns', True, 'emotion')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["build_demo", "demo_journey"]

DEMO_TEMPLATE = "ecommerce-purchase"


def demo_journey(template: str | None = None, *, customers: int = 2000, seed: int = 7) -> tuple[Any, Any, Any]:
    """(journey, metrics, charts): a template map, its ``JourneyMetrics`` on sample events and
    survey answers from :mod:`journeywidget.datasets`, and a chart set with the emotion overlay."""
    from ..data import datasets
    from ..data.metrics import JourneyMetrics
    from ..journey import Journey

    journey = Journey.from_template(template or DEMO_TEMPLATE)
    events = datasets.events(journey, customers=customers, seed=seed)
    survey = datasets.survey(journey, responses=max(200, customers // 4), seed=seed, customers=customers)
    metrics = JourneyMetrics(journey)
    metrics.bind_events(events, customer="customer_id", time="timestamp", touchpoint="event",
                        channel="channel", value="value", segment="plan")
    metrics.bind_feedback(survey, touchpoint="touchpoint", score="score", text="comment",
                          customer="customer_id", segment="plan")
    charts = None
    try:
        from ..charts import ChartSet

        charts = ChartSet(journey, metrics, overlay="emotion")
    except Exception:  # charts are a bonus in the demo: the map and numbers are the point
        charts = None
    return journey, metrics, charts


def build_demo(out: Any, *, template: str | None = None, customers: int = 2000, seed: int = 7) -> Path:
    """Write the demo HTML report to ``out`` and return its path."""
    from .html import to_html

    journey, metrics, charts = demo_journey(template, customers=customers, seed=seed)
    path = Path(out)
    to_html(journey, path, metrics=metrics, charts=charts,
            title=f"{journey.title} — demo on {customers:,} sample customers")
    return path
