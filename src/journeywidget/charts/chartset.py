"""Altair metric overlays on the journey map, and custom charts that update live.

Built-in overlays are made from the *aggregated* metrics of a binding (one row
per touchpoint, stage or touchpoint x period), never from raw events, so their
data stays small whatever the size of the event log:

* ``"emotion"`` - the emotion curve: the hand-set emotion of each touchpoint
  (from the map) and the emotion derived from bound feedback, with the number
  of respondents and a 95 % interval.
* ``"funnel"`` - customers reaching each stage, the drop-off from the stage
  before and the conversion.
* ``"metric"`` - one bar per touchpoint of any touchpoint metric (``customers``,
  ``share``, ``median_next_s``, ``score``...).
* ``"trend"`` - a sparkline per touchpoint of ``customers`` or ``events`` per
  period (day / week / month, picked from the time span).

>>> import journeywidget as jw
>>> from journeywidget.charts import overlay_spec
>>> j = jw.Journey("Demo"); s = j.add_stage("Buy")
>>> _ = j.add_touchpoint("Checkout", stage=s, emotion=-1)
>>> spec = overlay_spec("emotion", j.to_dict(), None)
>>> [(r["touchpoint"], r["emotion"]) for r in spec["data"]["values"]]
[('checkout', -1.0)]

Custom charts: :class:`ChartSet` holds the charts of one map (the widget holds
one). ``add_chart(fn, at="decision")`` calls ``fn(rows)`` with the bound event
rows of that stage (or touchpoint, or the whole map) in the current segment and
shows the Altair chart it returns; the function runs again whenever the
binding, the segment or the map's stages / touchpoints change. Errors in it
are shown in the chart's place.

The widget payload (:meth:`ChartSet.payload`, the ``_charts`` trait) separates
each chart's spec from its data so the front end re-embeds a chart only when
its spec changed and otherwise swaps the data in place.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import math
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "OVERLAYS",
    "TREND_METRICS",
    "MAX_ROWS",
    "ChartSet",
    "ChartError",
    "overlay_spec",
    "overlay_table",
    "available_metrics",
    "trend_table",
    "period_counts",
]

OVERLAYS = ("none", "emotion", "funnel", "metric", "trend")
TREND_METRICS = ("customers", "events")
MAX_ROWS = 5000  # Altair's own inline-data limit; every chart on the map stays under it
MAX_CHART_BYTES = 512 * 1024  # inline data of one custom chart, as JSON
TREND_MAX_POINTS = 600  # touchpoints x periods in the trend overlay (~36 KB as JSON)
DATA_NAME = "table"
SELECT_PARAM = "jw_selected"

_FEEDBACK_METRICS = {"score": "score", "respondents": "n", "data_emotion": "emotion"}
_NON_METRICS = {"top_next", "quotes", "kind", "top_channel"}

try:
    from ..core.errors import JourneyError
except Exception:  # pragma: no cover
    JourneyError = ValueError  # type: ignore[misc,assignment]


class ChartError(JourneyError):
    """A chart could not be made (unknown overlay or metric, too much data...)."""


# ---------------------------------------------------------------------------
# reading metrics (a JourneyMetrics, its to_payload() dict, or nothing)
# ---------------------------------------------------------------------------


def _payload_of(metrics: Any) -> dict:
    if metrics is None:
        return {}
    if isinstance(metrics, dict):
        return metrics
    fn = getattr(metrics, "to_payload", None)
    if callable(fn):
        if getattr(metrics, "_engine", True) is None and getattr(metrics, "_feedback", None) is None:
            return {}
        try:
            return fn()
        except Exception as err:  # nothing bound yet
            if type(err).__name__ == "BindingError":
                return {}
            raise
    raise ChartError(
        f"metrics must be a jw.JourneyMetrics or its to_payload() dict, got {type(metrics).__name__}"
    )


def _num(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _labels(items: list[dict]) -> dict[str, str]:
    """Axis label per item: its name, made unique with the id when names repeat."""
    names = [str(it.get("name") or it["id"]) for it in items]
    seen: dict[str, int] = {}
    for n in names:
        seen[n] = seen.get(n, 0) + 1
    return {it["id"]: (n if seen[n] == 1 else f"{n} ({it['id']})") for it, n in zip(items, names)}


def _tp_order(doc: dict) -> list[dict]:
    """Touchpoints in map order: by stage order, then list order within the stage."""
    sidx = {s["id"]: k for k, s in enumerate(doc.get("stages", []))}
    tps = list(enumerate(doc.get("touchpoints", [])))
    tps.sort(key=lambda x: (sidx.get(x[1].get("stage"), len(sidx)), x[0]))
    return [tp for _, tp in tps]


def available_metrics(metrics: Any) -> list[str]:
    """Touchpoint metrics the ``"metric"`` overlay can draw for these metrics."""
    payload = _payload_of(metrics)
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


# ---------------------------------------------------------------------------
# feedback intervals (from the bound survey responses, kept by the binding)
# ---------------------------------------------------------------------------


def _feedback_intervals(metrics: Any, doc: dict) -> dict[str, tuple[float, float]]:
    """95 % interval of the data-derived emotion per touchpoint, on the emotion scale.

    Mean scales (csat, 1-5...): mean +- 1.96 sd / sqrt(n), mapped like the mean.
    NPS: NPS +- 1.96 * sqrt((p + d - (p - d)^2) / n) (p promoters, d detractors).
    """
    fb = getattr(metrics, "_feedback", None)
    if fb is None:
        return {}
    try:
        import numpy as np

        es = doc.get("emotion_scale") or {"min": -2, "max": 2}
        emin, emax = float(es.get("min", -2)), float(es.get("max", 2))
        tok = getattr(fb, "tok", None)
        if tok is None:
            return {}
        tp_of_row = np.array(list(tok) + [-1], dtype=np.int64)[fb.key_codes]
        sel = fb.valid & (tp_of_row >= 0)
        segment = getattr(metrics, "segment", None)
        if segment is not None and fb.seg_codes is not None and segment in fb.segs:
            sel &= fb.seg_codes == fb.segs.index(segment)
        out = {}
        tps = doc.get("touchpoints", [])
        for j, tp in enumerate(tps):
            v = fb.scores[np.flatnonzero(sel & (tp_of_row == j))]
            n = int(v.shape[0])
            if n < 2:
                continue
            if fb.kind == "nps":
                p = float((v >= 9).sum()) / n
                d = float((v <= 6).sum()) / n
                se = math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)
                c = p - d
                lo_n, hi_n = (c - 1.96 * se + 1) / 2, (c + 1.96 * se + 1) / 2
            else:
                m = float(v.mean())
                se = float(v.std(ddof=1)) / math.sqrt(n)
                span = fb.hi - fb.lo
                lo_n, hi_n = (m - 1.96 * se - fb.lo) / span, (m + 1.96 * se - fb.lo) / span
            lo_n, hi_n = max(lo_n, 0.0), min(hi_n, 1.0)
            out[tp["id"]] = (round(emin + lo_n * (emax - emin), 3), round(emin + hi_n * (emax - emin), 3))
        return out
    except Exception:  # the binding's internals changed: show the curve without intervals
        return {}


# ---------------------------------------------------------------------------
# trend: touchpoint x period aggregates
# ---------------------------------------------------------------------------

_FREQ_DAYS = {"D": 1, "W": 7}


def _pick_freq(t_min_ns: int, t_max_ns: int, max_periods: int) -> str:
    days = max((t_max_ns - t_min_ns) / 86_400e9, 0.0)
    if days / 1 <= max_periods:
        return "D"
    if days / 7 <= max_periods:
        return "W"
    if days / 30.44 <= max_periods:
        return "M"
    return "Q"


def _period_codes(np, t_ns, freq: str):
    """Integer period codes and a function code -> ISO start date."""
    days = t_ns // 86_400_000_000_000
    if freq == "D":
        codes = days
        return codes, lambda c: str(np.datetime64(int(c), "D"))
    if freq == "W":  # weeks start on Monday; 1970-01-01 was a Thursday
        codes = (days + 3) // 7
        return codes, lambda c: str(np.datetime64(int(c) * 7 - 3, "D"))
    months = t_ns.astype("datetime64[ns]").astype("datetime64[M]").astype(np.int64)
    if freq == "M":
        return months, lambda c: str(np.datetime64(int(c), "M").astype("datetime64[D]"))
    if freq == "Q":
        return months // 3, lambda c: str(np.datetime64(int(c) * 3, "M").astype("datetime64[D]"))
    raise ChartError(f"freq must be 'D', 'W', 'M' or 'Q', got {freq!r}")


def trend_table(metrics: Any, metric: str = "customers", *, freq: str | None = None,
                max_points: int = TREND_MAX_POINTS) -> list[dict]:
    """Rows ``{touchpoint, period, value}``: customers (or events) per touchpoint and period.

    Computed from the binding's compact event arrays (customer code, time and
    key per event; no raw rows), in the current segment, for the touchpoints
    of the current map. ``freq`` (``"D"``, ``"W"``, ``"M"``, ``"Q"``) is picked
    from the time span when not given; at most ``max_points`` rows are made
    (the latest periods are kept).
    """
    if metric not in TREND_METRICS:
        raise ChartError(f"the trend overlay draws {' or '.join(TREND_METRICS)}, not {metric!r}")
    if isinstance(metrics, dict):
        rows = metrics.get("trend") or []
        return [r for r in rows if r.get("metric", metric) == metric]
    engine = getattr(metrics, "_engine", None)
    store = getattr(engine, "store", None)
    if store is None or getattr(store, "n_events", 0) == 0:
        return []
    cache = metrics.__dict__.setdefault("_jw_trend_cache", {})
    tok = list(getattr(metrics, "_tp_of_key", []))
    seg = getattr(metrics, "segment", None)
    doc = getattr(metrics, "_doc", {}) or {}
    tp_ids = [tp["id"] for tp in doc.get("touchpoints", [])]
    key = (id(store), seg, tuple(tok), tuple(tp_ids), metric, freq, max_points)
    if key in cache:
        return cache[key]
    import numpy as np

    t = store.t
    T = max(len(tp_ids), 1)
    tok_arr = np.array([x if x >= 0 else -1 for x in tok] + [-1], dtype=np.int64)
    tp_ev = tok_arr[store.key.astype(np.int64)]
    mask = tp_ev >= 0
    if seg is not None and seg in store.segments:
        mask &= store.seg_of_cust[store.cust] == store.segments.index(seg)
    if not mask.any():
        cache.clear()
        cache[key] = []
        return []
    t_sel = t[mask]
    tp_sel = tp_ev[mask]
    per_tp = max(max_points // max(int(np.unique(tp_sel).shape[0]), 1), 4)
    f = freq or _pick_freq(int(t_sel.min()), int(t_sel.max()), per_tp)
    codes, start_of = _period_codes(np, t_sel, f)
    c0 = int(codes.max()) - per_tp + 1
    keep = codes >= c0
    if not keep.all():
        codes, tp_sel = codes[keep], tp_sel[keep]
    P = per_tp
    g = tp_sel * P + (codes - c0)
    if metric == "events":
        counts = np.bincount(g, minlength=T * P)
    else:
        cust = store.cust[mask]
        if not keep.all():
            cust = cust[keep]
        # distinct (touchpoint x period, customer) pairs: sort + run starts (faster than
        # np.unique's hashing on millions of rows)
        pairs = g.astype(np.int64) * (int(store.n_customers) + 1) + cust
        pairs.sort()
        first_of_run = np.ones(pairs.shape[0], dtype=bool)
        np.not_equal(pairs[1:], pairs[:-1], out=first_of_run[1:])
        counts = np.bincount(pairs[first_of_run] // (int(store.n_customers) + 1), minlength=T * P)
    counts = counts[: T * P].reshape(T, P)
    present = np.flatnonzero(counts.sum(axis=0))
    first = int(present[0]) if present.shape[0] else 0
    rows = []
    for j in range(min(T, len(tp_ids))):
        if counts[j].sum() == 0:
            continue
        for p in range(first, P):
            rows.append({"touchpoint": tp_ids[j], "period": start_of(c0 + p), "value": int(counts[j, p])})
    if len(cache) > 8:
        cache.clear()
    cache[key] = rows
    return rows


def period_counts(df: Any, *, touchpoint: str, time: str, customer: str | None = None,
                  freq: str = "W") -> Any:
    """Events (and distinct customers) per (touchpoint key, period) of a raw pandas event frame.

    A small helper for custom charts: ``period_counts(rows, touchpoint="event",
    time="ts", customer="user")`` returns a DataFrame with columns
    ``touchpoint, period, events[, customers]`` - aggregates only, ready to chart.
    """
    import pandas as pd

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


# ---------------------------------------------------------------------------
# built-in overlays: tables
# ---------------------------------------------------------------------------


def overlay_table(name: str, journey_doc: Any, metrics: Any, metric: str | None = None) -> list[dict]:
    """The aggregated rows an overlay draws (one per touchpoint / stage / touchpoint x period)."""
    doc = journey_doc.to_dict() if hasattr(journey_doc, "to_dict") else journey_doc
    if name == "none":
        return []
    if name == "emotion":
        return _emotion_rows(doc, metrics)
    if name == "funnel":
        return _funnel_rows(doc, _payload_of(metrics))
    if name == "metric":
        return _metric_rows(doc, _payload_of(metrics), metric or "customers")[0]
    if name == "trend":
        return trend_table(metrics, metric or "customers") if metrics is not None else []
    raise ChartError(f"unknown overlay {name!r}; overlays: {', '.join(OVERLAYS)}")


def _emotion_rows(doc: dict, metrics: Any, payload: dict | None = None) -> list[dict]:
    payload = _payload_of(metrics) if payload is None else payload
    fb = payload.get("feedback") or {}
    intervals = _feedback_intervals(metrics, doc) if fb else {}
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
        cust = _num(rec.get("customers")) or 0.0
        conv = _num(rec.get("conversion"))
        drop = _num(rec.get("dropoff"))
        if conv is None and prev:
            conv = cust / prev
        if drop is None and prev is not None:
            drop = max(prev - cust, 0.0)
        rate = _num(rec.get("dropoff_rate"))
        if rate is None and prev:
            rate = (drop or 0.0) / prev
        rows.append({
            "stage": s["id"], "label": labels[s["id"]], "order": k, "customers": int(cust),
            "share": _num(rec.get("share")), "conversion": conv, "dropoff": int(drop or 0),
            "dropoff_rate": rate, "top": int(cust + (drop or 0)),
            "conv_text": "" if conv is None else f"{conv:.0%}",
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


# ---------------------------------------------------------------------------
# built-in overlays: specs
# ---------------------------------------------------------------------------

_THEMES = {
    "light": {"fg": "#1f2328", "muted": "#59636e", "grid": "#d1d9e0", "accent": "#2f6fb5",
              "bad": "#c94a4a", "data": "#d9822b"},
    "dark": {"fg": "#e6e6e6", "muted": "#a8a8a8", "grid": "#3d444d", "accent": "#6ea8fe",
             "bad": "#f27474", "data": "#f5a524"},
}


def _theme_config(theme: str | None) -> dict | None:
    if theme is None:
        return None
    if theme not in _THEMES:
        raise ChartError(f"theme must be 'light', 'dark' or None, got {theme!r}")
    c = _THEMES[theme]
    axis = {"domainColor": c["grid"], "gridColor": c["grid"], "tickColor": c["grid"],
            "labelColor": c["muted"], "titleColor": c["fg"]}
    return {
        "background": "transparent", "view": {"stroke": None}, "axis": axis,
        "legend": {"labelColor": c["muted"], "titleColor": c["fg"]},
        "header": {"labelColor": c["fg"], "titleColor": c["fg"]},
        "title": {"color": c["fg"]}, "text": {"color": c["fg"]},
        "mark": {"color": c["accent"]}, "bar": {"color": c["accent"]},
        "line": {"color": c["accent"]}, "point": {"color": c["accent"], "filled": True},
        "range": {"category": [c["accent"], c["data"], "#2b9a57", c["bad"], "#7c5cc4", "#2a9d9d"]},
    }


def _highlight(alt, field_test: str, on: float = 1.0, off: float = 0.3):
    """Opacity: everything full when nothing is selected, else the selected marks stand out."""
    return alt.condition(f"{SELECT_PARAM} == '' || {field_test}", alt.value(on), alt.value(off))


def _sel_param(alt):
    return alt.param(name=SELECT_PARAM, value="")


def _x_items(alt, title=None):
    return alt.X("label:N", sort=alt.EncodingSortField("order", op="min"), title=title,
                 axis=alt.Axis(labelAngle=-30, labelLimit=110, labelOverlap=False))


def _overlay_chart(name: str, doc: dict, rows: list[dict], metric: str | None, unit: str = ""):
    """The Altair chart of an overlay, its data left as the named dataset ``table``."""
    import altair as alt

    data = alt.NamedData(name=DATA_NAME)
    sel_tp = f"datum.touchpoint == {SELECT_PARAM} || datum.stage == {SELECT_PARAM}"
    if name == "emotion":
        es = doc.get("emotion_scale") or {"min": -2, "max": 2}
        lo, hi = float(es.get("min", -2)), float(es.get("max", 2))
        y = alt.Y("emotion:Q", scale=alt.Scale(domain=[lo, hi]), title="Emotion",
                  axis=alt.Axis(values=list(range(int(math.ceil(lo)), int(math.floor(hi)) + 1))))
        base = alt.Chart(data).encode(x=_x_items(alt), y=y)
        tip = [alt.Tooltip("label:N", title="Touchpoint"), alt.Tooltip("stage_label:N", title="Stage"),
               alt.Tooltip("source:N", title="Source"), alt.Tooltip("emotion:Q", title="Emotion", format=".2f")]
        layers = []
        if lo < 0 < hi:  # the neutral line: one rule, from constant data (not one per row)
            layers.append(alt.Chart(alt.InlineData(values=[{"neutral": 0}])).mark_rule(
                strokeDash=[2, 3], opacity=0.5).encode(y=alt.Y("neutral:Q", scale=alt.Scale(domain=[lo, hi]))))
        hand = base.transform_filter("datum.source == 'map'")
        line = hand.mark_line(interpolate="monotone", strokeWidth=2)
        # colours from the theme's category range: map = first, data = second
        source = alt.Color("source:N", scale=alt.Scale(domain=["map", "data"]), legend=None)
        line = line.encode(color=source)
        pts = hand.mark_point(size=70, filled=True, cursor="pointer").encode(
            opacity=_highlight(alt, sel_tp), tooltip=tip, color=source,
        )
        measured = base.transform_filter("datum.source == 'data'")
        err = measured.transform_filter("isValid(datum.lo)").mark_rule(strokeWidth=2).encode(
            y="lo:Q", y2="hi:Q", color=source, opacity=_highlight(alt, sel_tp, 0.8, 0.2))
        dpts = measured.mark_point(shape="diamond", filled=True, cursor="pointer").encode(
            size=alt.Size("n:Q", scale=alt.Scale(range=[40, 220]), title="Respondents", legend=None),
            color=source, opacity=_highlight(alt, sel_tp),
            tooltip=tip + [alt.Tooltip("n:Q", title="Respondents", format=","),
                           alt.Tooltip("lo:Q", title="95% low", format=".2f"),
                           alt.Tooltip("hi:Q", title="95% high", format=".2f")],
        )
        chart = alt.layer(*layers, line, pts, err, dpts).properties(
            width=alt.Step(64), height=150,
            title=alt.Title("Emotion curve", subtitle="line: set on the map · diamonds: from feedback (95% interval)"),
        )
    elif name == "funnel":
        x = alt.X("label:N", sort=alt.EncodingSortField("order", op="min"), title=None,
                  axis=alt.Axis(labelAngle=0, labelLimit=120))
        base = alt.Chart(data).encode(x=x)
        sel_stage = (f"datum.stage == {SELECT_PARAM} || "
                     f"indexof(datum.tps, '|' + {SELECT_PARAM} + '|') >= 0")
        tip = [alt.Tooltip("label:N", title="Stage"), alt.Tooltip("customers:Q", title="Customers", format=","),
               alt.Tooltip("conversion:Q", title="Conversion", format=".1%"),
               alt.Tooltip("dropoff:Q", title="Drop-off", format=","),
               alt.Tooltip("dropoff_rate:Q", title="Drop-off rate", format=".1%")]
        bars = base.mark_bar(cursor="pointer", cornerRadiusTopLeft=2, cornerRadiusTopRight=2).encode(
            y=alt.Y("customers:Q", title="Customers"), opacity=_highlight(alt, sel_stage), tooltip=tip)
        drop = base.transform_filter("datum.dropoff > 0").mark_bar(
            color="#c94a4a", opacity=0.25, cursor="pointer").encode(y="customers:Q", y2="top:Q", tooltip=tip)
        text = base.transform_filter("datum.conv_text != ''").mark_text(dy=-6, fontSize=11).encode(
            y="top:Q", text="conv_text:N")
        chart = alt.layer(bars, drop, text).properties(
            width=alt.Step(90), height=150,
            title=alt.Title("Stage funnel", subtitle="bars: customers reaching the stage · red: lost since the stage before · %: conversion"),
        )
    elif name == "metric":
        m = metric or "customers"
        fmt = ".0%" if m in ("share", "conversion", "dropoff_rate") else ",.4~r"
        title = m.replace("_", " ") + (f" ({unit})" if unit else "")
        chart = alt.Chart(data).mark_bar(cursor="pointer").encode(
            x=_x_items(alt),
            y=alt.Y("value:Q", title=title, axis=alt.Axis(format=fmt)),
            color=alt.Color("stage_label:N", title="Stage", sort=alt.EncodingSortField("stage_order", op="min"),
                            legend=alt.Legend(orient="bottom")),
            opacity=_highlight(alt, sel_tp),
            tooltip=[alt.Tooltip("label:N", title="Touchpoint"), alt.Tooltip("stage_label:N", title="Stage"),
                     alt.Tooltip("value:Q", title=title, format=fmt)],
        ).properties(width=alt.Step(48), height=140, title=alt.Title(f"{title} by touchpoint"))
    elif name == "trend":
        m = metric or "customers"
        tps = _tp_order(doc)
        labels = _labels(tps)
        names = [{"touchpoint": tp["id"], "label": labels[tp["id"]], "order": k} for k, tp in enumerate(tps)]
        spark = alt.Chart().mark_line(strokeWidth=1.5, cursor="pointer", point=False).encode(
            x=alt.X("period:T", title=None, axis=alt.Axis(labels=False, ticks=False, grid=False, domain=False)),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(labels=False, ticks=False, grid=False, domain=False, tickCount=2)),
            opacity=_highlight(alt, "datum.touchpoint == " + SELECT_PARAM, 1.0, 0.25),
            tooltip=[alt.Tooltip("label:N", title="Touchpoint"), alt.Tooltip("period:T", title="Period start"),
                     alt.Tooltip("value:Q", title=m, format=",")],
        ).properties(width=110, height=34)
        chart = alt.FacetChart(
            data=data,
            spec=spark,
            facet=alt.Facet("label:N", sort=alt.EncodingSortField("order", op="min"), title=None,
                            header=alt.Header(labelLimit=110, labelFontSize=10)),
            columns=min(max(len(names), 1), 6),
            transform=[alt.LookupTransform(
                lookup="touchpoint",
                **{"from": alt.LookupData(data=alt.InlineData(values=names), key="touchpoint", fields=["label", "order"])},
            )],
            resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent")),
            title=alt.Title(f"{m} per period, by touchpoint"),
        )
    else:
        raise ChartError(f"unknown overlay {name!r}; overlays: {', '.join(OVERLAYS)}")
    return chart.add_params(_sel_param(alt))


_SPEC_CACHE: dict = {}


def _spec_key(name: str, doc: dict, metric: str | None, unit: str) -> str:
    """What an overlay's spec (not its data) depends on."""
    if name == "emotion":
        extra: Any = doc.get("emotion_scale")
    elif name == "trend":
        tps = _tp_order(doc)
        labels = _labels(tps)
        extra = [labels[tp["id"]] for tp in tps] + [tp["id"] for tp in tps]
    else:
        extra = None
    return json.dumps([name, metric, unit, extra], sort_keys=True, default=str)


