"""JourneyWidget's Python side, with the browser faked.

The page talks to Python in two ways: custom messages (``{"type": "ops"}``,
``undo``, ``redo``) and trait updates (``selected``, ``_error``). Here both are
delivered as ipywidgets would deliver them from the kernel's comm, and we
check what the Python model and the synced state do.
"""

from __future__ import annotations

import pytest

import journeywidget as jw
from journeywidget.widget import JourneyWidget


class Sent(list):
    """Records what the widget sends to the page (custom messages and state)."""


@pytest.fixture
def journey():
    return jw.Journey.from_template("ecommerce-purchase")


def make(journey, **kwargs) -> tuple[JourneyWidget, Sent]:
    w = JourneyWidget(journey, **kwargs)
    sent = Sent()
    original = w.send

    def send(content, buffers=None):
        sent.append(content)
        return original(content, buffers)

    w.send = send  # type: ignore[method-assign]
    return w, sent


def browser_msg(w: JourneyWidget, content: dict) -> None:
    """Deliver a custom message as the kernel's comm would."""
    w._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def browser_set(w: JourneyWidget, **state) -> None:
    """Deliver a trait update from the page (with the property lock, like ipywidgets)."""
    w._handle_msg(
        {
            "content": {"data": {"method": "update", "state": state, "buffer_paths": []}},
            "buffers": [],
        }
    )


def ops(w, *operations, rid=1):
    browser_msg(w, {"type": "ops", "ops": list(operations), "rid": rid})


def results(sent):
    return [m for m in sent if isinstance(m, dict) and m.get("type") == "result"]


def tp(w, tp_id):
    return next(t for t in w._doc["touchpoints"] if t["id"] == tp_id)


# ---------------------------------------------------------------------------


def test_widget_shows_the_live_journey(journey):
    w, _ = make(journey)
    assert w.journey is journey
    assert w._doc == journey.to_dict()
    assert w.editable is True
    assert w.selected == ""
    assert w._error == ""
    assert (w._can_undo, w._can_redo) == (False, False)
    # the built front end is shipped once, in the kernel's shared runtime; the widget
    # carries a small loader and a reference to it
    assert "render" in str(w._esm) and len(w._esm) < 4096 and w._css == ""
    assert w._runtime is not None and "render" in w._runtime.code and w._runtime.css
    assert w.get_state()["_runtime"] == "IPY_MODEL_" + w._runtime.model_id


def test_journey_widget_method_and_default(journey):
    w = journey.widget(editable=False)
    assert isinstance(w, JourneyWidget) and w.journey is journey and w.editable is False
    blank = JourneyWidget()
    assert blank.journey.title
    from_dict = JourneyWidget(journey.to_dict())
    assert from_dict.journey.to_dict()["stages"] == journey.to_dict()["stages"]
    with pytest.raises(TypeError):
        JourneyWidget(42)


def test_rename_from_the_page_changes_the_model(journey):
    w, sent = make(journey)
    rev = w._rev
    ops(w, {"op": "update", "id": "site-search", "fields": {"name": "Search box"}}, rid=7)
    assert journey["site-search"].name == "Search box"
    assert tp(w, "site-search")["name"] == "Search box"
    assert w._rev > rev
    assert results(sent) == [{"type": "result", "rid": 7, "ok": True, "error": None, "rev": w._rev}]
    assert w._can_undo and not w._can_redo


def test_moves_from_the_page(journey):
    w, sent = make(journey)
    ops(w, {"op": "move", "id": "site-search", "stage": "cart", "index": 0})
    assert journey["site-search"].stage == "cart"
    assert [t.id for t in journey.touchpoints_in("cart")][0] == "site-search"
    ops(w, {"op": "move", "id": "cart", "index": 0}, rid=2)
    assert [s["id"] for s in w._doc["stages"]][:2] == ["cart", "browse"]
    ops(w, {"op": "move", "id": "backstage", "index": 0}, rid=3)
    assert w._doc["lanes"][0]["id"] == "backstage"
    assert all(r["ok"] for r in results(sent))


def test_several_ops_in_one_message_are_one_undo_step(journey):
    w, sent = make(journey)
    before = journey.to_dict()
    ops(
        w,
        {"op": "update", "id": "site-search", "fields": {"emotion": 1}},
        {"op": "update", "id": "cart-page", "fields": {"moment_of_truth": True}},
    )
    assert journey["site-search"].emotion == 1 and journey["cart-page"].moment_of_truth
    browser_msg(w, {"type": "undo"})
    assert journey.to_dict()["touchpoints"] == before["touchpoints"]


