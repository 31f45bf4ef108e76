"""Build an :class:`~journeywidget.data.encoding.EventStore` from an event log, batch by batch.

:class:`StoreBuilder` takes the rows in batches (a pandas frame is one batch;
files, pyarrow, DuckDB and polars inputs arrive as Arrow record batches, see
:mod:`journeywidget.data.sources`) and keeps of each batch only what the engine
needs: per valid event a customer code, a compact time and a key code (plus the
segment code, the value and the ``order`` value when those columns are bound).
Customer ids are dictionary-encoded per batch and the batch dictionaries are
merged into one (first appearance order) now and then, so memory holds the
distinct ids once, never the raw column. :meth:`StoreBuilder.finish` validates
what only the whole log can tell, sorts by (customer, time, row) and reports the
data problems — the same problems with the same counts whatever the input kind.

>>> import pandas as pd
>>> df = pd.DataFrame({"user": ["b", "a", "a"], "ts": [3, 1, 2], "event": ["x", "y", "x"]})
>>> store = build_store(df, customer="user", time="ts", touchpoint="event")
>>> store.keys, store.n_customers, store.cust.tolist(), store.key.tolist()
(['x', 'y'], 2, [0, 1, 1], [0, 1, 0])
>>> b = StoreBuilder(customer="user", time="ts", touchpoint="event")
>>> for part in (df.iloc[:2], df.iloc[2:]):
...     n = b.add({c: part[c].reset_index(drop=True) for c in part})
>>> b.finish().cust.tolist()
[0, 1, 1]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.errors import BindingError
from .columns import (
    LabelIndex,
    codes_of,
    examples,
    is_arrow,
    time_of,
    values_array,
    values_of,
    zone_of,
)
from .encoding import EventStore, MixedTimeZones, _values, has_zone, mixed_zones_error, sort_events
from .engine import NS_PER_S, _pmap
from .frames import check_columns, to_pandas, used_columns
from .sessions import session_codes
from .sources import is_source_input, open_source

__all__ = ["StoreBuilder", "build_store", "store_of", "label_pair_counts"]

_SCALES = (NS_PER_S, 1_000_000, 1_000, 1)
_MERGE_MIN = 1 << 22  # distinct customer ids held per batch before the batch dictionaries merge


def _np():
    import numpy as np

    return np


def build_store(pdf: Any, *, customer: str, time: str, touchpoint: str, value: str | None = None,
                segment: str | None = None, channel: str | None = None, order: str | None = None,
                engine: str = "pandas", session: str | None = None,
                session_gap_ns: int | None = None) -> EventStore:
    """Validate and encode an event log held as one pandas frame (one batch); with
    ``session`` (a column) or ``session_gap_ns``, also the session of each event."""
    b = StoreBuilder(customer=customer, time=time, touchpoint=touchpoint, value=value,
                     segment=segment, channel=channel, order=order, engine=engine,
                     session=session, session_gap_ns=session_gap_ns)
    b.add({c: pdf[c] for c in b.columns})
    return b.finish()


class _Chunk:
    """What one batch leaves behind: its valid events, encoded."""

    __slots__ = ("cust", "t", "t_scale", "t_base", "key", "seg", "val", "ord", "sess")

    def __init__(self) -> None:
        self.cust = self.t = self.key = self.seg = self.val = self.ord = self.sess = None
        self.t_scale, self.t_base = 1, 0


def _chunk_times(np, t):
    """int64 ns -> (codes, scale, base), exact: t = base + codes * scale (int32 when it fits)."""
    base = int(t.min())
    rel = t - base
    span = int(rel.max())
    # the coarsest of seconds, ms, us that divides a sample, checked on every value
    sample = rel[:: max(1, rel.shape[0] // 4096)]
    scale = 1
    for s in _SCALES[:-1]:
        if not np.any(sample % s) and not np.any(rel % s):
            scale = s
            break
    if scale != 1:
        rel //= scale
    if span // scale < 2**31 - 1:
        rel = rel.astype(np.int32)
    return rel, scale, base


class _Customers:
    """Customer ids (or session ids: ``attr="sess"``) across batches -> dense codes in
    first-appearance order.

    Each batch arrives with its own codes into its own distinct values (batches cut
    from one Parquet row group share its dictionary: it is held once). The batch
    dictionaries wait until they hold as many ids as the merged one (at least
    ``_MERGE_MIN``), then are merged in one hashing pass and their batches' codes
    rewritten.
    """

    def __init__(self, attr: str = "cust") -> None:
        self.attr = attr  # the chunks' attribute holding the codes
        self.values: Any = None
        self.pending: list[tuple[Any, list[_Chunk]]] = []
        self.n_pending = 0

    def add(self, chunk: _Chunk, uniques: Any) -> None:
        if self.pending and _same_array(self.pending[-1][0], uniques):
            self.pending[-1][1].append(chunk)
            return
        self.pending.append((uniques, [chunk]))
        self.n_pending += len(uniques)
        held = 0 if self.values is None else len(self.values)
        if is_arrow(uniques) and self.n_pending >= max(2 * held, _MERGE_MIN):
            self._merge()

    def _merge(self) -> None:
        np = _np()
        parts = ([self.values] if self.values is not None else []) + [u for u, _ in self.pending]
        if all(is_arrow(p) for p in parts):
            import pyarrow as pa
            import pyarrow.compute as pc

            typ = parts[0].type
            try:
                parts = [p if p.type == typ else p.cast(typ) for p in parts]
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
                what = "customer" if self.attr == "cust" else "session"
                raise BindingError(
                    f"the {what} column has values of different types across batches or files "
                    f"({typ} and others: {err})", None, f"give the {what} column one type in every file",
                ) from None
            # dictionary_encode keeps first appearances in order: the merged values keep their codes
            enc = pc.dictionary_encode(pa.concat_arrays(parts) if len(parts) > 1 else parts[0])
            codes = np.asarray(enc.indices.to_numpy(zero_copy_only=False))
            self.values = enc.dictionary
        elif len(parts) == 1:  # one pandas batch: factorize gave distinct values already
            self.values = parts[0]
            self.pending = []
            return
        else:
            import pandas as pd

            flat = np.concatenate([np.asarray(_values(p), dtype=object) for p in parts])
            codes, uniques = pd.factorize(flat, use_na_sentinel=True)
            self.values = _values(uniques)
            codes = np.asarray(codes)
        at = len(codes) - sum(len(u) for u, _ in self.pending)  # the merged values come first
        for u, chunks in self.pending:
            lut = np.append(codes[at:at + len(u)].astype(np.int32), np.int32(-1))
            for chunk in chunks:
                setattr(chunk, self.attr, lut[getattr(chunk, self.attr)])
            at += len(u)
        self.pending = []
        self.n_pending = 0

    def finish(self) -> Any:
        if self.pending:
            self._merge()
        return self.values


def _same_array(a: Any, b: Any) -> bool:
    """Whether two Arrow arrays are the very same data (batches of one row group)."""
    if a is b:
        return True
    if not (is_arrow(a) and is_arrow(b)) or len(a) != len(b) or a.type != b.type:
        return False
    ba, bb = a.buffers(), b.buffers()
    return len(ba) == len(bb) and all(
        (x is None and y is None) or (x is not None and y is not None and x.address == y.address)
        for x, y in zip(ba, bb)) and a.offset == b.offset


class StoreBuilder:
    """Encodes an event log batch by batch; :meth:`finish` makes the :class:`EventStore`.

    ``add`` takes one batch as ``{column name: pandas Series or Arrow array}`` with
    the bound columns (:attr:`columns`). ``progress(phase)`` is called at each step
    of :meth:`finish` (``"sorting"``, ``"encoding"``); an exception it raises (a
    ``KeyboardInterrupt``) stops the build and leaves nothing behind.
    """

    def __init__(self, *, customer: str, time: str, touchpoint: str, value: str | None = None,
                 segment: str | None = None, channel: str | None = None, order: str | None = None,
                 engine: str = "pandas", progress: Callable[[str], None] | None = None,
                 session: str | None = None, session_gap_ns: int | None = None) -> None:
        self.customer, self.time, self.touchpoint = customer, time, touchpoint
        self.value, self.segment, self.channel, self.order = value, segment, channel, order
        self.session, self.session_gap_ns = session, session_gap_ns
        self.engine = engine
        self.progress = progress
        self.columns = list(dict.fromkeys(
            c for c in (customer, time, touchpoint, value, segment, channel, order, session)
            if c is not None))
        self.n_rows = 0
        self._chunks: list[_Chunk] = []
        self._customers = _Customers()
        self._sessions = _Customers("sess")
        self._keys = LabelIndex()
        self._segs = LabelIndex()
        self._chans = LabelIndex()
        self._chan_counts = None  # int64 [keys seen, channels seen]
        self._counts = {"missing_customer": 0, "missing_time": 0, "unparsable_time": 0,
                        "missing_touchpoint": 0, "invalid_value": 0}
        self._examples: dict[str, list[str]] = {"unparsable_time": [], "invalid_value": []}
        self._zones: dict[bool, tuple[int, Any]] = {}  # with a time zone or not: (rows, example)
        self._zone_mix = False  # a batch mixed both: the rest is only counted

    def _phase(self, name: str) -> None:
        if self.progress is not None:
            self.progress(name)

    def add(self, batch: dict[str, Any]) -> int:
        """Encode one batch; returns its number of rows."""
        np = _np()
        n = len(batch[self.customer])
        if n == 0:
            return 0
        self.n_rows += n
        ccodes, cuniq = codes_of(batch[self.customer], customer=True)
        miss_c = ccodes < 0
        tcol = batch[self.time]
        try:
            t, miss_t, bad_t = None, None, None
            if not self._zone_mix:
                t, miss_t, bad_t = time_of(tcol, self.time)
        except MixedTimeZones:
            self._zone_mix = True  # refused in finish(), with the counts of the whole column
        if self._zone_mix:
            self._count_zones(tcol)
            return n
        zone = zone_of(tcol)
        if zone is not None:  # batches with and without a time zone are a mix too
            n_z, ex = self._zones.get(zone[0], (0, zone[1]))
            self._zones[zone[0]] = (n_z + int((~miss_t & ~bad_t).sum()), ex)
        kcol = batch[self.touchpoint]
        if _is_bool(kcol):
            raise BindingError(
                f"touchpoint column {self.touchpoint!r} holds booleans; it should name the touchpoint "
                "of each event", self.touchpoint, "pass the column with event names or keys as touchpoint=",
            )
        kid = self._keys.add(*codes_of(kcol))
        miss_k = kid < 0
        valid = ~(miss_c | miss_t | bad_t | miss_k)
        c = self._counts
        c["missing_customer"] += int(miss_c.sum())
        c["missing_time"] += int(miss_t.sum())
        nbad = int(bad_t.sum())
        c["unparsable_time"] += nbad
        if nbad and len(self._examples["unparsable_time"]) < 3:
            self._examples["unparsable_time"] += examples(tcol, bad_t, 3 - len(self._examples["unparsable_time"]))
        c["missing_touchpoint"] += int(miss_k.sum())
        del miss_c, miss_t, bad_t, miss_k
        vidx = None if bool(valid.all()) else np.flatnonzero(valid)

        def keep(a):
            return a if vidx is None else a[vidx]

        ch = _Chunk()
        ch.cust = keep(ccodes)
        del ccodes
        if ch.cust.shape[0]:
            ch.t, ch.t_scale, ch.t_base = _chunk_times(np, keep(t))
        del t
        ch.key = keep(kid)
        if self.segment is not None:
            ch.seg = keep(self._segs.add(*codes_of(batch[self.segment])))
        if self.value is not None:
            vcol = batch[self.value]
            vals, bad = values_of(vcol, self.value)
            nb = int(bad.sum())
            if nb:
                c["invalid_value"] += nb
                if len(self._examples["invalid_value"]) < 3:
                    self._examples["invalid_value"] += examples(
                        vcol, bad, 3 - len(self._examples["invalid_value"]))
            ch.val = keep(vals)
        if self.channel is not None:
            chid = keep(self._chans.add(*codes_of(batch[self.channel])))
            ok = chid >= 0
            K, H = len(self._keys), max(len(self._chans), 1)
            counts = np.bincount(ch.key[ok].astype(np.int64) * H + chid[ok], minlength=K * H)
            counts = counts[:K * H].reshape(K, H)
            acc = self._chan_counts
            if acc is not None:
                counts[:acc.shape[0], :acc.shape[1]] += acc
            self._chan_counts = counts
        if self.order is not None:
            ch.ord = keep(values_array(batch[self.order]))
        if self.session is not None:  # session ids: as many as customers or more, merged alike
            scodes, suniq = codes_of(batch[self.session], customer=True)
            ch.sess = keep(scodes)
            self._sessions.add(ch, suniq)
        self._chunks.append(ch)
        self._customers.add(ch, cuniq)
        return n

    def _count_zones(self, col: Any) -> None:
        """Times with and without a zone, value by value (once a mix is found)."""
        values = col.to_pylist() if is_arrow(col) else col.tolist()
        for v in values:
            if v is None or v != v:
                continue
            kind = has_zone(v)
            if kind is not None:
                n_z, ex = self._zones.get(kind, (0, v))
                self._zones[kind] = (n_z + 1, ex)

    # -- the whole log ---------------------------------------------------------
    def _problems(self) -> dict[str, dict]:
        cols = {"missing_customer": self.customer, "missing_time": self.time,
                "unparsable_time": self.time, "missing_touchpoint": self.touchpoint,
                "invalid_value": self.value}
        out: dict[str, dict] = {}
        for kind, n in self._counts.items():
            if n and kind != "invalid_value":
                out[kind] = {"count": n, "column": cols[kind]}
                if kind in self._examples:
                    out[kind]["examples"] = list(self._examples[kind])
        return out

    def _concat(self, attr: str, dtype, remap=None):
        """One array of a chunk attribute, freeing the chunks' arrays as it goes."""
        np = _np()
        n = sum(getattr(ch, attr).shape[0] for ch in self._chunks)
        if len(self._chunks) == 1 and remap is None:
            out = getattr(self._chunks[0], attr)
            setattr(self._chunks[0], attr, None)
            return out if dtype is None else out.astype(dtype, copy=False)
        if dtype is None:
            return np.concatenate([getattr(ch, attr) for ch in self._chunks])
        out = np.empty(n, dtype=dtype)
        at = 0
        for ch in self._chunks:
            a = getattr(ch, attr)
            m = a.shape[0]
            out[at:at + m] = a if remap is None else remap[a]
            at += m
            setattr(ch, attr, None)
        return out

    def _times(self):
        """Every chunk's times on one grid: (codes, scale, base); int64 ns when they do not fit."""
        np = _np()
        chunks = [ch for ch in self._chunks if ch.t is not None]
        base = min(ch.t_base for ch in chunks)
        scale = min(ch.t_scale for ch in chunks)
        while scale > 1 and any((ch.t_base - base) % scale for ch in chunks):
            scale = _SCALES[_SCALES.index(scale) + 1]
        top = max(ch.t_base + int(ch.t.max()) * ch.t_scale for ch in chunks)
        fits = (top - base) // scale < 2**31 - 1 and scale > 1
        if not fits:
            scale, base = 1, 0
        out = np.empty(sum(ch.t.shape[0] for ch in chunks), dtype=np.int32 if fits else np.int64)
        at = 0
        for ch in chunks:
            m = ch.t.shape[0]
            part = out[at:at + m]
            if ch.t_scale == scale and ch.t_base == base:
                part[:] = ch.t
            else:
                tmp = ch.t.astype(np.int64)
                tmp *= ch.t_scale // scale
                tmp += (ch.t_base - base) // scale
                part[:] = tmp
            at += m
            ch.t = None
        return out, scale, base

    def finish(self) -> EventStore:
        """Sort and aggregate what the batches left: the :class:`EventStore`."""
        np = _np()
        if self.n_rows == 0:
            raise BindingError("the events data is empty (0 rows)", None, "bind a non-empty event log")
        if len(self._zones) == 2:
            (n_a, ex_a), (n_n, ex_n) = self._zones[True], self._zones[False]
            raise mixed_zones_error(self.time, n_a, ex_a, n_n, ex_n)
        problems = self._problems()
        n_valid = sum(ch.cust.shape[0] for ch in self._chunks)
        if n_valid == 0:
            worst = max(problems.items(), key=lambda kv: kv[1]["count"]) if problems else None
            col = worst[1]["column"] if worst else self.customer
            raise BindingError(
                f"no usable events: every row lacks a customer, a valid time or a touchpoint "
                f"(worst column: {col!r})", col, "check the column names and their values",
            )
        nbad = self._counts["invalid_value"]
        if nbad == self.n_rows:
            raise BindingError(
                f"value column {self.value!r} is not numeric (e.g. {self._examples['invalid_value'][:1]})",
                self.value, f"convert it with pd.to_numeric(df[{self.value!r}]) or pass another column",
            )
        if nbad:
            problems["invalid_value"] = {"count": nbad, "column": self.value,
                                         "examples": list(self._examples["invalid_value"])}
        self._phase("encoding")
        cvalues = self._customers.finish()
        self._customers = _Customers()
        svalues = self._sessions.finish() if self.session is not None else None
        self._sessions = _Customers("sess")
        keys, kpos = self._keys.sorted()
        K = len(keys)
        kdt = np.int16 if K < 32767 else np.int32
        segs: list[str] = []
        jobs: dict[str, tuple] = {"cust": ("cust", np.int32), "key": ("key", kdt, kpos)}
        if self.segment is not None:
            segs, spos = self._segs.sorted()
            jobs["seg"] = ("seg", np.int16 if len(segs) < 32767 else np.int32,
                           np.append(spos, np.int32(-1)))
        if self.value is not None:
            jobs["val"] = ("val", np.float64)
        if self.order is not None:
            jobs["ord"] = ("ord", None)
        if self.session is not None:
            jobs["sess"] = ("sess", np.int32)
        # one array per column out of the batches', on both cores
        done = dict(_pmap(lambda kv: (kv[0], self._times() if kv[0] == "t" else self._concat(*kv[1])),
                          [("t", None), *jobs.items()], min_items=2))
        self._chunks = []
        ccodes, kcodes = done.pop("cust"), done.pop("key")
        t, t_scale, t_base = done.pop("t")
        scodes, vals, ord_vals = done.pop("seg", None), done.pop("val", None), done.pop("ord", None)
        sess_codes = done.pop("sess", None)
        # dense customer codes 0..C-1 (rows skipped and unused categories leave gaps)
        present = np.zeros(len(cvalues), dtype=bool)
        present[ccodes] = True
        C = int(np.count_nonzero(present))
        cvalues = cvalues if is_arrow(cvalues) else _values(cvalues)
        if C < present.shape[0]:
            remap = (np.cumsum(present) - 1).astype(np.int32)
            ccodes = remap[ccodes]
            keep = np.flatnonzero(present)
            cvalues = cvalues.take(keep)
        del present
        self._phase("sorting")
        if ord_vals is not None:
            # sort by (customer, time, order, row): pre-permute by order, then stable
            perm0 = np.argsort(ord_vals, kind="stable")
            del ord_vals
            perm = perm0[sort_events(ccodes[perm0], t[perm0])]
            del perm0
        else:
            perm = sort_events(ccodes, t)
        cust_s, t_s, key_s = _pmap(lambda a, p=perm: a[p], [ccodes, t, kcodes], min_items=2)
        del t
        sess, n_sess, sess_values = None, 0, None
        if sess_codes is not None or self.session_gap_ns is not None:
            col = None if sess_codes is None else sess_codes[perm]
            del sess_codes
            sess, n_sess, sess_values = session_codes(
                cust_s, t_s, t_scale, column_codes=col, column_values=svalues,
                gap_ns=self.session_gap_ns, column=self.session)
            del col
        dup = _duplicates(np, cust_s, t_s, key_s)
        if dup:
            problems["duplicate_events"] = {"count": dup, "column": None}
        key_counts = np.bincount(key_s, minlength=K).astype(np.int64)
        seg_of_cust = np.zeros(C, dtype=np.int32)
        if scodes is not None:
            seg_of_cust = _segments(np, cust_s, scodes[perm], C, len(segs), problems, self.segment)
            del scodes
        del perm
        NS = len(segs) + 1
        vsum = vn = None
        if vals is not None:  # in row order: the same sums whatever the input kind
            vsum, vn = _value_sums(np, vals, kcodes, ccodes, seg_of_cust, K, NS)
            del vals
        del ccodes, kcodes
        chans: list[str] = []
        key_chan = None
        if self.channel is not None:
            chans, hpos = self._chans.sorted()
            key_chan = np.zeros((K, max(len(chans), 1)), dtype=np.int64)
            acc = self._chan_counts
            if acc is not None and len(chans):
                kp = kpos[: acc.shape[0]]
                key_chan[np.ix_(kp, hpos[: acc.shape[1]])] = acc[:, : len(chans)]
        return EventStore(
            cust=cust_s, t_code=t_s, t_scale=t_scale, t_base=t_base, key=key_s, keys=keys,
            n_customers=C, seg_of_cust=seg_of_cust, segments=segs, key_value_sum=vsum,
            key_value_n=vn, channels=chans, key_chan=key_chan, problems=problems,
            key_counts=key_counts, n_rows=self.n_rows, engine=self.engine, customer_values=cvalues,
            sess=sess, n_sessions=n_sess, session_values=sess_values,
        )


