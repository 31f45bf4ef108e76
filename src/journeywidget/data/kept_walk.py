"""The compiled walk over all units, kept between layouts: a move walks only the units
that see it.

:func:`~journeywidget.data.kernels.journey_agg` over all units (no segment) keeps, in its
``scratch``, each unit's stage path id, ordered depth and times to convert (in its own
span of runs), with the counts of every path. The next layout that differs in the stage
of a few touchpoints (a move) takes out the old counts of the units that visit them (the
customers, for sessions), walks those units again and counts them in. The facts of a
path (:func:`~journeywidget.data._kernels_nb.path_facts`) are added again only for the
paths whose number of units changed, with the change as weight; the paths of the two
spans are matched through one shared table, which grows with the new paths. The median
times to convert come from every unit's kept times, the median times in stage of the
stages a move changes from one pass over the runs.

Every unit is walked afresh when the units to walk hold more than 60 % of the runs,
when the stages with data or the window change, or when a path table fills up. The
tests check each layout of random move sequences against the numpy path.

>>> import numpy as np
>>> from journeywidget.data import kernels
>>> from journeywidget.data.sequences import Runs
>>> runs = Runs(unit=None, tp=np.array([0, 1, 2, 1], np.int16), t0=np.array([0, 5, 0, 3], np.int32),
...             t1=np.array([1, 6, 2, 4], np.int32), n_units=2, t_scale=10**9)
>>> off = np.array([0, 2, 4])
>>> agg = lambda sos, scratch: kernels.journey_agg(runs, off, sos, [0, 1], None, scratch=scratch)
>>> kept = {}
>>> first = agg([0, 1, 1], kept) if kernels.enabled() else None  # (every unit walked, kept)
>>> moved = agg([0, 1, 0], kept) if kernels.enabled() else None  # (slot 2 moved: unit 1 walked again)
>>> moved is None or moved.counts.ordered.tolist() == agg([0, 1, 0], {}).counts.ordered.tolist() == [[2, 2]]
True
"""

from __future__ import annotations

from typing import Any

from .engine import _pmap, _quantiles, _spawn

#: a move walks again only the units that see it while they hold at most this share of the runs
AGAIN_MAX = 0.6
#: the top paths are found among each span's most common ones up to this many (else all merged)
CANDIDATES_MAX = 20_000
#: times in stage are kept per unit and stage (a column a stage) up to this many bytes
DWELL_COLUMNS_MAX = 256 * 2**20
#: ... and, 2 bytes a time (longer ones kept as "32767 or more"), up to this many more
DWELL_SHORT_MAX = 256 * 2**20
_EMPTY: dict = {}


def empty(dtype: Any, ndim: int = 1) -> Any:
    """An empty array of ``dtype`` (``ndim`` 2: no columns), made once: what the kernels take
    for an argument that is not used."""
    import numpy as np

    key = (np.dtype(dtype), ndim)
    if key not in _EMPTY:
        _EMPTY[key] = np.zeros((1, 0) if ndim == 2 else 0, key[0])
    return _EMPTY[key]


def _dsat(dcol: Any) -> int:
    """The largest time a column of times in stage holds exactly (2-byte columns keep
    longer ones as this value)."""
    return 32767 if dcol is not None and dcol.dtype.itemsize == 2 else 1 << 62


