"""PySpark engine: the heavy step runs in Spark and gives the same tables as pandas."""

from __future__ import annotations

import os
import shutil
import sys

import numpy as np
import pandas as pd
import pytest

import journeywidget as jw
from journeywidget.data.metrics import JourneyMetrics

pytestmark = pytest.mark.spark

pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    if os.environ.get("CI"):  # scripts/test.sh installs Java 17: its absence in CI is a failure
        pytest.fail("no Java runtime for PySpark (apt-get install openjdk-17-jre-headless)", pytrace=False)
    pytest.skip("no Java runtime for PySpark (apt-get install openjdk-17-jre-headless)", allow_module_level=True)


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # journey_agg runs journeywidget's own code in the Python workers (mapInPandas)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    s = (SparkSession.builder.master("local[1]").appName("journeywidget-tests")
         .config("spark.sql.shuffle.partitions", "2")
         .config("spark.default.parallelism", "1")
         .config("spark.sql.session.timeZone", "UTC")
         .config("spark.ui.enabled", "false")
         .config("spark.sql.execution.arrow.pyspark.enabled", "true")
         .getOrCreate())
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


ARGS = dict(customer="customer_id", time="timestamp", touchpoint="event", segment="plan",
            value="value", channel="channel")


def both(spark, j, df, **kw):
    args = {**ARGS, **kw}
    m1 = JourneyMetrics(j).bind_events(df, **args)
    m2 = JourneyMetrics(j).bind_events(spark.createDataFrame(df), **args)
    return m1, m2


def same_tables(m1, m2):
    pd.testing.assert_frame_equal(m1.touchpoints, m2.touchpoints)
    pd.testing.assert_frame_equal(m1.stages, m2.stages)
    pd.testing.assert_frame_equal(m1.transitions, m2.transitions)
    assert [i.to_dict() for i in m1.insights] == [i.to_dict() for i in m2.insights]


def test_spark_matches_pandas_with_ties(spark):
    j = jw.Journey.from_template("buying-process")
    df = jw.datasets.events(j, customers=400, seed=3)
    # coarse timestamps: many ties, broken by row order on both engines
    df["timestamp"] = df["timestamp"].dt.floor("h")
    df = df.sample(frac=1.0, random_state=1).reset_index(drop=True)
    for c in ("event", "channel", "plan"):
        df[c] = df[c].astype(str)
    m1, m2 = both(spark, j, df)
    assert m2._engine.name == "spark"
    same_tables(m1, m2)
    for seg in ("free", "pro"):
        m1.segment = seg
        m2.segment = seg
        same_tables(m1, m2)
    m1.segment = m2.segment = None
    j.move_touchpoint("support-hotline", stage="purchase")
    same_tables(m1, m2)
    j.update("dry-air-advice-article", event_keys=["page_view_blog_dry_air", "app_open"])
    same_tables(m1, m2)
    pd.testing.assert_frame_equal(m1.compare("free", "pro"), m2.compare("free", "pro"))


def test_spark_bad_input(spark):
    j = jw.Journey.from_template("buying-process")
    df = pd.DataFrame({"customer_id": ["a", None, "b", "b"],
                       "timestamp": ["2026-01-01 10:00", "2026-01-01 11:00", "not a date", None],
                       "event": ["leaflet_qr_scan", "leaflet_qr_scan", "x", "y"]})
    sdf = spark.createDataFrame(df)
    m = JourneyMetrics(j).bind_events(sdf, customer="customer_id", time="timestamp",
                                      touchpoint="event")
    kinds = {i.kind: i.value for i in m.insights}
    assert kinds["missing_customer"] == 1 and kinds["unparsable_time"] == 1
    assert kinds["missing_time"] == 1
    with pytest.raises(jw.JourneyError, match="custmer"):
        JourneyMetrics(j).bind_events(sdf, customer="custmer", time="timestamp", touchpoint="event")
    assert np.isfinite(m.touchpoints["customers"]).all()


def test_spark_chart_rows_and_feedback_match_pandas(spark):
    """A chart function's rows (a segment's customers at a stage) and bound feedback are the
    same for a Spark DataFrame as for the pandas one."""
    from journeywidget.charts import ChartSet

    j = jw.Journey.from_template("ecommerce-purchase")
    df = jw.datasets.events(j, customers=300, seed=4)
    for c in ("event", "channel", "plan"):
        df[c] = df[c].astype(str)
    stage = j.stages[3].id
    counts = []
    for frame in (df, spark.createDataFrame(df)):
        cs = ChartSet(j)
        cs.bind_events(frame, **ARGS).segment = "pro"
        rows = cs.rows_for(stage)
        counts.append(int(rows.count()) if hasattr(rows, "sparkSession") else len(rows))
        cs.close()
    assert counts[0] == counts[1] > 0
    survey = jw.datasets.survey(j, responses=300, seed=4)
    survey["plan"] = survey["plan"].astype(str)
    tables = []
    for frame in (survey, spark.createDataFrame(survey)):
        m = JourneyMetrics(j).bind_feedback(frame, touchpoint="touchpoint", score="score",
                                            text="comment", segment="plan")
        tables.append(m.feedback)
    pd.testing.assert_frame_equal(tables[0], tables[1])


