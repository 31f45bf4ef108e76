"""One small observer mechanism for the package: :class:`Signal`.

A journey tells its views that it changed, metrics tell theirs that the numbers
changed, a chart set that its payload may have: each holds a ``Signal``.
``connect`` returns a function that disconnects; ``weak=True`` keeps only a weak
reference to a bound method's object (a journey outlives the widgets it was shown
in). A failing listener does not stop the others nor the edit that triggered it:
it is reported as a ``RuntimeWarning``.

>>> s = Signal("demo listener")
>>> seen = []
>>> stop = s.connect(seen.append)
>>> s.emit(1); stop(); s.emit(2)
>>> seen, len(s)
([1], 0)
"""

from __future__ import annotations

import inspect
import warnings
import weakref
from collections.abc import Callable
from typing import Any

__all__ = ["Signal"]


class Signal:
    """Listeners of one event, called in the order they were connected."""

    def __init__(self, what: str = "listener") -> None:
        self._what = what
        self._slots: list[tuple[object, Any, bool]] = []  # (token, callback or weak ref, weak)

    def connect(self, callback: Callable[..., Any], *, weak: bool = False) -> Callable[[], None]:
        """Call ``callback(*args)`` on every :meth:`emit`; returns the function that disconnects it.

        ``weak=True``: hold the callback (a bound method: its object) weakly; it is
        dropped once that object is gone.
        """
        if not callable(callback):
            raise TypeError(f"a listener must be callable, got {type(callback).__name__}")
        target: Any = callback
        if weak:
            target = weakref.WeakMethod(callback) if inspect.ismethod(callback) else weakref.ref(callback)
        token = object()
        self._slots.append((token, target, weak))

        def disconnect() -> None:
            self._slots = [slot for slot in self._slots if slot[0] is not token]

        return disconnect

    def emit(self, *args: Any, stacklevel: int = 3) -> None:
        """Call every listener with ``args``; a listener that raises is reported as a warning."""
        errors: list[Exception] = []
        dead = False
        for _token, target, weak in list(self._slots):
            callback = target() if weak else target
            if callback is None:
                dead = True
                continue
            try:
                callback(*args)
            except Exception as err:  # a broken listener must not break the others nor the edit
                errors.append(err)
        if dead:
            self._slots = [s for s in self._slots if not s[2] or s[1]() is not None]
        if errors:
            warnings.warn(f"{self._what} failed: {errors[0]!r}", RuntimeWarning, stacklevel=stacklevel)

    def clear(self) -> None:
        """Disconnect every listener."""
        self._slots = []

    def __len__(self) -> int:
        """How many listeners are connected (weak ones whose object is gone do not count)."""
        return sum(1 for _t, target, weak in self._slots if not weak or target() is not None)

    def __repr__(self) -> str:
        return f"<Signal {self._what}: {len(self)} listeners>"
