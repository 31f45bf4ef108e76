"""The widget's data side with the browser faked: segment switch, A/B comparison,
insights and "Add to map" (issue 4).

The page sets the ``segment`` / ``compare`` traits and sends ``{"type": "ops"}``
messages; here both are delivered as ipywidgets would deliver them from the
kernel's comm (see tests/test_widget.py), and we check the metrics, the synced
``_metrics`` payload and the journey.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import traitlets

import journeywidget as jw
from journeywidget.core.ids import readable_name, slugify
from journeywidget.widget import JourneyWidget
from test_widget import browser_msg, browser_set, make, ops, results

ARGS = dict(customer="customer_id", time="timestamp", touchpoint="event")


@pytest.fixture
def journey():
    return jw.Journey.from_template("ecommerce-purchase")


@pytest.fixture
def events(journey):
    return jw.datasets.events(journey, customers=1500, seed=7)


def bound(journey, events, **kwargs):
    w, sent = make(journey, **kwargs)
    w.bind_events(events, **ARGS, segment="plan")
    return w, sent


def customers_by_stage(records):
    return {r["stage"]: r["customers"] for r in records}


def customers_by_tp(records):
    return {r["touchpoint"]: r["customers"] for r in records}


def page_add_op(w, insight):
    """The op the page's "Add to map" button sends (data.ts addKeyOp)."""
    key = insight["details"]["key"]
    stages = [s["id"] for s in w._doc["stages"]]
    stage = insight["details"]["suggested_stage"]
    stage = stage if stage in stages else stages[0]
    name = readable_name(key)
    return {"op": "add", "kind": "touchpoint", "index": None,
            "item": {"id": slugify(name, "touchpoint"), "name": name, "stage": stage,
                     "event_keys": [key]}}


def unmapped(payload):
    return [i for i in payload["insights"] if i["kind"] == "unmapped_key"]


# ---------------------------------------------------------------------------
# segment
# ---------------------------------------------------------------------------


def test_segments_in_the_payload(journey, events):
    w, _ = bound(journey, events)
    p = w._metrics
    assert p["live"] is True
    assert p["segment_column"] == "plan"
    segs = {s["value"]: s for s in p["segments"]}
    assert set(segs) == {"free", "pro", "enterprise"}
    counts = events.groupby("plan", observed=True)["customer_id"].nunique()
    total = events["customer_id"].nunique()
    for value, s in segs.items():
        assert s["customers"] == counts[value]
        assert s["share"] == pytest.approx(counts[value] / total, abs=1e-4)
    assert w.segment == "" and w.compare == "" and p["compare"] is None


def test_segment_switched_from_the_page(journey, events):
    w, _ = bound(journey, events)
    all_stages = customers_by_stage(w.metrics.stage_records())
    browser_set(w, segment="pro")
    assert w.segment == "pro"
    assert w.metrics.segment == "pro"
    p = w._metrics
    assert p["segment"] == "pro"
    pro = customers_by_stage(w.metrics.stage_records(segment="pro"))
    assert {k: v["customers"] for k, v in p["stages"].items()} == pro
    assert pro != all_stages
    assert {k: v["customers"] for k, v in p["touchpoints"].items()} == customers_by_tp(
        w.metrics.touchpoint_records(segment="pro"))
    browser_set(w, segment="")
    assert w.metrics.segment is None
    assert {k: v["customers"] for k, v in w._metrics["stages"].items()} == all_stages


def test_segment_set_from_python_either_way(journey, events):
    w, _ = bound(journey, events)
    w.segment = "enterprise"
    assert w.metrics.segment == "enterprise"
    assert w._metrics["segment"] == "enterprise"
    w.metrics.segment = "free"  # the metrics object directly: the widget follows
    assert w.segment == "free"
    assert w._metrics["segment"] == "free"
    w.metrics.segment = None
    assert w.segment == ""
    # charts follow the segment too (they read metrics.segment)
    assert w._metrics["segment"] is None


def test_bad_segments_are_refused_with_a_hint(journey, events):
    w, _ = make(journey)
    with pytest.raises(traitlets.TraitError, match="bind_events"):
        w.segment = "pro"
    with pytest.raises(traitlets.TraitError, match="bind_events"):
        w.compare = "pro"
    w.bind_events(events, **ARGS)  # no segment column
    with pytest.raises(traitlets.TraitError, match="no segment column"):
        w.segment = "pro"
    w.bind_events(events, **ARGS, segment="plan")
    with pytest.raises(traitlets.TraitError, match="'free'"):
        w.segment = "platinum"
    assert w.segment == "" and w.metrics.segment is None
    with pytest.raises(jw.JourneyError, match="bind_events"):
        JourneyWidget(journey, segment="pro")


