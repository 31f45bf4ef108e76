"""Undo/redo history and checkpoints.

Every edit is compiled into a few primitive list edits on the document
(insert, delete, replace an item, set a top-level field, replace the whole
document). A history entry holds those primitives; undoing applies their
inverses in reverse order, so undo gives back the document exactly.

>>> doc = {"stages": [{"id": "a"}]}
>>> prims = [Insert("stages", 1, {"id": "b"})]
>>> apply_all(doc, prims); [s["id"] for s in doc["stages"]]
['a', 'b']
>>> revert_all(doc, prims); [s["id"] for s in doc["stages"]]
['a']
"""

from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

__all__ = ["Checkpoint", "Entry", "History"]


@dataclass(frozen=True)
class Insert:
    coll: str
    pos: int
    item: dict

    def apply(self, doc: dict) -> None:
        doc[self.coll].insert(self.pos, self.item)

    def inverse(self) -> Delete:
        return Delete(self.coll, self.pos, self.item)


@dataclass(frozen=True)
class Delete:
    coll: str
    pos: int
    item: dict

    def apply(self, doc: dict) -> None:
        removed = doc[self.coll].pop(self.pos)
        assert removed["id"] == self.item["id"], "history out of step with the document"

    def inverse(self) -> Insert:
        return Insert(self.coll, self.pos, self.item)


@dataclass(frozen=True)
class Replace:
    coll: str
    pos: int
    before: dict
    after: dict

    def apply(self, doc: dict) -> None:
        assert doc[self.coll][self.pos]["id"] == self.before["id"], "history out of step"
        doc[self.coll][self.pos] = self.after

    def inverse(self) -> Replace:
        return Replace(self.coll, self.pos, self.after, self.before)


@dataclass(frozen=True)
class SetTop:
    key: str
    before: Any
    after: Any

    def apply(self, doc: dict) -> None:
        doc[self.key] = copy.deepcopy(self.after)

    def inverse(self) -> SetTop:
        return SetTop(self.key, self.after, self.before)


@dataclass(frozen=True)
class ReplaceDoc:
    before: dict
    after: dict

    def apply(self, doc: dict) -> None:
        doc.clear()
        doc.update(copy.deepcopy(self.after))

    def inverse(self) -> ReplaceDoc:
        return ReplaceDoc(self.after, self.before)


Primitive = Insert | Delete | Replace | SetTop | ReplaceDoc


def apply_all(doc: dict, prims: list[Primitive]) -> None:
    for p in prims:
        p.apply(doc)


def revert_all(doc: dict, prims: list[Primitive]) -> None:
    for p in reversed(prims):
        p.inverse().apply(doc)


@dataclass
class Entry:
    """One undoable step: a label for people and the primitives that made it."""

    label: str
    prims: list[Primitive]
    time: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass(frozen=True)
class Checkpoint:
    """A named snapshot of the document ("an earlier draft")."""

    name: str
    created: datetime
    document: dict = field(repr=False)

    @property
    def summary(self) -> str:
        d = self.document
        return f"{len(d['stages'])} stages, {len(d['touchpoints'])} touchpoints"


class History:
    """Bounded undo/redo stacks plus named checkpoints."""

    def __init__(self, limit: int = 1000):
        if limit < 1:
            raise ValueError("history limit must be at least 1")
        self.limit = limit
        self._undo: deque[Entry] = deque(maxlen=limit)
        self._redo: list[Entry] = []
        self.checkpoints: dict[str, Checkpoint] = {}

    def record(self, entry: Entry) -> None:
        self._undo.append(entry)
        self._redo.clear()

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def pop_undo(self) -> Entry | None:
        if not self._undo:
            return None
        entry = self._undo.pop()
        self._redo.append(entry)
        return entry

    def pop_redo(self) -> Entry | None:
        if not self._redo:
            return None
        entry = self._redo.pop()
        self._undo.append(entry)
        return entry

    @property
    def labels(self) -> list[str]:
        return [e.label for e in self._undo]

    @property
    def redo_labels(self) -> list[str]:
        return [e.label for e in reversed(self._redo)]

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
