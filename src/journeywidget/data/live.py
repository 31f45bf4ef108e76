"""Live updates: the unit-level aggregates of a layout kept up to date across map edits.

Moving touchpoints between stages (same stages with data, same window) changes the
facts (:mod:`journeywidget.data.sequences`) of only the units that visit the moved
touchpoints. :class:`LiveJourney` keeps, for all units of one engine, everything the
stage table, conformance, flows and top paths read — the per-stage counts
(:class:`~journeywidget.data.sequences.GroupCounts`), the sorted times to convert per
stage, the count of units per distinct stage path, and (sessions) the distinct
customers per stage — and on a move subtracts the affected units' old contributions
and adds their new ones. Every figure stays exact: counts are sums over units,
medians are read from sorted arrays that get the affected values removed and
inserted, paths are counted per 64-bit hash with every group checked to hold one
path (a collision falls back to :func:`~journeywidget.data.sequences.path_table`).
The full per-unit facts are merged only when something asks for them (a segment,
clusters).

>>> import numpy as np
>>> s = np.array([1, 3, 3, 8])
>>> sorted_replace(s, np.array([3]), np.array([0, 9])).tolist()
[0, 1, 3, 8, 9]
"""

from __future__ import annotations

import math
from typing import Any

from .engine import JourneyAgg, _interp, _pmap, quantile_sorted
from .sequences import GroupCounts, Runs, group_counts, merge_facts, path_table, unit_facts

__all__ = ["LiveJourney", "OrderStat", "offsets_of", "visiting", "sorted_replace", "unit_dwell",
           "StageDwell"]

#: above this share of the runs a move recomputes everything (as fast as the patch)
PATCH_MAX = 0.6
#: ties at the top paths' boundary beyond this count fall back to the bucketed path table
MAX_TIES = 20_000


def _np():
    import numpy as np

    return np


def offsets_of(codes: Any, n: int) -> Any:
    """Where each of ``n`` codes' rows begin in the sorted ``codes`` (n + 1 offsets)."""
    np = _np()
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(codes, minlength=n)[:n], out=offsets[1:])
    return offsets


def visiting(runs: Runs, offsets: Any, slots: list[int], units: Any = None) -> tuple[Any, Runs, int]:
    """(units ascending, their runs renumbered 0..n-1, how many runs) of the units that
    have a run at any of ``slots`` (or, given, of ``units``: those units, ascending);
    ``offsets``: :func:`offsets_of` the runs' units."""
    np = _np()
    if units is not None:
        units = units.astype(np.int32, copy=False)
    elif not slots:
        units = np.zeros(0, dtype=np.int32)
    else:
        hit = runs.tp == slots[0]
        for j in slots[1:]:
            hit |= runs.tp == j
        u = runs.unit[hit]
        units = u[np.r_[True, u[1:] != u[:-1]]] if u.shape[0] else u
    lens = offsets[units + 1] - offsets[units]
    total = int(lens.sum())
    ridx = np.repeat(offsets[units] - (np.cumsum(lens) - lens), lens) + np.arange(total)
    sub = Runs(unit=np.repeat(np.arange(units.shape[0], dtype=np.int32), lens), tp=runs.tp[ridx],
               t0=runs.t0[ridx], n_units=int(units.shape[0]), t_scale=runs.t_scale)
    return units, sub, total


def sorted_replace(arr: Any, removed: Any, added: Any) -> Any:
    """The sorted array ``arr`` with the values ``removed`` (each present) taken out and
    ``added`` put in, still sorted; None when a removed value is not there."""
    np = _np()
    if removed.shape[0]:
        r = np.sort(removed)
        pos = np.searchsorted(arr, r, side="left")
        grp = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
        pos += np.arange(r.shape[0]) - np.repeat(grp, np.diff(np.r_[grp, r.shape[0]]))
        if int(pos.max()) >= arr.shape[0] or not np.array_equal(arr[pos], r):
            return None
        arr = np.delete(arr, pos)
    if added.shape[0]:
        a = np.sort(added)
        arr = np.insert(arr, np.searchsorted(arr, a, side="left"), a)
    return arr