def _is_bool(col: Any) -> bool:
    if is_arrow(col):
        import pyarrow as pa

        return pa.types.is_boolean(col.type)
    import pandas as pd

    return pd.api.types.is_bool_dtype(col.dtype)


def _duplicates(np, cust_s, t_s, key_s) -> int:
    """Identical (customer, time, key) events."""
    same = (cust_s[1:] == cust_s[:-1]) & (t_s[1:] == t_s[:-1])
    if not same.any():
        return 0
    tie = np.zeros(cust_s.shape[0], dtype=bool)
    tie[:-1] |= same
    tie[1:] |= same
    pos = np.flatnonzero(tie)
    o = np.lexsort((key_s[pos], t_s[pos], cust_s[pos]))
    pc, pt, pk = cust_s[pos][o], t_s[pos][o], key_s[pos][o]
    return int(((pc[1:] == pc[:-1]) & (pt[1:] == pt[:-1]) & (pk[1:] == pk[:-1])).sum())


def _segments(np, cust_s, s_sorted, C: int, n_segs: int, problems: dict, column: str):
    """A customer's segment: its first non-missing value in (time, row) order."""
    seg_of_cust = np.full(C, n_segs, dtype=np.int32)
    if bool((s_sorted >= 0).all()):
        first = np.ones(cust_s.shape[0], dtype=bool)
        np.not_equal(cust_s[1:], cust_s[:-1], out=first[1:])
        seg_of_cust[cust_s[first]] = s_sorted[first]
        del first
        varies = s_sorted != seg_of_cust[cust_s]
        if varies.any():
            problems["segment_varies"] = {
                "count": int(np.unique(cust_s[varies]).shape[0]), "column": column}
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
            problems["segment_varies"] = {"count": int(np.unique(cc[varies]).shape[0]),
                                          "column": column}
    nmiss = int((seg_of_cust == n_segs).sum())
    if nmiss:
        problems["missing_segment"] = {"count": nmiss, "column": column}
    return seg_of_cust


