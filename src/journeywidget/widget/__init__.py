"""The editable journey map widget (anywidget)."""

from .journey_widget import JourneyWidget, readable_name

__all__ = ["JourneyWidget", "readable_name"]
