"""Binding data: engines, bad input, feedback, drafting a map, sample data, laziness."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import journeywidget as jw
from journeywidget.data.draft import draft_from_events
from journeywidget.data.mapping import resolve_mapping
from journeywidget.data.metrics import BindingError, JourneyMetrics

ARGS = dict(customer="customer_id", time="timestamp", touchpoint="event", segment="plan",
            value="value", channel="channel")


@pytest.fixture(scope="module")
def case():
    j = jw.Journey.from_template("buying-process")
    df = jw.datasets.events(j, customers=1500, seed=4)
    df["timestamp"] = df["timestamp"].dt.floor("h")  # ties
    df = df.sample(frac=1.0, random_state=2).reset_index(drop=True)
    return j, df


def tables(m):
    return m.touchpoints, m.stages, m.transitions, [i.to_dict() for i in m.insights]


def assert_same(m1, m2):
    a, b = tables(m1), tables(m2)
    for x, y in zip(a[:3], b[:3]):
        pd.testing.assert_frame_equal(x, y)
    assert a[3] == b[3]


# ---------------------------------------------------------------------------
# engines
# ---------------------------------------------------------------------------

def test_polars_matches_pandas(case):
    pl = pytest.importorskip("polars")
    j, df = case
    m1 = JourneyMetrics(j).bind_events(df, **ARGS)
    pdf = df.assign(**{c: df[c].astype(str) for c in ("event", "channel", "plan")})
    m2 = JourneyMetrics(j).bind_events(pl.from_pandas(pdf), **ARGS)
    assert m2._engine.name == "polars"
    assert_same(m1, m2)
    m3 = JourneyMetrics(j).bind_events(pl.from_pandas(pdf).lazy(), **ARGS)
    assert_same(m1, m3)


def test_pyarrow_matches_pandas(case):
    pa = pytest.importorskip("pyarrow")
    j, df = case
    m1 = JourneyMetrics(j).bind_events(df, **ARGS)
    m2 = JourneyMetrics(j).bind_events(pa.Table.from_pandas(df, preserve_index=False), **ARGS)
    assert_same(m1, m2)


def test_duckdb_matches_pandas(case):
    duckdb = pytest.importorskip("duckdb")
    j, df = case
    m1 = JourneyMetrics(j).bind_events(df, **ARGS)
    con = duckdb.connect()
    pdf = df.assign(**{c: df[c].astype(str) for c in ("event", "channel", "plan")})
    con.register("ev", pdf)
    rel = con.sql("SELECT * FROM ev")
    m2 = JourneyMetrics(j).bind_events(rel, **ARGS)
    assert_same(m1, m2)


def test_string_and_int_columns_equivalent(case):
    j, df = case
    m1 = JourneyMetrics(j).bind_events(df, **ARGS)
    df2 = df.assign(timestamp=df["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S"),
                    event=df["event"].astype(object), customer_id=df["customer_id"].astype(object))
    m2 = JourneyMetrics(j).bind_events(df2, **ARGS)
    assert_same(m1, m2)


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------

def test_missing_column_names_it_and_suggests(case):
    j, df = case
    with pytest.raises(BindingError) as e:
        JourneyMetrics(j).bind_events(df, customer="customer", time="timestamp", touchpoint="event")
    msg = str(e.value)
    assert "'customer'" in msg and "customer_id" in msg and "Fix" in msg
    assert e.value.column == "customer"
    assert isinstance(e.value, jw.JourneyError) and isinstance(e.value, ValueError)
    with pytest.raises(BindingError, match="Timestamp|timestamp"):
        JourneyMetrics(j).bind_events(df, customer="customer_id", time="Timestamp", touchpoint="event")
    with pytest.raises(BindingError, match="column name"):
        JourneyMetrics(j).bind_events(df, customer=3, time="timestamp", touchpoint="event")


def test_empty_and_none_frames(case):
    j, df = case
    with pytest.raises(BindingError, match="empty"):
        JourneyMetrics(j).bind_events(df.iloc[:0], **ARGS)
    with pytest.raises(BindingError, match="no events"):
        JourneyMetrics(j).bind_events(None, **ARGS)


def test_wrong_dtypes():
    j = jw.Journey.from_template("buying-process")
    df = pd.DataFrame({"c": [1, 2], "t": [True, False], "e": ["a", "b"]})
    with pytest.raises(BindingError, match="booleans") as e:
        JourneyMetrics(j).bind_events(df, customer="c", time="t", touchpoint="e")
    assert e.value.column == "t"
    df = pd.DataFrame({"c": [1, 2], "t": pd.to_datetime(["2026-01-01"] * 2), "e": [True, False]})
    with pytest.raises(BindingError, match="touchpoint"):
        JourneyMetrics(j).bind_events(df, customer="c", time="t", touchpoint="e")
    df = pd.DataFrame({"c": [1, 2], "t": pd.to_datetime(["2026-01-01"] * 2), "e": ["a", "b"],
                       "v": ["x", "y"]})
    with pytest.raises(BindingError, match="not numeric"):
        JourneyMetrics(j).bind_events(df, customer="c", time="t", touchpoint="e", value="v")


def test_nan_customers_nat_and_string_timestamps_are_reported():
    j = jw.Journey.from_template("buying-process")
    df = pd.DataFrame({
        "c": ["a", None, "b", "b", "c", np.nan, "d"],
        "t": ["2026-01-01 10:00", "2026-01-01 11:00", "yesterday-ish", None, "2026-01-02T09:00:00",
              "2026-01-02", "2026-01-03 08:00"],
        "e": ["leaflet_qr_scan", "leaflet_qr_scan", "leaflet_qr_scan", "leaflet_qr_scan", None,
              "leaflet_qr_scan", "LEAFLET_QR_SCAN"],
    })
    m = JourneyMetrics(j).bind_events(df, customer="c", time="t", touchpoint="e")
    kinds = {i.kind: i for i in m.insights}
    assert kinds["missing_customer"].value == 2
    assert kinds["unparsable_time"].value == 1
    assert "yesterday-ish" in kinds["unparsable_time"].message
    assert kinds["missing_time"].value == 1
    assert kinds["missing_touchpoint"].value == 1
    leaflet = m.touchpoints.set_index("touchpoint").loc["pharmacy-partner-leaflet"]
    assert leaflet["events"] == 2 and leaflet["customers"] == 2  # a and d (case-insensitive key)


def test_all_rows_unusable():
    j = jw.Journey.from_template("buying-process")
    df = pd.DataFrame({"c": [None, None], "t": ["2026-01-01", "2026-01-02"], "e": ["a", "b"]})
    with pytest.raises(BindingError, match="no usable events"):
        JourneyMetrics(j).bind_events(df, customer="c", time="t", touchpoint="e")


def test_duplicate_rows_reported_not_dropped():
    j = jw.Journey.from_template("buying-process")
    df = pd.DataFrame({"c": ["a", "a", "a", "b"],
                       "t": pd.to_datetime(["2026-01-01"] * 3 + ["2026-01-02"]),
                       "e": ["leaflet_qr_scan", "referral_from_forum", "leaflet_qr_scan", "leaflet_qr_scan"]})
    m = JourneyMetrics(j).bind_events(df, customer="c", time="t", touchpoint="e")
    dup = next(i for i in m.insights if i.kind == "duplicate_events")
    assert dup.value == 1
    assert m.touchpoints.set_index("touchpoint").loc["pharmacy-partner-leaflet", "events"] == 3


def test_numeric_and_tz_aware_times():
    j = jw.Journey.from_template("buying-process")
    base = pd.DataFrame({"c": [1, 1, 2], "e": ["leaflet_qr_scan", "referral_from_forum", "leaflet_qr_scan"]})
    m1 = JourneyMetrics(j).bind_events(base.assign(t=[0.0, 90.5, 10.0]), customer="c", time="t",
                                       touchpoint="e")
    assert m1.touchpoints.set_index("touchpoint").loc["pharmacy-partner-leaflet", "median_next_s"] == 90.5
    tz = pd.to_datetime(["2026-03-29 01:59:00", "2026-03-29 03:01:00", "2026-03-29 01:00:00"]).tz_localize(
        "Europe/Berlin", ambiguous="NaT", nonexistent="shift_forward")
    m2 = JourneyMetrics(j).bind_events(base.assign(t=tz), customer="c", time="t", touchpoint="e")
    assert m2.touchpoints.set_index("touchpoint").loc["pharmacy-partner-leaflet", "median_next_s"] == 120.0


def test_unmapped_key_and_mapping_function():
    j = jw.Journey.from_template("buying-process")
    df = jw.datasets.events(j, customers=300, seed=1)
    m = JourneyMetrics(j).bind_events(df, customer="customer_id", time="timestamp", touchpoint="event")
    un = [i for i in m.insights if i.kind == "unmapped_key"]
    assert {i.details["key"] for i in un} >= {"session_start", "app_open"}
    assert all(i.details["suggested_stage"] in {s.id for s in j.stages} for i in un)
    m2 = JourneyMetrics(j).bind_events(
        df, customer="customer_id", time="timestamp", touchpoint="event",
        mapping=lambda k: "Dry-air advice article" if k == "session_start" else
        (None if k in ("app_open", "page_view_home", "cookie_consent", "newsletter_open") else "?"),
    )
    assert not [i for i in m2.insights if i.kind == "unmapped_key"]
    a = m.touchpoints.set_index("touchpoint").loc["dry-air-advice-article", "events"]
    b = m2.touchpoints.set_index("touchpoint").loc["dry-air-advice-article", "events"]
    assert b == a + int((df["event"] == "session_start").sum())


def test_resolve_mapping_precedence():
    doc = {"touchpoints": [
        {"id": "x", "name": "Checkout", "stage": "s", "event_keys": ["pay", "Checkout"]},
        {"id": "checkout", "name": "Other", "stage": "s", "event_keys": []},
        {"id": "y", "name": "Pay", "stage": "s", "event_keys": ["PAY"]},
    ]}
    tok, info = resolve_mapping(doc, ["pay", "PAY", "checkout", "other", "nope"], {"nope": "y"})
    assert tok == [0, 2, 0, 1, 2]


# ---------------------------------------------------------------------------
# feedback
# ---------------------------------------------------------------------------

def fb_doc():
    return {"emotion_scale": {"min": -2, "max": 2}, "stages": [{"id": "s", "name": "S"}],
            "touchpoints": [{"id": "a", "name": "A", "stage": "s", "event_keys": []},
                            {"id": "b", "name": "B", "stage": "s", "event_keys": []}]}


def test_feedback_csat_nps_mean():
    fb = pd.DataFrame({"tp": ["a"] * 5 + ["b"] * 4 + ["zzz"],
                       "score": [5, 4, 3, 2, 1, 5, 5, 4, 9, 3],
                       "text": ["great", "good fast", "ok", "slow and confusing", "awful slow",
                                "love it", "love it", "nice", "x", "y"]})
    m = JourneyMetrics(fb_doc())
    m.bind_feedback(fb, touchpoint="tp", score="score", text="text", scale="csat")
    f = m.feedback.set_index("touchpoint")
    assert f.loc["a", "score"] == 40.0 and f.loc["a", "n"] == 5 and f.loc["a", "kind"] == "csat"
    assert f.loc["b", "score"] == 100.0 and f.loc["b", "n"] == 3  # 9 is outside 1..5
    assert f.loc["a", "emotion"] == 0.0  # mean 3 on 1..5 -> middle of -2..2
    assert f.loc["a", "quotes"][0] == "ok"  # the verbatim at the mean score
    kinds = {i.kind for i in m.insights}
    assert {"feedback_score_out_of_range", "feedback_unmapped_key"} <= kinds
    nps = pd.DataFrame({"tp": ["a"] * 10, "score": [10, 9, 9, 8, 7, 6, 0, 3, 10, 10]})
    m.bind_feedback(nps, touchpoint="tp", score="score", scale="nps")
    f = m.feedback.set_index("touchpoint")
    assert f.loc["a", "score"] == pytest.approx(20.0) and f.loc["a", "kind"] == "nps"
    assert f.loc["a", "emotion"] == pytest.approx(-2 + 0.6 * 4)
    m.bind_feedback(pd.DataFrame({"tp": ["B", "b"], "score": [1, 7]}), touchpoint="tp", score="score",
                    scale="1-7")
    f = m.feedback.set_index("touchpoint")
    assert f.loc["b", "score"] == 4.0 and f.loc["b", "kind"] == "mean" and f.loc["b", "emotion"] == 0.0
    p = m.to_payload()
    assert p["feedback"]["b"]["n"] == 2
    with pytest.raises(BindingError, match="scale"):
        m.bind_feedback(nps, touchpoint="tp", score="score", scale="stars")
    with pytest.raises(BindingError, match="score"):
        m.bind_feedback(nps, touchpoint="tp", score="scroe")


def test_feedback_from_datasets_low_score_insight():
    j = jw.Journey.from_template("buying-process")
    m = JourneyMetrics(j).bind_events(jw.datasets.events(j, customers=500), **ARGS)
    m.bind_feedback(jw.datasets.survey(j, responses=3000, seed=2), touchpoint="touchpoint",
                    score="score", text="comment")
    low = [i for i in m.insights if i.kind == "low_score"]
    assert low and low[0].target == "companion-app-pairing"  # emotion -2 on the template
    fb = m.feedback.set_index("touchpoint")
    assert fb.loc["companion-app-pairing", "emotion"] < fb.loc["web-shop-checkout", "emotion"]


# ---------------------------------------------------------------------------
# drafting a map from data, sample data, laziness
# ---------------------------------------------------------------------------

def test_draft_from_events_recovers_stage_order():
    j = jw.Journey.from_template("buying-process")
    df = jw.datasets.events(j, customers=3000, seed=5, noise=0.0, backtrack=0.0)
    d = draft_from_events(df, customer="customer_id", time="timestamp", touchpoint="event",
                          channel="channel", n_stages=6)
    assert len(d.stages) == 6
    keys = [t.event_keys[0] for t in d.touchpoints]
    assert len(keys) == df["event"].nunique()
    first_stage = {t.event_keys[0] for t in d.touchpoints_in(d.stages[0].id)}
    assert first_stage & {"page_view_blog_dry_air", "leaflet_qr_scan", "ad_click_cold_weather"}
    ch = {t.event_keys[0]: t.channel for t in d.touchpoints}
    assert ch["leaflet_qr_scan"] == "partner"
    # with a stage column
    stage_of = {k: tp["stage"] for tp in j.to_dict()["touchpoints"] for k in tp["event_keys"]}
    df["stage"] = df["event"].astype(str).map(stage_of)
    d2 = jw.Journey.from_events(df, customer="customer_id", time="timestamp", touchpoint="event",
                                stage="stage")
    assert [s.name for s in d2.stages] == [s.id for s in j.stages]
    m = JourneyMetrics(d2).bind_events(df, customer="customer_id", time="timestamp", touchpoint="event")
    assert m.touchpoints["events"].sum() == len(df)


def test_datasets_events_and_survey():
    j = jw.Journey.from_template("buying-process")
    a = jw.datasets.events(j, customers=2000, seed=9)
    b = jw.datasets.events(j, customers=2000, seed=9)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["customer_id", "timestamp", "event", "channel", "plan", "value"]
    keys = {k for t in j.touchpoints for k in t.event_keys}
    share_known = a["event"].astype(str).isin(keys).mean()
    assert 0.95 < share_known < 1.0
    assert a["timestamp"].is_monotonic_increasing
    assert set(a["plan"].astype(str)) == {"free", "pro", "enterprise"}
    m = JourneyMetrics(j).bind_events(a, **ARGS)
    reach = m.stages["customers"].tolist()
    assert reach[0] > reach[-1] > 0  # drop-off along the journey
    assert (m.touchpoints["mean_value"].notna()).any()
    for tmpl in ("marketing-funnel", "customer-lifecycle"):
        ev = jw.datasets.events(tmpl, customers=200, seed=1)
        assert len(ev) > 200
    s = jw.datasets.survey(j, responses=400, scale="nps")
    assert s["score"].between(0, 10).all() and set(s["touchpoint"]) <= {t.id for t in j.touchpoints}
    assert jw.datasets.events(customers=100).shape[0] > 0


def test_import_stays_light():
    code = ("import sys; import journeywidget; import json; "
            "print(json.dumps([[m for m in ('pandas','numpy','narwhals','duckdb','pyspark') "
            "if m in sys.modules]]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    [heavy] = json.loads(out.stdout.strip().splitlines()[-1])
    assert heavy == []
