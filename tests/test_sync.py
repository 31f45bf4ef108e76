"""What the kernel sends the page after a change: patches, not whole values (widget/sync.py).

A stand-in for the page receives every message the widget's comm sends (state updates
and custom messages) and applies them as js/src/host/sync.ts does; after any sequence
of edits, undos, redos and restores the page must hold exactly the kernel's document,
metrics and charts. The metrics' shortcut for edits that change no number
(data/relabel.py) must give the numbers a fresh computation gives.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import random
from pathlib import Path

import comm
import pytest
from comm.base_comm import BaseComm
from hypothesis import given, settings
from hypothesis import strategies as st

import journeywidget as jw
from journeywidget.widget import JourneyWidget
from journeywidget.widget.sync import PatchError, apply_patch, doc_patch, json_diff, pointer
from samples import bound_widget
from strategies import random_op

DATA = Path(__file__).resolve().parent / "data"


class Wire(BaseComm):
    """A comm that hands what the kernel sends to the page stand-in of its widget."""

    pages: dict[str, Page] = {}

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        data = json.loads(json.dumps(data or {}))  # what travels is JSON
        size = len(json.dumps(data).encode())
        page = Wire.pages.get(self.comm_id)
        if page is not None and msg_type == "comm_msg":
            page.receive(data, size)


class Page:
    """The page's copy of one widget model, kept as js/src/host/sync.ts keeps it."""

    def __init__(self, w: JourneyWidget) -> None:
        self.widget = w
        self.state = json.loads(json.dumps({k: v for k, v in w.get_state().items() if isinstance(v, (dict, list, str, int, bool, type(None)))}))
        self.messages: list[tuple[str, int]] = []
        self.resyncs = 0
        Wire.pages[w.model_id] = self

    def receive(self, data: dict, size: int) -> None:
        method = data.get("method")
        if method == "update":
            self.state.update(data["state"])
            self.messages.append(("update " + ",".join(sorted(data["state"])), size))
            return
        content = data.get("content") or {}
        self.messages.append((f"custom {content.get('type')}", size))
        if content.get("type") != "patch":
            return
        if content["rev"] <= self.state["_rev"]:
            return
        if content["base"] != self.state["_rev"]:
            self.resync()
            return
        try:
            new = {k: apply_patch(self.state[k], ops) for k, ops in content["patches"].items()}
        except PatchError:
            self.resync()
            return
        self.state.update(new, _rev=content["rev"])

    def resync(self, full: bool = False) -> None:
        self.resyncs += 1
        self.widget._on_page_msg(self.widget, {"type": "resync", "full": full})

    def check(self) -> None:
        w = self.widget
        assert self.state["_doc"] == w._doc == w.journey.to_dict()
        assert self.state["_metrics"] == json.loads(json.dumps(w._metrics))
        assert self.state["_charts"] == json.loads(json.dumps(w._charts))
        assert self.state["_rev"] == w._rev


@pytest.fixture
def wire(monkeypatch):
    monkeypatch.setattr(comm, "create_comm", Wire)
    Wire.pages.clear()
    yield Wire
    Wire.pages.clear()


def page_edit(w, op, rid=1):
    w._on_page_msg(w, {"type": "ops", "ops": [op], "rid": rid})


# ----------------------------------------------------------------------------------------


@given(seed=st.integers(0, 10_000))
@settings(max_examples=12)
def test_the_page_follows_any_sequence_of_changes(seed):
    comm_before = comm.create_comm
    comm.create_comm = Wire
    try:
        rng = random.Random(seed)
        w = bound_widget(overlay=rng.choice(["funnel", "metric", "emotion", "none"]))
        page = Page(w)
        j = w.journey
        j.checkpoint("start")
        for step in range(25):
            r = rng.random()
            if r < 0.12:
                w.undo()
            elif r < 0.18:
                w.redo()
            elif r < 0.2:
                j.restore("start")
            elif r < 0.25 and w.metrics.segment_values:
                w.segment = rng.choice(["", *w.metrics.segment_values])
            else:
                page_edit(w, random_op(j, rng), rid=step)
            page.check()
        assert page.resyncs == 0
        kinds = {m for m, _ in page.messages}
        assert "custom patch" in kinds
        w.close()
    finally:
        comm.create_comm = comm_before


