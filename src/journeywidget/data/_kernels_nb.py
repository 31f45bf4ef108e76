"""The compiled loops of :mod:`journeywidget.data.kernels` (imported only when numba is
installed; compiled on first use and cached on disk next to this file).

>>> import numpy as np
>>> cust = np.array([2, 0, 2, 1], np.int32)
>>> count_customers(cust, 0, 4, 3).tolist()
[1, 1, 2]
"""

from __future__ import annotations

import numba as nb
import numpy as np

u64 = np.uint64
HASH_BASE = u64(1_000_003)


@nb.njit(cache=True, nogil=True, inline="always")
def mix(h):
    """The hash's bits mixed (murmur3's finalizer): a table slot from its low bits."""
    h ^= h >> u64(33)
    h *= u64(0xFF51AFD7ED558CCD)
    h ^= h >> u64(33)
    h *= u64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> u64(33))


@nb.njit(cache=True, nogil=True, inline="always")
def probe(th, tid, slot, h, starts, lens, pbuf, seq, at, n):
    """(slot, path id) of the path ``seq[at:at + n]`` with hash ``h`` in the open-addressing
    table ``th``, ``tid`` (paths stored in ``pbuf`` at ``starts``, ``lens``), from ``slot`` on;
    id -1 and the free slot when it is not there."""
    mask = th.shape[0] - 1
    while tid[slot] >= 0:
        q = tid[slot]
        if th[slot] == h and lens[q] == n:
            b, same = starts[q], True
            for i in range(n):
                if pbuf[b + i] != seq[at + i]:
                    same = False
                    break
            if same:
                return slot, q
        slot = (slot + 1) & mask
    return slot, -1


@nb.njit(cache=True, nogil=True, inline="always")
def count_unit(pinfo, pid, depth, D, dh, cdeep, cmask):
    """A unit counted: its depth, its path's units (and converting ones); its customer's
    deepest unit and reached stages (returned)."""
    dh[depth] += 1
    pinfo[pid, 4] += 1
    if depth == D:
        pinfo[pid, 5] += 1
    return max(cdeep, depth), cmask | pinfo[pid, 3]


@nb.njit(cache=True, nogil=True, inline="always")
def count_customer(cdh, crea, cdeep, cmask, sign):
    """A customer counted (``sign`` 1) or taken out (-1): its deepest unit, its reached ranks."""
    cdh[cdeep] += sign
    k = 0
    while cmask:
        if cmask & 1:
            crea[k] += sign
        cmask >>= 1
        k += 1


