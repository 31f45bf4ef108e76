"""Compiled journey aggregates (optional, numba): one pass over the runs, unit by unit.

With the ``fast`` extra (``pip install "journeywidget[fast]"``, which brings numba, the
standard JIT compiler for numeric Python), the numpy engine computes a layout's
:class:`~journeywidget.data.engine.JourneyAgg` — the ordered and reached funnels,
conformance counts, flows, the top stage paths, times to convert and, for session
units, the distinct customers per stage — in one compiled pass over the touchpoint
runs (:class:`~journeywidget.data.sequences.Runs`), keeping only per-stage counters.
No per-unit fact matrices are built, so a move of a touchpoint or a segment switch
costs one pass, about 15 ns a touchpoint run on each of two threads (about 0.1 s at 10M
events).

The definitions are those of :mod:`journeywidget.data.sequences` (stage paths with
consecutive repeats collapsed, earliest-match chaining from the first stage-1 visit,
the window measured from that match, skips, steps back, conforming paths) and the
tests check both paths against the same plain-Python reference. Paths are grouped
exactly: a hash picks the slot, and the stage path itself is compared.

Without numba, or with ``JOURNEYWIDGET_KERNELS=numpy``, the vectorised numpy path runs:
the same numbers, slower live updates on millions of events.

>>> import numpy as np
>>> from journeywidget.data.sequences import Runs
>>> runs = Runs(unit=np.array([0, 0, 0, 1, 1], np.int32), tp=np.array([0, 1, 0, 1, 2], np.int16),
...             t0=np.array([0, 5, 9, 0, 3], np.int32), n_units=2, t_scale=10**9)
>>> agg = journey_agg(runs, np.array([0, 3, 5]), [0, 1, 2], [0, 1, 2], None) if enabled() else None
>>> agg is None or (agg.counts.ordered.tolist(), agg.paths[0][0]) == ([[1, 1, 0]], (0, 1, 0))
True
"""

from __future__ import annotations

import os
from typing import Any

from .engine import JourneyAgg, _pmap, _quantiles, _threads

__all__ = ["enabled", "run", "journey_agg", "sort_events"]

#: the kernels handle up to this many stages with data (a unit's stages fit one 64-bit mask)
MAX_STAGES = 63
#: from this many runs the units are split in two spans, walked on two threads
PARALLEL_MIN = 400_000
_KERNELS: Any = None  # the module of compiled functions once loaded; False without numba


def _compile() -> Any:
    global _KERNELS
    if _KERNELS is None:
        try:
            import numba  # noqa: F401
        except ImportError:
            _KERNELS = False
        else:
            from . import _kernels_nb

            _KERNELS = _kernels_nb
    return _KERNELS


def enabled() -> bool:
    """Whether the compiled kernels run: numba is installed and ``JOURNEYWIDGET_KERNELS`` is
    not ``numpy``."""
    if os.environ.get("JOURNEYWIDGET_KERNELS", "").strip().lower() == "numpy":
        return False
    return bool(_compile())


