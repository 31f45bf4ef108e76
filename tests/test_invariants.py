"""No accepted edit can corrupt a map (issue 11, item 1), and numbers are bounded at entry (10a).

The property test applies thousands of random operations (tests/op_generator.py: every
operation, item kind and field, valid and hostile values) and checks after each one
that an accepted edit leaves a document that saves, loads again unchanged and undoes
exactly, and that a refused edit changed nothing. The regression tests pin the holes
the attack pass found and each rule of document/invariants.py from the edit side.
"""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

import journeywidget as jw
from journeywidget.document.invariants import LIST_CAPS
from journeywidget.document.operations import run_op
from journeywidget.document.schema import KINDS
from journeywidget.document.templates import templates
from op_generator import HostileOps

CREATED = "2026-01-05T09:00:00Z"


def small_doc() -> dict:
    """Lanes of every kind that hold cards or not, an empty stage, comments on comments."""
    return {
        "schema_version": 1, "id": "small", "title": "Small", "created": CREATED, "modified": "2026-01-05",
        "personas": [{"id": "ana", "name": "Ana"}], "goals": [{"id": "conv", "name": "Conversion", "target": 3}],
        "stages": [{"id": "browse", "name": "Browse"}, {"id": "empty", "name": "Empty"}, {"id": "buy", "name": "Buy"}],
        "lanes": [{"id": "actions", "kind": "actions"}, {"id": "emotions", "kind": "emotions"},
                  {"id": "notes", "kind": "text"}, {"id": "touchpoints", "kind": "touchpoints"}],
        "touchpoints": [{"id": "home", "name": "Home", "stage": "browse", "emotion": 1},
                        {"id": "pay", "name": "Pay", "stage": "buy", "emotion": -2}],
        "cards": [{"id": "c1", "lane": "actions", "stage": "browse", "text": "Scrolls"},
                  {"id": "c2", "lane": "notes", "stage": "buy", "text": "Slow"}],
        "comments": [{"id": "k1", "target": "home", "text": "Check"}, {"id": "k2", "target": "k1", "text": "Done"},
                     {"id": "k3", "target": "small", "text": "On the map"}],
    }


def start_docs() -> list[dict]:
    docs = [jw.Journey.from_template(name).to_dict() for name in (t.name for t in templates())]
    scaled = small_doc()
    scaled["emotion_scale"] = {"min": 0, "max": 4, "labels": {str(i): f"L{i}" for i in range(5)}}
    for t in scaled["touchpoints"]:
        t["emotion"] = 2
    return docs + [small_doc(), scaled, jw.Journey("Empty", id="empty").to_dict()]


def state(j: jw.Journey) -> str:
    """The whole document as compact JSON (the C encoder: quick to compare after every step)."""
    return json.dumps(j.snapshot(), ensure_ascii=False)


def _op_name(op) -> str:
    if not isinstance(op, dict):
        return "malformed"
    name = str(op.get("op"))
    return f"{name} {op.get('kind')}" if name == "add" else name


def test_random_operations_never_leave_a_map_that_does_not_load():
    """6,000 random operations: accepted ones round-trip and undo exactly; refused ones change nothing."""
    docs = start_docs()
    accepted: Counter = Counter()
    refused: Counter = Counter()
    fields_changed: Counter = Counter()
    for seed in range(24):
        j = jw.Journey.from_dict(docs[seed % len(docs)])
        gen = HostileOps(random.Random(seed))
        for _ in range(250):
            if len(j.snapshot()["touchpoints"]) > 150:  # keep each check quick: start again
                j = jw.Journey.from_dict(docs[seed % len(docs)])
            before = state(j)
            op = gen.op(j.snapshot())
            try:
                label = j.apply(op)
            except jw.JourneyError:
                assert state(j) == before, f"seed {seed}: a refused operation changed the map: {op!r:.300}"
                refused[_op_name(op)] += 1
                continue
            after = state(j)
            again = jw.Journey.from_json(j.to_json().encode("utf-8"))  # what save() writes, load() reads
            assert state(again) == after, f"seed {seed}: the map changed on its way through JSON: {op!r:.300}"
            accepted[_op_name(op)] += 1
            if label:
                old = json.loads(before)
                fields_changed.update(k for k, v in json.loads(after).items() if v != old[k])
                j.undo()
                assert state(j) == before, f"seed {seed}: undo did not give the map back: {op!r:.300}"
                j.redo()
                assert state(j) == after
    total = sum(accepted.values()) + sum(refused.values())
    assert total >= 6_000
    assert sum(accepted.values()) >= 1_800 and sum(refused.values()) >= 1_800, (accepted, refused)
    for name in ("update", "remove", "move", "batch", *(f"add {k}" for k in
                 ("persona", "goal", "stage", "lane", "touchpoint", "card", "comment"))):
        assert accepted[name] >= 10 and refused[name] >= 10, (name, accepted, refused)
    assert {"personas", "goals", "stages", "lanes", "touchpoints", "cards", "comments", "title",
            "emotion_scale", "tags"} <= set(fields_changed), fields_changed


