"""Small journeys shared by several test files."""

import journeywidget as jw


def tiny_journey() -> jw.Journey:
    """Three stages A, B, C; touchpoints a1, a2 (A), b1 (B), c1 (C) with event keys k_<id>."""
    j = jw.Journey("Tiny")
    for s in ("A", "B", "C"):
        j.add_stage(s)
    j.add_touchpoint("a1", stage="a", emotion=1, event_keys=["k_a1"])
    j.add_touchpoint("a2", stage="a", emotion=-1, event_keys=["k_a2"])
    j.add_touchpoint("b1", stage="b", emotion=0, event_keys=["k_b1"])
    j.add_touchpoint("c1", stage="c", event_keys=["k_c1"])
    return j


def bound_widget(template: str = "ecommerce-purchase", overlay: str = "funnel", customers: int = 400,
                 seed: int = 1) -> jw.JourneyWidget:
    """A template map in a widget with sample events bound (segment column "plan") and an overlay on."""
    j = jw.Journey.from_template(template)
    w = jw.JourneyWidget(j)
    w.bind_events(jw.datasets.events(j, customers=customers, seed=seed), customer="customer_id",
                  time="timestamp", touchpoint="event", segment="plan")
    w.overlay = overlay
    return w
