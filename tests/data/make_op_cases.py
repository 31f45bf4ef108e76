"""Regenerate tests/data/op_cases.json: operations Python applied or refused.

The standalone HTML page applies edits without Python (js/src/model/apply.ts). To
keep one set of rules, this script runs a few hundred varied operations (add,
update, remove, move and batch of every kind, refused ones included) through
``Journey.apply``, starting from templates and small maps, and writes what Python
did: the document afterwards, or the refusal and its message. The front end's
test (js/test/apply.test.ts) checks that the TypeScript applier gives the same
document, or refuses too, for every case; tests/test_op_cases.py checks that this
script still writes exactly the committed file, so the cases cannot go stale.

Run: python tests/data/make_op_cases.py

File format (one case per line)::

    {"today": ..., "now": ..., "docs": {name: document}, "cases": [
      {"name": ..., "doc": name, "op": {...}, "error": "..."}            # refused
      {"name": ..., "doc": name, "op": {...}, "changes": null}           # applied, nothing changed
      {"name": ..., "doc": name, "op": {...}, "changes": {key: value}}   # applied
    ]}

Python refuses every operation whose result it would not load (a lane that holds
cards turned into a computed lane, a list over its maximum size, a number JSON cannot
carry exactly, batches nested too deep): this script checks that every applied
case loads again, so the page, which follows these cases, never keeps such a document.

``changes`` lists the top-level keys whose value changed. A changed list of items
(stages, touchpoints...) is written as the list of its items where an item that is
in the input document unchanged is written as its id only.

The clock: the input documents say they were modified on 2001-02-03; Python stamps
today's date into ``modified`` (and the current time into a new comment's
``created``), which this script replaces with the fixed ``today`` / ``now`` of the
file, so regenerating on another day gives the same file. Python's undo and redo
of every applied case are checked here too (undo gives the input back).
"""

from __future__ import annotations

import copy
import json
import random
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

import journeywidget as jw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from op_generator import HostileOps  # noqa: E402 (tests/op_generator.py, beside tests/data)

OUT = Path(__file__).with_name("op_cases.json")
TODAY = "2030-01-02"
NOW = "2030-01-02T03:04:05Z"
MODIFIED = "2001-02-03"
CREATED = "2001-02-03T04:05:06Z"
COLLECTIONS = ("personas", "goals", "stages", "lanes", "touchpoints", "cards", "comments")


def _canonical(doc: dict) -> dict:
    doc = jw.Journey.from_dict(doc).to_dict()
    doc["created"], doc["modified"] = CREATED, MODIFIED
    return doc


def small_doc() -> dict:
    """A small map with an empty stage, lanes of every sort, comments on comments."""
    stage = lambda i, name, **kw: {"id": i, "name": name, **kw}  # noqa: E731
    tp = lambda i, name, st, **kw: {"id": i, "name": name, "stage": st, **kw}  # noqa: E731
    return _canonical({
        "schema_version": 1, "id": "small", "title": "Small map", "journey_type": "purchase",
        "created": CREATED, "modified": MODIFIED, "tags": ["demo"],
        "personas": [{"id": "ana", "name": "Ana", "goals": ["Buy fast"], "empathy": {"says": ["Hi"]}},
                     {"id": "bo", "name": "Bo"}],
        "goals": [{"id": "conv", "name": "Conversion", "target": 3.5, "unit": "%"},
                  {"id": "nps", "name": "NPS", "direction": "maintain"}],
        "stages": [stage("browse", "Browse", milestone=True), stage("empty", "Empty stage"),
                   stage("buy", "Buy"), stage("after", "After")],
        "lanes": [{"id": "actions", "kind": "actions", "title": "Actions"},
                  {"id": "touchpoints", "kind": "touchpoints", "title": "Touchpoints"},
                  {"id": "emotions", "kind": "emotions", "title": "Emotions"},
                  {"id": "notes", "kind": "text", "title": "Notes"},
                  {"id": "metrics", "kind": "metrics", "title": "Metrics"}],
        "touchpoints": [tp("home", "Home page", "browse", channel="web", emotion=1),
                        tp("search", "Search", "browse", emotion=-1.5, moment_of_truth=True),
                        tp("checkout", "Checkout", "buy", channel="mobile_app"),
                        tp("pay", "Pay", "buy", evidence=["survey"], tags=["x"]),
                        tp("mail", "Mail", "after", event_keys=["mail_open"])],
        "cards": [{"id": "c1", "lane": "actions", "stage": "browse", "text": "Scrolls"},
                  {"id": "c2", "lane": "actions", "stage": "browse", "text": "Compares"},
                  {"id": "c3", "lane": "notes", "stage": "buy", "text": "Slow"},
                  {"id": "c4", "lane": "actions", "stage": "after", "text": "Waits"}],
        "comments": [{"id": "k1", "target": "search", "text": "Check", "created": "2026-11-23T10:00:00Z"},
                     {"id": "k2", "target": "k1", "text": "Done", "resolved": True},
                     {"id": "k3", "target": "c1", "text": "On a card"},
                     {"id": "k4", "target": "small", "text": "On the map"}],
    })


