"""Custom charts: an Altair chart (or a Vega-Lite dict, or a function of the bound rows
returning one) split into its spec and its main data, within the size limits of a
chart that travels to the browser.

>>> spec, data = split_spec({"mark": "bar", "data": {"values": [{"n": 1}, {"n": 2}]}})
>>> spec["data"], len(data["values"])
({'name': 'table'}, 2)
"""

from __future__ import annotations

import hashlib
import inspect
import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .base import DATA_NAME, MAX_ROWS, ChartError

if TYPE_CHECKING:  # pragma: no cover
    from .chartset import ChartSet

__all__ = ["split_spec", "chart_to_parts", "ChartContext"]


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
        self.segment = chartset.segment

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
