"""Event logs read in batches: Parquet and CSV files, pyarrow, DuckDB and polars inputs.

:func:`open_source` turns what a user may bind besides an in-memory pandas frame
into a :class:`Source`: a path or a glob of Parquet (or CSV) files, a directory of
them, a ``pyarrow.Table`` or ``pyarrow.dataset.Dataset``, a DuckDB relation, a
polars ``DataFrame`` or ``LazyFrame``. A source reads only the named columns, as
Arrow record batches of about a million rows (``pyarrow`` decodes Parquet on
every core while the batches are encoded), so a bind never holds a copy of the
raw log. Paths need ``pyarrow`` (``pip install journeywidget[parquet]``).

>>> import os, tempfile
>>> import pandas as pd
>>> path = os.path.join(tempfile.mkdtemp(), "events.parquet")
>>> pd.DataFrame({"user": ["a", "b"], "event": ["x", "y"]}).to_parquet(path)
>>> src = open_source(path)
>>> src.backend, src.columns, src.n_rows
('parquet', ['user', 'event'], 2)
>>> [b.num_rows for b in src.batches(["event"])]
[2]
"""

from __future__ import annotations

import glob
import os
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

from ..core.errors import BindingError, JourneyError
from ..core.limits import brief

__all__ = ["BATCH_ROWS", "Source", "open_source", "is_source_input", "is_path_input", "is_dataset",
           "need_pyarrow", "duplicate_columns_error"]

#: Rows per batch: large enough that per-batch work is negligible, small enough
#: that a batch (tens of MB) is nothing next to the encoded log.
BATCH_ROWS = 1 << 20
_PARQUET = (".parquet", ".pq", ".parq")
_CSV = (".csv", ".tsv", ".csv.gz", ".tsv.gz", ".csv.bz2")


def need_pyarrow(what: str) -> Any:
    """Import pyarrow or say clearly how to get it."""
    try:
        import pyarrow  # noqa: F401
        import pyarrow.compute  # noqa: F401
        import pyarrow.dataset as ds
    except ImportError:
        raise JourneyError(
            f"reading {what} needs pyarrow, which is not installed. "
            "Fix: pip install 'journeywidget[parquet]' (or pip install pyarrow)"
        ) from None
    return ds


def duplicate_columns_error(columns: list) -> BindingError | None:
    """The error for column names used more than once (None if every name is unique).

    >>> str(duplicate_columns_error(["user", "ts", "user"]))
    "the data has several columns named 'user' (2); every column needs its own name. Fix: rename them (pandas: df.columns = ['user', 'ts', 'user_2']) or drop the extra ones (pandas: df = df.loc[:, ~df.columns.duplicated()])"
    """
    names = [str(c) for c in columns]
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    dupes = {name: n for name, n in seen.items() if n > 1}
    if not dupes:
        return None
    shown = ", ".join(f"{brief(name)} ({n})" for name, n in list(dupes.items())[:5])
    renamed, count = [], {}
    for name in names:
        count[name] = count.get(name, 0) + 1
        renamed.append(name if count[name] == 1 else f"{name}_{count[name]}")
    example = repr(renamed) if len(renamed) <= 8 else "[...]"
    return BindingError(
        f"the data has several columns named {shown}; every column needs its own name",
        next(iter(dupes)),
        f"rename them (pandas: df.columns = {example}) or drop the extra ones "
        "(pandas: df = df.loc[:, ~df.columns.duplicated()])",
    )


def _module(obj: Any) -> str:
    return type(obj).__module__.split(".", 1)[0]


def is_path_input(obj: Any) -> bool:
    """Whether ``obj`` is a path, a glob or a list of them."""
    if isinstance(obj, (str, os.PathLike)):
        return True
    return isinstance(obj, (list, tuple)) and bool(obj) and all(
        isinstance(p, (str, os.PathLike)) for p in obj)


def is_dataset(obj: Any) -> bool:
    """Whether ``obj`` is a ``pyarrow.dataset.Dataset``."""
    ds = sys.modules.get("pyarrow.dataset")
    return ds is not None and isinstance(obj, ds.Dataset)


