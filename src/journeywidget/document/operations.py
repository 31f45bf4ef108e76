"""The one mutation path: JSON operations -> validated primitive edits.

Python scripting (:class:`journeywidget.Journey`) and the widget both send the
operations described in ``docs/FORMAT.md``. :func:`run_op` validates an
operation against the current document, applies it, and returns the primitive
edits it made (for the history) and a label for people.

>>> import journeywidget as jw
>>> doc = jw.Journey("Demo").to_dict()
>>> prims, label = run_op(doc, {"op": "add", "kind": "stage", "item": {"name": "Browse"}})
>>> label, [s["id"] for s in doc["stages"]], locate(doc, "browse")
("added stage 'Browse'", ['browse'], ('stages', 0))
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..core.clock import now_iso
from ..core.errors import OperationError
from ..core.ids import is_valid_id, slugify, unique_id
from .history import Delete, Insert, Primitive, Replace, SetTop, revert_all
from .schema import (
    COLLECTION_KIND,
    COMPUTED_LANES,
    KINDS,
    TOP_LEVEL_FIELDS,
    EmotionScale,
    JourneyDocument,
)

__all__ = ["locate", "run_op", "all_ids", "display_name"]

_OPS = ("add", "update", "remove", "move", "batch")


def all_ids(doc: dict) -> set[str]:
    ids = {doc["id"]}
    for coll in COLLECTION_KIND:
        ids.update(item["id"] for item in doc[coll])
    return ids


def locate(doc: dict, item_id: str) -> tuple[str, int] | None:
    """Where the item with ``item_id`` is: ``(collection, position)``."""
    for coll in COLLECTION_KIND:
        for pos, item in enumerate(doc[coll]):
            if item["id"] == item_id:
                return coll, pos
    return None


def display_name(item: dict) -> str:
    for key in ("name", "title", "text"):
        if item.get(key):
            text = str(item[key])
            return text if len(text) <= 40 else text[:37] + "..."
    return item.get("kind") or item["id"]


def _kind_of(coll: str) -> str:
    return COLLECTION_KIND[coll]


def _ids_hint(doc: dict, coll: str, limit: int = 12) -> str:
    ids = [item["id"] for item in doc[coll]]
    if not ids:
        return f"the journey has no {coll} yet; add one first"
    shown = ", ".join(repr(i) for i in ids[:limit])
    more = f" (and {len(ids) - limit} more)" if len(ids) > limit else ""
    return f"use one of: {shown}{more}"


def _validation_error(kind: str, err: ValidationError) -> OperationError:
    parts = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            fields = ", ".join(KINDS[kind][1].model_fields) if kind in KINDS else ""
            msg = f"unknown field; {kind} fields are: {fields}"
        parts.append(f"{kind}.{loc}: {msg}" if loc else f"{kind}: {msg}")
    return OperationError("; ".join(parts))


def validate_item(doc: dict, kind: str, item: dict, *, own_id: str | None = None) -> dict:
    """Validate one item (structure and references) against ``doc``; return its canonical dict."""
    model = KINDS[kind][1]
    if not isinstance(item, dict):
        raise OperationError(f"{kind}: expected an object with the {kind}'s fields, got {type(item).__name__}")
    try:
        obj = model.model_validate(item)
    except ValidationError as err:
        raise _validation_error(kind, err) from None
    data = obj.model_dump(mode="json")
    check_references(doc, kind, data, raise_=True)
    return data


class References:
    """What items may refer to in ``doc``: stage ids, lanes by id, every id. Build once per check."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.stage_ids = {s["id"] for s in doc["stages"]}
        self.lanes = {lane["id"]: lane for lane in doc["lanes"]}
        self.ids = all_ids(doc)


def check_references(
    doc: dict, kind: str, data: dict, *, raise_: bool = False, refs: References | None = None
) -> list[tuple[str, str]]:
    """Check an item's references and ranges against ``doc``; returns ``(field, message)`` pairs.

    Pass ``refs`` when checking many items of one document, so the lookups are built once.
    """
    refs = refs or References(doc)
    problems: list[tuple[str, str]] = []
    if kind in ("touchpoint", "card") and data["stage"] not in refs.stage_ids:
        problems.append(("stage", f"unknown stage {data['stage']!r}; {_ids_hint(doc, 'stages')}"))
    if kind == "card":
        lane = refs.lanes.get(data["lane"])
        if lane is None:
            problems.append(("lane", f"unknown lane {data['lane']!r}; {_ids_hint(doc, 'lanes')}"))
        elif lane["kind"] in COMPUTED_LANES:
            problems.append((
                "lane",
                f"lane {lane['id']!r} is a {lane['kind']} lane, drawn from the touchpoints; "
                "put cards in an actions, thoughts, needs, pain_points, opportunities, backstage or text lane",
            ))
    if kind == "touchpoint" and data["emotion"] is not None:
        scale = doc["emotion_scale"]
        if not scale["min"] <= data["emotion"] <= scale["max"]:
            problems.append((
                "emotion",
                f"{data['emotion']} is off the emotion scale; use a number from {scale['min']} to "
                f"{scale['max']} or null",
            ))
    if kind == "comment" and data["target"] not in refs.ids:
        problems.append(("target", f"unknown id {data['target']!r}; a comment's target must be the id of an item in the journey"))
    if raise_ and problems:
        raise OperationError("; ".join(f"{kind}.{f}: {m}" for f, m in problems))
    return problems


