"""Draft a journey map from an event log (``jw.Journey.from_events``), and put unmapped
event keys on a map.

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("buying-process")
>>> draft = draft_from_events(jw.datasets.events(j, customers=300, seed=2),
...                           customer="customer_id", time="timestamp", touchpoint="event")
>>> len(draft.stages) > 1 and all(tp.event_keys for tp in draft.touchpoints)
True
"""

from __future__ import annotations

import re
from typing import Any

from ..core.errors import JourneyError
from ..core.ids import readable_name, slugify, unique_id
from ..document.operations import all_ids
from ..journey import Journey
from .builder import label_pair_counts, store_of
from .frames import backend_of, check_columns
from .sessions import parse_duration, session_store
from .sources import is_source_input

__all__ = ["draft_from_events", "unmapped_key_ops"]


#: units sampled for the order of keys (every unit when there are fewer)
ORDER_SAMPLE = 100_000
#: a key is a *completion* (kept apart from the stage before it) when at least this share of
#: its events end their unit and it comes in the last third of the order
COMPLETION_EXIT_SHARE = 0.6


def draft_from_events(df: Any, customer: str, time: str, touchpoint: str, *,
                      session: str | None = None, session_gap: Any = None,
                      stage: str | None = None, channel: str | None = None,
                      n_stages: int | None = None, title: str = "Journey from data",
                      max_touchpoints: int = 60, min_share: float = 0.0) -> Journey:
    """Propose a journey map from an event log.

    Units: sessions (``session`` column, or ``session_gap="30min"``) when given, else
    customers; sessions show the order of steps within a visit best.

    Touchpoints: one per distinct event key (the ``max_touchpoints`` most frequent,
    keys reached by at least ``min_share`` of units), named after the key
    (``"delivery_choice"`` -> "Delivery choice"), with ``event_keys=[key]``.

    Order: for every two keys, the units that have both say which comes first (its
    first occurrence); the keys' *typical positions* are the least-squares positions
    that best fit all those pairwise margins (weighted by the units behind them; a
    "HodgeRank"), so a key is placed by the keys it actually meets. Exits and errors
    (``payment_failed``, a key where units often end) stay where they happen.

    Stages: from the ``stage`` column (each key goes to its most frequent stage;
    stages ordered by their keys' mean position), else adjacent keys are merged,
    closest first: the distance between neighbours is the gap in typical position,
    a third of it when they share the first word of their key (``delivery_choice``
    and ``delivery_courier``), three times it before a *completion* (a key in the last
    third of the order where most units end, such as a purchase). Merging goes on
    until ``n_stages`` remain, or by default while the closest neighbours are nearer
    than 0.6 x the mean gap between adjacent keys (at most 8, at least 3 stages). Each
    stage is named after its keys that most units reach ("Delivery choice &
    courier"), never "Stage 1".
    Channels: each key's most frequent value of ``channel``.
    """
    import numpy as np

    wanted = {"customer": customer, "time": time, "touchpoint": touchpoint, "stage": stage,
              "channel": channel, "session": session}
    check_columns(df, wanted)
    gap_ns = None if session_gap is None else parse_duration(session_gap, "session_gap", allow_zero=False)
    backend = "files" if is_source_input(df) else backend_of(df)
    store = store_of(df, {"customer": customer, "time": time, "touchpoint": touchpoint,
                          "session": session}, backend, gap_ns=gap_ns)
    if store.sess is not None:
        store, _ = session_store(store)
    keys = store.keys
    K = len(keys)
    unit, key = store.cust.astype(np.int64), store.key.astype(np.int64)
    U = store.n_customers
    first = np.full(U * K, np.iinfo(np.int64).max)
    np.minimum.at(first, unit * K + key, np.arange(unit.shape[0], dtype=np.int64))
    first = first.reshape(U, K)
    present = first < np.iinfo(np.int64).max
    reach = present.sum(axis=0)
    keep = [k for k in range(K) if reach[k] > 0 and reach[k] / U >= min_share]
    keep.sort(key=lambda k: (-int(store.key_counts[k]), keys[k]))
    keep = keep[:max_touchpoints]
    x = _typical_positions(np, first[:, keep], present[:, keep])
    pos = dict(zip(keep, x.tolist()))
    keep.sort(key=lambda k: (pos[k], keys[k]))
    last = np.ones(unit.shape[0], dtype=bool)
    last[:-1] = unit[1:] != unit[:-1]
    exit_share = np.bincount(key[last], minlength=K) / np.maximum(np.bincount(key, minlength=K), 1)

    def mode_of(col: str) -> dict[str, str]:
        """Each key's most frequent value of ``col`` (ties: the smallest label)."""
        counts = label_pair_counts(df, touchpoint, col, backend)
        best: dict[str, tuple[int, str]] = {}
        for (k, v), n in counts.items():
            if k not in best or (-n, v) < (-best[k][0], best[k][1]):
                best[k] = (n, v)
        return {k: v for k, (_, v) in best.items()}

    if stage is not None:
        st_of = mode_of(stage)
        groups: dict[str, list[int]] = {}
        for k in keep:
            groups.setdefault(st_of.get(keys[k], "Other"), []).append(k)
        order_st = sorted(groups, key=lambda g: (float(np.mean([pos[k] for k in groups[g]])), g))
        stage_groups = [(g, groups[g]) for g in order_st]
    else:
        groups_k = _merge_adjacent([keys[k] for k in keep], [pos[k] for k in keep],
                                   [float(exit_share[k]) for k in keep], n_stages)
        by_key = {keys[k]: k for k in keep}
        stage_groups = []
        taken: set[str] = set()
        for g in groups_k:
            name = _stage_name(sorted(g, key=lambda kk: (-int(reach[by_key[kk]]), kk)))
            base, i = name, 2
            while name in taken:
                name, i = f"{base} ({i})", i + 1
            taken.add(name)
            stage_groups.append((name, [by_key[kk] for kk in g]))
    ch_of = mode_of(channel) if channel is not None else {}
    j = Journey(title)
    for name, ks in stage_groups:
        sid = j.add_stage(name)
        for k in ks:
            kwargs: dict[str, Any] = {"event_keys": [keys[k]], "evidence": ["analytics"]}
            ch = ch_of.get(keys[k])
            j.add_touchpoint(readable_name(keys[k]) or keys[k], stage=sid, channel=ch if ch else None,
                             **kwargs)
    return j


