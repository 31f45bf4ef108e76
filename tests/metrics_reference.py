"""A slow, obviously-correct pure-Python implementation of the journey metrics.

It follows the definitions in journeywidget.data.metrics (and funnel, paths, conformance)
word for word, with no numpy and none of the engine code, so the fast engines can be
compared against it on random logs.
"""

from __future__ import annotations

import math
from collections import Counter


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


def wilson(x, n):
    """95% Wilson score interval, written out."""
    if not n or x > n:
        return math.nan, math.nan
    z = 1.959963984540054
    p = x / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


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


def units_of(rows, unit="customer", gap_ns=None):
    """unit -> [(time, row index, row)] sorted; a unit is a customer, (customer, session value)
    or (customer, session number) for sessions split by a gap."""
    valid = [(i, r) for i, r in enumerate(rows)
             if r[0] is not None and r[1] is not None and r[2] is not None]
    by_c = {}
    for i, r in valid:
        by_c.setdefault(r[0], []).append((r[1], i, r))
    for c in by_c:
        by_c[c].sort(key=lambda x: (x[0], x[1]))
    if unit == "customer":
        return {(c,): evs for c, evs in by_c.items()}
    out = {}
    for c, evs in by_c.items():
        if gap_ns is None:  # the session column (6th field)
            for e in evs:
                out.setdefault((c, e[2][5]), []).append(e)
        else:
            n = 0
            for i, e in enumerate(evs):
                if i and e[0] - evs[i - 1][0] > gap_ns:
                    n += 1
                out.setdefault((c, n), []).append(e)
    return out


