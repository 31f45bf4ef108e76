"""Per-unit journeys: the stage-level facts every path table is made of.

A *unit* is a customer or a session (:mod:`journeywidget.data.sessions`). A bind
keeps, per unit, its *touchpoint runs*: the unit's mapped events in (time, row)
order with consecutive events at the same touchpoint merged (:class:`Runs`: unit
code, touchpoint slot and time of the run's first event). For a map layout (which
stage each touchpoint is in) :func:`unit_facts` turns them into *stage runs* (the
unit's **stage path**: the stages of its mapped events with consecutive repeats
collapsed) and, for every unit at once, vectorised:

* ``reached[k, u]``: the stage path contains stage k;
* ``depth[u]``: how many stages the unit's ordered funnel reaches (earliest-match
  chaining, within the window), and the time of each match after the first;
* ``skipped[k, u]``: a later stage comes before the unit's first visit to k (or k
  is never visited while a later stage is);
* ``back[k, u]``: the path steps from k straight back to an earlier stage;
* ``conforming[u]``: the path is exactly the designed order from the first stage
  (a prefix 1, 2, 3 ... without gaps or steps back);
* the stage-to-stage transitions (flows) and a hash of every path.

Stages are addressed by their *rank* among the stages that have data (a stage none
of whose touchpoints has a mapped event is skipped by every definition). The
numpy engine computes the facts for all units; the Spark engine computes them
inside Spark, partition by partition, with the same functions, so both give the
same numbers. :func:`group_counts` sums them per group of units (a segment, a
cluster); every count is a sum over units, so partial counts add up.

>>> import numpy as np
>>> runs = Runs(unit=np.array([0, 0, 0, 1, 1], np.int32), tp=np.array([0, 1, 0, 1, 2], np.int16),
...             t0=np.array([0, 5, 9, 0, 3], np.int32), n_units=2, t_scale=10**9)
>>> f = unit_facts(runs, np.array([0, 1, 2]), np.array([0, 1, 2]), None)
>>> f.depth.tolist(), f.back[:, 0].tolist(), f.skipped[:, 1].tolist(), f.conforming.tolist()
([2, 0], [False, True, False], [True, False, False], [False, False])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Runs", "build_runs", "UnitFacts", "unit_facts", "merge_facts", "group_counts",
           "GroupCounts", "path_table", "INF"]

INF = 2**31 - 1
#: events per chunk when runs are built (temporaries stay small)
RUN_CHUNK = 1 << 21
#: work arrays up to this many elements are kept between calls (larger ones cost memory)
SCRATCH_MAX = 4_000_000
_HASH_BASE = 1_000_003  # odd: powers never vanish mod 2**64


def _np():
    import numpy as np

    return np


@dataclass
class Runs:
    """A binding's mapped events per unit with consecutive repeats of a touchpoint merged."""

    unit: Any  # int32 [R] unit code, non-decreasing (None where offsets stand for it)
    tp: Any  # int16/int32 [R] touchpoint slot
    t0: Any  # [R] time code (store.t_code units) of the run's first event
    n_units: int
    t_scale: int = 1
    t1: Any = None  # [R] time code of the run's last event (built when asked for)
    offsets: Any = None  # int64 [n_units + 1] where each unit's runs begin (when unit is None)

    @property
    def size(self) -> int:
        return int(self.tp.shape[0])