def _overlay_parts(name: str, doc: dict, metrics: Any, metric: str | None,
                   theme: str | None, payload: dict | None = None) -> tuple[dict, list[dict]]:
    """(spec with ``data: {name: "table"}`` and no values, rows)."""
    if name not in OVERLAYS or name == "none":
        raise ChartError(f"unknown overlay {name!r}; overlays: {', '.join(OVERLAYS[1:])}")
    unit = ""
    payload = _payload_of(metrics) if payload is None else payload
    if name == "metric":
        rows, unit = _metric_rows(doc, payload, metric or "customers")
    elif name == "trend":
        if (metric or "customers") not in TREND_METRICS:
            raise ChartError(f"the trend overlay draws {' or '.join(TREND_METRICS)}, not {metric!r}")
        rows = trend_table(metrics, metric or "customers") if metrics is not None else []
    elif name == "funnel":
        rows = _funnel_rows(doc, payload)
    else:
        rows = _emotion_rows(doc, metrics, payload)
    key = _spec_key(name, doc, metric, unit)
    spec_json = _SPEC_CACHE.get(key)
    if spec_json is None:
        spec_json = json.dumps(_overlay_chart(name, doc, rows, metric, unit).to_dict())
        if len(_SPEC_CACHE) > 64:
            _SPEC_CACHE.clear()
        _SPEC_CACHE[key] = spec_json
    spec = json.loads(spec_json)
    cfg = _theme_config(theme)
    if cfg is not None:
        spec["config"] = {**spec.get("config", {}), **cfg}
    return spec, rows


