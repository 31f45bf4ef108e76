"""Random edit operations of every kind on every field, valid and hostile, from a seed.

:class:`HostileOps` reads the current document and makes an operation the way a
careless or hostile page (or script) might: every operation (add, update, remove,
move, batch, malformed ones), every item kind, every field of each kind (and unknown
ones), with values of the right type and of wrong types, texts at and over their
length bounds and with lone surrogates, numbers at and over 2**53 - 1, not finite or
boolean, references to ids that exist (of the right kind or not), that do not, or that
are not ids at all, indexes of every sort, batches nested at and past the bound.

Used by the property test (tests/test_invariants.py) and by tests/data/make_op_cases.py
(cases the front end's applier must agree on).

>>> import random
>>> doc = {"id": "j", "stages": [], "lanes": [], "touchpoints": [], "cards": [], "comments": [],
...        "personas": [], "goals": [], "emotion_scale": {"min": -2, "max": 2}}
>>> op = HostileOps(random.Random(1)).op(doc)
>>> isinstance(op, (dict, list, str, int, type(None)))
True
"""

from __future__ import annotations

import random
from typing import Any

from journeywidget.core.vocabulary import (
    CHANNELS,
    DIRECTIONS,
    EVIDENCE,
    JOURNEY_TYPES,
    LANE_KINDS,
    STATES,
)

MAX = 2**53 - 1
COLLECTIONS = ("personas", "goals", "stages", "lanes", "touchpoints", "cards", "comments")
KIND_COLL = {"persona": "personas", "goal": "goals", "stage": "stages", "lane": "lanes",
             "touchpoint": "touchpoints", "card": "cards", "comment": "comments"}

TEXTS = ["Checkout", "Поиск", "ደረጃ ፩", "購入", "  padded  ", "<b>bold</b>", "=cmd|' /C calc'!A0", "emoji 🚀",
         "line\nbreak", "tab\there", "\u2028sep", "café", "cafe\u0301"]
BAD_TEXTS = ["", " ", "x" * 301, "bad\ud800half", 5, None, ["x"], {"a": 1}, True]
NUMBERS = [0, 1, -1, 2, -2, 0.5, -1.5, 3, -3, 100, MAX, -MAX, 9007199254740991.0, 1e-300, -0.0]
BAD_NUMBERS = [MAX + 1, -(MAX + 1), 2**64, 10**30, 1e300, -1e17, float("nan"), float("inf"), True, False, "1", [1], {}]
INDEXES = [None, 0, 1, 2, -1, -2, 5, 100, -100, MAX, 2**70, 1.5, True, "0", [0]]
BAD_IDS = ["has space", "", "-lead", "x" * 101, "a\nb", 5, None, ["id"], "bad\ud800"]


