"""The one dataframe adapter: every frame the package reads goes through this module.

pandas, polars, pyarrow tables, DuckDB relations, PySpark and every other frame
narwhals knows are read through one narwhals API (the main ``narwhals`` namespace).
:func:`backend_of` is the only place that tells frames apart.

>>> import pandas as pd
>>> df = pd.DataFrame({"user": ["u1", "u2", "u1"], "event": ["a", "b", None]})
>>> backend_of(df), columns_of(df)
('pandas', ['user', 'event'])
>>> sorted(unique_values(df, "event"))
['a', 'b']
>>> filter_in(df, {"user": ["u1"], "event": ["a"]})["event"].tolist()
['a']
>>> RowSelector(df).select({"user": ["u1"]}).index.tolist()
[0, 2]
"""

from __future__ import annotations

import difflib
from typing import Any

from ..core.errors import BindingError
from . import sources
from .sources import duplicate_columns_error

__all__ = [
    "backend_of", "columns_of", "check_columns", "to_pandas", "unique_values", "filter_in",
    "used_columns", "RowSelector", "duplicate_columns_error",
]

_NAMES = {"pyspark": "spark", "pyspark[connect]": "spark", "sqlframe": "sqlframe"}


def _files(df: Any) -> Any:
    """The :class:`~journeywidget.data.sources.Source` of a path, glob or list of paths or a
    ``pyarrow.dataset.Dataset`` (inputs narwhals does not read), else None."""
    if isinstance(df, sources.Source):
        return df
    if sources.is_path_input(df) or sources.is_dataset(df):
        return sources.open_source(df)
    return None


def _narwhals(df: Any) -> Any:
    import narwhals as nw
    from narwhals.exceptions import DuplicateError

    try:
        return nw.from_native(df)
    except TypeError:
        raise BindingError(
            f"expected a DataFrame (pandas, polars, pyarrow, DuckDB, PySpark...), got {type(df).__name__}",
            None, "pass your data as a DataFrame",
        ) from None
    except DuplicateError:
        names = getattr(df, "column_names", None)  # pyarrow (whose .columns are the data)
        names = getattr(df, "columns", []) if names is None else names
        raise duplicate_columns_error(list(names)) or BindingError(
            "the data has several columns with the same name", None, "give every column its own name",
        ) from None


def backend_of(df: Any) -> str:
    """Which library ``df`` belongs to: ``"pandas"``, ``"polars"``, ``"pyarrow"``, ``"duckdb"``,
    ``"spark"``, or the name narwhals gives another backend."""
    src = _files(df)
    if src is not None:
        return src.backend
    impl = _narwhals(df).implementation
    name = str(getattr(impl, "value", impl))
    return _NAMES.get(name, name)


def columns_of(df: Any) -> list[str]:
    """The column names of ``df`` (as strings)."""
    src = _files(df)
    if src is not None:
        return list(src.columns)
    return [str(c) for c in _narwhals(df).collect_schema().names()]


def used_columns(wanted: dict[str, str | None]) -> list[str]:
    """The distinct column names of a ``{role: column or None}`` mapping, in order."""
    return list(dict.fromkeys(v for v in wanted.values() if v is not None))


def check_columns(df: Any, wanted: dict[str, str | None], what: str = "events", *,
                  columns: list[str] | None = None) -> None:
    """Raise :class:`BindingError` naming the role, the column and the fix when a wanted
    column is not a string or is not in ``df`` (or in ``columns``; a close match is suggested)."""
    cols = columns if columns is not None else columns_of(df)
    if len(set(cols)) < len(cols):  # frames narwhals lets through (Spark), files: the wanted ones must be unique
        wanted_dupes = [c for c in cols if c in set(wanted.values()) and cols.count(c) > 1]
        if wanted_dupes:
            raise duplicate_columns_error(cols)  # type: ignore[misc]
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