def build_runs(unit: Any, key: Any, t_code: Any, slot_of_key: Any, n_units: int,
               t_scale: int, last_times: bool = False, unit_codes: bool = True) -> Runs:
    """The touchpoint runs of events sorted by (unit, time, row): ``unit``, ``key`` and
    ``t_code`` per event, ``slot_of_key`` the touchpoint slot of each key (< 0: unmapped);
    ``last_times``: also the time of each run's last event (``Runs.t1``); without
    ``unit_codes``, ``Runs.unit`` is None and ``Runs.offsets`` says where each unit's runs
    begin. The runs are written into arrays sized for the worst case (a run per event),
    whose unused tail is never touched (and so costs no memory): no copy at the end."""
    np = _np()
    lut = np.asarray(slot_of_key, dtype=np.int32)
    T = int(lut.max()) + 1 if lut.shape[0] else 1
    tdt = np.int16 if T < 32767 else np.int32
    lut = np.concatenate([lut, [-1]]).astype(tdt)
    n = unit.shape[0]
    rt, r0 = np.empty(n, tdt), np.empty(n, t_code.dtype)
    ru = np.empty(n, np.int32) if unit_codes else None
    r1 = np.empty(n, t_code.dtype) if last_times else None
    counts = None if unit_codes else np.zeros(int(n_units) + 1, np.int64)
    R = 0  # runs written
    prev_u, prev_tp = -1, -1
    step = RUN_CHUNK
    for a in range(0, n, step):  # chunked: temporaries stay small
        b = min(n, a + step)
        tp = lut[key[a:b]]
        ok = tp >= 0
        if not ok.all():
            sel = np.flatnonzero(ok)
            u, tp, t = unit[a:b][sel], tp[sel], t_code[a:b][sel]
        else:
            u, t = unit[a:b], t_code[a:b]
        if u.shape[0] == 0:
            continue
        start = np.empty(u.shape[0], dtype=bool)
        start[0] = (u[0] != prev_u) or (tp[0] != prev_tp)
        np.not_equal(u[1:], u[:-1], out=start[1:])
        start[1:] |= tp[1:] != tp[:-1]
        prev_u, prev_tp = int(u[-1]), int(tp[-1])
        idx = np.flatnonzero(start)
        m = idx.shape[0]
        if last_times:  # a run ends where the next one starts (the chunk's last may go on)
            head = int(idx[0]) if m else t.shape[0]  # events going on with the last run
            if head and R:
                r1[R - 1] = t[head - 1]
            if m:
                r1[R:R + m - 1] = t[idx[1:] - 1]
                r1[R + m - 1] = t[-1]
        if unit_codes:
            ru[R:R + m] = u[idx]
        elif m:
            ui = u[idx]
            lo = int(ui[0])
            counts[lo + 1:int(ui[-1]) + 2] += np.bincount(ui - lo)
        rt[R:R + m] = tp[idx]
        r0[R:R + m] = t[idx]
        R += m
    runs = Runs(unit=None if ru is None else ru[:R], tp=rt[:R], t0=r0[:R], n_units=int(n_units),
                t_scale=int(t_scale), t1=None if r1 is None else r1[:R])
    if counts is not None:
        runs.offsets = np.cumsum(counts)
    return runs


@dataclass
class UnitFacts:
    """The stage-level facts of every unit for one layout (see the module docstring).
    Per-stage matrices are stage-major: ``reached[k, u]``."""

    D: int  # stages with data
    n_units: int
    reached: Any  # bool [D, U]
    skipped: Any  # bool [D, U]
    back: Any  # bool [D, U]
    depth: Any  # int16 [U] ordered-funnel stages reached
    maxrank: Any  # int16 [U] highest rank in the path (-1: empty path)
    conforming: Any  # bool [U]
    ttc: list = field(default_factory=list)  # per rank: (units int32, ns int64); rank 0 empty
    sr_rank: Any = None  # int8/int16 [SR] the stage runs of the paths (a buffer, see path_start)
    path_start: Any = None  # int32/int64 [n] where each path starts in sr_rank
    path_len: Any = None  # int32 [n] its length
    path_units: Any = None  # int32 [n] the unit of each path
    path_hash: Any = None  # uint64 [n]
    tr_unit: Any = None  # int32 [M] transitions between consecutive stage runs
    tr_pair: Any = None  # int32 [M] from_rank * D + to_rank
    tr_first: Any = None  # bool [M] the unit's first transition of that pair

    @property
    def nonempty(self) -> Any:
        return self.maxrank >= 0

    @property
    def converted(self) -> Any:
        """Units whose stage path reaches the last stage with data."""
        np = _np()
        if self.D == 0:
            return np.zeros(self.n_units, dtype=bool)
        return self.reached[self.D - 1]

    def path_of(self, i: int) -> tuple:
        """The ranks of the stage path of the ``i``-th unit with a path."""
        a = int(self.path_start[i])
        return tuple(int(x) for x in self.sr_rank[a:a + int(self.path_len[i])])