def input_docs() -> dict[str, dict]:
    empty = _canonical(jw.Journey("Empty map", id="empty").to_dict())
    scale = small_doc()
    scale["id"] = "scaled"
    scale["emotion_scale"] = {"min": 0, "max": 4, "labels": {str(i): f"Level {i}" for i in range(5)}}
    for t in scale["touchpoints"]:
        t["emotion"] = 2 if t["emotion"] is not None else None
    for c in scale["comments"]:
        c["target"] = "scaled" if c["target"] == "small" else c["target"]
    full = small_doc()
    full["id"] = "full"
    full["lanes"] += [{"id": f"note-{i}", "kind": "text", "title": f"Note {i}"} for i in range(200 - len(full["lanes"]))]
    full["comments"] = [c for c in full["comments"] if c["target"] != "small"]
    docs = {"small": small_doc(), "empty": empty, "scaled": _canonical(scale), "full": _canonical(full)}
    for name in ("ecommerce-purchase", "saas-onboarding"):
        docs[name] = _canonical(jw.Journey.from_template(name).to_dict())
    return docs


# ------------------------------------------------------------------ hand-written cases
def add(kind: str, item: dict, index=None, **extra) -> dict:
    op = {"op": "add", "kind": kind, "item": item, **extra}
    if index is not None:
        op["index"] = index
    return op


def upd(i, **fields) -> dict:
    return {"op": "update", "id": i, "fields": fields}


def move(i, index=None, **where) -> dict:
    op = {"op": "move", "id": i, **where}
    if index is not None:
        op["index"] = index
    return op


def rm(i) -> dict:
    return {"op": "remove", "id": i}


def batch(*ops, **extra) -> dict:
    return {"op": "batch", "ops": list(ops), **extra}


NAMES = ["Checkout page", "Rozhodnutí o nákupu", "ደረጃ ፩", "हिन्दी चरण", "購入手続き", "Ελληνικά Σ",
         "Çalışma İstanbul", "  !!  ", "x" * 300, "emoji 🚀 launch", "Home page", "Ⅻ stage"]