def test_invalid_edit_is_refused_with_a_message_and_nothing_changes(journey):
    w, sent = make(journey)
    before = journey.to_dict()
    doc_before = w._doc
    rev = w._rev
    ops(w, {"op": "update", "id": "site-search", "fields": {"emotion": 99}}, rid=3)
    (res,) = results(sent)
    assert res["rid"] == 3 and res["ok"] is False and res["error"]
    assert w._error == res["error"]
    assert "emotion" in w._error
    assert journey.to_dict() == before
    assert w._doc == doc_before and w._rev == rev
    assert not w._can_undo
    # an unknown id, a malformed op, an empty title: refused too
    for i, bad in enumerate(
        [
            {"op": "update", "id": "nope", "fields": {"name": "x"}},
            {"op": "explode"},
            {"op": "update", "id": journey.id, "fields": {"title": ""}},
            {"op": "move", "id": "site-search", "index": "first"},
            "not an op",
        ]
    ):
        ops(w, bad, rid=10 + i)
        assert results(sent)[-1]["ok"] is False, bad
        assert w._error
    assert journey.to_dict() == before
    # the next good edit clears the message
    ops(w, {"op": "update", "id": "site-search", "fields": {"name": "Search"}}, rid=20)
    assert results(sent)[-1]["ok"] is True
    assert w._error == ""


def test_bad_messages_are_ignored_or_refused(journey):
    w, sent = make(journey)
    browser_msg(w, {"type": "ops", "ops": [], "rid": 1})
    browser_msg(w, {"type": "ops", "ops": "x", "rid": 2})
    assert [r["ok"] for r in results(sent)] == [False, False]
    browser_msg(w, {"type": "something else"})
    browser_msg(w, ["not", "a", "dict"])  # type: ignore[arg-type]
    assert not journey.can_undo


def test_a_failing_batch_changes_nothing(journey):
    w, sent = make(journey)
    before = journey.to_dict()
    ops(
        w,
        {"op": "update", "id": "site-search", "fields": {"name": "Renamed"}},
        {"op": "remove", "id": "does-not-exist"},
    )
    assert results(sent)[-1]["ok"] is False
    assert journey.to_dict() == before


def test_undo_redo_history_is_shared_with_python(journey):
    w, _ = make(journey)
    ops(w, {"op": "update", "id": "site-search", "fields": {"name": "A"}})
    journey.update("site-search", name="B")  # from Python
    ops(w, {"op": "update", "id": "site-search", "fields": {"name": "C"}}, rid=2)
    assert tp(w, "site-search")["name"] == "C"
    browser_msg(w, {"type": "undo"})
    assert journey["site-search"].name == "B" and tp(w, "site-search")["name"] == "B"
    journey.undo()  # Python undoes the next one
    assert tp(w, "site-search")["name"] == "A"
    w.undo()
    assert journey["site-search"].name == "Site search"
    assert not w._can_undo and w._can_redo
    browser_msg(w, {"type": "redo"})
    assert journey["site-search"].name == "A"
    w.redo()
    journey.redo()
    assert tp(w, "site-search")["name"] == "C" and not w._can_redo
    # undo with nothing to undo is harmless
    fresh, _ = make(jw.Journey("Empty"))
    browser_msg(fresh, {"type": "undo"})
    browser_msg(fresh, {"type": "redo"})


def test_python_changes_reach_the_page_state(journey):
    w, _ = make(journey)
    rev = w._rev
    stage = journey.add_stage("Loyalty")
    journey.add_touchpoint("Points email", stage=stage, channel="email", emotion=1)
    assert w._doc["stages"][-1]["id"] == stage
    assert tp(w, "points-email")["channel"] == "email"
    assert w._rev == rev + 2
    journey.checkpoint("before")
    journey.remove(stage)
    assert stage not in [s["id"] for s in w._doc["stages"]]
    journey.restore("before")
    assert stage in [s["id"] for s in w._doc["stages"]]


def test_two_widgets_on_one_journey_stay_in_sync(journey):
    a, _ = make(journey)
    b, _ = make(journey)
    ops(a, {"op": "update", "id": "cart-page", "fields": {"emotion": 2}})
    assert tp(b, "cart-page")["emotion"] == 2
    ops(b, {"op": "remove", "id": "cart-page"})
    assert "cart-page" not in [t["id"] for t in a._doc["touchpoints"]]
    browser_msg(a, {"type": "undo"})  # a undoes b's edit: one history
    assert "cart-page" in [t["id"] for t in b._doc["touchpoints"]]
    assert a._doc == b._doc == journey.to_dict()
    assert a._can_undo == b._can_undo == journey.can_undo


