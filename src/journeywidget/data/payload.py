"""The metrics as the widget's page gets them: compact, JSON-able, under a size budget.

Also the significance test the A/B comparison uses (:func:`two_prop_p`).

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("buying-process")
>>> m = jw.JourneyMetrics(j).bind_events(jw.datasets.events(j, customers=300), customer="customer_id",
...                                       time="timestamp", touchpoint="event", segment="plan")
>>> p = metrics_payload(m, compare="pro")
>>> p["compare"]["segment"], p["truncated"], len(json.dumps(p)) <= PAYLOAD_BUDGET
('pro', False, True)
>>> round(two_prop_p(50, 100, 65, 100), 3)
0.032
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..core.errors import BindingError
from .encoding import label

__all__ = ["PAYLOAD_BUDGET", "metrics_payload", "rounded", "two_prop_p"]

#: The widget's ``_metrics`` must stay under 64 KiB as JSON; the guard aims lower.
PAYLOAD_BUDGET = 60 * 1024


def metrics_payload(m: Any, max_insights: int = 40, max_segments: int = 50,
                    max_transitions: int = 150, compare: Any = None,
                    budget: int = PAYLOAD_BUDGET) -> dict:
    """Compact JSON-able aggregates of a :class:`journeywidget.JourneyMetrics` (no raw data);
    see :meth:`journeywidget.JourneyMetrics.to_payload`."""
    if not m.has_events:
        return {"touchpoints": {}, "stages": {}, "feedback": _feedback_payload(m), "insights": [],
                "segments": [], "segment": None, "segment_column": None,
                "transitions": [], "compare": None}
    tp = {}
    for r in m.touchpoint_records():
        tp[r["touchpoint"]] = {
            "events": r["events"], "customers": r["customers"], "share": rounded(r["share"]),
            "median_next_s": rounded(r["median_next_s"]), "p90_next_s": rounded(r["p90_next_s"]),
            "mean_value": rounded(r["mean_value"]), "exits": r["exits"],
            "top_next": r["top_next"],
        }
    st = {}
    for r in m.stage_records():
        st[r["stage"]] = {
            "customers": r["customers"], "share": rounded(r["share"]),
            "conversion": rounded(r["conversion"]), "dropoff": rounded(r["dropoff"]),
            "dropoff_rate": rounded(r["dropoff_rate"]), "median_time_s": rounded(r["median_time_s"]),
        }
    counts = m.segment_counts()
    total_all = m.customers(None)
    segs = [{"value": s, "customers": c, "share": rounded(c / total_all, 4) if total_all else None}
            for s, c in counts.items()]
    segs.sort(key=lambda x: (-x["customers"], x["value"]))
    segs = segs[:max_segments]
    # the current and the compared segment are always listed (the page's selects show them)
    for want in (m.segment, None if compare is None else label(compare)):
        if want is not None and not any(x["value"] == want for x in segs) and want in counts:
            segs.append({"value": want, "customers": counts[want],
                         "share": rounded(counts[want] / total_all, 4) if total_all else None})
    trs = [[r["from"], r["to"], r["count"], rounded(r["median_s"])]
           for r in m.transition_records()[:max_transitions]]
    out = {
        "touchpoints": tp,
        "stages": st,
        "feedback": _feedback_payload(m),
        "insights": [i.to_payload() for i in m.insights[:max_insights]],
        "segments": segs,
        "segment": m.segment,
        "segment_column": m.columns.get("segment"),
        "transitions": trs,
        "customers": m.customers(),
        "events": int(sum(r["events"] for r in m.touchpoint_records())),
        "compare": _compare_payload(m, compare) if compare is not None else None,
    }
    return fit_payload(out, budget)


def _compare_payload(m: Any, b: Any) -> dict:
    """Segment ``b``'s figures for A/B mode (A = the current segment)."""
    b = label(b)
    if b not in m.segment_values:
        raise BindingError(f"segment {b!r} is not in the data; segments: {m.segment_values}",
                           m.columns.get("segment"), "compare with a value of the segment column")
    total_b = m.customers(b)
    total_a = m.customers()
    tps = {r["touchpoint"]: {"customers": r["customers"], "share": rounded(r["share"], 4)}
           for r in m.touchpoint_records(b)}
    a_rows = {r["stage"]: r for r in m.stage_records()}
    independent = m.segment is not None and m.segment != b
    sts = {}
    for r in m.stage_records(b):
        ra = a_rows.get(r["stage"])
        p = math.nan
        if independent and ra is not None:
            p = two_prop_p(ra["customers"], total_a, r["customers"], total_b)
        sts[r["stage"]] = {"customers": r["customers"], "share": rounded(r["share"], 4),
                           "conversion": rounded(r["conversion"], 4), "p": rounded(p, 3)}
    return {"segment": b, "customers": total_b, "touchpoints": tps, "stages": sts,
            "truncated": False}


