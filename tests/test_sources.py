"""Binding event logs that are not pandas frames in memory: Parquet and CSV paths, globs,
directories, pyarrow tables and datasets, DuckDB relations and polars frames, read in
batches (issue 13).

Every input gives the tables, the insights (data problems with the same counts), the
segments and the payload of the same log bound as a pandas frame, also when the log
is cut into many small batches whose customer dictionaries are merged several times
and whose times have different resolutions. Bad inputs give a clear JourneyError.
Progress is reported, and a bind interrupted from its progress callback leaves the
previous binding as it was (metrics and widget).
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pandas as pd
import pytest

import journeywidget as jw
from journeywidget.data import builder, sources
from journeywidget.data.metrics import JourneyMetrics
from journeywidget.data.progress import PHASES

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
ds = pytest.importorskip("pyarrow.dataset")
duckdb = pytest.importorskip("duckdb")
pl = pytest.importorskip("polars")

ARGS = dict(customer="customer_id", time="timestamp", touchpoint="event", segment="plan",
            value="value", channel="channel")


@pytest.fixture(scope="module")
def journey():
    return jw.Journey.from_template("ecommerce-purchase")


@pytest.fixture(scope="module")
def events(journey):
    """A log with every data problem: missing customers, times and keys, duplicated rows,
    plans that change, unmapped keys; the later rows have millisecond times."""
    df = jw.datasets.events(journey, customers=900, seed=21)
    for c in ("event", "channel", "plan"):
        df[c] = df[c].astype(object)
    rng = np.random.default_rng(3)
    n = len(df)
    df.loc[rng.choice(n, 25, replace=False), "customer_id"] = None
    df.loc[rng.choice(n, 20, replace=False), "timestamp"] = pd.NaT
    df.loc[rng.choice(n, 15, replace=False), "event"] = None
    df.loc[rng.choice(n, 60, replace=False), "plan"] = "pro"
    late = np.arange(n) > n // 2
    df.loc[late, "timestamp"] = df.loc[late, "timestamp"] + pd.to_timedelta(rng.integers(0, 999, late.sum()), "ms")
    df = pd.concat([df, df.iloc[100:130]], ignore_index=True)  # duplicated events
    return df


def tables(m) -> dict:
    """Everything a binding shows, JSON-like (NaN as None, so equal tables compare equal)."""
    return clean({
        "touchpoints": m.touchpoints.to_dict("records"), "stages": m.stages.to_dict("records"),
        "transitions": m.transitions.to_dict("records"), "segments": m.segments.to_dict("records"),
        "insights": [i.to_dict() for i in m.insights], "payload": m.to_payload(),
        "unmapped": m.unmapped_keys(), "customers": m.customers(None),
    })


def clean(value):
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@pytest.fixture(scope="module")
def files(tmp_path_factory, events):
    """The log as one Parquet file (small row groups), three part files, a directory of
    them and a CSV file."""
    d = tmp_path_factory.mktemp("logs")
    table = pa.Table.from_pandas(events, preserve_index=False)
    pq.write_table(table, d / "events.parquet", row_group_size=700)
    parts = d / "parts"
    parts.mkdir()
    n = len(events)
    for i, (a, b) in enumerate([(0, n // 3), (n // 3, 2 * n // 3), (2 * n // 3, n)]):
        pq.write_table(table.slice(a, b - a), parts / f"part-{i}.parquet", row_group_size=500)
    events.to_csv(d / "events.csv", index=False)
    return d


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 613 rows and customer dictionaries merged every few batches."""
    monkeypatch.setattr(sources, "BATCH_ROWS", 613)
    monkeypatch.setattr(builder, "_MERGE_MIN", 400)


def inputs(files):
    p = files / "events.parquet"
    return {
        "path": str(p), "pathlib": p, "glob": str(files / "parts" / "part-*.parquet"),
        "directory": files / "parts", "list": sorted((files / "parts").iterdir()),
        "pyarrow table": pq.read_table(p), "pyarrow dataset": ds.dataset(p),
        "duckdb relation": duckdb.sql(f"SELECT * FROM read_parquet('{p}')"),
        "polars lazyframe": pl.scan_parquet(p), "polars dataframe": pl.read_parquet(p),
        "csv": files / "events.csv",
    }