def run(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, or None when numba cannot compile a kernel for these inputs
    here: then a warning says so once and the kernels stay off in this process (the numpy
    path answers, with the same numbers)."""
    global _KERNELS
    from numba.core.errors import NumbaError

    try:
        return fn(*args, **kwargs)
    except NumbaError as err:
        import warnings

        _KERNELS = False
        warnings.warn(f"journeywidget: the compiled kernels failed here ({type(err).__name__}); "
                      "using the numpy path (same numbers, slower live updates)", RuntimeWarning,
                      stacklevel=2)
        return None


def _chunks(off: Any, cst: Any, parts: int) -> list[tuple[int, int, int, int]]:
    """(u0, u1, c0, c1): ``parts`` spans of units holding about as many runs each, cut where
    a customer's units begin (session units)."""
    import numpy as np

    U = off.shape[0] - 1
    C = cst.shape[0]
    cuts = [0]
    for i in range(1, parts):
        u = int(np.searchsorted(off, off[-1] * i // parts))
        if C:
            u = int(cst[min(int(np.searchsorted(cst, u)), C - 1)])
        if cuts[-1] < u < U:
            cuts.append(u)
    cuts.append(U)
    ccut = [int(np.searchsorted(cst, u)) if C else 0 for u in cuts]
    if C:
        ccut[-1] = C
    return [(cuts[i], cuts[i + 1], ccut[i], ccut[i + 1]) for i in range(len(cuts) - 1)]


def journey_agg(runs: Any, offsets: Any, stage_of_slot: Any, rank_of_stage: Any,
                window_ns: int | None, sel: Any = None, cust_starts: Any = None,
                top: int = 10, scratch: dict | None = None, dwell_ranks: Any = None) -> JourneyAgg:
    """The :class:`~journeywidget.data.engine.JourneyAgg` of a layout for the units of ``runs``
    (``offsets``: where each unit's runs begin, n_units + 1 of them) selected by the boolean
    ``sel`` (None: all); ``cust_starts``: where each customer's units begin when units are
    sessions numbered customer by customer (None: units are customers); ``scratch``: a dict
    that keeps the work arrays between calls. With ``runs.t1`` it also gives the median time
    in stage of the ranks ``dwell_ranks`` asks for (a boolean per rank; None: all; the others
    are NaN)."""
    import numpy as np

    k = _compile()
    walk, regroup, path_facts, by_stage = k.walk, k.regroup, k.path_facts, k.by_stage
    rank_of_stage = np.asarray(rank_of_stage, dtype=np.int64)
    D = int(rank_of_stage.max()) + 1 if rank_of_stage.shape[0] else 0
    if D > MAX_STAGES:
        raise ValueError(f"the compiled kernels take up to {MAX_STAGES} stages with data")
    D1 = max(D, 1)
    sos = np.asarray(stage_of_slot, dtype=np.int64)
    lut = np.full(max(sos.shape[0], int(runs.tp.max(initial=0)) + 1), -1, dtype=np.int16)
    ok = sos >= 0
    lut[: sos.shape[0]][ok] = rank_of_stage[sos[ok]]
    wcode = -1 if window_ns is None else int(window_ns) // int(runs.t_scale)
    has_sel = sel is not None
    sel_a = np.asarray(sel, dtype=np.bool_) if has_sel else np.zeros(1, np.bool_)
    cst = np.zeros(0, np.int64) if cust_starts is None else np.asarray(cust_starts, dtype=np.int64)
    off = np.asarray(offsets, dtype=np.int64)
    t0 = runs.t0 if runs.t0.dtype in (np.int32, np.int64) else runs.t0.astype(np.int64)
    t1 = runs.t1 if runs.t1 is not None else t0
    t1 = t1 if t1.dtype == t0.dtype else t1.astype(t0.dtype)
    dwant = np.zeros(D1, np.bool_)
    if runs.t1 is not None:
        dwant[:D] = True if dwell_ranks is None else np.asarray(dwell_ranks, dtype=np.bool_)[:D]
    parts = 2 if runs.size >= PARALLEL_MIN and _threads() > 1 else 1
    scratch = {} if scratch is None else scratch
    chunks = _chunks(off, cst, parts)

    def one(i: int) -> tuple:
        """A span of units, walked: its counts, and its distinct paths with their facts."""
        u0, u1, c0, c1 = chunks[i]
        r0, r1 = int(off[u0]), int(off[u1])
        buf = scratch.get(("walk", i))
        if (buf is None or buf[0].shape[0] < u1 - u0 + 1 or buf[1].shape[0] < r1 - r0 + 1
                or buf[4].dtype != t0.dtype or buf[6].dtype != t0.dtype):
            # worst-case sizes, never filled: untouched pages cost no memory
            buf = (np.empty((u1 - u0 + 1, 6), np.int64), np.empty(r1 - r0 + 1, np.int16),
                   np.empty(r1 - r0 + 1, np.int32), np.empty(r1 - r0 + 1, np.int16),
                   np.empty(r1 - r0 + 1, t0.dtype), np.empty(r1 - r0 + 1, np.int16),
                   np.empty(r1 - r0 + 1, t0.dtype))  # (times: differences of time codes)
            scratch[("walk", i)] = buf
        pinfo, pbuf, pm, tk, tv, dk, dv = buf
        cap = scratch.get(("cap", i), 1 << 12)
        while True:
            th, tid = np.empty(cap, np.uint64), np.full(cap, -1, np.int32)
            cnt = np.zeros((2, D1), np.int64)
            r = walk(off, runs.tp, t0, t1, lut, D, wcode, window_ns is not None, sel_a, has_sel, cst,
                     u0, u1, c0, c1, th, tid, pinfo, pbuf, pm, tk, tv, dk, dv, dwant, cnt)
            if r[4] >= 0:
                break
            cap *= 8  # more paths than the table held: again with a larger one
        # (only ever grown, with room: a move that adds paths must not fill it and walk again)
        scratch[("cap", i)] = max(cap, 1 << max(12, (4 * int(r[4])).bit_length()))
        pn, nb, nt, nd = r[4], r[5], r[6], r[7]
        pi = pinfo[:pn]
        facts = path_facts(pi[:, 0], pi[:, 1], pbuf, pi[:, 4].copy(), D)  # (counts add up)
        pcnt = np.vstack([pi[:, 4], pi[:, 5], np.where(facts[5], pi[:, 4], 0)])
        return (*r[:4], pi[:, 0].copy(), pi[:, 1].copy(), pcnt, pbuf[:nb].copy(), facts, cnt,
                (tk[:nt], tv[:nt]), (dk[:nd], dv[:nd]))

    res = _pmap(one, range(len(chunks)), min_items=2)
    n_units = sum(int(r[0]) for r in res)
    dh, cdh, crea = (sum(r[i] for r in res) for i in (1, 2, 3))
    scal, per, mh, fc, fu = (sum(r[8][i] for r in res) for i in range(5))
    # the top paths: the chunks' path tables together, each path once
    base = np.cumsum([0] + [r[7].shape[0] for r in res[:-1]])
    pstart = np.concatenate([r[4] + b for r, b in zip(res, base)])
    plen, pbuf = np.concatenate([r[5] for r in res]), np.concatenate([r[7] for r in res])
    pcnt = np.concatenate([r[6] for r in res], axis=1)
    if len(res) > 1:
        keep, pcnt = regroup(pstart, plen, pcnt, pbuf)
        pstart, plen, pcnt = pstart[keep], plen[keep], pcnt[:, keep]
    mh[0] += n_units - int(scal[0])  # units without a path
    ordered = dh[::-1].cumsum()[::-1][1:D + 1].astype(np.int64)  # depth > k

    def medians(name: str, pairs: list, n_ks: list, first: int) -> Any:
        """Per rank from ``first`` on, the median of the (rank, value) pairs of every span
        (``n_ks``: each span's count per rank): put rank by rank in a kept buffer (no fresh
        pages; the spans on their threads, each after the earlier ones), then partitioned."""
        med = np.full(D, np.nan)
        if D <= first or all(not v.shape[0] for _, v in pairs):
            return med
        starts = np.zeros(D + 1, dtype=np.int64)
        np.cumsum(sum(n_ks)[:D], out=starts[1:])
        out = scratch.get(name)
        if out is None or out.shape[0] < starts[-1] or out.dtype != pairs[0][1].dtype:
            out = scratch[name] = np.empty(max(int(starts[-1]), 1), pairs[0][1].dtype)
        fills = [starts[:D] + sum(n_ks[:i], np.zeros(D1, np.int64))[:D] for i in range(len(pairs))]
        _pmap(lambda i: by_stage(pairs[i][0], pairs[i][1], fills[i], out), range(len(pairs)), min_items=2)
        med[first:] = _pmap(lambda k: _quantiles(np, out[starts[k]:starts[k + 1]], (0.5,), inplace=True,
                                                 scale=int(runs.t_scale))[0], range(first, D), min_items=2)
        return med

    ttc = medians("ttc", [r[10] for r in res], [r[9][0] for r in res], 1)
    dwell = (medians("dwell", [r[11] for r in res], [r[9][1] for r in res], 0) if runs.t1 is not None
             else None)
    if cust_starts is None:
        c_ord, c_rea = ordered.copy(), per[0][:D].astype(np.int64)
    else:
        c_ord = cdh[::-1].cumsum()[::-1][1:D + 1].astype(np.int64)
        c_rea = crea[:D].astype(np.int64)
    return JourneyAgg(D=D, counts=_counts(D, n_units, scal, per, mh, fc, fu, ordered), ttc_median=ttc,
                      paths=_top_paths(pstart, plen, pcnt, pbuf, top),
                      customers_ordered=c_ord, customers_reached=c_rea,
                      dwell_median=dwell)


def _counts(D: int, n_units: int, scal: Any, per: Any, mh: Any, fc: Any, fu: Any, ordered: Any) -> Any:
    """The GroupCounts (one row) from the walk's totals."""
    import numpy as np

    from .sequences import GroupCounts

    D1 = max(D, 1)
    above = mh[::-1].cumsum()[::-1]  # above[j]: highest rank >= j - 1
    skip_pop = np.zeros(D, dtype=np.int64)
    skip_pop[: max(D - 1, 0)] = above[2:D + 1]
    skip_pop_conv = np.full(D, int(scal[2]), dtype=np.int64)
    if D:
        skip_pop_conv[D - 1] = 0

    def row(a: Any) -> Any:
        return np.asarray(a, dtype=np.int64)[:D].reshape(1, D)

    return GroupCounts(
        units=np.array([n_units], np.int64), nonempty=scal[0:1].copy(), conforming=scal[1:2].copy(),
        converted=scal[2:3].copy(), reached=row(per[0]), ordered=ordered.reshape(1, D),
        skipped=row(per[2]), skipped_conv=row(per[3]), at_or_after=row(above[1:]),
        skip_pop=skip_pop.reshape(1, D), skip_pop_conv=skip_pop_conv.reshape(1, D),
        back=row(per[4]), back_conv=row(per[5]), reached_conv=row(per[1]),
        flow_count=fc.reshape(1, D1, D1)[:, :D, :D], flow_units=fu.reshape(1, D1, D1)[:, :D, :D])


def sort_events(cust: Any, t: Any) -> Any:
    """The order of events by (customer code, time, row), as
    :func:`~journeywidget.data.encoding.sort_events` gives it: a stable counting sort on the
    customer codes (two passes, each on two threads over halves of the events), then each
    customer's events put in time order where they are not (a log read in time order has
    nothing to do there)."""
    import numpy as np

    k = _compile()
    count, scatter, order_times = k.count_customers, k.scatter_customers, k.order_times
    n = cust.shape[0]
    C = int(cust.max()) + 1
    halves = [(0, n // 2), (n // 2, n)] if n >= PARALLEL_MIN and _threads() > 1 else [(0, n)]
    counts = _pmap(lambda ab: count(cust, ab[0], ab[1], C), halves, min_items=2)
    starts = np.zeros(C + 1, dtype=np.int64)
    np.cumsum(sum(counts), out=starts[1:])
    pos, at = [], starts[:C].copy()
    for c in counts:  # each half's events go after the earlier halves' (stable)
        pos.append(at.copy())
        at += c
    out = np.empty(n, dtype=np.int32 if n < 2**31 - 1 else np.int64)
    _pmap(lambda i: scatter(cust, halves[i][0], halves[i][1], pos[i], out), range(len(halves)),
          min_items=2)
    if n > 1 and not bool(np.all(t[1:] >= t[:-1])):
        mid = int(np.searchsorted(starts, n // 2))
        spans = [(0, min(mid, C)), (min(mid, C), C)] if len(halves) > 1 else [(0, C)]
        _pmap(lambda s: order_times(out, starts, t, s[0], s[1]), spans, min_items=2)
    return out


def _top_paths(pstart: Any, plen: Any, pcnt: Any, pbuf: Any, top: int) -> list[tuple]:
    """The ``top`` most common paths, most units first (ties: the path itself), as
    :func:`~journeywidget.data.sequences.path_table` gives them."""
    import numpy as np

    n = pstart.shape[0]
    if n == 0 or top <= 0:
        return []
    c = pcnt[0]
    if n > top:
        t = np.partition(c, n - top)[n - top]  # the top-th largest count
        tie = np.flatnonzero(c == t)
        need = top - int(np.count_nonzero(c > t))
        if tie.shape[0] > need:  # ties at the boundary: the paths that sort first
            L = int(plen[tie].max())
            pad = np.full((tie.shape[0], L), -1, dtype=np.int64)  # (-1: a shorter path first)
            for j in range(L):
                have = plen[tie] > j
                pad[have, j] = pbuf[pstart[tie[have]] + j]
            tie = tie[np.lexsort(pad.T[::-1])[:need]]
        cand = np.concatenate([np.flatnonzero(c > t), tie])
    else:
        cand = np.arange(n)
    rows = []
    for i in cand.tolist():
        a = int(pstart[i])
        path = tuple(int(x) for x in pbuf[a:a + int(plen[i])])
        rows.append((path, int(pcnt[0, i]), int(pcnt[1, i]), int(pcnt[2, i])))
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows[:top]