def _new_id(doc: dict, kind: str, item: dict) -> str:
    base_text = item.get("name") or item.get("title") or (item.get("text") if kind == "card" else "")
    if kind == "lane" and not base_text:
        base_text = item.get("kind", "")
    if kind == "comment":
        n = len(doc["comments"]) + 1
        taken = all_ids(doc)
        while f"comment-{n}" in taken:
            n += 1
        return f"comment-{n}"
    base = slugify(str(base_text or ""), fallback=kind, max_length=40 if kind == "card" else 48)
    if kind == "card":
        base = f"card-{base}" if base != "card" else base
    return unique_id(base, all_ids(doc))


def _group_positions(doc: dict, coll: str, key: dict) -> list[int]:
    return [i for i, it in enumerate(doc[coll]) if all(it[k] == v for k, v in key.items())]


def _insert_pos_grouped(doc: dict, coll: str, key: dict, index: int | None) -> int:
    """List position for inserting so the item is ``index``-th in its group (stage, or lane+stage)."""
    group = _group_positions(doc, coll, key)
    if index is not None and index < 0:
        index = max(0, len(group) + index + 1)
    if group:
        if index is None or index >= len(group):
            return group[-1] + 1
        return group[index]
    # empty group: place before the first item of a later stage, for a tidy file
    stage_order = {s["id"]: i for i, s in enumerate(doc["stages"])}
    mine = stage_order.get(key.get("stage"), len(stage_order))
    for i, it in enumerate(doc[coll]):
        if stage_order.get(it["stage"], -1) > mine:
            return i
    return len(doc[coll])


def _check_index(index: Any, what: str) -> int | None:
    if index is None:
        return None
    if isinstance(index, bool) or not isinstance(index, int):
        raise OperationError(f"{what}: index must be an integer or null, got {index!r}")
    return index