def test_rebinding_without_the_segment_resets_segment_and_compare(journey, events):
    w, _ = bound(journey, events)
    w.segment = "pro"
    w.compare = "free"
    w.bind_events(events, **ARGS)  # no segment column now
    assert w.segment == "" and w.compare == ""
    assert w._metrics["compare"] is None and w._metrics["segments"] == []


# ---------------------------------------------------------------------------
# A/B comparison
# ---------------------------------------------------------------------------


def test_compare_from_the_page_carries_segment_b(journey, events):
    w, _ = bound(journey, events)
    browser_set(w, segment="pro")
    browser_set(w, compare="free")
    assert w.compare == "free"
    c = w._metrics["compare"]
    assert c["segment"] == "free"
    m = w.metrics
    assert c["customers"] == events.loc[events["plan"] == "free", "customer_id"].nunique()
    free_tp = m.touchpoint_records(segment="free")
    assert {k: v["customers"] for k, v in c["touchpoints"].items()} == customers_by_tp(free_tp)
    for r in free_tp:
        assert c["touchpoints"][r["touchpoint"]]["share"] == pytest.approx(r["share"], abs=1e-4)
    free_st = m.stage_records(segment="free")
    assert {k: v["customers"] for k, v in c["stages"].items()} == customers_by_stage(free_st)
    # A is still the current segment
    assert {k: v["customers"] for k, v in w._metrics["stages"].items()} == customers_by_stage(
        m.stage_records(segment="pro"))
    # matches compare(): B minus A
    cmp = m.compare("pro", "free", level="stages").set_index("stage")
    for sid, v in c["stages"].items():
        assert v["customers"] == cmp.loc[sid, "customers_b"]
        assert v["share"] == pytest.approx(cmp.loc[sid, "share_b"], abs=1e-4)
        assert v["p"] is None or 0 <= v["p"] <= 1
    assert any(v["p"] is not None for v in c["stages"].values())
    # switching A keeps B; off again
    browser_set(w, segment="")
    assert w._metrics["compare"]["segment"] == "free"
    assert all(v["p"] is None for v in w._metrics["compare"]["stages"].values())  # A = everyone
    browser_set(w, compare="")
    assert w._metrics["compare"] is None
    json.dumps(w._metrics, allow_nan=False)


def test_compare_follows_map_edits(journey, events):
    w, _ = bound(journey, events)
    w.compare = "pro"
    tp = journey.touchpoints_in("browse")[0].id
    journey.move_touchpoint(tp, stage="checkout")
    c = w._metrics["compare"]
    assert {k: v["customers"] for k, v in c["stages"].items()} == customers_by_stage(
        w.metrics.stage_records(segment="pro"))


# ---------------------------------------------------------------------------
# insights and "Add to map"
# ---------------------------------------------------------------------------


def test_insights_property(journey, events):
    w, _ = make(journey)
    assert w.insights == []
    w.bind_events(events, **ARGS, segment="plan")
    assert w.insights == w.metrics.insights
    assert {i.category for i in w.insights} == {"bottleneck", "conformance", "data"}
    kinds = {i["kind"] for i in w._metrics["insights"]}
    assert {"dropoff", "unmapped_key"} <= kinds
    for i in unmapped(w._metrics):
        assert i["details"]["key"] and i["details"]["count"] > 0
        assert i["details"]["suggested_stage"] in {s.id for s in journey.stages}


def test_add_to_map_from_the_page(journey, events):
    w, sent = bound(journey, events)
    first = unmapped(w._metrics)[0]
    key = first["details"]["key"]
    n_problems = len(unmapped(w._metrics))
    op = page_add_op(w, first)
    ops(w, op, rid=7)
    res = results(sent)[-1]
    assert res == {"type": "result", "rid": 7, "ok": True, "error": None, "rev": w._rev}
    tp = journey[op["item"]["id"]]
    assert tp.event_keys == [key]
    assert tp.name == readable_name(key)
    assert tp.stage == first["details"]["suggested_stage"]
    # the metrics recomputed: the key is mapped now and its problem is gone
    assert key not in {i["details"]["key"] for i in unmapped(w._metrics)}
    assert len(unmapped(w._metrics)) == n_problems - 1
    assert w._metrics["touchpoints"][tp.id]["events"] == first["details"]["count"]
    # through the one edit path: undoable
    browser_msg(w, {"type": "undo"})
    assert tp.id not in {t.id for t in journey.touchpoints}
    assert key in {i["details"]["key"] for i in unmapped(w._metrics)}