def small_cases() -> list[tuple[str, dict]]:
    c: list[tuple[str, dict]] = []
    # adds of every kind
    for i, name in enumerate(NAMES):
        c.append((f"add stage named {i}", add("stage", {"name": name})))
        c.append((f"add touchpoint named {i}", add("touchpoint", {"name": name, "stage": "buy"})))
    for index in (0, 1, 2, 5, -1, -2, -9, 100):
        c.append((f"add stage at {index}", add("stage", {"id": "new", "name": "New"}, index)))
        c.append((f"add touchpoint at {index}", add("touchpoint", {"name": "New", "stage": "browse"}, index)))
        c.append((f"add card at {index}", add("card", {"lane": "actions", "stage": "browse", "text": "x"}, index)))
    for st in ("empty", "browse", "after"):
        c.append((f"add touchpoint to {st}", add("touchpoint", {"name": "T", "stage": st})))
        c.append((f"add card to {st}", add("card", {"lane": "notes", "stage": st})))
    for bad in (1.5, True, "1", [0]):
        c.append((f"add with index {bad!r}", add("persona", {"name": "P"}, bad)))
    c += [
        ("add persona full", add("persona", {"name": "Cy", "attributes": {"age": "30"}, "empathy": {"feels": ["ok"]},
                                             "segment": {"column": "plan", "values": ["pro", 1, 2.5, True]}})),
        ("add persona segment without column", add("persona", {"name": "Cy", "segment": {"values": []}})),
        ("add persona long attribute key", add("persona", {"name": "Cy", "attributes": {"k" * 101: "v"}})),
        ("add persona attribute not text", add("persona", {"name": "Cy", "attributes": {"age": 30}})),
        ("add persona empathy unknown part", add("persona", {"name": "Cy", "empathy": {"hears": []}})),
        ("add goal", add("goal", {"name": "Revenue", "target": 10, "unit": "EUR", "direction": "increase"})),
        ("add goal bad direction", add("goal", {"name": "Revenue", "direction": "up"})),
        ("add goal target text", add("goal", {"name": "Revenue", "target": "10"})),
        ("add goal long unit", add("goal", {"name": "Revenue", "unit": "u" * 41})),
        ("add lane", add("lane", {"kind": "needs", "title": "Needs"})),
        ("add lane without title", add("lane", {"kind": "pain_points"})),
        ("add lane twice without title", batch(add("lane", {"kind": "backstage"}), add("lane", {"kind": "backstage"}))),
        ("add lane unknown kind", add("lane", {"kind": "feelings"})),
        ("add lane without kind", add("lane", {"title": "T"})),
        ("add card without text", add("card", {"lane": "actions", "stage": "buy"})),
        ("add card long text", add("card", {"lane": "actions", "stage": "buy", "text": "A long card text " * 5})),
        ("add card computed lane", add("card", {"lane": "emotions", "stage": "buy", "text": "x"})),
        ("add card unknown lane", add("card", {"lane": "nowhere", "stage": "buy", "text": "x"})),
        ("add card unknown stage", add("card", {"lane": "actions", "stage": "nowhere", "text": "x"})),
        ("add touchpoint unknown stage", add("touchpoint", {"name": "X", "stage": "nowhere"})),
        ("add touchpoint full", add("touchpoint", {"name": "Full", "stage": "after", "channel": "chat", "emotion": 0.5,
                                                    "moment_of_truth": True, "pain_points": ["a", "b"],
                                                    "evidence": ["analytics", "interview"], "event_keys": ["k"],
                                                    "tags": ["t"], "owner": "Ops", "metric": "m", "quotes": ["q"]})),
        ("add touchpoint emotion off scale", add("touchpoint", {"name": "X", "stage": "buy", "emotion": 3})),
        ("add touchpoint emotion at min", add("touchpoint", {"name": "X", "stage": "buy", "emotion": -2})),
        ("add touchpoint emotion text", add("touchpoint", {"name": "X", "stage": "buy", "emotion": "1"})),
        ("add touchpoint emotion bool", add("touchpoint", {"name": "X", "stage": "buy", "emotion": True})),
        ("add touchpoint empty channel", add("touchpoint", {"name": "X", "stage": "buy", "channel": ""})),
        ("add touchpoint custom channel", add("touchpoint", {"name": "X", "stage": "buy", "channel": "Kiosk"})),
        ("add touchpoint bad evidence", add("touchpoint", {"name": "X", "stage": "buy", "evidence": ["rumour"]})),
        ("add touchpoint empty tag", add("touchpoint", {"name": "X", "stage": "buy", "tags": [""]})),
        ("add touchpoint empty event key", add("touchpoint", {"name": "X", "stage": "buy", "event_keys": [""]})),
        ("add touchpoint name too long", add("touchpoint", {"name": "x" * 301, "stage": "buy"})),
        ("add touchpoint blank name", add("touchpoint", {"name": "   ", "stage": "buy"})),
        ("add touchpoint empty name", add("touchpoint", {"name": "", "stage": "buy"})),
        ("add touchpoint without name", add("touchpoint", {"stage": "buy"})),
        ("add touchpoint without stage", add("touchpoint", {"name": "X"})),
        ("add touchpoint unknown field", add("touchpoint", {"name": "X", "stage": "buy", "colour": "red"})),
        ("add touchpoint name not text", add("touchpoint", {"name": 5, "stage": "buy"})),
        ("add touchpoint list name", add("touchpoint", {"name": ["a"], "stage": "buy"})),
        ("add touchpoint moment of truth 1", add("touchpoint", {"name": "X", "stage": "buy", "moment_of_truth": 1})),
        ("add stage with id", add("stage", {"id": "fresh", "name": "Fresh"})),
        ("add stage with empty id", add("stage", {"id": "", "name": "Fresh"})),
        ("add stage with null id", add("stage", {"id": None, "name": "Fresh"})),
        ("add stage taken id", add("stage", {"id": "buy", "name": "Buy again"})),
        ("add stage id of the map", add("stage", {"id": "small", "name": "Same as map"})),
        ("add stage taken slug", add("stage", {"name": "Buy"})),
        ("add stage name zero", add("stage", {"name": "0"})),
        ("add stage title instead of name", add("stage", {"title": "Title"})),
        ("add lane title only symbols", add("lane", {"kind": "needs", "title": "!!!"})),
        ("add stage taken slug twice", batch(add("stage", {"name": "Buy"}), add("stage", {"name": "Buy"}))),
        ("add stage Cyrillic id", add("stage", {"id": "этап", "name": "Этап"})),
        ("add stage long icon", add("stage", {"name": "S", "icon": "x" * 17})),
        ("add stage milestone text", add("stage", {"name": "S", "milestone": "yes"})),
        ("add comment", add("comment", {"target": "buy", "text": "Why?", "author": "Ana"})),
        ("add comment on comment", add("comment", {"target": "k2", "text": "Reply"})),
        ("add comment on the map", add("comment", {"target": "small", "text": "Map note"})),
        ("add comment with time", add("comment", {"target": "buy", "text": "t", "created": "2026-01-02T03:04:05+01:00"})),
        ("add comment with fraction", add("comment", {"target": "buy", "text": "t", "created": "2026-01-02T03:04:05.123456Z"})),
        ("add comment created empty", add("comment", {"target": "buy", "text": "t", "created": ""})),
        ("add comment created null", add("comment", {"target": "buy", "text": "t", "created": None})),
        ("add comment created empty list", add("comment", {"target": "buy", "text": "t", "created": []})),
        ("add comment created number", add("comment", {"target": "buy", "text": "t", "created": 5})),
        ("add comment created date only", add("comment", {"target": "buy", "text": "t", "created": "2026-01-02"})),
        ("add comment created bad day", add("comment", {"target": "buy", "text": "t", "created": "2026-02-30T00:00:00Z"})),
        ("add comment created bad month", add("comment", {"target": "buy", "text": "t", "created": "2026-13-01T00:00:00Z"})),
        ("add comment created bad hour", add("comment", {"target": "buy", "text": "t", "created": "2026-01-01T24:00:00Z"})),
        ("add comment created leap day", add("comment", {"target": "buy", "text": "t", "created": "2028-02-29T00:00:00Z"})),
        ("add comment created not leap", add("comment", {"target": "buy", "text": "t", "created": "2100-02-29T00:00:00Z"})),
        ("add comment created big offset", add("comment", {"target": "buy", "text": "t", "created": "2026-01-01T00:00:00+24:00"})),
        ("add comment unknown target", add("comment", {"target": "nowhere", "text": "t"})),
        ("add comment without text", add("comment", {"target": "buy"})),
        ("add comment empty text", add("comment", {"target": "buy", "text": ""})),
        ("add comment resolved", add("comment", {"target": "buy", "text": "t", "resolved": True})),
        ("add comment with id", add("comment", {"id": "k9", "target": "buy", "text": "t"})),
        ("add comment after k5 exists", batch(add("comment", {"id": "comment-5", "target": "buy", "text": "a"}),
                                               add("comment", {"target": "buy", "text": "b"}))),
        ("add unknown kind", add("widget", {"name": "W"})),
        ("add journey kind", add("journey", {"name": "W"})),
        ("add item not object", add("stage", "Stage")),
        ("add without item", {"op": "add", "kind": "stage"}),
    ]
    for bad in ("a b", "-a", ".a", "a/b", "a\n", "x" * 101, 5, "a\u200bb"):
        c.append((f"add stage id {bad!r}", add("stage", {"id": bad, "name": "Bad id"})))
    # updates
    c += [
        ("rename stage", upd("buy", name="Purchase")),
        ("rename stage unchanged", upd("buy", name="Buy")),
        ("rename stage empty", upd("buy", name="")),
        ("stage milestone", upd("empty", milestone=True, customer_goal="Goal")),
        ("stage unknown field", upd("buy", colour="red")),
        ("stage id unchanged", upd("buy", id="buy", name="Buy it")),
        ("stage id changed", upd("buy", id="purchase")),
        ("no fields", {"op": "update", "id": "buy", "fields": {}}),
        ("fields not object", {"op": "update", "id": "buy", "fields": ["name"]}),
        ("update unknown id", upd("nowhere", name="X")),
        ("update id not text", {"op": "update", "id": 5, "fields": {"name": "X"}}),
        ("update without id", {"op": "update", "fields": {"name": "X"}}),
        ("touchpoint to other stage", upd("home", stage="after")),
        ("touchpoint to unknown stage", upd("home", stage="nowhere")),
        ("touchpoint emotion", upd("checkout", emotion=-2)),
        ("touchpoint emotion null", upd("home", emotion=None)),
        ("touchpoint emotion off scale", upd("home", emotion=2.5)),
        ("touchpoint channel null", upd("home", channel=None)),
        ("touchpoint lists", upd("home", pain_points=["slow", "ugly"], quotes=[], tags=["a", "b"])),
        ("touchpoint moment of truth", upd("search", moment_of_truth=False)),
        ("touchpoint description long", upd("home", description="d" * 20_001)),
        ("card text", upd("c1", text="Scrolls a lot")),
        ("card to other lane", upd("c1", lane="notes")),
        ("card to computed lane", upd("c1", lane="touchpoints")),
        ("card to metrics lane", upd("c1", lane="metrics")),
        ("lane title", upd("notes", title="Remarks")),
        ("lane kind", upd("notes", kind="needs")),
        ("lane with cards to computed kind", upd("actions", kind="emotions")),
        ("lane with one card to computed kind", upd("notes", kind="metrics")),
        ("lane without cards to computed kind", batch(rm("c3"), upd("notes", kind="metrics"))),
        ("lane kind unknown", upd("notes", kind="feelings")),
        ("lane colour", upd("notes", color="purple")),
        ("lane colour and icon", upd("actions", color="teal", icon="flag")),
        ("lane colour back to the kind's", batch(upd("notes", color="red"), upd("notes", color=""))),
        ("lane colour not in the palette", upd("notes", color="#ff0000")),
        ("lane colour css injection", upd("notes", color="red;background:url(x)")),
        ("lane colour not text", upd("notes", color=3)),
        ("lane icon unknown", upd("notes", icon="skull")),
        ("add lane with colour and icon", add("lane", {"kind": "needs", "title": "Needs", "color": "orange", "icon": "target"})),
        ("add lane with unknown colour", add("lane", {"kind": "needs", "color": "chartreuse"})),
        ("persona fields", upd("ana", quote="Quick!", goals=["a"], attributes={"age": "31"})),
        ("persona empathy", upd("ana", empathy={"says": ["x"], "thinks": [], "does": [], "feels": ["y"]})),
        ("persona partial empathy", upd("ana", empathy={"does": ["z"]})),
        ("persona segment", upd("bo", segment={"column": "plan", "values": ["pro"]})),
        ("goal target", upd("conv", target=4)),
        ("goal target null", upd("conv", target=None)),
        ("goal direction", upd("nps", direction="decrease")),
        ("comment resolved", upd("k1", resolved=True)),
        ("comment target", upd("k3", target="buy")),
        ("comment target itself", upd("k3", target="k3")),
        ("comment target unknown", upd("k3", target="nowhere")),
        ("comment created bad", upd("k1", created="yesterday")),
        ("comment text empty", upd("k1", text="")),
        ("journey title", upd("small", title="Renamed map")),
        ("journey title unchanged", upd("small", title="Small map")),
        ("journey title empty", upd("small", title="")),
        ("journey title blank", upd("small", title=" ")),
        ("journey many fields", upd("small", description="About", journey_type="support", state="to_be", tags=["a"])),
        ("journey bad type", upd("small", journey_type="shopping")),
        ("journey bad state", upd("small", state="future")),
        ("journey tags not list", upd("small", tags="a, b")),
        ("journey id", upd("small", id="other")),
        ("journey created", upd("small", created="2020-01-01T00:00:00Z")),
        ("journey stages", upd("small", stages=[])),
        ("journey scale", upd("small", emotion_scale={"min": -3, "max": 3, "labels": {str(i): f"L{i}" for i in range(-3, 4)}})),
        ("journey scale too narrow", upd("small", emotion_scale={"min": -1, "max": 1, "labels": {str(i): f"L{i}" for i in range(-1, 2)}})),
        ("journey scale without labels", upd("small", emotion_scale={"min": -2, "max": 2})),
        ("journey scale labels missing", upd("small", emotion_scale={"min": -2, "max": 3})),
        ("journey scale extra labels", upd("small", emotion_scale={"min": -2, "max": 2, "labels": {**{str(i): "x" for i in range(-2, 3)}, "9": "x"}})),
        ("journey scale upside down", upd("small", emotion_scale={"min": 2, "max": -2})),
        ("journey scale too wide", upd("small", emotion_scale={"min": 0, "max": 21, "labels": {str(i): "x" for i in range(22)}})),
        ("journey scale float", upd("small", emotion_scale={"min": -2.5, "max": 2})),
        ("journey scale unknown key", upd("small", emotion_scale={"min": -2, "max": 2, "step": 1})),
        ("journey card columns", upd("small", layout={"card_columns": 4})),
        ("journey card columns one", upd("small", layout={"card_columns": 1})),
        ("journey card columns unchanged", upd("small", layout={"card_columns": 3})),
        ("journey card columns empty layout", upd("small", layout={})),
        ("journey card columns zero", upd("small", layout={"card_columns": 0})),
        ("journey card columns too many", upd("small", layout={"card_columns": 7})),
        ("journey card columns float", upd("small", layout={"card_columns": 2.5})),
        ("journey card columns text", upd("small", layout={"card_columns": "3"})),
        ("journey card columns bool", upd("small", layout={"card_columns": True})),
        ("journey layout unknown key", upd("small", layout={"card_columns": 3, "zoom": 2})),
        ("journey layout not an object", upd("small", layout=3)),
        ("journey scale long label", upd("small", emotion_scale={"min": -2, "max": 2, "labels": {**{str(i): "x" for i in range(-2, 3)}, "0": "y" * 301}})),
        ("journey scale far out", upd("small", emotion_scale={"min": 2**53, "max": 2**53 + 2})),
    ]
    # numbers JSON and JavaScript carry exactly: at most 2**53 - 1 in size
    for i, target in enumerate([2**53 - 1, -(2**53 - 1), 2**53, -(2**53), 2**60, 1e300, -1e16, 9007199254740991.0, 0.5e-300]):
        c.append((f"goal target bound {i}", upd("conv", target=target)))
    c += [
        ("persona segment value too large", upd("bo", segment={"column": "plan", "values": [2**53]})),
        ("persona segment value at the bound", upd("bo", segment={"column": "plan", "values": [2**53 - 1, -1.5]})),
        ("add goal target too large", add("goal", {"name": "G", "target": 10**20})),
    ]
    # nesting and echoed input
    nested = upd("buy", name="Nested")
    for depth in range(1, 7):
        nested = batch(nested)
        c.append((f"batch nested {depth} deep", nested))
    c += [
        ("update with a long unknown id", upd("x" * 500, name="X")),
        ("add with a long invalid id", add("stage", {"id": "x y" * 200, "name": "X"})),
        ("journey update with a long unknown field", {"op": "update", "id": "small", "fields": {"k" * 500: 1}}),
        ("batch with a long label", batch(upd("buy", name="Labelled"), label="L" * 500)),
        ("batch with a label that is not text", batch(upd("buy", name="Labelled"), label=["x"])),
    ]
    # removes
    for i in ("ana", "conv", "browse", "empty", "buy", "actions", "touchpoints", "search", "c1", "k1", "k2", "k4"):
        c.append((f"remove {i}", rm(i)))
    c += [("remove the map", rm("small")), ("remove unknown", rm("nowhere")), ("remove id not text", rm(["buy"]))]
    # moves
    for i, index in [("buy", 0), ("buy", 3), ("buy", 2), ("buy", -1), ("buy", -2), ("buy", -100), ("buy", 100),
                     ("browse", 1), ("notes", 0), ("ana", 1), ("bo", 0), ("conv", 5), ("k1", 3), ("k4", 0)]:
        c.append((f"move {i} to {index}", move(i, index)))
    c += [
        ("move stage without index", move("buy")),
        ("move stage with stage", move("buy", 0, stage="browse")),
        ("move persona with lane", move("ana", 0, lane="actions")),
        ("move stage index text", move("buy", "0")),
        ("move stage index float", move("buy", 0.5)),
        ("move unknown", move("nowhere", 0)),
    ]
    for i, index, where in [("home", 1, {}), ("home", 0, {}), ("search", 0, {}), ("search", -1, {}), ("home", -1, {}),
                            ("home", None, {}), ("home", None, {"stage": "browse"}), ("home", 0, {"stage": "buy"}),
                            ("home", 1, {"stage": "buy"}), ("home", 9, {"stage": "buy"}), ("home", -1, {"stage": "buy"}),
                            ("home", None, {"stage": "empty"}), ("mail", 0, {"stage": "empty"}), ("checkout", 0, {"stage": "empty"}),
                            ("pay", 0, {"stage": "browse"}), ("home", 0, {"stage": "nowhere"}), ("home", 0, {"lane": "actions"}),
                            ("home", 0, {"stage": None}), ("c1", 1, {}), ("c2", 0, {}), ("c1", 0, {}), ("c1", -1, {}),
                            ("c1", 0, {"stage": "buy"}), ("c1", 0, {"lane": "notes"}), ("c3", 0, {"lane": "actions", "stage": "browse"}),
                            ("c1", 0, {"lane": "emotions"}), ("c1", 0, {"lane": "nowhere"}), ("c4", None, {"stage": "empty"}),
                            ("c1", None, {"stage": "empty", "lane": "notes"}), ("c2", 5, {"lane": "actions", "stage": "browse"})]:
        c.append((f"move {i} to {index} {where}", move(i, index, **where)))
    # batches and malformed operations
    c += [
        ("batch add then update", batch(add("stage", {"id": "s9", "name": "S9"}), upd("s9", name="Stage 9"))),
        ("batch with a refused op", batch(upd("buy", name="Purchase"), upd("nowhere", name="X"), rm("home"))),
        ("batch empty", batch()),
        ("batch of no-ops", batch(upd("buy", name="Buy"), move("buy", 2))),
        ("batch changes and reverts", batch(upd("buy", name="Purchase"), upd("buy", name="Buy"))),
        ("batch nested", batch(batch(add("goal", {"name": "G"}), rm("k4")), move("home", 1), label="nested")),
        ("batch nested refused", batch(rm("k4"), batch(rm("k4")))),
        ("batch ops not list", {"op": "batch", "ops": {"op": "remove", "id": "home"}}),
        ("batch remove stage then add touchpoint to it", batch(rm("buy"), add("touchpoint", {"name": "X", "stage": "buy"}))),
        ("batch move then remove", batch(move("home", 0, stage="buy"), rm("buy"))),
        ("op not object", "remove"),
        ("op null", None),
        ("op list", [rm("home")]),
        ("op unknown", {"op": "delete", "id": "home"}),
        ("op missing", {"id": "home"}),
    ]
    return c


