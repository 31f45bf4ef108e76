"""The aggregated rows each built-in overlay draws (one per touchpoint, stage, or
touchpoint x period), never raw events, so a chart's data stays small whatever the
size of the event log.

* ``"emotion"`` - the hand-set emotion of each touchpoint and the emotion derived from
  bound feedback, with the number of respondents and a 95 % interval.
* ``"funnel"`` - customers reaching each stage, the drop-off from the stage before and
  the conversion.
* ``"metric"`` - any touchpoint metric (``customers``, ``share``, ``median_next_s``,
  ``score``...).
* ``"trend"`` - ``customers`` or ``events`` per touchpoint and period (``complete`` is
  False for a last period the data ends inside).
* ``"opportunities"`` - the top candidates of ``m.opportunities()``: value (units lost
  × satisfaction gap) against the effort the analyst entered (1 when unset).

>>> import journeywidget as jw
>>> j = jw.Journey("Demo"); s = j.add_stage("Buy")
>>> _ = j.add_touchpoint("Checkout", stage=s, emotion=-1)
>>> [(r["touchpoint"], r["emotion"]) for r in overlay_table("emotion", j, None)]
[('checkout', -1.0)]
"""

from __future__ import annotations

from typing import Any

from ..core.errors import BindingError
from ..data.frames import to_pandas, used_columns
from .base import OVERLAYS, TREND_MAX_POINTS, TREND_METRICS, ChartError, _labels, _num, _tp_order

__all__ = ["overlay_table", "available_metrics", "trend_table", "period_counts", "metrics_payload_of"]

_FEEDBACK_METRICS = {"score": "score", "respondents": "n", "data_emotion": "emotion"}
_NON_METRICS = {"top_next", "quotes", "kind", "top_channel"}


def metrics_payload_of(metrics: Any) -> dict:
    """The metrics payload of a ``jw.JourneyMetrics`` ({} when nothing is bound), or the
    payload dict itself."""
    if metrics is None:
        return {}
    if isinstance(metrics, dict):
        return metrics
    if callable(getattr(metrics, "to_payload", None)):
        if not getattr(metrics, "is_bound", True):
            return {}
        try:
            return metrics.to_payload()
        except BindingError:  # nothing bound yet
            return {}
    raise ChartError(
        f"metrics must be a jw.JourneyMetrics or its to_payload() dict, got {type(metrics).__name__}"
    )


def available_metrics(metrics: Any) -> list[str]:
    """Touchpoint metrics the ``"metric"`` overlay can draw for these metrics."""
    payload = metrics_payload_of(metrics)
    out: list[str] = []
    for rec in (payload.get("touchpoints") or {}).values():
        for k, v in rec.items():
            if k not in out and k not in _NON_METRICS and (_num(v) is not None or v is None):
                out.append(k)
    if payload.get("feedback"):
        out += [k for k in _FEEDBACK_METRICS if k not in out]
    return out


def _metric_value(payload: dict, tp_id: str, metric: str) -> float | None:
    if metric in _FEEDBACK_METRICS and metric not in (payload.get("touchpoints") or {}).get(tp_id, {}):
        return _num((payload.get("feedback") or {}).get(tp_id, {}).get(_FEEDBACK_METRICS[metric]))
    return _num((payload.get("touchpoints") or {}).get(tp_id, {}).get(metric))


_DURATION_UNITS = (("d", 86400.0), ("h", 3600.0), ("min", 60.0), ("s", 1.0))