@nb.njit(cache=True, nogil=True)
def walk(off, tp, t0, t1, lut, D, wcode, use_window, sel, has_sel, cstarts, u0, u1, c0, c1,
         groups, again, th, tid, pinfo, pbuf, pm, single, w, dh, cdh, crea, dwant, perrun,
         upid, udep, tt, tk, tv, dk, dv, cnt, dcol, dsat):
    """Units ``u0..u1`` (customers ``c0..c1`` of session units) walked: their stage paths
    grouped exactly (hash, then the path itself; ``th``, ``tid``: an empty table, -1 ids;
    ``single``: -1s), a new path stored with its ordered matches (``w``: the table's paths,
    buffer used, times kept, times in stage kept). Counts are added to ``dh`` (units by
    ordered depth), ``cdh`` (customers by their deepest unit), ``crea`` (customers with a
    unit whose path holds the rank) and each path's units (and converting ones).

    Each unit's times to convert go, ``perrun``, into its own span of runs (``tt``: rank k's
    at ``off[u] + k - 1``) and its path id and depth to ``upid``, ``udep``; otherwise as (rank,
    time) pairs (``tk``, ``tv``). Its times in stage of the ranks ``dwant`` asks for go as
    pairs (``dk``, ``dv``; ``cnt`` counts the pairs per rank), or, when ``dcol`` has a column
    a unit, to ``dcol[rank, unit]`` (-1 where it does not reach the rank; ``dsat`` where it
    is ``dsat`` or more: a column of a narrow type). ``again``: only
    the units (customers of session units) in
    ``groups`` are walked, a kept walk's (``perrun``) counts brought to a new ``lut``: each
    one's old path and depth taken out first.

    The work arrays come from the caller (sized for the worst case, touched only as used).
    Returns (units walked, done): not done when the path table filled up (walk afresh with a
    larger one)."""
    U, C = off.shape[0] - 1, cstarts.shape[0]
    D1 = max(D, 1)
    cols = dcol.shape[1] > 0  # (a column a unit: times in stage kept there)
    has_c = (C > 0) if again else (c1 > c0)
    ng = groups.shape[0] if again else (c1 - c0 if has_c else u1 - u0)
    maxlen = 1
    for gi in range(ng):
        g = groups[gi] if again else (c0 + gi if has_c else u0 + gi)
        ua = cstarts[g] if has_c else g
        ub = (cstarts[g + 1] if g + 1 < C else U) if has_c else g + 1
        maxlen = max(maxlen, off[ub] - off[ua])
    sr = np.empty(maxlen, np.int16)
    srt = np.empty(maxlen, np.int64)
    INF = np.int64(1) << 62
    fst = np.full(D1, INF, np.int64)  # the unit's first and last event time per rank
    lst = np.zeros(D1, np.int64)
    cap = th.shape[0]
    pstarts, plens = pinfo[:, 0], pinfo[:, 1]  # (views: the table's probe reads them)
    chg = np.flatnonzero(dwant)  # (the ranks whose times in stage are asked for)
    n_units = 0
    for gi in range(ng):
        g = groups[gi] if again else (c0 + gi if has_c else u0 + gi)
        ua = cstarts[g] if has_c else g
        ub = (cstarts[g + 1] if g + 1 < C else U) if has_c else g + 1
        cdeep, cmask = 0, np.int64(0)
        if again:  # out first: the units as they were counted
            for u in range(ua, ub):
                p, d = upid[u], udep[u]
                dh[d] -= 1
                cdeep = max(cdeep, d)
                if p >= 0:
                    cmask |= pinfo[p, 3]
                    pinfo[p, 4] -= 1
                    if d == D:
                        pinfo[p, 5] -= 1
            if has_c:
                count_customer(cdh, crea, cdeep, cmask, -1)
            cdeep, cmask = 0, np.int64(0)
        for u in range(ua, ub):
            if has_sel and not sel[u]:
                continue
            n_units += 1
            a0, a1 = off[u], off[u + 1]
            pid, depth, tmask = -1, 0, np.int64(0)
            if again and cols:  # (its times in the stages that change: afresh)
                for k in chg:
                    dcol[k, u] = -1
            if a1 - a0 == 1:  # one run (most sessions): a one-stage path, seen before?
                k = lut[tp[a0]]
                if k < 0:
                    if perrun:
                        upid[u], udep[u] = -1, 0
                    dh[0] += 1
                    continue
                pid = single[k]
                if pid >= 0:
                    fst[k], lst[k], tmask = t0[a0], t1[a0], np.int64(1) << k
                    depth = pinfo[pid, 2]
            if pid < 0:
                n, h = 0, u64(0)
                for r in range(a0, a1):
                    k = lut[tp[r]]
                    if k < 0:
                        continue
                    fst[k] = min(fst[k], t0[r])  # (every rank's first and last time, no branch)
                    lst[k] = t1[r]
                    tmask |= np.int64(1) << k
                    if n == 0 or sr[n - 1] != k:
                        sr[n] = k
                        srt[n] = t0[r]
                        n += 1
                        h = h * HASH_BASE + u64(k + 1)
                if n == 0:
                    if perrun:
                        upid[u], udep[u] = -1, 0
                    dh[0] += 1
                    continue
                if n == 1 and single[sr[0]] >= 0:  # (a one-stage path, as most sessions: known)
                    pid = single[sr[0]]
                else:
                    h = mix(h)
                    slot = np.int64(h & u64(cap - 1))
                    slot, pid = probe(th, tid, slot, h, pstarts, plens, pbuf, sr, 0, n)
                    if pid < 0:  # a new path: store it with its ordered matches
                        pn, nbuf = w[0], w[1]
                        if 2 * (pn + 1) > cap or pn >= pinfo.shape[0] or nbuf + n > pbuf.shape[0]:
                            return n_units, False
                        pid = pn
                        mask, m, d = np.int64(0), -1, 0
                        for i in range(n):
                            pbuf[nbuf + i] = sr[i]
                            mask |= np.int64(1) << sr[i]
                            if m < 0 and sr[i] == 0:
                                m, d = i, 1
                                pm[nbuf] = i
                        if m >= 0:  # earliest-match chaining from the first stage-1 run
                            for i in range(m + 1, n):  # (each rank's first run after the last match)
                                if d == D:
                                    break
                                if sr[i] == d:
                                    pm[nbuf + d] = i
                                    d += 1
                        pinfo[pid, 0], pinfo[pid, 1], pinfo[pid, 2] = nbuf, n, d
                        pinfo[pid, 3], pinfo[pid, 4], pinfo[pid, 5] = mask, 0, 0
                        pinfo[pid, 6] = np.int64(h)  # (its hash, for the shared table)
                        w[0], w[1] = pn + 1, nbuf + n
                        th[slot], tid[slot] = h, pid
                    if n == 1:
                        single[sr[0]] = pid
                depth = pinfo[pid, 2]
                if depth > 1:  # the times of the matches (the window cuts the chain)
                    a = pinfo[pid, 0]
                    tfirst = srt[pm[a]]
                    for k in range(1, depth):
                        dt = srt[pm[a + k]] - tfirst
                        if use_window and dt > wcode:
                            depth = k
                            break
                        if perrun:
                            tt[a0 + k - 1] = dt
                        else:
                            tk[w[2]], tv[w[2]] = k, dt
                            w[2] += 1
                            cnt[0, k] += 1
            m_, k = tmask, 0
            while m_:  # time in stage (first to last event there) of the ranks asked for
                if m_ & 1:
                    if dwant[k]:
                        if cols:
                            dcol[k, u] = min(lst[k] - fst[k], dsat)
                        else:
                            dk[w[3]], dv[w[3]] = k, lst[k] - fst[k]
                            w[3] += 1
                            cnt[1, k] += 1
                    fst[k] = INF
                m_ >>= 1
                k += 1
            if perrun:
                upid[u], udep[u] = pid, depth
            cdeep, cmask = count_unit(pinfo, pid, depth, D, dh, cdeep, cmask)
        if has_c:
            count_customer(cdh, crea, cdeep, cmask, 1)
    return n_units, True


