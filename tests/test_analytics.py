"""Journey analytics (issue 10): sessions, funnel modes, windows, stages without data,
clusters, opportunities, honest statistics, bad input, and the widget's controls.

The numbers themselves are checked against the plain-Python reference in
test_metrics.py (every definition, random logs with ties, sessions, windows, segments)
and on every backend in test_frames.py / test_binding_spark.py; these tests cover the
behaviour around them.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest
import traitlets

import journeywidget as jw
from journeywidget.data.metrics import JourneyMetrics
from journeywidget.data.stats import bh_adjust, wilson
from journeywidget.widget import JourneyWidget

ARGS = dict(customer="customer_id", time="timestamp", touchpoint="event")


@pytest.fixture(scope="module")
def shop():
    return jw.datasets.clickstream(customers=1500, seed=4)


def shop_metrics(df, **kw):
    return JourneyMetrics(jw.datasets.clickstream_journey()).bind_events(df, **ARGS, **kw)


# ---------------------------------------------------------------------------
# bad input: a clear error naming the argument and the fix
# ---------------------------------------------------------------------------

def test_bad_input_names_the_argument_and_the_fix(shop):
    j = jw.datasets.clickstream_journey()
    holes = shop.copy()
    holes.loc[holes.index[:7], "session_id"] = None
    with pytest.raises(jw.BindingError, match=r"session column 'session_id' has 7 events without") as e:
        JourneyMetrics(j).bind_events(holes, **ARGS, session="session_id")
    assert "session_gap" in str(e.value) and e.value.column == "session_id"
    for bad in ("soon", "30", 30, "-5min"):
        with pytest.raises(jw.JourneyError, match="session_gap="):
            JourneyMetrics(j).bind_events(shop, **ARGS, session_gap=bad)
    with pytest.raises(jw.JourneyError, match="not both"):
        JourneyMetrics(j).bind_events(shop, **ARGS, session="session_id", session_gap="30min")
    m = JourneyMetrics(j).bind_events(shop, **ARGS)
    with pytest.raises(jw.JourneyError, match=r"window='-1D' is negative.*'7D'"):
        m.window = "-1D"
    with pytest.raises(jw.JourneyError, match="window=.*not a duration"):
        m.window = "a week"
    assert m.window is None  # nothing the user had is lost
    with pytest.raises(jw.JourneyError, match="unit='session' needs sessions.*session_gap"):
        m.unit = "session"
    with pytest.raises(jw.JourneyError, match="funnel='ordered' or funnel='reached'"):
        m.funnel = "closed"
    n = m.units()
    with pytest.raises(jw.JourneyError, match=rf"k={n + 1} is more than the {n - 0}|k={n + 1} is more than"):
        m.clusters(k=n + 1)
    with pytest.raises(jw.JourneyError, match="whole number of clusters"):
        m.clusters(k=0)
    with pytest.raises(jw.JourneyError, match="top=0"):
        m.paths(0)
    with pytest.raises(jw.JourneyError, match="level='stage' or level='touchpoint'"):
        m.flows("customer")
    with pytest.raises(jw.JourneyError, match="m.clusters\\(\\) first"):
        m.cluster_labels()


# ---------------------------------------------------------------------------
# sessions
# ---------------------------------------------------------------------------

def test_a_session_belongs_to_one_customer_and_times_are_within_it():
    t0 = pd.Timestamp("2026-03-01")
    rows = [  # two customers share the session id "s1": two sessions
        ("a", "s1", 0, "home"), ("a", "s1", 60, "cart"), ("b", "s1", 30, "home"),
        ("a", "s2", 86400 * 30, "home"), ("a", "s2", 86400 * 30 + 120, "cart"),
    ]
    df = pd.DataFrame({"customer_id": [r[0] for r in rows], "session_id": [r[1] for r in rows],
                       "timestamp": [t0 + pd.Timedelta(seconds=r[2]) for r in rows],
                       "event": [r[3] for r in rows]})
    j = jw.Journey("Shop")
    j.add_touchpoint("Home", stage=j.add_stage("Browse"), event_keys=["home"])
    j.add_touchpoint("Cart", stage=j.add_stage("Cart"), event_keys=["cart"])
    m = JourneyMetrics(j).bind_events(df, **ARGS, session="session_id")
    assert m.units() == 2 and m.customers() == 2
    st = m.stages
    # time in stage: a's homes a month apart, b's one home: the median of 30 days and 0
    assert st["median_time_s"].iloc[0] == 15 * 86400
    m.unit = "session"
    assert m.units() == 3 and m.customers() == 2
    st = m.stages
    assert st["reached"].tolist() == [3, 2] and st["customers"].tolist() == [2, 1]
    assert st["median_time_to_convert_s"].iloc[1] == 90.0  # 60 s and 120 s, within a session
    assert st.attrs["definition"] == "ordered funnel · sessions · no window"
    # the same with sessions split by a 1-hour gap
    g = JourneyMetrics(j).bind_events(df.drop(columns="session_id"), **ARGS, session_gap="1h")
    g.unit = "session"
    assert g.units() == 3 and g.stages["reached"].tolist() == [3, 2]
    assert "(a new one after 1h without events)" in g.describe()


# ---------------------------------------------------------------------------
# the ordered funnel on a real-looking clickstream; no data; moves
# ---------------------------------------------------------------------------

def test_moves_never_give_more_than_100_percent_in_the_ordered_funnel(shop):
    j = jw.datasets.clickstream_journey()
    m = JourneyMetrics(j).bind_events(shop, **ARGS, session="session_id")
    rng = random.Random(3)
    seen_over = False
    for step in range(12):
        tp = rng.choice(j.touchpoints).id
        j.move_touchpoint(tp, stage=rng.choice(j.stages).id)
        for unit in ("customer", "session"):
            m.unit = unit
            m.funnel = "ordered"
            st = m.stages
            assert (st["conversion"].dropna() <= 1).all(), (step, unit)
            r = st.loc[~st["no_data"], "reached"].tolist()
            assert r == sorted(r, reverse=True)  # reach never grows along the funnel
            m.funnel = "reached"
            seen_over |= bool((m.stages["conversion"].dropna() > 1).any())
    assert seen_over  # the reached funnel does exceed 100 % on these maps: it is another question


def test_a_stage_without_data_is_no_data_and_the_funnel_runs_past_it(shop):
    j = jw.datasets.clickstream_journey()
    m = JourneyMetrics(j).bind_events(shop, **ARGS)
    before = m.stages.set_index("stage")
    empty = j.add_stage("Loyalty", index=2)
    st = m.stages.set_index("stage")
    row = st.loc[empty]
    assert row["no_data"] and row["reached"] == 0 and math.isnan(row["conversion"])
    assert math.isnan(row["dropoff"]) and math.isnan(row["median_time_s"])
    # the next stage converts from the stage before the empty one: nothing else changed
    pd.testing.assert_frame_equal(st.drop(index=empty), before)
    kinds = {(i.kind, i.target) for i in m.insights}
    assert ("stage_no_data", empty) in kinds
    assert not any(i.kind == "dropoff" and empty in (i.target, i.details.get("from_stage")) for i in m.insights)
    cf = m.conformance().set_index("stage")
    assert cf.loc[empty, "no_data"] and cf.loc[empty, "skipped"] == 0
    assert all(empty not in p for p in m.paths(50)["path"])
    p = m.to_payload()
    assert p["stages"][empty]["no_data"] is True and p["stages"][empty]["conversion"] is None
    # moving every touchpoint out of a stage makes it empty too
    cart = [t.id for t in j.touchpoints_in("cart")]
    for t in cart:
        j.move_touchpoint(t, stage="checkout")
    assert m.stages.set_index("stage").loc["cart", "no_data"]


def test_window_limits_the_ordered_funnel(shop):
    m = shop_metrics(shop, session="session_id")
    m.unit = "session"
    none = m.stages["reached"].tolist()
    m.window = "2min"
    short = m.stages["reached"].tolist()
    m.window = pd.Timedelta("30D")
    assert m.stages["reached"].tolist() == none  # no session lasts a month
    assert short[0] == none[0] and sum(short) < sum(none)
    assert m.definition == "ordered funnel · sessions · 30-day window"
    m.window = None
    assert m.definition == "ordered funnel · sessions · no window"


# ---------------------------------------------------------------------------
# honest statistics
# ---------------------------------------------------------------------------

def test_wilson_and_benjamini_hochberg():
    # textbook values (Newcombe 1998): 81 of 263 -> 0.2553 to 0.3662
    lo, hi = wilson(81, 263)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)
    assert wilson(0, 10)[0] == 0.0 and 0 < wilson(0, 10)[1] < 0.31
    assert all(math.isnan(x) for x in wilson(3, 0) + wilson(5, 3))
    p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]
    q = bh_adjust(p)
    assert [round(x, 3) for x in q[:3]] == [0.01, 0.04, 0.084]
    assert q == sorted(q) and all(a >= b for a, b in zip(q, p))


def test_compare_tests_every_stage_with_bh_and_flags_small_samples(shop):
    m = shop_metrics(shop, segment="plan")
    cmp_ = m.compare("standard", "member")
    assert {"p_value", "q_value", "small_sample"} <= set(cmp_.columns)
    ps = cmp_["p_value"].tolist()
    assert cmp_["q_value"].tolist() == pytest.approx(bh_adjust(ps), nan_ok=True)
    assert "Benjamini-Hochberg" in cmp_.attrs["test"] and "30" in cmp_.attrs["test"]
    small = JourneyMetrics(jw.datasets.clickstream_journey()).bind_events(
        shop[shop["customer_id"].isin(sorted(set(shop["customer_id"]))[:40])], **ARGS, segment="plan")
    assert small.compare("standard", "member")["small_sample"].iloc[1:].any()
    st = m.stages
    inside = st.dropna(subset=["conversion"])
    assert ((inside["conversion_low"] <= inside["conversion"]) &
            (inside["conversion"] <= inside["conversion_high"])).all()


# ---------------------------------------------------------------------------
# clusters: planted behaviours are recovered
# ---------------------------------------------------------------------------

def test_clusters_recover_three_planted_path_styles(shop):
    from sklearn.metrics import adjusted_rand_score

    m = shop_metrics(shop)
    table = m.clusters(k=3)
    assert table["units"].sum() == m.conforming_counts()[1]  # every unit with a path, once
    labels = m.cluster_labels()
    truth = shop.groupby("customer_id")["style"].first().loc[labels.index]
    ari = adjusted_rand_score(truth.astype(str), labels)
    assert ari >= 0.8, ari
    assert len(set(table["name"])) == 3 and not any(n.startswith("Stage") for n in table["name"])
    # deterministic, usable as a segment and in compare
    again = m.clusters(k=3)
    pd.testing.assert_frame_equal(table, again)
    assert (m.cluster_labels() == labels).all()
    m.segment = "cluster:1"
    assert m.units() == table.set_index("cluster").loc[1, "units"]
    assert m.stages["reached"].iloc[0] <= m.units()
    cmp_ = m.compare("cluster:0", "cluster:1")
    assert len(cmp_) == len(m.stages)
    auto = m.clusters()  # k by silhouette
    assert 2 <= len(auto) <= 8


def test_cluster_sessions_and_persona_from_cluster(shop):
    w = JourneyWidget(jw.datasets.clickstream_journey())
    m = w.bind_events(shop, **ARGS, session="session_id")
    w.unit = "session"
    m.clusters(k=2)
    labels = m.cluster_labels()
    assert labels.index.names == ["customer_id", "session_id"] and len(labels) <= m.units()
    assert [c["label"] for c in w._metrics["clusters"]] == ["cluster:0", "cluster:1"]
    n_personas = len(w.journey.personas)
    pid = w.add_persona_from_cluster("cluster:1")
    persona = w.journey[pid]
    assert persona.segment.column == "cluster" and persona.segment.values == [1]
    assert "sessions" in persona.description and persona.name == m.clusters(k=2)["name"].iloc[1]
    w.undo()
    assert len(w.journey.personas) == n_personas
    with pytest.raises(jw.JourneyError, match="cluster 5 does not exist"):
        w.add_persona_from_cluster(5)


def test_clusters_without_scikit_learn_say_how_to_get_it(shop, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_sklearn(name, *a, **kw):
        if name == "sklearn" or name.startswith("sklearn."):
            raise ImportError("no sklearn")
        return real(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(jw.JourneyError, match=r"journeywidget\[analytics\]"):
        shop_metrics(shop).clusters(k=2)


# ---------------------------------------------------------------------------
# opportunities: a planted worst step ranks first
# ---------------------------------------------------------------------------

def planted_log(worst: int, customers: int = 3000, seed: int = 5):
    """Customers walk stages 0..5 in order; every step keeps 85 % except ``worst`` (35 %)."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(customers):
        t = int(rng.integers(0, 10**6))
        for s in range(6):
            if s and rng.random() > (0.35 if s == worst else 0.85):
                break
            for _ in range(int(rng.integers(1, 3))):
                rows.append((f"c{c}", pd.Timestamp("2026-01-01") + pd.Timedelta(seconds=t), f"e{s}"))
                t += int(rng.integers(5, 500))
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])