def overlay_spec(name: str, journey_doc: Any, metrics: Any, metric: str | None = None,
                 theme: str | None = "light") -> dict:
    """The Vega-Lite spec (a dict, via Altair) of a built-in overlay, its data inlined.

    ``name``: ``"emotion"``, ``"funnel"``, ``"metric"`` or ``"trend"``.
    ``journey_doc``: the journey's document (or the ``jw.Journey``).
    ``metrics``: a ``jw.JourneyMetrics`` (or its ``to_payload()`` dict, or None).
    ``metric``: the metric of the ``"metric"`` overlay (default ``customers``) or of
    the ``"trend"`` overlay (``customers`` or ``events``). ``theme``: ``"light"``,
    ``"dark"`` or None (no colours; the widget applies the map's theme).

    The data is the aggregated rows (``spec["data"]["values"]``), each with a
    ``touchpoint`` or ``stage`` field; a ``jw_selected`` param highlights one.
    """
    doc = journey_doc.to_dict() if hasattr(journey_doc, "to_dict") else journey_doc
    spec, rows = _overlay_parts(name, doc, metrics, metric, theme)
    spec["data"] = {"name": DATA_NAME, "values": rows}
    return spec


# ---------------------------------------------------------------------------
# custom charts
# ---------------------------------------------------------------------------