class KeptWalk:
    """All units' aggregates of the layout of ``w`` (a :class:`~journeywidget.data.kernels._Walk`)
    from the state kept in ``w.scratch["kept"]``, brought to that layout."""

    def __init__(self, w: Any) -> None:
        self.w = w
        self.k = w.k
        self.scratch = w.scratch

    def agg(self, dwant: Any, top: int) -> tuple:
        """(units, units by depth, customers by deepest unit, customers per reached rank,
        path facts, (path starts, lengths, counts, buffer) of every distinct path, (median
        times to convert, median times in stage of the ranks ``dwant`` asks for))."""
        import numpy as np

        w = self.w
        st = self.scratch.get("kept")
        if st is not None and not self._same_source(st):
            st = self.scratch["kept"] = None
        hits = None
        D1 = max(w.D, 1)
        changed = np.zeros(D1, np.bool_)  # the ranks whose touchpoints change
        if st is not None:
            moved = st["lut"] != w.lut
            if moved.any():
                for r in (st["lut"][moved], w.lut[moved]):
                    changed[r[r >= 0]] = True
                hits = self._hits(st, moved)
                if hits is None:
                    st = None
            else:
                hits = [empty(np.int64)] * len(w.chunks)  # (the same layout: nothing to walk)
        fresh = st is None
        if fresh:
            st = self._walk_all(dwant)

        def one(i: int) -> Any:
            """Span i: its units walked again (a move), its path facts brought up to date and
            its times put rank by rank, on its thread."""
            if not fresh and hits[i].shape[0] and not self._again(st, i, hits[i], changed):
                return False
            tab = st["tabs"][i]
            f = self.k.facts_update(tab[2], tab[3], int(tab[6][0]), st["wf"][i], w.D)
            st["facts"][i] = list(f[:5]) if st["facts"][i] is None else [a + b for a, b in zip(st["facts"][i], f)]
            return self._times(st, i, dwant, fresh)

        out = _pmap(one, range(len(w.chunks)), min_items=2)
        for i, tab in enumerate(st["tabs"]):
            w.grow(("cap", i), tab[0].shape[0], int(tab[6][0]))
        if any(o is False for o in out):  # a path table filled up: every unit walked afresh
            self.scratch.pop("kept", None)
            return self.agg(dwant, top)
        st["lut"] = w.lut
        self.scratch["kept"] = st
        st["dwell_pairs"] = None
        # the medians on the pool's threads while this one finds the top paths
        D = w.D
        jobs = [(0, k, lambda k=k: self._median([o[0] for o in out], k)) for k in range(1, D)]
        if st["dcol"] is None:
            jobs += [(1, k, lambda k=k: self._median([o[1] for o in out], k)) for k in range(D) if dwant[k]]
        else:  # (two jobs, each with its buffer, take the stages' columns in turn)
            want = [k for k in range(D) if dwant[k]]
            jobs += [(1, ks, lambda ks=ks, b=b: self._column_medians(st["dcol"], ks, b))
                     for b, ks in enumerate((want[0::2], want[1::2])) if ks]
        started = [(kind, k, _spawn(job)) for kind, k, job in jobs]
        paths = self._paths(st, top)
        ttc, dwell = np.full(D, np.nan), np.full(D, np.nan)
        for kind, k, result in started:
            (ttc if kind == 0 else dwell)[k] = result()
        tabs = st["tabs"]
        dh, cdh, crea = (sum(t[i] for t in tabs) for i in (7, 8, 9))
        facts = [sum(f[i] for f in st["facts"]) for i in range(5)]
        return sum(st["units"]), dh, cdh, crea, facts, paths, (ttc, dwell)

    def _same_source(self, st: dict) -> bool:
        w = self.w
        return (st["tp"] is w.runs.tp and st["off"] is w.offsets and st["cst"] is w.cust_starts
                and st["D"] == w.D and st["wcode"] == w.wcode and st["lut"].shape == w.lut.shape
                and st["t0"] is w.t0)

    def _masks(self) -> Any:
        """Per unit (customer, for sessions), the touchpoint slots its runs visit, a bit each
        (kept while the runs are the same)."""
        import numpy as np

        w = self.w
        m = self.scratch.get("slot_masks")
        if m is None or m[0] is not w.runs.tp or m[1] is not w.offsets or m[2] is not w.cust_starts:
            out = np.empty(w.cst.shape[0] if w.cst.shape[0] else w.off.shape[0] - 1, np.uint64)
            _pmap(lambda c: self.k.slot_masks(w.off, w.runs.tp, w.cst, *(c[2:] if w.cst.shape[0] else c[:2]), out),
                  w.chunks, min_items=2)
            m = self.scratch["slot_masks"] = (w.runs.tp, w.offsets, w.cust_starts, out)
        return m[3]

    def _hits(self, st: dict, moved: Any) -> list | None:
        """Per span, the units (customers, for sessions) that visit a moved touchpoint; None
        (the state dropped) when they hold more than ``AGAIN_MAX`` of the runs."""
        import numpy as np

        w = self.w
        del self.scratch["kept"]  # (a failure half-way leaves nothing stale)
        if moved.shape[0] > 64:
            return None
        masks = self._masks()
        bits = np.uint64(sum(1 << int(j) for j in np.flatnonzero(moved)))
        hits, runs = self.k.hits(masks, bits, w.off, w.cst)
        if runs > AGAIN_MAX * w.runs.size:
            return None  # most of the runs: as fast to walk them all
        bounds = [c[2] if w.cst.shape[0] else c[0] for c in w.chunks] + [masks.shape[0]]
        cut = np.searchsorted(hits, bounds)
        st["tabs"] = [self._roomy(tab) for tab in st["tabs"]]
        return [hits[cut[i]:cut[i + 1]] for i in range(len(w.chunks))]

    def _again(self, st: dict, i: int, groups: Any, changed: Any) -> bool:
        """Span ``i``'s units (customers) ``groups`` walked again in the new layout (their times
        in stage again for the ranks ``changed``, when kept); False when its path table filled
        up."""
        import numpy as np

        w = self.w
        D1 = max(w.D, 1)
        z16, zt, none = np.zeros(1, np.int16), np.zeros(1, w.t0.dtype), np.zeros(1, np.bool_)
        dcol = st["dcol"]
        return w.k.walk(w.off, w.runs.tp, w.t0, w.t1, w.lut, w.D, w.wcode, w.use_window, none, False,
                        w.cst, 0, 0, 0, 0, groups, True, *st["tabs"][i],
                        changed if dcol is not None else np.zeros(D1, np.bool_), True,
                        *self.scratch["kept_arrays"], z16, zt, z16, zt, np.zeros((2, D1), np.int64),
                        dcol if dcol is not None else empty(w.t0.dtype, 2), _dsat(dcol))[1]

    def _roomy(self, tab: tuple, fit: bool = False) -> tuple:
        """A kept span's path table with room for the paths a move adds: from a third full
        (``fit``: or more than 8 times the room its paths need), its paths put in one 4 to 8
        times their number (a table that fits the caches better is quicker to probe)."""
        import numpy as np

        pn, cap = int(tab[6][0]), tab[0].shape[0]
        if 3 * pn <= cap and not (fit and cap > 8 * max(pn, 1 << 10)):
            return tab
        cap = 1 << (4 * max(pn, 1 << 10)).bit_length()
        th, tid = np.empty(cap, np.uint64), np.full(cap, -1, np.int32)
        self.k.rehash(th, tid, tab[2], pn)
        return (th, tid, *tab[2:])

    def _walk_all(self, dwant: Any) -> dict:
        """Every unit walked, its path id, depth and times to convert kept; its times in
        stage of the ranks ``dwant`` asks for kept as pairs for this call."""
        import numpy as np

        w = self.w
        U, R, t0 = w.off.shape[0] - 1, w.runs.size, w.t0
        old = self.scratch.pop("kept_arrays", None)
        if old is None or old[0].shape[0] != U or old[2].shape[0] != R or old[2].dtype != t0.dtype:
            old = None  # (freed before the new ones are made)
            old = (np.empty(U, np.int32), np.empty(U, np.int8), np.empty(R, t0.dtype))
        self.scratch["kept_arrays"] = arrays = old
        D1 = max(w.D, 1)
        none = np.zeros(1, np.bool_)
        dcol = self.scratch.pop("dwell_columns", None)
        ct = t0.dtype if D1 * U * t0.dtype.itemsize <= DWELL_COLUMNS_MAX else np.dtype(np.int16)
        if D1 * U * ct.itemsize > DWELL_COLUMNS_MAX + (DWELL_SHORT_MAX if ct == np.int16 else 0):
            dcol = None  # (too many: the times in stage from a pass over the runs)
        else:  # (2 bytes a time when 4 do not fit: longer ones kept as "DSAT or more")
            if dcol is None or dcol.shape != (D1, U) or dcol.dtype != ct:
                dcol = None
                dcol = np.empty((D1, U), ct)
            dcol.fill(-1)
            self.scratch["dwell_columns"] = dcol
            dwant = np.ones(D1, np.bool_)  # (every stage's, kept)
        z16, zt = np.zeros(1, np.int16), np.zeros(1, t0.dtype)

        def one(i: int) -> tuple:
            u0, u1, c0, c1 = w.chunks[i]
            dk, dv = self._pairs(i)
            cap = self.scratch.get(("cap", i), 1 << 12)
            while True:
                tab = w.tables(("kept", i), u0, u1, cap)
                cnt = np.zeros((2, D1), np.int64)
                n_units, done = w.k.walk(w.off, w.runs.tp, t0, w.t1, w.lut, w.D, w.wcode, w.use_window, none,
                                         False, w.cst, u0, u1, c0, c1, empty(np.int64), False, *tab, dwant,
                                         True, *arrays, z16, zt, dk, dv, cnt,
                                         empty(t0.dtype, 2) if dcol is None else dcol, _dsat(dcol))
                if done:
                    break
                cap *= 8  # more paths than the table held: again with a larger one
            w.grow(("cap", i), cap, int(tab[6][0]))
            return n_units, tab, (dk[:int(tab[6][3])], dv[:int(tab[6][3])], cnt[1])

        res = _pmap(one, range(len(w.chunks)), min_items=2)
        tabs = [self._roomy(r[1], fit=True) for r in res]
        st = {"tp": w.runs.tp, "off": w.offsets, "cst": w.cust_starts, "t0": w.t0, "D": w.D,
              "wcode": w.wcode, "lut": w.lut, "units": [r[0] for r in res], "tabs": tabs,
              "wf": [np.zeros(t[2].shape[0], np.int64) for t in tabs],  # each path's units in facts
              "facts": [None] * len(tabs), "dwell_pairs": [r[2] for r in res], "dcol": dcol}
        self._masks()  # (made now, while every unit is walked anyway: the first move is then quick)
        self._warm()
        return st

    def _warm(self) -> None:
        """The kernels only a move runs loaded once now (from numba's cache: some ms each),
        so that the first move does not wait for them."""
        import numpy as np

        if self.scratch.get("warm"):
            return
        self.scratch["warm"] = True
        self.k.hits(np.zeros(0, np.uint64), np.uint64(1), np.zeros(1, np.int64), empty(np.int64))

    def _pairs(self, i: int) -> tuple:
        """Span ``i``'s kept buffers for (rank, time in stage) pairs."""
        import numpy as np

        w = self.w
        u0, u1 = w.chunks[i][:2]
        n = int(w.off[u1] - w.off[u0]) + 1
        buf = self.scratch.get(("dwell_pairs", i))
        if buf is None or buf[0].shape[0] < n or buf[1].dtype != w.t0.dtype:
            buf = self.scratch[("dwell_pairs", i)] = (np.empty(n, np.int16), np.empty(n, w.t0.dtype))
        return buf

    def _times(self, st: dict, i: int, dwant: Any, fresh: bool) -> tuple:
        """Span ``i``'s times to convert and in stage (the ranks ``dwant`` asks for), rank by
        rank in its kept buffers: (values, where each rank's begin) of each."""
        import numpy as np

        w = self.w
        D, D1 = w.D, max(w.D, 1)
        u0, u1 = w.chunks[i][:2]
        tab = st["tabs"][i]
        n_t = np.zeros(D1, np.int64)  # units of depth > k: a time to convert at k
        n_t[1:D] = tab[7][::-1].cumsum()[::-1][2:D + 1]
        out_t, at_t = self._buffer(("ttc", i), n_t)
        self.k.gather(w.off, u0, u1, self.scratch["kept_arrays"][1], self.scratch["kept_arrays"][2],
                      at_t[:-1].copy(), out_t)
        if st["dcol"] is not None:  # (kept a unit and stage: read from there)
            return (out_t, at_t), None
        if fresh:  # (the walk gave them)
            dk, dv, n_d = st["dwell_pairs"][i]
        else:
            dk, dv = self._pairs(i)
            n_d = np.zeros(D1, np.int64)
            nd = self.k.dwell_pairs(w.off, w.runs.tp, w.t0, w.t1, w.lut, dwant, u0, u1, dk, dv, n_d)
            dk, dv = dk[:nd], dv[:nd]
        out_d, at_d = self._buffer(("dwell", i), n_d)
        self.k.by_stage(dk, dv, at_d[:-1].copy(), out_d)
        return (out_t, at_t), (out_d, at_d)

    def _buffer(self, key: Any, n_k: Any) -> tuple:
        """A kept buffer for ``n_k`` values per rank, and where each rank's begin."""
        import numpy as np

        at = np.zeros(n_k.shape[0] + 1, np.int64)
        np.cumsum(n_k, out=at[1:])
        out = self.scratch.get(key)
        if out is None or out.shape[0] < at[-1] or out.dtype != self.w.t0.dtype:
            out = self.scratch[key] = np.empty(max(int(at[-1]), 1), self.w.t0.dtype)
        return out, at

    def _median(self, spans: list, k: int) -> float:
        """The median of the spans' values of rank ``k`` (put together, then partitioned)."""
        import numpy as np

        parts = [out[at[k]:at[k + 1]] for out, at in spans]
        vals = parts[0] if len(parts) == 1 else np.concatenate(parts)
        return _quantiles(np, vals, (0.5,), inplace=True, scale=int(self.w.runs.t_scale))[0]

    def _column_medians(self, dcol: Any, ranks: list, b: int) -> list:
        """The median time in stage of each of ``ranks``, from the kept columns (one after the
        other, through kept buffer ``b``)."""
        import numpy as np

        U = dcol.shape[1]
        buf = self.scratch.get(("dwell_values", b))
        if buf is None or buf.shape[0] < U or buf.dtype != dcol.dtype:
            buf = self.scratch[("dwell_values", b)] = np.empty(max(U, 1), dcol.dtype)
        out = []
        sat = _dsat(dcol)
        for k in ranks:
            n = self.k.column_values(dcol[k], 0, U, buf)
            vals = buf[:n]
            med = _quantiles(np, vals, (0.5,), inplace=True, scale=int(self.w.runs.t_scale))[0]
            if dcol.dtype == np.int16 and n and int(vals[n // 2]) >= sat:  # (a median at "DSAT or more")
                med = self._exact_dwell(k)
            out.append(med)
        return out

    def _exact_dwell(self, k: int) -> float:
        """The median time in stage of rank ``k`` from a pass over every unit's runs."""
        import numpy as np

        w = self.w
        want = np.zeros(max(w.D, 1), np.bool_)
        want[k] = True
        n = int(w.off[-1])
        dk, dv = np.empty(n + 1, np.int16), np.empty(n + 1, w.t0.dtype)
        nd = self.k.dwell_pairs(w.off, w.runs.tp, w.t0, w.t1, w.lut, want, 0, w.off.shape[0] - 1, dk, dv,
                                np.zeros(want.shape[0], np.int64))
        return _quantiles(np, dv[:nd], (0.5,), inplace=True, scale=int(w.runs.t_scale))[0]

    def _paths(self, st: dict, top: int) -> tuple:
        """The paths that can be among the ``top`` most common over all spans, with their units,
        converting units (depth reaching the last rank) and units whose path holds the last
        rank, as (starts, lengths, counts, buffer): each span's most common paths (at least
        ``m`` of them), counted in every span; exact once the ``top``-th count among them
        exceeds what a path outside them can reach (the sum of the spans' largest counts left
        out), else again with more of each span's paths."""
        import numpy as np

        tabs = st["tabs"]
        D = self.w.D
        m = max(4 * top, 16)
        while True:
            cand: dict = {}
            bound, every = 0, True
            for tab in tabs:
                pinfo, pbuf, pn = tab[2], tab[3], int(tab[6][0])
                c = pinfo[:pn, 4]
                if pn > m:
                    t = int(np.partition(c, [pn - m - 1, pn - m])[pn - m])  # the m-th largest
                    idx = np.flatnonzero(c >= t)
                    left = c[c < t]
                    bound += int(left.max()) if left.shape[0] else 0
                    every = every and not left.shape[0]
                else:
                    idx = np.arange(pn)
                if idx.shape[0] > CANDIDATES_MAX:  # (many ties: every path, merged)
                    return self._all_paths(st)
                for p in idx.tolist():
                    a = int(pinfo[p, 0])
                    key = tuple(pbuf[a:a + int(pinfo[p, 1])].tolist())
                    cand.setdefault(key, int(pinfo[p, 6]))  # (its hash)
            keys = list(cand)
            cnt = np.zeros((3, len(keys)), np.int64)
            lens = np.array([len(k) for k in keys], np.int64)
            starts = np.zeros(len(keys), np.int64)
            qbuf = np.array([x for k in keys for x in k], np.int16)
            if keys:
                h = np.array([cand[k] for k in keys], np.int64)
                np.cumsum(lens[:-1], out=starts[1:])
                for tab in tabs:  # each candidate's units in every span
                    self.k.count_paths(tab[0], tab[1], tab[2], tab[3], h, qbuf, starts, lens, cnt)
                cnt[2] = np.where(np.array([D - 1 in k for k in keys], np.bool_), cnt[0], 0)
            live = np.flatnonzero(cnt[0] > 0)
            tops = np.sort(cnt[0, live])[::-1]
            if every or (tops.shape[0] >= top and int(tops[top - 1]) > bound):
                return starts[live], lens[live], cnt[:, live], qbuf
            m *= 4

    def _all_paths(self, st: dict) -> tuple:
        """Every path of every span, each once, with its counts (as :meth:`_paths` gives)."""
        import numpy as np

        tabs = st["tabs"]
        parts = []
        for tab in tabs:
            pinfo, pbuf, pn = tab[2], tab[3], int(tab[6][0])
            pi = pinfo[:pn]
            live = pi[:, 4] > 0
            parts.append((pi[live, 0], pi[live, 1], pi[live, 4], pi[live, 5], pbuf[:int(tab[6][1])]))
        base = np.cumsum([0] + [p[4].shape[0] for p in parts[:-1]])
        pstart = np.concatenate([p[0] + b for p, b in zip(parts, base)])
        plen = np.concatenate([p[1] for p in parts])
        pbuf = np.concatenate([p[4] for p in parts])
        last = np.zeros(pbuf.shape[0] + 1, np.int64)  # (whether each path holds the last rank)
        np.cumsum(pbuf == self.w.D - 1, out=last[1:])
        conv = last[pstart + plen] > last[pstart]
        units = np.concatenate([p[2] for p in parts])
        pcnt = np.vstack([units, np.concatenate([p[3] for p in parts]), np.where(conv, units, 0)])
        if len(parts) > 1:
            keep, pcnt = self.k.regroup(pstart, plen, pcnt, pbuf)
            pstart, plen, pcnt = pstart[keep], plen[keep], pcnt[:, keep]
        return pstart, plen, pcnt, pbuf