def _value_sums(np, vals, key, cust, seg_of_cust, K: int, NS: int):
    """Sums and counts of the finite values per (key, segment), in chunks of 1M events."""
    vsum = np.zeros(K * NS)
    vn = np.zeros(K * NS, dtype=np.int64)
    step = 1 << 20
    n = key.shape[0]
    for a in range(0, n, step):
        b = min(n, a + step)
        v = vals[a:b]
        fin = np.isfinite(v)
        kv = key[a:b].astype(np.int64) * NS + (seg_of_cust[cust[a:b]] if NS > 1 else 0)
        vsum += np.bincount(kv[fin], weights=v[fin], minlength=K * NS)[: K * NS]
        vn += np.bincount(kv[fin], minlength=K * NS)[: K * NS]
    return vsum.reshape(K, NS), vn.reshape(K, NS)


def store_of(df: Any, cols: dict[str, str | None], backend: str, reporter: Any = None,
             gap_ns: int | None = None) -> EventStore:
    """Encode any non-Spark input: a pandas frame as one batch; files, pyarrow, DuckDB and
    polars inputs batch by batch (:mod:`journeywidget.data.sources`); another frame
    through the adapter. ``reporter``: a :class:`~journeywidget.data.progress.Reporter`;
    ``gap_ns``: sessions split at gaps (``cols["session"]``: a session column)."""
    used = used_columns(cols)
    b = StoreBuilder(customer=cols["customer"], time=cols["time"], touchpoint=cols["touchpoint"],
                     value=cols.get("value"), segment=cols.get("segment"), channel=cols.get("channel"),
                     order=cols.get("order"), engine=backend,
                     progress=reporter.phase if reporter is not None else None,
                     session=cols.get("session"), session_gap_ns=gap_ns)
    if backend != "pandas" and is_source_input(df):
        src = open_source(df, used, text=[c for c in used if c != cols.get("order")])
        b.engine = src.backend
        check_columns(None, cols, columns=src.columns)
        src.check(used)
        if reporter is not None:
            reporter.total = src.n_rows
        batch = None
        for i, batch in enumerate(src.batches(used)):
            n = b.add({c: batch.column(c) for c in used})
            if reporter is not None:
                reporter.rows(n)
            if i % 8 == 7:  # (the allocator keeps what the decoding threads freed)
                _release_arrow_memory()
        del batch
        _release_arrow_memory()
    else:
        check_columns(df, cols)
        pdf = to_pandas(df, used)
        if reporter is not None:
            reporter.total = len(pdf)
        n = b.add({c: pdf[c] for c in used})
        if reporter is not None:
            reporter.rows(n)
    out = b.finish()
    _release_arrow_memory()  # (again once the arrays are built: 0.7 GiB more at 30M events)
    return out


