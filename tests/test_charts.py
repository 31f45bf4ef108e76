"""Charts on the map (journeywidget.charts): built-in overlays from aggregates,
custom chart functions re-run live, and the widget payload.

The data set is small enough to check every number by hand:

    customer  events (day: touchpoint)       plan
    u1        0: a1, 1: b1, 8: c1            pro
    u2        0: a1, 2: a2, 3: b1            pro
    u3        1: a2                          free
    u4        7: a1, 9: b1, 10: c1           free

Stages A = {a1, a2}, B = {b1}, C = {c1}; day 0 is Monday 2024-01-01.
Feedback (csat 1-5): a1 = 5, 4, 2; b1 = 1, 2.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

import journeywidget as jw
from journeywidget.charts import (
    MAX_ROWS,
    ChartError,
    ChartSet,
    overlay_spec,
    period_counts,
    trend_table,
)
from samples import tiny_journey

DAY0 = pd.Timestamp("2024-01-01")
EVENTS = [
    ("u1", "k_a1", 0), ("u1", "k_b1", 1), ("u1", "k_c1", 8),
    ("u2", "k_a1", 0), ("u2", "k_a2", 2), ("u2", "k_b1", 3),
    ("u3", "k_a2", 1),
    ("u4", "k_a1", 7), ("u4", "k_b1", 9), ("u4", "k_c1", 10),
]
PLAN = {"u1": "pro", "u2": "pro", "u3": "free", "u4": "free"}


def frame(events=EVENTS) -> pd.DataFrame:
    return pd.DataFrame({
        "user": [e[0] for e in events],
        "event": [e[1] for e in events],
        "ts": [DAY0 + pd.Timedelta(days=e[2]) for e in events],
        "plan": [PLAN.get(e[0], "free") for e in events],
    })


FEEDBACK = pd.DataFrame({"tp": ["k_a1"] * 3 + ["k_b1"] * 2, "score": [5, 4, 2, 1, 2]})


@pytest.fixture
def journey() -> jw.Journey:
    return tiny_journey()


@pytest.fixture
def metrics(journey):
    m = jw.JourneyMetrics(journey)
    m.bind_events(frame(), customer="user", time="ts", touchpoint="event", segment="plan")
    m.bind_feedback(FEEDBACK, touchpoint="tp", score="score")
    return m


def values(spec: dict) -> list[dict]:
    assert spec["data"]["name"] == "table"
    return spec["data"]["values"]


def by(rows, key="touchpoint", field="value"):
    return {r[key]: r[field] for r in rows}


# ---------------------------------------------------------------------------
# built-in overlays: the aggregated values, checked by hand
# ---------------------------------------------------------------------------


def test_emotion_curve_hand_set_and_from_feedback(journey, metrics):
    rows = values(overlay_spec("emotion", journey.to_dict(), metrics))
    hand = {r["touchpoint"]: r["emotion"] for r in rows if r["source"] == "map"}
    assert hand == {"a1": 1.0, "a2": -1.0, "b1": 0.0}  # c1 has no emotion set
    data = {r["touchpoint"]: r for r in rows if r["source"] == "data"}
    assert set(data) == {"a1", "b1"}
    # a1: mean 11/3 on 1..5 -> 2/3 of the way -> -2 + 4 * 2/3 = 0.67 on -2..2
    assert data["a1"]["emotion"] == pytest.approx(0.67) and data["a1"]["n"] == 3
    # 95% interval: mean +- 1.96 * sd / sqrt(n), sd = sqrt(7/3); mapped, clipped to the scale
    half = 1.96 * math.sqrt(7 / 3) / math.sqrt(3)
    lo = -2 + 4 * ((11 / 3 - half) - 1) / 4
    assert data["a1"]["lo"] == pytest.approx(lo, abs=1e-3) and data["a1"]["hi"] == 2.0
    # b1: mean 1.5 -> -1.5; interval 1.5 +- 0.98 -> [-2 (clipped), -0.52]
    assert data["b1"]["emotion"] == -1.5 and data["b1"]["n"] == 2
    assert data["b1"]["lo"] == -2.0 and data["b1"]["hi"] == pytest.approx(-0.52, abs=1e-3)
    # map order and labels travel with every row
    assert [r["order"] for r in rows if r["source"] == "map"] == [0, 1, 2]


def test_emotion_curve_without_data(journey):
    rows = values(overlay_spec("emotion", journey, None))
    assert [(r["touchpoint"], r["emotion"]) for r in rows] == [("a1", 1.0), ("a2", -1.0), ("b1", 0.0)]


def test_funnel_customers_conversion_dropoff(journey, metrics):
    rows = values(overlay_spec("funnel", journey.to_dict(), metrics))
    assert [r["stage"] for r in rows] == ["a", "b", "c"]
    assert [r["customers"] for r in rows] == [4, 3, 2]
    assert [r["conversion"] for r in rows] == [None, 0.75, pytest.approx(2 / 3, abs=1e-6)]
    assert [r["dropoff"] for r in rows] == [0, 1, 1]
    assert [r["dropoff_rate"] for r in rows] == [None, 0.25, pytest.approx(1 / 3, abs=1e-6)]
    assert [r["top"] for r in rows] == [4, 4, 3]  # bar + lost customers = the stage before
    assert [r["conv_text"] for r in rows] == ["", "75%", "67%"]
    assert [r["tps"] for r in rows] == ["|a1|a2|", "|b1|", "|c1|"]


def test_funnel_follows_the_segment(journey, metrics):
    metrics.segment = "pro"  # u1, u2
    rows = values(overlay_spec("funnel", journey, metrics))
    assert [r["customers"] for r in rows] == [2, 2, 1]
    assert [r["conversion"] for r in rows] == [None, 1.0, 0.5]


def test_metric_strip_any_metric(journey, metrics):
    doc = journey.to_dict()
    assert by(values(overlay_spec("metric", doc, metrics, "customers"))) == {"a1": 3, "a2": 2, "b1": 3, "c1": 2}
    assert by(values(overlay_spec("metric", doc, metrics, "share"))) == {"a1": 0.75, "a2": 0.5, "b1": 0.75, "c1": 0.5}
    # time to the next event, in days: a1 {1, 2, 2}, a2 {1}, b1 {7, 1}; c1 is always last
    spec = overlay_spec("metric", doc, metrics, "median_next_s")
    assert by(values(spec)) == {"a1": 2.0, "a2": 1.0, "b1": 4.0}
    assert "(d)" in json.dumps(spec["encoding"]["y"]["title"])
    # feedback metrics: csat = % of 4-5 answers
    assert by(values(overlay_spec("metric", doc, metrics, "score"))) == {"a1": pytest.approx(66.6667), "b1": 0.0}
    assert by(values(overlay_spec("metric", doc, metrics, "respondents"))) == {"a1": 3, "b1": 2}
    with pytest.raises(ChartError, match="unknown metric 'nope'"):
        overlay_spec("metric", doc, metrics, "nope")


def test_trend_weekly_and_daily(journey, metrics):
    weekly = trend_table(metrics, "customers", freq="W")
    got = {(r["touchpoint"], r["period"]): r["value"] for r in weekly}
    assert got == {
        ("a1", "2024-01-01"): 2, ("a1", "2024-01-08"): 1,
        ("a2", "2024-01-01"): 2, ("a2", "2024-01-08"): 0,
        ("b1", "2024-01-01"): 2, ("b1", "2024-01-08"): 1,
        ("c1", "2024-01-01"): 0, ("c1", "2024-01-08"): 2,
    }
    # the overlay picks days for an 11-day span, and its title says so
    spec = overlay_spec("trend", journey, metrics)
    assert spec["title"]["text"] == "customers per day, by touchpoint"
    rows = values(spec)
    nonzero = {(r["touchpoint"], r["period"]): r["value"] for r in rows if r["value"]}
    assert nonzero == {
        ("a1", "2024-01-01"): 2, ("a1", "2024-01-08"): 1,
        ("a2", "2024-01-02"): 1, ("a2", "2024-01-03"): 1,
        ("b1", "2024-01-02"): 1, ("b1", "2024-01-04"): 1, ("b1", "2024-01-10"): 1,
        ("c1", "2024-01-09"): 1, ("c1", "2024-01-11"): 1,
    }
    assert len(rows) == 4 * 11
    assert set(rows[0]) == {"touchpoint", "period", "value", "complete"}  # labels are in the spec
    # the log ends at the start of its last day: that day is incomplete (drawn dashed, hollow)
    assert {r["period"] for r in rows if not r["complete"]} == {"2024-01-11"}
    assert {r["complete"] for r in weekly if r["period"] == "2024-01-08"} == {False}
    # events count repeats, customers do not
    m2 = jw.JourneyMetrics(journey).bind_events(
        frame(EVENTS + [("u1", "k_a1", 0)]), customer="user", time="ts", touchpoint="event")
    ev = {(r["touchpoint"], r["period"]): r["value"] for r in trend_table(m2, "events", freq="W")}
    cu = {(r["touchpoint"], r["period"]): r["value"] for r in trend_table(m2, "customers", freq="W")}
    assert ev[("a1", "2024-01-01")] == 3 and cu[("a1", "2024-01-01")] == 2
    # the segment applies
    metrics.segment = "free"  # u3, u4
    seg = {(r["touchpoint"], r["period"]): r["value"] for r in trend_table(metrics, "customers", freq="W")}
    assert seg[("a1", "2024-01-08")] == 1 and seg[("a1", "2024-01-01")] == 0
    with pytest.raises(ChartError, match="customers or events"):
        overlay_spec("trend", journey, metrics, "share")


def test_period_counts_helper_on_raw_rows():
    out = period_counts(frame(), touchpoint="event", time="ts", customer="user", freq="W")
    got = {(r.touchpoint, str(r.period.date())): (r.events, r.customers) for r in out.itertuples()}
    assert got[("k_a1", "2024-01-01")] == (2, 2)
    assert got[("k_c1", "2024-01-08")] == (2, 2)
    assert sum(e for e, _ in got.values()) == len(EVENTS)


@pytest.mark.parametrize("name,metric", [("emotion", None), ("funnel", None), ("metric", "share"),
                                         ("trend", "customers")])
def test_overlay_specs_are_linkable_and_compile(journey, metrics, name, metric):
    spec = overlay_spec(name, journey.to_dict(), metrics, metric, theme="dark")
    rows = values(spec)
    assert rows and all(("touchpoint" in r) or ("stage" in r) for r in rows)
    assert {"name": "jw_selected", "value": ""} in spec["params"]
    assert spec["config"]["title"]["color"] == "#e6e6e6"
    json.dumps(spec, allow_nan=False)
    vlc = pytest.importorskip("vl_convert")
    vega = vlc.vegalite_to_vega(spec)
    assert any(d.get("name") == "table" for d in vega["data"])
    # and it draws one mark per row where it should
    svg = ET.fromstring(vlc.vegalite_to_svg(spec))
    marks = [g for g in svg.iter("{http://www.w3.org/2000/svg}g") if "role-mark" in (g.get("class") or "")]
    count = {c: sum(len(list(g)) for g in marks if f"mark-{c} " in (g.get("class") or "") + " ")
             for c in ("rect", "symbol", "line")}
    if name == "funnel":
        assert count["rect"] == 3 + 2  # stage bars + drop-off bars
    elif name == "metric":
        assert count["rect"] == 4
    elif name == "emotion":
        assert count["symbol"] == 3 + 2  # hand-set points + feedback diamonds
    else:  # per touchpoint: the complete periods, a dashed tail, a hollow last point
        assert count["line"] == 4 + 4 and count["symbol"] == 4


def test_overlay_spec_without_theme_leaves_colours_to_the_page(journey):
    spec = overlay_spec("emotion", journey, None, theme=None)
    assert "title" not in spec.get("config", {})


def test_unknown_overlay(journey):
    with pytest.raises(ChartError, match="unknown overlay"):
        overlay_spec("pie", journey, None)


# ---------------------------------------------------------------------------
# custom charts
# ---------------------------------------------------------------------------


def count_chart(calls: list):
    def chart(rows):
        import altair as alt

        calls.append(rows.copy())
        counts = rows.groupby("event").size().reset_index(name="n")
        return alt.Chart(counts).mark_bar().encode(x="event:N", y="n:Q")

    return chart


def bound_chartset(journey):
    cs = ChartSet(journey)
    cs.bind_events(frame(), customer="user", time="ts", touchpoint="event", segment="plan")
    return cs


def test_chart_function_gets_the_rows_of_its_place(journey):
    cs = bound_chartset(journey)
    got: dict[str, list] = {"b": [], "a2": [], "map": []}
    for at in got:
        cs.add(count_chart(got[at]), at=at, name=f"c-{at}")
    payload = cs.payload()
    assert sorted(got["b"][-1]["event"]) == ["k_b1"] * 3
    assert sorted(got["a2"][-1]["user"]) == ["u2", "u3"]
    assert len(got["map"][-1]) == len(EVENTS)
    entry = payload["specs"]["c-b"]
    assert entry["at"] == "b" and entry["error"] is None
    assert entry["data"] == {"name": "table", "values": [{"event": "k_b1", "n": 3}]}
    assert entry["spec"]["data"] == {"name": "table"} and "datasets" not in entry["spec"]


def test_chart_function_reruns_after_bind_and_move(journey):
    cs = bound_chartset(journey)
    calls: list = []
    cs.add(count_chart(calls), at="b", name="per_event")
    cs.payload()
    assert len(calls) == 1
    cs.payload()
    assert len(calls) == 1  # nothing changed: not re-run
    # re-bind different data
    cs.bind_events(frame(EVENTS[:6]), customer="user", time="ts", touchpoint="event")
    p = cs.payload()
    assert len(calls) == 2 and len(calls[-1]) == 2  # u1 and u2 reach b1 in the first six rows
    assert p["specs"]["per_event"]["data"]["values"] == [{"event": "k_b1", "n": 2}]
    # move c1 into stage B: its rows now belong to B
    journey.move_touchpoint("c1", stage="b")
    p = cs.payload()
    assert len(calls) == 3
    assert sorted(set(calls[-1]["event"])) == ["k_b1", "k_c1"]
    assert p["specs"]["per_event"]["data"]["values"] == [{"event": "k_b1", "n": 2}, {"event": "k_c1", "n": 1}]
    # undo moves it back
    journey.undo()
    cs.payload()
    assert len(calls) == 4 and set(calls[-1]["event"]) == {"k_b1"}
    # an edit that cannot change any rows does not re-run the function
    journey.update(journey.id, title="Renamed")
    cs.payload()
    assert len(calls) == 4


def test_chart_function_follows_the_segment_and_gets_a_context(journey):
    cs = bound_chartset(journey)
    seen = []

    def chart(rows, ctx):
        import altair as alt

        seen.append((len(rows), ctx.kind, ctx.item["id"] if ctx.item else None, ctx.segment))
        return alt.Chart(rows.groupby("user").size().reset_index(name="n")).mark_bar().encode(x="user:N", y="n:Q")

    cs.add(chart, at="a", name="users")
    cs.payload()
    assert seen[-1] == (5, "stage", "a", None)
    cs.metrics.segment = "pro"
    cs.payload()
    assert seen[-1] == (3, "stage", "a", "pro")  # u1: a1; u2: a1, a2


def test_errors_in_a_chart_function_are_shown_not_raised(journey):
    cs = bound_chartset(journey)
    cs.add(lambda rows: len(rows) / 0, at="c", name="broken")
    cs.add(lambda rows: None, name="nothing")
    cs.add(count_chart([]), at="a", name="fine")
    cs.set_overlay("funnel")
    specs = cs.payload()["specs"]
    assert specs["broken"]["error"].startswith("ZeroDivisionError: division by zero")
    assert specs["broken"]["spec"] is None and specs["broken"]["at"] == "c"
    assert "returned None" in specs["nothing"]["error"]
    assert specs["fine"]["error"] is None and specs["overlay"]["error"] is None


def test_big_chart_data_is_refused_with_a_clear_message(journey):
    import altair as alt

    cs = bound_chartset(journey)
    big = pd.DataFrame({"x": range(MAX_ROWS + 1000)})
    cs.add(lambda rows: alt.Chart(big).mark_tick().encode(x="x:Q"), name="raw")
    cs.add(alt.Chart(big).mark_tick().encode(x="x:Q"), name="static_raw")
    cs.add({"mark": "bar", "data": {"url": "https://example.com/data.csv"}}, name="remote")
    specs = cs.payload()["specs"]
    for key in ("raw", "static_raw"):
        assert "6,000 data rows" in specs[key]["error"] and "5,000" in specs[key]["error"]
        assert "Aggregate" in specs[key]["error"]
    assert "URL" in specs["remote"]["error"]


def test_static_charts_and_layered_datasets(journey):
    import altair as alt

    cs = ChartSet(journey)
    a = pd.DataFrame({"x": [1, 2, 3], "touchpoint": ["a1", "a2", "b1"]})
    b = pd.DataFrame({"y": [2]})
    layered = alt.layer(alt.Chart(a).mark_bar().encode(x="x:Q"), alt.Chart(b).mark_rule().encode(y="y:Q"))
    name = cs.add(layered, at="a1")
    entry = cs.payload()["specs"][name]
    assert entry["error"] is None and entry["data"]["values"] == a.to_dict("records")
    assert list(entry["spec"]["datasets"].values()) == [[{"y": 2}]]  # the small one stays in the spec
    assert json.dumps(entry["spec"]).count('"name": "table"') == 1
    cs.remove(name)
    assert cs.payload()["specs"] == {}
    with pytest.raises(ChartError, match="not 'map' nor a stage or touchpoint"):
        cs.add(layered, at="nowhere")


def test_revisions_split_spec_changes_from_data_changes(journey):
    cs = bound_chartset(journey)
    cs.set_overlay("metric", "customers")
    e1 = cs.payload()["specs"]["overlay"]
    cs.bind_events(frame(EVENTS[:6]), customer="user", time="ts", touchpoint="event")
    e2 = cs.payload()["specs"]["overlay"]
    assert e2["rev"] == e1["rev"] and e2["data_rev"] == e1["data_rev"] + 1
    assert e2["spec"] == e1["spec"] and e2["data"] != e1["data"]
    journey.move_touchpoint("a2", stage="b")  # moves are data-only too (order travels in the rows)
    e3 = cs.payload()["specs"]["overlay"]
    assert e3["rev"] == e1["rev"] and e3["data_rev"] == e2["data_rev"] + 1
    cs.set_overlay("metric", "share")  # another metric: new axis format and title
    e4 = cs.payload()["specs"]["overlay"]
    assert e4["rev"] == e1["rev"] + 1


def test_charts_without_rows(journey):
    cs = ChartSet(journey)
    cs.add(count_chart([]), at="b", name="early")
    assert "no events bound yet" in cs.payload()["specs"]["early"]["error"]
    cs.bind_events(frame(), customer="user", time="ts", touchpoint="event")
    assert cs.payload()["specs"]["early"]["error"] is None


# ---------------------------------------------------------------------------
# the widget
# ---------------------------------------------------------------------------


def test_widget_overlay_traits_and_payload(journey):
    w = jw.JourneyWidget(journey)
    assert w.overlay == "none" and w._charts["specs"] == {}
    w.bind_events(frame(), customer="user", time="ts", touchpoint="event")
    assert w._metrics["stages"]["b"]["customers"] == 3
    w.overlay = "funnel"
    assert [r["customers"] for r in w._charts["specs"]["overlay"]["data"]["values"]] == [4, 3, 2]
    w.show_overlay("metric", "share")
    assert w._charts["metric"] == "share" and "share" in w._charts["metrics_available"]
    calls: list = []
    name = w.add_chart(count_chart(calls), at="b")
    assert name == "chart" and w._charts["specs"]["chart"]["error"] is None
    w.bind_events(frame(EVENTS[:6]), customer="user", time="ts", touchpoint="event")
    assert len(calls) == 2
    assert w._charts["specs"]["chart"]["data"]["values"] == [{"event": "k_b1", "n": 2}]
    journey.move_touchpoint("c1", stage="b")
    assert len(calls) == 3
    w.remove_chart(name)
    assert set(w._charts["specs"]) == {"overlay"}
    json.dumps(w._charts, allow_nan=False)
    from traitlets import TraitError

    with pytest.raises(TraitError):
        w.overlay = "pie"
    w.close()


def test_closing_the_widget_unhooks_its_charts(journey):
    before = len(journey._listeners)
    w = jw.JourneyWidget(journey)
    w.bind_events(frame(), customer="user", time="ts", touchpoint="event")
    w.overlay = "emotion"
    assert len(journey._listeners) > before
    w.close()
    assert len(journey._listeners) == before  # and the metrics it made stopped following the map
    journey.add_stage("D")  # nothing reaches the closed widget


@pytest.mark.slow
def test_a_million_events_stay_small_on_the_wire():
    j = jw.Journey.from_template("ecommerce-purchase")
    ev = jw.datasets.events(j, customers=180_000, seed=3, customer_ids="int")
    assert len(ev) >= 1_000_000
    w = jw.JourneyWidget(j)
    w.bind_events(ev, customer="customer_id", time="timestamp", touchpoint="event", segment="plan")
    w.add_chart(lambda rows: __import__("altair").Chart(
        rows.groupby("plan").size().reset_index(name="events")).mark_bar().encode(x="plan:N", y="events:Q"),
        at="checkout", name="plans")
    for overlay, metric in [("emotion", None), ("funnel", None), ("metric", "customers"),
                            ("metric", "median_next_s"), ("trend", "customers"), ("trend", "events")]:
        w.show_overlay(overlay, metric)
        text = json.dumps(w._charts, allow_nan=False)
        assert len(text.encode()) < 64 * 1024, (overlay, metric, len(text))
        assert all(e["error"] is None for e in w._charts["specs"].values()), w._charts["specs"]
        assert all(len(e["data"]["values"]) <= MAX_ROWS for e in w._charts["specs"].values())
    w.close()


def test_import_stays_light():
    code = (
        "import sys, journeywidget, journeywidget.charts; "
        "print(sorted(m for m in ('altair', 'pandas', 'numpy', 'vega_datasets') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