def _same_paths(buf: Any, start: Any, length: Any, rstart: Any, rlen: Any) -> bool:
    """Whether every path (start, length) in ``buf`` equals its reference path."""
    np = _np()
    if not np.array_equal(length, rlen):
        return False
    total = int(length.sum())
    if total == 0:
        return True
    off = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(length, dtype=np.int64) - length, length)
    return bool(np.array_equal(buf[np.repeat(start.astype(np.int64), length) + off],
                               buf[np.repeat(rstart.astype(np.int64), length) + off]))


class PathIndex:
    """Units per distinct stage path (with the units converting either way), kept exact
    under moves. Paths are grouped by their 64-bit hash (a hash table, no sort); a group is
    checked to hold one path before it is reported (members joining later are checked as
    they join), and a group found to hold two paths makes :meth:`top` decline."""

    def __init__(self, f: Any, conv_ord: Any, conv_reach: Any):
        import pandas as pd

        np = _np()
        pu = f.path_units
        order = None if pu.shape[0] < 2 or bool((pu[1:] > pu[:-1]).all()) else np.argsort(pu, kind="stable")

        def pick(a: Any) -> Any:
            return a if order is None else a[order]

        self.units = pick(pu)
        n = self.units.shape[0]
        self.pidx = np.full(f.n_units, -1, dtype=np.int32 if n < 2**31 - 1 else np.int64)
        self.pidx[self.units] = np.arange(n)  # unit -> its path's index (-1: none)
        self.hash = pick(f.path_hash).copy()
        self.start = pick(f.path_start).astype(np.int64)
        self.len = pick(f.path_len).astype(np.int32)
        self.buf = f.sr_rank
        self.co = conv_ord[self.units]
        self.cr = conv_reach[self.units]
        codes, uh = pd.factorize(self.hash)
        self.gid = codes.astype(np.int32 if uh.shape[0] < 2**31 - 1 else np.int64)  # path -> group
        self.uh = np.asarray(uh, dtype=np.uint64)  # group -> hash (in order of appearance)
        G = self.uh.shape[0]
        self.cnt = np.bincount(self.gid, minlength=G).astype(np.int64)
        self.cnt_o = np.bincount(self.gid[self.co], minlength=G).astype(np.int64)
        self.cnt_r = np.bincount(self.gid[self.cr], minlength=G).astype(np.int64)
        # factorize numbers the groups in order of first appearance: a group's first member
        # is where the running maximum of the codes grows
        if n:
            run = np.maximum.accumulate(self.gid)
            first = np.flatnonzero(np.r_[True, run[1:] > run[:-1]])
        else:
            first = np.zeros(0, dtype=np.int64)
        self.rstart, self.rlen = self.start[first], self.len[first]  # a representative path
        self.checked = np.zeros(G, dtype=bool)  # every member known to have the group's path
        self.by_hash = np.argsort(self.uh)  # groups in hash order (for looking hashes up)
        self.sorted_h = self.uh[self.by_hash]
        self.pure = True

    def _lookup(self, h: Any) -> Any:
        """The group of each hash (-1: none)."""
        np = _np()
        at = np.searchsorted(self.sorted_h, h)
        found = at < self.sorted_h.shape[0]
        found[found] = self.sorted_h[at[found]] == h[found]
        return np.where(found, self.by_hash[np.minimum(at, self.by_hash.shape[0] - 1)], -1)

    def update(self, units: Any, part: Any, conv_ord: Any, conv_reach: Any) -> bool:
        """Replace the paths of ``units`` (global, ascending; ``part`` holds their new facts as
        units 0..n-1). False when the units with a path are not the same ones as before."""
        np = _np()
        pi = self.pidx[units[part.path_units]]
        if bool((pi < 0).any()) or pi.shape[0] != int(np.count_nonzero(self.pidx[units] >= 0)):
            return False  # a unit gained or lost its path
        g0, old_co, old_cr = self.gid[pi], self.co[pi], self.cr[pi]
        base = self.buf.shape[0]
        self.buf = np.concatenate([self.buf, part.sr_rank.astype(self.buf.dtype)])
        h = part.path_hash
        st = part.path_start.astype(np.int64) + base
        ln = part.path_len.astype(np.int32)
        co = conv_ord[part.path_units]
        cr = conv_reach[part.path_units]
        g1 = self._lookup(h)
        miss = g1 < 0
        if miss.any():  # new paths: new groups at the end, represented by their first unit
            nh, first = np.unique(h[miss], return_index=True)
            at = np.flatnonzero(miss)[first]
            G0 = self.uh.shape[0]
            self.uh = np.concatenate([self.uh, nh])
            zero = np.zeros(nh.shape[0], dtype=np.int64)
            self.cnt, self.cnt_o, self.cnt_r = (np.concatenate([a, zero]) for a in (self.cnt, self.cnt_o, self.cnt_r))
            self.rstart = np.concatenate([self.rstart, st[at]])
            self.rlen = np.concatenate([self.rlen, ln[at]])
            self.checked = np.concatenate([self.checked, np.ones(nh.shape[0], dtype=bool)])
            pos = np.searchsorted(self.sorted_h, nh)
            self.sorted_h = np.insert(self.sorted_h, pos, nh)
            self.by_hash = np.insert(self.by_hash, pos, np.arange(G0, G0 + nh.shape[0]))
            g1 = self._lookup(h)
        if self.pure:  # every joining member has its group's path
            self.pure = _same_paths(self.buf, st, ln, self.rstart[g1], self.rlen[g1])
        G = self.uh.shape[0]
        for arr, o, n_ in ((self.cnt, None, None), (self.cnt_o, old_co, co), (self.cnt_r, old_cr, cr)):
            arr -= np.bincount(g0 if o is None else g0[o], minlength=G)
            arr += np.bincount(g1 if n_ is None else g1[n_], minlength=G)
        self.gid[pi] = g1
        self.hash[pi], self.start[pi], self.len[pi], self.co[pi], self.cr[pi] = h, st, ln, co, cr
        return True

    def _check(self, groups: Any) -> None:
        """Check that every member of these groups has its group's representative path."""
        np = _np()
        todo = groups[~self.checked[groups]]
        if todo.shape[0] == 0 or not self.pure:
            return
        small = np.int16 if todo.shape[0] < 32767 else np.int64  # (a radix sort below)
        want = np.full(self.uh.shape[0], -1, dtype=small)
        want[todo] = np.arange(todo.shape[0])
        w = want[self.gid]
        m = np.flatnonzero(w >= 0)
        m = m[np.argsort(w[m], kind="stable")]  # members, group by group
        bounds = np.searchsorted(w[m], np.arange(todo.shape[0] + 1))
        buf, last = self.buf, self.buf.shape[0] - 1
        for i, g in enumerate(todo.tolist()):
            mm = m[bounds[i]:bounds[i + 1]]
            a, n = int(self.rstart[g]), int(self.rlen[g])
            ok = bool((self.len[mm] == n).all())
            st = self.start[mm]
            for j in range(n):  # position by position: no per-element index arrays
                if not ok:
                    break
                ok = bool((buf[np.minimum(st + j, last)] == buf[a + j]).all())
            if not ok:
                self.pure = False
                return
        self.checked[todo] = True

    def top(self, top: int) -> list[tuple] | None:
        """The ``top`` most common paths as :func:`~journeywidget.data.sequences.path_table`
        gives them; None when that cannot be told here (a hash collision, many ties)."""
        np = _np()
        live = np.flatnonzero(self.cnt > 0)
        if live.shape[0] == 0 or top <= 0:
            return [] if self.pure else None
        c = self.cnt[live]
        if live.shape[0] > top:
            t = np.partition(c, c.shape[0] - top)[c.shape[0] - top]  # the top-th largest count
            live = live[c >= t]
        if live.shape[0] > MAX_TIES:
            return None
        self._check(live)
        if not self.pure:
            return None
        buf = self.buf
        rows = []
        for g in live.tolist():
            a = int(self.rstart[g])
            path = tuple(int(x) for x in buf[a:a + int(self.rlen[g])])
            rows.append((path, int(self.cnt[g]), int(self.cnt_o[g]), int(self.cnt_r[g])))
        rows.sort(key=lambda r: (-r[1], r[0]))
        return rows[:top]


