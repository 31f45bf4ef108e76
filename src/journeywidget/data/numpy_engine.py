"""The journey metrics engine: event logs and feedback bound to the touchpoints of a map.

Use it through :class:`JourneyMetrics` (also ``jw.JourneyMetrics``)::

    m = jw.JourneyMetrics(journey)
    m.bind_events(df, customer="user_id", time="ts", touchpoint="event")
    m.touchpoints, m.stages, m.transitions, m.insights

Definitions (the same on every engine; a "customer" is a distinct non-missing
value of the ``customer`` column, an "event" a row with a customer, a valid
timestamp and a touchpoint key):

* **Ordering.** Each customer's events are ordered by ``(time, original row
  order)``: ties in timestamps break by the position of the row in the input
  (for Spark, the order of ``monotonically_increasing_id()`` at bind time, or
  an explicit ``order=`` column).
* **Mapped events.** A row maps to a touchpoint through the explicit
  ``mapping``, else a touchpoint's ``event_keys``, else a touchpoint's id,
  else its name (keys compared exactly, then case-insensitively).
  Rows whose key maps to no touchpoint are *unmapped*: they count towards the
  customer base but are otherwise ignored (reported as a data problem).
* **All customers** (the denominator of every ``share``) = distinct customers
  with at least one valid event, mapped or not, in the current segment.
* **Next event** of an event = the same customer's next *mapped* event in the
  ordering above; the time to it is ``next.time - this.time`` in seconds. A
  customer's last mapped event has none and is an **exit**.
* **Quantiles** are exact, by linear interpolation between order statistics:
  with ``n`` values sorted ``v``, ``pos = (n - 1) * q``, ``lo = floor(pos)``,
  ``hi = ceil(pos)``: ``(hi - pos) * v[lo] + (pos - lo) * v[hi]``.

Touchpoint table (``m.touchpoints``, one row per touchpoint in map order):
``events`` mapped events; ``customers`` distinct customers with ≥ 1 event
there; ``share`` = customers / all customers; ``median_next_s`` and
``p90_next_s`` quantiles of time to the next event; ``mean_value`` mean of the
finite ``value`` column over its events (rounded to 10 significant digits, as
floating-point sums differ in the last bits between engines); ``exits``
customers whose last mapped event is here; ``top_next`` up to three other touchpoints that most often come
next (self-repeats excluded; ties by map order).

Stage table (``m.stages``): ``customers`` reaching stage k = distinct
customers with ≥ 1 event at a touchpoint of stage k; ``share`` = customers /
all customers; ``conversion`` = customers(k) / customers(k-1) (may exceed 1
when customers skip stages; empty for the first stage); ``dropoff`` =
max(customers(k-1) - customers(k), 0); ``dropoff_rate`` = dropoff /
customers(k-1); ``median_time_s`` = median over customers reaching k of (time
of their last event in k - time of their first event in k).

Transitions (``m.transitions``): one row per ordered pair of touchpoints
(from, to) such that a customer's mapped event at ``to`` directly follows one
at ``from``: ``count`` such event pairs, ``customers`` distinct customers,
``share`` = count / events at ``from`` that have a next event,
``median_s`` median time between them.

Segments: a customer's segment is the first non-missing value of the
``segment`` column in the ordering above; ``m.segment = value`` restricts every
table (denominators included) to that segment's customers. *Backwards*
customers have a mapped event directly followed by one at an earlier stage.
An unmapped key's *suggested stage* is the stage whose touchpoints most often
come directly before or after its events (same customer).

How it stays live: a bind encodes the events once into compact arrays sorted by
(customer, time, row) — customer codes, touchpoint-key codes, times (int32 at
second / millisecond / microsecond resolution when exact, else int64 ns). A
key -> touchpoint mapping then yields touchpoint-level aggregates plus, per
(customer, touchpoint), the positions of the first and last event, and per
transition the set of customers. Moving a touchpoint between stages, reordering
stages or switching segment only recombines those (exactly: stage reach and
dwell come from the per-customer first/last positions of the stage's
touchpoints); changing event keys or adding / renaming touchpoints re-runs the
touchpoint level from the encoded arrays; the raw frame is never read again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BindingError",
    "quantile_sorted",
    "NS_PER_S",
]

NS_PER_S = 1_000_000_000
_I64_MAX = (1 << 63) - 1
_I64_MIN = -(1 << 63)
QS = (0.5, 0.9)

try:  # the lead's errors module
    from ..core.errors import JourneyError
except Exception:  # pragma: no cover - standalone use

    class JourneyError(ValueError):  # type: ignore[no-redef]
        """Base class of every error journeywidget raises on bad input."""


class BindingError(JourneyError):
    """Data could not be bound: names the column and says how to fix it."""

    def __init__(self, message: str, column: str | None = None, fix: str | None = None):
        self.column = column
        self.fix = fix
        text = message
        if fix:
            text += f". Fix: {fix}"
        super().__init__(text)


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
    """Exact quantile of an already sorted sequence (see the module docstring)."""
    n = len(values)
    if n == 0:
        return math.nan
    pos = (n - 1) * q
    return _interp(values[math.floor(pos)], values[math.ceil(pos)], pos)


def _quantiles(np, arr, qs=QS, inplace: bool = False) -> list[float]:
    """Exact quantiles of an unsorted int64 array using np.partition (in place if allowed)."""
    n = int(arr.shape[0])
    if n == 0:
        return [math.nan] * len(qs)
    if n == 1:
        return [float(arr[0])] * len(qs)
    pos = [(n - 1) * q for q in qs]
    kth = sorted({math.floor(p) for p in pos} | {math.ceil(p) for p in pos})
    if inplace:
        arr.partition(kth)
        part = arr
    else:
        part = np.partition(arr, kth)
    return [_interp(part[math.floor(p)], part[math.ceil(p)], p) for p in pos]


def _add_segments(np, g, seg_c, cust) -> None:
    """g += segment of each event's customer, in chunks (no full-size temporaries)."""
    step = 1 << 20
    for a in range(0, g.shape[0], step):
        g[a:a + step] += seg_c[cust[a:a + step]].astype(g.dtype)


