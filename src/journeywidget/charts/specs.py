"""The Vega-Lite specs (via Altair) of the built-in overlays: the chart of each
overlay's rows, themed for light or dark pages, with a ``jw_selected`` parameter
that highlights the selected touchpoint or stage.

>>> import journeywidget as jw
>>> j = jw.Journey("Demo"); s = j.add_stage("Buy")
>>> _ = j.add_touchpoint("Checkout", stage=s, emotion=-1)
>>> spec = overlay_spec("emotion", j.to_dict(), None)
>>> [(r["touchpoint"], r["emotion"]) for r in spec["data"]["values"]]
[('checkout', -1.0)]
"""

from __future__ import annotations

import json
import math
from typing import Any

from .base import DATA_NAME, OVERLAYS, SELECT_PARAM, TREND_METRICS, ChartError, _labels, _tp_order
from .tables import (
    _emotion_rows,
    _funnel_rows,
    _metric_rows,
    _opportunity_rows,
    metrics_payload_of,
    trend_table,
)

__all__ = ["overlay_spec", "overlay_parts"]

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
        "title": {"color": c["fg"], "subtitleColor": c["muted"]}, "text": {"color": c["fg"]},
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
        units = unit or "Customers"
        # one tooltip for all layers (on the layer chart: the spec carries it once)
        tip = [alt.Tooltip("label:N", title="Stage"), alt.Tooltip("customers:Q", title=units, format=","),
               alt.Tooltip("jw_conv:N", title="Conversion"),
               alt.Tooltip("conv_ci:N", title="95% interval"),
               alt.Tooltip("dropoff:Q", title="Drop-off", format=","),
               alt.Tooltip("dropoff_rate:Q", title="Drop-off rate", format=".1%")]
        bars = base.mark_bar(cursor="pointer", cornerRadiusTopLeft=2, cornerRadiusTopRight=2).encode(
            y=alt.Y("customers:Q", title=units), opacity=_highlight(alt, sel_stage))
        drop = base.transform_filter("datum.dropoff > 0").mark_bar(
            color="#c94a4a", opacity=0.25, cursor="pointer").encode(y="customers:Q", y2="top:Q")
        text = base.transform_filter("datum.conv_text != ''").mark_text(dy=-6, fontSize=11).encode(
            y="top:Q", text="conv_text:N")
        chart = alt.layer(bars, drop, text).transform_calculate(
            jw_conv="isValid(datum.conversion) ? format(datum.conversion, '.1%') : "
                    "(datum.customers > 0 ? 'first stage' : 'no data')",
        ).encode(tooltip=tip).properties(
            width=alt.Step(90), height=150,
            title=alt.Title("Stage funnel", subtitle=f"{metric or 'ordered funnel · customers'} · red: lost since "
                            "the stage before · %: conversion"),
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
        x = alt.X("period:T", title=None, axis=alt.Axis(labels=False, ticks=False, grid=False, domain=False))
        y = alt.Y("value:Q", title=None, axis=alt.Axis(labels=False, ticks=False, grid=False, domain=False,
                                                       tickCount=2))
        tip = [alt.Tooltip("label:N", title="Touchpoint"), alt.Tooltip("period:T", title="Period start"),
               alt.Tooltip("value:Q", title=m, format=","), alt.Tooltip("status:N", title="Period")]
        opacity = _highlight(alt, "datum.touchpoint == " + SELECT_PARAM, 1.0, 0.25)
        # the last period may be incomplete (the log ends inside it): drawn dashed to a hollow
        # point, never as a solid fall
        base = alt.Chart().encode(x=x, y=y, opacity=opacity).transform_calculate(
            done="datum.complete === false ? null : toDate(datum.period)",
            status="datum.complete === false ? 'incomplete (data ends inside it)' : 'complete'",
        ).transform_joinaggregate(last_done="max(done)", groupby=["touchpoint"]).transform_calculate(
            tail="datum.complete === false || toDate(datum.period) >= datum.last_done")
        solid = base.transform_filter("datum.complete !== false").mark_line(
            strokeWidth=1.5, cursor="pointer").encode(tooltip=tip)
        dashed = base.transform_filter("datum.tail").mark_line(strokeWidth=1.5, strokeDash=[3, 3])
        hollow = base.transform_filter("datum.complete === false").mark_point(
            filled=False, size=28, strokeWidth=1.2, cursor="pointer").encode(tooltip=tip)
        spark = alt.layer(solid, dashed, hollow).properties(width=110, height=34)
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
            title=alt.Title(f"{m} per {unit or 'period'}, by touchpoint",
                            subtitle=("distinct customers, whatever the counting unit; " if m == "customers" else "")
                            + "dashed to a hollow point: the last period is incomplete"),
        )
    elif name == "opportunities":
        sel = f"datum.target == {SELECT_PARAM}"
        tip = [alt.Tooltip("label:N", title="Where"), alt.Tooltip("kind:N", title="Kind"),
               alt.Tooltip("lost:Q", title="Lost (units)", format=","),
               alt.Tooltip("rate:Q", title="Drop-off / exit rate", format=".1%"),
               alt.Tooltip("gap:Q", title="Satisfaction gap", format=".2f"),
               alt.Tooltip("effort:Q", title="Effort", format=".3~g"),
               alt.Tooltip("score:Q", title="Score (value / effort)", format=",.4~g")]
        base = alt.Chart(data).encode(
            x=alt.X("effort:Q", title="Effort (entered on the map; 1 when unset)",
                    scale=alt.Scale(domain={"unionWith": [0, 2]}, nice=True, padding=16)),
            y=alt.Y("value:Q", title="Value (units lost x satisfaction gap)", scale=alt.Scale(zero=True)),
        )
        pts = base.mark_point(filled=True, cursor="pointer").encode(
            size=alt.Size("score:Q", legend=None, scale=alt.Scale(range=[30, 260])),
            shape=alt.Shape("kind:N", legend=alt.Legend(orient="bottom", title=None)),
            opacity=_highlight(alt, sel), tooltip=tip)
        text = base.transform_filter("datum.order < 3").mark_text(align="left", dx=10, fontSize=10).encode(
            text="label:N")
        chart = alt.layer(pts, text).properties(
            width=360, height=180,
            title=alt.Title("Opportunities: value vs effort",
                            subtitle="top left: most value for least effort · ranked by value / effort"))
    else:
        raise ChartError(f"unknown overlay {name!r}; overlays: {', '.join(OVERLAYS)}")
    return chart.add_params(_sel_param(alt))