def test_add_to_map_refused_in_read_only_mode(journey, events):
    w, sent = bound(journey, events, editable=False)
    op = page_add_op(w, unmapped(w._metrics)[0])
    n = len(journey.touchpoints)
    ops(w, op, rid=3)
    assert results(sent)[-1]["ok"] is False
    assert len(journey.touchpoints) == n


def test_add_unmapped_to_map_from_python(journey, events):
    w, _ = bound(journey, events)
    keys = [u["key"] for u in w.metrics.unmapped_keys()]
    assert len(keys) >= 2
    n = len(journey.touchpoints)
    one = w.add_unmapped_to_map(keys[0])
    assert one == [slugify(readable_name(keys[0]))]
    assert journey[one[0]].event_keys == [keys[0]]
    rest = w.add_unmapped_to_map()
    assert len(rest) == len(keys) - 1
    assert len(journey.touchpoints) == n + len(keys)
    assert unmapped(w._metrics) == [] and w.metrics.unmapped_keys() == []
    assert w.add_unmapped_to_map() == []
    w.undo()  # the batch is one step
    assert len(journey.touchpoints) == n + 1
    assert [u["key"] for u in w.metrics.unmapped_keys()] == keys[1:]
    with pytest.raises(jw.JourneyError, match="not an unmapped event key"):
        w.add_unmapped_to_map("no-such-key")
    with pytest.raises(jw.JourneyError, match="bind_events"):
        JourneyWidget(jw.Journey.from_template("ecommerce-purchase")).add_unmapped_to_map()


def test_added_names_do_not_collide_with_existing_ids(journey):
    rng = np.random.default_rng(1)
    n = 400
    first = journey.touchpoints[0]
    df = pd.DataFrame({
        "customer_id": rng.integers(0, 50, n).astype(str),
        "timestamp": pd.to_datetime(rng.integers(0, 10**6, n), unit="s"),
        "event": rng.choice([first.event_keys[0], first.id.replace("-", "_") + "_", "Browse"], n),
    })
    w, _ = make(journey)
    w.bind_events(df, **ARGS)
    added = w.add_unmapped_to_map()
    assert added and all(a not in {first.id, "browse"} for a in added)


# ---------------------------------------------------------------------------
# size on the wire
# ---------------------------------------------------------------------------


def wire_size(payload) -> int:
    return len(json.dumps(payload, allow_nan=False).encode())


def test_a_million_events_with_segments_and_compare_stay_under_64_kib(journey):
    ev = jw.datasets.events(journey, customers=180_000, seed=3, customer_ids="int")
    assert len(ev) >= 1_000_000
    w = JourneyWidget(journey)
    w.bind_events(ev, **ARGS, segment="plan")
    w.segment = "pro"
    w.compare = "free"
    assert wire_size(w._metrics) < 64 * 1024
    assert w._metrics["compare"]["stages"] and w._metrics["compare"]["touchpoints"]
    w.add_unmapped_to_map()
    assert wire_size(w._metrics) < 64 * 1024
    w.close()


def test_a_huge_map_in_compare_mode_stays_under_64_kib():
    rng = np.random.default_rng(0)
    j = jw.Journey("Huge")
    for k in range(12):
        j.add_stage(f"Stage {k}")
    stages = [s.id for s in j.stages]
    j.batch([{"op": "add", "kind": "touchpoint",
              "item": {"id": f"touchpoint-with-a-long-id-{t}", "name": f"T{t}",
                       "stage": stages[t % 12], "event_keys": [f"k{t}"]}} for t in range(400)])
    n = 100_000
    df = pd.DataFrame({
        "customer_id": rng.integers(0, 20_000, n),
        "timestamp": pd.to_datetime(rng.integers(0, 10**6, n), unit="s"),
        "event": [f"k{i}" for i in rng.integers(0, 430, n)],
        "plan": rng.choice([f"segment-with-a-long-name-{s}" for s in range(30)], n),
    })
    w = JourneyWidget(j)
    w.bind_events(df, **ARGS, segment="plan")
    w.segment = "segment-with-a-long-name-3"
    w.compare = "segment-with-a-long-name-27"
    p = w._metrics
    assert wire_size(p) < 64 * 1024, wire_size(p)
    assert p["truncated"] is True
    assert p["compare"]["segment"] == "segment-with-a-long-name-27"
    assert p["compare"]["stages"], "stage figures of B are kept"
    assert {s["value"] for s in p["segments"]} >= {w.segment, w.compare}
    w.close()
