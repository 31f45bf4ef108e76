"""The vocabulary of a journey map: channels, lane kinds, journey types, states, evidence.

One file, ``vocabulary.json`` beside this module, holds it; the front end bundles the
same file, so labels and orders agree everywhere. Every constant here is derived
from it (order is display order).

>>> from journeywidget.core import vocabulary as v
>>> v.CHANNELS[:3], v.CHANNEL_LABELS["mobile_app"]
(('web', 'mobile_app', 'email'), 'Mobile app')
>>> v.LANE_TITLES["actions"], "emotions" in v.COMPUTED_LANES
('Customer actions', True)
>>> [lane["id"] for lane in v.default_lanes()][:3]
['actions', 'thoughts', 'touchpoints']
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "PATH", "CHANNELS", "CHANNEL_LABELS", "LANE_KINDS", "LANE_TITLES", "COMPUTED_LANES",
    "DEFAULT_LANE_KINDS", "JOURNEY_TYPES", "JOURNEY_TYPE_LABELS", "JOURNEY_TYPE_CHIPS", "STATES",
    "STATE_LABELS", "STATE_CHIPS",
    "EVIDENCE", "EVIDENCE_LABELS", "DIRECTIONS", "DIRECTION_LABELS", "EMOTION_LABELS",
    "LANE_COLORS", "LANE_COLOR_HEX", "LANE_ICONS", "LANE_ICON_LABELS", "CARD_COLUMNS",
    "LaneKind", "JourneyType", "State", "EvidenceKind", "Direction", "LaneColor", "LaneIcon",
    "default_lanes",
]

#: The vocabulary file (shipped in the package and bundled into the front end).
PATH = Path(__file__).resolve().parent / "vocabulary.json"

_V: dict[str, Any] = json.loads(PATH.read_text(encoding="utf-8"))


def _ids(key: str) -> tuple[str, ...]:
    return tuple(entry["id"] for entry in _V[key])


def _labels(key: str, field: str = "label") -> dict[str, str]:
    return {entry["id"]: entry[field] for entry in _V[key]}


CHANNELS = _ids("channels")
CHANNEL_LABELS = _labels("channels")
LANE_KINDS = _ids("lane_kinds")
LANE_TITLES = _labels("lane_kinds", "title")
#: Lanes drawn from the touchpoints themselves; they hold no cards.
COMPUTED_LANES = tuple(entry["id"] for entry in _V["lane_kinds"] if entry["computed"])
#: The lanes a new map starts with, in order.
DEFAULT_LANE_KINDS = tuple(_V["default_lanes"])
JOURNEY_TYPES = _ids("journey_types")
JOURNEY_TYPE_LABELS = _labels("journey_types")
#: Short texts for the map's header ("Purchase journey"; "Journey" for custom).
JOURNEY_TYPE_CHIPS = _labels("journey_types", "chip")
STATES = _ids("states")
STATE_LABELS = _labels("states")
STATE_CHIPS = _labels("states", "chip")
EVIDENCE = _ids("evidence")
EVIDENCE_LABELS = _labels("evidence")
DIRECTIONS = _ids("directions")
DIRECTION_LABELS = _labels("directions")
#: The colours a lane may have (a palette, never a CSS value from the document) and their hex.
LANE_COLORS = _ids("lane_colors")
LANE_COLOR_HEX = _labels("lane_colors", "hex")
#: The icons a lane may show instead of its kind's.
LANE_ICONS = _ids("lane_icons")
LANE_ICON_LABELS = _labels("lane_icons")
#: Card columns per stage (``layout.card_columns``): ``{"min", "max", "default"}``.
CARD_COLUMNS: dict[str, int] = dict(_V["card_columns"])
#: The default labels of the emotion scale (-2..2).
EMOTION_LABELS: dict[str, str] = dict(_V["emotion_labels"])

# The same choices as types, for the pydantic schema (Literal[("a", "b")] is Literal["a", "b"]).
LaneKind = Literal[LANE_KINDS]  # type: ignore[valid-type]
JourneyType = Literal[JOURNEY_TYPES]  # type: ignore[valid-type]
State = Literal[STATES]  # type: ignore[valid-type]
EvidenceKind = Literal[EVIDENCE]  # type: ignore[valid-type]
Direction = Literal[DIRECTIONS]  # type: ignore[valid-type]
LaneColor = Literal[("", *LANE_COLORS)]  # type: ignore[valid-type]
LaneIcon = Literal[("", *LANE_ICONS)]  # type: ignore[valid-type]


def default_lanes() -> list[dict]:
    """The lanes a new map starts with: ``[{"id", "kind", "title"}, ...]`` (a new list each call)."""
    return [{"id": k.replace("_", "-"), "kind": k, "title": LANE_TITLES[k]} for k in DEFAULT_LANE_KINDS]


def channel_label(channel: Any) -> str:
    """The label of a channel id (a custom channel is shown as written; none gives "").

    >>> channel_label("in_person"), channel_label("Kiosk"), channel_label(None)
    ('In person', 'Kiosk', '')
    """
    if not channel:
        return ""
    return CHANNEL_LABELS.get(channel, str(channel))