def is_source_input(obj: Any) -> bool:
    """Whether ``obj`` is read as a :class:`Source` (not as a pandas or Spark frame)."""
    if is_path_input(obj):
        return True
    mod = _module(obj)
    if mod == "pyarrow":
        return hasattr(obj, "to_batches")  # Table, RecordBatch, Dataset
    if mod == "polars":
        return hasattr(obj, "collect_schema") or hasattr(obj, "to_arrow")
    if mod in ("duckdb", "_duckdb"):
        return hasattr(obj, "columns") and hasattr(obj, "select")
    return False


class Source(ABC):
    """An event log read as Arrow record batches of the wanted columns.

    ``backend``: ``"parquet"``, ``"csv"``, ``"pyarrow"``, ``"duckdb"`` or ``"polars"``;
    ``columns``: the column names; ``n_rows``: the row count when it is known
    without reading the data (Parquet metadata, in-memory tables), else None.
    """

    backend: str = ""
    columns: list[str]
    n_rows: int | None = None

    def check(self, cols: list[str]) -> None:  # noqa: B027 - one schema: nothing to check
        """Raise :class:`BindingError` when a part of the input (a file) lacks a column or
        has it with another type (an input of one schema has nothing to check)."""
        return None

    @abstractmethod
    def batches(self, cols: list[str]) -> Iterator[Any]:
        """The columns ``cols`` as ``pyarrow.RecordBatch`` es, in row order."""

    def table(self, cols: list[str]) -> Any:
        """The columns ``cols`` as one ``pyarrow.Table`` (for small inputs: survey answers)."""
        import pyarrow as pa

        batches = list(self.batches(cols))
        if batches:
            return pa.Table.from_batches(batches)
        return pa.table({c: pa.array([], pa.null()) for c in cols})


class _DatasetSource(Source):
    """Files (Parquet or CSV) or an in-memory table, through ``pyarrow.dataset``."""

    def __init__(self, dataset: Any, backend: str, files: list[str] | None = None) -> None:
        self.dataset = dataset
        self.backend = backend
        self.files = files or []
        self.columns = [str(c) for c in dataset.schema.names]
        self.n_rows = None if backend == "csv" else _count_rows(dataset)

    def check(self, cols: list[str]) -> None:
        """Every file has the columns, with a type that reads as the first file's (Arrow
        would otherwise cast, e.g. integers to timestamps, without a word)."""
        frags = list(self.dataset.get_fragments()) if len(self.files) > 1 else []
        want = self.dataset.schema
        for frag in frags:
            try:
                phys = frag.physical_schema
            except Exception as err:  # noqa: BLE001 - a file pyarrow cannot read
                raise _file_error(frag.path, self.backend, err) from None
            names = set(phys.names) | set(_partition_names(frag))
            for c in cols:
                if c not in names:
                    raise BindingError(
                        f"column {c!r} is not in the file {frag.path!r} (it is in other files of "
                        f"this input); its columns: {sorted(names)}", c,
                        "bind the files that have it, or add the column to that file",
                    )
                if c in phys.names and not _same_kind(phys.field(c).type, want.field(c).type):
                    raise BindingError(
                        f"column {c!r} is {phys.field(c).type} in the file {frag.path!r} but "
                        f"{want.field(c).type} in {self.files[0]!r}", c,
                        "write the column with one type in every file",
                    )

    def batches(self, cols: list[str]) -> Iterator[Any]:
        scan = self.dataset.scanner(columns=cols, batch_size=BATCH_ROWS, batch_readahead=2,
                                    fragment_readahead=1, use_threads=True)
        it = scan.to_batches()
        while True:
            try:
                batch = next(it)
            except StopIteration:
                return
            except Exception as err:  # noqa: BLE001 - Arrow's errors name the file
                import pyarrow as pa

                if isinstance(err, (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError,
                                    OSError)):
                    raise BindingError(
                        f"could not read the {self.backend} input: {err}", None,
                        "check that every file has the same column types",
                    ) from None
                raise
            if batch.num_rows:
                yield batch

    def table(self, cols: list[str]) -> Any:
        return self.dataset.to_table(columns=cols)

    def rows(self, conditions: dict[str, list]) -> Any:
        """The rows (every column) whose value in each column of ``conditions`` is one of
        its values, as a ``pyarrow.Table`` (what a chart function gets for files)."""
        import pyarrow.dataset as ds

        expr = None
        for col, values in conditions.items():
            e = ds.field(col).isin(list(values))
            expr = e if expr is None else (expr & e)
        return self.dataset.to_table(filter=expr)


