"""Validate, migrate, serialise and store journey documents.

The canonical document is a plain ``dict`` with every field present, keys in
schema order. Files are UTF-8 JSON, 2-space indented, one value per line, so a
small edit gives a small git diff; saving is atomic.

>>> doc = validate_document({"schema_version": 1, "id": "demo", "title": "Demo",
...                          "created": "2026-01-05T09:00:00Z", "modified": "2026-01-05"})
>>> doc["lanes"], dumps(doc).splitlines()[1]
([], '  "schema_version": 1,')
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..core.errors import DocumentError, ErrorDetail, format_path
from ..core.gcpause import paused_gc

__all__ = [
    "MAX_FILE_BYTES", "dumps", "read_file", "read_file_digest", "validate_document", "write_file", "parse_json",
]

#: Files bigger than this are refused unless ``max_bytes`` is raised.
MAX_FILE_BYTES = 32 * 1024 * 1024


_UNION_TAGS = {"int", "float", "str", "bool", "none", "list", "dict", "model"}


def clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-member tags (``int``, ``function-after[...]``...) from a location."""
    return tuple(
        p for p in loc
        if not (isinstance(p, str) and (p in _UNION_TAGS or "[" in p or p.startswith(("constrained-", "function-"))))
    )


def _pydantic_errors(err: Any) -> list[ErrorDetail]:
    by_path: dict[str, list[str]] = {}
    for e in err.errors():
        path = format_path(clean_loc(tuple(e["loc"])))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown field; remove it or check its spelling (see jw.schema())"
        elif e["type"] == "missing":
            msg = "required field is missing"
        elif e["type"].endswith("_type") or e["type"] in ("literal_error", "union_tag_invalid"):
            got = e.get("input")
            shown = repr(got) if isinstance(got, (str, int, float, bool)) and len(repr(got)) < 40 else type(got).__name__
            msg = f"{msg} (got {shown})"
        msgs = by_path.setdefault(path, [])
        if msg not in msgs:
            msgs.append(msg)
    out = []
    for path, msgs in by_path.items():
        if len(msgs) > 1:
            tails = {m.split(" (got ")[-1] for m in msgs}
            core = [m.split(" (got ")[0] for m in msgs]
            msg = " or ".join(core) + (f" (got {tails.pop()}" if len(tails) == 1 and any(" (got " in m for m in msgs) else "")
        else:
            msg = msgs[0]
        out.append(ErrorDetail(path, msg))
    return out


def _semantic_errors(doc: dict) -> list[ErrorDetail]:
    """The rules across items (:mod:`.invariants`; the schema checked the list sizes)."""
    from .invariants import References, check_references, scale_problems
    from .schema import COLLECTION_KIND

    errors: list[ErrorDetail] = []
    for p in scale_problems(doc["emotion_scale"]):
        errors.append(ErrorDetail("$.emotion_scale", p))
    seen: dict[str, str] = {doc["id"]: "$.id"}
    for coll, kind in COLLECTION_KIND.items():
        for i, item in enumerate(doc[coll]):
            path = f"$.{coll}[{i}]"
            if not item["id"]:
                errors.append(ErrorDetail(f"{path}.id", f"missing id; give this {kind} a unique id such as a slug of its name"))
            elif item["id"] in seen:
                errors.append(ErrorDetail(
                    f"{path}.id",
                    f"duplicate id {item['id']!r} (also at {seen[item['id']]}); ids must be unique across the document",
                ))
            else:
                seen[item["id"]] = f"{path}.id"
    if any(e.path == "$.emotion_scale" for e in errors):
        doc = {**doc, "emotion_scale": {"min": -10**9, "max": 10**9, "labels": {}}}
    refs = References(doc)
    for coll, kind in COLLECTION_KIND.items():
        if kind not in ("touchpoint", "card", "comment"):
            continue
        for i, item in enumerate(doc[coll]):
            for field, msg in check_references(refs, kind, item):
                errors.append(ErrorDetail(f"$.{coll}[{i}].{field}", msg))
    return errors


def validate_document(data: Any, source: str | None = None) -> dict:
    """Validate a document (after migration) and return its canonical dict.

    Raises :class:`DocumentError` listing every problem with its JSON path.
    """
    from pydantic import ValidationError

    from .migrate import migrate

    if not isinstance(data, dict):
        raise DocumentError(
            [ErrorDetail("$", f"a journey document must be a JSON object, got {_json_type(data)}")], source
        )
    data = migrate(data, source)
    from .schema import JourneyDocument

    with paused_gc():  # millions of small objects, no cycles: see core/gcpause.py
        try:
            model = JourneyDocument.model_validate(data)
        except ValidationError as err:
            raise DocumentError(_pydantic_errors(err), source) from None
        except RecursionError:
            raise DocumentError([ErrorDetail("$", "the document is nested too deeply")], source) from None
        doc = model.model_dump(mode="json")
        del model
        errors = _semantic_errors(doc)
    if errors:
        raise DocumentError(errors, source)
    return doc


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


def parse_json(text: str | bytes, source: str | None = None) -> Any:
    """Parse JSON text, turning every failure into a :class:`DocumentError`."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise DocumentError(
                [ErrorDetail("$", f"not UTF-8 text (bad byte at offset {err.start}); save the file as UTF-8")], source
            ) from None
    if not text.strip():
        raise DocumentError([ErrorDetail("$", "the document is empty; expected a JSON object")], source)
    try:
        with paused_gc():
            return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise DocumentError(
            [ErrorDetail("$", f"not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}")], source
        ) from None
    except ValueError as err:
        raise DocumentError([ErrorDetail("$", f"not valid JSON: {err}")], source) from None
    except RecursionError:
        raise DocumentError([ErrorDetail("$", "not a journey document: JSON nested too deeply")], source) from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a journey document (JSON has no NaN or Infinity)")


def dumps(doc: dict) -> str:
    """Serialise a canonical document: stable key order, 2-space indent, trailing newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def read_file(path: str | os.PathLike, max_bytes: int = MAX_FILE_BYTES) -> dict:
    """Read, parse, migrate and validate a journey file."""
    return read_file_digest(path, max_bytes)[0]


def read_file_digest(path: str | os.PathLike, max_bytes: int = MAX_FILE_BYTES) -> tuple[dict, str]:
    """(canonical document, sha256 of the file's bytes): :func:`read_file` plus what ``save`` needs
    to notice a later change on disk."""
    from ..core.atomic import digest

    p = Path(path)
    source = str(p)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise FileNotFoundError(f"no journey file at {source}") from None
    if p.is_dir():
        raise DocumentError([ErrorDetail("$", "this is a folder, not a journey file; give the .json file's path")],
                            source)
    if size > max_bytes:
        raise DocumentError(
            [ErrorDetail("$", f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit; "
                              "pass max_bytes= to load a bigger map")],
            source,
        )
    data = p.read_bytes()
    return validate_document(parse_json(data, source), source), digest(data)


def write_file(path: str | os.PathLike, text: str, *, check: Any = None) -> Path:
    """Write ``text`` as UTF-8, atomically (see :mod:`journeywidget.core.atomic`).

    If anything fails, the previous file (if any) is left byte-identical; a symlink is
    written through to its target, hard links are kept, a read-only file is refused.
    """
    from ..core.atomic import atomic_write

    return atomic_write(path, text.encode("utf-8"), check=check)
