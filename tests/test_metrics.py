"""The journey metrics engine: exact answers, the pure-Python reference, live updates."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pandas as pd
import pytest

import journeywidget as jw
from journeywidget.data.metrics import JourneyMetrics
from metrics_reference import reference

S = 1_000_000_000


def tiny_doc():
    return {
        "emotion_scale": {"min": -2, "max": 2},
        "stages": [{"id": "a", "name": "Aware"}, {"id": "b", "name": "Buy"}, {"id": "c", "name": "Care"}],
        "touchpoints": [
            {"id": "a1", "name": "Visit", "stage": "a", "channel": "web", "event_keys": ["visit"]},
            {"id": "a2", "name": "Ad Click", "stage": "a", "channel": "ads", "event_keys": []},
            {"id": "b1", "name": "Signup", "stage": "b", "channel": "web",
             "event_keys": ["signup", "register"]},
            {"id": "c1", "name": "Order", "stage": "c", "channel": "web", "event_keys": ["buy"]},
        ],
    }


def tiny_events(signup_first=False):
    t0 = pd.Timestamp("2026-01-01")
    rows = [
        ("c1", 0, "visit", None), ("c1", 10, "ad click", None), ("c1", 10, "signup", None),
        ("c1", 70, "buy", 100.0), ("c2", 5, "visit", None), ("c2", 35, "VISIT", None),
        ("c2", 100, "unknown_key", None), ("c2", 135, "signup", None), ("c3", 0, "register", None),
        ("c3", 50, "visit", None), (None, 3, "visit", None),
    ]
    if signup_first:
        rows[1], rows[2] = rows[2], rows[1]
    random.Random(3).shuffle(rows) if False else None
    return pd.DataFrame({
        "user": [r[0] for r in rows],
        "ts": [t0 + pd.Timedelta(seconds=r[1]) for r in rows],
        "event": [r[2] for r in rows],
        "amount": [r[3] for r in rows],
    })


def bind(doc, df, **kw):
    args = dict(customer="user", time="ts", touchpoint="event")
    args.update(kw)
    return JourneyMetrics(doc).bind_events(df, **args)


def rec(m, tp):
    return next(r for r in m.touchpoint_records() if r["touchpoint"] == tp)


def test_hand_computed_touchpoints():
    m = bind(tiny_doc(), tiny_events(), value="amount")
    a1 = rec(m, "a1")
    assert (a1["events"], a1["customers"], a1["share"], a1["exits"]) == (4, 3, 1.0, 1)
    assert a1["median_next_s"] == 30.0
    assert a1["p90_next_s"] == pytest.approx(86.0, abs=1e-9)
    assert a1["top_next"] == ["a2", "b1"]
    a2 = rec(m, "a2")  # matched by name, case-insensitively
    assert (a2["events"], a2["customers"], a2["median_next_s"], a2["top_next"]) == (1, 1, 0.0, ["b1"])
    assert a2["share"] == pytest.approx(1 / 3)
    b1 = rec(m, "b1")
    assert (b1["events"], b1["customers"], b1["exits"], b1["median_next_s"]) == (3, 3, 1, 55.0)
    assert b1["p90_next_s"] == pytest.approx(59.0, abs=1e-9)
    assert b1["top_next"] == ["a1", "c1"]
    c1 = rec(m, "c1")
    assert c1["events"] == 1 and math.isnan(c1["median_next_s"]) and c1["mean_value"] == 100.0
    assert math.isnan(a1["mean_value"])


def test_hand_computed_stages_and_transitions():
    m = bind(tiny_doc(), tiny_events())
    st = m.stages.set_index("stage")
    # ordered: c3 signs up (0 s) before its visit (50 s), so it does not reach Buy in order
    assert st["reached"].tolist() == [3, 2, 1]
    assert math.isnan(st.loc["a", "conversion"])
    assert st.loc["b", "conversion"] == pytest.approx(2 / 3) and st.loc["b", "dropoff"] == 1
    assert st.loc["c", "conversion"] == 0.5 and st.loc["c", "dropoff_rate"] == 0.5
    assert st["median_time_s"].tolist() == [10.0, 0.0, 0.0]
    # time to convert from the first-stage match: c1 0 s -> 10 s -> 70 s, c2 5 s -> 135 s
    assert st["median_time_to_convert_s"].tolist()[1:] == [70.0, 70.0]
    lo, hi = st.loc["b", "conversion_low"], st.loc["b", "conversion_high"]
    assert 0 < lo < 2 / 3 < hi < 1
    m.funnel = "reached"
    st = m.stages.set_index("stage")
    assert st["reached"].tolist() == [3, 3, 1]
    assert st.loc["b", "conversion"] == 1.0 and st.loc["b", "dropoff"] == 0
    assert math.isnan(st.loc["b", "conversion_low"])  # not a proportion: no binomial interval
    assert st.attrs["definition"] == "reached (any order) · customers"
    tr = {(r["from"], r["to"]): (r["count"], r["units"], r["median_s"]) for r in m.transition_records()}
    assert tr == {("a1", "a2"): (1, 1, 10.0), ("a2", "b1"): (1, 1, 0.0), ("b1", "c1"): (1, 1, 60.0),
                  ("a1", "a1"): (1, 1, 30.0), ("a1", "b1"): (1, 1, 100.0), ("b1", "a1"): (1, 1, 50.0)}
    cf = m.conformance().set_index("stage")
    assert cf.loc["a", "skipped"] == 1 and cf.loc["b", "out_of_order"] == 1  # c3: Buy, then Aware
    assert m.conforming_counts() == (2, 3)
    kinds = {i.kind: i for i in m.insights}
    assert kinds["missing_customer"].value == 1
    assert "backwards" not in kinds
    un = kinds["unmapped_key"]
    assert un.details["key"] == "unknown_key" and un.details["count"] == 1
    assert un.details["suggested_stage"] == "a"


def test_ties_break_by_row_order():
    m = bind(tiny_doc(), tiny_events(signup_first=True))
    tr = {(r["from"], r["to"]) for r in m.transition_records()}
    # c1: visit, signup, ad click (same second, later row), buy
    assert ("a1", "b1") in tr and ("b1", "a2") in tr and ("a2", "c1") in tr
    assert ("a2", "b1") not in tr


def test_tables_shapes_and_types():
    m = bind(tiny_doc(), tiny_events())
    assert list(m.touchpoints["touchpoint"]) == ["a1", "a2", "b1", "c1"]
    assert list(m.stages["stage"]) == ["a", "b", "c"]
    assert {"from", "to", "count", "customers", "share", "median_s"} <= set(m.transitions.columns)
    assert "JourneyMetrics" in repr(m)


# ---------------------------------------------------------------------------
# the reference implementation on random logs
# ---------------------------------------------------------------------------

def random_case(seed):
    rng = random.Random(seed)
    n_st = rng.randint(1, 4)
    stages = [{"id": f"s{k}", "name": f"Stage {k}"} for k in range(n_st)]
    T = rng.randint(1, 7)
    tps = []
    for j in range(T):
        keys = [f"k{j}"] + ([f"k{j}b"] if rng.random() < 0.3 else [])
        if rng.random() < 0.2:
            keys = []
        tps.append({"id": f"t{j}", "name": f"Touch {j}", "stage": f"s{rng.randrange(n_st)}",
                    "channel": "web", "event_keys": keys})
    doc = {"stages": stages, "touchpoints": tps, "emotion_scale": {"min": -2, "max": 2}}
    vocab = [f"k{j}" for j in range(T)] + [f"K{j}B" for j in range(T)] + [f"t{j}" for j in range(T)] + \
        [f"touch {j}" for j in range(T)] + ["zzz", "other"]
    n = rng.randint(1, 300)
    C = rng.randint(1, 25)

    def jitter():  # whole seconds, milliseconds or nanoseconds: each time-storage path
        return [0, rng.randint(0, 9) * 1_000_000, rng.randint(0, 3)][seed % 3]

    rows = []
    for _ in range(n):
        c = rng.randrange(C) if rng.random() > 0.03 else None
        t = rng.randint(0, 40) * S + jitter() if rng.random() > 0.03 else None
        k = rng.choice(vocab) if rng.random() > 0.03 else None
        v = rng.choice([None, 1.5, 2.0, 10.25, -3.0])
        seg = rng.choice(["x", "y", None]) if rng.random() > 0.1 else "z"
        sess = rng.choice(["a", "b", "c"])  # sessions interleave within a customer
        rows.append((c, t, k, v, seg, sess))
    return doc, rows


def frame(rows):
    return pd.DataFrame({
        "user": pd.array([r[0] for r in rows], dtype="Int64"),
        "ts": pd.to_datetime(pd.Series([r[1] for r in rows], dtype="Int64").astype("float"), unit="ns"),
        "event": [r[2] for r in rows],
        "amount": [np.nan if r[3] is None else r[3] for r in rows],
        "plan": [r[4] for r in rows],
        "sid": [r[5] if len(r) > 5 else "a" for r in rows],
    })


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b or abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return a == b


def assert_records(got, want, keys):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        for k in keys:
            assert same(g[k], w[k]), (k, g, w)


TP_KEYS = ["touchpoint", "events", "units", "customers", "share", "median_next_s", "p90_next_s",
           "mean_value", "exits", "top_next"]
ST_KEYS = ["stage", "reached", "customers", "share", "share_low", "share_high", "conversion",
           "conversion_low", "conversion_high", "dropoff", "dropoff_rate", "median_time_s",
           "median_time_to_convert_s", "no_data"]
TR_KEYS = ["from", "to", "count", "units", "share", "median_s"]
CF_KEYS = ["stage", "reached", "skipped", "skip_rate", "out_of_order", "back_rate",
           "conversion_skipped", "conversion_not_skipped", "conversion_back", "conversion_no_back",
           "no_data"]


def compare_to_reference(m, doc, rows, segment=None, mapping=None, gap_ns=None):
    ref = reference(doc, rows, segment=segment, mapping=mapping, unit=m.unit,
                    gap_ns=gap_ns, funnel=m.funnel, window_ns=m._window_ns)
    assert_records(m.touchpoint_records(), ref["touchpoints"], TP_KEYS)
    assert_records(m.stage_records(), ref["stages"], ST_KEYS)
    assert_records(m.transition_records(), ref["transitions"], TR_KEYS)
    cf = [{k: r.get(k, math.nan) for k in CF_KEYS} for r in m.conformance_records()]
    assert_records(cf, [{k: r.get(k, math.nan) for k in CF_KEYS} for r in ref["conformance"]], CF_KEYS)
    assert m.conforming_counts() == ref["conforming"]
    assert m.units() == ref["total"]
    paths = m.path_records(top=len(ref["paths"]) + 1)
    assert {r["path"]: r["units"] for r in paths} == {p: v[0] for p, v in ref["paths"].items()}
    for r in paths:
        units, conv = ref["paths"][r["path"]]
        assert same(r["converted"], conv / units)
        assert same(r["share"], units / ref["total"])
    assert [r["units"] for r in paths] == sorted((r["units"] for r in paths), reverse=True)
    flows = m.flow_records("stage")
    assert {(f["from"], f["to"]): (f["count"], f["units"]) for f in flows} == ref["flows"]
    rank = {doc["stages"][k]["id"]: r for k, r in ref["rank"].items()}
    for f in flows:
        a, b = rank[f["from"]], rank[f["to"]]
        assert f["kind"] == ("forward" if b == a + 1 else "skip" if b > a else "back")
    tpf = m.flow_records("touchpoint")
    assert {(f["from"], f["to"]): f["count"] for f in tpf} == ref["tp_flows"]


@pytest.mark.parametrize("seed", range(40))
def test_matches_reference_on_random_logs(seed, kernels):
    doc, rows = random_case(seed)
    if not any(r[0] is not None and r[1] is not None and r[2] is not None for r in rows):
        return
    m = bind(doc, frame(rows), value="amount", segment="plan")
    rng = random.Random(seed)
    for funnel, window in [("ordered", None), ("reached", None), ("ordered", f"{rng.randint(0, 30)}s")]:
        m.funnel, m.window = funnel, window
        m.segment = None
        compare_to_reference(m, doc, rows)
        for seg in m._engine.segments:
            m.segment = seg
            compare_to_reference(m, doc, rows, segment=seg)


@pytest.mark.parametrize("seed", range(24))
def test_sessions_match_reference_on_random_logs(seed, kernels):
    """Sessions from a column (interleaving within a customer) and from a gap, every mode."""
    doc, rows = random_case(200 + seed)
    if not any(r[0] is not None and r[1] is not None and r[2] is not None for r in rows):
        return
    rows = [r for r in rows if r[0] is None or r[1] is None or r[2] is None or True]
    gap = random.Random(seed).choice([0, 3, 10])
    for kw, gap_ns in (({"session": "sid"}, None), ({"session_gap": f"{gap}s" if gap else "1ns"},
                                                     gap * S if gap else 1)):
        m = bind(doc, frame(rows), value="amount", segment="plan", **kw)
        m.unit = "session"
        for funnel, window in [("ordered", None), ("reached", None), ("ordered", "7s")]:
            m.funnel, m.window = funnel, window
            m.segment = None
            compare_to_reference(m, doc, rows, gap_ns=gap_ns)
            for seg in m._engine.segments[:2]:
                m.segment = seg
                compare_to_reference(m, doc, rows, segment=seg, gap_ns=gap_ns)


@pytest.mark.parametrize("seed", range(8))
def test_matches_reference_with_mapping(seed, kernels):
    doc, rows = random_case(100 + seed)
    if not any(r[0] is not None and r[1] is not None and r[2] is not None for r in rows):
        return
    mapping = {"zzz": "t0", "other": None}
    m = bind(doc, frame(rows), value="amount", mapping=mapping)
    compare_to_reference(m, doc, rows, mapping=mapping)


def test_large_random_log_matches_reference_and_sort_path(kernels):
    # > 50k rows takes the bucket sort (not chronological), with many timestamp ties
    rng = np.random.default_rng(7)
    n = 60_000
    doc, _ = random_case(5)
    keys = [f"k{j}" for j in range(len(doc["touchpoints"]))] + ["zzz"]
    rows = list(zip(rng.integers(0, 3000, n).tolist(), (rng.integers(0, 500, n) * S).tolist(),
                    [keys[i] for i in rng.integers(0, len(keys), n)], [None] * n, [None] * n))
    m = bind(doc, frame(rows))
    compare_to_reference(m, doc, rows)
    m.funnel = "reached"
    compare_to_reference(m, doc, rows)


def test_sort_events_exact():
    from journeywidget.data.encoding import sort_events

    rng = np.random.default_rng(1)
    for n, span, chrono in [(100_000, 50, False), (80_000, 2**62, False), (70_000, 10**15, False),
                            (90_000, 1000, True), (60_000, 10**12, True)]:
        cust = rng.integers(0, 70_000, n).astype(np.int32)
        t = rng.integers(0, span, n, dtype=np.int64)
        if chrono:  # time-sorted logs sort each bucket by customer alone
            t.sort()
        want = np.lexsort((np.arange(n), t, cust))
        assert (sort_events(cust, t) == want).all()


# ---------------------------------------------------------------------------
# live: map edits, re-binding, segments
# ---------------------------------------------------------------------------

def template_case(customers=3000, seed=2):
    j = jw.Journey.from_template("buying-process")
    df = jw.datasets.events(j, customers=customers, seed=seed)
    return j, df


ARGS = dict(customer="customer_id", time="timestamp", touchpoint="event", segment="plan", value="value")


def assert_same_tables(m1, m2):
    pd.testing.assert_frame_equal(m1.touchpoints, m2.touchpoints)
    pd.testing.assert_frame_equal(m1.stages, m2.stages)
    pd.testing.assert_frame_equal(m1.transitions, m2.transitions)


def test_live_move_touchpoint_matches_fresh_bind():
    j, df = template_case()
    m = JourneyMetrics(j).bind_events(df, **ARGS)
    before = m.stages.copy()
    calls = []
    m.on_update(lambda mm: calls.append(1))
    j.move_touchpoint("support-hotline", stage="purchase")
    assert calls
    fresh = JourneyMetrics(j.to_dict()).bind_events(df, **ARGS)
    assert_same_tables(m, fresh)
    assert not m.stages.equals(before)
    j.undo()
    assert_same_tables(m, JourneyMetrics(j.to_dict()).bind_events(df, **ARGS))


def test_live_event_keys_and_new_touchpoint():
    j, df = template_case()
    m = JourneyMetrics(j).bind_events(df, **ARGS)
    assert any(i.kind == "unmapped_key" and i.details["key"] == "session_start" for i in m.insights)
    j.add_touchpoint("Session start", stage="problem-recognition", event_keys=["session_start"])
    assert not any(i.kind == "unmapped_key" and i.details["key"] == "session_start" for i in m.insights)
    assert rec(m, "session-start")["events"] > 0
    j.update("dry-air-advice-article", event_keys=["page_view_blog_dry_air", "app_open"])
    assert_same_tables(m, JourneyMetrics(j.to_dict()).bind_events(df, **ARGS))


def test_live_does_not_reread_raw_events():
    j, df = template_case(800)
    m = JourneyMetrics(j).bind_events(df, **ARGS)
    for c in list(df.columns):  # the raw frame is gone; edits must still work
        del df[c]
    j.move_touchpoint("web-shop-checkout", stage="purchase-decision")
    j.move_stage("purchase", 0)
    assert m.stages["customers"].sum() > 0
    # and every table of the journey analytics, in both funnel modes
    for funnel in ("ordered", "reached"):
        m.funnel = funnel
        assert m.conformance()["reached"].sum() > 0 and len(m.paths(5)) and len(m.flows())
        assert m.conforming_counts()[1] > 0 and len(m.opportunities())


def test_segment_switch_and_compare():
    j, df = template_case()
    m = JourneyMetrics(j).bind_events(df, **ARGS)
    segs = m.segments
    assert set(segs["segment"]) == {"free", "pro", "enterprise"}
    assert segs["customers"].sum() == m._engine.n_customers
    all_reach = m.stages["customers"].tolist()
    m.segment = "pro"
    pro = m.stages["customers"].tolist()
    m.segment = "free"
    free = m.stages["customers"].tolist()
    m.segment = "enterprise"
    ent = m.stages["customers"].tolist()
    assert [a + b + c for a, b, c in zip(pro, free, ent)] == all_reach
    m.segment = None
    assert m.stages["customers"].tolist() == all_reach
    cmp = m.compare("free", "pro")
    assert cmp["customers_a"].tolist() == free and cmp["customers_b"].tolist() == pro
    assert {"conversion_diff", "p_value"} <= set(cmp.columns)
    cmp_tp = m.compare("free", "pro", level="touchpoints")
    assert len(cmp_tp) == len(j.touchpoints)
    with pytest.raises(jw.JourneyError, match="segment"):
        m.segment = "gold"
    with pytest.raises(ValueError):
        m.compare("free", "gold")


def test_rebind_new_data():
    j, df = template_case(1000)
    m = JourneyMetrics(j).bind_events(df, **ARGS)
    n1 = m.touchpoints["events"].sum()
    m.bind_events(df.iloc[: len(df) // 2], **ARGS)
    assert m.touchpoints["events"].sum() < n1


# ---------------------------------------------------------------------------
# payload
# ---------------------------------------------------------------------------

def test_payload_compact_and_json_safe():
    j, df = template_case(20_000)
    m = JourneyMetrics(j).bind_events(df, **ARGS, channel="channel")
    m.bind_feedback(jw.datasets.survey(j, responses=2000), touchpoint="touchpoint", score="score",
                    text="comment")
    p = m.to_payload()
    text = json.dumps(p, allow_nan=False)
    assert len(text.encode()) < 64 * 1024
    assert set(p) >= {"touchpoints", "stages", "feedback", "insights", "segments", "segment"}
    tp = p["touchpoints"]["web-shop-checkout"]
    assert set(tp) >= {"events", "customers", "share", "median_next_s", "p90_next_s", "mean_value"}
    st = next(iter(p["stages"].values()))
    assert set(st) >= {"customers", "conversion", "dropoff", "dropoff_rate", "median_time_s"}
    fb = next(iter(p["feedback"].values()))
    assert set(fb) >= {"score", "n", "kind", "emotion"}
    assert {s["value"] for s in p["segments"]} == {"free", "pro", "enterprise"}


def test_payload_without_events():
    m = JourneyMetrics(tiny_doc())
    assert m.to_payload()["touchpoints"] == {}


def test_payload_fits_for_a_huge_map():
    rng = np.random.default_rng(0)
    stages = [{"id": f"s{k}", "name": f"Stage {k}"} for k in range(12)]
    tps = [{"id": f"touchpoint-with-a-long-id-{j}", "name": f"T{j}", "stage": f"s{j % 12}",
            "channel": "web", "event_keys": [f"k{j}"]} for j in range(400)]
    doc = {"stages": stages, "touchpoints": tps, "emotion_scale": {"min": -2, "max": 2}}
    n = 200_000
    df = pd.DataFrame({"user": rng.integers(0, 20_000, n),
                       "ts": pd.to_datetime(rng.integers(0, 10**6, n), unit="s"),
                       "event": [f"k{i}" for i in rng.integers(0, 420, n)]})
    m = JourneyMetrics(doc).bind_events(df, customer="user", time="ts", touchpoint="event")
    text = json.dumps(m.to_payload(), allow_nan=False)
    assert len(text.encode()) < 64 * 1024


def test_forgotten_metrics_unsubscribe():
    import gc

    j, df = template_case(300)
    m = JourneyMetrics(j).bind_events(df, **ARGS)
    assert len(j._listeners) == 1
    del m
    gc.collect()
    j.move_touchpoint("support-hotline", stage="purchase")
    assert len(j._listeners) == 0


def assert_same_journeys(m1, m2):
    for name in ("stages", "touchpoints", "transitions"):
        pd.testing.assert_frame_equal(getattr(m1, name), getattr(m2, name))
    pd.testing.assert_frame_equal(m1.conformance(), m2.conformance())
    pd.testing.assert_frame_equal(m1.paths(1000), m2.paths(1000))
    pd.testing.assert_frame_equal(m1.flows(), m2.flows())
    assert m1.conforming_counts() == m2.conforming_counts()


@pytest.mark.parametrize("seed", range(6))
def test_moves_update_the_units_that_visit_the_moved_touchpoints_exactly(seed, monkeypatch):
    """A move recomputes only the units that visit the moved touchpoint (data/live, the numpy
    path): after any sequence of moves every table equals a fresh binding's, in customers and
    sessions."""
    from journeywidget.data import live

    monkeypatch.setenv("JOURNEYWIDGET_KERNELS", "numpy")

    merges = []
    real = live.LiveJourney.advance
    monkeypatch.setattr(live.LiveJourney, "advance",
                        lambda *a: real(*a) and (merges.append(1) or True))
    j, df = template_case(customers=600, seed=seed)
    rng = random.Random(seed)
    m = JourneyMetrics(j).bind_events(df, **ARGS, session_gap="6h")
    m.window = rng.choice([None, "2D"])
    stages = [s.id for s in j.stages]
    for step in range(6):
        unit = ("customer", "session")[step % 2]
        m.unit = unit
        assert len(m.stages)  # the facts of the current layout: the next move patches them
        tp = rng.choice(j.touchpoints).id
        j.move_touchpoint(tp, stage=rng.choice(stages))
        fresh = JourneyMetrics(j.to_dict()).bind_events(df, **ARGS, session_gap="6h")
        fresh.window, fresh.unit = m.window, unit
        assert_same_journeys(m, fresh)
        m.segment = fresh.segment = "pro"  # a segment reads the full facts, moves merged
        pd.testing.assert_frame_equal(m.stages, fresh.stages)
        m.segment = None
    assert merges  # the patch path ran