ENGINES = {"path": "parquet", "pathlib": "parquet", "glob": "parquet", "directory": "parquet",
           "list": "parquet", "pyarrow table": "pyarrow", "pyarrow dataset": "pyarrow",
           "duckdb relation": "duckdb", "polars lazyframe": "polars", "polars dataframe": "polars",
           "csv": "csv"}


def test_every_input_gives_the_tables_of_the_pandas_frame(journey, events, files, small_batches):
    want = tables(JourneyMetrics(journey).bind_events(events, **ARGS))
    kinds = {i["kind"] for i in want["insights"] if i["category"] == "data"}
    assert {"missing_customer", "missing_time", "missing_touchpoint", "duplicate_events",
            "segment_varies", "unmapped_key"} <= kinds
    for name, obj in inputs(files).items():
        m = JourneyMetrics(journey).bind_events(obj, **ARGS)
        assert m.engine_name == ENGINES[name], name
        got = tables(m)
        for key in want:
            assert got[key] == want[key], (name, key)


def journeys(m) -> dict:
    """The journey analytics of a binding, JSON-like."""
    return clean({"stages": m.stages.to_dict("records"), "conformance": m.conformance_records(),
                  "conforming": m.conforming_counts(), "paths": m.path_records(top=12),
                  "flows": m.flow_records("stage"), "tp_flows": m.flow_records("touchpoint"),
                  "units": m.units()})


