"""Errors raised by journeywidget.

Every error the package raises on bad input is a :class:`JourneyError`, a
``ValueError`` subclass, so ``except ValueError`` keeps working for callers that
do not know this package.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BindingError", "DocumentError", "ErrorDetail", "JourneyError", "OperationError", "format_path",
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
