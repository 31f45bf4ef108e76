"""Working as a team: merge two edited copies of a map item by item (``jw.merge``).

The rules are in :mod:`journeywidget.document.merge`; git plumbing (the merge and diff
drivers, loading a committed version) in :mod:`journeywidget.document.gitio`.

>>> import journeywidget as jw
>>> base = jw.Journey("Shop"); s = base.add_stage("Decision"); t = base.add_touchpoint("Checkout", stage=s)
>>> ours = jw.Journey.from_dict(base.to_dict()); ours.update(t, name="Pay")
>>> theirs = jw.Journey.from_dict(base.to_dict()); theirs.update(t, name="Pay now")
>>> result = jw.merge(base, ours, theirs)
>>> result.journey[t].name, [str(c) for c in result.conflicts]
('Pay', ["touchpoint 'Pay': theirs set name to 'Pay now'; kept ours, 'Pay'"])
>>> [c.text for c in result.journey.comments]
["merge conflict: theirs set name to 'Pay now'; kept ours, 'Pay'"]
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .core.errors import JourneyError
from .document.io import read_file, validate_document
from .document.merge import Conflict, merge_documents
from .journey import Journey

__all__ = ["MergeResult", "merge", "as_document"]


@dataclass
class MergeResult:
    """What :func:`merge` gives: the merged :class:`Journey` and its conflicts (empty when clean)."""

    journey: Journey
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when nothing conflicted."""
        return not self.conflicts

    def __repr__(self) -> str:
        n = len(self.conflicts)
        return f"<MergeResult {self.journey!r}, {n} conflict{'s' if n != 1 else ''}>"


def as_document(value: Any, what: str, *, optional: bool = False) -> dict | None:
    """A canonical document from a :class:`Journey`, a document dict or a file path.

    With ``optional=True``, ``None`` and an empty file (what git passes as the base when
    both branches added the map) mean "no common version" and give ``None``.

    >>> as_document(None, "base", optional=True) is None
    True
    """
    if value is None and optional:
        return None
    if isinstance(value, Journey):
        return value.to_dict()
    if isinstance(value, dict):
        return validate_document(copy.deepcopy(value), what)
    if isinstance(value, (str, os.PathLike)):
        path = Path(value)
        if optional and path.is_file() and path.stat().st_size == 0:
            return None
        return read_file(path)
    raise JourneyError(
        f"{what}: expected a Journey, a document dict or the path of a journey file, got {type(value).__name__}"
    )


def merge(base: Any, ours: Any, theirs: Any) -> MergeResult:
    """Three-way merge of two edited copies of a map, by item and field (not by text).

    ``base`` is the version both started from (``None`` if there is none); each argument
    may be a :class:`Journey`, a document dict or a path. Conflicts keep ours, record
    theirs, and are written onto the merged map as comments ("merge conflict: ...") to
    resolve in the widget. See :mod:`journeywidget.document.merge` for every rule.
    """
    outcome = merge_documents(
        as_document(base, "base", optional=True), as_document(ours, "ours"), as_document(theirs, "theirs")
    )
    return MergeResult(Journey._from_canonical(outcome.document), outcome.conflicts)
