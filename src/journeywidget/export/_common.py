"""Helpers shared by the exporters: turning inputs into plain data, escaping, numbers.

>>> esc("<b>Tom & Jerry</b>"), fmt_count(12345), fmt_pct(0.123), fmt_duration(3700)
('&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;', '12.3k', '12%', '1h 2m')
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from ..core.errors import JourneyError
from ..core.vocabulary import (  # noqa: F401  (the exporters' vocabulary, from the one file)
    CHANNEL_LABELS,
    COMPUTED_LANES,
    LANE_TITLES,
    channel_label,
)

# Characters XML 1.0 does not allow (C0 controls except tab/newline/CR, lone
# surrogates, U+FFFE/U+FFFF). Customer text may contain them; an SVG or HTML
# with them is broken, so they are dropped.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: Any) -> str:
    """``value`` as a string without characters that XML forbids."""
    if value is None:
        return ""
    return _XML_BAD.sub("", str(value))


def esc(value: Any) -> str:
    """Escape text for an XML/HTML text node (``& < >``, and quotes too, so it is safe anywhere)."""
    return (
        clean_text(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def attr(value: Any) -> str:
    """Escape text for a double- or single-quoted XML/HTML attribute value."""
    return esc(value).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


def json_for_script(value: Any) -> str:
    """JSON text that is safe inside an HTML ``<script>`` element.

    ``<`` ``>`` ``&`` and the JS line separators are written as ``\\uXXXX`` escapes
    (so no ``</script>``, ``<!--`` or ``]]>`` can appear); ``JSON.parse`` gives back
    the same value.
    """
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default)
    except ValueError:  # NaN or infinity somewhere in a payload: JSON has no such numbers
        text = json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                          default=_json_default)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _json_default(v: Any) -> Any:
    """numpy scalars/arrays, dates and the like in a payload, as plain JSON values."""
    if hasattr(v, "tolist"):
        return v.tolist()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, (set, frozenset, tuple)):
        return list(v)
    raise TypeError(f"{type(v).__name__} is not JSON serialisable")


def _finite(v: Any) -> Any:
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, Mapping):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    if hasattr(v, "tolist"):
        return _finite(v.tolist())
    return v


def to_doc(obj: Any) -> dict:
    """The journey document (a dict) of a ``Journey``, a widget, a dict or a JSON string/file path."""
    if isinstance(obj, Mapping):
        return dict(obj)
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return obj.to_dict()
    journey = getattr(obj, "journey", None)
    if journey is not None and journey is not obj:
        return to_doc(journey)
    from ..journey import Journey  # text and files go through the validating loader

    if isinstance(obj, str) and obj.lstrip().startswith("{"):
        return Journey.from_json(obj).to_dict()
    if isinstance(obj, (str, bytes)) or hasattr(obj, "__fspath__"):
        return Journey.load(obj).to_dict()
    raise TypeError(f"expected a Journey, a JourneyWidget or a document dict, got {type(obj).__name__}")


def to_payload(metrics: Any) -> dict | None:
    """The metrics payload (``{"touchpoints": {...}, "stages": {...}, ...}``) of ``metrics``.

    Accepts ``None``, a payload dict, anything with ``to_payload()`` (``JourneyMetrics``,
    a binding), or a widget/object whose ``metrics`` attribute is one of those.
    """
    if metrics is None:
        return None
    if isinstance(metrics, Mapping):
        return dict(metrics)
    for name in ("to_payload", "payload"):
        fn = getattr(metrics, name, None)
        if callable(fn):
            return to_payload(fn())
    inner = getattr(metrics, "metrics", None)
    if inner is not None and inner is not metrics:
        return to_payload(inner)
    if hasattr(metrics, "to_dict") and hasattr(metrics, "columns"):  # a pandas DataFrame
        return payload_from_frame(metrics)
    raise TypeError(f"cannot use {type(metrics).__name__} as metrics; pass a JourneyMetrics or its to_payload() dict")


def payload_from_frame(df: Any) -> dict:
    """A metrics payload from a DataFrame with one row per touchpoint.

    The touchpoint is the ``touchpoint``/``touchpoint_id``/``id`` column or the index.
    """
    cols = [str(c) for c in df.columns]
    key = next((c for c in ("touchpoint_id", "touchpoint", "id") if c in cols), None)
    out: dict[str, dict] = {}
    for idx, row in zip(df.index, df.to_dict("records")):
        tp = row.pop(key) if key else idx
        out[str(tp)] = {str(k): plain(v) for k, v in row.items()}
    return {"touchpoints": out}


def plain(v: Any) -> Any:
    """numpy/pandas scalars as plain Python values; NaN as None."""
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            v = v.item()
        except (ValueError, TypeError):
            pass
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def fmt_count(v: Any) -> str:
    """1234 -> '1,234'; 12345 -> '12.3k'; 1234567 -> '1.23M'."""
    if not is_number(v):
        return "–"
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:.3g}B"
    if a >= 1e6:
        return f"{v / 1e6:.3g}M"
    if a >= 1e4:
        return f"{v / 1e3:.3g}k"
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.1f}"


def fmt_pct(v: Any) -> str:
    """A share 0..1 as a percentage: 0.123 -> '12%' (one decimal below 10%)."""
    if not is_number(v):
        return "–"
    p = v * 100
    if p != 0 and abs(p) < 10:
        return f"{p:.1f}%"
    return f"{p:.0f}%"


def fmt_value(v: Any) -> str:
    """A metric value for display."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if is_number(v):
        if isinstance(v, int) or float(v).is_integer():
            return fmt_count(v)
        if abs(v) >= 100:
            return fmt_count(v)
        return f"{v:.2f}".rstrip("0").rstrip(".")
    if v is None:
        return "–"
    return clean_text(v)