# -- item 1: the holes the attack pass found, and each rule from the edit side ---------------

def test_a_lane_that_holds_cards_cannot_become_a_computed_lane(tmp_path):
    j = jw.Journey.from_template("ecommerce-purchase")
    before = j.to_json()
    with pytest.raises(jw.OperationError, match=r"lane 'actions' is a emotions lane.*change or remove them first"):
        j.update("actions", kind="emotions")
    assert j.to_json() == before
    w = j.widget()
    w._on_page_msg(w, {"type": "ops", "ops": [{"op": "update", "id": "actions", "fields": {"kind": "metrics"}}]})
    assert "metrics lane" in w._error and j.to_json() == before
    # emptied first, the same change is fine, saves and loads
    j.batch([{"op": "remove", "id": c.id} for c in j.cards if c.lane == "actions"]
            + [{"op": "update", "id": "actions", "fields": {"kind": "emotions"}}])
    j.save(tmp_path / "map.json")
    assert jw.Journey.load(tmp_path / "map.json") == j


@pytest.mark.parametrize("coll", sorted(LIST_CAPS))
def test_every_list_stops_at_its_cap(coll):
    kind = {"personas": "persona", "goals": "goal", "stages": "stage", "lanes": "lane",
            "touchpoints": "touchpoint", "cards": "card", "comments": "comment"}[coll]
    item = {"persona": {"name": "P"}, "goal": {"name": "G"}, "stage": {"name": "S"}, "lane": {"kind": "text"},
            "touchpoint": {"name": "T", "stage": "s"}, "card": {"lane": "l", "stage": "s"},
            "comment": {"target": "s", "text": "t"}}[kind]
    doc = {"schema_version": 1, "id": "j", "title": "Full", "created": CREATED, "modified": "2026-01-05",
           "stages": [{"id": "s", "name": "S"}], "lanes": [{"id": "l", "kind": "text"}]}
    cap = LIST_CAPS[coll]
    doc = jw.Journey.from_dict(doc).to_dict()
    canonical = KINDS[kind][1].model_validate({**item, "id": "x"}).model_dump(mode="json")
    doc[coll] += [{**canonical, "id": f"x{i}"} for i in range(cap - len(doc[coll]))]
    j = jw.Journey._from_canonical(doc)  # valid by construction: 100,000 items skip pydantic here
    with pytest.raises(jw.OperationError, match=f"at most {cap:,} {coll}"):
        j.apply({"op": "add", "kind": kind, "item": item})
    assert len(j.snapshot()[coll]) == cap
    # one out, one in, in one batch: fine
    j.batch([{"op": "remove", "id": "x1"}, {"op": "add", "kind": kind, "item": item}])
    assert len(j.snapshot()[coll]) == cap


def test_the_caps_are_the_schemas():
    schema = jw.schema()
    assert LIST_CAPS == {coll: schema["properties"][coll]["maxItems"] for coll in LIST_CAPS}


def test_references_are_checked_from_both_sides():
    j = jw.Journey.from_dict(small_doc())
    before = j.to_json()
    refused = [
        {"op": "add", "kind": "card", "item": {"lane": "emotions", "stage": "buy"}},
        {"op": "add", "kind": "touchpoint", "item": {"name": "X", "stage": "nowhere"}},
        {"op": "add", "kind": "comment", "item": {"target": "nowhere", "text": "x"}},
        {"op": "add", "kind": "stage", "item": {"id": "home", "name": "Same id as a touchpoint"}},
        {"op": "add", "kind": "stage", "item": {"id": "small", "name": "Same id as the map"}},
        {"op": "update", "id": "home", "fields": {"emotion": 2.5}},
        {"op": "update", "id": "c1", "fields": {"lane": "touchpoints"}},
        {"op": "move", "id": "c2", "lane": "emotions"},
        {"op": "update", "id": "small", "fields": {"emotion_scale": {"min": 0, "max": 4,
                                                   "labels": {str(i): "x" for i in range(5)}}}},
        {"op": "batch", "ops": [{"op": "remove", "id": "buy"}, {"op": "add", "kind": "card",
                                                                "item": {"lane": "notes", "stage": "buy"}}]},
    ]
    for op in refused:
        with pytest.raises(jw.OperationError):
            j.apply(op)
        assert j.to_json() == before, op
    # removing what others refer to takes them along, so the map still loads
    j.remove("browse")
    j.remove("home") if "home" in j else None
    assert "c1" not in j and "k1" not in j and "k2" not in j
    assert jw.Journey.from_json(j.to_json()) == j


def test_the_edit_check_is_the_loaders_check(monkeypatch):
    """One definition: a rule the edit path misses would be a rule the loader has and it has not."""
    from journeywidget.document import invariants

    j = jw.Journey.from_dict(small_doc())
    monkeypatch.setattr(invariants, "COMPUTED_LANES", ())  # the rule switched off: both sides accept
    j.update("actions", kind="emotions")
    assert jw.Journey.from_json(j.to_json()) == j