def _counts_delta(c: GroupCounts, old: GroupCounts, new: GroupCounts) -> GroupCounts:
    return GroupCounts(**{k: getattr(c, k) - getattr(old, k) + getattr(new, k)
                          for k in c.__dataclass_fields__})


class _Customers:
    """Distinct customers per stage over session units (units sorted by customer)."""

    def __init__(self, f: Any, starts: Any):
        np = _np()
        D, U = f.D, f.n_units
        self.D, self.U, self.starts = D, U, starts
        self.depth = f.depth.copy()
        self.umask = np.packbits(f.reached, axis=0)  # [B, U]: the stages each unit reaches
        self.cdeep = np.maximum.reduceat(self.depth, starts)
        self.cmask = np.bitwise_or.reduceat(self.umask, starts, axis=1)
        self.hist = np.bincount(self.cdeep, minlength=D + 1).astype(np.int64)
        self.rea = self._bits(self.cmask)

    def _bits(self, mask: Any) -> Any:
        np = _np()
        return np.unpackbits(mask, axis=0, count=self.D).sum(axis=1, dtype=np.int64)

    def update(self, units: Any, part: Any) -> None:
        np = _np()
        self.depth[units] = part.depth
        self.umask[:, units] = np.packbits(part.reached, axis=0)
        runs = np.searchsorted(self.starts, units, side="right") - 1  # ascending
        runs = runs[np.r_[True, runs[1:] != runs[:-1]]]
        a = self.starts[runs]
        b = np.append(self.starts, self.U)[runs + 1]
        lens = b - a
        idx = np.repeat(a - (np.cumsum(lens) - lens), lens) + np.arange(int(lens.sum()))
        offs = np.cumsum(lens) - lens
        np.subtract.at(self.hist, self.cdeep[runs], 1)
        self.rea -= self._bits(self.cmask[:, runs])
        self.cdeep[runs] = np.maximum.reduceat(self.depth[idx], offs)
        self.cmask[:, runs] = np.bitwise_or.reduceat(self.umask[:, idx], offs, axis=1)
        np.add.at(self.hist, self.cdeep[runs], 1)
        self.rea += self._bits(self.cmask[:, runs])

    def tables(self) -> tuple:
        np = _np()
        D = self.D
        ordered = np.cumsum(self.hist[::-1])[::-1][1:D + 1].astype(np.int64)
        return ordered, self.rea.copy()


