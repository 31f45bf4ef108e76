"""PNG and PDF pictures of a map without a browser (through ``vl-convert-python``).

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("saas-onboarding")
>>> to_png(j, "map.png", scale=1)[:4], to_pdf(j)[:4]
(b'\x89PNG', b'%PDF')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._common import journey_error
from .svg import to_svg
from .svg_embed import svg_size
from .vlconvert import has_vl_convert, missing_export_extra
from .vlconvert import vl_convert as _vlc

__all__ = ["to_png", "to_pdf", "missing_export_extra", "has_vl_convert", "png_pixels"]

#: Largest PNG to_png makes (pixels); a map with hundreds of touchpoints at a big scale would need gigabytes.
MAX_PIXELS = 150_000_000


def png_pixels(svg: str, scale: float) -> float:
    w, h = svg_size(svg)
    return w * h * scale * scale


def to_png(
    journey: Any, path: Any = None, *, scale: float = 2, metrics: Any = None, overlays: Iterable | None = None,
) -> bytes:
    """The map as PNG bytes (``scale`` x the SVG's size in pixels); also written to ``path`` when given."""
    vlc = _vlc()
    svg = to_svg(journey, metrics=metrics, overlays=overlays)
    if not scale or scale <= 0:
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    if png_pixels(svg, scale) > MAX_PIXELS:
        w, h = svg_size(svg)
        raise journey_error(
            f"a {w * scale:.0f} x {h * scale:.0f} px PNG is too big; use a smaller scale "
            f"(at most {(MAX_PIXELS / (w * h)) ** 0.5:.2f}) or to_svg / to_pdf, which have no such limit"
        )
    data = vlc.svg_to_png(svg, scale=float(scale))
    if path is not None:
        from ..core.atomic import atomic_write

        atomic_write(path, data)
    return data


def to_pdf(journey: Any, path: Any = None, *, metrics: Any = None, overlays: Iterable | None = None) -> bytes:
    """The map as a one-page PDF (vector, text kept as text); also written to ``path`` when given."""
    vlc = _vlc()
    data = vlc.svg_to_pdf(to_svg(journey, metrics=metrics, overlays=overlays))
    if path is not None:
        from ..core.atomic import atomic_write

        atomic_write(path, data)
    return data