def test_an_edit_on_a_big_map_checks_only_what_it_touched(monkeypatch):
    from journeywidget.document import invariants

    ops = [{"op": "add", "kind": "stage", "item": {"id": f"s{s}", "name": f"S{s}"}} for s in range(40)]
    ops += [{"op": "add", "kind": "touchpoint", "item": {"id": f"t{i}", "name": f"T{i}", "stage": f"s{i % 40}"}}
            for i in range(2_000)]
    j = jw.Journey("Big")
    j.batch(ops)
    checked = []
    real = invariants.check_references
    monkeypatch.setattr(invariants, "check_references", lambda refs, kind, data: checked.append(data["id"]) or real(refs, kind, data))
    j.update("t7", name="Renamed", emotion=1)
    assert checked == ["t7"]
    checked.clear()
    j.update(j.id, emotion_scale={"min": -3, "max": 3, "labels": {str(i): "x" for i in range(-3, 4)}})
    assert len(checked) == 1  # the only touchpoint with an emotion
    calls = []
    monkeypatch.setattr(jw.document.schema.JourneyDocument, "model_validate",
                        classmethod(lambda cls, *a, **k: calls.append(1)))
    j.update("t8", name="Again")
    assert calls == []  # never the whole document through pydantic


def test_batches_nest_at_most_four_deep_for_every_caller():
    j = jw.Journey.from_dict(small_doc())
    op = {"op": "update", "id": "buy", "fields": {"name": "Deep"}}
    for _ in range(4):
        op = {"op": "batch", "ops": [op]}
    j.apply(op)
    for _ in range(100_000):  # deeper than Python's recursion limit: refused, no RecursionError
        op = {"op": "batch", "ops": [op]}
    before = j.to_json()
    with pytest.raises(jw.OperationError, match="nest at most 4 deep"):
        j.apply(op)
    assert j.to_json() == before


# -- item 10a: numbers bounded at entry ------------------------------------------------------

def test_add_goal_with_a_huge_target_is_refused_and_changes_nothing(tmp_path):
    j = jw.Journey("Goals")
    before = j.to_json()
    with pytest.raises(jw.OperationError, match=r"goal\.target: a whole number of 5,001 digits is out of range"):
        j.add_goal("Revenue", target=10**5000)
    assert j.to_json() == before and not j.can_undo
    j.add_goal("Revenue", target=2**53 - 1)
    j.save(tmp_path / "g.json")
    assert jw.Journey.load(tmp_path / "g.json").goals[0].target == 2**53 - 1


@pytest.mark.parametrize("value", [2**53, -(2**53), 10**20, 1e300, -1e16, float("nan"), float("inf")])
def test_numbers_json_and_javascript_cannot_carry_are_refused_everywhere(value):
    j = jw.Journey("Numbers")
    s = j.add_stage("S")
    j.update(j.id, emotion_scale={"min": -2, "max": 2, "labels": {str(i): "x" for i in range(-2, 3)}})
    for call in (lambda: j.add_goal("G", target=value),
                 lambda: j.add_touchpoint("T", stage=s, emotion=value),
                 lambda: j.add_persona("P", segment={"column": "plan", "values": [value]}),
                 lambda: j.update(j.id, emotion_scale={"min": value, "max": value})):
        with pytest.raises(jw.OperationError, match="out of range|finite"):
            call()
    doc = j.to_dict()
    doc["goals"] = [{"id": "g", "name": "G", "target": value}]
    with pytest.raises(jw.DocumentError, match="out of range|finite"):
        jw.Journey.from_dict(doc)


def test_run_op_reverts_everything_when_the_final_check_refuses():
    doc = jw.Journey.from_dict(small_doc()).to_dict()
    before = jw.Journey.from_dict(doc).to_dict()
    op = {"op": "batch", "ops": [{"op": "add", "kind": "stage", "item": {"name": "New"}},
                                 {"op": "update", "id": "notes", "fields": {"kind": "metrics"}}]}
    with pytest.raises(jw.OperationError, match="metrics lane"):
        run_op(doc, op)
    assert doc == before


@pytest.mark.parametrize("extra_lookups", [0, 20])
def test_the_final_check_catches_an_id_used_twice_whatever_slipped_through(monkeypatch, extra_lookups):
    """A safety net: if the add's own check let a taken id through, the edit is still refused,
    for a short edit (ids counted in the columns) and a long batch (the dict of ids)."""
    from journeywidget.document.invariants import DocIndex

    monkeypatch.setattr(DocIndex, "has_id", lambda self, item_id: False)
    j = jw.Journey.from_dict(small_doc())
    before = j.to_json()
    ops = [{"op": "update", "id": "home", "fields": {"name": f"N{i}"}} for i in range(extra_lookups)]
    ops.append({"op": "add", "kind": "stage", "item": {"id": "pay", "name": "Twice"}})
    with pytest.raises(jw.OperationError, match="id 'pay' is used 2 times"):
        j.batch(ops)
    assert j.to_json() == before