def _duration_unit(values: list[float]) -> tuple[str, float]:
    vals = sorted(v for v in values if v is not None and v > 0)
    if not vals:
        return "s", 1.0
    mid = vals[len(vals) // 2]
    for name, size in _DURATION_UNITS:
        if mid >= size * 1.5:
            return name, size
    return "s", 1.0


def _feedback_intervals(metrics: Any) -> dict[str, tuple[float, float]]:
    """95 % intervals of the feedback-derived emotion ({} for a payload dict)."""
    fn = getattr(metrics, "feedback_intervals", None)
    return fn() if callable(fn) else {}


def trend_table(metrics: Any, metric: str = "customers", *, freq: str | None = None,
                max_points: int = TREND_MAX_POINTS) -> list[dict]:
    """Rows ``{touchpoint, period, value}``: customers (or events) per touchpoint and period.

    Computed from the binding's compact event arrays (no raw rows), in the current
    segment, for the touchpoints of the current map; see :meth:`JourneyMetrics.trend
    <journeywidget.JourneyMetrics.trend>`. ``freq`` (``"D"``, ``"W"``, ``"M"``, ``"Q"``)
    is picked from the time span when not given; at most ``max_points`` rows are made.
    """
    if metric not in TREND_METRICS:
        raise ChartError(f"the trend overlay draws {' or '.join(TREND_METRICS)}, not {metric!r}")
    if isinstance(metrics, dict):
        rows = metrics.get("trend") or []
        return [r for r in rows if r.get("metric", metric) == metric]
    fn = getattr(metrics, "trend", None)
    return fn(metric, freq=freq, max_points=max_points) if callable(fn) else []


def period_counts(df: Any, *, touchpoint: str, time: str, customer: str | None = None,
                  freq: str = "W") -> Any:
    """Events (and distinct customers) per (touchpoint key, period) of raw event rows.

    A small helper for custom charts: ``period_counts(rows, touchpoint="event",
    time="ts", customer="user")`` returns a pandas DataFrame with columns
    ``touchpoint, period, events[, customers]`` - aggregates only, ready to chart.
    ``rows`` may be any frame the package reads (pandas, polars, pyarrow, DuckDB...).
    """
    import pandas as pd

    df = to_pandas(df, used_columns({"touchpoint": touchpoint, "time": time, "customer": customer}))
    ts = pd.to_datetime(df[time], utc=True, errors="coerce").dt.tz_localize(None)
    alias = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q"}.get(freq, freq)
    period = ts.dt.to_period(alias).dt.start_time
    frame = pd.DataFrame({"touchpoint": df[touchpoint].to_numpy(), "period": period.to_numpy()})
    if customer is not None:
        frame["customer"] = df[customer].to_numpy()
    grouped = frame.dropna(subset=["period"]).groupby(["touchpoint", "period"], sort=True, observed=True)
    out = grouped.size().rename("events").to_frame()
    if customer is not None:
        out["customers"] = grouped["customer"].nunique()
    return out.reset_index()


def overlay_table(name: str, journey_doc: Any, metrics: Any, metric: str | None = None) -> list[dict]:
    """The aggregated rows an overlay draws (one per touchpoint / stage / touchpoint x period)."""
    doc = journey_doc.to_dict() if hasattr(journey_doc, "to_dict") else journey_doc
    if name == "none":
        return []
    if name == "emotion":
        return _emotion_rows(doc, metrics)
    if name == "funnel":
        return _funnel_rows(doc, metrics_payload_of(metrics))
    if name == "metric":
        return _metric_rows(doc, metrics_payload_of(metrics), metric or "customers")[0]
    if name == "trend":
        return trend_table(metrics, metric or "customers") if metrics is not None else []
    if name == "opportunities":
        return _opportunity_rows(doc, metrics_payload_of(metrics))
    raise ChartError(f"unknown overlay {name!r}; overlays: {', '.join(OVERLAYS)}")


def _emotion_rows(doc: dict, metrics: Any, payload: dict | None = None) -> list[dict]:
    payload = metrics_payload_of(metrics) if payload is None else payload
    fb = payload.get("feedback") or {}
    intervals = _feedback_intervals(metrics) if fb else {}
    tps = _tp_order(doc)
    labels = _labels(tps)
    stages = {s["id"]: s for s in doc.get("stages", [])}
    rows = []
    for k, tp in enumerate(tps):
        base = {"touchpoint": tp["id"], "label": labels[tp["id"]], "stage": tp.get("stage"),
                "stage_label": str(stages.get(tp.get("stage"), {}).get("name", "")), "order": k}
        e = _num(tp.get("emotion"))
        if e is not None:
            rows.append({**base, "source": "map", "emotion": e, "n": None, "lo": None, "hi": None})
        f = fb.get(tp["id"])
        if f and _num(f.get("emotion")) is not None:
            lo, hi = intervals.get(tp["id"], (None, None))
            rows.append({**base, "source": "data", "emotion": _num(f["emotion"]),
                         "n": int(f.get("n") or 0), "lo": lo, "hi": hi})
    return rows


def _funnel_rows(doc: dict, payload: dict) -> list[dict]:
    st = payload.get("stages") or {}
    definition = str(payload.get("definition") or "")
    stages = doc.get("stages", [])
    labels = _labels(stages)
    tps_of: dict[str, list[str]] = {}
    for tp in doc.get("touchpoints", []):
        tps_of.setdefault(tp.get("stage"), []).append(tp["id"])
    rows = []
    prev = None
    for k, s in enumerate(stages):
        rec = st.get(s["id"])
        if rec is None:
            continue
        if rec.get("no_data"):  # no mapped event: greyed, never a drop-off
            rows.append({"stage": s["id"], "label": labels[s["id"]], "order": k, "customers": 0,
                         "share": None, "conversion": None, "dropoff": 0, "dropoff_rate": None,
                         "top": 0, "conv_text": "no data", "conv_ci": "", "no_data": True,
                         "definition": definition,
                         "tps": "|" + "|".join(tps_of.get(s["id"], [])) + "|"})
            continue
        cust = _num(rec.get("reached", rec.get("customers"))) or 0.0
        conv = _num(rec.get("conversion"))
        drop = _num(rec.get("dropoff"))
        if conv is None and prev:
            conv = cust / prev
        if drop is None and prev is not None:
            drop = max(prev - cust, 0.0)
        rate = _num(rec.get("dropoff_rate"))
        if rate is None and prev:
            rate = (drop or 0.0) / prev
        ci = rec.get("conversion_ci")
        rows.append({
            "stage": s["id"], "label": labels[s["id"]], "order": k, "customers": int(cust),
            "share": _num(rec.get("share")), "conversion": conv, "dropoff": int(drop or 0),
            "dropoff_rate": rate, "top": int(cust + (drop or 0)),
            "conv_text": "" if conv is None else f"{conv:.0%}",
            "conv_ci": f"{ci[0]:.0%} to {ci[1]:.0%}" if ci else "", "no_data": False,
            "definition": definition,
            "tps": "|" + "|".join(tps_of.get(s["id"], [])) + "|",
        })
        prev = cust
    return rows


def _metric_rows(doc: dict, payload: dict, metric: str) -> tuple[list[dict], str]:
    avail = available_metrics(payload)
    if payload and avail and metric not in avail:
        raise ChartError(f"unknown metric {metric!r}; metrics: {', '.join(avail)}")
    tps = _tp_order(doc)
    labels = _labels(tps)
    stages = {s["id"]: (k, s) for k, s in enumerate(doc.get("stages", []))}
    raw = {tp["id"]: _metric_value(payload, tp["id"], metric) for tp in tps}
    unit = ""
    scale = 1.0
    if metric.endswith("_s"):
        unit, scale = _duration_unit(list(raw.values()))
    rows = []
    for k, tp in enumerate(tps):
        v = raw[tp["id"]]
        if v is None:
            continue
        sk, s = stages.get(tp.get("stage"), (len(stages), {}))
        rows.append({"touchpoint": tp["id"], "label": labels[tp["id"]], "stage": tp.get("stage"),
                     "stage_label": str(s.get("name", "")), "stage_order": sk, "order": k,
                     "value": round(v / scale, 6)})
    return rows, unit



def _opportunity_rows(doc: dict, payload: dict) -> list[dict]:
    """Value vs effort of the payload's top opportunities (one row per target)."""
    names = {x["id"]: x.get("name") or x["id"] for x in doc.get("stages", []) + doc.get("touchpoints", [])}
    rows = []
    for k, r in enumerate(payload.get("opportunities") or []):
        tgt = r.get("target")
        if tgt not in names:
            continue
        eff = _num(r.get("effort"))
        rows.append({"target": tgt, "label": names[tgt], "kind": r.get("kind"), "order": k,
                     "value": _num(r.get("value")) or 0.0, "effort": eff if eff else 1.0,
                     "effort_set": eff is not None, "lost": r.get("lost"), "rate": _num(r.get("rate")),
                     "reach": r.get("reach"), "gap": _num(r.get("satisfaction_gap")),
                     "score": _num(r.get("score")) or 0.0,
                     "touchpoint": tgt if r.get("kind") == "touchpoint" else None,
                     "stage": tgt if r.get("kind") == "stage" else None})
    return rows
