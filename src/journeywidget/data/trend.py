"""Customers or events per touchpoint and period, from the encoded event log.

The trend overlay draws these counts: computed from the compact arrays of a
binding (customer code, time and key per event; no raw rows) for the touchpoints
of the current map, in one segment. The period (day, week, month, quarter) is
picked from the time span so that at most ``max_points`` counts are made; the
latest periods are kept.

>>> import pandas as pd
>>> from journeywidget.data.builder import build_store
>>> df = pd.DataFrame({"user": ["a", "a", "b"], "event": ["x", "x", "x"],
...                    "ts": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-02"])})
>>> store = build_store(df, customer="user", time="ts", touchpoint="event")
>>> trend_counts(store, [0], 1, None, "customers", "D", 600)
[(0, '2024-01-01', 1, True), (0, '2024-01-02', 2, False)]

The fourth field says whether the period is *complete*: only the last period can
be incomplete, when the latest event of the whole binding comes before that
period's end less 1 % of its length (a log ending at midday leaves its last day,
week or month incomplete). Charts draw an incomplete period dashed and hollow,
never as a drop.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import JourneyError

__all__ = ["TREND_METRICS", "FREQS", "trend_counts"]

TREND_METRICS = ("customers", "events")
FREQS = ("D", "W", "M", "Q")


def _pick_freq(t_min_ns: int, t_max_ns: int, max_periods: int) -> str:
    days = max((t_max_ns - t_min_ns) / 86_400e9, 0.0)
    if days / 1 <= max_periods:
        return "D"
    if days / 7 <= max_periods:
        return "W"
    if days / 30.44 <= max_periods:
        return "M"
    return "Q"


def _period_codes(np: Any, t_ns: Any, freq: str) -> tuple[Any, Any]:
    """Integer period codes and a function code -> ISO start date (and -> the next start)."""
    days = t_ns // 86_400_000_000_000
    if freq == "D":
        return days, lambda c: str(np.datetime64(int(c), "D"))
    if freq == "W":  # weeks start on Monday; 1970-01-01 was a Thursday
        return (days + 3) // 7, lambda c: str(np.datetime64(int(c) * 7 - 3, "D"))
    months = t_ns.astype("datetime64[ns]").astype("datetime64[M]").astype(np.int64)
    if freq == "M":
        return months, lambda c: str(np.datetime64(int(c), "M").astype("datetime64[D]"))
    if freq == "Q":
        return months // 3, lambda c: str(np.datetime64(int(c) * 3, "M").astype("datetime64[D]"))
    raise JourneyError(f"freq must be 'D', 'W', 'M' or 'Q', got {freq!r}")


def _period_end_ns(np: Any, start: str, freq: str) -> int:
    """The first instant after a period that starts at ``start`` (ISO date), in ns."""
    d = np.datetime64(start, "D")
    if freq == "D":
        nxt = d + np.timedelta64(1, "D")
    elif freq == "W":
        nxt = d + np.timedelta64(7, "D")
    else:
        months = 1 if freq == "M" else 3
        nxt = (d.astype("datetime64[M]") + np.timedelta64(months, "M")).astype("datetime64[D]")
    return int(nxt.astype("datetime64[ns]").astype(np.int64))


def trend_counts(store: Any, tp_of_key: list[int], n_tp: int, s: int | None, metric: str,
                 freq: str | None, max_points: int) -> list[tuple[int, str, int, bool]]:
    """``(touchpoint index, period start, value, complete)`` for every touchpoint with events,
    every period from the first with data on; ``s`` is a segment index (None: all units)."""
    import numpy as np

    if metric not in TREND_METRICS:
        raise JourneyError(f"the trend draws {' or '.join(TREND_METRICS)}, not {metric!r}")
    if store.n_events == 0 or n_tp == 0:
        return []
    T = n_tp
    tok_arr = np.array([x if x >= 0 else -1 for x in tp_of_key] + [-1], dtype=np.int64)
    tp_ev = tok_arr[store.key.astype(np.int64)]
    mask = tp_ev >= 0
    if s is not None:
        mask &= store.seg_of_cust[store.cust] == s
    if not mask.any():
        return []
    t_sel = store.t[mask]
    tp_sel = tp_ev[mask]
    P = max(max_points // max(int(np.unique(tp_sel).shape[0]), 1), 4)
    freq = freq or _pick_freq(int(t_sel.min()), int(t_sel.max()), P)
    codes, start_of = _period_codes(np, t_sel, freq)
    c0 = int(codes.max()) - P + 1
    keep = codes >= c0
    if not keep.all():
        codes, tp_sel = codes[keep], tp_sel[keep]
    g = tp_sel * P + (codes - c0)
    if metric == "events":
        counts = np.bincount(g, minlength=T * P)
    else:
        cust = store.cust[mask]
        if not keep.all():
            cust = cust[keep]
        # distinct (touchpoint x period, customer) pairs: sort + run starts (faster than
        # np.unique's hashing on millions of rows)
        width = int(store.n_customers) + 1
        pairs = g.astype(np.int64) * width + cust
        pairs.sort()
        first_of_run = np.ones(pairs.shape[0], dtype=bool)
        np.not_equal(pairs[1:], pairs[:-1], out=first_of_run[1:])
        counts = np.bincount(pairs[first_of_run] // width, minlength=T * P)
    counts = counts[: T * P].reshape(T, P)
    present = np.flatnonzero(counts.sum(axis=0))
    first = int(present[0]) if present.shape[0] else 0
    last_start = start_of(c0 + P - 1)
    end = _period_end_ns(np, last_start, freq)
    t_max = int(store.t_code.max()) * store.t_scale + store.t_base
    last_complete = t_max >= end - (end - int(np.datetime64(last_start, "ns").astype(np.int64))) // 100
    out = []
    for j in range(T):
        if counts[j].sum() == 0:
            continue
        for p in range(first, P):
            out.append((j, start_of(c0 + p), int(counts[j, p]), p < P - 1 or bool(last_complete)))
    return out
