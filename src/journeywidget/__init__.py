"""journeywidget: an editable customer journey map that lives in Jupyter.

Build a map by script or by hand, bind your data to its touchpoints, and see
reach, drop-off, time between steps and satisfaction on the map.

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("ecommerce-purchase")
>>> j.title
'E-commerce purchase: browse to returns'

Heavy modules (pydantic, pandas, altair, anywidget) load on first use, so
``import journeywidget`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "Journey": ".model",
    "Persona": ".items",
    "Goal": ".items",
    "Stage": ".items",
    "Lane": ".items",
    "Touchpoint": ".items",
    "Card": ".items",
    "Comment": ".items",
    "EmpathyMap": ".items",
    "Segment": ".items",
    "EmotionScale": ".items",
    "CHANNELS": ".items",
    "LANE_KINDS": ".items",
    "JOURNEY_TYPES": ".items",
    "Suggestion": ".guidance",
    "Change": ".diff",
    "Checkpoint": ".history",
    "TemplateInfo": ".catalog",
    "templates": ".catalog",
    "JourneyWidget": ".widget",
    "JourneyMetrics": ".binding",
}
_SUBMODULES = ("datasets", "export", "metrics", "binding", "charts", "widget", "items", "cli")

from .errors import (  # noqa: E402  (tiny, no deps)
    DocumentError,
    FileWriteError,
    InputLimitError,
    JourneyError,
    OperationError,
    SaveConflictError,
    SourceError,
)

__all__ = [
    "DocumentError", "FileWriteError", "InputLimitError", "JourneyError", "OperationError", "SaveConflictError",
    "SourceError", "schema", *sorted(_LAZY), *_SUBMODULES,
]


def schema() -> dict:
    """The JSON Schema of the journey document (the file shipped in the package).

    >>> import journeywidget as jw
    >>> jw.schema()["properties"]["schema_version"]["const"]
    1
    """
    import json
    from pathlib import Path

    path = Path(__file__).parent / "schema" / "journey.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'journeywidget' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover
    from . import binding, datasets, export, metrics
    from .binding import JourneyMetrics
    from .catalog import TemplateInfo, templates
    from .diff import Change
    from .guidance import Suggestion
    from .history import Checkpoint
    from .items import (
        CHANNELS,
        JOURNEY_TYPES,
        LANE_KINDS,
        Card,
        Comment,
        EmotionScale,
        EmpathyMap,
        Goal,
        Lane,
        Persona,
        Segment,
        Stage,
        Touchpoint,
    )
    from .model import Journey
    from .widget import JourneyWidget