class LiveJourney:
    """The unit-level aggregates of all units (no segment) for one layout ``key`` =
    (stage of each slot, rank of each stage, window ns), advanced move by move."""

    def __init__(self, key: tuple, f: Any, cust_starts: Any = None):
        np = _np()
        self.key = key
        self.too_big = False  # the last move was seen by most units
        self.D = D = f.D
        self.base, self.patches = f, []
        self.counts = group_counts(f, None, 1)
        self.ttc = [None] + _pmap(np.sort, [f.ttc[k][1] for k in range(1, D)], min_items=2)
        self.conv_ord = f.depth == D
        self.conv_reach = f.converted.copy()
        self.paths = PathIndex(f, self.conv_ord, self.conv_reach)
        self.cust = None if cust_starts is None else _Customers(f, cust_starts)

    def facts(self, inplace: bool = False) -> Any:
        """The full per-unit facts of the current layout (merged from the moves on demand;
        ``inplace``: the facts it was built from are updated rather than copied)."""
        for units, part in self.patches:
            self.base = merge_facts(self.base, part, units, inplace)
        self.patches = []
        return self.base

    def advance(self, runs: Runs, offsets: Any, key: tuple, scratch: dict, visitors: Any = None) -> bool:
        """Move to layout ``key``; False when it differs in more than the stage of some
        touchpoints (or they are visited by most units, then ``too_big`` is set): then build
        afresh. ``visitors(slots)``: the units with an event at any of the slots (default: read
        from the runs)."""
        sos, rank, window = key
        psos, prank, pwin = self.key
        if prank != rank or pwin != window or len(psos) != len(sos) or self.D == 0:
            return False
        moved = [j for j, (a, b) in enumerate(zip(sos, psos)) if a != b]
        units, sub, n_runs = visiting(runs, offsets, moved, None if visitors is None else visitors(moved))
        if n_runs > PATCH_MAX * runs.size:
            self.too_big = True
            return False
        # the old and the new facts of the visiting units, on two threads (own work arrays)
        scr = [scratch, scratch.setdefault("live", {})]
        old, new = _pmap(lambda i: unit_facts(sub, list((psos, sos)[i]), list(rank), window, scr[i]),
                         [0, 1], min_items=2)
        ttc = [None]
        for k in range(1, self.D):
            arr = sorted_replace(self.ttc[k], old.ttc[k][1], new.ttc[k][1])
            if arr is None:
                return False
            ttc.append(arr)
        self.conv_ord[units] = new.depth == self.D
        self.conv_reach[units] = new.converted
        if not self.paths.update(units, new, new.depth == self.D, new.converted):
            return False
        self.ttc = ttc
        self.counts = _counts_delta(self.counts, group_counts(old, None, 1), group_counts(new, None, 1))
        if self.cust is not None:
            self.cust.update(units, new)
        self.patches.append((units, new))
        self.key = key
        return True

    def agg(self, top: int) -> JourneyAgg:
        """The :class:`~journeywidget.data.engine.JourneyAgg` of the current layout, all units."""
        np = _np()
        D = self.D
        ttc = np.full(D, np.nan)
        for k in range(1, D):
            ttc[k] = quantile_sorted(self.ttc[k], 0.5)
        paths = self.paths.top(top)
        if paths is None:
            f = self.facts()
            paths = path_table(f, None, top, [self.conv_ord, self.conv_reach])
        if self.cust is None:
            c_ord, c_rea = self.counts.ordered[0].copy(), self.counts.reached[0].copy()
        else:
            c_ord, c_rea = self.cust.tables()
        return JourneyAgg(D=D, counts=self.counts, ttc_median=ttc, paths=paths,
                          customers_ordered=c_ord, customers_reached=c_rea)


