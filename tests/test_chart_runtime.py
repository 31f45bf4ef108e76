"""The chart runtime (vega, vega-lite, vega-embed) is a module of its own, sent lazily.

``static/widget.js`` (anywidget's ``_esm``, synced and saved with every widget) holds
the map only; ``static/charts-runtime.js`` travels in the ``_chart_runtime`` trait,
set the first time the widget has a chart to show, so a notebook saved with widgets
that show no chart does not carry a copy of Vega per widget.
"""

from __future__ import annotations

import json
import re

import pytest

import journeywidget as jw
from journeywidget import charts as charts_mod
from journeywidget.export import html as html_mod
from journeywidget.widget import JourneyWidget

STATIC = charts_mod.CHART_RUNTIME_PATH.parent


def _events(j):
    return jw.datasets.events(j, customers=200, seed=0)


def _bind(w):
    return w.bind_events(_events(w.journey), customer="customer_id", time="timestamp",
                         touchpoint="event", segment="plan")


def test_the_two_modules_are_split():
    widget_js = (STATIC / "widget.js").read_text(encoding="utf-8")
    runtime = (STATIC / "charts-runtime.js").read_text(encoding="utf-8")
    # Vega's own code is in the runtime, not in the map's module
    marker = "Unrecognized signal name"  # an error message of vega-view
    assert marker in runtime and marker not in widget_js
    assert len(widget_js) < 300_000 < len(runtime)
    # single self-contained ES modules: no static or dynamic imports of chunks
    for text in (widget_js, runtime):
        assert not re.search(r"""(^|[;}\s])import\s*["'{*]|from\s*["']\./""", text[:2000])
        assert "./chunk-" not in text
    assert re.search(r"export\s*\{[^}]*\bembed\b", runtime)


def test_runtime_is_sent_only_with_the_first_chart(monkeypatch):
    j = jw.Journey.from_template("ecommerce-purchase")
    w = JourneyWidget(j)
    assert w._chart_runtime == ""
    _bind(w)
    assert w._chart_runtime == "", "binding data without showing a chart sends no runtime"
    assert "_chart_runtime" in w.keys
    w.show_overlay("funnel")
    assert w._chart_runtime == (STATIC / "charts-runtime.js").read_text(encoding="utf-8")
    # cached at module level: a second widget reuses the same text object
    w2 = JourneyWidget(jw.Journey.from_template("ecommerce-purchase"))
    _bind(w2)
    w2.add_chart({"mark": "bar", "data": {"values": [{"a": 1}]},
                  "encoding": {"x": {"field": "a", "type": "quantitative"}}}, name="c")
    assert w2._chart_runtime is w._chart_runtime
    # it stays once sent (the page keeps the module anyway)
    w.show_overlay("none")
    assert w._chart_runtime
    w.close()
    w2.close()


def test_saved_state_without_charts_has_no_vega():
    w = JourneyWidget(jw.Journey.from_template("ecommerce-purchase"))
    _bind(w)
    state = w.get_state()
    saved = json.dumps({k: v for k, v in state.items() if isinstance(v, (str, dict, list, int, bool))})
    assert len(saved) < 400_000
    w.show_overlay("emotion")
    assert len(json.dumps(w.get_state()["_chart_runtime"])) > 500_000
    w.close()


def test_html_page_carries_the_runtime_only_with_charts():
    j = jw.Journey.from_template("ecommerce-purchase")
    plain = JourneyWidget(j)
    page = jw.export.to_html(plain)
    data = json.loads(re.search(r'id="jw-data">(.*?)</script>', page, re.S).group(1))
    assert "_chart_runtime" not in data["state"]
    plain.close()

    w = JourneyWidget(jw.Journey.from_template("ecommerce-purchase"))
    _bind(w)  # overlay "none": no chart shown, but the page's overlay variants have charts
    assert w._chart_runtime == ""
    page = jw.export.to_html(w)
    data = json.loads(re.search(r'id="jw-data">(.*?)</script>', page, re.S).group(1))
    assert data["overlays"] and data["state"]["_chart_runtime"] == charts_mod.chart_runtime_source()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert "blob:" in csp.split("script-src", 1)[1].split(";", 1)[0]
    w.close()


def test_html_page_without_a_built_runtime_still_works(tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "widget.js").write_text("export default { render() {} };", encoding="utf-8")
    (static / "widget.css").write_text("", encoding="utf-8")
    monkeypatch.setattr(html_mod, "STATIC_DIR", static)
    w = JourneyWidget(jw.Journey.from_template("ecommerce-purchase"))
    _bind(w)
    w.show_overlay("funnel")
    page = jw.export.to_html(w)
    data = json.loads(re.search(r'id="jw-data">(.*?)</script>', page, re.S).group(1))
    assert "_chart_runtime" not in data["state"]
    w.close()


@pytest.mark.parametrize("payload,expected", [
    ({"overlay": "none", "specs": {}}, False),
    ({"overlay": "funnel", "specs": {"overlay": {}}}, True),
    ({}, False),
    (None, False),
])
def test_payload_has_charts(payload, expected):
    assert charts_mod.payload_has_charts(payload) is expected
