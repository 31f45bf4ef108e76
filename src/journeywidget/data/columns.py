"""One column of one batch of an event log, encoded: codes, times, numbers.

A batch column is a pandas Series (a pandas frame is bound as one batch) or an
Arrow array (files, pyarrow, DuckDB and polars inputs arrive as batches of Arrow
arrays). Both give the same codes, times, problems and labels: Arrow arrays are
dictionary-encoded as they come (the values are never turned into Python objects
one row at a time), and what only pandas knows how to read (times written as
text, numbers written as text) goes through the very same pandas functions, one
batch at a time.

>>> import pandas as pd
>>> codes_of(pd.Series(["b", None, "b", "a"]))[0].tolist()
[0, -1, 0, 1]
>>> import pyarrow as pa
>>> c, u = codes_of(pa.array(["b", None, "b", "a"]))
>>> c.tolist(), labels_of(u)
([0, -1, 0, 1], ['b', 'a'])
"""

from __future__ import annotations

from typing import Any

from ..core.errors import BindingError
from .encoding import _examples as _pd_examples
from .encoding import factorize, has_zone, label, time_ns, times_from_floats

__all__ = ["is_arrow", "codes_of", "labels_of", "time_of", "zone_of", "values_of", "examples",
           "values_array", "LabelIndex"]


def is_arrow(col: Any) -> bool:
    """Whether ``col`` is an Arrow array (else a pandas Series)."""
    return hasattr(col, "type") and not hasattr(col, "dtype")


def _pa():
    import pyarrow as pa
    import pyarrow.compute as pc

    return pa, pc


def _nan_to_null(col):
    """Floating-point NaN is a missing value (as in pandas), not a value of its own."""
    pa, pc = _pa()
    if pa.types.is_floating(col.type):
        nan = pc.is_nan(col)
        if pc.any(nan).as_py():
            return pc.if_else(nan, pa.scalar(None, col.type), col)
    return col


def _indices(np, arr):
    """int32 numpy codes of Arrow dictionary indices, -1 where missing."""
    idx = arr.indices if hasattr(arr, "indices") else arr
    if idx.null_count:
        idx = idx.fill_null(-1)
    return np.asarray(idx.to_numpy(zero_copy_only=False)).astype(np.int32, copy=False)


def codes_of(col: Any, *, customer: bool = False) -> tuple[Any, Any]:
    """int32 codes (-1 = missing) and the distinct values they index.

    pandas: :func:`~journeywidget.data.encoding.factorize` (integral floats of a
    customer column are read as integers, as the ids they are). Arrow: the
    dictionary of a dictionary column, else ``dictionary_encode`` (NaN is missing).
    """
    import numpy as np

    if not is_arrow(col):
        import pandas as pd

        as_float = False
        if customer and pd.api.types.is_float_dtype(col.dtype):
            cvals = col.to_numpy(dtype=float, na_value=np.nan)
            if np.isfinite(cvals).all() and (cvals == np.round(cvals)).all():
                col = pd.Series(cvals.astype(np.int64), index=col.index)
                as_float = True
        codes, uniques = factorize(col)
        if as_float:
            uniques = np.asarray(uniques).astype(float)
        return codes, uniques
    pa, pc = _pa()
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    if pa.types.is_dictionary(col.type):
        if not pa.types.is_floating(col.type.value_type):
            # (a dictionary may repeat a value: customer dictionaries are merged by value)
            return _indices(np, col), col.dictionary
        col = col.dictionary_decode()  # NaN in a dictionary is still a missing value
    enc = pc.dictionary_encode(_nan_to_null(col))
    return _indices(np, enc), enc.dictionary


def _py_values(uniques: Any) -> list:
    """The distinct values as pandas would list them (numpy scalars for numbers,
    Timestamps for times, Python objects otherwise), so labels agree across inputs."""
    if not is_arrow(uniques):
        return list(uniques)
    pa, _ = _pa()
    t = uniques.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t):
        return list(uniques.to_numpy(zero_copy_only=False))
    if pa.types.is_temporal(t):
        return list(uniques.to_pandas())
    return uniques.to_pylist()


def labels_of(uniques: Any) -> list[str]:
    """:func:`~journeywidget.data.encoding.label` of every distinct value."""
    return [label(v) for v in _py_values(uniques)]


