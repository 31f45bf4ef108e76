"""The numpy engine: layers 1 and 2 of the metrics on an encoded event log.

It serves every input but PySpark (pandas frames, files, pyarrow, DuckDB and polars
inputs: :mod:`journeywidget.data.builder` encodes the event log once into an
:class:`~journeywidget.data.encoding.EventStore`). A key -> touchpoint mapping
yields touchpoint-level aggregates plus, per (customer, touchpoint), the times of
the first and last event, and per transition the set of customers; stages,
segments and moves between stages then only recombine those.

>>> import pandas as pd
>>> from journeywidget.data.builder import build_store
>>> df = pd.DataFrame({"user": ["a", "a", "b"], "ts": [1, 5, 2], "event": ["x", "y", "x"]})
>>> eng = NumpyEngine(build_store(df, customer="user", time="ts", touchpoint="event"))
>>> eng.set_mapping([0, 1], 2)        # key "x" -> touchpoint 0, "y" -> 1
>>> agg = eng.tp_agg(None)
>>> agg.customers.tolist(), agg.exits.tolist()
([2, 1], [1, 1])
"""

from __future__ import annotations

import dataclasses

from . import kernels
from .encoding import EventStore
from .engine import JourneyAgg, StageAgg, TPAgg, _debug, _flatnonzero32, _pmap, _quantiles
from .live import LiveJourney, OrderStat, StageDwell, offsets_of, unit_dwell, visiting
from .sequences import build_runs, group_counts, merge_facts, path_table, unit_facts
from .trend import trend_counts

__all__ = ["NumpyEngine"]

#: the per-unit facts of the last two layouts are kept (undo is free) while units x stages
#: is at most this; above, one layout is kept and a move patches it in place
KEEP_TWO_MAX = 4_000_000


def _np():
    import numpy as np

    return np


def _add_segments(np, g, seg_c, cust) -> None:
    """g += segment of each event's customer, in chunks (no full-size temporaries)."""
    step = 1 << 20
    for a in range(0, g.shape[0], step):
        g[a:a + step] += seg_c[cust[a:a + step]].astype(g.dtype)


