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

import math
from typing import Any

from ..core.errors import JourneyError
from ..core.ids import readable_name, slugify, unique_id
from ..document.operations import all_ids
from ..journey import Journey
from .builder import label_pair_counts, store_of
from .frames import backend_of, check_columns
from .sources import is_source_input

__all__ = ["draft_from_events", "unmapped_key_ops"]


def draft_from_events(df: Any, customer: str, time: str, touchpoint: str, *,
                      stage: str | None = None, channel: str | None = None,
                      n_stages: int | None = None, title: str = "Journey from data",
                      max_touchpoints: int = 60, min_share: float = 0.0) -> Journey:
    """Propose a journey map from an event log.

    Touchpoints: one per distinct event key (the ``max_touchpoints`` most
    frequent, keys reached by at least ``min_share`` of customers), named after
    the key, with ``event_keys=[key]``. Each key's *position* in a customer's
    journey is the rank of its first occurrence among the customer's distinct
    keys, normalised to 0..1; keys are ordered by their median position (ties:
    mean position, then key). Stages: from the ``stage`` column (each key goes
    to its most frequent stage; stages ordered by the median position of their
    keys), else cut the ordered keys into ``n_stages`` groups (default
    ``min(6, max(1, round(sqrt(#keys))))``) at the largest gaps in median
    position. Channels: each key's most frequent value of ``channel``.
    """
    import numpy as np

    wanted = {"customer": customer, "time": time, "touchpoint": touchpoint, "stage": stage,
              "channel": channel}
    check_columns(df, wanted)
    backend = "files" if is_source_input(df) else backend_of(df)
    store = store_of(df, {"customer": customer, "time": time, "touchpoint": touchpoint}, backend)
    keys = store.keys
    K = len(keys)
    cust, key = store.cust, store.key.astype(np.int64)
    C = store.n_customers
    # first occurrence of each (customer, key), in time order
    code = cust.astype(np.int64) * K + key
    _, first_idx = np.unique(code, return_index=True)
    first_idx.sort()
    fc, fk = cust[first_idx], key[first_idx]
    starts = np.ones(fc.shape[0], dtype=bool)
    starts[1:] = fc[1:] != fc[:-1]
    grp = np.cumsum(starts) - 1
    start_pos = np.flatnonzero(starts)
    rank = np.arange(fc.shape[0]) - start_pos[grp]
    size = np.bincount(grp)[grp]
    pos = np.where(size > 1, rank / np.maximum(size - 1, 1), 0.0)
    reach = np.bincount(fk, minlength=K)
    keep = [k for k in range(K) if reach[k] > 0 and reach[k] / C >= min_share]
    keep.sort(key=lambda k: (-int(store.key_counts[k]), keys[k]))
    keep = keep[:max_touchpoints]
    order_k = np.argsort(fk, kind="stable")
    bounds = np.searchsorted(fk[order_k], np.arange(K + 1))
    med = {}
    mean = {}
    for k in keep:
        v = pos[order_k[bounds[k]:bounds[k + 1]]]
        med[k] = float(np.median(v))
        mean[k] = float(v.mean())
    keep.sort(key=lambda k: (med[k], mean[k], keys[k]))

    def mode_of(col: str) -> dict[str, str]:
        """Each key's most frequent value of ``col`` (ties: the smallest label)."""
        counts = label_pair_counts(df, touchpoint, col, backend)
        best: dict[str, tuple[int, str]] = {}
        for (k, v), n in counts.items():
            if k not in best or (-n, v) < (-best[k][0], best[k][1]):
                best[k] = (n, v)
        return {k: v for k, (_, v) in best.items()}

    j = Journey(title)
    if stage is not None:
        st_of = mode_of(stage)
        groups: dict[str, list[int]] = {}
        for k in keep:
            groups.setdefault(st_of.get(keys[k], "Other"), []).append(k)
        order_st = sorted(groups, key=lambda g: (float(np.median([med[k] for k in groups[g]])), g))
        stage_groups = [(g, groups[g]) for g in order_st]
    else:
        n = n_stages or min(6, max(1, round(math.sqrt(len(keep)))))
        n = max(1, min(n, len(keep)))
        meds = [med[k] for k in keep]
        gaps = sorted(range(1, len(keep)), key=lambda i: (-(meds[i] - meds[i - 1]), i))[: n - 1]
        cuts = sorted(gaps)
        stage_groups = []
        prev = 0
        for i, c in enumerate([*cuts, len(keep)]):
            stage_groups.append((f"Stage {i + 1}", keep[prev:c]))
            prev = c
    ch_of = mode_of(channel) if channel is not None else {}
    for name, ks in stage_groups:
        sid = j.add_stage(name)
        for k in ks:
            kwargs: dict[str, Any] = {"event_keys": [keys[k]], "evidence": ["analytics"]}
            ch = ch_of.get(keys[k])
            j.add_touchpoint(keys[k], stage=sid, channel=ch if ch else None, **kwargs)
    return j


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
