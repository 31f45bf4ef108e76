"""Benchmark: binding an event log to a journey map.

    python benchmarks/bind.py                 # 1M and 10M events, all comparisons
    python benchmarks/bind.py --sizes 1e6     # just 1M
    python benchmarks/bind.py --no-others     # skip retentioneering / pm4py
    python benchmarks/bind.py --parquet       # 10M, 30M and 100M events from Parquet files
    python benchmarks/bind.py --parquet --sizes 1e7,3e7

Parquet mode (``--parquet``): the logs are written once to
``~/.cache/journeywidget-bench/events-<n>.parquet`` (string customer ids such as
``C000001234``, sorted by time, row groups of 1M rows; ~7 events per customer, so
30M events are ~4.2M customers) and, for each size, in fresh processes (so each
peak is the process's own), it prints: the bind from the path and the cold bind
with every table and the payload, hand-written DuckDB SQL computing the same
tables over the same file (2 threads) and the ratio, the peak RSS of the binding
process (VmHWM, everything included), and live updates: a touchpoint moved to
another stage, then a segment switch (the stage table with the ordered funnel, and
the payload). Then the same bind with sessions (a 30-minute gap) and every table in
sessions, with its live updates (``--no-sessions`` skips it). The load average is
printed with each run: the machine should be quiet.

For each size it generates a log (~30 touchpoints in 8 stages, branching,
drop-off, repeats, backtracking, 2% unmapped keys) with ``jw.datasets.events``
and times, in this one process:

* journeywidget cold bind: ``JourneyMetrics(j).bind_events(...)`` and every
  table (touchpoints, stages, transitions, insights) and the payload;
* a live update: move one touchpoint to another stage, then read the stage
  table and the payload again (what the widget does on that edit);
* the same workload as hand-written DuckDB SQL (LEAD over customers, group-bys,
  exact quantiles, per-customer stage spans), and its stage part alone;
* retentioneering and pm4py (installed into a separate venv at run time; if
  that fails the reason is printed) on a comparable workload — their
  time is measured in a subprocess;
* peak memory of the bind above the process baseline (VmHWM, reset first) vs
  the input frame's in-memory size, and the payload size;
* the journey analytics (issue 10): sessions (a 30-minute gap) + the ordered funnel
  + conformance, from the frame, against hand-written DuckDB SQL computing the same
  tables (sessions by LAG over each customer, the funnel by chained earliest-match
  joins like retentioneering's, stage runs, first visits, steps back) in the same
  run; and a live update (move a touchpoint, read the stage table and the payload)
  in session units.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import journeywidget as jw  # noqa: E402
from journeywidget.data.metrics import JourneyMetrics  # noqa: E402

STAGES = ["Awareness", "Interest", "Consideration", "Trial", "Purchase", "Onboarding",
          "Retention", "Advocacy"]
PER_STAGE = [4, 4, 4, 4, 4, 4, 3, 3]  # 30 touchpoints
CHANNELS = ["web", "mobile_app", "email", "ads", "social", "chat", "phone", "store"]


def bench_journey():
    j = jw.Journey("Benchmark journey", journey_type="purchase")
    n = 0
    for s, k in zip(STAGES, PER_STAGE):
        sid = j.add_stage(s)
        for i in range(k):
            name = f"{s} step {i + 1}" if s != "Purchase" or i else "Checkout"
            j.add_touchpoint(name, stage=sid, channel=CHANNELS[n % len(CHANNELS)],
                             event_keys=[f"ev_{n:02d}_a", f"ev_{n:02d}_b"])
            n += 1
    return j


def rss_peak_reset():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def vm(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def make_log(j, n_events, seed=0):
    probe = jw.datasets.events(j, customers=20_000, seed=seed, customer_ids="int",
                               continue_prob=0.8)
    per = len(probe) / 20_000
    customers = int(n_events / per)
    df = jw.datasets.events(j, customers=customers, seed=seed, customer_ids="int",
                            continue_prob=0.8)
    return df.drop(columns=["channel"])


ARGS = dict(customer="customer_id", time="timestamp", touchpoint="event", value="value",
            segment="plan")


def run_jw(j, df):
    gc.collect()
    base = vm("VmRSS")
    rss_peak_reset()
    t0 = time.perf_counter()
    m = JourneyMetrics(j).bind_events(df, **ARGS)
    t_bind = time.perf_counter() - t0
    tables = (m.touchpoints, m.stages, m.transitions, m.insights)
    payload = m.to_payload()
    t_cold = time.perf_counter() - t0
    peak = vm("VmHWM") - base
    size = len(json.dumps(payload, allow_nan=False).encode())
    # live: move one touchpoint to another stage
    tp = [t for t in j.touchpoints if t.stage == j.stages[2].id][0].id
    t1 = time.perf_counter()
    j.move_touchpoint(tp, stage=j.stages[5].id)
    st = m.stages
    payload2 = m.to_payload()
    t_live = time.perf_counter() - t1
    j.undo()
    t2 = time.perf_counter()
    m.segment = "pro"
    m.to_payload()
    t_seg = time.perf_counter() - t2
    m.segment = None
    del tables, st, payload2
    return dict(bind=t_bind, cold=t_cold, live=t_live, segment=t_seg, peak=peak, payload=size,
                m=m)


def mem_child(path: str) -> None:
    """In a fresh process: load the frame, then measure the bind's peak memory two ways."""
    import tracemalloc

    df = pd.read_parquet(path)
    for c in ("event", "plan"):
        df[c] = df[c].astype("category")
    frame = int(df.memory_usage(deep=True).sum())
    j = bench_journey()
    gc.collect()
    base = vm("VmRSS")
    rss_peak_reset()
    m = JourneyMetrics(j).bind_events(df, **ARGS)
    m.to_payload()
    hwm = vm("VmHWM") - base
    del m
    gc.collect()
    tracemalloc.start()
    m = JourneyMetrics(j).bind_events(df, **ARGS)
    m.to_payload()
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print("MEM " + json.dumps({"frame": frame, "rss_peak": hwm, "traced_peak": traced}))


