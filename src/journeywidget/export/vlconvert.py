"""vl-convert-python, the optional dependency that turns Vega(-Lite) and SVG into SVG, PNG
and PDF without a browser (``pip install "journeywidget[export]"``).

>>> isinstance(has_vl_convert(), bool)
True
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..core.errors import JourneyError

__all__ = ["has_vl_convert", "missing_export_extra", "vl_convert", "spec_to_svg"]

_HINT = 'PNG and PDF export need vl-convert-python: pip install "journeywidget[export]"'
_VL_KEYS = {"mark", "layer", "concat", "hconcat", "vconcat", "facet", "repeat", "spec"}


def missing_export_extra() -> ImportError:
    """The error to raise when vl-convert is needed and missing (says how to install it)."""
    return ImportError(_HINT)


def vl_convert() -> Any:
    """The ``vl_convert`` module, or :func:`missing_export_extra`."""
    try:
        import vl_convert
    except ImportError as e:
        raise missing_export_extra() from e
    return vl_convert


def has_vl_convert() -> bool:
    """Whether vl-convert-python is installed (without importing it)."""
    from importlib.util import find_spec

    return find_spec("vl_convert") is not None


def spec_to_svg(spec: Mapping, name: str = "the chart") -> str:
    """A Vega-Lite (or Vega) spec drawn as SVG text.

    vl-convert's own failures become a :class:`JourneyError` that names the chart (``name``).
    """
    vlc = vl_convert()
    schema = str(spec.get("$schema", ""))
    try:
        if "vega-lite" in schema or (not schema and _VL_KEYS & set(spec)):
            return vlc.vegalite_to_svg(dict(spec))
        return vlc.vega_to_svg(dict(spec))
    except (ValueError, TypeError, RuntimeError) as e:
        lines = [ln.strip() for ln in str(e).splitlines() if ln.strip() and not ln.strip().startswith("at ")]
        reason = " ".join(lines[:2])[:300].rstrip(".") or type(e).__name__
        text = json.dumps(spec, ensure_ascii=True, default=str)
        hint = (" The spec holds a line or paragraph separator (U+2028/U+2029), which Vega cannot read in a "
                "field name or expression: replace it with a space.") if ("\\u2028" in text or "\\u2029" in text) else ""
        raise JourneyError(f"{name} cannot be drawn: {reason}.{hint}") from None
