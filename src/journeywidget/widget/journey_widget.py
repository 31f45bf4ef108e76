"""The editable journey map widget (anywidget): a thin shell over the journey, its metrics
and its charts.

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

The widget holds a :class:`~journeywidget.charts.ChartSet`, which holds the
:class:`~journeywidget.JourneyMetrics` of the data bound through the widget. The
segment lives in the metrics; the ``segment`` trait mirrors it both ways.
"""

from __future__ import annotations

import contextlib
from typing import Any

import anywidget
import traitlets
from ipywidgets import widget_serialization

from ..charts import OVERLAYS, ChartError, ChartSet, chart_runtime_source, payload_has_charts
from ..core.errors import JourneyError
from ..core.ids import readable_name
from ..core.limits import MAX_OPS_PER_MESSAGE, bounded_message, brief
from ..data.draft import unmapped_key_ops
from ..data.progress import with_progress
from ..document.operations import count_ops, locate
from ..journey import Journey
from .display import StaticPicture
from .page_exports import available_formats, page_export
from .runtime import LOADER_PATH, JourneyRuntime, front_end, host_needs_inline_code, shared_runtime
from .sync import doc_patch, json_diff, patch_size

__all__ = ["JourneyWidget", "ZoomError", "readable_name", "zoom_value"]

#: A change to ``_metrics`` or ``_charts`` larger than this (JSON bytes) is sent whole.
PATCH_LIMIT = 16 * 1024


ZOOM_MIN, ZOOM_MAX = 0.25, 2.0


class ZoomError(JourneyError, traitlets.TraitError):
    """A ``zoom`` that is neither ``"fit"`` nor a factor from 0.25 to 2."""


def zoom_value(value: Any) -> str | float:
    """The ``zoom`` trait's value for ``value``: ``"fit"`` or a factor from 0.25 to 2.

    Accepts ``"fit"``, a number, or text such as ``"0.5"`` or ``"75%"``.

    >>> zoom_value("fit"), zoom_value(0.5), zoom_value("75%"), zoom_value(2)
    ('fit', 0.5, 0.75, 2.0)
    >>> zoom_value(3)
    Traceback (most recent call last):
    ...
    journeywidget.widget.journey_widget.ZoomError: zoom=3: use "fit" or a factor from 0.25 to 2 (1 = 100 %)
    """
    factor: float | None = None
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "fit":
            return "fit"
        try:
            factor = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            factor = None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        factor = float(value)
    if factor is None or not ZOOM_MIN <= factor <= ZOOM_MAX:  # also refuses NaN
        raise ZoomError(f'zoom={value!r}: use "fit" or a factor from 0.25 to 2 (1 = 100 %)')
    return factor


class _Zoom(traitlets.TraitType):
    """``"fit"`` (all stages in view, cards as chips when needed) or a factor 0.25-2."""

    default_value = 1.0
    info_text = '"fit" or a zoom factor from 0.25 to 2'

    def validate(self, obj: Any, value: Any) -> Any:
        return zoom_value(value)


class _Overlay(traitlets.Enum):
    """The built-in overlay: one of ``OVERLAYS``; "" and None mean "none"."""

    def validate(self, obj: Any, value: Any) -> Any:
        return super().validate(obj, value or "none")


