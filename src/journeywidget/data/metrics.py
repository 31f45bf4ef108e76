"""Bind data (event logs, survey feedback) to the touchpoints of a journey map.

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("buying-process")
>>> df = jw.datasets.events(j, customers=500, seed=1)
>>> m = jw.JourneyMetrics(j).bind_events(df, customer="customer_id", time="timestamp",
...                                       touchpoint="event", segment="plan", value="value")
>>> int(m.stages["customers"].iloc[0]) > 0
True

See :mod:`journeywidget.metrics` for the exact definition of every metric.
Inputs: pandas DataFrames; polars, pyarrow and DuckDB (and other narwhals-
supported) frames; PySpark DataFrames, whose heavy step runs in Spark and of
which only compact aggregates are collected.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from typing import Any

from .numpy_engine import (
    NS_PER_S,
    BindingError,
    EventStore,
    NumpyEngine,
    TPAgg,
    _pmap,
    sort_events,
)

__all__ = [
    "JourneyMetrics",
    "BindingError",
    "bind_events",
    "draft_from_events",
]

_UNSET = object()


def __getattr__(name: str) -> Any:
    if name == "Insight":
        from .insights import Insight

        return Insight
    raise AttributeError(name)


# ---------------------------------------------------------------------------
# reading columns from any frame
# ---------------------------------------------------------------------------


def _is_spark(df: Any) -> bool:
    mod = type(df).__module__ or ""
    return mod.startswith("pyspark.sql")


def _columns_of(df: Any) -> list[str]:
    import pandas as pd

    if isinstance(df, pd.DataFrame):
        return [str(c) for c in df.columns]
    if _is_spark(df):
        return list(df.columns)
    import narwhals as nw

    f = nw.from_native(df)
    try:
        return list(f.collect_schema().names())
    except Exception:  # pragma: no cover
        return list(f.columns)


def _check_columns(df: Any, wanted: dict[str, str | None], what: str = "events") -> None:
    cols = _columns_of(df)
    for role, name in wanted.items():
        if name is None:
            continue
        if not isinstance(name, str):
            raise BindingError(
                f"{role}= must be a column name (str), got {type(name).__name__} {name!r}",
                column=str(name), fix=f"pass {role}='<column name>'",
            )
        if name not in cols:
            close = difflib.get_close_matches(name, cols, n=3, cutoff=0.5)
            lower = [c for c in cols if c.lower() == name.lower()]
            hint = lower or close
            shown = ", ".join(repr(c) for c in cols[:30]) + (" ..." if len(cols) > 30 else "")
            msg = f"column {name!r} (the {role} column) is not in the {what} data; columns: {shown}"
            fix = (f"pass {role}={hint[0]!r}" if hint else f"pass {role}= one of the columns above")
            raise BindingError(msg, column=name, fix=fix)


def _to_pandas(df: Any, cols: list[str]):
    """The needed columns as a pandas DataFrame (in input row order)."""
    import pandas as pd

    if isinstance(df, pd.DataFrame):
        return df[cols] if list(df.columns) != cols else df
    import narwhals as nw

    f = nw.from_native(df).select(cols)
    if hasattr(f, "collect"):
        f = f.collect()
    try:
        tbl = f.to_arrow()
        return tbl.to_pandas()
    except Exception:
        return f.to_pandas()


def _engine_name(df: Any) -> str:
    import pandas as pd

    if isinstance(df, pd.DataFrame):
        return "pandas"
    if _is_spark(df):
        return "spark"
    mod = type(df).__module__.split(".")[0]
    return mod or "narwhals"


def _factorize(series):
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


def _label(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _to_labels(codes, uniques):
    """Codes -> codes into a de-duplicated list of string labels (sorted), -1 stays -1."""
    import numpy as np

    labels = [_label(u) for u in list(uniques)]
    distinct = sorted(set(labels))
    pos = {lab: i for i, lab in enumerate(distinct)}
    remap = np.array([pos[lab] for lab in labels] + [-1], dtype=np.int32)
    return remap[codes], distinct


def _time_ns(series, column: str):
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


def _examples(series, mask, k=3) -> list[str]:
    import numpy as np

    idx = np.flatnonzero(mask)[:k]
    return [str(series.iloc[int(i)]) for i in idx]


def build_store(pdf, *, customer: str, time: str, touchpoint: str, value: str | None = None,
                segment: str | None = None, channel: str | None = None, order: str | None = None,
                engine: str = "pandas") -> EventStore:
    """Validate and encode an event log (pandas) into the sorted compact arrays."""
    import numpy as np
    import pandas as pd

    n_rows = len(pdf)
    problems: dict[str, dict] = {}
    if n_rows == 0:
        raise BindingError("the events data is empty (0 rows)", None, "bind a non-empty event log")
    # customer
    cser = pdf[customer]
    if pd.api.types.is_float_dtype(cser.dtype):
        cvals = cser.to_numpy(dtype=float, na_value=np.nan)
        if np.isfinite(cvals).all() and (cvals == np.round(cvals)).all():
            cser = pd.Series(cvals.astype(np.int64), index=cser.index)
    ccodes, _ = _factorize(cser)
    miss_c = ccodes < 0
    # time
    t, miss_t, bad_t = _time_ns(pdf[time], time)
    # touchpoint key
    kser = pdf[touchpoint]
    if pd.api.types.is_bool_dtype(kser.dtype):
        raise BindingError(
            f"touchpoint column {touchpoint!r} holds booleans; it should name the touchpoint of each "
            "event", touchpoint, "pass the column with event names or keys as touchpoint=",
        )
    kcodes, kuniq = _factorize(kser)
    kcodes, keys = _to_labels(kcodes, kuniq)
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
    # dense customer codes 0..C-1
    if not all_valid:
        present = np.zeros(int(ccodes.max()) + 1, dtype=bool)
        present[ccodes] = True
        remap = np.cumsum(present) - 1
        ccodes = remap[ccodes]
        C = int(present.sum())
    else:
        C = int(ccodes.max()) + 1
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
        scodes, suniq = _factorize(pdf[segment])
        scodes, segs = _to_labels(scodes, suniq)
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
        chcodes, chuniq = _factorize(pdf[channel])
        chcodes, chans = _to_labels(chcodes, chuniq)
        if not all_valid:
            chcodes = chcodes[vidx]
        okc = chcodes >= 0
        nch = max(len(chans), 1)
        key_chan = np.bincount(
            kcodes[okc].astype(np.int64) * nch + chcodes[okc], minlength=K * nch
        )[: K * nch].reshape(K, nch).astype(np.int64)
    t_code, t_scale, t_base = _compact_times(t_s)
    del t_s
    return EventStore(
        cust=cust_s, t_code=t_code, t_scale=t_scale, t_base=t_base, key=key_s, keys=keys, n_customers=C, seg_of_cust=seg_of_cust,
        segments=segs, key_value_sum=vsum, key_value_n=vn, channels=chans, key_chan=key_chan,
        problems=problems, key_counts=key_counts, n_rows=n_rows, engine=engine,
    )


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


# ---------------------------------------------------------------------------
# touchpoint mapping
# ---------------------------------------------------------------------------


def _norm(x: Any) -> str:
    return str(x).strip().casefold()


def resolve_mapping(doc: dict, keys: list[str], mapping: Any = None) -> tuple[list[int], dict]:
    """Key vocabulary -> touchpoint index (doc order); -1 unmapped, -2 excluded by the user.

    Precedence: the explicit ``mapping`` (dict or function, returning a
    touchpoint id or name, or None to exclude), then touchpoints' ``event_keys``
    (exact, then case-insensitive), then touchpoint ids, then names
    (case-insensitive); the first touchpoint in map order wins.
    """
    tps = doc.get("touchpoints", [])
    by_id = {tp["id"]: j for j, tp in enumerate(tps)}
    exact: dict[str, int] = {}
    folded: dict[str, int] = {}
    ambiguous: dict[str, list[str]] = {}
    for j, tp in enumerate(tps):
        ek = [k for k in (tp.get("event_keys") or []) if str(k) != ""]
        if ek:
            for k in ek:
                if str(k) in exact and exact[str(k)] != j:
                    ambiguous.setdefault(str(k), [tps[exact[str(k)]]["id"]]).append(tp["id"])
                    continue
                exact.setdefault(str(k), j)
                folded.setdefault(_norm(k), j)
    fallback: dict[str, int] = {}
    for j, tp in enumerate(tps):
        fallback.setdefault(_norm(tp["id"]), j)
    for j, tp in enumerate(tps):
        fallback.setdefault(_norm(tp.get("name", "")), j)
    by_name = {_norm(tp.get("name", "")): j for j, tp in reversed(list(enumerate(tps)))}
    by_idn = {_norm(tp["id"]): j for j, tp in enumerate(tps)}
    out = []
    bad_targets: dict[str, str] = {}
    for k in keys:
        j = None
        if mapping is not None:
            target = _UNSET
            if callable(mapping):
                target = mapping(k)
            elif k in mapping:
                target = mapping[k]
            if target is None:
                out.append(-2)
                continue
            if target is not _UNSET:
                tj = by_id.get(target, by_idn.get(_norm(target), by_name.get(_norm(target))))
                if tj is None:
                    bad_targets[k] = str(target)
                else:
                    j = tj
        if j is None:
            j = exact.get(k)
        if j is None:
            j = folded.get(_norm(k))
        if j is None:
            j = fallback.get(_norm(k))
        out.append(-1 if j is None else j)
    info = {"ambiguous": ambiguous, "bad_targets": bad_targets}
    return out, info


# ---------------------------------------------------------------------------
# the public object
# ---------------------------------------------------------------------------


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

    def __init__(self, journey: Any = None, *, live: bool = True):
        self._journey = None
        self._unsubscribe = None
        self._doc: dict = {"stages": [], "touchpoints": [], "emotion_scale": {"min": -2, "max": 2}}
        self._engine = None
        self._mapping = None
        self._cols: dict = {}
        self._segment = None
        self._feedback = None
        self._listeners: list[Callable] = []
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
        if hasattr(journey, "to_dict"):
            self._journey = journey
            doc = journey.to_dict()
            if live and hasattr(journey, "on_change"):
                # a weak reference: a forgotten JourneyMetrics does not keep recomputing
                import weakref

                ref = weakref.ref(self)
                box: list = []

                def listener(j: Any, *args: Any) -> None:
                    me = ref()
                    if me is None:
                        if box:
                            box[0]()
                        return
                    me._on_journey_change(j)

                self._unsubscribe = journey.on_change(listener)
                box.append(self._unsubscribe)
        elif isinstance(journey, dict):
            self._journey = None
            doc = journey
        else:
            from ..core.errors import JourneyError

            raise JourneyError(
                f"JourneyMetrics needs a jw.Journey or a journey document dict, got "
                f"{type(journey).__name__}"
            )
        self._set_doc(doc)
        return self

    def _on_journey_change(self, journey: Any = None, *args: Any) -> None:
        j = journey if journey is not None and hasattr(journey, "to_dict") else self._journey
        self._set_doc(j.to_dict())

    def refresh(self) -> JourneyMetrics:
        """Re-read the journey (for a journey given as a dict, pass it to set_journey instead)."""
        if self._journey is not None:
            self._set_doc(self._journey.to_dict())
        return self

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

    def _apply_mapping(self) -> None:
        tps = self._doc.get("touchpoints", [])
        tok, info = resolve_mapping(self._doc, self._engine.keys, self._mapping)
        self._map_info = info
        self._tp_of_key = tok
        # Engine slots are stable per touchpoint id, so reordering or moving touchpoints
        # between stages leaves the touchpoint-level aggregates untouched.
        for tp in tps:
            if tp["id"] not in self._slots:
                self._slots[tp["id"]] = len(self._slot_ids)
                self._slot_ids.append(tp["id"])
        slot_of = [self._slots[tp["id"]] for tp in tps]
        self._engine.set_mapping([slot_of[x] if x >= 0 else -1 for x in tok], len(self._slot_ids))

    # -- listeners ------------------------------------------------------------
    def on_update(self, callback: Callable[[JourneyMetrics], None]) -> Callable[[], None]:
        """Call ``callback(metrics)`` whenever the numbers change (new data, map edit, segment)."""
        self._listeners.append(callback)

        def unsubscribe() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return unsubscribe

    def _notify(self) -> None:
        for cb in list(self._listeners):
            cb(self)

    # -- binding ----------------------------------------------------------------
    def bind_events(self, df: Any, customer: str, time: str, touchpoint: str, *,
                    channel: str | None = None, value: str | None = None,
                    segment: str | None = None, mapping: Any = None,
                    order: str | None = None) -> JourneyMetrics:
        """Bind an event log: one row per event.

        customer, time, touchpoint: column names (customer id; timestamp — datetime,
        ISO string or numeric seconds; the event key that names the touchpoint).
        channel: optional channel column (per-touchpoint channel mix).
        value: optional numeric column (mean per touchpoint, e.g. order value).
        segment: optional column whose values are customer segments (a customer's
        segment is its first non-missing value in time order).
        mapping: dict ``{event key: touchpoint id or name or None}`` or a function
        of the key, applied before the touchpoints' ``event_keys``.
        order: optional column that breaks timestamp ties before row order.

        Rows without customer, time or touchpoint are skipped and reported in
        :attr:`insights`; a missing column or an unusable dtype raises
        :class:`BindingError` naming the column.
        """
        wanted = {"customer": customer, "time": time, "touchpoint": touchpoint,
                  "channel": channel, "value": value, "segment": segment, "order": order}
        if df is None:
            raise BindingError("no events data given (df is None)", None, "pass a DataFrame")
        _check_columns(df, wanted)
        used = [c for c in dict.fromkeys(v for v in wanted.values() if v is not None)]
        eng = _engine_name(df)
        if eng == "spark":
            engine = SparkEngine(df, **{k: v for k, v in wanted.items()})
        else:
            pdf = _to_pandas(df, used)
            store = build_store(pdf, customer=customer, time=time, touchpoint=touchpoint,
                                value=value, segment=segment, channel=channel, order=order,
                                engine=eng)
            del pdf
            engine = NumpyEngine(store)
        self._engine = engine
        self._mapping = mapping
        self._cols = wanted
        if self._segment is not None and self._segment not in engine.segments:
            self._segment = None
        self._cache.clear()
        self._apply_mapping()
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
        from .insights import Feedback

        if df is None:
            raise BindingError("no feedback data given (df is None)", None, "pass a DataFrame")
        wanted = {"touchpoint": touchpoint, "score": score, "text": text, "customer": customer,
                  "segment": segment}
        _check_columns(df, wanted, what="feedback")
        used = [c for c in dict.fromkeys(v for v in wanted.values() if v is not None)]
        if _is_spark(df):
            pdf = df.select(*used).toPandas()
        else:
            pdf = _to_pandas(df, used)
        fb = Feedback(pdf, touchpoint=touchpoint, score=score, text=text, scale=scale,
                      customer=customer, segment=segment, mapping=mapping)
        fb.set_doc(self._doc)
        self._feedback = fb
        self._cache.clear()
        self._notify()
        return self

    # -- segments ----------------------------------------------------------------
    @property
    def segment(self) -> Any:
        """The segment the tables show (None = all customers). Set it to switch."""
        return self._segment

    @segment.setter
    def segment(self, value: Any) -> None:
        if value is not None:
            value = _label(value)
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

    def _s(self, segment=_UNSET):
        seg = self._segment if segment is _UNSET else segment
        return None if seg is None else self._engine.segments.index(_label(seg))

    # -- tables -------------------------------------------------------------------
    def _require(self) -> None:
        if self._engine is None:
            raise BindingError("no events bound yet", None,
                               "call m.bind_events(df, customer=..., time=..., touchpoint=...)")

    def _stage_layout(self):
        stages = self._doc.get("stages", [])
        tps = self._doc.get("touchpoints", [])
        sidx = {s["id"]: k for k, s in enumerate(stages)}
        stage_of_slot = [-1] * len(self._slot_ids)
        for tp in tps:
            stage_of_slot[self._slots[tp["id"]]] = sidx.get(tp.get("stage"), -1)
        stage_tps = [tuple(j for j, k2 in enumerate(stage_of_slot) if k2 == k)
                     for k in range(len(stages))]
        return stages, tps, stage_of_slot, stage_tps

    def _tp_agg(self, s) -> TPAgg:
        return self._engine.tp_agg(s)

    def _stage_agg(self, s):
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
        self._doc.get("touchpoints", [])
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
        return pd.DataFrame(self._feedback.records(self._seg_for_feedback()), columns=cols)

    def _seg_for_feedback(self):
        return self._segment

    @property
    def insights(self) -> list:
        """Ranked bottlenecks and data problems (list of :class:`journeywidget.insights.Insight`)."""
        key = ("ins", self._segment)
        if key not in self._cache:
            from .insights import build_insights

            self._cache[key] = build_insights(self)
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
        unm = [k for k in range(len(tok)) if tok[k] == -1 and int(kc[k]) > 0]
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
            if _label(v) not in self._engine.segments:
                raise BindingError(f"segment {v!r} is not in the data; segments: "
                                   f"{self._engine.segments}", self._cols.get("segment"),
                                   "pass values of the segment column")
        if level in ("stages", "stage"):
            ra, rb = self.stage_records(_label(a)), self.stage_records(_label(b))
            idk, metrics = "stage", ["customers", "share", "conversion", "dropoff_rate",
                                     "median_time_s"]
        elif level in ("touchpoints", "touchpoint"):
            ra, rb = self.touchpoint_records(_label(a)), self.touchpoint_records(_label(b))
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
                row["p_value"] = _two_prop_p(x["customers"], prev_a, y["customers"], prev_b)
                prev_a, prev_b = x["customers"], y["customers"]
            rows.append(row)
        out = pd.DataFrame(rows)
        out.attrs["segments"] = (_label(a), _label(b))
        return out

    # -- the widget payload ------------------------------------------------------
    #: The widget's ``_metrics`` must stay under 64 KiB as JSON; the guard aims lower.
    PAYLOAD_BUDGET = 60 * 1024

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
        if self._engine is None:
            fb = self._feedback_payload()
            return {"touchpoints": {}, "stages": {}, "feedback": fb, "insights": [],
                    "segments": [], "segment": None, "segment_column": None,
                    "transitions": [], "compare": None}
        tp = {}
        for r in self.touchpoint_records():
            tp[r["touchpoint"]] = {
                "events": r["events"], "customers": r["customers"], "share": _r(r["share"]),
                "median_next_s": _r(r["median_next_s"]), "p90_next_s": _r(r["p90_next_s"]),
                "mean_value": _r(r["mean_value"]), "exits": r["exits"],
                "top_next": r["top_next"],
            }
        st = {}
        for r in self.stage_records():
            st[r["stage"]] = {
                "customers": r["customers"], "share": _r(r["share"]),
                "conversion": _r(r["conversion"]), "dropoff": _r(r["dropoff"]),
                "dropoff_rate": _r(r["dropoff_rate"]), "median_time_s": _r(r["median_time_s"]),
            }
        total_all = self._engine.n_customers
        segs = [{"value": s, "customers": int(c),
                 "share": _r(int(c) / total_all, 4) if total_all else None}
                for s, c in zip(self._engine.segments, self._engine.segment_customers())]
        segs.sort(key=lambda x: (-x["customers"], x["value"]))
        segs = segs[:max_segments]
        # the current and the compared segment are always listed (the page's selects show them)
        for want in (self._segment, None if compare is None else _label(compare)):
            if want is not None and not any(x["value"] == want for x in segs):
                full = {s: int(c) for s, c in zip(self._engine.segments,
                                                   self._engine.segment_customers())}
                if want in full:
                    segs.append({"value": want, "customers": full[want],
                                 "share": _r(full[want] / total_all, 4) if total_all else None})
        trs = [[r["from"], r["to"], r["count"], _r(r["median_s"])]
               for r in self.transition_records()[:max_transitions]]
        out = {
            "touchpoints": tp,
            "stages": st,
            "feedback": self._feedback_payload(),
            "insights": [i.to_payload() for i in self.insights[:max_insights]],
            "segments": segs,
            "segment": self._segment,
            "segment_column": self._cols.get("segment"),
            "transitions": trs,
            "customers": self._engine.total_customers(self._s()),
            "events": int(sum(r["events"] for r in self.touchpoint_records())),
            "compare": self._compare_payload(compare) if compare is not None else None,
        }
        return self._fit_payload(out)

    def _compare_payload(self, b: Any) -> dict:
        """Segment ``b``'s figures for A/B mode (A = the current segment)."""
        b = _label(b)
        if b not in self._engine.segments:
            raise BindingError(f"segment {b!r} is not in the data; segments: {self._engine.segments}",
                               self._cols.get("segment"), "compare with a value of the segment column")
        total_b = self._engine.total_customers(self._s(b))
        total_a = self._engine.total_customers(self._s())
        tps = {r["touchpoint"]: {"customers": r["customers"], "share": _r(r["share"], 4)}
               for r in self.touchpoint_records(b)}
        a_rows = {r["stage"]: r for r in self.stage_records()}
        independent = self._segment is not None and self._segment != b
        sts = {}
        for r in self.stage_records(b):
            ra = a_rows.get(r["stage"])
            p = math.nan
            if independent and ra is not None:
                p = _two_prop_p(ra["customers"], total_a, r["customers"], total_b)
            sts[r["stage"]] = {"customers": r["customers"], "share": _r(r["share"], 4),
                               "conversion": _r(r["conversion"], 4), "p": _r(p, 3)}
        return {"segment": b, "customers": total_b, "touchpoints": tps, "stages": sts,
                "truncated": False}

    def _fit_payload(self, out: dict) -> dict:
        """Guard for very large maps: shed the optional parts until the JSON fits the budget."""
        import json

        out["truncated"] = False
        budget = self.PAYLOAD_BUDGET

        def size() -> int:
            # as Jupyter sends it (default separators); ensure_ascii makes it an upper bound
            return len(json.dumps(out, allow_nan=False))

        cmp_ = out.get("compare")
        for shed in ("transitions", "top_next", "insights", "quotes", "nulls", "digits",
                     "compare_touchpoints", "insights_all", "segments", "compare"):
            if size() <= budget:
                break
            out["truncated"] = True
            if shed == "transitions":
                out["transitions"] = []
            elif shed == "top_next":
                for v in out["touchpoints"].values():
                    v.pop("top_next", None)
            elif shed == "insights":
                out["insights"] = out["insights"][:10]
            elif shed == "quotes":
                for v in out["feedback"].values():
                    v["quotes"] = []
            elif shed == "nulls":
                for part in ("touchpoints", "stages", "feedback"):
                    for v in out[part].values():
                        for k in [k for k, x in v.items() if x is None or k == "exits"]:
                            del v[k]
                if cmp_:
                    for part in ("touchpoints", "stages"):
                        for v in cmp_[part].values():
                            for k in [k for k, x in v.items() if x is None]:
                                del v[k]
            elif shed == "digits":
                parts = [out[p] for p in ("touchpoints", "stages", "feedback")]
                if cmp_:
                    parts += [cmp_["touchpoints"], cmp_["stages"]]
                for part in parts:
                    for v in part.values():
                        for k, x in v.items():
                            if isinstance(x, float):
                                v[k] = _r(x, 3)
            elif shed == "compare_touchpoints" and cmp_:
                cmp_["touchpoints"] = {}
                cmp_["truncated"] = True
            elif shed == "insights_all":
                out["insights"] = out["insights"][:3]
            elif shed == "segments":
                keep = {out.get("segment"), cmp_["segment"] if cmp_ else None}
                out["segments"] = [x for x in out["segments"] if x["value"] in keep] + \
                    [x for x in out["segments"] if x["value"] not in keep][:5]
            elif shed == "compare" and cmp_:
                out["compare"] = {"segment": cmp_["segment"], "customers": cmp_["customers"],
                                  "touchpoints": {}, "stages": {}, "truncated": True}
        return out

    def _feedback_payload(self) -> dict:
        if self._feedback is None:
            return {}
        out = {}
        for r in self._feedback.records(self._seg_for_feedback()):
            out[r["touchpoint"]] = {"score": _r(r["score"]), "n": r["n"], "kind": r["kind"],
                                    "emotion": _r(r["emotion"]),
                                    "quotes": [q[:280] for q in r["quotes"][:3]]}
        return out

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


