"""Sessions: a customer's events split into visits, and durations given as text.

A *session* belongs to one customer. With ``bind_events(..., session="session_id")``
it is a distinct (customer, session value) pair: the same session value for two
customers is two sessions, so session ids need only be unique per customer. With
``session_gap="30min"`` a customer's events (ordered by time, then row) start a new
session wherever the time since the previous event exceeds the gap.

Session codes are numbered in the order of each session's first event in the
(customer, time, row) ordering, so sessions split by a gap are contiguous runs of
the sorted events.

>>> import numpy as np
>>> cust = np.array([0, 0, 0, 1, 1], dtype=np.int32)
>>> t = np.array([0, 10, 5000, 0, 20], dtype=np.int64)   # seconds (scale 10**9 ns)
>>> gap_sessions(cust, t, 10**9, parse_duration("30min", "session_gap"))
(array([0, 0, 1, 2, 2], dtype=int32), 3)
>>> parse_duration("7D", "window") // 86_400_000_000_000
7
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from ..core.errors import BindingError, JourneyError

__all__ = ["parse_duration", "gap_sessions", "column_sessions", "session_codes", "session_store",
           "format_duration"]


def parse_duration(value: Any, argument: str, *, allow_zero: bool = True) -> int:
    """A duration (``"30min"``, ``"7D"``, ``"2h"``, a ``timedelta``, ``pd.Timedelta`` or
    ``np.timedelta64``) in nanoseconds; a clear :class:`JourneyError` naming ``argument``
    for anything else (bare numbers have no unit and are refused)."""
    import numpy as np
    import pandas as pd

    fix = f"pass {argument}= as a duration with a unit, e.g. '30min', '2h', '7D' or a datetime.timedelta"
    if isinstance(value, bool) or isinstance(value, (int, float)):
        raise JourneyError(f"{argument}={value!r} has no unit; {fix}")
    ns = None
    try:
        if isinstance(value, str):
            text = value.strip()
            if re.fullmatch(r"[+-]?\d+(\.\d*)?", text):
                raise JourneyError(f"{argument}={value!r} has no unit; {fix}")
            try:
                ns = pd.Timedelta(text).value
            except (ValueError, TypeError):
                off = pd.tseries.frequencies.to_offset(text)
                ns = int(off.nanos)  # fixed offsets only ("1D", "30min"); months raise
        elif isinstance(value, (_dt.timedelta, pd.Timedelta, np.timedelta64)):
            ns = pd.Timedelta(value).value
    except (ValueError, TypeError, OverflowError):
        ns = None
    if ns is None or ns is pd.NaT or not isinstance(ns, (int, np.integer)):
        raise JourneyError(f"{argument}={value!r} is not a duration; {fix}")
    ns = int(ns)
    if ns < 0 or (ns == 0 and not allow_zero):
        raise JourneyError(f"{argument}={value!r} is {'negative' if ns < 0 else 'zero'}; "
                           f"{argument} must be {'at least' if allow_zero else 'more than'} zero: {fix}")
    return ns


def format_duration(ns: int) -> str:
    """A duration in words for labels: ``7-day``, ``30-minute``, ``90-second``.

    >>> format_duration(7 * 86_400 * 10**9), format_duration(1800 * 10**9), format_duration(36 * 3600 * 10**9)
    ('7-day', '30-minute', '36-hour')
    """
    s = ns / 1e9
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if s >= size and s % size == 0:
            return f"{int(s // size)}-{unit}"
    return f"{s:g}-second"


def gap_sessions(cust: Any, t_code: Any, t_scale: int, gap_ns: int) -> tuple[Any, int]:
    """Session code per event (events sorted by customer, time, row): a new session starts at
    a customer's first event and wherever the time since the previous event exceeds the gap."""
    import numpy as np

    n = cust.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int32), 0
    new = np.empty(n, dtype=bool)
    new[0] = True
    step = 1 << 20
    for a in range(1, n, step):  # chunked: no full-size int64 temporaries
        b = min(n, a + step)
        d = t_code[a:b].astype(np.int64) - t_code[a - 1:b - 1]
        if t_scale != 1:
            d *= t_scale
        new[a:b] = (d > gap_ns) | (cust[a:b] != cust[a - 1:b - 1])
    sess = np.cumsum(new, dtype=np.int64) - 1
    return sess.astype(np.int32), int(sess[-1]) + 1


