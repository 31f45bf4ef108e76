"""tests/data/op_cases.json is what Python's mutations do with a few hundred operations.

The front end's op applier (js/src/model/apply.ts, used by the standalone HTML page)
is tested against that file (js/test/apply.test.ts). Regenerating it here must give
the committed file byte for byte: when the Python rules change, the file, and so the
TypeScript side's test, change with them (run ``python tests/data/make_op_cases.py``).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def _generator():
    spec = importlib.util.spec_from_file_location("make_op_cases", DATA / "make_op_cases.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_op_cases_are_current():
    committed = (DATA / "op_cases.json").read_text(encoding="utf-8")
    fresh = _generator().text()
    assert fresh == committed, "tests/data/op_cases.json is stale: run python tests/data/make_op_cases.py"


def test_op_cases_cover_every_operation_and_refusals():
    data = json.loads((DATA / "op_cases.json").read_text(encoding="utf-8"))
    cases = data["cases"]
    assert len(cases) >= 300
    ops = {c["op"].get("op") for c in cases if isinstance(c["op"], dict)}
    assert {"add", "update", "remove", "move", "batch"} <= ops
    kinds = {c["op"].get("kind") for c in cases if isinstance(c["op"], dict) and c["op"].get("op") == "add"}
    assert {"persona", "goal", "stage", "lane", "touchpoint", "card", "comment"} <= kinds
    assert sum("error" in c for c in cases) >= 80
    assert sum(c.get("changes", 1) is None for c in cases) >= 10
    # the clock is fixed: only the file's own date and time appear as stamps
    for c in cases:
        changes = c.get("changes") or {}
        if "modified" in changes:
            assert changes["modified"] == data["today"], c["name"]
