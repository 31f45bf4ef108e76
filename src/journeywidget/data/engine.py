"""What every metrics engine offers, and the aggregate containers they return.

An engine holds the events of one binding and answers three questions for any
key -> touchpoint mapping and segment: touchpoint-level aggregates
(:class:`TPAgg`), stage-level aggregates (:class:`StageAgg`) and the customers of
a segment. :class:`journeywidget.data.numpy_engine.NumpyEngine` runs on numpy
arrays (pandas, polars, pyarrow, DuckDB inputs);
:class:`journeywidget.data.spark_engine.SparkEngine` runs in Spark and collects
only aggregates. Both compute quantiles with :func:`quantile_sorted`'s formula, so
they agree to the last bit.

>>> quantile_sorted([1, 2, 3, 4], 0.5)
2.5
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["Engine", "TPAgg", "StageAgg", "JourneyAgg", "NS_PER_S", "QS", "quantile_sorted"]

NS_PER_S = 1_000_000_000
QS = (0.5, 0.9)


class Engine(Protocol):
    """The interface :class:`journeywidget.JourneyMetrics` reads an engine through."""

    name: str  # "pandas", "polars", "pyarrow", "duckdb", "spark"...
    keys: list  # key vocabulary (labels), sorted
    key_counts: Any  # int64 [K] valid events per key
    segments: list  # segment labels, sorted
    problems: dict  # data problem kind -> {"count", "column", ...}
    n_customers: int
    n_events: int
    n_rows: int
    channels: list

    def set_mapping(self, tp_of_key: list[int], n_tp: int) -> None:
        """(Re)compute touchpoint-level aggregates for a key -> touchpoint slot map."""

    def tp_agg(self, s: int | None) -> TPAgg:
        """Touchpoint aggregates for segment index ``s`` (None: all customers)."""

    def stage_agg(self, stage_tps: list[tuple], stage_of_tp: list[int], s: int | None) -> StageAgg:
        """Stage aggregates for stages made of touchpoint slots ``stage_tps``."""

    def total_customers(self, s: int | None) -> int:
        """Customers in segment ``s`` (None: all)."""

    def segment_customers(self) -> Any:
        """Customers per segment (int64 [len(segments)])."""

    def unmapped_neighbours(self) -> Any:
        """Per unmapped key: counts of the touchpoint slots of neighbouring mapped events."""

    def segment_members(self, s: int) -> list:
        """The customer values (as in the input) whose segment is ``s``."""

    def trend(self, tp_of_key: list[int], n_tp: int, s: int | None, metric: str,
              freq: str | None, max_points: int) -> list[tuple[int, str, int]]:
        """``(touchpoint index, period start, value)`` per touchpoint and period ([] if unsupported)."""

    def journey_agg(self, stage_of_slot: list[int], rank_of_stage: list[int], window_ns: int | None,
                    s: int | None, top: int) -> JourneyAgg:
        """Unit-level aggregates (ordered funnel, conformance, flows, paths) of a layout: the
        stage of each touchpoint slot and the rank of each stage among those with data."""


# ---------------------------------------------------------------------------
# exact quantiles (the formula Spark's `percentile` uses, so engines agree bit for bit)
# ---------------------------------------------------------------------------


def _interp(a: float, b: float, pos: float) -> float:
    lo = math.floor(pos)
    hi = math.ceil(pos)
    if hi == lo or a == b:
        return float(a)
    return (hi - pos) * float(a) + (pos - lo) * float(b)


def quantile_sorted(values, q: float) -> float:
    """Exact quantile of an already sorted sequence: with ``n`` values, ``pos = (n - 1) * q``,
    linear interpolation between ``values[floor(pos)]`` and ``values[ceil(pos)]``."""
    n = len(values)
    if n == 0:
        return math.nan
    pos = (n - 1) * q
    return _interp(values[math.floor(pos)], values[math.ceil(pos)], pos)


def _quantiles(np, arr, qs=QS, inplace: bool = False, scale: int = 1) -> list[float]:
    """Exact quantiles of an unsorted integer array using np.partition (in place if allowed).

    ``scale``: the values are time codes, ``scale`` ns each; the order statistics are
    turned into ns (exact integers) before interpolating, so the result is the one of
    the ns values, to the last bit.
    """
    n = int(arr.shape[0])
    if n == 0:
        return [math.nan] * len(qs)
    if n == 1:
        return [float(int(arr[0]) * scale)] * len(qs)
    pos = [(n - 1) * q for q in qs]
    kth = sorted({math.floor(p) for p in pos} | {math.ceil(p) for p in pos})
    if len(kth) == 1:  # (numpy's partition at one position crawls on many ties; at two it does not)
        kth = [kth[0] - 1, kth[0]] if kth[0] else [0, 1]
    if inplace:
        arr.partition(kth)
        part = arr
    else:
        part = np.partition(arr, kth)
    return [_interp(int(part[math.floor(p)]) * scale, int(part[math.ceil(p)]) * scale, p)
            for p in pos]


_POOL = None
_DEBUG = None  # a callable(label) for memory/time probes in tests and benchmarks


def _debug(label: str) -> None:
    if _DEBUG is not None:
        _DEBUG(label)


def _pmap(fn, items, min_items: int = 4):
    """map() over a small shared thread pool (numpy releases the GIL in gathers, sorts
    and partitions, so the two cores both work); serial for few items."""
    items = list(items)
    if len(items) < min_items or _threads() == 1:
        return [fn(x) for x in items]
    return list(_pool().map(fn, items))


def _pool():
    """The shared thread pool (made on first use)."""
    global _POOL
    if _POOL is None:
        from concurrent.futures import ThreadPoolExecutor

        _POOL = ThreadPoolExecutor(max_workers=min(4, _threads()), thread_name_prefix="journeywidget")
    return _POOL


def _spawn(fn):
    """``fn()`` started on the shared thread pool (run here with one thread): a callable that
    waits for its result."""
    if _threads() == 1:
        out = fn()
        return lambda: out
    return _pool().submit(fn).result


def _threads() -> int:
    """Threads the engine works on: the cores, or ``JOURNEYWIDGET_THREADS`` (1: serial; what
    ``benchmarks/bind.py`` compares against)."""
    import os

    try:
        return max(1, int(os.environ.get("JOURNEYWIDGET_THREADS", "")))
    except ValueError:
        return os.cpu_count() or 1


def _flatnonzero32(np, mask):
    """np.flatnonzero as int32 when it fits (half the memory of int64 indices)."""
    idx = np.flatnonzero(mask)
    if mask.shape[0] < 2**31 - 1:
        idx = idx.astype(np.int32)
    return idx


# ---------------------------------------------------------------------------
# layer 1 & 2: compact aggregates (engine-independent containers)
# ---------------------------------------------------------------------------


@dataclass
class TPAgg:
    """Touchpoint-level aggregates for one segment selection."""

    events: Any  # int64 [T]
    customers: Any
    exits: Any
    value_sum: Any  # float64 [T]
    value_n: Any
    next_q: Any  # float64 [T, 2] ns (median, p90); nan = none
    next_n: Any  # int64 [T]
    tr_from: Any  # int64 [M]
    tr_to: Any
    tr_count: Any
    tr_customers: Any
    tr_median: Any  # float64 ns
    chan: Any = None  # int64 [T, n_chan]
    total_customers: int = 0
    mapped_customers: int = 0


@dataclass
class JourneyAgg:
    """Unit-level aggregates of one layout, window and segment (see data/sequences.py)."""

    D: int  # stages with data
    counts: Any  # sequences.GroupCounts, one row
    ttc_median: Any  # float64 [D] ns, median time from the first-stage match (nan: none)
    paths: list  # (rank tuple, units, converted in the ordered funnel, converted reaching)
    customers_ordered: Any  # int64 [D] distinct customers of the units the ordered funnel reaches
    customers_reached: Any  # int64 [D] distinct customers of the units whose path contains it
    dwell_median: Any = None  # float64 [D] ns, median time in stage, when computed with the paths


@dataclass
class StageAgg:
    reach: Any  # int64 [S]
    dwell_median: Any  # float64 [S] ns

