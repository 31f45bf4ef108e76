"""vl-convert-python, the optional dependency that turns Vega(-Lite) and SVG into SVG, PNG
and PDF without a browser (``pip install "journeywidget[export]"``).

>>> isinstance(has_vl_convert(), bool)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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


def spec_to_svg(spec: Mapping) -> str:
    """A Vega-Lite (or Vega) spec drawn as SVG text."""
    vlc = vl_convert()
    schema = str(spec.get("$schema", ""))
    if "vega-lite" in schema or (not schema and _VL_KEYS & set(spec)):
        return vlc.vegalite_to_svg(dict(spec))
    return vlc.vega_to_svg(dict(spec))
