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
from ..core.limits import MAX_BATCH_DEPTH, bounded_message, brief
from .history import Delete, Insert, Primitive, Replace, SetTop, revert_all
from .invariants import DocIndex, References, check_references, edit_problems, scale_problems
from .io import clean_loc
from .schema import (
    COLLECTION_KIND,
    KINDS,
    TOP_LEVEL_FIELDS,
    EmotionScale,
    JourneyDocument,
)

__all__ = ["locate", "run_op", "all_ids", "display_name", "count_ops", "MAX_LABEL_CHARS"]

_OPS = ("add", "update", "remove", "move", "batch")
#: A batch's ``label`` (shown in the history) is cut to this many characters.
MAX_LABEL_CHARS = 200


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


def _validation_error(kind: str, err: ValidationError) -> OperationError:
    parts = []
    errors = err.errors()
    for e in errors[:5]:
        loc = ".".join(bounded_message(str(p), 40) for p in clean_loc(tuple(e["loc"])))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            fields = ", ".join(KINDS[kind][1].model_fields) if kind in KINDS else ""
            msg = f"unknown field; {kind} fields are: {fields}"
        elif e["type"] == "string_unicode":
            msg = "holds a lone surrogate (half of a character); text must be valid Unicode"
        elif e["type"] == "string_pattern_mismatch":
            msg = f"{brief(e.get('input'))} is not a valid id; use letters, digits and '-'"
        part = f"{kind}.{loc}: {msg}" if loc else f"{kind}: {msg}"
        if part not in parts:
            parts.append(part)
    if len(errors) > 5:
        parts.append(f"and {len(errors) - 5} more problems")
    return OperationError("; ".join(parts))


def validate_item(refs: References | DocIndex, kind: str, item: dict) -> dict:
    """Validate one item (structure and references) against ``refs.doc``; return its canonical dict."""
    model = KINDS[kind][1]
    if not isinstance(item, dict):
        raise OperationError(f"{kind}: expected an object with the {kind}'s fields, got {brief(item)}")
    try:
        obj = model.model_validate(item)
    except ValidationError as err:
        raise _validation_error(kind, err) from None
    data = obj.model_dump(mode="json")
    problems = check_references(refs, kind, data)
    if problems:
        raise OperationError("; ".join(f"{kind}.{f}: {m}" for f, m in problems))
    return data


def _check_index(index: Any, what: str) -> int | None:
    if index is None:
        return None
    if isinstance(index, bool) or not isinstance(index, int):
        raise OperationError(f"{what}: index must be an integer or null, got {brief(index)}")
    return index


