"""Layer 0 of the numpy engine: an event log encoded once into sorted compact arrays.

:func:`build_store` validates the columns of a pandas frame (the adapter,
:mod:`journeywidget.data.frames`, brings every other kind of frame to it), reports
data problems (missing customers or times, unparsable times, duplicates, segments
that vary...) and keeps per event only a customer code, a compact time and a key
code, sorted by (customer, time, row). Labels (:func:`label`) are how keys and
segment values are named everywhere: ``1.0`` and ``1`` are both ``"1"``.

>>> import pandas as pd
>>> df = pd.DataFrame({"user": ["b", "a", "a"], "ts": [3, 1, 2], "event": ["x", "y", "x"]})
>>> store = build_store(df, customer="user", time="ts", touchpoint="event")
>>> store.keys, store.n_customers, store.cust.tolist(), store.key.tolist()
(['x', 'y'], 2, [0, 1, 1], [0, 1, 0])
>>> label(2.0), label("pro")
('2', 'pro')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.errors import BindingError
from ..core.limits import brief
from .engine import NS_PER_S, _pmap
from .sessions import session_codes

__all__ = ["EventStore", "build_store", "sort_events", "label", "to_labels", "factorize", "time_ns",
           "check_time_zones"]


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
        x = series.to_numpy(dtype=float, na_value=np.nan)
        unparsable = ~np.isfinite(x) & ~missing
        x = np.where(np.isfinite(x), x, 0.0)
        t = np.rint(x * NS_PER_S).astype(np.int64)
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


def _has_zone(v: Any) -> bool | None:
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
    journeywidget.core.errors.BindingError: time column 'ts' mixes times with a time zone (1 row, e.g. '2024-01-01T10:00:00+02:00') and times without one (1 row, e.g. '2024-01-01 10:07:30'); the ones without a zone cannot be placed on the same clock. Fix: give every time its zone: df['ts'] = pd.to_datetime(df['ts'], utc=True) if the times without one are in UTC, or set their zone with .dt.tz_localize(...) before binding
    """
    aware: list = []
    naive: list = []
    for v in values:
        if v is None or v != v:
            continue
        kind = _has_zone(v)
        if kind is not None:
            (aware if kind else naive).append(v)
    if aware and naive:
        def some(vals: list) -> str:
            n = len(vals)
            return f"{n:,} row{'s' if n != 1 else ''}, e.g. {brief(str(vals[0]))}"

        raise BindingError(
            f"time column {column!r} mixes times with a time zone ({some(aware)}) and times without "
            f"one ({some(naive)}); the ones without a zone cannot be placed on the same clock",
            column,
            f"give every time its zone: df[{column!r}] = pd.to_datetime(df[{column!r}], utc=True) if the "
            "times without one are in UTC, or set their zone with .dt.tz_localize(...) before binding",
        )


def _examples(series, mask, k=3) -> list[str]:
    import numpy as np

    idx = np.flatnonzero(mask)[:k]
    return [str(series.iloc[int(i)]) for i in idx]