def test_selected_syncs_both_ways(journey):
    w, _ = make(journey)
    browser_set(w, selected="site-search")
    assert w.selected == "site-search"
    w.select("cart")
    assert w.selected == "cart"
    w.select(None)
    assert w.selected == ""
    # an id that is not in the document is not selectable
    browser_set(w, selected="ghost")
    assert w.selected == ""
    # removing the selected item clears the selection
    w.selected = "site-search"
    ops(w, {"op": "remove", "id": "site-search"})
    assert w.selected == ""
    w.selected = journey.id  # the journey itself can be selected
    assert w.selected == journey.id


def test_error_can_be_dismissed_by_the_page(journey):
    w, _ = make(journey)
    ops(w, {"op": "update", "id": "nope", "fields": {"name": "x"}})
    assert w._error
    browser_set(w, _error="")
    assert w._error == ""


def test_read_only_widget_refuses_edits(journey):
    w, sent = make(journey, editable=False)
    before = journey.to_dict()
    ops(w, {"op": "update", "id": "site-search", "fields": {"name": "X"}}, rid=5)
    assert results(sent)[-1] == {
        "type": "result",
        "rid": 5,
        "ok": False,
        "error": "This map is read-only.",
        "rev": w._rev,
    }
    assert journey.to_dict() == before
    # Python can still change it, and the read-only view follows
    journey.update("site-search", name="Y")
    assert tp(w, "site-search")["name"] == "Y"


def test_comments_added_and_resolved_from_the_page(journey):
    w, sent = make(journey)
    n = len(journey.comments)
    ops(
        w,
        {
            "op": "add",
            "kind": "comment",
            "item": {"target": "cart-page", "author": "Ana", "text": "Check this"},
        },
    )
    assert results(sent)[-1]["ok"]
    assert len(journey.comments) == n + 1
    new = journey.comments[-1]
    assert (new.target, new.author, new.text, new.resolved) == (
        "cart-page",
        "Ana",
        "Check this",
        False,
    )
    assert new.created  # Python stamps the time
    ops(w, {"op": "update", "id": new.id, "fields": {"resolved": True}}, rid=2)
    assert journey[new.id].resolved is True


def test_adds_with_ids_made_in_the_page(journey):
    w, sent = make(journey)
    ops(
        w,
        {
            "op": "add",
            "kind": "stage",
            "item": {"id": "new-stage", "name": "New stage"},
            "index": None,
        },
        {
            "op": "add",
            "kind": "touchpoint",
            "item": {"id": "new-touchpoint", "name": "New touchpoint", "stage": "new-stage"},
        },
        {
            "op": "add",
            "kind": "card",
            "item": {"id": "card", "lane": "actions", "stage": "new-stage", "text": ""},
        },
        {"op": "add", "kind": "lane", "item": {"id": "needs", "kind": "needs", "title": "Needs"}},
    )
    assert results(sent)[-1]["ok"], results(sent)[-1]
    assert journey["new-touchpoint"].stage == "new-stage"
    assert journey["card"].lane == "actions"
    assert [l.id for l in journey.lanes][-1] == "needs"


def test_metrics_and_charts_traits_exist(journey):
    w, _ = make(journey)
    w._metrics = {
        "touchpoints": {"site-search": {"customers": 10, "share": 0.5}},
        "stages": {},
        "feedback": {},
    }
    w._charts = {}
    assert w._metrics["touchpoints"]["site-search"]["customers"] == 10
    assert {
        "_doc",
        "_rev",
        "selected",
        "editable",
        "_error",
        "_can_undo",
        "_can_redo",
        "_metrics",
        "_charts",
    } <= set(w.keys)


def test_closed_or_collected_widgets_stop_listening(journey):
    w, _ = make(journey)
    n = len(journey._listeners)
    w.close()
    assert len(journey._listeners) == n - 1
    journey.update("site-search", name="After close")  # no error from the closed widget

    # ipywidgets keeps open widgets alive; a closed one no longer listens
    other = JourneyWidget(journey)
    assert len(journey._listeners) == n
    other.close()
    other.close()  # twice is fine
    assert len(journey._listeners) == n - 1


def test_unknown_selected_from_python_is_a_clear_error(journey):
    import traitlets

    w = JourneyWidget(journey)
    w.selected = "site-search"
    with pytest.raises(traitlets.TraitError, match="no item with id 'site-serch'"):
        w.selected = "site-serch"
    assert w.selected == "site-search"  # nothing lost