def _same_kind(a: Any, b: Any) -> bool:
    """Whether two Arrow types hold the same kind of values (text, integers and floats,
    timestamps with or without a time zone, dates...)."""
    import pyarrow as pa

    def kind(t: Any) -> tuple:
        if pa.types.is_dictionary(t):
            t = t.value_type
        if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
            return ("text",)
        if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
            return ("number",)
        if pa.types.is_timestamp(t):
            return ("timestamp", t.tz is not None)
        return (str(t),)

    return kind(a) == kind(b)


def _partition_names(frag: Any) -> list[str]:
    import pyarrow.dataset as ds

    expr = getattr(frag, "partition_expression", None)
    if expr is None:
        return []
    try:
        return list(ds.get_partition_keys(expr))
    except Exception:  # noqa: BLE001
        return []


def _count_rows(dataset: Any) -> int | None:
    try:
        return int(dataset.count_rows())
    except Exception:  # noqa: BLE001 - counted while reading instead
        return None


def _file_error(path: str, fmt: str, err: Exception) -> BindingError:
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    return BindingError(
        f"{path!r} is not a {'Parquet' if fmt == 'parquet' else 'CSV'} file pyarrow can read ({text})",
        None, "pass Parquet files (.parquet) or CSV files (.csv), or a DataFrame",
    )


def _expand(spec: Any) -> tuple[list[str], str]:
    """Files of a path, glob, directory or list of them, and the format they share."""
    specs = list(spec) if isinstance(spec, (list, tuple)) else [spec]
    files: list[str] = []
    for s in specs:
        p = os.path.expanduser(os.fspath(s))
        if any(ch in p for ch in "*?["):
            hits = sorted(f for f in glob.glob(p, recursive=True) if os.path.isfile(f))
            if not hits:
                raise BindingError(f"no file matches {p!r}", None,
                                   "check the path and the pattern (e.g. 'logs/*.parquet')")
            files += hits
        elif os.path.isdir(p):
            hits = sorted(
                os.path.join(root, f) for root, _, names in os.walk(p) for f in names
                if not f.startswith((".", "_")))
            if not hits:
                raise BindingError(f"the directory {p!r} holds no files", None,
                                   "pass a directory of Parquet or CSV files")
            files += hits
        elif os.path.isfile(p):
            files.append(p)
        else:
            raise BindingError(f"no such file or directory: {p!r}", None,
                               "check the path (relative paths start at the notebook's folder: "
                               f"{os.getcwd()!r})")
    kinds = {_format_of(f) for f in files}
    if len(kinds) > 1:
        raise BindingError(f"the files mix formats ({', '.join(sorted(kinds))})", None,
                           "bind Parquet files or CSV files, not both")
    return files, kinds.pop()


