"""The charts on one map, kept up to date: a built-in overlay plus custom charts.

:class:`ChartSet` follows a journey and its metrics. ``add(fn, at="decision")`` calls
``fn(rows)`` with the bound event rows of that stage (or touchpoint, or the whole map)
in the current segment and shows the Altair chart it returns; the function runs again
whenever the binding, the segment or the map's stages and touchpoints change. Errors
in it are shown in the chart's place.

The payload (:meth:`ChartSet.payload`, the widget's ``_charts`` trait) separates each
chart's spec from its data so the page re-embeds a chart only when its spec changed
and otherwise swaps the data in place.

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("ecommerce-purchase")
>>> cs = ChartSet(j, overlay="emotion")
>>> sorted(cs.payload()["specs"])
['overlay']
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from typing import Any

from ..core.signals import Signal
from ..data.encoding import label
from ..data.frames import RowSelector, unique_values
from ..data.mapping import resolve_mapping
from ..data.metrics import JourneyMetrics
from .bands import band_spec
from .base import DATA_NAME, MAX_CHART_BYTES, OVERLAYS, TREND_METRICS, ChartError
from .custom import (
    ChartContext,
    _Custom,
    _is_chart_function,
    _n_positional,
    _spec_hash,
    chart_to_parts,
)
from .specs import overlay_parts
from .tables import available_metrics, metrics_payload_of

__all__ = ["ChartSet"]


class ChartSet:
    """The charts on one map: a built-in overlay plus custom charts, kept up to date.

    ``journey``: a ``jw.Journey`` (or a document dict). ``metrics``: a ``jw.JourneyMetrics``,
    its ``to_payload()`` dict, or None (``bind_events`` makes one). ``follow_journey``:
    redraw after the journey's edits (the widget says False: it tells the set itself).
    """

    def __init__(self, journey: Any, metrics: Any = None, *, overlay: str = "none",
                 metric: str | None = None, follow_journey: bool = True) -> None:
        self.journey = journey
        self.metrics: Any = None
        self._events: Any = None  # the raw frame bound through this ChartSet
        self._events_binding = -1  # the metrics' binding_id it belongs to
        self._custom: dict[str, _Custom] = {}
        self._listeners = Signal("chart set listener")
        self._revs: dict[str, list] = {}  # key -> [spec_hash, rev, data_hash, data_rev]
        self._unsub_metrics: Callable[[], None] | None = None
        self._owns_metrics = False
        self._unsub_journey: Callable[[], None] | None = None
        self._frame_cache: dict = {}  # per binding: distinct keys, segment members
        self._avail: tuple | None = None  # ((touchpoints, feedback) of a metrics payload, metrics it offers)
        self._overlay = "none"
        self._metric = metric
        self.set_overlay(overlay, metric, notify=False)
        if follow_journey and hasattr(journey, "on_change"):
            self._unsub_journey = journey.on_change(self._on_journey, weak=True)
        self.set_metrics(metrics, notify=False)

    # -- wiring ---------------------------------------------------------------
    def _doc(self) -> dict:
        j = self.journey
        return j.snapshot() if hasattr(j, "snapshot") else j

    def set_metrics(self, metrics: Any, *, notify: bool = True) -> None:
        """Use these metrics (a ``jw.JourneyMetrics``, a payload dict, or None)."""
        if self._unsub_metrics is not None:
            self._unsub_metrics()
            self._unsub_metrics = None
        if self._owns_metrics and metrics is not self.metrics and hasattr(self.metrics, "close"):
            self.metrics.close()
        self._owns_metrics = False
        self.metrics = metrics
        if metrics is not None and hasattr(metrics, "on_update"):
            self._unsub_metrics = metrics.on_update(self._on_metrics, weak=True)
        if notify:
            self._notify()

    def _own_metrics(self) -> JourneyMetrics:
        """The bound ``JourneyMetrics``, made (following the journey) if there is none."""
        if not isinstance(self.metrics, JourneyMetrics):
            self.set_metrics(JourneyMetrics(self.journey), notify=False)
            self._owns_metrics = True
        return self.metrics

    def on_change(self, callback: Callable[[ChartSet], None], *, weak: bool = False) -> Callable[[], None]:
        """Call ``callback(chartset)`` whenever the payload may have changed; returns the
        function that unsubscribes."""
        return self._listeners.connect(callback, weak=weak)

    def close(self) -> None:
        """Stop following the journey and the metrics (and close metrics made here)."""
        for unsub in (self._unsub_metrics, self._unsub_journey):
            if unsub is not None:
                unsub()
        self._unsub_metrics = self._unsub_journey = None
        self._listeners.clear()
        if self._owns_metrics and hasattr(self.metrics, "close"):
            self.metrics.close()

    def _notify(self) -> None:
        self._listeners.emit(self, stacklevel=4)

    @property
    def metrics_follow_journey(self) -> bool:
        """Whether the metrics recompute after each of the journey's edits (then they, not the
        journey, tell this set to redraw: once, with fresh numbers)."""
        m = self.metrics
        return isinstance(m, JourneyMetrics) and m.journey is self.journey and m.live

    def _on_journey(self, journey: Any = None) -> None:
        if not self.metrics_follow_journey:
            self._notify()

    def _on_metrics(self, metrics: Any = None) -> None:
        self._notify()

    @property
    def segment(self) -> str | None:
        """The segment the metrics show (None: all customers)."""
        return getattr(self.metrics, "segment", None) if isinstance(self.metrics, JourneyMetrics) else None

    # -- the overlay ------------------------------------------------------------
    @property
    def overlay(self) -> str:
        return self._overlay

    @property
    def metric(self) -> str | None:
        return self._metric

    def set_overlay(self, name: str | None, metric: str | None = None, *, notify: bool = True) -> None:
        """Show a built-in overlay (``"none"`` hides it) drawing ``metric``."""
        name = name or "none"
        if name not in OVERLAYS:
            raise ChartError(f"unknown overlay {name!r}; overlays: {', '.join(OVERLAYS)}")
        self._overlay = name
        if metric is not None or name not in ("metric", "trend"):
            self._metric = metric
        if self._overlay == "trend" and self._metric not in (None, *TREND_METRICS):
            self._metric = None
        if notify:
            self._notify()

    def available_metrics(self) -> list[str]:
        return available_metrics(self.metrics)

    # -- binding data -------------------------------------------------------------
    def bind_events(self, df: Any, **kwargs: Any) -> JourneyMetrics:
        """Bind an event log to the metrics (made here if needed) and keep its rows for
        custom charts; see :meth:`journeywidget.JourneyMetrics.bind_events`."""
        m = self._own_metrics()
        before = (self._events, self._events_binding)
        # the rows belong to the binding about to be made (binding_id grows by one per bind)
        self._events, self._events_binding = df, m.binding_id + 1
        self._frame_cache.clear()
        try:
            return m.bind_events(df, **kwargs)
        except BaseException:
            self._events, self._events_binding = before
            raise

    def bind_feedback(self, df: Any, **kwargs: Any) -> JourneyMetrics:
        """Bind survey feedback to the metrics (made here if needed); see
        :meth:`journeywidget.JourneyMetrics.bind_feedback`."""
        return self._own_metrics().bind_feedback(df, **kwargs)

    @property
    def events(self) -> Any:
        """The raw event frame of the current binding (None if it was not bound through this set)."""
        m = self.metrics
        if self._events is None or not isinstance(m, JourneyMetrics):
            return None
        if m.binding_id != self._events_binding:
            return None  # re-bound elsewhere (m.bind_events): our rows are stale
        return self._events

    @property
    def columns(self) -> dict:
        """The bound columns by role (``customer``, ``time``, ``touchpoint``, ``segment``...)."""
        return dict(self.metrics.columns) if isinstance(self.metrics, JourneyMetrics) else {}

    # -- registry -------------------------------------------------------------------
    def _resolve_at(self, at: Any) -> str:
        at = getattr(at, "id", at)
        if at is None or at == "map":
            return "map"
        if not isinstance(at, str):
            raise ChartError(f"at= must be 'map', a stage id or a touchpoint id, got {at!r}")
        doc = self._doc()
        for coll in ("stages", "touchpoints"):
            for it in doc.get(coll, []):
                if it["id"] == at:
                    return at
        for coll in ("stages", "touchpoints"):
            hits = [it["id"] for it in doc.get(coll, []) if str(it.get("name", "")).casefold() == at.casefold()]
            if len(hits) == 1:
                return hits[0]
        ids = [s["id"] for s in doc.get("stages", [])] + [t["id"] for t in doc.get("touchpoints", [])]
        raise ChartError(f"at={at!r} is not 'map' nor a stage or touchpoint of this map; ids: {', '.join(ids)}")

    def add(self, chart_or_function: Any, at: Any = "map", name: str | None = None) -> str:
        """Add a chart (an Altair chart, a Vega-Lite dict or a function of the rows); returns its name."""
        place = self._resolve_at(at)
        if name is None:
            base = getattr(chart_or_function, "__name__", None)
            if not base or base == "<lambda>" or not _is_chart_function(chart_or_function):
                base = "chart"
            name = base
            k = 2
            while name in self._custom or name == "overlay":
                name = f"{base}-{k}"
                k += 1
        if not isinstance(name, str) or not name or name == "overlay":
            raise ChartError(f"chart name must be a non-empty string other than 'overlay', got {name!r}")
        n_args = _n_positional(chart_or_function) if _is_chart_function(chart_or_function) else 0
        self._custom[name] = _Custom(name, chart_or_function, place, n_args)
        self._notify()
        return name

    def remove(self, name: str) -> None:
        if name not in self._custom:
            raise ChartError(f"no chart named {name!r}; charts: {', '.join(self._custom) or 'none'}")
        del self._custom[name]
        self._revs.pop(name, None)
        self._notify()

    def names(self) -> list[str]:
        return list(self._custom)

    def calls(self, name: str) -> int:
        """How many times a chart function has run (tests, debugging)."""
        return self._custom[name].calls


    # -- rows for a place -------------------------------------------------------------
    def _cached(self, key: tuple, make: Callable[[], Any]) -> Any:
        binding = self._events_binding
        if self._frame_cache.get("binding") != binding:
            self._frame_cache = {"binding": binding}
        if key not in self._frame_cache:
            self._frame_cache[key] = make()
        return self._frame_cache[key]

    def _keys(self) -> tuple[list, list[str]]:
        """(distinct raw values, their labels) of the bound frame's touchpoint column."""
        def make() -> tuple[list, list[str]]:
            raw = unique_values(self.events, self.columns["touchpoint"])
            return raw, [label(v) for v in raw]

        return self._cached(("keys",), make)

    def _place_keys(self, at: str, doc: dict) -> list:
        """The raw touchpoint-column values whose rows belong to a stage / touchpoint."""
        tps = doc.get("touchpoints", [])
        stage_ids = {s["id"] for s in doc.get("stages", [])}
        if at in stage_ids:
            want = {j for j, tp in enumerate(tps) if tp.get("stage") == at}
        else:
            want = {j for j, tp in enumerate(tps) if tp["id"] == at}
            if not want:
                raise ChartError(f"{at!r} is no longer on the map")
        raw, labels = self._keys()
        tok, _ = resolve_mapping(doc, labels, self.metrics.mapping)
        return [r for r, j in zip(raw, tok) if j in want]

    def rows_for(self, at: str, doc: dict | None = None) -> Any:
        """The bound event rows of a place (``"map"``, a stage id or a touchpoint id) in the
        current segment: what a chart function anchored there receives.

        A segment is a set of customers (each customer's segment is defined by the metrics,
        see :mod:`journeywidget.data.metrics`): all rows of its customers are taken. The
        rows are of the bound frame's kind (pandas, polars, pyarrow, a DuckDB relation...).
        """
        frame = self.events
        if frame is None:
            if isinstance(self.metrics, JourneyMetrics) and self.metrics.has_events:
                raise ChartError(
                    "the metrics were bound without this widget, so their rows are not at hand; "
                    "bind through widget.bind_events(df, ...) to use chart functions"
                )
            raise ChartError("no events bound yet; call widget.bind_events(df, customer=..., "
                             "time=..., touchpoint=...) first")
        m = self.metrics
        conditions: dict[str, list] = {}
        if m.segment is not None:
            seg = m.segment
            conditions[self.columns["customer"]] = self._cached(("members", seg), m.segment_members)
        if at != "map":
            conditions[self.columns["touchpoint"]] = self._place_keys(at, doc or self._doc())
        return self._cached(("rows",), lambda: RowSelector(frame)).select(conditions)

    # -- evaluation -------------------------------------------------------------------
    def _binding_sig(self) -> tuple:
        m = self.metrics
        if not isinstance(m, JourneyMetrics):
            return (None, None, None)
        return (m.binding_id, id(self.events), m.segment, id(m.mapping))

    def _evaluate(self, c: _Custom, doc: dict, struct: Any) -> tuple[dict | None, dict | None, str | None]:
        if not _is_chart_function(c.obj):
            sig = ("static", id(c.obj))
            if c.sig == sig:
                return c.parts
            c.sig = sig
            try:
                spec, data = chart_to_parts(c.obj, c.key)
                c.parts = (spec, data, None)
            except ChartError as err:
                c.parts = (None, None, str(err))
            except Exception as err:  # e.g. NaN in a hand-written spec
                c.parts = (None, None, f"{type(err).__name__}: {err}")
            return c.parts
        sig = (self._binding_sig(), struct, c.at)
        if c.sig == sig:
            return c.parts
        c.sig = sig
        try:
            kind = "map"
            item = None
            if c.at != "map":
                for coll, k in (("stages", "stage"), ("touchpoints", "touchpoint")):
                    for it in doc.get(coll, []):
                        if it["id"] == c.at:
                            kind, item = k, it
                if item is None:
                    raise ChartError(f"{c.at!r} is no longer on the map")
            rows = self.rows_for(c.at, doc)
        except ChartError as err:
            c.parts = (None, None, str(err))
            return c.parts
        c.calls += 1
        try:
            if c.n_args >= 2:
                result = c.obj(rows, ChartContext(self, c.at, kind, item))
            else:
                result = c.obj(rows)
        except Exception as err:  # the user's code: show it in the chart's place
            tb = traceback.extract_tb(err.__traceback__)
            where = f" (line {tb[-1].lineno} of {tb[-1].name})" if tb else ""
            c.parts = (None, None, f"{type(err).__name__}: {err}{where}")
            return c.parts
        if result is None:
            c.parts = (None, None, f"chart {c.key!r}: the function returned None; return an Altair chart")
            return c.parts
        try:
            spec, data = chart_to_parts(result, c.key)
            c.parts = (spec, data, None)
        except ChartError as err:
            c.parts = (None, None, str(err))
        except Exception as err:
            c.parts = (None, None, f"{type(err).__name__}: {err}")
        return c.parts

    def _entry(self, key: str, at: str, spec: dict | None, data: dict | None, error: str | None,
               kind: str, title: str, band: tuple[str, dict] | None = None) -> dict:
        sh = _spec_hash([spec, band]) if spec is not None else f"error:{error}"
        dh = _spec_hash(data) if data is not None else ""
        rv = self._revs.get(key)
        if rv is None:
            rv = self._revs[key] = [sh, 1, dh, 1]
        else:
            if rv[0] != sh:
                rv[0] = sh
                rv[1] += 1
            if rv[2] != dh:
                rv[2] = dh
                rv[3] += 1
        if data is not None and len(json.dumps(data["values"], separators=(",", ":"), default=str)) > MAX_CHART_BYTES:
            spec, data = None, None
            error = (f"chart {key!r}: its data is larger than {MAX_CHART_BYTES // 1024} KiB as JSON; "
                     "aggregate it (fewer rows or columns) before charting")
        entry = {"at": at, "spec": spec, "data": data, "error": error, "rev": rv[1], "data_rev": rv[3],
                 "kind": kind, "title": title}
        if band is not None and spec is not None:
            entry["band"], entry["band_spec"] = band
        return entry

    def payload(self, theme: str | None = None, *, overlay: str | None = None,
                metric: str | None = None, metrics_payload: dict | None = None) -> dict:
        """The ``_charts`` trait value: ``{"overlay", "metric", "specs": {key: entry}, ...}``.

        Each entry: ``{"at", "spec", "data": {"name": "table", "values": [...]}, "error",
        "rev", "data_rev", "kind", "title"}``; ``rev`` changes only when the spec does.
        The built-in overlay's entry also has ``"band"`` and ``"band_spec"`` when it can draw
        on the map itself (``charts/bands.py``: the funnel in the stage headers, the emotion
        overlay on the emotions lane, the metric overlay in the metrics lane).
        ``overlay``/``metric``: another built-in overlay than the one shown (the standalone
        page precomputes each). ``metrics_payload``: the metrics' ``to_payload()`` when the
        caller has it already. Nothing about the set changes.
        """
        name = self._overlay if overlay is None else (overlay or "none")
        if name not in OVERLAYS:
            raise ChartError(f"unknown overlay {name!r}; overlays: {', '.join(OVERLAYS)}")
        chosen = self._metric if overlay is None else metric
        doc = self._doc()
        struct = _struct_sig(doc) if self._custom else None  # O(touchpoints): only custom charts need it
        specs: dict[str, dict] = {}
        mp = metrics_payload
        if mp is None:
            try:
                mp = metrics_payload_of(self.metrics)
            except Exception:  # noqa: BLE001 - the map and its other charts still show
                mp = {}
        if name != "none":
            band = None
            try:
                spec, rows = overlay_parts(name, doc, self.metrics, chosen, theme, mp)
                data = {"name": DATA_NAME, "values": rows}
                spec.pop("data", None)
                spec["data"] = {"name": DATA_NAME}
                err = None
                band = band_spec(name, doc, chosen, _unit_of(spec))
            except Exception as exc:  # never break the map
                spec, data, err = None, None, f"{type(exc).__name__}: {exc}"
            specs["overlay"] = self._entry("overlay", "map", spec, data, err, "overlay", name, band)
        for key, c in self._custom.items():
            spec, data, err = self._evaluate(c, doc, struct)
            at = c.at if (c.at == "map" or _exists(doc, c.at)) else "map"
            specs[key] = self._entry(key, at, spec, data, err, "custom", key)
        key = (mp.get("touchpoints"), mp.get("feedback"))  # the metrics cache these parts between edits
        if self._avail is None or any(a is not b for a, b in zip(self._avail[0], key)):
            try:
                self._avail = (key, available_metrics(mp))
            except Exception:  # noqa: BLE001
                self._avail = (key, [])
        avail = list(self._avail[1])
        return {"overlay": name, "metric": chosen, "specs": specs,
                "metrics_available": avail, "trend_metrics": list(TREND_METRICS)}

    def __repr__(self) -> str:
        return f"<ChartSet overlay={self._overlay!r} metric={self._metric!r} charts={list(self._custom)}>"


def _unit_of(spec: dict) -> str:
    """The unit the metric overlay's axis title carries ("customers (h)" -> "h"), else ""."""
    title = str(((spec.get("encoding") or {}).get("y") or {}).get("title") or "")
    return title[title.rfind("(") + 1:-1] if title.endswith(")") and "(" in title else ""


def _exists(doc: dict, item_id: str) -> bool:
    return any(it["id"] == item_id for coll in ("stages", "touchpoints") for it in doc.get(coll, []))


def _struct_sig(doc: dict) -> tuple:
    """What the rows of a place depend on: stages, and touchpoints with their stage and keys."""
    return (
        tuple(s["id"] for s in doc.get("stages", [])),
        tuple((tp["id"], tp.get("stage"), tp.get("name"), tuple(tp.get("event_keys") or ()))
              for tp in doc.get("touchpoints", [])),
    )
