"""History: every mutation undoable, exactly; bounded; checkpoints; property tests."""

import json
import random

from hypothesis import HealthCheck, given, settings

import journeywidget as jw
from strategies import documents, random_op


def test_thousand_random_mutations_undo_and_redo_exactly():
    j = jw.Journey.from_template("marketing-funnel")
    start = j.to_dict()
    rng = random.Random(20261123)
    applied = refused = 0
    while applied < 1000:
        op = random_op(j, rng)
        before = j.to_dict()
        try:
            label = j.apply(op)
        except jw.OperationError:
            refused += 1
            assert j.to_dict() == before, f"refused op changed the document: {op}"
            continue
        if label:
            applied += 1
        else:
            assert j.to_dict() == before
    assert refused > 0  # the generator does try invalid edits
    final = j.to_dict()
    assert final != start
    for _ in range(1000):
        assert j.can_undo
        j.undo()
    assert not j.can_undo
    assert j.to_dict() == start
    for _ in range(1000):
        j.redo()
    assert j.to_dict() == final
    # the edited document is still a valid document
    assert jw.Journey.from_dict(final).to_dict() == final


def test_history_is_bounded():
    j = jw.Journey("Bounded", history_limit=10)
    for i in range(25):
        j.add_stage(f"S{i}")
    assert len(j.history()) == 10
    for _ in range(30):
        j.undo()
    assert len(j.stages) == 15


def test_new_edit_clears_redo():
    j = jw.Journey("Redo")
    j.add_stage("A")
    j.add_stage("B")
    j.undo()
    assert j.can_redo
    j.add_stage("C")
    assert not j.can_redo
    assert [s.name for s in j.stages] == ["A", "C"]


def test_remove_stage_cascades_and_undo_restores_everything():
    j = jw.Journey.from_template("marketing-funnel")
    before = j.to_dict()
    stage = j.stages[1]
    tps = [t.id for t in j.touchpoints_in(stage.id)]
    j.comment(tps[0], "Look at this")
    with_comment = j.to_dict()
    j.remove(stage.id)
    assert stage.id not in j and all(t not in j for t in tps)
    assert all(c.target not in tps for c in j.comments)
    assert "removed stage" in j.history()[-1]
    j.undo()
    assert j.to_dict() == with_comment
    j.undo()
    assert j.to_dict() == before


def test_checkpoints_restore_and_undo_restore():
    j = jw.Journey.from_template("saas-onboarding")
    j.checkpoint("workshop draft")
    original = j.to_dict()
    j.update(j.touchpoints[0].id, name="Changed")
    j.remove(j.stages[-1].id)
    edited = j.to_dict()
    assert [c.name for c in j.checkpoints()] == ["workshop draft"]
    j.restore("workshop draft")
    assert j.to_dict() == original
    j.undo()
    assert j.to_dict() == edited
    try:
        j.restore("nope")
    except jw.JourneyError as e:
        assert "workshop draft" in str(e)
    else:
        raise AssertionError("restore of an unknown checkpoint must fail")


def test_on_change_fires_for_every_source():
    j = jw.Journey("Listen")
    seen = []
    unsubscribe = j.on_change(lambda jj: seen.append(jj.last_change["source"]))
    s = j.add_stage("A")
    j.undo()
    j.redo()
    j.checkpoint("c")
    j.update(s, name="B")
    j.restore("c")
    assert seen == ["op", "undo", "redo", "op", "restore"]
    unsubscribe()
    j.add_stage("C")
    assert len(seen) == 5


def test_refused_op_records_nothing():
    j = jw.Journey("Refuse")
    s = j.add_stage("A")
    n = len(j.history())
    for bad in (
        {"op": "update", "id": s, "fields": {"name": ""}},
        {"op": "update", "id": s, "fields": {"id": "other"}},
        {"op": "update", "id": "ghost", "fields": {"name": "x"}},
        {"op": "add", "kind": "touchpoint", "item": {"name": "x", "stage": "ghost"}},
        {"op": "add", "kind": "stage", "item": {"name": "x", "colour": "red"}},
        {"op": "add", "kind": "widget", "item": {}},
        {"op": "explode"},
        {"op": "batch", "ops": [{"op": "add", "kind": "stage", "item": {"name": "ok"}}, {"op": "remove", "id": "ghost"}]},
        "not an op",
        {"op": "move", "id": s, "index": "first"},
    ):
        before = j.to_dict()
        try:
            j.apply(bad)
        except jw.OperationError as e:
            assert isinstance(e, ValueError) and str(e)
        else:
            raise AssertionError(f"accepted {bad}")
        assert j.to_dict() == before
    assert len(j.history()) == n


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_random_documents_round_trip(doc):
    j = jw.Journey.from_dict(doc)
    d = j.to_dict()
    assert jw.Journey.from_dict(d) == j
    assert jw.Journey.from_json(j.to_json()) == j
    assert json.loads(j.to_json()) == d
    assert jw.Journey.from_json(j.to_json()).to_json() == j.to_json()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(documents())
def test_random_documents_save_load(tmp_path_factory, doc):
    path = tmp_path_factory.mktemp("rt") / "j.json"
    j = jw.Journey.from_dict(doc)
    j.save(path)
    assert jw.Journey.load(path) == j


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st_seed := __import__("hypothesis").strategies.integers(0, 10_000))
def test_random_edits_on_random_documents_undo_exactly(doc, st_seed):
    j = jw.Journey.from_dict(doc)
    start = j.to_dict()
    rng = random.Random(st_seed)
    n = 0
    for _ in range(40):
        try:
            if j.apply(random_op(j, rng)):
                n += 1
        except jw.OperationError:
            pass
    end = j.to_dict()
    jw.Journey.from_dict(end)  # still valid
    for _ in range(n):
        j.undo()
    assert j.to_dict() == start
    for _ in range(n):
        j.redo()
    assert j.to_dict() == end