def _spec_hash(obj: Any) -> str:
    return hashlib.sha1(json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False,
                                   default=str).encode()).hexdigest()[:16]


def _count_rows(chart: Any, seen: set | None = None) -> int:
    """Rows of inline data an Altair chart carries (top level and sub-charts), before to_dict."""
    seen = set() if seen is None else seen
    total = 0
    data = getattr(chart, "data", None)
    if data is not None and id(data) not in seen and not isinstance(data, (str, dict)):
        seen.add(id(data))
        shape = getattr(data, "shape", None)
        if shape is not None and len(shape) >= 1 and isinstance(shape[0], int):
            total += shape[0]
        elif hasattr(data, "values") and isinstance(getattr(data, "values", None), list):
            total += len(data.values)
    for attr in ("layer", "hconcat", "vconcat", "concat"):
        subs = getattr(chart, attr, None)
        if isinstance(subs, list):
            for sub in subs:
                total += _count_rows(sub, seen)
    spec = getattr(chart, "spec", None)
    if spec is not None and not isinstance(spec, dict) and hasattr(spec, "to_dict"):
        total += _count_rows(spec, seen)
    return total


def _too_many_rows(n: int, name: str) -> str:
    return (
        f"chart {name!r} carries {n:,} data rows; a chart on the map may carry at most "
        f"{MAX_ROWS:,} because its data is sent to the browser. Aggregate in your function "
        f"first (e.g. rows.groupby('week').size().reset_index(name='events'), or "
        f"journeywidget.charts.period_counts(rows, ...)) and chart the result."
    )


def _walk_data(node: Any, fn: Callable[[dict], None]) -> None:
    if isinstance(node, dict):
        d = node.get("data")
        if isinstance(d, dict):
            fn(d)
        from_ = node.get("from")
        if isinstance(from_, dict) and isinstance(from_.get("data"), dict):
            fn(from_["data"])
        for k, v in node.items():
            if k in ("datasets",):
                continue
            if isinstance(v, (dict, list)):
                _walk_data(v, fn)
    elif isinstance(node, list):
        for v in node:
            _walk_data(v, fn)


def _json_clean(obj: Any) -> Any:
    """A JSON-safe deep copy: NaN / infinity become null, unknown objects their str()."""
    if isinstance(obj, dict):
        return {str(k): _json_clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_clean(v) for v in obj]
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if obj is None or isinstance(obj, (str, int, bool)):
        return obj
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalars
        try:
            return _json_clean(obj.item())
        except (TypeError, ValueError):
            pass
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return str(obj)


