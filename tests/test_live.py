"""Live updates (data/live.py): after any sequence of moves and undos, the tables patched
move by move equal a fresh binding's, in both units, both funnel modes, with and without
a window, on logs with many timestamp ties."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest

import journeywidget as jw
from journeywidget.data import live
from journeywidget.data.engine import quantile_sorted
from journeywidget.data.metrics import JourneyMetrics

ARGS = dict(customer="customer_id", time="timestamp", touchpoint="event", segment="plan", value="value")


def tied_log(seed: int, customers: int = 500):
    """A template journey and its events with timestamps floored to 10 minutes (many ties,
    broken by row order) and some rows shuffled."""
    j = jw.Journey.from_template("buying-process")
    df = jw.datasets.events(j, customers=customers, seed=seed)
    df["timestamp"] = pd.to_datetime(df["timestamp"]).dt.floor("10min")
    rng = np.random.default_rng(seed)
    idx = np.arange(len(df))
    swap = rng.choice(len(df) - 1, size=len(df) // 10, replace=False)
    idx[swap], idx[swap + 1] = idx[swap + 1], idx[swap]
    return j, df.iloc[idx].reset_index(drop=True)


def assert_same(m, fresh):
    pd.testing.assert_frame_equal(m.stages, fresh.stages)
    pd.testing.assert_frame_equal(m.conformance(), fresh.conformance())
    pd.testing.assert_frame_equal(m.paths(1000), fresh.paths(1000))
    pd.testing.assert_frame_equal(m.paths(3), fresh.paths(3))
    pd.testing.assert_frame_equal(m.flows(), fresh.flows())
    assert m.conforming_counts() == fresh.conforming_counts()
    assert m.to_payload() == fresh.to_payload()


@pytest.mark.parametrize("unit", ["customer", "session"])
@pytest.mark.parametrize("funnel", ["ordered", "reached"])
@pytest.mark.parametrize("window", [None, "2h"])
@pytest.mark.parametrize("seed", [0, 1])
def test_moves_and_undos_equal_a_fresh_bind(unit, funnel, window, seed, monkeypatch):
    monkeypatch.setenv("JOURNEYWIDGET_KERNELS", "numpy")  # (data/live is the numpy path's)
    advanced = []
    real = live.LiveJourney.advance
    monkeypatch.setattr(live.LiveJourney, "advance", lambda *a: real(*a) and (advanced.append(1) or True))
    j, df = tied_log(seed)
    rng = random.Random(seed * 7 + len(unit) + len(funnel))
    m = JourneyMetrics(j).bind_events(df, **ARGS, session_gap="30min")
    m.unit, m.funnel, m.window = unit, funnel, window
    m.to_payload()
    stages = [s.id for s in j.stages]
    moves = 0
    for _ in range(8):
        if moves and rng.random() < 0.3:
            j.undo()
            moves -= 1
        else:
            tps = [t for t in j.touchpoints if t.stage != stages[-1]]
            j.move_touchpoint(rng.choice(tps).id, stage=rng.choice(stages))
            moves += 1
        fresh = JourneyMetrics(j.to_dict()).bind_events(df, **ARGS, session_gap="30min")
        fresh.unit, fresh.funnel, fresh.window = unit, funnel, window
        assert_same(m, fresh)
    assert advanced  # the patch path ran
    # a segment after the moves reads the merged per-unit facts
    m.segment = fresh.segment = "pro"
    pd.testing.assert_frame_equal(m.stages, fresh.stages)
    pd.testing.assert_frame_equal(m.paths(1000), fresh.paths(1000))


def test_a_move_of_a_touchpoint_without_events_changes_nothing():
    j, df = tied_log(3, customers=200)
    m = JourneyMetrics(j).bind_events(df, **ARGS)
    before = m.stages
    tp = j.add_touchpoint("Never seen", stage=j.stages[0].id)
    j.move_touchpoint(tp, stage=j.stages[2].id)
    pd.testing.assert_frame_equal(m.stages, before)


@pytest.mark.parametrize("seed", range(20))
def test_order_stat_is_the_exact_median_under_changes(seed):
    rng = np.random.default_rng(seed)
    high = (3, 50)[seed % 2]  # many ties (mostly zeros, as times in stage are) or few
    vals = (rng.integers(0, high, size=int(rng.integers(1, 400))) * rng.integers(0, 2, size=1)[0]
            if seed % 4 == 0 else rng.integers(0, high, size=int(rng.integers(1, 400)))).astype(np.int64)
    st = live.OrderStat(vals)
    cur = list(vals)
    for _ in range(6):
        k = int(rng.integers(0, max(1, len(cur) // 4) + 1))
        removed = np.array(rng.permutation(cur)[:k], dtype=np.int64)
        added = rng.integers(0, high + 10, size=int(rng.integers(0, 20))).astype(np.int64)
        for v in removed.tolist():
            cur.remove(v)
        cur += added.tolist()
        nxt = st.changed(removed, added)
        if nxt is None:  # the kept values no longer hold the median: rebuilt
            nxt = live.OrderStat(np.array(cur, dtype=np.int64))
        st = nxt
        want = quantile_sorted(sorted(cur), 0.5)
        got = st.value()
        assert st.n == len(cur)
        assert (math.isnan(want) and math.isnan(got)) or got == want


@pytest.mark.parametrize("seed", range(10))
def test_sorted_replace_keeps_a_sorted_multiset(seed):
    rng = np.random.default_rng(seed)
    arr = np.sort(rng.integers(0, 20, size=200))
    removed = rng.permutation(arr)[:50]
    added = rng.integers(-5, 25, size=30)
    out = live.sorted_replace(arr, removed, added)
    want = list(arr)
    for v in removed.tolist():
        want.remove(v)
    assert out.tolist() == sorted(want + added.tolist())
    assert live.sorted_replace(arr, np.array([99]), added[:0]) is None


def test_path_counts_decline_on_a_hash_collision_and_fall_back_exactly():
    from journeywidget.data.sequences import Runs, path_table, unit_facts

    rng = np.random.default_rng(5)
    n_units = 60
    unit = np.sort(rng.integers(0, n_units, size=400)).astype(np.int32)
    runs = Runs(unit=unit, tp=rng.integers(0, 4, size=400).astype(np.int16),
                t0=np.arange(400, dtype=np.int32), n_units=n_units, t_scale=10**9)
    f = unit_facts(runs, np.array([0, 1, 2, 2]), np.array([0, 1, 2]), None)
    f.path_hash[:] = np.uint64(7)  # every path collides
    lv = live.LiveJourney(((0, 1, 2, 2), (0, 1, 2), None), f)
    assert lv.paths.top(5) is None
    want = path_table(f, None, 5, [f.depth == f.D, f.converted])
    assert lv.agg(5).paths == want and len({p for p, *_ in want}) > 1
