"""Opportunities from data: where improving the journey is worth the most.

Candidates (``m.opportunities()``, one row per candidate, highest score first, ties
by target):

* a **stage** step: the units entering the step (``reach`` = the previous stage
  with data), its ``rate`` = drop-off rate and ``lost`` = drop-off, in the current
  unit and funnel mode (the first stage has no step into it);
* a **touchpoint** where units end their journey: ``reach`` = its units, ``rate`` =
  exits / units, ``lost`` = exits (touchpoints of the last stage with data are
  left out: ending there is arriving).

``satisfaction_gap`` = 1 - the touchpoint's normalised feedback score (0..1, see
:mod:`journeywidget.data.feedback`) when feedback is bound and it has at least 5
responses; for a stage the response-weighted mean over its touchpoints; an item
without enough feedback takes the median gap of those with it; empty when no
feedback is bound. ``value`` = ``lost`` × ``satisfaction_gap`` (× 1 without
feedback): reach × drop-off (or exit) rate × satisfaction gap. ``effort`` is the
item's ``effort`` on the map (what the analyst entered; not positive or unset
counts as 1) and ``score`` = value / effort.

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("buying-process")
>>> m = jw.JourneyMetrics(j).bind_events(jw.datasets.events(j, customers=300, seed=1),
...     customer="customer_id", time="timestamp", touchpoint="event")
>>> o = m.opportunities()
>>> list(o.columns)[:4], o["score"].is_monotonic_decreasing
(['target', 'kind', 'name', 'reach'], True)
"""

from __future__ import annotations

import math
from typing import Any

from ..core.errors import JourneyError
from ..core.ids import slugify, unique_id

__all__ = ["OPPORTUNITY_COLUMNS", "opportunity_records", "opportunity_text", "opportunity_ops",
           "MIN_RESPONSES"]

OPPORTUNITY_COLUMNS = ["target", "kind", "name", "reach", "rate", "lost", "satisfaction_gap",
                       "value", "effort", "score"]
#: feedback responses an item needs for its own satisfaction gap
MIN_RESPONSES = 5


def _effort(item: dict) -> float | None:
    e = item.get("effort")
    return float(e) if isinstance(e, (int, float)) and not isinstance(e, bool) and e > 0 else None


def opportunity_records(m: Any) -> list[dict]:
    """The candidates of the current segment, unit and funnel mode, highest score first."""
    stages = {s["id"]: s for s in m.document.get("stages", [])}
    tps = {t["id"]: t for t in m.document.get("touchpoints", [])}
    srecs = m.stage_records()
    data_stages = [r["stage"] for r in srecs if not r["no_data"]]
    last = data_stages[-1] if data_stages else None
    gaps_tp: dict[str, tuple[float, int]] = {}
    if m.has_feedback:
        for r in m.feedback_records():
            norm = r.get("norm")
            if norm is not None and norm == norm and r["n"] >= MIN_RESPONSES:
                gaps_tp[r["touchpoint"]] = (1.0 - float(norm), int(r["n"]))
    cands = []
    prev = None
    for r in srecs:
        if r["no_data"]:
            continue
        if prev is not None:
            cands.append({"target": r["stage"], "kind": "stage", "name": r["name"], "reach": prev,
                          "rate": r["dropoff_rate"], "lost": int(r["dropoff"])})
        prev = r["reached"]
    for r in m.touchpoint_records():
        if r["units"] and r["stage"] != last:
            cands.append({"target": r["touchpoint"], "kind": "touchpoint", "name": r["name"],
                          "reach": r["units"], "rate": r["exits"] / r["units"], "lost": r["exits"]})
    stage_gap: dict[str, float] = {}
    for sid in stages:
        parts = [gaps_tp[t] for t, tp in tps.items() if tp.get("stage") == sid and t in gaps_tp]
        n = sum(w for _, w in parts)
        if n:
            stage_gap[sid] = sum(g * w for g, w in parts) / n
    known = sorted([g for g, _ in gaps_tp.values()] + list(stage_gap.values()))
    fallback = known[len(known) // 2] if known else None
    rows = []
    for c in cands:
        gap = (stage_gap if c["kind"] == "stage" else {t: g for t, (g, _) in gaps_tp.items()}).get(c["target"])
        if gap is None and m.has_feedback:
            gap = fallback
        item = stages.get(c["target"]) if c["kind"] == "stage" else tps.get(c["target"])
        eff = _effort(item or {})
        value = c["lost"] * (gap if gap is not None else 1.0)
        rows.append({**c, "satisfaction_gap": math.nan if gap is None else gap, "value": float(value),
                     "effort": math.nan if eff is None else eff,
                     "score": float(value) / (eff if eff is not None else 1.0)})
    rows.sort(key=lambda r: (-r["score"], r["kind"], r["target"]))
    return rows


def opportunity_text(row: dict, unit: str = "customer") -> str:
    """The sentence an opportunity is put on the map with."""
    units = "sessions" if unit == "session" else "customers"
    what = "drop off before" if row["kind"] == "stage" else "end their journey at"
    return (f"{row['lost']:,} {units} ({row['rate']:.0%} of {row['reach']:,}) {what} "
            f"{row['name'] or row['target']}: improve this step (opportunity score {row['score']:.3g})")


def opportunity_ops(doc: dict, target: str, text: str) -> tuple[list[dict], str]:
    """The operations that put an opportunity on the map, and the id of the item holding it:
    a touchpoint's ``opportunities`` list gets ``text``; a stage gets a card in the
    "opportunities" lane (the lane is added if the map has none).

    >>> doc = {"id": "j", "stages": [{"id": "buy"}], "touchpoints": [], "personas": [], "goals": [],
    ...        "lanes": [], "cards": [], "comments": []}
    >>> ops, card = opportunity_ops(doc, "buy", "Fix checkout")
    >>> [o["kind"] for o in ops], card
    (['lane', 'card'], 'opportunity')
    """
    if not isinstance(text, str) or not text.strip():
        raise JourneyError("text= must be a non-empty sentence describing the opportunity")
    tps = {t["id"]: t for t in doc.get("touchpoints", [])}
    stages = {s["id"] for s in doc.get("stages", [])}
    if target in tps:
        have = list(tps[target].get("opportunities") or [])
        return [{"op": "update", "id": target, "fields": {"opportunities": have + [text]}}], target
    if target not in stages:
        raise JourneyError(f"{target!r} is no touchpoint or stage of the map; pass the id of one "
                           "(see m.opportunities()['target'])")
    from ..document.operations import all_ids

    taken = set(all_ids(doc))
    ops: list[dict] = []
    lane = next((ln["id"] for ln in doc.get("lanes", []) if ln.get("kind") == "opportunities"), None)
    if lane is None:
        lane = unique_id("opportunities", taken)
        taken.add(lane)
        ops.append({"op": "add", "kind": "lane", "index": None,
                    "item": {"id": lane, "kind": "opportunities", "title": "Opportunities"}})
    card = unique_id(slugify("opportunity", "card"), taken)
    ops.append({"op": "add", "kind": "card", "index": None,
                "item": {"id": card, "lane": lane, "stage": target, "text": text}})
    return ops, card