class NumpyEngine:
    """Layers 1 and 2 on numpy arrays (every input but PySpark)."""

    def __init__(self, store: EventStore, unit_customer=None):
        self.store = store
        #: the customer code of each unit when the units are sessions (None: units are customers)
        self.unit_customer = unit_customer
        self._runs = None
        self._run_index = None  # where each unit's runs begin
        self._facts: dict = {}  # layout -> UnitFacts (the last two)
        self._live = None  # data/live.LiveJourney: all units' aggregates, advanced move by move
        # (False: moves are seen by most units, computed as on a bind until a new mapping)
        self._dwell_live = StageDwell()  # all units' time in stage, patched move by move
        self._ev_offsets = None  # where each unit's events begin
        self._journey_cache: dict = {}
        self._unit_starts = None  # the first unit of each customer (units are sessions)
        self._scratch: dict = {}
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
        """(Re)compute touchpoint-level aggregates for a key -> touchpoint map.

        One stable radix sort groups the mapped events by (touchpoint, segment), customers
        ascending within; then each touchpoint, on the engine's threads, yields its
        (customer, touchpoint) pairs with their first and last time, its next-event
        quantiles and its outgoing transitions (customers and median times). Times stay
        in the store's compact codes (int32 when they fit) until a quantile is formed.
        """
        np = _np()
        sig = tuple(int(x) for x in tp_of_key)
        if sig == self._l1_sig and self._l1 is not None:
            return
        self._l1_sig = sig
        self._runs = self._run_index = None
        self._facts.clear()
        self._live = None
        self._dwell_live = StageDwell()
        self._journey_cache.clear()
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
        if n_mapped < st.n_events:
            unmapped_prev = self._unmapped_neighbours(tp_ev, mapped, T)
            cust, t, tp_ev = _pmap(lambda a, m=mapped: a[m], [st.cust, st.t_code, tp_ev], min_items=2)
        else:
            cust, t = st.cust, st.t_code
        del mapped
        scale = st.t_scale
        N = cust.shape[0]
        idt = np.int32 if N < 2**31 - 1 else np.int64
        seg_c = st.seg_of_cust
        has_next = np.zeros(N, dtype=bool)
        if N > 1:
            np.equal(cust[1:], cust[:-1], out=has_next[:-1])
        # time to the next mapped event of the same customer, in time codes (< 0: none)
        dt = np.full(N, -1, dtype=t.dtype)
        if N > 1:
            np.subtract(t[1:], t[:-1], out=dt[:-1], where=has_next[:-1])
        udt = np.uint16 if (T + 1) * NS < 65535 else np.int64
        tp_next = np.full(N, T, dtype=udt)  # next event's touchpoint (T: none)
        if N > 1:
            np.copyto(tp_next[:-1], tp_ev[1:], where=has_next[:-1], casting="unsafe")
        _debug("g1start")
        # ---- group 1: (tp, seg) ------------------------------------------------
        G1 = T * NS
        g1dt = np.uint8 if G1 <= 256 else (np.uint16 if G1 < 65535 else np.int64)  # radix passes
        g1 = tp_ev.astype(g1dt)
        del tp_ev
        if NS > 1:
            g1 *= g1dt(NS)
            _add_segments(np, g1, seg_c, cust)
        o1 = np.argsort(g1, kind="stable").astype(idt, copy=False)
        cnt1 = np.bincount(g1, minlength=G1)[:G1]
        off1 = np.zeros(G1 + 1, dtype=np.int64)
        np.cumsum(cnt1, out=off1[1:])
        exits1 = np.bincount(g1[~has_next], minlength=G1)[:G1] if N else np.zeros(G1, np.int64)
        del g1, has_next
        _debug("g1sorted")
        nq_block = np.full((G1, 2), np.nan)
        nn_block = np.zeros(G1, dtype=np.int64)
        nq_tp = np.full((T, 2), np.nan)
        nn_tp = np.zeros(T, dtype=np.int64)
        seg_ids = np.arange(NS, dtype=udt)

        def tp_block(j):  # one touchpoint: its pairs, next-time quantiles, outgoing transitions
            a, b = int(off1[j * NS]), int(off1[(j + 1) * NS])
            n = b - a
            blk = o1[a:b]
            counts = cnt1[j * NS:(j + 1) * NS]
            cb = cust[blk]  # ascending within each (tp, segment) block
            # (customer, touchpoint) pairs: runs of one customer; their first and last time
            brk = np.ones(n, dtype=bool)
            if n > 1:
                np.not_equal(cb[1:], cb[:-1], out=brk[1:])
            starts = off1[j * NS:(j + 1) * NS + 1] - a
            brk[starts[(starts > 0) & (starts < n)]] = True
            rs = _flatnonzero32(np, brk)
            del brk
            pairs_j = np.diff(np.searchsorted(rs, starts))
            re = np.empty_like(rs)
            if rs.shape[0]:
                re[:-1] = rs[1:] - 1
                re[-1] = n - 1
            p = (cb[rs], t[blk[rs]], t[blk[re]], pairs_j)
            del rs, re
            d = dt[blk]
            ok = d >= 0
            segs = [s for s in range(NS) if counts[s]]
            dall = d[ok]
            res = [(None, dall.shape[0], _quantiles(np, dall, inplace=True, scale=scale))]
            del dall
            if len(segs) == 1:
                res.append((segs[0], res[0][1], res[0][2]))
            else:
                for s in segs:
                    lo, hi = starts[s], starts[s + 1]
                    ds = d[lo:hi][ok[lo:hi]]
                    res.append((s, ds.shape[0], _quantiles(np, ds, inplace=True, scale=scale)))
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
            ob = ob[:n_tr]
            db = d[ob]
            del d
            cbt = cb[ob]
            del ob, cb
            brk_ = np.ones(n_tr, dtype=bool)
            if n_tr > 1:
                np.not_equal(cbt[1:], cbt[:-1], out=brk_[1:])
                bs = koff[1:T * NS]
                brk_[bs[(bs > 0) & (bs < n_tr)]] = True
            runs = _flatnonzero32(np, brk_)
            del brk_
            inc = cbt[runs]
            del cbt
            ioff_j = np.searchsorted(runs, koff[: T * NS + 1])
            meds = {}
            blocks = {}
            for k in np.flatnonzero(kc[: T * NS].reshape(T, NS).sum(axis=1)).tolist():
                lo, hi = koff[k * NS], koff[(k + 1) * NS]
                dk = db[lo:hi]
                med = _quantiles(np, dk, (0.5,), scale=scale)[0]
                meds[j * T + k] = med
                for s in range(NS):
                    l2, h2 = koff[k * NS + s] - lo, koff[k * NS + s + 1] - lo
                    if h2 > l2:
                        blocks[(j * T + k) * NS + s] = (
                            med if h2 - l2 == hi - lo
                            else _quantiles(np, dk[l2:h2], (0.5,), scale=scale)[0])
            return (j, res, kc[: T * NS].astype(np.int64), inc, np.diff(ioff_j), meds, blocks, p)

        P2 = T * T
        G2 = P2 * NS
        cnt2 = np.zeros(G2, dtype=np.int64)
        icnt = np.zeros(G2, dtype=np.int64)
        pcnt = np.zeros(G1, dtype=np.int64)
        inc_parts, pair_parts = [], []
        tr_med: dict = {}
        tr_med_block: dict = {}
        todo = [j for j in range(T) if off1[(j + 1) * NS] > off1[j * NS]]
        for j, res, kc_j, inc_j, icnt_j, meds, blocks, p in _pmap(tp_block, todo):
            for s, n_, q_ in res:
                if s is None:
                    nn_tp[j], nq_tp[j] = n_, q_
                else:
                    nn_block[j * NS + s], nq_block[j * NS + s] = n_, q_
            cnt2[j * T * NS:(j + 1) * T * NS] = kc_j
            icnt[j * T * NS:(j + 1) * T * NS] = icnt_j
            inc_parts.append(inc_j)
            pair_parts.append(p[:3])
            pcnt[j * NS:(j + 1) * NS] = p[3]
            tr_med.update(meds)
            tr_med_block.update(blocks)
        o1 = dt = tp_next = cust = t = None  # free (not `del`: captured by tp_block)
        _debug("blocks")
        i_cust = np.concatenate(inc_parts) if inc_parts else np.zeros(0, dtype=np.int32)
        del inc_parts
        ioff = np.zeros(G2 + 1, dtype=np.int64)
        np.cumsum(icnt, out=ioff[1:])
        poff = np.zeros(G1 + 1, dtype=np.int64)
        np.cumsum(pcnt, out=poff[1:])
        p_cust, p_tf, p_tl = (
            (np.concatenate([pp[i] for pp in pair_parts]) for i in range(3)) if pair_parts
            else (np.zeros(0, dtype=np.int32), np.zeros(0, st.t_code.dtype), np.zeros(0, st.t_code.dtype)))
        del pair_parts
        # customers with a mapped event, in all and per segment (a customer's pairs all sit in
        # its segment's blocks)
        mark = np.zeros(st.n_customers, dtype=bool)
        mark[p_cust] = True
        mapped_cust = np.bincount(seg_c[mark], minlength=NS)[:NS].astype(np.int64)
        del mark
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
            p_cust=p_cust, p_tf=p_tf, p_tl=p_tl,
            nq_block=nq_block, nn_block=nn_block, nq_tp=nq_tp, nn_tp=nn_tp,
            cnt2=cnt2, icnt=icnt, ioff=ioff, i_cust=i_cust, tr_med=tr_med,
            tr_med_block=tr_med_block, vsum=vsum, vn=vn, chan=chan,
            unmapped_prev=unmapped_prev, n_mapped=n_mapped, mapped_cust=mapped_cust,
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
        mapped_cust = int(L["mapped_cust"].sum() if s is None else L["mapped_cust"][s])
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
        pc, ptf, ptl = L["p_cust"], L["p_tf"], L["p_tl"]
        scale = self.store.t_scale
        ranges = [(poff[j * NS], poff[(j + 1) * NS]) for j in tps if j < L["T"]]
        ranges = [(a, b) for a, b in ranges if b > a]
        if not ranges:
            res = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64))
        elif len(ranges) == 1:
            a, b = ranges[0]
            dw = (ptl[a:b] - ptf[a:b]).astype(np.int64)
            if scale != 1:
                dw *= scale
            res = (pc[a:b], dw)
        else:
            C = self.store.n_customers
            info = np.iinfo(ptf.dtype)
            first = np.full(C, info.max, dtype=ptf.dtype)
            last = np.full(C, info.min, dtype=ptf.dtype)
            for a, b in ranges:  # each customer once per touchpoint: plain scatters
                c = pc[a:b]
                first[c] = np.minimum(first[c], ptf[a:b])
                last[c] = np.maximum(last[c], ptl[a:b])
            ids = _flatnonzero32(np, first != info.max)
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
        if s is None:  # all units: data/live keeps the values around each median across moves
            if self._ev_offsets is None:
                self._ev_offsets = offsets_of(st.cust, st.n_customers)
            stats = self._dwell_live.get(list(stage_tps), lambda tps: OrderStat(self._stage_arrays(tps)[1]),
                                         self._visitors, self._unit_dwell)
            for k, x in enumerate(stats):
                reach[k], dwell[k] = x.n, x.value()
            return self._keep_stage_agg(key, StageAgg(reach=reach, dwell_median=dwell))

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
        return self._keep_stage_agg(key, StageAgg(reach=reach, dwell_median=dwell))

    def _keep_stage_agg(self, key, agg: StageAgg) -> StageAgg:
        if len(self._stage_agg_cache) > 256:
            self._stage_agg_cache.clear()
        self._stage_agg_cache[key] = agg
        if len(self._stage_cache) > 512:
            self._stage_cache.clear()
            self._dwell_cache.clear()
        return agg

    def _visitors(self, slots):
        """The units (ascending) with an event at any of these touchpoint slots."""
        np = _np()
        L = self._l1
        NS, poff = L["NS"], L["poff"]
        parts = [L["p_cust"][poff[j * NS]:poff[(j + 1) * NS]] for j in slots if j < L["T"]]
        if not parts:
            return np.zeros(0, dtype=np.int32)
        u = np.sort(np.concatenate(parts))  # a unit is in one segment block per slot
        return u[np.r_[True, u[1:] != u[:-1]]] if len(parts) > NS and u.shape[0] else u

    def _unit_dwell(self, units, stages):
        np = _np()
        st = self.store
        if self._ev_offsets is None:
            self._ev_offsets = offsets_of(st.cust, st.n_customers)
        # beyond a quarter of the events, rebuilding the two stages costs less
        return unit_dwell(st, self._ev_offsets, np.asarray(self._l1_sig or (), dtype=np.int64), units,
                          stages, max_share=0.25)

    def unmapped_neighbours(self):
        return self._l1["unmapped_prev"] if self._l1 else None

    # -- unit-level journeys (paths, ordered funnel, conformance) ------------
    def runs(self):
        """The touchpoint runs of every unit for the current mapping (built on first use)."""
        runs = self._kept_runs()
        if runs.unit is None:  # (kept without unit codes: made from the offsets while needed)
            np = _np()
            unit = np.repeat(np.arange(runs.n_units, dtype=np.int32), np.diff(self._index()))
            runs = dataclasses.replace(runs, unit=unit)
        return runs

    def _kept_runs(self):
        """The runs as kept: with the compiled kernels, which read them through the offsets,
        without their unit codes (4 bytes a run less)."""
        if self._runs is None:
            st = self.store
            fast = kernels.enabled()
            runs = build_runs(st.cust, st.key, st.t_code, list(self._l1_sig or ()),
                              st.n_customers, st.t_scale, last_times=fast, unit_codes=not fast)
            self._run_index = offsets_of(runs.unit, runs.n_units) if runs.offsets is None else runs.offsets
            self._runs = runs
        return self._runs

    def facts(self, stage_of_slot, rank_of_stage, window_ns):
        """The per-unit facts of a layout (the last one or two layouts are kept)."""
        key = (tuple(int(x) for x in stage_of_slot), tuple(int(x) for x in rank_of_stage), window_ns)
        # the last two layouts (undo is then free) unless that costs much memory
        keep = 2 if self.store.n_customers * max(len(rank_of_stage), 1) <= KEEP_TWO_MAX else 1
        lv = self._live
        if lv and lv.key == key:  # the live state's facts, with its moves merged
            if keep == 1 and lv.patches:  # merged in place: the facts they update leave the cache
                self._facts = {k: v for k, v in self._facts.items() if v is not lv.base}
            return lv.facts(inplace=keep == 1)
        f = self._facts.get(key)
        if f is None:
            # a move: only the units that visit the moved touchpoints (the last layout's facts
            # updated in place when they are not kept)
            f = self._patched(key, inplace=keep == 1 and not self._owned_by_live())
            while self._facts and len(self._facts) >= keep:
                self._facts.pop(next(iter(self._facts)))
            if f is None:
                f = unit_facts(self.runs(), stage_of_slot, rank_of_stage, window_ns, self._scratch)
            self._facts[key] = f
        return f

    def _patched(self, key, inplace: bool = False):
        """The facts of layout ``key`` from the last layout's, when they differ only in the
        stage of a few touchpoints (same stages with data, same window): the units that visit
        those touchpoints are recomputed, the others kept. None when that would not pay."""
        if not self._facts:
            return None
        (sos, rank, window) = key
        psos, prank, pwin = last = next(reversed(self._facts))
        if prank != rank or pwin != window or len(psos) != len(sos):
            return None
        moved = [j for j, (a, b) in enumerate(zip(sos, psos)) if a != b]
        runs = self.runs()
        units, sub, total = visiting(runs, self._index(), moved)
        if total > 0.6 * runs.size:
            return None  # most of the runs: as fast to start afresh
        part = unit_facts(sub, list(sos), list(rank), window, self._scratch)
        # updated in place: out of the cache first, so a failure half-way leaves nothing stale
        old = self._facts.pop(last) if inplace else self._facts[last]
        return merge_facts(old, part, units, inplace)

    def _owned_by_live(self) -> bool:
        """Whether the last kept facts are the live state's (never updated in place then)."""
        return bool(self._live) and bool(self._facts) and self._facts[next(reversed(self._facts))] is self._live.base

    def _index(self):
        """Where each unit's runs begin (n_units + 1 offsets)."""
        self._kept_runs()
        return self._run_index

    def _live_agg(self, key, top) -> JourneyAgg | None:
        """All units' aggregates of layout ``key`` through data/live (a move patches them)."""
        lv = self._live
        if lv is False:  # moves here are seen by most units: patching would not pay
            return None
        if lv is not None and lv.key != key and not lv.advance(self.runs(), self._index(), key,
                                                                self._scratch, self._visitors):
            # a move that most units see (then no live state until a new mapping), or a new
            # set of stages with data (then it is built again on the next change)
            self._live = False if lv.too_big else None
            return None
        if lv is None:
            starts = None if self.unit_customer is None else self._starts()
            if starts is False or (starts is not None and starts.shape[0] == 0):
                return None  # (sessions not numbered customer by customer: no live state)
            f = self.facts(*key)
            if f.D == 0 or f.n_units == 0:
                return None
            self._index()  # (the run offsets a move reads, made once here)
            lv = LiveJourney(key, f, starts)
            self._live = lv
        return lv.agg(top)

    def _starts(self):
        """Where each customer's units begin (units are sessions numbered customer by customer);
        False when a customer's units are not one run."""
        np = _np()
        if self._unit_starts is None:
            uc = self.unit_customer
            new = np.ones(uc.shape[0], dtype=bool)
            np.not_equal(uc[1:], uc[:-1], out=new[1:])
            self._unit_starts = np.flatnonzero(new) if bool((uc[1:] >= uc[:-1]).all()) else False
        return self._unit_starts

    def journey_agg(self, stage_of_slot, rank_of_stage, window_ns, s, top=10) -> JourneyAgg:
        """Unit-level aggregates of a layout for segment ``s`` (None: all units)."""
        np = _np()
        ck = (tuple(int(x) for x in stage_of_slot), tuple(int(x) for x in rank_of_stage),
              window_ns, s, top)
        hit = self._journey_cache.get(ck)
        if hit is not None:
            return hit
        agg = self._kernel_agg(ck[:3], s, top)
        if agg is None and s is None:
            agg = self._live_agg(ck[:3], top)
        if agg is not None:
            if len(self._journey_cache) > 64:
                self._journey_cache.clear()
            self._journey_cache[ck] = agg
            return agg
        f = self.facts(stage_of_slot, rank_of_stage, window_ns)
        D = f.D
        sel = None if s is None else (self.store.seg_of_cust == s)
        counts = group_counts(f, None if sel is None else np.where(sel, 0, -1), 1)
        ttc = np.full(D, np.nan)
        for k in range(1, D):
            units, vals = f.ttc[k]
            if sel is not None:
                vals = vals[sel.take(units)]
            ttc[k] = _quantiles(np, vals.copy(), (0.5,), inplace=True)[0]
        ordered_conv = f.depth == D if D else np.zeros(f.n_units, dtype=bool)
        paths = path_table(f, sel, top, [ordered_conv, f.converted])
        if self.unit_customer is None:
            c_ord = counts.ordered[0].copy()
            c_rea = counts.reached[0].copy()
        else:
            c_ord, c_rea = self._unit_customers(f, sel)
        agg = JourneyAgg(D=D, counts=counts, ttc_median=ttc, paths=paths,
                         customers_ordered=c_ord, customers_reached=c_rea)
        if len(self._journey_cache) > 64:
            self._journey_cache.clear()
        self._journey_cache[ck] = agg
        return agg

    def _kernel_agg(self, key, s, top) -> JourneyAgg | None:
        """The aggregates from the compiled kernels (data/kernels.py) in one pass over the runs;
        None when they do not run here (no numba, many stages, sessions not in customer order)."""
        if not kernels.enabled() or len(key[1]) and max(key[1]) >= kernels.MAX_STAGES:
            return None
        starts = None if self.unit_customer is None else self._starts()
        if starts is False:
            return None
        sel = None if s is None else (self.store.seg_of_cust == s)
        sos, rank, _ = key
        slots: dict = {}  # each stage rank's touchpoint slots: its time in stage is kept by them
        for j, st_ in enumerate(sos):
            if st_ >= 0 and rank[st_] >= 0:
                slots.setdefault(rank[st_], []).append(j)
        ck = [("kernel", tuple(slots.get(k, ())), s) for k in range(max(rank, default=-1) + 1)]
        kept = [self._dwell_cache.get(c) for c in ck]
        agg = kernels.run(kernels.journey_agg, self._kept_runs(), self._index(), *key, sel=sel,
                          cust_starts=starts, top=top, scratch=self._scratch,
                          dwell_ranks=[k is None for k in kept])
        if agg is None:
            return None
        if len(self._dwell_cache) > 4096:
            self._dwell_cache.clear()
        if agg.dwell_median is not None:  # (a move changes the time in stage of two stages)
            for k, c in enumerate(ck):
                if kept[k] is None:
                    self._dwell_cache[c] = float(agg.dwell_median[k])
                else:
                    agg.dwell_median[k] = kept[k]
        return agg

    def _unit_customers(self, f, sel):
        """Distinct customers of the units the ordered funnel takes to each stage rank, and of
        the units whose path contains it (units are sessions; ``sel``: the segment's units).
        A customer's sessions are numbered together, so each customer's units are one run:
        a reduction per run (the deepest match, whether any unit reached) counts them."""
        np = _np()
        D, uc = f.D, self.unit_customer
        starts = self._starts()
        c_ord = np.zeros(D, dtype=np.int64)
        c_rea = np.zeros(D, dtype=np.int64)
        if starts is False:  # (not one run a customer: mark them one stage at a time)
            mark = np.zeros(int(uc.max(initial=-1)) + 1, dtype=bool)
            for k in range(D):
                for out, m in ((c_ord, f.depth > k), (c_rea, f.reached[k])):
                    if sel is not None:
                        m = m & sel
                    mark[:] = False
                    mark[uc[m]] = True
                    out[k] = int(np.count_nonzero(mark))
            return c_ord, c_rea
        if D == 0 or starts.shape[0] == 0:
            return c_ord, c_rea
        depth = f.depth if sel is None else np.where(sel, f.depth, 0)
        deepest = np.bincount(np.maximum.reduceat(depth, starts), minlength=D + 1)
        c_ord[:] = deepest[::-1].cumsum()[::-1][1:D + 1]  # customers whose deepest unit is > k
        if D > 63:
            for k in range(D):
                m = f.reached[k] if sel is None else f.reached[k] & sel
                c_rea[k] = int(np.count_nonzero(np.logical_or.reduceat(m, starts)))
            return c_ord, c_rea
        bdt = np.uint8 if D <= 8 else np.uint16 if D <= 16 else np.uint32 if D <= 32 else np.uint64
        bits = np.zeros(f.n_units, dtype=bdt)  # the stage ranks each unit reaches, as bits
        for k in range(D):
            bits |= f.reached[k].astype(bdt) << bdt(k)
        if sel is not None:
            bits[~sel] = 0
        per_customer = np.bitwise_or.reduceat(bits, starts)
        for k in range(D):
            c_rea[k] = int(np.count_nonzero(per_customer & bdt(1 << k)))
        return c_ord, c_rea

    def segment_customers(self):
        if self._seg_counts is None:
            np = _np()
            st = self.store
            self._seg_counts = np.bincount(st.seg_of_cust, minlength=st.ns)[: len(st.segments)]
        return self._seg_counts


    # -- segments and periods ----------------------------------------------
    def segment_members(self, s: int) -> list:
        """The customer values (as in the input) whose segment is ``s``."""
        np = _np()
        return self.store.customers_of(np.flatnonzero(self.store.seg_of_cust == s))

    def trend(self, tp_of_key, n_tp: int, s: int | None, metric: str, freq: str | None,
              max_points: int) -> list[tuple[int, str, int]]:
        """Customers (or events) per touchpoint and period; see :mod:`journeywidget.data.trend`."""
        return trend_counts(self.store, tp_of_key, n_tp, s, metric, freq, max_points)
