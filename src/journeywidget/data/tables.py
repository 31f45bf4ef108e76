"""The touchpoint-level tables of :class:`journeywidget.JourneyMetrics` (touchpoints,
transitions, unmapped keys), built from an engine's aggregates.

Every function takes the metrics object and a segment selection ``(engine, s)``
(see ``JourneyMetrics._select``); the numbers count the current *unit* (customers
or sessions): ``units`` is the distinct units, ``customers`` the distinct customers.

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("buying-process")
>>> m = jw.JourneyMetrics(j).bind_events(jw.datasets.events(j, customers=200),
...     customer="customer_id", time="timestamp", touchpoint="event")
>>> rows = touchpoint_records(m, m._select())
>>> rows[0]["units"] == rows[0]["customers"]   # the unit is the customer
True
"""

from __future__ import annotations

import math
from typing import Any

from .engine import NS_PER_S
from .mapping import UNMAPPED

__all__ = ["touchpoint_records", "transition_records", "unmapped_keys", "sig", "sec"]

TOUCHPOINT_COLUMNS = ["touchpoint", "name", "stage", "channel", "events", "units", "customers",
                      "share", "median_next_s", "p90_next_s", "mean_value", "exits", "top_next"]
TRANSITION_COLUMNS = ["from", "to", "count", "units", "customers", "share", "median_s"]


def sig(x: float, digits: int = 10) -> float:
    """Round to `digits` significant digits (sums differ in the last bits between engines)."""
    return float(f"{x:.{digits}g}") if math.isfinite(x) else x


def sec(ns: float) -> float:
    return ns / NS_PER_S if ns == ns else math.nan


def touchpoint_records(m: Any, sel: tuple) -> list[dict]:
    """One record per touchpoint in map order (see ``JourneyMetrics.touchpoints``)."""
    eng, s = sel
    a = eng.tp_agg(s)
    tps = m.document.get("touchpoints", [])
    total = a.total_customers
    doc_pos = {tp["id"]: i for i, tp in enumerate(tps)}
    ids = m._slot_ids
    top: dict[int, list] = {}
    for f, t_, _c in sorted(zip(a.tr_from.tolist(), a.tr_to.tolist(), a.tr_count.tolist()),
                           key=lambda x: (x[0], -x[2], doc_pos.get(ids[x[1]], 1 << 30))):
        if f != t_ and ids[t_] in doc_pos:
            top.setdefault(f, [])
            if len(top[f]) < 3:
                top[f].append(ids[t_])
    cust = _customer_counts(m, sel, len(a.events))
    chans = eng.channels
    n_slots = len(a.events)
    rows = []
    for tp in tps:
        j = m._slots[tp["id"]]
        if j >= n_slots:
            rows.append(_empty_tp_row(tp, chans))
            continue
        un = int(a.customers[j])
        vn = int(a.value_n[j])
        row = {
            "touchpoint": tp["id"], "name": tp.get("name", ""), "stage": tp.get("stage"),
            "channel": tp.get("channel"), "events": int(a.events[j]), "units": un,
            "customers": un if cust is None else int(cust[j]),
            "share": (un / total) if total else math.nan,
            "median_next_s": sec(a.next_q[j][0]), "p90_next_s": sec(a.next_q[j][1]),
            "mean_value": sig(float(a.value_sum[j]) / vn) if vn else math.nan,
            "exits": int(a.exits[j]), "top_next": top.get(j, []),
        }
        if a.chan is not None and chans:
            cc = a.chan[j]
            tot = int(cc.sum())
            row["top_channel"] = chans[int(cc.argmax())] if tot else None
            ch = tp.get("channel")
            row["channel_match"] = (
                (int(cc[chans.index(ch)]) / tot if ch in chans else 0.0) if tot and ch else math.nan
            )
        rows.append(row)
    return rows


def _customer_counts(m: Any, sel: tuple, n: int) -> Any:
    """Distinct customers per touchpoint slot when the units are sessions (None otherwise)."""
    if m.unit == "customer":
        return None
    import numpy as np

    eng, s = sel
    if eng is m._unit_engine():  # a segment: the customer engine counts the same customers
        return m._engine.tp_agg(s).customers
    runs = eng.runs()  # a cluster of sessions: distinct (customer, touchpoint) pairs
    keep = eng.store.seg_of_cust[runs.unit] == s
    pairs = np.unique(eng.unit_customer[runs.unit[keep]].astype(np.int64) * n + runs.tp[keep])
    return np.bincount(pairs % n, minlength=n)[:n]


def _empty_tp_row(tp: dict, chans: list) -> dict:
    row = {"touchpoint": tp["id"], "name": tp.get("name", ""), "stage": tp.get("stage"),
           "channel": tp.get("channel"), "events": 0, "units": 0, "customers": 0, "share": 0.0,
           "median_next_s": math.nan, "p90_next_s": math.nan, "mean_value": math.nan, "exits": 0,
           "top_next": []}
    if chans:
        row.update(top_channel=None, channel_match=math.nan)
    return row


def transition_records(m: Any, sel: tuple) -> list[dict]:
    """One record per (from, to) touchpoint pair of consecutive mapped events of a unit."""
    eng, s = sel
    a = eng.tp_agg(s)
    with_next = (a.events - a.exits).tolist()
    rows = []
    ids = m._slot_ids
    for f, t_, c, cu, md in zip(a.tr_from.tolist(), a.tr_to.tolist(), a.tr_count.tolist(),
                                a.tr_customers.tolist(), a.tr_median.tolist()):
        rows.append({"from": ids[f], "to": ids[t_], "count": int(c), "units": int(cu),
                     "customers": int(cu) if m.unit == "customer" else None, "share": c / with_next[f] if with_next[f] else math.nan,
                     "median_s": sec(md)})
    rows.sort(key=lambda r: (-r["count"], r["from"], r["to"]))
    return rows


def unmapped_keys(m: Any) -> list[dict]:
    """Event keys on no touchpoint, most frequent first, with a suggested stage."""
    eng = m._engine
    tok = m._tp_of_key
    kc = eng.key_counts
    unm = [k for k in range(len(tok)) if tok[k] == UNMAPPED and int(kc[k]) > 0]
    unm.sort(key=lambda k: (-int(kc[k]), eng.keys[k]))
    stages = m.document.get("stages", [])
    neigh = eng.unmapped_neighbours() if unm else None
    _, _, stage_of_slot, _ = m._stage_layout()
    out = []
    for k in unm:
        sugg = None
        if neigh is not None and stages and m.document.get("touchpoints"):
            row = neigh[k]
            per_stage = [0] * len(stages)
            for j in range(min(len(stage_of_slot), len(row))):
                if stage_of_slot[j] >= 0:
                    per_stage[stage_of_slot[j]] += int(row[j])
            if max(per_stage) > 0:
                sugg = stages[max(range(len(stages)), key=lambda i: (per_stage[i], -i))]["id"]
        out.append({"key": eng.keys[k], "count": int(kc[k]), "suggested_stage": sugg})
    return out
