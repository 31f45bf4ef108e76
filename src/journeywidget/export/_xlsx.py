"""A lean, bounded reader of the first table in an .xlsx sheet, for :func:`~journeywidget.export.from_table`.

Why not openpyxl (which writes our workbooks)? Reading, it parses every sheet once just
to find its size, pads rows to the widest column a file declares and iterates the gaps
between row numbers, so a 100,000-row sheet takes seconds and a small hostile file can
take minutes; its failures on damaged files come as dozens of exception classes. This
reader streams the sheet through expat once (about 7x faster), reads only what a table
needs (cell values, shared strings, which styles are dates), and is bounded everywhere:

* the zip directory is checked before anything is unpacked (:func:`.limits.check_zip`);
* documents with a DTD or entity declarations are refused (no entity expansion, no
  external entities: OOXML never uses them);
* columns past the header are ignored, empty rows cost nothing, and the row count and
  each cell's length are checked as they are read;
* every failure becomes a :class:`jw.SourceError` naming the file, sheet, row and column.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from pyexpat import ParserCreate
from typing import Any

from ..core.errors import JourneyError, SourceError
from . import limits

__all__ = ["read_xlsx"]

_REL_DOC = "/officeDocument"
# Built-in number formats that show dates or times (ECMA-376 18.8.30, and the East Asian ones).
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)])
_FORMAT_NOISE = re.compile(r'\[[^\]]*\]|"[^"]*"|\\.|_.|\*.')
_DATE_TOKEN = re.compile(r"[dmyhs]", re.I)
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d*)$")


def _local(name: str) -> str:
    """The local name of a tag or attribute (``"c"``, or a prefixed ``"x:c"``, ``"r:id"``)."""
    return name.rpartition(":")[2]


class _Refused(Exception):
    """A DTD or entity declaration in a workbook part."""


def _parse(zf: zipfile.ZipFile, part: str, start: Callable, end: Callable | None = None,
           text: Callable | None = None, *, raw: bool = False) -> None:
    """Stream one zip part through expat with the given handlers, which get local names
    (or, with ``raw``, expat's names, for handlers that call :func:`_local` themselves)."""
    parser = ParserCreate()  # no namespace processing: tags are matched by local name, whatever the prefix
    parser.buffer_text = True
    parser.buffer_size = 1 << 16

    def refuse(*_args: Any) -> None:
        raise _Refused(f"the part {part!r} declares a DTD or entities, which a workbook never does")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start if raw else (lambda name, attrs: start(_local(name), attrs))
    if end is not None:
        parser.EndElementHandler = end if raw else (lambda name: end(_local(name)))
    if text is not None:
        parser.CharacterDataHandler = text
    with zf.open(part) as fh:
        while True:
            chunk = fh.read(1 << 20)
            parser.Parse(chunk, not chunk)
            if not chunk:
                break


def _attr(attrs: dict, local: str) -> str | None:
    """An attribute by local name, whatever its namespace (``r:id``, ``id``)."""
    if local in attrs:
        return attrs[local]
    for k, v in attrs.items():
        if _local(k) == local:
            return v
    return None


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, part name) of ``part`` (``""`` for the package)."""
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", name + ".rels")
    out: dict[str, tuple[str, str]] = {}
    if rels_part not in zf.NameToInfo:
        return out

    def start(tag: str, attrs: dict) -> None:
        if tag == "Relationship" and attrs.get("Id") and attrs.get("Target") and attrs.get("TargetMode") != "External":
            target = attrs["Target"]
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[attrs["Id"]] = (attrs.get("Type", ""), path)

    _parse(zf, rels_part, start)
    return out


def _is_date_format(code: str) -> bool:
    return bool(_DATE_TOKEN.search(_FORMAT_NOISE.sub("", code.split(";")[0])))


class _Book:
    """The workbook's sheets, shared strings and date styles."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        doc = next((p for t, p in _rels(zf, "").values() if t.endswith(_REL_DOC)), "xl/workbook.xml")
        rels = _rels(zf, doc)
        self.sheets: list[tuple[str, str]] = []  # (name, part)
        self.epoch1904 = False

        def start(tag: str, attrs: dict) -> None:
            if tag == "sheet":
                rid = _attr(attrs, "id")
                rtype, path = rels.get(rid or "", ("", ""))
                if rtype.endswith("/worksheet") and path:
                    self.sheets.append((attrs.get("name") or f"Sheet{len(self.sheets) + 1}", path))
            elif tag == "workbookPr":
                self.epoch1904 = attrs.get("date1904") in ("1", "true")

        _parse(zf, doc, start)
        self._strings_part = next((p for t, p in rels.values() if t.endswith("/sharedStrings")), None)
        self._styles_part = next((p for t, p in rels.values() if t.endswith("/styles")), None)
        self.strings: list[str] = []
        self.date_styles: set[int] = set()

    def load_strings(self) -> None:
        if not self._strings_part or self._strings_part not in self.zf.NameToInfo:
            return
        parts: list[str] = []
        state = {"t": False, "phonetic": 0}

        def start(tag: str, attrs: dict) -> None:
            if tag == "si":
                parts.clear()
            elif tag == "t":
                state["t"] = True
            elif tag == "rPh":
                state["phonetic"] += 1

        def end(tag: str) -> None:
            if tag == "si":
                self.strings.append("".join(parts))
            elif tag == "t":
                state["t"] = False
            elif tag == "rPh":
                state["phonetic"] -= 1

        def text(data: str) -> None:
            if state["t"] and not state["phonetic"]:
                parts.append(data)

        _parse(self.zf, self._strings_part, start, end, text)

    def load_styles(self) -> None:
        if not self._styles_part or self._styles_part not in self.zf.NameToInfo:
            return
        custom: dict[int, str] = {}
        xfs: list[int] = []
        state = {"cellXfs": False}

        def start(tag: str, attrs: dict) -> None:
            if tag == "numFmt" and (attrs.get("numFmtId") or "").isdigit():
                custom[int(attrs["numFmtId"])] = attrs.get("formatCode") or ""
            elif tag == "cellXfs":
                state["cellXfs"] = True
            elif tag == "xf" and state["cellXfs"]:
                fid = attrs.get("numFmtId") or "0"
                xfs.append(int(fid) if fid.isdigit() else 0)

        def end(tag: str) -> None:
            if tag == "cellXfs":
                state["cellXfs"] = False

        _parse(self.zf, self._styles_part, start, end)
        for i, fid in enumerate(xfs):
            if fid in custom:
                if _is_date_format(custom[fid]):
                    self.date_styles.add(i)
            elif fid in _DATE_FORMAT_IDS:
                self.date_styles.add(i)

    def as_date(self, serial: float) -> Any:
        """An Excel date serial as ``datetime`` (``time`` for a fraction of a day), to the millisecond."""
        day, fraction = divmod(serial, 1)
        diff = timedelta(milliseconds=round(fraction * 86_400_000))
        if 0 <= serial < 1 and diff.days == 0:
            return (datetime.min + diff).time()
        if self.epoch1904:
            return datetime(1904, 1, 1) + timedelta(days=day) + diff
        if 0 < serial < 60:  # Excel counts a 29 February 1900 that never was
            day += 1
        return datetime(1899, 12, 30) + timedelta(days=day) + diff


