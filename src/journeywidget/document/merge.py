"""Three-way merge of journey documents: item by item (by id) and field by field, not by text.

The rules (``base`` is the common ancestor, ``ours`` and ``theirs`` the two edited copies):

===============================  ====================================================================
what happened                    result
===============================  ====================================================================
one side changed a field         that side's value
both changed it the same way     that value
both changed it differently      **conflict**: ours kept, theirs recorded
a list of texts in an item       merged as an ordered set (tags, pain points, event keys, quotes,
(and the journey's tags)         persona goals...): both sides' additions and removals apply; never
                                 a conflict
persona attributes, empathy      merged key by key (each key a field)
emotion scale, persona segment   one field each (their parts belong together)
an item added on one side        kept
the same item added on both      kept once (same id and same content: the same edit made twice)
different items, same id         both kept; theirs gets a fresh id (``checkout-2``) and theirs'
                                 touchpoints, cards and comments that point to it follow it
one side removed an item         removed, unless the other side changed it: then **conflict**, the
                                 item is kept with the other side's changes
one side removed an item the     **conflict**: the item is kept (a stage removed on one side while
other side points to             the other added a touchpoint to it keeps the stage)
order (stages, lanes, personas,  merged as order operations: items one side moved or added go after
goals, comments; touchpoints     the item they follow on that side, so one side's reorder and the
per stage, cards per lane and    other's insertions both hold; an item both sides moved to
stage)                           different places is a **conflict** (ours' place kept)
a touchpoint emotion off the     **conflict**: the other side's value if it fits, else no emotion
merged emotion scale
a card in a lane the merge made  **conflict**: the lane keeps a kind that holds cards
computed (emotions, metrics...)
``modified`` / ``created``       the later date / the side that changed it (the earlier if both);
                                 never a conflict
===============================  ====================================================================

Every conflict is also a comment on its item (``"merge conflict: theirs set name to
'Pay'; kept ours, 'Checkout'"``, author ``journeywidget merge``); resolving the comment
in the widget closes it. The result always validates; were some combination still
invalid, ours is kept whole and that is a conflict on the journey. Without a base (git
passes an empty file when both branches added the map) every id on both sides counts
as one item and every difference between them is a conflict.

>>> import journeywidget as jw
>>> j = jw.Journey("Shop"); s = j.add_stage("Decision"); t = j.add_touchpoint("Checkout", stage=s)
>>> base = j.to_dict()
>>> j.update(t, name="Pay"); ours = j.to_dict()
>>> j2 = jw.Journey.from_dict(base); j2.update(t, channel="web"); theirs = j2.to_dict()
>>> out = merge_documents(base, ours, theirs)
>>> out.document["touchpoints"][0]["name"], out.document["touchpoints"][0]["channel"], out.conflicts
('Pay', 'web', [])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..core.clock import now_iso
from ..core.errors import DocumentError
from ..core.ids import unique_id
from .io import validate_document
from .operations import display_name
from .schema import COLLECTION_KIND, COMPUTED_LANES, KINDS
from .sequence import merge_lists, merge_order

__all__ = ["CONFLICT_PREFIX", "MERGE_AUTHOR", "Conflict", "MergeOutcome", "merge_documents", "is_conflict_comment"]

#: Conflict comments start with this text (the widget highlights them).
CONFLICT_PREFIX = "merge conflict:"
#: The author of conflict comments.
MERGE_AUTHOR = "journeywidget merge"

_UNKNOWN: Any = type("_Unknown", (), {"__repr__": lambda self: "<unknown>"})()  # no base to compare with
_MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "<missing>"})()  # a dict key one side lacks
_ATOMIC = {"emotion_scale", "segment"}
_REFS = {"touchpoint": ("stage",), "card": ("stage", "lane"), "comment": ("target",)}
_REF_COLL = {"stage": "stages", "lane": "lanes", "target": None}
_TOP_FIELDS = ("title", "description", "journey_type", "state", "tags", "emotion_scale")


@dataclass(frozen=True)
class Conflict:
    """One conflict, in words: the item, the field, what ours and theirs did, and a sentence.

    ``field`` is ``None`` when the conflict is about the item as a whole (removed on one
    side, changed or pointed to on the other) and ``"position"`` for its place in the order.
    ``comment`` is the id of the conflict comment written on the map.
    """

    id: str
    kind: str
    name: str
    field: str | None
    ours: str
    theirs: str
    text: str
    comment: str = ""

    def __str__(self) -> str:
        return f"{self.kind} {self.name!r}: {self.text}"


@dataclass
class MergeOutcome:
    """The merged document (canonical, valid) and the conflicts written onto it."""

    document: dict
    conflicts: list[Conflict] = field(default_factory=list)


def is_conflict_comment(comment: dict) -> bool:
    """True for a merge's conflict comment (resolved or not).

    >>> is_conflict_comment({"text": "merge conflict: theirs set name to 'Pay'"})
    True
    """
    return str(comment.get("text", "")).startswith(CONFLICT_PREFIX)


def words(value: Any) -> str:
    """A value as a short phrase: ``'Pay'``, ``-1``, ``nothing``, ``'a', 'b'``.

    >>> words(None), words("Pay"), words(["web", "app"]), words(True)
    ('nothing', "'Pay'", "'web', 'app'", 'yes')
    """
    if value is None or value is _MISSING or value == [] or value == "":
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        text = ", ".join(words(v) for v in value)
    elif isinstance(value, dict) and {"min", "max"} <= set(value):
        text = f"{value['min']}..{value['max']}"
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def merge_documents(base: dict | None, ours: dict, theirs: dict, *, now: str | None = None) -> MergeOutcome:
    """Merge ``theirs`` into ``ours`` given their common ancestor ``base`` (``None``: unknown).

    All three must be valid canonical documents (:func:`.io.validate_document`). The inputs
    are not changed. See the module docstring for the rules.
    """
    return _Merge(base, ours, theirs, now or now_iso()).run()


def _label(field_name: str) -> str:
    return field_name.replace("_", " ").replace(".", " ")


def _merge_value(name: str, b: Any, o: Any, t: Any) -> tuple[Any, list[tuple[str, Any, Any]]]:
    """Three-way merge of one field's value; returns the value and the ``(field, ours, theirs)`` clashes."""
    if o == t:
        return o, []
    if b is not _UNKNOWN:
        if b == o:
            return t, []
        if b == t:
            return o, []
    if _texts(o) and _texts(t) and (b is _UNKNOWN or b is _MISSING or _texts(b)):
        return merge_lists(b if isinstance(b, list) else [], o, t), []
    leaf = name.rsplit(".", 1)[-1]
    if isinstance(o, dict) and isinstance(t, dict) and leaf not in _ATOMIC and (b in (_UNKNOWN, _MISSING) or isinstance(b, dict)):
        out: dict = {}
        clashes: list[tuple[str, Any, Any]] = []
        for key in [*o, *(k for k in t if k not in o)]:
            bk = b.get(key, _MISSING) if isinstance(b, dict) else b
            value, sub = _merge_value(f"{name}.{key}", bk, o.get(key, _MISSING), t.get(key, _MISSING))
            if value is not _MISSING:
                out[key] = value
            clashes.extend(sub)
        return out, clashes
    return o, [(name, o, t)]


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