def measure_memory(df) -> dict | None:
    with tempfile.TemporaryDirectory() as tmp:
        pq = Path(tmp) / "events.parquet"
        df.to_parquet(pq)
        r = subprocess.run([sys.executable, __file__, "--mem-child", str(pq)], capture_output=True,
                           text=True, timeout=1800)
    for line in r.stdout.splitlines():
        if line.startswith("MEM "):
            return json.loads(line[4:])
    print("memory measurement failed:", (r.stderr or r.stdout)[-800:])
    return None


GAP = "30min"


def run_journeys(j, df):
    """Sessions + ordered funnel + conformance from the frame, and a live move in sessions."""
    gc.collect()
    t0 = time.perf_counter()
    m = JourneyMetrics(j).bind_events(df, **ARGS, session_gap=GAP)
    m.unit = "session"
    st, cf, share = m.stages, m.conformance(), m.conforming_share
    total = time.perf_counter() - t0
    m.to_payload()
    tp = [t for t in j.touchpoints if t.stage == j.stages[2].id][0].id
    t1 = time.perf_counter()
    j.move_touchpoint(tp, stage=j.stages[5].id)
    moved = (m.stages, m.to_payload())
    live = time.perf_counter() - t1
    del moved
    j.undo()
    return dict(total=total, live=live, reach=st["reached"].tolist(), share=share,
                skipped=cf["skipped"].tolist(), back=cf["out_of_order"].tolist())


DUCKDB_MEMORY = os.environ.get("DUCKDB_MEMORY", "10GB")


def duckdb_connect(j, df=None, path=None):
    """A DuckDB connection (2 threads) with the frame (or the Parquet file) as ``raw`` and
    ``keymap(key, tp, stage)``. Over a file DuckDB may use ``DUCKDB_MEMORY`` (default 10GB)
    and spills beyond it to a temporary directory (its default, 80 % of the machine's
    memory, took 19 GiB at 100M events: too much on a shared machine)."""
    import duckdb

    doc = j.to_dict()
    sidx = {s["id"]: k for k, s in enumerate(doc["stages"])}
    keymap = pd.DataFrame([(k, tp["id"], sidx[tp["stage"]]) for tp in doc["touchpoints"]
                           for k in tp["event_keys"]], columns=["key", "tp", "stage"])
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    if path is not None:
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
        con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/jw-bench-duckdb'")
        con.execute(f"CREATE VIEW raw AS SELECT * FROM read_parquet('{path}')")
    else:
        con.register("raw", df)
    con.register("keymap", keymap)
    return con