def test_an_edit_sends_a_patch_not_the_document(wire):
    w = bound_widget()
    page = Page(w)
    page_edit(w, {"op": "update", "id": "cart-page", "fields": {"name": "Basket"}})
    page.check()
    assert [m for m, _ in page.messages] == ["custom patch", "update _can_undo", "custom result"]
    page.messages.clear()
    page_edit(w, {"op": "update", "id": "cart-page", "fields": {"emotion": -1}}, rid=2)
    page.check()
    assert [m for m, _ in page.messages] == ["custom patch", "custom result"]
    assert all(size < 2048 for _m, size in page.messages)
    # a restore replaces the whole document: that one goes whole
    w.journey.checkpoint("now")
    w.journey.add_stage("Loyalty")
    page.messages.clear()
    w.journey.restore("now")
    page.check()
    assert any(m.startswith("update") and "_doc" in m for m, _ in page.messages)
    w.close()


def test_a_rename_on_a_big_map_stays_small(wire):
    ops = []
    for s in range(20):
        ops.append({"op": "add", "kind": "stage", "item": {"id": f"s{s}", "name": f"Stage {s}"}})
        ops += [{"op": "add", "kind": "touchpoint", "item": {"id": f"t{s}-{t}", "name": f"Touchpoint {s}.{t}",
                                                           "stage": f"s{s}", "event_keys": [f"k{s}_{t}"]}}
                for t in range(50)]
    j = jw.Journey("Big")
    j.batch(ops)
    rows = [{"customer": f"c{c}", "ts": s * 100 + t, "event": f"k{s}_{(c * 7 + s) % 50}"}
            for c in range(300) for s in range(c % 20 + 1) for t in range(1)]
    import pandas as pd

    w = JourneyWidget(j)
    w.bind_events(pd.DataFrame(rows), customer="customer", time="ts", touchpoint="event")
    w.overlay = "funnel"
    page = Page(w)
    assert len(json.dumps(w._doc)) > 150_000
    for i in range(5):
        page.messages.clear()
        page_edit(w, {"op": "update", "id": f"t{3 * i}-{7 * i}", "fields": {"name": f"Renamed {i}"}}, rid=i)
        assert sum(size for _m, size in page.messages) < 8 * 1024, page.messages
    page.check()
    w.close()


def test_a_page_that_missed_a_patch_asks_for_everything(wire):
    w = bound_widget()
    page = Page(w)
    page.state["_rev"] -= 1  # as if the page had missed one
    page_edit(w, {"op": "update", "id": "cart-page", "fields": {"name": "Basket"}})
    assert page.resyncs == 1
    page.check()  # the resync sent the whole values
    page_edit(w, {"op": "update", "id": "cart-page", "fields": {"name": "Cart"}}, rid=2)
    page.check()
    assert page.resyncs == 1
    w.close()


def test_a_host_that_cannot_take_patches_gets_whole_values(wire):
    w = bound_widget()
    page = Page(w)
    page.resync(full=True)
    page.messages.clear()
    page_edit(w, {"op": "update", "id": "cart-page", "fields": {"name": "Basket"}})
    page.check()
    assert any(m.startswith("update") and "_doc" in m for m, _ in page.messages)
    assert "custom patch" not in {m for m, _ in page.messages}
    w.close()


def test_metrics_and_charts_changes_go_as_patches(wire):
    w = bound_widget(overlay="metric")
    page = Page(w)
    # the metric overlay names the touchpoints on its axis; the segment changes every number
    page_edit(w, {"op": "update", "id": "cart-page", "fields": {"name": "Basket page"}})
    page.check()
    w.segment = w.metrics.segment_values[0]
    page.check()
    assert all(not (m.startswith("update") and "_doc" in m) for m, _ in page.messages)
    w.close()


# -- the patches themselves --------------------------------------------------------------


