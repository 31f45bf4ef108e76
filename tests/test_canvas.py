"""The map canvas at any size (issue 14), on the Python side: the ``zoom`` trait, the
document's ``layout.card_columns`` and lanes' ``color`` / ``icon``, the built-in overlays'
specs for drawing on the map, and the static SVG's labelled badges and touchpoint notes.
"""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
import traitlets

import journeywidget as jw
from journeywidget.charts.bands import BANDS, band_spec
from journeywidget.core.errors import JourneyError, OperationError
from journeywidget.core.vocabulary import CARD_COLUMNS, LANE_COLOR_HEX, LANE_COLORS, LANE_ICONS
from journeywidget.widget import JourneyWidget
from journeywidget.widget.journey_widget import ZoomError, zoom_value

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def journey() -> jw.Journey:
    return jw.Journey.from_template("ecommerce-purchase")


# ---------------------------------------------------------------- zoom


def test_zoom_trait_fit_or_a_factor(journey):
    w = JourneyWidget(journey)
    assert w.zoom == 1.0 and w.get_state()["zoom"] == 1.0
    w = JourneyWidget(journey, zoom="fit")
    assert w.zoom == "fit" and w.get_state()["zoom"] == "fit"
    for given, want in [(0.25, 0.25), (2, 2.0), ("0.5", 0.5), ("75%", 0.75), (" FIT ", "fit")]:
        w.zoom = given
        assert w.zoom == want
        assert w.get_state()["zoom"] == want


@pytest.mark.parametrize("bad", [0.2, 2.5, 0, -1, "huge", "", None, True, float("nan"), float("inf"), [1]])
def test_zoom_refuses_what_is_not_fit_or_0_25_to_2(journey, bad):
    w = JourneyWidget(journey, zoom=0.5)
    with pytest.raises(ZoomError, match=r'zoom=.*use "fit" or a factor from 0.25 to 2'):
        w.zoom = bad
    assert w.zoom == 0.5  # nothing lost
    with pytest.raises(JourneyError):
        zoom_value(bad)
    with pytest.raises(traitlets.TraitError):
        JourneyWidget(journey, zoom=bad)


def test_zoom_from_the_page_reaches_python(journey):
    w = JourneyWidget(journey)
    seen = []
    w.observe(lambda ch: seen.append(ch["new"]), names="zoom")
    w.set_state({"zoom": "fit"})
    w.set_state({"zoom": 0.75})
    assert seen == ["fit", 0.75] and w.zoom == 0.75


# ---------------------------------------------------------------- the document


def test_card_columns_default_edit_undo_and_limits(journey):
    assert journey.layout == {"card_columns": CARD_COLUMNS["default"]} == {"card_columns": 3}
    assert journey.to_dict()["layout"] == {"card_columns": 3}
    journey.update(journey.id, layout={"card_columns": 5})
    assert journey.layout == {"card_columns": 5}
    journey.undo()
    assert journey.layout == {"card_columns": 3}
    for bad in (0, 7, 2.5, "4", True, None):
        with pytest.raises(OperationError, match=r"journey\.layout"):
            journey.update(journey.id, layout={"card_columns": bad})
    with pytest.raises(OperationError, match=r"journey\.layout"):
        journey.update(journey.id, layout={"card_columns": 3, "zoom": 2})
    assert journey.layout == {"card_columns": 3}


def test_documents_without_the_new_fields_still_load():
    doc = jw.Journey.from_template("saas-onboarding").to_dict()
    old = copy.deepcopy(doc)
    del old["layout"]
    for lane in old["lanes"]:
        del lane["color"], lane["icon"]
    j = jw.Journey.from_dict(old)
    assert j.layout == {"card_columns": 3}
    assert all(lane.color == "" and lane.icon == "" for lane in j.lanes)
    assert j.to_dict() == {**doc, "created": j.to_dict()["created"], "modified": j.to_dict()["modified"]}


