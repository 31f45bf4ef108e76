"""Regenerate tests/data/patch_cases.json: the patches the widget sends the page after an edit.

After an edit, Python sends the page the change as a JSON Patch
(src/journeywidget/widget/sync.py) instead of the whole document; the page applies
it with js/src/model/patch.ts. This script takes every operation of
tests/data/op_cases.json that Python applied, runs it through ``Journey.apply``
with the cases' fixed clock, and writes the patch of the edit and the patch of its
undo. js/test/patch.test.ts checks that the page's applier turns the input document
into exactly the document Python made (and back again with the undo's patch).
Generic cases of :func:`json_diff` (the metrics and charts traits) and patches the
applier must refuse are added at the end. tests/test_sync.py checks that this
script still writes exactly the committed file.

Run: python tests/data/make_patch_cases.py

File format::

    {"edits": [{"name", "doc", "patch", "undo"}, ...],       # doc: a name in op_cases.json's docs
     "diffs": [{"name", "old", "new", "patch"}, ...],        # json_diff(old, new) == patch
     "refused": [{"name", "value", "patch"}, ...]}           # the applier must throw
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from unittest import mock

import journeywidget as jw
from journeywidget.widget.sync import apply_patch, doc_patch, json_diff

HERE = Path(__file__).resolve().parent
OUT = HERE / "patch_cases.json"


def edit_cases(ops: dict) -> list[dict]:
    out = []
    for c in ops["cases"]:
        if "error" in c or not c.get("changes"):
            continue
        doc = ops["docs"][c["doc"]]
        with mock.patch("journeywidget.journey.today", lambda: ops["today"]), \
                mock.patch("journeywidget.document.operations.now_iso", lambda: ops["now"]):
            j = jw.Journey.from_dict(copy.deepcopy(doc))
            j.apply(copy.deepcopy(c["op"]))
            forward = doc_patch(j.last_change["edits"])
            after = j.to_dict()
            j.undo()
            back = doc_patch(j.last_change["edits"])
        assert forward is not None and back is not None, c["name"]
        assert apply_patch(doc, forward) == after, c["name"]
        assert apply_patch(after, back) == doc, c["name"]
        out.append({"name": c["name"], "doc": c["doc"], "patch": forward, "undo": back})
    return out


DIFFS = [
    ("equal", {"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 2]}),
    ("scalar changed", {"a": 1}, {"a": 2}),
    ("key added and removed", {"a": 1, "b": 2}, {"a": 1, "c": 3}),
    ("nested", {"t": {"x": {"customers": 5, "share": 0.5}}}, {"t": {"x": {"customers": 6, "share": 0.5}}}),
    ("list same length", {"l": [{"v": 1}, {"v": 2}]}, {"l": [{"v": 1}, {"v": 3}]}),
    ("list longer", {"l": [1, 2]}, {"l": [1, 2, 3]}),
    ("list shorter", {"l": [1, 2, 3]}, {"l": [1]}),
    ("type changed", {"a": {"b": 1}}, {"a": [1]}),
    ("int and float", {"a": 1}, {"a": 1.5}),
    ("null", {"a": None}, {"a": 0}),
    ("bool is not a number", {"a": True}, {"a": 1}),
    ("pointer escapes", {"a/b": {"c~d": 1}}, {"a/b": {"c~d": 2}, "e/~f": 3}),
    ("unicode keys and values", {"é": "ä"}, {"é": "ö", "日本": "語"}),
    ("whole value", [1, 2], {"a": 1}),
]

REFUSED = [
    ("test fails", {"a": 1}, [{"op": "test", "path": "/a", "value": 2}]),
    ("missing key", {"a": 1}, [{"op": "replace", "path": "/b", "value": 2}]),
    ("remove missing key", {"a": 1}, [{"op": "remove", "path": "/b"}]),
    ("index out of range", {"l": [1]}, [{"op": "replace", "path": "/l/1", "value": 2}]),
    ("add past the end", {"l": [1]}, [{"op": "add", "path": "/l/2", "value": 2}]),
    ("not an index", {"l": [1]}, [{"op": "remove", "path": "/l/x"}]),
    ("leading zero", {"l": [1, 2]}, [{"op": "remove", "path": "/l/01"}]),
    ("into a number", {"a": 1}, [{"op": "add", "path": "/a/b", "value": 2}]),
    ("unknown operation", {"a": 1}, [{"op": "move", "from": "/a", "path": "/b"}]),
    ("no leading slash", {"a": 1}, [{"op": "replace", "path": "a", "value": 2}]),
    ("remove the root", {"a": 1}, [{"op": "remove", "path": ""}]),
    ("the id test of a stale item", {"touchpoints": [{"id": "a"}]},
     [{"op": "test", "path": "/touchpoints/0/id", "value": "b"}, {"op": "remove", "path": "/touchpoints/0"}]),
]


def build() -> dict:
    ops = json.loads((HERE / "op_cases.json").read_text(encoding="utf-8"))
    diffs = []
    for name, old, new in DIFFS:
        patch = json_diff(old, new)
        assert apply_patch(old, patch) == new, name
        diffs.append({"name": name, "old": old, "new": new, "patch": patch})
    refused = []
    for name, value, patch in REFUSED:
        try:
            apply_patch(value, patch)
        except ValueError:
            refused.append({"name": name, "value": value, "patch": patch})
        else:  # pragma: no cover - the case list is wrong
            raise AssertionError(f"{name}: Python applied a patch the page must refuse")
    return {"edits": edit_cases(ops), "diffs": diffs, "refused": refused}


def text(data: dict | None = None) -> str:
    data = data or build()
    dump = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731
    lines = ["{", f' "_comment": {dump("Patches Python sends the page; regenerate with: python tests/data/make_patch_cases.py")},']
    for i, key in enumerate(("edits", "diffs", "refused")):
        lines.append(f' {dump(key)}: [')
        lines.append(",\n".join(f"  {dump(c)}" for c in data[key]))
        lines.append(" ]" + ("," if i < 2 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    out = text()
    OUT.write_text(out, encoding="utf-8")
    data = json.loads(out)
    print(f"wrote {OUT}: {len(data['edits'])} edits, {len(data['diffs'])} diffs, {len(data['refused'])} refused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
