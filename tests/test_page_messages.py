"""One message from the page cannot block the kernel or flood it back (issue 11, item 6).

Messages are delivered as the kernel's comm delivers them (``_handle_msg``), as in
tests/test_widget.py. Time is not asserted (benchmarks/ops_message.py measures it); what
is asserted is the work done: the item reads of the edit path grow linearly with the
number of operations, floods are refused before any is applied, and nothing the page
sends comes back unbounded.
"""

from __future__ import annotations

import pytest

import journeywidget as jw
from journeywidget.core.limits import MAX_BATCH_DEPTH, MAX_MESSAGE_CHARS, MAX_OPS_PER_MESSAGE
from journeywidget.document import invariants
from journeywidget.document.operations import MAX_LABEL_CHARS


def widget(journey=None):
    w = (journey or jw.Journey.from_template("ecommerce-purchase")).widget()
    sent: list = []
    w.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    return w, sent


def page_sends(w, content) -> None:
    w._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def result(sent) -> dict:
    return [m for m in sent if isinstance(m, dict) and m.get("type") == "result"][-1]


def adds(doc: dict, n: int) -> list[dict]:
    stages = [s["id"] for s in doc["stages"]]
    return [{"op": "add", "kind": "touchpoint", "item": {"name": f"T{i}", "stage": stages[i % len(stages)]}}
            for i in range(n)]


def test_a_flood_of_operations_is_refused_before_any_is_applied():
    w, sent = widget()
    before = w.journey.to_json()
    page_sends(w, {"type": "ops", "ops": adds(w.journey.snapshot(), 8_000), "rid": 1})
    res = result(sent)
    assert not res["ok"] and f"at most {MAX_OPS_PER_MESSAGE:,}" in res["error"]
    assert w._error == res["error"] and len(res["error"]) < 200
    assert w.journey.to_json() == before and not w.journey.can_undo
    # nested ones count too: one batch holding the flood
    page_sends(w, {"type": "ops", "ops": [{"op": "batch", "ops": adds(w.journey.snapshot(), 6_000)}], "rid": 2})
    assert not result(sent)["ok"] and w.journey.to_json() == before


def test_a_message_at_the_cap_is_applied_as_one_undoable_step():
    w, sent = widget()
    n = len(w.journey.touchpoints)
    page_sends(w, {"type": "ops", "ops": adds(w.journey.snapshot(), MAX_OPS_PER_MESSAGE), "rid": 1})
    assert result(sent)["ok"]
    assert len(w.journey.touchpoints) == n + MAX_OPS_PER_MESSAGE
    assert jw.Journey.from_json(w.journey.to_json()) == w.journey
    w.undo()
    assert len(w.journey.touchpoints) == n


def _item_reads(monkeypatch, n: int) -> int:
    """Item reads of the edit path's index while a message of ``n`` adds is applied."""
    reads = [0]
    for name, getter in list(invariants._GETTERS.items()):
        def counting(item, _g=getter):
            reads[0] += 1
            return _g(item)
        monkeypatch.setitem(invariants._GETTERS, name, counting)
    w, sent = widget()
    page_sends(w, {"type": "ops", "ops": adds(w.journey.snapshot(), n), "rid": 1})
    assert result(sent)["ok"]
    return reads[0]


def test_applying_a_batch_is_linear_in_its_operations(monkeypatch):
    """Before, every add rebuilt the set of all ids and scanned the touchpoints in Python:
    N adds read O(N^2) items. Now the index reads each item a bounded number of times."""
    r1, r2, r4 = (_item_reads(monkeypatch, n) for n in (1_000, 2_000, 4_000))
    assert r4 - r2 == pytest.approx(2 * (r2 - r1), rel=0.05)  # the same reads per op, whatever the batch size
    assert (r4 - r2) / 2_000 < 10


def test_batches_nested_past_the_bound_are_refused_without_recursing():
    w, sent = widget()
    before = w.journey.to_json()
    for depth, why in ((10, f"nest at most {MAX_BATCH_DEPTH} deep"), (50_000, "operations in one message")):
        op = {"op": "update", "id": w.journey.stages[0].id, "fields": {"name": "Deep"}}
        for _ in range(depth):
            op = {"op": "batch", "ops": [op]}
        page_sends(w, {"type": "ops", "ops": [op], "rid": 1})
        res = result(sent)
        assert not res["ok"] and why in res["error"]
        assert w.journey.to_json() == before


def test_nothing_the_page_sends_comes_back_unbounded():
    w, sent = widget()
    huge = "x" * 10_000_000
    for op in ({"op": "remove", "id": huge}, {"op": "update", "id": huge, "fields": {"name": "x"}},
               {"op": "add", "kind": huge, "item": {}}, {"op": "add", "kind": "stage", "item": {"id": huge + " y"}},
               {"op": huge}, {"op": "update", "id": w.journey.id, "fields": {huge: 1}},
               {"op": "add", "kind": "stage", "item": {"name": "S", huge: 1}},
               {"op": "add", "kind": "stage", "item": {"name": huge}},
               {"op": "move", "id": w.journey.stages[0].id, "index": [0] * 1_000_000},
               {"op": "add", "kind": "goal", "item": {"name": "G", "target": 10**5000}}):
        page_sends(w, {"type": "ops", "ops": [op], "rid": huge})
        res = result(sent)
        assert not res["ok"]
        assert len(res["error"]) <= MAX_MESSAGE_CHARS and len(w._error) <= MAX_MESSAGE_CHARS, op.get("op")
        assert res["rid"] is None  # a request id that is not short is not echoed
    many = [{"op": "update", "id": w.journey.stages[0].id, "fields": {f"f{i}": i for i in range(100_000)}}]
    page_sends(w, {"type": "ops", "ops": many, "rid": 3})
    assert len(result(sent)["error"]) <= MAX_MESSAGE_CHARS and result(sent)["rid"] == 3


def test_a_batch_label_is_bounded_in_the_history():
    j = jw.Journey.from_template("ecommerce-purchase")
    j.batch([{"op": "update", "id": j.stages[0].id, "fields": {"name": "Renamed"}}], label="L" * 1_000_000)
    assert len(j.history()[-1]) <= MAX_LABEL_CHARS


def test_page_set_values_are_shown_in_part_in_errors():
    w, _sent = widget()
    huge = "s" * 1_000_000
    with pytest.raises(Exception) as err:
        w.segment = huge
    assert len(str(err.value)) < 500
    with pytest.raises(Exception) as err:
        w.selected = huge
    assert len(str(err.value)) < 500