class _Merge:
    def __init__(self, base: dict | None, ours: dict, theirs: dict, now: str):
        self.now = now
        self.base, self.ours, self.theirs = base, ours, theirs
        self.conflicts: list[Conflict] = []
        self.id = self._merge_journey_id()
        self.o = self._side(ours)
        self.t = self._side(theirs)
        self.b = self._side(base) if base is not None else {c: {} for c in COLLECTION_KIND}
        self.merged: dict[str, dict[str, dict]] = {c: {} for c in COLLECTION_KIND}

    # -- preparing the sides ----------------------------------------------
    def _merge_journey_id(self) -> str:
        b_id = self.base["id"] if self.base is not None else _UNKNOWN
        value, clashes = _merge_value("id", b_id, self.ours["id"], self.theirs["id"])
        for _, o, t in clashes:
            self._add("journey", o, self.ours["title"], "id", words(o), words(t),
                      f"theirs' copy has journey id {t!r}; kept ours, {o!r}")
        return value

    def _side(self, doc: dict) -> dict[str, dict[str, dict]]:
        """The side's items by collection and id, comments on the journey pointed at the merged id."""
        out: dict[str, dict[str, dict]] = {}
        for coll in COLLECTION_KIND:
            items = {}
            for item in doc[coll]:
                if coll == "comments" and item["target"] == doc["id"] and doc["id"] != self.id:
                    item = {**item, "target": self.id}
                items[item["id"]] = item
            out[coll] = items
        return out

    def _rename_additions(self) -> None:
        """Give fresh ids to additions whose id clashes, and point the side's references at them."""
        where_b = {i: c for c in COLLECTION_KIND for i in self.b[c]}
        taken = {self.id, *where_b}
        for side in (self.o, self.t):
            taken.update(i for c in COLLECTION_KIND for i in side[c])
        while True:
            where_o = {i: c for c in COLLECTION_KIND for i in self.o[c]}
            renames: list[tuple[dict, dict[str, str]]] = []
            for side, other in ((self.o, None), (self.t, where_o)):
                mapping: dict[str, str] = {}
                for coll in COLLECTION_KIND:
                    for item_id, item in side[coll].items():
                        clash = item_id == self.id or (item_id in where_b and where_b[item_id] != coll)
                        if other is not None and item_id not in where_b and item_id in other:
                            # without a base, the same id in the same collection is one item
                            clash = clash or other[item_id] != coll or (
                                self.base is not None and self.o[coll][item_id] != item)
                        if clash:
                            mapping[item_id] = unique_id(item_id, taken)
                            taken.add(mapping[item_id])
                if mapping:
                    renames.append((side, mapping))
            if not renames:
                return
            for side, mapping in renames:
                for coll in COLLECTION_KIND:  # dicts keep the side's order
                    side[coll] = {mapping.get(i, i): _renamed(it, mapping) for i, it in side[coll].items()}

    # -- items ----------------------------------------------------------------
    def _add(self, kind: str, item_id: str, name: str, field_name: str | None, ours: str, theirs: str, text: str) -> None:
        self.conflicts.append(Conflict(item_id, kind, name, field_name, ours, theirs, text))

    def _merge_items(self) -> None:
        for coll, kind in COLLECTION_KIND.items():
            bi, oi, ti, out = self.b[coll], self.o[coll], self.t[coll], self.merged[coll]
            for item_id in {**bi, **oi, **ti}:
                b, o, t = bi.get(item_id), oi.get(item_id), ti.get(item_id)
                if o is not None and t is not None:
                    out[item_id] = self._merge_item(kind, b, o, t)
                elif o is not None or t is not None:
                    kept = o if o is not None else t
                    if b is None:
                        out[item_id] = kept  # added on one side
                    elif kept != b:
                        out[item_id] = kept
                        self._delete_modify(kind, b, kept, "theirs" if o is not None else "ours")

    def _delete_modify(self, kind: str, b: dict, kept: dict, remover: str) -> None:
        editor = "ours" if remover == "theirs" else "theirs"
        changed = [f for f in kept if kept[f] != b[f]]
        what = ", ".join(_label(f) for f in changed)
        sides = {remover: f"removed the {kind}", editor: f"changed {what}"}
        self._add(kind, kept["id"], display_name(kept), None, sides["ours"], sides["theirs"],
                  f"{remover} removed this {kind}; {editor} changed it ({what}), so it is kept with {editor}' changes")

    def _merge_item(self, kind: str, b: dict | None, o: dict, t: dict) -> dict:
        if o == t:
            return o
        if b is not None and b == o:
            return t
        if b is not None and b == t:
            return o
        result: dict = {}
        clashes: list[tuple[str, Any, Any]] = []
        for key in o:
            value, sub = _merge_value(key, b[key] if b is not None else _UNKNOWN, o[key], t[key])
            result[key] = value
            clashes.extend(sub)
        if result != o and result != t:
            try:
                result = KINDS[kind][1].model_validate(result).model_dump(mode="json")
            except ValueError as err:
                problem = err.errors()[0] if hasattr(err, "errors") else {"loc": (), "msg": str(err)}
                reason = ".".join(map(str, problem["loc"])) + ": " + problem["msg"]
                self._add(kind, o["id"], display_name(o), None, "kept", "changes dropped",
                          f"theirs' changes could not be combined with ours ({reason}); kept ours")
                return o
        name = display_name(o)
        for key, ov, tv in clashes:
            if key == "stage" and kind in ("touchpoint", "card"):
                text = f"theirs moved this {kind} to {self._stage_name(tv)}; kept ours, {self._stage_name(ov)}"
            else:
                text = f"theirs set {_label(key)} to {words(tv)}; kept ours, {words(ov)}"
            self._add(kind, o["id"], name, key, words(ov), words(tv), text)
        return result

    def _stage_name(self, stage_id: str) -> str:
        for side in (self.o, self.t, self.b):
            if stage_id in side["stages"]:
                return repr(side["stages"][stage_id]["name"])
        return repr(stage_id)

    def _keep_referenced(self) -> None:
        """Bring back items one side removed that merged items still point to (and say so)."""
        ids = {i: c for c in COLLECTION_KIND for i in self.merged[c]}
        ids[self.id] = ""
        pending = [(c, it) for c in ("touchpoints", "cards", "comments") for it in self.merged[c].values()]
        while pending:
            coll, item = pending.pop()
            kind = COLLECTION_KIND[coll]
            for ref in _REFS[kind]:
                target = item[ref]
                if target in ids:
                    continue
                found = self._find_removed(target, _REF_COLL[ref])
                if found is None:  # pragma: no cover - the sides are valid documents
                    continue
                tcoll, back = found
                self.merged[tcoll][target] = back
                ids[target] = tcoll
                tkind = COLLECTION_KIND[tcoll]
                remover, keeper = (
                    ("theirs", "ours") if target in self.o[tcoll]
                    else ("ours", "theirs") if target in self.t[tcoll] else ("both", "the merge")
                )
                how = "commented on it" if kind == "comment" else f"has {kind} {display_name(item)!r} in it"
                sides = {"ours": how, "theirs": how}
                sides.update({s: f"removed the {tkind}" for s in ("ours", "theirs") if remover in (s, "both")})
                self._add(tkind, target, display_name(back), None, sides["ours"], sides["theirs"],
                          f"{remover} removed this {tkind}, but {keeper} {how}, so it is kept")
                if tcoll in ("touchpoints", "cards", "comments"):
                    pending.append((tcoll, back))

    def _find_removed(self, item_id: str, coll: str | None) -> tuple[str, dict] | None:
        colls = [coll] if coll else list(COLLECTION_KIND)
        for side in (self.o, self.t, self.b):
            for c in colls:
                if item_id in side[c]:
                    return c, side[c][item_id]
        return None

    # -- the journey's own fields --------------------------------------------
    def _merge_top(self) -> dict:
        base = self.base
        top: dict[str, Any] = {"schema_version": 1, "id": self.id}
        name = self.ours["title"]
        for key in _TOP_FIELDS:
            b = base[key] if base is not None else _UNKNOWN
            value, clashes = _merge_value(key, b, self.ours[key], self.theirs[key])
            top[key] = value
            for k, o, t in clashes:
                self._add("journey", self.id, name, k, words(o), words(t),
                          f"theirs set the journey's {_label(k)} to {words(t)}; kept ours, {words(o)}")
        created = [self.ours["created"], self.theirs["created"]]
        b_created = base["created"] if base is not None else None
        changed = [c for c in created if c != b_created]
        top["created"] = min(changed or created, key=_instant)
        top["modified"] = max(self.ours["modified"], self.theirs["modified"])
        return top

    def _fix_emotions(self, scale: dict) -> None:
        lo, hi = scale["min"], scale["max"]
        tps = self.merged["touchpoints"]
        for tp_id, tp in list(tps.items()):
            e = tp["emotion"]
            if e is None or lo <= e <= hi:
                continue
            values = [side["touchpoints"][tp_id]["emotion"] for side in (self.o, self.t, self.b) if tp_id in side["touchpoints"]]
            fits = [v for v in values if v is not None and lo <= v <= hi]
            new = fits[0] if fits else None
            tps[tp_id] = {**tp, "emotion": new}
            o = self.o["touchpoints"].get(tp_id, {}).get("emotion", _MISSING)
            t = self.t["touchpoints"].get(tp_id, {}).get("emotion", _MISSING)
            self._add("touchpoint", tp_id, display_name(tp), "emotion", words(o), words(t),
                      f"emotion {e} is off the merged emotion scale {lo}..{hi}; set to {words(new)}")

    def _fix_card_lanes(self) -> None:
        lanes = self.merged["lanes"]
        for card in self.merged["cards"].values():
            lane = lanes.get(card["lane"])
            if lane is None or lane["kind"] not in COMPUTED_LANES:
                continue
            options = [s["lanes"][lane["id"]] for s in (self.o, self.t, self.b) if lane["id"] in s["lanes"]]
            holding = [x for x in options if x["kind"] not in COMPUTED_LANES]
            if not holding:  # pragma: no cover - a side would have been invalid
                continue
            lanes[lane["id"]] = {**lane, "kind": holding[0]["kind"]}
            o = self.o["lanes"].get(lane["id"], {}).get("kind", _MISSING)
            t = self.t["lanes"].get(lane["id"], {}).get("kind", _MISSING)
            self._add("lane", lane["id"], display_name(lane), "kind", words(o), words(t),
                      f"a {lane['kind']} lane is drawn from the touchpoints, but card {display_name(card)!r} is in it; "
                      f"kept it a {holding[0]['kind']} lane")

    # -- order ------------------------------------------------------------------
    def _order(self, coll: str) -> list[dict]:
        """The merged order: for touchpoints and cards the order within each stage (and lane) is
        merged group by group; the file's layout (which group comes where) follows the flat merge."""
        kind = COLLECTION_KIND[coll]
        merged, oi, ti = self.merged[coll], self.o[coll], self.t[coll]
        bi = self.b[coll] if self.base is not None else {x: ti[x] for x in self.b_order[coll]}
        group = _group_of(kind)
        ours_moved, theirs_moved, theirs_wins = set(), set(), set()
        for x, item in merged.items():
            if group is None or x not in bi:
                continue
            g_b, g = group(bi[x]), group(item)
            g_o = group(oi[x]) if x in oi else g_b
            g_t = group(ti[x]) if x in ti else g_b
            if g_o != g_b:
                ours_moved.add(x)
            if g_t != g_b:
                theirs_moved.add(x)
            if g_t == g != g_o:
                theirs_wins.add(x)
        flat, both = merge_order(self.b_order[coll], list(oi), list(ti), merged,
                                 ours_moved=ours_moved, theirs_moved=theirs_moved, theirs_wins=theirs_wins)
        if group is None:
            self._position_conflicts(coll, both - theirs_wins, None)
            return [merged[x] for x in flat]
        groups = {}
        both = set()
        b_g, o_g, t_g = (_by_group(order, items, group) for order, items in
                         ((self.b_order[coll], bi), (list(oi), oi), (list(ti), ti)))
        for g, members in _by_group(flat, merged, group).items():
            order, both_g = merge_order(b_g.get(g, []), o_g.get(g, []), t_g.get(g, []), members)
            groups[g] = iter(order)
            both |= both_g
        self._position_conflicts(coll, both, group)
        return [merged[next(groups[group(merged[x])])] for x in flat]

    def _position_conflicts(self, coll: str, both: set, group: Any) -> None:
        kind = COLLECTION_KIND[coll]
        common = {x for x in self.merged[coll] if x in self.b[coll] and x in self.o[coll] and x in self.t[coll]}
        before_o = _predecessors(self.o[coll], common, group)
        before_t = _predecessors(self.t[coll], common, group)
        names = {i: display_name(it) for i, it in self.merged[coll].items()} if both else {}
        for x in both:
            if x not in common or before_o[x] == before_t[x]:
                continue
            if group is not None and group(self.o[coll][x]) != group(self.t[coll][x]):
                continue  # a stage or lane clash, already reported
            where = {side: (f"after {names[p]!r}" if p is not None else "first" if group is None else "first in its stage")
                     for side, p in (("o", before_o[x]), ("t", before_t[x]))}
            self._add(kind, x, names[x], "position", where["o"], where["t"],
                      f"theirs moved this {kind} {where['t']}; kept ours' place, {where['o']}")

    # -- the whole --------------------------------------------------------------
    def run(self) -> MergeOutcome:
        self._rename_additions()
        # without a base, theirs' order of the common items stands in for it: ours' order wins
        self.b_order = {
            c: list(self.b[c]) if self.base is not None else [x for x in self.t[c] if x in self.o[c]]
            for c in COLLECTION_KIND
        }
        self._merge_items()
        self._keep_referenced()
        top = self._merge_top()
        self._fix_emotions(top["emotion_scale"])
        self._fix_card_lanes()
        doc = {**top, **{coll: self._order(coll) for coll in COLLECTION_KIND}}
        self._write_comments(doc)
        try:
            return MergeOutcome(validate_document(doc), self.conflicts)
        except DocumentError as err:
            return self._keep_ours(err)

    def _write_comments(self, doc: dict) -> None:
        """Write each conflict onto the map as a comment (not twice when one is already open)."""
        taken = {doc["id"], *(it["id"] for coll in COLLECTION_KIND for it in doc[coll])}
        taken.update(i for side in (self.b, self.o, self.t) for coll in COLLECTION_KIND for i in side[coll])
        open_ = {(c["target"], c["text"]): c["id"] for c in doc["comments"] if not c["resolved"]}
        written = []
        for conflict in self.conflicts:
            text = f"{CONFLICT_PREFIX} {conflict.text}"
            key = (conflict.id, text)
            if key not in open_:
                cid = unique_id(f"comment-{len(doc['comments']) + 1}", taken)
                taken.add(cid)
                doc["comments"].append({"id": cid, "target": conflict.id, "author": MERGE_AUTHOR, "text": text,
                                        "created": self.now, "resolved": False})
                open_[key] = cid
            written.append(_with_comment(conflict, open_[key]))
        self.conflicts = written

    def _keep_ours(self, err: DocumentError) -> MergeOutcome:  # pragma: no cover - a safety net
        first = err.errors[0] if err.errors else None
        reason = f"{first.path}: {first.message}" if first else str(err)
        self.conflicts = []
        self._add("journey", self.ours["id"], self.ours["title"], None, "kept", "dropped",
                  f"the two versions could not be combined ({reason}); kept ours and dropped theirs' changes")
        doc = {**self.ours, "comments": list(self.ours["comments"])}
        self._write_comments(doc)
        return MergeOutcome(validate_document(doc), self.conflicts)


