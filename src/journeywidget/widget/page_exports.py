"""Files the page's Export menu asks Python for: the map as shown, as HTML, SVG, PNG or CSV.

The page sends ``{"type": "export", "format": ..., "rid": ...}``; the widget answers
``{"type": "export", "rid", "ok", "filename", "mime", "note", "rasterize"}`` with the
file's bytes as the message's one binary buffer (docs/ARCHITECTURE.md, "The page
protocol"). JSON is made in the page itself (it holds the document). Without
``vl-convert-python`` (``journeywidget[export]``) a PNG request is answered with the
SVG and ``rasterize: true``: the page draws it into a PNG itself.

>>> import journeywidget as jw
>>> w = jw.JourneyWidget(jw.Journey.from_template("saas-onboarding"))
>>> head, data = page_export(w, "csv")
>>> head["filename"], head["mime"], data.splitlines()[0][:30]
('saas-onboarding.csv', 'text/csv', b'stage,touchpoint,channel,emoti')
"""

from __future__ import annotations

from typing import Any

from ..core.errors import JourneyError
from ..core.ids import slugify

__all__ = ["EXPORT_FORMATS", "page_export", "available_formats"]

#: format -> (MIME type, file extension)
EXPORT_FORMATS = {
    "html": ("text/html", "html"),
    "svg": ("image/svg+xml", "svg"),
    "png": ("image/png", "png"),
    "csv": ("text/csv", "csv"),
}
_CHARTS_NEED = 'the charts are left out: pip install "journeywidget[export]" to draw them into pictures'


def available_formats() -> list[str]:
    """The formats Python makes for the page (``png`` needs vl-convert; the page rasterises
    the SVG itself otherwise, so it offers PNG whenever ``svg`` is listed)."""
    from ..export.vlconvert import has_vl_convert

    return ["html", "svg", "csv"] + (["png"] if has_vl_convert() else [])


def _svg(widget: Any) -> tuple[str, str]:
    """The map as shown (metrics of the current segment, the overlay and charts when they
    can be drawn) and a note when the charts had to be left out."""
    try:
        return widget.to_svg(), ""
    except ImportError:
        return widget.to_svg(overlays=None), _CHARTS_NEED


def page_export(widget: Any, fmt: Any) -> tuple[dict, bytes]:
    """(the reply's header, the file's bytes) for an Export menu request; raises
    :class:`JourneyError` for a format it does not make."""
    if fmt not in EXPORT_FORMATS:
        raise JourneyError(f"export format {fmt!r} is not made by Python; formats: {', '.join(EXPORT_FORMATS)}")
    doc = widget.journey
    mime, ext = EXPORT_FORMATS[fmt]
    head = {"filename": f"{slugify(str(doc.id or doc.title), fallback='journey')}.{ext}", "mime": mime,
            "note": "", "rasterize": False}
    if fmt == "html":
        data = widget.to_html().encode("utf-8")
    elif fmt == "csv":
        from ..export import to_csv

        data = to_csv(doc, metrics=widget._metrics or None).encode("utf-8")
    elif fmt == "svg":
        svg, head["note"] = _svg(widget)
        data = svg.encode("utf-8")
    else:  # png
        from ..export.vlconvert import has_vl_convert

        if has_vl_convert():
            try:
                data = widget.to_png(scale=2)
            except ImportError:
                data = widget.to_png(scale=2, overlays=None)
                head["note"] = _CHARTS_NEED
        else:
            svg, head["note"] = _svg(widget)
            data = svg.encode("utf-8")
            head.update(mime="image/svg+xml", rasterize=True)
    return head, data