class _Run:
    def __init__(self, doc: dict):
        self.doc = doc
        self.prims: list[Primitive] = []

    def do(self, prim: Primitive) -> None:
        prim.apply(self.doc)
        self.prims.append(prim)

    # -- operations -------------------------------------------------------
    def add(self, op: dict) -> str:
        kind = op.get("kind")
        if kind not in KINDS:
            raise OperationError(f"add.kind: unknown kind {kind!r}; use one of: {', '.join(KINDS)}")
        coll = KINDS[kind][0]
        item = op.get("item")
        if not isinstance(item, dict):
            raise OperationError(f"add.item: expected an object with the {kind}'s fields")
        item = dict(item)
        if item.get("id") in (None, ""):
            item["id"] = _new_id(self.doc, kind, item)
        elif not is_valid_id(item["id"]):
            raise OperationError(
                f"{kind}.id: {item['id']!r} is not a valid id; use letters, digits and '-' "
                "(or leave it out to make one from the name)"
            )
        elif item["id"] in all_ids(self.doc):
            raise OperationError(f"{kind}.id: id {item['id']!r} is already used; ids must be unique (leave it out to get a fresh one)")
        if kind == "comment" and not item.get("created"):
            item["created"] = now_iso()
        data = validate_item(self.doc, kind, item)
        index = _check_index(op.get("index"), "add.index")
        if kind == "touchpoint":
            pos = _insert_pos_grouped(self.doc, coll, {"stage": data["stage"]}, index)
        elif kind == "card":
            pos = _insert_pos_grouped(self.doc, coll, {"lane": data["lane"], "stage": data["stage"]}, index)
        else:
            n = len(self.doc[coll])
            pos = n if index is None else max(0, min(n, index if index >= 0 else n + index + 1))
        self.do(Insert(coll, pos, data))
        return f"added {kind} {display_name(data)!r}"

    def update(self, op: dict) -> str:
        item_id = op.get("id")
        fields = op.get("fields")
        if not isinstance(fields, dict) or not fields:
            raise OperationError("update.fields: expected an object of fields to change, e.g. {\"name\": \"New name\"}")
        if item_id == self.doc["id"]:
            return self._update_journey(fields)
        where = self._find(item_id, "update.id")
        coll, pos = where
        kind = _kind_of(coll)
        before = self.doc[coll][pos]
        if "id" in fields and fields["id"] != before["id"]:
            raise OperationError(f"{kind}.id: ids never change (they keep references and files stable); change the name instead")
        after = validate_item(self.doc, kind, {**before, **fields})
        if after == before:
            return ""
        self.do(Replace(coll, pos, before, after))
        return _describe_update(self.doc, kind, before, after)

    def _update_journey(self, fields: dict) -> str:
        unknown = [k for k in fields if k not in TOP_LEVEL_FIELDS]
        if unknown:
            raise OperationError(
                f"journey.{unknown[0]}: cannot be updated this way; journey fields you can update are: "
                + ", ".join(TOP_LEVEL_FIELDS)
            )
        current = {k: self.doc[k] for k in TOP_LEVEL_FIELDS}
        merged = {**current, **fields}
        probe = {
            "id": self.doc["id"], "created": self.doc["created"], "modified": self.doc["modified"], **merged,
        }
        try:
            valid = JourneyDocument.model_validate(probe).model_dump(mode="json")
        except ValidationError as err:
            raise _validation_error("journey", err) from None
        if "emotion_scale" in fields:
            problems = scale_problems(valid["emotion_scale"])
            if problems:
                raise OperationError("journey.emotion_scale: " + "; ".join(problems))
            lo, hi = valid["emotion_scale"]["min"], valid["emotion_scale"]["max"]
            off = [t["name"] for t in self.doc["touchpoints"] if t["emotion"] is not None and not lo <= t["emotion"] <= hi]
            if off:
                raise OperationError(
                    f"journey.emotion_scale: touchpoints {', '.join(map(repr, off[:5]))} have emotions outside "
                    f"{lo}..{hi}; change those emotions first"
                )
        changed = []
        for key in TOP_LEVEL_FIELDS:
            if key in fields and valid[key] != self.doc[key]:
                self.do(SetTop(key, self.doc[key], valid[key]))
                changed.append(key)
        if not changed:
            return ""
        if changed == ["title"]:
            return f"renamed journey to {valid['title']!r}"
        return "updated journey (" + ", ".join(changed) + ")"

    def remove(self, op: dict) -> str:
        item_id = op.get("id")
        if item_id == self.doc["id"]:
            raise OperationError("remove.id: the journey itself cannot be removed")
        coll, pos = self._find(item_id, "remove.id")
        kind = _kind_of(coll)
        item = self.doc[coll][pos]
        doomed: set[str] = {item_id}
        if kind == "stage":
            doomed |= {t["id"] for t in self.doc["touchpoints"] if t["stage"] == item_id}
            doomed |= {c["id"] for c in self.doc["cards"] if c["stage"] == item_id}
        elif kind == "lane":
            doomed |= {c["id"] for c in self.doc["cards"] if c["lane"] == item_id}
        # comments on anything removed (and comments on those comments)
        grew = True
        while grew:
            extra = {c["id"] for c in self.doc["comments"] if c["target"] in doomed} - doomed
            doomed |= extra
            grew = bool(extra)
        counts: dict[str, int] = {}
        for c in ("comments", "cards", "touchpoints", "lanes", "stages", "goals", "personas"):
            for p in range(len(self.doc[c]) - 1, -1, -1):
                it = self.doc[c][p]
                if it["id"] in doomed:
                    self.do(Delete(c, p, it))
                    if it["id"] != item_id:
                        counts[c] = counts.get(c, 0) + 1
        label = f"removed {kind} {display_name(item)!r}"
        if counts:
            label += " (with " + ", ".join(f"{n} {c if n != 1 else c[:-1]}" for c, n in counts.items()) + ")"
        return label

    def move(self, op: dict) -> str:
        item_id = op.get("id")
        coll, pos = self._find(item_id, "move.id")
        kind = _kind_of(coll)
        item = self.doc[coll][pos]
        index = _check_index(op.get("index"), "move.index")
        if kind in ("touchpoint", "card"):
            changes = {}
            if op.get("stage") is not None:
                changes["stage"] = op["stage"]
            if kind == "card" and op.get("lane") is not None:
                changes["lane"] = op["lane"]
            elif op.get("lane") is not None:
                raise OperationError("move.lane: only cards move between lanes")
            after = validate_item(self.doc, kind, {**item, **changes}) if changes else item
            group_key = {"stage": after["stage"]} if kind == "touchpoint" else {"lane": after["lane"], "stage": after["stage"]}
            old_group = [self.doc[coll][i]["id"] for i in _group_positions(self.doc, coll, group_key)]
            self.do(Delete(coll, pos, item))
            new_pos = _insert_pos_grouped(self.doc, coll, group_key, index)
            self.do(Insert(coll, new_pos, after))
            new_group = [self.doc[coll][i]["id"] for i in _group_positions(self.doc, coll, group_key)]
            if after["stage"] != item["stage"]:
                names = {s["id"]: s["name"] for s in self.doc["stages"]}
                return (
                    f"moved {kind} {display_name(item)!r} from {names.get(item['stage'], item['stage'])} "
                    f"to {names.get(after['stage'], after['stage'])}"
                )
            if kind == "card" and after["lane"] != item["lane"]:
                return f"moved card {display_name(item)!r} to another lane"
            if new_group == old_group:
                self._undo_local(2)
                return ""
            return f"reordered {kind} {display_name(item)!r} within its stage"
        if op.get("stage") is not None or op.get("lane") is not None:
            raise OperationError(f"move.stage: a {kind} has no stage; pass only an index")
        if index is None:
            raise OperationError(f"move.index: give the new position of the {kind} (0 is first)")
        n = len(self.doc[coll])
        new_pos = index if index >= 0 else n + index
        new_pos = max(0, min(n - 1, new_pos))
        if new_pos == pos:
            return ""
        self.do(Delete(coll, pos, item))
        self.do(Insert(coll, new_pos, item))
        return f"moved {kind} {display_name(item)!r} from position {pos + 1} to {new_pos + 1}"

    def batch(self, op: dict) -> str:
        ops = op.get("ops")
        if not isinstance(ops, list):
            raise OperationError("batch.ops: expected a list of operations")
        labels = []
        for i, sub in enumerate(ops):
            try:
                label = self.run(sub)
            except OperationError as err:
                raise OperationError(f"batch.ops[{i}]: {err}") from None
            if label:
                labels.append(label)
        if op.get("label"):
            return str(op["label"])
        if len(labels) == 1:
            return labels[0]
        return f"{len(labels)} changes" if labels else ""

    # -- helpers ----------------------------------------------------------
    def _find(self, item_id: Any, where: str) -> tuple[str, int]:
        if not isinstance(item_id, str):
            raise OperationError(f"{where}: expected an item id (a string), got {item_id!r}")
        found = locate(self.doc, item_id)
        if found is None:
            raise OperationError(f"{where}: no item with id {item_id!r} in this journey")
        return found

    def _undo_local(self, n: int) -> None:
        tail = self.prims[-n:]
        del self.prims[-n:]
        revert_all(self.doc, tail)

    def run(self, op: Any) -> str:
        if not isinstance(op, dict):
            raise OperationError(f"an operation must be an object such as {{'op': 'update', ...}}, got {type(op).__name__}")
        name = op.get("op")
        if name not in _OPS:
            raise OperationError(f"op: unknown operation {name!r}; use one of: {', '.join(_OPS)}")
        return getattr(self, name)(op)