def _buf(scratch: dict | None, name: str, size: int, dtype: Any, fill: Any) -> Any:
    """A filled work array of ``size``: a slice of one kept in ``scratch`` (allocating and
    first touching large arrays costs more than the work on them), else a new one."""
    np = _np()
    if scratch is None or size > SCRATCH_MAX:
        return np.full(size, fill, dtype=dtype)
    arr = scratch.get(name)
    if arr is None or arr.shape[0] < size or arr.dtype != np.dtype(dtype):
        arr = np.empty(max(size, 1), dtype=dtype)
        scratch[name] = arr
    out = arr[:size]
    out.fill(fill)
    return out


def unit_facts(runs: Runs, stage_of_slot: Any, rank_of_stage: Any, window_ns: int | None,
               scratch: dict | None = None) -> UnitFacts:
    """The facts of every unit of ``runs`` for a layout: ``stage_of_slot`` (the stage index of
    each touchpoint slot, < 0: none), ``rank_of_stage`` (each stage's rank among the stages
    with data, < 0: no data) and the ordered funnel's window in ns (None: no window).
    ``scratch``: a dict that keeps work arrays between calls."""
    np = _np()
    U = runs.n_units
    rank_of_stage = np.asarray(rank_of_stage, dtype=np.int64)
    D = int(rank_of_stage.max()) + 1 if rank_of_stage.shape[0] else 0
    D1 = max(D, 1)
    sos = np.asarray(stage_of_slot, dtype=np.int64)
    n_slots = max(sos.shape[0], int(runs.tp.max(initial=0)) + 1)
    lut = np.full(n_slots + 1, -1, dtype=np.int64)
    oks = sos >= 0
    lut[: sos.shape[0]][oks] = rank_of_stage[sos[oks]]
    rdt = np.int8 if D < 127 else np.int16
    rr = lut.astype(rdt)[runs.tp]
    u, t0 = runs.unit, runs.t0
    if runs.size and not bool((rr >= 0).all()):
        keep = np.flatnonzero(rr >= 0)
        u, rr, t0 = u[keep], rr[keep], t0[keep]
    n = rr.shape[0]
    # stage runs: consecutive runs of one unit in the same stage merge
    b = np.empty(n, dtype=bool)
    if n:
        b[0] = True
        np.not_equal(u[1:], u[:-1], out=b[1:])
        first_run = b.copy()
        b[1:] |= rr[1:] != rr[:-1]
    else:
        first_run = b
    idx = np.flatnonzero(b)
    if n < 2**31 - 1:
        idx = idx.astype(np.int32)
    sr_r = rr[idx]
    first = first_run[idx]  # the unit's first stage run
    del b, first_run, rr
    SR = idx.shape[0]
    starts = np.flatnonzero(first)
    path_units = u[idx[starts]].astype(np.int32)
    lengths = np.diff(np.append(starts, SR))
    sr_u = np.repeat(path_units, lengths)  # unit of each stage run
    # first and last stage run of every (stage, unit)
    pos = np.arange(SR, dtype=np.int32)
    key = sr_r.astype(np.int64) * U + sr_u
    F = _buf(scratch, "first", D1 * U, np.int32, INF)
    L = _buf(scratch, "last", D1 * U, np.int32, -1)
    if SR:
        np.minimum.at(F, key, pos)
        np.maximum.at(L, key, pos)
    del key
    F = F.reshape(D1, U)[:D]
    L = L.reshape(D1, U)[:D]
    reached = F < INF
    maxrank = np.full(U, -1, dtype=np.int16)
    for k in range(D):
        np.copyto(maxrank, np.int16(k), where=reached[k])
    # ordered funnel: earliest-match chaining from the first stage-1 run
    depth = np.zeros(U, dtype=np.int16)
    ttc: list = [(np.zeros(0, np.int32), np.zeros(0, np.int64))]
    if D:
        act = np.flatnonzero(reached[0]).astype(np.int32)
        m = F[0][act]
        tfirst = t0[idx[m]].astype(np.int64)
        depth[act] = 1
        wcode = None if window_ns is None else window_ns // runs.t_scale
        for k in range(1, D):
            if act.shape[0] == 0:
                ttc.append((act, np.zeros(0, np.int64)))
                continue
            f, l = F[k][act], L[k][act]
            c = np.where(f > m, f, -1)
            c[f == INF] = -1
            need = np.flatnonzero((f < m) & (l > m))
            if need.shape[0]:  # visited stage k before the match of k-1: its next visit after it
                lk = np.flatnonzero(sr_r == k).astype(np.int32)
                c[need] = lk[np.searchsorted(lk, m[need], side="right")]
            ok = np.flatnonzero(c >= 0)
            act, m, tfirst = act[ok], c[ok], tfirst[ok]
            dt = t0[idx[m]].astype(np.int64) - tfirst
            if wcode is not None and dt.shape[0]:
                ok = np.flatnonzero(dt <= wcode)
                act, m, tfirst, dt = act[ok], m[ok], tfirst[ok], dt[ok]
            depth[act] = k + 1
            ttc.append((act, dt * runs.t_scale))
    del idx
    # skipped: a later stage's first visit comes before this stage's first visit
    skipped = np.zeros((D, U), dtype=bool)
    if D > 1:
        later = F[D - 1].copy()
        for k in range(D - 2, -1, -1):
            np.less(later, F[k], out=skipped[k])
            np.minimum(later, F[k], out=later)
    del F, L
    # transitions between consecutive stage runs of a unit
    tsel = np.flatnonzero(~first[1:]) if SR else np.zeros(0, dtype=np.int64)
    fr = sr_r[tsel].astype(np.int32)
    to = sr_r[tsel + 1].astype(np.int32)
    tr_unit = sr_u[tsel + 1]
    tr_pair = (fr * D1 + to).astype(np.int16 if D1 * D1 < 32767 else np.int32)
    back = np.zeros(D1 * U, dtype=bool)
    bk = np.flatnonzero(to < fr)
    back[fr[bk].astype(np.int64) * U + tr_unit[bk]] = True
    back = back.reshape(D1, U)[:D]
    # conforming: the path is 0, 1, 2, ... (first stage first, one step forward at a time)
    bad = np.zeros(U, dtype=bool)
    if SR:
        bad[path_units[sr_r[starts] != 0]] = True
        bad[tr_unit[to != fr + 1]] = True
    conforming = (maxrank >= 0) & ~bad
    tr_first = _first_of_pair(tr_unit, tr_pair, D1 * D1, U, scratch)
    # a hash of each path (told apart exactly in path_table)
    path_hash = np.zeros(starts.shape[0], dtype=np.uint64)
    if SR:
        off = pos - np.repeat(starts.astype(np.int32), lengths)
        maxlen = int(lengths.max())
        powers = np.empty(maxlen, dtype=np.uint64)
        x = 1
        for i in range(maxlen):
            powers[i] = x
            x = (x * _HASH_BASE) % (1 << 64)
        with np.errstate(over="ignore"):
            term = powers[off]
            term *= (sr_r.astype(np.uint64) + np.uint64(1))
            path_hash = np.add.reduceat(term, starts)
        del term, off
    return UnitFacts(D=D, n_units=U, reached=reached, skipped=skipped, back=back, depth=depth,
                     maxrank=maxrank, conforming=conforming, ttc=ttc, sr_rank=sr_r,
                     path_start=starts.astype(np.int32 if SR < 2**31 - 1 else np.int64),
                     path_len=lengths.astype(np.int32), path_units=path_units, path_hash=path_hash,
                     tr_unit=tr_unit, tr_pair=tr_pair, tr_first=tr_first)