class HostileOps:
    """Random operations on whatever document it is shown (see the module's docstring)."""

    def __init__(self, rnd: random.Random, max_depth: int = 6, *, json_only: bool = False) -> None:
        """``json_only``: only values JSON text can carry (no NaN, infinities or lone surrogates),
        and none of the bulky ones (texts over 2,000 characters, lists over 100 items, which
        hand-written cases cover), for operations written to a file."""
        self.rnd = rnd
        self.max_depth = max_depth
        self.json_only = json_only

    def _portable(self, seq: list) -> list:
        if not self.json_only:
            return seq
        def fits(v: Any) -> bool:
            if isinstance(v, float):
                return v == v and v not in (float("inf"), float("-inf"))
            if isinstance(v, str):
                return len(v) <= 2_000 and not any(0xD800 <= ord(c) <= 0xDFFF for c in v)
            return not isinstance(v, list) or len(v) <= 100

        return [v for v in seq if fits(v)]

    # -- values ------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return self.rnd.random() < p

    def pick(self, seq: list | tuple) -> Any:
        return self.rnd.choice(self._portable(list(seq)))

    def ids(self, doc: dict, coll: str | None = None) -> list[str]:
        colls = [coll] if coll else list(COLLECTIONS)
        out = [it["id"] for c in colls for it in doc.get(c, [])]
        return out if coll else out + [doc["id"]]

    def ref(self, doc: dict, coll: str) -> Any:
        """An id of ``coll`` mostly; sometimes of another kind, unknown, or not an id at all."""
        r = self.rnd.random()
        own = self.ids(doc, coll)
        if r < 0.7 and own:
            return self.pick(own)
        if r < 0.85:
            return self.pick(self.ids(doc))
        if r < 0.93:
            return "nowhere"
        return self.pick(BAD_IDS)

    def text(self, good: float = 0.88) -> Any:
        return self.pick(TEXTS) if self.chance(good) else self.pick(BAD_TEXTS)

    def number(self, good: float = 0.75) -> Any:
        return self.pick(NUMBERS) if self.chance(good) else self.pick(BAD_NUMBERS)

    def text_list(self) -> Any:
        return self.pick([[], [self.text()], [self.text(), self.text()], [""], [5], "a, b", None, ["x"] * 1_001])

    def scale(self) -> Any:
        lo = self.pick([-2, -3, 0, 1, -10, MAX - 2, MAX + 1, 2.5, "0"])
        hi = self.pick([2, 3, 4, 0, 10, 30, MAX])
        if isinstance(lo, int) and isinstance(hi, int) and not isinstance(lo, bool) and self.chance(0.7) and 0 <= hi - lo <= 25:
            return {"min": lo, "max": hi, "labels": {str(i): f"L{i}" for i in range(lo, hi + 1)}}
        return self.pick([{"min": lo, "max": hi}, {"min": lo, "max": hi, "labels": {}}, {"min": -2, "max": 2, "step": 1}, "wide"])

    def field(self, doc: dict, kind: str, name: str) -> Any:
        r = self.rnd
        if name in ("stage",):
            return self.ref(doc, "stages")
        if name == "lane":
            return self.ref(doc, "lanes")
        if name == "target":
            return self.ref(doc, self.pick(COLLECTIONS))
        if name == "id":
            return self.pick(["fresh-" + str(r.randint(0, 10**6)), *self.ids(doc)[:3], *BAD_IDS])
        if name == "kind":
            return self.pick([*LANE_KINDS, *LANE_KINDS, "feelings", None, 3])
        if name == "channel":
            return self.pick([*CHANNELS, "Kiosk", "", None, 5, "c" * 61])
        if name in ("emotion", "target"):
            return self.pick([None, self.number()])
        if name == "direction":
            return self.pick([*DIRECTIONS, "up", None])
        if name in ("milestone", "moment_of_truth", "resolved"):
            return self.pick([True, False, 1, "yes", None])
        if name == "evidence":
            return self.pick([[], [self.pick(EVIDENCE)], list(EVIDENCE), ["rumour"], list(EVIDENCE) * 2])
        if name in ("pain_points", "opportunities", "quotes", "goals", "needs", "motivations", "frustrations",
                    "tags", "event_keys"):
            return self.text_list()
        if name == "attributes":
            return self.pick([{}, {"age": "30"}, {"age": 30}, {"k" * 101: "v"}, {"plan": self.text()}, []])
        if name == "empathy":
            return self.pick([{}, {"says": [self.text()]}, {"hears": []}, {"feels": "sad"}, None])
        if name == "segment":
            values = [self.pick(["pro", "free", 1, 2.5, True, None, [1]]) for _ in range(r.randint(0, 3))]
            values += [self.number(0.5)] if self.chance(0.3) else []
            return self.pick([None, {"column": "plan", "values": values}, {"values": []}, {"column": ""}, "plan"])
        if name == "created":
            return self.pick(["", "2026-01-02T03:04:05Z", "2026-01-02T03:04:05.5+01:00", "yesterday", "2026-02-30T00:00:00Z", 5])
        if name == "icon":
            return self.pick(["", "🛒", "x" * 17, 5])
        if name == "unit":
            return self.pick(["%", "EUR", "u" * 41])
        if name == "name":
            return self.text()
        if name in ("title", "description", "quote", "customer_goal", "metric", "owner", "author", "text"):
            return self.pick([self.text(), self.text(), "d" * 20_001])
        return self.text()

    # -- items and operations ----------------------------------------------
    FIELDS = {
        "persona": ("id", "name", "description", "quote", "attributes", "goals", "needs", "motivations",
                    "frustrations", "empathy", "segment"),
        "goal": ("id", "name", "description", "metric", "target", "unit", "direction"),
        "stage": ("id", "name", "description", "customer_goal", "milestone", "icon"),
        "lane": ("id", "kind", "title"),
        "touchpoint": ("id", "name", "stage", "channel", "emotion", "moment_of_truth", "metric", "description",
                       "pain_points", "opportunities", "quotes", "owner", "evidence", "event_keys", "tags"),
        "card": ("id", "lane", "stage", "text"),
        "comment": ("id", "target", "author", "text", "created", "resolved"),
    }
    REQUIRED = {"persona": ("name",), "goal": ("name",), "stage": ("name",), "lane": ("kind",),
                "touchpoint": ("name", "stage"), "card": ("lane", "stage"), "comment": ("target", "text")}

    def item(self, doc: dict, kind: str) -> dict:
        item = {}
        for name in self.REQUIRED[kind]:
            if self.chance(0.95):
                item[name] = self.field(doc, kind, name)
        for name in self.FIELDS[kind]:
            if name not in item and self.chance(0.15 if name != "id" else 0.1):
                item[name] = self.field(doc, kind, name)
        if self.chance(0.03):
            item["colour"] = "red"
        return item

    def op(self, doc: dict, depth: int = 0) -> Any:
        r = self.rnd.random()
        if r < 0.36:
            kind = self.pick(list(KIND_COLL))
            op: dict = {"op": "add", "kind": kind if self.chance(0.97) else "thing", "item": self.item(doc, kind)}
            if self.chance(0.4):
                op["index"] = self.pick(INDEXES)
            return op
        if r < 0.66:
            if self.chance(0.15):
                keys = ["title", "description", "journey_type", "state", "tags", "emotion_scale", "id", "stages", "created"]
                values = {"title": self.text(), "description": self.text(), "tags": self.text_list(),
                          "journey_type": self.pick([*JOURNEY_TYPES, "shopping"]), "state": self.pick([*STATES, "future"]),
                          "emotion_scale": self.scale(), "id": "other", "stages": [], "created": "2020-01-01T00:00:00Z"}
                fields = {k: values[k] for k in self.rnd.sample(keys, self.rnd.randint(1, 2))}
                return {"op": "update", "id": doc["id"], "fields": fields}
            coll = self.pick([c for c in COLLECTIONS if doc.get(c)] or ["stages"])
            kind = {v: k for k, v in KIND_COLL.items()}[coll]
            names = self.rnd.sample(self.FIELDS[kind], self.rnd.randint(1, min(3, len(self.FIELDS[kind]))))
            fields = {n: self.field(doc, kind, n) for n in names}
            target = self.ref(doc, coll) if self.chance(0.95) else doc["id"]
            return {"op": "update", "id": target, "fields": fields if self.chance(0.97) else {}}
        if r < 0.74:
            return {"op": "remove", "id": self.ref(doc, self.pick(COLLECTIONS)) if self.chance(0.97) else doc["id"]}
        if r < 0.88:
            coll = self.pick(["touchpoints", "touchpoints", "cards", "cards", "stages", "lanes", "personas", "goals", "comments"])
            op = {"op": "move", "id": self.ref(doc, coll)}
            if self.chance(0.8):
                op["index"] = self.pick(INDEXES)
            if coll in ("touchpoints", "cards") and self.chance(0.6):
                op["stage"] = self.ref(doc, "stages")
            if self.chance(0.25):
                op["lane"] = self.ref(doc, "lanes")
            return op
        if r < 0.98 and depth < self.max_depth:
            n = self.rnd.randint(0, 4)
            op = {"op": "batch", "ops": [self.op(doc, depth + 1) for _ in range(n)]}
            if self.chance(0.2):
                op["label"] = self.pick(["Workshop edits", "L" * 500, 5, ""])
            return op
        return self.pick(["remove", None, 5, [], {"op": "delete", "id": "x"}, {"id": "x"}, {"op": "batch", "ops": {}},
                          {"op": "update", "id": 5, "fields": {"name": "x"}}, {"op": "add", "kind": "stage", "item": "S"}])