def _release_arrow_memory() -> None:
    """Give the memory Arrow's allocator keeps for reuse back to the system (the batches
    are read: the sort and the engine need it now)."""
    import sys

    pa = sys.modules.get("pyarrow")
    if pa is not None:
        pa.default_memory_pool().release_unused()


def label_pair_counts(df: Any, a: str, b: str, backend: str) -> dict[tuple[str, str], int]:
    """Rows per (label in column ``a``, label in column ``b``), both present, read batch by
    batch like a bind (what ``Journey.from_events`` picks each key's stage and channel by)."""
    np = _np()
    cols = list(dict.fromkeys([a, b]))
    if backend != "pandas" and is_source_input(df):
        src = open_source(df, cols)
        batches: Any = ({c: bt.column(c) for c in cols} for bt in src.batches(cols))
    else:
        pdf = to_pandas(df, cols)
        batches = [{c: pdf[c] for c in cols}]
    ia, ib = LabelIndex(), LabelIndex()
    out: dict[tuple[str, str], int] = {}
    for bt in batches:
        ca = ia.add(*codes_of(bt[a]))
        cb = ib.add(*codes_of(bt[b]))
        ok = (ca >= 0) & (cb >= 0)
        H = max(len(ib), 1)
        pairs, counts = np.unique(ca[ok].astype(np.int64) * H + cb[ok], return_counts=True)
        for p, n in zip(pairs.tolist(), counts.tolist()):
            key = (ia.labels[p // H], ib.labels[p % H])
            out[key] = out.get(key, 0) + n
    return out