def split_spec(spec: dict, name: str = "chart") -> tuple[dict, dict | None]:
    """Split a Vega-Lite dict into (spec whose main data is ``{"name": "table"}``, data).

    The largest inline dataset becomes ``table``; smaller ones stay in the spec.
    Raises :class:`ChartError` for URL data (the browser would fetch it) or too many rows.
    """
    spec = _json_clean(spec)
    urls: list[str] = []
    inline: list[list] = []

    def check(d: dict) -> None:
        if "url" in d:
            urls.append(str(d["url"]))
        if isinstance(d.get("values"), list):
            inline.append(d["values"])

    _walk_data(spec, check)
    if urls:
        raise ChartError(
            f"chart {name!r} loads data from a URL ({urls[0][:80]}); charts on the map work "
            "offline, so pass a (small, aggregated) DataFrame instead"
        )
    datasets: dict = spec.pop("datasets", {}) or {}
    # inline values at the top level become a dataset too
    top = spec.get("data")
    if isinstance(top, dict) and isinstance(top.get("values"), list):
        nm = top.get("name") or "__inline__"
        datasets[nm] = top.pop("values")
        top.clear()
        top["name"] = nm
    total = sum(len(v) for v in datasets.values() if isinstance(v, list)) + sum(len(v) for v in inline)
    if total > MAX_ROWS:
        raise ChartError(_too_many_rows(total, name))
    if not datasets:
        return spec, None
    main = max(datasets, key=lambda k: len(datasets[k]) if isinstance(datasets[k], list) else 0)
    values = datasets.pop(main)

    def rename(d: dict) -> None:
        if d.get("name") == main and "values" not in d:
            d["name"] = DATA_NAME

    _walk_data(spec, rename)
    if datasets:
        if DATA_NAME in datasets:  # a user's own dataset called "table"
            datasets["table_"] = datasets.pop(DATA_NAME)
        spec["datasets"] = datasets
    return spec, {"name": DATA_NAME, "values": values}


def chart_to_parts(chart: Any, name: str = "chart") -> tuple[dict, dict | None]:
    """An Altair chart (or Vega-Lite dict) -> (spec without its main data, data)."""
    if isinstance(chart, dict):
        return split_spec(chart, name)
    if not hasattr(chart, "to_dict"):
        raise ChartError(
            f"chart {name!r}: expected an Altair chart, got {type(chart).__name__}; "
            "return e.g. alt.Chart(df).mark_bar().encode(...)"
        )
    n = _count_rows(chart)
    if n > MAX_ROWS:
        raise ChartError(_too_many_rows(n, name))
    import altair as alt

    try:
        with alt.data_transformers.enable("default", max_rows=MAX_ROWS):
            spec = chart.to_dict()
    except alt.MaxRowsError:
        raise ChartError(_too_many_rows(n or MAX_ROWS + 1, name)) from None
    return split_spec(spec, name)


class ChartContext:
    """What a chart function may use besides its rows (pass a second parameter to get it)."""

    def __init__(self, chartset: ChartSet, at: str, kind: str, item: dict | None) -> None:
        self.at = at
        self.kind = kind  # "map", "stage" or "touchpoint"
        self.item = item
        self.journey = chartset.journey
        self.metrics = chartset.metrics
        self.columns = dict(chartset.columns)
        self.segment = getattr(chartset.metrics, "segment", None)

    def __repr__(self) -> str:
        return f"<ChartContext at={self.at!r} kind={self.kind} segment={self.segment!r}>"


class _Custom:
    def __init__(self, key: str, obj: Any, at: str, n_args: int) -> None:
        self.key = key
        self.obj = obj
        self.at = at
        self.n_args = n_args
        self.calls = 0
        self.sig: Any = None
        self.parts: tuple[dict | None, dict | None, str | None] = (None, None, None)


def _n_positional(fn: Callable) -> int:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return 1
    n = 0
    for p in sig.parameters.values():
        if p.kind == p.VAR_POSITIONAL:
            return 2
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            n += 1
    return n


def _is_chart_function(obj: Any) -> bool:
    return callable(obj) and not hasattr(obj, "to_dict") and not isinstance(obj, dict)