def column_sessions(cust: Any, codes: Any) -> tuple[Any, int]:
    """Session code per event from the session column's value codes (in the events' sorted
    order; -1 = missing): one session per distinct (customer, value), numbered in the order
    of their first events."""
    import numpy as np

    n = cust.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int32), 0
    width = int(codes.max()) + 1 if n else 1
    key = cust.astype(np.int64) * width + codes
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    rank = np.empty(first.shape[0], dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.shape[0])
    return rank[inverse.reshape(-1)].astype(np.int32), int(first.shape[0])


def session_codes(cust: Any, t_code: Any, t_scale: int, *, column_codes: Any = None,
                  column_values: Any = None, gap_ns: int | None = None,
                  column: str | None = None) -> tuple[Any, int, Any]:
    """The session code of each sorted event, from a session column's value codes (``-1`` =
    missing value: a :class:`BindingError` naming the column and the fix; ``column_values``:
    the value of each code) or from a gap; with the number of sessions and, for a column,
    each session's value (None for a gap)."""
    import numpy as np

    if column_codes is not None:
        miss = int(np.count_nonzero(column_codes < 0))
        if miss:
            raise BindingError(
                f"the session column {column!r} has {miss:,} events without a session value",
                column, f"fill them (df[{column!r}] = df[{column!r}].fillna(...)) or drop those rows, "
                        "or split sessions by time with session_gap='30min' instead of session=")
        sess, n = column_sessions(cust, column_codes)
        first = np.ones(sess.shape[0], dtype=bool)
        first[1:] = sess[1:] != sess[:-1]
        code_of = np.zeros(n, dtype=np.int64)
        code_of[sess[first]] = column_codes[first]  # every session has a first event in order
        values = None
        if column_values is not None:
            vals = np.asarray(column_values, dtype=object) if isinstance(column_values, list) \
                else np.asarray(column_values)
            values = vals.take(code_of)
        return sess, n, values
    sess, n = gap_sessions(cust, t_code, t_scale, int(gap_ns))
    return sess, n, None


def session_store(store: Any) -> tuple[Any, Any]:
    """The event store seen per session (every table computed on it counts sessions) and the
    customer code of each session.

    Its ``cust`` holds session codes (events sorted by session, time, row); a session's
    segment is its customer's.
    """
    import dataclasses

    import numpy as np

    if store.sess is None:
        raise JourneyError("no sessions are bound: call bind_events(..., session=<column>) or "
                           "bind_events(..., session_gap='30min') first")
    sess = store.sess
    n_s = store.n_sessions
    ordered = bool(np.all(sess[1:] >= sess[:-1])) if sess.shape[0] > 1 else True
    if ordered:
        t_code, key, cust = store.t_code, store.key, store.cust
    else:  # sessions interleave within a customer (two tabs): order by session, time, row
        perm = np.argsort(sess, kind="stable")
        sess = sess[perm]
        t_code, key, cust = store.t_code[perm], store.key[perm], store.cust[perm]
    first = np.ones(sess.shape[0], dtype=bool)
    if sess.shape[0] > 1:
        np.not_equal(sess[1:], sess[:-1], out=first[1:])
    cust_of_sess = cust[first]
    view = dataclasses.replace(
        store, cust=sess, t_code=t_code, key=key, n_customers=n_s,
        seg_of_cust=store.seg_of_cust[cust_of_sess], customer_values=None, sess=None, n_sessions=0,
        session_values=None,
    )
    return view, cust_of_sess