def test_patch_cases_are_current():
    spec = importlib.util.spec_from_file_location("make_patch_cases", DATA / "make_patch_cases.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    committed = (DATA / "patch_cases.json").read_text(encoding="utf-8")
    assert mod.text() == committed, "tests/data/patch_cases.json is stale: run python tests/data/make_patch_cases.py"


def test_undo_and_redo_patches_give_the_documents_back():
    rng = random.Random(3)
    j = jw.Journey.from_template("saas-onboarding")
    for _ in range(60):
        before = j.to_dict()
        try:
            j.apply(random_op(j, rng))
        except jw.JourneyError:
            continue
        if j.to_dict() == before:
            continue
        after = j.to_dict()
        assert apply_patch(before, doc_patch(j.last_change["edits"])) == after
        j.undo()
        assert apply_patch(after, doc_patch(j.last_change["edits"])) == before
        j.redo()
        assert apply_patch(before, doc_patch(j.last_change["edits"])) == after


@given(old=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=4),
                        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=3), c, max_size=4),
                        max_leaves=12),
       new=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=4),
                        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=3), c, max_size=4),
                        max_leaves=12))
def test_json_diff_then_apply_gives_the_new_value(old, new):
    frozen = copy.deepcopy(old)
    assert apply_patch(old, json_diff(old, new)) == new
    assert old == frozen
    assert json_diff(old, copy.deepcopy(old)) == []


def test_pointers_escape_slashes_and_tildes():
    assert pointer("a/b", "c~d", 0) == "/a~1b/c~0d/0"
    assert apply_patch({"a/b": {"c~d": [1]}}, [{"op": "replace", "path": "/a~1b/c~0d/0", "value": 2}]) == {"a/b": {"c~d": [2]}}


# -- the metrics' shortcut for edits that change no number -------------------------------


def _fresh(j, events, **kw):
    return jw.JourneyMetrics(jw.Journey.from_dict(j.to_dict())).bind_events(events, **kw)


@pytest.mark.parametrize("template", ["ecommerce-purchase", "saas-onboarding"])
def test_renames_give_the_numbers_and_insights_of_a_fresh_computation(template):
    j = jw.Journey.from_template(template)
    events = jw.datasets.events(j, customers=600, seed=2)
    kw = {"customer": "customer_id", "time": "timestamp", "touchpoint": "event", "segment": "plan"}
    m = jw.JourneyMetrics(j).bind_events(events, **kw)
    before = m.to_payload()
    assert m.insights
    # rename what the insights talk about, and a stage, and something else entirely
    targets = [i.target for i in m.insights if i.target][:3] + [j.stages[0].id]
    for k, target in enumerate(targets):
        j.update(target, name=f"Renamed {k} ✓")
    j.update(j.touchpoints[-1].id, emotion=-2, description="Slow")
    fresh = _fresh(j, events, **kw)
    assert m.to_payload() == fresh.to_payload()
    assert m.to_payload() != before  # the insights' words changed
    assert [i.message for i in m.insights] == [i.message for i in fresh.insights]
    assert m.touchpoints.equals(fresh.touchpoints) and m.stages.equals(fresh.stages)
    m.segment = m.segment_values[0]
    fresh.segment = fresh.segment_values[0]
    assert m.to_payload() == fresh.to_payload()


def test_a_name_that_matches_an_event_key_remaps_the_events():
    j = jw.Journey.from_template("ecommerce-purchase")
    events = jw.datasets.events(j, customers=500, seed=5)
    kw = {"customer": "customer_id", "time": "timestamp", "touchpoint": "event"}
    m = jw.JourneyMetrics(j).bind_events(events, **kw)
    unmapped = m.unmapped_keys()
    assert unmapped
    key = unmapped[0]["key"]
    tp = j.touchpoints[0]
    j.update(tp.id, name=key.upper())  # names match event keys case-insensitively
    fresh = _fresh(j, events, **kw)
    assert m.to_payload() == fresh.to_payload()
    assert key not in [u["key"] for u in m.unmapped_keys()]