class ChartSet:
    """The charts on one map: a built-in overlay plus custom charts, kept up to date.

    >>> import journeywidget as jw
    >>> from journeywidget.charts import ChartSet
    >>> j = jw.Journey.from_template("ecommerce-purchase")
    >>> cs = ChartSet(j, overlay="emotion")
    >>> sorted(cs.payload()["specs"])
    ['overlay']
    """

    def __init__(self, journey: Any, metrics: Any = None, *, overlay: str = "none",
                 metric: str | None = None, follow_journey: bool = True) -> None:
        self.journey = journey
        self.metrics: Any = None
        self._events: Any = None  # the raw frame bound through this ChartSet
        self._engine_seen: Any = None
        self._custom: dict[str, _Custom] = {}
        self._listeners: list[Callable[[ChartSet], None]] = []
        self._revs: dict[str, list] = {}  # key -> [spec_hash, rev, data_hash, data_rev]
        self._unsub_metrics: Callable | None = None
        self._owns_metrics = False
        self._unsub_journey: Callable | None = None
        self._frame_cache: dict = {}
        self.metrics_payload: dict = {}
        self._overlay = "none"
        self._metric = metric
        self.set_overlay(overlay, metric, notify=False)
        if follow_journey and hasattr(journey, "on_change"):
            self._unsub_journey = journey.on_change(self._on_journey)
        self.set_metrics(metrics, notify=False)

    # -- wiring ---------------------------------------------------------------
    def _doc(self) -> dict:
        j = self.journey
        return j.to_dict() if hasattr(j, "to_dict") else j

    def set_metrics(self, metrics: Any, *, notify: bool = True) -> None:
        """Use these metrics (a ``jw.JourneyMetrics``, a payload dict, or None)."""
        if self._unsub_metrics is not None:
            self._unsub_metrics()
            self._unsub_metrics = None
        if self._owns_metrics and metrics is not self.metrics and hasattr(self.metrics, "close"):
            self.metrics.close()
        self._owns_metrics = False
        self.metrics = metrics
        if metrics is not None and hasattr(metrics, "on_update"):
            self._unsub_metrics = metrics.on_update(self._on_metrics)
        if notify:
            self._notify()

    def on_change(self, callback: Callable[[ChartSet], None]) -> Callable[[], None]:
        """Call ``callback(chartset)`` whenever the payload may have changed."""
        self._listeners.append(callback)

        def unsubscribe() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return unsubscribe

    def close(self) -> None:
        """Stop following the journey and the metrics (and close metrics made here)."""
        for unsub in (self._unsub_metrics, self._unsub_journey):
            if unsub is not None:
                unsub()
        self._unsub_metrics = self._unsub_journey = None
        self._listeners.clear()
        if self._owns_metrics and hasattr(self.metrics, "close"):
            self.metrics.close()

    def _notify(self) -> None:
        for cb in list(self._listeners):
            cb(self)

    def _metrics_follows_journey(self) -> bool:
        m = self.metrics
        return (m is not None and getattr(m, "_journey", None) is self.journey
                and getattr(m, "_unsubscribe", None) is not None)

    def _on_journey(self, journey: Any = None) -> None:
        if self._metrics_follows_journey():
            # the metrics re-read the map on every change and then notify us (see
            # _on_metrics); reacting here too would redraw twice, once with stale numbers.
            return
        self._notify()

    def _on_metrics(self, metrics: Any = None) -> None:
        self._notify()

    # -- the overlay ------------------------------------------------------------
    @property
    def overlay(self) -> str:
        return self._overlay

    @property
    def metric(self) -> str | None:
        return self._metric

    def set_overlay(self, name: str | None, metric: str | None = None, *, notify: bool = True) -> None:
        """Show a built-in overlay (``"none"`` hides it) drawing ``metric``."""
        name = name or "none"
        if name not in OVERLAYS:
            raise ChartError(f"unknown overlay {name!r}; overlays: {', '.join(OVERLAYS)}")
        self._overlay = name
        if metric is not None or name not in ("metric", "trend"):
            self._metric = metric
        if self._overlay == "trend" and self._metric not in (None, *TREND_METRICS):
            self._metric = None
        if notify:
            self._notify()

    def available_metrics(self) -> list[str]:
        return available_metrics(self.metrics)

    # -- the bound rows -----------------------------------------------------------
    def bind_events(self, df: Any, **kwargs: Any) -> Any:
        """Bind an event log to the metrics and keep its rows for custom charts."""
        if self.metrics is None or not hasattr(self.metrics, "bind_events"):
            from ..data.metrics import JourneyMetrics

            self.set_metrics(JourneyMetrics(self.journey), notify=False)
            self._owns_metrics = True
        self._events = df
        self._frame_cache.clear()
        result = self.metrics.bind_events(df, **kwargs)
        self._engine_seen = getattr(self.metrics, "_engine", None)
        return result

    @property
    def events(self) -> Any:
        """The raw event frame of the current binding (None if unknown)."""
        m = self.metrics
        for attr in ("events_frame", "bound_events"):
            frame = getattr(m, attr, None)
            if frame is not None and not callable(frame):
                return frame
        engine = getattr(m, "_engine", None)
        if self._events is not None and engine is not None and engine is not self._engine_seen:
            return None  # re-bound elsewhere (m.bind_events): our rows are stale
        return self._events

    @property
    def columns(self) -> dict:
        cols = getattr(self.metrics, "_cols", None)
        return {k: v for k, v in (cols or {}).items() if v is not None}

    # -- registry -------------------------------------------------------------------
    def _resolve_at(self, at: Any) -> str:
        at = getattr(at, "id", at)
        if at is None or at == "map":
            return "map"
        if not isinstance(at, str):
            raise ChartError(f"at= must be 'map', a stage id or a touchpoint id, got {at!r}")
        doc = self._doc()
        for coll in ("stages", "touchpoints"):
            for it in doc.get(coll, []):
                if it["id"] == at:
                    return at
        for coll in ("stages", "touchpoints"):
            hits = [it["id"] for it in doc.get(coll, []) if str(it.get("name", "")).casefold() == at.casefold()]
            if len(hits) == 1:
                return hits[0]
        ids = [s["id"] for s in doc.get("stages", [])] + [t["id"] for t in doc.get("touchpoints", [])]
        raise ChartError(f"at={at!r} is not 'map' nor a stage or touchpoint of this map; ids: {', '.join(ids)}")

    def add(self, chart_or_function: Any, at: Any = "map", name: str | None = None) -> str:
        """Add a chart (an Altair chart, a Vega-Lite dict or a function of the rows); returns its name."""
        place = self._resolve_at(at)
        if name is None:
            base = getattr(chart_or_function, "__name__", None)
            if not base or base == "<lambda>" or not _is_chart_function(chart_or_function):
                base = "chart"
            name = base
            k = 2
            while name in self._custom or name == "overlay":
                name = f"{base}-{k}"
                k += 1
        if not isinstance(name, str) or not name or name == "overlay":
            raise ChartError(f"chart name must be a non-empty string other than 'overlay', got {name!r}")
        n_args = _n_positional(chart_or_function) if _is_chart_function(chart_or_function) else 0
        self._custom[name] = _Custom(name, chart_or_function, place, n_args)
        self._notify()
        return name

    def remove(self, name: str) -> None:
        if name not in self._custom:
            raise ChartError(f"no chart named {name!r}; charts: {', '.join(self._custom) or 'none'}")
        del self._custom[name]
        self._revs.pop(name, None)
        self._notify()

    def names(self) -> list[str]:
        return list(self._custom)

    def calls(self, name: str) -> int:
        """How many times a chart function has run (tests, debugging)."""
        return self._custom[name].calls

    # -- rows for a place -------------------------------------------------------------
    @staticmethod
    def _is_pandas(frame: Any) -> bool:
        mod = type(frame).__module__ or ""
        return mod.startswith("pandas")

    def _cached(self, key: tuple, make: Callable[[], Any]) -> Any:
        if key not in self._frame_cache:
            self._frame_cache[key] = make()
        return self._frame_cache[key]

    def _codes_of(self, frame: Any, column: str) -> tuple[Any, list]:
        """pandas: (int codes per row, distinct values), computed once per bound frame."""
        def make():
            import pandas as pd

            codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
            return codes, list(uniques)

        return self._cached(("codes", id(frame), column), make)

    def _keys_of(self, frame: Any, column: str) -> tuple[list, list[str]]:
        """(distinct raw values, their labels) of a column, cached per frame."""
        def make():
            from ..data.metrics import _label

            if self._is_pandas(frame):
                raw = self._codes_of(frame, column)[1]
            else:
                import narwhals.stable.v1 as nw

                nf = nw.from_native(frame, eager_or_interchange_only=False)
                uniq = nf.select(nw.col(column).unique())
                if hasattr(uniq, "collect"):
                    uniq = uniq.collect()
                raw = [v for v in uniq.get_column(column).to_list() if v is not None and v == v]
            return raw, [_label(v) for v in raw]

        return self._cached(("keys", id(frame), column), make)

    def _mask_in(self, frame: Any, column: str, wanted_labels: set) -> Any:
        """pandas: boolean row mask of rows whose ``column`` label is in ``wanted_labels``."""
        import numpy as np

        codes, _ = self._codes_of(frame, column)
        raw, labels = self._keys_of(frame, column)
        lut = np.zeros(len(raw) + 1, dtype=bool)  # the last slot catches NA (code -1)
        for i, lb in enumerate(labels):
            if lb in wanted_labels:
                lut[i] = True
        return lut[codes]

    def _filter_labels(self, frame: Any, column: str, wanted_labels: set) -> Any:
        """Non-pandas frames (polars, pyarrow, DuckDB, Spark...) through narwhals."""
        import narwhals.stable.v1 as nw

        raw, labels = self._keys_of(frame, column)
        values = [r for r, lb in zip(raw, labels) if lb in wanted_labels]
        nf = nw.from_native(frame, eager_or_interchange_only=False)
        return nf.filter(nw.col(column).is_in(values)).to_native()

    def _segment_mask(self, frame: Any) -> Any:
        """pandas: row mask of the current segment (None = everyone), cached per segment.

        A customer's segment is its first known value (see JourneyMetrics); when the
        value varies or is missing on some rows, whole customers are taken (those with
        the value on some row)."""
        seg = getattr(self.metrics, "segment", None)
        col = self.columns.get("segment")
        if seg is None or col is None:
            return None

        def make():
            import numpy as np

            mask = self._mask_in(frame, col, {seg})
            problems = getattr(getattr(getattr(self.metrics, "_engine", None), "store", None),
                               "problems", {}) or {}
            cust = self.columns.get("customer")
            if cust and ("segment_varies" in problems or "missing_segment" in problems):
                codes, uniq = self._codes_of(frame, cust)
                members = np.zeros(len(uniq) + 1, dtype=bool)
                members[codes[mask]] = True
                members[-1] = False
                mask = members[codes]
            return mask

        for k in [k for k in self._frame_cache if k[0] == "segmask" and k[3] != seg]:
            del self._frame_cache[k]
        return self._cached(("segmask", id(frame), col, seg), make)

    def _place_labels(self, at: str, doc: dict) -> set:
        """Labels of the touchpoint keys whose rows belong to a stage / touchpoint."""
        tps = doc.get("touchpoints", [])
        stage_ids = {s["id"] for s in doc.get("stages", [])}
        if at in stage_ids:
            want = {j for j, tp in enumerate(tps) if tp.get("stage") == at}
        else:
            want = {j for j, tp in enumerate(tps) if tp["id"] == at}
            if not want:
                raise ChartError(f"{at!r} is no longer on the map")
        from ..data.metrics import resolve_mapping

        _, labels = self._keys_of(self.events, self.columns.get("touchpoint"))
        tok, _ = resolve_mapping(doc, labels, getattr(self.metrics, "_mapping", None))
        return {lb for lb, j in zip(labels, tok) if j in want}

    def rows_for(self, at: str, doc: dict | None = None) -> Any:
        """The bound event rows of a place (``"map"``, a stage id or a touchpoint id) in the
        current segment: what a chart function anchored there receives."""
        frame = self.events
        if frame is None:
            if getattr(self.metrics, "_engine", None) is not None:
                raise ChartError(
                    "the metrics were bound without this widget, so their rows are not at hand; "
                    "bind through widget.bind_events(df, ...) to use chart functions"
                )
            raise ChartError("no events bound yet; call widget.bind_events(df, customer=..., "
                             "time=..., touchpoint=...) first")
        col = self.columns.get("touchpoint")
        wanted = None if at == "map" else self._place_labels(at, doc or self._doc())
        if self._is_pandas(frame):
            mask = self._segment_mask(frame)
            if wanted is not None:
                tp_mask = self._mask_in(frame, col, wanted)
                mask = tp_mask if mask is None else (tp_mask & mask)
            return frame if mask is None else frame[mask]
        seg = getattr(self.metrics, "segment", None)
        seg_col = self.columns.get("segment")
        out = frame
        if seg is not None and seg_col is not None:
            out = self._filter_labels(out, seg_col, {seg})
        if wanted is not None:
            out = self._filter_labels(out, col, wanted)
        return out

    # -- evaluation -------------------------------------------------------------------
    def _binding_sig(self) -> tuple:
        m = self.metrics
        events = self.events
        if self._frame_cache and self._frame_cache.get("__frame__") is not events:
            self._frame_cache.clear()
        self._frame_cache["__frame__"] = events
        return (id(getattr(m, "_engine", None)), id(events), getattr(m, "segment", None),
                id(getattr(m, "_mapping", None)))

    def _evaluate(self, c: _Custom, doc: dict, struct: Any) -> tuple[dict | None, dict | None, str | None]:
        if not _is_chart_function(c.obj):
            sig = ("static", id(c.obj))
            if c.sig == sig:
                return c.parts
            c.sig = sig
            try:
                spec, data = chart_to_parts(c.obj, c.key)
                c.parts = (spec, data, None)
            except ChartError as err:
                c.parts = (None, None, str(err))
            except Exception as err:  # e.g. NaN in a hand-written spec
                c.parts = (None, None, f"{type(err).__name__}: {err}")
            return c.parts
        sig = (self._binding_sig(), struct, c.at)
        if c.sig == sig:
            return c.parts
        c.sig = sig
        try:
            kind = "map"
            item = None
            if c.at != "map":
                for coll, k in (("stages", "stage"), ("touchpoints", "touchpoint")):
                    for it in doc.get(coll, []):
                        if it["id"] == c.at:
                            kind, item = k, it
                if item is None:
                    raise ChartError(f"{c.at!r} is no longer on the map")
            rows = self.rows_for(c.at, doc)
        except ChartError as err:
            c.parts = (None, None, str(err))
            return c.parts
        c.calls += 1
        try:
            if c.n_args >= 2:
                result = c.obj(rows, ChartContext(self, c.at, kind, item))
            else:
                result = c.obj(rows)
        except Exception as err:  # the user's code: show it in the chart's place
            tb = traceback.extract_tb(err.__traceback__)
            where = f" (line {tb[-1].lineno} of {tb[-1].name})" if tb else ""
            c.parts = (None, None, f"{type(err).__name__}: {err}{where}")
            return c.parts
        if result is None:
            c.parts = (None, None, f"chart {c.key!r}: the function returned None; return an Altair chart")
            return c.parts
        try:
            spec, data = chart_to_parts(result, c.key)
            c.parts = (spec, data, None)
        except ChartError as err:
            c.parts = (None, None, str(err))
        except Exception as err:
            c.parts = (None, None, f"{type(err).__name__}: {err}")
        return c.parts

    def _entry(self, key: str, at: str, spec: dict | None, data: dict | None, error: str | None,
               kind: str, title: str) -> dict:
        sh = _spec_hash(spec) if spec is not None else f"error:{error}"
        dh = _spec_hash(data) if data is not None else ""
        rv = self._revs.get(key)
        if rv is None:
            rv = self._revs[key] = [sh, 1, dh, 1]
        else:
            if rv[0] != sh:
                rv[0] = sh
                rv[1] += 1
            if rv[2] != dh:
                rv[2] = dh
                rv[3] += 1
        if data is not None and len(json.dumps(data["values"], separators=(",", ":"), default=str)) > MAX_CHART_BYTES:
            spec, data = None, None
            error = (f"chart {key!r}: its data is larger than {MAX_CHART_BYTES // 1024} KiB as JSON; "
                     "aggregate it (fewer rows or columns) before charting")
        return {"at": at, "spec": spec, "data": data, "error": error, "rev": rv[1], "data_rev": rv[3],
                "kind": kind, "title": title}

    def payload(self, theme: str | None = None) -> dict:
        """The ``_charts`` trait value: ``{"overlay", "metric", "specs": {key: entry}}``.

        Each entry: ``{"at", "spec", "data": {"name": "table", "values": [...]}, "error",
        "rev", "data_rev", "kind", "title"}``; ``rev`` changes only when the spec does.
        """
        doc = self._doc()
        struct = _struct_sig(doc)
        specs: dict[str, dict] = {}
        try:
            mp = _payload_of(self.metrics)
        except Exception:
            mp = {}
        self.metrics_payload = mp  # what the widget sends as `_metrics`
        if self._overlay != "none":
            try:
                spec, rows = _overlay_parts(self._overlay, doc, self.metrics, self._metric, theme, mp)
                data = {"name": DATA_NAME, "values": rows}
                spec.pop("data", None)
                spec["data"] = {"name": DATA_NAME}
                err = None
            except Exception as exc:  # never break the map
                spec, data, err = None, None, f"{type(exc).__name__}: {exc}"
            specs["overlay"] = self._entry("overlay", "map", spec, data, err, "overlay", self._overlay)
        for key, c in self._custom.items():
            spec, data, err = self._evaluate(c, doc, struct)
            at = c.at if (c.at == "map" or _exists(doc, c.at)) else "map"
            specs[key] = self._entry(key, at, spec, data, err, "custom", key)
        avail = []
        try:
            avail = available_metrics(mp)
        except Exception:
            pass
        return {"overlay": self._overlay, "metric": self._metric, "specs": specs,
                "metrics_available": avail, "trend_metrics": list(TREND_METRICS)}

    def __repr__(self) -> str:
        return f"<ChartSet overlay={self._overlay!r} metric={self._metric!r} charts={list(self._custom)}>"


