"""No silently wrong number from the data (issue 11, item 8).

* keys in another Unicode normal form (NFD against NFC) still map;
* a time column mixing times with and without a zone is refused, naming the column;
* feedback rows without a touchpoint are reported, not dropped silently;
* duplicate column names give a clear JourneyError.

Every number is checked against a plain-Python computation of the same small data.
"""

from __future__ import annotations

import datetime as dt
import statistics
import unicodedata

import pandas as pd
import pyarrow as pa
import pytest

import journeywidget as jw
from journeywidget.data.encoding import check_time_zones
from journeywidget.data.mapping import normalise_key, resolve_mapping


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def cafe_map(key: str, name: str = "Café") -> jw.Journey:
    j = jw.Journey("Shop", id="shop")
    s = j.add_stage("Visit")
    j.add_touchpoint(name, stage=s, event_keys=[key] if key else [])
    j.add_touchpoint("Pay", stage=s, event_keys=["pay"])
    return j


EVENTS = [("a", 0), ("a", 60), ("b", 10), ("c", 20)]  # (customer, seconds)


@pytest.mark.parametrize("map_form, data_form", [(nfc, nfd), (nfd, nfc), (nfc, nfc)])
def test_keys_in_another_normal_form_still_map(map_form, data_form):
    j = cafe_map(map_form("café_visit"))
    df = pd.DataFrame({"c": [c for c, _ in EVENTS], "t": [t for _, t in EVENTS],
                       "e": [data_form("café_visit")] * len(EVENTS)})
    m = jw.JourneyMetrics(j).bind_events(df, customer="c", time="t", touchpoint="e")
    row = m.touchpoints.set_index("touchpoint").loc[j.touchpoints[0].id]
    assert row["customers"] == len({c for c, _ in EVENTS}) == 3
    assert row["events"] == len(EVENTS)
    assert m.unmapped_keys() == []


def test_names_ids_and_mappings_match_across_normal_forms():
    doc = cafe_map("", name=nfd("Crème brûlée")).to_dict()
    tid = doc["touchpoints"][0]["id"]
    keys = [nfc("crème brûlée"), nfc("CRÈME BRÛLÉE"), nfd("Crème brûlée"), "pay"]
    assert resolve_mapping(doc, keys)[0] == [0, 0, 0, 1]
    # a user's mapping written in one form, keys in the other
    assert resolve_mapping(doc, [nfd("déjà vu")], {nfc("déjà vu"): tid})[0] == [0]
    assert resolve_mapping(doc, [nfd("déjà vu")], {nfc("déjà vu"): None})[0] == [-2]
    assert normalise_key(nfd("é")) == "é" and normalise_key(5) == "5"


def test_feedback_keys_in_another_normal_form_still_map():
    j = cafe_map(nfc("café_visit"))
    fb = pd.DataFrame({"tp": [nfd("café_visit")] * 4, "score": [5, 4, 2, 5]})
    m = jw.JourneyMetrics(j).bind_feedback(fb, touchpoint="tp", score="score")
    (rec,) = m.feedback_records()
    assert rec["n"] == 4 and rec["score"] == pytest.approx(100 * 3 / 4)


# -- time zones ---------------------------------------------------------------------------

def two_step_map() -> jw.Journey:
    j = jw.Journey("Steps", id="steps")
    s = j.add_stage("S")
    j.add_touchpoint("Start", stage=s, event_keys=["start"])
    j.add_touchpoint("End", stage=s, event_keys=["end"])
    return j


def bind_times(times: list) -> jw.JourneyMetrics:
    customers = ["a", "a", "b", "b"][: len(times)]
    keys = ["start", "end", "start", "end"][: len(times)]
    df = pd.DataFrame({"c": customers, "ts": pd.Series(times, dtype=object), "e": keys})
    return jw.JourneyMetrics(two_step_map()).bind_events(df, customer="c", time="ts", touchpoint="e")


AWARE = dt.datetime(2024, 1, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=2)))
NAIVE = dt.datetime(2024, 1, 1, 10)