def _lsd_argsort(np, codes, bits: int):
    """Stable argsort of non-negative integer codes by 16-bit digits (radix passes)."""
    n = codes.shape[0]
    idt = np.int32 if n < 2**31 - 1 else np.int64
    order = None
    step = 1 << 20
    for shift in range(0, bits, 16):
        digit = np.empty(n, dtype=np.uint16)
        for a in range(0, n, step):  # chunked: no full-size int temporaries
            b = min(n, a + step)
            src = codes[a:b] if order is None else codes[order[a:b]]
            digit[a:b] = (src >> shift) & 0xFFFF
        o = np.argsort(digit, kind="stable")
        del digit
        order = o.astype(idt) if order is None else order[o]
        del o
    return order


_POOL = None
_DEBUG = None  # a callable(label) for memory/time probes in tests and benchmarks


def _debug(label: str) -> None:
    if _DEBUG is not None:
        _DEBUG(label)



def _pmap(fn, items, min_items: int = 4):
    """map() over a small shared thread pool (numpy releases the GIL in gathers, sorts
    and partitions, so the two cores both work); serial for few items."""
    global _POOL
    items = list(items)
    if len(items) < min_items:
        return [fn(x) for x in items]
    if _POOL is None:
        import os
        from concurrent.futures import ThreadPoolExecutor

        _POOL = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1),
                                   thread_name_prefix="journeywidget")
    return list(_POOL.map(fn, items))


def _flatnonzero32(np, mask):
    """np.flatnonzero as int32 when it fits (half the memory of int64 indices)."""
    idx = np.flatnonzero(mask)
    if mask.shape[0] < 2**31 - 1:
        idx = idx.astype(np.int32)
    return idx


def _np():
    import numpy as np

    return np


# ---------------------------------------------------------------------------
# layer 0: sorted compact event arrays (built once per bind by binding.py)
# ---------------------------------------------------------------------------


