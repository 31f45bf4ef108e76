"""The ordered funnel against retentioneering's sequential funnel, on a log generated here.

retentioneering (5.x) computes, per path, the earliest occurrence of step k strictly after
the path's match for step k-1 (chained CTEs over its event index): the same earliest-match
chaining as journeywidget's ordered funnel, with each step one event (one touchpoint with
one key here), no window, and the path = the customer, or the session after
``split_sessions(timeout=...)`` (a new session after a longer gap). Its numbers were
measured by benchmarks/retentioneering_funnel.py and stored with the log's seed and
parameters in tests/data/retentioneering_funnel.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import journeywidget as jw
from funnel_logs import EVENTS, retentioneering_log

FIXTURE = json.loads((Path(__file__).parent / "data" / "retentioneering_funnel.json").read_text())


def funnel_map(steps):
    j = jw.Journey("Funnel")
    for s in steps:
        sid = j.add_stage(s.title())
        j.add_touchpoint(s.title(), stage=sid, event_keys=[s])
    return j


@pytest.mark.parametrize("unit", ["users", "sessions"])
def test_ordered_funnel_equals_retentioneering(unit):
    df = retentioneering_log(**FIXTURE["params"])
    assert len(df) == FIXTURE["rows"]
    steps = FIXTURE["steps"]
    assert set(steps) < set(EVENTS)  # the other events are in the log, on no touchpoint
    j = funnel_map(steps)
    kw = {"session_gap": FIXTURE["session_timeout"]} if unit == "sessions" else {}
    m = jw.JourneyMetrics(j).bind_events(df, customer="user_id", time="timestamp",
                                         touchpoint="event", **kw)
    if unit == "sessions":
        m.unit = "session"
    st = m.stages
    want = FIXTURE[unit]
    assert st["reached"].tolist() == [s["unique_paths"] for s in want]
    assert st["share"].tolist() == pytest.approx([s["conversion_rate"] for s in want], rel=1e-12)
    if unit == "users":
        got = st["conversion"].tolist()[1:]
        assert got == pytest.approx([s["step_conversion_rate"] for s in want][1:], rel=1e-12)
    # and the reached funnel is a different (larger) thing: touching the step at all
    m.funnel = "reached"
    assert all(r >= o for r, o in zip(m.stages["reached"], st["reached"]))
    assert m.stages["reached"].tolist() != st["reached"].tolist()