def to_pandas(df: Any, cols: list[str]) -> Any:
    """Columns ``cols`` of ``df`` as a pandas DataFrame, in the frame's row order.

    pandas frames are not copied; PySpark frames are collected with ``toPandas``
    (only for small inputs such as survey feedback: event logs stay in Spark).
    """
    src = _files(df)
    if src is not None:
        return src.table(cols).to_pandas()
    backend = backend_of(df)
    if backend == "pandas":
        return df[cols] if [str(c) for c in df.columns] != cols else df
    if backend == "spark":
        return df.select(*cols).toPandas()
    frame = _narwhals(df).select(cols)
    if hasattr(frame, "collect"):
        frame = frame.collect()
    try:
        return frame.to_arrow().to_pandas()
    except Exception:  # noqa: BLE001 - a backend without Arrow export
        return frame.to_pandas()


def unique_values(df: Any, column: str) -> list:
    """The distinct non-missing values of ``column`` (native Python values, in no set order)."""
    src = _files(df)
    if src is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        parts = [pc.unique(b.column(0)) for b in src.batches([column])]
        vals = pc.unique(pa.concat_arrays(parts)) if parts else pa.array([])
        return [v for v in vals.to_pylist() if v is not None and v == v]
    frame = _narwhals(df).select(column).unique()
    if hasattr(frame, "collect"):
        frame = frame.collect()
    return [v for v in frame.get_column(column).to_list() if v is not None and v == v]


def filter_in(df: Any, conditions: dict[str, list]) -> Any:
    """The rows of ``df`` whose value in each column of ``conditions`` is one of its values
    (a frame of the same kind: pandas in, pandas out; a DuckDB relation stays lazy)."""
    import narwhals as nw

    src = _files(df)
    if src is not None:
        return src.rows(conditions)
    frame = _narwhals(df)
    if not conditions:
        return df
    preds = [nw.col(col).is_in(list(values)) for col, values in conditions.items()]
    return frame.filter(*preds).to_native()


class RowSelector:
    """Selects rows of one frame by column values, many times over (a chart function's rows
    after every edit): the same rows as :func:`filter_in`, faster on eager frames.

    Each column is encoded once (an int32 code per row); a selection is then a table
    lookup and one native filter. Lazy frames (DuckDB, Spark...) have no row positions:
    they are filtered with :func:`filter_in`.
    """

    def __init__(self, df: Any) -> None:
        src = _files(df)
        self.df = src if src is not None else df  # files are opened once, then filtered
        self.backend = backend_of(self.df)
        self.eager = src is None and self.backend in ("pandas", "polars", "pyarrow")
        self._codes: dict[str, tuple[Any, Any]] = {}
        self._masks: dict[tuple[str, int], tuple[list, Any]] = {}  # by the identity of the values

    def _encoded(self, column: str) -> tuple[Any, Any]:
        if column not in self._codes:
            import numpy as np
            import pandas as pd

            series = to_pandas(self.df, [column])[column]
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
            # plain Python values: set lookups on them beat pandas' isin on Arrow strings
            self._codes[column] = (np.asarray(codes, dtype=np.int32), np.asarray(uniques, dtype=object))
        return self._codes[column]

    def mask(self, column: str, values: list) -> Any:
        """Boolean numpy mask of the rows whose ``column`` is one of ``values`` (remembered for
        the same ``values`` object: a segment's customers are asked for after every edit)."""
        import numpy as np

        hit = self._masks.get((column, id(values)))
        if hit is not None and hit[0] is values:
            return hit[1]
        codes, uniques = self._encoded(column)
        want = set(values)
        lut = np.zeros(len(uniques) + 1, dtype=bool)  # the last slot: missing values (code -1)
        lut[:-1] = np.fromiter((u in want for u in uniques), dtype=bool, count=len(uniques))
        mask = lut[codes]
        if len(self._masks) > 16:
            self._masks.clear()
        self._masks[(column, id(values))] = (values, mask)
        return mask

    def select(self, conditions: dict[str, list]) -> Any:
        """The rows whose value in each column of ``conditions`` is one of its values."""
        if not conditions:
            return self.df
        if not self.eager:
            return filter_in(self.df, conditions)
        mask = None
        for column, values in conditions.items():
            m = self.mask(column, values)
            mask = m if mask is None else (mask & m)
        if self.backend == "pandas":
            return self.df[mask]
        import narwhals as nw

        frame = _narwhals(self.df)
        keep = nw.new_series("_jw_rows", mask, nw.Boolean(), backend=frame.implementation)
        return frame.filter(keep).to_native()