def fmt_duration(seconds: Any) -> str:
    """Seconds as '45s', '12m', '3h 5m', '2d 4h'."""
    if not is_number(seconds):
        return "–"
    s = max(0.0, float(seconds))
    if s < 60:
        return f"{s:.0f}s"
    if s < 3600:
        return f"{s / 60:.0f}m"
    if s < 86400:
        h, m = divmod(int(round(s / 60)), 60)
        return f"{h}h {m}m" if m else f"{h}h"
    d, h = divmod(int(round(s / 3600)), 24)
    return f"{d}d {h}h" if h else f"{d}d"


def fmt_metric(key: str, v: Any) -> str:
    """A metric value formatted by what its key says it is (share/rate -> %, *_s -> duration)."""
    k = str(key).lower()
    if is_number(v):
        if k.endswith("_s") or k.endswith("_seconds"):
            return fmt_duration(v)
        if 0 <= v <= 1 and any(w in k for w in ("share", "rate", "conversion", "pct", "ratio")):
            return fmt_pct(v)
    return fmt_value(v)


def fmt_emotion(v: Any) -> str:
    if not is_number(v):
        return ""
    if float(v).is_integer():
        v = int(v)
        return f"+{v}" if v > 0 else str(v)
    return f"{v:+.1f}"


def fmt_target(target: Any, unit: Any = "") -> str:
    """A goal target with its unit: 40 + '%' -> '40%', 1 + 'days' -> '1 days'."""
    unit = clean_text(unit or "").strip()
    sep = " " if unit[:1].isalnum() else ""
    return f"{fmt_value(target)}{sep}{unit}"


def scale_of(doc: Mapping) -> tuple[float, float]:
    sc = doc.get("emotion_scale") or {}
    lo, hi = sc.get("min", -2), sc.get("max", 2)
    if not (is_number(lo) and is_number(hi)) or hi <= lo:
        lo, hi = -2, 2
    return lo, hi


def emotion_label(doc: Mapping, v: Any) -> str:
    if not is_number(v):
        return ""
    labels = (doc.get("emotion_scale") or {}).get("labels") or {}
    if float(v).is_integer():
        lab = labels.get(str(int(v)))
        if lab:
            return str(lab)
    return ""


def sentiment(doc: Mapping, v: Any) -> str:
    """'positive', 'neutral', 'negative' or 'none' for an emotion value on the doc's scale."""
    if not is_number(v):
        return "none"
    lo, hi = scale_of(doc)
    mid = (lo + hi) / 2
    tol = (hi - lo) * 0.05
    if v > mid + tol:
        return "positive"
    if v < mid - tol:
        return "negative"
    return "neutral"


def touchpoints_by_stage(doc: Mapping) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {s.get("id"): [] for s in doc.get("stages") or []}
    for tp in doc.get("touchpoints") or []:
        out.setdefault(tp.get("stage"), []).append(tp)
    return out


def tp_metrics(payload: Mapping | None, tp_id: str) -> dict:
    if not payload:
        return {}
    m = (payload.get("touchpoints") or {}).get(tp_id)
    return dict(m) if isinstance(m, Mapping) else {}


def stage_metrics(payload: Mapping | None, stage_id: str) -> dict:
    if not payload:
        return {}
    m = (payload.get("stages") or {}).get(stage_id)
    return dict(m) if isinstance(m, Mapping) else {}


def journey_error(message: str) -> Exception:
    """A ``jw.JourneyError`` (a ValueError) with ``message``."""
    return JourneyError(message)
