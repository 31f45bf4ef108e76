"""The built-in overlays drawn on the map itself, in its own geometry (Vega-Lite, via Altair).

The page puts one view over a band of the map and gives every row its place in
pixels (``js/src/view/bands.ts``); these specs read those fields with ``scale=None``,
so the marks sit exactly on the map's columns whatever its zoom:

* ``"stages"`` (the funnel): rows get ``jw_x0, jw_x1, jw_y0, jw_y1``, the chart zone of
  each stage header's band; a bar per stage, as long as its units reached against the
  busiest stage, and in red what was lost since the stage before.
* ``"emotions"`` (the emotion overlay): rows get ``jw_x, jw_y`` (and ``jw_ylo, jw_yhi``,
  the 95 % interval) on the emotions lane; the emotion derived from feedback is drawn
  beside each touchpoint's hand-set point, sized by the number of respondents.
* ``"metrics"`` (the metric overlay): rows get ``jw_x0, jw_x1, jw_y0, jw_y1``, the strip
  under each touchpoint's figures in the metrics lane; a bar as long as its value
  against the largest.

Exports keep drawing the overlay's own chart (``spec``), which needs no map.

>>> band, spec = band_spec("funnel", {"stages": []}, None, "")
>>> band, spec["layer"][0]["encoding"]["x"]["field"]
('stages', 'jw_x0')
>>> band_spec("trend", {}, None, "") is None
True
"""

from __future__ import annotations

import json

from .base import DATA_NAME, SELECT_PARAM

__all__ = ["band_spec", "BANDS"]

#: overlay name -> the band of the map it draws on
BANDS = {"funnel": "stages", "emotion": "emotions", "metric": "metrics"}

_CACHE: dict[str, str] = {}


def _px(alt, field: str):
    """A position read as pixels (no scale, no axis)."""
    return {"field": field, "type": "quantitative", "scale": None, "axis": None}


def _vega_text(text: str) -> str:
    """`text` safe inside a single-quoted Vega expression string."""
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _opacity(alt, test: str, on: float = 1.0, off: float = 0.3):
    return alt.condition(f"{SELECT_PARAM} == '' || {test}", alt.value(on), alt.value(off))


