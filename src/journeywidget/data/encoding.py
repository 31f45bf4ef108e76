"""Layer 0 of the numpy engine: the encoded event log and the functions that encode it.

An :class:`EventStore` keeps per event only a customer code, a compact time and a
key code, sorted by (customer, time, row); :mod:`journeywidget.data.builder` makes
one from any input (validating the columns and reporting data problems on the way).
Labels (:func:`label`) are how keys and segment values are named everywhere:
``1.0`` and ``1`` are both ``"1"``.

>>> import numpy as np
>>> sort_events(np.array([1, 0, 1, 0]), np.array([5, 7, 2, 7])).tolist()
[1, 3, 2, 0]
>>> label(2.0), label("pro")
('2', 'pro')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.errors import BindingError
from ..core.limits import brief
from .engine import NS_PER_S, _pmap

__all__ = ["EventStore", "sort_events", "label", "to_labels", "factorize", "time_ns", "times_from_floats",
           "check_time_zones", "has_zone", "mixed_zones_error", "MixedTimeZones"]


def _np():
    import numpy as np

    return np


@dataclass
class EventStore:
    """Events sorted by (customer, time, row): the only per-event data kept after a bind."""

    cust: Any  # int32 [N] customer codes, sorted
    t_code: Any  # [N] time as t_base + t_code * t_scale ns (int32 when it fits, else int64 ns)
    key: Any  # int16/int32 [N] key codes
    keys: list  # key vocabulary (str)
    n_customers: int
    seg_of_cust: Any  # int32 [C]; index len(segments) = no segment
    segments: list  # segment labels (str), sorted
    key_value_sum: Any = None  # float64 [K, NS]
    key_value_n: Any = None  # int64 [K, NS]
    channels: list = field(default_factory=list)
    key_chan: Any = None  # int64 [K, n_chan] event counts
    problems: dict = field(default_factory=dict)  # kind -> dict(count=..., ...)
    key_counts: Any = None  # int64 [K] valid events per key
    n_rows: int = 0
    engine: str = "pandas"
    t_scale: int = 1
    t_base: int = 0
    customer_values: Any = None  # [C] the customer of each code, as in the input
    sess: Any = None  # int32 [N] session code per event (data/sessions.py), None: no sessions
    n_sessions: int = 0
    session_values: Any = None  # [n_sessions] each session's value in the session column

    def customers_of(self, codes) -> list:
        """The input values of customer codes (to select their rows in the frame)."""
        np = _np()
        if self.customer_values is None:
            return []
        picked = self.customer_values.take(np.asarray(codes, dtype=np.int64))
        if hasattr(picked, "to_pylist"):  # an Arrow array (files, pyarrow, DuckDB, polars)
            return picked.to_pylist()
        return picked.tolist() if hasattr(picked, "tolist") else list(picked)

    @property
    def t(self):
        """int64 ns timestamps (a new array unless stored as ns)."""
        np = _np()
        if self.t_scale == 1 and self.t_base == 0 and self.t_code.dtype == np.int64:
            return self.t_code
        out = self.t_code.astype(np.int64)
        out *= self.t_scale
        out += self.t_base
        return out

    @property
    def n_events(self) -> int:
        return int(self.cust.shape[0])

    @property
    def ns(self) -> int:
        return len(self.segments) + 1


_LO_BITS = 14  # customers per bucket: 16,384 (their events fit in a core's cache)


def sort_events(cust, t):
    """Order of events by (customer code, time, row). Vectorised, exact, deterministic.

    A stable bucket pass on the high bits of the customer code, then each bucket
    (16,384 customers) sorted on its own, in cache and on both cores: by the low bits
    alone when the log is chronological (the common case; a stable sort keeps time
    and row order), else by (low bits, time), stable (ties keep row order).
    """
    np = _np()
    n = cust.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n < 50_000:
        return np.lexsort((np.arange(n), t, cust))
    from . import kernels

    if kernels.enabled():  # (numba: a counting sort, on two threads)
        out = kernels.run(kernels.sort_events, cust, t)
        if out is not None:
            return out
    nb = (int(cust.max()) >> _LO_BITS) + 1
    hi = (cust >> _LO_BITS).astype(np.uint8 if nb <= 256 else (np.uint16 if nb < 65536 else np.int64))
    top = np.argsort(hi, kind="stable")  # radix sort: one or two byte passes
    off = np.zeros(nb + 1, dtype=np.int64)
    np.cumsum(np.bincount(hi, minlength=nb), out=off[1:])
    del hi
    lo = (cust & ((1 << _LO_BITS) - 1)).astype(np.uint16)[top]
    chrono = bool(np.all(t[1:] >= t[:-1]))
    tt = None if chrono else t[top]
    out = np.empty(n, dtype=np.int32 if n < 2**31 - 1 else np.int64)

    def buckets(rng):
        for b in range(*rng):
            a, z = int(off[b]), int(off[b + 1])
            if z - a < 2:
                out[a:z] = top[a:z]
                continue
            ob = np.argsort(lo[a:z], kind="stable") if chrono else np.lexsort((tt[a:z], lo[a:z]))
            out[a:z] = top[a:z][ob]

    half = int(np.searchsorted(off, n // 2))
    _pmap(buckets, [(0, min(half, nb)), (min(half, nb), nb)], min_items=2)
    return out


def factorize(series):
    """int32 codes (-1 = missing) and the unique values, without a 64-bit intermediate
    where it can be avoided (categoricals, dense integer ids)."""
    import numpy as np
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = np.asarray(series.cat.codes)
        return codes, list(series.cat.categories)
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype) and len(series):
        vals = series.to_numpy() if not series.hasnans else None
        if vals is not None and vals.dtype.kind in "iu":
            lo, hi = int(vals.min()), int(vals.max())
            if hi - lo < max(4 * len(vals), 1024):
                present = np.zeros(hi - lo + 1, dtype=bool)
                step = 1 << 20
                for a in range(0, len(vals), step):
                    present[vals[a:a + step] - lo] = True
                remap = np.cumsum(present, dtype=np.int32) - 1
                codes = np.empty(len(vals), dtype=np.int32)
                for a in range(0, len(vals), step):
                    codes[a:a + step] = remap[vals[a:a + step] - lo]
                uniques = np.flatnonzero(present) + lo
                return codes, uniques
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return np.asarray(codes).astype(np.int32, copy=False), uniques


def label(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def to_labels(codes, uniques):
    """Codes -> codes into a de-duplicated list of string labels (sorted), -1 stays -1.

    Only values that occur are labelled (a categorical's unused categories are not).
    """
    import numpy as np

    used = np.bincount(codes[codes >= 0], minlength=len(uniques))[: len(uniques)] > 0
    labels = [label(u) for u in list(uniques)]
    distinct = sorted({lab for lab, ok in zip(labels, used) if ok})
    pos = {lab: i for i, lab in enumerate(distinct)}
    remap = np.array([pos.get(lab, -1) for lab in labels] + [-1], dtype=np.int32)
    return remap[codes], distinct


def time_ns(series, column: str):
    """int64 ns, missing mask, unparsable mask (from pandas Series)."""
    import numpy as np
    import pandas as pd

    missing = np.asarray(series.isna())
    dtype = series.dtype
    fix = (f"convert it with df[{column!r}] = pd.to_datetime(df[{column!r}]) "
           "or pass the right column as time=")
    if pd.api.types.is_bool_dtype(dtype):
        raise BindingError(f"time column {column!r} holds booleans, not timestamps", column, fix)
    if isinstance(dtype, pd.DatetimeTZDtype) or (
        hasattr(dtype, "pyarrow_dtype") and "timestamp" in str(dtype) and "tz=" in str(dtype)
    ):
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        try:
            arr = series.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT"))
        except Exception as err:
            raise BindingError(
                f"time column {column!r} has timestamps outside 1677-2262 ({err})", column,
                "drop or correct those rows",
            ) from None
        t = arr.view(np.int64)
        unparsable = np.zeros(len(t), dtype=bool)
    elif pd.api.types.is_timedelta64_dtype(dtype):
        t = series.to_numpy(dtype="timedelta64[ns]").view(np.int64).copy()
        unparsable = np.zeros(len(t), dtype=bool)
    elif pd.api.types.is_numeric_dtype(dtype):
        return times_from_floats(series.to_numpy(dtype=float, na_value=np.nan), missing)
    else:
        s = series.astype(object).where(~missing, None)
        parsed = None
        for fmt in ("ISO8601", "mixed"):
            try:
                parsed = _parse_times(pd, s, fmt, column)
            except BindingError:
                raise
            except Exception:
                parsed = None
                continue
            bad = np.asarray(parsed.isna()) & ~missing
            if not bad.any():
                break
        if parsed is None:
            raise BindingError(f"time column {column!r} could not be parsed as timestamps", column, fix)
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            parsed = parsed.dt.tz_convert("UTC")
        parsed = parsed.dt.tz_localize(None)
        arr = parsed.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT"))
        t = arr.view(np.int64).copy()
        unparsable = np.asarray(parsed.isna()) & ~missing
    nat = t == np.iinfo(np.int64).min
    missing = missing | (nat & ~unparsable)
    return t, missing, unparsable


def times_from_floats(x, missing):
    """Seconds (floats) -> (int64 ns, missing, unparsable): infinities cannot be times."""
    np = _np()
    finite = np.isfinite(x)
    unparsable = ~finite & ~missing
    t = np.rint(np.where(finite, x, 0.0) * NS_PER_S).astype(np.int64)
    return t, missing, unparsable


def _parse_times(pd, s, fmt: str, column: str):
    """Timestamps of an object column; times with and without a time zone are not mixed.

    Parsed as they are first (one parse in the usual case: all naive, or all in one zone);
    pandas refuses a mix of zones, and coerces a datetime object of the other kind to NaT:
    only then are the values looked at one by one (:func:`check_time_zones`).
    """
    try:
        parsed = pd.to_datetime(s, errors="coerce", format=fmt)
    except ValueError:  # "Mixed timezones": several offsets, or times without one among them
        check_time_zones(s, column)
        return pd.to_datetime(s, errors="coerce", utc=True, format=fmt)
    lost = (parsed.isna() & s.notna()).to_numpy()
    if lost.any():  # datetime objects of the other kind than the first ones became NaT
        kept = s[~lost & s.notna().to_numpy()].head(1).tolist()
        check_time_zones([v for v in s[lost] if not isinstance(v, str)] + kept, column)
    return parsed


def has_zone(v: Any) -> bool | None:
    """Whether a time value carries a time zone (None: not a time this can tell)."""
    if isinstance(v, str):
        t = v.strip()
        if not t or ":" not in t:
            return False  # a date, or a number: no zone
        if t[-1] in "Zz" or t.upper().endswith((" UTC", " GMT")):
            return True
        for width in (6, 5, 3):  # +02:00, +0200, +02 after the time of day
            if len(t) > width and t[-width] in "+-" and t[-width + 1:].replace(":", "").isdigit() and ":" in t[:-width]:
                return True
        return False
    tz = getattr(v, "tzinfo", _UNSET)
    return None if tz is _UNSET else tz is not None


_UNSET = object()


def check_time_zones(values: Any, column: str) -> None:
    """Refuse a time column that mixes times with a time zone and times without one.

    Times without a zone cannot be placed on the same clock as the others: taking them as
    UTC (what pandas' ``utc=True`` does) moves them by the zone's offset and silently
    changes every duration between events. The error names the column, how many of each
    kind there are with an example, and the fix. Times in several zones (all with one)
    are fine: they are compared in UTC.

    >>> check_time_zones(["2024-01-01T10:00:00+02:00", "2024-07-01T10:00:00+03:00"], "ts")
    >>> check_time_zones(["2024-01-01T10:00:00+02:00", "2024-01-01 10:07:30"], "ts")
    Traceback (most recent call last):
    ...
    journeywidget.data.encoding.MixedTimeZones: time column 'ts' mixes times with a time zone (1 row, e.g. '2024-01-01T10:00:00+02:00') and times without one (1 row, e.g. '2024-01-01 10:07:30'); the ones without a zone cannot be placed on the same clock. Fix: give every time its zone: df['ts'] = pd.to_datetime(df['ts'], utc=True) if the times without one are in UTC, or set their zone with .dt.tz_localize(...) before binding
    """
    aware: list = []
    naive: list = []
    for v in values:
        if v is None or v != v:
            continue
        kind = has_zone(v)
        if kind is not None:
            (aware if kind else naive).append(v)
    if aware and naive:
        raise mixed_zones_error(column, len(aware), aware[0], len(naive), naive[0])


class MixedTimeZones(BindingError):
    """A time column mixes times with a time zone and times without one."""


def mixed_zones_error(column: str, n_aware: int, aware: Any, n_naive: int, naive: Any) -> BindingError:
    """The error of :func:`check_time_zones`, also for a mix found across batches of a log
    read in batches."""
    def some(n: int, example: Any) -> str:
        return f"{n:,} row{'s' if n != 1 else ''}, e.g. {brief(str(example))}"

    return MixedTimeZones(
        f"time column {column!r} mixes times with a time zone ({some(n_aware, aware)}) and times "
        f"without one ({some(n_naive, naive)}); the ones without a zone cannot be placed on the same "
        "clock", column,
        f"give every time its zone: df[{column!r}] = pd.to_datetime(df[{column!r}], utc=True) if the "
        "times without one are in UTC, or set their zone with .dt.tz_localize(...) before binding",
    )


def _examples(series, mask, k=3) -> list[str]:
    import numpy as np

    idx = np.flatnonzero(mask)[:k]
    return [str(series.iloc[int(i)]) for i in idx]


def _values(uniques, dtype=None):
    """The unique values ``factorize`` gave, as an array with ``take`` (no copy when it is one)."""
    np = _np()
    if isinstance(uniques, list):
        out = np.empty(len(uniques), dtype=object)
        out[:] = uniques
        return out
    if dtype is not None:
        return np.asarray(uniques).astype(dtype)
    return uniques if hasattr(uniques, "take") else np.asarray(uniques)