def duckdb_journeys(j, df):
    """The same tables as run_journeys, as hand-written DuckDB SQL."""

    S = len(j.stages)
    con = duckdb_connect(j, df)
    t0 = time.perf_counter()
    # sessions: a new one after more than 30 minutes without an event (all valid events)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE ev AS
        WITH e AS (SELECT customer_id AS c, timestamp AS ts, event::VARCHAR AS k,
                          row_number() OVER () AS rn
                   FROM raw WHERE customer_id IS NOT NULL AND timestamp IS NOT NULL AND event IS NOT NULL),
        g AS (SELECT *, CASE WHEN lag(ts) OVER w IS NULL OR ts - lag(ts) OVER w > INTERVAL 30 MINUTE
                             THEN 1 ELSE 0 END AS new
              FROM e WINDOW w AS (PARTITION BY c ORDER BY ts, rn))
        SELECT c, sum(new) OVER (PARTITION BY c ORDER BY ts, rn ROWS UNBOUNDED PRECEDING) AS sid,
               ts, rn, k FROM g
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE me AS
        SELECT c, sid, ts, km.stage, row_number() OVER (PARTITION BY c, sid ORDER BY ts, rn) AS pos
        FROM ev JOIN keymap km ON km.key = ev.k
    """)
    units = con.execute("SELECT count(*) FROM (SELECT DISTINCT c, sid FROM ev)").fetchone()[0]
    # the ordered funnel: earliest match of each stage after the previous stage's match
    ctes = ["m0 AS (SELECT c, sid, min(pos) AS p, arg_min(ts, pos) AS t0 FROM me WHERE stage = 0 GROUP BY c, sid)"]
    for k in range(1, S):
        ctes.append(f"m{k} AS (SELECT me.c, me.sid, min(me.pos) AS p, any_value(m{k - 1}.t0) AS t0, "
                    f"arg_min(me.ts, me.pos) AS tk FROM me JOIN m{k - 1} USING (c, sid) "
                    f"WHERE me.stage = {k} AND me.pos > m{k - 1}.p GROUP BY me.c, me.sid)")
    sel = ", ".join(["(SELECT count(*) FROM m0)"] + [
        f"(SELECT count(*) FROM m{k}), (SELECT median(epoch(tk - t0)) FROM m{k})" for k in range(1, S)])
    funnel = con.execute(f"WITH {', '.join(ctes)} SELECT {sel}").fetchone()
    dwell = con.execute("""SELECT stage, median(epoch(last - first)) FROM
        (SELECT c, sid, stage, min(ts) AS first, max(ts) AS last FROM me GROUP BY ALL) GROUP BY stage""").fetchall()
    # conformance: stage runs, first visits, skips, steps back, conforming paths
    con.execute("""
        CREATE OR REPLACE TEMP TABLE sr AS
        SELECT c, sid, stage, row_number() OVER (PARTITION BY c, sid ORDER BY pos) AS q FROM
          (SELECT c, sid, pos, stage, lag(stage) OVER (PARTITION BY c, sid ORDER BY pos) AS prev FROM me)
        WHERE prev IS NULL OR prev <> stage
    """)
    conf = con.execute(f"""
        WITH fo AS (SELECT c, sid, stage, min(q) AS fq FROM sr GROUP BY ALL),
        per AS (SELECT c, sid, r.range AS k, min(CASE WHEN stage > r.range THEN fq END) AS later,
                       min(CASE WHEN stage = r.range THEN fq END) AS own
                FROM fo CROSS JOIN range({S}) r GROUP BY ALL),
        back AS (SELECT DISTINCT c, sid, stage FROM
                   (SELECT c, sid, stage, lead(stage) OVER (PARTITION BY c, sid ORDER BY q) AS nxt FROM sr)
                 WHERE nxt < stage)
        SELECT k, count(own) AS reached,
               count(*) FILTER (WHERE later IS NOT NULL AND (own IS NULL OR later < own)) AS skipped,
               (SELECT count(*) FROM back WHERE back.stage = per.k) AS out_of_order
        FROM per GROUP BY k ORDER BY k
    """).fetchall()
    conforming = con.execute("""SELECT count(*) FILTER (WHERE ok), count(*) FROM
        (SELECT c, sid, bool_and(stage = q - 1) AS ok FROM sr GROUP BY ALL)""").fetchone()
    total = time.perf_counter() - t0
    con.close()
    return dict(total=total, units=units, reach=[funnel[0]] + [funnel[1 + 2 * (k - 1)] for k in range(1, S)],
                skipped=[r[2] for r in conf], back=[r[3] for r in conf],
                share=conforming[0] / conforming[1], dwell=len(dwell))


def duckdb_sql(j, df=None, path=None):
    """The same tables as hand-written DuckDB SQL, over a frame or a Parquet file."""
    con = duckdb_connect(j, df, path)
    t0 = time.perf_counter()
    con.execute("""
        CREATE OR REPLACE TEMP TABLE ev AS
        SELECT e.customer_id AS c, e.timestamp AS ts, e.rn, k.tp, k.stage, e.value, e.plan
        FROM (SELECT customer_id, timestamp, event::VARCHAR AS event, value, plan::VARCHAR AS plan,
                     row_number() OVER () AS rn FROM raw
              WHERE customer_id IS NOT NULL AND timestamp IS NOT NULL AND event IS NOT NULL) e
        JOIN keymap k ON k.key = e.event
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE seq AS
        SELECT c, ts, tp, stage, value,
               lead(ts) OVER w AS nts, lead(tp) OVER w AS ntp, lead(stage) OVER w AS nstage
        FROM ev WINDOW w AS (PARTITION BY c ORDER BY ts, rn)
    """)
    tps = con.execute("""
        SELECT tp, count(*) AS events, count(DISTINCT c) AS customers,
               quantile_cont(epoch(nts - ts), 0.5) AS median_next_s,
               quantile_cont(epoch(nts - ts), 0.9) AS p90_next_s,
               avg(value) AS mean_value, count(*) FILTER (WHERE nts IS NULL) AS exits
        FROM seq GROUP BY tp""").fetchall()
    trans = con.execute("""
        SELECT tp, ntp, count(*), count(DISTINCT c), quantile_cont(epoch(nts - ts), 0.5)
        FROM seq WHERE ntp IS NOT NULL GROUP BY tp, ntp""").fetchall()
    total = con.execute("SELECT count(DISTINCT customer_id) FROM raw").fetchall()
    t_stage0 = time.perf_counter()
    stages = con.execute("""
        SELECT stage, count(*) AS customers, quantile_cont(epoch(last - first), 0.5) AS med
        FROM (SELECT c, stage, min(ts) AS first, max(ts) AS last FROM ev GROUP BY c, stage)
        GROUP BY stage ORDER BY stage""").fetchall()
    back = con.execute("""
        SELECT count(DISTINCT c) FROM seq WHERE nstage IS NOT NULL AND nstage < stage""").fetchall()
    t_end = time.perf_counter()
    unm = con.execute("""
        SELECT event::VARCHAR, count(*) FROM raw ANTI JOIN keymap k ON k.key = raw.event::VARCHAR
        GROUP BY 1""").fetchall()
    t_end2 = time.perf_counter()
    con.close()
    return dict(total=t_end2 - t0, stage_part=t_end - t_stage0, n=(len(tps), len(trans), len(stages),
                                                                  total, back, len(unm)))


OTHERS_SCRIPT = textwrap.dedent(r'''
    import sys, time, json, warnings
    warnings.filterwarnings("ignore")
    import pandas as pd
    which, path, stages_json = sys.argv[1], sys.argv[2], sys.argv[3]
    df = pd.read_parquet(path)
    stage_keys = json.loads(stages_json)
    out = {}
    t0 = time.perf_counter()
    if which == "retentioneering":
        # retentioneering 5: Eventstream + transition counts / unique paths / median times,
        # a funnel over one event per stage, event counts
        from retentioneering.eventstream import Eventstream
        es = Eventstream(df, schema={"path_cols": ["customer_id"], "event_col": "event",
                                     "timestamp_col": "timestamp"})
        out["eventstream_s"] = time.perf_counter() - t0
        es.transition_graph_data(edge_weight="count")
        es.transition_graph_data(edge_weight="unique_paths")
        es.transition_graph_data(edge_weight="time_median")
        out["transitions_s"] = time.perf_counter() - t0
        es.funnel_data(steps=stage_keys)
        out["funnel_s"] = time.perf_counter() - t0
        es.get_event_counts()
    else:
        import pm4py
        log = pm4py.format_dataframe(df, case_id="customer_id", activity_key="event",
                                     timestamp_key="timestamp")
        out["format_s"] = time.perf_counter() - t0
        dfg, start, end = pm4py.discover_dfg(log)
        out["dfg_s"] = time.perf_counter() - t0
        perf, _, _ = pm4py.discover_performance_dfg(log)
        out["performance_dfg_s"] = time.perf_counter() - t0
        pm4py.get_event_attribute_values(log, "event")
    out["total_s"] = time.perf_counter() - t0
    print("RESULT " + json.dumps(out))
''')


def ensure_venv(venv: Path) -> tuple[Path | None, str]:
    py = venv / "bin" / "python"
    if not py.exists():
        r = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
        if r.returncode:
            return None, "venv failed: " + r.stderr[-500:]
    return py, ""


def install(py: Path, pkgs: list[str]) -> str:
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", *pkgs], capture_output=True,
                       text=True, timeout=900)
    return "" if r.returncode == 0 else (r.stderr or r.stdout)[-1500:]


def run_other(which: str, py: Path, parquet: Path, stage_keys: list, timeout: float):
    script = Path(tempfile.gettempdir()) / "jw_bench_other.py"
    script.write_text(OTHERS_SCRIPT)
    t0 = time.perf_counter()
    try:
        r = subprocess.run([str(py), str(script), which, str(parquet), json.dumps(stage_keys)],
                           capture_output=True, text=True, timeout=timeout,
                           env={**os.environ, "RETENTIONEERING_NO_TRACK": "1"})
    except subprocess.TimeoutExpired:
        return None, f"did not finish within {timeout:.0f} s (killed)"
    wall = time.perf_counter() - t0
    for line in r.stdout.splitlines():
        if line.startswith("RESULT "):
            res = json.loads(line[7:])
            res["wall_s"] = wall
            return res, ""
    return None, (r.stderr or r.stdout)[-1500:]


# ---------------------------------------------------------------------------
# Parquet mode
# ---------------------------------------------------------------------------

CACHE = Path(os.environ.get("JW_BENCH_CACHE", Path.home() / ".cache" / "journeywidget-bench"))
CHUNK_CUSTOMERS = 500_000


def parquet_file(n: int) -> Path:
    """The cached log of about ``n`` events (written once, through DuckDB's external sort)."""
    import duckdb

    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / f"events-{n}.parquet"
    if out.exists():
        return out
    j = bench_journey()
    tmp = CACHE / f"chunks-{n}"
    tmp.mkdir(exist_ok=True)
    done, i = 0, 0
    t0 = time.perf_counter()
    while done < n:  # chunks of customers, one seed each; ids continue across chunks
        want = min(CHUNK_CUSTOMERS, max(1, int((n - done) / 7.2)))
        df = jw.datasets.events(j, customers=want, seed=i, customer_ids="int", continue_prob=0.7)
        df = df.drop(columns=["channel"])
        df["customer_id"] += i * CHUNK_CUSTOMERS
        df["chunk"] = np.int32(i)
        df["event"] = df["event"].astype(str)
        df["plan"] = df["plan"].astype(str)
        df.to_parquet(tmp / f"{i:04d}.parquet")
        done += len(df)
        i += 1
        del df
    con = duckdb.connect()
    con.execute(f"SET temp_directory = '{tmp}'")
    con.execute("SET enable_progress_bar = false")
    con.execute("SET memory_limit = '6GB'")
    con.execute(f"""
        COPY (SELECT 'C' || lpad(customer_id::VARCHAR, 9, '0') AS customer_id, timestamp, event,
                     plan, value
              FROM read_parquet('{tmp}/*.parquet', file_row_number = true)
              ORDER BY timestamp, chunk, file_row_number)
        TO '{out}.part' (FORMAT parquet, ROW_GROUP_SIZE 1048576)""")
    con.close()
    os.replace(f"{out}.part", out)
    for f in tmp.iterdir():
        f.unlink()
    tmp.rmdir()
    print(f"wrote {out} ({done:,} events) in {time.perf_counter() - t0:.0f} s", flush=True)
    return out


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _live(j, m) -> tuple[float, float]:
    """Median seconds of a touchpoint moved to another stage (stage table and payload read
    again, as the widget does) and of a segment switch (payload), three of each."""
    lives, segs = [], []
    stage_tps = [t.id for t in j.touchpoints if t.stage == j.stages[2].id]
    for k in range(3):  # move a touchpoint to another stage, then switch segment
        t1 = time.perf_counter()
        j.move_touchpoint(stage_tps[k], stage=j.stages[5].id)
        tables = (m.stages, m.to_payload())
        lives.append(time.perf_counter() - t1)
        t1 = time.perf_counter()
        m.segment = ("pro", "free", "enterprise")[k]
        m.to_payload()
        segs.append(time.perf_counter() - t1)
        m.segment = None
        del tables
    return statistics.median(lives), statistics.median(segs)


def parquet_child(mode: str, path: str) -> None:
    """In a fresh process: bind ``path`` (mode "jw", "jw1": on one core; "jws": with sessions
    split at 30-minute gaps, the tables in sessions) or run the DuckDB SQL (mode "duckdb")."""
    j = bench_journey()
    out: dict = {"load_before": _load()}
    if mode == "jw1":  # one core: the engine's threads and pyarrow's decoding
        import pyarrow

        pyarrow.set_cpu_count(1)
        os.environ["JOURNEYWIDGET_THREADS"] = "1"
    if mode == "duckdb":
        out.update(duckdb_sql(j, path=path))
    else:
        t0 = time.perf_counter()
        kw = {"session_gap": GAP} if mode == "jws" else {}
        m = JourneyMetrics(j).bind_events(path, progress=False, **ARGS, **kw)  # (jw, jw1, jws)
        out["bind"] = time.perf_counter() - t0
        if mode == "jws":
            m.unit = "session"
            out["sessions"] = m.units()
        tables = (m.touchpoints, m.stages, m.transitions, m.insights, m.conformance(), m.to_payload())
        out["cold"] = time.perf_counter() - t0
        out["events"], out["customers"] = m._engine.n_events, m._engine.n_customers
        del tables
        out["peak_rss"] = vm("VmHWM")  # the bind and every table
        out["live"], out["segment"] = _live(j, m)
    out["load_after"] = _load()
    print("RESULT " + json.dumps(out, default=str))


def run_child(mode: str, path: Path) -> dict | None:
    """Run a child; its result, plus the CPU seconds (user + system) it used."""
    import resource

    env = {**os.environ, "JOURNEYWIDGET_THREADS": "1"} if mode == "jw1" else None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run([sys.executable, __file__, "--parquet-child", mode, str(path)],
                       capture_output=True, text=True, timeout=7200, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    for line in r.stdout.splitlines():
        if line.startswith("RESULT "):
            return {**json.loads(line[7:]), "cpu": cpu}
    print(f"{mode} run failed:", (r.stderr or r.stdout)[-1500:])
    return None


def parquet_mode(sizes: list[int], repeat: int, sessions: bool = True) -> None:
    import duckdb
    import pyarrow

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, pyarrow {pyarrow.__version__}, "
          f"duckdb {duckdb.__version__}, cores {os.cpu_count()}, load {_load()}")
    rows = []
    for n in sizes:
        path = parquet_file(n)
        print(f"\n=== {path.name}: {path.stat().st_size / 2**20:.0f} MiB ===", flush=True)
        jw_runs, dk_runs, one_runs = [], [], []
        for _ in range(max(repeat, 1)):  # alternate, so all see the same machine
            dk_runs.append(run_child("duckdb", path))
            jw_runs.append(run_child("jw", path))
            if n == sizes[0]:  # both cores, measured: the same bind on one core
                one_runs.append(run_child("jw1", path))
        jw_runs = [r for r in jw_runs if r]
        dk_runs = [r for r in dk_runs if r] or [{"total": math.nan, "cpu": math.nan}]
        if not jw_runs:
            continue
        r = min(jw_runs, key=lambda x: x["cold"])
        d = min(dk_runs, key=lambda x: x["total"])
        ratio = r["cold"] / d["total"]
        print(f"events {r['events']:,}, customers {r['customers']:,}")
        print(f"journeywidget bind from the path           {r['bind']:.2f} s")
        print(f"journeywidget bind + every table + payload {r['cold']:.2f} s "
              f"(the process: {r['cpu']:.1f} CPU s)")
        print(f"hand-written DuckDB SQL, same tables        {d['total']:.2f} s "
              f"(the process: {d['cpu']:.1f} CPU s)")
        print(f"ratio journeywidget / DuckDB                {ratio:.2f}x  "
              f"[goal <= 0.5x: {'OK' if ratio <= 0.5 else 'MISSED'}]")
        print(f"peak RSS of the binding process             {r['peak_rss'] / 2**30:.2f} GiB")
        print(f"live update: move a touchpoint              {r['live'] * 1000:.0f} ms")
        print(f"live update: switch segment                 {r['segment'] * 1000:.0f} ms")
        ses = run_child("jws", path) if sessions else None
        if ses:
            print(f"with sessions ({GAP} gap, {ses['sessions']:,}), tables in sessions: "
                  f"bind {ses['bind']:.2f} s, + every table {ses['cold']:.2f} s, "
                  f"peak RSS {ses['peak_rss'] / 2**30:.2f} GiB")
            print(f"live update in sessions: move a touchpoint  {ses['live'] * 1000:.0f} ms")
            print(f"live update in sessions: switch segment     {ses['segment'] * 1000:.0f} ms")
        one_runs = [x for x in one_runs if x]
        if one_runs:  # (best of each, the runs alternating: the machine's noise is large)
            one = min(one_runs, key=lambda x: x["cold"])
            print(f"the same bind on one core                  {one['cold']:.2f} s "
                  f"(both cores: {one['cold'] / r['cold']:.2f}x faster; bind alone "
                  f"{one['bind']:.2f} s vs {r['bind']:.2f} s)")
        print(f"load average (1/5/15 min) jw runs: "
              f"{', '.join(x['load_before'] + ' -> ' + x['load_after'] for x in jw_runs)}")
        rows.append((r["events"], r["customers"], r["bind"], r["cold"], d["total"], ratio,
                     r["peak_rss"], r["live"], r["segment"],
                     *((ses["live"], ses["segment"]) if ses else (math.nan, math.nan)), r["load_before"]))
    if rows:
        print("\n| events | customers | bind s | bind + tables s | DuckDB s | ratio | peak RSS GiB "
              "| move ms | segment ms | move ms (sessions) | segment ms (sessions) | load |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|---|")
        for ev, cu, b, c, dk, ra, pk, lv, sg, slv, ssg, ld in rows:
            print(f"| {ev:,} | {cu:,} | {b:.2f} | {c:.2f} | {dk:.2f} | {ra:.2f}x | {pk / 2**30:.2f} "
                  f"| {lv * 1000:.0f} | {sg * 1000:.0f} | {slv * 1000:.0f} | {ssg * 1000:.0f} | {ld} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1e6,1e7")
    ap.add_argument("--no-others", action="store_true")
    ap.add_argument("--venv", default=str(Path(tempfile.gettempdir()) / "jw-bench-venv"))
    ap.add_argument("--other-timeout", type=float, default=1800)
    ap.add_argument("--repeat", type=int, default=1, help="best of N timings")
    ap.add_argument("--mem-child", help=argparse.SUPPRESS)
    ap.add_argument("--parquet", action="store_true", help="bind Parquet files (10M, 30M, 100M)")
    ap.add_argument("--parquet-child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--no-sessions", action="store_true",
                    help="--parquet: skip the binds with sessions (the live updates in sessions)")
    a = ap.parse_args()
    if a.mem_child:
        mem_child(a.mem_child)
        return
    if a.parquet_child:
        parquet_child(*a.parquet_child)
        return
    if a.parquet:
        sizes = a.sizes if a.sizes != ap.get_default("sizes") else "1e7,3e7,1e8"
        parquet_mode([int(float(x)) for x in sizes.split(",")], a.repeat, not a.no_sessions)
        return
    sizes = [int(float(x)) for x in a.sizes.split(",")]
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"cores {os.cpu_count()}")
    others = {}
    if not a.no_others:
        py, err = ensure_venv(Path(a.venv))
        for pkg in ("retentioneering", "pm4py"):
            if py is None:
                others[pkg] = (None, err)
                continue
            e = install(py, [pkg, "pyarrow"])
            others[pkg] = (py, "") if not e else (None, "pip install failed: " + e)
            if e:
                print(f"[{pkg}] could not be installed:\n{textwrap.indent(e.strip(), '    ')}")
    for n in sizes:
        print(f"\n=== {n:,} events target ===")
        j = bench_journey()
        t0 = time.perf_counter()
        df = make_log(j, n)
        frame_bytes = int(df.memory_usage(deep=True).sum())
        print(f"generated {len(df):,} events, {df['customer_id'].nunique():,} customers, "
              f"{len(j.touchpoints)} touchpoints, {len(j.stages)} stages in "
              f"{time.perf_counter() - t0:.1f} s; frame {frame_bytes / 2**20:.0f} MiB")
        runs = []
        for _ in range(max(a.repeat, 1)):
            runs.append(run_jw(j, df))
            gc.collect()
        r = min(runs, key=lambda x: x["cold"])
        r["live"] = min(x["live"] for x in runs)
        r["segment"] = min(x["segment"] for x in runs)
        del runs
        print(f"journeywidget cold bind (bind only)      {r['bind']:.3f} s")
        print(f"journeywidget cold bind + all tables     {r['cold']:.3f} s")
        print(f"live update (move touchpoint + payload)  {r['live'] * 1000:.1f} ms  "
              f"[goal < 100 ms: {'OK' if r['live'] < 0.1 else 'MISSED'}]")
        print(f"segment switch (first time)             {r['segment'] * 1000:.1f} ms")
        mem = measure_memory(df)
        if mem:
            worst = max(mem["rss_peak"], mem["traced_peak"])
            print(f"peak memory of the bind (fresh process)  RSS +{mem['rss_peak'] / 2**20:.0f} MiB, "
                  f"traced allocations {mem['traced_peak'] / 2**20:.0f} MiB; frame "
                  f"{mem['frame'] / 2**20:.0f} MiB -> {worst / mem['frame']:.2f}x  "
                  f"[goal < 2x: {'OK' if worst < 2 * mem['frame'] else 'MISSED'}]")
        print(f"payload                                  {r['payload'] / 1024:.1f} KiB  "
              f"[goal < 64 KiB: {'OK' if r['payload'] < 65536 else 'MISSED'}]")
        del r["m"]
        gc.collect()
        d = min((duckdb_sql(j, df) for _ in range(max(a.repeat, 1))), key=lambda x: x["total"])
        print(f"hand-written DuckDB SQL, same workload   {d['total']:.3f} s "
              f"(stage part alone {d['stage_part']:.3f} s)")
        ratio = r["cold"] / d["total"]
        print(f"ratio journeywidget / DuckDB             {ratio:.2f}x  "
              f"[goal <= 0.5x: {'OK' if ratio <= 0.5 else 'MISSED'}]")
        jr = min((run_journeys(j, df) for _ in range(max(a.repeat, 1))), key=lambda x: x["total"])
        dj = min((duckdb_journeys(j, df) for _ in range(max(a.repeat, 1))), key=lambda x: x["total"])
        agree = (jr["reach"] == dj["reach"] and jr["skipped"] == dj["skipped"]
                 and jr["back"] == dj["back"] and abs(jr["share"] - dj["share"]) < 1e-12)
        print(f"sessions ({GAP}) + ordered funnel + conformance, from the frame:")
        print(f"  journeywidget                          {jr['total']:.3f} s  "
              f"({dj['units']:,} sessions; same numbers as SQL: {'yes' if agree else 'NO'})")
        print(f"  hand-written DuckDB SQL                {dj['total']:.3f} s")
        jratio = jr["total"] / dj["total"]
        print(f"  ratio journeywidget / DuckDB           {jratio:.2f}x  "
              f"[goal <= 0.5x: {'OK' if jratio <= 0.5 else 'MISSED'}]")
        print(f"  live update in sessions (move + payload) {jr['live'] * 1000:.1f} ms  "
              f"[goal < 100 ms: {'OK' if jr['live'] < 0.1 else 'MISSED'}]")
        if others:
            with tempfile.TemporaryDirectory() as tmp:
                pq = Path(tmp) / "events.parquet"
                df[["customer_id", "timestamp", "event"]].assign(
                    event=df["event"].astype(str)).to_parquet(pq)
                stage_keys = [t.event_keys[0] for t in (j.touchpoints_in(s.id)[0] for s in j.stages)]
                for pkg, (py, err) in others.items():
                    if py is None:
                        print(f"{pkg:<40} not run: {err.strip().splitlines()[-1] if err else '?'}")
                        continue
                    res, err2 = run_other(pkg, py, pq, stage_keys, a.other_timeout)
                    if res is None:
                        print(f"{pkg:<40} failed: {err2.strip().splitlines()[-1] if err2 else '?'}")
                        continue
                    steps = ", ".join(f"{k}={v:.2f}" for k, v in res.items() if k not in
                                      ("total_s", "wall_s"))
                    sp = res["total_s"] / r["cold"]
                    goal = " [goal >= 15x: " + ("OK" if sp >= 15 else "MISSED") + "]" \
                        if pkg == "retentioneering" else ""
                    print(f"{pkg:<40} {res['total_s']:.3f} s ({steps}); journeywidget is "
                          f"{sp:.1f}x faster{goal}")
        del df
        gc.collect()


if __name__ == "__main__":
    main()
