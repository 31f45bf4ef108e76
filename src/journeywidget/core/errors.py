"""Errors raised by journeywidget.

Every error the package raises on bad input is a :class:`JourneyError`, a
``ValueError`` subclass, so ``except ValueError`` keeps working for callers that
do not know this package.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BindingError", "DocumentError", "ErrorDetail", "FileWriteError", "InputLimitError", "JourneyError",
    "OperationError", "SaveConflictError", "SourceError", "format_path",
]


class JourneyError(ValueError):
    """Base class of every error journeywidget raises on bad input."""


@dataclass(frozen=True)
class ErrorDetail:
    """One problem in a document: where (a JSON path such as ``$.stages[2].name``) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def format_path(loc: tuple | list) -> str:
    """Turn a location tuple such as ``("stages", 2, "name")`` into ``$.stages[2].name``."""
    out = "$"
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part)
            if text.replace("_", "").replace("-", "").isalnum():
                out += f".{text}"
            else:
                out += "[" + repr(text) + "]"
    return out


class DocumentError(JourneyError):
    """A journey document (a dict, a JSON string or a file) is not valid.

    ``errors`` lists every problem found, each with its JSON path.

    >>> import journeywidget as jw
    >>> try:
    ...     jw.Journey.from_dict({"schema_version": 1, "title": ""})
    ... except jw.DocumentError as e:
    ...     print(e.errors[0].path)
    $.id
    """

    def __init__(self, errors: list[ErrorDetail], source: str | None = None):
        self.errors = list(errors)
        self.source = source
        where = f" in {source}" if source else ""
        n = len(self.errors)
        head = f"invalid journey document{where} ({n} problem{'s' if n != 1 else ''}):"
        shown = self.errors[:50]
        lines = [head] + [f"  {e}" for e in shown]
        if n > len(shown):
            lines.append(f"  ... and {n - len(shown)} more")
        super().__init__("\n".join(lines))

    @property
    def paths(self) -> list[str]:
        """The JSON paths of all problems."""
        return [e.path for e in self.errors]


class OperationError(JourneyError):
    """An edit operation was refused; the journey is unchanged."""


class BindingError(JourneyError):
    """Data could not be bound: names the column and says how to fix it.

    >>> err = BindingError("column 'ts' is not in the events data", "ts", "pass time='timestamp'")
    >>> str(err), err.column
    ("column 'ts' is not in the events data. Fix: pass time='timestamp'", 'ts')
    """

    def __init__(self, message: str, column: str | None = None, fix: str | None = None):
        self.column = column
        self.fix = fix
        text = message
        if fix:
            text += f". Fix: {fix}"
        super().__init__(text)


class SourceError(JourneyError):
    r"""An imported table or diagram (CSV, Excel, Mermaid) cannot be read.

    ``source`` is the file (or ``None`` for text and DataFrames), ``location`` where in it
    (``"line 12"``, ``"sheet 'Touchpoints' row 4"``) and ``field`` the column or field, when known.

    >>> import journeywidget as jw
    >>> try:
    ...     jw.export.from_mermaid("journey\n  section A\n    Task: five: Me")
    ... except jw.SourceError as e:
    ...     print(e.location, e.field)
    line 3 score
    """

    def __init__(self, message: str, *, source: str | None = None, location: str | None = None,
                 field: str | None = None) -> None:
        self.source, self.location, self.field, self.reason = source, location, field, message
        where = ", ".join(p for p in (source, location, f"{field!r}" if field else None) if p)
        super().__init__(f"{where}: {message}" if where else message)


class InputLimitError(SourceError):
    """An input is over one of the import limits (size, rows, cell length, nesting).

    ``limit`` names the keyword argument that raises the limit, when there is one.
    """

    def __init__(self, message: str, *, limit: str | None = None, **where: str | None) -> None:
        self.limit = limit
        super().__init__(message, **where)


class FileWriteError(JourneyError, OSError):
    """A file was not written because writing it would lose something (a read-only file,
    a folder in the way, a newer version on disk). The file on disk is unchanged; ``path``
    names it. It is also an ``OSError``, so ``except OSError`` around a save still works."""

    def __init__(self, message: str, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)


class SaveConflictError(FileWriteError):
    """``Journey.save`` refused: the file changed on disk since this journey loaded or last saved it.

    Nothing was written. Load the other version and merge (``j.diff(jw.Journey.load(path))``),
    or replace it with ``j.save(path, overwrite=True)``.
    """