class OrderStat:
    """The exact median of a multiset of int64 values under small changes: the values in a
    range around the median kept as sorted distinct values with their counts, and how many
    values lie below and above the range (ties, such as many zeros, stay exact).

    >>> import numpy as np
    >>> s = OrderStat(np.arange(100, dtype=np.int64))
    >>> s.value(), s.changed(np.array([0, 1]), np.array([500, 600])).value()
    (49.5, 51.5)
    """

    def __init__(self, values: Any = None, q: float = 0.5, frac: int = 32):
        np = _np()
        self.q = q
        if values is None:
            return
        n = int(values.shape[0])
        if n == 0:
            self.below, self.above, self.lo, self.hi = 0, 0, 0, -1
            self.vals, self.cnt = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
            return
        pos = (n - 1) * q
        lo = max(0, math.floor(pos) - n // frac - 16)
        hi = min(n - 1, math.ceil(pos) + n // frac + 16)
        part = np.partition(values, [lo, hi])
        self.lo, self.hi = part[lo], part[hi]  # the range: every value in it is counted in vals
        tie_lo = int(np.count_nonzero(part[:lo] == self.lo))  # (ties of the ends outside [lo, hi])
        tie_hi = int(np.count_nonzero(part[hi + 1:] == self.hi))
        self.below, self.above = lo - tie_lo, n - 1 - hi - tie_hi
        vals, cnt = np.unique(part[lo:hi + 1], return_counts=True)
        cnt[0] += tie_lo
        cnt[-1] += tie_hi
        self.vals, self.cnt = vals.astype(np.int64), cnt.astype(np.int64)

    @property
    def n(self) -> int:
        return self.below + int(self.cnt.sum()) + self.above

    def value(self) -> float | None:
        """The quantile (NaN when empty); None when its rank left the kept range."""
        np = _np()
        n = self.n
        if n == 0:
            return math.nan
        pos = (n - 1) * self.q
        lo, hi = math.floor(pos) - self.below, math.ceil(pos) - self.below
        cum = np.cumsum(self.cnt)
        if lo < 0 or cum.shape[0] == 0 or hi >= int(cum[-1]):
            return None
        a, b = np.searchsorted(cum, [lo, hi], side="right")
        return _interp(self.vals[a], self.vals[b], pos)

    def changed(self, removed: Any, added: Any) -> OrderStat | None:
        """A new OrderStat with ``removed`` (each present) taken out and ``added`` put in; None
        when the kept range no longer holds the median (then build afresh)."""
        np = _np()
        out = OrderStat(q=self.q)
        out.lo, out.hi = self.lo, self.hi
        out.below = self.below - int(np.count_nonzero(removed < self.lo)) + int(np.count_nonzero(added < self.lo))
        out.above = self.above - int(np.count_nonzero(removed > self.hi)) + int(np.count_nonzero(added > self.hi))
        rin = removed[(removed >= self.lo) & (removed <= self.hi)]
        ain = added[(added >= self.lo) & (added <= self.hi)]
        vals, cnt = self.vals, self.cnt.copy()
        g = np.searchsorted(vals, rin)
        if out.below < 0 or out.above < 0 or (g.shape[0] and (
                int(g.max()) >= vals.shape[0] or not np.array_equal(vals[g], rin))):
            return None
        np.subtract.at(cnt, g, 1)
        if ain.shape[0]:
            g = np.searchsorted(vals, ain)
            found = g < vals.shape[0]
            found[found] = vals[g[found]] == ain[found]
            np.add.at(cnt, g[found], 1)
            if not found.all():
                nv, nc = np.unique(ain[~found], return_counts=True)
                at = np.searchsorted(vals, nv)
                vals, cnt = np.insert(vals, at, nv), np.insert(cnt, at, nc)
        if bool((cnt < 0).any()):
            return None
        out.vals, out.cnt = vals, cnt
        return out if out.value() is not None else None


def unit_dwell(store: Any, ev_offsets: Any, slot_lut: Any, units: Any, stages: list,
               max_share: float = 1.0) -> list | None:
    """Per stage (a tuple of touchpoint slots): (positions in ``units``, time in stage ns) of
    those of ``units`` (unit codes of ``store``, ascending) with an event in it: the time
    between their first and last event there. None when ``units`` hold more than
    ``max_share`` of the events."""
    np = _np()
    a, b = ev_offsets[units], ev_offsets[units + 1]
    lens = b - a
    if int(lens.sum()) > max_share * store.n_events:
        return None
    idx = np.repeat(a - (np.cumsum(lens) - lens), lens) + np.arange(int(lens.sum()))
    ul = np.repeat(np.arange(units.shape[0]), lens)
    slot = slot_lut[store.key[idx]]
    t = store.t_code[idx].astype(np.int64)
    n_slots = int(slot_lut.max(initial=-1)) + 1
    out = []
    for tps in stages:
        inside = np.zeros(n_slots + 1, dtype=bool)  # [-1] (unmapped) stays False
        inside[[j for j in tps if j < n_slots]] = True
        m = inside[slot]
        us, ts = ul[m], t[m]
        if us.shape[0] == 0:
            out.append((us, ts))
            continue
        first = np.flatnonzero(np.r_[True, us[1:] != us[:-1]])
        last = np.r_[first[1:], us.shape[0]] - 1
        out.append((us[first], (ts[last] - ts[first]) * store.t_scale))
    return out


class StageDwell:
    """Time in stage of all units, one :class:`OrderStat` per stage (keyed by its touchpoint
    slots); a stage whose slots changed by a move gets its predecessor's with the values of
    the units visiting the moved slots replaced."""

    def __init__(self) -> None:
        self.stats: dict = {}
        self.layout: list | None = None

    def get(self, stage_tps: list, full: Any, visitors: Any, dwell: Any) -> list:
        """The OrderStat of each stage: ``full(tps)`` builds one from all units, ``visitors(slots)``
        gives the units with an event at any of them, ``dwell(units, stages)`` is
        :func:`unit_dwell` for those units (None when rebuilding the stages costs less)."""
        prev = self.layout
        todo = [k for k, tps in enumerate(stage_tps) if tps not in self.stats]
        pairs = []
        if prev is not None and len(prev) == len(stage_tps):
            pairs = [(k, prev[k]) for k in todo if prev[k] in self.stats]
        if pairs:
            slots = sorted({j for k, old in pairs for j in set(old) ^ set(stage_tps[k])})
            units = visitors(slots)
            both = dwell(units, [old for _, old in pairs] + [stage_tps[k] for k, _ in pairs]) or []
            olds, news = both[:len(pairs)], both[len(pairs):]
            for (k, old), (_, d_old), (_, d_new) in zip(pairs, olds, news):
                st = self.stats[old].changed(d_old, d_new) if units.shape[0] else self.stats[old]
                if st is not None:
                    self.stats[stage_tps[k]] = st
        rest = [tps for tps in stage_tps if tps not in self.stats]
        if rest:
            for tps, st in zip(rest, _pmap(full, rest)):
                self.stats[tps] = st
        if len(self.stats) > 4 * len(stage_tps) + 64:
            keep = set(stage_tps)
            self.stats = {k: v for k, v in self.stats.items() if k in keep}
        self.layout = list(stage_tps)
        return [self.stats[tps] for tps in stage_tps]