def _typical_positions(np: Any, first: Any, present: Any) -> Any:
    """Least-squares positions of keys from their pairwise order in units (HodgeRank): the
    x minimising sum over pairs of n_ab (x_b - x_a - y_ab)^2, y_ab the share of units with
    both where a comes first minus the share where b does."""
    U, K = first.shape
    multi = present.sum(axis=1) >= 2
    first, present = first[multi], present[multi]
    if first.shape[0] > ORDER_SAMPLE:  # evenly spaced units: deterministic
        pick = np.linspace(0, first.shape[0] - 1, ORDER_SAMPLE).astype(np.int64)
        first, present = first[pick], present[pick]
    before = np.zeros((K, K))
    for a in range(K):
        both = present[:, a:a + 1] & present
        before[a] = np.count_nonzero((first[:, a:a + 1] < first) & both, axis=0)
    w = before + before.T
    y = np.where(w > 0, (before - before.T) / np.maximum(w, 1), 0.0)
    lap = np.diag(w.sum(axis=1)) - w
    x = np.linalg.lstsq(lap, (w * y).sum(axis=0), rcond=None)[0] if K else np.zeros(0)
    return x - (x.min() if K else 0.0)


def _first_word(key: str) -> str:
    words = re.findall(r"[a-z]+", str(key).lower())
    return words[0] if words else str(key)