@nb.njit(cache=True, nogil=True)
def slot_masks(off, tp, cstarts, g0, g1, out):
    """Per unit (customer of session units) ``g0..g1``, the touchpoint slots its runs
    visit, one bit a slot (slots 0..63)."""
    U, C = off.shape[0] - 1, cstarts.shape[0]
    for g in range(g0, g1):
        a = off[cstarts[g]] if C else off[g]
        b = (off[cstarts[g + 1]] if g + 1 < C else off[U]) if C else off[g + 1]
        m = u64(0)
        for r in range(a, b):
            m |= u64(1) << u64(tp[r])
        out[g] = m


@nb.njit(cache=True, nogil=True)
def hits(masks, bits, off, cstarts):
    """The units (customers of session units) whose slot mask (:func:`slot_masks`) meets
    ``bits``, and how many runs they have."""
    U, C = off.shape[0] - 1, cstarts.shape[0]
    out = np.empty(masks.shape[0], np.int64)
    n, runs = 0, 0
    for g in range(masks.shape[0]):  # (without branches: a third of them hit, at random)
        hit = np.int64((masks[g] & bits) != 0)
        out[n] = g
        n += hit
        if C:
            runs += hit * ((off[cstarts[g + 1]] if g + 1 < C else off[U]) - off[cstarts[g]])
        else:
            runs += hit * (off[g + 1] - off[g])
    return out[:n], runs


@nb.njit(cache=True, nogil=True)
def rehash(th, tid, pinfo, pn):
    """The paths ``0..pn`` (``pinfo``, their hashes in column 6) put in the empty table
    ``th``, ``tid`` (a larger one: moves then add paths without filling it)."""
    mask = th.shape[0] - 1
    for p in range(pn):
        h = u64(pinfo[p, 6])
        slot = np.int64(h & u64(mask))
        while tid[slot] >= 0:
            slot = (slot + 1) & mask
        th[slot], tid[slot] = h, p