def test_a_planted_worst_step_ranks_first_and_effort_divides():
    j = jw.Journey("Planted")
    for s in range(6):
        j.add_touchpoint(f"Step {s}", stage=j.add_stage(f"Stage {s}"), event_keys=[f"e{s}"])
    worst = 3
    m = JourneyMetrics(j).bind_events(planted_log(worst), **ARGS)
    opp = m.opportunities()
    top = opp.iloc[0]
    assert top["target"] == j.stages[worst].id and top["kind"] == "stage"
    assert top["score"] == top["value"] == top["lost"] and math.isnan(top["effort"])
    assert top["lost"] == int(m.stages.iloc[worst]["dropoff"])
    assert opp["score"].is_monotonic_decreasing
    j.update(j.stages[worst].id, effort=100)  # very hard to fix: no longer first
    opp2 = m.opportunities()
    assert opp2.iloc[0]["target"] != j.stages[worst].id
    row = opp2.set_index("target").loc[j.stages[worst].id]
    assert row["effort"] == 100 and row["score"] == pytest.approx(row["value"] / 100)


def test_satisfaction_gap_weighs_opportunities(shop):
    j = jw.datasets.clickstream_journey()
    m = JourneyMetrics(j).bind_events(shop, **ARGS)
    survey = jw.datasets.survey(j, responses=3000, seed=2)
    m.bind_feedback(survey, touchpoint="touchpoint", score="score")
    opp = m.opportunities()
    assert opp["satisfaction_gap"].notna().all() and (opp["satisfaction_gap"].between(0, 1)).all()
    assert np.allclose(opp["value"], opp["lost"] * opp["satisfaction_gap"])