def scaled_cases() -> list[tuple[str, dict]]:
    return [
        ("scaled emotion top", upd("home", emotion=4)),
        ("scaled emotion below", upd("home", emotion=-1)),
        ("scaled add touchpoint", add("touchpoint", {"name": "X", "stage": "buy", "emotion": 0})),
        ("scaled back to default with emotions inside", upd("scaled", emotion_scale={"min": -2, "max": 2})),
        ("scaled shrink keeps emotions", upd("scaled", emotion_scale={"min": 1, "max": 3, "labels": {"1": "a", "2": "b", "3": "c"}})),
        ("scaled shrink loses emotions", upd("scaled", emotion_scale={"min": 3, "max": 4, "labels": {"3": "a", "4": "b"}})),
    ]


def full_cases() -> list[tuple[str, dict]]:
    """A map with the most lanes a document may have (200)."""
    return [
        ("full add a lane", add("lane", {"kind": "needs"})),
        ("full remove a lane, add a lane", batch(rm("note-7"), add("lane", {"kind": "needs"}))),
        ("full add a lane, remove a lane", batch(add("lane", {"kind": "needs"}), rm("note-7"))),
        ("full add a card", add("card", {"lane": "note-194", "stage": "buy", "text": "Last lane"})),
        ("full add two lanes, remove two", batch(add("lane", {"kind": "needs"}), add("lane", {"kind": "text"}),
                                                  rm("note-7"), rm("note-8"))),
        ("full add two lanes, remove one", batch(add("lane", {"kind": "needs"}), add("lane", {"kind": "text"}),
                                                  rm("note-7"))),
        ("full move a lane", move("note-194", 0)),
    ]


