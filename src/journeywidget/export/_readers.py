"""Reading the rows of a table for :func:`~journeywidget.export.from_table`: a CSV/TSV file, an
.xlsx workbook, a DataFrame or a list of dicts, within the bounds of :mod:`.limits`.

Every failure is a :class:`jw.SourceError` (or :class:`jw.InputLimitError`) naming the
file and, when known, the line or sheet row and the column: the CSV module's, the codecs',
the zip reader's and openpyxl's own exceptions never reach the caller.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import InputLimitError, SourceError
from . import limits
from ._common import plain

__all__ = ["Table", "read_table", "read_text"]

#: The last row of an Excel sheet: a row number past it means a damaged or hostile file.
EXCEL_MAX_ROW = 1_048_576
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass
class Table:
    """A table's header and rows (each a dict of header -> raw value); ``source`` names the file."""

    header: list[str]
    rows: list[dict] = field(default_factory=list)
    source: str | None = None


@dataclass(frozen=True)
class Bounds:
    max_bytes: int
    max_unpacked: int
    max_rows: int
    max_cell_chars: int
    max_ratio: float


def read_table(source: Any, *, sheet: Any, encoding: str | None, bounds: Bounds) -> Table:
    """The rows of ``source``: a DataFrame, a list of dicts, or the path of a CSV/TSV/.xlsx file."""
    if hasattr(source, "columns") and hasattr(source, "to_dict"):  # pandas (or compatible) DataFrame
        header = [str(c) for c in source.columns]
        _check_width(len(header), None)
        _check_count(len(source), bounds, None, "the DataFrame has")
        records = source.to_dict("records")
        return Table(header, [{str(k): plain(v) for k, v in r.items()} for r in records])
    if isinstance(source, (list, tuple)) and all(isinstance(r, Mapping) for r in source):
        _check_count(len(source), bounds, None, "the list has")
        seen: dict[str, None] = {}
        for r in source:
            for k in r:
                seen.setdefault(str(k), None)
        _check_width(len(seen), None)
        return Table(list(seen), [{str(k): v for k, v in r.items()} for r in source])
    if not isinstance(source, (str, Path)) and not hasattr(source, "__fspath__"):
        raise TypeError(f"from_table takes a file path, a DataFrame or a list of dicts, got {type(source).__name__}")
    path = Path(source)
    name = str(path)
    if not path.exists():
        raise SourceError("no such file", source=name)
    if path.is_dir():
        raise SourceError("this is a folder, not a table; give the path of a .csv, .tsv or .xlsx file", source=name)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise SourceError("old .xls files are not supported; save it as .xlsx or .csv", source=name)
    size = path.stat().st_size
    if size > bounds.max_bytes:
        raise InputLimitError(
            f"the file is {limits.describe_bytes(size)}, over the limit of {limits.describe_bytes(bounds.max_bytes)}; "
            "pass max_bytes= a larger number to read it", limit="max_bytes", source=name,
        )
    if suffix in (".xlsx", ".xlsm"):
        from ._xlsx import read_xlsx

        header, rows = read_xlsx(path, sheet, max_unpacked=bounds.max_unpacked, max_ratio=bounds.max_ratio,
                                 max_rows=bounds.max_rows, max_cell_chars=bounds.max_cell_chars)
        return Table(header, rows, name)
    return _read_csv(path, encoding, bounds)


def _check_count(n: int, bounds: Bounds, source: str | None, what: str, location: str | None = None) -> None:
    if n > bounds.max_rows:
        raise limits.too_many_rows(bounds.max_rows, source, location, what)


def _check_width(n: int, source: str | None, location: str | None = None) -> None:
    if n > limits.MAX_COLUMNS:
        raise limits.too_wide(n, source, location)


def read_text(path: str | Path, *, max_bytes: int, encoding: str | None = None) -> str:
    """A text file (a Mermaid diagram) as ``str``: UTF-8 unless ``encoding`` says otherwise, with the
    same checks and messages as a CSV file (folder, size, byte-order marks, undecodable bytes).

    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "map.mmd")
    >>> _ = open(p, "wb").write("journey section Café".encode("utf-16"))
    >>> try:
    ...     read_text(p, max_bytes=1000)
    ... except SourceError as e:
    ...     print("pass encoding='utf-16'" in str(e))
    True
    """
    p = Path(path)
    name = str(p)
    if p.is_dir():
        raise SourceError("this is a folder, not a file", source=name)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise SourceError("no such file", source=name) from None
    if size > max_bytes:
        raise InputLimitError(f"the file is {limits.describe_bytes(size)}, over the limit of "
                              f"{limits.describe_bytes(max_bytes)}", limit="max_bytes", source=name)
    return _decode(p.read_bytes(), encoding, name)


