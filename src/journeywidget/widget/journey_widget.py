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

import contextlib
import pathlib
import re
import weakref
from typing import Any

import anywidget
import traitlets

from ..charts.chartset import WidgetCharts  # issue 5: overlay / add_chart / _charts (see charts.py)
from ..core.errors import JourneyError
from ..journey import Journey

__all__ = ["JourneyWidget", "readable_name"]

_STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"


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

    Data: ``w.bind_events(df, customer=..., time=..., touchpoint=..., segment="plan")``
    puts reach, conversion and drop-off on the map. ``w.segment = "pro"`` shows one
    customer segment (the toolbar's select does the same; ``w.metrics.segment`` follows
    both ways), ``w.compare = "free"`` shows a second segment beside it (A/B),
    ``w.insights`` lists bottlenecks and data problems (the "Insights" panel), and
    ``w.add_unmapped_to_map()`` puts event keys that are on no touchpoint onto the map.
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
    #: The customer segment the map shows ("" = all customers); synced both ways with
    #: the page's segment select and with ``widget.metrics.segment``.
    segment = traitlets.Unicode("").tag(sync=True)
    #: A second segment shown beside ``segment`` (A/B comparison); "" = off.
    compare = traitlets.Unicode("").tag(sync=True)

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
        self._data_syncing = False
        segment = kwargs.pop("segment", "")
        compare = kwargs.pop("compare", "")
        super().__init__(editable=editable, **kwargs)
        if segment or compare:
            raise JourneyError(
                "segment= and compare= need bound data: create the widget, call "
                "w.bind_events(df, ..., segment=<column>), then set w.segment / w.compare"
            )
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

    # -- data: segments, A/B comparison, insights ----------------------------------

    @property
    def insights(self) -> list:
        """Ranked bottlenecks and data problems of the bound data (``[]`` before binding).

        The same :class:`journeywidget.insights.Insight` objects as ``widget.metrics.insights``
        (for the current segment); the page lists them in its "Insights" panel.

        >>> import journeywidget as jw
        >>> w = jw.JourneyWidget(jw.Journey.from_template("ecommerce-purchase"))
        >>> w.insights
        []
        >>> _ = w.bind_events(jw.datasets.events(w.journey, customers=500), customer="customer_id",
        ...                   time="timestamp", touchpoint="event", segment="plan")
        >>> sorted({i.category for i in w.insights})
        ['bottleneck', 'data']
        """
        m = self.metrics
        if m is None or not hasattr(m, "insights"):
            return []
        if getattr(m, "_engine", None) is None and getattr(m, "_feedback", None) is None:
            return []
        return list(m.insights)

    def add_unmapped_to_map(self, key: Any = None) -> list[str]:
        """Put event keys that are on no touchpoint onto the map, as one undoable edit.

        Each key becomes a touchpoint named after it (``"begin_checkout"`` → "Begin checkout")
        in the stage where its events usually happen (the first stage when that cannot be
        told), with ``event_keys=[key]``; the metrics recompute and the "unmapped key"
        problem goes away. ``key=None`` adds every unmapped key. Returns the new
        touchpoints' ids; ``widget.undo()`` takes them all back.

        >>> import journeywidget as jw
        >>> w = jw.JourneyWidget(jw.Journey.from_template("ecommerce-purchase"))
        >>> _ = w.bind_events(jw.datasets.events(w.journey, customers=500), customer="customer_id",
        ...                   time="timestamp", touchpoint="event")
        >>> w.add_unmapped_to_map("session_start")
        ['session-start']
        >>> w.journey["session-start"].name, w.journey["session-start"].event_keys
        ('Session start', ['session_start'])
        >>> added = w.add_unmapped_to_map()          # all the others
        >>> [i for i in w.insights if i.kind == "unmapped_key"]
        []
        >>> w.undo()
        >>> len(w.metrics.unmapped_keys()) == len(added)
        True
        """
        from ..core.ids import slugify, unique_id
        from ..document.operations import all_ids

        m = self.metrics
        if m is None or getattr(m, "_engine", None) is None:
            raise JourneyError(
                "no event data is bound: call w.bind_events(df, customer=..., time=..., "
                "touchpoint=...) first"
            )
        unmapped = m.unmapped_keys()
        if key is not None:
            want = str(key)
            chosen = [u for u in unmapped if u["key"] == want]
            if not chosen:
                names = ", ".join(repr(u["key"]) for u in unmapped[:10]) or "none"
                raise JourneyError(
                    f"{key!r} is not an unmapped event key of the bound data; unmapped keys: {names}"
                )
        else:
            chosen = unmapped
        if not chosen:
            return []
        stages = self._journey.stages
        if not stages:
            raise JourneyError("the map has no stages: add a stage before adding touchpoints")
        stage_ids = {st.id for st in stages}
        taken = set(all_ids(self._journey.to_dict()))
        ops, ids = [], []
        for u in chosen:
            name = readable_name(u["key"])
            new_id = unique_id(slugify(name, "touchpoint"), taken)
            taken.add(new_id)
            stage = u["suggested_stage"] if u["suggested_stage"] in stage_ids else stages[0].id
            ops.append({"op": "add", "kind": "touchpoint", "index": None,
                        "item": {"id": new_id, "name": name, "stage": stage,
                                 "event_keys": [u["key"]]}})
            ids.append(new_id)
        if len(ops) == 1:
            self._journey.apply(ops[0])
        else:
            self._journey.apply({"op": "batch", "ops": ops,
                                 "label": f"added {len(ops)} touchpoints for unmapped event keys"})
        return ids

    @contextlib.contextmanager
    def _quiet_data(self):
        """Set ``segment``/``compare`` from the metrics without reacting to it."""
        before = self._data_syncing
        self._data_syncing = True
        try:
            yield
        finally:
            self._data_syncing = before

    def _segments_available(self) -> list[str] | None:
        """Segment values of the bound events; None when no events are bound."""
        m = self.metrics if getattr(self, "_chartset", None) is not None else None
        eng = getattr(m, "_engine", None)
        return None if eng is None else list(eng.segments)

    def _check_segment(self, value: str, trait: str) -> None:
        segs = self._segments_available()
        if segs is None:
            raise traitlets.TraitError(
                f"{trait}={value!r}: no event data is bound yet; call "
                f"w.bind_events(df, ..., segment=<column>) first"
            )
        if not segs:
            raise traitlets.TraitError(
                f"{trait}={value!r}: the bound events have no segment column; bind them with "
                f"w.bind_events(df, ..., segment=<column>)"
            )
        if value not in segs:
            shown = ", ".join(repr(x) for x in segs[:20]) + (" ..." if len(segs) > 20 else "")
            raise traitlets.TraitError(f"{trait}={value!r} is not a segment in the data; segments: {shown}")

    @traitlets.validate("segment")
    def _valid_segment(self, proposal: dict) -> str:
        value = proposal["value"] or ""
        if value and not self._data_syncing:
            self._check_segment(value, "segment")
        return value

    @traitlets.validate("compare")
    def _valid_compare(self, proposal: dict) -> str:
        value = proposal["value"] or ""
        if value and not self._data_syncing:
            self._check_segment(value, "compare")
        return value

    @traitlets.observe("segment")
    def _on_segment(self, change: dict) -> None:
        if self._data_syncing or getattr(self, "_chartset", None) is None:
            return
        m = self.metrics
        if m is None or not hasattr(m, "segment"):
            return
        want = change["new"] or None
        if m.segment != want:
            m.segment = want  # the metrics notify; the map and charts follow (_refresh_charts)

    @traitlets.observe("compare")
    def _on_compare(self, change: dict) -> None:
        if self._data_syncing or getattr(self, "_chartset", None) is None:
            return
        m = self.metrics
        if m is not None and hasattr(m, "to_payload"):
            self._metrics = self._metrics_for_page(m, self._chartset.metrics_payload)

    def _metrics_for_page(self, metrics: Any, payload: dict) -> dict:
        """The ``_metrics`` value: the metrics payload, with segment B in compare mode.

        Also brings ``segment`` in line with ``metrics.segment`` (which may have been set
        from Python) and switches compare mode off when its segment left the data."""
        segs = self._segments_available()
        with self._quiet_data():
            if segs is None:
                if self.segment:
                    self.segment = ""
                if self.compare:
                    self.compare = ""
            else:
                seg = getattr(metrics, "segment", None)
                seg = "" if seg is None else str(seg)
                if self.segment != seg:
                    self.segment = seg
                if self.compare and self.compare not in segs:
                    self.compare = ""
        if segs is not None and self.compare:
            payload = metrics.to_payload(compare=self.compare)
        if not payload:
            return payload
        # "live": a kernel answers here (segment switch, "Add to map"); exported pages lack it
        return {**payload, "live": True}

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
            from ..export import mimebundle_fallback

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
        from ..export import to_html

        return to_html(self, path, editable=editable, **kwargs)

    def to_svg(self, path: Any = None, **kwargs: Any) -> str:
        """The map with its metrics as SVG."""
        from ..export import to_svg

        kwargs.setdefault("metrics", self._metrics or None)
        kwargs.setdefault("overlays", self._charts_for_export())
        return to_svg(self._journey, path, **kwargs)

    def to_png(self, path: Any = None, *, scale: float = 2, **kwargs: Any) -> bytes:
        """The map with its metrics and overlays as PNG, without a browser."""
        from ..export import to_png

        kwargs.setdefault("metrics", self._metrics or None)
        kwargs.setdefault("overlays", self._charts_for_export())
        return to_png(self._journey, path, scale=scale, **kwargs)

    def to_pdf(self, path: Any = None, **kwargs: Any) -> bytes:
        """The map with its metrics and overlays as a one-page PDF, without a browser."""
        from ..export import to_pdf

        kwargs.setdefault("metrics", self._metrics or None)
        kwargs.setdefault("overlays", self._charts_for_export())
        return to_pdf(self._journey, path, **kwargs)

    def to_markdown(self, **kwargs: Any) -> str:
        """The map and its metrics as Markdown tables."""
        from ..export import to_markdown

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
            if "selected" in getattr(self, "_property_lock", {}):
                return ""  # from the page: an item that was just removed; clear quietly
            raise traitlets.TraitError(
                f"selected: no item with id {value!r} in this journey; use an id such as "
                f"{self._journey.touchpoints[0].id if self._journey.touchpoints else self._journey.id!r}"
                " (see widget.journey.touchpoints), or '' to clear the selection"
            )
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
    from ..document.operations import locate

    return doc.get("id") == item_id or locate(doc, item_id) is not None


_CAMEL_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_KEY_SEPARATORS = re.compile(r"[\s_\-.:/|+]+")


def readable_name(key: Any, max_length: int = 300) -> str:
    """A touchpoint name made from an event key (the page's "Add to map" does the same).

    >>> readable_name("begin_checkout")
    'Begin checkout'
    >>> readable_name("pageViewHTMLDocs")
    'Page view HTML docs'
    >>> readable_name("  app.open  ")
    'App open'
    """
    raw = str(key).strip()
    text = _CAMEL_ACRONYM.sub(r"\1 \2", _CAMEL_LOWER_UPPER.sub(r"\1 \2", raw))
    words = [w for w in _KEY_SEPARATORS.split(text) if w]
    words = [w if (len(w) > 1 and w.isupper()) else w.lower() for w in words]
    name = " ".join(words) or raw or "Event"
    name = name[:1].upper() + name[1:]
    return name[:max_length].rstrip() or "Event"