@nb.njit(cache=True, nogil=True)
def count_paths(th, tid, pinfo, pbuf, qh, qbuf, qstart, qlen, cnt):
    """The paths ``qbuf[qstart[i]:qstart[i] + qlen[i]]`` (hashes ``qh``) looked up in a span's
    table (``th``, ``tid``; ``pinfo``, ``pbuf``): their units and converting units added to
    ``cnt[0]``, ``cnt[1]``."""
    mask = th.shape[0] - 1
    for i in range(qh.shape[0]):
        h = u64(qh[i])
        slot, p = probe(th, tid, np.int64(h & u64(mask)), h, pinfo[:, 0], pinfo[:, 1], pbuf, qbuf,
                        qstart[i], qlen[i])
        if p >= 0:
            cnt[0, i] += pinfo[p, 4]
            cnt[1, i] += pinfo[p, 5]


@nb.njit(cache=True, nogil=True)
def facts_update(pinfo, pbuf, pn, wf, D):
    """The path facts (:func:`path_facts`, linear in the weights) of the change in units of a
    span's paths ``0..pn`` since ``wf`` (each path's units when last counted), taken over
    the paths whose units changed; ``wf`` brought up to date."""
    idx = np.empty(pn, np.int64)
    d4 = np.empty(pn, np.int64)
    n = 0
    for p in range(pn):
        a = pinfo[p, 4] - wf[p]
        if a != 0:
            idx[n], d4[n] = p, a
            n += 1
            wf[p] = pinfo[p, 4]
    return path_facts(pinfo[idx[:n], 0], pinfo[idx[:n], 1], pbuf, d4[:n], D)


@nb.njit(cache=True, nogil=True)
def gather(off, u0, u1, udep, tt, fill, out):
    """The times to convert kept per unit (:func:`walk`, ``perrun``) of units ``u0..u1`` put
    rank by rank: rank k's at ``out[fill[k]]`` on."""
    for u in range(u0, u1):
        a = off[u]
        for k in range(1, udep[u]):
            out[fill[k]] = tt[a + k - 1]
            fill[k] += 1


@nb.njit(cache=True, nogil=True)
def dwell_pairs(off, tp, t0, t1, lut, dwant, u0, u1, dk, dv, cnt):
    """Per unit ``u0..u1`` and rank ``dwant`` asks for that it reaches, the time in stage
    (first to last event there) as a (rank, time) pair; ``cnt``: pairs per rank. Returns how
    many."""
    D1 = dwant.shape[0]
    INF = np.int64(1) << 62
    wl = np.full(lut.shape[0], -1, np.int64)  # each slot's rank when asked for, else -1
    for j in range(lut.shape[0]):
        if lut[j] >= 0 and dwant[lut[j]]:
            wl[j] = lut[j]
    fst = np.full(D1, INF, np.int64)
    lst = np.zeros(D1, np.int64)
    nd = 0
    for u in range(u0, u1):
        tmask = np.int64(0)
        for r in range(off[u], off[u + 1]):
            k = wl[tp[r]]
            if k >= 0:
                fst[k] = min(fst[k], t0[r])
                lst[k] = t1[r]
                tmask |= np.int64(1) << k
        k = 0
        while tmask:
            if tmask & 1:
                dk[nd], dv[nd] = k, lst[k] - fst[k]
                nd += 1
                cnt[k] += 1
                fst[k] = INF
            tmask >>= 1
            k += 1
    return nd


@nb.njit(cache=True, nogil=True)
def column_values(col, u0, u1, out):
    """The values >= 0 of ``col[u0:u1]`` put in ``out``; how many."""
    n = 0
    for u in range(u0, u1):  # (without branches)
        v = col[u]
        out[n] = v
        n += np.int64(v >= 0)
    return n


@nb.njit(cache=True, nogil=True)
def regroup(pstart, plen, pcnt, pbuf):
    """Paths listed more than once (from chunks of units) made one, their counts added."""
    P = pstart.shape[0]
    cap = 16
    while cap < 2 * P:
        cap *= 2
    th = np.zeros(cap, u64)
    tid = np.full(cap, -1, np.int64)
    keep = np.zeros(P, np.bool_)
    cnt = pcnt.copy()
    for p in range(P):
        a, n = pstart[p], plen[p]
        h = u64(0)
        for i in range(n):
            h = h * HASH_BASE + u64(pbuf[a + i] + 1)
        h = mix(h)
        slot = np.int64(h & u64(cap - 1))
        slot, found = probe(th, tid, slot, h, pstart, plen, pbuf, pbuf, a, n)
        if found < 0:
            th[slot], tid[slot] = h, p
            keep[p] = True
        else:
            for j in range(cnt.shape[0]):
                cnt[j, found] += cnt[j, p]
    return keep, cnt