@pytest.mark.parametrize("times", [
    ["2024-01-01T10:00:00+02:00", "2024-01-01T10:07:30+02:00", "2024-01-01 10:00:00", "2024-01-01 10:07:30"],
    ["2024-01-01 10:00:00", "2024-01-01 10:07:30", "2024-01-01T10:00:00Z", "2024-01-01T10:07:30Z"],
    [AWARE, AWARE + dt.timedelta(seconds=450), NAIVE, NAIVE + dt.timedelta(seconds=450)],
    [NAIVE, NAIVE + dt.timedelta(seconds=450), AWARE, AWARE + dt.timedelta(seconds=450)],
    [pd.Timestamp(NAIVE), pd.Timestamp(NAIVE) + pd.Timedelta(seconds=450), pd.Timestamp(AWARE),
     pd.Timestamp(AWARE) + pd.Timedelta(seconds=450)],
])
def test_times_with_and_without_a_zone_are_refused(times):
    with pytest.raises(jw.BindingError) as err:
        bind_times(times)
    assert err.value.column == "ts"
    text = str(err.value)
    assert "'ts' mixes times with a time zone" in text and "2 rows" in text and "tz_localize" in text


@pytest.mark.parametrize("times", [
    ["2024-01-01T10:00:00+02:00", "2024-01-01T10:07:30+02:00", "2024-07-01T10:00:00+03:00", "2024-07-01T10:07:30+03:00"],
    ["2024-01-01T08:00:00Z", "2024-01-01T10:07:30+02:00", "2024-01-01 10:00:00+00:00", "2024-01-01T10:07:30+0000"],
    ["2024-01-01 10:00:00", "2024-01-01 10:07:30", "2024-01-02", "2024-01-02 00:07:30"],
    [AWARE, AWARE + dt.timedelta(seconds=450), AWARE, AWARE + dt.timedelta(seconds=450)],
])
def test_times_in_one_or_several_zones_give_the_true_durations(times):
    m = bind_times(times)
    parsed = [pd.Timestamp(t) for t in times]
    want = statistics.median([(parsed[1] - parsed[0]).total_seconds(), (parsed[3] - parsed[2]).total_seconds()])
    start = m.touchpoints.set_index("touchpoint").loc["start"]
    assert want == 450 and start["median_next_s"] == pytest.approx(want)
    assert not [p for p in m.problems if "time" in p.kind]


def test_check_time_zones_is_callable_on_its_own():
    check_time_zones(["2024-01-01", "2024-01-02 10:00", None, float("nan")], "day")  # dates and naive times
    check_time_zones(["2024-01-01T10:00:00-05:00", "2024-01-01T10:00:00Z"], "ts")
    with pytest.raises(jw.BindingError, match="'when' mixes"):
        check_time_zones(["2024-01-01T10:00:00-05", "2024-01-01T10:00:00"], "when")
    with pytest.raises(jw.BindingError) as err:
        check_time_zones(["2024-01-01T10:00:00Z"] + ["x" * 10_000 + " 10:00"] * 3, "ts")
    assert len(str(err.value)) < 600


# -- feedback without a touchpoint ---------------------------------------------------------

def test_feedback_rows_without_a_touchpoint_are_reported():
    j = two_step_map()
    rows = [("start", 5), ("start", 4), (None, 1), ("start", 1), (float("nan"), 2), ("start", 5)]
    df = pd.DataFrame({"tp": [k for k, _ in rows], "score": [s for _, s in rows]}, index=[10, 11, 12, 13, 14, 15])
    m = jw.JourneyMetrics(j).bind_feedback(df, touchpoint="tp", score="score")
    kept = [s for k, s in rows if isinstance(k, str)]
    (rec,) = m.feedback_records()
    assert rec["n"] == len(kept) == 4
    assert rec["score"] == pytest.approx(100 * sum(s >= 4 for s in kept) / len(kept))
    (problem,) = [p for p in m.problems if p.kind == "feedback_missing_touchpoint"]
    assert problem.details["count"] == 2 and problem.details["rows"] == [12, 14]
    assert "2 responses have no touchpoint in 'tp' (rows 12, 14); skipped" == problem.message


# -- duplicate column names ------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda: pd.DataFrame([["a", 1, "start"]], columns=["c", "ts", "c"]),
    lambda: pa.table([["a"], [1], ["start"]], names=["c", "ts", "c"]),
])
def test_duplicate_column_names_are_a_clear_error(make):
    j = two_step_map()
    with pytest.raises(jw.BindingError, match=r"several columns named 'c' \(2\)") as err:
        jw.JourneyMetrics(j).bind_events(make(), customer="c", time="ts", touchpoint="c")
    assert err.value.column == "c" and "rename them" in str(err.value)
    with pytest.raises(jw.BindingError, match="several columns named 'c'"):
        jw.JourneyMetrics(j).bind_feedback(make(), touchpoint="c", score="ts")
