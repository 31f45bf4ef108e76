"""The scripting API, ids, guidance and diff."""

import pytest

import journeywidget as jw


def build():
    j = jw.Journey("Online store", journey_type="purchase")
    j.add_persona(jw.Persona(name="Maria", quote="I want it fast"))
    j.add_goal("Checkout conversion", target=60, unit="%", direction="increase")
    for name in ("Browse", "Decision", "Purchase"):
        j.add_stage(name)
    j.add_touchpoint("Product page", stage="Browse", channel="web", emotion=1)
    j.add_touchpoint("Checkout page", stage="decision", channel="web", emotion=-1)
    j.add_touchpoint("Payment", stage="purchase", channel="web", emotion=0)
    return j


def test_ids_are_slugs_and_deduplicated():
    j = build()
    assert [s.id for s in j.stages] == ["browse", "decision", "purchase"]
    assert j.add_touchpoint("Checkout page", stage="Purchase") == "checkout-page-2"
    assert j.add_stage("Browse") == "browse-2"
    assert j.add_touchpoint("Rozhodnutí o nákupu", stage="browse") == "rozhodnuti-o-nakupu"


def test_ids_unique_across_kinds():
    j = jw.Journey("Same names")
    s = j.add_stage("Support")
    t = j.add_touchpoint("Support", stage=s)
    assert (s, t) == ("support", "support-2")


def test_rename_keeps_id():
    j = build()
    j.update("checkout-page", name="Checkout")
    assert j["checkout-page"].name == "Checkout"


def test_move_touchpoint_between_stages_and_index():
    j = build()
    j.add_touchpoint("Cart", stage="purchase")
    j.move_touchpoint("checkout-page", stage="Purchase", index=0)
    assert [t.id for t in j.touchpoints_in("purchase")] == ["checkout-page", "payment", "cart"]
    assert j.history()[-1] == "moved touchpoint 'Checkout page' from Decision to Purchase"
    j.move_touchpoint("cart", index=1)
    assert [t.id for t in j.touchpoints_in("purchase")] == ["checkout-page", "cart", "payment"]


def test_move_stage():
    j = build()
    j.move_stage("purchase", 0)
    assert [s.id for s in j.stages] == ["purchase", "browse", "decision"]
    j.move_stage("purchase", -1)
    assert [s.id for s in j.stages] == ["browse", "decision", "purchase"]


def test_add_touchpoint_errors_are_helpful():
    j = build()
    with pytest.raises(jw.OperationError, match="unknown stage 'nowhere'; use one of: 'browse', 'decision', 'purchase'"):
        j.add_touchpoint("X", stage="nowhere")
    with pytest.raises(jw.OperationError, match="off the emotion scale"):
        j.add_touchpoint("X", stage="browse", emotion=3)
    with pytest.raises(jw.OperationError, match="no stages yet"):
        jw.Journey("Empty").add_touchpoint("X")
    with pytest.raises(jw.OperationError, match="unknown field"):
        j.update("payment", colour="red")
    with pytest.raises(ValueError):
        j.update("payment", emotion="happy")


def test_items_are_read_only_copies():
    j = build()
    stage = j.stages[0]
    with pytest.raises(Exception):
        stage.name = "changed"
    assert j.stages[0].name == "Browse"


def test_update_journey_fields_and_scale():
    j = build()
    j.update(j.id, title="Store 2", state="to_be")
    assert (j.title, j.state) == ("Store 2", "to_be")
    with pytest.raises(jw.OperationError, match="emotions outside"):
        j.update(j.id, emotion_scale={"min": 0, "max": 1, "labels": {"0": "meh", "1": "ok"}})
    j.update(j.id, emotion_scale={"min": -3, "max": 3, "labels": {str(i): f"v{i}" for i in range(-3, 4)}})
    j.update("payment", emotion=-3)
    with pytest.raises(jw.OperationError, match="missing labels"):
        j.update(j.id, emotion_scale={"min": -3, "max": 3, "labels": {"0": "x"}})


def test_cards_lanes_comments():
    j = build()
    c = j.add_card("Compares prices", lane="Customer actions", stage="Browse")
    assert j[c].lane == "actions"
    with pytest.raises(jw.OperationError, match="drawn from the touchpoints"):
        j.add_card("x", lane="emotions", stage="browse")
    lane = j.add_lane("text", "Policies")
    j.move_card(c, lane=lane, stage="decision")
    assert (j[c].lane, j[c].stage) == (lane, "decision")
    cid = j.comment("payment", "Too many steps", author="Ana")
    j.resolve(cid)
    assert j[cid].resolved and j[cid].created.endswith("Z")
    j.remove(lane)
    assert c not in j