def _r(x: Any, digits: int = 6) -> Any:
    """Round for the payload; NaN -> None."""
    if x is None:
        return None
    if isinstance(x, float):
        if not math.isfinite(x):
            return None
        if x == 0:
            return 0.0
        return float(f"{x:.{digits}g}")
    return x


def _two_prop_p(x1, n1, x2, n2) -> float:
    if not n1 or not n2:
        return math.nan
    p1, p2 = x1 / n1, x2 / n2
    p = (x1 + x2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return math.nan if p1 == p2 else 0.0
    z = (p2 - p1) / se
    return math.erfc(abs(z) / math.sqrt(2))


def bind_events(journey: Any, df: Any, **kwargs: Any) -> JourneyMetrics:
    """Shortcut: ``JourneyMetrics(journey).bind_events(df, **kwargs)``."""
    return JourneyMetrics(journey).bind_events(df, **kwargs)


# ---------------------------------------------------------------------------
# draft a map from data
# ---------------------------------------------------------------------------


def draft_from_events(df: Any, customer: str, time: str, touchpoint: str, *,
                      stage: str | None = None, channel: str | None = None,
                      n_stages: int | None = None, title: str = "Journey from data",
                      max_touchpoints: int = 60, min_share: float = 0.0):
    """Propose a journey map from an event log.

    Touchpoints: one per distinct event key (the ``max_touchpoints`` most
    frequent, keys reached by at least ``min_share`` of customers), named after
    the key, with ``event_keys=[key]``. Each key's *position* in a customer's
    journey is the rank of its first occurrence among the customer's distinct
    keys, normalised to 0..1; keys are ordered by their median position (ties:
    mean position, then key). Stages: from the ``stage`` column (each key goes
    to its most frequent stage; stages ordered by the median position of their
    keys), else cut the ordered keys into ``n_stages`` groups (default
    ``min(6, max(1, round(sqrt(#keys))))``) at the largest gaps in median
    position. Channels: each key's most frequent value of ``channel``.
    """
    import numpy as np

    from ..journey import Journey

    wanted = {"customer": customer, "time": time, "touchpoint": touchpoint, "stage": stage,
              "channel": channel}
    _check_columns(df, wanted)
    used = [c for c in dict.fromkeys(v for v in wanted.values() if v is not None)]
    pdf = df.select(*used).toPandas() if _is_spark(df) else _to_pandas(df, used)
    store = build_store(pdf, customer=customer, time=time, touchpoint=touchpoint,
                        segment=None, channel=None)
    keys = store.keys
    K = len(keys)
    cust, key = store.cust, store.key.astype(np.int64)
    C = store.n_customers
    # first occurrence of each (customer, key), in time order
    code = cust.astype(np.int64) * K + key
    _, first_idx = np.unique(code, return_index=True)
    first_idx.sort()
    fc, fk = cust[first_idx], key[first_idx]
    starts = np.ones(fc.shape[0], dtype=bool)
    starts[1:] = fc[1:] != fc[:-1]
    grp = np.cumsum(starts) - 1
    start_pos = np.flatnonzero(starts)
    rank = np.arange(fc.shape[0]) - start_pos[grp]
    size = np.bincount(grp)[grp]
    pos = np.where(size > 1, rank / np.maximum(size - 1, 1), 0.0)
    reach = np.bincount(fk, minlength=K)
    keep = [k for k in range(K) if reach[k] > 0 and reach[k] / C >= min_share]
    keep.sort(key=lambda k: (-int(store.key_counts[k]), keys[k]))
    keep = keep[:max_touchpoints]
    order_k = np.argsort(fk, kind="stable")
    bounds = np.searchsorted(fk[order_k], np.arange(K + 1))
    med = {}
    mean = {}
    for k in keep:
        v = pos[order_k[bounds[k]:bounds[k + 1]]]
        med[k] = float(np.median(v))
        mean[k] = float(v.mean())
    keep.sort(key=lambda k: (med[k], mean[k], keys[k]))

    def mode_of(col: str) -> dict[str, str]:
        sub = pdf[[touchpoint, col]].dropna()
        sub = sub.assign(_k=sub[touchpoint].map(_label), _v=sub[col].map(_label))
        counts = sub.groupby(["_k", "_v"], sort=True).size().reset_index(name="n")
        counts = counts.sort_values(["_k", "n", "_v"], ascending=[True, False, True])
        return dict(counts.drop_duplicates("_k")[["_k", "_v"]].itertuples(index=False))

    j = Journey(title)
    if stage is not None:
        st_of = mode_of(stage)
        groups: dict[str, list[int]] = {}
        for k in keep:
            groups.setdefault(st_of.get(keys[k], "Other"), []).append(k)
        order_st = sorted(groups, key=lambda g: (float(np.median([med[k] for k in groups[g]])), g))
        stage_groups = [(g, groups[g]) for g in order_st]
    else:
        n = n_stages or min(6, max(1, round(math.sqrt(len(keep)))))
        n = max(1, min(n, len(keep)))
        meds = [med[k] for k in keep]
        gaps = sorted(range(1, len(keep)), key=lambda i: (-(meds[i] - meds[i - 1]), i))[: n - 1]
        cuts = sorted(gaps)
        stage_groups = []
        prev = 0
        for i, c in enumerate([*cuts, len(keep)]):
            stage_groups.append((f"Stage {i + 1}", keep[prev:c]))
            prev = c
    ch_of = mode_of(channel) if channel is not None else {}
    for name, ks in stage_groups:
        sid = j.add_stage(name)
        for k in ks:
            kwargs: dict[str, Any] = {"event_keys": [keys[k]], "evidence": ["analytics"]}
            ch = ch_of.get(keys[k])
            j.add_touchpoint(keys[k], stage=sid, channel=ch if ch else None, **kwargs)
    return j


# ---------------------------------------------------------------------------
# PySpark: the heavy steps run in Spark; only compact aggregates are collected
# ---------------------------------------------------------------------------


class SparkEngine:
    """The engine for PySpark DataFrames.

    The events are validated, encoded and kept (persisted) in Spark; every
    aggregate (per touchpoint x segment, per transition x segment, per stage x
    segment) is computed by Spark and only those small tables are collected.
    Row order for ties is ``monotonically_increasing_id()`` at bind time (the
    DataFrame's partition order), after the ``order`` column if given.
    Quantiles use Spark's exact ``percentile``, whose interpolation is the one
    the numpy engine uses, so both give identical numbers. Spark timestamps have
    microsecond resolution.
    """

    name = "spark"

    def __init__(self, sdf: Any, customer: str, time: str, touchpoint: str, channel: str | None = None,
                 value: str | None = None, segment: str | None = None, order: str | None = None):
        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        self.F = F
        self.spark = sdf.sparkSession
        schema = {f.name: f.dataType for f in sdf.schema.fields}
        fix = (f"convert it with F.to_timestamp({time!r}) or pass the right column as time=")
        ttype = schema[time]
        raw_t = F.col(time)
        if isinstance(ttype, T.BooleanType):
            raise BindingError(f"time column {time!r} holds booleans, not timestamps", time, fix)
        if isinstance(ttype, (T.TimestampType, T.DateType)) or type(ttype).__name__ == "TimestampNTZType":
            tns = F.unix_micros(raw_t.cast("timestamp")) * F.lit(1000)
        elif isinstance(ttype, T.NumericType):
            tns = F.when(F.isnan(raw_t.cast("double")), F.lit(None)).otherwise(
                F.round(raw_t.cast("double") * F.lit(1e9)).cast("long"))
        elif isinstance(ttype, T.StringType):
            tns = F.unix_micros(F.try_to_timestamp(raw_t)) * F.lit(1000) if hasattr(
                F, "try_to_timestamp") else F.unix_micros(F.to_timestamp(raw_t)) * F.lit(1000)
        else:
            raise BindingError(f"time column {time!r} has type {ttype.simpleString()}, not a timestamp",
                               time, fix)
        if isinstance(schema[touchpoint], T.BooleanType):
            raise BindingError(
                f"touchpoint column {touchpoint!r} holds booleans; it should name the touchpoint of "
                "each event", touchpoint, "pass the column with event names or keys as touchpoint=")
        cust_col = F.col(customer)
        cust_missing = cust_col.isNull()
        if isinstance(schema[customer], (T.DoubleType, T.FloatType)):
            cust_missing = cust_missing | F.isnan(cust_col)
        cols = [cust_col.alias("c"), tns.alias("t"), raw_t.isNull().alias("_tnull"),
                F.col(touchpoint).cast("string").alias("k"), cust_missing.alias("_cnull")]
        if value is not None:
            vt = schema[value]
            if isinstance(vt, (T.NumericType, T.BooleanType)):
                cols.append(F.col(value).cast("double").alias("v"))
                cols.append(F.lit(False).alias("_vbad"))
            else:
                vv = F.col(value).cast("double")
                cols.append(vv.alias("v"))
                cols.append((vv.isNull() & F.col(value).isNotNull()).alias("_vbad"))
        if segment is not None:
            cols.append(F.col(segment).cast("string").alias("sg"))
        if channel is not None:
            cols.append(F.col(channel).cast("string").alias("ch"))
        cols.append(F.col(order).alias("o") if order is not None else F.lit(0).alias("o"))
        base = sdf.withColumn("_row", F.monotonically_increasing_id()).select(*cols, "_row")
        probs = base.agg(
            F.count(F.lit(1)).alias("n"),
            F.sum(F.col("_cnull").cast("long")).alias("mc"),
            F.sum((F.col("_tnull")).cast("long")).alias("mt"),
            F.sum((F.col("t").isNull() & ~F.col("_tnull")).cast("long")).alias("bt"),
            F.sum(F.col("k").isNull().cast("long")).alias("mk"),
            *( [F.sum(F.col("_vbad").cast("long")).alias("bv")] if value is not None else []),
        ).collect()[0]
        self.n_rows = int(probs["n"])
        if self.n_rows == 0:
            raise BindingError("the events data is empty (0 rows)", None, "bind a non-empty event log")
        problems: dict[str, dict] = {}
        for key, kind, col in (("mc", "missing_customer", customer), ("mt", "missing_time", time),
                               ("bt", "unparsable_time", time), ("mk", "missing_touchpoint", touchpoint)):
            if probs[key]:
                problems[kind] = {"count": int(probs[key]), "column": col}
        if "unparsable_time" in problems:
            bad = sdf.select(F.col(time).cast("string").alias("x"), tns.alias("t")).where(
                F.col("t").isNull() & F.col("x").isNotNull()).limit(3).collect()
            problems["unparsable_time"]["examples"] = [r["x"] for r in bad]
        if value is not None and probs["bv"]:
            problems["invalid_value"] = {"count": int(probs["bv"]), "column": value, "examples": []}
        ev = base.where(~F.col("_cnull") & F.col("t").isNotNull() & F.col("k").isNotNull()).drop(
            "_cnull", "_tnull")
        if value is not None:
            ev = ev.drop("_vbad")
        self.n_events = ev.count()
        if self.n_events == 0:
            worst = max(problems.items(), key=lambda kv: kv[1]["count"]) if problems else None
            col = worst[1]["column"] if worst else customer
            raise BindingError(
                f"no usable events: every row lacks a customer, a valid time or a touchpoint "
                f"(worst column: {col!r})", col, "check the column names and their values")
        ordcols = [F.col("t"), F.col("o"), F.col("_row")]
        # segments: first non-missing value per customer in (time, order, row) order
        if segment is not None:
            cs = ev.groupBy("c").agg(
                F.min_by(F.when(F.col("sg").isNotNull(), F.struct(*ordcols, F.col("sg"))),
                         F.when(F.col("sg").isNotNull(), F.struct(*ordcols))).alias("first"),
                F.countDistinct("sg").alias("nsg"),
            ).select("c", F.col("first.sg").alias("seg"), "nsg")
            segrows = cs.groupBy("seg").agg(F.count(F.lit(1)).alias("n"),
                                            F.sum((F.col("nsg") > 1).cast("long")).alias("var")).collect()
            self.segments = sorted(r["seg"] for r in segrows if r["seg"] is not None)
            counts = {r["seg"]: int(r["n"]) for r in segrows}
            nvar = sum(int(r["var"] or 0) for r in segrows)
            if nvar:
                problems["segment_varies"] = {"count": nvar, "column": segment}
            if counts.get(None):
                problems["missing_segment"] = {"count": counts[None], "column": segment}
            ev = ev.drop("sg").join(cs.select("c", F.col("seg").alias("sg")), "c")
            self._seg_counts = [counts.get(s, 0) for s in self.segments] + [counts.get(None, 0)]
            self.n_customers = sum(self._seg_counts)
        else:
            self.segments = []
            self.n_customers = ev.select("c").distinct().count()
            self._seg_counts = [self.n_customers]
            ev = ev.withColumn("sg", F.lit(None).cast("string"))
        ev = ev.persist()
        self.ev = ev
        krows = ev.groupBy("k").count().collect()
        self.keys = sorted(r["k"] for r in krows)
        import numpy as np

        kc = {r["k"]: int(r["count"]) for r in krows}
        self.key_counts = np.array([kc[k] for k in self.keys], dtype=np.int64)
        dup = ev.groupBy("c", "t", "k").count().where(F.col("count") > 1).agg(
            F.sum(F.col("count") - 1)).collect()[0][0]
        if dup:
            problems["duplicate_events"] = {"count": int(dup), "column": None}
        self.problems = problems
        self.value = value is not None
        self.channels: list[str] = []
        self._key_chan = None
        if channel is not None:
            crow = ev.where(F.col("ch").isNotNull()).groupBy("k", "ch").count().collect()
            self.channels = sorted({r["ch"] for r in crow})
            kch = np.zeros((len(self.keys), max(len(self.channels), 1)), dtype=np.int64)
            ki = {k: i for i, k in enumerate(self.keys)}
            ci = {c: i for i, c in enumerate(self.channels)}
            for r in crow:
                kch[ki[r["k"]], ci[r["ch"]]] += int(r["count"])
            self._key_chan = kch
        self._ordcols = ordcols
        self._sig = None
        self._tp_cache: dict = {}
        self._stage_cache: dict = {}

    # -- helpers -----------------------------------------------------------
    def _segi(self, label) -> int:
        return len(self.segments) if label is None else self.segments.index(label)

    def total_customers(self, s):
        return self.n_customers if s is None else self._seg_counts[s]

    def segment_customers(self):
        import numpy as np

        return np.array(self._seg_counts[: len(self.segments)], dtype=np.int64)

    def unmapped_neighbours(self):
        return self._unmapped

    # -- layer 1 -----------------------------------------------------------
    def set_mapping(self, tp_of_key, n_tp: int) -> None:
        import numpy as np
        from pyspark.sql import Window

        F = self.F
        sig = tuple(int(x) for x in tp_of_key)
        if sig == self._sig:
            return
        self._sig = sig
        self._tp_cache.clear()
        self._stage_cache.clear()
        for old in ("me", "pairs", "inc"):
            if getattr(self, "_" + old, None) is not None:
                getattr(self, "_" + old).unpersist()
        T = max(n_tp, 1)
        self.T = T
        NS = len(self.segments) + 1
        self.NS = NS
        kmap = self.spark.createDataFrame(
            [(k, int(j)) for k, j in zip(self.keys, sig) if j >= 0] or [("\x00", -1)],
            "k string, tp int")
        w = Window.partitionBy("c").orderBy(*self._ordcols)
        ev = self.ev.join(F.broadcast(kmap), "k", "left")
        # neighbours of unmapped keys (for the suggested stage)
        K = len(self.keys)
        self._unmapped = None
        if any(j < 0 for j in sig):
            prev = F.last("tp", ignorenulls=True).over(w.rowsBetween(Window.unboundedPreceding, -1))
            nxt = F.first("tp", ignorenulls=True).over(w.rowsBetween(1, Window.unboundedFollowing))
            nb = ev.select("k", "tp", prev.alias("p"), nxt.alias("n")).where(F.col("tp").isNull())
            rows = nb.select("k", F.explode(F.array("p", "n")).alias("x")).where(
                F.col("x").isNotNull()).groupBy("k", "x").count().collect()
            arr = np.zeros((K, T), dtype=np.int64)
            ki = {k: i for i, k in enumerate(self.keys)}
            for r in rows:
                arr[ki[r["k"]], int(r["x"])] += int(r["count"])
            self._unmapped = arr
        me = ev.where(F.col("tp").isNotNull()).select(
            "c", "sg", "tp", "t", *(["v"] if self.value else []),
            F.lead("t").over(w).alias("nt"), F.lead("tp").over(w).alias("ntp"),
        ).withColumn("dt", F.col("nt") - F.col("t")).persist()
        self._me = me
        gid = F.grouping_id().alias("gid")
        tp_rows = me.rollup("tp", "sg").agg(
            gid, F.count(F.lit(1)).alias("events"), F.countDistinct("c").alias("customers"),
            F.sum(F.col("nt").isNull().cast("long")).alias("exits"),
            F.count("dt").alias("nn"), F.percentile("dt", F.array(F.lit(0.5), F.lit(0.9))).alias("q"),
        ).collect()
        tr_rows = me.where(F.col("ntp").isNotNull()).rollup("tp", "ntp", "sg").agg(
            gid, F.count(F.lit(1)).alias("count"), F.countDistinct("c").alias("customers"),
            F.percentile("dt", F.lit(0.5)).alias("med"),
        ).collect()
        mc_rows = me.rollup("sg").agg(gid, F.countDistinct("c").alias("n")).collect()
        self._l1 = {"tp": tp_rows, "tr": tr_rows, "mc": mc_rows}
        # value and channel sums per touchpoint x segment from per-key tables
        if self.value:
            vrows = self.ev.where(F.col("v").isNotNull() & ~F.isnan("v") & (F.abs("v") < F.lit(float("inf")))).groupBy("k", "sg").agg(
                F.sum("v").alias("s"), F.count(F.lit(1)).alias("n")).collect()
        else:
            vrows = []
        vsum = np.zeros((T, NS))
        vn = np.zeros((T, NS), dtype=np.int64)
        ki = {k: i for i, k in enumerate(self.keys)}
        for r in vrows:
            j = sig[ki[r["k"]]]
            if j >= 0:
                s = self._segi(r["sg"])
                vsum[j, s] += float(r["s"])
                vn[j, s] += int(r["n"])
        self._vsum, self._vn = vsum, vn
        chan = None
        if self._key_chan is not None:
            chan = np.zeros((T, self._key_chan.shape[1]), dtype=np.int64)
            for k, j in enumerate(sig):
                if j >= 0:
                    chan[j] += self._key_chan[k]
        self._chan = chan
        self._pairs = me.groupBy("c", "sg", "tp").agg(F.min("t").alias("f"), F.max("t").alias("l")).persist()
        self._inc = me.where(F.col("ntp").isNotNull()).select("c", "sg", "tp", "ntp").distinct().persist()

    def tp_agg(self, s):
        import numpy as np

        if s in self._tp_cache:
            return self._tp_cache[s]
        T, _NS = self.T, self.NS
        want_gid = 1 if s is None else 0  # rollup(tp, sg): gid 0 = (tp, sg), 1 = (tp)
        label = None if s is None else (self.segments[s] if s < len(self.segments) else None)
        events = np.zeros(T, dtype=np.int64)
        customers = np.zeros(T, dtype=np.int64)
        exits = np.zeros(T, dtype=np.int64)
        nq = np.full((T, 2), np.nan)
        nn = np.zeros(T, dtype=np.int64)
        for r in self._l1["tp"]:
            if r["gid"] != want_gid or r["tp"] is None:
                continue
            if s is not None and r["sg"] != label:
                continue
            j = int(r["tp"])
            events[j], customers[j], exits[j], nn[j] = r["events"], r["customers"], r["exits"], r["nn"]
            if r["q"] is not None:
                nq[j] = [float(x) for x in r["q"]]
        want_tr = 1 if s is None else 0  # rollup(tp, ntp, sg): 0 = all three, 1 = (tp, ntp)
        tr = {}
        for r in self._l1["tr"]:
            if r["gid"] != want_tr or r["tp"] is None or r["ntp"] is None:
                continue
            if s is not None and r["sg"] != label:
                continue
            tr[(int(r["tp"]), int(r["ntp"]))] = (int(r["count"]), int(r["customers"]), float(r["med"]))
        keys = sorted(tr)
        mapped = 0
        for r in self._l1["mc"]:
            if (s is None and r["gid"] == 1) or (s is not None and r["gid"] == 0 and r["sg"] == label):
                mapped = int(r["n"])
        if s is None:
            vsum, vn = self._vsum.sum(axis=1), self._vn.sum(axis=1)
        else:
            vsum, vn = self._vsum[:, s], self._vn[:, s]
        agg = TPAgg(
            events=events, customers=customers, exits=exits, value_sum=vsum, value_n=vn,
            next_q=nq, next_n=nn,
            tr_from=np.array([k[0] for k in keys], dtype=np.int64),
            tr_to=np.array([k[1] for k in keys], dtype=np.int64),
            tr_count=np.array([tr[k][0] for k in keys], dtype=np.int64),
            tr_customers=np.array([tr[k][1] for k in keys], dtype=np.int64),
            tr_median=np.array([tr[k][2] for k in keys], dtype=float),
            chan=self._chan if s is None else None,
            total_customers=self.total_customers(s), mapped_customers=mapped,
        )
        self._tp_cache[s] = agg
        return agg

    def stage_agg(self, stage_tps, stage_of_tp, s):
        import numpy as np

        from .numpy_engine import StageAgg

        F = self.F
        key = tuple(stage_tps)
        if key not in self._stage_cache:
            smap = self.spark.createDataFrame(
                [(int(j), int(k)) for j, k in enumerate(stage_of_tp) if k >= 0] or [(-1, -1)],
                "tp int, stage int")
            per = self._pairs.join(F.broadcast(smap), "tp").groupBy("c", "sg", "stage").agg(
                (F.max("l") - F.min("f")).alias("d"))
            rows = per.rollup("stage", "sg").agg(
                F.grouping_id().alias("gid"), F.count(F.lit(1)).alias("n"),
                F.percentile("d", F.lit(0.5)).alias("med")).collect()
            a = smap.withColumnRenamed("tp", "a").withColumnRenamed("stage", "sa")
            b = smap.withColumnRenamed("tp", "b").withColumnRenamed("stage", "sb")
            back = (self._inc.join(F.broadcast(a), F.col("tp") == F.col("a"))
                    .join(F.broadcast(b), F.col("ntp") == F.col("b"))
                    .where(F.col("sa") > F.col("sb")).select("c", "sg").distinct()
                    .rollup("sg").agg(F.grouping_id().alias("gid"), F.count(F.lit(1)).alias("n"))
                    .collect())
            self._stage_cache[key] = (rows, back)
        rows, back = self._stage_cache[key]
        S = len(stage_tps)
        label = None if s is None else (self.segments[s] if s < len(self.segments) else None)
        reach = np.zeros(S, dtype=np.int64)
        dwell = np.full(S, np.nan)
        for r in rows:
            if r["stage"] is None or int(r["stage"]) >= S:
                continue
            if s is None and r["gid"] == 1 or (s is not None and r["gid"] == 0 and r["sg"] == label):
                reach[int(r["stage"])] = int(r["n"])
                dwell[int(r["stage"])] = float(r["med"]) if r["med"] is not None else np.nan
        nback = 0
        for r in back:
            if (s is None and r["gid"] == 1) or (s is not None and r["gid"] == 0 and r["sg"] == label):
                nback = int(r["n"])
        return StageAgg(reach=reach, dwell_median=dwell, backwards=nback)
