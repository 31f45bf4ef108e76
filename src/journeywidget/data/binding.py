"""Opening the engine of an event log: the input read and encoded, progress reported, and
nothing left behind when the bind is interrupted.

:func:`build_engine` is what ``JourneyMetrics.bind_events`` runs before it swaps the new
binding in: PySpark DataFrames get the Spark engine; every other input is encoded
(:func:`journeywidget.data.builder.store_of`, batch by batch for files and lazy inputs)
for the numpy engine, which is then indexed for the map. A ``KeyboardInterrupt`` (the
kernel's interrupt) or an error on the way propagates, and the arrays built so far are
freed: the traceback IPython keeps holds none of them.

>>> import pandas as pd
>>> df = pd.DataFrame({"user": ["a", "a"], "ts": [1, 2], "event": ["x", "y"]})
>>> cols = {"customer": "user", "time": "ts", "touchpoint": "event"}
>>> seen = []
>>> engine, n = build_engine(df, cols, seen.append, lambda e: len(e.keys))
>>> engine.name, n, [p.phase for p in seen]
('pandas', 2, ['reading', 'encoding', 'sorting', 'indexing', 'done'])
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from .builder import store_of
from .engine import Engine
from .frames import backend_of, check_columns
from .numpy_engine import NumpyEngine
from .progress import Reporter, progress_callbacks
from .sources import is_source_input
from .spark_engine import SparkEngine

__all__ = ["build_engine", "open_engine"]

T = TypeVar("T")


def open_engine(df: Any, cols: dict[str, str | None], reporter: Reporter | None = None,
                gap_ns: int | None = None) -> Engine:
    """The engine for an input: Spark's own for PySpark, else numpy on the encoded events
    (files and lazy inputs read in batches, see :func:`journeywidget.data.builder.store_of`);
    ``gap_ns``: split sessions at gaps longer than this (``cols["session"]``: a column)."""
    backend = "files" if is_source_input(df) else backend_of(df)
    if backend == "spark":
        check_columns(df, cols)
        return SparkEngine(df, **cols, session_gap_ns=gap_ns)
    return NumpyEngine(store_of(df, cols, backend, reporter, gap_ns))


def build_engine(df: Any, cols: dict[str, str | None], progress: Any,
                 index: Callable[[Engine], T], gap_ns: int | None = None) -> tuple[Engine, T]:
    """Open the engine of ``df`` and ``index(engine)`` it, reporting progress (``progress``:
    see :func:`journeywidget.data.progress.progress_callbacks`); returns both."""
    callbacks, bar = progress_callbacks(progress)
    reporter = Reporter(callbacks)
    try:
        engine = open_engine(df, cols, reporter, gap_ns)
        reporter.phase("indexing")
        indexed = index(engine)
        reporter.done()
    except BaseException as err:
        engine = None  # the frames below this one have ended: clear their locals
        traceback.clear_frames(err.__traceback__)
        raise
    finally:
        if bar is not None:
            bar.close()
    return engine, indexed