def test_batch_is_one_step():
    j = build()
    j.batch([
        {"op": "update", "id": "payment", "fields": {"emotion": 2}},
        {"op": "add", "kind": "stage", "item": {"name": "Loyalty"}},
    ], label="workshop edits")
    assert j.history()[-1] == "workshop edits"
    j.undo()
    assert "loyalty" not in j and j["payment"].emotion == 0


def test_diff_is_human_readable():
    a = build()
    b = jw.Journey.from_dict(a.to_dict())
    b.move_touchpoint("checkout-page", stage="purchase")
    b.update("product-page", name="PDP", emotion=2)
    b.move_stage("purchase", 0)
    b.add_stage("Loyalty")
    b.remove("payment")
    changes = [str(c) for c in a.diff(b)]
    assert "moved touchpoint 'Checkout page' from Decision to Purchase" in changes
    assert "renamed touchpoint 'Product page' to 'PDP'" in changes
    assert "changed emotion of touchpoint 'Product page' from 1 to 2" in changes
    assert "added stage 'Loyalty'" in changes
    assert "removed touchpoint 'Payment'" in changes
    assert any(c.startswith("moved stage 'Purchase'") for c in changes)
    assert a.diff(jw.Journey.from_dict(a.to_dict())) == []


def test_check_lists_what_is_missing():
    j = jw.Journey("Sparse")
    codes = {s.code for s in j.check()}
    assert {"no-persona", "no-goals", "no-stages"} <= codes
    s = j.add_stage("Empty stage")
    j.add_stage("Other")
    t = j.add_touchpoint("Bare", stage="other", moment_of_truth=True)
    j.add_touchpoint("Bare", stage="other", channel="web", emotion=0)
    found = {(x.code, x.target) for x in j.check()}
    assert ("stage-without-touchpoints", s) in found
    assert ("touchpoint-without-channel", t) in found
    assert ("touchpoint-without-emotion", t) in found
    assert ("moment-of-truth-without-metric", t) in found
    assert ("duplicate-name", t) in found
    assert all(x.hint for x in j.check())


def test_templates_are_complete():
    infos = jw.templates()
    assert len(infos) >= 6
    for info in infos:
        j = jw.Journey.from_template(info.name)
        problems = [s for s in j.check() if s.severity == "warning"]
        assert problems == [], (info.name, [str(p) for p in problems])
        assert j.personas and j.goals and len(j.stages) >= 5
        for s in j.stages:
            assert len(j.touchpoints_in(s.id)) >= 2
        assert all(t.channel and t.emotion is not None for t in j.touchpoints)
        assert any(t.pain_points for t in j.touchpoints) and any(t.opportunities for t in j.touchpoints)


def test_user_templates_listed_beside_builtins(tmp_path):
    j = build()
    path = j.save_template(tmp_path, "my-store")
    assert path.name == "my-store.json"
    names = [t.name for t in jw.templates(tmp_path)]
    assert "my-store" in names and len(names) == len(jw.templates()) + 1
    again = jw.Journey.from_template("my-store", directory=tmp_path)
    assert [s.name for s in again.stages] == ["Browse", "Decision", "Purchase"]
    with pytest.raises(jw.JourneyError, match="no template named 'nope'"):
        jw.Journey.from_template("nope")


def test_modified_is_a_date_bumped_on_change():
    j = jw.Journey.from_template(jw.templates()[0].name)
    d = j.to_dict()
    d["modified"] = "2020-01-01"
    j = jw.Journey.from_dict(d)
    j.add_stage("New")
    assert j.to_dict()["modified"] != "2020-01-01"
    j.undo()
    assert j.to_dict()["modified"] == "2020-01-01"


def test_import_is_light():
    import subprocess
    import sys

    code = "import sys, journeywidget; print(sorted(m for m in ('pandas','altair','pydantic','anywidget','numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_nan_and_infinity_refused_everywhere():
    j = build()
    for attempt in (
        lambda: j.add_goal("Broken", target=float("nan")),
        lambda: j.update("payment", emotion=float("inf")),
        lambda: j.add_persona("P", segment={"column": "plan", "values": [float("nan")]}),
    ):
        before = j.to_dict()
        with pytest.raises(jw.OperationError, match="finite number"):
            attempt()
        assert j.to_dict() == before


def test_numpy_values_from_dataframes_are_accepted():
    import numpy as np
    j = build()
    j.update("payment", emotion=np.float64(1.5))
    j.add_goal("NPS", target=np.int64(40))
    assert jw.Journey.from_json(j.to_json()) == j
    assert j["payment"].emotion == 1.5
    assert j.goals[-1].target == 40 and isinstance(j.goals[-1].target, int)