def empty_cases() -> list[tuple[str, dict]]:
    return [
        ("empty add touchpoint", add("touchpoint", {"name": "X", "stage": "nowhere"})),
        ("empty add first stage", add("stage", {"name": "First"})),
        ("empty add card", add("card", {"lane": "actions", "stage": "nowhere"})),
        ("empty batch stage and touchpoint", batch(add("stage", {"id": "one", "name": "One"}),
                                                   add("touchpoint", {"name": "T", "stage": "one"}, -1),
                                                   add("card", {"lane": "actions", "stage": "one", "text": "Hi"}))),
        ("empty move lane", move("actions", 5)),
        ("empty remove lane", rm("touchpoints")),
        ("empty add lane at start", add("lane", {"kind": "metrics"}, 0)),
    ]


# ------------------------------------------------------------------ random cases
class RandomOps:
    """Varied operations on a template map: mostly valid, some refused."""

    def __init__(self, doc: dict, seed: int):
        self.doc = doc
        self.rnd = random.Random(seed)

    def ids(self, coll: str) -> list[str]:
        return [it["id"] for it in self.doc[coll]] or ["nowhere"]

    def pick(self, coll: str) -> str:
        return self.rnd.choice(self.ids(coll))

    def index(self):
        return self.rnd.choice([None, 0, 1, 2, -1, -3, 7, 50])

    def op(self) -> dict:
        r = self.rnd
        kind = r.choice(["add", "add", "update", "update", "update", "remove", "move", "move", "batch"])
        if kind == "batch":
            return batch(*(self.op() for _ in range(r.randint(1, 3))))
        if kind == "remove":
            return rm(self.pick(r.choice(COLLECTIONS)))
        if kind == "add":
            what = r.choice(["stage", "touchpoint", "card", "persona", "goal", "lane", "comment"])
            name = r.choice(NAMES[:7] + ["New item"])
            item = {
                "stage": {"name": name},
                "touchpoint": {"name": name, "stage": self.pick("stages"), "emotion": r.choice([None, -2, 0, 1.5, 3])},
                "card": {"lane": self.pick("lanes"), "stage": self.pick("stages"), "text": name},
                "persona": {"name": name},
                "goal": {"name": name, "target": r.choice([None, 1, 2.5])},
                "lane": {"kind": r.choice(["actions", "needs", "metrics", "text"])},
                "comment": {"target": self.pick(r.choice(COLLECTIONS)), "text": name},
            }[what]
            return add(what, item, self.index())
        if kind == "update":
            what = r.choice(["touchpoints", "stages", "cards", "lanes", "comments", "journey"])
            if what == "journey":
                return upd(self.doc["id"], **r.choice([{"title": "Renamed"}, {"tags": ["x", "y"]}, {"state": "to_be"},
                                                       {"description": ""}]))
            fields = {
                "touchpoints": [{"name": "Renamed"}, {"stage": self.pick("stages")}, {"emotion": r.choice([-2, 0.5, 2, 5])},
                                {"channel": r.choice(["web", None, "Kiosk"])}, {"moment_of_truth": True}],
                "stages": [{"name": "Renamed"}, {"milestone": True}, {"description": "About"}],
                "cards": [{"text": "Changed"}, {"lane": self.pick("lanes")}, {"stage": self.pick("stages")}],
                "lanes": [{"title": "Renamed"}, {"kind": r.choice(["needs", "touchpoints", "text"])}],
                "comments": [{"resolved": True}, {"text": "Edited"}],
            }[what]
            return upd(self.pick(what), **r.choice(fields))
        what = r.choice(["touchpoints", "cards", "stages", "lanes", "personas"])
        i = self.pick(what)
        if what == "touchpoints":
            return move(i, self.index(), **r.choice([{}, {"stage": self.pick("stages")}]))
        if what == "cards":
            return move(i, self.index(), **r.choice([{}, {"stage": self.pick("stages")}, {"lane": self.pick("lanes")}]))
        return move(i, r.choice([0, 1, -1, 3, 99]))


