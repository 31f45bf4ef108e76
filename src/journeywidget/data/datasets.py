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

:func:`clickstream` is messier on purpose, like a real shop's log: sessions days
apart, browsing loops, back-and-forth between pages, payment failures, exits in the
middle and three planted behaviours (for checking clusters), for the
``ecommerce-purchase`` template (:func:`clickstream_journey`).
"""

from __future__ import annotations

from typing import Any

__all__ = ["events", "clickstream", "clickstream_journey", "survey", "sample_journey",
           "DEFAULT_TEMPLATE", "STYLES"]

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


# ---------------------------------------------------------------------------
# a realistic, non-linear clickstream (sessions, loops, back-and-forth, exits, errors)
# ---------------------------------------------------------------------------

#: The planted behaviours of :func:`clickstream` and their shares of customers.
STYLES = {"browser": 0.45, "mission": 0.35, "returner": 0.20}
_EXIT = "(exit)"
# Where a session starts: per style, for a customer who has not bought yet / who has.
_START = {
    "browser": ({"page_view_home": 4, "view_item_list_new_in": 2, "social_product_tag_click": 2,
                 "email_campaign_click": 1, "search": 1},
                {"page_view_home": 3, "email_campaign_click": 2, "view_item_list_new_in": 2,
                 "email_dispatch_open": 1}),
    "mission": ({"search": 5, "view_item": 2, "page_view_home": 1},
                {"email_order_confirmation_open": 3, "email_dispatch_open": 3, "tracking_page_view": 3,
                 "search": 2}),
    "returner": ({"email_dispatch_open": 3, "tracking_page_view": 3, "search": 1},
                 {"tracking_page_view": 3, "delivery_completed": 2, "return_initiated": 3,
                  "chat_started_refund_status": 2}),
}
_BROWSE = {
    "page_view_home": {"view_item_list": 4, "view_item_list_new_in": 2, "search": 2, _EXIT: 2},
    "view_item_list_new_in": {"view_item": 4, "view_item_list": 2, _EXIT: 2},
    "social_product_tag_click": {"view_item": 5, "page_view_home": 1, _EXIT: 3},
    "email_campaign_click": {"view_item_list": 3, "view_item": 3, _EXIT: 2},
    "search": {"view_item_list": 3, "view_item": 3, "search_no_results": 1, "search": 1, _EXIT: 1},
    "search_no_results": {"search": 3, "page_view_home": 1, _EXIT: 3},
    "view_item_list": {"view_item": 6, "plp_filter_applied": 3, "search": 1, _EXIT: 2},
    "plp_filter_applied": {"view_item_list": 3, "view_item": 4, _EXIT: 1},
    "view_item": {"view_item_list": 4, "view_item": 3, "size_guide_opened": 1, "add_to_cart": 1,
                  "search": 1, _EXIT: 3},
    "size_guide_opened": {"view_item": 4, "add_to_cart": 1, _EXIT: 1},
    "add_to_cart": {"view_cart": 3, "view_item_list": 3, _EXIT: 2},
    "view_cart": {"view_item": 2, "begin_checkout": 1, "cart_item_out_of_stock": 1, _EXIT: 4},
    "cart_item_out_of_stock": {"view_item_list": 2, _EXIT: 3},
    "begin_checkout": {"add_shipping_info": 2, _EXIT: 3},
    "add_shipping_info": {"add_payment_info": 2, _EXIT: 3},
    "add_payment_info": {"purchase": 2, "payment_failed": 1, _EXIT: 2},
    "payment_failed": {"add_payment_info": 1, _EXIT: 3},
    "purchase": {"email_order_confirmation_open": 1, _EXIT: 3},
}
_MISSION = {
    "page_view_home": {"search": 5, _EXIT: 1},
    "search": {"view_item": 6, "search_no_results": 1, _EXIT: 1},
    "search_no_results": {"search": 4, _EXIT: 2},
    "view_item": {"add_to_cart": 5, "size_guide_opened": 1, "search": 1, _EXIT: 1},
    "size_guide_opened": {"add_to_cart": 3, "view_item": 1},
    "add_to_cart": {"view_cart": 5, "begin_checkout": 2, _EXIT: 1},
    "view_cart": {"begin_checkout": 6, "cart_item_out_of_stock": 1, _EXIT: 1},
    "cart_item_out_of_stock": {"search": 2, "view_cart": 1, _EXIT: 2},
    "begin_checkout": {"add_shipping_info": 8, "view_cart": 1, _EXIT: 1},
    "add_shipping_info": {"add_payment_info": 8, "begin_checkout": 1, _EXIT: 1},
    "add_payment_info": {"purchase": 7, "payment_failed": 2, _EXIT: 1},
    "payment_failed": {"add_payment_info": 5, _EXIT: 3},
    "purchase": {"email_order_confirmation_open": 3, _EXIT: 2},
    "email_order_confirmation_open": {"tracking_page_view": 1, _EXIT: 3},
    "email_dispatch_open": {"tracking_page_view": 4, _EXIT: 2},
    "tracking_page_view": {"delivery_completed": 3, "delivery_redirected": 1, "tracking_page_view": 1,
                           _EXIT: 3},
    "delivery_redirected": {"tracking_page_view": 2, _EXIT: 2},
    "delivery_completed": {_EXIT: 1, "search": 1},
}
_RETURNER = {
    **_BROWSE,
    "view_item": {"view_item_list": 2, "add_to_cart": 2, "size_guide_opened": 2, _EXIT: 2},
    "view_cart": {"begin_checkout": 3, _EXIT: 2},
    "begin_checkout": {"add_shipping_info": 4, _EXIT: 1},
    "add_shipping_info": {"add_payment_info": 4, _EXIT: 1},
    "add_payment_info": {"purchase": 4, "payment_failed": 1, _EXIT: 1},
    "purchase": {_EXIT: 1},
    "email_dispatch_open": {"tracking_page_view": 3, _EXIT: 1},
    "tracking_page_view": {"delivery_completed": 3, "delivery_redirected": 1, _EXIT: 2},
    "delivery_redirected": {"tracking_page_view": 2, "chat_started_refund_status": 1, _EXIT: 1},
    "delivery_completed": {"return_initiated": 4, _EXIT: 2},
    "return_initiated": {"return_label_created": 5, "chat_started_refund_status": 2, _EXIT: 1},
    "return_label_created": {"chat_started_refund_status": 2, _EXIT: 3},
    "chat_started_refund_status": {"chat_escalated_to_agent": 3, "refund_issued": 2, _EXIT: 2},
    "chat_escalated_to_agent": {"refund_issued": 3, "chat_started_refund_status": 1, _EXIT: 2},
    "refund_issued": {"search": 1, _EXIT: 3},
}
_CHAINS = {"browser": _BROWSE, "mission": _MISSION, "returner": _RETURNER}
_SESSIONS_MEAN = {"browser": 3.0, "mission": 2.5, "returner": 4.0}
_CHANNEL_OF = {"social_product_tag_click": "social", "email_campaign_click": "email",
               "email_order_confirmation_open": "email", "email_dispatch_open": "email",
               "chat_started_refund_status": "chat", "chat_escalated_to_agent": "chat"}


def clickstream_journey():
    """The map :func:`clickstream` is made for: the ``ecommerce-purchase`` template."""
    return sample_journey("ecommerce-purchase")


def clickstream(customers: int = 2_000, seed: int = 0, *, start: str = "2026-01-05",
                days: int = 90, styles: dict | None = None, noise: float = 0.02,
                max_steps: int = 40):
    """A realistic, non-linear e-commerce clickstream for :func:`clickstream_journey`.

    Columns ``customer_id, session_id, timestamp, event, channel, plan, value, style``.
    Each customer follows one of three planted behaviours (``style``, shares
    :data:`STYLES`): *browser* (home, listings and product pages in loops, carts
    left behind), *mission* (search, product, cart, checkout and payment — with
    payment failures and retries —, then delivery tracking) and *returner* (buys,
    then returns, chats with support and waits for refunds). A customer has one
    or more sessions days apart (``session_id`` is unique per customer); within a
    session a Markov chain over the template's event keys walks pages a few
    seconds to minutes apart (some in the same second) until the visitor leaves;
    later sessions of customers who bought start at the order emails and
    tracking. ``noise`` is the share of extra events with keys on no touchpoint
    (``cookie_consent``, ``app_open``). ``value`` is the order value on
    ``purchase``. Vectorised with numpy and fixed by ``seed``.

    >>> import journeywidget as jw
    >>> df = jw.datasets.clickstream(customers=300, seed=1)
    >>> sorted(df.columns)
    ['channel', 'customer_id', 'event', 'plan', 'session_id', 'style', 'timestamp', 'value']
    >>> bool(df.groupby("customer_id")["session_id"].nunique().max() > 1)
    True
    """
    import numpy as np
    import pandas as pd

    styles = styles or STYLES
    names = list(styles)
    rng = np.random.default_rng(seed)
    keys = sorted({k for ch in _CHAINS.values() for a, nx in ch.items() for k in (a, *nx)} |
                  {k for st in _START.values() for d in st for k in d} - {_EXIT})
    K = len(keys)
    kid = {k: i for i, k in enumerate(keys)}
    trans = np.zeros((len(names), K, K + 1))
    starts = np.zeros((len(names), 2, K))
    for si, name in enumerate(names):
        chain = _CHAINS[name]
        for a in keys:
            row = chain.get(a) or _BROWSE.get(a) or _MISSION.get(a) or {_EXIT: 1}
            for b, w in row.items():
                trans[si, kid[a], K if b == _EXIT else kid[b]] = w
        for bought in (0, 1):
            for k, w in _START[name][bought].items():
                starts[si, bought, kid[k]] = w
    trans /= trans.sum(axis=2, keepdims=True)
    starts /= starts.sum(axis=2, keepdims=True)
    C = int(customers)
    pp = np.array([styles[n] for n in names], dtype=float)
    style = rng.choice(len(names), size=C, p=pp / pp.sum())
    n_sess = 1 + rng.poisson(np.array([_SESSIONS_MEAN.get(n, 2.0) for n in names])[style] - 1)
    t0 = pd.Timestamp(start).value // 10**9
    t_next = t0 + rng.integers(0, days * 86400, size=C).astype(np.float64)
    bought = np.zeros(C, dtype=bool)
    parts = []  # (customer, session number, time, key)
    for snum in range(int(n_sess.max())):
        who = np.flatnonzero(n_sess > snum)
        if who.shape[0] == 0:
            break
        p0 = starts[style[who], bought[who].astype(int)]
        state = (p0.cumsum(axis=1) < rng.random(who.shape[0])[:, None]).sum(axis=1)
        state = np.minimum(state, K - 1)
        t = t_next[who].copy()
        alive = np.arange(who.shape[0])
        for _step in range(max_steps):
            c = who[alive]
            parts.append((c, np.full(c.shape[0], snum), t[alive].copy(), state[alive].copy()))
            bought[c[state[alive] == kid["purchase"]]] = True
            row = trans[style[c], state[alive]]
            nxt = (row.cumsum(axis=1) < rng.random(c.shape[0])[:, None]).sum(axis=1)
            nxt = np.minimum(nxt, K)
            gap = np.where(rng.random(c.shape[0]) < 0.05, 0.0, rng.lognormal(np.log(40), 1.0, c.shape[0]))
            t[alive] += np.floor(gap)
            keep = nxt < K
            state[alive[keep]] = nxt[keep]
            alive = alive[keep]
            if alive.shape[0] == 0:
                break
        t_next[who] = t + rng.exponential(4 * 86400, size=who.shape[0]) + 1800
    cust = np.concatenate([p[0] for p in parts])
    sess = np.concatenate([p[1] for p in parts])
    tsec = np.concatenate([p[2] for p in parts])
    key = np.concatenate([p[3] for p in parts]).astype(np.int32)
    names_k = keys + ["cookie_consent", "app_open"]
    if noise > 0:  # consent banners and app opens: keys on no touchpoint
        nz = rng.random(key.shape[0]) < noise
        key[nz] = K + rng.integers(0, 2, size=int(nz.sum()))
    order = np.lexsort((np.arange(cust.shape[0]), tsec, cust))
    cust, sess, tsec, key = cust[order], sess[order], tsec[order], key[order]
    width = len(str(C))
    chans = ["web", "social", "email", "chat", "mobile_app"]
    ch_of_key = np.array([chans.index(_CHANNEL_OF.get(k, "web")) for k in names_k])
    app = rng.random(C) < 0.3  # app users: their web events come from the app
    ch = ch_of_key[key]
    ch = np.where((ch == 0) & app[cust], 4, ch)
    plan = np.where(rng.random(C) < 0.3, 1, 0)
    value = np.where(key == kid["purchase"], np.round(rng.lognormal(np.log(70), 0.6, key.shape[0]), 2),
                     np.nan)
    return pd.DataFrame({
        "customer_id": np.array([f"U{i + 1:0{width}d}" for i in range(C)], dtype=object)[cust],
        "session_id": np.char.add("s", (sess + 1).astype(str)).astype(object),
        "timestamp": pd.to_datetime(tsec.astype(np.int64), unit="s"),
        "event": pd.Categorical.from_codes(key, names_k),
        "channel": pd.Categorical.from_codes(ch, chans),
        "plan": pd.Categorical.from_codes(plan[cust], ["standard", "member"]),
        "value": value,
        "style": pd.Categorical.from_codes(style[cust], names),
    })
