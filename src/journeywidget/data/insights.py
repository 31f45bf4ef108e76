"""Insights from bound data: ranked bottlenecks, data problems, and survey feedback.

An :class:`Insight` is a *bottleneck* (``category="bottleneck"``: the largest
drop-off between stages, the slowest steps, the touchpoints where most units
end, the worst-scored touchpoints), a *deviation from the map*
(``category="conformance"``: stages that many units skip or step back from, with
the conversion of the units with and without that deviation, and how few units
follow the map's order exactly) or a *data problem* (``category="data"``: events
whose key is on no touchpoint — with the key and a suggested stage so the widget
can offer "add to map" —, touchpoints and stages without data, missing customers,
missing or unparsable timestamps, duplicate events...). ``severity`` is in 0..1 and
insights are sorted by it, highest first. A stage without data is never a
drop-off: it is reported as a data problem.

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("ecommerce-purchase")
>>> m = jw.JourneyMetrics(j).bind_events(jw.datasets.events(j, customers=300),
...     customer="customer_id", time="timestamp", touchpoint="event")
>>> top = m.insights[0]
>>> top.category in ("bottleneck", "conformance", "data"), 0 <= top.severity <= 1
(True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .feedback import Feedback

__all__ = ["Insight", "EventFacts", "build_insights"]


@dataclass
class Insight:
    """One finding. ``target`` is a touchpoint or stage id (or None for the whole data)."""

    kind: str
    category: str  # "bottleneck" | "conformance" | "data"
    severity: float
    message: str
    target: str | None = None
    value: float | None = None
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "category": self.category, "severity": round(self.severity, 4),
                "target": self.target, "message": self.message, "value": self.value,
                "details": dict(self.details)}

    def to_payload(self) -> dict:
        d = self.to_dict()
        v = d["value"]
        if isinstance(v, float):
            d["value"] = None if not math.isfinite(v) else float(f"{v:.6g}")
        d["message"] = d["message"][:300]
        return d


def _fmt_dur(s: float) -> str:
    if s != s:
        return "n/a"
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    if s < 172800:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} days"


_PROBLEM_TEXT = {
    "missing_customer": "{count:,} events have no customer ({column!r}) and were skipped",
    "missing_time": "{count:,} events have no timestamp ({column!r}) and were skipped",
    "unparsable_time": "{count:,} events have a timestamp that cannot be parsed ({column!r}, "
                       "e.g. {examples}) and were skipped",
    "missing_touchpoint": "{count:,} events have no touchpoint key ({column!r}) and were skipped",
    "duplicate_events": "{count:,} events repeat another event exactly (same customer, time and "
                        "touchpoint); they are counted twice — drop them if they are logging errors",
    "invalid_value": "{count:,} values in {column!r} are not numbers (e.g. {examples}); they are "
                     "left out of mean_value",
    "segment_varies": "{count:,} customers change {column!r} over time; each is counted in the "
                      "segment of their first event",
    "missing_segment": "{count:,} customers have no value in {column!r}; they are in no segment",
}


@dataclass
class EventFacts:
    """What the insights read from a binding of events, for one segment
    (:meth:`journeywidget.JourneyMetrics.insights` gathers them)."""

    stages: list[dict]  # JourneyMetrics.stage_records()
    touchpoints: list[dict]  # JourneyMetrics.touchpoint_records()
    customers: int  # all customers in the segment
    events: int  # valid events bound
    rows: int  # rows in the input
    problems: dict  # data problem kind -> {"count", "column", ...} from the binding
    unmapped: list[dict]  # JourneyMetrics.unmapped_keys()
    mapping_problems: dict  # {"ambiguous": {key: [ids]}, "bad_targets": {key: target}}
    conformance: list[dict] = field(default_factory=list)  # JourneyMetrics.conformance_records()
    conforming: tuple = (0, 0)  # (units following the map's order exactly, units with a path)
    unit: str = "customer"
    funnel: str = "ordered"


def build_insights(doc: dict, events: EventFacts | None, feedback: Feedback | None = None,
                   segment: Any = None) -> list[Insight]:
    """Every insight for a map (``doc``), its bound events and feedback, highest severity first."""
    out: list[Insight] = []
    stages = doc.get("stages", [])
    tps = doc.get("touchpoints", [])
    if events is not None:
        n_rows = max(events.rows, 1)
        srecs = events.stages
        trecs = events.touchpoints
        total = events.customers
        units = "sessions" if events.unit == "session" else "customers"
        # -- bottlenecks: drop-off between stages (stages with data only)
        drops = [r for r in srecs if not r.get("no_data") and isinstance(r["dropoff"], int)
                 and r["dropoff"] > 0]
        drops.sort(key=lambda r: (-r["dropoff"], r["stage"]))
        names = {s["id"]: s.get("name", s["id"]) for s in stages}
        prev_of: dict = {}
        last = None
        for r in srecs:
            if not r.get("no_data"):
                prev_of[r["stage"]] = last
                last = r["stage"]
        how = "in order" if events.funnel == "ordered" else "reached, any order"
        for r in drops[:3]:
            p = prev_of.get(r["stage"])
            out.append(Insight(
                "dropoff", "bottleneck", min(1.0, r["dropoff"] / total) if total else 0.0,
                f"{r['dropoff']:,} {units} ({r['dropoff_rate']:.0%}) drop off between "
                f"{names.get(p, p)} and {names.get(r['stage'], r['stage'])} ({how})",
                target=r["stage"], value=float(r["dropoff"]),
                details={"from_stage": p, "dropoff_rate": _f(r["dropoff_rate"]),
                         "conversion": _f(r["conversion"]), "funnel": events.funnel},
            ))
        # -- slowest steps
        meds = [r["median_next_s"] for r in trecs if r["median_next_s"] == r["median_next_s"]]
        if len(meds) >= 2:
            overall = sorted(meds)[len(meds) // 2]
            slow = [r for r in trecs if r["median_next_s"] == r["median_next_s"]
                    and overall > 0 and r["median_next_s"] >= 2 * overall]
            slow.sort(key=lambda r: (-r["median_next_s"], r["touchpoint"]))
            for r in slow[:3]:
                ratio = r["median_next_s"] / overall
                out.append(Insight(
                    "slow_step", "bottleneck", min(1.0, math.log10(ratio) / 2 + 0.2),
                    f"after {r['name'] or r['touchpoint']} {units} wait a median "
                    f"{_fmt_dur(r['median_next_s'])} for their next step (p90 "
                    f"{_fmt_dur(r['p90_next_s'])}), {ratio:.1f}x the typical step",
                    target=r["touchpoint"], value=r["median_next_s"],
                    details={"p90_next_s": _f(r["p90_next_s"]), "ratio": round(ratio, 3)},
                ))
        # -- exit points (not in the last stage)
        last_stage = stages[-1]["id"] if stages else None
        ex = [r for r in trecs if r["exits"] > 0 and r["stage"] != last_stage]
        ex.sort(key=lambda r: (-r["exits"], r["touchpoint"]))
        for r in ex[:2]:
            if total and r["exits"] / total >= 0.05:
                out.append(Insight(
                    "exit_point", "bottleneck", min(1.0, r["exits"] / total),
                    f"{r['exits']:,} {units} ({r['exits'] / total:.0%} of all) end "
                    f"{'their session' if events.unit == 'session' else 'their journey'} "
                    f"at {r['name'] or r['touchpoint']}",
                    target=r["touchpoint"], value=float(r["exits"]),
                ))
        # -- data problems from binding
        for kind, info in sorted(events.problems.items()):
            text = _PROBLEM_TEXT.get(kind, kind.replace("_", " ") + ": {count:,}")
            out.append(Insight(
                kind, "data", min(1.0, 0.2 + info["count"] / n_rows),
                text.format(count=info["count"], column=info.get("column"),
                            examples=", ".join(repr(x) for x in info.get("examples", [])[:3])),
                value=float(info["count"]),
                details={k: v for k, v in info.items() if k != "count"} | {"count": info["count"]},
            ))
        # -- unmapped keys with a suggested stage (JourneyMetrics.unmapped_keys)
        n_ev = events.events
        unm = events.unmapped
        stage_names = {s["id"]: s["name"] for s in stages}
        for u in unm[:15]:
            sugg, cnt = u["suggested_stage"], u["count"]
            out.append(Insight(
                "unmapped_key", "data", min(1.0, 0.3 + cnt / max(n_ev, 1)),
                f"{cnt:,} events have key {u['key']!r}, which is on no touchpoint of the map"
                + (f" (it usually happens around the {stage_names.get(sugg, sugg)!r} stage)" if sugg else ""),
                target=None, value=float(cnt),
                details={"key": u["key"], "count": cnt, "suggested_stage": sugg},
            ))
        if len(unm) > 15:
            rest = sum(u["count"] for u in unm[15:])
            out.append(Insight("unmapped_key_other", "data", min(1.0, 0.2 + rest / max(n_ev, 1)),
                               f"{len(unm) - 15} more unmapped keys with {rest:,} events",
                               value=float(rest), details={"keys": len(unm) - 15, "count": rest}))
        for k, ids in sorted(events.mapping_problems.get("ambiguous", {}).items()):
            out.append(Insight("ambiguous_key", "data", 0.4,
                               f"event key {k!r} is listed on several touchpoints ({', '.join(ids)}); "
                               f"it counts for {ids[0]!r} only", target=ids[0],
                               details={"key": k, "touchpoints": ids}))
        for k, tgt in sorted(events.mapping_problems.get("bad_targets", {}).items()):
            out.append(Insight("mapping_target_unknown", "data", 0.5,
                               f"mapping sends key {k!r} to {tgt!r}, which is no touchpoint of the map",
                               details={"key": k, "target": tgt}))
        # -- touchpoints / stages without data
        for r in trecs:
            if r["events"] == 0:
                out.append(Insight("no_data", "data", 0.25,
                                   f"no events for touchpoint {r['name'] or r['touchpoint']}"
                                   + ("" if tps and any(t.get("event_keys") for t in tps
                                                        if t["id"] == r["touchpoint"])
                                      else " (give it event_keys that match your data)"),
                                   target=r["touchpoint"], value=0.0))
        for r in srecs:
            if r.get("no_data"):
                out.append(Insight("stage_no_data", "data", 0.3,
                                   f"no events map to stage {r['name'] or r['stage']} (no data): give "
                                   "its touchpoints event_keys that match your data, or move some there",
                                   target=r["stage"], value=0.0, details={"no_data": True}))
        # -- deviations from the map: skipped stages, steps back, the conforming share
        out += _conformance_insights(events, names, units)
    # -- feedback
    fb = feedback
    if fb is not None:
        recs = fb.records(segment)
        scored = [r for r in recs if r["n"] >= 5]
        scored.sort(key=lambda r: (r["norm"], r["touchpoint"]))
        tpname = {t["id"]: t.get("name", t["id"]) for t in tps}
        for r in scored[:3]:
            if r["norm"] < 0.6:
                unit = {"csat": "% CSAT", "nps": " NPS", "mean": " mean score"}[r["kind"]]
                out.append(Insight(
                    "low_score", "bottleneck", min(1.0, 1 - r["norm"]),
                    f"{tpname.get(r['touchpoint'], r['touchpoint'])} scores {r['score']:.3g}{unit} "
                    f"(n={r['n']})" + (f": “{r['quotes'][0][:120]}”" if r["quotes"] else ""),
                    target=r["touchpoint"], value=r["score"],
                    details={"kind": r["kind"], "n": r["n"]},
                ))
        for kind, info in sorted(fb.problems.items()):
            out.append(Insight(
                "feedback_" + kind, "data", min(1.0, 0.2 + info["count"] / max(fb.n_rows, 1)),
                info["message"], value=float(info["count"]),
                details={k: v for k, v in info.items() if k != "message"},
            ))
    out.sort(key=lambda i: (-i.severity, i.category, i.kind, i.target or ""))
    return out


#: a deviation is reported when at least this share of the units it could happen to show it
DEVIATION_MIN_RATE = 0.05
#: ... and at least this many units show it
DEVIATION_MIN_UNITS = 10


def _conformance_insights(events: EventFacts, names: dict, units: str) -> list[Insight]:
    """Stages skipped or stepped back from by many units, ranked by share x impact."""
    out = []
    for r in events.conformance:
        if r.get("no_data"):
            continue
        for kind, n, rate, with_, without, text in (
            ("skipped_stage", r["skipped"], r["skip_rate"], r["conversion_skipped"],
             r["conversion_not_skipped"], "reach a later stage without going through"),
            ("steps_back", r["out_of_order"], r["back_rate"], r["conversion_back"],
             r["conversion_no_back"], "step back to an earlier stage from"),
        ):
            if not n or rate != rate or rate < DEVIATION_MIN_RATE or n < DEVIATION_MIN_UNITS:
                continue
            impact = (with_ - without) if with_ == with_ and without == without else math.nan
            sev = min(1.0, rate * (0.4 + (abs(impact) if impact == impact else 0.0)))
            msg = f"{n:,} {units} ({rate:.0%}) {text} {names.get(r['stage'], r['stage'])}"
            if impact == impact:
                msg += (f"; {with_:.0%} of them convert, against {without:.0%} of those who "
                        f"{'do not skip it' if kind == 'skipped_stage' else 'do not step back'}")
            out.append(Insight(kind, "conformance", sev, msg, target=r["stage"], value=float(n),
                               details={"rate": _f(rate), "conversion_with": _f(with_),
                                        "conversion_without": _f(without), "impact": _f(impact)}))
    conf, tot = events.conforming
    if tot >= DEVIATION_MIN_UNITS and conf / tot < 0.5:
        out.append(Insight(
            "low_conformance", "conformance", min(1.0, 0.5 * (1 - conf / tot)),
            f"only {conf / tot:.0%} of {units} ({conf:,} of {tot:,}) follow the map's stage order "
            "exactly (from the first stage, no skips, no steps back)",
            value=conf / tot, details={"conforming": conf, "units": tot}))
    return out


def _f(x: Any) -> Any:
    return None if isinstance(x, float) and not math.isfinite(x) else x