def test_lane_colour_and_icon_are_names_from_the_vocabulary(journey):
    journey.update("pain-points", color="purple", icon="flag")
    assert (journey["pain-points"].color, journey["pain-points"].icon) == ("purple", "flag")
    assert set(LANE_COLORS) == set(LANE_COLOR_HEX)
    assert all(len(h) == 7 and h.startswith("#") for h in LANE_COLOR_HEX.values())
    schema = jw.schema()
    assert schema["$defs"]["Lane"]["properties"]["color"]["enum"] == ["", *LANE_COLORS]
    assert schema["$defs"]["Lane"]["properties"]["icon"]["enum"] == ["", *LANE_ICONS]
    # a colour is a palette name, never CSS: nothing else gets into the document
    for bad in ("#ff0000", "red;background:url(javascript:alert(1))", "RED", " red", "var(--x)", 3):
        with pytest.raises(OperationError, match=r"lane\.color"):
            journey.update("pain-points", color=bad)
    with pytest.raises(OperationError, match=r"lane\.icon"):
        journey.update("pain-points", icon="<svg onload=alert(1)>")
    assert journey["pain-points"].color == "purple"


# ---------------------------------------------------------------- charts on the map


def _bound_widget(journey):
    w = JourneyWidget(journey)
    w.bind_events(jw.datasets.events(journey, customers=400, seed=1), customer="customer_id",
                  time="timestamp", touchpoint="event")
    rows = [{"tp": tp.event_keys[0], "score": s} for tp in journey.touchpoints[:4] if tp.event_keys
            for s in (5, 4, 2, 5, 3)]
    w.bind_feedback(pd.DataFrame(rows), touchpoint="tp", score="score", scale="csat")
    return w


@pytest.mark.parametrize("name", ["funnel", "emotion", "metric", "trend"])
def test_overlays_carry_a_spec_for_the_map_geometry(journey, name):
    w = _bound_widget(journey)
    w.overlay = name
    entry = w._charts["specs"]["overlay"]
    assert entry["error"] is None and entry["spec"]
    if name == "trend":
        assert "band" not in entry  # small multiples stay a chart of their own
        return
    assert entry["band"] == BANDS[name]
    spec = entry["band_spec"]
    assert spec["data"] == {"name": "table"} and "values" not in spec["data"]
    layers = spec.get("layer") or [spec]
    # positions are the map's pixels: no scale, no axis
    assert all(layer["encoding"]["x"]["scale"] is None for layer in layers)
    assert {"name": "jw_selected", "value": ""} in spec["params"]
    json.dumps(entry, allow_nan=False)


def _draw(spec: dict, rows: list[dict], width=900, height=120) -> dict[str, int]:
    vlc = pytest.importorskip("vl_convert")
    spec = {**spec, "datasets": {"table": rows}, "width": width, "height": height,
            "autosize": {"type": "none"}, "padding": 0}
    svg = ET.fromstring(vlc.vegalite_to_svg(spec))
    marks = [g for g in svg.iter(SVG + "g") if "role-mark" in (g.get("class") or "")]
    return {c: sum(len(list(g)) for g in marks if f"mark-{c} " in (g.get("class") or "") + " ")
            for c in ("rect", "symbol", "rule", "text")}