def reference(doc, rows, segment=None, mapping=None, unit="customer", gap_ns=None,
              funnel="ordered", window_ns=None):
    """rows: list of (customer, time_ns or None, key or None, value or None, seg or None[, session]).

    Returns a dict of tables keyed like the engine's records: touchpoints, stages,
    transitions, conformance, paths (Counter of stage-id tuples -> [units, converted]),
    flows (stage level), tp_flows, and totals.
    """
    units_all = units_of(rows, unit, gap_ns)
    # a customer's segment: its first non-missing value in (time, row) order
    cust_events = units_of(rows, "customer")
    seg_of = {c[0]: next((str(e[2][4]) for e in evs if e[2][4] is not None), None)
              for c, evs in cust_events.items()}
    tps = doc["touchpoints"]
    stages = doc["stages"]
    T = len(tps)
    sidx = {s["id"]: k for k, s in enumerate(stages)}
    stage_of = [sidx.get(tp["stage"], -1) for tp in tps]

    def mapped(evs):
        seq = []
        for t, _i, r in evs:
            j = tp_for_key(doc, str(r[2]), mapping)
            if j >= 0:
                seq.append((t, j, r[3]))
        return seq

    # stages with data: a mapped event at one of their touchpoints, in any segment
    has_data = [False] * len(stages)
    for evs in units_all.values():
        for _, j, _ in mapped(evs):
            if stage_of[j] >= 0:
                has_data[stage_of[j]] = True
    data_stages = [k for k in range(len(stages)) if has_data[k]]
    rank = {k: i for i, k in enumerate(data_stages)}
    D = len(data_stages)
    units = {u: evs for u, evs in units_all.items()
             if segment is None or seg_of[u[0]] == segment}
    total = len(units)
    seqs = {u: mapped(evs) for u, evs in units.items()}
    # -- touchpoints and transitions
    events = [0] * T
    unit_set = [set() for _ in range(T)]
    cust_set = [set() for _ in range(T)]
    exits = [0] * T
    nexts = [[] for _ in range(T)]
    vals = [[] for _ in range(T)]
    trans = {}
    for u, seq in seqs.items():
        for n, (t, j, v) in enumerate(seq):
            events[j] += 1
            unit_set[j].add(u)
            cust_set[j].add(u[0])
            if v is not None and isinstance(v, (int, float)) and math.isfinite(v):
                vals[j].append(v)
            if n + 1 < len(seq):
                t2, j2, _ = seq[n + 1]
                nexts[j].append(t2 - t)
                d = trans.setdefault((j, j2), {"count": 0, "units": set(), "dts": []})
                d["count"] += 1
                d["units"].add(u)
                d["dts"].append(t2 - t)
            else:
                exits[j] += 1
    tprows = []
    for j, tp in enumerate(tps):
        nx = sorted(nexts[j])
        follow = {b: d["count"] for (a, b), d in trans.items() if a == j and b != j}
        top = [tps[b]["id"] for b in sorted(follow, key=lambda b: (-follow[b], b))[:3]]
        tprows.append({
            "touchpoint": tp["id"], "events": events[j], "units": len(unit_set[j]),
            "customers": len(cust_set[j]),
            "share": len(unit_set[j]) / total if total else math.nan,
            "median_next_s": q(nx, 0.5) / 1e9 if nx else math.nan,
            "p90_next_s": q(nx, 0.9) / 1e9 if nx else math.nan,
            "mean_value": math.fsum(vals[j]) / len(vals[j]) if vals[j] else math.nan,
            "exits": exits[j], "top_next": top,
        })
    trrows = []
    for (a, b), d in trans.items():
        with_next = events[a] - exits[a]
        trrows.append({"from": tps[a]["id"], "to": tps[b]["id"], "count": d["count"],
                       "units": len(d["units"]), "share": d["count"] / with_next,
                       "median_s": q(sorted(d["dts"]), 0.5) / 1e9})
    trrows.sort(key=lambda r: (-r["count"], r["from"], r["to"]))
    # -- per unit: the stage path, the ordered funnel
    paths, depth, match_t = {}, {}, {}
    for u, seq in seqs.items():
        path = []
        for _, j, _ in seq:
            s = stage_of[j]
            if s >= 0 and (not path or path[-1] != s):
                path.append(s)
        paths[u] = path
        pos, d, times = -1, 0, []
        for k in data_stages:
            nxt = next((i for i in range(pos + 1, len(seq)) if stage_of[seq[i][1]] == k), None)
            if nxt is None:
                break
            if times and window_ns is not None and seq[nxt][0] - times[0] > window_ns:
                break
            times.append(seq[nxt][0])
            pos, d = nxt, d + 1
        depth[u], match_t[u] = d, times
    strows = []
    prev = None
    for k, s in enumerate(stages):
        if not has_data[k]:
            strows.append({"stage": s["id"], "reached": 0, "customers": 0,
                           "share": 0.0 if total else math.nan, "conversion": math.nan,
                           "conversion_low": math.nan, "conversion_high": math.nan,
                           "dropoff": math.nan, "dropoff_rate": math.nan, "median_time_s": math.nan,
                           "median_time_to_convert_s": math.nan, "no_data": True,
                           "share_low": math.nan, "share_high": math.nan})
            continue
        r = rank[k]
        if funnel == "ordered":
            reached_units = [u for u in units if depth[u] > r]
        else:
            reached_units = [u for u in units if k in paths[u]]
        x = len(reached_units)
        dw = []
        for seq in seqs.values():
            ts = [t for t, j, _ in seq if stage_of[j] == k]
            if ts:
                dw.append(max(ts) - min(ts))
        ttc = sorted(match_t[u][r] - match_t[u][0] for u in units if depth[u] > r) if r else []
        lo, hi = wilson(x, total)
        row = {"stage": s["id"], "reached": x, "customers": len({u[0] for u in reached_units}),
               "share": x / total if total else math.nan, "share_low": lo, "share_high": hi,
               "median_time_s": q(sorted(dw), 0.5) / 1e9 if dw else math.nan,
               "median_time_to_convert_s": q(ttc, 0.5) / 1e9 if ttc else math.nan, "no_data": False}
        if prev is None:
            row.update(conversion=math.nan, conversion_low=math.nan, conversion_high=math.nan,
                       dropoff=math.nan, dropoff_rate=math.nan)
        else:
            drop = max(prev - x, 0)
            clo, chi = wilson(x, prev) if funnel == "ordered" else (math.nan, math.nan)
            row.update(conversion=x / prev if prev else math.nan, conversion_low=clo,
                       conversion_high=chi, dropoff=drop, dropoff_rate=drop / prev if prev else math.nan)
        strows.append(row)
        prev = x
    # -- conformance
    last = data_stages[-1] if data_stages else None
    conv_reach = {u: last is not None and last in paths[u] for u in units}
    cfrows = []
    for k, s in enumerate(stages):
        if not has_data[k]:
            cfrows.append({"stage": s["id"], "reached": 0, "skipped": 0, "out_of_order": 0,
                           "no_data": True})
            continue
        r = rank[k]
        reached_u, skipped_u, back_u, later_u, at_after = [], [], [], [], 0
        for u in units:
            p = [rank[x] for x in paths[u]]
            if r in p:
                reached_u.append(u)
            if any(x >= r for x in p):
                at_after += 1
            later = [i for i, x in enumerate(p) if x > r]
            if later:
                later_u.append(u)
                if r not in p or min(later) < p.index(r):
                    skipped_u.append(u)
            if any(p[i] == r and p[i + 1] < r for i in range(len(p) - 1)):
                back_u.append(u)

        def conv(us):
            return sum(conv_reach[u] for u in us) / len(us) if us else math.nan

        not_skipped = [u for u in later_u if u not in skipped_u]
        no_back = [u for u in reached_u if u not in back_u]
        cfrows.append({
            "stage": s["id"], "reached": len(reached_u), "skipped": len(skipped_u),
            "skip_rate": len(skipped_u) / at_after if at_after else math.nan,
            "out_of_order": len(back_u),
            "back_rate": len(back_u) / len(reached_u) if reached_u else math.nan,
            "conversion_skipped": conv(skipped_u), "conversion_not_skipped": conv(not_skipped),
            "conversion_back": conv(back_u), "conversion_no_back": conv(no_back), "no_data": False,
        })
    nonempty = [u for u in units if paths[u]]
    conforming = [u for u in nonempty if [rank[x] for x in paths[u]] == list(range(len(paths[u])))]
    # -- paths and flows
    path_counts = {}
    for u in nonempty:
        key = tuple(stages[x]["id"] for x in paths[u])
        conv_u = (depth[u] == D) if funnel == "ordered" else conv_reach[u]
        c = path_counts.setdefault(key, [0, 0])
        c[0] += 1
        c[1] += int(conv_u)
    flows = {}
    for u in units:
        p = paths[u]
        for a, b in zip(p, p[1:]):
            f = flows.setdefault((stages[a]["id"], stages[b]["id"]), [0, set()])
            f[0] += 1
            f[1].add(u)
    tp_flows = Counter()
    for seq in seqs.values():
        js = [j for _, j, _ in seq]
        for a, b in zip(js, js[1:]):
            if a != b:
                tp_flows[(tps[a]["id"], tps[b]["id"])] += 1
    return {"touchpoints": tprows, "stages": strows, "transitions": trrows,
            "conformance": cfrows, "conforming": (len(conforming), len(nonempty)),
            "paths": path_counts, "flows": {k: (v[0], len(v[1])) for k, v in flows.items()},
            "tp_flows": dict(tp_flows), "total": total, "rank": rank}