def _header(path: str, fmt: str) -> list[str]:
    """The column names a file declares (to name its duplicates)."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    import csv
    import gzip

    opener = gzip.open if path.lower().endswith(".gz") else open
    with opener(path, "rt", newline="", encoding="utf-8", errors="replace") as f:
        return next(csv.reader(f, delimiter="\t" if ".tsv" in path.lower() else ","), [])


def _format_of(path: str) -> str:
    low = path.lower()
    if low.endswith(_CSV):
        return "csv"
    if low.endswith(_PARQUET):
        return "parquet"
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"PAR1":
        return "parquet"
    raise BindingError(
        f"{path!r} is neither a Parquet file (it does not start with the Parquet magic bytes) "
        "nor a .csv file", None, "pass Parquet files (.parquet) or CSV files (.csv), or a DataFrame",
    )


def _open_files(spec: Any, cols: list[str] | None, text: list[str] | None) -> _DatasetSource:
    ds = need_pyarrow("Parquet or CSV files")
    files, fmt = _expand(spec)
    if fmt == "csv":
        import pyarrow as pa
        import pyarrow.csv as pacsv

        tsv = all(f.lower().endswith((".tsv", ".tsv.gz")) for f in files)
        # The bound columns stay text (but ``order``, whose numbers sort as numbers): pandas
        # rules (the same as for a frame) read times and numbers written as text, and a
        # value that breaks a guessed type is reported, not fatal. Empty fields are
        # missing, as in pandas.read_csv.
        types = {c: pa.string() for c in (cols if text is None else text) or []}
        fmt_obj = ds.CsvFileFormat(
            parse_options=pacsv.ParseOptions(delimiter="\t" if tsv else ","),
            convert_options=pacsv.ConvertOptions(strings_can_be_null=True, column_types=types),
        )
    else:
        # Text columns (ids, event keys, segments) are read as Arrow dictionaries: a
        # Parquet writer stores them dictionary-encoded, so no string is materialised
        # and the key codes come straight from the file.
        fmt_obj = ds.ParquetFileFormat(read_options=ds.ParquetReadOptions(
            dictionary_columns=list(cols or [])))
    try:
        dataset = ds.dataset(files, format=fmt_obj)
    except Exception as err:  # noqa: BLE001 - pyarrow names the file
        bad = next((f for f in files if f in str(err)), files[0])
        if "duplicate field names" in str(err):
            names = _header(bad, fmt)
            raise duplicate_columns_error(names) or _file_error(bad, fmt, err) from None
        raise _file_error(bad, fmt, err) from None
    return _DatasetSource(dataset, fmt, files)


class _ArrowStreamSource(Source):
    """A DuckDB relation or a polars LazyFrame / DataFrame, streamed as Arrow."""

    def __init__(self, obj: Any, backend: str) -> None:
        self.obj = obj
        self.backend = backend
        if backend == "duckdb":
            self.columns = [str(c) for c in obj.columns]
        elif hasattr(obj, "collect_schema"):
            self.columns = [str(c) for c in obj.collect_schema().names()]
            self.n_rows = getattr(obj, "height", None)
        else:
            self.columns = [str(c) for c in obj.columns]

    def batches(self, cols: list[str]) -> Iterator[Any]:
        need_pyarrow(f"a {self.backend} input in batches")
        if self.backend == "duckdb":
            import duckdb

            rel = self.obj.select(*[duckdb.ColumnExpression(c) for c in cols])
            reader = (rel.to_arrow_reader(BATCH_ROWS) if hasattr(rel, "to_arrow_reader")
                      else rel.fetch_record_batch(BATCH_ROWS))
            for batch in reader:
                if batch.num_rows:
                    yield batch
            return
        frame = self.obj.select(cols)
        if hasattr(frame, "collect_batches"):  # a LazyFrame: polars runs it in chunks
            parts = frame.collect_batches(chunk_size=BATCH_ROWS)
        elif hasattr(frame, "collect"):
            parts = [frame.collect()]
        else:
            parts = [frame]
        for part in parts:
            for batch in part.to_arrow().to_batches(max_chunksize=BATCH_ROWS):
                if batch.num_rows:
                    yield batch


def open_source(obj: Any, cols: list[str] | None = None, text: list[str] | None = None) -> Source:
    """The :class:`Source` of a path, glob, directory, list of paths, pyarrow table or
    dataset, DuckDB relation or polars frame (``cols``: the columns it will be asked for;
    ``text``: those a CSV file gives as text, default all of them)."""
    if isinstance(obj, (str, os.PathLike)) or isinstance(obj, (list, tuple)):
        return _open_files(obj, cols, text)
    mod = _module(obj)
    if mod == "pyarrow":
        ds = need_pyarrow("a pyarrow input")
        if isinstance(obj, ds.Dataset):
            return _DatasetSource(obj, "pyarrow")
        import pyarrow as pa

        table = pa.Table.from_batches([obj]) if isinstance(obj, pa.RecordBatch) else obj
        return _DatasetSource(ds.dataset(table), "pyarrow")
    if mod == "polars":
        return _ArrowStreamSource(obj, "polars")
    if mod in ("duckdb", "_duckdb"):
        return _ArrowStreamSource(obj, "duckdb")
    raise BindingError(f"cannot read {type(obj).__name__} in batches", None, "pass a DataFrame")
