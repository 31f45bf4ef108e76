"""Journey metrics: event logs and feedback bound to the touchpoints of a map.

:class:`JourneyMetrics` (also ``jw.JourneyMetrics``) is the public object:

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("buying-process")
>>> df = jw.datasets.events(j, customers=500, seed=1)
>>> m = jw.JourneyMetrics(j).bind_events(df, customer="customer_id", time="timestamp",
...                                       touchpoint="event", segment="plan", value="value")
>>> int(m.stages["reached"].iloc[0]) > 0, m.definition
(True, 'ordered funnel · customers · no window')

Inputs: pandas DataFrames; Parquet and CSV paths, pyarrow tables and datasets, DuckDB
relations and polars frames, read in batches of the bound columns
(:mod:`journeywidget.data.sources`) and encoded for the numpy engine
(:mod:`journeywidget.data.builder`); other narwhals-supported frames through
:mod:`journeywidget.data.frames`; PySpark DataFrames, whose heavy step runs in Spark
(:mod:`journeywidget.data.spark_engine`) and of which only compact aggregates are
collected.

What every number counts — units (customers or sessions), the ordering, mapped
events, the denominators, the touchpoint and transition tables, segments and how
the tables stay live — is written out in :mod:`journeywidget.data.definitions`; the
stage table and the funnel modes in :mod:`journeywidget.data.funnel`, paths and
flows in :mod:`journeywidget.data.paths`, conformance in
:mod:`journeywidget.data.conformance`, clusters in :mod:`journeywidget.data.clusters`,
opportunities in :mod:`journeywidget.data.opportunities`, intervals and tests in
:mod:`journeywidget.data.stats`. ``m.definition`` says in a few words what the
numbers count ("ordered funnel · sessions · 7-day window"); every table carries it in
``.attrs["definition"]`` and the payload in ``"definition"``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.errors import BindingError, JourneyError
from ..core.signals import Signal
from .binding import build_engine
from .conformance import CONFORMANCE_COLUMNS, conformance_records, conforming
from .definitions import definition, describe
from .encoding import label
from .engine import Engine
from .feedback import Feedback
from .frames import check_columns, to_pandas, used_columns
from .funnel import STAGE_COLUMNS, compare_table, stage_records
from .insights import EventFacts, Insight, build_insights
from .mapping import resolve_mapping
from .paths import FLOW_COLUMNS, PATH_COLUMNS, flow_records, path_records
from .payload import PAYLOAD_BUDGET, metrics_payload
from .relabel import StalePayload, label_changes, names_hit_keys, refresh_insights, relabel_cache
from .segments import _UNSET, CLUSTER_PREFIX, Segments
from .sessions import parse_duration
from .tables import (
    TOUCHPOINT_COLUMNS,
    TRANSITION_COLUMNS,
    touchpoint_records,
    transition_records,
    unmapped_keys,
)

__all__ = ["JourneyMetrics", "BindingError", "bind_events", "UNITS", "FUNNELS", "CLUSTER_PREFIX"]

_EMPTY_DOC: dict = {"stages": [], "touchpoints": [], "emotion_scale": {"min": -2, "max": 2}}
UNITS = ("customer", "session")
FUNNELS = ("ordered", "reached")


class JourneyMetrics(Segments):
    """Journey metrics bound to a map: touchpoint, stage, path and conformance tables,
    feedback, insights, segments and clusters; recomputed live when the map changes.

    >>> import journeywidget as jw
    >>> j = jw.Journey.from_template("buying-process")
    >>> m = jw.JourneyMetrics(j)
    >>> m.bind_events(jw.datasets.events(j, customers=300), customer="customer_id",
    ...               time="timestamp", touchpoint="event")  # doctest: +ELLIPSIS
    <JourneyMetrics ...>
    >>> p = m.to_payload()
    >>> p["definition"], sorted(p["stages"][j.stages[1].id])[:4]
    ('ordered funnel · customers · no window', ['back_ci', 'back_rate', 'conversion', 'conversion_ci'])
    """

    #: The widget's ``_metrics`` must stay under 64 KiB as JSON; the guard aims lower.
    PAYLOAD_BUDGET = PAYLOAD_BUDGET

    def __init__(self, journey: Any = None, *, live: bool = True):
        self._journey: Any = None
        self._unsubscribe: Callable[[], None] | None = None
        self._doc: dict = _EMPTY_DOC
        self._engine: Engine | None = None  # the customer engine
        self._unit_engines: dict[str, Any] = {}  # "session" -> its engine (made on first use)
        self._cluster_engines: dict[str, Any] = {}  # unit -> engine whose segments are clusters
        self._clusters: dict[str, Any] = {}  # unit -> clusters.ClusterResult
        self._binding_id = 0
        self._mapping: Any = None
        self._cols: dict = {}
        self._segment: str | None = None
        self._unit = "customer"
        self._funnel = "ordered"
        self._window: Any = None
        self._window_ns: int | None = None
        self._sessions: dict = {}
        self._feedback: Feedback | None = None
        self._listeners = Signal("metrics listener")
        self._cache: dict = {}
        self._map_info: dict = {}
        self._tp_of_key: list[int] = []  # key -> doc index (-1 unmapped, -2 excluded)
        self._slots: dict[str, int] = {}  # touchpoint id -> stable engine slot
        self._slot_ids: list[str] = []
        if journey is not None:
            self.set_journey(journey, live=live)

    # -- the map -----------------------------------------------------------
    def set_journey(self, journey: Any, *, live: bool = True) -> JourneyMetrics:
        """Use this journey (a ``jw.Journey`` or its document dict); follow its edits if live."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if hasattr(journey, "snapshot") and hasattr(journey, "on_change"):
            self._journey = journey
            doc = journey.snapshot()
            if live:
                # held weakly: a forgotten JourneyMetrics does not keep recomputing
                self._unsubscribe = journey.on_change(self._on_journey_change, weak=True)
        elif isinstance(journey, dict):
            self._journey = None
            doc = journey
        else:
            raise JourneyError(
                f"JourneyMetrics needs a jw.Journey or a journey document dict, got "
                f"{type(journey).__name__}"
            )
        self._set_doc(doc)
        return self

    def _on_journey_change(self, journey: Any) -> None:
        doc = journey.snapshot()
        renamed = label_changes((getattr(journey, "last_change", None) or {}).get("edits"))
        if renamed is None or not self._relabel(doc, renamed):
            self._set_doc(doc)

    def _relabel(self, doc: dict, renamed: dict) -> bool:
        """After edits that changed no number, patch the names in the cached tables (data/relabel);
        False when a renamed touchpoint's name may match event keys (then everything is redone)."""
        fb = self._feedback
        for mapping, keys in ((self._mapping, getattr(self._engine, "keys", None)),
                              (getattr(fb, "mapping", None), getattr(fb, "keys", None))):
            if renamed and keys is not None and (mapping is not None or names_hit_keys(renamed, keys)):
                return False
        self._doc = doc
        relabel_cache(self._cache, doc, renamed)
        if fb is not None:
            fb.set_doc(doc, numbers_kept=True)
        self._notify()
        return True

    def refresh(self) -> JourneyMetrics:
        """Re-read the journey (for a journey given as a dict, pass it to set_journey instead)."""
        if self._journey is not None:
            self._set_doc(self._journey.snapshot())
        return self

    @property
    def journey(self) -> Any:
        """The :class:`journeywidget.Journey` these metrics are bound to (None for a dict)."""
        return self._journey

    @property
    def live(self) -> bool:
        """Whether the metrics follow the journey's edits (``set_journey(..., live=True)``)."""
        return self._unsubscribe is not None

    @property
    def document(self) -> dict:
        """The map document the tables are computed for (read-only)."""
        return self._doc

    def close(self) -> None:
        """Stop following the journey's edits."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _set_doc(self, doc: dict) -> None:
        self._doc = doc
        self._cache.clear()
        if self._engine is not None:
            self._apply_mapping()
        if self._feedback is not None:
            self._feedback.set_doc(doc)
        self._notify()

    def _engines(self) -> list:
        return [e for e in (self._engine, *self._unit_engines.values(),
                            *self._cluster_engines.values()) if e is not None]

    def _apply_mapping(self, engine: Engine | None = None, mapping: Any = _UNSET) -> tuple:
        """Map the keys of ``engine`` (default: the bound one and its unit and cluster
        engines) onto the map's touchpoints and compute its touchpoint-level aggregates;
        remembers the mapping only for the bound one."""
        bound = engine is None
        engine = self._engine if bound else engine
        tps = self._doc.get("touchpoints", [])
        tok, info = resolve_mapping(self._doc, engine.keys, self._mapping if bound else mapping)
        if bound:
            self._map_info = info
            self._tp_of_key = tok
        # Engine slots are stable per touchpoint id, so reordering or moving touchpoints
        # between stages leaves the touchpoint-level aggregates untouched.
        for tp in tps:
            if tp["id"] not in self._slots:
                self._slots[tp["id"]] = len(self._slot_ids)
                self._slot_ids.append(tp["id"])
        slot_of = [self._slots[tp["id"]] for tp in tps]
        slot_of_key = [slot_of[x] if x >= 0 else -1 for x in tok]
        for eng in (self._engines() if bound else [engine]):
            eng.set_mapping(slot_of_key, len(self._slot_ids))
        return tok, info

    # -- listeners ------------------------------------------------------------
    def on_update(self, callback: Callable[[JourneyMetrics], None], *,
                  weak: bool = False) -> Callable[[], None]:
        """Call ``callback(metrics)`` whenever the numbers change (new data, map edit, segment,
        unit, funnel mode, window). Returns a function that unsubscribes. A listener that
        raises is reported as a ``RuntimeWarning``. ``weak=True`` holds a bound method's
        object weakly."""
        return self._listeners.connect(callback, weak=weak)

    def _notify(self) -> None:
        self._listeners.emit(self, stacklevel=4)

    def _changed(self) -> None:
        self._cache.clear()
        self._notify()

    # -- binding ----------------------------------------------------------------
    def bind_events(self, df: Any, customer: str, time: str, touchpoint: str, *,
                    channel: str | None = None, value: str | None = None,
                    segment: str | None = None, mapping: Any = None,
                    order: str | None = None, session: str | None = None,
                    session_gap: Any = None, progress: Any = None) -> JourneyMetrics:
        """Bind an event log: one row per event.

        df: a DataFrame (pandas, polars, pyarrow, DuckDB, PySpark...), a path, glob or
        directory of Parquet (or CSV) files, a ``pyarrow.dataset.Dataset``, a DuckDB
        relation or a polars LazyFrame. Inputs other than pandas and Spark are read in
        batches of the named columns only (no pandas copy of the log; files need
        ``pip install journeywidget[parquet]``).

        customer, time, touchpoint: column names (customer id; timestamp — datetime,
        ISO string or numeric seconds; the event key that names the touchpoint).
        channel: optional channel column (per-touchpoint channel mix).
        value: optional numeric column (mean per touchpoint, e.g. order value).
        segment: optional column whose values are customer segments (a customer's
        segment is its first non-missing value in time order).
        mapping: dict ``{event key: touchpoint id or name or None}`` or a function
        of the key, applied before the touchpoints' ``event_keys``.
        order: optional column that breaks timestamp ties before row order.
        session: optional column of session ids (unique per customer; no missing values).
        session_gap: or split each customer's events into sessions where the time
        between two events exceeds this (``"30min"``, ``"2h"``, a ``timedelta``).
        With either, ``m.unit = "session"`` makes every table count sessions.
        progress: None (a progress bar under the cell for binds longer than a second, in
        a notebook), True (at once), False (none) or a function called with a
        :class:`~journeywidget.data.progress.BindProgress` (rows read, phase).

        Rows without customer, time or touchpoint are skipped and reported in
        :attr:`insights`; a missing column or an unusable dtype raises
        :class:`BindingError` naming the column. An interrupted bind (the kernel's
        interrupt, an error) leaves the previous binding as it was.
        """
        wanted = {"customer": customer, "time": time, "touchpoint": touchpoint,
                  "channel": channel, "value": value, "segment": segment, "order": order,
                  "session": session}
        if df is None:
            raise BindingError("no events data given (df is None)", None, "pass a DataFrame")
        if session is not None and session_gap is not None:
            raise JourneyError("pass either session= (a column) or session_gap= (a duration), not both")
        gap_ns = None if session_gap is None else parse_duration(session_gap, "session_gap",
                                                                 allow_zero=False)
        engine, (tok, info) = build_engine(df, wanted, progress,
                                           lambda e: self._apply_mapping(e, mapping), gap_ns)
        # nothing below can fail part-way: the new binding replaces the old one whole
        self._engine = engine
        self._map_info, self._tp_of_key = info, tok
        self._unit_engines = {}
        self._cluster_engines = {}
        self._clusters = {}
        self._binding_id += 1
        self._mapping = mapping
        self._cols = wanted
        self._sessions = {"column": session, "gap": session_gap} if (
            session is not None or session_gap is not None) else {}
        if self._unit == "session" and not self._sessions:
            self._unit = "customer"
        if self._segment is not None and self._segment not in engine.segments:
            self._segment = None
        self._cache.clear()
        self._notify()
        return self

    def bind_feedback(self, df: Any, touchpoint: str, score: str, *, text: str | None = None,
                      scale: Any = "csat", customer: str | None = None,
                      segment: str | None = None, mapping: Any = None) -> JourneyMetrics:
        """Bind survey feedback: one row per response at a touchpoint.

        scale: ``"csat"`` (1-5; score = % of 4-5), ``"nps"`` (0-10; % promoters 9-10
        minus % detractors 0-6), ``"1-5"``, ``"1-7"``, ``"1-10"`` or ``(lo, hi)`` (mean).
        Scores outside the scale are skipped and reported. The emotion of a touchpoint
        is the score normalised to 0..1 (mean for csat and mean scales, (NPS+100)/200)
        and mapped linearly onto the journey's emotion scale.
        """
        if df is None:
            raise BindingError("no feedback data given (df is None)", None, "pass a DataFrame")
        wanted = {"touchpoint": touchpoint, "score": score, "text": text, "customer": customer,
                  "segment": segment}
        check_columns(df, wanted, what="feedback")
        pdf = to_pandas(df, used_columns(wanted))
        fb = Feedback(pdf, touchpoint=touchpoint, score=score, text=text, scale=scale,
                      customer=customer, segment=segment, mapping=mapping)
        fb.set_doc(self._doc)
        self._feedback = fb
        self._changed()
        return self

    # -- what is bound ----------------------------------------------------------
    @property
    def has_events(self) -> bool:
        """Whether an event log is bound."""
        return self._engine is not None

    @property
    def has_feedback(self) -> bool:
        """Whether survey feedback is bound."""
        return self._feedback is not None

    @property
    def is_bound(self) -> bool:
        """Whether any data (events or feedback) is bound."""
        return self._engine is not None or self._feedback is not None

    @property
    def has_sessions(self) -> bool:
        """Whether the events were bound with sessions (``session=`` or ``session_gap=``)."""
        return bool(self._sessions)

    @property
    def binding_id(self) -> int:
        """Changes with every :meth:`bind_events` (0 before the first): tells bindings apart."""
        return self._binding_id

    @property
    def columns(self) -> dict[str, str]:
        """The columns of the event binding by role (``customer``, ``time``, ``touchpoint``...)."""
        return {k: v for k, v in self._cols.items() if v is not None}

    @property
    def mapping(self) -> Any:
        """The ``mapping=`` of the event binding (a dict, a function or None)."""
        return self._mapping

    @property
    def engine_name(self) -> str | None:
        """Where the bound events came from: ``"pandas"``, ``"polars"``, ``"pyarrow"``,
        ``"duckdb"``, ``"parquet"``, ``"csv"`` (files), ``"spark"``... (None: unbound)."""
        return None if self._engine is None else self._engine.name

    # -- what the numbers count -----------------------------------------------------
    @property
    def unit(self) -> str:
        """What every table counts: ``"customer"`` (default) or ``"session"``."""
        return self._unit

    @unit.setter
    def unit(self, value: str) -> None:
        if value not in UNITS:
            raise JourneyError(f"unit={value!r}: pass unit='customer' or unit='session'")
        if value == "session" and self._engine is not None and not self._sessions:
            raise JourneyError("unit='session' needs sessions: bind the events with "
                               "bind_events(..., session=<column>) or bind_events(..., session_gap='30min')")
        if value != self._unit:
            self._unit = value
            if self._segment is not None and self._segment.startswith(CLUSTER_PREFIX):
                self._segment = None  # clusters belong to one unit
            self._changed()

    @property
    def funnel(self) -> str:
        """The funnel mode: ``"ordered"`` (default; earliest-match chaining) or ``"reached"``
        (touched the stage at all); see :mod:`journeywidget.data.funnel`."""
        return self._funnel

    @funnel.setter
    def funnel(self, value: str) -> None:
        if value not in FUNNELS:
            raise JourneyError(f"funnel={value!r}: pass funnel='ordered' or funnel='reached'")
        if value != self._funnel:
            self._funnel = value
            self._changed()

    @property
    def window(self) -> Any:
        """The ordered funnel's conversion window (``"7D"``, a ``timedelta``...; None: none),
        measured from the unit's first-stage match."""
        return self._window

    @window.setter
    def window(self, value: Any) -> None:
        if isinstance(value, str) and value.strip() == "":
            value = None
        ns = None if value is None else parse_duration(value, "window")
        if ns != self._window_ns:
            self._window, self._window_ns = value, ns
            self._changed()
        else:
            self._window = value

    @property
    def definition(self) -> str:
        """What the numbers count, in a few words: ``"ordered funnel · sessions · 7-day window"``."""
        return definition(self._unit, self._funnel, self._window_ns)

    def describe(self) -> str:
        """What the numbers count, in sentences (the tooltip text of the map's numbers)."""
        return describe(self._unit, self._funnel, self._window_ns, self._sessions, self._segment)

    # -- tables -------------------------------------------------------------------
    def _require(self) -> None:
        if self._engine is None:
            raise BindingError("no events bound yet", None,
                               "call m.bind_events(df, customer=..., time=..., touchpoint=...)")

    def _cached(self, key: tuple, fn: Callable[[], Any]) -> Any:
        key = (*key, self._segment, self._unit, self._funnel, self._window_ns)
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def _stage_layout(self):
        """(stages, touchpoints, stage index of each engine slot, slots of each stage); once per map."""
        if "layout" in self._cache:
            return self._cache["layout"]
        stages = self._doc.get("stages", [])
        tps = self._doc.get("touchpoints", [])
        sidx = {s["id"]: k for k, s in enumerate(stages)}
        stage_of_slot = [-1] * len(self._slot_ids)
        for tp in tps:
            stage_of_slot[self._slots[tp["id"]]] = sidx.get(tp.get("stage"), -1)
        members: list[list[int]] = [[] for _ in stages]
        for j, k in enumerate(stage_of_slot):
            if k >= 0:
                members[k].append(j)
        layout = stages, tps, stage_of_slot, [tuple(m) for m in members]
        self._cache["layout"] = layout
        return layout

    def _ranks(self) -> list[int]:
        """Each stage's rank among the stages with data (-1: no mapped event in the binding)."""
        if "ranks" not in self._cache:
            stages, _, _, members = self._stage_layout()
            events = self._engine.tp_agg(None).events
            rank, r = [], 0
            for mem in members:
                has = any(j < len(events) and int(events[j]) > 0 for j in mem)
                rank.append(r if has else -1)
                r += has
            self._cache["ranks"] = rank
        return self._cache["ranks"]

    def _paths_agg(self, sel: tuple, top: int = 10) -> Any:
        """The unit-level aggregates (JourneyAgg) of a selection for the current layout."""
        eng, s = sel
        _, _, sos, _ = self._stage_layout()
        return eng.journey_agg(sos, self._ranks(), self._window_ns, s, top)

    def _table(self, records: list[dict], columns: list[str]):
        import pandas as pd

        df = pd.DataFrame(records, columns=columns)
        df.attrs["definition"] = self.definition
        df.attrs["unit"] = self._unit
        return df

    def touchpoint_records(self, segment=_UNSET) -> list[dict]:
        """The touchpoint table as records (see the module docstring)."""
        self._require()
        return self._cached(("tp", segment), lambda: touchpoint_records(self, self._select(segment)))

    def stage_records(self, segment=_UNSET) -> list[dict]:
        """The stage table as records (see :mod:`journeywidget.data.funnel`)."""
        self._require()
        return self._cached(("st", segment), lambda: stage_records(self, self._select(segment)))

    def transition_records(self, segment=_UNSET) -> list[dict]:
        """The transitions as records, most frequent first."""
        self._require()
        return self._cached(("tr", segment), lambda: transition_records(self, self._select(segment)))

    def conformance_records(self, segment=_UNSET) -> list[dict]:
        """The conformance table as records (see :mod:`journeywidget.data.conformance`)."""
        self._require()
        return self._cached(("cf", segment), lambda: conformance_records(self, self._select(segment)))

    def path_records(self, top: int = 10, segment=_UNSET) -> list[dict]:
        """The most common stage paths as records (see :mod:`journeywidget.data.paths`)."""
        self._require()
        return self._cached(("paths", top, segment), lambda: path_records(self, self._select(segment), top))

    def flow_records(self, level: str = "stage", segment=_UNSET) -> list[dict]:
        """Flows between consecutive path elements as records (see :mod:`journeywidget.data.paths`)."""
        self._require()
        return self._cached(("flows", level, segment),
                            lambda: flow_records(self, self._select(segment), level))

    @property
    def touchpoints(self):
        """Tidy DataFrame, one row per touchpoint (see the module docstring)."""
        recs = self.touchpoint_records()
        extra = [c for c in ("top_channel", "channel_match") if recs and c in recs[0]]
        return self._table(recs, TOUCHPOINT_COLUMNS + extra)

    @property
    def stages(self):
        """Tidy DataFrame, one row per stage in map order: the funnel in the current unit and
        mode (see :mod:`journeywidget.data.funnel`)."""
        return self._table(self.stage_records(), STAGE_COLUMNS)

    @property
    def transitions(self):
        """Tidy DataFrame, one row per (from, to) touchpoint pair seen in the data."""
        return self._table(self.transition_records(), TRANSITION_COLUMNS)

    def conformance(self):
        """The map held against the observed stage paths: one row per stage with the units that
        reach it, skip it or step back from it, and those deviations' impact on conversion
        (see :mod:`journeywidget.data.conformance`)."""
        return self._table(self.conformance_records(), CONFORMANCE_COLUMNS)

    @property
    def conforming_share(self) -> float:
        """Share of units (with a stage path) whose path is exactly the map's stage order from
        the first stage, without gaps or steps back."""
        n, tot = self.conforming_counts()
        return n / tot if tot else float("nan")

    def conforming_counts(self, segment=_UNSET) -> tuple[int, int]:
        """(conforming units, units with a stage path) and see :attr:`conforming_share`."""
        self._require()
        return self._cached(("conf", segment), lambda: conforming(self, self._select(segment)))

    def paths(self, top: int = 10):
        """The ``top`` most common stage paths: ``path`` (tuple of stage ids), ``units``,
        ``share``, ``converted`` (see :mod:`journeywidget.data.paths`)."""
        return self._table(self.path_records(top), PATH_COLUMNS)

    def flows(self, level: str = "stage"):
        """Transitions between consecutive stage-path (``level="stage"``) or touchpoint-path
        (``"touchpoint"``) elements: ``from``, ``to``, ``count``, ``units``, ``kind``."""
        return self._table(self.flow_records(level), FLOW_COLUMNS)

    @property
    def feedback(self):
        """Tidy DataFrame, one row per touchpoint with feedback: kind, score, n, mean, emotion, quotes."""
        import pandas as pd

        cols = ["touchpoint", "kind", "score", "n", "mean", "emotion", "quotes"]
        if self._feedback is None:
            return pd.DataFrame(columns=cols)
        return pd.DataFrame(self.feedback_records(), columns=cols)

    def feedback_records(self) -> list[dict]:
        """The feedback per touchpoint in the current segment, as records ([] if none is bound)."""
        return [] if self._feedback is None else self._feedback.records(self._feedback_segment())

    def feedback_intervals(self) -> dict[str, tuple[float, float]]:
        """95 % interval of the feedback-derived emotion per touchpoint (current segment)."""
        return {} if self._feedback is None else self._feedback.intervals(self._feedback_segment())

    def _feedback_segment(self) -> Any:
        """The current segment as feedback knows it (clusters are not in the survey: all)."""
        seg = self._segment
        return None if seg is not None and seg.startswith(CLUSTER_PREFIX) else seg

    def trend(self, metric: str = "customers", *, freq: str | None = None,
              max_points: int = 600) -> list[dict]:
        """Rows ``{touchpoint, period, value, complete}``: customers (or events) per touchpoint
        and period in the current segment; ``complete`` is False for a last period that the
        data does not cover to its end; see :mod:`journeywidget.data.trend` ([] before binding)."""
        if self._engine is None:
            return []

        def make():
            ids = [tp["id"] for tp in self._doc.get("touchpoints", [])]
            eng, s = self._select()
            if eng is self._unit_engine():
                eng = self._engine  # a regular segment: customers, whatever the unit
            counts = eng.trend(self._tp_of_key, len(ids), s, metric, freq, max_points)
            return [{"touchpoint": ids[j], "period": p, "value": v, "complete": c}
                    for j, p, v, c in counts]
        return self._cached(("trend", metric, freq, max_points), make)

    @property
    def insights(self) -> list[Insight]:
        """Ranked bottlenecks, deviations from the map and data problems (list of
        :class:`journeywidget.data.insights.Insight`)."""
        def make():
            facts = None
            if self._engine is not None:
                facts = EventFacts(
                    stages=self.stage_records(), touchpoints=self.touchpoint_records(),
                    customers=self.units(), events=self._engine.n_events,
                    rows=self._engine.n_rows, problems=dict(self._engine.problems),
                    unmapped=self.unmapped_keys(), mapping_problems=self._map_info,
                    conformance=self.conformance_records(), conforming=self.conforming_counts(),
                    unit=self._unit, funnel=self._funnel,
                )
            return build_insights(self._doc, facts, self._feedback, self._segment)
        return self._cached(("ins",), make)

    def insights_table(self):
        """The insights as a DataFrame."""
        import pandas as pd

        return pd.DataFrame([i.to_dict() for i in self.insights],
                            columns=["kind", "category", "severity", "target", "message", "value",
                                     "details"])

    @property
    def problems(self) -> list:
        """The data problems among the insights."""
        return [i for i in self.insights if i.category == "data"]

    def unmapped_keys(self) -> list[dict]:
        """Event keys that are on no touchpoint of the map, most frequent first.

        Each entry: ``{"key", "count" (events), "suggested_stage"}`` where the suggested
        stage is the stage whose touchpoints the key's events most often sit between
        (None when it cannot be told). Keys excluded by ``mapping`` (mapped to None)
        are not listed.

        >>> import journeywidget as jw
        >>> j = jw.Journey.from_template("ecommerce-purchase")
        >>> m = jw.JourneyMetrics(j).bind_events(jw.datasets.events(j, customers=300),
        ...     customer="customer_id", time="timestamp", touchpoint="event")
        >>> sorted(m.unmapped_keys()[0])
        ['count', 'key', 'suggested_stage']
        """
        self._require()
        if "unmapped" not in self._cache:
            self._cache["unmapped"] = unmapped_keys(self)
        return self._cache["unmapped"]

    def compare(self, a: Any, b: Any, level: str = "stages"):
        """Segments (or clusters) ``a`` and ``b`` side by side (A/B): one row per stage or
        touchpoint.

        Columns ``<metric>_a``, ``<metric>_b`` and ``<metric>_diff`` (b - a); for stages
        also ``p_value`` (two-proportion z-test of the conversion from the previous stage),
        ``q_value`` (Benjamini–Hochberg across stages) and ``small_sample`` (a previous-stage
        count below 30 units in either segment: read with care). The tests are stated in
        ``.attrs["test"]``.
        """
        self._require()
        for v in (a, b):
            if label(v) not in self.segment_values:
                raise BindingError(f"segment {v!r} is not in the data; segments: "
                                   f"{self.segment_values}", self._cols.get("segment"),
                                   "pass values of the segment column or cluster:N labels")
        return compare_table(self, a, b, level)

    # -- clusters and opportunities ---------------------------------------------------
    def clusters(self, k: int | None = None, *, random_state: int = 0):
        """Cluster the units by behaviour (see :mod:`journeywidget.data.clusters`): one row per
        cluster — ``cluster``, ``name``, ``units``, ``share``, ``conversion``,
        ``top_touchpoints``. ``k=None`` picks the number of clusters by silhouette."""
        from .clusters import fit_clusters

        self._require()
        res = fit_clusters(self, k, random_state)
        self._clusters[self._unit] = res
        self._cluster_engines.pop(self._unit, None)
        self._changed()
        return self._table(res.rows(self), ["cluster", "name", "units", "share", "conversion",
                                            "top_touchpoints"])

    def cluster_labels(self):
        """A Series from unit id (customer id, or (customer, session)) to cluster number, for
        the clusters of the last :meth:`clusters` call of the current unit."""
        from .clusters import labels_series

        return labels_series(self)

    def opportunities(self, top: int | None = None):
        """Candidate improvements ranked by score (see :mod:`journeywidget.data.opportunities`)."""
        from .opportunities import OPPORTUNITY_COLUMNS, opportunity_records

        self._require()
        recs = self._cached(("opp",), lambda: opportunity_records(self))
        return self._table(recs if top is None else recs[:top], OPPORTUNITY_COLUMNS)

    # -- payload ----------------------------------------------------------------------
    def to_payload(self, max_insights: int = 40, max_segments: int = 50,
                   max_transitions: int = 150, compare: Any = None) -> dict:
        """Compact JSON-able aggregates for the widget's ``_metrics`` trait (no raw data); the
        fields are documented in docs/ARCHITECTURE.md ("The metrics payload"). The result
        stays under :attr:`PAYLOAD_BUDGET` bytes as JSON: optional parts are shed when the map
        is huge, and ``truncated`` says so."""
        key = ("payload", self._segment, None if compare is None else str(compare), max_insights,
               max_segments, max_transitions, self._unit, self._funnel, self._window_ns)
        hit = self._cache.get(key)
        if isinstance(hit, StalePayload):  # only the insights named something renamed since
            hit = refresh_insights(hit.payload, self.insights, self.PAYLOAD_BUDGET)
        if hit is None:
            hit = metrics_payload(self, max_insights, max_segments, max_transitions, compare,
                                  self.PAYLOAD_BUDGET)
        self._cache[key] = hit
        return dict(hit)  # cached: the caller may set top-level keys, nothing deeper

    def __repr__(self) -> str:
        if self._engine is None:
            return "<JourneyMetrics (no events bound)>"
        return (f"<JourneyMetrics {self._engine.n_events} events, {self._engine.n_customers} "
                f"customers, {len(self._doc.get('touchpoints', []))} touchpoints, "
                f"engine={self._engine.name}, unit={self._unit!r}, segment={self._segment!r}>")


def bind_events(journey: Any, df: Any, **kwargs: Any) -> JourneyMetrics:
    """Shortcut: ``JourneyMetrics(journey).bind_events(df, **kwargs)``."""
    return JourneyMetrics(journey).bind_events(df, **kwargs)