class _Run:
    """One operation (a batch included) applied to ``doc``: the primitives it made, an index."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.ix = DocIndex(doc)
        self.prims: list[Primitive] = []

    def do(self, prim: Primitive) -> None:
        prim.apply(self.doc)
        self.ix.note(prim)
        self.prims.append(prim)

    def _new_id(self, kind: str, item: dict) -> str:
        taken = self.ix
        if kind == "comment":
            n = len(self.doc["comments"]) + 1
            while f"comment-{n}" in taken:
                n += 1
            return f"comment-{n}"
        base_text = item.get("name") or item.get("title") or (item.get("text") if kind == "card" else "")
        if kind == "lane" and not base_text:
            base_text = item.get("kind", "")
        if isinstance(base_text, str):
            base_text = base_text[:1000]  # an id has at most 48 characters; the rest is validated later
        base = slugify(str(base_text or ""), fallback=kind, max_length=40 if kind == "card" else 48)
        if kind == "card":
            base = f"card-{base}" if base != "card" else base
        return unique_id(base, taken)

    def _group(self, kind: str, item: dict) -> tuple[str, str, Any]:
        """Where an item's group (its stage; lane and stage for cards) is told: list, column, value."""
        if kind == "touchpoint":
            return "touchpoints", "stage", item["stage"]
        return "cards", "group", (item["lane"], item["stage"])

    def _insert_pos_grouped(self, kind: str, item: dict, index: int | None) -> int:
        """List position for inserting so the item is ``index``-th in its group (stage, or lane+stage)."""
        coll, name, key = self._group(kind, item)
        col = self.ix.col(coll, name)
        size = self.ix.count(coll, name, key)
        if index is not None and index < 0:
            index = max(0, size + index + 1)
        if size:
            if index is None or index >= size:
                return len(col) - col[::-1].index(key)  # after the group's last item
            if index <= size // 2:
                pos = -1
                for _ in range(index + 1):
                    pos = col.index(key, pos + 1)
                return pos
            rev, pos = col[::-1], -1
            for _ in range(size - index):
                pos = rev.index(key, pos + 1)
            return len(col) - 1 - pos
        # empty group: place before the first item of a later stage, for a tidy file
        stage_order = {sid: i for i, sid in enumerate(self.ix.col("stages", "id"))}
        mine = stage_order.get(item["stage"], len(stage_order))
        for i, stage in enumerate(self.ix.col(coll, "stage")):
            if stage_order.get(stage, -1) > mine:
                return i
        return len(col)

    # -- operations -------------------------------------------------------
    def add(self, op: dict) -> str:
        kind = op.get("kind")
        if kind not in KINDS:
            raise OperationError(f"add.kind: unknown kind {brief(kind)}; use one of: {', '.join(KINDS)}")
        coll = KINDS[kind][0]
        item = op.get("item")
        if not isinstance(item, dict):
            raise OperationError(f"add.item: expected an object with the {kind}'s fields")
        item = dict(item)
        if item.get("id") in (None, ""):
            item["id"] = self._new_id(kind, item)
        elif not is_valid_id(item["id"]):
            raise OperationError(
                f"{kind}.id: {brief(item['id'])} is not a valid id; use letters, digits and '-' "
                "(or leave it out to make one from the name)"
            )
        elif self.ix.has_id(item["id"]):
            raise OperationError(f"{kind}.id: id {item['id']!r} is already used; ids must be unique (leave it out to get a fresh one)")
        if kind == "comment" and not item.get("created"):
            item["created"] = now_iso()
        data = validate_item(self.ix, kind, item)
        index = _check_index(op.get("index"), "add.index")
        if kind in ("touchpoint", "card"):
            pos = self._insert_pos_grouped(kind, data, index)
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
        coll, pos = self._find(item_id, "update.id")
        kind = _kind_of(coll)
        before = self.doc[coll][pos]
        if "id" in fields and fields["id"] != before["id"]:
            raise OperationError(f"{kind}.id: ids never change (they keep references and files stable); change the name instead")
        after = validate_item(self.ix, kind, {**before, **fields})
        if after == before:
            return ""
        self.do(Replace(coll, pos, before, after))
        return _describe_update(self.doc, kind, before, after)

    def _update_journey(self, fields: dict) -> str:
        unknown = [k for k in fields if k not in TOP_LEVEL_FIELDS]
        if unknown:
            raise OperationError(
                f"journey.{bounded_message(str(unknown[0]), 40)}: cannot be updated this way; journey fields "
                "you can update are: " + ", ".join(TOP_LEVEL_FIELDS)
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
        ix = self.ix
        doomed: set[str] = {item_id}
        if kind == "stage":
            for c in ("touchpoints", "cards"):
                ids = ix.col(c, "id")
                doomed.update(ids[p] for p in ix.positions(c, "stage", {item_id}))
        elif kind == "lane":
            ids = ix.col("cards", "id")
            doomed.update(ids[p] for p in ix.positions("cards", "lane", {item_id}))
        # comments on anything removed (and comments on those comments)
        frontier = set(doomed)
        comment_ids = ix.col("comments", "id")
        while frontier:
            frontier = {comment_ids[p] for p in ix.positions("comments", "target", frontier)} - doomed
            doomed |= frontier
        counts: dict[str, int] = {}
        for c in ("comments", "cards", "touchpoints", "lanes", "stages", "goals", "personas"):
            for p in reversed(ix.positions(c, "id", doomed)):
                it = self.doc[c][p]
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
            after = validate_item(self.ix, kind, {**item, **changes}) if changes else item
            coll_, name, key = self._group(kind, after)
            col = self.ix.col(coll_, name)
            rank_before = col[:pos].count(key)  # the item's place in the group it lands in
            self.do(Delete(coll, pos, item))
            new_pos = self._insert_pos_grouped(kind, after, index)
            self.do(Insert(coll, new_pos, after))
            if after["stage"] != item["stage"]:
                names = {s["id"]: s["name"] for s in self.doc["stages"]}
                return (
                    f"moved {kind} {display_name(item)!r} from {names.get(item['stage'], item['stage'])} "
                    f"to {names.get(after['stage'], after['stage'])}"
                )
            if kind == "card" and after["lane"] != item["lane"]:
                return f"moved card {display_name(item)!r} to another lane"
            if col[:new_pos].count(key) == rank_before:
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

    def batch(self, op: dict, depth: int) -> str:
        ops = op.get("ops")
        if not isinstance(ops, list):
            raise OperationError("batch.ops: expected a list of operations")
        if depth >= MAX_BATCH_DEPTH:
            raise OperationError(
                f"batch: batches nest at most {MAX_BATCH_DEPTH} deep; put the operations in one batch"
            )
        labels = []
        for i, sub in enumerate(ops):
            try:
                label = self.run(sub, depth + 1)
            except OperationError as err:
                raise OperationError(f"batch.ops[{i}]: {err}") from None
            if label:
                labels.append(label)
        given = op.get("label")
        if isinstance(given, str) and given:
            return bounded_message(given, MAX_LABEL_CHARS)
        if len(labels) == 1:
            return labels[0]
        return f"{len(labels)} changes" if labels else ""

    # -- helpers ----------------------------------------------------------
    def _find(self, item_id: Any, where: str) -> tuple[str, int]:
        if not isinstance(item_id, str):
            raise OperationError(f"{where}: expected an item id (a string), got {brief(item_id)}")
        found = self.ix.locate(item_id)
        if found is None:
            raise OperationError(f"{where}: no item with id {brief(item_id)} in this journey")
        return found

    def _undo_local(self, n: int) -> None:
        tail = self.prims[-n:]
        del self.prims[-n:]
        for p in reversed(tail):
            inverse = p.inverse()
            inverse.apply(self.doc)
            self.ix.note(inverse)

    def run(self, op: Any, depth: int = 0) -> str:
        if not isinstance(op, dict):
            raise OperationError(f"an operation must be an object such as {{'op': 'update', ...}}, got {brief(op)}")
        name = op.get("op")
        if name not in _OPS:
            raise OperationError(f"op: unknown operation {brief(name)}; use one of: {', '.join(_OPS)}")
        if name == "batch":
            return self.batch(op, depth)
        return getattr(self, name)(op)


def run_op(doc: dict, op: dict) -> tuple[list[Primitive], str]:
    """Apply ``op`` to ``doc`` in place; return the primitives applied and a label.

    The result is checked against the document's rules (:mod:`.invariants`), on what
    the operation touched: an accepted edit always leaves a document that saves and
    loads again. On error nothing is changed and :class:`OperationError` is raised.
    """
    run = _Run(doc)
    try:
        label = run.run(op)
        problems = edit_problems(run.ix, run.prims) if run.prims else []
        if problems:
            more = f" (and {len(problems) - 3} more problems)" if len(problems) > 3 else ""
            raise OperationError(
                "this edit would leave a map that cannot be saved and loaded again: "
                + "; ".join(problems[:3]) + more
            )
    except BaseException:
        revert_all(doc, run.prims)
        raise
    return run.prims, label


def count_ops(ops: list, cap: int) -> int:
    """How many operations ``ops`` holds, batches and the operations in them counted, up to
    ``cap + 1`` (a flood of operations is not walked to its end).

    >>> count_ops([{"op": "remove", "id": "a"}, {"op": "batch", "ops": [{"op": "remove", "id": "b"}]}], 10)
    3
    >>> count_ops([{"op": "remove", "id": "a"}] * 1_000_000, 10)
    11
    """
    n = 0
    stack = [ops]
    while stack and n <= cap:
        for op in stack.pop():
            n += 1
            if n > cap:
                break
            if isinstance(op, dict) and op.get("op") == "batch" and isinstance(op.get("ops"), list):
                stack.append(op["ops"])
    return n


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