def _exists(doc: dict, item_id: str) -> bool:
    return any(it["id"] == item_id for coll in ("stages", "touchpoints") for it in doc.get(coll, []))


def _struct_sig(doc: dict) -> tuple:
    """What the rows of a place depend on: stages, and touchpoints with their stage and keys."""
    return (
        tuple(s["id"] for s in doc.get("stages", [])),
        tuple((tp["id"], tp.get("stage"), tp.get("name"), tuple(tp.get("event_keys") or ()))
              for tp in doc.get("touchpoints", [])),
    )


# ---------------------------------------------------------------------------
# the widget side (mixed into journeywidget.widget.JourneyWidget)
# ---------------------------------------------------------------------------


import traitlets  # noqa: E402  (light; the widget imports it anyway)

#: The chart runtime module (vega + vega-lite + vega-embed), built apart from widget.js.
CHART_RUNTIME_PATH = Path(__file__).resolve().parent.parent / "static" / "charts-runtime.js"
_chart_runtime_text: str | None = None


def chart_runtime_source() -> str:
    """The text of ``static/charts-runtime.js`` (read once per process); "" when not built.

    The widget sends it in its ``_chart_runtime`` trait the first time it has a chart
    to show, so notebooks whose widgets show no chart do not save a copy of Vega.
    """
    global _chart_runtime_text
    if _chart_runtime_text is None:
        try:
            _chart_runtime_text = CHART_RUNTIME_PATH.read_text(encoding="utf-8")
        except OSError:
            import warnings

            warnings.warn(
                f"journeywidget: the chart runtime {CHART_RUNTIME_PATH} is missing, charts cannot be "
                "drawn: build it with `npm run build --prefix js`",
                RuntimeWarning,
                stacklevel=2,
            )
            return ""
    return _chart_runtime_text


