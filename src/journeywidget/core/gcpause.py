"""Pause Python's cyclic garbage collector while a big document is built.

Validating or importing a 100,000-touchpoint map allocates millions of small dicts and
lists that are all alive until the end; every allocation burst makes the collector walk
that growing heap again, which costs more than the work itself (measured: validating a
100,000-touchpoint document took 3.7 s with the collector on, 0.9 s with it paused).
Nothing built here forms reference cycles, so pausing loses nothing; the collector's
previous state is restored afterwards, also on errors.

>>> import gc
>>> with paused_gc():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector inside the block (nested uses are fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