def build_store(pdf, *, customer: str, time: str, touchpoint: str, value: str | None = None,
                segment: str | None = None, channel: str | None = None, order: str | None = None,
                engine: str = "pandas", session: str | None = None,
                session_gap_ns: int | None = None) -> EventStore:
    """Validate and encode an event log (pandas) into the sorted compact arrays; with
    ``session`` (a column) or ``session_gap_ns``, also the session of each event."""
    import numpy as np
    import pandas as pd

    n_rows = len(pdf)
    problems: dict[str, dict] = {}
    if n_rows == 0:
        raise BindingError("the events data is empty (0 rows)", None, "bind a non-empty event log")
    # customer
    cser = pdf[customer]
    as_float = False
    if pd.api.types.is_float_dtype(cser.dtype):
        cvals = cser.to_numpy(dtype=float, na_value=np.nan)
        if np.isfinite(cvals).all() and (cvals == np.round(cvals)).all():
            cser = pd.Series(cvals.astype(np.int64), index=cser.index)
            as_float = True
    ccodes, cuniq = factorize(cser)
    miss_c = ccodes < 0
    # time
    t, miss_t, bad_t = time_ns(pdf[time], time)
    # touchpoint key
    kser = pdf[touchpoint]
    if pd.api.types.is_bool_dtype(kser.dtype):
        raise BindingError(
            f"touchpoint column {touchpoint!r} holds booleans; it should name the touchpoint of each "
            "event", touchpoint, "pass the column with event names or keys as touchpoint=",
        )
    kcodes, kuniq = factorize(kser)
    kcodes, keys = to_labels(kcodes, kuniq)
    miss_k = kcodes < 0
    valid = ~(miss_c | miss_t | bad_t | miss_k)
    n_valid = int(valid.sum())
    if miss_c.any():
        problems["missing_customer"] = {"count": int(miss_c.sum()), "column": customer}
    if miss_t.any():
        problems["missing_time"] = {"count": int(miss_t.sum()), "column": time}
    if bad_t.any():
        problems["unparsable_time"] = {"count": int(bad_t.sum()), "column": time,
                                       "examples": _examples(pdf[time], bad_t)}
    if miss_k.any():
        problems["missing_touchpoint"] = {"count": int(miss_k.sum()), "column": touchpoint}
    if n_valid == 0:
        worst = max(problems.items(), key=lambda kv: kv[1]["count"]) if problems else None
        col = worst[1]["column"] if worst else customer
        raise BindingError(
            f"no usable events: every row lacks a customer, a valid time or a touchpoint "
            f"(worst column: {col!r})", col, "check the column names and their values",
        )
    all_valid = n_valid == n_rows
    if not all_valid:
        vidx = np.flatnonzero(valid)
        ccodes = ccodes[vidx]
        t = t[vidx]
        kcodes = kcodes[vidx]
    del miss_c, miss_t, bad_t, miss_k
    # dense customer codes 0..C-1 (skipped rows and unused categories leave gaps)
    present = np.zeros(int(ccodes.max()) + 1, dtype=bool)
    present[ccodes] = True
    C = int(np.count_nonzero(present))
    cvalues = _values(cuniq, float if as_float else None)
    if C < present.shape[0]:
        remap = np.cumsum(present) - 1
        ccodes = remap[ccodes]
        cvalues = cvalues.take(np.flatnonzero(present))
    del present
    ccodes = ccodes.astype(np.int32)
    # order (tie-break)
    if order is not None:
        ord_vals = pdf[order].to_numpy()
        if not all_valid:
            ord_vals = ord_vals[vidx]
        rank = np.argsort(ord_vals, kind="stable")
        # sort by (customer, time, order, row): pre-permute by order, then stable
        perm0 = rank
        o = sort_events(ccodes[perm0], t[perm0])
        perm = perm0[o]
    else:
        perm = sort_events(ccodes, t)
    K = len(keys)
    kdt = np.int16 if K < 32767 else np.int32
    cust_s, t_s, key_s = _pmap(lambda a: a[perm], [ccodes, t, kcodes.astype(kdt, copy=False)],
                               min_items=2)
    del ccodes
    # duplicates: identical (customer, time, key) rows
    same = (cust_s[1:] == cust_s[:-1]) & (t_s[1:] == t_s[:-1])
    if same.any():
        tie = np.zeros(cust_s.shape[0], dtype=bool)
        tie[:-1] |= same
        tie[1:] |= same
        pos = np.flatnonzero(tie)
        o = np.lexsort((key_s[pos], t_s[pos], cust_s[pos]))
        pc, pt, pk = cust_s[pos][o], t_s[pos][o], key_s[pos][o]
        dup = int(((pc[1:] == pc[:-1]) & (pt[1:] == pt[:-1]) & (pk[1:] == pk[:-1])).sum())
        if dup:
            problems["duplicate_events"] = {"count": dup, "column": None}
    del same
    key_counts = np.bincount(key_s, minlength=K).astype(np.int64)
    # segments: a customer's first non-missing value in (time, row) order
    segs: list[str] = []
    seg_of_cust = np.zeros(C, dtype=np.int32)
    if segment is not None:
        scodes, suniq = factorize(pdf[segment])
        scodes, segs = to_labels(scodes, suniq)
        if not all_valid:
            scodes = scodes[vidx]
        s_sorted = scodes[perm]
        del scodes
        seg_of_cust = np.full(C, len(segs), dtype=np.int32)
        if bool((s_sorted >= 0).all()):
            first = np.ones(cust_s.shape[0], dtype=bool)
            np.not_equal(cust_s[1:], cust_s[:-1], out=first[1:])
            seg_of_cust[cust_s[first]] = s_sorted[first]
            del first
            varies = s_sorted != seg_of_cust[cust_s]
            if varies.any():
                problems["segment_varies"] = {
                    "count": int(np.unique(cust_s[varies]).shape[0]), "column": segment}
            del varies
            idx = np.zeros(0, dtype=np.int64)
        else:
            idx = np.flatnonzero(s_sorted >= 0)
        if idx.shape[0]:
            cc = cust_s[idx]
            first = np.ones(idx.shape[0], dtype=bool)
            first[1:] = cc[1:] != cc[:-1]
            seg_of_cust[cc[first]] = s_sorted[idx[first]]
            varies = s_sorted[idx] != seg_of_cust[cc]
            if varies.any():
                nvar = int(np.unique(cc[varies]).shape[0])
                problems["segment_varies"] = {"count": nvar, "column": segment}
        nmiss = int((seg_of_cust == len(segs)).sum())
        if nmiss:
            problems["missing_segment"] = {"count": nmiss, "column": segment}
    NS = len(segs) + 1
    # value sums per (key, segment)
    vsum = vn = None
    if value is not None:
        vser = pdf[value]
        if pd.api.types.is_bool_dtype(vser.dtype):
            vals = vser.to_numpy(dtype=float, na_value=np.nan)
        elif pd.api.types.is_numeric_dtype(vser.dtype):
            vals = vser.to_numpy(dtype=float, na_value=np.nan)
        else:
            vnum = pd.to_numeric(vser, errors="coerce")
            vals = vnum.to_numpy(dtype=float, na_value=np.nan)
            bad = np.asarray(vnum.isna() & vser.notna())
            if bad.all() and bad.any():
                raise BindingError(
                    f"value column {value!r} is not numeric (e.g. {_examples(vser, bad, 1)})",
                    value, f"convert it with pd.to_numeric(df[{value!r}]) or pass another column",
                )
            if bad.any():
                problems["invalid_value"] = {"count": int(bad.sum()), "column": value,
                                             "examples": _examples(vser, bad)}
        if not all_valid:
            vals = vals[vidx]
        vsum = np.zeros(K * NS)
        vn = np.zeros(K * NS, dtype=np.int64)
        step = 1 << 20
        for a in range(0, n_valid, step):  # chunked, in sorted order (same sums on every engine)
            b = min(n_valid, a + step)
            v = vals[perm[a:b]]
            fin = np.isfinite(v)
            kv = key_s[a:b].astype(np.int64) * NS + seg_of_cust[cust_s[a:b]]
            vsum += np.bincount(kv[fin], weights=v[fin], minlength=K * NS)[: K * NS]
            vn += np.bincount(kv[fin], minlength=K * NS)[: K * NS]
        vsum = vsum.reshape(K, NS)
        vn = vn.reshape(K, NS)
        del vals
    chans: list[str] = []
    key_chan = None
    if channel is not None:
        chcodes, chuniq = factorize(pdf[channel])
        chcodes, chans = to_labels(chcodes, chuniq)
        if not all_valid:
            chcodes = chcodes[vidx]
        okc = chcodes >= 0
        nch = max(len(chans), 1)
        key_chan = np.bincount(
            kcodes[okc].astype(np.int64) * nch + chcodes[okc], minlength=K * nch
        )[: K * nch].reshape(K, nch).astype(np.int64)
    t_code, t_scale, t_base = _compact_times(t_s)
    del t_s
    sess, n_sess, svals = None, 0, None
    if session is not None or session_gap_ns is not None:
        scol = suniq = None
        if session is not None:
            scol, suniq = factorize(pdf[session])
            scol = (scol[vidx] if not all_valid else scol)[perm]
        sess, n_sess, svals = session_codes(cust_s, t_code, t_scale, column_codes=scol,
                                            column_values=suniq, gap_ns=session_gap_ns,
                                            column=session)
    return EventStore(
        cust=cust_s, t_code=t_code, t_scale=t_scale, t_base=t_base, key=key_s, keys=keys, n_customers=C, seg_of_cust=seg_of_cust,
        segments=segs, key_value_sum=vsum, key_value_n=vn, channels=chans, key_chan=key_chan,
        problems=problems, key_counts=key_counts, n_rows=n_rows, engine=engine,
        customer_values=cvalues, sess=sess, n_sessions=n_sess, session_values=svals,
    )


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


def _compact_times(t):
    """int64 ns -> (codes, scale, base) with int32 codes when the resolution allows it
    (e.g. whole seconds over < 68 years); exact: t = base + codes * scale."""
    import numpy as np

    n = t.shape[0]
    if n == 0:
        return t, 1, 0
    base = int(t.min())
    span = int(t.max()) - base
    for scale in (NS_PER_S, 1_000_000, 1_000):
        if span // scale >= 2**31 - 1:
            continue
        ok = True
        step = 1 << 20
        for a in range(0, n, step):
            if np.any((t[a:a + step] - base) % scale):
                ok = False
                break
        if ok:
            codes = np.empty(n, dtype=np.int32)
            for a in range(0, n, step):
                codes[a:a + step] = (t[a:a + step] - base) // scale
            return codes, scale, base
    return t, 1, 0

