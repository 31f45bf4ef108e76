"""Bounds on what one edit may carry, and how much of a bad value an error message repeats.

The bounds shared with the front end are in ``limits.json`` beside this module (the
standalone page's op applier bundles the same file):

* ``MAX_OPS_PER_MESSAGE``: operations in one message from the page (nested ones counted);
  a script's ``Journey.batch`` has no such cap.
* ``MAX_BATCH_DEPTH``: batches inside batches, for every caller.
* ``MAX_NUMBER``: the largest magnitude a number in a document may have, 2**53 - 1, so
  JSON and JavaScript carry every number exactly.

:func:`brief` shows a value from outside in a message without repeating all of it.

>>> from journeywidget.core.limits import MAX_NUMBER, brief
>>> MAX_NUMBER == 2**53 - 1
True
>>> brief("x" * 1000)
"'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' (1,000 characters)"
>>> brief(10**5000), brief([1, 2, 3]), brief(None)
('a whole number of 5,001 digits', 'a list of 3 items', 'None')
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

__all__ = ["MAX_OPS_PER_MESSAGE", "MAX_BATCH_DEPTH", "MAX_NUMBER", "MAX_MESSAGE_CHARS", "brief", "bounded_message"]

_L: dict[str, Any] = json.loads((Path(__file__).resolve().parent / "limits.json").read_text(encoding="utf-8"))

MAX_OPS_PER_MESSAGE: int = _L["max_ops_per_message"]
MAX_BATCH_DEPTH: int = _L["max_batch_depth"]
MAX_NUMBER: int = _L["max_number"]
#: The longest error message the page is shown (the widget's ``_error``).
MAX_MESSAGE_CHARS = 2_000


def brief(value: Any, limit: int = 60) -> str:
    """``repr(value)`` for a message, at most about ``limit`` characters, whatever ``value`` is.

    Long text is cut with an ellipsis and its length; lists and objects are described,
    not printed (they may be huge or nested without end); huge integers by their digits.
    """
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        head = repr(value[: max(1, limit - 8)])
        return f"{head[:-1]}…{head[-1]} ({len(value):,} characters)"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() <= 64:
            return repr(value)
        digits = math.floor(value.bit_length() * math.log10(2)) + 1
        if abs(value) < 10 ** (digits - 1):
            digits -= 1
        return f"a whole number of {digits:,} digits"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value):,} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return f"an object with {len(value):,} key{'s' if len(value) != 1 else ''}"
    return f"a {type(value).__name__}"


def bounded_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` cut to at most ``limit`` characters, saying how much was left out.

    >>> bounded_message("a" * 30, limit=24)
    'aaaaaaa… (30 characters)'
    """
    if len(text) <= limit:
        return text
    tail = f"… ({len(text):,} characters)"
    return text[: max(0, limit - len(tail))] + tail