@pytest.mark.parametrize("how", [{"session_gap": "20min"}, {"session": "session"}])
def test_every_input_gives_the_sessions_of_the_pandas_frame(journey, events, files, small_batches,
                                                           how, tmp_path):
    """Sessions (a gap, a column of ids merged across batches), the ordered funnel in a
    window and conformance: the same from every input kind as from the pandas frame."""
    if "session" in how:  # a session id per customer visit, as text (ids repeat across customers)
        events = events.assign(session=(events.groupby("customer_id").cumcount() // 3).astype(str))
        d = tmp_path / "sess"
        d.mkdir()
        pq.write_table(pa.Table.from_pandas(events, preserve_index=False), d / "events.parquet",
                       row_group_size=700)
        events.to_csv(d / "events.csv", index=False)
        src = {"path": d / "events.parquet", "pyarrow dataset": ds.dataset(d / "events.parquet"),
               "duckdb relation": duckdb.sql(f"SELECT * FROM read_parquet('{d / 'events.parquet'}')"),
               "polars lazyframe": pl.scan_parquet(d / "events.parquet"), "csv": d / "events.csv"}
    else:
        src = {k: v for k, v in inputs(files).items()
               if k in ("path", "glob", "pyarrow dataset", "duckdb relation", "polars lazyframe", "csv")}
    want_m = JourneyMetrics(journey).bind_events(events, **ARGS, **how)
    for name, obj in src.items():
        m = JourneyMetrics(journey).bind_events(obj, **ARGS, **how)
        for unit, window in (("customer", None), ("session", None), ("session", "15min")):
            for x in (want_m, m):
                x.unit, x.window = unit, window
            assert journeys(m) == journeys(want_m), (name, unit, window)


def test_many_batches_merge_customers_and_time_resolutions(events, small_batches, files):
    """The encoded log itself: the same customers, times and keys as one pandas batch."""
    cols = dict(customer="customer_id", time="timestamp", touchpoint="event", segment="plan")
    one = builder.build_store(events, **cols)
    many = builder.store_of(files / "events.parquet", {**cols, "value": None, "channel": None,
                                                        "order": None}, "files")
    assert (one.t_scale, one.t_base) == (many.t_scale, many.t_base)
    for attr in ("cust", "t_code", "key", "seg_of_cust"):
        assert np.array_equal(getattr(one, attr), getattr(many, attr)), attr
    assert one.keys == many.keys and one.problems == many.problems
    assert list(one.customer_values) == many.customer_values.to_pylist()


@pytest.mark.parametrize("late, span, scale", [("ms", 86_400, 1_000_000), ("us", 1_800, 1_000),
                                               ("ns", 60, 1), ("ms", 90 * 86_400, 1)])
def test_batches_with_other_time_resolutions_share_one_grid(tmp_path, small_batches, late, span,
                                                            scale):
    """Whole seconds in the first batches, finer times later: one exact grid for all
    (int32 codes when the span allows, else int64 ns), as for one pandas batch."""
    rng = np.random.default_rng(5)
    n = 3000
    t = pd.Timestamp("2026-02-01 08:00:00.25") + pd.to_timedelta(np.sort(rng.integers(0, span, n)), "s")
    t = pd.Series(t).astype("datetime64[ns]")
    t[n // 2:] += pd.to_timedelta(rng.integers(1, 999, n - n // 2), late)
    df = pd.DataFrame({"c": [f"u{x}" for x in rng.integers(0, 400, n)], "t": t,
                       "e": rng.choice(["a", "b"], n)})
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp_path / "t.parquet",
                   row_group_size=500)
    cols = dict(customer="c", time="t", touchpoint="e")
    one = builder.build_store(df, **cols)
    many = builder.store_of(tmp_path / "t.parquet", {**cols}, "files")
    assert one.t_scale == many.t_scale == scale
    assert one.t_code.dtype == many.t_code.dtype == (np.int64 if scale == 1 else np.int32)
    assert one.t_base == many.t_base and np.array_equal(one.t, many.t)
    assert np.array_equal(one.t_code, many.t_code) and np.array_equal(one.cust, many.cust)


def test_invalid_values_and_text_times_are_reported_alike(journey, tmp_path):
    df = pd.DataFrame({
        "c": ["a", "a", "b", "b", None, "c", "c"],
        "t": ["2026-01-01 10:00", "2026-01-01 11:00", "yesterday-ish", "2026-01-02T09:00:00",
              "2026-01-02", None, "2026-01-03 08:00"],
        "e": ["leaflet_qr_scan", "referral_from_forum", "leaflet_qr_scan", "LEAFLET_QR_SCAN",
              "leaflet_qr_scan", "leaflet_qr_scan", "referral_from_forum"],
        "v": ["12.5", "n/a", "3", None, "7", "x", "1"],
    })
    j = jw.Journey.from_template("buying-process")
    cols = dict(customer="c", time="t", touchpoint="e", value="v")
    want = tables(JourneyMetrics(j).bind_events(df, **cols))
    df.to_parquet(tmp_path / "x.parquet")
    df.to_csv(tmp_path / "x.csv", index=False)
    assert tables(JourneyMetrics(j).bind_events(tmp_path / "x.parquet", **cols)) == want
    # a CSV file reads as pandas.read_csv reads it ("n/a" is a missing value there)
    want_csv = tables(JourneyMetrics(j).bind_events(pd.read_csv(tmp_path / "x.csv"), **cols))
    assert tables(JourneyMetrics(j).bind_events(tmp_path / "x.csv", **cols)) == want_csv
    # an order column in a CSV file breaks ties as numbers (9 before 10), as in a frame
    ties = pd.DataFrame({"c": ["a"] * 3, "t": ["2026-01-01 10:00"] * 3, "o": [10, 9, 11],
                         "e": ["leaflet_qr_scan", "referral_from_forum", "leaflet_qr_scan"]})
    ties.to_csv(tmp_path / "ties.csv", index=False)
    tie_cols = dict(customer="c", time="t", touchpoint="e", order="o")
    assert tables(JourneyMetrics(j).bind_events(tmp_path / "ties.csv", **tie_cols)) == \
        tables(JourneyMetrics(j).bind_events(ties, **tie_cols))
    kinds = {i["kind"]: i for i in want["insights"]}
    assert kinds["invalid_value"]["value"] == 2 and kinds["unparsable_time"]["value"] == 1
    assert "yesterday-ish" in kinds["unparsable_time"]["message"]


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------

def test_bad_paths_missing_columns_and_non_parquet_files(journey, files, tmp_path):
    m = JourneyMetrics(journey)
    with pytest.raises(jw.JourneyError, match="no such file") as e:
        m.bind_events(tmp_path / "nope.parquet", **ARGS)
    assert "Fix" in str(e.value)
    with pytest.raises(jw.JourneyError, match="no file matches"):
        m.bind_events(str(tmp_path / "nothing-*.parquet"), **ARGS)
    # a column missing from the file: named, with the close match
    with pytest.raises(jw.BindingError, match="'customer'") as e:
        m.bind_events(files / "events.parquet", **{**ARGS, "customer": "customer"})
    assert e.value.column == "customer" and "customer_id" in str(e.value)
    # ... or from one file of several
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    part = pq.read_table(files / "parts" / "part-0.parquet")
    pq.write_table(part, mixed / "a.parquet")
    pq.write_table(part.drop(["plan"]), mixed / "b.parquet")
    with pytest.raises(jw.BindingError, match="'plan'.*b.parquet") as e:
        m.bind_events(mixed, **ARGS)
    assert e.value.column == "plan"
    # files that are not Parquet
    fake = tmp_path / "fake.parquet"
    fake.write_text("customer_id,timestamp\n1,2\n")
    with pytest.raises(jw.JourneyError, match="not a Parquet file"):
        m.bind_events(fake, **ARGS)
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(jw.JourneyError, match="neither a Parquet file"):
        m.bind_events(other, **ARGS)
    both = tmp_path / "both"
    both.mkdir()
    pq.write_table(part, both / "a.parquet")
    (both / "b.csv").write_text("x\n1\n")
    with pytest.raises(jw.JourneyError, match="mix formats"):
        m.bind_events(both, **ARGS)
    assert not m.has_events  # nothing half-bound


def test_type_clash_between_files_is_a_clear_error(journey, files, tmp_path):
    part = pq.read_table(files / "parts" / "part-0.parquet")
    d = tmp_path / "clash"
    d.mkdir()
    pq.write_table(part, d / "a.parquet")
    # integers where the first file has timestamps: Arrow would read them as microseconds
    ts = part.column("timestamp").cast(pa.int64())
    pq.write_table(part.set_column(part.schema.get_field_index("timestamp"), "timestamp", ts),
                   d / "b.parquet")
    with pytest.raises(jw.BindingError, match="'timestamp' is int64 in the file .*b.parquet") as e:
        JourneyMetrics(journey).bind_events(d, **ARGS)
    assert e.value.column == "timestamp" and "one type in every file" in str(e.value)
    # text where the first has timestamps, times with and without a time zone: the same
    for name, col in (("c", part.column("timestamp").cast(pa.string())),
                      ("d", part.column("timestamp").cast(pa.timestamp("us", tz="UTC")))):
        (d / "b.parquet").unlink(missing_ok=True)
        for f in d.glob("[cd].parquet"):
            f.unlink()
        pq.write_table(part.set_column(part.schema.get_field_index("timestamp"), "timestamp", col),
                       d / f"{name}.parquet")
        with pytest.raises(jw.BindingError, match="'timestamp' is"):
            JourneyMetrics(journey).bind_events(d, **ARGS)
    # a file whose row groups cannot be cast as the first file's: a clear error too
    (d / "d.parquet").unlink()
    pq.write_table(pa.table({"customer_id": ["x"], "timestamp": pa.array([1.5]), "event": ["y"],
                             "plan": ["free"], "value": [1.0], "channel": ["web"]}), d / "e.parquet")
    with pytest.raises(jw.BindingError, match="'timestamp' is double"):
        JourneyMetrics(journey).bind_events(d, **ARGS)
    # a damaged file among good ones
    (d / "e.parquet").write_bytes((d / "a.parquet").read_bytes()[:-40])
    with pytest.raises(jw.BindingError, match="e.parquet' is not a Parquet file pyarrow can read"):
        JourneyMetrics(journey).bind_events(d, **ARGS)


def test_without_pyarrow_paths_say_how_to_get_it(journey, files, monkeypatch):
    for mod in [m for m in sys.modules if m == "pyarrow" or m.startswith("pyarrow.")]:
        monkeypatch.setitem(sys.modules, mod, None)
    with pytest.raises(jw.JourneyError, match=r"journeywidget\[parquet\]"):
        JourneyMetrics(journey).bind_events(files / "events.parquet", **ARGS)


# ---------------------------------------------------------------------------
# progress and interrupts
# ---------------------------------------------------------------------------

def test_progress_reports_rows_and_phases_in_order(journey, events, files, small_batches):
    seen = []
    JourneyMetrics(journey).bind_events(files / "events.parquet", progress=seen.append, **ARGS)
    phases = [p.phase for p in seen]
    assert phases[0] == "reading" and phases[-1] == "done"
    order = [PHASES.index(p) for p in dict.fromkeys(phases)]
    assert order == sorted(order)
    assert seen[-1].rows == seen[-1].total == len(events)
    assert all(p.total == len(events) for p in seen)
    assert [p.rows for p in seen] == sorted(p.rows for p in seen)
    assert seen[-1].text.startswith("Bound:")


@pytest.mark.parametrize("phase", ["reading", "sorting", "indexing"])
def test_an_interrupted_bind_leaves_the_previous_binding(journey, events, files, phase, small_batches):
    m = JourneyMetrics(journey).bind_events(events.iloc[:4000], **ARGS)
    before, bid = tables(m), m.binding_id

    def interrupt(p):
        if p.phase == phase:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        m.bind_events(files / "events.parquet", progress=interrupt, **ARGS)
    assert m.binding_id == bid and tables(m) == before
    journey.move_touchpoint(journey.touchpoints[0].id, stage=journey.stages[1].id)
    journey.undo()  # still live on the old binding
    assert tables(m) == before


def test_an_interrupted_bind_frees_what_it_built(journey, files, monkeypatch):
    """The traceback of an interrupt (IPython keeps the last one) holds no half-built store."""
    import gc
    import weakref

    from journeywidget.data import binding

    built = []

    class Engine(binding.NumpyEngine):
        def __init__(self, store):
            super().__init__(store)
            built.append(weakref.ref(store))

        def set_mapping(self, tp_of_key, n_tp):  # interrupted while indexing
            store = self.store  # noqa: F841 - a local of a frame in the traceback
            raise KeyboardInterrupt

    monkeypatch.setattr(binding, "NumpyEngine", Engine)
    with pytest.raises(KeyboardInterrupt) as info:
        JourneyMetrics(journey).bind_events(files / "events.parquet", **ARGS)
    gc.collect()
    assert len(built) == 1 and built[0]() is None
    assert info.value.__traceback__ is not None  # the traceback itself is still there


def test_the_widget_shows_progress_and_survives_an_interrupt(journey, events, files, small_batches):
    w = jw.JourneyWidget(jw.Journey.from_dict(journey.to_dict()))
    w.bind_events(events.iloc[:4000], **ARGS)
    shown = []
    w.observe(lambda ch: shown.append(ch["new"]), names="_progress")
    metrics_before = json.dumps(w._metrics, sort_keys=True)

    def interrupt(p):
        if p.phase == "sorting":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        w.bind_events(files / "events.parquet", progress=interrupt, **ARGS)
    assert w._progress == {}
    assert json.dumps(w._metrics, sort_keys=True) == metrics_before
    assert w.charts.events is not None and len(w.charts.events) == 4000
    assert any(s.get("phase") == "reading" and s.get("total") == len(events) for s in shown)
    shown.clear()
    m = w.bind_events(files / "events.parquet", **ARGS)
    assert m.engine_name == "parquet" and w._progress == {}
    assert [s.get("phase") for s in shown if s][:1] == ["reading"]
    assert w._metrics["customers"] == m.customers(None)
    w.close()


# ---------------------------------------------------------------------------
# the other paths that take an event log
# ---------------------------------------------------------------------------

def test_chart_rows_feedback_and_drafts_from_files(journey, events, files, tmp_path):
    stage = journey.stages[3].id
    results = {}
    for name, obj in (("pandas", events), ("path", files / "events.parquet"),
                      ("dataset", ds.dataset(files / "events.parquet"))):
        w = jw.JourneyWidget(jw.Journey.from_dict(journey.to_dict()))
        w.bind_events(obj, **ARGS)
        w.segment = "pro"
        rows = w.charts.rows_for(stage)
        pdf = rows if isinstance(rows, pd.DataFrame) else rows.to_pandas()
        results[name] = sorted(map(str, pdf[["customer_id", "event"]].itertuples(index=False)))
        w.close()
    assert results["path"] == results["dataset"] == results["pandas"] and results["pandas"]

    survey = jw.datasets.survey(journey, responses=500, seed=2)
    survey.to_parquet(tmp_path / "survey.parquet")
    fb = dict(touchpoint="touchpoint", score="score", text="comment", customer="customer_id")
    a = JourneyMetrics(journey).bind_feedback(survey, **fb)
    b = JourneyMetrics(journey).bind_feedback(tmp_path / "survey.parquet", **fb)
    assert clean(a.feedback.to_dict("records")) == clean(b.feedback.to_dict("records")) != []

    draft = dict(customer="customer_id", time="timestamp", touchpoint="event", channel="channel")
    d1 = jw.Journey.from_events(events, **draft)
    d2 = jw.Journey.from_events(files / "events.parquet", **draft)
    d3 = jw.Journey.from_events(pl.scan_parquet(files / "events.parquet"), **draft)
    assert d1.to_dict()["stages"] == d2.to_dict()["stages"] == d3.to_dict()["stages"]
    strip = [{k: v for k, v in tp.items() if k != "id"} for tp in d1.to_dict()["touchpoints"]]
    assert strip == [{k: v for k, v in tp.items() if k != "id"} for tp in d2.to_dict()["touchpoints"]]


def test_the_notebook_bar_appears_for_long_binds_and_goes_away(monkeypatch):
    """In a kernel, ``progress=None`` shows an ipywidgets bar once a bind has taken a second
    (``True``: at once), fills it while reading and closes it at the end."""
    from journeywidget.data import progress as P

    shown = []
    monkeypatch.setattr(P, "_in_kernel", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda box: shown.append(box))
    callbacks, bar = P.progress_callbacks(None)
    assert callbacks == [bar] and bar.after == 1.0
    bar(P.BindProgress("reading", 10, 100, 0.5))
    assert shown == []  # a short bind shows nothing
    bar(P.BindProgress("reading", 40, 100, 1.5))
    assert len(shown) == 1 and bar.bar.value == 400 and bar.label.value.startswith("Reading rows: 40 of 100")
    bar(P.BindProgress("sorting", 100, 100, 2.0))
    assert bar.bar.value == 1000 and bar.label.value.startswith("Sorting events")
    bar(P.BindProgress("done", 100, 100, 2.5))
    assert bar.box is None and len(shown) == 1
    callbacks, bar = P.progress_callbacks(True)
    bar(P.BindProgress("reading", 1, None, 0.0))
    assert len(shown) == 2 and bar.label.value == "Reading rows: 1"
    bar.close()
    assert P.progress_callbacks(False) == ([], None)
    own = print
    assert P.progress_callbacks(own) == ([own], None)
    monkeypatch.setattr(P, "_in_kernel", lambda: False)
    assert P.progress_callbacks(None) == ([], None)


@pytest.mark.parametrize("seed", range(30))
def test_random_logs_in_tiny_batches_match_the_reference(tmp_path, monkeypatch, seed):
    """Random logs with ties, missing values and whole-second / ms / ns times, read from
    Parquet in batches of 13 rows with customer dictionaries merged every few batches, give
    the plain-Python reference's tables, for every segment."""
    from test_metrics import compare_to_reference, frame, random_case

    monkeypatch.setattr(sources, "BATCH_ROWS", 13)
    monkeypatch.setattr(builder, "_MERGE_MIN", 5)
    doc, rows = random_case(seed)
    if not any(r[0] is not None and r[1] is not None and r[2] is not None for r in rows):
        return
    path = tmp_path / "log.parquet"
    pq.write_table(pa.Table.from_pandas(frame(rows), preserve_index=False), path,
                   row_group_size=17)
    m = JourneyMetrics(doc).bind_events(path, customer="user", time="ts", touchpoint="event",
                                        value="amount", segment="plan")
    assert m.engine_name == "parquet"
    for funnel, window in [("ordered", None), ("reached", None), ("ordered", "9s")]:
        m.funnel, m.window, m.segment = funnel, window, None
        compare_to_reference(m, doc, rows)
        for seg in m.segment_values:
            m.segment = seg
            compare_to_reference(m, doc, rows, segment=seg)


@pytest.mark.parametrize("seed", range(12))
def test_random_sessions_in_tiny_batches_match_the_reference(tmp_path, monkeypatch, seed):
    """Sessions from a column (interleaving within a customer, its ids merged across batches
    like customers') and from a gap, read from Parquet in batches of 11 rows: the session
    funnel, conformance, paths and flows of the plain-Python reference."""
    from test_metrics import S, compare_to_reference, frame, random_case

    monkeypatch.setattr(sources, "BATCH_ROWS", 11)
    monkeypatch.setattr(builder, "_MERGE_MIN", 4)
    doc, rows = random_case(200 + seed)
    if not any(r[0] is not None and r[1] is not None and r[2] is not None for r in rows):
        return
    path = tmp_path / "log.parquet"
    pq.write_table(pa.Table.from_pandas(frame(rows), preserve_index=False), path, row_group_size=19)
    gap = (0, 3, 10)[seed % 3]
    for kw, gap_ns in (({"session": "sid"}, None),
                       ({"session_gap": f"{gap}s" if gap else "1ns"}, gap * S if gap else 1)):
        m = JourneyMetrics(doc).bind_events(path, customer="user", time="ts", touchpoint="event",
                                            value="amount", segment="plan", **kw)
        m.unit = "session"
        for funnel, window in [("ordered", None), ("reached", None), ("ordered", "7s")]:
            m.funnel, m.window, m.segment = funnel, window, None
            compare_to_reference(m, doc, rows, gap_ns=gap_ns)
            for seg in m.segment_values[:2]:
                m.segment = seg
                compare_to_reference(m, doc, rows, segment=seg, gap_ns=gap_ns)


@pytest.mark.parametrize("seed", range(3))
def test_moves_patch_the_facts_in_place_when_one_layout_is_kept(seed, monkeypatch):
    """Millions of units keep one layout's facts, and a move patches them in place: after
    any sequence of moves every table still equals a fresh binding's."""
    from journeywidget.data import live, numpy_engine
    from test_metrics import (
        test_moves_update_the_units_that_visit_the_moved_touchpoints_exactly as moves,
    )

    real, inplace = numpy_engine.merge_facts, []
    monkeypatch.setattr(numpy_engine, "KEEP_TWO_MAX", 0)
    # (the live state merges its moves when the full facts are asked for: a segment's tables)
    for mod in (numpy_engine, live):
        monkeypatch.setattr(mod, "merge_facts", lambda *a: inplace.append(a[3]) or real(*a))
    moves(seed, monkeypatch)
    assert inplace and all(inplace)


def test_checks_of_a_frame_hold_for_files_read_in_batches(tmp_path, small_batches):
    """Duplicate column names, times with and without a zone in different batches, event keys
    in another Unicode form: the same errors and numbers as for a pandas frame."""
    j = jw.Journey.from_template("buying-process")
    # duplicate column names
    t = pa.Table.from_arrays([pa.array(["a"]), pa.array([1]), pa.array(["x"]), pa.array(["y"])],
                             names=["c", "t", "e", "e"])
    pq.write_table(t, tmp_path / "dup.parquet")
    with pytest.raises(jw.BindingError, match="several columns named 'e'"):
        JourneyMetrics(j).bind_events(tmp_path / "dup.parquet", customer="c", time="t", touchpoint="e")
    # naive times in the first batches, times in UTC later: a mix, with the counts of both
    n = 2000
    times = [f"2026-01-01 10:{i % 60:02d}:00" for i in range(n)]
    times[1500:] = [f"2026-01-02T10:{i % 60:02d}:00Z" for i in range(1500, n)]
    df = pd.DataFrame({"c": [f"u{i % 97}" for i in range(n)], "t": times, "e": "leaflet_qr_scan"})
    df.to_csv(tmp_path / "tz.csv", index=False)
    df.to_parquet(tmp_path / "tz.parquet")
    with pytest.raises(jw.BindingError) as frame_err:
        JourneyMetrics(j).bind_events(df, customer="c", time="t", touchpoint="e")
    for path in (tmp_path / "tz.csv", tmp_path / "tz.parquet"):
        with pytest.raises(jw.BindingError) as e:
            JourneyMetrics(j).bind_events(path, customer="c", time="t", touchpoint="e")
        assert str(e.value) == str(frame_err.value)
        assert "500 rows, e.g. '2026-01-02T10:00:00Z'" in str(e.value) and "1,500 rows" in str(e.value)
    # keys written with a combining accent match the touchpoint's precomposed key
    doc = {"stages": [{"id": "s", "name": "S"}],
           "touchpoints": [{"id": "c", "name": "Café", "stage": "s", "event_keys": ["café"]}]}
    keys = pd.DataFrame({"c": ["a", "b", "c"], "t": [1, 2, 3], "e": ["cafe\u0301", "caf\u00e9", "x"]})
    keys.to_parquet(tmp_path / "nfc.parquet")
    cols = dict(customer="c", time="t", touchpoint="e")
    a = JourneyMetrics(doc).bind_events(keys, **cols)
    b = JourneyMetrics(doc).bind_events(tmp_path / "nfc.parquet", **cols)
    assert tables(a) == tables(b) and a.touchpoints["customers"].tolist() == [2]
