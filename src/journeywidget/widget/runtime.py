"""One copy of the front end per kernel: the :class:`JourneyRuntime` widget every map references.

anywidget keeps a widget's ES module (``_esm``) and CSS in the widget's own state,
and Jupyter saves every widget's state in the notebook: three maps meant three
copies of the map's code (about 130 KB) and, once they showed charts, of the Vega
runtime (about 880 KB). Instead, each :class:`~journeywidget.JourneyWidget` carries
a loader of about 2 KB (``static/loader.js``) and a reference to the kernel's one
``JourneyRuntime`` (an ``IPY_MODEL_`` reference, as ipywidgets' containers use);
the runtime holds the code, the CSS and, from the first chart on, the chart
runtime. The page imports the code once per page from a Blob URL.

The runtime is a plain ``@jupyter-widgets/base`` DOM widget (no code of its own,
so every widget manager can make it: JupyterLab, Notebook 7, VS Code, nbconvert's
and the HTML manager's embedding). Its view shows nothing; the notebook display of
a map uses it as the live stand-in of the map's static picture (widget/display.py).

Hosts that cannot resolve widget references (marimo), or any widget created with
``JourneyWidget.share_code = False``, carry the whole code inline instead.

>>> rt = shared_runtime()
>>> rt is shared_runtime(), len(rt.code) > 10_000, rt.layout.display
(True, True, 'none')
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import ipywidgets
import traitlets
from ipywidgets._version import __jupyter_widgets_base_version__ as _BASE_VERSION

from ..charts.runtime import chart_runtime_source

__all__ = ["JourneyRuntime", "shared_runtime", "front_end", "host_needs_inline_code", "picture_stand_in",
           "LOADER_PATH"]

_STATIC = Path(__file__).resolve().parent.parent / "static"
#: The per-widget ``_esm``: takes the code from the shared runtime (js/src/loader.ts).
LOADER_PATH = _STATIC / "loader.js"


@lru_cache(maxsize=1)
def front_end() -> tuple[str, str]:
    """The built front end: (static/widget.js, static/widget.css) text, read once per process."""
    js, css = _STATIC / "widget.js", _STATIC / "widget.css"
    return js.read_text(encoding="utf-8"), css.read_text(encoding="utf-8") if css.exists() else ""


class JourneyRuntime(ipywidgets.DOMWidget):  # type: ignore[misc]
    """The journey maps' shared front end: code, CSS and chart runtime, once per kernel."""

    _model_name = traitlets.Unicode("DOMWidgetModel").tag(sync=True)
    _model_module = traitlets.Unicode("@jupyter-widgets/base").tag(sync=True)
    _model_module_version = traitlets.Unicode(_BASE_VERSION).tag(sync=True)
    _view_name = traitlets.Unicode("DOMWidgetView").tag(sync=True)
    _view_module = traitlets.Unicode("@jupyter-widgets/base").tag(sync=True)
    _view_module_version = traitlets.Unicode(_BASE_VERSION).tag(sync=True)

    #: The map's ES module (static/widget.js).
    code = traitlets.Unicode("").tag(sync=True)
    #: The map's CSS (static/widget.css).
    css = traitlets.Unicode("").tag(sync=True)
    #: The chart runtime (static/charts-runtime.js: vega, vega-lite, vega-embed); "" until a
    #: map on the page has a chart to draw.
    charts = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        code, css = front_end()
        kwargs.setdefault("layout", ipywidgets.Layout(display="none"))
        super().__init__(code=code, css=css, **kwargs)

    def need_charts(self) -> None:
        """Send the chart runtime (once): a map on the page has a chart to draw."""
        if not self.charts:
            self.charts = chart_runtime_source()


class _StandIn(ipywidgets.DOMWidget):  # type: ignore[misc]
    """An empty, hidden DOM widget: the live stand-in of a map's static picture when the
    map carries its code inline (no shared runtime to stand in)."""

    _view_name = traitlets.Unicode("DOMWidgetView").tag(sync=True)
    _view_module = traitlets.Unicode("@jupyter-widgets/base").tag(sync=True)
    _view_module_version = traitlets.Unicode(_BASE_VERSION).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(layout=ipywidgets.Layout(display="none"), **kwargs)


_runtime: JourneyRuntime | None = None
_stand_in: _StandIn | None = None


def picture_stand_in(widget: Any) -> ipywidgets.DOMWidget:
    """The widget whose (empty) view stands in for ``widget``'s static picture in a live notebook."""
    global _stand_in
    if getattr(widget, "_runtime", None) is not None:
        return widget._runtime
    if _stand_in is None or _stand_in.comm is None:
        _stand_in = _StandIn()
    return _stand_in


def shared_runtime() -> JourneyRuntime:
    """The kernel's one :class:`JourneyRuntime` (a new one if it was closed)."""
    global _runtime
    if _runtime is None or _runtime.comm is None:
        _runtime = JourneyRuntime()
    return _runtime


def host_needs_inline_code() -> bool:
    """Whether widgets must carry their code inline: in marimo, which shows anywidgets
    itself and opens no comm for other widgets (so an ``IPY_MODEL_`` reference could not
    be resolved). Looked up only when marimo is already imported."""
    mo = sys.modules.get("marimo")
    if mo is None:
        return False
    import comm

    if str(getattr(comm.create_comm, "__module__", "")).startswith("marimo"):
        return True  # marimo's comm provider: only anywidgets get a real comm
    try:
        return bool(mo.running_in_notebook())
    except Exception:  # noqa: BLE001 - an unknown marimo: be safe, inline
        return True
