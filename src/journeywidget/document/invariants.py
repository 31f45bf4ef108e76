"""The rules that tie a document's items together, defined once for the loader and the edits.

The schema (:mod:`.schema`) states what each item may hold. These are the rules no
single item can state; the loader (:func:`.io.validate_document`) checks them on a
whole document, and the edit path (:func:`.operations.run_op`) checks them after every
operation on only what the operation touched, with the same functions:

1. ids are unique across the document, the journey's own id included;
2. each list holds at most :data:`LIST_CAPS` items (the schema's ``max_length``);
3. a touchpoint's and a card's ``stage`` is a stage of the map;
4. a card's ``lane`` is a lane of the map whose kind holds cards (not a computed lane);
5. a touchpoint's ``emotion`` is on the emotion scale;
6. a comment's ``target`` is an id in the document;
7. the emotion scale is well formed (:func:`scale_problems`).

Rules 3 to 6 are :func:`check_references` of one item. An edit can break them from
either side: by changing the item (it is checked again), or by removing or changing
what it refers to (the items that refer to it are checked again: :meth:`DocIndex.referrers`).

>>> doc = {"id": "j", "emotion_scale": {"min": -2, "max": 2, "labels": {}},
...        "stages": [{"id": "s"}], "lanes": [{"id": "l", "kind": "emotions"}],
...        "touchpoints": [], "cards": [], "comments": [], "personas": [], "goals": []}
>>> check_references(References(doc), "card", {"id": "c", "lane": "l", "stage": "s"})[0][0]
'lane'
>>> LIST_CAPS["lanes"]
200
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from .history import Delete, Insert, Primitive, Replace, ReplaceDoc, SetTop
from .schema import COLLECTION_KIND, COMPUTED_LANES, JourneyDocument

__all__ = [
    "LIST_CAPS", "References", "DocIndex", "check_references", "scale_problems", "edit_problems",
]


def _cap(coll: str) -> int:
    for meta in JourneyDocument.model_fields[coll].metadata:
        if getattr(meta, "max_length", None) is not None:
            return int(meta.max_length)
    raise AssertionError(f"the schema gives {coll} no maximum length")


#: The most items each list of a document may hold (from the schema, which the loader applies).
LIST_CAPS: dict[str, int] = {coll: _cap(coll) for coll in COLLECTION_KIND}


class References:
    """What items may refer to in ``doc`` (stages, lanes by id, every id); built once per check."""

    def __init__(self, doc: dict) -> None:
        self.doc = doc
        self._stages = {s["id"] for s in doc["stages"]}
        self._lanes = {lane["id"]: lane for lane in doc["lanes"]}
        self._ids = {doc["id"]}
        for coll in COLLECTION_KIND:
            self._ids.update(item["id"] for item in doc[coll])

    @property
    def scale(self) -> dict:
        return self.doc["emotion_scale"]

    def has_stage(self, item_id: str) -> bool:
        return item_id in self._stages

    def lane(self, item_id: str) -> dict | None:
        return self._lanes.get(item_id)

    def has_id(self, item_id: str) -> bool:
        return item_id in self._ids


def _ids_hint(doc: dict, coll: str, limit: int = 12) -> str:
    ids = [item["id"] for item in doc[coll]]
    if not ids:
        return f"the journey has no {coll} yet; add one first"
    shown = ", ".join(repr(i) for i in ids[:limit])
    more = f" (and {len(ids) - limit} more)" if len(ids) > limit else ""
    return f"use one of: {shown}{more}"


def check_references(refs: References | DocIndex, kind: str, data: dict) -> list[tuple[str, str]]:
    """Rules 3 to 6 for one item (already valid by the schema): ``(field, message)`` pairs."""
    problems: list[tuple[str, str]] = []
    if kind in ("touchpoint", "card") and not refs.has_stage(data["stage"]):
        problems.append(("stage", f"unknown stage {data['stage']!r}; {_ids_hint(refs.doc, 'stages')}"))
    if kind == "card":
        lane = refs.lane(data["lane"])
        if lane is None:
            problems.append(("lane", f"unknown lane {data['lane']!r}; {_ids_hint(refs.doc, 'lanes')}"))
        elif lane["kind"] in COMPUTED_LANES:
            problems.append((
                "lane",
                f"lane {lane['id']!r} is a {lane['kind']} lane, drawn from the touchpoints; "
                "put cards in an actions, thoughts, needs, pain_points, opportunities, backstage or text lane",
            ))
    if kind == "touchpoint" and data["emotion"] is not None:
        scale = refs.scale
        if not scale["min"] <= data["emotion"] <= scale["max"]:
            problems.append((
                "emotion",
                f"{data['emotion']} is off the emotion scale; use a number from {scale['min']} to "
                f"{scale['max']} or null",
            ))
    if kind == "comment" and not refs.has_id(data["target"]):
        problems.append(("target", f"unknown id {data['target']!r}; a comment's target must be the id of an item in the journey"))
    return problems


def scale_problems(scale: dict) -> list[str]:
    """Rule 7: ``min`` below ``max``, at most 21 points, one label per integer point."""
    problems = []
    lo, hi = scale["min"], scale["max"]
    if lo >= hi:
        problems.append(f"min ({lo}) must be below max ({hi})")
    elif hi - lo > 20:
        problems.append(f"the scale {lo}..{hi} has more than 21 points; use at most 21")
    else:
        want = {str(i) for i in range(lo, hi + 1)}
        have = set(scale["labels"])
        if have != want:
            missing = sorted(want - have, key=int)
            extra = sorted(have - want)
            bits = []
            if missing:
                bits.append("missing labels for " + ", ".join(missing))
            if extra:
                bits.append("labels for values off the scale: " + ", ".join(extra))
            problems.append("labels must have one entry per integer from min to max: " + "; ".join(bits))
    return problems


#: Columns of a list the edit path looks values up in; ``group`` is where a card sits.
_GETTERS: dict[str, Callable[[dict], Any]] = {
    "id": itemgetter("id"), "stage": itemgetter("stage"), "lane": itemgetter("lane"),
    "target": itemgetter("target"), "group": itemgetter("lane", "stage"),
}
#: Id lookups answered by scanning the id columns before a dict of every id is built.
_SCANS_BEFORE_DICT = 8
#: Which fields refer to another item by id (rules 3, 4 and 6).
_REFERRING = (("touchpoints", "stage"), ("cards", "stage"), ("cards", "lane"), ("comments", "target"))


class DocIndex:
    """Lookups on a document that one edit (or a batch of thousands) keeps up to date.

    Built lazily and only as far as needed: where each id is, and columns of values
    (ids, stages, lanes, comment targets) per list, searched at C speed. Every
    primitive edit of the run goes through :meth:`note`, so a batch of N operations
    costs no Python work per item of the map, where rebuilding sets of every id per
    operation made it quadratic.
    """

    def __init__(self, doc: dict) -> None:
        self.doc = doc
        self._where: dict[str, str] | None = None
        self._cols: dict[tuple[str, str], list] = {}
        self._counts: dict[tuple[str, str], Counter] = {}
        self._lanes: dict[str, dict] | None = None
        self._lookups = 0
        self.dupes: Counter = Counter()

    # -- the References interface --------------------------------------------
    @property
    def scale(self) -> dict:
        return self.doc["emotion_scale"]

    def where(self) -> dict[str, str]:
        """id -> the list holding it (``""`` for the journey's own id)."""
        if self._where is None:
            where: dict[str, str] = {}
            for coll in COLLECTION_KIND:
                where.update(dict.fromkeys(self.col(coll, "id"), coll))
            where[self.doc["id"]] = ""
            total = 1 + sum(len(self.doc[coll]) for coll in COLLECTION_KIND)
            if len(where) != total:  # an id used twice already (the check after the edit names it)
                counts = Counter(i for coll in COLLECTION_KIND for i in self.col(coll, "id"))
                counts[self.doc["id"]] += 1
                self.dupes.update({i: n - 1 for i, n in counts.items() if n > 1})
            self._where = where
        return self._where

    @property
    def indexed(self) -> bool:
        """Whether the dict of every id is built (and so counts ids used twice)."""
        return self._where is not None

    def uses(self, item_id: str) -> int:
        """How many times the document uses ``item_id`` as an id (the journey's own included)."""
        return (item_id == self.doc["id"]) + sum(self.col(c, "id").count(item_id) for c in COLLECTION_KIND)

    def __contains__(self, item_id: object) -> bool:
        """``id in index``: whether the document uses ``item_id`` (for picking fresh ids)."""
        return isinstance(item_id, str) and self.has_id(item_id)

    def _coll_of(self, item_id: str) -> str | None:
        """The list holding ``item_id`` ("" for the journey's own id). A few lookups scan the
        id columns (one edit on a big map builds no dict); many (a batch) build :meth:`where`."""
        if self._where is None:
            self._lookups += 1
            if self._lookups <= _SCANS_BEFORE_DICT:
                if item_id == self.doc["id"]:
                    return ""
                return next((coll for coll in COLLECTION_KIND if item_id in self.col(coll, "id")), None)
        return self.where().get(item_id)

    def has_id(self, item_id: str) -> bool:
        return self._coll_of(item_id) is not None

    def has_stage(self, item_id: str) -> bool:
        if self._where is None:
            return item_id in self.col("stages", "id")
        return self._where.get(item_id) == "stages"

    def lane(self, item_id: str) -> dict | None:
        if self._lanes is None:
            self._lanes = {lane["id"]: lane for lane in self.doc["lanes"]}
        return self._lanes.get(item_id)

    # -- lookups -------------------------------------------------------------
    def col(self, coll: str, name: str) -> list:
        """The values of field ``name`` of every item of ``coll``, in list order."""
        key = (coll, name)
        col = self._cols.get(key)
        if col is None:
            col = self._cols[key] = list(map(_GETTERS[name], self.doc[coll]))
        return col

    def count(self, coll: str, name: str, value: Any) -> int:
        """How many items of ``coll`` have ``value`` in field ``name``."""
        key = (coll, name)
        counts = self._counts.get(key)
        if counts is None:
            counts = self._counts[key] = Counter(self.col(coll, name))
        return counts[value]

    def locate(self, item_id: str) -> tuple[str, int] | None:
        """``(collection, position)`` of an item; None for unknown ids and the journey's own."""
        coll = self._coll_of(item_id)
        if not coll:
            return None
        return coll, self.col(coll, "id").index(item_id)

    def positions(self, coll: str, name: str, values: set) -> list[int]:
        """Positions, in order, of the items of ``coll`` whose ``name`` is one of ``values``."""
        col = self.col(coll, name)
        if len(values) > 4:
            return [i for i, v in enumerate(col) if v in values]
        out: list[int] = []
        for v in values:
            i = -1
            while True:
                try:
                    i = col.index(v, i + 1)
                except ValueError:
                    break
                out.append(i)
        return sorted(out)

    def referrers(self, ids: set[str]) -> list[tuple[str, int]]:
        """``(collection, position)`` of every item whose stage, lane or target is one of ``ids``."""
        found: set[tuple[str, int]] = set()
        for coll, name in _REFERRING:
            if not any(self.count(coll, name, i) for i in ids):
                continue
            found.update((coll, pos) for pos in self.positions(coll, name, ids))
        return sorted(found)

    # -- keeping up ----------------------------------------------------------
    def note(self, prim: Primitive) -> None:
        """Update the lookups for a primitive edit just applied to the document."""
        if isinstance(prim, SetTop):
            return
        if isinstance(prim, ReplaceDoc):
            self.__init__(self.doc)  # type: ignore[misc]
            return
        coll = prim.coll
        if coll == "lanes":
            self._lanes = None
        cols = [(name, col) for (c, name), col in self._cols.items() if c == coll]
        counts = [(name, n) for (c, name), n in self._counts.items() if c == coll]
        if isinstance(prim, Insert):
            for name, col in cols:
                col.insert(prim.pos, _GETTERS[name](prim.item))
            for name, n in counts:
                n[_GETTERS[name](prim.item)] += 1
            if self._where is not None:
                item_id = prim.item["id"]
                if item_id in self._where:
                    self.dupes[item_id] += 1
                else:
                    self._where[item_id] = coll
        elif isinstance(prim, Delete):
            for _name, col in cols:
                del col[prim.pos]
            for name, n in counts:
                n[_GETTERS[name](prim.item)] -= 1
            if self._where is not None:
                item_id = prim.item["id"]
                if self.dupes[item_id]:
                    self.dupes[item_id] -= 1
                else:
                    self._where.pop(item_id, None)
        elif isinstance(prim, Replace):
            for name, col in cols:
                col[prim.pos] = _GETTERS[name](prim.after)
            for name, n in counts:
                n[_GETTERS[name](prim.before)] -= 1
                n[_GETTERS[name](prim.after)] += 1


def edit_problems(ix: DocIndex, prims: list[Primitive]) -> list[str]:
    """What the edit made of ``prims`` (applied to ``ix.doc``) broke of rules 1 to 7.

    Only what the edit can affect is checked: the items it added or changed (their own
    references), the items that refer to something it removed or to a lane whose kind
    it changed, the lists it grew, and every emotion when it changed the scale.
    """
    doc = ix.doc
    final: dict[str, tuple[str, dict | None]] = {}  # id -> (collection, item now, or None if removed)
    removed: set[str] = set()
    relaned: set[str] = set()  # lanes whose kind changed: the cards in them are checked again
    grown: set[str] = set()
    scale_changed = False
    for p in prims:
        if isinstance(p, Insert):
            final[p.item["id"]] = (p.coll, p.item)
            grown.add(p.coll)
        elif isinstance(p, Delete):
            final[p.item["id"]] = (p.coll, None)
            removed.add(p.item["id"])
        elif isinstance(p, Replace):
            final[p.after["id"]] = (p.coll, p.after)
            if p.coll == "lanes" and p.before["kind"] != p.after["kind"]:
                relaned.add(p.after["id"])
        elif isinstance(p, SetTop) and p.key == "emotion_scale":
            scale_changed = True
    problems: list[str] = []
    for coll in sorted(grown):
        if len(doc[coll]) > LIST_CAPS[coll]:
            problems.append(f"{coll}: a journey holds at most {LIST_CAPS[coll]:,} {coll}; remove some first")
    twice = {i: n + 1 for i, n in ix.dupes.items() if n}
    if not ix.indexed:  # a short edit: count its new items' ids in the id columns
        inserted = {p.item["id"] for p in prims if isinstance(p, Insert)}
        twice.update({i: n for i in inserted if (n := ix.uses(i)) > 1})
    for item_id, n in twice.items():
        problems.append(f"id {item_id!r} is used {n} times; ids must be unique across the document")
    if scale_changed:
        problems += [f"journey.emotion_scale: {p}" for p in scale_problems(doc["emotion_scale"])]
    check: list[tuple[str, dict]] = [(coll, item) for coll, item in final.values() if item is not None]
    others: list[tuple[str, int]] = []
    gone = {i for i in removed if not ix.has_id(i)} | relaned
    if gone:
        others += ix.referrers(gone)
    if scale_changed:
        others += [("touchpoints", pos) for pos, t in enumerate(doc["touchpoints"]) if t["emotion"] is not None]
    check += [(coll, doc[coll][pos]) for coll, pos in others]
    seen: set[str] = set()
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for coll, item in check:
        if item["id"] in seen:
            continue
        seen.add(item["id"])
        kind = COLLECTION_KIND[coll]
        for field, msg in check_references(ix, kind, item):
            grouped.setdefault((kind, field, msg), []).append(item["id"])
    for (kind, field, msg), ids in grouped.items():
        names = ", ".join(repr(i) for i in ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
        them = "it" if len(ids) == 1 else "them"
        problems.append(f"{kind if len(ids) == 1 else kind + 's'} {names}: {field}: {msg} (change or remove {them} first)")
    return problems