# ------------------------------------------------------------------ running them
def _stamps(before: dict, after: dict, t0: str, t1: str) -> dict:
    """`after` with Python's clock readings replaced by the fixed TODAY and NOW."""
    after = copy.deepcopy(after)
    if after["modified"] != before["modified"]:
        assert after["modified"] == t1[:10] or after["modified"] == t0[:10], after["modified"]
        after["modified"] = TODAY
    old = {c["id"] for c in before["comments"]}
    for c in after["comments"]:
        if c["id"] not in old and t0 <= c["created"] <= t1 and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", c["created"]):
            c["created"] = NOW
    return after


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _changes(before: dict, after: dict) -> dict | None:
    out = {}
    for key in after:
        if after[key] == before.get(key) and type(after[key]) is type(before.get(key)):
            continue
        if key in COLLECTIONS:
            old = {it["id"]: it for it in before[key]}
            out[key] = [it["id"] if old.get(it["id"]) == it else it for it in after[key]]
        else:
            out[key] = after[key]
    return out or None


def run_case(name: str, doc_name: str, doc: dict, op) -> dict:
    j = jw.Journey.from_dict(copy.deepcopy(doc))
    t0 = _now()
    try:
        j.apply(copy.deepcopy(op))
    except (jw.JourneyError, ValueError, TypeError, KeyError) as err:
        assert j.to_dict() == doc, f"{name}: a refused operation changed the document"
        return {"name": name, "doc": doc_name, "op": op, "error": str(err)}
    t1 = _now()
    after = j.to_dict()
    assert jw.Journey.from_json(j.to_json()).to_dict() == after, f"{name}: the result does not load again"
    if after != doc:
        j.undo()
        assert j.to_dict() == doc, f"{name}: undo did not give the input back"
        j.redo()
        assert j.to_dict() == after, f"{name}: redo did not give the result back"
    return {"name": name, "doc": doc_name, "op": op, "changes": _changes(doc, _stamps(doc, after, t0, t1))}