def merge_facts(old: UnitFacts, new: UnitFacts, units: Any, inplace: bool = False) -> UnitFacts:
    """``old`` with the facts of ``units`` (ascending; ``new`` holds them as units 0..n-1, for
    the same stages with data) replaced: how a move of touchpoints updates only the units
    that visit them. ``inplace``: ``old`` is not used again, its per-unit arrays are updated
    rather than copied (millions of units: the copies would cost most of a move)."""
    np = _np()
    U = old.n_units
    hit = np.zeros(U, dtype=bool)
    hit[units] = True
    out = {}
    for name in ("reached", "skipped", "back"):
        mat = getattr(old, name) if inplace else getattr(old, name).copy()
        mat[:, units] = getattr(new, name)
        out[name] = mat
    for name in ("depth", "maxrank", "conforming"):
        arr = getattr(old, name) if inplace else getattr(old, name).copy()
        arr[units] = getattr(new, name)
        out[name] = arr
    ttc = []
    for (ou, ov), (nu, nv) in zip(old.ttc, new.ttc):
        keep = ~hit[ou]
        ttc.append((np.concatenate([ou[keep], units[nu]]), np.concatenate([ov[keep], nv])))
    keep = ~hit[old.path_units]
    live = int(old.path_len[keep].sum())
    sr_rank, start = old.sr_rank, old.path_start[keep]
    if live < sr_rank.shape[0] // 2:  # mostly replaced paths: compact the buffer
        idx = np.repeat(start.astype(np.int64), old.path_len[keep]) + (
            np.arange(live) - np.repeat(np.cumsum(old.path_len[keep]) - old.path_len[keep], old.path_len[keep]))
        sr_rank = sr_rank[idx]
        start = (np.cumsum(old.path_len[keep]) - old.path_len[keep]).astype(np.int64)
    tkeep = ~hit[old.tr_unit]
    big = sr_rank.shape[0] + new.sr_rank.shape[0] >= 2**31 - 1
    return UnitFacts(
        D=old.D, n_units=U, ttc=ttc, **out,
        sr_rank=np.concatenate([sr_rank, new.sr_rank]),
        path_start=np.concatenate([start.astype(np.int64 if big else np.int32),
                                   (new.path_start + sr_rank.shape[0]).astype(np.int64 if big else np.int32)]),
        path_len=np.concatenate([old.path_len[keep], new.path_len]),
        path_units=np.concatenate([old.path_units[keep], units[new.path_units]]),
        path_hash=np.concatenate([old.path_hash[keep], new.path_hash]),
        tr_unit=np.concatenate([old.tr_unit[tkeep], units[new.tr_unit]]),
        tr_pair=np.concatenate([old.tr_pair[tkeep], new.tr_pair.astype(old.tr_pair.dtype)]),
        tr_first=np.concatenate([old.tr_first[tkeep], new.tr_first]),
    )


