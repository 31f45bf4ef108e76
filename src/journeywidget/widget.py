"""The editable journey map widget (anywidget).

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("ecommerce-purchase")
>>> w = jw.JourneyWidget(j)
>>> w.journey is j
True
>>> w._doc["title"] == j.title
True

The page renders the synced document ``_doc``; every edit made in the page is
sent back as JSON operations (docs/FORMAT.md) and applied with
:meth:`journeywidget.Journey.apply`, so Python, the page, files and exports
share one model and one undo history. Changes made from Python (scripting,
undo, restore, another widget) reach every view at once.
"""

from __future__ import annotations

import pathlib
import weakref
from typing import Any

import anywidget
import traitlets

from .charts import WidgetCharts  # issue 5: overlay / add_chart / _charts (see charts.py)
from .errors import JourneyError
from .model import Journey

__all__ = ["JourneyWidget"]

_STATIC = pathlib.Path(__file__).parent / "static"


class JourneyWidget(WidgetCharts, anywidget.AnyWidget):
    """An editable customer journey map in a notebook.

    Parameters
    ----------
    journey:
        The :class:`journeywidget.Journey` to show and edit (a document dict is
        accepted too). ``widget.journey`` is that same live object: edits in
        the page change it, and changes to it show in the page.
    editable:
        ``False`` gives a read-only map.

    Display the same widget in several cells: the views stay in sync.
    """

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"

    #: The document (``journey.to_dict()``); read-only from the page's side.
    _doc = traitlets.Dict().tag(sync=True)
    #: Increases with every ``_doc`` update; results of edits carry it.
    _rev = traitlets.Int(0).tag(sync=True)
    #: Id of the selected item ("" for none); synced both ways.
    selected = traitlets.Unicode("").tag(sync=True)
    #: Whether the page offers editing.
    editable = traitlets.Bool(True).tag(sync=True)
    #: Message shown under the map (the last refused edit); "" for none.
    _error = traitlets.Unicode("").tag(sync=True)
    _can_undo = traitlets.Bool(False).tag(sync=True)
    _can_redo = traitlets.Bool(False).tag(sync=True)
    #: Aggregates from the metrics engine (badges per touchpoint, funnel per stage).
    _metrics = traitlets.Dict().tag(sync=True)
    #: Charts (Vega-Lite specs) per item, drawn by the charts work.
    _charts = traitlets.Dict().tag(sync=True)

    def __init__(
        self, journey: Journey | dict | None = None, editable: bool = True, **kwargs: Any
    ) -> None:
        if journey is None:
            journey = Journey("Untitled journey")
        elif isinstance(journey, dict):
            journey = Journey.from_dict(journey)
        elif not isinstance(journey, Journey):
            raise TypeError(
                f"JourneyWidget needs a journeywidget.Journey, got {type(journey).__name__}"
            )
        self._journey = journey
        super().__init__(editable=editable, **kwargs)
        self._sync_from_journey()
        # A weak reference: a journey outlives widgets it was once shown in.
        ref = weakref.ref(self)

        def listener(_journey: Journey, _ref: weakref.ref = ref) -> None:
            widget = _ref()
            if widget is None:
                unsubscribe()
            else:
                widget._sync_from_journey()

        unsubscribe = journey.on_change(listener)
        self._unsubscribe = unsubscribe
        self.on_msg(self._on_page_msg)
        self._init_charts()  # charts.py: overlays and custom charts, live

    # -- the model --------------------------------------------------------------

    @property
    def journey(self) -> Journey:
        """The live :class:`journeywidget.Journey` this widget shows."""
        return self._journey

    def undo(self) -> None:
        """Undo the last change (shared history with Python and every view)."""
        self._journey.undo()

    def redo(self) -> None:
        """Redo the last undone change."""
        self._journey.redo()

    def apply(self, op: dict) -> str:
        """Apply one operation to the journey (same as ``widget.journey.apply(op)``)."""
        return self._journey.apply(op)

    def select(self, item_id: str | None) -> None:
        """Select an item in every view ("" or None clears the selection)."""
        self.selected = item_id or ""

    def close(self) -> None:
        if getattr(self, "_chartset", None) is not None:  # charts.py
            self._chartset.close()
        unsubscribe = getattr(self, "_unsubscribe", None)
        if unsubscribe is not None:
            unsubscribe()
            self._unsubscribe = None
        super().close()

    # -- display and reports ------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The live widget, plus a static picture of the map for places without widget state
        (nbconvert, GitHub, a notebook saved without widget state)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, None)
        if data is None:
            return bundle
        try:
            from .export import mimebundle_fallback

            fallback = mimebundle_fallback(self._journey, metrics=self._metrics or None, png=False)
        except Exception as err:  # noqa: BLE001 - a picture must never break the live widget
            import warnings

            warnings.warn(f"journeywidget: no static fallback for this output ({err!r})", RuntimeWarning,
                          stacklevel=2)
            return bundle
        data = {**{k: v for k, v in fallback.items() if k != "text/plain"}, **data}
        return (data, meta) if meta is not None else data

    def to_html(self, path: Any = None, *, editable: bool = False, **kwargs: Any) -> str:
        """Write one offline HTML page with this map, its metrics and overlays (read-only unless
        ``editable=True``, which adds a "Download JSON" button); returns the HTML text."""
        from .export import to_html

        return to_html(self, path, editable=editable, **kwargs)

    def to_svg(self, path: Any = None, **kwargs: Any) -> str:
        """The map with its metrics as SVG."""
        from .export import to_svg

        kwargs.setdefault("metrics", self._metrics or None)
        kwargs.setdefault("overlays", self._charts_for_export())
        return to_svg(self._journey, path, **kwargs)

    def to_png(self, path: Any = None, *, scale: float = 2, **kwargs: Any) -> bytes:
        """The map with its metrics and overlays as PNG, without a browser."""
        from .export import to_png

        kwargs.setdefault("metrics", self._metrics or None)
        kwargs.setdefault("overlays", self._charts_for_export())
        return to_png(self._journey, path, scale=scale, **kwargs)

    def to_pdf(self, path: Any = None, **kwargs: Any) -> bytes:
        """The map with its metrics and overlays as a one-page PDF, without a browser."""
        from .export import to_pdf

        kwargs.setdefault("metrics", self._metrics or None)
        kwargs.setdefault("overlays", self._charts_for_export())
        return to_pdf(self._journey, path, **kwargs)

    def to_markdown(self, **kwargs: Any) -> str:
        """The map and its metrics as Markdown tables."""
        from .export import to_markdown

        return to_markdown(self._journey, self._metrics or None, **kwargs)

    def _charts_for_export(self) -> Any:
        specs = (self._charts or {}).get("specs") or {}
        return self._charts if specs else None

    # -- syncing ------------------------------------------------------------------

    def _sync_from_journey(self) -> None:
        doc = self._journey.to_dict()
        with self.hold_sync():
            self._doc = doc
            self._rev = self._rev + 1
            self._can_undo = bool(self._journey.can_undo)
            self._can_redo = bool(self._journey.can_redo)
            if self.selected and not _has_id(doc, self.selected):
                self.selected = ""
            self._charts_after_edit()  # charts.py: redraw charts that follow the map

    @traitlets.validate("selected")
    def _valid_selected(self, proposal: dict) -> str:
        value = proposal["value"] or ""
        if value and self._doc and not _has_id(self._doc, value):
            return ""
        return value

    # -- messages from the page ------------------------------------------------

    def _on_page_msg(self, _widget: Any, content: Any, _buffers: Any = None) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "ops":
            self._apply_ops(content.get("ops"), content.get("rid"))
        elif kind in ("undo", "redo"):
            if not self.editable:
                self._error = "This map is read-only."
            elif kind == "undo":
                self.undo()
            else:
                self.redo()

    def _apply_ops(self, ops: Any, rid: Any) -> None:
        error: str | None = None
        if not self.editable:
            error = "This map is read-only."
        elif not isinstance(ops, list) or not ops:
            error = "expected a non-empty list of operations"
        else:
            op = ops[0] if len(ops) == 1 else {"op": "batch", "ops": ops}
            try:
                self._journey.apply(op)
            except JourneyError as err:
                error = str(err)
            except (ValueError, TypeError, KeyError) as err:  # malformed op from the page
                error = f"invalid edit: {err}"
        if error is None:
            if self._error:
                self._error = ""
        else:
            self._error = error
        self.send(
            {"type": "result", "rid": rid, "ok": error is None, "error": error, "rev": self._rev}
        )


def _has_id(doc: dict, item_id: str) -> bool:
    if doc.get("id") == item_id:
        return True
    for key in ("personas", "goals", "stages", "lanes", "touchpoints", "cards", "comments"):
        for item in doc.get(key) or ():
            if item.get("id") == item_id:
                return True
    return False
