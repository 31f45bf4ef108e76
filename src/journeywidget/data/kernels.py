"""Compiled journey aggregates (optional, numba): one pass over the runs, unit by unit.

With the ``fast`` extra (``pip install "journeywidget[fast]"``, which brings numba, the
standard JIT compiler for numeric Python), the numpy engine computes a layout's
:class:`~journeywidget.data.engine.JourneyAgg` — the ordered and reached funnels,
conformance counts, flows, the top stage paths, times to convert and, for session
units, the distinct customers per stage — in one compiled pass over the touchpoint
runs (:class:`~journeywidget.data.sequences.Runs`), keeping only per-stage counters.
No per-unit fact matrices are built: a segment switch costs one pass, about 15 ns a
touchpoint run on each of two threads. Over all units the walk is kept
(:mod:`~journeywidget.data.kept_walk`): a move walks again only the units that visit
the moved touchpoints.

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
from .kept_walk import KeptWalk, empty

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
    are NaN).

    For all units (no ``sel``) with ``runs.t1``, ``scratch`` keeps each unit's path, depth and
    times: the next layout that differs in the stage of a few touchpoints (a move) walks
    again only the units (customers, for sessions) that visit them."""
    import numpy as np

    rank_of_stage = np.asarray(rank_of_stage, dtype=np.int64)
    D = int(rank_of_stage.max()) + 1 if rank_of_stage.shape[0] else 0
    if D > MAX_STAGES:
        raise ValueError(f"the compiled kernels take up to {MAX_STAGES} stages with data")
    D1 = max(D, 1)
    sos = np.asarray(stage_of_slot, dtype=np.int64)
    lut = np.full(max(sos.shape[0], int(runs.tp.max(initial=0)) + 1), -1, dtype=np.int16)
    ok = sos >= 0
    lut[: sos.shape[0]][ok] = rank_of_stage[sos[ok]]
    t0 = runs.t0 if runs.t0.dtype in (np.int32, np.int64) else runs.t0.astype(np.int64)
    t1 = runs.t1 if runs.t1 is not None else t0
    t1 = t1 if t1.dtype == t0.dtype else t1.astype(t0.dtype)
    w = _Walk(runs, offsets, cust_starts, lut, D, window_ns, t0, t1,
              {} if scratch is None else scratch)
    dwant = np.zeros(D1, np.bool_)
    if runs.t1 is not None:
        dwant[:D] = True if dwell_ranks is None else np.asarray(dwell_ranks, dtype=np.bool_)[:D]
    if sel is None and runs.t1 is not None:  # all units: from the kept walk (a move: few units)
        n_units, dh, cdh, crea, (scal, per, mh, fc, fu), (pstart, plen, pcnt, pbuf), (ttc, dwell) = \
            KeptWalk(w).agg(dwant, top)
    else:
        sel_a = np.ones(0, np.bool_) if sel is None else np.asarray(sel, dtype=np.bool_)
        res = _pmap(lambda i: w.once(i, sel_a, dwant), range(len(w.chunks)), min_items=2)
        n_units = sum(int(r[0]) for r in res)
        dh, cdh, crea = (sum(r[i] for r in res) for i in (1, 2, 3))
        scal, per, mh, fc, fu = (sum(r[8][i] for r in res) for i in range(5))
        # the top paths: the chunks' path tables together, each path once
        base = np.cumsum([0] + [r[7].shape[0] for r in res[:-1]])
        pstart = np.concatenate([r[4] + b for r, b in zip(res, base)])
        plen, pbuf = np.concatenate([r[5] for r in res]), np.concatenate([r[7] for r in res])
        pcnt = np.concatenate([r[6] for r in res], axis=1)
        if len(res) > 1:
            keep, pcnt = w.k.regroup(pstart, plen, pcnt, pbuf)
            pstart, plen, pcnt = pstart[keep], plen[keep], pcnt[:, keep]
        ttc = w.medians("ttc", [r[10] for r in res], [r[9][0] for r in res], 1)
        dwell = (w.medians("dwell", [r[11] for r in res], [r[9][1] for r in res], 0)
                 if runs.t1 is not None else None)
    mh = mh.copy()
    mh[0] += n_units - int(scal[0])  # units without a path
    ordered = dh[::-1].cumsum()[::-1][1:D + 1].astype(np.int64)  # depth > k
    if cust_starts is None:
        c_ord, c_rea = ordered.copy(), per[0][:D].astype(np.int64)
    else:
        c_ord = cdh[::-1].cumsum()[::-1][1:D + 1].astype(np.int64)
        c_rea = crea[:D].astype(np.int64)
    return JourneyAgg(D=D, counts=_counts(D, n_units, scal, per, mh, fc, fu, ordered), ttc_median=ttc,
                      paths=_top_paths(pstart, plen, pcnt, pbuf, top),
                      customers_ordered=c_ord, customers_reached=c_rea,
                      dwell_median=dwell)


