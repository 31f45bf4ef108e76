"""One self-contained HTML file with the interactive map (works from ``file://``, offline).

>>> import journeywidget as jw
>>> page = to_html(jw.Journey.from_template("saas-onboarding"), "map.html")
>>> page.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in page
True
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ._common import attr, clean_text, esc, json_for_script, to_doc, to_payload

__all__ = ["to_html", "widget_bundle", "STATIC_DIR"]

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

# Traits of JourneyWidget that only matter inside Jupyter.
_SKIP_TRAITS = {
    "_esm", "_css", "_anywidget_id", "_dom_classes", "_model_module", "_model_module_version", "_model_name",
    "_view_count", "_view_module", "_view_module_version", "_view_name", "layout", "tabbable", "tooltip",
    "comm", "keys", "log", "_runtime",
}

_PAGE_CSS = """
:root { color-scheme: light; }
html, body { margin: 0; padding: 0; background: #f3f4f6; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; color: #1f2937; }
.jw-page-bar { display: flex; align-items: center; gap: 12px; padding: 10px 20px; background: #fff;
  border-bottom: 1px solid #e5e7eb; position: sticky; top: 0; z-index: 10; }
.jw-page-bar .jw-page-title { font-weight: 600; font-size: 15px; flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.jw-page-bar .jw-page-mode { font-size: 12px; color: #6b7280; }
.jw-page-bar button { font: inherit; font-size: 13px; padding: 5px 12px; border-radius: 6px; border: 1px solid #c7d2fe;
  background: #eef2ff; color: #3730a3; cursor: pointer; }
.jw-page-bar button:hover { background: #e0e7ff; }
.jw-status { font-size: 12px; color: #15803d; }
.jw-status.jw-error { color: #b91c1c; }
#jw-root { padding: 16px 20px; }
.jw-static { overflow-x: auto; background: #fff; }
.jw-static svg { display: block; }
.jw-page-foot { padding: 4px 20px 16px; font-size: 11px; color: #9ca3af; }
"""


def widget_bundle() -> tuple[str, str]:
    """The built front end: (widget.js, widget.css) text.

    Raises a clear error when the bundle has not been built (a source checkout
    without ``npm run build --prefix js``).
    """
    js, css = STATIC_DIR / "widget.js", STATIC_DIR / "widget.css"
    if not js.exists():
        from ._common import journey_error

        raise journey_error(
            f"the widget bundle {js} is missing: build it with `npm run build --prefix js` "
            "(a wheel from PyPI ships it)"
        )
    return js.read_text(encoding="utf-8"), css.read_text(encoding="utf-8") if css.exists() else ""


def chart_runtime() -> str:
    """The chart runtime module (static/charts-runtime.js: vega, vega-lite, vega-embed), or ""
    when it has not been built (the page then shows the map without drawing charts)."""
    path = STATIC_DIR / "charts-runtime.js"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def _has_charts(charts: Any) -> bool:
    return isinstance(charts, Mapping) and bool(charts.get("specs"))


# The page's module script, built from js/src/standalone.ts (its model and the op applier
# that follows the rules of ``mutations``). Read from the package's own static files.
_STANDALONE_JS = STATIC_DIR / "standalone.js"


@lru_cache(maxsize=1)
def _bootstrap() -> str:
    if not _STANDALONE_JS.exists():
        from ._common import journey_error

        raise journey_error(
            f"the standalone page script {_STANDALONE_JS} is missing: build it with "
            "`npm run build --prefix js` (a wheel from PyPI ships it)"
        )
    text = _STANDALONE_JS.read_text(encoding="utf-8")
    return text.replace("</", "<\\/")


def _csp(bootstrap: str, bundle: str) -> str:
    digest = base64.b64encode(hashlib.sha256(bootstrap.encode("utf-8")).digest()).decode("ascii")
    script = f"'sha256-{digest}' blob: data:"
    if re.search(r"\bnew Function\b|[^.\w$]Function\(|\beval\(", bundle):  # e.g. Vega's expression compiler
        script += " 'unsafe-eval'"
    # Nothing may leave the page: no connect/img/font/frame to anywhere but the page itself.
    return (
        f"default-src 'none'; script-src {script}; style-src 'unsafe-inline'; img-src data: blob:; "
        "font-src data:; connect-src 'none'; frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
    )


def _widget_state(obj: Any) -> dict | None:
    """The synced state of a JourneyWidget (ipywidgets ``get_state``), minus Jupyter-only traits."""
    get_state = getattr(obj, "get_state", None)
    if not callable(get_state) or not hasattr(obj, "trait_names"):
        return None
    state = get_state()
    return {k: v for k, v in state.items() if k not in _SKIP_TRAITS and not isinstance(v, (bytes, memoryview))}


def _make_widget(journey: Any) -> Any:
    """A JourneyWidget on ``journey`` (or None when the widget module is not available)."""
    try:
        from ..widget import JourneyWidget
    except ImportError:
        return None
    if isinstance(journey, Mapping):
        from ..journey import Journey

        journey = Journey.from_dict(dict(journey))
    return JourneyWidget(journey)


def _doc_key(state: Mapping) -> str:
    for key in ("_doc", "doc", "document", "journey", "value"):
        v = state.get(key)
        if isinstance(v, Mapping) and "stages" in v:
            return key
    for key, v in state.items():
        if isinstance(v, Mapping) and "schema_version" in v and "stages" in v:
            return key
    return "_doc"


def _first_key(state: Mapping, names: Iterable[str], default: str | None) -> str | None:
    for name in names:
        if name in state:
            return name
    return default


def to_html(
    journey_or_widget: Any,
    path: Any = None,
    *,
    editable: bool = False,
    metrics: Any = None,
    charts: Any = None,
    title: str | None = None,
) -> str:
    """Write the map as one self-contained HTML page (and return its text).

    The page inlines the widget bundle, its CSS and the document (plus the
    metrics and chart payloads, and the chart runtime when there is a chart to
    draw), and runs the same widget as the notebook on a
    small in-page stand-in for the Jupyter model. Nothing is fetched: it works
    from ``file://`` with the network off. A static SVG of the map sits in
    ``<noscript>`` (and is shown if the script cannot start).

    ``editable=False`` (default): read-only (hover, select, switch overlays).
    ``editable=True``: edits are applied in the page (with undo/redo) and a
    "Download JSON" button saves the edited document.
    ``metrics``: a ``JourneyMetrics`` or its ``to_payload()`` dict; taken from the
    widget when a widget is given. ``charts``: the chart payload for the widget's
    overlays (as the widget's ``charts`` trait holds it).
    """
    from .svg import _metrics_of, to_svg

    bundle_js, bundle_css = widget_bundle()
    doc = to_doc(journey_or_widget)
    if metrics is None:
        metrics = _metrics_of(journey_or_widget)
    payload = to_payload(metrics)

    state = _widget_state(journey_or_widget)
    if state is None:
        widget = _make_widget(journey_or_widget)
        state = _widget_state(widget) if widget is not None else None
        if widget is not None:
            widget.close()
    if state is None:  # no widget module: the traits the front end reads
        state = {"_doc": doc, "_rev": 0, "selected": "", "editable": bool(editable), "_error": "",
                 "_can_undo": False, "_can_redo": False, "_metrics": {}, "_charts": {}}
    traits = {
        "doc": _doc_key(state),
        "rev": _first_key(state, ("_rev", "rev"), "_rev"),
        "error": _first_key(state, ("_error", "error"), "_error"),
        "can_undo": _first_key(state, ("_can_undo", "can_undo"), None),
        "can_redo": _first_key(state, ("_can_redo", "can_redo"), None),
    }
    state[traits["doc"]] = doc
    state[traits["rev"]] = int(state.get(traits["rev"]) or 0)
    state[traits["error"]] = ""
    if payload is not None:
        state[_first_key(state, ("_metrics", "metrics"), "_metrics")] = payload
    if charts is not None:
        state[_first_key(state, ("_charts", "charts"), "_charts")] = _plain_charts(charts)
    state[_first_key(state, ("editable",), "editable")] = bool(editable)
    state["_exports"] = []  # no Python behind the page: its Export menu makes what it can itself
    if "read_only" in state:
        state["read_only"] = not editable
    for k in ("can_undo", "can_redo"):
        if traits[k]:
            state[traits[k]] = False

    overlays = _overlay_variants(journey_or_widget, metrics, charts)
    if overlays:
        shown = state.get("_charts") if isinstance(state.get("_charts"), Mapping) else {}
        # the charts shown decide (an explicit `charts=` wins over a fresh widget's "none")
        state["overlay"] = shown.get("overlay") or state.get("overlay") or "none"
        state["overlay_metric"] = shown.get("metric") or state.get("overlay_metric") or ""
    # The chart runtime travels only when the page has something to draw: the charts
    # shown, or any of the precomputed overlay variants the read-only page switches to.
    state.pop("_chart_runtime", None)
    runtime = ""
    if _has_charts(state.get("_charts")) or any(_has_charts(v) for v in overlays.values()):
        runtime = chart_runtime()
        if runtime:
            state["_chart_runtime"] = runtime
    data = {"state": state, "traits": traits, "editable": bool(editable), "overlays": overlays}
    bootstrap = _bootstrap()
    svg = to_svg(doc, metrics=payload)
    page_title = clean_text(title or doc.get("title") or "Journey map")
    mode = "Editable copy — changes stay in this page until you download them" if editable else "Read-only"
    button = (
        '<button type="button" id="jw-download" title="Save the edited map as a journey JSON file">'
        "Download JSON</button>"
        if editable
        else ""
    )
    css = bundle_css.replace("</", "<\\/")
    html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{_csp(bootstrap, bundle_js + runtime)}">
<meta name="generator" content="journeywidget">
<title>{esc(page_title)}</title>
<style>{_PAGE_CSS}</style>
<style id="jw-widget-css">{css}</style>
</head>
<body>
<div class="jw-page-bar"><span class="jw-page-title">{esc(page_title)}</span><span class="jw-status" id="jw-status" role="status"></span><span class="jw-page-mode">{esc(mode)}</span>{button}</div>
<main id="jw-root" aria-label="{attr("Customer journey map: " + page_title)}"></main>
<noscript id="jw-fallback"><div class="jw-static">{svg}</div></noscript>
<div class="jw-page-foot">Made with journeywidget · {esc(doc.get("modified") or "")}</div>
<script type="application/json" id="jw-data">{json_for_script(data)}</script>
<script type="application/json" id="jw-bundle">{json_for_script(bundle_js)}</script>
<script type="module">{bootstrap}</script>
</body>
</html>
"""
    if path is not None:
        from ..core.atomic import atomic_write

        atomic_write(path, html)
    return html


def _overlay_variants(source: Any, metrics: Any, charts: Any) -> dict[str, Any]:
    """Every built-in overlay's chart payload (``"name|metric"`` -> ``_charts``), so the
    read-only page can switch overlays without a kernel. Custom charts stay in each."""
    from ..charts import OVERLAYS, TREND_METRICS, ChartSet
    from ..journey import Journey

    cs = getattr(source, "charts", None)  # a JourneyWidget's ChartSet
    owned = False
    if not isinstance(cs, ChartSet):
        if isinstance(charts, ChartSet):
            cs = charts
        elif metrics is not None and not isinstance(metrics, Mapping):
            journey = source if isinstance(source, Journey) else Journey.from_dict(to_doc(source))
            cs, owned = ChartSet(journey, metrics, follow_journey=False), True
        else:
            return {}
    if cs.metrics is None:
        return {}
    variants: dict[str, Any] = {}
    try:
        for name in OVERLAYS:
            metrics_for = [None]
            if name == "metric":
                metrics_for += list(cs.available_metrics())
            elif name == "trend":
                metrics_for += list(TREND_METRICS)
            for metric in metrics_for:
                try:
                    variants[f"{name}|{metric or ''}"] = _plain_charts(cs.payload(overlay=name, metric=metric))
                except Exception:  # noqa: BLE001 - a variant that cannot be drawn is left out
                    continue
    finally:
        if owned:
            cs.close()
    return variants


def _plain_charts(charts: Any) -> Any:
    """Charts payload as JSON-able data (a ChartSet gives its ``payload()``, Altair charts their Vega-Lite dicts)."""
    payload = getattr(charts, "payload", None)
    if callable(payload) and not isinstance(charts, Mapping):
        return _plain_charts(payload())
    if isinstance(charts, Mapping):
        return {str(k): _plain_charts(v) for k, v in charts.items()}
    if isinstance(charts, (list, tuple)):
        return [_plain_charts(v) for v in charts]
    if hasattr(charts, "to_dict") and not isinstance(charts, (str, bytes)):
        return charts.to_dict()
    return charts
