"""What every number of the metrics counts: the definitions, and the words that label them.

The same on every engine (numpy for pandas, polars, pyarrow and DuckDB inputs; Spark
for PySpark). An "event" is a row with a customer, a valid timestamp and a touchpoint
key.

* **Units.** Every table counts *units*: ``m.unit = "customer"`` (the default; a
  customer is a distinct value of the ``customer`` column) or ``"session"`` (a
  distinct (customer, session) pair: ``bind_events(..., session=<column>)``, or
  ``session_gap="30min"`` to start a new session wherever a customer is idle longer
  than the gap; see :mod:`journeywidget.data.sessions`). A session belongs to one
  customer. Times (time in stage, time to convert, time to the next step) are
  measured within the unit, so sessions give minutes, not months.
* **Ordering.** Each unit's events are ordered by ``(time, original row order)``:
  ties in timestamps break by the position of the row in the input (for Spark,
  the order of ``monotonically_increasing_id()`` at bind time, or an explicit
  ``order=`` column).
* **Mapped events.** A row maps to a touchpoint through the explicit ``mapping``,
  else a touchpoint's ``event_keys``, else a touchpoint's id, else its name (keys
  compared exactly, then case-insensitively). Rows whose key maps to no touchpoint
  are *unmapped*: they count towards the unit base but are otherwise ignored
  (reported as a data problem).
* **All units** (the denominator of every ``share``) = distinct units with at least
  one valid event, mapped or not, in the current segment.
* **Next event** of an event = the same unit's next *mapped* event; the time to it is
  ``next.time - this.time`` in seconds. A unit's last mapped event has none and is
  an **exit**.
* **Quantiles** are exact, by linear interpolation between order statistics: with
  ``n`` values sorted ``v``, ``pos = (n - 1) * q``, ``lo = floor(pos)``,
  ``hi = ceil(pos)``: ``(hi - pos) * v[lo] + (pos - lo) * v[hi]``.

Touchpoint table (``m.touchpoints``, one row per touchpoint in map order):
``events`` mapped events; ``units`` distinct units with at least one event there,
``customers`` distinct customers; ``share`` = units / all units; ``median_next_s``
and ``p90_next_s`` quantiles of time to the next event; ``mean_value`` mean of the
finite ``value`` column over its events (rounded to 10 significant digits, as
floating-point sums differ in the last bits between engines; empty in a cluster
segment); ``exits`` units whose last mapped event is here; ``top_next`` up to three
other touchpoints that most often come next (self-repeats excluded; ties by map
order).

Transitions (``m.transitions``): one row per ordered pair of touchpoints (from, to)
such that a unit's mapped event at ``to`` directly follows one at ``from``:
``count`` such event pairs, ``units`` distinct units, ``share`` = count / events at
``from`` that have a next event, ``median_s`` median time between them.

The stage table and funnel modes (``m.funnel``: ``"ordered"`` or ``"reached"``),
the conversion window (``m.window``), stages without data, time in stage and time
to convert: :mod:`journeywidget.data.funnel`. Stage paths, ``m.paths()`` and
``m.flows()``: :mod:`journeywidget.data.paths`. ``m.conformance()`` and
``m.conforming_share``: :mod:`journeywidget.data.conformance`. Clusters of units
(data-driven personas): :mod:`journeywidget.data.clusters`. Opportunities:
:mod:`journeywidget.data.opportunities`. Intervals and tests:
:mod:`journeywidget.data.stats`. ``m.definition`` says in a few words what the
numbers count ("ordered funnel · sessions · 7-day window"); every table carries it
in ``.attrs["definition"]`` and the payload in ``"definition"``.

Segments: a customer's segment is the first non-missing value of the ``segment``
column in the ordering above, and a session's is its customer's; ``m.segment =
value`` restricts every table (denominators included) to that segment's units.
After ``m.clusters()``, ``m.segment = "cluster:2"`` shows one cluster. An unmapped
key's *suggested stage* is the stage whose touchpoints most often come directly
before or after its events (same unit).

How it stays live: a bind encodes the events once into compact arrays sorted by
(customer, time, row) — customer codes, touchpoint-key codes, times (int32 at
second / millisecond / microsecond resolution when exact, else int64 ns), and a
session code per event. A key -> touchpoint mapping yields touchpoint-level
aggregates plus, per unit, the run-length compressed sequence of touchpoints it
visits (:mod:`journeywidget.data.sequences`). Moving a touchpoint between stages,
reordering stages, switching segment, unit, funnel mode or window only recombines
those; changing event keys or adding / renaming touchpoints re-runs the touchpoint
level from the encoded arrays; the raw frame is never read again.

>>> definition("session", "ordered", 7 * 86_400 * 10**9)
'ordered funnel · sessions · 7-day window'
>>> definition("customer", "reached", None)
'reached (any order) · customers'
"""

from __future__ import annotations

from .sessions import format_duration

__all__ = ["definition", "describe"]


def definition(unit: str, funnel: str, window_ns: int | None) -> str:
    """What the numbers count, in a few words (tables' ``attrs["definition"]``, the payload)."""
    units = "sessions" if unit == "session" else "customers"
    if funnel == "reached":
        return f"reached (any order) · {units}"
    win = "no window" if window_ns is None else f"{format_duration(window_ns)} window"
    return f"ordered funnel · {units} · {win}"


def describe(unit: str, funnel: str, window_ns: int | None, sessions: dict, segment: str | None) -> str:
    """The same in sentences: the tooltip text of the map's numbers."""
    unit = "session" if unit == "session" else "customer"
    units = unit + "s"
    if unit == "session" and sessions.get("column"):
        how = f" (a distinct customer and {sessions['column']!r} value)"
    elif unit == "session" and sessions.get("gap") is not None:
        how = f" (a new one after {sessions['gap']} without events)"
    else:
        how = ""
    if funnel == "ordered":
        mode = (f"A stage counts the {units} that reach it in order: an event at one of its "
                f"touchpoints after the {unit}'s match for the stage before (earliest match, "
                "from its first event in the first stage)")
        mode += "." if window_ns is None else (
            f", within {format_duration(window_ns).replace('-', ' ')}s of that first match.")
    else:
        mode = f"A stage counts the {units} with at least one event at its touchpoints, in any order."
    seg = "" if segment is None else f" Segment: {segment}."
    return (f"Counting {units}{how}. {mode} Shares are of all {units} with an event; "
            f"intervals are 95% Wilson intervals.{seg}")