@nb.njit(cache=True, nogil=True)
def path_facts(pstart, plen, pbuf, w, D):
    """Every count a stage path determines, over distinct paths with ``w`` units each:
    nonempty, conforming, converted; reached, skipped, back (and among converting units);
    units by highest rank; flows (transitions, units). One pass over each path (the
    flows and steps back it has seen are stamped with its index, never cleared)."""
    INF = np.int64(1) << 62
    D1 = max(D, 1)
    scal = np.zeros(3, np.int64)
    per = np.zeros((6, D1), np.int64)
    mh = np.zeros(D + 1, np.int64)
    fc = np.zeros(D1 * D1, np.int64)
    fu = np.zeros(D1 * D1, np.int64)
    conv_p = np.zeros(pstart.shape[0], np.bool_)
    F = np.full(D1, INF, np.int64)
    seen = np.full(D1 * D1, -1, np.int64)  # the last path that had the flow
    back = np.full(D1, -1, np.int64)  # the last path that stepped back from the rank
    backs = np.empty(D1, np.int64)
    for p in range(pstart.shape[0]):
        a, n, x = pstart[p], plen[p], w[p]
        fr = pbuf[a]
        F[fr] = 0
        maxr = fr
        conf = fr == 0
        nb = 0
        for i in range(1, n):
            to = pbuf[a + i]
            if F[to] == INF:
                F[to] = i
            maxr = max(maxr, to)
            q = fr * D + to
            fc[q] += x
            if seen[q] != p:
                seen[q] = p
                fu[q] += x
            if to < fr and back[fr] != p:
                back[fr] = p
                backs[nb] = fr
                nb += 1
            if to != fr + 1:
                conf = False
            fr = to
        conv = F[D - 1] != INF
        conv_p[p] = conv
        for i in range(nb):
            per[4, backs[i]] += x
            if conv:
                per[5, backs[i]] += x
        later = INF
        for k in range(maxr, -1, -1):
            f = F[k]
            if f != INF:
                per[0, k] += x
                if conv:
                    per[1, k] += x
            if later < f:
                per[2, k] += x
                if conv:
                    per[3, k] += x
            later = min(later, f)
            F[k] = INF
        scal[0] += x
        if conf:
            scal[1] += x
        if conv:
            scal[2] += x
        mh[maxr + 1] += x
    return scal, per, mh, fc, fu, conv_p


@nb.njit(cache=True, nogil=True)
def by_stage(tk, tv, fill, out):
    """Times to convert put stage by stage: the value of stage ``k`` at ``out[fill[k]]``."""
    for i in range(tk.shape[0]):
        k = tk[i]
        out[fill[k]] = tv[i]
        fill[k] += 1


@nb.njit(cache=True, nogil=True)
def count_customers(cust, a, b, C):
    """Events per customer code among events ``a..b``."""
    cnt = np.zeros(C, np.int64)
    for i in range(a, b):
        cnt[cust[i]] += 1
    return cnt


@nb.njit(cache=True, nogil=True)
def scatter_customers(cust, a, b, pos, out):
    """Events ``a..b`` put at their customer's next place (``pos``, advanced): a stable
    counting sort's second pass."""
    for i in range(a, b):
        c = cust[i]
        out[pos[c]] = i
        pos[c] += 1


@nb.njit(cache=True, nogil=True)
def order_times(out, starts, t, c0, c1):
    """Each customer's events (``out[starts[c]:starts[c + 1]]``, in row order) put in time
    order, stable (ties keep row order), for customers ``c0..c1``."""
    for c in range(c0, c1):
        a, b = starts[c], starts[c + 1]
        ok = True
        for i in range(a + 1, b):
            if t[out[i]] < t[out[i - 1]]:
                ok = False
                break
        if ok:
            continue
        if b - a <= 32:  # insertion sort
            for i in range(a + 1, b):
                e = out[i]
                te = t[e]
                j = i - 1
                while j >= a and t[out[j]] > te:
                    out[j + 1] = out[j]
                    j -= 1
                out[j + 1] = e
        else:
            seg = out[a:b].copy()
            order = np.argsort(t[seg], kind="mergesort")
            for i in range(b - a):
                out[a + i] = seg[order[i]]