class _Walk:
    """One layout's walk over the runs, span by span (two spans on two threads from
    ``PARALLEL_MIN`` runs): :meth:`once` for a selection of units; all units go through
    :class:`~journeywidget.data.kept_walk.KeptWalk`, which keeps their paths and times
    (a move then walks only the units that visit the moved touchpoints)."""

    def __init__(self, runs: Any, offsets: Any, cust_starts: Any, lut: Any, D: int,
                 window_ns: int | None, t0: Any, t1: Any, scratch: dict) -> None:
        import numpy as np

        self.k = _compile()
        self.runs, self.lut, self.D, self.t0, self.t1, self.scratch = runs, lut, D, t0, t1, scratch
        self.offsets, self.cust_starts = offsets, cust_starts
        self.off = np.asarray(offsets, dtype=np.int64)
        self.cst = np.zeros(0, np.int64) if cust_starts is None else np.asarray(cust_starts, dtype=np.int64)
        self.wcode = -1 if window_ns is None else int(window_ns) // int(runs.t_scale)
        self.use_window = window_ns is not None
        parts = 2 if runs.size >= PARALLEL_MIN and _threads() > 1 else 1
        self.chunks = _chunks(self.off, self.cst, parts)

    def tables(self, key: Any, u0: int, u1: int, cap: int) -> tuple:
        """A span's empty path table and its kept work arrays (sized for the worst case, never
        filled: untouched pages cost no memory)."""
        import numpy as np

        r0, r1 = int(self.off[u0]), int(self.off[u1])
        buf = self.scratch.get(key)
        if buf is None or buf[0].shape[0] < u1 - u0 + 1 or buf[1].shape[0] < r1 - r0 + 1:
            buf = (np.empty((u1 - u0 + 1, 7), np.int64), np.empty(r1 - r0 + 1, np.int16),
                   np.empty(r1 - r0 + 1, np.int32))
            self.scratch[key] = buf
        D1 = max(self.D, 1)
        return (np.empty(cap, np.uint64), np.full(cap, -1, np.int32), *buf, np.full(D1, -1, np.int64),
                np.zeros(4, np.int64), np.zeros(self.D + 1, np.int64), np.zeros(self.D + 1, np.int64),
                np.zeros(D1, np.int64))

    def _result(self, n_units: int, tab: tuple) -> tuple:
        """A span's counts and its distinct paths with their facts."""
        import numpy as np

        th, tid, pinfo, pbuf, pm, single, w, dh, cdh, crea = tab
        pn, nb = int(w[0]), int(w[1])
        pi = pinfo[:pn]
        facts = self.k.path_facts(pi[:, 0], pi[:, 1], pbuf, pi[:, 4].copy(), self.D)  # (counts add up)
        pcnt = np.vstack([pi[:, 4], pi[:, 5], np.where(facts[5], pi[:, 4], 0)])
        return (n_units, dh, cdh, crea, pi[:, 0].copy(), pi[:, 1].copy(), pcnt, pbuf[:nb].copy(), facts)

    def once(self, i: int, sel: Any, dwant: Any) -> tuple:
        """Span ``i``'s units that ``sel`` selects, walked; the times as (rank, time) pairs."""
        import numpy as np

        u0, u1, c0, c1 = self.chunks[i]
        r0, r1 = int(self.off[u0]), int(self.off[u1])
        pairs = self.scratch.get(("pairs", i))
        t0 = self.t0
        if pairs is None or pairs[0].shape[0] < r1 - r0 + 1 or pairs[1].dtype != t0.dtype:
            pairs = tuple(np.empty(r1 - r0 + 1, dt) for dt in (np.int16, t0.dtype, np.int16, t0.dtype))
            self.scratch[("pairs", i)] = pairs
        tk, tv, dk, dv = pairs
        z8, z32, zt = np.zeros(1, np.int8), np.zeros(1, np.int32), np.zeros(1, t0.dtype)
        cap = self.scratch.get(("cap", i), 1 << 12)
        while True:
            tab = self.tables(("walk", i), u0, u1, cap)
            cnt = np.zeros((2, max(self.D, 1)), np.int64)
            n_units, done = self.k.walk(self.off, self.runs.tp, t0, self.t1, self.lut, self.D, self.wcode,
                                        self.use_window, sel, sel.shape[0] > 0, self.cst, u0, u1, c0, c1,
                                        empty(np.int64), False, *tab, dwant, False, z32, z8, zt, tk, tv, dk, dv,
                                        cnt, empty(t0.dtype, 2), 0)
            if done:
                break
            cap *= 8  # more paths than the table held: again with a larger one
        self.grow(("cap", i), cap, int(tab[6][0]))
        nt, nd = int(tab[6][2]), int(tab[6][3])
        return (*self._result(n_units, tab), cnt, (tk[:nt], tv[:nt]), (dk[:nd], dv[:nd]))

    def grow(self, key: Any, cap: int, pn: int) -> None:
        """The path table's size kept: only ever grown, with room (a move that adds paths must
        not fill it and walk again)."""
        self.scratch[key] = max(cap, self.scratch.get(key, 0), 1 << max(12, (4 * pn).bit_length()))

    def _layout(self, name: str, n_ks: list) -> tuple:
        """Where each span puts its values of each rank in a kept buffer (rank by rank, the
        spans one after the other): (starts per rank, each span's fill positions, buffer)."""
        import numpy as np

        D, D1 = self.D, max(self.D, 1)
        starts = np.zeros(D + 1, dtype=np.int64)
        np.cumsum(sum(n_ks)[:D], out=starts[1:])
        out = self.scratch.get(name)
        if out is None or out.shape[0] < starts[-1] or out.dtype != self.t0.dtype:
            out = self.scratch[name] = np.empty(max(int(starts[-1]), 1), self.t0.dtype)
        fills = [starts[:D1] + sum(n_ks[:i], np.zeros(D1, np.int64))[:D1] for i in range(len(n_ks))]
        return starts, fills, out

    def _partition(self, lay: tuple, first: int) -> Any:
        """Per rank from ``first`` on, the median of its values in the buffer (partitioned)."""
        import numpy as np

        starts, _, out = lay
        D = self.D
        med = np.full(D, np.nan)
        if D > first:
            med[first:] = _pmap(lambda k: _quantiles(np, out[starts[k]:starts[k + 1]], (0.5,), inplace=True,
                                                     scale=int(self.runs.t_scale))[0], range(first, D),
                                min_items=2)
        return med

    def medians(self, name: str, pairs: list, n_ks: list, first: int) -> Any:
        """Per rank from ``first`` on, the median of the (rank, value) pairs of every span
        (``n_ks``: each span's count per rank), put rank by rank in a kept buffer (the spans
        on their threads), then partitioned."""
        lay = self._layout(name, n_ks)
        if any(v.shape[0] for _, v in pairs):
            _pmap(lambda i: self.k.by_stage(pairs[i][0], pairs[i][1], lay[1][i], lay[2]), range(len(pairs)),
                  min_items=2)
        return self._partition(lay, first)


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

    def largest() -> int:
        """The top-th largest count (numpy's partition at one position crawls on many ties;
        at two it does not)."""
        return int(np.partition(c, [n - top - 1, n - top])[n - top])

    t = largest() if n > top else 1
    if t == 0:  # (kept paths no unit follows any more)
        keep = c > 0
        pstart, plen, pcnt = pstart[keep], plen[keep], pcnt[:, keep]
        n, c = pstart.shape[0], pcnt[0]
        if n == 0:
            return []
        t = largest() if n > top else 1
    if n > top:
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