def fit_payload(out: dict, budget: int = PAYLOAD_BUDGET) -> dict:
    """Guard for very large maps: shed the optional parts until the JSON fits the budget."""
    out["truncated"] = False

    def size() -> int:
        # as Jupyter sends it (default separators); ensure_ascii makes it an upper bound
        return len(json.dumps(out, allow_nan=False))

    cmp_ = out.get("compare")
    for shed in ("transitions", "top_next", "insights", "quotes", "nulls", "digits",
                 "compare_touchpoints", "insights_all", "segments", "compare"):
        if size() <= budget:
            break
        out["truncated"] = True
        if shed == "transitions":
            out["transitions"] = []
        elif shed == "top_next":
            for v in out["touchpoints"].values():
                v.pop("top_next", None)
        elif shed == "insights":
            out["insights"] = out["insights"][:10]
        elif shed == "quotes":
            for v in out["feedback"].values():
                v["quotes"] = []
        elif shed == "nulls":
            for part in ("touchpoints", "stages", "feedback"):
                for v in out[part].values():
                    for k in [k for k, x in v.items() if x is None or k == "exits"]:
                        del v[k]
            if cmp_:
                for part in ("touchpoints", "stages"):
                    for v in cmp_[part].values():
                        for k in [k for k, x in v.items() if x is None]:
                            del v[k]
        elif shed == "digits":
            parts = [out[p] for p in ("touchpoints", "stages", "feedback")]
            if cmp_:
                parts += [cmp_["touchpoints"], cmp_["stages"]]
            for part in parts:
                for v in part.values():
                    for k, x in v.items():
                        if isinstance(x, float):
                            v[k] = rounded(x, 3)
        elif shed == "compare_touchpoints" and cmp_:
            cmp_["touchpoints"] = {}
            cmp_["truncated"] = True
        elif shed == "insights_all":
            out["insights"] = out["insights"][:3]
        elif shed == "segments":
            keep = {out.get("segment"), cmp_["segment"] if cmp_ else None}
            out["segments"] = [x for x in out["segments"] if x["value"] in keep] + \
                [x for x in out["segments"] if x["value"] not in keep][:5]
        elif shed == "compare" and cmp_:
            out["compare"] = {"segment": cmp_["segment"], "customers": cmp_["customers"],
                              "touchpoints": {}, "stages": {}, "truncated": True}
    return out


def _feedback_payload(m: Any) -> dict:
    out = {}
    for r in m.feedback_records():
        out[r["touchpoint"]] = {"score": rounded(r["score"]), "n": r["n"], "kind": r["kind"],
                                "emotion": rounded(r["emotion"]),
                                "quotes": [q[:280] for q in r["quotes"][:3]]}
    return out


def rounded(x: Any, digits: int = 6) -> Any:
    """Round for the payload; NaN -> None."""
    if x is None:
        return None
    if isinstance(x, float):
        if not math.isfinite(x):
            return None
        if x == 0:
            return 0.0
        return float(f"{x:.{digits}g}")
    return x


def two_prop_p(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p-value of a two-proportion z-test: x1 of n1 against x2 of n2 (NaN without data)."""
    if not n1 or not n2:
        return math.nan
    p1, p2 = x1 / n1, x2 / n2
    p = (x1 + x2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return math.nan if p1 == p2 else 0.0
    z = (p2 - p1) / se
    return math.erfc(abs(z) / math.sqrt(2))