_COLUMNS: dict[str, int] = {}


def _column(ref: str | None, previous: int) -> int:
    """0-based column of a cell reference such as ``"AB12"``; the next column when there is none."""
    if not ref:
        return previous + 1
    letters = ref.rstrip("0123456789")
    col = _COLUMNS.get(letters)
    if col is None:
        if not _CELL_REF.match(ref):
            raise ValueError(f"bad cell reference {ref[:20]!r}")
        col = -1
        for ch in letters.upper():
            col = (col + 1) * 26 + ord(ch) - 65
        if len(_COLUMNS) < 20_000:
            _COLUMNS[letters] = col
    return col


def _number(text: str) -> int | float:
    s = text.strip()
    if len(s) > 400:
        raise ValueError("a number cell longer than 400 characters")
    return float(s) if any(c in s for c in ".eEnN") else int(s)


def pick_sheet(names: list[str], sheet: Any, source: str) -> int:
    """The index of ``sheet`` (a name, any case, or a number from 0) among ``names``.

    >>> pick_sheet(["Touchpoints", "Notes"], "notes", "map.xlsx")
    1
    >>> pick_sheet(["Touchpoints"], 5, "map.xlsx")
    Traceback (most recent call last):
    ...
    journeywidget.core.errors.SourceError: map.xlsx, 'sheet': the workbook has no sheet number 5 (sheets count from 0); its sheets: 0 'Touchpoints'
    """
    listing = ", ".join(f"{i} {n!r}" for i, n in enumerate(names[:20])) + (" ..." if len(names) > 20 else "")
    if not names:
        raise SourceError("the workbook has no worksheets", source=source)
    if sheet is None:
        return 0
    if isinstance(sheet, str):
        if sheet in names:
            return names.index(sheet)
        folded = [n.casefold() for n in names]
        if sheet.casefold() in folded:
            return folded.index(sheet.casefold())
        raise SourceError(f"the workbook has no sheet named {sheet!r}; its sheets: {listing}. Pass sheet= one of "
                          "these names or numbers", source=source, field="sheet")
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(names):
            return sheet
        raise SourceError(f"the workbook has no sheet number {sheet} (sheets count from 0); its sheets: {listing}",
                          source=source, field="sheet")
    raise SourceError(f"sheet= takes a sheet name or a number from 0, got {sheet!r}", source=source, field="sheet")