# ------------------------------------------------------------------------ CSV
def _decode(data: bytes, encoding: str | None, source: str) -> str:
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise SourceError(f"unknown encoding {encoding!r}; common ones are 'utf-8', 'cp1252', 'latin-1' "
                              "and 'utf-16'", source=source) from None
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except UnicodeError as e:
            raise _undecodable(data, e, encoding, source) from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise SourceError(
                f"the file is {name.upper()} text (it starts with a {name.upper()} byte-order mark), not UTF-8; "
                f"pass encoding={name!r}", source=source,
            )
    head = data[:4096]
    if len(head) >= 8 and head.count(0) * 3 > len(head):
        order = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        raise SourceError(f"the file looks like UTF-16 text without a byte-order mark, not UTF-8; "
                          f"pass encoding={order!r}", source=source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _undecodable(data, e, "utf-8", source) from None


def _undecodable(data: bytes, err: UnicodeError, encoding: str, source: str) -> SourceError:
    start = getattr(err, "start", 0)
    before = data[:start].decode(encoding, errors="replace") if start else ""
    line = before.count("\n") + (0 if "\n" in before else before.count("\r")) + 1
    column = len(before) - max(before.rfind("\n"), before.rfind("\r"))
    bad = data[start:start + 1].hex().upper()
    hint = ("files saved by Excel on Windows are usually encoding='cp1252'; pass that, or encoding='latin-1' "
            "(which reads any bytes)") if encoding.replace("-", "").lower() in ("utf8", "utf8sig") else (
            "check which encoding the file was saved in")
    return SourceError(f"not {encoding} text: the byte 0x{bad or '??'} at column {column} cannot be read; {hint}",
                       source=source, location=f"line {line}")


def _dialect(text: str, suffix: str) -> tuple[str, bool]:
    """(delimiter, skip the first line): Excel's ``sep=;`` line, else the most frequent of
    ``, ; tab`` in the header line outside quotes (a linear scan, unlike ``csv.Sniffer``)."""
    if text[:4].lower() == "sep=" and len(text) > 4 and text[4] in ",;\t|" and text[5:6] in ("\r", "\n", ""):
        return text[4], True
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in text[:65536]:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            if ch in "\r\n":
                break
            if ch in counts:
                counts[ch] += 1
    prefer = "\t" if suffix in (".tsv", ".tab") else ","
    order = [prefer] + [d for d in (",", ";", "\t") if d != prefer]
    return max(order, key=lambda d: counts[d]), False


def _read_csv(path: Path, encoding: str | None, bounds: Bounds) -> Table:
    source = str(path)
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise SourceError("this is a zip file (an Excel workbook?), not CSV text; if it is a workbook, give it the "
                          ".xlsx extension", source=source)
    text = _decode(data, encoding, source)
    del data
    delimiter, skip_first = _dialect(text, path.suffix.lower())
    if csv.field_size_limit() <= bounds.max_cell_chars:
        csv.field_size_limit(bounds.max_cell_chars + 1)  # only ever raised; our own check below names the cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[dict] = []
    start = 1
    try:
        if skip_first:
            next(reader, None)
            start = reader.line_num + 1
        for rec in reader:
            where = f"line {start}"
            start = reader.line_num + 1
            if not rec:
                continue
            if header is None:
                _check_width(len(rec), source, where)
                for k, cell in enumerate(rec):
                    if len(cell) > bounds.max_cell_chars:
                        raise limits.long_cell(len(cell), bounds.max_cell_chars, source, where, f"column {k + 1}")
                header = rec
                continue
            _check_count(len(rows) + 1, bounds, source, "the file has", where)
            for k, cell in enumerate(rec):
                if len(cell) > bounds.max_cell_chars:
                    raise limits.long_cell(len(cell), bounds.max_cell_chars, source, where,
                                           header[k] if k < len(header) else f"column {k + 1}")
            rows.append(dict(zip(header, rec)))
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            raise limits.long_cell(None, bounds.max_cell_chars, source, f"line {reader.line_num}", None) from None
        raise SourceError(f"not valid CSV: {e}", source=source, location=f"line {reader.line_num}") from None
    return Table(header or [], rows, source)
