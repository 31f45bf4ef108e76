"""The editable journey map widget (anywidget).

>>> import journeywidget as jw
>>> w = JourneyWidget(jw.Journey.from_template("saas-onboarding"), editable=False)
>>> w.editable, w.overlay, w.metrics is None
(False, 'none', True)
"""

from .journey_widget import JourneyWidget, readable_name

__all__ = ["JourneyWidget", "readable_name"]
