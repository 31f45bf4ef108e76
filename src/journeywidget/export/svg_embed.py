"""Pictures inside the static map: overlays (Vega-Lite specs, Altair charts, SVG text)
drawn under it, each converted to SVG and nested at its place.

>>> svg_size('<svg width="120" height="40"></svg>')
(120.0, 40.0)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ._common import clean_text
from .svg_draw import n
from .vlconvert import spec_to_svg

__all__ = ["expand_overlays", "overlay_svg", "place_svg", "svg_size"]


def expand_overlays(overlays: Iterable | Any) -> list:
    """Overlay items from ``overlays``: a list, a ChartSet (its ``payload()``) or a ``_charts`` payload dict.

    Each chart of a payload (``{"specs": {key: {"spec", "data": {"name", "values"}, "title"}}}``)
    becomes a Vega-Lite spec with its data put back as a named dataset.
    """
    if overlays is None:
        return []
    payload = getattr(overlays, "payload", None)
    if callable(payload) and not isinstance(overlays, (Mapping, list, tuple)):
        overlays = payload()
    if isinstance(overlays, Mapping) and isinstance(overlays.get("specs"), Mapping):
        out = []
        for key, entry in overlays["specs"].items():
            if not isinstance(entry, Mapping) or not isinstance(entry.get("spec"), Mapping) or entry.get("error"):
                continue
            spec = dict(entry["spec"])
            data = entry.get("data")
            if isinstance(data, Mapping) and data.get("name"):
                spec["datasets"] = {**(spec.get("datasets") or {}), str(data["name"]): list(data.get("values") or [])}
            title = entry.get("title") or ("" if key == "overlay" else str(key))
            out.append({"title": title, "spec": spec})
        return out
    if isinstance(overlays, (str, Mapping)) or hasattr(overlays, "to_dict"):
        return [overlays]
    return list(overlays)


def chart_name(title: str, spec: Mapping, number: int) -> str:
    """How an error names a chart: its title, else the spec's title, else its place among the charts."""
    named = title or spec.get("title")
    if isinstance(named, Mapping):
        named = named.get("text")
    if isinstance(named, list):
        named = " ".join(str(x) for x in named)
    return f"chart {str(named)[:80]!r}" if named else f"chart {number} of the overlays"


def overlay_svg(o: Any, number: int = 1) -> tuple[str, str, float, float] | None:
    """(title, svg text, width, height) of one overlay: SVG text, a Vega(-Lite) spec, an Altair chart, or a dict
    ``{"svg": ..., "title": ...}`` / ``{"spec": ..., "title": ...}``."""
    title = ""
    if isinstance(o, Mapping) and ("svg" in o or (isinstance(o.get("spec"), Mapping) and "title" in o)):
        title = clean_text(o.get("title") or "")
        o = o.get("svg") if "svg" in o else o.get("spec")
    if not isinstance(o, (str, Mapping)) and hasattr(o, "to_dict"):
        o = o.to_dict()
    if isinstance(o, Mapping):
        o = spec_to_svg(o, chart_name(title, o, number))
    if not isinstance(o, str) or "<svg" not in o:
        return None
    w, h = svg_size(o)
    return title, o, w, h


_ROOT = re.compile(r"<svg\b[^>]*>", re.S)


def _num_attr(tag: str, name: str) -> float | None:
    m = re.search(rf'\s{name}\s*=\s*["\']\s*([0-9.]+)\s*(px)?\s*["\']', tag)
    return float(m.group(1)) if m else None


def svg_size(svg: str) -> tuple[float, float]:
    m = _ROOT.search(svg)
    tag = m.group(0) if m else ""
    w, h = _num_attr(tag, "width"), _num_attr(tag, "height")
    if w is None or h is None:
        vb = re.search(r'viewBox\s*=\s*["\']\s*([-0-9.]+)[\s,]+([-0-9.]+)[\s,]+([0-9.]+)[\s,]+([0-9.]+)', tag)
        if vb:
            w, h = float(vb.group(3)), float(vb.group(4))
    return (w or 400.0, h or 300.0)


def place_svg(svg: str, x: float, y: float, w: float, h: float) -> str:
    """Nest an SVG document at (x, y), scaled to w x h."""
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg, flags=re.I)
    m = _ROOT.search(svg)
    if not m:
        return ""
    tag = m.group(0)
    ow, oh = svg_size(svg)
    new = re.sub(r'\s(x|y|width|height)\s*=\s*("[^"]*"|\'[^\']*\')', "", tag)
    if "viewBox" not in new:
        new = new[:-1].rstrip("/") + f' viewBox="0 0 {n(ow)} {n(oh)}">'
    new = new.replace("<svg", f'<svg x="{n(x)}" y="{n(y)}" width="{n(w)}" height="{n(h)}"', 1)
    return svg[: m.start()] + new + svg[m.end():]
