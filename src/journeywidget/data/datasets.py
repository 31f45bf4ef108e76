"""Realistic sample data for a journey map: event logs and survey responses.

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("buying-process")
>>> ev = jw.datasets.events(j, customers=1000, seed=0)
>>> sorted(ev.columns)
['channel', 'customer_id', 'event', 'plan', 'timestamp', 'value']
>>> sv = jw.datasets.survey(j, responses=500, seed=0)
>>> sorted(sv.columns)
['comment', 'customer_id', 'plan', 'score', 'touchpoint']

The generator walks every customer through the stages in order: at each
stage they visit one or more of its touchpoints (several branches, repeats),
then continue to the next stage with a probability that depends on the stage
and on their plan (the segment), or drop off. Event keys come from the
touchpoints' ``event_keys`` (else their id); times are realistic gaps after a
random start; ``value`` is an order value on purchase-like touchpoints. A
small share of events have keys that are on no touchpoint (``noise``) and a
few customers go back to an earlier stage (``backtrack``). Everything is
vectorised with numpy (10M events in seconds) and fixed by ``seed``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["events", "survey", "sample_journey", "DEFAULT_TEMPLATE"]

DEFAULT_TEMPLATE = "buying-process"
PLANS = {"free": 0.6, "pro": 0.3, "enterprise": 0.1}
_PLAN_BOOST = {"free": 0.85, "pro": 1.0, "enterprise": 1.1}
_NOISE_KEYS = ["page_view_home", "session_start", "app_open", "newsletter_open", "cookie_consent"]
_VALUE_WORDS = ("checkout", "order", "purchase", "payment", "buy", "cart", "subscri", "upgrade")


def sample_journey(template: str = DEFAULT_TEMPLATE):
    """A template journey (``jw.Journey.from_template``)."""
    from ..journey import Journey

    return Journey.from_template(template)


def _doc(journey: Any) -> dict:
    if journey is None:
        journey = sample_journey()
    if isinstance(journey, str):
        journey = sample_journey(journey)
    return journey.to_dict() if hasattr(journey, "to_dict") else dict(journey)


def _layout(doc: dict):
    stages = doc.get("stages", [])
    tps = doc.get("touchpoints", [])
    if not stages or not tps:
        from ..core.errors import BindingError

        raise BindingError("the journey needs stages with touchpoints to generate data", None,
                           "add stages and touchpoints, or use a template")
    by_stage = [[j for j, tp in enumerate(tps) if tp.get("stage") == s["id"]] for s in stages]
    return stages, tps, by_stage


def events(journey: Any = None, customers: int = 10_000, seed: int = 0, *,
           start: str = "2026-01-05", days: int = 90, plans: dict | None = None,
           noise: float = 0.02, backtrack: float = 0.03, repeat: float = 0.3,
           continue_prob: float | list | None = None, customer_ids: str = "str"):
    """An event log for ``journey`` (a Journey, a document dict, a template name or None for
    the default template): columns ``customer_id, timestamp, event, channel, plan, value``,
    sorted by time. ``customer_ids="int"`` gives integer ids (faster for big logs)."""
    import numpy as np
    import pandas as pd

    doc = _doc(journey)
    stages, tps, by_stage = _layout(doc)
    rng = np.random.default_rng(seed)
    S = len(stages)
    C = int(customers)
    plans = plans or PLANS
    plan_names = list(plans)
    pp = np.array([plans[p] for p in plan_names], dtype=float)
    plan = rng.choice(len(plan_names), size=C, p=pp / pp.sum())
    boost = np.array([_PLAN_BOOST.get(p, 1.0) for p in plan_names])[plan]
    # continuation between stages
    if continue_prob is None:
        cont = np.clip(rng.uniform(0.55, 0.85, size=max(S - 1, 0)), 0, 1)
    elif isinstance(continue_prob, (int, float)):
        cont = np.full(max(S - 1, 0), float(continue_prob))
    else:
        cont = np.asarray(continue_prob, dtype=float)
    go = rng.random((C, max(S - 1, 0))) < np.clip(cont[None, :] * boost[:, None], 0, 0.98)
    depth = 1 + np.cumprod(go, axis=1).sum(axis=1) if S > 1 else np.ones(C, dtype=np.int64)
    # per-touchpoint parameters
    T = len(tps)
    visit_p = rng.uniform(0.25, 0.8, size=T)
    gap_med = np.exp(rng.uniform(np.log(60), np.log(6 * 3600), size=T))  # seconds
    slow = rng.choice(T, size=max(1, T // 10), replace=False)
    gap_med[slow] *= 24
    stage_len = np.exp(rng.uniform(np.log(3600), np.log(3 * 86400), size=S))
    t0 = pd.Timestamp(start).value // 10**9
    cust_start = t0 + rng.integers(0, days * 86400, size=C)
    stage_start = np.zeros((C, S))
    acc = np.zeros(C)
    for k in range(S):
        stage_start[:, k] = acc
        acc = acc + stage_len[k] * rng.lognormal(0, 0.6, size=C)
    cust_parts, time_parts, tp_parts = [], [], []
    for k in range(S):
        members = by_stage[k]
        if not members:
            continue
        who = np.flatnonzero(depth > k)
        if who.shape[0] == 0:
            break
        visited = rng.random((who.shape[0], len(members))) < visit_p[members][None, :]
        none = ~visited.any(axis=1)
        entry_w = visit_p[members] / visit_p[members].sum()
        entry = rng.choice(len(members), size=int(none.sum()), p=entry_w)
        visited[np.flatnonzero(none), entry] = True
        for i, j in enumerate(members):
            c = who[visited[:, i]]
            reps = 1 + rng.poisson(repeat, size=c.shape[0])
            cc = np.repeat(c, reps)
            base = stage_start[cc, k] + (i / max(len(members), 1)) * stage_len[k] * 0.5
            tt = base + rng.lognormal(np.log(gap_med[j]), 0.9, size=cc.shape[0])
            cust_parts.append(cc)
            time_parts.append(tt)
            tp_parts.append(np.full(cc.shape[0], j, dtype=np.int32))
    cust = np.concatenate(cust_parts)
    tsec = np.concatenate(time_parts)
    tpi = np.concatenate(tp_parts)
    # backtracking: some customers revisit a touchpoint of an earlier stage
    if backtrack > 0 and S > 1:
        deep = np.flatnonzero(depth > 1)
        bt = deep[rng.random(deep.shape[0]) < backtrack]
        if bt.shape[0]:
            back_stage = (rng.random(bt.shape[0]) * (depth[bt] - 1)).astype(int)
            jj = np.array([by_stage[k][rng.integers(len(by_stage[k]))] if by_stage[k] else 0
                           for k in back_stage])
            last_k = depth[bt] - 1
            tt = stage_start[bt, last_k] + stage_len[last_k] * rng.uniform(0.6, 1.2, bt.shape[0])
            cust = np.concatenate([cust, bt])
            tsec = np.concatenate([tsec, tt])
            tpi = np.concatenate([tpi, jj.astype(np.int32)])
    n = cust.shape[0]
    # event keys
    key_lists = [list(tp.get("event_keys") or []) or [tp["id"]] for tp in tps]
    key_names = sorted({k for ks in key_lists for k in ks} | set(_NOISE_KEYS))
    kidx = {k: i for i, k in enumerate(key_names)}
    choose = rng.random(n)
    key_code = np.empty(n, dtype=np.int32)
    for j, ks in enumerate(key_lists):
        m = tpi == j
        codes = np.array([kidx[k] for k in ks], dtype=np.int32)
        key_code[m] = codes[(choose[m] * len(codes)).astype(int)]
    if noise > 0:
        nz = rng.random(n) < noise
        key_code[nz] = np.array([kidx[k] for k in _NOISE_KEYS])[
            rng.integers(len(_NOISE_KEYS), size=int(nz.sum()))]
    # values on purchase-like touchpoints
    value = np.full(n, np.nan)
    for j, tp in enumerate(tps):
        text = (tp["id"] + " " + " ".join(key_lists[j])).lower()
        if any(w in text for w in _VALUE_WORDS):
            m = tpi == j
            value[m] = np.round(rng.lognormal(np.log(60), 0.7, size=int(m.sum())), 2)
    channels = sorted({tp.get("channel") or "web" for tp in tps})
    ch_idx = np.array([channels.index(tp.get("channel") or "web") for tp in tps], dtype=np.int32)
    ts = (cust_start[cust] + np.floor(tsec)).astype(np.int64)
    order = np.argsort(ts, kind="stable")
    if customer_ids == "int":
        cid = (cust[order] + 1).astype(np.int64)
    else:
        width = len(str(C))
        labels = np.array([f"C{i + 1:0{width}d}" for i in range(C)], dtype=object)
        cid = pd.Categorical.from_codes(cust[order], labels).astype(str) if C < 2_000_000 else \
            labels[cust[order]]
    df = pd.DataFrame({
        "customer_id": cid,
        "timestamp": pd.to_datetime(ts[order], unit="s"),
        "event": pd.Categorical.from_codes(key_code[order], key_names),
        "channel": pd.Categorical.from_codes(ch_idx[tpi[order]], channels),
        "plan": pd.Categorical.from_codes(plan[cust[order]], plan_names),
        "value": value[order],
    })
    return df


_PHRASES = {
    "neg": ["I can't find what I'm looking for on {tp}.", "{tp} was confusing and slow.",
            "Waited far too long at {tp}, very frustrating.", "{tp} did not work, I gave up.",
            "Nobody explained {tp} properly."],
    "mid": ["{tp} was okay, nothing special.", "{tp} did the job but could be faster.",
            "Fine overall, {tp} was a bit unclear.", "{tp} was average."],
    "pos": ["{tp} was quick and easy!", "Loved {tp}, very helpful.", "{tp} was clear and friendly.",
            "Great experience with {tp}.", "{tp} made it simple."],
}


def survey(journey: Any = None, responses: int = 2_000, seed: int = 0, *, scale: str = "csat",
           customers: int = 10_000, text_share: float = 0.6):
    """Survey responses for ``journey``: ``customer_id, touchpoint, score, comment, plan``.

    Scores follow each touchpoint's ``emotion`` on the map (neutral if unset)
    on the requested scale (``"csat"`` 1-5, ``"nps"`` 0-10, ``"1-7"``, ``"1-10"``);
    ``touchpoint`` holds the touchpoint id; about ``text_share`` of responses
    have a comment matching their score."""
    import numpy as np
    import pandas as pd

    doc = _doc(journey)
    _, tps, _ = _layout(doc)
    es = doc.get("emotion_scale") or {"min": -2, "max": 2}
    emin, emax = float(es.get("min", -2)), float(es.get("max", 2))
    lo, hi = {"csat": (1, 5), "nps": (0, 10), "1-5": (1, 5), "1-7": (1, 7), "1-10": (1, 10)}[scale]
    rng = np.random.default_rng(seed)
    n = int(responses)
    T = len(tps)
    j = rng.integers(T, size=n)
    emo = np.array([tp.get("emotion") if tp.get("emotion") is not None else 0.0 for tp in tps])
    norm = (emo - emin) / (emax - emin) if emax > emin else np.full(T, 0.5)
    mu = lo + (0.2 + 0.75 * norm[j]) * (hi - lo)
    score = np.clip(np.rint(rng.normal(mu, (hi - lo) * 0.18)), lo, hi).astype(int)
    rel = (score - lo) / (hi - lo)
    kind = np.where(rel < 0.4, "neg", np.where(rel < 0.7, "mid", "pos"))
    has_text = rng.random(n) < text_share
    pick = rng.integers(0, 1_000_000, size=n)
    comments = []
    for i in range(n):
        if not has_text[i]:
            comments.append(None)
            continue
        ph = _PHRASES[kind[i]]
        comments.append(ph[pick[i] % len(ph)].format(tp=tps[j[i]].get("name", tps[j[i]]["id"])))
    plan_names = list(PLANS)
    pp = np.array(list(PLANS.values()))
    width = len(str(customers))
    return pd.DataFrame({
        "customer_id": [f"C{c + 1:0{width}d}" for c in rng.integers(customers, size=n)],
        "touchpoint": [tps[x]["id"] for x in j],
        "score": score,
        "comment": comments,
        "plan": pd.Categorical(np.array(plan_names)[rng.choice(len(pp), size=n, p=pp / pp.sum())],
                               categories=plan_names),
    })