def _first_of_pair(unit: Any, pair: Any, P: int, U: int, scratch: dict | None) -> Any:
    """Whether each transition is its unit's first of that pair (transitions in unit order)."""
    np = _np()
    M = unit.shape[0]
    out = np.zeros(M, dtype=bool)
    if M == 0:
        return out
    step = max(1, min(U, (1 << 22) // max(P, 1)))  # units per chunk: a dense [P, step] table
    bounds = np.searchsorted(unit, np.arange(0, U + step, step))
    seen = _buf(scratch, "pairs", P * step, np.int32, INF)
    for c in range(bounds.shape[0] - 1):
        a, b = int(bounds[c]), int(bounds[c + 1])
        if a == b:
            continue
        key = (unit[a:b] - c * step).astype(np.int64) * P + pair[a:b]  # unit-major: cache friendly
        pos = np.arange(b - a, dtype=np.int32)
        np.minimum.at(seen, key, pos)
        out[a:b] = seen[key] == pos
        seen[key] = INF  # only what was touched
    return out


@dataclass
class GroupCounts:
    """Counts of units per group (rows) and stage rank (columns), summed over units."""

    units: Any  # [G] units
    nonempty: Any  # [G] units with a stage path
    conforming: Any  # [G]
    converted: Any  # [G] paths reaching the last stage
    reached: Any  # [G, D]
    ordered: Any  # [G, D] the ordered funnel reaches rank k
    skipped: Any  # [G, D]
    skipped_conv: Any  # [G, D]
    at_or_after: Any  # [G, D] units whose path contains k or a later stage
    skip_pop: Any  # [G, D] units that reach a stage after k
    skip_pop_conv: Any  # [G, D]
    back: Any  # [G, D]
    back_conv: Any  # [G, D]
    reached_conv: Any  # [G, D]
    flow_count: Any  # [G, D, D] transitions
    flow_units: Any  # [G, D, D]

    def __add__(self, other: GroupCounts) -> GroupCounts:
        return GroupCounts(**{k: getattr(self, k) + getattr(other, k) for k in self.__dataclass_fields__})

    def total(self) -> GroupCounts:
        """All groups together (one row)."""
        return GroupCounts(**{k: getattr(self, k).sum(axis=0, keepdims=True)
                              for k in self.__dataclass_fields__})

    def row(self, g: int) -> GroupCounts:
        return GroupCounts(**{k: getattr(self, k)[g:g + 1] for k in self.__dataclass_fields__})


def group_counts(f: UnitFacts, g: Any, G: int) -> GroupCounts:
    """Every count of the path tables per group: ``g`` is each unit's group in 0..G-1
    (< 0: in none); ``g=None`` puts every unit in group 0 (G must be 1)."""
    np = _np()
    D = f.D
    U = f.n_units
    one = None  # one group: every unit (None) or the units of a mask
    if g is not None and G == 1:  # (one segment: masks and counts, no bincount per stage)
        one = np.asarray(g) >= 0
        g = None
    if g is None:
        rowsel = None

        def count(mask_u):  # [U] bool -> [1]
            return np.array([np.count_nonzero(mask_u if one is None else mask_u & one)], dtype=np.int64)

        def count2(mat, extra=None):  # [D, U] bool -> [1, D]
            sel = one if extra is None else (extra if one is None else extra & one)
            return np.array([[np.count_nonzero(mat[k] if sel is None else (mat[k] & sel))
                              for k in range(D)]], dtype=np.int64).reshape(1, D)

        def hist(codes, width):  # per-unit small codes -> [1, width]
            return np.bincount(codes if one is None else codes[one], minlength=width)[:width].reshape(1, width)
    else:
        g = np.asarray(g, dtype=np.int64)
        rowsel = g >= 0
        gs = g[rowsel]

        def count(mask_u):
            return np.bincount(g[mask_u & rowsel], minlength=G)[:G]

        def count2(mat, extra=None):
            out = np.zeros((G, D), dtype=np.int64)
            for k in range(D):
                m = mat[k] & rowsel if extra is None else mat[k] & extra & rowsel
                out[:, k] = np.bincount(g[m], minlength=G)[:G]
            return out

        def hist(codes, width):
            return np.bincount(gs * width + codes[rowsel], minlength=G * width)[: G * width].reshape(G, width)
    Gn = 1 if g is None else G
    conv = f.converted
    dh = hist(f.depth.astype(np.int64), D + 1)
    ordered = dh[:, ::-1].cumsum(axis=1)[:, ::-1][:, 1:]  # depth > k
    mh = hist(f.maxrank.astype(np.int64) + 1, D + 1)  # column 0: empty path; r + 1: max rank r
    above = mh[:, ::-1].cumsum(axis=1)[:, ::-1]  # above[:, j]: maxrank >= j - 1
    at_or_after = above[:, 1:].astype(np.int64)  # maxrank >= k
    skip_pop = np.zeros((Gn, D), dtype=np.int64)
    if D > 1:
        skip_pop[:, : D - 1] = above[:, 2:]  # maxrank > k
    n_conv = count(conv)
    skip_pop_conv = np.repeat(n_conv[:, None], D, axis=1)
    if D:
        skip_pop_conv[:, D - 1] = 0
    P = max(D, 1) ** 2
    if g is None:
        tsel = f.tr_first if one is None else f.tr_first & one[f.tr_unit]
        fc = np.bincount(f.tr_pair if one is None else f.tr_pair[one[f.tr_unit]], minlength=P)[:P]
        fu = np.bincount(f.tr_pair[tsel], minlength=P)[:P]
    else:
        trs = g[f.tr_unit]
        tok = trs >= 0
        fc = np.bincount(trs[tok] * P + f.tr_pair[tok], minlength=G * P)[: G * P]
        sel = tok & f.tr_first
        fu = np.bincount(trs[sel] * P + f.tr_pair[sel], minlength=G * P)[: G * P]
    shape = (Gn, max(D, 1), max(D, 1))
    return GroupCounts(
        units=count(np.ones(U, dtype=bool)), nonempty=count(f.nonempty),
        conforming=count(f.conforming), converted=n_conv,
        reached=count2(f.reached), ordered=ordered.astype(np.int64), skipped=count2(f.skipped),
        skipped_conv=count2(f.skipped, conv), at_or_after=at_or_after, skip_pop=skip_pop,
        skip_pop_conv=skip_pop_conv.astype(np.int64), back=count2(f.back),
        back_conv=count2(f.back, conv), reached_conv=count2(f.reached, conv),
        flow_count=fc.reshape(shape)[:, :D, :D], flow_units=fu.reshape(shape)[:, :D, :D],
    )


def path_table(f: UnitFacts, sel: Any, top: int, converted: list) -> list[tuple]:
    """The ``top`` most common stage paths (as rank tuples) among the units selected by the
    boolean ``sel`` [U] (None: all): ``(path, units, *converted units)``, most units first
    (ties: the path itself); ``converted`` is a list of boolean [U] arrays (units that
    convert, by one definition each).

    Exact: units are bucketed by a 64-bit hash of their path; buckets are read largest
    first (a bucket's size bounds the count of every path in it) until no unread bucket
    can hold a path among the top, and within a bucket units are grouped by their actual
    stage runs."""
    np = _np()
    pu = f.path_units
    idx = np.arange(pu.shape[0]) if sel is None else np.flatnonzero(sel[pu])
    if idx.shape[0] == 0 or top <= 0:
        return []
    h = f.path_hash[idx]
    nb = 1 << max(4, int(idx.shape[0] // 8).bit_length())  # ~8 units a bucket
    bucket = ((h >> np.uint64(20)) & np.uint64(nb - 1)).astype(np.int64)
    bc = np.bincount(bucket, minlength=nb)
    want = min(nb, 4 * top + 16)
    cand = np.argpartition(-bc, want - 1)[:want] if want < nb else np.arange(nb)
    order = cand[np.argsort(-bc[cand], kind="stable")].tolist()
    if want < nb:  # the rest, should the first ones not settle the top
        order.append(-1)
    out: dict[tuple, list[int]] = {}
    for bi in order:
        if bi == -1:
            rest = np.setdiff1d(np.argsort(-bc, kind="stable"), cand, assume_unique=True)
            order.extend(rest.tolist())
            continue
        n_b = int(bc[bi])
        if n_b == 0:
            break
        if len(out) >= top and n_b < sorted((v[0] for v in out.values()), reverse=True)[top - 1]:
            break
        members = idx[bucket == bi]
        hm = f.path_hash[members]
        while members.shape[0]:
            same_h = hm == hm[0]
            grp = members[same_h]
            members, hm = members[~same_h], hm[~same_h]
            gu = pu[grp]
            cvs = [c[gu] for c in converted]
            rep = f.path_of(int(grp[0]))
            if _same_path(f, grp, rep).all():
                parts = {rep: [int(grp.shape[0])] + [int(np.count_nonzero(c)) for c in cvs]}
            else:  # a hash collision: count these units path by path
                parts = {}
                for i, mi in enumerate(grp.tolist()):
                    v = parts.setdefault(f.path_of(mi), [0] * (1 + len(cvs)))
                    v[0] += 1
                    for j, c in enumerate(cvs):
                        v[j + 1] += int(c[i])
            for p, v in parts.items():
                w = out.setdefault(p, [0] * len(v))
                for j, x in enumerate(v):
                    w[j] += x
    rows = sorted(out.items(), key=lambda kv: (-kv[1][0], kv[0]))[:top]
    return [(p, *v) for p, v in rows]


def _same_path(f: UnitFacts, members: Any, rep: tuple) -> Any:
    """Whether each of these units (indices into ``path_units``) has exactly the path ``rep``."""
    np = _np()
    a = f.path_start[members]
    ok = f.path_len[members] == len(rep)
    for j, r in enumerate(rep):
        ok &= f.sr_rank[np.minimum(a + j, f.sr_rank.shape[0] - 1)] == r
    return ok
