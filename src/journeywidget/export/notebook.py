"""Static pictures of a map for notebooks saved without widget state, nbconvert and GitHub.

>>> import journeywidget as jw
>>> sorted(mimebundle_fallback(jw.Journey.from_template("saas-onboarding"), png=False))
['image/svg+xml', 'text/html']
"""

from __future__ import annotations

import base64
from typing import Any

from ._common import attr, clean_text, to_doc

__all__ = ["mimebundle_fallback", "static_html"]

#: Above this many pixels the notebook fallback leaves the PNG out (the SVG and HTML remain).
NOTEBOOK_PNG_MAX_PIXELS = 12_000_000


def static_html(journey: Any, metrics: Any = None, *, svg: str | None = None) -> str:
    """An HTML fragment with the static SVG map, scrolling sideways when wider than the page."""
    from .svg import to_svg

    if svg is None:
        svg = to_svg(journey, metrics=metrics)
    title = clean_text(to_doc(journey).get("title") or "Journey map")
    return (
        f'<div class="jw-static" role="figure" aria-label="{attr("Customer journey map: " + title)}" '
        'style="max-width:100%;overflow-x:auto;background:#fff">'
        f"{svg}</div>"
    )


def mimebundle_fallback(journey: Any, metrics: Any = None, *, png: bool | None = None, png_scale: float = 1,
                        html: bool = True) -> dict:
    """Static representations of the map for a notebook output.

    Returns ``{"text/html": ..., "image/svg+xml": ...}`` (``html=False``: the SVG
    only) and, when ``vl-convert-python`` is installed (or ``png=True``),
    ``"image/png"`` as base64 text. The widget's notebook output carries the SVG
    (widget/display.py) so a notebook saved without widget state,
    ``jupyter nbconvert --to html`` or GitHub's viewer still shows the map.
    """
    from .svg import to_svg

    svg = to_svg(journey, metrics=metrics)
    bundle: dict[str, Any] = {"image/svg+xml": svg}
    if html:
        bundle = {"text/html": static_html(journey, svg=svg), **bundle}
    if png is None:
        from .vlconvert import has_vl_convert

        png = has_vl_convert()
    if png:
        from .images import png_pixels
        from .vlconvert import vl_convert

        if png_pixels(svg, png_scale) > NOTEBOOK_PNG_MAX_PIXELS:  # a huge map: the SVG has to do
            return bundle

        data = vl_convert().svg_to_png(svg, scale=float(png_scale))
        bundle["image/png"] = base64.b64encode(data).decode("ascii")
    return bundle