class JourneyWidget(anywidget.AnyWidget):
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
    both ways), ``w.unit = "session"``, ``w.funnel = "reached"`` and ``w.window = "7D"``
    set what the numbers count (also mirrored with ``w.metrics``),
    ``w.compare = "free"`` shows a second segment beside it (A/B),
    ``w.insights`` lists bottlenecks and data problems (the "Insights" panel), and
    ``w.add_unmapped_to_map()`` puts event keys that are on no touchpoint onto the map.
    Charts: ``w.overlay = "funnel"``, ``w.add_chart(fn, at=stage)``.
    Zoom: ``JourneyWidget(j, zoom="fit")`` shows every stage at once (cards become compact
    chips when they would not fit); ``w.zoom = 0.5`` or any factor from 0.25 to 2. The
    page's zoom control and every view follow the trait.
    """

    #: A loader that takes the code from the kernel's shared JourneyRuntime (widget/runtime.py);
    #: widgets that carry their code inline get static/widget.js and widget.css here instead.
    _esm = LOADER_PATH
    _css = ""
    #: False: every widget carries the whole front end in its own state (as anywidget widgets
    #: usually do) instead of referencing the kernel's shared runtime; for hosts that cannot
    #: resolve widget references. marimo is detected and always gets the code inline.
    share_code = True

    #: The document (``journey.to_dict()``); read-only from the page's side.
    _doc = traitlets.Dict().tag(sync=True)
    #: Revision of the synced state: increases with every change sent to the page (a whole
    #: ``_doc``, or a ``{"type": "patch"}`` message); results of edits carry it.
    _rev = traitlets.Int(0).tag(sync=True)
    #: Id of the selected item ("" for none); synced both ways.
    selected = traitlets.Unicode("").tag(sync=True)
    #: Whether the page offers editing.
    editable = traitlets.Bool(True).tag(sync=True)
    #: How the map is zoomed in every view: "fit" or a factor from 0.25 to 2 (synced both ways).
    zoom = _Zoom().tag(sync=True)
    #: Message shown under the map (the last refused edit); "" for none.
    _error = traitlets.Unicode("").tag(sync=True)
    _can_undo = traitlets.Bool(False).tag(sync=True)
    _can_redo = traitlets.Bool(False).tag(sync=True)
    #: Aggregates from the metrics (badges per touchpoint, funnel per stage): ``metrics.to_payload()``.
    _metrics = traitlets.Dict().tag(sync=True)
    #: Charts (Vega-Lite specs) per item: ``charts.payload()``.
    _charts = traitlets.Dict().tag(sync=True)
    #: The customer segment the map shows ("" = all customers); mirrors ``widget.metrics.segment``.
    segment = traitlets.Unicode("").tag(sync=True)
    #: A second segment shown beside ``segment`` (A/B comparison); "" = off.
    compare = traitlets.Unicode("").tag(sync=True)
    #: What every number counts: "customer" or "session"; mirrors ``widget.metrics.unit``.
    unit = traitlets.Enum(("customer", "session"), default_value="customer").tag(sync=True)
    #: The funnel mode: "ordered" (earliest-match chaining) or "reached" (any order);
    #: mirrors ``widget.metrics.funnel``.
    funnel = traitlets.Enum(("ordered", "reached"), default_value="ordered").tag(sync=True)
    #: The ordered funnel's conversion window ("7D", "2h"...; "" = none); mirrors
    #: ``widget.metrics.window``.
    window = traitlets.Unicode("").tag(sync=True)
    #: The built-in overlay shown under the header: "none", "emotion", "funnel", "metric", "trend".
    overlay = _Overlay(OVERLAYS, default_value="none").tag(sync=True)
    #: The metric the "metric" overlay draws (e.g. "customers", "share", "median_next_s",
    #: "score") or the "trend" overlay draws ("customers", "events"); "" = default.
    overlay_metric = traitlets.Unicode("").tag(sync=True)
    #: The shared front end (code, CSS, chart runtime) of every map in this kernel, referenced
    #: as ``IPY_MODEL_<id>``; None when this widget carries its code inline.
    _runtime = traitlets.Instance(JourneyRuntime, allow_none=True).tag(sync=True, **widget_serialization)
    #: The chart runtime's ES module source, only for widgets that carry their code inline
    #: (the shared runtime holds it otherwise): empty until the widget first has a chart
    #: to show; the page imports it once per page from a Blob URL.
    _chart_runtime = traitlets.Unicode("").tag(sync=True)
    #: The files Python makes for the page's Export menu (widget/page_exports.py); the page
    #: makes JSON itself, and PNG from the SVG when "png" is not listed.
    _exports = traitlets.List(traitlets.Unicode()).tag(sync=True)
    _progress = traitlets.Dict().tag(sync=True)  # a bind at work (data/progress): the toolbar bar

    # set in __init__; None until then (ipywidgets may close a widget whose __init__ failed)
    _chartset: ChartSet | None = None
    _unsubscribe: Any = None
    #: Send changes to ``_doc``, ``_metrics`` and ``_charts`` as patches (widget/sync.py);
    #: False sends whole values (hosts that cannot apply patches ask for it).
    _patching = True
    _quiet: frozenset = frozenset()

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
        if kwargs.pop("segment", "") or kwargs.pop("compare", ""):
            raise JourneyError(
                "segment= and compare= need bound data: create the widget, call "
                "w.bind_events(df, ..., segment=<column>), then set w.segment / w.compare"
            )
        self._journey = journey
        self._chartset = ChartSet(journey, follow_journey=False)
        self._from_page_now: set[str] = set()
        kwargs.setdefault("_exports", available_formats())
        if host_needs_inline_code():
            self._patching = False  # the host shows anywidgets itself: whole values, inline code
        if not type(self).share_code or host_needs_inline_code():
            code, css = front_end()
            kwargs.update(_esm=code, _css=css, _runtime=None)
        else:
            kwargs["_runtime"] = shared_runtime()
        super().__init__(editable=editable, **kwargs)
        # Held weakly by both: a journey outlives widgets it was once shown in.
        self._unsubscribe = journey.on_change(self._on_journey_change, weak=True)
        self._chartset.on_change(self._refresh_data, weak=True)
        self._picture = StaticPicture(self)
        self.on_msg(self._on_page_msg)
        self._sync_doc()
        self._refresh_data()

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

    # -- data and charts ----------------------------------------------------------

    @property
    def charts(self) -> ChartSet:
        """The :class:`journeywidget.charts.ChartSet` behind the overlays and custom charts."""
        return self._chartset

    @property
    def metrics(self) -> Any:
        """The bound :class:`journeywidget.JourneyMetrics` (None before ``bind_events``)."""
        return self._chartset.metrics

    def bind_events(self, df: Any, **kwargs: Any) -> Any:
        """Bind an event log (see ``JourneyMetrics.bind_events``); returns the metrics.

        The rows stay in the kernel: chart functions receive them, the page gets
        aggregates only. The widget's ``funnel``, ``window`` and ``unit`` carry over.
        """
        unit, funnel, window = self.unit, self.funnel, self.window  # the refresh mirrors the metrics
        m = with_progress(self._chartset.bind_events, df, kwargs, self)  # the toolbar shows it
        m.funnel, m.window = funnel, window or None
        if unit == "session" and m.has_sessions:
            m.unit = "session"
        self._refresh_data()
        return m

    def bind_feedback(self, df: Any, **kwargs: Any) -> Any:
        """Bind survey feedback (see ``JourneyMetrics.bind_feedback``); returns the metrics."""
        return self._chartset.bind_feedback(df, **kwargs)

    def show_overlay(self, name: str, metric: str | None = None) -> None:
        """Show a built-in overlay: ``w.show_overlay("metric", "share")``."""
        with self.hold_trait_notifications():
            self.overlay = name
            self.overlay_metric = metric or ""

    def add_chart(self, chart_or_function: Any, at: Any = "map", name: str | None = None) -> str:
        """Put a chart on the map: an Altair chart, or a function of the bound rows.

        ``at``: ``"map"`` (under the header), a stage id or a touchpoint id. A
        function receives the event rows of that place in the current segment
        (and, if it takes a second parameter, a :class:`journeywidget.charts.ChartContext`)
        and returns an Altair chart; it runs again whenever the data, the segment or
        the map's stages and touchpoints change. Errors show in the chart's place.
        Returns the chart's name (for :meth:`remove_chart`).
        """
        return self._chartset.add(chart_or_function, at=at, name=name)

    def remove_chart(self, name: str) -> None:
        """Take a chart added with :meth:`add_chart` off the map."""
        self._chartset.remove(name)

    @property
    def insights(self) -> list:
        """Ranked bottlenecks and data problems of the bound data (``[]`` before binding).

        The same :class:`journeywidget.data.insights.Insight` objects as
        ``widget.metrics.insights`` (for the current segment); the page lists them in
        its "Insights" panel.

        >>> import journeywidget as jw
        >>> w = jw.JourneyWidget(jw.Journey.from_template("ecommerce-purchase"))
        >>> w.insights
        []
        >>> _ = w.bind_events(jw.datasets.events(w.journey, customers=500), customer="customer_id",
        ...                   time="timestamp", touchpoint="event", segment="plan")
        >>> sorted({i.category for i in w.insights})
        ['bottleneck', 'conformance', 'data']
        """
        m = self.metrics
        return list(m.insights) if m is not None and m.is_bound else []

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
        m = self.metrics
        if m is None or not m.has_events:
            raise JourneyError(
                "no event data is bound: call w.bind_events(df, customer=..., time=..., "
                "touchpoint=...) first"
            )
        unmapped = m.unmapped_keys()
        if key is not None:
            chosen = [u for u in unmapped if u["key"] == str(key)]
            if not chosen:
                names = ", ".join(repr(u["key"]) for u in unmapped[:10]) or "none"
                raise JourneyError(
                    f"{key!r} is not an unmapped event key of the bound data; unmapped keys: {names}"
                )
        else:
            chosen = unmapped
        ops, ids = unmapped_key_ops(self._journey.snapshot(), chosen)
        if len(ops) == 1:
            self._journey.apply(ops[0])
        elif ops:
            self._journey.apply({"op": "batch", "ops": ops,
                                 "label": f"added {len(ops)} touchpoints for unmapped event keys"})
        return ids

    # -- clusters and opportunities onto the map ----------------------------------

    def add_persona_from_cluster(self, cluster: Any) -> str:
        """Put a cluster of :meth:`JourneyMetrics.clusters` on the map as a persona (one undoable
        edit): named after the cluster, described by its size, conversion and the touchpoints
        it visits most, its segment ``{"column": "cluster", "values": [n]}``. Returns its id.

        >>> import journeywidget as jw
        >>> w = jw.JourneyWidget(jw.Journey.from_template("buying-process"))
        >>> m = w.bind_events(jw.datasets.events(w.journey, customers=400), customer="customer_id",
        ...                   time="timestamp", touchpoint="event")
        >>> _ = m.clusters(k=2)
        >>> pid = w.add_persona_from_cluster(0)
        >>> w.journey[pid].segment.column, w.journey[pid].segment.values
        ('cluster', [0])
        """
        from ..data.clusters import persona_for_cluster

        item = persona_for_cluster(self._bound_metrics(), cluster)
        return self._journey.add_persona(item.pop("name"), **item)

    def add_opportunity(self, target: str, text: str | None = None) -> str:
        """Put an opportunity on the map (one undoable edit): a sentence about ``target`` (a
        touchpoint or stage id of ``widget.metrics.opportunities()``) added to a touchpoint's
        opportunities, or as a card in the stage's "Opportunities" lane (added if missing).
        ``text`` replaces the generated sentence. Returns the id of the touchpoint or card.

        >>> import journeywidget as jw
        >>> w = jw.JourneyWidget(jw.Journey.from_template("buying-process"))
        >>> m = w.bind_events(jw.datasets.events(w.journey, customers=400), customer="customer_id",
        ...                   time="timestamp", touchpoint="event")
        >>> best = m.opportunities().iloc[0]
        >>> where = w.add_opportunity(best["target"])
        >>> w.undo()
        """
        from .data_actions import put_opportunity

        return put_opportunity(self, target, text)

    def _bound_metrics(self) -> Any:
        m = self.metrics
        if m is None or not m.has_events:
            raise JourneyError(
                "no event data is bound: call w.bind_events(df, customer=..., time=..., touchpoint=...) first"
            )
        return m

    # -- segments -----------------------------------------------------------------

    def _check_segment(self, value: str, trait: str) -> None:
        m = self.metrics
        if m is None or not m.has_events:
            raise traitlets.TraitError(
                f"{trait}={brief(value)}: no event data is bound yet; call "
                f"w.bind_events(df, ..., segment=<column>) first"
            )
        segs = m.segment_values
        if not segs:
            raise traitlets.TraitError(
                f"{trait}={brief(value)}: the bound events have no segment column; bind them with "
                f"w.bind_events(df, ..., segment=<column>)"
            )
        if value not in segs:
            shown = ", ".join(repr(x) for x in segs[:20]) + (" ..." if len(segs) > 20 else "")
            raise traitlets.TraitError(f"{trait}={brief(value)} is not a segment in the data; segments: {shown}")

    @traitlets.validate("segment", "compare")
    def _valid_segment(self, proposal: dict) -> str:
        value = proposal["value"] or ""
        if value:
            self._check_segment(value, proposal["trait"].name)
        return value

    @traitlets.observe("segment")
    def _on_segment(self, change: dict) -> None:
        m = self.metrics
        want = change["new"] or None
        if m is not None and m.segment != want:
            m.segment = want  # the metrics notify; _refresh_data mirrors them back

    @traitlets.observe("compare")
    def _on_compare(self, change: dict) -> None:
        self._refresh_data()

    @traitlets.validate("unit")
    def _valid_unit(self, proposal: dict) -> str:
        m = self.metrics
        if proposal["value"] == "session" and m is not None and m.has_events and not m.has_sessions:
            raise traitlets.TraitError(
                "unit='session' needs sessions: bind with w.bind_events(df, ..., session=<column>) "
                "or w.bind_events(df, ..., session_gap='30min')")
        return proposal["value"]

    @traitlets.validate("window")
    def _valid_window(self, proposal: dict) -> str:
        from ..data.sessions import parse_duration

        value = (proposal["value"] or "").strip()
        if value:
            try:
                parse_duration(value, "window")
            except JourneyError as err:
                raise traitlets.TraitError(str(err)) from None
        return value

    @traitlets.observe("unit", "funnel", "window")
    def _on_counting(self, change: dict) -> None:
        m = self.metrics
        if m is None or not m.has_events:
            return  # applied when data is bound
        name, new = change["name"], change["new"]
        if name == "window":
            if (str(m.window) if m.window is not None else "") != new:
                m.window = new or None  # the metrics notify; _refresh_data mirrors them back
        elif getattr(m, name) != new:
            setattr(m, name, new)

    @traitlets.observe("overlay", "overlay_metric")
    def _on_overlay(self, change: dict) -> None:
        try:
            self._chartset.set_overlay(self.overlay, self.overlay_metric or None)
        except ChartError as err:
            self._charts = {**self._charts, "error": str(err)}

    # -- syncing ------------------------------------------------------------------

    def _on_journey_change(self, journey: Journey) -> None:
        self._sync_doc((journey.last_change or {}).get("edits"))
        if not self._chartset.metrics_follow_journey:
            # metrics that follow the journey recompute first, then tell the charts (once)
            self._refresh_data()

    def _sync_doc(self, edits: list | None = None) -> None:
        doc = self._journey.snapshot()
        ops = doc_patch(edits) if edits and self._patching and self._doc else None
        with self.hold_sync():
            if ops is not None:
                self._send_patch({"_doc": ops}, {"_doc": doc})
            else:
                self._doc = doc
                self._rev = self._rev + 1
            self._can_undo = bool(self._journey.can_undo)
            self._can_redo = bool(self._journey.can_redo)
            if self.selected and not _has_id(doc, self.selected):
                self.selected = ""
        self._picture.schedule()

    def _refresh_data(self, _source: Any = None) -> None:
        """Mirror the metrics (segment, payload) and the charts into the synced traits."""
        m = self.metrics
        segs = m.segment_values if m is not None and m.has_events else None
        if self.compare and (segs is None or self.compare not in segs):
            self.compare = ""  # its segment left the data; the observer refreshes again
            return
        payload: dict = {}
        if m is not None and m.is_bound:
            payload = m.to_payload(compare=self.compare or None)
            payload["live"] = True  # a kernel answers (segment switch, "Add to map"); exports lack it
        charts = self._chartset.payload(metrics_payload=payload)
        with self.hold_sync():
            self.segment = "" if m is None or m.segment is None else str(m.segment)
            if m is not None and m.has_events:
                self.unit, self.funnel = m.unit, m.funnel
                self.window = "" if m.window is None else str(m.window)
            if payload_has_charts(charts):
                self._need_chart_runtime()
            self._update_synced({"_metrics": payload, "_charts": charts})
        self._picture.schedule()

    def _need_chart_runtime(self) -> None:
        if self._runtime is not None:
            self._runtime.need_charts()
        elif not self._chart_runtime:
            self._chart_runtime = chart_runtime_source()

    def _inline_code(self) -> None:
        """The page could not reach the shared runtime: carry the code in this widget (anywidget
        then loads it again)."""
        code, css = front_end()
        with self.hold_sync():
            self._css = css
            if payload_has_charts(self._charts):
                self._chart_runtime = chart_runtime_source()
            self._esm = code

    # -- patches (widget/sync.py) -------------------------------------------------

    def _update_synced(self, values: dict) -> None:
        """Set synced traits: as patches when that is small, else whole (or not at all when equal)."""
        patches, quiet = {}, {}
        for name, new in values.items():
            if not self._patching:
                setattr(self, name, new)
                continue
            ops = json_diff(getattr(self, name), new)
            if not ops:
                quiet[name] = new  # equal: keep the new value without sending anything
            elif patch_size(ops) <= PATCH_LIMIT:
                patches[name], quiet[name] = ops, new
            else:
                setattr(self, name, new)
        if patches:
            self._send_patch(patches, quiet)
        elif quiet:
            with self._quietly(*quiet):
                for name, value in quiet.items():
                    setattr(self, name, value)

    def _send_patch(self, patches: dict, values: dict) -> None:
        """Give the traits their new values in the kernel without sending them; send the page
        the patches instead, with the revision they lead from and to."""
        base = self._rev
        with self._quietly("_rev", *values):
            for name, value in values.items():
                setattr(self, name, value)
            self._rev = base + 1
        self.send({"type": "patch", "model": self.model_id, "base": base, "rev": base + 1,
                   "patches": patches})

    @contextlib.contextmanager
    def _quietly(self, *names: str) -> Any:
        before = self._quiet
        self._quiet = before | set(names)
        try:
            yield
        finally:
            self._quiet = before

    def _should_send_property(self, key: str, value: Any) -> bool:
        # traits set in _quietly reach the page as a patch (or not at all), never whole
        return key not in self._quiet and super()._should_send_property(key, value)

    def close(self) -> None:
        if getattr(self, "_picture", None) is not None:
            self._picture.cancel()
        if self._chartset is not None:
            self._chartset.close()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        super().close()

    # -- display and reports ------------------------------------------------------

    def _ipython_display_(self) -> None:
        """In IPython: the live map, and its static picture as an output of its own that follows
        the edits (widget/display.py), for places without widget state (nbconvert, GitHub)."""
        if self.comm is None:  # closed: as ipywidgets shows a closed widget, its text only
            from IPython.display import display

            display({"text/plain": repr(self)}, raw=True)
            return
        self._picture.display()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The live widget, plus a static picture of the map (SVG) for places without widget
        state; IPython uses :meth:`_ipython_display_` instead."""
        bundle = super()._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, None)
        if data is None:
            return bundle
        try:
            svg = self._picture.svg()
        except Exception as err:  # noqa: BLE001 - a picture must never break the live widget
            import warnings

            warnings.warn(f"journeywidget: no static fallback for this output ({err!r})", RuntimeWarning,
                          stacklevel=2)
            return bundle
        data = {**data, "text/plain": repr(self), "image/svg+xml": svg}
        return (data, meta) if meta is not None else data

    def __repr__(self) -> str:
        j = getattr(self, "_journey", None)
        if j is None:
            return "JourneyWidget()"
        return f"JourneyWidget({j.title!r}: {len(j.stages)} stages, {len(j.touchpoints)} touchpoints)"

    def to_html(self, path: Any = None, *, editable: bool = False, **kwargs: Any) -> str:
        """Write one offline HTML page with this map, its metrics and overlays (read-only unless
        ``editable=True``, which adds a "Download JSON" button); returns the HTML text."""
        from ..export import to_html

        return to_html(self, path, editable=editable, **kwargs)

    def to_svg(self, path: Any = None, **kwargs: Any) -> str:
        """The map with its metrics as SVG."""
        from ..export import to_svg

        return to_svg(self._journey, path, **self._export_kwargs(kwargs))

    def to_png(self, path: Any = None, *, scale: float = 2, **kwargs: Any) -> bytes:
        """The map with its metrics and overlays as PNG, without a browser."""
        from ..export import to_png

        return to_png(self._journey, path, scale=scale, **self._export_kwargs(kwargs))

    def to_pdf(self, path: Any = None, **kwargs: Any) -> bytes:
        """The map with its metrics and overlays as a one-page PDF, without a browser."""
        from ..export import to_pdf

        return to_pdf(self._journey, path, **self._export_kwargs(kwargs))

    def to_markdown(self, **kwargs: Any) -> str:
        """The map and its metrics as Markdown tables."""
        from ..export import to_markdown

        return to_markdown(self._journey, self._metrics or None, **kwargs)

    def _export_kwargs(self, kwargs: dict) -> dict:
        """The metrics and charts shown, unless the caller gave others."""
        specs = (self._charts or {}).get("specs") or {}
        kwargs.setdefault("metrics", self._metrics or None)
        kwargs.setdefault("overlays", self._charts if specs else None)
        return kwargs

    @traitlets.validate("selected")
    def _valid_selected(self, proposal: dict) -> str:
        value = proposal["value"] or ""
        if value and self._doc and not _has_id(self._doc, value):
            if self._from_page("selected"):
                return ""  # from the page: an item that was just removed; clear quietly
            tps = self._journey.touchpoints
            raise traitlets.TraitError(
                f"selected: no item with id {brief(value)} in this journey; use an id such as "
                f"{tps[0].id if tps else self._journey.id!r}"
                " (see widget.journey.touchpoints), or '' to clear the selection"
            )
        return value


    # -- messages from the page ------------------------------------------------

    def set_state(self, sync_data: dict) -> None:
        """State from the page (ipywidgets calls this); validators can tell it apart."""
        self._from_page_now = set(sync_data)
        try:
            super().set_state(sync_data)
        finally:
            self._from_page_now = set()

    def _from_page(self, name: str) -> bool:
        return name in self._from_page_now

    def _on_page_msg(self, _widget: Any, content: Any, _buffers: Any = None) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "export":
            self._export_for_page(content.get("format"), content.get("rid"))
        elif kind == "inline":
            self._inline_code()
        elif kind == "resync":  # the page missed a patch, or cannot apply patches ("full")
            if content.get("full"):
                self._patching = False
            self.send_state(["_doc", "_metrics", "_charts", "_rev"])
        elif kind == "ops":
            self._apply_ops(content.get("ops"), content.get("rid"))
        elif kind in ("add_persona_from_cluster", "add_opportunity", "clusters"):
            self._data_action(kind, content)
        elif kind in ("undo", "redo"):
            if not self.editable:
                self._error = "This map is read-only."
            elif kind == "undo":
                self.undo()
            else:
                self.redo()

    def _export_for_page(self, fmt: Any, rid: Any) -> None:
        """Answer the page's Export menu: the file as the message's binary buffer."""
        try:
            head, data = page_export(self, fmt)
        except Exception as err:  # noqa: BLE001 - the page shows why, the map stays
            self.send({"type": "export", "rid": rid, "ok": False, "format": fmt,
                       "error": f"could not export {fmt}: {err}"})
            return
        self.send({"type": "export", "rid": rid, "ok": True, "format": fmt, **head}, buffers=[data])

    def _apply_ops(self, ops: Any, rid: Any) -> None:
        error: str | None = None
        if not self.editable:
            error = "This map is read-only."
        elif not isinstance(ops, list) or not ops:
            error = "expected a non-empty list of operations"
        elif count_ops(ops, MAX_OPS_PER_MESSAGE) > MAX_OPS_PER_MESSAGE:
            error = (f"more than {MAX_OPS_PER_MESSAGE:,} operations in one message; send at most "
                     f"{MAX_OPS_PER_MESSAGE:,} at a time")
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
            error = bounded_message(error)
            self._error = error
        self.send(
            {"type": "result", "rid": _short_rid(rid), "ok": error is None, "error": error, "rev": self._rev}
        )


    def _data_action(self, kind: str, content: dict) -> None:
        """A button of the page that acts on the data (see ``widget/data_actions.py``)."""
        from .data_actions import run_data_action

        result, error = run_data_action(self, kind, content)
        self._error = error or ""
        self.send({"type": "result", "rid": _short_rid(content.get("rid")), "ok": error is None,
                   "error": error, "id": result, "rev": self._rev})



def _short_rid(rid: Any) -> Any:
    """The page's request id, echoed back only if it is a number or short text."""
    if isinstance(rid, (int, float)) and not isinstance(rid, bool) and abs(rid) < 2**63:
        return rid
    return rid if isinstance(rid, str) and len(rid) <= 100 else None


def _has_id(doc: dict, item_id: str) -> bool:
    return doc.get("id") == item_id or locate(doc, item_id) is not None
