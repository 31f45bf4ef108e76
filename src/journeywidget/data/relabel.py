"""Edits that leave the numbers as they are: the metrics keep their tables and patch the names.

Most edits of a map bound to data change no number: a rename, an emotion, a note, a
card. Recomputing every table and the page's payload for them took a quarter of a
second on a 2,000-touchpoint map. :func:`label_changes` tells such edits apart from
the primitive edits of the history entry (``journey.last_change["edits"]``), and
:func:`relabel_cache` brings the cached tables up to date (names only); whatever it
does not know how to patch is dropped and recomputed when asked for.

>>> from journeywidget.document.history import Replace, SetTop
>>> tp = {"id": "cart", "name": "Cart", "stage": "buy", "event_keys": [], "channel": "web"}
>>> label_changes([Replace("touchpoints", 0, tp, {**tp, "name": "Basket"}), SetTop("title", "A", "B")])
{'cart': ('touchpoints', 'Cart', 'Basket')}
>>> label_changes([Replace("touchpoints", 0, tp, {**tp, "stage": "pay"})]) is None
True
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from ..document.history import Replace, SetTop

__all__ = ["StalePayload", "label_changes", "names_hit_keys", "refresh_insights", "relabel_cache"]

#: The fields of an item the numbers depend on (the id, the position and, for
#: touchpoints whose events are matched by name, the name, are checked apart); ``effort``
#: divides opportunity scores.
_READ = {"touchpoints": ("id", "stage", "event_keys", "channel", "effort"), "stages": ("id", "effort")}
#: Top-level fields the numbers depend on.
_READ_TOP = {"emotion_scale"}


class StalePayload(NamedTuple):
    """A cached payload whose insights name something that was renamed."""

    payload: dict


def label_changes(edits: Any) -> dict[str, tuple[str, str, str]] | None:
    """``{id: (collection, old name, new name)}`` when the edits change no number (only
    names, or nothing the metrics read); None when the numbers may change."""
    if not edits:
        return None
    renamed: dict[str, tuple[str, str, str]] = {}
    for e in edits:
        if isinstance(e, SetTop):
            if e.key in _READ_TOP:
                return None
            continue
        coll = getattr(e, "coll", None)
        if coll is None:  # the whole document was replaced
            return None
        if coll not in _READ:
            continue  # cards, comments, lanes, personas, goals: no number reads them
        if not isinstance(e, Replace):
            return None  # an item added, removed or moved
        before, after = e.before, e.after
        if any(before.get(f) != after.get(f) for f in _READ[coll]):
            return None
        old, new = before.get("name", ""), after.get("name", "")
        if old != new:
            first = renamed.get(before["id"], (coll, old, new))[1]
            renamed[before["id"]] = (coll, first, new)
    return renamed


def _norm(x: Any) -> str:
    return str(x).strip().casefold()


_norm_keys: list = [None, frozenset()]  # [the keys list last seen, its normalised keys]


def names_hit_keys(renamed: dict[str, tuple[str, str, str]], keys: Any) -> bool:
    """Whether a renamed touchpoint's old or new name could match one of ``keys`` (event
    keys are matched to touchpoints by name when nothing else matches them)."""
    names = {_norm(n) for coll, old, new in renamed.values() if coll == "touchpoints" for n in (old, new)}
    if not names:
        return False
    if _norm_keys[0] is not keys:  # a binding's keys list stays the same object: normalise once
        _norm_keys[:] = [keys, frozenset(_norm(k) for k in keys)]
    return not names.isdisjoint(_norm_keys[1])


def _renamed_rows(rows: list[dict], id_key: str, renamed: dict, coll: str) -> list[dict]:
    out = list(rows)
    for i, r in enumerate(out):
        hit = renamed.get(r.get(id_key))
        if hit is not None and hit[0] == coll:
            out[i] = {**r, "name": hit[2]}
    return out


def _mentions(insights: list, renamed: dict) -> bool:
    olds = [old for _c, old, _n in renamed.values() if old]
    for ins in insights:
        if ins.target in renamed:
            return True
        if any(o in ins.message for o in olds):
            return True
    return False


def relabel_cache(cache: dict, doc: dict, renamed: dict[str, tuple[str, str, str]]) -> None:
    """Bring the metrics' cached tables up to ``doc`` after edits that changed no number.

    Rows carry the new names; insights that mention a renamed item are dropped (and the
    cached payloads of their segment marked :class:`StalePayload`); entries this function
    does not know are dropped. Everything kept depends on ids and numbers only.
    """
    stale_segments = set()
    for key in list(cache):
        value = cache[key]
        kind = key[0] if isinstance(key, tuple) else key
        if kind == "layout":
            _stages, _tps, stage_of_slot, members = value
            cache[key] = (doc.get("stages", []), doc.get("touchpoints", []), stage_of_slot, members)
        elif kind in ("tr", "unmapped", "trend"):
            continue  # ids and numbers only
        elif not renamed:
            continue
        elif kind == "tp":
            cache[key] = _renamed_rows(value, "touchpoint", renamed, "touchpoints")
        elif kind == "st":
            cache[key] = _renamed_rows(value, "stage", renamed, "stages")
        elif kind == "ins":
            if _mentions(value, renamed):
                del cache[key]
                stale_segments.add(key[1])
        elif kind != "payload":
            del cache[key]
    for key in list(cache):
        if isinstance(key, tuple) and key[0] == "payload" and key[1] in stale_segments:
            value = cache[key]
            cache[key] = value if isinstance(value, StalePayload) else StalePayload(value)


def refresh_insights(payload: dict, insights: list, budget: int) -> dict | None:
    """``payload`` with its insights (as many as it had) rewritten from ``insights``; None
    when it would no longer fit the budget (then it is recomputed)."""
    out = {**payload, "insights": [i.to_payload() for i in insights[:len(payload.get("insights") or [])]]}
    return out if len(json.dumps(out, allow_nan=False)) <= budget else None