def _chart(name: str, doc: dict, metric: str | None, unit: str):
    import altair as alt

    data = alt.NamedData(name=DATA_NAME)
    sel_tp = f"datum.touchpoint == {SELECT_PARAM}"
    if name == "funnel":
        sel = f"datum.stage == {SELECT_PARAM} || indexof(datum.tps, '|' + {SELECT_PARAM} + '|') >= 0"
        base = alt.Chart(data).transform_joinaggregate(jw_max="max(top)").transform_calculate(
            jw_w="datum.jw_x1 - datum.jw_x0",
            jw_xc="datum.jw_x0 + (datum.jw_max > 0 ? datum.customers / datum.jw_max : 0) * (datum.jw_x1 - datum.jw_x0)",
            jw_xt="datum.jw_x0 + (datum.jw_max > 0 ? datum.top / datum.jw_max : 0) * (datum.jw_x1 - datum.jw_x0)",
            jw_ym="(datum.jw_y0 + datum.jw_y1) / 2",
            jw_conv="isValid(datum.conversion) ? format(datum.conversion, '.1%') : "
                    "(datum.customers > 0 ? 'first stage' : 'no data')",
            jw_desc="datum.label + ': ' + format(datum.customers, ',') + ' reached' + (isValid(datum.conversion)"
                    " ? ', ' + format(datum.conversion, '.1%') + ' from the stage before' : '')",
        )
        desc = {"field": "jw_desc", "type": "nominal"}
        tip = [alt.Tooltip("label:N", title="Stage"), alt.Tooltip("customers:Q", title="Reached", format=","),
               alt.Tooltip("jw_conv:N", title="From the stage before"),
               alt.Tooltip("conv_ci:N", title="95% interval"),
               alt.Tooltip("dropoff:Q", title="Lost since the stage before", format=","),
               alt.Tooltip("definition:N", title="Counting")]
        y, y2 = _px(alt, "jw_y0"), {"field": "jw_y1"}
        # geometry-only marks stay out of the accessibility tree; the others read as a sentence
        track = base.mark_rect(cornerRadius=3, opacity=0.14, aria=False).encode(
            x=_px(alt, "jw_x0"), x2="jw_x1:Q", y=y, y2=y2)
        lost = base.transform_filter("datum.dropoff > 0").mark_rect(color="#c94a4a", opacity=0.3, cornerRadius=3).encode(
            x=_px(alt, "jw_xc"), x2="jw_xt:Q", y=y, y2=y2)
        bars = base.mark_rect(cornerRadius=3, cursor="pointer").encode(
            x=_px(alt, "jw_x0"), x2="jw_xc:Q", y=y, y2=y2, opacity=_opacity(alt, sel))
        text = base.transform_filter("datum.conv_text != ''").mark_text(
            align="right", baseline="middle", dx=-4, fontSize=10.5, fontWeight="bold", aria=False).encode(
            x=_px(alt, "jw_x1"), y=_px(alt, "jw_ym"), text="conv_text:N")
        # tooltip and description once, on the layer chart (every layer inherits them)
        chart = alt.layer(track, lost, bars, text).encode(tooltip=tip, description=desc)
    elif name == "emotion":
        measured = alt.Chart(data).transform_filter("datum.source == 'data' && isValid(datum.jw_y)").transform_calculate(
            jw_xd="datum.jw_x + 13")
        tip = [alt.Tooltip("label:N", title="Touchpoint"), alt.Tooltip("emotion:Q", title="Emotion from feedback", format=".2f"),
               alt.Tooltip("n:Q", title="Respondents", format=","), alt.Tooltip("lo:Q", title="95% low", format=".2f"),
               alt.Tooltip("hi:Q", title="95% high", format=".2f")]
        err = measured.transform_filter("isValid(datum.jw_ylo) && isValid(datum.jw_yhi)").mark_rule(
            strokeWidth=2, color="#d9822b", aria=False).encode(x=_px(alt, "jw_xd"), y=_px(alt, "jw_ylo"), y2="jw_yhi:Q",
                                                   opacity=_opacity(alt, sel_tp, 0.8, 0.2))
        pts = measured.mark_point(shape="diamond", filled=True, color="#d9822b", stroke="white", strokeWidth=1,
                                  cursor="pointer").encode(
            x=_px(alt, "jw_xd"), y=_px(alt, "jw_y"),
            size=alt.Size("n:Q", scale=alt.Scale(range=[40, 200]), legend=None),
            tooltip=tip, opacity=_opacity(alt, sel_tp))
        chart = alt.layer(err, pts)
    elif name == "metric":
        m = metric or "customers"
        fmt = ".0%" if m in ("share", "conversion", "dropoff_rate") else ",.4~r"
        title = m.replace("_", " ") + (f" ({unit})" if unit else "")
        base = alt.Chart(data).transform_joinaggregate(jw_max="max(value)").transform_calculate(
            jw_xv="datum.jw_x0 + (datum.jw_max > 0 ? max(datum.value, 0) / datum.jw_max : 0) * (datum.jw_x1 - datum.jw_x0)",
            jw_desc=f"datum.label + ': ' + (isValid(datum.value) ? format(datum.value, '{fmt}') : 'no data')"
                    f" + ' {_vega_text(title)}'")
        y, y2 = _px(alt, "jw_y0"), {"field": "jw_y1"}
        tip = [alt.Tooltip("label:N", title="Touchpoint"), alt.Tooltip("value:Q", title=title, format=fmt)]
        track = base.mark_rect(cornerRadius=2, opacity=0.14, aria=False).encode(
            x=_px(alt, "jw_x0"), x2="jw_x1:Q", y=y, y2=y2)
        bars = base.mark_rect(cornerRadius=2, cursor="pointer").encode(
            x=_px(alt, "jw_x0"), x2="jw_xv:Q", y=y, y2=y2, tooltip=tip, opacity=_opacity(alt, sel_tp),
            description={"field": "jw_desc", "type": "nominal"})
        chart = alt.layer(track, bars)
    else:
        return None
    return chart.add_params(alt.param(name=SELECT_PARAM, value="")).configure_view(stroke=None)


def band_spec(name: str, doc: dict, metric: str | None, unit: str) -> tuple[str, dict] | None:
    """(band, Vega-Lite spec without data values) of an overlay drawn on the map, or None when
    the overlay has no place on the map (the trend overlay)."""
    if name not in BANDS:
        return None
    key = json.dumps([name, metric, unit])
    text = _CACHE.get(key)
    if text is None:
        spec = _chart(name, doc, metric, unit).to_dict()
        spec.pop("data", None)
        spec["data"] = {"name": DATA_NAME}
        for k in ("width", "height"):
            spec.pop(k, None)
        spec.setdefault("config", {}).pop("view", None)
        spec["config"]["view"] = {"stroke": None}
        text = json.dumps(spec)
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = text
    return BANDS[name], json.loads(text)
