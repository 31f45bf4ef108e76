"""What an import may read: the bounds :func:`~journeywidget.export.from_table` and
:func:`~journeywidget.export.from_mermaid` enforce before they spend time or memory.

Each bound is a module constant; the importers take a keyword argument that
raises it for one call (``from_table(path, max_bytes=200_000_000)``), and setting
the constant (``jw.export.limits.MAX_ROWS = 500_000``) changes the default.
An input over a bound is refused early with :class:`jw.InputLimitError`, which
names the bound and the keyword.

=====================  ======================  =====================================================
constant               keyword                 what it bounds
=====================  ======================  =====================================================
``MAX_TABLE_BYTES``    ``max_bytes``           a table file's size on disk (CSV or .xlsx)
``MAX_UNPACKED_BYTES`` ``max_unpacked``        an .xlsx's total unpacked size (XML is ~10x its CSV)
``MAX_ROWS``           ``max_rows``            data rows of a table
``MAX_CELL_CHARS``     ``max_cell_chars``      characters in one cell
``MAX_ZIP_RATIO``      ``max_ratio``           unpacked / packed size of one part of an .xlsx
``MAX_ZIP_MEMBERS``    (constant only)         parts inside an .xlsx (a workbook has a few dozen)
``MAX_COLUMNS``        (constant only)         columns of a table
``MAX_MERMAID_CHARS``  ``max_chars``           characters of a Mermaid diagram
``MAX_META_DEPTH``     (constant only)         nesting of a ``%% journeywidget:`` comment's JSON
=====================  ======================  =====================================================

>>> from journeywidget.export import limits
>>> limits.describe_bytes(limits.MAX_TABLE_BYTES)
'64 MiB'
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..core.errors import InputLimitError, SourceError

__all__ = [
    "MAX_TABLE_BYTES", "MAX_UNPACKED_BYTES", "MAX_ROWS", "MAX_CELL_CHARS", "MAX_ZIP_RATIO", "MAX_ZIP_MEMBERS", "MAX_COLUMNS",
    "MAX_MERMAID_CHARS", "MAX_META_DEPTH", "check_zip", "json_depth", "describe_bytes", "map_capacity",
    "too_many_rows", "too_wide", "long_cell",
]

MAX_TABLE_BYTES = 64 * 1024 * 1024
#: Our own .xlsx of a map at its largest (100,000 touchpoints) unpacks to about 70 MiB.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_ROWS = 200_000
MAX_CELL_CHARS = 100_000
#: Only parts bigger than :data:`ZIP_RATIO_FLOOR` unpacked are held to the ratio (small XML compresses well).
MAX_ZIP_RATIO = 100
ZIP_RATIO_FLOOR = 1024 * 1024
MAX_ZIP_MEMBERS = 10_000
MAX_COLUMNS = 1_000
MAX_MERMAID_CHARS = 32 * 1024 * 1024
MAX_META_DEPTH = 32


def describe_bytes(n: float) -> str:
    """``n`` bytes for a message: ``'64 MiB'``, ``'1.5 KiB'``, ``'812 bytes'``."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            v = n / size
            return f"{v:.0f} {unit}" if v == int(v) else f"{v:.1f} {unit}"
    return f"{int(n)} bytes"


def map_capacity(collection: str) -> int:
    """How many items a journey document may hold in ``collection`` (``"stages"``, ``"touchpoints"``...)."""
    from ..document.schema import JourneyDocument

    for m in JourneyDocument.model_fields[collection].metadata:
        if getattr(m, "max_length", None) is not None:
            return int(m.max_length)
    raise KeyError(collection)  # pragma: no cover - every collection is bounded by the schema


def too_many_rows(max_rows: int, source: str | None, location: str | None, what: str = "the table has") -> InputLimitError:
    """The error for a table with more than ``max_rows`` rows."""
    return InputLimitError(
        f"{what} more than {max_rows:,} rows; pass max_rows= a larger number to read it "
        f"(a map holds at most {map_capacity('touchpoints'):,} touchpoints)",
        limit="max_rows", source=source, location=location,
    )


def too_wide(n: int, source: str | None, location: str | None) -> InputLimitError:
    """The error for a header with more than :data:`MAX_COLUMNS` columns."""
    return InputLimitError(
        f"the header has {n:,} columns, over the limit of {MAX_COLUMNS:,} (jw.export.limits.MAX_COLUMNS); "
        "is this the right file?", source=source, location=location,
    )


def long_cell(n: int | None, max_cell_chars: int, source: str | None, location: str, column: str | None,
              ) -> InputLimitError:
    """The error for a cell longer than ``max_cell_chars`` (``n`` characters, when known)."""
    return InputLimitError(
        f"the cell has {'more than ' if n is None else ''}{n or max_cell_chars:,} characters, "
        f"over the limit of {max_cell_chars:,}; "
        "pass max_cell_chars= a larger number to read it", limit="max_cell_chars",
        source=source, location=location, field=column,
    )


def check_zip(path: Path, *, max_unpacked: int, max_ratio: float) -> None:
    """Refuse an .xlsx whose central directory promises too much: many parts, a large total
    unpacked size, or one part that unpacks far more than its packed size (a zip bomb).

    Only the directory is read, so this takes milliseconds whatever the file holds. The sizes
    it checks are hard bounds: Python's zip reader never unpacks more than a part declares.
    """
    source = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except MemoryError:
        raise
    except Exception as e:  # BadZipFile, NotImplementedError ("zip file version 14.8"), struct.error...
        raise SourceError(
            f"not a readable Excel workbook (the zip container is damaged: {type(e).__name__}: {str(e)[:200]}); "
            "open it in Excel and "
            "save it again, or save the sheet as CSV", source=source,
        ) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise InputLimitError(
            f"the workbook holds {len(infos):,} parts, over the limit of {MAX_ZIP_MEMBERS:,} "
            "(jw.export.limits.MAX_ZIP_MEMBERS); it is not a plain spreadsheet", source=source,
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > ZIP_RATIO_FLOOR and info.file_size > max_ratio * max(info.compress_size, 1):
            raise InputLimitError(
                f"the part {info.filename!r} unpacks to {describe_bytes(info.file_size)} from "
                f"{describe_bytes(info.compress_size)} (ratio {info.file_size / max(info.compress_size, 1):,.0f}, "
                f"over the limit of {max_ratio:,.0f}); this looks like a zip bomb. If the workbook is genuine, "
                "save the sheet as CSV or pass max_ratio= a larger number", limit="max_ratio", source=source,
            )
    if total > max_unpacked:
        raise InputLimitError(
            f"the workbook unpacks to {describe_bytes(total)}, over the limit of {describe_bytes(max_unpacked)}; "
            "pass max_unpacked= a larger number to read it", limit="max_unpacked", source=source,
        )


def json_depth(text: str, limit: int) -> int:
    """The nesting depth of the JSON ``text`` (``[`` and ``{`` outside strings), counting
    only up to ``limit + 1``; linear in the text, with no recursion.

    >>> json_depth('{"a": [1, {"b": "[[["}]}', 32)
    3
    """
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif ch in "]}":
            depth -= 1
    return deepest
