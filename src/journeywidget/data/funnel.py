"""The stage table (the funnel) and the A/B comparison of two segments.

Definitions (the same on every engine; "units" are customers or sessions, see
:mod:`journeywidget.data.metrics`):

* A stage has **no data** when none of its touchpoints has a mapped event in the
  bound log (any segment). It gets ``reached`` 0, empty conversion and drop-off and
  ``no_data`` True; the funnel skips it (the next stage converts from the stage
  before it), and it is never a drop-off.
* **Ordered funnel** (``m.funnel = "ordered"``, the default): a unit's stage-1 match
  is its first event at a touchpoint of the first stage with data; its stage-k
  match is its first event at a stage-k touchpoint strictly after its stage-(k-1)
  match in the (time, row) ordering; with a window ``W`` a match counts only if
  ``time(match_k) - time(match_1) <= W`` (a later event is later still, so the
  chain ends there). ``reached`` = units with a stage-k match. Reach never grows
  from one stage to the next, so conversion is at most 100 %.
* **Reached funnel** (``m.funnel = "reached"``): ``reached`` = units with at least
  one event at the stage, in any order (so conversion can exceed 100 % when units
  skip stages; it is labelled "reached (any order)").
* ``share`` = reached / all units (with a valid event, mapped or not, in the
  segment); ``conversion`` = reached / reached of the previous stage with data;
  ``dropoff`` = previous - reached (never negative); ``dropoff_rate`` = dropoff /
  previous. ``share_low/high`` and (ordered funnel) ``conversion_low/high``: 95 %
  Wilson intervals (:mod:`journeywidget.data.stats`); in the reached funnel a stage's
  units are not a subset of the previous stage's, so its conversion is a ratio, not
  a proportion, and has no binomial interval (NaN).
* ``customers``: distinct customers among the units counted in ``reached`` (equal
  to ``reached`` when the unit is the customer).
* ``median_time_s`` (time in stage): median over units with an event in the stage
  of (last - first event in the stage), within the unit, in seconds.
* ``median_time_to_convert_s``: median over units whose ordered funnel reaches the
  stage (within the window) of time(match_k) - time(match_1), in seconds (both
  funnel modes; empty for the first stage).

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("buying-process")
>>> m = jw.JourneyMetrics(j).bind_events(jw.datasets.events(j, customers=300, seed=1),
...     customer="customer_id", time="timestamp", touchpoint="event")
>>> st = m.stages
>>> bool((st["conversion"].dropna() <= 1).all()), st.attrs["definition"]
(True, 'ordered funnel · customers · no window')
"""

from __future__ import annotations

import math
from typing import Any

from ..core.errors import BindingError
from .stats import MIN_N, bh_adjust, small_sample, two_prop_p, wilson
from .tables import sec

__all__ = ["STAGE_COLUMNS", "stage_records", "compare_table"]

STAGE_COLUMNS = ["stage", "name", "reached", "customers", "share", "share_low", "share_high",
                 "conversion", "conversion_low", "conversion_high", "dropoff", "dropoff_rate",
                 "median_time_s", "median_time_to_convert_s", "no_data"]
_NAN = math.nan


def stage_records(m: Any, sel: tuple) -> list[dict]:
    """One record per stage in map order, for the selection ``(engine, s)``."""
    eng, s = sel
    stages, _, sos, members = m._stage_layout()
    rank = m._ranks()
    agg = m._paths_agg(sel)
    if agg.dwell_median is not None:  # (computed in the same pass, by rank)
        dwell = [agg.dwell_median[r] if r >= 0 else _NAN for r in rank]
    else:
        dwell = eng.stage_agg(members, sos, s).dwell_median
    total = eng.total_customers(s)
    ordered = m.funnel == "ordered"
    counts = agg.counts.ordered[0] if ordered else agg.counts.reached[0]
    custs = agg.customers_ordered if ordered else agg.customers_reached
    rows = []
    prev = None
    for k, st in enumerate(stages):
        r = rank[k]
        row = {"stage": st["id"], "name": st.get("name", "")}
        if r < 0:
            row.update(reached=0, customers=0, share=0.0 if total else _NAN, share_low=_NAN,
                       share_high=_NAN, conversion=_NAN, conversion_low=_NAN, conversion_high=_NAN,
                       dropoff=_NAN, dropoff_rate=_NAN, median_time_s=_NAN,
                       median_time_to_convert_s=_NAN, no_data=True)
            rows.append(row)
            continue
        x = int(counts[r])
        lo, hi = wilson(x, total)
        row.update(reached=x, customers=int(custs[r]), share=x / total if total else _NAN,
                   share_low=lo, share_high=hi)
        if prev is None:
            row.update(conversion=_NAN, conversion_low=_NAN, conversion_high=_NAN, dropoff=_NAN,
                       dropoff_rate=_NAN)
        else:
            drop = max(prev - x, 0)
            clo, chi = wilson(x, prev) if ordered else (_NAN, _NAN)
            row.update(conversion=x / prev if prev else _NAN, conversion_low=clo, conversion_high=chi,
                       dropoff=drop, dropoff_rate=drop / prev if prev else _NAN)
        row.update(median_time_s=sec(float(dwell[k])), median_time_to_convert_s=sec(float(agg.ttc_median[r])),
                   no_data=False)
        rows.append(row)
        prev = x
    return rows


def compare_table(m: Any, a: Any, b: Any, level: str = "stages"):
    """Segments ``a`` and ``b`` side by side; see :meth:`JourneyMetrics.compare
    <journeywidget.JourneyMetrics.compare>`."""
    import pandas as pd

    from .encoding import label

    la, lb = label(a), label(b)
    if level in ("stages", "stage"):
        ra, rb = m.stage_records(la), m.stage_records(lb)
        idk, metrics = "stage", ["reached", "customers", "share", "conversion", "dropoff_rate",
                                 "median_time_s", "median_time_to_convert_s"]
    elif level in ("touchpoints", "touchpoint"):
        ra, rb = m.touchpoint_records(la), m.touchpoint_records(lb)
        idk, metrics = "touchpoint", ["events", "units", "customers", "share", "median_next_s",
                                      "p90_next_s", "mean_value", "exits"]
    else:
        raise BindingError(f"level must be 'stages' or 'touchpoints', got {level!r}", None,
                           "pass level='stages' or level='touchpoints'")
    rows = []
    prev_a = prev_b = None
    for x, y in zip(ra, rb):
        row = {idk: x[idk], "name": x["name"]}
        for mname in metrics:
            va, vb = x[mname], y[mname]
            row[f"{mname}_a"] = va
            row[f"{mname}_b"] = vb
            row[f"{mname}_diff"] = vb - va
        if idk == "stage":
            if x["no_data"]:
                row.update(p_value=_NAN, q_value=_NAN, small_sample=True)
            else:
                row["p_value"] = two_prop_p(x["reached"], prev_a, y["reached"], prev_b) \
                    if prev_a is not None else _NAN
                row["small_sample"] = prev_a is not None and (small_sample(prev_a) or small_sample(prev_b))
                prev_a, prev_b = x["reached"], y["reached"]
        rows.append(row)
    out = pd.DataFrame(rows)
    if idk == "stage" and rows:
        out["q_value"] = bh_adjust(out["p_value"].tolist())
    out.attrs["segments"] = (la, lb)
    out.attrs["definition"] = m.definition
    out.attrs["test"] = (f"two-proportion z-test of conversion from the previous stage, per stage; "
                         f"q_value: Benjamini-Hochberg across stages; small_sample: a previous-stage "
                         f"count below {MIN_N} in either segment")
    return out
