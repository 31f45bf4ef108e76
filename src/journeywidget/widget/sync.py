"""What the kernel sends the page after a change: JSON Patches (RFC 6902) instead of whole values.

The widget's synced document ``_doc`` (and its ``_metrics`` and ``_charts``) can be
large: a 2,000-touchpoint map is about 0.5 MB of JSON. After an edit the page gets
only what changed, as a ``{"type": "patch"}`` message (docs/ARCHITECTURE.md, "The
page protocol"):

* the document's change is the history entry's primitive edits
  (:mod:`journeywidget.document.history`) written as patch operations
  (:func:`doc_patch`), each item edit guarded by a ``test`` of the item's id;
* the metrics' and charts' changes are the difference between the old and the new
  value (:func:`json_diff`), which is small or empty after most edits.

:func:`apply_patch` applies such a patch in Python exactly as the page does
(js/src/model/patch.ts); ``tests/data/patch_cases.json`` holds cases both check.

>>> from journeywidget.document.history import Replace
>>> before, after = {"id": "cart", "name": "Cart"}, {"id": "cart", "name": "Basket"}
>>> doc_patch([Replace("touchpoints", 3, before, after)])
[{'op': 'test', 'path': '/touchpoints/3/id', 'value': 'cart'}, {'op': 'replace', 'path': '/touchpoints/3/name', 'value': 'Basket'}]
>>> json_diff({"a": 1, "b": {"c": 2}}, {"a": 1, "b": {"c": 3}, "d": []})
[{'op': 'replace', 'path': '/b/c', 'value': 3}, {'op': 'add', 'path': '/d', 'value': []}]
>>> apply_patch({"a": [1, 2]}, [{"op": "add", "path": "/a/1", "value": 9}])
{'a': [1, 9, 2]}
"""

from __future__ import annotations

import copy
import json
from typing import Any

from ..document.history import Delete, Insert, Replace, SetTop

__all__ = ["PatchError", "apply_patch", "doc_patch", "json_diff", "patch_size", "pointer"]


class PatchError(ValueError):
    """A patch that does not fit the value it is applied to (the page then asks for the whole value)."""


def pointer(*parts: Any) -> str:
    """A JSON Pointer (RFC 6901) from path parts: ``pointer("a/b", 0) == "/a~1b/0"``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _split(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"path {path!r}: a JSON pointer starts with '/'")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def doc_patch(edits: list) -> list[dict] | None:
    """The patch that does to a document what these primitive edits did, or None when
    one of them replaced the whole document (a checkpoint restore: send it whole)."""
    ops: list[dict] = []
    for e in edits:
        if isinstance(e, Insert):
            ops.append({"op": "add", "path": pointer(e.coll, e.pos), "value": e.item})
        elif isinstance(e, Delete):
            ops.append({"op": "test", "path": pointer(e.coll, e.pos, "id"), "value": e.item["id"]})
            ops.append({"op": "remove", "path": pointer(e.coll, e.pos)})
        elif isinstance(e, Replace):
            ops.append({"op": "test", "path": pointer(e.coll, e.pos, "id"), "value": e.before["id"]})
            fields = json_diff(e.before, e.after, pointer(e.coll, e.pos))
            if any(f["op"] != "replace" for f in fields):  # keep the item's key order: send it whole
                fields = [{"op": "replace", "path": pointer(e.coll, e.pos), "value": e.after}]
            ops.extend(fields)
        elif isinstance(e, SetTop):
            ops.append({"op": "replace", "path": pointer(e.key), "value": e.after})
        else:  # ReplaceDoc, or anything new: the page gets the whole document
            return None
    return ops


def json_diff(old: Any, new: Any, path: str = "") -> list[dict]:
    """Patch operations that turn ``old`` into ``new`` (JSON values).

    Objects are compared key by key and lists of the same length item by item (values
    that are the very same object are skipped at once, so comparing two snapshots that
    share most of their parts is quick); anything else that differs is replaced whole.
    """
    if old is new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        ops: list[dict] = []
        for k, v in old.items():
            if k not in new:
                ops.append({"op": "remove", "path": path + pointer(k)})
            else:
                ops.extend(json_diff(v, new[k], path + pointer(k)))
        for k, v in new.items():
            if k not in old:
                ops.append({"op": "add", "path": path + pointer(k), "value": v})
        return ops
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        ops = []
        for i, (a, b) in enumerate(zip(old, new)):
            ops.extend(json_diff(a, b, path + pointer(i)))
        return ops
    if type(old) is type(new) and old == new:
        return []
    return [{"op": "replace", "path": path, "value": new}]


def patch_size(ops: list[dict]) -> int:
    """Bytes of the patch as JSON (what it adds to a message)."""
    return len(json.dumps(ops, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode())


def apply_patch(value: Any, ops: list[dict]) -> Any:
    """Apply a patch to a copy of ``value`` and return it (``value`` is left alone).

    Containers on the patched paths are copied, the rest is shared, as on the page.
    Raises :class:`PatchError` when an operation does not fit (a failed ``test``, a
    missing key or index).
    """
    root: Any = value
    for op in ops:
        kind, parts = op.get("op"), _split(op.get("path", ""))
        if kind == "test":
            if _get(root, parts) != op.get("value"):
                raise PatchError(f"test failed at {op.get('path')!r}")
            continue
        if kind not in ("add", "remove", "replace"):
            raise PatchError(f"unsupported patch operation {kind!r}")
        if not parts:
            if kind == "remove":
                raise PatchError("cannot remove the whole value")
            root = copy.deepcopy(op.get("value"))
            continue
        root = _edit(root, parts, kind, op.get("value"))
    return root


def _get(value: Any, parts: list[str]) -> Any:
    for p in parts:
        if isinstance(value, dict):
            if p not in value:
                raise PatchError(f"no key {p!r}")
            value = value[p]
        elif isinstance(value, list):
            value = value[_index(p, len(value))]
        else:
            raise PatchError(f"cannot go into a {type(value).__name__} at {p!r}")
    return value


def _index(p: str, n: int, *, end_ok: bool = False) -> int:
    if p == "-" and end_ok:
        return n
    if not p.isdigit() or (len(p) > 1 and p[0] == "0"):
        raise PatchError(f"{p!r} is not a list index")
    i = int(p)
    if i > n or (i == n and not end_ok):
        raise PatchError(f"index {i} is out of range (length {n})")
    return i


def _edit(container: Any, parts: list[str], kind: str, value: Any) -> Any:
    """A copy of ``container`` with the edit made at ``parts`` (copy on write)."""
    head, rest = parts[0], parts[1:]
    if isinstance(container, dict):
        out = dict(container)
        if rest:
            if head not in out:
                raise PatchError(f"no key {head!r}")
            out[head] = _edit(out[head], rest, kind, value)
        elif kind == "remove":
            if head not in out:
                raise PatchError(f"no key {head!r} to remove")
            del out[head]
        else:
            if kind == "replace" and head not in out:
                raise PatchError(f"no key {head!r} to replace")
            out[head] = copy.deepcopy(value)
        return out
    if isinstance(container, list):
        out_l = list(container)
        if rest:
            i = _index(head, len(out_l))
            out_l[i] = _edit(out_l[i], rest, kind, value)
        elif kind == "add":
            out_l.insert(_index(head, len(out_l), end_ok=True), copy.deepcopy(value))
        elif kind == "remove":
            del out_l[_index(head, len(out_l))]
        else:
            out_l[_index(head, len(out_l))] = copy.deepcopy(value)
        return out_l
    raise PatchError(f"cannot edit inside a {type(container).__name__} at {head!r}")