@dataclass
class EventStore:
    """Events sorted by (customer, time, row): the only per-event data kept after a bind."""

    cust: Any  # int32 [N] customer codes, sorted
    t_code: Any  # [N] time as t_base + t_code * t_scale ns (int32 when it fits, else int64 ns)
    key: Any  # int16/int32 [N] key codes
    keys: list  # key vocabulary (str)
    n_customers: int
    seg_of_cust: Any  # int32 [C]; index len(segments) = no segment
    segments: list  # segment labels (str), sorted
    key_value_sum: Any = None  # float64 [K, NS]
    key_value_n: Any = None  # int64 [K, NS]
    channels: list = field(default_factory=list)
    key_chan: Any = None  # int64 [K, n_chan] event counts
    problems: dict = field(default_factory=dict)  # kind -> dict(count=..., ...)
    key_counts: Any = None  # int64 [K] valid events per key
    n_rows: int = 0
    engine: str = "pandas"
    t_scale: int = 1
    t_base: int = 0

    @property
    def t(self):
        """int64 ns timestamps (a new array unless stored as ns)."""
        np = _np()
        if self.t_scale == 1 and self.t_base == 0 and self.t_code.dtype == np.int64:
            return self.t_code
        out = self.t_code.astype(np.int64)
        out *= self.t_scale
        out += self.t_base
        return out

    @property
    def n_events(self) -> int:
        return int(self.cust.shape[0])

    @property
    def ns(self) -> int:
        return len(self.segments) + 1


def sort_events(cust, t):
    """Order of events by (customer code, time, row). Vectorised, exact, deterministic.

    A quicksort on a packed int64 key (customer code in the high bits, time
    relative to the minimum in the low bits, truncated if it does not fit)
    followed by an exact re-sort, by (time, row), of the runs of equal keys.
    """
    np = _np()
    n = cust.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n < 50_000:
        return np.lexsort((np.arange(n), t, cust))
    c_max = int(cust.max())
    bits_c = max(c_max.bit_length(), 1)
    if bool(np.all(t[1:] >= t[:-1])):
        # Chronological logs (the common case): a stable LSD radix sort on the customer
        # code alone gives (customer, time, row) order; 16-bit digits use numpy's radix sort.
        return _lsd_argsort(np, cust, bits_c)
    tmin = int(t.min())
    span = int(t.max()) - tmin
    bits_t = max(span.bit_length(), 1)
    shift = max(0, bits_t + bits_c - 63)
    step = 1 << 20
    key = np.empty(n, dtype=np.int64)
    for a in range(0, n, step):  # chunked: no full-size temporaries
        b = min(n, a + step)
        kk = key[a:b]
        np.subtract(t[a:b], tmin, out=kk)
        if shift:
            kk >>= shift
        kk |= cust[a:b].astype(np.int64) << (bits_t - shift)
    if bool(np.all(key[1:] >= key[:-1])):
        order = np.arange(n, dtype=np.int64)
    else:
        order = np.argsort(key)
    eq = np.empty(n - 1, dtype=bool)
    for a in range(0, n - 1, step):
        b = min(n - 1, a + step)
        ks = key[order[a:b + 1]]
        np.equal(ks[1:], ks[:-1], out=eq[a:b])
    del key
    if eq.any():
        inrun = np.zeros(n, dtype=bool)
        inrun[:-1] |= eq
        inrun[1:] |= eq
        pos = np.flatnonzero(inrun)
        starts = np.ones(pos.shape[0], dtype=bool)
        starts[1:] = ~eq[pos[1:] - 1]
        rid = np.cumsum(starts)
        sub = order[pos]
        o = np.lexsort((sub, t[sub], rid))
        order[pos] = sub[o]
    return order


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
class StageAgg:
    reach: Any  # int64 [S]
    dwell_median: Any  # float64 [S] ns
    backwards: int = 0


