"""Progress of a long bind: rows read and the phase, for a callback, the notebook and the widget.

A bind reports :class:`BindProgress` values: ``"reading"`` (with the rows read
so far and, when known, the total), then ``"encoding"``, ``"sorting"`` and
``"indexing"`` (the touchpoint-level aggregates), and ``"done"``. Reading reports
come at most every 0.1 s; a phase change always reports. A callback that raises
(a ``KeyboardInterrupt`` from the kernel's interrupt button arrives the same way)
stops the bind, and the previous binding stays as it was.

>>> seen = []
>>> rep = Reporter([seen.append], total=10, interval=0.0)
>>> rep.rows(4); rep.phase("sorting"); rep.done()
>>> [(p.phase, p.rows, p.total) for p in seen]
[('reading', 4, 10), ('sorting', 4, 10), ('done', 4, 10)]
>>> seen[0].text
'Reading rows: 4 of 10 (40 %)'
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["BindProgress", "Reporter", "NotebookProgress", "PHASES", "progress_callbacks",
           "shown_progress", "with_progress"]

#: The phases of a bind, in order.
PHASES = ("reading", "encoding", "sorting", "indexing", "done")
_WORDS = {"reading": "Reading rows", "encoding": "Encoding", "sorting": "Sorting events",
          "indexing": "Indexing touchpoints", "done": "Bound"}


def _count(n: int) -> str:
    for unit, div in (("B", 1e9), ("M", 1e6)):
        if n >= div:
            return f"{n / div:.1f}{unit}"
    return f"{n:,}"


@dataclass(frozen=True)
class BindProgress:
    """Where a bind is: ``phase`` (one of :data:`PHASES`), ``rows`` read so far, ``total``
    rows when known (else None), ``elapsed`` seconds since the bind started."""

    phase: str
    rows: int
    total: int | None
    elapsed: float

    @property
    def fraction(self) -> float | None:
        """Share of the rows read (None when the total is unknown)."""
        if not self.total:
            return None
        return min(self.rows / self.total, 1.0)

    @property
    def text(self) -> str:
        """One line for people: ``"Reading rows: 1.2M of 30.0M (4 %)"``."""
        word = _WORDS.get(self.phase, self.phase)
        if self.phase == "reading":
            if self.total:
                return f"{word}: {_count(self.rows)} of {_count(self.total)} ({self.fraction * 100:.0f} %)"
            return f"{word}: {_count(self.rows)}"
        if self.phase == "done":
            return f"{word}: {_count(self.rows)} rows in {self.elapsed:.1f} s"
        return f"{word} ({_count(self.rows)} rows read)"

    def to_dict(self) -> dict:
        """JSON-able (what the widget's ``_progress`` trait carries)."""
        return {"phase": self.phase, "rows": self.rows, "total": self.total,
                "fraction": self.fraction, "text": self.text}


class Reporter:
    """Calls every callback with a :class:`BindProgress`; throttles row counts."""

    def __init__(self, callbacks: list[Callable[[BindProgress], Any]], total: int | None = None,
                 interval: float = 0.1) -> None:
        self.callbacks = [c for c in callbacks if c is not None]
        self.total = total
        self.interval = interval
        self.n = 0
        self.current = "reading"
        self.start = time.perf_counter()
        self._last = -1.0

    def _emit(self) -> None:
        p = BindProgress(self.current, self.n, self.total, time.perf_counter() - self.start)
        for cb in self.callbacks:
            cb(p)

    def rows(self, n: int) -> None:
        """``n`` more rows read."""
        self.n += n
        now = time.perf_counter()
        if now - self._last >= self.interval:
            self._last = now
            self._emit()

    def phase(self, name: str) -> None:
        """A new phase (reported at once when it changes)."""
        if name != self.current:
            self.current = name
            self._emit()

    def done(self) -> None:
        self.current = "done"
        self._emit()


class NotebookProgress:
    """A progress bar under the running cell (ipywidgets), shown once a bind has taken
    ``after`` seconds and removed when it ends. Outside a Jupyter kernel it does nothing."""

    def __init__(self, after: float = 1.0) -> None:
        self.after = after
        self.box: Any = None
        self.active = _in_kernel()

    def __call__(self, p: BindProgress) -> None:
        if not self.active:
            return
        if self.box is None:
            if p.elapsed < self.after or p.phase == "done":
                return
            import ipywidgets as ipw
            from IPython.display import display

            self.bar = ipw.IntProgress(min=0, max=1000, value=0, bar_style="info",
                                       layout=ipw.Layout(width="240px"))
            self.label = ipw.Label("")
            self.box = ipw.HBox([self.bar, self.label])
            display(self.box)
        if p.phase == "done":
            self.close()
            return
        frac = p.fraction
        self.bar.value = int(1000 * frac) if frac is not None and p.phase == "reading" else (
            1000 if p.phase != "reading" else self.bar.value)
        self.label.value = p.text

    def close(self) -> None:
        if self.box is not None:
            self.box.close()
            self.box = None


def _in_kernel() -> bool:
    ip = sys.modules.get("IPython")
    if ip is None:
        return False
    try:
        shell = ip.get_ipython()
    except Exception:  # noqa: BLE001
        return False
    return shell is not None and getattr(shell, "kernel", None) is not None


def progress_callbacks(progress: Any) -> tuple[list[Callable[[BindProgress], Any]], NotebookProgress | None]:
    """The callbacks a ``progress=`` argument asks for, and the notebook bar among them.

    None: a notebook bar for binds longer than a second (in a Jupyter kernel); True: a
    notebook bar at once; False: nothing; a callable: that function only.
    """
    if progress is False:
        return [], None
    if callable(progress) and progress is not True:
        return [progress], None
    bar = NotebookProgress(after=0.0 if progress is True else 1.0)
    return ([bar] if bar.active else []), (bar if bar.active else None)


@contextmanager
def shown_progress(progress: Any, show: Callable[[dict], Any]) -> Iterator[Callable[[BindProgress], None]]:
    """A ``progress=`` callback for a bind that also hands every report to ``show`` as a
    dict (``{}`` once the bind is done, failed or interrupted: the widget's toolbar bar)
    and closes the notebook bar at the end.

    >>> shown = []
    >>> with shown_progress(False, shown.append) as report:
    ...     report(BindProgress("reading", 5, 10, 0.1))
    >>> shown
    [{'phase': 'reading', 'rows': 5, 'total': 10, 'fraction': 0.5, 'text': 'Reading rows: 5 of 10 (50 %)'}, {}]
    """
    callbacks, bar = progress_callbacks(progress)

    def report(p: BindProgress) -> None:
        show(p.to_dict() if p.phase != "done" else {})
        for cb in callbacks:
            cb(p)

    try:
        yield report
    finally:
        show({})
        if bar is not None:
            bar.close()


def with_progress(bind: Callable[..., T], df: Any, kwargs: dict, widget: Any = None) -> T:
    """``bind(df, **kwargs)`` with its ``progress=`` (see :func:`progress_callbacks`) also
    shown in ``widget``'s ``_progress`` trait (the toolbar's bar) while it works.

    >>> class W:
    ...     _progress = None
    >>> w = W()
    >>> with_progress(lambda df, progress: progress(BindProgress("sorting", 3, 3, 0.0)) or df, 7, {}, w)
    7
    >>> w._progress
    {}
    """
    kwargs = dict(kwargs)

    def show(d: dict) -> None:
        if widget is not None:
            widget._progress = d

    with shown_progress(kwargs.pop("progress", None), show) as report:
        return bind(df, progress=report, **kwargs)
