"""The metrics as the widget's page gets them: compact, JSON-able, under a size budget.

The fields are documented in docs/ARCHITECTURE.md ("The metrics payload"). Also the
significance test the A/B comparison uses (:func:`two_prop_p`, from
:mod:`journeywidget.data.stats`).

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("buying-process")
>>> m = jw.JourneyMetrics(j).bind_events(jw.datasets.events(j, customers=300), customer="customer_id",
...                                       time="timestamp", touchpoint="event", segment="plan")
>>> p = metrics_payload(m, compare="pro")
>>> p["compare"]["segment"], p["truncated"], len(json.dumps(p)) <= PAYLOAD_BUDGET
('pro', False, True)
>>> p["definition"], p["unit"], p["funnel"]
('ordered funnel · customers · no window', 'customer', 'ordered')
>>> round(two_prop_p(50, 100, 65, 100), 3)
0.032
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..core.errors import BindingError
from .encoding import label
from .stats import MIN_N, bh_adjust, two_prop_p, wilson

__all__ = ["PAYLOAD_BUDGET", "metrics_payload", "rounded", "two_prop_p", "ci"]

#: The widget's ``_metrics`` must stay under 64 KiB as JSON; the guard aims lower.
PAYLOAD_BUDGET = 60 * 1024
#: How many paths, opportunities the payload carries.
TOP_PATHS = 10
TOP_OPPORTUNITIES = 10


def ci(lo: float, hi: float, digits: int = 4) -> list | None:
    """``[low, high]`` of an interval, rounded (None when undefined)."""
    if lo != lo or hi != hi:
        return None
    return [rounded(lo, digits), rounded(hi, digits)]


def _empty(m: Any) -> dict:
    return {"touchpoints": {}, "stages": {}, "feedback": _feedback_payload(m), "insights": [],
            "segments": [], "segment": None, "segment_column": None, "transitions": [],
            "compare": None, "unit": m.unit, "funnel": m.funnel, "window": _window_text(m),
            "definition": m.definition, "description": m.describe(), "flows": [], "paths": [],
            "conformance": None, "opportunities": [], "clusters": [], "units": 0, "customers": 0,
            "events": 0, "min_n": MIN_N}


def _window_text(m: Any) -> str | None:
    w = m.window
    return None if w is None else str(w)


def metrics_payload(m: Any, max_insights: int = 40, max_segments: int = 50,
                    max_transitions: int = 150, compare: Any = None,
                    budget: int = PAYLOAD_BUDGET) -> dict:
    """Compact JSON-able aggregates of a :class:`journeywidget.JourneyMetrics` (no raw data);
    see :meth:`journeywidget.JourneyMetrics.to_payload`."""
    if not m.has_events:
        return _empty(m)
    units_total = m.units()
    tp = {}
    for r in m.touchpoint_records():
        tp[r["touchpoint"]] = {
            "events": r["events"], "units": r["units"], "customers": r["customers"],
            "share": rounded(r["share"]), "share_ci": ci(*wilson(r["units"], units_total)),
            "median_next_s": rounded(r["median_next_s"]), "p90_next_s": rounded(r["p90_next_s"]),
            "mean_value": rounded(r["mean_value"]), "exits": r["exits"],
            "top_next": r["top_next"],
        }
    conf = {r["stage"]: r for r in m.conformance_records()}
    st = {}
    for r in m.stage_records():
        c = conf[r["stage"]]
        prev_n = r["reached"] / r["conversion"] if r["conversion"] == r["conversion"] and r["conversion"] else None
        st[r["stage"]] = {
            "reached": r["reached"], "customers": r["customers"], "share": rounded(r["share"]),
            "share_ci": ci(r["share_low"], r["share_high"]),
            "conversion": rounded(r["conversion"]),
            "conversion_ci": ci(r["conversion_low"], r["conversion_high"]),
            "dropoff": rounded(r["dropoff"]), "dropoff_rate": rounded(r["dropoff_rate"]),
            "median_time_s": rounded(r["median_time_s"]),
            "median_time_to_convert_s": rounded(r["median_time_to_convert_s"]),
            "no_data": r["no_data"],
            "small_sample": prev_n is not None and round(prev_n) < MIN_N,
            "skipped": c["skipped"], "skip_rate": rounded(c["skip_rate"]),
            "skip_ci": ci(c["skip_rate_low"], c["skip_rate_high"]),
            "out_of_order": c["out_of_order"], "back_rate": rounded(c["back_rate"]),
            "back_ci": ci(c["back_rate_low"], c["back_rate_high"]),
        }
    counts = m.segment_counts()
    total_all = m.units(None)

    def seg_entry(s: str, n: int) -> dict:
        return {"value": s, "units": n, "customers": n if m.unit == "customer" else m.customers(s),
                "share": rounded(n / total_all, 4) if total_all else None}

    order = sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:max_segments]
    segs = [seg_entry(s, n) for s, n in order]
    # the current and the compared segment are always listed (the page's selects show them)
    for want in (m.segment, None if compare is None else label(compare)):
        if want is not None and not any(x["value"] == want for x in segs) and want in counts:
            segs.append(seg_entry(want, counts[want]))
    from .paths import flow_kind

    rank_of_tp = _rank_of_touchpoint(m)
    trs = [[r["from"], r["to"], r["count"], rounded(r["median_s"]), r["units"],
            flow_kind(rank_of_tp.get(r["from"], -1), rank_of_tp.get(r["to"], -1))]
           for r in m.transition_records()[:max_transitions]]
    n_conf, n_path = m.conforming_counts()
    out = {
        "unit": m.unit, "has_sessions": bool(m.has_sessions), "funnel": m.funnel, "window": _window_text(m),
        "definition": m.definition, "description": m.describe(),
        "touchpoints": tp,
        "stages": st,
        "feedback": _feedback_payload(m),
        "insights": [i.to_payload() for i in m.insights[:max_insights]],
        "segments": segs,
        "segment": m.segment,
        "segment_column": m.columns.get("segment"),
        "transitions": trs,
        "flows": [[r["from"], r["to"], r["count"], r["units"], r["kind"]] for r in m.flow_records("stage")],
        "paths": [{"path": list(r["path"]), "units": r["units"], "share": rounded(r["share"], 4),
                   "converted": rounded(r["converted"], 4)} for r in m.path_records(TOP_PATHS)],
        "conformance": {"conforming": n_conf, "units": n_path,
                        "share": rounded(n_conf / n_path, 4) if n_path else None,
                        "ci": ci(*wilson(n_conf, n_path))},
        "opportunities": _opportunities_payload(m),
        "clusters": _clusters_payload(m),
        "units": units_total,
        "customers": m.customers(),
        "events": int(sum(r["events"] for r in m.touchpoint_records())),
        "min_n": MIN_N,
        "compare": _compare_payload(m, compare) if compare is not None else None,
    }
    return fit_payload(out, budget)


def _rank_of_touchpoint(m: Any) -> dict[str, int]:
    rank = m._ranks()
    sidx = {s["id"]: k for k, s in enumerate(m.document.get("stages", []))}
    return {tp["id"]: rank[sidx[tp["stage"]]] if tp.get("stage") in sidx else -1
            for tp in m.document.get("touchpoints", [])}


def _opportunities_payload(m: Any) -> list:
    from .opportunities import opportunity_records

    out = []
    for r in opportunity_records(m)[:TOP_OPPORTUNITIES]:  # ids and numbers: names are in _doc
        out.append({k: rounded(v, 4) if isinstance(v, float) else v for k, v in r.items() if k != "name"})
    return out


def _clusters_payload(m: Any) -> list:
    cl = m._clusters.get(m.unit)
    if cl is None:
        return []
    return [{"cluster": r["cluster"], "label": f"cluster:{r['cluster']}", "name": r["name"],
             "units": r["units"], "share": rounded(r["share"], 4),
             "conversion": rounded(r["conversion"], 4), "top_touchpoints": r["top_touchpoints"]}
            for r in cl.rows(m)]


def _compare_payload(m: Any, b: Any) -> dict:
    """Segment ``b``'s figures for A/B mode (A = the current segment)."""
    b = label(b)
    if b not in m.segment_values:
        raise BindingError(f"segment {b!r} is not in the data; segments: {m.segment_values}",
                           m.columns.get("segment"), "compare with a value of the segment column")
    total_b = m.units(b)
    total_a = m.units()
    tps = {r["touchpoint"]: {"units": r["units"], "customers": r["customers"],
                             "share": rounded(r["share"], 4)}
           for r in m.touchpoint_records(b)}
    a_rows = {r["stage"]: r for r in m.stage_records()}
    independent = m.segment is not None and m.segment != b
    sts = {}
    ps = []
    for r in m.stage_records(b):
        ra = a_rows.get(r["stage"])
        p = math.nan
        if independent and ra is not None and not r["no_data"]:
            p = two_prop_p(ra["reached"], total_a, r["reached"], total_b)
        ps.append(p)
        sts[r["stage"]] = {"reached": r["reached"], "customers": r["customers"],
                           "share": rounded(r["share"], 4),
                           "share_ci": ci(r["share_low"], r["share_high"]),
                           "conversion": rounded(r["conversion"], 4),
                           "conversion_ci": ci(r["conversion_low"], r["conversion_high"]),
                           "no_data": r["no_data"], "p": rounded(p, 3),
                           "small_sample": min(total_a, total_b) < MIN_N}
    for v, q in zip(sts.values(), bh_adjust(ps)):
        v["q"] = rounded(q, 3)
    return {"segment": b, "units": total_b, "customers": m.customers(b), "touchpoints": tps,
            "stages": sts, "truncated": False}


