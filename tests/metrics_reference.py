"""A slow, obviously-correct pure-Python implementation of the journey metrics.

It follows the definitions in journeywidget.data.metrics word for word, with no numpy,
so the fast engine can be compared against it on random logs.
"""

from __future__ import annotations

import math


def q(sorted_vals, p):
    n = len(sorted_vals)
    if n == 0:
        return math.nan
    pos = (n - 1) * p
    lo, hi = math.floor(pos), math.ceil(pos)
    a, b = float(sorted_vals[lo]), float(sorted_vals[hi])
    if lo == hi or a == b:
        return a
    return (hi - pos) * a + (pos - lo) * b


def _norm(x):
    return str(x).strip().casefold()


def tp_for_key(doc, key, mapping=None):
    tps = doc["touchpoints"]
    if mapping is not None and key in mapping:
        tgt = mapping[key]
        if tgt is None:
            return -2
        for j, tp in enumerate(tps):
            if tp["id"] == tgt:
                return j
        for j, tp in enumerate(tps):
            if _norm(tp["id"]) == _norm(tgt) or _norm(tp["name"]) == _norm(tgt):
                return j
    for j, tp in enumerate(tps):
        if key in [str(k) for k in tp.get("event_keys") or []]:
            return j
    for j, tp in enumerate(tps):
        if _norm(key) in [_norm(k) for k in tp.get("event_keys") or []]:
            return j
    for j, tp in enumerate(tps):
        if _norm(tp["id"]) == _norm(key):
            return j
    for j, tp in enumerate(tps):
        if _norm(tp["name"]) == _norm(key):
            return j
    return -1


def reference(doc, rows, segment=None, mapping=None):
    """rows: list of (customer, time_ns or None, key or None, value or None, seg or None).

    Returns (touchpoints, stages, transitions, extra) as lists of dicts keyed like the
    engine's records.
    """
    valid = [(i, r) for i, r in enumerate(rows)
             if r[0] is not None and r[1] is not None and r[2] is not None]
    by_c = {}
    for i, r in valid:
        by_c.setdefault(r[0], []).append((r[1], i, r))
    for c in by_c:
        by_c[c].sort(key=lambda x: (x[0], x[1]))
    seg_of = {}
    for c, evs in by_c.items():
        seg_of[c] = next((str(e[2][4]) for e in evs if e[2][4] is not None), None)
    if segment is not None:
        by_c = {c: e for c, e in by_c.items() if seg_of[c] == segment}
    total = len(by_c)
    tps = doc["touchpoints"]
    stages = doc["stages"]
    T = len(tps)
    sidx = {s["id"]: k for k, s in enumerate(stages)}
    stage_of = [sidx.get(tp["stage"], -1) for tp in tps]
    seqs = {}
    for c, evs in by_c.items():
        seq = []
        for t, _i, r in evs:
            j = tp_for_key(doc, str(r[2]), mapping)
            if j >= 0:
                seq.append((t, j, r[3]))
        seqs[c] = seq
    events = [0] * T
    custs = [set() for _ in range(T)]
    exits = [0] * T
    nexts = [[] for _ in range(T)]
    vals = [[] for _ in range(T)]
    trans = {}
    for c, seq in seqs.items():
        for n, (t, j, v) in enumerate(seq):
            events[j] += 1
            custs[j].add(c)
            if v is not None and isinstance(v, (int, float)) and math.isfinite(v):
                vals[j].append(v)
            if n + 1 < len(seq):
                t2, j2, _ = seq[n + 1]
                nexts[j].append(t2 - t)
                d = trans.setdefault((j, j2), {"count": 0, "customers": set(), "dts": []})
                d["count"] += 1
                d["customers"].add(c)
                d["dts"].append(t2 - t)
            else:
                exits[j] += 1
    tprows = []
    for j, tp in enumerate(tps):
        nx = sorted(nexts[j])
        follow = {}
        for (a, b), d in trans.items():
            if a == j and b != j:
                follow[b] = d["count"]
        top = [tps[b]["id"] for b in sorted(follow, key=lambda b: (-follow[b], b))[:3]]
        tprows.append({
            "touchpoint": tp["id"], "events": events[j], "customers": len(custs[j]),
            "share": len(custs[j]) / total if total else math.nan,
            "median_next_s": q(nx, 0.5) / 1e9 if nx else math.nan,
            "p90_next_s": q(nx, 0.9) / 1e9 if nx else math.nan,
            "mean_value": math.fsum(vals[j]) / len(vals[j]) if vals[j] else math.nan,
            "exits": exits[j], "top_next": top,
        })
    strows = []
    prev = None
    for k, s in enumerate(stages):
        reach = 0
        dw = []
        for seq in seqs.values():
            ts = [t for t, j, _ in seq if stage_of[j] == k]
            if ts:
                reach += 1
                dw.append(max(ts) - min(ts))
        row = {"stage": s["id"], "customers": reach, "share": reach / total if total else math.nan,
               "median_time_s": q(sorted(dw), 0.5) / 1e9 if dw else math.nan}
        if prev is None:
            row.update(conversion=math.nan, dropoff=math.nan, dropoff_rate=math.nan)
        else:
            drop = max(prev - reach, 0)
            row.update(conversion=reach / prev if prev else math.nan, dropoff=drop,
                       dropoff_rate=drop / prev if prev else math.nan)
        strows.append(row)
        prev = reach
    trrows = []
    for (a, b), d in trans.items():
        with_next = events[a] - exits[a]
        trrows.append({"from": tps[a]["id"], "to": tps[b]["id"], "count": d["count"],
                       "customers": len(d["customers"]), "share": d["count"] / with_next,
                       "median_s": q(sorted(d["dts"]), 0.5) / 1e9})
    trrows.sort(key=lambda r: (-r["count"], r["from"], r["to"]))
    back = 0
    for seq in seqs.values():
        st = [stage_of[j] for _, j, _ in seq]
        if any(st[i] >= 0 and st[i + 1] >= 0 and st[i + 1] < st[i] for i in range(len(st) - 1)):
            back += 1
    return tprows, strows, trrows, {"total": total, "backwards": back}
