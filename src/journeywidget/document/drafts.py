"""Named drafts (checkpoints) kept beside the map, so they survive a restart.

``map.journey.json`` keeps its drafts in ``map.journey.json.drafts.json``, written
atomically when the map is saved and read back when it is loaded. Saving never drops a
draft the file already holds: drafts of the journey replace those of the same name,
the others stay. A drafts file that cannot be read is left as it is, with a warning.

>>> import journeywidget as jw, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "map.journey.json")
>>> j = jw.Journey("Demo"); _ = j.add_stage("Start"); j.checkpoint("workshop draft")
>>> j.save(path); os.path.basename(drafts_path(path))
'map.journey.json.drafts.json'
>>> [c.name for c in jw.Journey.load(path).checkpoints()]
['workshop draft']
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..core.errors import DocumentError
from .history import Checkpoint
from .io import parse_json, validate_document, write_file

__all__ = ["drafts_path", "read_drafts", "write_drafts"]

_FORMAT = "journeywidget drafts"


def drafts_path(path: str | os.PathLike) -> Path:
    """Where the drafts of the map at ``path`` are kept: ``<file>.drafts.json``."""
    p = Path(path)
    return p.with_name(p.name + ".drafts.json")


def _stamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _entries(path: Path) -> list[dict] | None:
    """The raw draft entries in the file ([] if there is none; None if it cannot be read)."""
    try:
        data = parse_json(path.read_bytes(), str(path))
    except FileNotFoundError:
        return []
    except (OSError, DocumentError) as err:
        warnings.warn(f"drafts file {path} cannot be read ({err}); it is left as it is", RuntimeWarning, stacklevel=4)
        return None
    if not (isinstance(data, dict) and data.get("format") == _FORMAT and isinstance(data.get("drafts"), list)):
        warnings.warn(f"{path} is not a journeywidget drafts file; it is left as it is", RuntimeWarning, stacklevel=4)
        return None
    return [d for d in data["drafts"] if isinstance(d, dict) and isinstance(d.get("name"), str)]


def read_drafts(path: str | os.PathLike) -> list[Checkpoint]:
    """The drafts kept beside the map at ``path``, oldest first (drafts that do not validate are skipped, with a warning)."""
    file = drafts_path(path)
    out = []
    for entry in _entries(file) or []:
        try:
            created = datetime.fromisoformat(str(entry.get("created", "")).replace("Z", "+00:00"))
            doc = validate_document(entry.get("document"), f"{file} draft {entry['name']!r}")
        except (ValueError, DocumentError) as err:
            warnings.warn(f"skipped draft {entry['name']!r} in {file}: {err}", RuntimeWarning, stacklevel=3)
            continue
        if created.tzinfo is None:
            created = created.replace(tzinfo=timezone.utc)
        out.append(Checkpoint(entry["name"], created, doc))
    return sorted(out, key=lambda c: c.created)


def write_drafts(path: str | os.PathLike, checkpoints: Iterable[Checkpoint]) -> Path | None:
    """Store ``checkpoints`` beside the map at ``path`` (atomically); returns the drafts file.

    Nothing is written when there are no checkpoints, or when an existing drafts file
    cannot be read (it is left for you to look at).
    """
    mine = list(checkpoints)
    if not mine:
        return None
    file = drafts_path(path)
    existing = _entries(file)
    if existing is None:
        return None
    names = {c.name for c in mine}
    entries: list[dict[str, Any]] = [e for e in existing if e["name"] not in names]
    entries += [{"name": c.name, "created": _stamp(c.created), "document": c.document} for c in mine]
    entries.sort(key=lambda e: str(e.get("created", "")))
    text = json.dumps({"format": _FORMAT, "version": 1, "drafts": entries}, ensure_ascii=False, indent=1)
    return write_file(file, text + "\n")
