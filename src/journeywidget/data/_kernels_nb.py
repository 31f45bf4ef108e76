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


@nb.njit(cache=True, nogil=True)
def walk(off, tp, t0, t1, lut, D, wcode, use_window, sel, has_sel, cstarts, u0, u1, c0, c1,
         th, tid, pinfo, pbuf, pm, tk, tv, dk, dv, dwant, cnt):
    """Units ``u0..u1`` (customers ``c0..c1`` of session units): their stage paths grouped
    exactly (hash, then the path itself; ``th``, ``tid``: an empty table, -1 ids), per path
    its ordered-funnel matches; per unit its depth (the window cuts the chain) and times
    to convert; per customer its deepest unit and the ranks its units reach. The work
    arrays come from the caller (sized for the worst case, touched only as used);
    ``pn`` < 0 when the table filled up (call again with a larger one). Per unit and stage it
    reaches (of those ``dwant`` asks for), the time in stage (first to last event there: ``t1``
    is each run's last event) goes to ``dk``, ``dv``; ``cnt``: (times to convert, times in
    stage) per rank, added to."""
    U = off.shape[0] - 1
    D1 = max(D, 1)
    n_units = 0
    dh = np.zeros(D + 1, np.int64)  # units by ordered depth
    cdh = np.zeros(D + 1, np.int64)  # customers by their deepest unit
    crea = np.zeros(D1, np.int64)  # customers with a unit whose path holds the rank
    maxlen = 1
    for u in range(u0, u1):
        maxlen = max(maxlen, off[u + 1] - off[u])
    sr = np.empty(maxlen, np.int16)
    srt = np.empty(maxlen, np.int64)
    cap = th.shape[0]
    pstarts, plens = pinfo[:, 0], pinfo[:, 1]  # (views: the table's probe reads them)
    pn, nbuf, nt, nd = 0, 0, 0, 0
    INF = np.int64(1) << 62
    fst = np.full(D1, INF, np.int64)  # the unit's first and last event time per rank
    lst = np.zeros(D1, np.int64)
    touched = np.empty(D1, np.int64)
    single = np.full(D1, -1, np.int64)  # the path id of each one-stage path
    has_c = c1 > c0
    C = cstarts.shape[0]
    ci = c0
    nxt = cstarts[ci + 1] if has_c and ci + 1 < C else U
    cdeep, cmask = 0, np.int64(0)
    for u in range(u0, u1):
        if has_c and u == nxt:  # the next customer's units begin
            cdh[cdeep] += 1
            k = 0
            while cmask:  # (the ranks its units reached: up to the highest)
                if cmask & 1:
                    crea[k] += 1
                cmask >>= 1
                k += 1
            cdeep, cmask = 0, np.int64(0)
            ci += 1
            nxt = cstarts[ci + 1] if ci + 1 < C else U
        if has_sel and not sel[u]:
            continue
        n_units += 1
        a0 = off[u]
        if off[u + 1] - a0 == 1:  # one run (most sessions): a one-stage path, seen before?
            k = lut[tp[a0]]
            if k < 0:
                dh[0] += 1
                continue
            pid = single[k]
            if pid >= 0:
                if dwant[k]:
                    dk[nd], dv[nd] = k, t1[a0] - t0[a0]
                    nd += 1
                    cnt[1, k] += 1
                cdeep, cmask = count_unit(pinfo, pid, pinfo[pid, 2], D, dh, cdeep, cmask)
                continue
        n, h, nr = 0, u64(0), 0
        for r in range(off[u], off[u + 1]):
            k = lut[tp[r]]
            if k < 0:
                continue
            if dwant[k]:
                if fst[k] == INF:
                    fst[k] = t0[r]
                    touched[nr] = k
                    nr += 1
                lst[k] = t1[r]
            if n == 0 or sr[n - 1] != k:
                sr[n] = k
                srt[n] = t0[r]
                n += 1
                h = h * HASH_BASE + u64(k + 1)
        for i in range(nr):  # time in stage (of the stages asked for)
            k = touched[i]
            dk[nd], dv[nd] = k, lst[k] - fst[k]
            nd += 1
            cnt[1, k] += 1
            fst[k] = INF
        if n == 0:
            dh[0] += 1
            continue
        if n == 1 and single[sr[0]] >= 0:  # (a one-stage path, as most sessions: known)
            pid = single[sr[0]]
        else:
            h = mix(h)
            slot = np.int64(h & u64(cap - 1))
            slot, pid = probe(th, tid, slot, h, pstarts, plens, pbuf, sr, 0, n)
            if pid < 0:  # a new path: store it with its ordered matches
                if 2 * (pn + 1) > cap:
                    return n_units, dh, cdh, crea, -1, nbuf, nt, nd
                pid = pn
                pn += 1
                mask, m, d = np.int64(0), -1, 0
                for i in range(n):
                    pbuf[nbuf + i] = sr[i]
                    mask |= np.int64(1) << sr[i]
                    if m < 0 and sr[i] == 0:
                        m, d = i, 1
                        pm[nbuf] = i
                if m >= 0:  # earliest-match chaining from the first stage-1 run
                    for k in range(1, D):
                        c = -1
                        for i in range(m + 1, n):
                            if sr[i] == k:
                                c = i
                                break
                        if c < 0:
                            break
                        pm[nbuf + k] = c
                        m, d = c, k + 1
                pinfo[pid, 0], pinfo[pid, 1], pinfo[pid, 2] = nbuf, n, d
                pinfo[pid, 3], pinfo[pid, 4], pinfo[pid, 5] = mask, 0, 0
                nbuf += n
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
                tk[nt], tv[nt] = k, dt
                cnt[0, k] += 1
                nt += 1
        cdeep, cmask = count_unit(pinfo, pid, depth, D, dh, cdeep, cmask)
    if has_c:
        cdh[cdeep] += 1
        k = 0
        while cmask:
            if cmask & 1:
                crea[k] += 1
            cmask >>= 1
            k += 1
    return n_units, dh, cdh, crea, pn, nbuf, nt, nd


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
    units by highest rank; flows (transitions, units)."""
    INF = np.int64(1) << 62
    D1 = max(D, 1)
    scal = np.zeros(3, np.int64)
    per = np.zeros((6, D1), np.int64)
    mh = np.zeros(D + 1, np.int64)
    fc = np.zeros(D1 * D1, np.int64)
    fu = np.zeros(D1 * D1, np.int64)
    conv_p = np.zeros(pstart.shape[0], np.bool_)
    F = np.full(D1, INF, np.int64)
    seen = np.zeros(D1 * D1, np.bool_)
    back_u = np.zeros(D1, np.bool_)
    for p in range(pstart.shape[0]):
        a, n, x = pstart[p], plen[p], w[p]
        maxr = -1
        for i in range(n):
            k = pbuf[a + i]
            if F[k] == INF:
                F[k] = i
            maxr = max(maxr, k)
        conv = F[D - 1] != INF
        conv_p[p] = conv
        conf = pbuf[a] == 0
        for i in range(1, n):
            fr, to = pbuf[a + i - 1], pbuf[a + i]
            q = fr * D + to
            fc[q] += x
            if not seen[q]:
                seen[q] = True
                fu[q] += x
            if to < fr:
                back_u[fr] = True
            if to != fr + 1:
                conf = False
        for i in range(1, n):
            fr = pbuf[a + i - 1]
            seen[fr * D + pbuf[a + i]] = False
            if back_u[fr]:
                back_u[fr] = False
                per[4, fr] += x
                if conv:
                    per[5, fr] += x
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