_SPEC_CACHE: dict = {}


def _period_name(rows: list[dict]) -> str:
    """"day", "week", "month" or "quarter" from the trend rows' period starts ("" if unknown)."""
    from datetime import date

    starts = sorted({str(r.get("period", ""))[:10] for r in rows})
    if len(starts) < 2:
        return ""
    try:
        days = (date.fromisoformat(starts[1]) - date.fromisoformat(starts[0])).days
    except ValueError:
        return ""
    return {1: "day", 7: "week"}.get(days, "month" if 28 <= days <= 31 else "quarter" if 89 <= days <= 92 else "")


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


def overlay_parts(name: str, doc: dict, metrics: Any, metric: str | None,
                   theme: str | None, payload: dict | None = None) -> tuple[dict, list[dict]]:
    """(spec with ``data: {name: "table"}`` and no values, rows)."""
    if name not in OVERLAYS or name == "none":
        raise ChartError(f"unknown overlay {name!r}; overlays: {', '.join(OVERLAYS[1:])}")
    unit = ""
    payload = metrics_payload_of(metrics) if payload is None else payload
    if name == "metric":
        rows, unit = _metric_rows(doc, payload, metric or "customers")
    elif name == "trend":
        if (metric or "customers") not in TREND_METRICS:
            raise ChartError(f"the trend overlay draws {' or '.join(TREND_METRICS)}, not {metric!r}")
        rows = trend_table(metrics, metric or "customers") if metrics is not None else []
        unit = _period_name(rows)
    elif name == "opportunities":
        rows = _opportunity_rows(doc, payload)
    elif name == "funnel":
        rows = _funnel_rows(doc, payload)
        metric = payload.get("definition")  # what the bars count, in the subtitle
        unit = "Sessions" if payload.get("unit") == "session" else "Customers"
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

    ``name``: ``"emotion"``, ``"funnel"``, ``"metric"``, ``"trend"`` or ``"opportunities"``.
    ``journey_doc``: the journey's document (or the ``jw.Journey``).
    ``metrics``: a ``jw.JourneyMetrics`` (or its ``to_payload()`` dict, or None).
    ``metric``: the metric of the ``"metric"`` overlay (default ``customers``) or of
    the ``"trend"`` overlay (``customers`` or ``events``). ``theme``: ``"light"``,
    ``"dark"`` or None (no colours; the widget applies the map's theme).

    The data is the aggregated rows (``spec["data"]["values"]``), each with a
    ``touchpoint`` or ``stage`` field; a ``jw_selected`` param highlights one.
    """
    doc = journey_doc.to_dict() if hasattr(journey_doc, "to_dict") else journey_doc
    spec, rows = overlay_parts(name, doc, metrics, metric, theme)
    spec["data"] = {"name": DATA_NAME, "values": rows}
    return spec

