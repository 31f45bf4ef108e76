"""The journey map document's schema: pydantic models, one per item kind.

These models describe and validate the JSON document (see ``docs/FORMAT.md``).
They are frozen: change a journey through :class:`journeywidget.Journey`'s
methods so every edit is validated and undoable.

>>> import journeywidget as jw
>>> jw.Stage(name="Awareness", icon="👀").name
'Awareness'
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    field_validator,
)

from ..core.ids import ID_PATTERN
from ..core.limits import MAX_NUMBER, brief
from ..core.version import SCHEMA_VERSION
from ..core.vocabulary import (
    CARD_COLUMNS,
    CHANNEL_LABELS,
    CHANNELS,
    COMPUTED_LANES,
    DIRECTIONS,
    EMOTION_LABELS,
    EVIDENCE,
    JOURNEY_TYPES,
    LANE_KINDS,
    LANE_TITLES,
    STATES,
    Direction,
    EvidenceKind,
    JourneyType,
    LaneColor,
    LaneIcon,
    LaneKind,
    State,
)

__all__ = [
    "SCHEMA_VERSION", "CHANNELS", "CHANNEL_LABELS", "COMPUTED_LANES", "DIRECTIONS", "EVIDENCE",
    "JOURNEY_TYPES", "LANE_KINDS", "LANE_TITLES", "STATES", "KINDS", "COLLECTION_KIND",
    "TOP_LEVEL_FIELDS", "JourneyDocument", "Persona", "Goal", "Stage", "Lane", "Touchpoint", "Card",
    "Comment", "EmpathyMap", "Segment", "EmotionScale", "MapLayout", "json_schema",
]

Name = Annotated[str, Field(min_length=1, max_length=300)]
Text = Annotated[str, Field(max_length=20_000)]
ShortText = Annotated[str, Field(max_length=300)]
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=100)]


def _bounded_number(v: Any) -> Any:
    """Refuse a number JSON and JavaScript cannot carry exactly: not finite, or over 2**53 - 1."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return v
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError(f"must be a finite number, not {v}; use null to leave it unset")
    if not -MAX_NUMBER <= v <= MAX_NUMBER:
        raise ValueError(
            f"{brief(v)} is out of range; numbers in a journey are between -{MAX_NUMBER:,} and "
            f"{MAX_NUMBER:,} (what JSON and JavaScript carry exactly)"
        )
    return v


#: A whole number or a decimal, finite and at most 2**53 - 1 in size (the bounds are in the
#: JSON Schema too, so the standalone page refuses the same numbers).
_Bounds = Field(ge=-MAX_NUMBER, le=MAX_NUMBER)
_Checked = BeforeValidator(_bounded_number)
SafeInt = Annotated[StrictInt, _Bounds, _Checked]
Number = Annotated[Union[Annotated[StrictInt, _Bounds], Annotated[StrictFloat, _Bounds]], _Checked]  # noqa: UP007
SegmentValue = Annotated[Union[StrictBool, Annotated[StrictInt, _Bounds], Annotated[StrictFloat, _Bounds], str], _Checked]  # noqa: UP007
TextList = Annotated[list[Annotated[str, Field(max_length=20_000)]], Field(max_length=1_000)]
Tags = Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=200)]
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


_EFFORT = ("The analyst's estimate of the effort to improve this item, on any positive scale "
           "(e.g. 1-5); it divides the item's opportunity score. Unset (or not positive): 1.")


def _require_id(schema: dict[str, Any]) -> None:
    schema.setdefault("required", [])
    if "id" not in schema["required"]:
        schema["required"].insert(0, "id")


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, json_schema_extra=_require_id)


class EmpathyMap(BaseModel):
    """What the persona says, thinks, does and feels."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    says: TextList = []
    thinks: TextList = []
    does: TextList = []
    feels: TextList = []


class Segment(BaseModel):
    """The slice of customer data a persona stands for: ``column`` in ``values``."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    column: Name
    values: Annotated[list[SegmentValue], Field(max_length=1_000)] = []


class Persona(_Item):
    """A persona the map is for."""

    id: Id = ""
    name: Name
    description: Text = ""
    quote: Text = ""
    attributes: Annotated[dict[Annotated[str, Field(max_length=100)], Annotated[str, Field(max_length=1000)]], Field(max_length=100)] = {}
    goals: TextList = []
    needs: TextList = []
    motivations: TextList = []
    frustrations: TextList = []
    empathy: EmpathyMap = EmpathyMap()
    segment: Segment | None = None


class Goal(_Item):
    """A goal or KPI the organisation wants to move with this map."""

    id: Id = ""
    name: Name
    description: Text = ""
    metric: ShortText = ""
    target: Number | None = None
    unit: Annotated[str, Field(max_length=40)] = ""
    direction: Direction = "increase"


class Stage(_Item):
    """A stage (a column) of the journey."""

    id: Id = ""
    name: Name
    description: Text = ""
    customer_goal: Text = ""
    milestone: StrictBool = False
    icon: Annotated[str, Field(max_length=16)] = ""
    effort: Number | None = Field(default=None, description=_EFFORT)