def read_xlsx(path: Path, sheet: Any, *, max_unpacked: int, max_ratio: float, max_rows: int,
              max_cell_chars: int) -> tuple[list[str], list[dict]]:
    """(header, rows) of one sheet of the workbook at ``path``; the header is the first row with a value."""
    source = str(path)
    limits.check_zip(path, max_unpacked=max_unpacked, max_ratio=max_ratio)
    where = "the workbook"
    try:
        with zipfile.ZipFile(path) as zf:
            book = _Book(zf)
            index = pick_sheet([n for n, _ in book.sheets], sheet, source)
            title, part = book.sheets[index]
            where = f"sheet {title!r}"
            book.load_strings()
            book.load_styles()
            return _read_sheet(book, part, title, source, max_rows, max_cell_chars)
    except (JourneyError, MemoryError):
        raise
    except _SheetError as e:
        raise SourceError(f"not a readable Excel workbook ({e.reason}); open it in Excel and save it again, or save "
                          "the sheet as CSV", source=source, location=e.where) from None
    except Exception as e:  # expat, zipfile, zlib, int() and friends on a damaged file: one error, naming the place
        detail = str(e).splitlines()[0][:200] if str(e) else ""
        if isinstance(e, KeyError):
            detail = f"it lacks the part {detail}"
        kind = "" if isinstance(e, _Refused) else type(e).__name__ + (": " if detail else "")
        raise SourceError(f"not a readable Excel workbook ({kind}{detail}); "
                          "open it in Excel and save it again, or save the sheet as CSV",
                          source=source, location=where) from None


class _SheetError(Exception):
    def __init__(self, reason: str, where: str) -> None:
        super().__init__(reason)
        self.reason, self.where = reason, where


def _read_sheet(book: _Book, part: str, title: str, source: str, max_rows: int,
                max_cell_chars: int) -> tuple[list[str], list[dict]]:
    """The table of one sheet. The handlers run for every element of a sheet that may hold millions,
    so they keep their state in closure variables and compare short tags first (a few times faster
    than the obvious code)."""
    strings, date_styles = book.strings, book.date_styles
    header: list[str] = []
    width = 1 << 30  # len(header), once the header row is read
    rows: list[dict] = []
    row_no, col, kind, style, in_text, phonetic = 0, -1, "n", 0, False, 0
    cells: dict[int, Any] = {}
    text: list[str] = []
    tags: dict[str, str] = {}

    def tag_of(name: str) -> str:
        tag = _local(name)
        if len(tags) < 1000:  # a sheet uses a dozen element names; a hostile one gets no bigger cache
            tags[name] = tag
        return tag

    def where() -> str:
        return f"sheet {title!r} row {row_no}"

    def start(name: str, attrs: dict) -> None:
        nonlocal row_no, col, kind, style, in_text, phonetic
        tag = tags.get(name) or tag_of(name)
        if tag == "c":
            ref = attrs.get("r")
            if ref:
                known = _COLUMNS.get(ref.rstrip("0123456789"))
                col = _column(ref, col) if known is None else known
            else:
                col += 1
            kind = attrs.get("t") or "n"
            s = attrs.get("s")
            style = int(s) if s and s.isdigit() and len(s) < 10 else 0
            text.clear()
        elif tag == "t" or tag == "v":
            in_text = True
        elif tag == "row":
            r = attrs.get("r")
            row_no = int(r) if r and r.isdigit() and len(r) < 10 else row_no + 1
            col = -1
            cells.clear()
        elif tag == "rPh":
            phonetic += 1

    def text_in(data: str) -> None:
        if in_text and not phonetic:
            text.append(data)

    def end(name: str) -> None:
        nonlocal in_text, phonetic, width
        tag = tags.get(name) or tag_of(name)
        if tag == "t" or tag == "v":
            in_text = False
        elif tag == "c":
            if col >= width:
                return  # past the table
            raw = "".join(text)
            try:
                if kind == "inlineStr" or kind == "str" or kind == "e":
                    value: Any = raw
                elif kind == "s":
                    value = strings[int(raw)] if raw.strip() else None
                elif not raw.strip():
                    value = None
                elif kind == "b":
                    value = raw.strip() in ("1", "true")
                elif kind == "d":
                    value = raw
                else:
                    value = _number(raw)
                    if style in date_styles:
                        value = book.as_date(value)
            except (ValueError, IndexError, OverflowError) as e:
                raise _SheetError(f"{type(e).__name__}: {str(e)[:120]}", f"{where()}, column {col + 1}") from None
            if value.__class__ is str and len(value) > max_cell_chars:
                column = header[col] if col < len(header) else f"column {col + 1}"
                raise limits.long_cell(len(value), max_cell_chars, source, where(), column)
            cells[col] = value
        elif tag == "row":
            if not header:
                found = ["" if cells.get(k) is None else str(cells[k]) for k in range(max(cells, default=-1) + 1)]
                while found and not found[-1].strip():
                    found.pop()
                if len(found) > limits.MAX_COLUMNS:
                    raise limits.too_wide(len(found), source, where())
                header.extend(found)
                width = len(header) if header else 1 << 30
                return
            if not any(v is not None and v != "" for v in cells.values()):
                return
            if len(rows) >= max_rows:
                raise limits.too_many_rows(max_rows, source, where(), "the sheet has")
            rows.append({h: cells.get(k) for k, h in enumerate(header)})
        elif tag == "rPh":
            phonetic -= 1

    _parse(book.zf, part, start, end, text_in, raw=True)
    return header, rows
