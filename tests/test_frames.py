"""One event log as pandas, polars, pyarrow and DuckDB gives the same numbers and rows
through every public path that takes a frame: the metrics tables, the insights, a
custom chart's rows (with a segment that changes over time for some customers) and
the feedback. The chart rows are also checked against a plain-Python reference of
the segment definition (a customer's segment is its first non-missing value in time
order)."""

from __future__ import annotations

import json
import math

import narwhals as nw
import numpy as np
import pandas as pd
import pytest

import journeywidget as jw
from journeywidget.charts import ChartSet
from journeywidget.data import frames

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")
duckdb = pytest.importorskip("duckdb")

ARGS = dict(customer="customer_id", time="timestamp", touchpoint="event", segment="plan",
            value="value", channel="channel")
BACKENDS = ("pandas", "polars", "pyarrow", "duckdb")


@pytest.fixture(scope="module")
def journey():
    return jw.Journey.from_template("ecommerce-purchase")


@pytest.fixture(scope="module")
def events(journey):
    """Sample events where a customer's plan changes over time: every third customer is
    upgraded to "pro" halfway through their journey, and a few rows lack the plan."""
    df = jw.datasets.events(journey, customers=600, seed=11)
    df["plan"] = df["plan"].astype(object)
    codes = df["customer_id"].str[1:].astype(int)
    mid = df.groupby("customer_id")["timestamp"].transform("median")
    upgraded = (codes % 3 == 0) & (df["timestamp"] > mid)
    df.loc[upgraded, "plan"] = "pro"
    df.loc[(codes % 17 == 0) & (df["timestamp"] <= mid), "plan"] = None
    assert df.loc[codes % 3 == 0].groupby("customer_id")["plan"].nunique().gt(1).any()
    return df.reset_index(drop=True)


@pytest.fixture(scope="module")
def survey(journey):
    return jw.datasets.survey(journey, responses=800, seed=5)


def as_backend(df: pd.DataFrame, backend: str):
    if backend == "pandas":
        return df
    table = pa.Table.from_pandas(df, preserve_index=False)
    if backend == "pyarrow":
        return table
    if backend == "polars":
        return pl.from_arrow(table)
    return duckdb.from_arrow(table)


def to_pandas(rows) -> pd.DataFrame:
    frame = nw.from_native(rows)
    if hasattr(frame, "collect"):
        frame = frame.collect()
    return frame.to_pandas()


def clean(value):
    """Tables as JSON-able values, NaN as None (NaN != NaN would hide equal tables)."""
    if isinstance(value, pd.DataFrame):
        return clean(value.to_dict("records"))
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def test_the_adapter_tells_backends_apart(events):
    for backend in BACKENDS:
        frame = as_backend(events, backend)
        assert frames.backend_of(frame) == backend
        assert frames.columns_of(frame) == list(events.columns)


def count_chart(seen: list):
    """A chart function: events per key of its rows (kept in ``seen`` as pandas)."""
    import altair as alt

    def chart(rows):
        pdf = to_pandas(rows)
        seen.append(pdf)
        counts = pdf.groupby("event", observed=True).size().reset_index(name="n")
        return alt.Chart(counts).mark_bar().encode(x="event:N", y="n:Q")

    return chart


def first_plans(df: pd.DataFrame) -> dict:
    """customer -> first non-missing plan in (time, row) order: the definition, in plain Python."""
    out: dict = {}
    rows = sorted(zip(df["customer_id"], df["timestamp"], range(len(df)), df["plan"]))
    for customer, _t, _row, plan in rows:
        if customer not in out and plan is not None:
            out[customer] = plan
    return out