class Lane(_Item):
    """A row of the map: what it shows is given by ``kind``.

    ``color`` and ``icon`` are names from the vocabulary (``""``: the kind's own):
    a palette, never a CSS value, so a document cannot inject styles.
    """

    id: Id = ""
    kind: LaneKind
    title: ShortText = ""
    color: LaneColor = Field(default="", description="A palette colour name; \"\" = the kind's colour.")
    icon: LaneIcon = Field(default="", description="An icon name from the vocabulary; \"\" = the kind's icon.")


class Touchpoint(_Item):
    """A point where the customer meets the company."""

    id: Id = ""
    name: Name
    stage: Id
    channel: Annotated[str, Field(min_length=1, max_length=60)] | None = Field(
        default=None,
        description="One of " + ", ".join(CHANNELS) + ", or a custom channel name.",
    )
    emotion: Number | None = None
    moment_of_truth: StrictBool = False
    metric: ShortText = ""
    description: Text = ""
    pain_points: TextList = []
    opportunities: TextList = []
    quotes: TextList = []
    owner: ShortText = ""
    evidence: Annotated[list[EvidenceKind], Field(max_length=5)] = []
    event_keys: Annotated[list[Annotated[str, Field(min_length=1, max_length=300)]], Field(max_length=1_000)] = []
    tags: Tags = []
    effort: Number | None = Field(default=None, description=_EFFORT)


class Card(_Item):
    """A sticky note in a lane, under a stage."""

    id: Id = ""
    lane: Id
    stage: Id
    text: Text = ""


class Comment(_Item):
    """A comment on any item (or on the journey itself)."""

    id: Id = ""
    target: Id
    author: ShortText = ""
    text: Annotated[str, Field(min_length=1, max_length=20_000)]
    created: str = ""
    resolved: StrictBool = False

    @field_validator("created")
    @classmethod
    def _when(cls, v: str) -> str:
        if v and not _valid_datetime(v):
            raise ValueError("must be an ISO 8601 datetime such as 2026-11-23T20:11:16Z")
        return v


def _default_labels() -> dict[str, str]:
    return dict(EMOTION_LABELS)


class MapLayout(BaseModel):
    """How the map lays itself out: ``card_columns`` is the most touchpoint cards a stage
    puts side by side before wrapping to the next row (so a map grows in width with its
    stages, not its touchpoints)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    card_columns: Annotated[StrictInt, Field(ge=CARD_COLUMNS["min"], le=CARD_COLUMNS["max"])] = CARD_COLUMNS["default"]


class EmotionScale(BaseModel):
    """The scale emotions are set on: integers ``min``..``max`` with a label each."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    min: SafeInt = -2
    max: SafeInt = 2
    labels: dict[str, ShortText] = Field(default_factory=_default_labels)


def _valid_datetime(v: str) -> bool:
    if not _DATETIME.match(v):
        return False
    try:
        datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


class JourneyDocument(BaseModel):
    """The whole journey map document (``schema_version`` 1)."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, title="journeywidget journey map",
    )
    schema_version: Literal[1] = 1
    id: Id
    title: Name
    description: Text = ""
    journey_type: JourneyType = "custom"
    state: State = "as_is"
    created: str
    modified: str
    tags: Tags = []
    emotion_scale: EmotionScale = EmotionScale()
    layout: MapLayout = MapLayout()
    personas: Annotated[list[Persona], Field(max_length=1_000)] = []
    goals: Annotated[list[Goal], Field(max_length=1_000)] = []
    stages: Annotated[list[Stage], Field(max_length=1_000)] = []
    lanes: Annotated[list[Lane], Field(max_length=200)] = []
    touchpoints: Annotated[list[Touchpoint], Field(max_length=100_000)] = []
    cards: Annotated[list[Card], Field(max_length=100_000)] = []
    comments: Annotated[list[Comment], Field(max_length=100_000)] = []

    @field_validator("created")
    @classmethod
    def _created(cls, v: str) -> str:
        if not _valid_datetime(v):
            raise ValueError("must be an ISO 8601 datetime such as 2026-11-23T20:11:16Z")
        return v

    @field_validator("modified")
    @classmethod
    def _modified(cls, v: str) -> str:
        try:
            date.fromisoformat(v)
        except ValueError:
            raise ValueError("must be an ISO date such as 2026-11-23") from None
        if len(v) != 10:
            raise ValueError("must be an ISO date such as 2026-11-23")
        return v


#: item kind -> (document list key, model)
KINDS: dict[str, tuple[str, type[_Item]]] = {
    "persona": ("personas", Persona),
    "goal": ("goals", Goal),
    "stage": ("stages", Stage),
    "lane": ("lanes", Lane),
    "touchpoint": ("touchpoints", Touchpoint),
    "card": ("cards", Card),
    "comment": ("comments", Comment),
}
COLLECTION_KIND = {coll: kind for kind, (coll, _) in KINDS.items()}
TOP_LEVEL_FIELDS = ("title", "description", "journey_type", "state", "tags", "emotion_scale", "layout")


def json_schema() -> dict[str, Any]:
    """Generate the JSON Schema of the document from the models."""
    schema = JourneyDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://github.com/journeywidget/journeywidget/schema/journey-v1.json"
    return schema