def test_band_specs_draw_on_the_pixels_they_are_given():
    doc = jw.Journey.from_template("ecommerce-purchase").to_dict()
    # the funnel: a track and a bar per stage, red for what the later stages lost, conversion labels
    funnel = [{"stage": f"s{i}", "label": f"S{i}", "customers": c, "top": t, "dropoff": t - c,
               "conversion": None if i == 0 else c / t, "conv_text": "" if i == 0 else f"{c / t:.0%}",
               "tps": "|", "jw_x0": 10 + 200 * i, "jw_x1": 190 + 200 * i, "jw_y0": 90, "jw_y1": 110}
              for i, (c, t) in enumerate([(100, 100), (60, 100), (30, 60)])]
    assert _draw(band_spec("funnel", doc, None, "")[1], funnel) == {"rect": 3 + 3 + 2, "symbol": 0, "rule": 0, "text": 2}
    # the emotion overlay: only the points derived from feedback, with their intervals
    emo = [{"touchpoint": "a", "label": "A", "source": "map", "emotion": 1, "jw_x": 20, "jw_y": 30},
           {"touchpoint": "a", "label": "A", "source": "data", "emotion": 0.5, "n": 40, "lo": 0.1, "hi": 0.9,
            "jw_x": 20, "jw_y": 45, "jw_ylo": 60, "jw_yhi": 30},
           {"touchpoint": "b", "label": "B", "source": "data", "emotion": -1, "n": 12, "lo": None, "hi": None,
            "jw_x": 80, "jw_y": 90, "jw_ylo": None, "jw_yhi": None}]
    assert _draw(band_spec("emotion", doc, None, "")[1], emo) == {"rect": 0, "symbol": 2, "rule": 1, "text": 0}
    # the metric strip: a track and a bar per touchpoint
    metric = [{"touchpoint": t, "label": t, "value": v, "jw_x0": x, "jw_x1": x + 150, "jw_y0": 40, "jw_y1": 52}
              for t, v, x in [("a", 10, 0), ("b", 5, 200), ("c", 0, 400)]]
    assert _draw(band_spec("metric", doc, "customers", "")[1], metric) == {"rect": 6, "symbol": 0, "rule": 0, "text": 0}


# ---------------------------------------------------------------- the static SVG


def test_svg_shows_touchpoint_pain_points_and_opportunities_in_their_lanes(journey):
    root = ET.fromstring(jw.export.to_svg(journey))
    groups = [g for g in root.iter(SVG + "g") if "jw-tp-notes" in (g.get("class") or "")]
    pains = [g for g in groups if "jw-tp-notes-pain_points" in g.get("class")]
    opps = [g for g in groups if "jw-tp-notes-opportunities" in g.get("class")]
    assert len(pains) == sum(1 for t in journey.touchpoints if t.pain_points)
    assert len(opps) == sum(1 for t in journey.touchpoints if t.opportunities)
    tp = next(t for t in journey.touchpoints if t.pain_points)
    text = " ".join("".join(g.itertext()) for g in pains if g.get("data-id") == tp.id)
    assert tp.name[:12] in text and tp.pain_points[0].split()[0] in text
    # each sits under its touchpoint, inside the pain points lane
    lane = next(g for g in root.iter(SVG + "g") if g.get("data-kind") == "pain_points")
    assert all(g in list(lane.iter(SVG + "g")) for g in pains)
    # no "N pains" count on the card when the lane shows them
    assert not [g for g in root.iter(SVG + "g") if "jw-badge-pains" in (g.get("class") or "")]


def test_svg_counts_pain_points_on_the_card_without_a_pain_points_lane(journey):
    lane = next(lane for lane in journey.lanes if lane.kind == "pain_points")
    journey.remove(lane.id)
    root = ET.fromstring(jw.export.to_svg(journey))
    badges = [g for g in root.iter(SVG + "g") if "jw-badge-pains" in (g.get("class") or "")]
    assert len(badges) == sum(1 for t in journey.touchpoints if t.pain_points)
    assert any("pain point" in "".join(g.itertext()) for g in badges)


def test_svg_badges_say_what_they_count(journey):
    w = _bound_widget(journey)
    root = ET.fromstring(w.to_svg())
    texts = {g.get("class").split()[-1]: "".join(g.itertext()) for g in root.iter(SVG + "g")
             if "jw-badge" in (g.get("class") or "")}
    assert texts["jw-badge-customers"].endswith(" customers")
    assert texts["jw-badge-time"].endswith(" to next")
    assert texts["jw-badge-share"].endswith(" %")
    assert texts["jw-badge-score"].startswith("CSAT ") and texts["jw-badge-score"].endswith(" %")
