"""A big map for the canvas tests and screenshots: 30 stages, 600 touchpoints, cards in
every card lane, pain points and opportunities on touchpoints, and events bound to it
(``jw.datasets.events``), so badges, the funnel and the overlays have data.

>>> j = big_journey(stages=3, touchpoints=12)
>>> len(j.stages), len(j.touchpoints)
(3, 12)
"""

from __future__ import annotations

import journeywidget as jw

STAGE_NAMES = [
    "Awareness", "Discovery", "Research", "Comparison", "Consideration", "Trial sign-up",
    "Onboarding", "Activation", "First value", "Habit", "Upgrade prompt", "Checkout",
    "Payment", "Confirmation", "Delivery", "Unboxing", "Setup", "Support contact",
    "Resolution", "Renewal notice", "Renewal", "Expansion", "Referral", "Review",
    "Community", "Advocacy", "Win-back", "Re-engagement", "Loyalty", "Retirement",
]
CHANNELS = ["web", "email", "mobile_app", "phone", "chat", "store", None]


def big_journey(stages: int = 30, touchpoints: int = 600) -> jw.Journey:
    """The big map (no data bound)."""
    j = jw.Journey(f"Big map: {stages} stages, {touchpoints} touchpoints", journey_type="purchase")
    j.batch([{"op": "add", "kind": "lane", "item": {"kind": "metrics", "title": "Metrics"}}])
    ops: list[dict] = []
    for s in range(stages):
        name = STAGE_NAMES[s % len(STAGE_NAMES)] + ("" if s < len(STAGE_NAMES) else f" {s // len(STAGE_NAMES) + 1}")
        ops.append({"op": "add", "kind": "stage", "item": {"id": f"s{s}", "name": name, "customer_goal": "Get the job done"}})
    for i in range(touchpoints):
        s = i * stages // touchpoints
        ops.append({"op": "add", "kind": "touchpoint", "item": {
            "id": f"t{i}", "name": f"Step {i + 1} of {STAGE_NAMES[s % len(STAGE_NAMES)].lower()}",
            "stage": f"s{s}", "channel": CHANNELS[i % len(CHANNELS)], "emotion": (i * 7 % 5) - 2,
            "moment_of_truth": i % 37 == 0, "metric": "share" if i % 11 == 0 else "",
            "event_keys": [f"ev_{i}"],
            "pain_points": ["Waits too long for a reply"] if i % 9 == 0 else [],
            "opportunities": ["Answer within the hour"] if i % 13 == 0 else [],
        }})
    lanes = {lane["kind"]: lane["id"] for lane in j.to_dict()["lanes"]}
    for s in range(stages):
        for kind in ("actions", "thoughts", "pain_points", "opportunities"):
            ops.append({"op": "add", "kind": "card", "item": {"lane": lanes[kind], "stage": f"s{s}", "text": f"{kind.replace('_', ' ').capitalize()} of stage {s + 1}"}})
    j.batch(ops)
    return j


def big_widget(stages: int = 30, touchpoints: int = 600, customers: int = 3000, **kwargs):
    """A JourneyWidget showing the big map with events bound."""
    from journeywidget.widget import JourneyWidget

    j = big_journey(stages, touchpoints)
    w = JourneyWidget(j, **kwargs)
    w.bind_events(jw.datasets.events(j, customers=customers, customer_ids="int"),
                  customer="customer_id", time="timestamp", touchpoint="event")
    return w