def _with_comment(conflict: Conflict, comment_id: str) -> Conflict:
    return Conflict(conflict.id, conflict.kind, conflict.name, conflict.field, conflict.ours, conflict.theirs,
                    conflict.text, comment_id)


def _renamed(item: dict, mapping: dict[str, str]) -> dict:
    changes = {k: mapping[item[k]] for k in ("id", "stage", "lane", "target") if k in item and item[k] in mapping}
    return {**item, **changes} if changes else item


def _group_of(kind: str) -> Any:
    if kind == "touchpoint":
        return lambda it: it["stage"]
    if kind == "card":
        return lambda it: (it["lane"], it["stage"])
    return None


def _by_group(order: list[str], items: dict[str, dict], group: Any) -> dict[Any, list[str]]:
    out: dict[Any, list[str]] = {}
    for x in order:
        if x in items:
            out.setdefault(group(items[x]), []).append(x)
    return out


def _predecessors(items: dict[str, dict], common: set, group: Any) -> dict[str, str | None]:
    """For each common item, the common item before it on this side (in its group)."""
    last: dict = {}
    out: dict[str, str | None] = {}
    for x, item in items.items():
        if x not in common:
            continue
        g = group(item) if group is not None else None
        out[x] = last.get(g)
        last[g] = x
    return out


def _instant(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
