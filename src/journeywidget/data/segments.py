"""Segments of the units: the values of the segment column, and clusters.

:class:`Segments` is the part of :class:`journeywidget.JourneyMetrics` that picks the
units a table shows: ``m.segment`` (a value of the ``segment`` column, ``"cluster:N"``
after ``m.clusters()``, or None for all units), the counts per segment, and which
engine answers for a segment of the current unit (customers, sessions, or the clusters
of either).

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("buying-process")
>>> m = jw.JourneyMetrics(j).bind_events(jw.datasets.events(j, customers=300, seed=2),
...     customer="customer_id", time="timestamp", touchpoint="event", segment="plan")
>>> m.segment_values, sum(m.segment_counts().values()) == m.units(None)
(['enterprise', 'free', 'pro'], True)
"""

from __future__ import annotations

from typing import Any

from ..core.errors import BindingError
from .encoding import label
from .numpy_engine import NumpyEngine
from .sessions import session_store
from .spark_engine import SparkEngine

__all__ = ["Segments", "CLUSTER_PREFIX"]

#: A cluster used as a segment: ``m.segment = "cluster:2"``.
CLUSTER_PREFIX = "cluster:"
_UNSET = object()


class Segments:
    """Segments and clusters of :class:`journeywidget.JourneyMetrics` (a mixin)."""

    @property
    def segment(self) -> Any:
        """The segment the tables show (None = all units). Set it to switch; ``"cluster:2"``
        shows a cluster of :meth:`clusters`."""
        return self._segment

    @segment.setter
    def segment(self, value: Any) -> None:
        if value is not None:
            value = label(value)
            avail = self.segment_values
            if value not in avail:
                raise BindingError(
                    f"segment {value!r} is not in the data; segments: {avail}", self._cols.get("segment"),
                    "pick one of those, bind_events(..., segment=<column>) first, or run "
                    "m.clusters() for 'cluster:N' segments",
                )
        if value != self._segment:
            self._segment = value
            self._changed()

    @property
    def segments(self):
        """DataFrame of segment values: units, customers and share of all units."""
        import pandas as pd

        self._require()
        total = self.units(None)
        rows = [{"segment": s, "units": n, "customers": self.customers(s),
                 "share": n / total if total else float("nan")}
                for s, n in self.segment_counts().items()]
        return pd.DataFrame(rows, columns=["segment", "units", "customers", "share"])

    @property
    def segment_values(self) -> list[str]:
        """The segment values of the bound events, sorted, then the ``cluster:N`` labels of the
        current unit's clusters ([] without a segment column, clusters or events)."""
        if self._engine is None:
            return []
        cl = self._clusters.get(self._unit)
        return list(self._engine.segments) + ([] if cl is None else cl.labels_text)

    def segment_counts(self) -> dict[str, int]:
        """Units per segment value (and per cluster), whatever the current segment."""
        if self._engine is None:
            return {}
        out = {s: int(c) for s, c in zip(self._engine.segments, self._unit_engine().segment_customers())}
        cl = self._clusters.get(self._unit)
        if cl is not None:
            out.update({t: int(n) for t, n in zip(cl.labels_text, cl.sizes)})
        return out

    def units(self, segment: Any = _UNSET) -> int:
        """All units (with a valid event) in ``segment``; default the current one, None for all."""
        self._require()
        eng, s = self._select(segment)
        return eng.total_customers(s)

    def customers(self, segment: Any = _UNSET) -> int:
        """All customers (with a valid event) in ``segment``; default the current one, None for all."""
        self._require()
        eng, s = self._select(segment)
        if self._unit == "customer":
            return eng.total_customers(s)
        if eng is self._unit_engine():
            return self._engine.total_customers(s)
        import numpy as np

        units = np.flatnonzero(eng.store.seg_of_cust == s)
        return int(np.unique(eng.unit_customer[units]).shape[0])

    def segment_members(self, segment: Any = _UNSET) -> list:
        """The customers (their values in the customer column) of ``segment`` (default: the
        current one); every customer for None. What a chart's rows are selected by."""
        self._require()
        seg = self._segment if segment is _UNSET else segment
        if seg is None:
            raise BindingError("segment_members needs a segment", self._cols.get("segment"),
                               "pass a segment value or set m.segment first")
        eng, s = self._select(seg)
        if eng is self._unit_engine() or eng is self._engine:
            return self._engine.segment_members(s)
        import numpy as np

        units = np.flatnonzero(eng.store.seg_of_cust == s)
        custs = units if eng.unit_customer is None else np.unique(eng.unit_customer[units])
        return self._engine.store.customers_of(custs)

    def _s(self, segment=_UNSET):
        return self._select(segment)[1]

    def _unit_engine(self) -> Any:
        """The engine of the current unit (customers: the binding's own)."""
        if self._unit == "customer":
            return self._engine
        eng = self._unit_engines.get(self._unit)
        if eng is None:
            eng = self._engine.session_engine() if isinstance(self._engine, SparkEngine) else \
                NumpyEngine(*session_store(self._engine.store))
            self._unit_engines[self._unit] = eng
            self._apply_mapping()
        return eng

    def _select(self, segment: Any = _UNSET) -> tuple[Any, int | None]:
        """(engine, segment index in it) of a segment of the current unit (None: all units)."""
        seg = self._segment if segment is _UNSET else segment
        if seg is None:
            return self._unit_engine(), None
        seg = label(seg)
        cl = self._clusters.get(self._unit)
        if cl is not None and seg in cl.labels_text:
            return self._cluster_engine(), cl.labels_text.index(seg)
        if seg not in self._engine.segments:
            raise BindingError(f"segment {seg!r} is not in the data; segments: {self.segment_values}",
                               self._cols.get("segment"), "pass one of those")
        return self._unit_engine(), self._engine.segments.index(seg)

    def _cluster_engine(self) -> Any:
        from .clusters import cluster_engine

        eng = self._cluster_engines.get(self._unit)
        if eng is None:
            eng = cluster_engine(self._unit_engine(), self._clusters[self._unit])
            self._cluster_engines[self._unit] = eng
            self._apply_mapping()
        return eng