def _merge_adjacent(keys: list[str], pos: list[float], exits: list[float],
                    n: int | None) -> list[list[str]]:
    """Merge neighbouring keys (in typical order) closest first until ``n`` groups remain
    (None: while the closest are nearer than 0.6 x the mean gap; 3 to 8 groups)."""
    groups = [[k] for k in keys]
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 1):
        raise JourneyError(f"n_stages={n!r}: pass a whole number of stages >= 1, or None to choose")
    mean_gap = (pos[-1] - pos[0]) / (len(pos) - 1) if len(pos) > 1 else 0.0
    third = pos[int(len(pos) * 2 / 3)] if pos else 0.0
    at = dict(zip(keys, pos))
    ex = dict(zip(keys, exits))

    def distance(a: list[str], b: list[str]) -> float:
        d = max(at[b[0]] - at[a[-1]], 0.0)
        if ex[b[0]] >= COMPLETION_EXIT_SHARE and at[b[0]] >= third:
            return 3 * d + 1e-9  # a completion (a purchase): a stage of its own
        return d / 3 if _first_word(a[-1]) == _first_word(b[0]) else d

    while len(groups) > 1:
        i = min(range(len(groups) - 1), key=lambda i: (distance(groups[i], groups[i + 1]), i))
        if n is not None:
            if len(groups) <= n:
                break
        elif len(groups) <= 8 and (len(groups) <= 3 or distance(groups[i], groups[i + 1]) >= 0.6 * mean_gap):
            break
        groups[i:i + 2] = [groups[i] + groups[i + 1]]
    return groups


def _stage_name(keys_by_reach: list[str]) -> str:
    """"Delivery choice & courier", "Main & Catalog", "Cart": the two keys most units reach."""
    names = [readable_name(k) or k for k in keys_by_reach[:2]]
    if len(names) == 1:
        return names[0]
    a, b = names
    wa, wb = a.split(" ", 1), b.split(" ", 1)
    if len(wa) == 2 and len(wb) == 2 and wa[0].lower() == wb[0].lower():
        return f"{wa[0]} {wa[1]} & {wb[1]}"
    return f"{a} & {b}"


def unmapped_key_ops(doc: dict, unmapped: list[dict]) -> tuple[list[dict], list[str]]:
    """The ``add`` operations that put event keys on the map, and the new touchpoints' ids.

    ``unmapped``: entries of :meth:`journeywidget.JourneyMetrics.unmapped_keys`. Each key
    becomes a touchpoint named after it (:func:`journeywidget.core.ids.readable_name`)
    with ``event_keys=[key]``, in its suggested stage (else the first stage).

    >>> doc = {"id": "j", "stages": [{"id": "buy"}], "touchpoints": [], "personas": [],
    ...        "goals": [], "lanes": [], "cards": [], "comments": []}
    >>> ops, ids = unmapped_key_ops(doc, [{"key": "begin_checkout", "suggested_stage": None}])
    >>> ids, ops[0]["item"]["name"], ops[0]["item"]["stage"]
    (['begin-checkout'], 'Begin checkout', 'buy')
    """
    if not unmapped:
        return [], []
    stage_ids = [s["id"] for s in doc.get("stages", [])]
    if not stage_ids:
        raise JourneyError("the map has no stages: add a stage before adding touchpoints")
    taken = set(all_ids(doc))
    ops, ids = [], []
    for u in unmapped:
        name = readable_name(u["key"])
        new_id = unique_id(slugify(name, "touchpoint"), taken)
        taken.add(new_id)
        stage = u.get("suggested_stage") if u.get("suggested_stage") in stage_ids else stage_ids[0]
        ops.append({"op": "add", "kind": "touchpoint", "index": None,
                    "item": {"id": new_id, "name": name, "stage": stage, "event_keys": [u["key"]]}})
        ids.append(new_id)
    return ops, ids