def test_add_opportunity_to_a_touchpoint_and_a_stage_is_one_undoable_edit(shop):
    w = JourneyWidget(jw.datasets.clickstream_journey())
    m = w.bind_events(shop, **ARGS)
    opp = m.opportunities()
    tp = opp[opp["kind"] == "touchpoint"].iloc[0]
    st = opp[opp["kind"] == "stage"].iloc[0]
    before = list(w.journey[tp["target"]].opportunities)
    assert w.add_opportunity(tp["target"]) == tp["target"]
    added = w.journey[tp["target"]].opportunities[-1]
    assert f"{tp['lost']:,}" in added and "opportunity score" in added
    card = w.add_opportunity(st["target"], text="Fix the delivery step")
    assert w.journey[card].text == "Fix the delivery step" and w.journey[card].stage == st["target"]
    assert any(ln.kind == "opportunities" for ln in w.journey.lanes)
    w.undo()
    w.undo()
    assert list(w.journey[tp["target"]].opportunities) == before and card not in w.journey
    with pytest.raises(jw.JourneyError, match="not among the opportunities"):
        w.add_opportunity("nope")


# ---------------------------------------------------------------------------
# the widget: unit, funnel and window traits; the page's buttons
# ---------------------------------------------------------------------------

def test_widget_traits_mirror_the_metrics_both_ways(shop):
    from test_widget import browser_msg, browser_set, make, results

    w, sent = make(jw.datasets.clickstream_journey())
    w.funnel = "reached"  # before binding: carried over
    m = w.bind_events(shop, **ARGS, session="session_id", segment="plan")
    assert m.funnel == "reached" and w._metrics["definition"] == "reached (any order) · customers"
    w.unit = "session"
    assert m.unit == "session" and w._metrics["unit"] == "session"
    m.funnel = "ordered"
    m.window = "7D"
    assert (w.funnel, w.window) == ("ordered", "7D")
    assert w._metrics["definition"] == "ordered funnel · sessions · 7-day window"
    browser_set(w, window="1h", funnel="ordered")
    assert m.window == "1h" and w._metrics["window"] == "1h"
    with pytest.raises(traitlets.TraitError, match="window"):
        w.window = "later"
    assert m.window == "1h"
    w2 = JourneyWidget(jw.datasets.clickstream_journey())
    w2.bind_events(shop, **ARGS)
    with pytest.raises(traitlets.TraitError, match="needs sessions"):
        w2.unit = "session"
    # the page's buttons: clusters, a persona from a cluster, an opportunity
    browser_msg(w, {"type": "clusters", "k": 2, "rid": 7})
    assert results(sent)[-1]["ok"] and len(w._metrics["clusters"]) == 2
    browser_msg(w, {"type": "add_persona_from_cluster", "cluster": 0, "rid": 8})
    res = results(sent)[-1]
    assert res["ok"] and w.journey[res["id"]].segment.values == [0]
    target = w._metrics["opportunities"][0]["target"]
    browser_msg(w, {"type": "add_opportunity", "target": target, "rid": 9})
    assert results(sent)[-1]["ok"]
    browser_msg(w, {"type": "add_opportunity", "target": "nope", "rid": 10})
    assert not results(sent)[-1]["ok"] and "nope" in results(sent)[-1]["error"]
