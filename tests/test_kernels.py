"""The compiled journey kernels (data/kernels.py) against the numpy path, run by run.

Random touchpoint runs with time ties, unmapped slots, stages without data, a window,
a segment and session units numbered customer by customer: every count, the times to
convert, the top paths (ties at the boundary included) and the distinct customers per
stage equal what :func:`~journeywidget.data.sequences.unit_facts` and friends give.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from journeywidget.data import kept_walk, kernels
from journeywidget.data.engine import _quantiles, quantile_sorted
from journeywidget.data.live import offsets_of
from journeywidget.data.sequences import Runs, group_counts, path_table, unit_facts

pytestmark = pytest.mark.skipif(not kernels.enabled(), reason="numba is not installed (the 'fast' extra)")


def random_runs(rng, n_units, n_runs, n_slots):
    unit = np.sort(rng.integers(0, n_units, size=n_runs)).astype(np.int32)
    tp = rng.integers(0, n_slots, size=n_runs).astype(np.int16)
    keep = np.r_[True, (unit[1:] != unit[:-1]) | (tp[1:] != tp[:-1])]  # runs: no repeats
    unit, tp = unit[keep], tp[keep]
    t0 = np.zeros(unit.shape[0], dtype=np.int32)
    t1 = np.zeros(unit.shape[0], dtype=np.int32)
    for u in np.unique(unit):  # non-decreasing times with ties within a unit
        at = np.flatnonzero(unit == u)
        t = np.cumsum(rng.integers(0, 3, size=2 * at.shape[0]))
        t0[at], t1[at] = t[0::2], t[1::2]  # a run's last event: before the next run's first
    return Runs(unit=unit, tp=tp, t0=t0, n_units=n_units, t_scale=1_000, t1=t1)


def dwell_medians(runs, sos, rank, sel):
    """Median time in stage (first to last event there) per rank, plainly."""
    lut = {j: rank[s] for j, s in enumerate(sos) if s >= 0 and rank[s] >= 0}
    span: dict = {}
    for u, j, a, b in zip(runs.unit.tolist(), runs.tp.tolist(), runs.t0.tolist(), runs.t1.tolist()):
        if j in lut and (sel is None or sel[u]):
            f, _ = span.get((u, lut[j]), (a, b))
            span[(u, lut[j])] = (min(f, a), b)
    D = int(max(rank)) + 1
    out = []
    for k in range(D):
        vals = sorted((b - a) * runs.t_scale for (u, kk), (a, b) in span.items() if kk == k)
        out.append(quantile_sorted(vals, 0.5))
    return out


def numpy_agg(runs, sos, rank, window_ns, sel, cust_of_unit, top):
    f = unit_facts(runs, sos, rank, window_ns)
    D = f.D
    counts = group_counts(f, None if sel is None else np.where(sel, 0, -1), 1)
    ttc = np.full(D, np.nan)
    for k in range(1, D):
        units, vals = f.ttc[k]
        if sel is not None:
            vals = vals[sel[units]]
        ttc[k] = _quantiles(np, vals.copy(), (0.5,))[0]
    paths = path_table(f, sel, top, [f.depth == D, f.converted])
    c_ord, c_rea = np.zeros(D, np.int64), np.zeros(D, np.int64)
    for c in np.unique(cust_of_unit):
        us = np.flatnonzero((cust_of_unit == c) & (True if sel is None else sel))
        deep = int(f.depth[us].max(initial=0))
        for k in range(D):
            c_ord[k] += deep > k
            c_rea[k] += bool(f.reached[k, us].any())
    return counts, ttc, paths, c_ord, c_rea


@pytest.mark.parametrize("seed", range(40))
def test_kernels_equal_the_numpy_path(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    if seed % 4 >= 2:  # the units in two spans on two threads, their paths merged
        monkeypatch.setattr(kernels, "PARALLEL_MIN", 0)
        monkeypatch.setenv("JOURNEYWIDGET_THREADS", "2")
    n_slots = int(rng.integers(1, 9))
    n_units = int(rng.integers(1, 60))
    runs = random_runs(rng, n_units, int(rng.integers(0, 400)), n_slots)
    n_stages = int(rng.integers(1, 6))
    sos = rng.integers(-1, n_stages, size=n_slots)  # -1: a touchpoint in no stage
    used = sorted({int(s) for s in sos if s >= 0} - {int(rng.integers(0, n_stages))})
    rank = np.full(n_stages, -1)
    rank[used] = np.arange(len(used))  # a stage with no data has no rank
    if not used:
        return
    window = rng.choice([None, 0, 2_000, 5_000])
    sel = None if seed % 3 == 0 else rng.random(n_units) < 0.6
    sessions = seed % 2 == 1
    cust = np.sort(rng.integers(0, max(1, n_units // 3), size=n_units)) if sessions else np.arange(n_units)
    starts = np.flatnonzero(np.r_[True, cust[1:] != cust[:-1]]) if sessions else None
    top = int(rng.choice([1, 3, 10, 1000]))
    agg = kernels.journey_agg(runs, offsets_of(runs.unit, n_units), sos, rank, window, sel=sel,
                              cust_starts=starts, top=top)
    counts, ttc, paths, c_ord, c_rea = numpy_agg(runs, sos, rank, window, sel, cust, top)
    for name in counts.__dataclass_fields__:
        assert np.array_equal(getattr(agg.counts, name), getattr(counts, name)), name
    assert all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(agg.ttc_median, ttc))
    assert agg.paths == paths
    want = dwell_medians(runs, sos, rank, sel)
    assert all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(agg.dwell_median, want))
    assert agg.customers_ordered.tolist() == c_ord.tolist()
    assert agg.customers_reached.tolist() == c_rea.tolist()


def layout_of(sos, n_stages):
    """Stage ranks of a touchpoint layout: stages with data in order."""
    used = sorted({int(s) for s in sos if s >= 0})
    rank = np.full(n_stages, -1)
    rank[used] = np.arange(len(used))
    return rank


@pytest.mark.parametrize("seed", range(24))
def test_moves_walk_only_the_units_that_see_them(seed, monkeypatch):
    """A layout after another, the state kept between them (``scratch``): each one's numbers
    equal the numpy path's, and the moves that keep the stages with data walk only the units
    that visit the moved touchpoints (``update`` runs)."""
    rng = np.random.default_rng(100 + seed)
    if seed % 2:
        monkeypatch.setattr(kernels, "PARALLEL_MIN", 0)
        monkeypatch.setenv("JOURNEYWIDGET_THREADS", "2")
    if seed % 8 >= 6:  # times in stage kept in 2 bytes (7; longer ones: a pass over the runs)
        monkeypatch.setattr(kept_walk, "DWELL_COLUMNS_MAX", 0)
    if seed % 8 == 6:  # ... or not kept at all: from a pass over the runs
        monkeypatch.setattr(kept_walk, "DWELL_SHORT_MAX", 0)
    if seed % 5 == 2:  # the top paths from every path merged, not from each span's most common
        monkeypatch.setattr(kept_walk, "CANDIDATES_MAX", 0)
    k = kernels._compile()
    calls = []
    walk = k.walk
    monkeypatch.setattr(k, "walk", lambda *a: calls.append(a[16]) or walk(*a))  # (a[16]: again)
    n_slots, n_stages = 12, 5
    n_units = int(rng.integers(20, 300))
    runs = random_runs(rng, n_units, int(rng.integers(n_units, 3 * n_units)), n_slots)
    if seed % 3 == 1:  # times spread wide: the medians' histogram buckets hold many values
        runs.t0[:] *= 100_003
        runs.t1[:] *= 100_003
    sessions = seed % 4 >= 2
    cust = np.sort(rng.integers(0, max(1, n_units // 3), size=n_units)) if sessions else np.arange(n_units)
    starts = np.flatnonzero(np.r_[True, cust[1:] != cust[:-1]]) if sessions else None
    window = [None, 3_000][seed % 3 == 0]
    off = offsets_of(runs.unit, n_units)
    sos = np.arange(n_slots) % n_stages
    sos[0] = -1  # a touchpoint in no stage
    scratch: dict = {}
    for step in range(14):
        rank = layout_of(sos, n_stages)
        agg = kernels.journey_agg(runs, off, sos, rank, window, cust_starts=starts, top=8, scratch=scratch)
        counts, ttc, paths, c_ord, c_rea = numpy_agg(runs, sos, rank, window, None, cust, 8)
        for name in counts.__dataclass_fields__:
            assert np.array_equal(getattr(agg.counts, name), getattr(counts, name)), (step, name)
        assert all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(agg.ttc_median, ttc))
        assert agg.paths == paths, step
        want = dwell_medians(runs, sos, rank, None)
        assert all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(agg.dwell_median, want))
        assert agg.customers_ordered.tolist() == c_ord.tolist()
        assert agg.customers_reached.tolist() == c_rea.tolist()
        if step == 4:  # a segment between moves: walked apart, the kept state untouched
            sel = rng.random(n_units) < 0.5
            kernels.journey_agg(runs, off, sos, rank, window, sel=sel, cust_starts=starts, scratch=scratch)
        sos = sos.copy()
        for j in rng.choice(np.arange(1, n_slots), size=1 + (step % 4 == 3), replace=False):
            sos[j] = rng.integers(0, n_stages)  # moved (sometimes a stage left without data)
    assert any(calls), "no move walked only the units that see it"


def test_a_move_that_fills_the_path_table_walks_afresh(monkeypatch):
    """Moves that make many new paths: the kept table fills up, everything is walked again
    with a larger one, and the numbers stay exact."""
    rng = np.random.default_rng(7)
    runs = random_runs(rng, 3_000, 30_000, 10)
    off = offsets_of(runs.unit, runs.n_units)
    scratch: dict = {("cap", 0): 16}
    sos = np.zeros(10, np.int64)
    sos[:5] = np.arange(5)
    kernels.journey_agg(runs, off, sos, np.arange(5), None, scratch=scratch, top=5)
    sos[5:] = np.arange(5)  # many more distinct paths
    agg = kernels.journey_agg(runs, off, sos, np.arange(5), None, scratch=scratch, top=5)
    f = unit_facts(runs, sos, np.arange(5), None)
    assert agg.paths == path_table(f, None, 5, [f.depth == f.D, f.converted])
    assert scratch[("cap", 0)] > 16


def test_many_paths_grow_the_table_and_ties_break_by_path(monkeypatch):
    """Thousands of distinct paths (the path table grows), all tied at one unit: the first
    ones in path order, as path_table gives them."""
    rng = np.random.default_rng(1)
    runs = random_runs(rng, 5_000, 40_000, 8)
    sos, rank = np.arange(8) % 6, np.arange(6)
    monkeypatch.setattr(kernels, "PARALLEL_MIN", 0)
    monkeypatch.setenv("JOURNEYWIDGET_THREADS", "2")
    agg = kernels.journey_agg(runs, offsets_of(runs.unit, runs.n_units), sos, rank, None, top=25)
    f = unit_facts(runs, sos, rank, None)
    assert agg.paths == path_table(f, None, 25, [f.depth == f.D, f.converted])
    assert len(agg.paths) == 25


def test_more_stages_than_the_kernels_take_fall_back_to_numpy(monkeypatch):
    import pandas as pd

    import journeywidget as jw
    from journeywidget.data.metrics import JourneyMetrics

    j = jw.Journey("Long")
    for k in range(kernels.MAX_STAGES + 2):
        j.add_touchpoint(f"t{k}", stage=j.add_stage(f"S{k}"), event_keys=[f"e{k}"])
    rng = np.random.default_rng(0)
    n = 3_000
    df = pd.DataFrame({"c": rng.integers(0, 40, n), "t": pd.Timestamp("2024-01-01") + pd.to_timedelta(
        rng.integers(0, 10_000, n), unit="s"), "e": [f"e{k}" for k in rng.integers(0, 65, n)]})
    m = JourneyMetrics(j).bind_events(df, customer="c", time="t", touchpoint="e")
    with pytest.raises(ValueError, match="63 stages"):
        kernels.journey_agg(m._engine.runs(), m._engine._index(), list(range(65)), list(range(65)), None)
    got = m.stages
    monkeypatch.setenv("JOURNEYWIDGET_KERNELS", "numpy")
    want = JourneyMetrics(j).bind_events(df, customer="c", time="t", touchpoint="e").stages
    pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize("seed", range(12))
def test_runs_know_when_they_end_across_chunks(seed, monkeypatch):
    """Runs.t1 (the time of a run's last event) is right when runs go on from one chunk of
    events to the next."""
    from journeywidget.data import sequences

    rng = np.random.default_rng(seed)
    monkeypatch.setattr(sequences, "RUN_CHUNK", int(rng.integers(1, 40)))
    n = int(rng.integers(0, 300))
    unit = np.sort(rng.integers(0, 20, n)).astype(np.int32)
    key = rng.integers(0, 4, n).astype(np.int32)
    t = np.zeros(n, np.int32)
    for u in np.unique(unit):
        at = np.flatnonzero(unit == u)
        t[at] = np.cumsum(rng.integers(0, 3, at.shape[0]))
    lut = [0, 1, -1, 1 if seed % 2 else 2]
    runs = sequences.build_runs(unit, key, t, lut, 20, 1, last_times=True)
    kept = [(int(u), lut[k], int(x)) for u, k, x in zip(unit, key, t) if lut[k] >= 0]
    want = [x for i, (u, k, x) in enumerate(kept)
            if i + 1 == len(kept) or kept[i + 1][:2] != (u, k)]
    assert runs.t1.tolist() == want
    assert runs.size == len(want)
    compact = sequences.build_runs(unit, key, t, lut, 20, 1, last_times=True, unit_codes=False)
    assert compact.unit is None and compact.t1.tolist() == want
    assert compact.tp.tolist() == runs.tp.tolist() and compact.t0.tolist() == runs.t0.tolist()
    assert compact.offsets.tolist() == offsets_of(runs.unit, 20).tolist()


@pytest.mark.parametrize("seed", range(10))
def test_sort_events_equals_the_numpy_sort(seed, monkeypatch):
    """The counting sort (two halves on two threads) gives (customer, time, row) order with
    ties in row order, on logs in time order and not."""
    from journeywidget.data import encoding

    rng = np.random.default_rng(seed)
    n = int(rng.integers(50_000, 200_000))
    monkeypatch.setattr(kernels, "PARALLEL_MIN", 0 if seed % 2 else 10**9)
    monkeypatch.setenv("JOURNEYWIDGET_THREADS", "2")
    cust = rng.integers(0, int(rng.choice([5, 3_000, 60_000])), n).astype(np.int32)
    t = rng.integers(0, 50, n).astype(np.int64)  # many ties
    if seed % 3 == 0:
        t = np.sort(t)  # a log read in time order
    got = kernels.sort_events(cust, t)
    want = np.lexsort((np.arange(n), t, cust))
    assert got.tolist() == want.tolist()
    assert encoding.sort_events(cust, t).tolist() == want.tolist()


def test_a_kernel_numba_cannot_compile_falls_back_to_numpy_with_a_warning(monkeypatch):
    """Should numba fail on some input here, the numpy path answers (same numbers) and a
    warning says so once."""
    import pandas as pd
    from numba.core.errors import TypingError

    from .test_metrics import bind, frame, random_case

    doc, rows = random_case(3)
    want = bind(doc, frame(rows), value="amount", segment="plan").stages
    def broken(*a):
        raise TypingError("no implementation here")

    monkeypatch.setattr(kernels._compile(), "walk", broken)
    monkeypatch.setattr(kernels, "_KERNELS", kernels._compile())  # (restored after the test)
    with pytest.warns(RuntimeWarning, match="numpy path"):
        got = bind(doc, frame(rows), value="amount", segment="plan").stages
    pd.testing.assert_frame_equal(got, want)
    assert not kernels.enabled()
