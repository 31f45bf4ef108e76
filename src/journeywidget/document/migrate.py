"""Migrations from older document versions to the current one.

Version 0 was the pre-release draft format: touchpoints nested inside their
stages, a single ``persona`` object, emotions on a 1..5 scale, no lanes.

>>> v0 = {"schema_version": 0, "title": "Old", "persona": {"name": "Ann"},
...       "stages": [{"name": "Buy", "touchpoints": [{"name": "Shop", "emotion": 5}]}]}
>>> doc = migrate(v0)
>>> doc["schema_version"], doc["touchpoints"][0]["stage"], doc["touchpoints"][0]["emotion"]
(1, 'buy', 2)
"""

from __future__ import annotations

import copy

from ..core.clock import now_iso, today
from ..core.errors import DocumentError, ErrorDetail
from ..core.ids import slugify, unique_id
from ..core.version import SCHEMA_VERSION, __version__
from ..core.vocabulary import default_lanes

__all__ = ["CURRENT_VERSION", "migrate"]

#: The version :func:`migrate` upgrades documents to (the one this package writes).
CURRENT_VERSION = SCHEMA_VERSION


def migrate(data: dict, source: str | None = None) -> dict:
    """Return ``data`` upgraded to the current ``schema_version``.

    A newer version is refused: upgrade journeywidget to read it.
    """
    version = data.get("schema_version", None)
    if "schema_version" not in data:
        raise DocumentError(
            [ErrorDetail("$.schema_version", f"missing; add \"schema_version\": {CURRENT_VERSION} at the top of the document")],
            source,
        )
    if isinstance(version, bool) or not isinstance(version, int):
        raise DocumentError(
            [ErrorDetail("$.schema_version", f"must be an integer version such as {CURRENT_VERSION}, got {version!r}")],
            source,
        )
    if version > CURRENT_VERSION:
        raise DocumentError(
            [ErrorDetail(
                "$.schema_version",
                f"version {version} is newer than this journeywidget {__version__} understands "
                f"(up to {CURRENT_VERSION}); upgrade with `pip install -U journeywidget`",
            )],
            source,
        )
    if version < 0:
        raise DocumentError([ErrorDetail("$.schema_version", f"unknown version {version}; expected {CURRENT_VERSION}")], source)
    if version == 0:
        data = _from_v0(data, source)
    return data


def _from_v0(data: dict, source: str | None) -> dict:
    d = copy.deepcopy(data)
    errors = []
    stages = d.get("stages", [])
    if not isinstance(stages, list):
        raise DocumentError([ErrorDetail("$.stages", "must be an array (version 0 document)")], source)
    touchpoints = []
    taken: set[str] = set()
    new_stages = []
    for i, st in enumerate(stages):
        if not isinstance(st, dict):
            errors.append(ErrorDetail(f"$.stages[{i}]", "must be an object"))
            continue
        st = dict(st)
        st.setdefault("id", unique_id(slugify(str(st.get("name", "")), "stage"), taken))
        taken.add(st["id"])
        nested = st.pop("touchpoints", [])
        if not isinstance(nested, list):
            errors.append(ErrorDetail(f"$.stages[{i}].touchpoints", "must be an array"))
            nested = []
        for j, tp in enumerate(nested):
            if not isinstance(tp, dict):
                errors.append(ErrorDetail(f"$.stages[{i}].touchpoints[{j}]", "must be an object"))
                continue
            tp = dict(tp)
            tp["stage"] = st["id"]
            if isinstance(tp.get("emotion"), (int, float)) and not isinstance(tp.get("emotion"), bool):
                tp["emotion"] = tp["emotion"] - 3  # 1..5 -> -2..2
            touchpoints.append(tp)
        new_stages.append(st)
    if errors:
        raise DocumentError(errors, source)
    for tp in touchpoints:
        if not tp.get("id"):
            tp["id"] = unique_id(slugify(str(tp.get("name", "")), "touchpoint"), taken)
        taken.add(tp["id"])
    d["stages"] = new_stages
    d["touchpoints"] = touchpoints
    persona = d.pop("persona", None)
    d["personas"] = [persona] if isinstance(persona, dict) else []
    for p in d["personas"]:
        if not p.get("id"):
            p["id"] = unique_id(slugify(str(p.get("name", "")), "persona"), taken)
            taken.add(p["id"])
    if "lanes" not in d:
        d["lanes"] = [ln for ln in default_lanes() if ln["id"] not in taken]
    d.setdefault("id", slugify(str(d.get("title", "")), "journey"))
    d.setdefault("created", now_iso())
    d.setdefault("modified", today())
    d["schema_version"] = 1
    return d