def payload_has_charts(payload: Any) -> bool:
    """Whether a ``_charts`` payload has any chart entry (an overlay other than "none" or a custom chart)."""
    return isinstance(payload, dict) and bool(payload.get("specs"))


class WidgetCharts(traitlets.HasTraits):
    """Charts on the map: the ``overlay`` switch, ``add_chart`` and the ``_charts`` payload.

    Mixed into :class:`journeywidget.JourneyWidget`; call ``_init_charts()`` at the
    end of ``__init__``. Binding data through the widget (``bind_events``) keeps the
    rows in the kernel for chart functions; only aggregates reach the page.
    """

    #: The built-in overlay shown under the header: "none", "emotion", "funnel", "metric", "trend".
    overlay = traitlets.Unicode("none").tag(sync=True)
    #: The metric the "metric" overlay draws (e.g. "customers", "share", "median_next_s",
    #: "score") or the "trend" overlay draws ("customers", "events"); "" = default.
    overlay_metric = traitlets.Unicode("").tag(sync=True)
    #: The chart runtime's ES module source (static/charts-runtime.js: vega, vega-lite,
    #: vega-embed). Empty until the widget first has a chart to show, so the saved
    #: state of a widget without charts carries no copy of Vega; the page imports it
    #: once per page from a Blob URL.
    _chart_runtime = traitlets.Unicode("").tag(sync=True)

    @traitlets.validate("overlay")
    def _valid_overlay(self, proposal: dict) -> str:
        value = proposal["value"] or "none"
        if value not in OVERLAYS:
            raise traitlets.TraitError(f"overlay must be one of {', '.join(OVERLAYS)}, got {value!r}")
        return value

    def _init_charts(self, metrics: Any = None) -> None:
        import weakref

        cs = ChartSet(self.journey, metrics, follow_journey=False)
        cs.set_overlay(self.overlay, self.overlay_metric or None, notify=False)
        self._chartset = cs
        ref = weakref.ref(self)

        def changed(_cs: ChartSet, _ref: weakref.ref = ref) -> None:
            widget = _ref()
            if widget is None:
                _cs.close()
            else:
                widget._refresh_charts()

        cs.on_change(changed)
        self.observe(self._on_overlay_change, names=["overlay", "overlay_metric"])
        self._refresh_charts()

    @property
    def charts(self) -> ChartSet:
        """The :class:`journeywidget.charts.ChartSet` behind the overlays and custom charts."""
        return self._chartset

    @property
    def metrics(self) -> Any:
        """The bound :class:`journeywidget.JourneyMetrics` (None before ``bind_events``)."""
        return self._chartset.metrics

    def bind_events(self, df: Any, **kwargs: Any) -> Any:
        """Bind an event log (see ``JourneyMetrics.bind_events``); returns the metrics.

        The rows stay in the kernel: chart functions receive them, the page gets
        aggregates only.
        """
        m = self._chartset.bind_events(df, **kwargs)
        self._refresh_charts()
        return m

    def bind_feedback(self, df: Any, **kwargs: Any) -> Any:
        """Bind survey feedback (see ``JourneyMetrics.bind_feedback``); returns the metrics."""
        if self._chartset.metrics is None:
            from ..data.metrics import JourneyMetrics

            self._chartset.set_metrics(JourneyMetrics(self.journey), notify=False)
            self._chartset._owns_metrics = True
        return self._chartset.metrics.bind_feedback(df, **kwargs)

    def show_overlay(self, name: str, metric: str | None = None) -> None:
        """Show a built-in overlay: ``w.show_overlay("metric", "share")``."""
        with self.hold_trait_notifications():
            self.overlay = name
            self.overlay_metric = metric or ""

    def add_chart(self, chart_or_function: Any, at: Any = "map", name: str | None = None) -> str:
        """Put a chart on the map: an Altair chart, or a function of the bound rows.

        ``at``: ``"map"`` (under the header), a stage id or a touchpoint id. A
        function receives the event rows of that place in the current segment
        (and, if it takes a second parameter, a :class:`ChartContext`) and returns
        an Altair chart; it runs again whenever the data, the segment or the map's
        stages and touchpoints change. Errors show in the chart's place.
        Returns the chart's name (for :meth:`remove_chart`).
        """
        return self._chartset.add(chart_or_function, at=at, name=name)

    def remove_chart(self, name: str) -> None:
        """Take a chart added with :meth:`add_chart` off the map."""
        self._chartset.remove(name)

    def _charts_after_edit(self) -> None:
        """The widget's own journey listener calls this after every edit (one listener
        per widget): redraw now unless the bound metrics follow the journey, in which
        case they recompute first and then notify the ChartSet."""
        cs = getattr(self, "_chartset", None)
        if cs is not None and not cs._metrics_follows_journey():
            self._refresh_charts()

    def _on_overlay_change(self, change: dict) -> None:
        try:
            self._chartset.set_overlay(self.overlay, self.overlay_metric or None)
        except ChartError as err:
            self._charts = {**self._charts, "error": str(err)}

    def _refresh_charts(self) -> None:
        cs = self._chartset
        payload = cs.payload()
        with self.hold_sync():
            if cs.metrics is not None and hasattr(cs.metrics, "to_payload"):
                self._metrics = self._metrics_for_page(cs.metrics, cs.metrics_payload)
            if not self._chart_runtime and payload_has_charts(payload):
                self._chart_runtime = chart_runtime_source()
            self._charts = payload

    def _metrics_for_page(self, metrics: Any, payload: dict) -> dict:
        """What the widget sends as ``_metrics`` (JourneyWidget adds segment B in compare mode)."""
        return payload