def fit_payload(out: dict, budget: int = PAYLOAD_BUDGET) -> dict:
    """Guard for very large maps: shed the optional parts until the JSON fits the budget."""
    out["truncated"] = False

    def size() -> int:
        # as Jupyter sends it (default separators); ensure_ascii makes it an upper bound
        return len(json.dumps(out, allow_nan=False))

    cmp_ = out.get("compare")
    for shed in ("transitions", "top_next", "insights", "quotes", "description", "paths",
                 "opportunities", "clusters", "intervals", "dupes", "nulls", "digits",
                 "compare_touchpoints", "insights_all", "segments", "flows", "compare"):
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
        elif shed == "description":
            out["description"] = ""
        elif shed in ("paths", "opportunities", "clusters", "flows"):
            out[shed] = out[shed][:3]
        elif shed == "intervals":
            for part in ("touchpoints", "stages"):
                for v in out[part].values():
                    for k in [k for k in v if k.endswith("_ci")]:
                        del v[k]
        elif shed == "dupes":  # "units" / "reached" equal to "customers": the page falls back
            parts = [out["touchpoints"], out["stages"]] + ([cmp_["touchpoints"], cmp_["stages"]] if cmp_ else [])
            for part in parts:
                for v in part.values():
                    for k in ("units", "reached"):
                        if k in v and v[k] == v.get("customers"):
                            del v[k]
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
            out["compare"] = {"segment": cmp_["segment"], "units": cmp_["units"],
                              "customers": cmp_["customers"], "touchpoints": {}, "stages": {},
                              "truncated": True}
    return out


def _feedback_payload(m: Any) -> dict:
    out = {}
    for r in m.feedback_records():
        out[r["touchpoint"]] = {"score": rounded(r["score"]), "n": r["n"], "kind": r["kind"],
                                "emotion": rounded(r["emotion"]),
                                "quotes": [q[:280] for q in r["quotes"][:3]]}
    return out


def rounded(x: Any, digits: int = 6) -> Any:
    """Round for the payload; NaN -> None; a whole number is sent as an int ("12769", not
    "12769.0": the same number in the page, fewer bytes in saved notebooks)."""
    if x is None:
        return None
    if isinstance(x, float):
        if not math.isfinite(x):
            return None
        v = float(f"{x:.{digits}g}")
        return int(v) if v.is_integer() and abs(v) < 2**53 else v
    return x