class LabelIndex:
    """Labels (keys, segments, channels) met across batches, numbered as they come.

    >>> import pandas as pd
    >>> ix = LabelIndex()
    >>> ix.add(*codes_of(pd.Series(["b", "a"]))).tolist(), ix.add(*codes_of(pd.Series([1.0, "a"]))).tolist()
    ([0, 1], [2, 1])
    >>> ix.sorted()[0], ix.sorted()[1].tolist()
    (['1', 'a', 'b'], [2, 1, 0])
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.labels: list[str] = []

    def __len__(self) -> int:
        return len(self.labels)

    def add(self, codes: Any, uniques: Any) -> Any:
        """Batch codes -> label ids (-1 stays -1). Only values that occur get a label."""
        import numpy as np

        n_u = len(uniques)
        if n_u < 65536 and codes.shape[0] > 4 * n_u:  # a small vocabulary: count it all
            used = np.bincount(codes + 1, minlength=n_u + 1)[1:n_u + 1] > 0
        else:
            used = np.zeros(n_u, dtype=bool)
            used[codes[codes >= 0]] = True
        remap = np.full(n_u + 1, -1, dtype=np.int32)  # the last slot: missing (-1)
        if used.any():
            vals = _py_values(uniques)
            for i in np.flatnonzero(used).tolist():
                lab = label(vals[i])
                j = self.ids.get(lab)
                if j is None:
                    j = self.ids[lab] = len(self.labels)
                    self.labels.append(lab)
                remap[i] = j
        if len(self.labels) < 32767:  # (2 bytes an event: the ids wait for the whole log)
            remap = remap.astype(np.int16)
        return remap[codes]

    def sorted(self) -> tuple[list[str], Any]:
        """(labels sorted, int32 map from label id to its position in them)."""
        import numpy as np

        order = sorted(range(len(self.labels)), key=self.labels.__getitem__)
        pos = np.empty(len(order), dtype=np.int32)
        pos[np.asarray(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int32)
        return [self.labels[i] for i in order], pos


def time_of(col: Any, column: str) -> tuple[Any, Any, Any]:
    """int64 ns, missing mask, unparsable mask (see :func:`~journeywidget.data.encoding.time_ns`)."""
    import numpy as np

    if not is_arrow(col):
        return time_ns(col, column)
    pa, pc = _pa()
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    t = col.type
    fix = ("convert it to timestamps (e.g. pd.to_datetime) or pass the right column as time=")
    if pa.types.is_boolean(t):
        raise BindingError(f"time column {column!r} holds booleans, not timestamps", column, fix)
    if pa.types.is_dictionary(t):  # times written as text, read as a dictionary: parse each once
        td, md, bd = time_of(col.dictionary, column)
        idx = _indices(np, col)
        none = idx < 0
        idx = np.where(none, 0, idx)
        return td[idx] if len(td) else np.zeros(len(idx), np.int64), \
            (md[idx] if len(td) else none) | none, (bd[idx] & ~none) if len(td) else none & False
    if pa.types.is_date(t):
        col = col.cast(pa.timestamp("s"))
        t = col.type
    if pa.types.is_timestamp(t) or pa.types.is_duration(t):
        target = pa.timestamp("ns", tz=t.tz) if pa.types.is_timestamp(t) else pa.duration("ns")
        try:
            ns = col.cast(target)  # a safe cast: out-of-range values raise
        except pa.ArrowInvalid as err:
            raise BindingError(
                f"time column {column!r} has timestamps outside 1677-2262 ({err})", column,
                "drop or correct those rows",
            ) from None
        missing = np.asarray(ns.is_null().to_numpy(zero_copy_only=False))
        vals = ns.cast(pa.int64())
        if vals.null_count:
            vals = vals.fill_null(0)
        out = np.asarray(vals.to_numpy(zero_copy_only=False)).astype(np.int64, copy=False)
        return out, missing, np.zeros(len(out), dtype=bool)
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        x = col.cast(pa.float64()).to_numpy(zero_copy_only=False)  # nulls -> NaN
        return times_from_floats(np.asarray(x, dtype=float), np.isnan(x))
    return time_ns(col.to_pandas(), column)


def zone_of(col: Any) -> tuple[bool, Any] | None:
    """Whether the times of a batch carry a time zone, and one of them (None: no times to
    tell, or numbers). A batch is one kind (``time_ns`` refuses a mix); batches of both
    kinds are a mix too (:func:`~journeywidget.data.encoding.mixed_zones_error`)."""
    import pandas as pd

    if is_arrow(col):
        pa, pc = _pa()
        if pa.types.is_dictionary(col.type):
            col = col.dictionary
        t = col.type
        if not (pa.types.is_timestamp(t) or pa.types.is_string(t) or pa.types.is_large_string(t)
                or pa.types.is_string_view(t)):
            return None
        valid = col.drop_null()
        if not len(valid):
            return None
        first = valid[0].as_py()
        return (t.tz is not None, first) if pa.types.is_timestamp(t) else (bool(has_zone(first)), first)
    if isinstance(col.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(col.dtype):
        valid = col.dropna()
        return (isinstance(col.dtype, pd.DatetimeTZDtype), valid.iloc[0]) if len(valid) else None
    if pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
        return None
    valid = col.dropna()
    if not len(valid):
        return None
    kind = has_zone(valid.iloc[0])
    return None if kind is None else (kind, valid.iloc[0])


def values_of(col: Any, column: str) -> tuple[Any, Any]:
    """float64 values (NaN: none) and the mask of values that are not numbers."""
    import numpy as np
    import pandas as pd

    if is_arrow(col):
        pa, _ = _pa()
        t = col.type
        if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t) \
                or pa.types.is_decimal(t):
            x = col.cast(pa.float64()).to_numpy(zero_copy_only=False)
            return np.asarray(x, dtype=float), np.zeros(len(x), dtype=bool)
        col = col.to_pandas()
    if pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
        return col.to_numpy(dtype=float, na_value=np.nan), np.zeros(len(col), dtype=bool)
    vnum = pd.to_numeric(col, errors="coerce")
    vals = vnum.to_numpy(dtype=float, na_value=np.nan)
    return vals, np.asarray(vnum.isna() & col.notna())


def examples(col: Any, mask: Any, k: int = 3) -> list[str]:
    """The first ``k`` values where ``mask`` is set, as text (for data-problem messages)."""
    import numpy as np

    if not is_arrow(col):
        return _pd_examples(col, mask, k)
    idx = np.flatnonzero(mask)[:k]
    return [str(v) for v in col.take(idx).to_pandas().tolist()] if len(idx) else []


def values_array(col: Any) -> Any:
    """A numpy array of the column's values (the ``order`` tie-break column)."""
    import numpy as np

    if is_arrow(col):
        return np.asarray(col.to_numpy(zero_copy_only=False))
    return col.to_numpy()
