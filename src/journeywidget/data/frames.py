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
"""

from __future__ import annotations

import difflib
from typing import Any

from ..core.errors import BindingError

__all__ = [
    "backend_of", "columns_of", "check_columns", "to_pandas", "unique_values", "filter_in",
    "used_columns",
]

_NAMES = {"pyspark": "spark", "pyspark[connect]": "spark", "sqlframe": "sqlframe"}


def _narwhals(df: Any) -> Any:
    import narwhals as nw

    try:
        return nw.from_native(df)
    except TypeError:
        raise BindingError(
            f"expected a DataFrame (pandas, polars, pyarrow, DuckDB, PySpark...), got {type(df).__name__}",
            None, "pass your data as a DataFrame",
        ) from None


def backend_of(df: Any) -> str:
    """Which library ``df`` belongs to: ``"pandas"``, ``"polars"``, ``"pyarrow"``, ``"duckdb"``,
    ``"spark"``, or the name narwhals gives another backend."""
    impl = _narwhals(df).implementation
    name = str(getattr(impl, "value", impl))
    return _NAMES.get(name, name)


def columns_of(df: Any) -> list[str]:
    """The column names of ``df`` (as strings)."""
    return [str(c) for c in _narwhals(df).collect_schema().names()]


def used_columns(wanted: dict[str, str | None]) -> list[str]:
    """The distinct column names of a ``{role: column or None}`` mapping, in order."""
    return list(dict.fromkeys(v for v in wanted.values() if v is not None))


def check_columns(df: Any, wanted: dict[str, str | None], what: str = "events") -> None:
    """Raise :class:`BindingError` naming the role, the column and the fix when a wanted
    column is not a string or is not in ``df`` (a close match is suggested)."""
    cols = columns_of(df)
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
    frame = _narwhals(df).select(column).unique()
    if hasattr(frame, "collect"):
        frame = frame.collect()
    return [v for v in frame.get_column(column).to_list() if v is not None and v == v]


def filter_in(df: Any, conditions: dict[str, list]) -> Any:
    """The rows of ``df`` whose value in each column of ``conditions`` is one of its values
    (a frame of the same kind: pandas in, pandas out; a DuckDB relation stays lazy)."""
    import narwhals as nw

    frame = _narwhals(df)
    if not conditions:
        return df
    preds = [nw.col(col).is_in(list(values)) for col, values in conditions.items()]
    return frame.filter(*preds).to_native()