def run_op(doc: dict, op: dict) -> tuple[list[Primitive], str]:
    """Apply ``op`` to ``doc`` in place; return the primitives applied and a label.

    On error nothing is changed and :class:`OperationError` is raised.
    """
    run = _Run(doc)
    try:
        label = run.run(op)
    except BaseException:
        revert_all(doc, run.prims)
        raise
    return run.prims, label


def scale_problems(scale: dict) -> list[str]:
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


def _describe_update(doc: dict, kind: str, before: dict, after: dict) -> str:
    changed = [k for k in after if after[k] != before.get(k)]
    name = display_name(before)
    if changed == ["name"]:
        return f"renamed {kind} {before['name']!r} to {after['name']!r}"
    if changed == ["stage"]:
        names = {s["id"]: s["name"] for s in doc["stages"]}
        return f"moved {kind} {name!r} from {names.get(before['stage'])} to {names.get(after['stage'])}"
    if changed == ["emotion"]:
        return f"set emotion of {kind} {name!r} from {before['emotion']} to {after['emotion']}"
    if changed == ["resolved"] and kind == "comment":
        return f"{'resolved' if after['resolved'] else 'reopened'} comment {name!r}"
    return f"updated {kind} {name!r} ({', '.join(changed)})"


def emotion_scale_default() -> dict:
    return EmotionScale().model_dump(mode="json")