class NumpyEngine:
    """Layers 1 and 2 on numpy arrays (pandas, polars, pyarrow, DuckDB inputs)."""

    def __init__(self, store: EventStore):
        self.store = store
        self._l1 = None
        self._l1_sig = None
        self._stage_cache: dict = {}
        self._tp_cache: dict = {}
        self._stage_agg_cache: dict = {}
        self._dwell_cache: dict = {}
        self._seg_counts = None

    # -- what JourneyMetrics reads ------------------------------------------
    keys = property(lambda self: self.store.keys)
    key_counts = property(lambda self: self.store.key_counts)
    segments = property(lambda self: self.store.segments)
    problems = property(lambda self: self.store.problems)
    n_customers = property(lambda self: self.store.n_customers)
    n_events = property(lambda self: self.store.n_events)
    n_rows = property(lambda self: self.store.n_rows)
    channels = property(lambda self: self.store.channels)
    name = property(lambda self: self.store.engine)

    # -- layer 1 ---------------------------------------------------------
    def set_mapping(self, tp_of_key, n_tp: int) -> None:
        """(Re)compute touchpoint-level aggregates for a key -> touchpoint map."""
        np = _np()
        sig = tuple(int(x) for x in tp_of_key)
        if sig == self._l1_sig and self._l1 is not None:
            return
        self._l1_sig = sig
        self._stage_cache.clear()
        self._tp_cache.clear()
        self._stage_agg_cache.clear()
        self._dwell_cache.clear()
        st = self.store
        T = max(n_tp, 1)
        NS = st.ns
        tok = np.asarray(tp_of_key, dtype=np.int32)
        if tok.shape[0] == 0:
            tok = np.zeros(0, dtype=np.int32)
        tpdt = np.int16 if T < 32767 else np.int32
        tp_ev = tok.astype(tpdt)[st.key] if st.n_events else np.zeros(0, dtype=tpdt)
        mapped = tp_ev >= 0
        n_mapped = int(np.count_nonzero(mapped))
        unmapped_prev = None
        i32 = st.n_events < 2**31 - 1
        idt = np.int32 if i32 else np.int64
        if n_mapped < st.n_events:
            # keep positions of mapped events (into the layer-0 arrays) instead of copying times
            unmapped_prev = self._unmapped_neighbours(tp_ev, mapped, T)
            mi = np.flatnonzero(mapped).astype(idt)
            cust = st.cust[mi]
            tp_ev = tp_ev[mi]
        else:
            mi = None
            cust = st.cust
        del mapped
        t0 = st.t_code  # compact codes; differences are scaled to ns below
        scale = st.t_scale
        N = cust.shape[0]
        seg_c = st.seg_of_cust
        has_next = np.zeros(N, dtype=bool)
        if N > 1:
            np.equal(cust[1:], cust[:-1], out=has_next[:-1])

        def pos(ix):  # compressed index -> layer-0 index
            return ix if mi is None else mi[ix]

        # ---- group 1: (tp, seg) ------------------------------------------------
        _debug("g1start")
        G1 = T * NS
        small1 = G1 < 65535
        g1 = tp_ev.astype(np.uint16 if small1 else np.int64)
        if NS > 1:
            g1 *= (np.uint16 if small1 else np.int64)(NS)
            _add_segments(np, g1, seg_c, cust)
        o1 = np.argsort(g1, kind="stable").astype(idt, copy=False)
        cnt1 = np.bincount(g1, minlength=G1)[:G1]
        off1 = np.zeros(G1 + 1, dtype=np.int64)
        np.cumsum(cnt1, out=off1[1:])
        exits1 = np.bincount(g1[~has_next], minlength=G1)[:G1] if N else np.zeros(G1, np.int64)
        del g1
        _debug("g1sorted")
        cg = cust[o1]
        brk = np.ones(N, dtype=bool)
        if N > 1:
            np.not_equal(cg[1:], cg[:-1], out=brk[1:])
            bstart = off1[1:-1]
            bstart = bstart[(bstart > 0) & (bstart < N)]
            brk[bstart] = True
        rs = _flatnonzero32(np, brk)
        del brk
        poff = np.searchsorted(rs, off1).astype(np.int64)  # pair offsets per (tp, seg) block
        pcnt = np.diff(poff)
        p_cust = cg[rs]
        del cg
        _debug("pairs")
        # (customer, touchpoint) pairs keep the layer-0 positions of their first and last event
        p_fi = pos(o1[rs]).astype(idt, copy=False)
        if rs.shape[0]:  # run ends: the element before the next run's start
            rs[:-1] = rs[1:] - 1
            rs[-1] = N - 1
        p_li = pos(o1[rs]).astype(idt, copy=False)
        del rs
        dt = np.full(N, -1, dtype=np.int64)  # time to the next mapped event (< 0: none)
        step = 1 << 20
        for a in range(0, max(N - 1, 0), step):
            b = min(N - 1, a + step)
            tt = t0[pos(np.arange(a, b + 1, dtype=idt))] if mi is not None else t0[a:b + 1]
            np.subtract(tt[1:], tt[:-1], out=dt[a:b], where=has_next[a:b], casting="unsafe")
        if scale != 1:
            dt *= scale
        P2 = T * T
        G2 = P2 * NS
        udt = np.uint16 if (T + 1) * NS < 65535 else np.int64
        tp_next = np.full(N, T, dtype=udt)  # next event's touchpoint (T: none)
        for a in range(0, max(N - 1, 0), 1 << 20):
            b = min(N - 1, a + (1 << 20))
            np.copyto(tp_next[a:b], tp_ev[a + 1:b + 1].astype(udt), where=has_next[a:b])
        del tp_ev
        del has_next
        mi = None  # (not `del`: captured by pos())
        _debug("dt")
        nq_block = np.full((G1, 2), np.nan)
        nn_block = np.zeros(G1, dtype=np.int64)
        nq_tp = np.full((T, 2), np.nan)
        nn_tp = np.zeros(T, dtype=np.int64)
        seg_ids = np.arange(NS, dtype=udt)

        def tp_block(j):  # one touchpoint: next-time quantiles and its outgoing transitions
            a, b = off1[j * NS], off1[(j + 1) * NS]
            blk = o1[a:b]
            d = dt[blk]
            ok = d >= 0
            counts = cnt1[j * NS:(j + 1) * NS]
            segs = [s for s in range(NS) if counts[s]]
            dall = d[ok]
            res = [(None, dall.shape[0], _quantiles(np, dall, inplace=True))]
            del dall
            if len(segs) == 1:
                res.append((segs[0], res[0][1], res[0][2]))
            else:
                for s in segs:
                    lo, hi = off1[j * NS + s] - a, off1[j * NS + s + 1] - a
                    ds = d[lo:hi][ok[lo:hi]]
                    res.append((s, ds.shape[0], _quantiles(np, ds, inplace=True)))
            del ok
            # transitions j -> k, grouped by (k, segment), customers ascending within
            key = tp_next[blk]
            key *= udt(NS)
            key += np.repeat(seg_ids, counts)
            ob = np.argsort(key, kind="stable")
            kc = np.bincount(key, minlength=(T + 1) * NS)[: (T + 1) * NS]
            del key
            koff = np.zeros((T + 1) * NS + 1, dtype=np.int64)
            np.cumsum(kc, out=koff[1:])
            n_tr = int(koff[T * NS])  # events with a next one come first (k < T)
            ob = ob[:n_tr].astype(np.int32, copy=False) if n_tr < 2**31 else ob[:n_tr]
            db = d[ob]
            del d
            cb = cust[blk[ob]]
            del ob
            brk_ = np.ones(n_tr, dtype=bool)
            if n_tr > 1:
                np.not_equal(cb[1:], cb[:-1], out=brk_[1:])
                bs = koff[1:T * NS]
                brk_[bs[(bs > 0) & (bs < n_tr)]] = True
            runs = _flatnonzero32(np, brk_)
            del brk_
            inc = cb[runs]
            del cb
            ioff_j = np.searchsorted(runs, koff[: T * NS + 1])
            meds = {}
            blocks = {}
            for k in np.flatnonzero(kc[: T * NS].reshape(T, NS).sum(axis=1)).tolist():
                lo, hi = koff[k * NS], koff[(k + 1) * NS]
                dk = db[lo:hi]
                med = _quantiles(np, dk, (0.5,))[0]
                meds[j * T + k] = med
                for s in range(NS):
                    l2, h2 = koff[k * NS + s] - lo, koff[k * NS + s + 1] - lo
                    if h2 > l2:
                        blocks[(j * T + k) * NS + s] = (
                            med if h2 - l2 == hi - lo else _quantiles(np, dk[l2:h2], (0.5,))[0])
            return j, res, kc[: T * NS].astype(np.int64), inc, np.diff(ioff_j), meds, blocks

        cnt2 = np.zeros(G2, dtype=np.int64)
        icnt = np.zeros(G2, dtype=np.int64)
        inc_parts = []
        tr_med: dict = {}
        tr_med_block: dict = {}
        todo = [j for j in range(T) if off1[(j + 1) * NS] > off1[j * NS]]
        for j, res, kc_j, inc_j, icnt_j, meds, blocks in _pmap(tp_block, todo):
            for s, n_, q_ in res:
                if s is None:
                    nn_tp[j], nq_tp[j] = n_, q_
                else:
                    nn_block[j * NS + s], nq_block[j * NS + s] = n_, q_
            cnt2[j * T * NS:(j + 1) * T * NS] = kc_j
            icnt[j * T * NS:(j + 1) * T * NS] = icnt_j
            inc_parts.append(inc_j)
            tr_med.update(meds)
            tr_med_block.update(blocks)
        o1 = dt = tp_next = cust = None  # free (not `del`: captured by tp_block)
        i_cust = np.concatenate(inc_parts) if inc_parts else np.zeros(0, dtype=np.int32)
        del inc_parts
        ioff = np.zeros(G2 + 1, dtype=np.int64)
        np.cumsum(icnt, out=ioff[1:])
        _debug("inc")
        # value / channel sums per (tp, seg) from the per-key tables
        K = len(st.keys)
        vsum = np.zeros((T, NS))
        vn = np.zeros((T, NS), dtype=np.int64)
        chan = None
        if st.key_chan is not None:
            chan = np.zeros((T, st.key_chan.shape[1]), dtype=np.int64)
        for k in range(K):
            j = int(tok[k]) if k < tok.shape[0] else -1
            if j < 0:
                continue
            if st.key_value_sum is not None:
                vsum[j] += st.key_value_sum[k]
                vn[j] += st.key_value_n[k]
            if chan is not None:
                chan[j] += st.key_chan[k]
        self._l1 = dict(
            T=T, NS=NS, n_tp=n_tp, cnt1=cnt1, exits1=exits1, pcnt=pcnt, poff=poff,
            p_cust=p_cust, p_fi=p_fi, p_li=p_li,
            nq_block=nq_block, nn_block=nn_block, nq_tp=nq_tp, nn_tp=nn_tp,
            cnt2=cnt2, icnt=icnt, ioff=ioff, i_cust=i_cust, tr_med=tr_med,
            tr_med_block=tr_med_block, vsum=vsum, vn=vn, chan=chan,
            unmapped_prev=unmapped_prev, n_mapped=n_mapped,
        )

    def _unmapped_neighbours(self, tp_ev, mapped, T):
        """Per unmapped key: counts of the touchpoint of the previous / next mapped event."""
        np = _np()
        st = self.store
        N = st.n_events
        K = len(st.keys)
        idt = np.int32 if N < 2**31 - 1 else np.int64
        pos = np.where(mapped, np.arange(N, dtype=idt), idt(-1))
        prev = np.maximum.accumulate(pos)
        um = np.flatnonzero(~mapped)
        p = prev[um]
        del prev
        ok = (p >= 0) & (st.cust[np.maximum(p, 0)] == st.cust[um])
        keyu = st.key[um].astype(np.int64)
        prev_counts = np.bincount(
            keyu[ok] * T + tp_ev[p[ok]], minlength=K * T
        )[: K * T].reshape(K, T)
        pos2 = np.where(mapped, np.arange(N, dtype=idt), idt(N))
        nxt = np.minimum.accumulate(pos2[::-1])[::-1]
        del pos2
        q = nxt[um]
        okn = (q < N) & (st.cust[np.minimum(q, N - 1)] == st.cust[um])
        next_counts = np.bincount(
            keyu[okn] * T + tp_ev[q[okn]], minlength=K * T
        )[: K * T].reshape(K, T)
        return prev_counts + next_counts

    # -- results ---------------------------------------------------------
    def seg_index(self, segment) -> int | None:
        if segment is None:
            return None
        return self.store.segments.index(segment)

    def total_customers(self, s: int | None) -> int:
        np = _np()
        st = self.store
        if s is None:
            return st.n_customers
        if s < len(st.segments):
            return int(self.segment_customers()[s])
        return int(np.count_nonzero(st.seg_of_cust == s))

    def tp_agg(self, s: int | None) -> TPAgg:
        if s in self._tp_cache:
            return self._tp_cache[s]
        np = _np()
        L = self._l1
        T, NS = L["T"], L["NS"]
        n_tp = L["n_tp"]

        def pick(arr):  # [T*NS] -> [T]
            a = arr.reshape(T, NS)
            return (a.sum(axis=1) if s is None else a[:, s]).astype(np.int64)

        events = pick(L["cnt1"])
        customers = pick(L["pcnt"])
        exits = pick(L["exits1"])
        if s is None:
            next_q, next_n = L["nq_tp"], L["nn_tp"]
            vsum, vn = L["vsum"].sum(axis=1), L["vn"].sum(axis=1)
        else:
            idx = np.arange(T) * NS + s
            next_q, next_n = L["nq_block"][idx], L["nn_block"][idx]
            vsum, vn = L["vsum"][:, s], L["vn"][:, s]
        P2 = T * T
        c2 = L["cnt2"].reshape(P2, NS)
        i2 = L["icnt"].reshape(P2, NS)
        pc = c2.sum(axis=1) if s is None else c2[:, s]
        pcu = i2.sum(axis=1) if s is None else i2[:, s]
        pairs = np.flatnonzero(pc)
        tr_from = pairs // T
        tr_to = pairs % T
        if s is None:
            med = np.array([L["tr_med"][p] for p in pairs.tolist()], dtype=float)
        else:
            med = np.array([L["tr_med_block"][p * NS + s] for p in pairs.tolist()], dtype=float)
        mark = np.zeros(self.store.n_customers, dtype=bool)
        if s is None:
            mark[L["p_cust"]] = True
        else:
            for b in (np.arange(T) * NS + s).tolist():
                mark[L["p_cust"][L["poff"][b]:L["poff"][b + 1]]] = True
        mapped_cust = int(np.count_nonzero(mark))
        del mark
        chan = L["chan"] if s is None else None
        agg = TPAgg(
            events=events[:n_tp], customers=customers[:n_tp], exits=exits[:n_tp],
            value_sum=vsum[:n_tp], value_n=vn[:n_tp], next_q=next_q[:n_tp], next_n=next_n[:n_tp],
            tr_from=tr_from, tr_to=tr_to, tr_count=pc[pairs].astype(np.int64),
            tr_customers=pcu[pairs].astype(np.int64), tr_median=med, chan=chan,
            total_customers=self.total_customers(s), mapped_customers=mapped_cust,
        )
        self._tp_cache[s] = agg
        return agg

    def _stage_arrays(self, tps: tuple):
        """(customer ids, dwell ns) of customers reaching a stage made of touchpoints `tps`."""
        if tps in self._stage_cache:
            return self._stage_cache[tps]
        np = _np()
        L = self._l1
        NS = L["NS"]
        poff = L["poff"]
        pc, pfi, pli = L["p_cust"], L["p_fi"], L["p_li"]
        t0 = self.store.t_code
        scale = self.store.t_scale
        ranges = [(poff[j * NS], poff[(j + 1) * NS]) for j in tps if j < L["T"]]
        ranges = [(a, b) for a, b in ranges if b > a]
        if not ranges:
            res = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64))
        elif len(ranges) == 1:
            a, b = ranges[0]
            dw = (t0[pli[a:b]] - t0[pfi[a:b]]).astype(np.int64)
            if scale != 1:
                dw *= scale
            res = (pc[a:b], dw)
        else:
            C = self.store.n_customers
            info = np.iinfo(t0.dtype)
            first = np.full(C, info.max, dtype=t0.dtype)
            last = np.full(C, info.min, dtype=t0.dtype)
            for a, b in ranges:
                c = pc[a:b]
                first[c] = np.minimum(first[c], t0[pfi[a:b]])
                last[c] = np.maximum(last[c], t0[pli[a:b]])
            ids = np.flatnonzero(first != info.max).astype(np.int32)
            dw = (last[ids] - first[ids]).astype(np.int64)
            if scale != 1:
                dw *= scale
            res = (ids, dw)
        self._stage_cache[tps] = res
        return res

    def stage_agg(self, stage_tps: list[tuple], stage_of_tp, s: int | None) -> StageAgg:
        key = (tuple(stage_tps), s)
        if key in self._stage_agg_cache:
            return self._stage_agg_cache[key]
        np = _np()
        st = self.store
        S = len(stage_tps)
        reach = np.zeros(S, dtype=np.int64)
        dwell = np.full(S, np.nan)
        def one(tps):  # (reach, median dwell) of one stage, cached by its touchpoints
            ck = (tps, s)
            if ck not in self._dwell_cache:
                ids, dw = self._stage_arrays(tps)
                if s is not None:
                    dw = dw[st.seg_of_cust[ids] == s]
                self._dwell_cache[ck] = (dw.shape[0], _quantiles(np, dw, (0.5,))[0])
            return self._dwell_cache[ck]

        for k, (r_, d_) in enumerate(_pmap(one, stage_tps)):
            reach[k] = r_
            dwell[k] = d_
        back = self._backwards(stage_of_tp, s)
        agg = StageAgg(reach=reach, dwell_median=dwell, backwards=back)
        if len(self._stage_agg_cache) > 256:
            self._stage_agg_cache.clear()
        self._stage_agg_cache[key] = agg
        if len(self._stage_cache) > 512:
            self._stage_cache.clear()
            self._dwell_cache.clear()
        return agg

    def _backwards(self, stage_of_tp, s: int | None) -> int:
        """Distinct customers with a mapped event directly followed by one at an earlier stage."""
        np = _np()
        L = self._l1
        T, NS = L["T"], L["NS"]
        sot = np.full(T, -1, dtype=np.int64)
        k = min(T, len(stage_of_tp))
        sot[:k] = stage_of_tp[:k]
        P2 = T * T
        pairs = np.flatnonzero(L["icnt"].reshape(P2, NS).sum(axis=1))
        fr, to = pairs // T, pairs % T
        back = pairs[(sot[fr] >= 0) & (sot[to] >= 0) & (sot[fr] > sot[to])]
        if back.shape[0] == 0:
            return 0
        ioff, ic = L["ioff"], L["i_cust"]
        if s is None:
            parts = [ic[ioff[p * NS]:ioff[(p + 1) * NS]] for p in back.tolist()]
        else:
            parts = [ic[ioff[p * NS + s]:ioff[p * NS + s + 1]] for p in back.tolist()]
        allc = np.concatenate(parts)
        if allc.shape[0] == 0:
            return 0
        mark = np.zeros(self.store.n_customers, dtype=bool)
        mark[allc] = True
        return int(np.count_nonzero(mark))

    def unmapped_neighbours(self):
        return self._l1["unmapped_prev"] if self._l1 else None

    def segment_customers(self):
        if self._seg_counts is None:
            np = _np()
            st = self.store
            self._seg_counts = np.bincount(st.seg_of_cust, minlength=st.ns)[: len(st.segments)]
        return self._seg_counts


# The public class lives in binding.py's neighbour; import late to avoid cycles.
def __getattr__(name: str) -> Any:
    if name == "JourneyMetrics":
        from .metrics import JourneyMetrics

        return JourneyMetrics
    raise AttributeError(name)

