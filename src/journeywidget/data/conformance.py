"""Conformance: the designed map held against the observed stage paths.

A unit's **stage path** is the sequence of stages of its mapped events in (time,
row) order with consecutive repeats collapsed; stages without data are left out
of the designed order. Per stage (columns of ``m.conformance()``):

* ``reached``: units whose stage path contains the stage;
* ``skipped``: units that reached a later stage without having been in this one
  before (the first visit to a later stage comes before the first visit to this
  one, or this one is never visited); ``skip_rate`` = skipped / units whose path
  contains this stage or a later one;
* ``out_of_order``: units whose path steps from this stage straight back to an
  earlier one; ``back_rate`` = out_of_order / reached;
* the deviation's impact, as the conversion (the path reaches the last stage with
  data) of the units with and without it, among the units it could happen to:
  for skips the units that reached a later stage (``conversion_skipped`` vs
  ``conversion_not_skipped``), for steps back the units that reached the stage
  (``conversion_back`` vs ``conversion_no_back``);
* ``*_low`` / ``*_high``: 95 % Wilson intervals of the rates.

``m.conforming_share``: the share of units with a stage path whose path is exactly
the designed order from the first stage, without gaps or steps back (a prefix
1, 2, 3 ...).

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("buying-process")
>>> m = jw.JourneyMetrics(j).bind_events(jw.datasets.events(j, customers=300, seed=1),
...     customer="customer_id", time="timestamp", touchpoint="event")
>>> c = m.conformance()
>>> list(c.columns[:5]), 0 <= m.conforming_share <= 1
(['stage', 'name', 'reached', 'skipped', 'skip_rate'], True)
"""

from __future__ import annotations

import math
from typing import Any

from .stats import wilson

__all__ = ["CONFORMANCE_COLUMNS", "conformance_records", "conforming"]

CONFORMANCE_COLUMNS = ["stage", "name", "reached", "skipped", "skip_rate", "skip_rate_low",
                       "skip_rate_high", "out_of_order", "back_rate", "back_rate_low",
                       "back_rate_high", "conversion_skipped", "conversion_not_skipped",
                       "conversion_back", "conversion_no_back", "no_data"]
_NAN = math.nan


def _rate(x: int, n: int) -> float:
    return x / n if n else _NAN


def conformance_records(m: Any, sel: tuple) -> list[dict]:
    """One record per stage in map order for the selection ``(engine, s)``."""
    stages = m.document.get("stages", [])
    rank = m._ranks()
    c = m._paths_agg(sel).counts
    rows = []
    for k, st in enumerate(stages):
        r = rank[k]
        row = {"stage": st["id"], "name": st.get("name", "")}
        if r < 0:
            row.update({col: (0 if col in ("reached", "skipped", "out_of_order") else _NAN)
                        for col in CONFORMANCE_COLUMNS[2:-1]})
            row["no_data"] = True
            rows.append(row)
            continue
        reached, skipped, back = int(c.reached[0, r]), int(c.skipped[0, r]), int(c.back[0, r])
        at_or_after = int(c.at_or_after[0, r])
        pop, pop_conv = int(c.skip_pop[0, r]), int(c.skip_pop_conv[0, r])
        sk_conv, bk_conv, re_conv = (int(c.skipped_conv[0, r]), int(c.back_conv[0, r]),
                                     int(c.reached_conv[0, r]))
        slo, shi = wilson(skipped, at_or_after)
        blo, bhi = wilson(back, reached)
        row.update(
            reached=reached, skipped=skipped, skip_rate=_rate(skipped, at_or_after),
            skip_rate_low=slo, skip_rate_high=shi, out_of_order=back,
            back_rate=_rate(back, reached), back_rate_low=blo, back_rate_high=bhi,
            conversion_skipped=_rate(sk_conv, skipped),
            conversion_not_skipped=_rate(pop_conv - sk_conv, pop - skipped),
            conversion_back=_rate(bk_conv, back),
            conversion_no_back=_rate(re_conv - bk_conv, reached - back), no_data=False,
        )
        rows.append(row)
    return rows


def conforming(m: Any, sel: tuple) -> tuple[int, int]:
    """(units whose path is exactly the designed order, units with a stage path)."""
    c = m._paths_agg(sel).counts
    return int(c.conforming[0]), int(c.nonempty[0])
