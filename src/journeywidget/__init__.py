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

from .core.version import __version__  # noqa: E402  (tiny, no deps)

_LAZY = {
    "Journey": ".journey",
    "Persona": ".document.schema",
    "Goal": ".document.schema",
    "Stage": ".document.schema",
    "Lane": ".document.schema",
    "Touchpoint": ".document.schema",
    "Card": ".document.schema",
    "Comment": ".document.schema",
    "EmpathyMap": ".document.schema",
    "Segment": ".document.schema",
    "EmotionScale": ".document.schema",
    "CHANNELS": ".core.vocabulary",
    "LANE_KINDS": ".core.vocabulary",
    "JOURNEY_TYPES": ".core.vocabulary",
    "Suggestion": ".document.guidance",
    "Change": ".document.diff",
    "Checkpoint": ".document.history",
    "TemplateInfo": ".document.templates",
    "templates": ".document.templates",
    "JourneyWidget": ".widget",
    "JourneyMetrics": ".data.metrics",
    "BindingError": ".core.errors",
    "merge": ".collab",
    "MergeResult": ".collab",
    "Conflict": ".document.merge",
}
#: ``jw.<name>`` -> the module it stands for
_SUBMODULES = {
    "datasets": ".data.datasets", "export": ".export", "metrics": ".data.metrics",
    "binding": ".data.metrics", "insights": ".data.insights", "charts": ".charts",
    "widget": ".widget", "items": ".document.schema", "cli": ".cli",
}

from .core.errors import (  # noqa: E402  (tiny, no deps)
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
        module = importlib.import_module(_SUBMODULES[name], __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'journeywidget' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover
    from . import export
    from .collab import MergeResult, merge
    from .data import datasets, insights, metrics
    from .data import metrics as binding
    from .data.metrics import JourneyMetrics
    from .document.diff import Change
    from .document.guidance import Suggestion
    from .document.history import Checkpoint
    from .document.merge import Conflict
    from .document.schema import (
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
    from .document.templates import TemplateInfo, templates
    from .journey import Journey
    from .widget import JourneyWidget
