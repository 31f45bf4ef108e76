"""Observed paths and flows: what units actually do, in stages and in touchpoints.

* ``m.paths(top=10)``: the most common **stage paths** (the stages of a unit's
  mapped events in order, consecutive repeats collapsed; stages without data never
  appear): ``path`` (tuple of stage ids), ``units``, ``share`` (of all units in the
  segment) and ``converted`` (the share of those units that convert in the current
  funnel mode: the ordered funnel reaches the last stage with data, within the
  window; or, in the reached funnel, the path contains it). Most units first, ties
  by path.
* ``m.flows(level="stage")``: one row per (from, to) pair of consecutive elements
  of stage paths: ``count`` (transitions), ``units`` (distinct units with at least
  one) and ``kind``: ``forward`` (to the next stage with data), ``skip`` (to a later
  stage, not the next), ``back`` (to an earlier stage).
* ``m.flows(level="touchpoint")``: the same for *touchpoint paths* (a unit's mapped
  events with consecutive repeats of a touchpoint collapsed): the kind compares the
  touchpoints' stages, and ``within`` marks two touchpoints of the same stage.

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("buying-process")
>>> m = jw.JourneyMetrics(j).bind_events(jw.datasets.events(j, customers=300, seed=1),
...     customer="customer_id", time="timestamp", touchpoint="event")
>>> p = m.paths(3)
>>> len(p) <= 3 and p["units"].is_monotonic_decreasing
True
>>> sorted(set(m.flows()["kind"])) <= ["back", "forward", "skip"]
True
"""

from __future__ import annotations

import math
from typing import Any

from ..core.errors import JourneyError
from .tables import transition_records

__all__ = ["PATH_COLUMNS", "FLOW_COLUMNS", "path_records", "flow_records", "flow_kind"]

PATH_COLUMNS = ["path", "units", "share", "converted"]
FLOW_COLUMNS = ["from", "to", "count", "units", "kind"]


def flow_kind(from_rank: int, to_rank: int) -> str:
    """``forward`` / ``skip`` / ``back`` / ``within`` for ranks among the stages with data.

    >>> flow_kind(0, 1), flow_kind(0, 2), flow_kind(2, 1), flow_kind(1, 1)
    ('forward', 'skip', 'back', 'within')
    """
    if to_rank == from_rank:
        return "within"
    if to_rank == from_rank + 1:
        return "forward"
    return "skip" if to_rank > from_rank else "back"


def _stage_ids_by_rank(m: Any) -> list[str]:
    stages = m.document.get("stages", [])
    rank = m._ranks()
    out = [""] * (max(rank) + 1 if rank else 0)
    for k, r in enumerate(rank):
        if r >= 0:
            out[r] = stages[k]["id"]
    return out


def path_records(m: Any, sel: tuple, top: int = 10) -> list[dict]:
    """The most common stage paths for the selection ``(engine, s)``."""
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise JourneyError(f"top={top!r}: pass a positive whole number of paths, e.g. top=10")
    eng, s = sel
    agg = m._paths_agg(sel, top=max(top, 10))
    ids = _stage_ids_by_rank(m)
    total = eng.total_customers(s)
    ordered = m.funnel == "ordered"
    rows = []
    for path, units, conv_ord, conv_reach in agg.paths[:top]:
        conv = conv_ord if ordered else conv_reach
        rows.append({"path": tuple(ids[r] for r in path), "units": int(units),
                     "share": units / total if total else math.nan,
                     "converted": conv / units if units else math.nan})
    return rows


def flow_records(m: Any, sel: tuple, level: str = "stage") -> list[dict]:
    """One record per (from, to) of consecutive path elements, most transitions first."""
    if level in ("stage", "stages"):
        c = m._paths_agg(sel).counts
        ids = _stage_ids_by_rank(m)
        D = len(ids)
        rows = [{"from": ids[a], "to": ids[b], "count": int(c.flow_count[0, a, b]),
                 "units": int(c.flow_units[0, a, b]), "kind": flow_kind(a, b)}
                for a in range(D) for b in range(D) if c.flow_count[0, a, b]]
    elif level in ("touchpoint", "touchpoints"):
        rank = m._ranks()
        sidx = {st["id"]: k for k, st in enumerate(m.document.get("stages", []))}
        rank_of_tp = {tp["id"]: rank[sidx[tp["stage"]]] if tp.get("stage") in sidx else -1
                      for tp in m.document.get("touchpoints", [])}
        rows = [{"from": r["from"], "to": r["to"], "count": r["count"], "units": r["units"],
                 "kind": flow_kind(rank_of_tp.get(r["from"], -1), rank_of_tp.get(r["to"], -1))}
                for r in transition_records(m, sel) if r["from"] != r["to"]
                and r["from"] in rank_of_tp and r["to"] in rank_of_tp]
    else:
        raise JourneyError(f"level={level!r}: pass level='stage' or level='touchpoint'")
    rows.sort(key=lambda r: (-r["count"], r["from"], r["to"]))
    return rows