def _rounded(value):
    """Floats to 12 significant digits: quantiles interpolated in ns differ in the last
    bits between numpy and Spark (e.g. 236160.00000000006 and 236160.00000000003 s)."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(f"{float(value):.12g}")
    return value


def same_tables_rounded(m1, m2):
    pd.testing.assert_frame_equal(m1.touchpoints, m2.touchpoints)
    pd.testing.assert_frame_equal(m1.stages, m2.stages)
    pd.testing.assert_frame_equal(m1.transitions, m2.transitions)
    assert _rounded([i.to_dict() for i in m1.insights]) == _rounded([i.to_dict() for i in m2.insights])


def test_parquet_path_and_spark_give_the_same_tables_rounded(spark, tmp_path):
    """The two ways to bind a log on disk — a path (read in batches, numpy engine) and
    ``spark.read.parquet`` (Spark engine) — give the same tables. Timestamp ties break by
    row order: the file's order in one file; across files the order of rows depends on
    how each engine lists them, so an ``order=`` column makes them agree."""
    pytest.importorskip("pyarrow")
    j = jw.Journey.from_template("buying-process")
    df = jw.datasets.events(j, customers=500, seed=8)
    df["timestamp"] = df["timestamp"].dt.floor("h")  # many ties
    for c in ("event", "channel", "plan"):
        df[c] = df[c].astype(str)
    df.loc[df.index[::97], "customer_id"] = None
    path = tmp_path / "events.parquet"
    df.to_parquet(path, row_group_size=1000)
    m1 = JourneyMetrics(j).bind_events(path, **ARGS)
    m2 = JourneyMetrics(j).bind_events(spark.read.parquet(str(path)), **ARGS)
    assert (m1.engine_name, m2.engine_name) == ("parquet", "spark")
    same_tables_rounded(m1, m2)
    for seg in ("free", "pro"):
        m1.segment = m2.segment = seg
        same_tables_rounded(m1, m2)
    m1.segment = m2.segment = None
    parts = tmp_path / "parts"
    parts.mkdir()
    df = df.assign(seq=np.arange(len(df)))
    shuffled = df.sample(frac=1.0, random_state=3)
    n = len(shuffled)
    for i, (a, b) in enumerate([(0, n // 3), (n // 3, 2 * n // 3), (2 * n // 3, n)]):
        shuffled.iloc[a:b].to_parquet(parts / f"part-{i}.parquet")
    m3 = JourneyMetrics(j).bind_events(parts, order="seq", **ARGS)
    m4 = JourneyMetrics(j).bind_events(spark.read.parquet(str(parts)), order="seq", **ARGS)
    same_tables_rounded(m3, m4)
    same_tables_rounded(m1, m3)
    same_journeys(m1, m2)  # the journey analytics too
    same_journeys(m3, m4)


def test_parquet_path_and_spark_give_the_same_sessions(spark, tmp_path):
    """Sessions (a column, a gap) bound from a Parquet path and from Spark: the same
    session-level funnel, conformance, paths and flows."""
    pytest.importorskip("pyarrow")
    j = jw.datasets.clickstream_journey()
    df = jw.datasets.clickstream(customers=150, seed=7)
    df["timestamp"] = df["timestamp"].dt.floor("min")
    for c in ("event", "channel", "plan", "style"):
        df[c] = df[c].astype(str)
    path = tmp_path / "clicks.parquet"
    df.to_parquet(path, row_group_size=300)
    args = dict(customer="customer_id", time="timestamp", touchpoint="event", segment="plan")
    for how in ({"session": "session_id"}, {"session_gap": "10min"}):
        m1 = JourneyMetrics(j).bind_events(path, **args, **how)
        m2 = JourneyMetrics(j).bind_events(spark.read.parquet(str(path)), **args, **how)
        for m in (m1, m2):
            m.unit, m.window = "session", "5min"
        same_journeys(m1, m2)


def same_journeys(m1, m2):
    """The unit-level tables of the journey analytics agree."""
    pd.testing.assert_frame_equal(m1.stages, m2.stages)
    pd.testing.assert_frame_equal(m1.conformance(), m2.conformance())
    pd.testing.assert_frame_equal(m1.paths(15), m2.paths(15))
    pd.testing.assert_frame_equal(m1.flows(), m2.flows())
    pd.testing.assert_frame_equal(m1.flows("touchpoint"), m2.flows("touchpoint"))
    assert m1.conforming_counts() == m2.conforming_counts()
    pd.testing.assert_frame_equal(m1.opportunities(), m2.opportunities())


def test_spark_journey_analytics_match_pandas(spark):
    """Ordered and reached funnels, windows, paths, flows, conformance, customers and sessions
    (a session column and a gap): Spark computes the per-unit facts itself, same numbers."""
    j = jw.datasets.clickstream_journey()
    df = jw.datasets.clickstream(customers=150, seed=6)
    df["timestamp"] = df["timestamp"].dt.floor("min")  # ties, broken by row order
    for c in ("event", "channel", "plan", "style"):
        df[c] = df[c].astype(str)
    args = dict(customer="customer_id", time="timestamp", touchpoint="event", segment="plan")
    m1 = JourneyMetrics(j).bind_events(df, **args, session="session_id")
    m2 = JourneyMetrics(j).bind_events(spark.createDataFrame(df), **args, session="session_id")
    assert m2.engine_name == "spark"
    same_journeys(m1, m2)
    for m in (m1, m2):
        m.unit, m.window, m.segment = "session", "5min", "member"
    same_journeys(m1, m2)
    pd.testing.assert_frame_equal(m1.touchpoints, m2.touchpoints)
    for m in (m1, m2):
        m.funnel, m.segment = "reached", None
    same_journeys(m1, m2)
    j.move_touchpoint("cart-page", stage="checkout")  # live: a move recomputes in Spark
    same_journeys(m1, m2)
    g1 = JourneyMetrics(j).bind_events(df, **args, session_gap="10min")
    g2 = JourneyMetrics(j).bind_events(spark.createDataFrame(df), **args, session_gap="10min")
    g1.unit = g2.unit = "session"
    pd.testing.assert_frame_equal(g1.stages, g2.stages)
    pd.testing.assert_frame_equal(g1.paths(10), g2.paths(10))
