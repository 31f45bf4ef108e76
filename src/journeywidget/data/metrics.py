"""Journey metrics: event logs and feedback bound to the touchpoints of a map.

:class:`JourneyMetrics` (also ``jw.JourneyMetrics``) is the public object:

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("buying-process")
>>> df = jw.datasets.events(j, customers=500, seed=1)
>>> m = jw.JourneyMetrics(j).bind_events(df, customer="customer_id", time="timestamp",
...                                       touchpoint="event", segment="plan", value="value")
>>> int(m.stages["customers"].iloc[0]) > 0
True

Inputs: pandas DataFrames; Parquet and CSV paths, pyarrow tables and datasets, DuckDB
relations and polars frames, read in batches of the bound columns
(:mod:`journeywidget.data.sources`) and encoded for the numpy engine
(:mod:`journeywidget.data.builder`); other narwhals-supported frames through
:mod:`journeywidget.data.frames`; PySpark DataFrames, whose heavy step runs in Spark
(:mod:`journeywidget.data.spark_engine`) and of which only compact aggregates are
collected.

Definitions (the same on every engine; a "customer" is a distinct non-missing
value of the ``customer`` column, an "event" a row with a customer, a valid
timestamp and a touchpoint key):

* **Ordering.** Each customer's events are ordered by ``(time, original row
  order)``: ties in timestamps break by the position of the row in the input
  (for Spark, the order of ``monotonically_increasing_id()`` at bind time, or
  an explicit ``order=`` column).
* **Mapped events.** A row maps to a touchpoint through the explicit
  ``mapping``, else a touchpoint's ``event_keys``, else a touchpoint's id,
  else its name (keys compared exactly, then case-insensitively).
  Rows whose key maps to no touchpoint are *unmapped*: they count towards the
  customer base but are otherwise ignored (reported as a data problem).
* **All customers** (the denominator of every ``share``) = distinct customers
  with at least one valid event, mapped or not, in the current segment.
* **Next event** of an event = the same customer's next *mapped* event in the
  ordering above; the time to it is ``next.time - this.time`` in seconds. A
  customer's last mapped event has none and is an **exit**.
* **Quantiles** are exact, by linear interpolation between order statistics:
  with ``n`` values sorted ``v``, ``pos = (n - 1) * q``, ``lo = floor(pos)``,
  ``hi = ceil(pos)``: ``(hi - pos) * v[lo] + (pos - lo) * v[hi]``.

Touchpoint table (``m.touchpoints``, one row per touchpoint in map order):
``events`` mapped events; ``customers`` distinct customers with ≥ 1 event
there; ``share`` = customers / all customers; ``median_next_s`` and
``p90_next_s`` quantiles of time to the next event; ``mean_value`` mean of the
finite ``value`` column over its events (rounded to 10 significant digits, as
floating-point sums differ in the last bits between engines); ``exits``
customers whose last mapped event is here; ``top_next`` up to three other touchpoints that most often come
next (self-repeats excluded; ties by map order).

Stage table (``m.stages``): ``customers`` reaching stage k = distinct
customers with ≥ 1 event at a touchpoint of stage k; ``share`` = customers /
all customers; ``conversion`` = customers(k) / customers(k-1) (may exceed 1
when customers skip stages; empty for the first stage); ``dropoff`` =
max(customers(k-1) - customers(k), 0); ``dropoff_rate`` = dropoff /
customers(k-1); ``median_time_s`` = median over customers reaching k of (time
of their last event in k - time of their first event in k).

Transitions (``m.transitions``): one row per ordered pair of touchpoints
(from, to) such that a customer's mapped event at ``to`` directly follows one
at ``from``: ``count`` such event pairs, ``customers`` distinct customers,
``share`` = count / events at ``from`` that have a next event,
``median_s`` median time between them.

Segments: a customer's segment is the first non-missing value of the
``segment`` column in the ordering above; ``m.segment = value`` restricts every
table (denominators included) to that segment's customers. *Backwards*
customers have a mapped event directly followed by one at an earlier stage.
An unmapped key's *suggested stage* is the stage whose touchpoints most often
come directly before or after its events (same customer).

How it stays live: a bind encodes the events once into compact arrays sorted by
(customer, time, row) — customer codes, touchpoint-key codes, times (int32 at
second / millisecond / microsecond resolution when exact, else int64 ns). A
key -> touchpoint mapping then yields touchpoint-level aggregates plus, per
(customer, touchpoint), the times of the first and last event, and per
transition the set of customers. Moving a touchpoint between stages, reordering
stages or switching segment only recombines those (exactly: stage reach and
dwell come from the per-customer first/last times of the stage's
touchpoints); changing event keys or adding / renaming touchpoints re-runs the
touchpoint level from the encoded arrays; the raw frame is never read again.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..core.errors import BindingError, JourneyError
from ..core.signals import Signal
from .binding import build_engine
from .encoding import label
from .engine import NS_PER_S, Engine, StageAgg, TPAgg
from .feedback import Feedback
from .frames import check_columns, to_pandas, used_columns
from .insights import EventFacts, Insight, build_insights
from .mapping import UNMAPPED, resolve_mapping
from .payload import PAYLOAD_BUDGET, metrics_payload, two_prop_p
from .relabel import StalePayload, label_changes, names_hit_keys, refresh_insights, relabel_cache

__all__ = ["JourneyMetrics", "BindingError", "bind_events"]

_UNSET = object()
_EMPTY_DOC: dict = {"stages": [], "touchpoints": [], "emotion_scale": {"min": -2, "max": 2}}


class JourneyMetrics:
    """Journey metrics bound to a map: touchpoint, stage and transition tables, feedback,
    insights, segments; recomputed live when the map changes.

    >>> import journeywidget as jw
    >>> j = jw.Journey.from_template("buying-process")
    >>> m = jw.JourneyMetrics(j)
    >>> m.bind_events(jw.datasets.events(j, customers=300), customer="customer_id",
    ...               time="timestamp", touchpoint="event")  # doctest: +ELLIPSIS
    <JourneyMetrics ...>
    >>> sorted(m.to_payload())
    ['compare', 'customers', 'events', 'feedback', 'insights', 'segment', 'segment_column', 'segments', 'stages', 'touchpoints', 'transitions', 'truncated']
    """

    #: The widget's ``_metrics`` must stay under 64 KiB as JSON; the guard aims lower.
    PAYLOAD_BUDGET = PAYLOAD_BUDGET

    def __init__(self, journey: Any = None, *, live: bool = True):
        self._journey: Any = None
        self._unsubscribe: Callable[[], None] | None = None
        self._doc: dict = _EMPTY_DOC
        self._engine: Engine | None = None
        self._binding_id = 0
        self._mapping: Any = None
        self._cols: dict = {}
        self._segment: str | None = None
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

    def _apply_mapping(self, engine: Engine | None = None, mapping: Any = _UNSET) -> None:
        """Map the keys of ``engine`` (default: the bound one) onto the map's touchpoints and
        compute its touchpoint-level aggregates; remembers the mapping only for the bound one."""
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
        engine.set_mapping([slot_of[x] if x >= 0 else -1 for x in tok], len(self._slot_ids))
        return tok, info

    # -- listeners ------------------------------------------------------------
    def on_update(self, callback: Callable[[JourneyMetrics], None], *,
                  weak: bool = False) -> Callable[[], None]:
        """Call ``callback(metrics)`` whenever the numbers change (new data, map edit, segment).

        Returns a function that unsubscribes. A listener that raises is reported as a
        ``RuntimeWarning``. ``weak=True`` holds a bound method's object weakly.
        """
        return self._listeners.connect(callback, weak=weak)

    def _notify(self) -> None:
        self._listeners.emit(self, stacklevel=4)

    # -- binding ----------------------------------------------------------------
    def bind_events(self, df: Any, customer: str, time: str, touchpoint: str, *,
                    channel: str | None = None, value: str | None = None,
                    segment: str | None = None, mapping: Any = None,
                    order: str | None = None, progress: Any = None) -> JourneyMetrics:
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
        progress: None (a progress bar under the cell for binds longer than a second, in
        a notebook), True (at once), False (none) or a function called with a
        :class:`~journeywidget.data.progress.BindProgress` (rows read, phase).

        Rows without customer, time or touchpoint are skipped and reported in
        :attr:`insights`; a missing column or an unusable dtype raises
        :class:`BindingError` naming the column. An interrupted bind (the kernel's
        interrupt, an error) leaves the previous binding as it was.
        """
        wanted = {"customer": customer, "time": time, "touchpoint": touchpoint,
                  "channel": channel, "value": value, "segment": segment, "order": order}
        if df is None:
            raise BindingError("no events data given (df is None)", None, "pass a DataFrame")
        engine, (tok, info) = build_engine(df, wanted, progress,
                                           lambda e: self._apply_mapping(e, mapping))
        # nothing below can fail part-way: the new binding replaces the old one whole
        self._engine = engine
        self._map_info, self._tp_of_key = info, tok
        self._binding_id += 1
        self._mapping = mapping
        self._cols = wanted
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
        self._cache.clear()
        self._notify()
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

    # -- segments ----------------------------------------------------------------
    @property
    def segment(self) -> Any:
        """The segment the tables show (None = all customers). Set it to switch."""
        return self._segment

    @segment.setter
    def segment(self, value: Any) -> None:
        if value is not None:
            value = label(value)
            avail = self._engine.segments if self._engine is not None else []
            if value not in avail:
                raise BindingError(
                    f"segment {value!r} is not in the data; segments: {avail}", self._cols.get("segment"),
                    "pick one of those, or bind_events(..., segment=<column>) first",
                )
        if value != self._segment:
            self._segment = value
            self._cache.clear()
            self._notify()

    @property
    def segments(self):
        """DataFrame of segment values: customers and share of all customers."""
        import pandas as pd

        self._require()
        counts = self._engine.segment_customers()
        total = self._engine.n_customers
        rows = [{"segment": s, "customers": int(c), "share": (int(c) / total if total else math.nan)}
                for s, c in zip(self._engine.segments, counts)]
        return pd.DataFrame(rows, columns=["segment", "customers", "share"])

    @property
    def segment_values(self) -> list[str]:
        """The segment values of the bound events, sorted ([] without a segment column or events)."""
        return list(self._engine.segments) if self._engine is not None else []

    def segment_counts(self) -> dict[str, int]:
        """Customers per segment value (all segments, whatever the current one)."""
        if self._engine is None:
            return {}
        return {s: int(c) for s, c in zip(self._engine.segments, self._engine.segment_customers())}

    def customers(self, segment: Any = _UNSET) -> int:
        """All customers (with a valid event) in ``segment``; default the current one, None for all."""
        self._require()
        return self._engine.total_customers(self._s(segment))

    def segment_members(self, segment: Any = _UNSET) -> list:
        """The customers (their values in the customer column) of ``segment`` (default: the
        current one); every customer for None. What a chart's rows are selected by."""
        self._require()
        s = self._s(segment)
        if s is None:
            raise BindingError("segment_members needs a segment", self._cols.get("segment"),
                               "pass a segment value or set m.segment first")
        return self._engine.segment_members(s)

    def _s(self, segment=_UNSET):
        seg = self._segment if segment is _UNSET else segment
        return None if seg is None else self._engine.segments.index(label(seg))

    # -- tables -------------------------------------------------------------------
    def _require(self) -> None:
        if self._engine is None:
            raise BindingError("no events bound yet", None,
                               "call m.bind_events(df, customer=..., time=..., touchpoint=...)")

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

    def _tp_agg(self, s: int | None) -> TPAgg:
        return self._engine.tp_agg(s)

    def _stage_agg(self, s: int | None) -> StageAgg:
        _, _, stage_of_tp, stage_tps = self._stage_layout()
        return self._engine.stage_agg(stage_tps, stage_of_tp, s)

    def touchpoint_records(self, segment=_UNSET) -> list[dict]:
        self._require()
        key = ("tp", segment if segment is not _UNSET else self._segment)
        if key in self._cache:
            return self._cache[key]
        s = self._s(segment)
        a = self._tp_agg(s)
        tps = self._doc.get("touchpoints", [])
        total = a.total_customers
        doc_pos = {tp["id"]: i for i, tp in enumerate(tps)}
        ids = self._slot_ids
        top: dict[int, list] = {}
        for f, t_, _c in sorted(zip(a.tr_from.tolist(), a.tr_to.tolist(), a.tr_count.tolist()),
                               key=lambda x: (x[0], -x[2], doc_pos.get(ids[x[1]], 1 << 30))):
            if f != t_ and ids[t_] in doc_pos:
                top.setdefault(f, [])
                if len(top[f]) < 3:
                    top[f].append(ids[t_])
        chans = self._engine.channels
        n_slots = len(a.events)
        rows = []
        for tp in tps:
            j = self._slots[tp["id"]]
            if j >= n_slots:
                j = None
            ev = int(a.events[j]) if j is not None else 0
            if j is None:
                rows.append(_empty_tp_row(tp, chans))
                continue
            cu = int(a.customers[j])
            vn = int(a.value_n[j])
            row = {
                "touchpoint": tp["id"], "name": tp.get("name", ""), "stage": tp.get("stage"),
                "channel": tp.get("channel"), "events": ev, "customers": cu,
                "share": (cu / total) if total else math.nan,
                "median_next_s": _sec(a.next_q[j][0]), "p90_next_s": _sec(a.next_q[j][1]),
                "mean_value": _sig(float(a.value_sum[j]) / vn) if vn else math.nan,
                "exits": int(a.exits[j]), "top_next": top.get(j, []),
            }
            if a.chan is not None and chans:
                cc = a.chan[j]
                tot = int(cc.sum())
                row["top_channel"] = chans[int(cc.argmax())] if tot else None
                ch = tp.get("channel")
                row["channel_match"] = (
                    (int(cc[chans.index(ch)]) / tot if ch in chans else 0.0) if tot and ch else math.nan
                )
            rows.append(row)
        self._cache[key] = rows
        return rows

    def stage_records(self, segment=_UNSET) -> list[dict]:
        self._require()
        key = ("st", segment if segment is not _UNSET else self._segment)
        if key in self._cache:
            return self._cache[key]
        s = self._s(segment)
        stages, _, _, _ = self._stage_layout()
        a = self._stage_agg(s)
        total = self._engine.total_customers(s)
        rows = []
        prev = None
        for k, st in enumerate(stages):
            r = int(a.reach[k])
            row = {"stage": st["id"], "name": st.get("name", ""), "customers": r,
                   "share": r / total if total else math.nan}
            if prev is None:
                row.update(conversion=math.nan, dropoff=math.nan, dropoff_rate=math.nan)
            else:
                drop = max(prev - r, 0)
                row.update(conversion=(r / prev) if prev else math.nan, dropoff=drop,
                           dropoff_rate=(drop / prev) if prev else math.nan)
            row["median_time_s"] = _sec(a.dwell_median[k])
            rows.append(row)
            prev = r
        self._cache[key] = rows
        return rows

    def transition_records(self, segment=_UNSET) -> list[dict]:
        self._require()
        key = ("tr", segment if segment is not _UNSET else self._segment)
        if key in self._cache:
            return self._cache[key]
        s = self._s(segment)
        a = self._tp_agg(s)
        with_next = (a.events - a.exits).tolist()
        rows = []
        ids = self._slot_ids
        for f, t_, c, cu, md in zip(a.tr_from.tolist(), a.tr_to.tolist(), a.tr_count.tolist(),
                                    a.tr_customers.tolist(), a.tr_median.tolist()):
            rows.append({"from": ids[f], "to": ids[t_], "count": int(c),
                         "customers": int(cu), "share": c / with_next[f] if with_next[f] else math.nan,
                         "median_s": _sec(md)})
        rows.sort(key=lambda r: (-r["count"], r["from"], r["to"]))
        self._cache[key] = rows
        return rows

    @property
    def touchpoints(self):
        """Tidy DataFrame, one row per touchpoint (see journeywidget.metrics for definitions)."""
        import pandas as pd

        cols = ["touchpoint", "name", "stage", "channel", "events", "customers", "share",
                "median_next_s", "p90_next_s", "mean_value", "exits", "top_next"]
        recs = self.touchpoint_records()
        extra = [c for c in ("top_channel", "channel_match") if recs and c in recs[0]]
        return pd.DataFrame(recs, columns=cols + extra)

    @property
    def stages(self):
        """Tidy DataFrame, one row per stage in map order."""
        import pandas as pd

        return pd.DataFrame(self.stage_records(), columns=[
            "stage", "name", "customers", "share", "conversion", "dropoff", "dropoff_rate",
            "median_time_s"])

    @property
    def transitions(self):
        """Tidy DataFrame, one row per (from, to) touchpoint pair seen in the data."""
        import pandas as pd

        return pd.DataFrame(self.transition_records(),
                            columns=["from", "to", "count", "customers", "share", "median_s"])

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
        return [] if self._feedback is None else self._feedback.records(self._segment)

    def feedback_intervals(self) -> dict[str, tuple[float, float]]:
        """95 % interval of the feedback-derived emotion per touchpoint (current segment)."""
        return {} if self._feedback is None else self._feedback.intervals(self._segment)

    def trend(self, metric: str = "customers", *, freq: str | None = None,
              max_points: int = 600) -> list[dict]:
        """Rows ``{touchpoint, period, value}``: customers (or events) per touchpoint and period
        in the current segment; see :mod:`journeywidget.data.trend` ([] before binding)."""
        if self._engine is None:
            return []
        key = ("trend", self._segment, metric, freq, max_points)
        if key not in self._cache:
            ids = [tp["id"] for tp in self._doc.get("touchpoints", [])]
            counts = self._engine.trend(self._tp_of_key, len(ids), self._s(), metric, freq, max_points)
            self._cache[key] = [{"touchpoint": ids[j], "period": p, "value": v} for j, p, v in counts]
        return self._cache[key]

    @property
    def insights(self) -> list[Insight]:
        """Ranked bottlenecks and data problems (list of :class:`journeywidget.data.insights.Insight`)."""
        key = ("ins", self._segment)
        if key not in self._cache:
            facts = None
            if self._engine is not None:
                facts = EventFacts(
                    stages=self.stage_records(), touchpoints=self.touchpoint_records(),
                    customers=self.customers(), events=self._engine.n_events,
                    rows=self._engine.n_rows, problems=dict(self._engine.problems),
                    unmapped=self.unmapped_keys(), mapping_problems=self._map_info,
                    backwards=self._stage_agg(self._s()).backwards,
                )
            self._cache[key] = build_insights(self._doc, facts, self._feedback, self._segment)
        return self._cache[key]

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
        if "unmapped" in self._cache:
            return self._cache["unmapped"]
        eng = self._engine
        tok = self._tp_of_key
        kc = eng.key_counts
        unm = [k for k in range(len(tok)) if tok[k] == UNMAPPED and int(kc[k]) > 0]
        unm.sort(key=lambda k: (-int(kc[k]), eng.keys[k]))
        stages = self._doc.get("stages", [])
        neigh = eng.unmapped_neighbours() if unm else None
        _, _, stage_of_slot, _ = self._stage_layout()
        out = []
        for k in unm:
            sugg = None
            if neigh is not None and stages and self._doc.get("touchpoints"):
                row = neigh[k]
                per_stage = [0] * len(stages)
                for j in range(min(len(stage_of_slot), len(row))):
                    if stage_of_slot[j] >= 0:
                        per_stage[stage_of_slot[j]] += int(row[j])
                if max(per_stage) > 0:
                    sugg = stages[max(range(len(stages)), key=lambda i: (per_stage[i], -i))]["id"]
            out.append({"key": eng.keys[k], "count": int(kc[k]), "suggested_stage": sugg})
        self._cache["unmapped"] = out
        return out

    def compare(self, a: Any, b: Any, level: str = "stages"):
        """Segments ``a`` and ``b`` side by side (A/B): one row per stage or touchpoint.

        Columns ``<metric>_a``, ``<metric>_b`` and ``<metric>_diff`` (b - a); for
        stages also ``p_value`` of a two-proportion z-test on conversion.
        """
        import pandas as pd

        self._require()
        for v in (a, b):
            if label(v) not in self._engine.segments:
                raise BindingError(f"segment {v!r} is not in the data; segments: "
                                   f"{self._engine.segments}", self._cols.get("segment"),
                                   "pass values of the segment column")
        if level in ("stages", "stage"):
            ra, rb = self.stage_records(label(a)), self.stage_records(label(b))
            idk, metrics = "stage", ["customers", "share", "conversion", "dropoff_rate",
                                     "median_time_s"]
        elif level in ("touchpoints", "touchpoint"):
            ra, rb = self.touchpoint_records(label(a)), self.touchpoint_records(label(b))
            idk, metrics = "touchpoint", ["events", "customers", "share", "median_next_s",
                                          "p90_next_s", "mean_value", "exits"]
        else:
            raise BindingError(f"level must be 'stages' or 'touchpoints', got {level!r}", None,
                               "pass level='stages' or level='touchpoints'")
        rows = []
        prev_a = prev_b = None
        for x, y in zip(ra, rb):
            row = {idk: x[idk], "name": x["name"]}
            for mname in metrics:
                va, vb = x[mname], y[mname]
                row[f"{mname}_a"] = va
                row[f"{mname}_b"] = vb
                row[f"{mname}_diff"] = vb - va
            if idk == "stage":
                row["p_value"] = two_prop_p(x["customers"], prev_a, y["customers"], prev_b)
                prev_a, prev_b = x["customers"], y["customers"]
            rows.append(row)
        out = pd.DataFrame(rows)
        out.attrs["segments"] = (label(a), label(b))
        return out

    def to_payload(self, max_insights: int = 40, max_segments: int = 50,
                   max_transitions: int = 150, compare: Any = None) -> dict:
        """Compact JSON-able aggregates for the widget's ``_metrics`` trait (no raw data).

        ``compare``: a second segment (A/B): the payload then also carries
        ``"compare": {"segment", "customers", "touchpoints": {id: {"customers", "share"}},
        "stages": {id: {"customers", "share", "conversion", "p"}}}`` for it, beside the
        current segment's figures (``p``: two-proportion z-test of the stage's share of
        customers, A vs B, when A is a segment other than B). The result stays under
        :attr:`PAYLOAD_BUDGET` bytes as JSON: optional parts are shed when the map is
        huge, and ``truncated`` says so.
        """
        key = ("payload", self._segment, None if compare is None else str(compare), max_insights,
               max_segments, max_transitions)
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
                f"engine={self._engine.name}, segment={self._segment!r}>")


def _empty_tp_row(tp: dict, chans: list) -> dict:
    row = {"touchpoint": tp["id"], "name": tp.get("name", ""), "stage": tp.get("stage"),
           "channel": tp.get("channel"), "events": 0, "customers": 0, "share": 0.0,
           "median_next_s": math.nan, "p90_next_s": math.nan, "mean_value": math.nan, "exits": 0,
           "top_next": []}
    if chans:
        row.update(top_channel=None, channel_match=math.nan)
    return row


def _sig(x: float, digits: int = 10) -> float:
    """Round to `digits` significant digits (sums differ in the last bits between engines)."""
    return float(f"{x:.{digits}g}") if math.isfinite(x) else x


def _sec(ns: float) -> float:
    return ns / NS_PER_S if ns == ns else math.nan


def bind_events(journey: Any, df: Any, **kwargs: Any) -> JourneyMetrics:
    """Shortcut: ``JourneyMetrics(journey).bind_events(df, **kwargs)``."""
    return JourneyMetrics(journey).bind_events(df, **kwargs)
