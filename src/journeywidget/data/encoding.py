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
from .engine import NS_PER_S

__all__ = ["EventStore", "sort_events", "label", "to_labels", "factorize", "time_ns", "times_from_floats"]


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


def _lsd_argsort(np, codes, bits: int):
    """Stable argsort of non-negative integer codes by 16-bit digits (radix passes)."""
    n = codes.shape[0]
    idt = np.int32 if n < 2**31 - 1 else np.int64
    order = None
    step = 1 << 20
    for shift in range(0, bits, 16):
        digit = np.empty(n, dtype=np.uint16)
        for a in range(0, n, step):  # chunked: no full-size int temporaries
            b = min(n, a + step)
            src = codes[a:b] if order is None else codes[order[a:b]]
            digit[a:b] = (src >> shift) & 0xFFFF
        o = np.argsort(digit, kind="stable")
        del digit
        order = o.astype(idt) if order is None else order[o]
        del o
    return order


def sort_events(cust, t):
    """Order of events by (customer code, time, row). Vectorised, exact, deterministic.

    A quicksort on a packed int64 key (customer code in the high bits, time
    relative to the minimum in the low bits, truncated if it does not fit)
    followed by an exact re-sort, by (time, row), of the runs of equal keys.
    """
    np = _np()
    n = cust.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n < 50_000:
        return np.lexsort((np.arange(n), t, cust))
    c_max = int(cust.max())
    bits_c = max(c_max.bit_length(), 1)
    if bool(np.all(t[1:] >= t[:-1])):
        # Chronological logs (the common case): a stable LSD radix sort on the customer
        # code alone gives (customer, time, row) order; 16-bit digits use numpy's radix sort.
        return _lsd_argsort(np, cust, bits_c)
    tmin = int(t.min())
    span = int(t.max()) - tmin
    bits_t = max(span.bit_length(), 1)
    shift = max(0, bits_t + bits_c - 63)
    step = 1 << 20
    key = np.empty(n, dtype=np.int64)
    for a in range(0, n, step):  # chunked: no full-size temporaries
        b = min(n, a + step)
        kk = key[a:b]
        np.subtract(t[a:b], tmin, out=kk)
        if shift:
            kk >>= shift
        kk |= cust[a:b].astype(np.int64) << (bits_t - shift)
    if bool(np.all(key[1:] >= key[:-1])):
        order = np.arange(n, dtype=np.int64)
    else:
        order = np.argsort(key)
    eq = np.empty(n - 1, dtype=bool)
    for a in range(0, n - 1, step):
        b = min(n - 1, a + step)
        ks = key[order[a:b + 1]]
        np.equal(ks[1:], ks[:-1], out=eq[a:b])
    del key
    if eq.any():
        inrun = np.zeros(n, dtype=bool)
        inrun[:-1] |= eq
        inrun[1:] |= eq
        pos = np.flatnonzero(inrun)
        starts = np.ones(pos.shape[0], dtype=bool)
        starts[1:] = ~eq[pos[1:] - 1]
        rid = np.cumsum(starts)
        sub = order[pos]
        o = np.lexsort((sub, t[sub], rid))
        order[pos] = sub[o]
    return order


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
                parsed = pd.to_datetime(s, errors="coerce", utc=True, format=fmt)
            except Exception:
                parsed = None
                continue
            bad = np.asarray(parsed.isna()) & ~missing
            if not bad.any():
                break
        if parsed is None:
            raise BindingError(f"time column {column!r} could not be parsed as timestamps", column, fix)
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
