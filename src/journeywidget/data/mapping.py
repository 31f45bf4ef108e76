"""Which touchpoint each event key belongs to.

>>> doc = {"touchpoints": [{"id": "cart", "name": "Cart", "event_keys": ["add_to_cart"]},
...                        {"id": "pay", "name": "Payment", "event_keys": []}]}
>>> resolve_mapping(doc, ["add_to_cart", "PAY", "payment", "home"])[0]
[0, 1, 1, -1]
>>> resolve_mapping(doc, ["home"], {"home": None})[0]   # excluded by the user
[-2]

Keys are compared in Unicode normal form NFC on both sides (:func:`normalise_key`): an
event value written with a combining accent ("cafe" + U+0301) is the touchpoint key
"café" typed with a precomposed one.

>>> resolve_mapping({"touchpoints": [{"id": "c", "name": "Café", "event_keys": ["café"]}]},
...                 ["cafe\u0301", "CAFE\u0301"])[0]
[0, 0]
"""

from __future__ import annotations

import unicodedata
from typing import Any

__all__ = ["resolve_mapping", "normalise_key", "UNMAPPED", "EXCLUDED"]

#: ``resolve_mapping`` result for a key on no touchpoint.
UNMAPPED = -1
#: ``resolve_mapping`` result for a key the user's mapping sends to None.
EXCLUDED = -2
_UNSET = object()


def normalise_key(x: Any) -> str:
    """A key as text in Unicode normal form NFC, so keys that look the same compare equal.

    >>> normalise_key("cafe\u0301") == normalise_key("caf\u00e9") == "caf\u00e9"
    True
    """
    text = str(x)
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _norm(x: Any) -> str:
    """Case-insensitive form of a key (Unicode's canonical caseless match, then NFC)."""
    text = str(x).strip()
    if text.isascii():
        return text.casefold()
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).casefold())


def resolve_mapping(doc: dict, keys: list[str], mapping: Any = None) -> tuple[list[int], dict]:
    """Key vocabulary -> touchpoint index (doc order); -1 unmapped, -2 excluded by the user.

    Precedence: the explicit ``mapping`` (dict or function, returning a
    touchpoint id or name, or None to exclude), then touchpoints' ``event_keys``
    (exact, then case-insensitive), then touchpoint ids, then names
    (case-insensitive); the first touchpoint in map order wins.
    """
    tps = doc.get("touchpoints", [])
    by_id = {normalise_key(tp["id"]): j for j, tp in enumerate(tps)}
    exact: dict[str, int] = {}
    folded: dict[str, int] = {}
    ambiguous: dict[str, list[str]] = {}
    for j, tp in enumerate(tps):
        ek = [normalise_key(k) for k in (tp.get("event_keys") or []) if str(k) != ""]
        if ek:
            for k in ek:
                if k in exact and exact[k] != j:
                    ambiguous.setdefault(k, [tps[exact[k]]["id"]]).append(tp["id"])
                    continue
                exact.setdefault(k, j)
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
    by_key = ({normalise_key(mk): mv for mk, mv in mapping.items()}
              if mapping is not None and not callable(mapping) else {})
    for k in keys:
        j = None
        nk = normalise_key(k)
        if mapping is not None:
            target = _UNSET
            if callable(mapping):
                target = mapping(k)
            elif k in mapping:
                target = mapping[k]
            elif nk in by_key:
                target = by_key[nk]
            if target is None:
                out.append(-2)
                continue
            if target is not _UNSET:
                tj = by_id.get(normalise_key(target), by_idn.get(_norm(target), by_name.get(_norm(target))))
                if tj is None:
                    bad_targets[k] = str(target)
                else:
                    j = tj
        if j is None:
            j = exact.get(nk)
        if j is None:
            j = folded.get(_norm(k))
        if j is None:
            j = fallback.get(_norm(k))
        out.append(-1 if j is None else j)
    info = {"ambiguous": ambiguous, "bad_targets": bad_targets}
    return out, info