def test_metrics_insights_and_chart_rows_agree_on_every_backend(journey, events):
    stage = journey.stages[3].id  # "checkout"
    stage_tps = {tp.id for tp in journey.touchpoints_in(stage)}
    results = {}
    for backend in BACKENDS:
        j = jw.Journey.from_dict(journey.to_dict())
        w = jw.JourneyWidget(j)
        m = w.bind_events(as_backend(events, backend), **ARGS, session_gap="2h")
        assert m.engine_name == backend
        seen: list = []
        w.add_chart(count_chart(seen), at=stage, name="rows")
        w.segment = "pro"
        rows = to_pandas(w.charts.rows_for(stage))
        results[backend] = {
            "touchpoints": clean(m.touchpoints), "stages": clean(m.stages),
            "transitions": clean(m.transitions), "segments": clean(m.segments),
            "insights": clean([i.to_dict() for i in m.insights]),
            "payload": json.loads(json.dumps(w._metrics)),
            # (sorted: a categorical's category order is the backend's own)
            "chart": sorted(map(str, w._charts["specs"]["rows"]["data"]["values"])),
            "rows": rows.sort_values(["customer_id", "timestamp", "event"])
                        .reset_index(drop=True).astype(str).to_dict("records"),
            "chart_rows": len(seen[-1]),
            "conformance": clean(m.conformance()), "paths": clean(m.paths(20)),
            "flows": clean(m.flows()), "tp_flows": clean(m.flows("touchpoint")),
            "opportunities": clean(m.opportunities()),
        }
        m.funnel, m.window = "ordered", "3D"
        results[backend]["windowed"] = clean(m.stages)
        w.unit = "session"
        results[backend]["sessions"] = {
            "stages": clean(m.stages), "touchpoints": clean(m.touchpoints),
            "conformance": clean(m.conformance()), "paths": clean(m.paths(20)),
            "payload": json.loads(json.dumps(w._metrics)),
        }
        m.segment = None
        results[backend]["clusters"] = (clean(m.clusters(k=2)), clean(m.cluster_labels().reset_index()))
        w.close()
    base = results["pandas"]
    for backend in BACKENDS[1:]:
        for key, value in results[backend].items():
            assert value == base[key], (backend, key)
    # the rows are those of the customers whose first plan is "pro", at the stage's keys
    keys = {k for tp in journey.touchpoints if tp.id in stage_tps for k in tp.event_keys}
    pro = {c for c, p in first_plans(events).items() if p == "pro"}
    want = events[events["customer_id"].isin(pro) & events["event"].astype(str).isin(keys)]
    assert len(base["rows"]) == len(want) == base["chart_rows"] > 0
    # and as many customers as reach the stage (any order) in the segment
    assert len({r["customer_id"] for r in base["rows"]}) == \
        next(s["reached"] for s in base["conformance"] if s["stage"] == stage)
    assert base["sessions"]["payload"]["unit"] == "session" and base["clusters"][0]


def test_chartset_rows_for_every_place_agree(journey, events):
    places = ["map", journey.stages[0].id, journey.touchpoints[0].id]
    counts = {}
    for backend in BACKENDS:
        cs = ChartSet(journey)
        m = cs.bind_events(as_backend(events, backend), **ARGS)
        m.segment = "free"
        counts[backend] = [len(to_pandas(cs.rows_for(at))) for at in places]
        cs.close()
    assert len(set(map(tuple, counts.values()))) == 1, counts
    assert all(n > 0 for n in counts["pandas"])


def test_feedback_agrees_on_every_backend(journey, survey):
    results = {}
    for backend in BACKENDS:
        m = jw.JourneyMetrics(journey)
        m.bind_feedback(as_backend(survey, backend), touchpoint="touchpoint", score="score",
                        text="comment", customer="customer_id", segment="plan")
        results[backend] = (clean(m.feedback), clean([i.to_dict() for i in m.insights]))
        m.segment = None
        m.close()
    for backend in BACKENDS[1:]:
        assert results[backend] == results["pandas"], backend
    assert results["pandas"][0]


def test_unused_categories_do_not_count_as_customers_or_segments(journey, events):
    """A categorical column keeps categories no row uses (after a filter, or from polars'
    string cache); they are neither customers nor segments."""
    df = events.copy()
    df["customer_id"] = pd.Categorical(df["customer_id"], categories=[*sorted(set(df["customer_id"])), "ghost"])
    df["plan"] = pd.Categorical(df["plan"], categories=["free", "pro", "enterprise", "unused"])
    m_cat = jw.JourneyMetrics(journey).bind_events(df, **ARGS)
    m_str = jw.JourneyMetrics(journey).bind_events(events, **ARGS)
    assert m_cat.segment_values == m_str.segment_values == ["enterprise", "free", "pro"]
    assert clean(m_cat.stages) == clean(m_str.stages)
    assert m_cat.customers(None) == events["customer_id"].nunique()


def test_period_counts_agree_on_every_backend(events):
    from journeywidget.charts import period_counts

    out = {b: period_counts(as_backend(events, b), touchpoint="event", time="timestamp",
                            customer="customer_id").astype(str).to_dict("records")
           for b in BACKENDS}
    assert out["pandas"] and all(v == out["pandas"] for v in out.values())
