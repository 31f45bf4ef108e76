"""Which touchpoint each event key belongs to.

>>> doc = {"touchpoints": [{"id": "cart", "name": "Cart", "event_keys": ["add_to_cart"]},
...                        {"id": "pay", "name": "Payment", "event_keys": []}]}
>>> resolve_mapping(doc, ["add_to_cart", "PAY", "payment", "home"])[0]
[0, 1, 1, -1]
>>> resolve_mapping(doc, ["home"], {"home": None})[0]   # excluded by the user
[-2]
"""

from __future__ import annotations

from typing import Any

__all__ = ["resolve_mapping", "UNMAPPED", "EXCLUDED"]

#: ``resolve_mapping`` result for a key on no touchpoint.
UNMAPPED = -1
#: ``resolve_mapping`` result for a key the user's mapping sends to None.
EXCLUDED = -2
_UNSET = object()


def _norm(x: Any) -> str:
    return str(x).strip().casefold()


def resolve_mapping(doc: dict, keys: list[str], mapping: Any = None) -> tuple[list[int], dict]:
    """Key vocabulary -> touchpoint index (doc order); -1 unmapped, -2 excluded by the user.

    Precedence: the explicit ``mapping`` (dict or function, returning a
    touchpoint id or name, or None to exclude), then touchpoints' ``event_keys``
    (exact, then case-insensitive), then touchpoint ids, then names
    (case-insensitive); the first touchpoint in map order wins.
    """
    tps = doc.get("touchpoints", [])
    by_id = {tp["id"]: j for j, tp in enumerate(tps)}
    exact: dict[str, int] = {}
    folded: dict[str, int] = {}
    ambiguous: dict[str, list[str]] = {}
    for j, tp in enumerate(tps):
        ek = [k for k in (tp.get("event_keys") or []) if str(k) != ""]
        if ek:
            for k in ek:
                if str(k) in exact and exact[str(k)] != j:
                    ambiguous.setdefault(str(k), [tps[exact[str(k)]]["id"]]).append(tp["id"])
                    continue
                exact.setdefault(str(k), j)
                folded.setdefault(_norm(k), j)
    fallback: dict[str, int] = {}
    for j, tp in enumerate(tps):
        fallback.setdefault(_norm(tp["id"]), j)
    for j, tp in enumerate(tps):
        fallback.setdefault(_norm(tp.get("name", "")), j)
    by_name = {_norm(tp.get("name", "")): j for j, tp in reversed(list(enumerate(tps)))}
    by_idn = {_norm(tp["id"]): j for j, tp in enumerate(tps)}
    out = []
    bad_targets: dict[str, str] = {}
    for k in keys:
        j = None
        if mapping is not None:
            target = _UNSET
            if callable(mapping):
                target = mapping(k)
            elif k in mapping:
                target = mapping[k]
            if target is None:
                out.append(-2)
                continue
            if target is not _UNSET:
                tj = by_id.get(target, by_idn.get(_norm(target), by_name.get(_norm(target))))
                if tj is None:
                    bad_targets[k] = str(target)
                else:
                    j = tj
        if j is None:
            j = exact.get(k)
        if j is None:
            j = folded.get(_norm(k))
        if j is None:
            j = fallback.get(_norm(k))
        out.append(-1 if j is None else j)
    info = {"ambiguous": ambiguous, "bad_targets": bad_targets}
    return out, info