def build() -> dict:
    docs = input_docs()
    plan: list[tuple[str, str, object]] = []
    plan += [(n, "small", op) for n, op in small_cases()]
    plan += [(n, "scaled", op) for n, op in scaled_cases()]
    plan += [(n, "empty", op) for n, op in empty_cases()]
    plan += [(n, "full", op) for n, op in full_cases()]
    for k, template in enumerate(("ecommerce-purchase", "saas-onboarding")):
        ops = RandomOps(docs[template], seed=100 + k)
        plan += [(f"{template} random {i}", template, ops.op()) for i in range(90)]
    # every operation, kind and field with hostile values (the property test's generator)
    hostile = HostileOps(random.Random(7), json_only=True)
    plan += [(f"small hostile {i}", "small", hostile.op(docs["small"])) for i in range(150)]
    cases = [run_case(n, d, docs[d], op) for n, d, op in plan]
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return {"today": TODAY, "now": NOW, "docs": docs, "cases": cases}


def text(data: dict | None = None) -> str:
    data = data or build()
    dump = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=False)  # noqa: E731
    lines = ["{", f' "_comment": {dump("Operations Python applied or refused; regenerate with: python tests/data/make_op_cases.py")},',
             f' "today": {dump(data["today"])},', f' "now": {dump(data["now"])},', ' "docs": {']
    lines.append(",\n".join(f"  {dump(k)}: {dump(v)}" for k, v in data["docs"].items()))
    lines += [" },", ' "cases": [']
    lines.append(",\n".join(f"  {dump(c)}" for c in data["cases"]))
    lines += [" ]", "}"]
    return "\n".join(lines) + "\n"


def main() -> int:
    out = text()
    OUT.write_text(out, encoding="utf-8")
    data = json.loads(out)
    refused = sum("error" in c for c in data["cases"])
    noop = sum(c.get("changes", 1) is None for c in data["cases"])
    print(f"wrote {OUT}: {len(data['cases'])} cases ({refused} refused, {noop} changed nothing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
