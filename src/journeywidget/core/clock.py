"""The clock of the document: ``created`` is a UTC time, ``modified`` a UTC date.

>>> import re
>>> bool(re.fullmatch(r"\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z", now_iso()))
True
>>> len(today())
10
"""

from __future__ import annotations

from datetime import datetime, timezone

__all__ = ["now_iso", "today"]


def now_iso() -> str:
    """Now, in UTC, to the second, as ``2026-11-23T20:11:16Z``."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def today() -> str:
    """Today's UTC date as ``2026-11-23``."""
    return datetime.now(timezone.utc).date().isoformat()
